//! What some figures mean exactly: the scaling actions in the outputs, the active-instance
//! extremes of an autoscaled group, a redelivered job against a full queue, the span of a
//! queue publish in a trace, and the utilization of a database that gains shards.

use crate::{extra, load, parse, run_seed};
use scalesim::report::csv::scaling_csv;
use scalesim::report::json::to_json;
use scalesim::report::{SCALING_FILE, write_run_outputs};
use scalesim::{Report, RunOptions};

/// Two instances at 50% utilization against a 0.1 target for 1.5 s, then no traffic: the
/// scaler asks for the maximum of 8 at 1 s, the six new instances become active at 3 s
/// (PROVISION after the decision), and the tick at 3 s, with nothing left to serve, drains
/// back to 2 at the same instant.
const SPIKE: &str = "name: spike
duration: 5s
warmup: 0s
traffic:
  profile:
    - {at: 0s, rate: 400}
    - {at: 1500ms, rate: 0}
network: {hop: {const: 100us}}
entry: lb
components:
  lb: {kind: load_balancer, policy: round_robin, to: web}
  web:
    kind: server
    count: 2
    workers: 4
    service: {const: 10ms}
    autoscale: {min: 2, max: 8, target: {utilization: 0.1}, interval: 1s, cooldown: 2s, provision: {const: PROVISION}}
";

fn spike(provision: &str) -> Report {
    run_seed(&parse(&SPIKE.replace("PROVISION", provision)), 1)
}

#[test]
fn scaling_actions_are_written_to_scaling_csv_and_the_json_summary() {
    let r = spike("2s");
    let list = r
        .scaling
        .as_ref()
        .expect("an autoscaled group has a scaling list");
    let actions: Vec<_> = list
        .iter()
        .map(|a| {
            (
                a.t_s,
                a.group.as_str(),
                a.action,
                a.active,
                a.desired,
                a.changed,
            )
        })
        .collect();
    assert_eq!(
        actions,
        [(1.0, "web", "out", 2, 8, 6), (3.0, "web", "in", 8, 2, 6)]
    );
    assert_eq!(
        scaling_csv(&r),
        "t_s,group,action,active,desired,changed\n1,web,out,2,8,6\n3,web,in,8,2,6\n"
    );
    let json: serde_json::Value = serde_json::from_str(&to_json(&r)).unwrap();
    assert_eq!(
        json["scaling"],
        serde_json::json!([
            {"t_s": 1.0, "group": "web", "action": "out", "active": 2, "desired": 8, "changed": 6},
            {"t_s": 3.0, "group": "web", "action": "in", "active": 8, "desired": 2, "changed": 6}
        ])
    );

    let dir = tempfile::tempdir().unwrap();
    let paths = write_run_outputs(&r, dir.path()).unwrap();
    let last = paths.last().unwrap();
    assert_eq!(last.file_name().unwrap(), SCALING_FILE);
    assert_eq!(std::fs::read_to_string(last).unwrap(), scaling_csv(&r));

    // Without an autoscaled group: no list in the JSON and no scaling.csv.
    let fixed = run_seed(
        &parse(&SPIKE.replace("PROVISION", "2s").replace(
            "    autoscale: {min: 2, max: 8, target: {utilization: 0.1}, interval: 1s, cooldown: 2s, provision: {const: 2s}}\n",
            "",
        )),
        1,
    );
    assert!(fixed.scaling.is_none());
    let json: serde_json::Value = serde_json::from_str(&to_json(&fixed)).unwrap();
    assert!(json.get("scaling").is_none());
    let dir = tempfile::tempdir().unwrap();
    let paths = write_run_outputs(&fixed, dir.path()).unwrap();
    assert!(paths.iter().all(|p| p.file_name().unwrap() != SCALING_FILE));
    assert!(!dir.path().join(SCALING_FILE).exists());
}

