//! Running a sweep: the plan, checking every grid point before anything runs, the runs in
//! parallel (rayon), and the CSV they fill: started whole (with the rows `--resume` keeps),
//! appended to as each run finishes, then rewritten whole, sorted by run index.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;

use super::csv::{SweepTable, csv_header, csv_line, csv_row, read_table};
use super::grid::Grid;
use super::partition::{Partition, Share, share_line};
use super::resume::kept_rows;
use super::{SweepError, io_err, run_seed};
use crate::metrics::headline::Headline;
use crate::output::write_atomic;
use crate::{Override, RunOptions, Scenario};

/// Everything a sweep needs to run.
pub struct SweepPlan<'a> {
    /// The scenario text and the name used in its messages.
    pub text: &'a str,
    /// The name used in the scenario's messages (its file).
    pub source: &'a str,
    /// `--set` overrides, applied before the grid's own.
    pub sets: &'a [Override],
    /// The runs.
    pub grid: &'a Grid,
    /// The base seed (`--seed`, or the scenario's).
    pub base_seed: u64,
    /// `None`: every run.
    pub partition: Option<Partition>,
    /// Where the rows go.
    pub csv: &'a Path,
    /// Keep the rows already in `csv` and run only the missing ones.
    pub resume: bool,
}

impl SweepPlan<'_> {
    /// What a partition's CSV records about the whole sweep; `None` without a partition.
    pub(super) fn share(&self) -> Option<Share> {
        self.partition.map(|partition| Share {
            runs: self.grid.runs(),
            partition,
        })
    }
}

/// What a finished sweep left.
pub struct SweepOutcome {
    /// The final CSV, as written.
    pub table: SweepTable,
    /// Runs done by this invocation.
    pub ran: u64,
    /// Rows kept from an earlier invocation (`--resume`).
    pub kept: u64,
    /// Torn or foreign lines dropped on resume.
    pub dropped: u64,
    /// Rows dropped on resume for an impossible figure (NaN, a negative count, ...), and run
    /// again: one message per row, naming the file, the line and the run.
    pub rejected: Vec<String>,
}

/// Parses the scenario for every grid point (in parallel); the first invalid point, by
/// index, is the error. Returns the base seed: the scenario's own `seed`.
pub fn validate_grid(
    text: &str,
    source: &str,
    sets: &[Override],
    grid: &Grid,
) -> Result<u64, SweepError> {
    let bad = (0..grid.points())
        .into_par_iter()
        .map(|p| (p, parse_point(text, source, sets, grid, p).err()))
        .find_first(|(_, e)| e.is_some());
    if let Some((_, Some(e))) = bad {
        return Err(e);
    }
    Ok(parse_point(text, source, sets, grid, 0)?.seed)
}

fn parse_point(
    text: &str,
    source: &str,
    sets: &[Override],
    grid: &Grid,
    point: u64,
) -> Result<Scenario, SweepError> {
    let mut all = sets.to_vec();
    let grid_sets = grid.overrides(point);
    all.extend(grid_sets.iter().cloned());
    Scenario::parse(text, source, &all).map_err(|error| SweepError::Scenario {
        values: grid_sets
            .iter()
            .map(|o| format!("--vary {o}"))
            .collect::<Vec<_>>()
            .join(" "),
        error,
    })
}

/// Runs the sweep: the runs of this partition that are not already in the CSV (with
/// `resume`), in parallel, appending each row to the CSV as soon as its run finishes; then
/// rewrites the CSV sorted by run index. `progress` is called once per finished run with
/// the number done and the number this invocation runs.
pub fn execute(
    plan: &SweepPlan<'_>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<SweepOutcome, SweepError> {
    let grid = plan.grid;
    let names: Vec<String> = grid.params.iter().map(|p| p.path.clone()).collect();
    let header = csv_line(&csv_header(&names));
    // What starts the file: the sweep's size for a partition, then the header.
    let head = plan.share().map(share_line).unwrap_or_default() + &header;
    let (kept, dropped, warnings) = kept_rows(plan, &header)?;
    // Start the file afresh with what is kept, whole, then append.
    let mut start = head.clone();
    for l in kept.values() {
        start.push_str(l);
    }
    write_atomic(plan.csv, start.as_bytes())?;
    let file = OpenOptions::new()
        .append(true)
        .open(plan.csv)
        .map_err(io_err(plan.csv, "open the file for appending"))?;
    let todo: Vec<u64> = (0..grid.runs())
        .filter(|&i| plan.partition.is_none_or(|p| p.contains(i)) && !kept.contains_key(&i))
        .collect();
    let total = todo.len() as u64;
    let kept_n = kept.len() as u64;
    // One writer at a time: the file, every row so far by run index, runs done.
    let sink: Mutex<(File, BTreeMap<u64, String>, u64)> = Mutex::new((file, kept, 0));

    todo.par_iter()
        .try_for_each(|&i| -> Result<(), SweepError> {
            let point = i / grid.replications;
            let replication = i % grid.replications;
            let sc = parse_point(plan.text, plan.source, plan.sets, grid, point)?;
            let seed = run_seed(plan.base_seed, i);
            let report = crate::run(
                &sc,
                &RunOptions {
                    seed: Some(seed),
                    no_wall_clock: true,
                    trace_sample: 0.0,
                },
            )
            .map_err(|error| SweepError::Run {
                file: plan.source.to_string(),
                index: i,
                values: grid
                    .overrides(point)
                    .iter()
                    .map(|o| format!("--vary {o}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                error,
            })?;
            let line = csv_row(
                i,
                &grid.values(point),
                seed,
                replication,
                &Headline::of(&report),
            );
            let mut s = sink.lock().expect("sink");
            s.0.write_all(line.as_bytes())
                .and_then(|()| s.0.flush())
                .map_err(io_err(plan.csv, "append to the file"))?;
            s.1.insert(i, line);
            s.2 += 1;
            progress(s.2, total);
            Ok(())
        })?;

    let (file, rows, _) = sink.into_inner().expect("sink");
    drop(file);
    let mut text = head;
    for l in rows.values() {
        text.push_str(l);
    }
    write_atomic(plan.csv, text.as_bytes())?;
    let table = read_table(&text, &plan.csv.display().to_string())?;
    Ok(SweepOutcome {
        table,
        ran: total,
        kept: kept_n,
        dropped,
        rejected: warnings,
    })
}
