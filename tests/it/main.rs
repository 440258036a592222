//! Integration tests, one binary: queueing theory, conservation, determinism, bad input,
//! the command line, and regions and data centers. Shared helpers live here.

mod admission;
mod autoscale;
mod availability;
mod bad_input;
mod capacity;
mod cheapest;
mod cli;
mod compare;
mod conservation;
mod cost;
mod data_tier;
mod defences;
mod diagram;
mod docs;
mod failures;
mod figures;
mod generated;
mod geo;
mod goodput;
#[cfg(unix)]
mod interrupt;
mod lessons;
mod limits;
mod memory;
mod queues;
mod robustness;
mod schema;
mod sharding;
mod stages;
mod sweep;
mod theory;
mod traces;
mod transfer;
mod vertical;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo::cargo_bin_cmd;

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

/// The time-series windows of `r` that start in [from, to) seconds.
pub fn windows(r: &Report, from: f64, to: f64) -> Vec<&scalesim::metrics::WindowRow> {
    r.timeseries
        .rows
        .iter()
        .filter(|w| w.t_s >= from && w.t_s < to)
        .collect()
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
    .unwrap_or_else(|e| panic!("{e}"))
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

/// A temporary directory holding `files`, each `(name, text)`; names may include folders.
pub fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    dir
}

/// Runs the binary in `dir` with `args`.
pub fn scalesim(dir: &Path, args: &[&str]) -> Output {
    scalesim_env(dir, args, &[])
}

/// Runs the binary in `dir` with `args` and the environment variables `env` set.
pub fn scalesim_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = cargo_bin_cmd!("scalesim");
    cmd.current_dir(dir).args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output().expect("run scalesim")
}

/// A component's extra figure `key`; panics, listing the figures it has, when it is missing.
pub fn extra(r: &Report, comp: &str, key: &str) -> f64 {
    *r.components[comp]
        .extra
        .get(key)
        .unwrap_or_else(|| panic!("{comp}.{key} missing: {:?}", r.components[comp].extra))
}

/// Asserts that the run exited with code 0 and returns its stdout.
pub fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts that the run exited with code 1 and returns its stderr.
pub fn fails(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that each of `files` exists in `dir` and holds more than 100 bytes.
pub fn assert_outputs(dir: &Path, files: &[&str]) {
    for f in files {
        let meta = std::fs::metadata(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(meta.len() > 100, "{f} is too small");
    }
}
