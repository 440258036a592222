//! What `--resume` keeps of an existing sweep CSV: the complete rows of this grid, in this
//! partition, with the values and seed this grid gives them, whose figures are possible.

use std::collections::BTreeMap;

use super::csv::{SweepRow, csv_line, parse_record, parse_row};
use super::execute::SweepPlan;
use super::partition::share_line;
use super::{MAX_CSV_BYTES, SweepError, io_err, run_seed};
use crate::input::{ReadError, read_text};
use crate::metrics::headline::HEADLINE_FIELDS;

/// Why a row's figures cannot be a run's: a figure that is NaN or infinite, a negative one, a
/// count that is not a whole number, a share outside 0..=1. `None` for a possible row.
fn impossible(line: &str, row: &SweepRow) -> Option<String> {
    for (name, v) in HEADLINE_FIELDS.iter().zip(&row.figures) {
        let Some(v) = *v else { continue };
        let why = if !v.is_finite() {
            "not a finite number"
        } else if v < 0.0 {
            "negative"
        } else if matches!(*name, "offered" | "completed" | "failed") && v.fract() != 0.0 {
            "not a whole number"
        } else if matches!(*name, "availability" | "error_rate") && v > 1.0 {
            "a share above 1"
        } else {
            continue;
        };
        return Some(format!("{name} is {v}, {why}"));
    }
    let last = parse_record(line)?.pop()?;
    if !last.is_empty() {
        match last.parse::<f64>() {
            Ok(u) if u.is_finite() && u >= 0.0 => {}
            _ => {
                return Some(format!(
                    "bottleneck_utilization is {last}, not a utilization"
                ));
            }
        }
    }
    None
}

/// What `--resume` keeps of an existing CSV: the rows by run index, the number of torn or
/// foreign lines dropped, and a warning per row dropped for an impossible figure.
pub(super) type Resumed = (BTreeMap<u64, String>, u64, Vec<String>);

/// The rows of an existing CSV worth keeping on `--resume`: complete rows of this grid
/// (same header, index in range and in this partition, same values and seed as this grid
/// would give) whose figures are possible. Returns them, the number of lines dropped as
/// torn or foreign, and a warning for each row dropped for an impossible figure.
fn resumable(text: &str, plan: &SweepPlan<'_>, header: &str) -> Result<Resumed, SweepError> {
    let mut lines = text.split_inclusive('\n').peekable();
    let mut line_no = 1;
    // A partition CSV starts with the sweep's size; files written before it did are kept.
    if let Some(first) = lines.next_if(|l| l.starts_with('#')) {
        let want = plan.share().map(share_line);
        if want.as_deref() != Some(first) {
            return Err(SweepError::Input(format!(
                "{}: --resume: the file's first line (`{}`) does not match this sweep ({}); use another --csv or remove the file",
                plan.csv.display(),
                first.trim_end(),
                want.map_or("not partitioned".to_string(), |w| format!(
                    "`{}`",
                    w.trim_end()
                ))
            )));
        }
        line_no += 1;
    }
    match lines.next() {
        None => return Ok((BTreeMap::new(), 0, Vec::new())),
        Some(h) if h == header => {}
        Some(_) => {
            return Err(SweepError::Input(format!(
                "{}: --resume: the file's header does not match this sweep's columns; use another --csv or remove the file",
                plan.csv.display()
            )));
        }
    }
    let grid = plan.grid;
    let mut kept = BTreeMap::new();
    let mut dropped = 0;
    let mut warnings = Vec::new();
    for line in lines {
        line_no += 1;
        let row = parse_row(line, grid.params.len()).filter(|&(i, _)| {
            line.ends_with('\n')
                && i < grid.runs()
                && plan.partition.is_none_or(|p| p.contains(i))
                && line.starts_with(&expected_prefix(plan, i))
        });
        match row {
            Some((i, row)) => match impossible(line, &row) {
                None => {
                    kept.insert(i, line.to_string());
                }
                Some(why) => warnings.push(format!(
                    "{}:{line_no}: run {i}: {why}; the row is dropped and the run done again",
                    plan.csv.display()
                )),
            },
            None => dropped += 1,
        }
    }
    Ok((kept, dropped, warnings))
}

/// The start of run `i`'s row (index, values, seed, replication), which resume checks.
fn expected_prefix(plan: &SweepPlan<'_>, i: u64) -> String {
    let grid = plan.grid;
    let point = i / grid.replications;
    let mut f = vec![i.to_string()];
    f.extend(grid.values(point).iter().map(|v| v.to_string()));
    f.push(run_seed(plan.base_seed, i).to_string());
    f.push((i % grid.replications).to_string());
    let mut l = csv_line(&f);
    l.pop();
    l.push(',');
    l
}

/// The rows to keep of `plan.csv`: with `--resume`, what [`resumable`] keeps of the file (none
/// when it does not exist yet); without, none.
pub(super) fn kept_rows(plan: &SweepPlan<'_>, header: &str) -> Result<Resumed, SweepError> {
    if !plan.resume {
        return Ok((BTreeMap::new(), 0, Vec::new()));
    }
    Ok(match read_text(plan.csv, MAX_CSV_BYTES, "sweep CSV") {
        Ok(text) => resumable(&text, plan, header)?,
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            (BTreeMap::new(), 0, Vec::new())
        }
        Err(ReadError::Io(e)) => return Err(io_err(plan.csv, "read the file")(e)),
        Err(e) => {
            return Err(SweepError::Input(format!(
                "{e}; --resume cannot keep its rows: use another --csv or remove the file"
            )));
        }
    })
}
