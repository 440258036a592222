//! Integration tests, one binary: queueing theory, conservation, determinism, bad input,
//! the command line, and regions and data centers. Shared helpers live here.

mod autoscale;
mod bad_input;
mod cli;
mod compare;
mod conservation;
mod data_tier;
mod failures;
mod figures;
mod geo;
mod queues;
mod sharding;
mod stages;
mod sweep;
mod theory;

use std::path::{Path, PathBuf};

use scalesim::{Override, Report, RunOptions, Scenario};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a scenario file (path relative to the repository root), applying overrides.
pub fn load(rel: &str, sets: &[&str]) -> Scenario {
    let path = root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let ovs: Vec<Override> = sets.iter().map(|s| s.parse().expect("override")).collect();
    Scenario::parse(&text, rel, &ovs).unwrap_or_else(|e| panic!("{e}"))
}

/// Parses scenario text given inline in a test.
pub fn parse(text: &str) -> Scenario {
    Scenario::parse(text, "<test>", &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a scenario with a given seed, wall-clock figures off.
pub fn run_seed(sc: &Scenario, seed: u64) -> Report {
    scalesim::run(
        sc,
        &RunOptions {
            seed: Some(seed),
            no_wall_clock: true,
            ..Default::default()
        },
    )
}

/// Every scenario file shipped under scenarios/, recursively, sorted.
pub fn all_scenarios() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("scenarios dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&root().join("scenarios"), &mut v);
    v.sort();
    v
}
