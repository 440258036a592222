//! The max-load search against queueing theory, and the journey's capacity ladder: each
//! stage sustains at least what the previous one did, and grows where the step adds
//! capacity.
//!
//! Theory: in an M/M/c queue (FCFS, Poisson arrivals at rate λ, c servers of exponential
//! service at rate μ) the response time T = W + S has
//! P(T > t) = e^{-μt} + C·μ/(δ − μ)·(e^{-μt} − e^{-δt}) with δ = cμ − λ and C the Erlang C
//! probability of waiting. For c = 1 this is e^{-(μ − λ)t}, so the largest λ with p99 < t is
//! μ − ln(100)/t in closed form; for c > 1 it is the root of P(T > t) = 0.01 in λ, found here
//! by bisection on the formula.

use rayon::prelude::*;

use scalesim::capacity::{LoadProbe, MaxLoad, MaxLoadOptions};

use crate::{load, parse};

/// [`scalesim::capacity::max_load`]; every probe here stays inside the run-time bounds.
fn max_load(
    sc: &scalesim::Scenario,
    o: &MaxLoadOptions,
    on_probe: impl FnMut(&LoadProbe),
) -> MaxLoad {
    scalesim::capacity::max_load(sc, o, on_probe).unwrap_or_else(|e| panic!("{e}"))
}

fn options(slos: &[&str], replications: u64, tolerance: f64) -> MaxLoadOptions {
    MaxLoadOptions {
        slos: slos.iter().map(|s| s.parse().unwrap()).collect(),
        replications,
        seed: None,
        tolerance,
        max_probes: 40,
    }
}

fn mmc(c: u32, rate: f64, duration_s: u32) -> scalesim::Scenario {
    parse(&format!(
        "name: mmc\nseed: 3\nduration: {duration_s}s\nwarmup: 20s\ntraffic: {{rate: {rate}}}\n\
         network: {{hop: {{const: 0s}}}}\nentry: s\n\
         components:\n  s: {{kind: server, workers: {c}, service: {{exp: 1ms}}}}\n"
    ))
}

/// Erlang C: the probability that an arrival waits, c servers, offered load a = λ/μ < c.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / c as f64 * (c as f64 / (c as f64 - a));
    last / (sum + last)
}

/// P(T > t) in M/M/c, rates per second, t in seconds.
fn response_tail(c: u32, lambda: f64, mu: f64, t: f64) -> f64 {
    let delta = c as f64 * mu - lambda;
    let cw = erlang_c(c, lambda / mu);
    (-mu * t).exp() + cw * mu / (delta - mu) * ((-mu * t).exp() - (-delta * t).exp())
}

/// The largest λ with P(T > t) <= 0.01, by bisection on the formula.
fn theory_max_rate(c: u32, mu: f64, t: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, c as f64 * mu * (1.0 - 1e-9));
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if response_tail(c, mid, mu, t) <= 0.01 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[test]
fn the_formula_matches_the_closed_form_for_one_server() {
    // c = 1: λ* = μ − ln(100)/t.
    let want = 1000.0 - 100f64.ln() / 0.010;
    let got = theory_max_rate(1, 1000.0, 0.010);
    assert!((got - want).abs() < 0.01, "{got} vs {want}");
}

fn close(m: &MaxLoad, want: f64, rel: f64) {
    let err = (m.max_rate_rps - want).abs() / want;
    assert!(
        err <= rel,
        "{}: max load {:.1}/s, theory {want:.1}/s, off by {:.2}% (tolerance {:.0}%); probes {:?}",
        m.scenario,
        m.max_rate_rps,
        err * 100.0,
        rel * 100.0,
        m.probes
            .iter()
            .map(|p| (p.rate_rps, p.figures[0], p.pass))
            .collect::<Vec<_>>()
    );
}

