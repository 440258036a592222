//! The sweep CSV's format: its header, a run's row, and reading a CSV back strictly into a
//! [`SweepTable`]; [`point_means`], the per-point means the chart and the printed summary show.
//! Writing the file (append, resume, sorted rewrite) is [`super::execute`](mod@super::execute)'s.

use std::collections::BTreeMap;

use super::partition::{SHARE_PREFIX, Share, parse_share_line};
use super::{MAX_RUNS, SweepError};
use crate::metrics::headline::{HEADLINE_FIELDS, Headline, mean_ci95};

/// The header of a sweep CSV over `params`.
pub fn csv_header(params: &[String]) -> Vec<String> {
    let mut h = vec!["run".to_string()];
    h.extend(params.iter().cloned());
    h.push("seed".into());
    h.push("replication".into());
    h.extend(HEADLINE_FIELDS.iter().map(|s| s.to_string()));
    h.push("bottleneck".into());
    h.push("bottleneck_utilization".into());
    h
}

/// One CSV record as a line ending in `\n` (quoted where needed).
pub fn csv_line(fields: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing strings into memory cannot fail.
    w.write_record(fields).expect("in-memory CSV");
    String::from_utf8(w.into_inner().expect("in-memory CSV")).expect("UTF-8 fields")
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The CSV row of one finished run.
pub fn csv_row(index: u64, values: &[&str], seed: u64, replication: u64, h: &Headline) -> String {
    let mut f = vec![index.to_string()];
    f.extend(values.iter().map(|v| v.to_string()));
    f.push(seed.to_string());
    f.push(replication.to_string());
    for name in HEADLINE_FIELDS {
        f.push(opt(h.get(name).flatten()));
    }
    f.push(h.bottleneck.clone().unwrap_or_default());
    f.push(opt(h.bottleneck_utilization));
    csv_line(&f)
}

/// A sweep CSV read back: its parameters and its rows by run index.
#[derive(Clone, Debug)]
pub struct SweepTable {
    /// The varied parameters, in column order.
    pub params: Vec<String>,
    /// The size of the whole sweep and the share this file holds, from a partition CSV's
    /// first line ([`share_line`](super::share_line)); `None` for a whole sweep's CSV and for files written
    /// before partition CSVs recorded it.
    pub share: Option<Share>,
    /// The rows by run index.
    pub rows: BTreeMap<u64, SweepRow>,
}

/// One row of a sweep CSV.
#[derive(Clone, Debug)]
pub struct SweepRow {
    /// The row as written, with its line end.
    pub line: String,
    /// The value of each parameter.
    pub values: Vec<String>,
    /// The replication (0-based) at that point.
    pub replication: u64,
    /// The figures of [`HEADLINE_FIELDS`], in that order (`None`: empty cell).
    pub figures: Vec<Option<f64>>,
}

impl SweepTable {
    /// The CSV text: header, then the rows sorted by run index.
    pub fn to_csv(&self) -> String {
        let mut s = csv_line(&csv_header(&self.params));
        for r in self.rows.values() {
            s.push_str(&r.line);
        }
        s
    }

    /// The column of figure `metric` (one of [`HEADLINE_FIELDS`]).
    pub fn figure_index(metric: &str) -> Option<usize> {
        HEADLINE_FIELDS.iter().position(|f| *f == metric)
    }
}

pub(super) fn parse_record(line: &str) -> Option<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let rec = r.records().next()?.ok()?;
    Some(rec.iter().map(str::to_string).collect())
}

/// Reads the parameters from a sweep CSV header; `None` if it is not one.
fn params_of_header(fields: &[String]) -> Option<Vec<String>> {
    // run, the parameters, seed, replication, the figures, bottleneck, its utilization.
    let fixed = HEADLINE_FIELDS.len() + 5;
    let params = fields.len().checked_sub(fixed)?;
    let names = &fields[1..1 + params];
    (fields.first()? == "run" && csv_header(names) == fields).then(|| names.to_vec())
}

