//! The analytic availability: series and parallel closed forms on hand-built scenarios, the
//! single points of failure of small topologies, the figures' sources, and the simulated
//! availability under `random` faults against the analytic figure.

use crate::{parse, run_seed};
use scalesim::availability::{Redundancy, Source, analyse, downtime_min_per_month, nines};

/// Exact closed forms are computed the same way as the analysis (products of f64), so only
/// rounding separates them: 1e-12 absolute.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12
}

/// Availability of one instance with these figures, hours.
fn inst(mtbf_h: f64, mttr_h: f64) -> f64 {
    mtbf_h / (mtbf_h + mttr_h)
}

const SERIES: &str = "\
name: series
duration: 10s
traffic:
  rate: 10
  classes:
    - {name: read, weight: 3}
    - {name: write, weight: 1, op: write}
entry: web
components:
  web:
    kind: server
    workers: 4
    service: {const: 1ms}
    calls: [app]
    reliability: {mtbf: 100h, mttr: 1h}
  app:
    kind: server
    workers: 4
    service: {const: 1ms}
    calls: [db]
    reliability: {mtbf: 50h}
  db:
    kind: database
    workers: 4
    read: {const: 1ms}
    write: {const: 1ms}
    reliability: {mtbf: 200h, mttr: 4h}
";

#[test]
fn a_chain_of_single_instances_is_the_product() {
    let sc = parse(SERIES);
    let a = analyse(&sc);
    // app leaves mttr out: a server's default, 1 h.
    let want = inst(100.0, 1.0) * inst(50.0, 1.0) * inst(200.0, 4.0);
    for class in &a.classes {
        assert!(close(class.availability.unwrap(), want), "{class:?}");
        // Every component is needed and has one instance (the database no replica).
        assert_eq!(class.spofs, [0, 1, 2]);
    }
    let app = a.components[1].unwrap();
    assert_eq!(app.source, Source::Key);
    assert_eq!(app.reliability.mttr.as_secs_f64(), 3600.0);
    // The report's figures: nines and downtime follow from the availability.
    let r = run_seed(&sc, 1);
    let block = r.analytic_availability.as_ref().unwrap();
    let read = &block.classes["read"].figures;
    assert!(close(read.analytic.unwrap(), want));
    assert!(close(read.nines.unwrap(), -(1.0 - want).log10()));
    // Minutes are hundreds: the same 1e-12, relative.
    let minutes = (1.0 - want) * 730.0 * 60.0;
    assert!((read.downtime_min_per_month.unwrap() - minutes).abs() <= 1e-12 * minutes);
    assert_eq!(read.simulated, None, "no random fault: nothing simulated");
    assert!(close(block.overall.analytic.unwrap(), want));
    let names: Vec<&str> = block
        .single_points_of_failure
        .iter()
        .map(|s| s.component.as_str())
        .collect();
    assert_eq!(names, ["web", "app", "db"]);
}

const BALANCED: &str = "\
name: balanced
duration: 10s
traffic:
  rate: 10
  classes:
    - {name: read, weight: 1}
    - {name: write, weight: 1, op: write}
entry: lb
components:
  lb:
    kind: load_balancer
    to: web
    health_check: {interval: 1s}
    reliability: {mtbf: 1000h, mttr: 1h}
  web:
    kind: server
    count: 3
    workers: 4
    service: {const: 1ms}
    calls: [db]
    reliability: {mtbf: 10h, mttr: 1h}
  db:
    kind: database
    workers: 4
    replicas: 2
    replication_lag: {const: 1ms}
    read: {const: 1ms}
    write: {const: 1ms}
    reliability: {mtbf: 20h, mttr: 2h}
";

