//! Autoscaling: a server group follows a traffic ramp out and back in, with the
//! provisioning lag, the cooldown between actions, no failures from draining, conservation
//! and determinism. The scenario is scenarios/validation/autoscale-ramp.yaml.

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
