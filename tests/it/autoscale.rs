//! Autoscaling: a server group follows a traffic ramp out and back in, with the
//! provisioning lag, the cooldown between actions, no failures from draining, conservation
//! and determinism (scenarios/validation/autoscale-ramp.yaml); a worker pool follows its
//! queue's backlog through a burst and loses or repeats no job; the tolerance band stops
//! the flapping around a target; the scale-in window keeps a pool through the burst; the
//! worker-specific keys and the window are checked.

use crate::{load, run_seed};
use scalesim::Report;
use scalesim::report::csv::timeseries_csv;
use scalesim::report::json::to_json;

const RAMP: &str = "scenarios/validation/autoscale-ramp.yaml";

fn extra(r: &Report, key: &str) -> f64 {
    crate::extra(r, "web", key)
}

/// The `web` instance count at the end of each window, with the window's end time.
fn instances(r: &Report) -> Vec<(f64, u32)> {
    let web = r.timeseries.components.iter().position(|c| c == "web");
    let web = web.expect("web in the time series");
    let w = r.timeseries.window_s;
    r.timeseries
        .rows
        .iter()
        .map(|row| {
            (
                row.t_s + w,
                row.instances[web].expect("a server has instances"),
            )
        })
        .collect()
}

#[test]
fn the_group_scales_out_with_the_ramp_after_the_provisioning_lag() {
    let r = run_seed(&load(RAMP, &[]), 7);
    assert_eq!(extra(&r, "instances_min"), 2.0);
    assert!(extra(&r, "instances_max") > 2.0);
    // At 4,000 req/s, 10 ms per request and 8 workers an instance, the HPA rule settles at
    // ceil(4000 * 0.01 / 8 / 0.6) = 9 instances.
    assert_eq!(extra(&r, "instances_max"), 9.0);
    let plateau: Vec<u32> = instances(&r)
        .into_iter()
        .filter(|(t, _)| (130.0..=150.0).contains(t))
        .map(|(_, n)| n)
        .collect();
    assert!(plateau.iter().all(|&n| n == 9), "{plateau:?}");

    // The load crosses the target when the two starting instances reach 60% utilization:
    // rate * 10 ms / (2 x 8 workers) = 0.6 at 960 req/s, on the ramp from 500 (30 s) to
    // 4,000 (90 s).
    let crossing = 30.0 + (960.0 - 500.0) / 3500.0 * 60.0;
    let (interval, provision) = (10.0, 10.0);
    let first = r.timeseries.scaling.first().expect("a scale-out");
    assert!(first.out);
    assert!(
        first.t_s > crossing,
        "no scale-out before the load needs it"
    );
    // The metric is the mean over the interval just ended, which on a linear ramp lags the
    // load by half an interval; the next evaluation is at most one interval later.
    assert!(
        first.t_s <= crossing + 1.5 * interval,
        "decided at {} s, load crossed at {crossing} s",
        first.t_s
    );
    // The new instance takes traffic `provision` after the decision, not before.
    let joined = instances(&r)
        .into_iter()
        .find(|&(_, n)| n > 2)
        .map(|(t, _)| t)
        .expect("an instance joins");
    let ready = first.t_s + provision;
    assert!(
        joined >= ready && joined < ready + r.timeseries.window_s + 1e-9,
        "joined by {joined} s, ready at {ready} s"
    );
}

#[test]
fn two_actions_are_never_closer_than_the_cooldown() {
    for (cooldown, sets) in [
        (20.0, vec![]),
        (45.0, vec!["web.autoscale.cooldown=45s"]),
        (
            0.0,
            vec!["web.autoscale.cooldown=0s", "web.autoscale.interval=2s"],
        ),
    ] {
        let r = run_seed(&load(RAMP, &sets), 3);
        let times: Vec<f64> = r.timeseries.scaling.iter().map(|e| e.t_s).collect();
        assert!(times.len() >= 3, "{sets:?}: {times:?}");
        for pair in times.windows(2) {
            assert!(
                pair[1] - pair[0] >= cooldown - 1e-9,
                "{sets:?}: actions at {pair:?}"
            );
        }
        let outs = r.timeseries.scaling.iter().filter(|e| e.out).count();
        assert!(outs >= 1 && outs < times.len(), "{sets:?}: both directions");
    }
}

