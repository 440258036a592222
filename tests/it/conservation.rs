//! Every request ends exactly once: offered = completed + failed + in_flight, for every
//! shipped scenario, and per class. Also: the same seed gives the same report.

use crate::{all_scenarios, load, root, run_seed};
use scalesim::report::json::to_json;

#[test]
fn every_shipped_scenario_conserves_requests() {
    let files = all_scenarios();
    assert!(files.len() >= 7, "scenarios found: {files:?}");
    for f in files {
        let rel = f
            .strip_prefix(root())
            .expect("inside the repo")
            .to_string_lossy()
            .into_owned();
        // Stages are shortened so the whole set stays quick; failure scenarios run in full
        // (their faults are scheduled late in the run). Stage 11 offers up to 250,000 req/s:
        // its first seconds are enough.
        let sc = if rel.contains("failures") {
            load(&rel, &[])
        } else if rel.contains("11-monitoring") {
            load(&rel, &["duration=6s", "warmup=1s"])
        } else if rel.contains("million-rps") {
            load(&rel, &["duration=1500ms", "warmup=500ms"])
        } else {
            load(&rel, &["duration=30s", "warmup=5s"])
        };
        let r = run_seed(&sc, 11);
        let q = r.requests;
        assert!(q.offered > 0, "{rel}: no traffic");
        assert_eq!(
            q.offered,
            q.completed + q.failed + q.in_flight,
            "{rel}: {q:?}"
        );
        let failed_by_cause: u64 = r.errors.values().sum();
        assert_eq!(
            failed_by_cause, q.failed,
            "{rel}: errors by cause must add up to failed"
        );
        for (name, c) in &r.classes {
            assert!(c.completed + c.failed <= c.offered, "{rel}: class {name}");
        }
        let class_offered: u64 = r.classes.values().map(|c| c.offered).sum();
        assert_eq!(class_offered, q.offered, "{rel}: classes add up");
        assert_eq!(
            r.latency_ms.count, q.completed,
            "{rel}: one latency sample per completion"
        );
        // The time series counts every request, warm-up included.
        let ts_offered: u64 = r.timeseries.rows.iter().map(|w| w.offered).sum();
        assert!(
            ts_offered >= q.offered,
            "{rel}: time series offered {ts_offered} < {}",
            q.offered
        );
    }
}

#[test]
fn same_seed_same_report_other_seed_other_numbers() {
    let sc = load(
        "scenarios/03-load-balancer.yaml",
        &["duration=20s", "warmup=2s"],
    );
    let a = to_json(&run_seed(&sc, 5));
    let b = to_json(&run_seed(&sc, 5));
    assert_eq!(a, b, "same scenario and seed must give byte-identical JSON");
    let c = to_json(&run_seed(&sc, 6));
    assert_ne!(a, c, "another seed must give other numbers");
}

#[test]
fn timeouts_fail_requests_and_conserve() {
    // Stage 01 is overloaded; with a short timeout some requests time out in the queue.
    let sc = load(
        "scenarios/01-single-server.yaml",
        &["duration=20s", "warmup=2s", "traffic.timeout=130ms"],
    );
    let r = run_seed(&sc, 1);
    let q = r.requests;
    assert!(
        r.errors.get("timeout").copied().unwrap_or(0) > 0,
        "{:?}",
        r.errors
    );
    assert_eq!(q.offered, q.completed + q.failed + q.in_flight);
    assert!(
        r.latency_ms.max.unwrap() <= 130.0 + 1e-6,
        "no completion after the deadline: {:?}",
        r.latency_ms
    );
}

#[test]
fn closed_users_are_bounded_by_their_number() {
    // 50 closed users with 100 ms think time against eight workers: by the interactive
    // response-time law, throughput = 50 / (0.1 s + W).
    let sc = load(
        "scenarios/validation/mmc-c8-rho0.9.yaml",
        &[
            "duration=30s",
            "warmup=5s",
            "traffic={users: 50, arrival: closed, think: {exp: 100ms}}",
        ],
    );
    let r = run_seed(&sc, 2);
    let w = r.latency_ms.mean.unwrap() / 1e3;
    let bound = 50.0 / (0.1 + w);
    assert!(
        (r.throughput_rps - bound).abs() / bound < 0.05,
        "throughput {} vs interactive law {bound}",
        r.throughput_rps
    );
}

/// A call chain as deep as a scenario may go (the client and eleven servers: twelve frames,
/// `MAX_DEPTH`, where every shipped scenario stops at five) runs like a short one: with
/// constant times and no queueing every request takes exactly its 11 services and 22 hops,
/// and a crash in the middle of the chain fails requests back up through the deep frames and
/// conserves.
#[test]
fn the_deepest_call_chain_keeps_its_frames_in_order() {
    let mut text = String::from(
        "name: deep\nseed: 3\nduration: 20s\nwarmup: 2s\ntraffic: {rate: 200}\n\
         network: {hop: {const: 1ms}}\nentry: s1\ncomponents:\n",
    );
    for i in 1..=11 {
        let calls = if i < 11 {
            format!(", calls: [s{}]", i + 1)
        } else {
            String::new()
        };
        text += &format!("  s{i}: {{kind: server, workers: 64, service: {{const: 1ms}}{calls}}}\n");
    }
    let sc = crate::parse(&text);
    let r = run_seed(&sc, 3);
    let q = r.requests;
    assert!(q.completed > 3_000, "{q:?}");
    assert_eq!(q.failed, 0, "{:?}", r.errors);
    let l = &r.latency_ms;
    assert_eq!((l.mean, l.max), (Some(33.0), Some(33.0)), "{l:?}");

    let crashed = crate::parse(&(text + "faults:\n  - {at: 8s, for: 2s, crash: s9}\n"));
    let r = run_seed(&crashed, 3);
    let q = r.requests;
    assert!(
        r.errors.get("crashed").copied().unwrap_or(0) > 0,
        "{:?}",
        r.errors
    );
    assert!(
        r.errors.get("connection_refused").copied().unwrap_or(0) > 100,
        "{:?}",
        r.errors
    );
    assert_eq!(q.offered, q.completed + q.failed + q.in_flight, "{q:?}");
    assert_eq!(
        r.latency_ms.max,
        Some(33.0),
        "completed requests took the whole chain"
    );
}