#[test]
fn a_health_checked_group_and_a_read_pool_are_parallel() {
    let sc = parse(BALANCED);
    let a = analyse(&sc);
    let (lb, web, db) = (inst(1000.0, 1.0), inst(10.0, 1.0), inst(20.0, 2.0));
    let any = |a: f64, n: i32| 1.0 - (1.0 - a).powi(n);
    let web_group = any(web, 3);
    // Reads: any of the three database nodes; writes: the primary.
    let read = lb * web_group * any(db, 3);
    let write = lb * web_group * db;
    assert!(close(a.classes[0].availability.unwrap(), read));
    assert!(close(a.classes[1].availability.unwrap(), write));
    assert_eq!(a.components[1].unwrap().redundancy, Redundancy::Parallel);
    // The balancer is a SPOF; the group of three is not; the database is one for writes.
    assert_eq!(a.classes[0].spofs, [0]);
    assert_eq!(a.classes[1].spofs, [0, 2]);
}

#[test]
fn a_group_without_health_checks_serves_each_request_from_one_instance() {
    let sc = parse(&BALANCED.replace("    health_check: {interval: 1s}\n", ""));
    let a = analyse(&sc);
    assert_eq!(a.components[1].unwrap().redundancy, Redundancy::PerRequest);
    let want = inst(1000.0, 1.0) * inst(10.0, 1.0) * inst(20.0, 2.0);
    assert!(close(a.classes[1].availability.unwrap(), want));
    // Losing one of its three instances fails a third of the requests, not all: no SPOF.
    assert_eq!(a.classes[1].spofs, [0, 2]);
}

#[test]
fn a_load_balanced_pair_has_the_balancer_as_its_one_spof() {
    let sc = parse(
        "\
name: pair
duration: 10s
traffic: {rate: 10}
entry: lb
components:
  lb: {kind: load_balancer, to: web, health_check: {interval: 1s}}
  web: {kind: server, count: 2, workers: 4, service: {const: 1ms}}
",
    );
    let a = analyse(&sc);
    assert_eq!(a.classes[0].spofs, [0]);
    // Defaults: a balancer 8760 h / 15 min, a server 720 h / 1 h.
    let lb = a.components[0].unwrap();
    assert_eq!(lb.source, Source::Default);
    let want = inst(8760.0, 0.25) * (1.0 - (1.0 - inst(720.0, 1.0)).powi(2));
    assert!(close(a.classes[0].availability.unwrap(), want));
}

#[test]
fn a_single_server_is_its_own_spof() {
    let sc = parse(
        "\
name: one
duration: 10s
traffic: {rate: 10}
entry: web
components:
  web: {kind: server, workers: 4, service: {const: 1ms}}
",
    );
    let a = analyse(&sc);
    assert_eq!(a.classes[0].spofs, [0]);
    assert!(close(a.classes[0].availability.unwrap(), inst(720.0, 1.0)));
}

#[test]
fn a_cache_needs_its_miss_target_and_a_queue_not_its_consumers() {
    let sc = parse(
        "\
name: tiers
duration: 10s
traffic:
  rate: 10
  classes:
    - {name: read, weight: 1}
    - {name: job, weight: 1, op: write}
entry: web
components:
  web:
    kind: server
    workers: 4
    service: {const: 1ms}
    calls: {read: [cache], job: [jobs]}
  cache: {kind: cache, capacity: 10, latency: {const: 1ms}, miss: db}
  db: {kind: database, workers: 4, read: {const: 1ms}, write: {const: 1ms}}
  jobs: {kind: queue, latency: {const: 1ms}, consumers: workers}
  workers: {kind: worker, workers: 2, service: {const: 1ms}}
",
    );
    let a = analyse(&sc);
    let p = |c: usize| a.components[c].unwrap().reliability.availability();
    assert!(close(
        a.classes[0].availability.unwrap(),
        p(0) * p(1) * p(2)
    ));
    assert!(close(a.classes[1].availability.unwrap(), p(0) * p(3)));
    assert_eq!(a.classes[0].spofs, [0, 1, 2]);
    assert_eq!(a.classes[1].spofs, [0, 3]);
}

const GEO: &str = "\
name: geo
duration: 10s
traffic:
  rate: 10
  classes:
    - {name: read, weight: 1}
    - {name: write, weight: 1, op: write}