#[test]
fn the_group_scales_in_when_the_load_drops_and_draining_fails_nothing() {
    // Through the balancer (with health checks that must not bring drained instances back)
    // and without one (the client's round robin over the active instances).
    for sets in [
        vec!["lb.health_check={interval: 1s, unhealthy: 2, healthy: 1}"],
        vec!["entry=web"],
    ] {
        let r = run_seed(&load(RAMP, &sets), 7);
        assert!(extra(&r, "scale_ins") >= 1.0, "{sets:?}");
        assert_eq!(extra(&r, "instances_end"), 2.0, "{sets:?}: back to min");
        let first_in = r
            .timeseries
            .scaling
            .iter()
            .find(|e| !e.out)
            .expect("a scale-in")
            .t_s;
        // Overload during the ramp rejects requests (queue_full); nothing else fails, and
        // nothing at all fails once the group starts draining.
        assert!(
            r.errors.keys().all(|c| c == "queue_full"),
            "{sets:?}: {:?}",
            r.errors
        );
        let late_failures: u64 = r
            .timeseries
            .rows
            .iter()
            .filter(|w| w.t_s >= first_in)
            .map(|w| w.failed)
            .sum();
        assert_eq!(late_failures, 0, "{sets:?}");
        // The drained instances get no traffic: utilization stays well defined (<= 1).
        let web = 1;
        for row in &r.timeseries.rows {
            if let Some(u) = row.utilization[web] {
                assert!((0.0..=1.0 + 1e-9).contains(&u), "{sets:?}: {u}");
            }
        }
    }
}

