//! `scalesim compare`: several scenarios side by side, all run with one seed.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Args;
use rayon::prelude::*;

use scalesim::report::compare::{CompareRun, compare_json, compare_table, write_compare_outputs};
use scalesim::scenario::Override;
use scalesim::{Report, RunOptions, Scenario};

use super::paths::{OutDir, OutFile};
use super::progress::Progress;
use super::run::load;
use super::{CliResult, Failure, out};

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Scenario files (YAML), in the order to show them.
    #[arg(required = true, value_name = "SCENARIO")]
    pub(crate) files: Vec<PathBuf>,
    /// Directory for compare.csv, compare.json and the charts.
    #[arg(long, value_name = "DIR", default_value = "results/compare")]
    pub(crate) out: OutDir,
    /// The seed every scenario runs with. Default: the first scenario's seed.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Override a value in every scenario before validation, e.g. `traffic.rate=3000`.
    /// Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) sets: Vec<Override>,
    /// Print no table and no progress bar (errors still go to stderr).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Also write compare.json's content to PATH (`-`: stdout, instead of the table).
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<OutFile>,
}

/// Loads every file (all problems reported before failing).
pub(super) fn load_all(files: &[PathBuf], sets: &[Override]) -> Result<Vec<Scenario>, Failure> {
    let mut scenarios = Vec::new();
    let mut failed = false;
    for f in files {
        match load(f, sets) {
            Ok(s) => scenarios.push(s),
            Err(Failure::Reported) => failed = true,
            Err(e) => return Err(e),
        }
    }
    if failed {
        Err(Failure::Reported)
    } else {
        Ok(scenarios)
    }
}

/// Runs every scenario with `seed`, in parallel; results in input order, identical on any
/// number of threads (each run is single-threaded and seeded alike).
pub(super) fn run_all(
    jobs: &[(PathBuf, Scenario)],
    seed: u64,
    progress: &Progress,
) -> Result<Vec<CompareRun>, Failure> {
    let runs: Vec<Result<CompareRun, Failure>> = jobs
        .par_iter()
        .map(|(path, sc)| {
            let run = run_one(path, sc, seed)?;
            progress.inc();
            Ok(run)
        })
        .collect();
    // The first failure in input order, whatever the threads did.
    runs.into_iter().collect()
}

/// One scenario of a comparison, run with `seed` (no wall clock, so the figures repeat).
fn run_one(path: &Path, sc: &Scenario, seed: u64) -> Result<CompareRun, Failure> {
    Ok(compare_run(path, sc, run_report(path, sc, seed)?))
}

/// `report`, a run of `sc` from `path`, as one run of a comparison.
pub(super) fn compare_run(path: &Path, sc: &Scenario, report: Report) -> CompareRun {
    CompareRun::new(path, report).offered_by(sc)
}

/// The report of [`run_one`]: `sc` run with `seed`, no wall clock and no traces, which is
/// also what a capacity search's first probe runs (see
/// [`scalesim::capacity::max_load_after`]).
pub(super) fn run_report(path: &Path, sc: &Scenario, seed: u64) -> Result<Report, Failure> {
    let opts = RunOptions {
        seed: Some(seed),
        no_wall_clock: true,
        trace_sample: 0.0,
    };
    scalesim::run(sc, &opts).map_err(|e| super::run_failure(path, &e))
}

pub(crate) fn run(a: &CompareArgs) -> CliResult {
    if a.files.is_empty() {
        return Err(Failure::BadInput(anyhow!(
            "compare needs at least one scenario"
        )));
    }
    let scenarios = load_all(&a.files, &a.sets)?;
    let seed = a.seed.unwrap_or(scenarios[0].seed);
    let jobs: Vec<(PathBuf, Scenario)> = a.files.iter().cloned().zip(scenarios).collect();
    let progress = Progress::new(
        jobs.len() as u64,
        "running",
        a.quiet || a.json == Some(OutFile::Stdout),
    );
    let runs = run_all(&jobs, seed, &progress);
    progress.finish();
    let runs = runs?;
    write_compare_outputs(&runs, seed, &a.out.0)?;
    if let Some(json) = &a.json {
        json.write(&compare_json(&runs, seed))?;
    }
    if !a.quiet && a.json != Some(OutFile::Stdout) {
        out(&compare_table(&runs, seed))?;
        out(&format!("outputs: {}/\n", a.out.0.display()))?;
    }
    Ok(())
}