datacenters:
  east: {latency: {west: {const: 30ms}}}
  west: {}
entry: lb-east
components:
  dns:
    kind: dns
    latency: {const: 1ms}
    geo: {east: lb-east, west: lb-west}
  lb-east: {kind: load_balancer, to: web-east, datacenter: east, reliability: {mtbf: 9h, mttr: 1h}}
  web-east:
    kind: server
    workers: 4
    service: {const: 1ms}
    calls: [db]
    datacenter: east
    reliability: {mtbf: 19h, mttr: 1h}
  lb-west: {kind: load_balancer, to: web-west, datacenter: west, reliability: {mtbf: 4h, mttr: 1h}}
  web-west:
    kind: server
    workers: 4
    service: {const: 1ms}
    calls: [db]
    datacenter: west
    reliability: {mtbf: 3h, mttr: 1h}
  db:
    kind: database
    workers: 4
    replicas: 1
    replication_lag: {const: 1ms}
    read: {const: 1ms}
    write: {const: 1ms}
    datacenter: east
    reliability: {mtbf: 99h, mttr: 1h}
";

#[test]
fn geodns_data_centers_are_tried_in_order_and_a_shared_database_counted_once() {
    let sc = parse(GEO);
    let a = analyse(&sc);
    let (le, we, lw, ww) = (0.9, 0.95, 0.8, 0.75);
    let db = 0.99;
    let db_read = 1.0 - 0.01 * 0.01;
    // DNS sends users east while lb-east is up (then east's web decides), else west while
    // lb-west is up; the database is needed either way.
    let route = le * we + (1.0 - le) * lw * ww;
    assert!(close(a.classes[0].availability.unwrap(), route * db_read));
    assert!(close(a.classes[1].availability.unwrap(), route * db));
    // GeoDNS probes only a data center's entry: with web-east down and lb-east up, every
    // user is still sent east and fails, so web-east is a SPOF; lb-east is not (DNS moves
    // users west), nor anything in west. The database is one for writes only.
    assert_eq!(a.classes[0].spofs, [2]);
    assert_eq!(a.classes[1].spofs, [2, 5]);
    assert!(a.components[0].is_none(), "the model never fails a dns");
}

#[test]
fn nines_and_downtime() {
    // 99.9 %: three nines, 43.8 minutes a month. Rounding in 1 - 0.999: 1e-9.
    assert!((nines(0.999).unwrap() - 3.0).abs() < 1e-9);
    assert!((downtime_min_per_month(0.999) - 43.8).abs() < 1e-9);
    assert_eq!(nines(1.0), None);
}

/// A single server (or a chain of two) with fast random failures and repairs: Poisson
/// arrivals see the time average (PASTA), service is 10 us so a crash catches almost no
/// request in service (about 1e-5 of them), and there are no timeouts or retries, so the
/// share of requests that succeed estimates the time-based availability the analysis gives.
fn random_faults(chain: bool) -> String {
    let calls = if chain { "    calls: [app]\n" } else { "" };
    let app = if chain {
        "  app: {kind: server, workers: 64, service: {const: 10us}}\n"
    } else {
        ""
    };
    let fault_app = if chain {
        "  - {random: app, mtbf: {exp: 2s}, mttr: {exp: 100ms}}\n"
    } else {
        ""
    };
    format!(
        "\
name: random
duration: 2010s
warmup: 10s
traffic: {{rate: 100}}
network: {{hop: {{const: 0s}}}}
entry: web
components:
  web:
    kind: server
    workers: 64
    service: {{const: 10us}}
{calls}{app}faults:
  - {{random: web, mtbf: {{exp: 1s}}, mttr: {{exp: 100ms}}}}
{fault_app}"
    )
}