#[test]
fn run_writes_scaling_csv_beside_the_other_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spike.yaml");
    std::fs::write(&file, SPIKE.replace("PROVISION", "2s")).unwrap();
    let out = assert_cmd::cargo::cargo_bin_cmd!("scalesim")
        .current_dir(dir.path())
        .args(["run", "spike.yaml", "--out", "o", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("o").join(SCALING_FILE)).unwrap();
    assert_eq!(
        csv,
        "t_s,group,action,active,desired,changed\n1,web,out,2,8,6\n3,web,in,8,2,6\n"
    );
    let json = std::fs::read_to_string(dir.path().join("o").join("summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["scaling"].as_array().map(Vec::len), Some(2));
}

/// The active instances of component `comp` at the end of each time-series window.
fn active_per_window(r: &Report, comp: usize) -> Vec<u32> {
    r.timeseries
        .rows
        .iter()
        .filter_map(|row| row.instances[comp])
        .collect()
}

#[test]
fn instances_max_counts_only_what_was_active_for_some_time() {
    // Active for no time at all: eight instances at the instant 3 s, between the new ones
    // joining and the scale-in. The group never ran with more than 2, and the time series
    // (active instances just before each window's end) never shows more either.
    let web = 1;
    let r = spike("2s");
    let seen = active_per_window(&r, web);
    assert_eq!(seen, [2, 2, 2, 2, 2]);
    assert_eq!(extra(&r, "web", "instances_max"), 2.0);
    assert_eq!(extra(&r, "web", "instances_min"), 2.0);
    assert_eq!(extra(&r, "web", "instances_end"), 2.0);
    assert_eq!(extra(&r, "web", "instances_mean"), 2.0);

    // Booting in 1.5 s instead: eight are active from 2.5 s to 3 s.
    let r = spike("1500ms");
    assert_eq!(extra(&r, "web", "instances_max"), 8.0);
    assert_eq!(extra(&r, "web", "instances_min"), 2.0);
    assert!((extra(&r, "web", "instances_mean") - (2.0 * 4.5 + 8.0 * 0.5) / 5.0).abs() < 1e-9);
    // The window [2 s, 3 s) ends with eight active (since 2.5 s); the scale-in at 3 s
    // shows from the next window on.
    let seen = active_per_window(&r, web);
    assert_eq!(seen, [2, 2, 8, 2, 2]);
}

/// A front end publishing every request to a queue of capacity 50, two consumer
/// instances of 10 workers (30 ms a job, so together they keep up with 500 jobs/s and one
/// alone does not).
const QUEUED: &str = "name: queue
duration: 60s
warmup: 0s
traffic:
  rate: 500
network: {hop: {const: 250us}}
entry: web
components:
  web: {kind: server, workers: 50, service: {exp: 2ms}, calls: [jobs]}
  jobs: {kind: queue, latency: {const: 1ms}, consumers: workers, visibility_timeout: 5s, capacity: 50}
  workers: {kind: worker, count: 2, workers: 10, service: {exp: 30ms}}
faults:
  - {at: 20s, for: 30s, crash: \"workers#0\"}
  - {at: 30s, for: 10s, crash: \"workers#1\"}
";

#[test]
fn a_redelivered_job_is_taken_back_into_a_full_queue() {
    // With workers#0 down the backlog fills to the capacity and publishes are refused.
    // Then workers#1 crashes holding 10 jobs: they come back into the full queue, which
    // takes them all (they were stored already) and so holds more than its capacity.
    let r = run_seed(&parse(QUEUED), 1);
    let backlog_max = extra(&r, "jobs", "backlog_max");
    assert!(
        backlog_max > 50.0 && backlog_max <= 60.0,
        "capacity 50 plus at most the 10 jobs out at workers#1: {backlog_max}"
    );
    assert!(extra(&r, "jobs", "dropped") > 0.0, "publishes are refused");
    assert!(extra(&r, "jobs", "redelivered") >= 10.0);
    // No stored message is lost: with no warm-up every published one is accounted for.
    let published = extra(&r, "jobs", "published");
    let settled = extra(&r, "jobs", "acked")
        + extra(&r, "jobs", "dead_lettered")
        + extra(&r, "jobs", "backlog_end")
        + extra(&r, "jobs", "in_delivery_end");
    assert_eq!(published, settled);
    assert_eq!(extra(&r, "jobs", "dead_lettered"), 0.0);
}

#[test]
fn a_queue_publish_is_a_span_of_the_trace() {
    let sc = load(
        "scenarios/09-message-queue.yaml",
        &["duration=2s", "warmup=0s"],
    );
    let r = scalesim::run(
        &sc,
        &RunOptions {
            seed: Some(1),
            no_wall_clock: true,
            trace_sample: 0.2,
        },
    )
    .expect("within the run-time bounds");
    let writes: Vec<_> = r
        .traces
        .iter()
        .filter(|t| t.class == "write" && t.outcome == "ok")
        .collect();
    assert!(!writes.is_empty(), "some traced writes");
    for t in writes {
        let names: Vec<&str> = t.spans.iter().map(|s| s.component.as_str()).collect();
        let (queue, web) = match names.as_slice() {
            [.., "jobs-us", "web-us", "lb-us"] => ("jobs-us", "web-us"),
            [.., "jobs-eu", "web-eu", "lb-eu"] => ("jobs-eu", "web-eu"),
            other => panic!("a write publishes from web to its data center's queue: {other:?}"),
        };
        let q = t.spans.iter().find(|s| s.component == queue).unwrap();
        let w = t.spans.iter().find(|s| s.component == web).unwrap();
        // The publish takes the queue's latency (1 ms), inside the web server's span.
        assert!((q.end_ms - q.arrive_ms - 1.0).abs() < 1e-6, "{q:?}");
        assert_eq!(
            (q.wait_ms, q.service_ms, q.outcome.as_str()),
            (0.0, 0.0, "ok")
        );
        assert!(
            w.arrive_ms < q.arrive_ms && q.end_ms < w.end_ms,
            "{w:?} {q:?}"
        );
    }

    // A refused publish leaves a span too, of no length, with its outcome.
    let full = QUEUED.replace("capacity: 50", "capacity: 1");
    let r = scalesim::run(
        &parse(&full),
        &RunOptions {
            seed: Some(1),
            no_wall_clock: true,
            trace_sample: 1.0,
        },
    )
    .expect("within the run-time bounds");
    let dropped = r
        .traces
        .iter()
        .find(|t| t.outcome == "queue_full")
        .expect("a traced request whose publish was refused");
    let q = &dropped.spans[0];
    assert_eq!(
        (q.component.as_str(), q.outcome.as_str()),
        ("jobs", "queue_full")
    );
    assert_eq!(q.arrive_ms, q.end_ms);
    assert_eq!(dropped.spans[1].component, "web");
}

/// A database as the entry, two shards with one node each, 4 workers a node, 1 ms per
/// read; a third shard joins at 5 s. `hash_mod` spreads keys evenly: each shard takes 1/2
/// of the load before, 1/3 after.
const GROWING: &str = "name: growing
duration: 10s
warmup: 0s
window: 1s
traffic:
  rate: 2000
  classes:
    - {name: read, weight: 1, keys: {n: 100000}}
network: {hop: {const: 100us}}
entry: db
components:
  db: {kind: database, workers: 4, read: {exp: 1ms}, write: {exp: 1ms}, shards: 2, strategy: hash_mod}
faults:
  - {at: 5s, add_shard: db}
";

#[test]
fn a_shard_counts_in_utilization_only_from_when_it_exists() {
    let r = run_seed(&parse(GROWING), 1);
    let u = |s: usize| extra(&r, "db", &format!("shard{s}_utilization"));
    // Busy time / (workers x existing nodes x time): shards 0 and 1 for 10 s, shard 2 for
    // the last 5 s.
    let busy: f64 = u(0) * 10.0 + u(1) * 10.0 + u(2) * 5.0;
    let util = r.components["db"].utilization.unwrap();
    assert!(
        (util - busy / 25.0).abs() < 1e-12,
        "{util} vs {}",
        busy / 25.0
    );
    // 2,000 reads/s x 1 ms over 4 workers x 2.5 nodes on average: 0.2 (0.167 if the idle
    // third shard counted from the start).
    assert!((util - 0.2).abs() < 0.01, "{util}");
    // The new shard takes a third of the load from 5 s: 2000 / 3 x 1 ms / 4 workers.
    assert!(
        (u(2) - 2000.0 / 3.0 * 0.001 / 4.0).abs() < 0.015,
        "{}",
        u(2)
    );

    // The time series: 2,000 x 1 ms / (4 x 2) = 0.25 before, / (4 x 3) = 0.167 after.
    let db = 0;
    let mean = |range: std::ops::Range<usize>| {
        let n = range.len() as f64;
        range
            .map(|i| r.timeseries.rows[i].utilization[db].unwrap())
            .sum::<f64>()
            / n
    };
    assert!((mean(0..5) - 0.25).abs() < 0.015, "{}", mean(0..5));
    assert!(
        (mean(5..10) - 2000.0 * 0.001 / 12.0).abs() < 0.015,
        "{}",
        mean(5..10)
    );
}