// Tolerance: the search stops within 1% and each probe pools 6 replications of 600 s (about
// 300,000 customers each); the p99 estimate then scatters by about 1%, which moves the answer
// by (cμ − λ)·1% — under 1% of λ here. 3% is three times that.
#[test]
fn max_load_of_mm1_is_mu_minus_ln100_over_t() {
    let m = max_load(
        &mmc(1, 400.0, 620),
        &options(&["p99<10ms"], 6, 0.01),
        |_| {},
    );
    close(&m, 1000.0 - 100f64.ln() / 0.010, 0.03);
    // The limit is the one server, saturating on its queue.
    let l = m.limit.expect("a failing probe names a limit");
    assert_eq!(l.component, "s");
    assert_eq!(l.failed, vec!["p99<10ms".to_string()]);
}

#[test]
fn max_load_of_mmc_matches_erlang_c() {
    let want = theory_max_rate(4, 1000.0, 0.005);
    assert!(want > 2000.0 && want < 4000.0, "{want}");
    let m = max_load(
        &mmc(4, 1000.0, 320),
        &options(&["p99<5ms"], 6, 0.01),
        |_| {},
    );
    close(&m, want, 0.03);
}

#[test]
fn the_search_brackets_downwards_when_the_scenario_fails_as_written() {
    // 1,500/s on one 1 ms server is overloaded; the answer lies below the scenario's load.
    let m = max_load(
        &mmc(1, 1500.0, 120),
        &options(&["p99<10ms"], 1, 0.02),
        |_| {},
    );
    assert!(!m.probes[0].pass);
    assert!(m.scale < 1.0 && m.scale > 0.0, "{}", m.scale);
    let fail = m.fail_rate_rps.expect("a failing probe");
    assert!((fail - m.max_rate_rps) / m.max_rate_rps <= 0.02 + 1e-9);
    // Every probe at or below the answer passed, every one at or above the failing load failed.
    for p in &m.probes {
        if p.rate_rps <= m.max_rate_rps {
            assert!(p.pass, "{p:?}");
        }
        if p.rate_rps >= fail {
            assert!(!p.pass, "{p:?}");
        }
    }
}

#[test]
fn closed_users_are_scaled_and_measured_by_their_offered_rate() {
    let sc = parse(
        "name: closed\nseed: 2\nduration: 120s\nwarmup: 10s\n\
         traffic: {arrival: closed, users: 20, think: {exp: 50ms}}\n\
         network: {hop: {const: 0s}}\nentry: s\n\
         components:\n  s: {kind: server, workers: 1, service: {exp: 1ms}}\n",
    );
    let m = max_load(&sc, &options(&["p99<20ms"], 1, 0.05), |_| {});
    assert_eq!(m.load, "offered_rate");
    // Twenty users thinking 50 ms offer about 20 / 51 ms ≈ 390/s; the server takes < 1000/s.
    assert!(
        m.base_rate_rps > 300.0 && m.base_rate_rps < 420.0,
        "{}",
        m.base_rate_rps
    );
    assert!(
        m.max_rate_rps > m.base_rate_rps && m.max_rate_rps < 1000.0,
        "{m:?}"
    );
}

/// The stages' max sustainable loads under the journey's objectives, in stage order.
fn ladder() -> Vec<(String, MaxLoad)> {
    // 01-08 offer a constant rate: 60 s runs are enough to find where they saturate. 09 and
    // 10 carry a burst at 60-75 s: they run whole.
    let stages: Vec<(&str, &[&str])> = vec![
        ("01-single-server", &["duration=60s"]),
        ("02-app-db-separation", &["duration=60s"]),
        ("03-load-balancer", &["duration=60s"]),
        ("04-database-replication", &["duration=60s"]),
        ("05-cache", &["duration=60s"]),
        ("06-cdn", &["duration=60s"]),
        ("07-stateless-web-tier", &["duration=60s"]),
        ("08-multi-datacenter", &["duration=60s"]),
        ("09-message-queue", &[]),
        ("10-sharding", &[]),
    ];
    let mut o = MaxLoadOptions::journey();
    o.tolerance = 0.03;
    stages
        .into_par_iter()
        .map(|(name, sets)| {
            let sc = load(&format!("scenarios/{name}.yaml"), sets);
            (name.to_string(), max_load(&sc, &o, |_| {}))
        })
        .collect()
}