/// Each seed's simulated availability against the analytic one. The standard deviation of
/// the time share an alternating renewal process (exponential up-times of mean u, down-times
/// of mean d) spends down over T seconds is about sqrt(2 u^2 d^2 / ((u + d)^3 T)): 0.0027
/// for u = 1 s, d = 0.1 s, T = 2000 s; the requests' own sampling adds 0.0006. Each seed
/// is held to 5 of those (0.014), the mean of five seeds to 5 / sqrt(5) (0.0063).
fn check_random(chain: bool, want: f64) {
    let sc = parse(&random_faults(chain));
    let mut sum = 0.0;
    let seeds = [1, 2, 3, 4, 5];
    for seed in seeds {
        let r = run_seed(&sc, seed);
        let block = r.analytic_availability.as_ref().unwrap();
        let f = &block.classes["default"].figures;
        assert!(close(f.analytic.unwrap(), want), "{f:?}");
        let sim = f.simulated.expect("random faults: simulated beside");
        assert!((sim - want).abs() < 0.014, "seed {seed}: {sim} vs {want}");
        sum += sim;
    }
    let mean = sum / seeds.len() as f64;
    assert!((mean - want).abs() < 0.0063, "mean {mean} vs {want}");
}

#[test]
fn a_single_server_under_random_faults_matches_its_analytic_availability() {
    check_random(false, 1.0 / 1.1);
}

#[test]
fn two_servers_in_series_under_random_faults_match_the_product() {
    check_random(true, (1.0 / 1.1) * (2.0 / 2.1));
}

/// A priced single server as a journey stage with a max load of 2,000 req/s.
fn journey_stage(priced: bool) -> scalesim::report::journey::JourneyStage {
    use scalesim::diagram::Diagram;
    use scalesim::report::compare::CompareRun;
    use scalesim::report::journey::{JourneyStage, StageCapacity};
    let instance = if priced { ", instance: m7g.large" } else { "" };
    let sc = parse(&format!(
        "\
name: one
duration: 10s
traffic: {{rate: 10}}
entry: web
components:
  web: {{kind: server, workers: 4, service: {{const: 1ms}}{instance}}}
"
    ));
    let report = run_seed(&sc, 1);
    JourneyStage {
        run: CompareRun::new(std::path::Path::new("01-one.yaml"), report).offered_by(&sc),
        diagram: Diagram::of(&sc),
        failures: vec![],
        capacity: Some(StageCapacity {
            max_rate_rps: 2000.0,
            ..Default::default()
        }),
    }
}

#[test]
fn the_journey_gives_each_stage_its_nines_spofs_and_cost_per_1000_rps() {
    use scalesim::report::journey::{journey_json, journey_md};
    let stage = journey_stage(true);
    let md = journey_md(std::slice::from_ref(&stage), 1);
    // m7g.large at $0.0816/h x 730 h = $59.57/month; at 2,000 req/s, $29.78 per 1,000
    // req/s; printed with three significant digits. One server of 720 h / 1 h: 2.86 nines.
    assert!(
        md.contains("| one | 2,000 | $59.6 | $29.8 |"),
        "capacity row in:\n{md}"
    );
    assert!(md.contains("| 2.86 | web |"), "overview row in:\n{md}");
    assert!(md.contains("single points of failure: web."), "{md}");
    let v: serde_json::Value = serde_json::from_str(&journey_json(&[stage])).unwrap();
    let s = &v["stages"][0];
    let per_k = s["cost"]["per_month_per_1k_rps"].as_f64().unwrap();
    // The same product and quotient as the code: 1e-9 relative.
    assert!((per_k - 0.0816 * 730.0 / 2.0).abs() < 1e-9 * per_k);
    assert_eq!(
        s["analytic_availability"]["single_points_of_failure"][0]["component"],
        "web"
    );
    // Unpriced: no cost columns, no cost sentence, `null` in the JSON.
    let stage = journey_stage(false);
    let md = journey_md(std::slice::from_ref(&stage), 1);
    assert!(!md.contains("$/month"), "{md}");
    assert!(!md.contains("Cost:"), "{md}");
    let v: serde_json::Value = serde_json::from_str(&journey_json(&[stage])).unwrap();
    assert!(v["stages"][0]["cost"].is_null());
}
