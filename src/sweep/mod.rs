//! Parameter sweeps: value lists and ranges, the run grid, seeds by run index, partitions,
//! the tidy sweep CSV (writing, reading back, resuming, merging) and service-level
//! objectives for `capacity`.
//!
//! A sweep is a grid: the cartesian product of the values of every `--vary`, times the
//! replications. Runs are numbered `0..runs` in a fixed order (the first `--vary` changes
//! slowest, the replication fastest), and everything about a run — its overrides, its seed,
//! its CSV row — is a function of that number alone. That is what makes a sweep's result
//! independent of the number of threads, of the order in which runs finish, of partitioning
//! across machines and of being stopped and resumed: see [`run_seed`] and [`Partition`].
//!
//! This module owns the sweep's files (the CSV is appended to row by row while runs finish,
//! then rewritten whole, sorted); the command-line layer (`scalesim sweep`, `merge`,
//! `capacity`) only parses arguments and prints.
//!
//! The submodules, one concern each: [`values`] (the values of a `--vary`), [`grid`] (run
//! indices, points and their overrides), [`partition`] (shares of a sweep and the line that
//! records them), [`csv`] (the CSV's rows, reading it back, the means per point),
//! [`execute`](mod@execute) (checking and running the grid, writing the CSV), [`resume`] (the rows
//! `--resume` keeps), [`merge`](mod@merge) (joining partition CSVs) and [`slo`] (service-level
//! objectives), and [`chart`] (the sweep chart, drawn from a [`SweepTable`]). Everything
//! public is re-exported here, so `scalesim::sweep::Grid` and the like are the paths to use.
//! Only the chart draws, with the chart helpers of [`crate::report::charts`]; the rest of the
//! sweep imports nothing of `report` (files are written through [`crate::output`]).

pub mod chart;
pub mod csv;
pub mod execute;
pub mod grid;
pub mod merge;
pub mod partition;
pub mod resume;
pub mod slo;
pub mod values;

use std::path::{Path, PathBuf};

use crate::ScenarioError;
use crate::engine::random::mix64;
use crate::output::ReportError;

pub use self::chart::{SWEEP_SIZE, sweep_chart};
pub use self::csv::{SweepRow, SweepTable, csv_header, csv_line, csv_row, point_means, read_table};
pub use self::execute::{SweepOutcome, SweepPlan, execute, validate_grid};
pub use self::grid::Grid;
pub use self::merge::{Merged, Merger, merge, missing_text};
pub use self::partition::{Partition, Share, share_line};
pub use self::slo::{Op, Slo};
pub use self::values::{Vary, first_descent, parse_values};

/// The largest grid (points x replications) a sweep accepts. `merge` holds its inputs to the
/// same limit: `--runs`, the size a partition CSV records and the size inferred from the rows.
pub const MAX_RUNS: u64 = 100_000;

/// The largest sweep CSV, bytes, that `--resume` and `merge` read (and the largest CSV a
/// merge writes): a row of the largest sweep ([`MAX_RUNS`] runs) may take 2.5 KiB, where a
/// row usually takes 100 to 300 bytes. Reading stops at this size plus one.
pub const MAX_CSV_BYTES: usize = 256 * 1024 * 1024;

/// The seed of run `index` of a sweep (or replication `index` of `run --replications`) whose
/// base seed is `base`. Run 0 uses the base seed itself, so the first replication is exactly
/// the run `scalesim run` makes; the others are spread by a SplitMix64 finaliser. The seed
/// depends on nothing else: not the thread, not the partition, not the order of completion.
pub fn run_seed(base: u64, index: u64) -> u64 {
    if index == 0 {
        base
    } else {
        mix64(base ^ mix64(index.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
    }
}

/// What went wrong with a sweep, a merge or a capacity search.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Bad arguments or a CSV that does not fit (exit 1).
    #[error("{0}")]
    Input(String),
    /// The scenario with a grid point's overrides is invalid (exit 1).
    #[error("with {values}:\n{error}")]
    Scenario {
        /// The point's values, as `--vary path=value` words.
        values: String,
        /// What is wrong with the scenario.
        error: ScenarioError,
    },
    /// A run of the grid stopped at a run-time bound on its memory (exit 1).
    #[error("{file}: run {index} (with {values}): {error}")]
    Run {
        /// The scenario file.
        file: String,
        /// The run's index in the grid.
        index: u64,
        /// The point's values, as `--vary path=value` words.
        values: String,
        /// The bound it reached.
        error: crate::RunError,
    },
    /// A file could not be read or written (exit 2).
    #[error("{path}: could not {action}: {source}", path = .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done (`read the file`, ...).
        action: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
    /// Writing a whole file or a chart failed (exit 2).
    #[error(transparent)]
    Report(#[from] ReportError),
}

fn io_err(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> SweepError {
    let path = path.to_path_buf();
    move |source| SweepError::Io {
        path,
        action,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_depend_on_index_only() {
        assert_eq!(run_seed(7, 0), 7);
        assert_ne!(run_seed(7, 1), run_seed(7, 2));
        assert_ne!(run_seed(7, 1), run_seed(8, 1));
        assert_eq!(run_seed(7, 5), run_seed(7, 5));
    }
}