#[test]
fn each_stage_sustains_at_least_what_the_previous_one_did() {
    let l = ladder();
    let rate = |k: usize| l[k].1.max_rate_rps;
    let table: Vec<String> = l
        .iter()
        .map(|(n, m)| {
            format!(
                "{n}: {:.0} req/s, limit {:?}",
                m.max_rate_rps,
                m.limit.as_ref().map(|x| (&x.component, &x.why))
            )
        })
        .collect();
    let table = table.join("\n");
    // The growth each step must bring (DESIGN.md, the journey): 02 and 03 at least 1.5x,
    // 04 and 05 at least 1.3x, every later stage at least its predecessor.
    let growth = [1.5, 1.5, 1.3, 1.3, 1.0, 1.0, 1.0, 1.0, 1.0];
    for (k, g) in growth.iter().enumerate() {
        assert!(
            rate(k + 1) >= g * rate(k),
            "stage {} sustains {:.0} req/s, less than {g} x stage {} ({:.0}):\n{table}",
            k + 2,
            rate(k + 1),
            k + 1,
            rate(k),
        );
    }
    // What limits each stage is what the next one removes.
    let limit = |k: usize| {
        let x = l[k].1.limit.as_ref().expect("a limit");
        (x.component.clone(), x.why.clone())
    };
    assert_eq!(limit(0).0, "app", "{table}"); // 01: the one box
    assert_eq!(limit(1).0, "web", "{table}"); // 02: the one web server (03 adds servers)
    assert_eq!(limit(2).0, "db", "{table}"); // 03: the database (04 adds replicas)
    assert!(limit(3).0 == "db" || limit(3).0 == "web", "{table}"); // 04: replicas' reads (05 caches)
    for k in 4..7 {
        assert_eq!(limit(k).0, "web", "{table}"); // 05-07: the web tier
    }
}

#[test]
fn the_queue_absorbs_a_burst_that_stage_08_fails() {
    // Stage 09's shape of traffic (a threefold burst for 15 s) peaking at 30,000 req/s, above
    // the 26,500 or so that stage 08 sustains as a constant rate: 09 answers within the
    // objectives, 08 turns requests away.
    let o = MaxLoadOptions::journey();
    let peak = 30_000.0;
    let profile = format!(
        "traffic.profile=[{{at: 0s, rate: {}}}, {{at: 60s, rate: {peak}}}, {{at: 75s, rate: {}}}]",
        peak / 3.0,
        peak / 3.0
    );
    let pass = |file: &str| {
        let sc = load(file, &["traffic.rate=null", profile.as_str()]);
        let r = crate::run_seed(&sc, sc.seed);
        let h = scalesim::metrics::Headline::of(&r);
        let ok = o.slos.iter().all(|s| s.met_by(h.get(s.metric).flatten()));
        (ok, h.availability, h.p99_ms)
    };
    let (ok08, a08, p08) = pass("scenarios/08-multi-datacenter.yaml");
    let (ok09, a09, p09) = pass("scenarios/09-message-queue.yaml");
    assert!(
        !ok08,
        "08 under a burst to {peak}: availability {a08}, p99 {p08:?}"
    );
    assert!(
        ok09,
        "09 under a burst to {peak}: availability {a09}, p99 {p09:?}"
    );
}

#[test]
fn sharding_raises_write_capacity_beyond_the_single_primary() {
    // Writes only, committed synchronously (not through the queue): how many writes per second
    // the data tier commits within the objectives. In 09 one primary takes them all; in 10
    // four shard primaries share them.
    let writes = [
        "traffic.classes[0].weight=0",
        "traffic.classes[2].weight=0",
        "traffic.classes[1].weight=1",
        "traffic.profile=[{at: 0s, rate: 500}]",
        "web-us.calls.write=[cache-us]",
        "web-eu.calls.write=[cache-eu]",
        "duration=60s",
    ];
    let mut o = MaxLoadOptions::journey();
    o.tolerance = 0.03;
    let m09 = max_load(
        &load("scenarios/09-message-queue.yaml", &writes),
        &o,
        |_| {},
    );
    let m10 = max_load(&load("scenarios/10-sharding.yaml", &writes), &o, |_| {});
    let l09 = m09.limit.as_ref().expect("a limit");
    assert_eq!(l09.component, "db", "{l09:?}");
    assert!(l09.why.starts_with("db (primary)"), "{l09:?}");
    assert!(
        m10.max_rate_rps >= 1.5 * m09.max_rate_rps,
        "writes/s: 09 {:.0}, 10 {:.0}",
        m09.max_rate_rps,
        m10.max_rate_rps
    );
}

