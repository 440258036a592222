//! Shared by the fuzz targets: run a scenario that validated, briefly, and check that every
//! request is accounted for.
//!
//! A scenario that validates must also run: a panic here is a disagreement between
//! validation and the model. The run is cut to [`SHORT`] of simulated time (with no warm-up)
//! through the same `--set` overrides a user would write, so one input costs milliseconds.
//! Scenarios whose configured state is large (users or keys above [`MAX_STATE`]) are checked
//! for validation only: their memory is sized by the scenario on purpose (see "Memory" in
//! docs/architecture.md) and would only measure the fuzzer's RSS limit.

use scalesim::{Override, RunOptions, Scenario};

/// The simulated time each accepted input runs for.
pub const SHORT: &str = "50ms";
/// The largest `traffic.users` or key space run.
pub const MAX_STATE: u64 = 1_000_000;

/// Parses `text` with `ovs` plus a short duration and no warm-up; when that validates, runs
/// it and asserts `offered = completed + failed + in_flight`, for the run and per class.
pub fn run_short(text: &str, source: &str, ovs: &[Override]) {
    let mut all = ovs.to_vec();
    all.push(Override {
        path: "duration".into(),
        value: SHORT.into(),
    });
    all.push(Override {
        path: "warmup".into(),
        value: "0s".into(),
    });
    let Ok(sc) = Scenario::parse(text, source, &all) else {
        return;
    };
    if sc.traffic.users > MAX_STATE || sc.key_space() > MAX_STATE {
        return;
    }
    // A run may stop at a run-time bound on its memory: an error, not a finding.
    let Ok(r) = scalesim::run(
        &sc,
        &RunOptions {
            no_wall_clock: true,
            ..Default::default()
        },
    ) else {
        return;
    };
    let q = r.requests;
    assert_eq!(q.offered, q.completed + q.failed + q.in_flight, "{q:?}");
    assert_eq!(r.errors.values().sum::<u64>(), q.failed, "errors by cause");
    let mut offered = 0;
    for (name, c) in &r.classes {
        assert!(c.completed + c.failed <= c.offered, "class {name}: {c:?}");
        offered += c.offered;
    }
    assert_eq!(offered, q.offered, "classes add up");
}
