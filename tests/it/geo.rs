//! Regions, data centers and GeoDNS: failover delayed by the DNS ttl, users routed to their
//! nearest data center, cross-DC latency in each region's figures, cross-DC replication lag
//! and synchronous write cost, conservation, determinism, and bad input for every new key.

use crate::bad_input::{case_on, validate};
use crate::{load, parse, run_seed};

const FAILURE: &str = "scenarios/failures/08-datacenter-down.yaml";
const STAGE: &str = "scenarios/08-multi-datacenter.yaml";

/// Two regions, two data centers, constant latencies, one web tier per data center and a
/// database whose primary is in `a` with one replica in each data center. The client hop is
/// the region's latency; inside a data center hops are free; `a` <-> `b` is 30 ms one way.
const TWO_DC: &str = "\
name: two dc
seed: 3
duration: 40s
warmup: 5s
traffic:
  users: 2000
  rate: 400
  classes:
    - {name: read, weight: 0.8}
    - {name: write, weight: 0.2}
regions:
  ra: {share: 0.5, latency: {a: {const: 10ms}, b: {const: 50ms}}}
  rb: {share: 0.5, latency: {a: {const: 60ms}, b: {const: 20ms}}}
datacenters:
  a: {latency: {b: {const: 30ms}}}
  b: {}
network:
  hop: {const: 0s}
entry: lb-a
components:
  dns:
    kind: dns
    latency: {const: 0s}
    ttl: 1h
    geo: {a: lb-a, b: lb-b}
  lb-a: {kind: load_balancer, datacenter: a, to: web-a}
  lb-b: {kind: load_balancer, datacenter: b, to: web-b}
  web-a: {kind: server, datacenter: a, count: 2, workers: 50, service: {const: 1ms}, calls: [db]}
  web-b: {kind: server, datacenter: b, count: 2, workers: 50, service: {const: 1ms}, calls: [db]}
  db:
    kind: database
    datacenter: a
    workers: 50
    read: {const: 2ms}
    write: {const: 4ms}
    replicas: 2
    replica_datacenters: [a, b]
    replication_lag: {const: 5ms}
";

fn mean(r: &scalesim::Report, scope: &str, name: &str) -> f64 {
    let map = if scope == "region" {
        &r.regions
    } else {
        &r.datacenters
    };
    map[name].latency_ms.mean.expect("completed requests")
}

#[test]
fn users_go_to_their_nearest_data_center() {
    let r = run_seed(&parse(TWO_DC), 3);
    // Region ra is nearer a, rb nearer b: each data center sees exactly its region's users.
    assert_eq!(r.datacenters["a"].offered, r.regions["ra"].offered);
    assert_eq!(r.datacenters["b"].offered, r.regions["rb"].offered);
    let total = r.requests.offered as f64;
    let share = r.regions["ra"].offered as f64 / total;
    assert!((share - 0.5).abs() < 0.03, "share of ra {share}");
    // Flip the latencies: rb is now nearer a.
    let flipped = TWO_DC.replace(
        "rb: {share: 0.5, latency: {a: {const: 60ms}, b: {const: 20ms}}}",
        "rb: {share: 0.5, latency: {a: {const: 15ms}, b: {const: 20ms}}}",
    );
    let r = run_seed(&parse(&flipped), 3);
    assert_eq!(r.datacenters["b"].offered, 0);
    assert_eq!(r.datacenters["a"].offered, r.requests.offered);
}

#[test]
fn without_regions_dns_answers_the_first_healthy_data_center() {
    let text = TWO_DC
        .replace(
            "regions:\n  ra: {share: 0.5, latency: {a: {const: 10ms}, b: {const: 50ms}}}\n  rb: {share: 0.5, latency: {a: {const: 60ms}, b: {const: 20ms}}}\n",
            "",
        )
        .replace("    ttl: 1h\n", "    ttl: 2s\n    health_check: {interval: 1s, unhealthy: 1}\n")
        + "    failover: 1s\nfaults:\n  - {at: 20s, fail_dc: a}\n";
    let r = run_seed(&parse(&text), 3);
    assert!(r.regions.is_empty());
    let rows = &r.timeseries.rows;
    // Everyone starts in a (first in `datacenters`); after a fails, b takes everything.
    assert!(rows[10].entered[0] > 300 && rows[10].entered[1] == 0);
    assert!(rows[30].entered[0] == 0 && rows[30].entered[1] > 300);
    assert_eq!(r.faults[0].detected_s, Some(20.0));
    // The primary went down with a: the replica in b is promoted after the 1 s failover.
    assert_eq!(r.components["db"].extra["promotions"], 1.0);
    // Errors end within detection (1 s) + ttl (2 s) + the window.
    let last_bad = rows
        .iter()
        .filter(|w| w.failed > 0)
        .map(|w| w.t_s)
        .fold(0.0, f64::max);
    assert!((21.0..24.0).contains(&last_bad), "{last_bad}");
}