/// Parses one row; `None` if it does not fit the header.
pub(super) fn parse_row(line: &str, params: usize) -> Option<(u64, SweepRow)> {
    let f = parse_record(line)?;
    if f.len() != params + HEADLINE_FIELDS.len() + 5 {
        return None;
    }
    let index: u64 = f[0].parse().ok()?;
    let _seed: u64 = f[params + 1].parse().ok()?;
    let replication: u64 = f[params + 2].parse().ok()?;
    let mut figures = Vec::with_capacity(HEADLINE_FIELDS.len());
    for cell in &f[params + 3..params + 3 + HEADLINE_FIELDS.len()] {
        figures.push(if cell.is_empty() {
            None
        } else {
            Some(cell.parse::<f64>().ok()?)
        });
    }
    Some((
        index,
        SweepRow {
            line: line.to_string(),
            values: f[1..=params].to_vec(),
            replication,
            figures,
        },
    ))
}

/// Reads a sweep CSV strictly: an optional [`share_line`](super::share_line), the header, then whole rows; a run
/// index may appear once. `source` names the file in messages.
pub fn read_table(text: &str, source: &str) -> Result<SweepTable, SweepError> {
    let mut lines = text.split_inclusive('\n');
    let empty = || SweepError::Input(format!("{source}: empty file, expected a sweep CSV"));
    let mut header = lines.next().ok_or_else(empty)?;
    let mut line_no = 1;
    let share = if header.starts_with('#') {
        let share = parse_share_line(header).ok_or_else(|| {
            SweepError::Input(format!(
                "{source}:1: not a sweep's size (expected `{SHARE_PREFIX}N runs, partition K/N`)"
            ))
        })?;
        if share.runs > MAX_RUNS {
            return Err(SweepError::Input(format!(
                "{source}:1: records a sweep of {} runs, more than a sweep may run ({MAX_RUNS})",
                share.runs
            )));
        }
        header = lines.next().ok_or_else(empty)?;
        line_no = 2;
        Some(share)
    } else {
        None
    };
    let params = parse_record(header)
        .and_then(|h| params_of_header(&h))
        .ok_or_else(|| {
            SweepError::Input(format!(
                "{source}:{line_no}: not a sweep CSV header (expected run, the varied parameters, seed, replication, {} ..., bottleneck, bottleneck_utilization)",
                HEADLINE_FIELDS[0]
            ))
        })?;
    let mut rows = BTreeMap::new();
    for (i, line) in lines.enumerate() {
        let i = i + line_no - 1;
        let (index, row) = match parse_row(line, params.len()) {
            Some(r) if line.ends_with('\n') => r,
            _ => {
                return Err(SweepError::Input(format!(
                    "{source}:{}: not a complete sweep row",
                    i + 2
                )));
            }
        };
        if index >= MAX_RUNS {
            return Err(SweepError::Input(format!(
                "{source}:{}: run {index} cannot be in a sweep (a sweep has at most {MAX_RUNS} runs, numbered from 0)",
                i + 2
            )));
        }
        if rows.insert(index, row).is_some() {
            return Err(SweepError::Input(format!(
                "{source}:{}: run {index} appears twice",
                i + 2
            )));
        }
    }
    Ok(SweepTable {
        params,
        share,
        rows,
    })
}

/// The mean and 95% confidence half-width of `metric` at every grid point of `table`, in
/// the order of the points' first run index: `(values, mean, half_width)`. Points where the
/// figure is undefined in every replication are left out.
pub fn point_means(table: &SweepTable, metric: usize) -> Vec<(Vec<String>, f64, Option<f64>)> {
    let mut order: Vec<Vec<String>> = Vec::new();
    let mut samples: BTreeMap<Vec<String>, Vec<f64>> = BTreeMap::new();
    for row in table.rows.values() {
        let e = samples.entry(row.values.clone()).or_insert_with(|| {
            order.push(row.values.clone());
            Vec::new()
        });
        if let Some(v) = row.figures[metric] {
            e.push(v);
        }
    }
    order
        .into_iter()
        .filter_map(|values| {
            let ci = mean_ci95(&samples[&values])?;
            Some((values, ci.mean, ci.half_width))
        })
        .collect()
}