#[test]
fn requests_are_conserved_while_scaling() {
    for sets in [vec![], vec!["web.autoscale.target={queue: 4}"]] {
        let r = run_seed(&load(RAMP, &sets), 5);
        let q = r.requests;
        assert_eq!(
            q.offered,
            q.completed + q.failed + q.in_flight,
            "{sets:?}: {q:?}"
        );
        assert!(extra(&r, "scale_outs") >= 1.0, "{sets:?}");
        let mean = extra(&r, "instances_mean");
        assert!(
            mean > extra(&r, "instances_min") && mean < extra(&r, "instances_max"),
            "{sets:?}: mean {mean}"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_scaling() {
    let sc = load(RAMP, &["web.autoscale.provision={exp: 10s}"]);
    let (a, b) = (run_seed(&sc, 9), run_seed(&sc, 9));
    assert_eq!(to_json(&a), to_json(&b));
    assert_eq!(timeseries_csv(&a), timeseries_csv(&b));
    assert_eq!(a.timeseries.scaling, b.timeseries.scaling);
    let header = timeseries_csv(&a).lines().next().unwrap().to_string();
    assert!(
        header.contains(",util_lb,util_web,inst_lb,inst_web,arrivals_lb,"),
        "{header}"
    );
}

#[test]
fn a_fixed_group_reports_its_count_in_the_time_series() {
    let r = run_seed(
        &load(
            "scenarios/03-load-balancer.yaml",
            &["duration=5s", "warmup=1s"],
        ),
        1,
    );
    let names = &r.timeseries.components;
    let row = &r.timeseries.rows[0];
    for (i, n) in names.iter().enumerate() {
        let want = if n == "web" { Some(4) } else { None };
        assert_eq!(row.instances[i], want, "{n}");
    }
    assert!(!r.components["web"].extra.contains_key("scale_outs"));
}

/// A worker pool that autoscales on its queue's backlog: 100 jobs/s, a burst of 600 jobs/s
/// from 10 s to 16 s, then 100 jobs/s again. One instance clears 4 / 20 ms = 200 jobs/s.
const WORKERS: &str = "name: autoscaled workers
duration: 60s
warmup: 0s
traffic:
  profile:
    - {at: 0s, rate: 100}
    - {at: 10s, rate: 600}
    - {at: 16s, rate: 100}
network: {hop: {const: 250us}}
entry: web
components:
  web: {kind: server, workers: 50, service: {exp: 1ms}, calls: [jobs]}
  jobs: {kind: queue, latency: {const: 1ms}, consumers: workers, visibility_timeout: 30s}
  workers:
    kind: worker
    count: 1
    workers: 4
    service: {exp: 20ms}
    autoscale: {min: 1, max: 10, target: {backlog_per_instance: 20}, interval: 2s, cooldown: 4s, provision: {const: 3s}}
";

/// The worker group's active instances at the end of each window.
fn worker_instances(r: &Report) -> Vec<(f64, u32)> {
    let i = r.timeseries.components.iter().position(|c| c == "workers");
    let i = i.expect("workers in the time series");
    let w = r.timeseries.window_s;
    r.timeseries
        .rows
        .iter()
        .map(|row| {
            (
                row.t_s + w,
                row.instances[i].expect("a worker group has instances"),
            )
        })
        .collect()
}

#[test]
fn workers_scale_out_on_the_backlog_and_back_in_once_it_drains() {
    let r = run_seed(&crate::parse(WORKERS), 3);
    let x = |k: &str| crate::extra(&r, "workers", k);
    assert_eq!(x("instances_min"), 1.0);
    assert!(
        x("instances_max") >= 3.0,
        "600 jobs/s need 3 instances at least"
    );
    assert_eq!(
        x("instances_end"),
        1.0,
        "back to min once the backlog is gone"
    );
    assert!(x("scale_outs") >= 1.0 && x("scale_ins") >= 1.0);
    let scaling = &r.timeseries.scaling;
    let workers = r.timeseries.components.iter().position(|c| c == "workers");
    assert!(scaling.iter().all(|e| Some(e.component) == workers));
    // Nothing scales before the burst: at 100 jobs/s the backlog stays near 0.
    let first = scaling.first().expect("a scale-out");
    assert!(first.out && first.t_s > 10.0, "{first:?}");
    // The first evaluation that sees the burst's backlog (it grows by 400 jobs/s) acts.
    assert!(first.t_s <= 14.0, "{first:?}");
    // The new instances take jobs 3 s (`provision`) after the decision, not before.
    let joined = worker_instances(&r)
        .into_iter()
        .find(|&(_, n)| n > 1)
        .map(|(t, _)| t)
        .expect("an instance joins");
    let ready = first.t_s + 3.0;
    assert!(
        joined >= ready && joined < ready + r.timeseries.window_s + 1e-9,
        "joined by {joined} s, ready at {ready} s"
    );
    // Two actions are never closer than the 4 s cooldown.
    for pair in scaling.windows(2) {
        assert!(pair[1].t_s - pair[0].t_s >= 4.0 - 1e-9, "{pair:?}");
    }
    // Scaling in waits for the backlog to drain, after the burst: the evaluation at 16 s
    // still sees the backlog the burst left.
    let last_out = scaling.iter().rev().find(|e| e.out).expect("out").t_s;
    let first_in = scaling.iter().find(|e| !e.out).expect("in").t_s;
    assert!(first_in > last_out && first_in > 16.0, "{scaling:?}");
}

#[test]
fn jobs_are_conserved_across_scaling() {
    for sets in [vec![], vec!["workers.autoscale.provision={exp: 2s}"]] {
        let ovs: Vec<scalesim::Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
        let sc = scalesim::Scenario::parse(WORKERS, "<test>", &ovs).unwrap();
        let r = run_seed(&sc, 11);
        let x = |k: &str| crate::extra(&r, "jobs", k);
        assert!(crate::extra(&r, "workers", "scale_ins") >= 1.0, "{sets:?}");
        // Warm-up is 0 s: every job ever published is counted.
        assert_eq!(
            x("published"),
            x("acked") + x("dead_lettered") + x("backlog_end") + x("in_delivery_end"),
            "{sets:?}"
        );
        // Draining lets a worker finish its jobs: none is redelivered or done twice.
        assert_eq!(x("redelivered"), 0.0, "{sets:?}");
        assert_eq!(x("duplicates"), 0.0, "{sets:?}");
        assert!(r.errors.is_empty(), "{sets:?}: {:?}", r.errors);
        // Utilization stays over the serving instances: never above 1.
        let i = r
            .timeseries
            .components
            .iter()
            .position(|c| c == "workers")
            .unwrap();
        for row in &r.timeseries.rows {
            let u = row.utilization[i].expect("a worker group's utilization");
            assert!((0.0..=1.0 + 1e-9).contains(&u), "{sets:?}: {u}");
        }
    }
}

#[test]
fn the_worker_pool_shows_in_the_outputs() {
    let r = run_seed(&crate::parse(WORKERS), 3);
    let csv = timeseries_csv(&r);
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains(",inst_web,inst_jobs,inst_workers,"),
        "{header}"
    );
    let json = to_json(&r);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let scaling = v["scaling"].as_array().expect("a scaling list");
    assert_eq!(scaling.len(), r.timeseries.scaling.len());
    assert!(
        scaling.iter().all(|a| a["group"] == "workers"),
        "{scaling:?}"
    );
    let extra = &v["components"]["workers"];
    for k in ["instances_min", "instances_max", "instances_end"] {
        assert!(extra[k].is_number(), "{k}: {extra}");
    }
}

/// A steady load that keeps the pool near its utilization target: 2 instances x 4 slots
/// x 20 ms hold 400 jobs/s; 190 jobs/s is a utilization of 0.475 against a target of 0.5.
const STEADY: &str = "name: steady workers
duration: 120s
warmup: 0s
traffic:
  rate: 190
network: {hop: {const: 250us}}
entry: web
components:
  web: {kind: server, workers: 50, service: {exp: 1ms}, calls: [jobs]}
  jobs: {kind: queue, latency: {const: 1ms}, consumers: workers, visibility_timeout: 30s}
  workers:
    kind: worker
    count: 2
    workers: 4
    service: {exp: 20ms}
    autoscale: {min: 1, max: 6, target: {utilization: 0.5}, interval: 2s, cooldown: 0s, TOL}
";

#[test]
fn the_tolerance_band_stops_the_flapping_but_not_a_real_change() {
    let run = |tol: &str, sets: &[&str]| {
        let text = STEADY.replace("TOL", tol);
        let ovs: Vec<scalesim::Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
        run_seed(
            &scalesim::Scenario::parse(&text, "<test>", &ovs).unwrap(),
            5,
        )
    };
    // Without a band, the noise around 0.475 crosses 0.5 now and then: each crossing adds a
    // third instance, which the next evaluation (0.32 on 3) takes away again.
    let flapping = run("tolerance: 0", &[]);
    let actions = flapping.timeseries.scaling.len();
    assert!(actions >= 4, "{actions} actions without a band");
    // With a 20% band, 0.475 +- the noise stays inside: no action at all.
    let calm = run("tolerance: 0.2", &[]);
    assert!(
        calm.timeseries.scaling.is_empty(),
        "{:?}",
        calm.timeseries.scaling
    );
    // A load outside the band still scales: 380 jobs/s is 0.95 on 2 instances.
    let busy = run("tolerance: 0.2", &["traffic.rate=380"]);
    let first = busy.timeseries.scaling.first().expect("a scale-out");
    assert!(first.out && first.desired >= 4, "{first:?}");
}

#[test]
fn worker_autoscale_keys_are_checked() {
    use crate::bad_input::{case_on, validate};
    const RULE: &str = "{min: 1, max: 10, target: {backlog_per_instance: 20}, interval: 2s, cooldown: 4s, provision: {const: 3s}}";
    let (code, stderr) = validate(WORKERS, &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let worker = |rule: &str, expected: &[&str]| case_on(WORKERS, &[(RULE, rule)], expected);
    worker(
        "{max: 4, target: {backlog_per_instance: 0}}",
        &[
            "bad.yaml:19:56: components.workers.autoscale.target.backlog_per_instance: expected a backlog target > 0 (jobs waiting per instance), found 0",
        ],
    );
    worker(
        "{max: 4, target: {queue: 5}}",
        &[
            "bad.yaml:19:41: components.workers.autoscale.target.queue: `queue` does not apply to a worker group (its jobs wait in the queue, not at the workers): use {backlog_per_instance: 20}",
        ],
    );
    worker(
        "{max: 4, target: {utilization: 0.5, backlog_per_instance: 5}}",
        &[
            "bad.yaml:19:33: components.workers.autoscale.target: expected one target, `utilization` or `backlog_per_instance`, found both",
        ],
    );
    worker(
        "{max: 4}",
        &[
            "bad.yaml:19:16: components.workers.autoscale: autoscale needs `target`: {utilization: 0.6} (busy fraction) or {backlog_per_instance: 20} (jobs waiting in its queue per instance)",
        ],
    );
    worker(
        "{max: 4, target: {utilization: 0.5}, tolerance: 1}",
        &[
            "bad.yaml:19:64: components.workers.autoscale.tolerance: expected a tolerance >= 0 and < 1 (a fraction of the target), found 1",
        ],
    );
    worker(
        "{max: 4, target: {utilization: 0.5}, tolerance: -0.1}",
        &[
            "bad.yaml:19:64: components.workers.autoscale.tolerance: expected a tolerance >= 0 and < 1 (a fraction of the target), found -0.1",
        ],
    );
    // A backlog target on a server group.
    case_on(
        WORKERS,
        &[(
            "web: {kind: server, workers: 50,",
            "web: {kind: server, autoscale: {max: 4, target: {backlog_per_instance: 5}}, workers: 50,",
        )],
        &[
            "bad.yaml:12:74: components.web.autoscale.target.backlog_per_instance: `backlog_per_instance` applies to a worker group (the backlog of the queue it consumes); a server group takes {utilization: 0.6} or {queue: 20}",
        ],
    );
    // A worker group that no queue feeds has no backlog to follow.
    case_on(
        WORKERS,
        &[
            ("consumers: workers", "consumers: w2"),
            (
                "  workers:\n",
                "  w2: {kind: worker, workers: 1, service: {exp: 1ms}}\n  workers:\n",
            ),
        ],
        &[
            "bad.yaml:20:65: components.workers.autoscale.target.backlog_per_instance: expected a worker group that a queue feeds (a queue with `consumers: workers`), found none: there is no backlog to follow",
        ],
    );
}

#[test]
fn stage_09_try_line_scales_the_worker_pools_on_their_backlog() {
    // The setting the stage file's `Try:` line gives, and the figures it quotes.
    let rule = "{min: 3, max: 12, target: {backlog_per_instance: 20}, interval: 2s, cooldown: 10s, provision: {const: 5s}, tolerance: 0.1}";
    let us = format!("workers-us.autoscale={rule}");
    let eu = format!("workers-eu.autoscale={rule}");
    let r = run_seed(&load("scenarios/09-message-queue.yaml", &[&us, &eu]), 42);
    let x = |c: &str, k: &str| crate::extra(&r, c, k);
    assert_eq!(x("jobs-us", "backlog_max"), 631.0);
    assert_eq!(x("jobs-eu", "backlog_max"), 609.0);
    assert_eq!(x("workers-us", "instances_max"), 12.0);
    assert_eq!(x("workers-eu", "instances_max"), 10.0);
    assert_eq!(x("workers-us", "instances_end"), 3.0);
    assert_eq!(x("workers-eu", "instances_end"), 3.0);
    assert!((x("workers-us", "instances_mean") - 3.65).abs() < 1e-9);
    assert!((x("workers-eu", "instances_mean") - 3.45).abs() < 1e-9);
    let p99 = |c: &str| r.components[c].latency_ms.p99.unwrap();
    assert!(
        (p99("jobs-us") / 1000.0 - 2.94).abs() < 0.05,
        "{}",
        p99("jobs-us")
    );
    assert!(
        (p99("jobs-eu") / 1000.0 - 3.9).abs() < 0.05,
        "{}",
        p99("jobs-eu")
    );
    // Europe drains to 4 at 74 s, while its burst (60 s to 75 s) still runs.
    let eu_i = r
        .timeseries
        .components
        .iter()
        .position(|c| c == "workers-eu");
    let early_in = r
        .timeseries
        .scaling
        .iter()
        .find(|e| Some(e.component) == eu_i && !e.out)
        .expect("a scale-in");
    assert_eq!(
        (early_in.t_s, early_in.active, early_in.desired),
        (74.0, 10, 4)
    );
    for q in ["jobs-us", "jobs-eu"] {
        assert_eq!(x(q, "duplicates"), 0.0, "{q}");
        assert_eq!(x(q, "redelivered"), 0.0, "{q}");
    }
}

/// Stage 09 with each worker pool scaled on its backlog (the stage file's `Try:` rule) and
/// a scale-in window of `window`.
fn stage_09_scaled(window: &str) -> Report {
    let rule = format!(
        "{{min: 3, max: 12, target: {{backlog_per_instance: 20}}, interval: 2s, cooldown: 10s, provision: {{const: 5s}}, tolerance: 0.1, scale_in_window: {window}}}"
    );
    let us = format!("workers-us.autoscale={rule}");
    let eu = format!("workers-eu.autoscale={rule}");
    run_seed(&load("scenarios/09-message-queue.yaml", &[&us, &eu]), 42)
}

/// The scale-ins of a group: (time, active before, count drained to).
fn scale_ins(r: &Report, group: &str) -> Vec<(f64, u32, u32)> {
    let g = r.timeseries.components.iter().position(|c| c == group);
    r.timeseries
        .scaling
        .iter()
        .filter(|e| Some(e.component) == g && !e.out)
        .map(|e| (e.t_s, e.active, e.desired))
        .collect()
}

#[test]
fn the_scale_in_window_keeps_the_pool_until_the_burst_is_over() {
    // The burst runs from 60 s to 75 s. Without a window, workers-eu drains from 10 to 4 at
    // 74 s: its backlog is gone, so a backlog target asks for the minimum while the burst
    // still runs.
    let plain = stage_09_scaled("0s");
    assert_eq!(
        scale_ins(&plain, "workers-eu"),
        [(74.0, 10, 4), (84.0, 4, 3)]
    );
    assert_eq!(scale_ins(&plain, "workers-us"), [(82.0, 12, 3)]);
    // With a 6 s window (longer than the 2 s between the last high evaluation and the
    // first low one), no scale-in happens before the burst is over: each waits until the
    // window holds only low counts, and drains to the highest of them.
    let held = stage_09_scaled("6s");
    assert_eq!(
        scale_ins(&held, "workers-eu"),
        [(78.0, 10, 4), (88.0, 4, 3)]
    );
    assert_eq!(scale_ins(&held, "workers-us"), [(84.0, 12, 3)]);
    // Scale-out is the same.
    let outs = |r: &Report| {
        r.timeseries
            .scaling
            .iter()
            .filter(|e| e.out)
            .map(|e| (e.t_s, e.component, e.desired))
            .collect::<Vec<_>>()
    };
    assert_eq!(outs(&plain), outs(&held));
    // The figures the stage file's `Try:` line quotes: more instance-time, the same
    // backlogs (the backlog was gone before the early drain) and no job lost or repeated.
    let x = |r: &Report, c: &str, k: &str| crate::extra(r, c, k);
    assert!((x(&plain, "workers-eu", "instances_mean") - 3.45).abs() < 1e-9);
    assert!((x(&held, "workers-eu", "instances_mean") - 3.73).abs() < 1e-9);
    assert!((x(&plain, "workers-us", "instances_mean") - 3.65).abs() < 1e-9);
    assert!((x(&held, "workers-us", "instances_mean") - 3.83).abs() < 1e-9);
    assert_eq!(x(&held, "jobs-eu", "backlog_max"), 609.0);
    assert_eq!(x(&held, "jobs-us", "backlog_max"), 632.0);
    for q in ["jobs-us", "jobs-eu"] {
        assert_eq!(x(&held, q, "duplicates"), 0.0, "{q}");
        assert_eq!(x(&held, q, "redelivered"), 0.0, "{q}");
        assert_eq!(x(&held, q, "published"), x(&plain, q, "published"), "{q}");
    }
}

#[test]
fn the_scale_in_window_is_checked() {
    use crate::bad_input::{case_on, validate};
    const RULE: &str = "{min: 1, max: 10, target: {backlog_per_instance: 20}, interval: 2s, cooldown: 4s, provision: {const: 3s}}";
    let with = |extra: &str| format!("{}, {extra}}}", &RULE[..RULE.len() - 1]);
    // Kubernetes' default, a window that is not a whole number of intervals, and none.
    for ok in [
        "scale_in_window: 300s",
        "scale_in_window: 5s",
        "scale_in_window: 0s",
    ] {
        let text = WORKERS.replace(RULE, &with(ok));
        assert_eq!(validate(&text, &[]), (0, String::new()), "{ok}");
    }
    let window = |extra: &str, expected: &[&str]| {
        case_on(WORKERS, &[(RULE, with(extra).as_str())], expected)
    };
    window(
        "scale_in_window: -5s",
        &[
            "bad.yaml:19:139: components.workers.autoscale.scale_in_window: expected a duration >= 0, found `-5s`",
        ],
    );
    window(
        "scale_in_window: 5",
        &[
            "bad.yaml:19:139: components.workers.autoscale.scale_in_window: expected a duration with a unit, like 250us, 4ms, 2s, 5m or 1h (units: ns, us, ms, s, m, h), found the bare number 5 (add a unit)",
        ],
    );
    // 1000 s of evaluations every 1 ms: a ring of a million slots.
    case_on(
        WORKERS,
        &[(
            RULE,
            "{min: 1, max: 10, target: {backlog_per_instance: 20}, interval: 1ms, scale_in_window: 1000s}",
        )],
        &[
            "bad.yaml:19:102: components.workers.autoscale.scale_in_window: expected a window of at most 100,000 evaluations (scale_in_window / interval), found 1000000 (1000s / 1ms: make the window shorter or the interval longer)",
        ],
    );
}