#[test]
fn region_latency_shows_the_configured_hops() {
    let r = run_seed(&parse(TWO_DC), 3);
    // Reads: region hop both ways + web 1 ms + db read 2 ms (the replica in the caller's own
    // data center). Writes: + 2 x 30 ms from b to the primary in a, + 4 ms write.
    let read = 0.8;
    let ra = 2.0 * 10.0 + 1.0 + read * 2.0 + (1.0 - read) * 4.0;
    let rb = 2.0 * 20.0 + 1.0 + read * 2.0 + (1.0 - read) * (4.0 + 60.0);
    let (ma, mb) = (mean(&r, "region", "ra"), mean(&r, "region", "rb"));
    // The class mix is random: allow 3% of the write share's effect plus histogram rounding.
    assert!((ma - ra).abs() < 0.3, "ra mean {ma} expected {ra}");
    assert!((mb - rb).abs() < 0.8, "rb mean {mb} expected {rb}");
    assert!((mean(&r, "dc", "a") - ma).abs() < 1e-9);
    // Cross-DC write: every write from b pays the ocean both ways.
    let writes_b = rb - ra;
    assert!(writes_b > 20.0 + 12.0 - 1.0, "{writes_b}");
}

#[test]
fn a_remote_replica_lags_by_the_data_center_latency() {
    let r = run_seed(&parse(TWO_DC), 3);
    let db = &r.components["db"];
    // One replica in a (lag 5 ms), one in b (5 ms + 30 ms): the mean of the two.
    let lag = db.extra["lag_ms_mean"];
    assert!((lag - 20.0).abs() < 0.1, "lag_ms_mean {lag}");
}

#[test]
fn a_synchronous_write_waits_for_the_remote_acknowledgement() {
    let sync = TWO_DC.replace(
        "    replication_lag: {const: 5ms}\n",
        "    replication_lag: {const: 5ms}\n    replication: sync\n",
    );
    let r = run_seed(&parse(&sync), 3);
    let a = run_seed(&parse(TWO_DC), 3);
    // From region ra (data center a, where the primary is): the write now also waits for
    // the b replica: lag 5 ms + 30 ms there + 30 ms acknowledgement back.
    let write = r.classes["write"].latency_ms.mean.expect("writes");
    let before = a.classes["write"].latency_ms.mean.expect("writes");
    let extra = write - before;
    assert!((extra - 65.0).abs() < 0.5, "sync adds {extra} ms per write");
}

