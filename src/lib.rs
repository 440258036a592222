//! scalesim: a discrete-event simulator of the journey from one server to millions of users.
//!
//! A YAML scenario describes one architecture stage; [`scenario`] parses and validates it,
//! [`model`] builds the components and replays the traffic on the [`engine`], [`metrics`]
//! measures, and [`report`] writes tables, JSON, CSV and charts. [`sweep`] runs a scenario
//! over a grid of values, in parallel, into a CSV that survives interruption. [`input`] reads
//! files as text in bounded memory; [`output`] writes files whole (temporary, sync, rename).
//!
//! The core (`engine`, `model`, `metrics`, `scenario`) does no file or terminal I/O.

pub mod availability;
#[cfg(feature = "cli")]
pub mod capacity;
#[cfg(feature = "cli")]
pub mod cheapest;
pub mod diagram;
pub mod engine;
#[cfg(feature = "cli")]
pub mod input;
pub mod metrics;
pub mod model;
#[cfg(feature = "cli")]
pub mod output;
pub mod report;
pub mod scenario;
#[cfg(feature = "cli")]
pub mod sweep;
pub mod topology;

use std::time::Instant;

pub use metrics::Report;
pub use model::{RunError, RunLimit};
pub use scenario::{Override, Scenario, ScenarioError};

/// How to run a scenario.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Replace the scenario's seed.
    pub seed: Option<u64>,
    /// Leave wall-clock figures (`engine.wall_s`, `engine.events_per_s`) out of the report, so
    /// that two runs of the same scenario and seed give byte-identical output.
    pub no_wall_clock: bool,
    /// Trace this share of requests (0 = none, 1 = all): `Report::traces`.
    pub trace_sample: f64,
}

/// Builds the model for `scenario` and runs it to the end.
///
/// # Errors
/// A [`RunError`] when the run reaches a run-time bound on its memory: more than
/// [`scenario::MAX_IN_FLIGHT`] requests or [`scenario::MAX_PENDING_EVENTS`] pending events
/// at once (an overloaded system that nothing turns requests away from, or timers kept for
/// long). Runs inside the bounds are not affected by them.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> Result<Report, RunError> {
    run_observed(scenario, opts, |_| {})
}

/// [`run`], telling `progress` the share of simulated time done (0..1) every
/// [`model::PROGRESS_EVERY`] events.
pub fn run_observed(
    scenario: &Scenario,
    opts: &RunOptions,
    progress: impl FnMut(f64),
) -> Result<Report, RunError> {
    let mut sc;
    let scenario = match opts.seed {
        Some(seed) => {
            sc = scenario.clone();
            sc.seed = seed;
            &sc
        }
        None => scenario,
    };
    // WebAssembly in a browser has no clock `Instant` can read: take it only when asked for.
    let started = (!opts.no_wall_clock).then(Instant::now);
    let mut report = model::Model::new(scenario)
        .with_trace_sample(opts.trace_sample)
        .run_observed(progress)?;
    report.analytic_availability = Some(availability::report(scenario, &report));
    if let Some(started) = started {
        let wall = started.elapsed().as_secs_f64();
        report.engine.wall_s = Some(wall);
        report.engine.events_per_s = Some(report.engine.events as f64 / wall.max(1e-9));
    }
    Ok(report)
}
