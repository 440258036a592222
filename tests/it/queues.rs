//! Message queues: publishing decouples the front end, backlogs grow and drain, jobs are
//! delivered at least once.

use crate::{extra, parse, run_seed};
use scalesim::Report;

const QUEUED: &str = "name: queue
duration: 120s
warmup: 10s
traffic:
  rate: 500
network: {hop: {const: 250us}}
entry: web
components:
  web: {kind: server, workers: 50, service: {exp: 2ms}, calls: [jobs]}
  jobs: {kind: queue, latency: {const: 1ms}, consumers: workers, visibility_timeout: 5s}
  workers: {kind: worker, count: 2, workers: 10, service: {exp: 30ms}, calls: [db]}
  db: {kind: database, workers: 20, read: {exp: 2ms}, write: {exp: 4ms}}
FAULTS";

/// Every published job is acknowledged, dead-lettered, still waiting, or still out.
fn conserved(r: &Report) {
    let published = extra(r, "jobs", "published");
    let settled = extra(r, "jobs", "acked")
        + extra(r, "jobs", "dead_lettered")
        + extra(r, "jobs", "backlog_end");
    let out = published - settled;
    assert!(
        (0.0..=20.0).contains(&out),
        "published {published}, settled {settled}: {out} out (at most the workers' 20 slots)"
    );
}

#[test]
fn publishing_decouples_the_front_end_from_slow_work() {
    let r = run_seed(&parse(&QUEUED.replace("FAULTS", "")), 1);
    // The web server waits for the queue's 1 ms acknowledgement, not for the 30 ms job.
    assert!(r.latency_ms.p99.unwrap() < 15.0, "{:?}", r.latency_ms);
    assert!(
        r.components["jobs"].latency_ms.mean.unwrap() > 32.0,
        "publish-to-done includes the 30 ms of work and the database call"
    );
    assert!(
        (r.components["workers"].utilization.unwrap() - 0.5 * 0.032 * 500.0 / 10.0).abs() < 0.05
    );
    assert_eq!(extra(&r, "jobs", "redelivered"), 0.0);
    conserved(&r);
}

#[test]
fn a_worker_crash_redelivers_its_jobs_and_loses_none() {
    let r = run_seed(
        &parse(&QUEUED.replace(
            "FAULTS",
            "faults:\n  - {at: 50s, for: 20s, crash: \"workers#0\"}\n",
        )),
        1,
    );
    assert!(
        extra(&r, "jobs", "redelivered") > 0.0,
        "jobs in service on the crashed worker come back"
    );
    assert_eq!(extra(&r, "jobs", "dead_lettered"), 0.0);
    assert!(
        extra(&r, "jobs", "backlog_max") > 1_000.0,
        "half the consumers cannot keep up: the backlog grows"
    );
    assert!(
        extra(&r, "jobs", "backlog_end") < 100.0,
        "and drains once the worker is back"
    );
    assert!(
        r.latency_ms.p99.unwrap() < 15.0,
        "the front end never notices"
    );
    conserved(&r);
}

#[test]
fn the_visibility_timeout_redelivers_slow_jobs_as_duplicates() {
    // One worker instance becomes 300x slower (jobs take ~9 s > 5 s visibility): its jobs
    // are delivered again elsewhere, and when the slow copies finish they are duplicates.
    let r = run_seed(
        &parse(&QUEUED.replace(
            "FAULTS",
            "faults:\n  - {at: 40s, for: 20s, slow: \"workers#0\", factor: 300}\n",
        )),
        1,
    );
    assert!(extra(&r, "jobs", "redelivered") > 0.0);
    assert!(
        extra(&r, "jobs", "duplicates") > 0.0,
        "at-least-once: some jobs ran twice"
    );
    conserved(&r);
}

#[test]
fn a_full_queue_drops_and_failing_jobs_are_dead_lettered() {
    let small = QUEUED
        .replace(
            "visibility_timeout: 5s}",
            "visibility_timeout: 5s, capacity: 50, max_attempts: 2}",
        )
        .replace("FAULTS", "faults:\n  - {at: 30s, for: 30s, crash: db}\n");
    let r = run_seed(&parse(&small), 1);
    assert!(
        extra(&r, "jobs", "dead_lettered") > 0.0,
        "jobs whose database calls fail twice"
    );
    assert!(
        extra(&r, "jobs", "dropped") > 0.0,
        "publishes beyond the capacity fail"
    );
    assert!(r.errors.get("queue_full").copied().unwrap_or(0) > 0);
    conserved(&r);
}