#[test]
fn failover_waits_for_detection_and_the_ttl() {
    let sc = load(FAILURE, &[]);
    let r = run_seed(&sc, 42);
    let ttl = 30.0;
    let (interval, unhealthy) = (5.0, 2.0);
    let fault = &r.faults[0];
    assert_eq!(fault.fault, "fail_dc eu-west");
    let detected = fault.detected_s.expect("DNS noticed");
    assert!(
        (60.0..=60.0 + unhealthy * interval).contains(&detected),
        "{detected}"
    );
    let rows = &r.timeseries.rows;
    let failed_at = |t: f64| rows.iter().find(|w| w.t_s == t).map_or(0, |w| w.failed);
    // Errors stop within detection + ttl (+ one window for requests in flight).
    let last_bad = rows
        .iter()
        .filter(|w| w.failed > 0)
        .map(|w| w.t_s)
        .fold(0.0, f64::max);
    assert!(
        last_bad >= detected + ttl - 3.0,
        "errors ended early at {last_bad}"
    );
    assert!(
        last_bad < 60.0 + unhealthy * interval + ttl + 1.0,
        "errors lasted until {last_bad}"
    );
    let recovered = fault.recovered_s.expect("recovered");
    assert!(recovered <= detected + ttl + 1.0, "{recovered}");
    // Until detection every european request to eu-west fails. At detection, the users who
    // hold an unexpired answer fail until it expires; the others (their answer expired and
    // they have not asked since) resolve to us-east on their next request. A user's answer
    // lives a ttl, then lapses until their next request (1 / rate-per-user on average), so a
    // share h = ttl / (ttl + 1 / per-user rate) hold one, with expiries uniform over the
    // ttl: the failing share falls linearly from h to zero. Compared in 5 s bins against
    // h (1 - (t - detected) / ttl), within 0.08.
    let per_user = 2500.0 / 10_000.0;
    let h = ttl / (ttl + 1.0 / per_user);
    let before: f64 = (60..detected as u32)
        .map(|t| failed_at(f64::from(t)) as f64)
        .sum::<f64>()
        / (detected - 60.0);
    for bin in 0..6 {
        let t0 = detected + f64::from(bin) * 5.0;
        let got: f64 = (0..5)
            .map(|k| failed_at(t0 + f64::from(k)) as f64)
            .sum::<f64>()
            / 5.0
            / before;
        let expected = h * (1.0 - (t0 + 2.5 - detected) / ttl).max(0.0);
        assert!(
            (got - expected).abs() < 0.08,
            "bin at {t0} s: failing share {got:.3}, linear decay {expected:.3}"
        );
    }
    // Traffic moves: nothing enters eu-west once the answers have expired, and us-east
    // takes europe's requests; it comes back after the recovery.
    let dc = |name: &str| {
        r.timeseries
            .datacenters
            .iter()
            .position(|d| d == name)
            .expect("data center in the series")
    };
    let (us, eu) = (dc("us-east"), dc("eu-west"));
    let row = |t: f64| rows.iter().find(|w| w.t_s == t).expect("window");
    assert!(row(50.0).entered[eu] > 400);
    assert_eq!(row(100.0).entered[eu], 0);
    assert!(row(100.0).entered[us] > row(50.0).entered[us] + 400);
    assert!(
        row(149.0).entered[eu] > 0,
        "users return after the recovery"
    );
    // North-american users never failed.
    assert_eq!(r.regions["north-america"].failed, 0);
    assert!(r.regions["europe"].failed > 5_000);
}

#[test]
fn a_shorter_ttl_gives_a_shorter_outage() {
    let long = run_seed(&load(FAILURE, &[]), 42);
    let short = run_seed(&load(FAILURE, &["dns.ttl=10s"]), 42);
    let t = |r: &scalesim::Report| r.faults[0].time_to_recover_s.expect("recovered");
    let (tl, ts) = (t(&long), t(&short));
    assert!(ts < tl - 15.0, "ttl 10 s: {ts} s, ttl 30 s: {tl} s");
    assert!(ts <= 10.0 + 10.0 + 1.0, "{ts}");
    assert!(short.requests.failed * 2 < long.requests.failed);
    assert!(short.client.dns_lookups > 2 * long.client.dns_lookups);
}

#[test]
fn stage_08_conserves_requests_per_region_and_data_center() {
    for file in [STAGE, FAILURE] {
        let r = run_seed(&load(file, &["duration=70s"]), 42);
        let q = &r.requests;
        assert_eq!(q.offered, q.completed + q.failed + q.in_flight, "{file}");
        let sum = |f: fn(&scalesim::metrics::GeoReport) -> u64| -> u64 {
            r.regions.values().map(f).sum()
        };
        assert_eq!(sum(|g| g.offered), q.offered, "{file}");
        assert_eq!(sum(|g| g.completed), q.completed, "{file}");
        assert_eq!(sum(|g| g.failed), q.failed, "{file}");
        for (name, g) in r.regions.iter().chain(&r.datacenters) {
            assert!(g.offered >= g.completed + g.failed, "{file} {name}");
        }
        // Data centers see the dynamic requests (static ones enter at the global CDN).
        let dynamic = r.classes["page"].offered + r.classes["write"].offered;
        let entered: u64 = r.datacenters.values().map(|g| g.offered).sum();
        assert!(entered <= dynamic && entered + 50 >= dynamic, "{file}");
        let errors: u64 = r.regions.values().flat_map(|g| g.errors.values()).sum();
        assert_eq!(errors, q.failed, "{file}");
    }
}