#[test]
fn autoscaling_serves_a_ramp_a_fixed_fleet_of_the_same_cost_cannot() {
    let sc = load("scenarios/11-monitoring-and-autoscaling.yaml", &[]);
    let auto = crate::run_seed(&sc, sc.seed);
    // The autoscaled fleet fails about 0.5% of the requests, all while the ramp outruns it;
    // a fixed fleet of the same cost (each group's time-average instance count, rounded up,
    // from the start) fails about 2%, all at the peak.
    let avg = |group: &str| -> u32 {
        let ts = &auto.timeseries;
        let k = ts
            .components
            .iter()
            .position(|c| c == group)
            .expect("group in the time series");
        let n = ts.rows.len() as f64;
        (ts.rows
            .iter()
            .map(|w| w.instances[k].unwrap_or(0) as f64)
            .sum::<f64>()
            / n)
            .ceil() as u32
    };
    let (us, eu) = (avg("web-us"), avg("web-eu"));
    let fixed = load(
        "scenarios/11-monitoring-and-autoscaling.yaml",
        &[
            &format!("web-us.count={us}"),
            &format!("web-eu.count={eu}"),
            "web-us.autoscale=null",
            "web-eu.autoscale=null",
        ],
    );
    let fixed = crate::run_seed(&fixed, fixed.seed);
    let (a, f) = (auto.availability, fixed.availability);
    assert!(
        a >= 0.99 && f < a - 0.01,
        "autoscaled availability {a}, fixed fleet of {us} + {eu} instances {f}"
    );
}

/// A search handed the run of the scenario as written (what the journey does with each
/// stage's run) gives the same answer, probe for probe, as one that runs it itself: with
/// one replication, where the handed run is the whole first probe, and with three, where
/// it is the first of them. Here the first probe passes; the search then brackets and
/// bisects from it.
#[test]
fn a_search_from_the_run_as_written_is_the_same_search() {
    let sc = mmc(2, 1200.0, 60);
    for replications in [1, 3] {
        let mut o = options(&["p99<20ms"], replications, 0.05);
        o.seed = Some(11);
        let fresh = max_load(&sc, &o, |_| {});
        let run = scalesim::run(
            &sc,
            &scalesim::RunOptions {
                seed: Some(11),
                no_wall_clock: true,
                trace_sample: 0.0,
            },
        )
        .unwrap();
        let mut seen = 0;
        let given = scalesim::capacity::max_load_after(&sc, &o, run, |_| seen += 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(fresh.probes.len() >= 4, "{}", fresh.probes.len());
        assert!(fresh.probes[0].pass && fresh.scale > 1.0);
        assert_eq!(seen, fresh.probes.len());
        assert_eq!(
            serde_json::to_string(&given).unwrap(),
            serde_json::to_string(&fresh).unwrap(),
            "{replications} replications"
        );
    }
    // The handed run is used, not run again: one from another seed shows in the first probe.
    let o = options(&["p99<20ms"], 1, 0.05);
    let other = scalesim::run(
        &sc,
        &scalesim::RunOptions {
            seed: Some(12),
            no_wall_clock: true,
            trace_sample: 0.0,
        },
    )
    .unwrap();
    let p99 = other.latency_ms.p99;
    let given = scalesim::capacity::max_load_after(&sc, &o, other, |_| {}).unwrap();
    assert_eq!(given.probes[0].figures[0], p99);
    assert_ne!(p99, fresh_p99(&sc, &o));
}

/// The first probe's p99 of a search that runs everything itself.
fn fresh_p99(sc: &scalesim::Scenario, o: &MaxLoadOptions) -> Option<f64> {
    max_load(sc, o, |_| {}).probes[0].figures[0]
}