#[test]
fn stage_08_is_deterministic_and_shows_its_lesson() {
    let sc = load(STAGE, &["duration=60s"]);
    let a = scalesim::report::to_json(&run_seed(&sc, 42));
    let b = scalesim::report::to_json(&run_seed(&sc, 42));
    assert_eq!(a, b);
    let r = run_seed(&sc, 42);
    // Each region is served by its own data center: both regions' medians stay near their
    // own hop, far below a transatlantic round trip (2 x 45 ms).
    for region in ["north-america", "europe"] {
        let p50 = r.regions[region].latency_ms.p50.expect("p50");
        assert!(p50 < 60.0, "{region} p50 {p50}");
    }
    // Reads stay local; writes from europe cross to the primary: the write class is slower
    // than the page class by more than one DC round trip share.
    let page = r.classes["page"].latency_ms.mean.expect("page");
    let write = r.classes["write"].latency_ms.mean.expect("write");
    assert!(
        write > page + 0.4 * 2.0 * 38.0 - 5.0,
        "page {page} write {write}"
    );
    // The remote replica lags by the ocean: mean over the two replicas > 38 / 2 ms.
    assert!(r.components["db"].extra["lag_ms_mean"] > 20.0 + 19.0 - 2.0);
}

#[test]
fn scenarios_without_data_centers_report_no_geo() {
    let r = run_seed(
        &load("scenarios/07-stateless-web-tier.yaml", &["duration=30s"]),
        1,
    );
    assert!(r.regions.is_empty() && r.datacenters.is_empty());
    let json = scalesim::report::to_json(&r);
    assert!(!json.contains("\"regions\"") && !json.contains("\"datacenters\""));
    assert!(!scalesim::report::timeseries_csv(&r).contains("dc_"));
    let r = run_seed(&load(STAGE, &["duration=30s"]), 1);
    let csv = scalesim::report::timeseries_csv(&r);
    assert!(
        csv.lines()
            .next()
            .expect("header")
            .ends_with(",dc_us-east,dc_eu-west")
    );
    let summary = scalesim::report::summary_csv(&r);
    assert!(summary.contains("\nregion,europe,offered,"));
    assert!(summary.contains("\ndatacenter,us-east,completed,"));
}

/// A valid two-data-center scenario; each case breaks it with one replacement.
const BAD_BASE: &str = "\
name: geo base
duration: 10s
traffic:
  rate: 100
regions:
  na: {share: 0.6, latency: {us: {const: 10ms}, eu: {const: 40ms}}}
  europe: {share: 0.4, latency: {us: {const: 40ms}, eu: {const: 10ms}}}
datacenters:
  us: {latency: {eu: {const: 35ms}}}
  eu: {}
entry: lb-us
components:
  dns: {kind: dns, latency: {const: 10ms}, geo: {us: lb-us, eu: lb-eu}}
  lb-us: {kind: load_balancer, datacenter: us, to: web-us}
  lb-eu: {kind: load_balancer, datacenter: eu, to: web-eu}
  web-us: {kind: server, datacenter: us, workers: 4, service: {exp: 2ms}, calls: [db]}
  web-eu: {kind: server, datacenter: eu, workers: 4, service: {exp: 2ms}, calls: [db]}
  db: {kind: database, datacenter: us, workers: 4, read: {exp: 1ms}, write: {exp: 3ms}, replicas: 1, replication_lag: {exp: 5ms}, replica_datacenters: [eu]}
faults:
  - {at: 5s, fail_dc: eu, for: 2s}
";

#[test]
fn the_geo_base_scenario_is_valid() {
    assert_eq!(validate(BAD_BASE, &[]), (0, String::new()));
}

#[test]
fn a_region_must_give_every_data_center() {
    case_on(
        BAD_BASE,
        &[(
            "latency: {us: {const: 10ms}, eu: {const: 40ms}}",
            "latency: {us: {const: 10ms}}",
        )],
        &[
            "bad.yaml:6:29: regions.na.latency: expected a latency to every data center, missing `eu`",
        ],
    );
}

#[test]
fn a_region_latency_must_name_a_data_center() {
    case_on(
        BAD_BASE,
        &[(
            "eu: {const: 10ms}}}",
            "eu: {const: 10ms}, ap: {const: 9ms}}}",
        )],
        &[
            "bad.yaml:7:72: regions.europe.latency.ap: expected the name of a data center (us, eu), found `ap`",
        ],
    );
}

#[test]
fn region_shares_must_sum_to_a_positive_value() {
    case_on(
        BAD_BASE,
        &[("share: 0.6", "share: 0"), ("share: 0.4", "share: 0")],
        &[
            "bad.yaml:6:3: regions: expected region shares that sum to a positive value, found a sum of 0",
        ],
    );
    case_on(
        BAD_BASE,
        &[("share: 0.6", "share: -1")],
        &["bad.yaml:6:15: regions.na.share: expected a share >= 0, found -1"],
    );
}

#[test]
fn every_pair_of_data_centers_needs_a_latency() {
    case_on(
        BAD_BASE,
        &[("us: {latency: {eu: {const: 35ms}}}", "us: {}")],
        &[
            "bad.yaml:9:3: datacenters: expected a latency between `us` and `eu` (in `datacenters.us.latency` or `datacenters.eu.latency`)",
        ],
    );
    case_on(
        BAD_BASE,
        &[("  eu: {}\n", "  eu: {latency: {us: {const: 35ms}}}\n")],
        &[
            "bad.yaml:10:18: datacenters.eu.latency.us: the latency between `eu` and `us` is given twice: give each pair once (it is symmetric)",
        ],
    );
}

#[test]
fn a_component_datacenter_must_exist() {
    case_on(
        BAD_BASE,
        &[("datacenter: eu, to: web-eu", "datacenter: ap, to: web-eu")],
        &[
            "bad.yaml:15:44: components.lb-eu.datacenter: expected the name of a data center (us, eu), found `ap`",
        ],
    );
}

#[test]
fn every_component_needs_a_datacenter_when_there_are_some() {
    case_on(
        BAD_BASE,
        &[(
            "{kind: load_balancer, datacenter: eu, to: web-eu}",
            "{kind: load_balancer, to: web-eu}",
        )],
        &[
            "bad.yaml:15:10: components.lb-eu: a load_balancer needs `datacenter` when the scenario declares datacenters (us, eu)",
        ],
    );
}

#[test]
fn a_geo_entry_must_stand_in_its_data_center() {
    case_on(
        BAD_BASE,
        &[("geo: {us: lb-us, eu: lb-eu}", "geo: {us: lb-us, eu: lb-us}")],
        &[
            "bad.yaml:13:65: components.dns.geo.eu: expected an entry component in `eu`, found `lb-us`, which is in `us`",
        ],
    );
    case_on(
        BAD_BASE,
        &[("eu: lb-eu}", "eu: lb-eu, ap: lb-eu}")],
        &[
            "bad.yaml:13:72: components.dns.geo.ap: expected the name of a data center (us, eu), found `ap`",
        ],
    );
}

#[test]
fn fail_dc_must_name_a_data_center() {
    case_on(
        BAD_BASE,
        &[("fail_dc: eu", "fail_dc: ap")],
        &[
            "bad.yaml:20:23: faults[0].fail_dc: expected the name of a data center (us, eu), found `ap`",
        ],
    );
}

#[test]
fn replica_datacenters_give_one_per_replica() {
    case_on(
        BAD_BASE,
        &[("replica_datacenters: [eu]", "replica_datacenters: [eu, us]")],
        &[
            "bad.yaml:18:152: components.db.replica_datacenters: expected one data center per replica (1), found 2",
        ],
    );
}

#[test]
fn geo_keys_need_datacenters() {
    let base = "\
name: no dc
duration: 10s
traffic:
  rate: 100
entry: web
components:
  web: {kind: server, workers: 4, service: {exp: 2ms}}
";
    case_on(
        base,
        &[("workers: 4,", "datacenter: us, workers: 4,")],
        &[
            "bad.yaml:7:23: components.web.datacenter: `datacenter` needs the top-level `datacenters` to declare it",
        ],
    );
    case_on(
        base,
        &[(
            "entry: web\n",
            "entry: web\nregions:\n  na: {share: 1, latency: {us: {const: 1ms}}}\n",
        )],
        &[
            "bad.yaml:7:3: regions: regions need `datacenters`: each region gives its latency to each data center",
        ],
    );
}
