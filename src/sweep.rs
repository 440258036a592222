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

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::engine::random::mix64;
use crate::input::{ReadError, read_text, size_text};
use crate::metrics::headline::{HEADLINE_FIELDS, Headline, mean_ci95};
use crate::report::{ReportError, write_atomic};
use crate::{Override, RunOptions, Scenario, ScenarioError};

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

/// One `--vary path=values`: the path of a scenario value and the values it takes, as
/// text handed to `--set` (so `8`, `250ms` and `{exp: 4ms}` mean what they would in the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vary {
    pub path: String,
    pub values: Vec<String>,
}

impl FromStr for Vary {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (path, spec) = s.split_once('=').ok_or_else(|| {
            format!("expected path=values (like web.count=1,2,4 or traffic.rate=100..1000:100), found `{s}`")
        })?;
        let path = path.trim();
        if path.is_empty() {
            return Err(format!("expected path=values, found `{s}` (empty path)"));
        }
        let values = parse_values(spec).map_err(|e| format!("{path}: {e}"))?;
        Ok(Vary {
            path: path.to_string(),
            values,
        })
    }
}

/// Parses the values of a `--vary`: a single value, a comma-separated list (commas inside
/// `[...]` or `{...}` do not split), or an inclusive range `from..to:step`, where all three
/// carry the same unit suffix or none (`100ms..500ms:100ms`, `0.1..0.9:0.2`). Without
/// `:step` a range of whole numbers steps by 1. Range values are computed in exact decimal
/// (scaled integers), so `0.1..0.3:0.1` gives `0.1, 0.2, 0.3`, never `0.30000000000000004`.
pub fn parse_values(spec: &str) -> Result<Vec<String>, String> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(
            "expected a value, a list a,b,c or a range from..to:step, found nothing".into(),
        );
    }
    if spec.contains('\n') {
        return Err("values cannot contain a line break".into());
    }
    if !spec.starts_with(['[', '{']) && spec.contains("..") {
        return parse_range(spec);
    }
    let items = split_top_level(spec);
    if let Some(i) = items.iter().position(|v| v.is_empty()) {
        return Err(format!(
            "item {} of the list `{spec}` is empty (expected a,b,c)",
            i + 1
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for v in &items {
        if !seen.insert(v.as_str()) {
            return Err(format!("the value `{v}` appears twice in `{spec}`"));
        }
    }
    Ok(items)
}

/// Splits on commas that are not inside brackets or braces; trims each item.
fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur.trim().to_string());
    out
}

/// A decimal number with an optional unit suffix: `mantissa x 10^-scale` `unit`.
#[derive(Clone, Debug)]
struct Dec {
    mantissa: i128,
    scale: u32,
    unit: String,
}

fn parse_dec(s: &str, what: &str, range: &str) -> Result<Dec, String> {
    let s = s.trim();
    let bad = || {
        format!(
            "the {what} of the range `{range}` is not a number with an optional unit (like 100, 0.5 or 250ms), found `{s}`"
        )
    };
    let num_end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(s.len(), |(i, _)| i);
    let (num, unit) = s.split_at(num_end);
    if !unit.chars().all(|c| c.is_ascii_alphabetic() || c == '%') {
        return Err(bad());
    }
    let (neg, digits) = match num.as_bytes().first() {
        Some(b'-') => (true, &num[1..]),
        Some(b'+') => (false, &num[1..]),
        _ => (false, num),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || digits.ends_with('.')
        || int.len() + frac.len() > 30
    {
        return Err(bad());
    }
    let mut mantissa: i128 = 0;
    for c in int.chars().chain(frac.chars()) {
        mantissa = mantissa * 10 + i128::from(c as u8 - b'0');
    }
    Ok(Dec {
        mantissa: if neg { -mantissa } else { mantissa },
        scale: frac.len() as u32,
        unit: unit.to_string(),
    })
}

/// For values that are all numbers with one unit suffix (or none), like `1, 2, 8` or
/// `100ms, 250ms`: the first pair out of ascending order, as indices `(i, i + 1)`. `None`
/// when they ascend, or when they are not all numbers with one unit (a list of words or of
/// distributions has no order but the one given).
pub fn first_descent(values: &[String]) -> Option<(usize, usize)> {
    let decs: Vec<Dec> = values
        .iter()
        .map(|v| parse_dec(v, "", ""))
        .collect::<Result<_, _>>()
        .ok()?;
    if decs.iter().any(|d| d.unit != decs[0].unit) {
        return None;
    }
    let scale = decs.iter().map(|d| d.scale).max().unwrap_or(0);
    decs.windows(2)
        .position(|w| rescale(&w[1], scale) <= rescale(&w[0], scale))
        .map(|i| (i, i + 1))
}

fn rescale(d: &Dec, scale: u32) -> i128 {
    d.mantissa * 10i128.pow(scale - d.scale)
}

/// Formats `v x 10^-scale` without trailing zeros (`150` at scale 2 is `1.5`).
fn format_scaled(v: i128, scale: u32) -> String {
    if scale == 0 {
        return v.to_string();
    }
    let p = 10i128.pow(scale);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.abs();
    let frac = format!("{:0width$}", a % p, width = scale as usize);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{}", a / p)
    } else {
        format!("{sign}{}.{frac}", a / p)
    }
}

fn parse_range(spec: &str) -> Result<Vec<String>, String> {
    let (bounds, step) = match spec.rsplit_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (spec, None),
    };
    let (from, to) = bounds
        .split_once("..")
        .ok_or_else(|| format!("expected a range from..to:step, found `{spec}`"))?;
    let from = parse_dec(from, "start", spec)?;
    let to = parse_dec(to, "end", spec)?;
    let step = match step {
        Some(s) => parse_dec(s, "step", spec)?,
        None if from.scale == 0 && to.scale == 0 && from.unit.is_empty() => Dec {
            mantissa: 1,
            scale: 0,
            unit: String::new(),
        },
        None => {
            return Err(format!(
                "the range `{spec}` needs a step (from..to:step) because its bounds are not whole numbers without a unit"
            ));
        }
    };
    if from.unit != to.unit || from.unit != step.unit {
        return Err(format!(
            "the range `{spec}` mixes units (`{}`, `{}`, `{}`): write start, end and step in the same unit",
            from.unit, to.unit, step.unit
        ));
    }
    let scale = from.scale.max(to.scale).max(step.scale);
    let (a, b, s) = (
        rescale(&from, scale),
        rescale(&to, scale),
        rescale(&step, scale),
    );
    if s <= 0 {
        return Err(format!(
            "the step of the range `{spec}` must be greater than zero"
        ));
    }
    if b < a {
        return Err(format!(
            "the range `{spec}` is empty: its end is below its start"
        ));
    }
    let count = (b - a) / s + 1;
    if count > i128::from(MAX_RUNS) {
        return Err(format!(
            "the range `{spec}` has {count} values, more than a sweep may run ({MAX_RUNS})"
        ));
    }
    Ok((0..count)
        .map(|i| format!("{}{}", format_scaled(a + i * s, scale), from.unit))
        .collect())
}

/// The runs of a sweep: every combination of the varied values, times the replications.
/// Run `i` is replication `i % replications` of grid point `i / replications`; the first
/// parameter changes slowest.
#[derive(Clone, Debug)]
pub struct Grid {
    pub params: Vec<Vary>,
    pub replications: u64,
}

impl Grid {
    /// Checks the grid: at least one parameter, no path twice, at least one replication,
    /// at most [`MAX_RUNS`] runs.
    pub fn new(params: Vec<Vary>, replications: u64) -> Result<Grid, String> {
        if params.is_empty() {
            return Err("nothing to vary: give at least one --vary path=values".into());
        }
        for (i, p) in params.iter().enumerate() {
            if params[..i].iter().any(|q| q.path == p.path) {
                return Err(format!("--vary {} is given twice", p.path));
            }
        }
        if replications == 0 {
            return Err("--replications: expected a whole number >= 1, found 0".into());
        }
        // Exact in u128 for any replication count; `None` only past 10^38 runs.
        let runs = params.iter().try_fold(u128::from(replications), |runs, p| {
            runs.checked_mul(p.values.len() as u128)
        });
        if runs.is_none_or(|r| r > u128::from(MAX_RUNS)) {
            let sizes: Vec<String> = params.iter().map(|p| p.values.len().to_string()).collect();
            return Err(format!(
                "the grid has {} x {replications} replication(s) = {} runs, more than {MAX_RUNS}: use fewer values or split the study",
                sizes.join(" x "),
                runs.map_or("over 10^38".to_string(), |r| r.to_string())
            ));
        }
        Ok(Grid {
            params,
            replications,
        })
    }

    /// Grid points (combinations of values).
    pub fn points(&self) -> u64 {
        self.params.iter().map(|p| p.values.len() as u64).product()
    }

    /// Runs: points x replications.
    pub fn runs(&self) -> u64 {
        self.points() * self.replications
    }

    /// The value of every parameter at grid point `point`.
    pub fn values(&self, point: u64) -> Vec<&str> {
        let mut rest = point;
        let mut out = vec![""; self.params.len()];
        for (i, p) in self.params.iter().enumerate().rev() {
            let n = p.values.len() as u64;
            out[i] = &p.values[(rest % n) as usize];
            rest /= n;
        }
        out
    }

    /// The overrides that make grid point `point`.
    pub fn overrides(&self, point: u64) -> Vec<Override> {
        self.params
            .iter()
            .zip(self.values(point))
            .map(|(p, v)| Override {
                path: p.path.clone(),
                value: v.to_string(),
            })
            .collect()
    }
}

/// `--partition K/N`: this machine runs the run indices `i` with `i % N == K - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// 1-based share number.
    pub k: u64,
    /// Number of shares.
    pub n: u64,
}

impl FromStr for Partition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (like 2/8), found `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        if n > MAX_RUNS {
            return Err(format!(
                "expected at most {MAX_RUNS} shares (the most runs a sweep may have), found {n} in `{s}`"
            ));
        }
        Ok(Partition { k, n })
    }
}

impl Partition {
    /// Whether run `index` belongs to this share.
    pub fn contains(&self, index: u64) -> bool {
        index % self.n == self.k - 1
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

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

/// What a partition CSV records about its sweep: the number of runs of the whole sweep and
/// the share it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    /// Runs of the whole sweep (every partition).
    pub runs: u64,
    /// The share this file holds.
    pub partition: Partition,
}

const SHARE_PREFIX: &str = "# scalesim sweep of ";

/// The first line of a partition CSV, before the header: `# scalesim sweep of 6 runs,
/// partition 1/3`. CSV readers that skip `#` comments (pandas' `comment="#"`) read past it;
/// [`read_table`] reads it so that `merge` knows the sweep's size.
pub fn share_line(share: Share) -> String {
    format!(
        "{SHARE_PREFIX}{} runs, partition {}\n",
        share.runs, share.partition
    )
}

fn parse_share_line(line: &str) -> Option<Share> {
    let rest = line.trim_end().strip_prefix(SHARE_PREFIX)?;
    let (runs, partition) = rest.split_once(" runs, partition ")?;
    Some(Share {
        runs: runs.parse().ok()?,
        partition: partition.parse().ok()?,
    })
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

/// What went wrong with a sweep, a merge or a capacity search.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Bad arguments or a CSV that does not fit (exit 1).
    #[error("{0}")]
    Input(String),
    /// The scenario with a grid point's overrides is invalid (exit 1).
    #[error("with {values}:\n{error}")]
    Scenario {
        values: String,
        error: ScenarioError,
    },
    /// A run of the grid stopped at a run-time bound on its memory (exit 1).
    #[error("{file}: run {index} (with {values}): {error}")]
    Run {
        file: String,
        index: u64,
        values: String,
        error: crate::RunError,
    },
    /// A file could not be read or written (exit 2).
    #[error("{path}: could not {action}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
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

/// A sweep CSV read back: its parameters and its rows by run index.
#[derive(Clone, Debug)]
pub struct SweepTable {
    /// The varied parameters, in column order.
    pub params: Vec<String>,
    /// The size of the whole sweep and the share this file holds, from a partition CSV's
    /// first line ([`share_line`]); `None` for a whole sweep's CSV and for files written
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

fn parse_record(line: &str) -> Option<Vec<String>> {
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
fn parse_row(line: &str, params: usize) -> Option<(u64, SweepRow)> {
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

/// Reads a sweep CSV strictly: an optional [`share_line`], the header, then whole rows; a run
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

/// Everything a sweep needs to run.
pub struct SweepPlan<'a> {
    /// The scenario text and the name used in its messages.
    pub text: &'a str,
    pub source: &'a str,
    /// `--set` overrides, applied before the grid's own.
    pub sets: &'a [Override],
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
    fn share(&self) -> Option<Share> {
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
type Resumed = (BTreeMap<u64, String>, u64, Vec<String>);

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
    let (kept, dropped, warnings) = if plan.resume {
        match read_text(plan.csv, MAX_CSV_BYTES, "sweep CSV") {
            Ok(text) => resumable(&text, plan, &header)?,
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                (BTreeMap::new(), 0, Vec::new())
            }
            Err(ReadError::Io(e)) => return Err(io_err(plan.csv, "read the file")(e)),
            Err(e) => {
                return Err(SweepError::Input(format!(
                    "{e}; --resume cannot keep its rows: use another --csv or remove the file"
                )));
            }
        }
    } else {
        (BTreeMap::new(), 0, Vec::new())
    };
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

/// `2 of 6 runs are missing (run 2, 5)`: the runs in `missing` (the first 20 of them) out of
/// `expected`.
pub fn missing_text(missing: &[u64], expected: u64) -> String {
    let shown: Vec<String> = missing.iter().take(20).map(u64::to_string).collect();
    format!(
        "{} of {expected} runs are missing (run {}{})",
        missing.len(),
        shown.join(", "),
        if missing.len() > 20 { ", ..." } else { "" }
    )
}

/// What [`merge`] joined.
#[derive(Debug)]
pub struct Merged {
    /// The rows of every input (with no share: the merge is the whole sweep).
    pub table: SweepTable,
    /// The number of runs of the whole sweep.
    pub expected: u64,
    /// The runs in `0..expected` that no input holds.
    pub missing: Vec<u64>,
}

/// Joins partial sweep CSVs (`sources`: name and text) into the CSV one machine would have
/// written: [`Merger::add`] for each source, then [`Merger::finish`] with `runs` and
/// `allow_missing`.
pub fn merge(
    sources: &[(String, String)],
    runs: Option<u64>,
    allow_missing: bool,
) -> Result<Merged, SweepError> {
    let mut merger = Merger::default();
    for (name, text) in sources {
        merger.add(name, text)?;
    }
    merger.finish(runs, allow_missing)
}

/// Joins partial sweep CSVs one at a time, so that a caller reading files holds one file's
/// text at once: [`Merger::add`] each, then [`Merger::finish`]. Headers must match; a run
/// index may appear in one file only; the merged rows must fit in [`MAX_CSV_BYTES`].
#[derive(Debug, Default)]
pub struct Merger {
    /// The inputs' names, in the order added, for messages.
    names: Vec<String>,
    /// The rows so far, with the first input's parameters.
    merged: Option<SweepTable>,
    /// The input each run came from.
    from: BTreeMap<u64, usize>,
    /// The size of the sweep a partition CSV records (runs, shares) and the first input
    /// that recorded it.
    recorded: Option<(u64, u64, usize)>,
    /// The shares the partition CSVs hold.
    shares_seen: std::collections::BTreeSet<u64>,
    /// Whether some input records no size (a whole sweep's CSV, or an older partition CSV).
    unrecorded: bool,
    /// The bytes of the rows so far.
    bytes: usize,
}

impl Merger {
    /// Adds the sweep CSV `text`; `name` names it in messages.
    pub fn add(&mut self, name: &str, text: &str) -> Result<(), SweepError> {
        let k = self.names.len();
        self.names.push(name.to_string());
        let t = read_table(text, name)?;
        match t.share {
            Some(share) => {
                let (runs, n) = (share.runs, share.partition.n);
                match self.recorded {
                    None => self.recorded = Some((runs, n, k)),
                    Some((r, m, first)) if (r, m) != (runs, n) => {
                        return Err(SweepError::Input(format!(
                            "{name}: records a sweep of {runs} runs in {n} shares, but {} records {r} runs in {m} shares: these are not parts of one sweep",
                            self.names[first]
                        )));
                    }
                    Some(_) => {}
                }
                self.shares_seen.insert(share.partition.k);
            }
            None => self.unrecorded = true,
        }
        self.bytes = self
            .bytes
            .saturating_add(t.rows.values().map(|r| r.line.len()).sum());
        if self.bytes > MAX_CSV_BYTES {
            return Err(SweepError::Input(format!(
                "{name}: with it the merged rows are larger than {}, the largest sweep CSV scalesim reads",
                size_text(MAX_CSV_BYTES)
            )));
        }
        match &mut self.merged {
            None => {
                self.from.extend(t.rows.keys().map(|&i| (i, k)));
                self.merged = Some(t);
            }
            Some(m) => {
                if m.params != t.params {
                    return Err(SweepError::Input(format!(
                        "{name}: its columns ({}) differ from those of {} ({}): these are not parts of one sweep",
                        t.params.join(", "),
                        self.names[0],
                        m.params.join(", ")
                    )));
                }
                for (i, row) in t.rows {
                    if let Some(&other) = self.from.get(&i) {
                        return Err(SweepError::Input(format!(
                            "run {i} is in both {} and {name}",
                            self.names[other]
                        )));
                    }
                    self.from.insert(i, k);
                    m.rows.insert(i, row);
                }
            }
        }
        Ok(())
    }

    /// The merge of the inputs added. The expected runs are `0..runs` when given, else the
    /// size the partition CSVs record ([`share_line`]; they must agree), else, for files that
    /// record none, inferred from the rows: the product of the number of distinct values of
    /// each parameter times the replications, or the largest index + 1 if that is larger.
    /// Each is at most [`MAX_RUNS`]. Missing runs are an error unless `allow_missing`; they
    /// are returned.
    pub fn finish(self, runs: Option<u64>, allow_missing: bool) -> Result<Merged, SweepError> {
        let Merger {
            names,
            merged,
            recorded,
            shares_seen,
            unrecorded,
            ..
        } = self;
        if let Some(n) = runs
            && n > MAX_RUNS
        {
            return Err(SweepError::Input(format!(
                "--runs {n}: more runs than a sweep may have ({MAX_RUNS})"
            )));
        }
        let mut table = merged.ok_or_else(|| SweepError::Input("merge: no input files".into()))?;
        table.share = None;
        let last = table.rows.last_key_value().map(|(&i, _)| i);
        let expected = match (runs, recorded) {
            (Some(n), Some((r, _, first))) if n != r => {
                return Err(SweepError::Input(format!(
                    "--runs {n}: {} records a sweep of {r} runs",
                    names[first]
                )));
            }
            (Some(n), _) => n,
            (None, Some((r, _, _))) => r,
            (None, None) => {
                let replications = table
                    .rows
                    .values()
                    .map(|r| r.replication + 1)
                    .max()
                    .unwrap_or(0);
                let mut product = replications;
                let mut sizes = Vec::new();
                for c in 0..table.params.len() {
                    let distinct: std::collections::BTreeSet<&str> =
                        table.rows.values().map(|r| r.values[c].as_str()).collect();
                    product = product.saturating_mul(distinct.len() as u64);
                    sizes.push(distinct.len().to_string());
                }
                if product > MAX_RUNS {
                    return Err(SweepError::Input(format!(
                        "the inputs' rows make a grid of {} value(s) x {replications} replication(s) = {product} runs, more than a sweep may have ({MAX_RUNS}); give the sweep's size with --runs",
                        sizes.join(" x ")
                    )));
                }
                product.max(last.map_or(0, |i| i + 1))
            }
        };
        if let Some(last) = last
            && last >= expected
        {
            return Err(SweepError::Input(match runs {
                Some(n) => format!("--runs {n}: the inputs hold run {last}, which is beyond it"),
                None => format!(
                    "the inputs hold run {last}, beyond the {expected} runs their sweep records"
                ),
            }));
        }
        let missing: Vec<u64> = (0..expected)
            .filter(|i| !table.rows.contains_key(i))
            .collect();
        if !missing.is_empty() && !allow_missing {
            // Name the absent shares when every input says which share it is.
            let absent: Vec<u64> = match recorded {
                Some((_, n, _)) if !unrecorded => {
                    (1..=n).filter(|k| !shares_seen.contains(k)).collect()
                }
                _ => Vec::new(),
            };
            let n = recorded.map_or(0, |(_, n, _)| n);
            let mut shown: Vec<String> =
                absent.iter().take(20).map(|k| format!("{k}/{n}")).collect();
            if absent.len() > 20 {
                shown.push("...".into());
            }
            let hint = match absent.len() {
                0 => "merge the missing part too".to_string(),
                1 => format!("share {} is not among the inputs: merge it too", shown[0]),
                _ => format!(
                    "shares {} are not among the inputs: merge them too",
                    shown.join(", ")
                ),
            };
            return Err(SweepError::Input(format!(
                "{}; {hint}, or pass --allow-missing",
                missing_text(&missing, expected)
            )));
        }
        Ok(Merged {
            table,
            expected,
            missing,
        })
    }
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

/// A comparison in a service-level objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// A service-level objective: `<metric><op><value>[unit]`, like `p99<200ms` or
/// `availability>=99.9%`. `metric` is one of [`HEADLINE_FIELDS`]; `threshold` is in the
/// figure's own unit (ms for latencies, a share for availability and error rate).
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    pub text: String,
    pub metric: &'static str,
    pub op: Op,
    pub threshold: f64,
}

impl FromStr for Slo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let pos = t.find(['<', '>']).ok_or_else(|| {
            format!("expected <metric><op><value>[unit] with op one of < <= > >= (like p99<200ms or availability>=99.9%), found `{s}`")
        })?;
        let (name, rest) = t.split_at(pos);
        let (op, value) = if let Some(v) = rest.strip_prefix("<=") {
            (Op::Le, v)
        } else if let Some(v) = rest.strip_prefix(">=") {
            (Op::Ge, v)
        } else if let Some(v) = rest.strip_prefix('<') {
            (Op::Lt, v)
        } else {
            (Op::Gt, &rest[1..])
        };
        let metric: &'static str = match name {
            "p50" => "p50_ms",
            "p90" => "p90_ms",
            "p99" => "p99_ms",
            "p999" | "p99.9" => "p999_ms",
            "mean" => "mean_ms",
            "max" => "max_ms",
            "throughput" => "throughput_rps",
            other => HEADLINE_FIELDS
                .iter()
                .find(|f| **f == other)
                .copied()
                .ok_or_else(|| {
                    format!(
                        "`{s}`: unknown metric `{other}` (expected one of {}, or p50, p90, p99, p999, mean, max, throughput)",
                        HEADLINE_FIELDS.join(", ")
                    )
                })?,
        };
        let num_end = value
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
            .map_or(value.len(), |(i, _)| i);
        let (num, unit) = value.split_at(num_end);
        let x: f64 = num
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| {
                format!(
                    "`{s}`: expected a number after `{}`, found `{value}`",
                    op.as_str()
                )
            })?;
        let threshold = if metric.ends_with("_ms") {
            match unit {
                "" | "ms" => x,
                "s" => x * 1000.0,
                "us" | "µs" => x / 1000.0,
                _ => {
                    return Err(format!(
                        "`{s}`: {metric} is a latency: expected a unit ms, s or us (or none, meaning ms), found `{unit}`"
                    ));
                }
            }
        } else if metric == "availability" || metric == "error_rate" {
            match unit {
                "%" if (0.0..=100.0).contains(&x) => x / 100.0,
                "%" => {
                    return Err(format!(
                        "`{s}`: {metric} is a share: expected a percentage from 0% to 100%, found `{value}`"
                    ));
                }
                "" if (0.0..=1.0).contains(&x) => x,
                "" => {
                    return Err(format!(
                        "`{s}`: {metric} is a share: write it as a percentage (99.9%) or a share from 0 to 1 (0.999)"
                    ));
                }
                _ => {
                    return Err(format!(
                        "`{s}`: {metric} is a share: expected a % sign or no unit, found `{unit}`"
                    ));
                }
            }
        } else if unit.is_empty() || (metric == "throughput_rps" && unit == "rps") {
            x
        } else {
            return Err(format!(
                "`{s}`: {metric} takes a plain number, found the unit `{unit}`"
            ));
        };
        Ok(Slo {
            text: s.trim().to_string(),
            metric,
            op,
            threshold,
        })
    }
}

impl Slo {
    /// Whether `value` meets the objective; an undefined figure (a percentile when nothing
    /// completed) never does.
    pub fn met_by(&self, value: Option<f64>) -> bool {
        value.is_some_and(|v| self.op.holds(v, self.threshold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ranges_and_units() {
        assert_eq!(parse_values("1,2,4").unwrap(), ["1", "2", "4"]);
        assert_eq!(parse_values("8").unwrap(), ["8"]);
        assert_eq!(parse_values("1..4").unwrap(), ["1", "2", "3", "4"]);
        assert_eq!(
            parse_values("0.1..0.5:0.1").unwrap(),
            ["0.1", "0.2", "0.3", "0.4", "0.5"]
        );
        assert_eq!(
            parse_values("100ms..300ms:100ms").unwrap(),
            ["100ms", "200ms", "300ms"]
        );
        assert_eq!(
            parse_values("0..1:0.25").unwrap(),
            ["0", "0.25", "0.5", "0.75", "1"]
        );
        assert_eq!(parse_values("1..10:4").unwrap(), ["1", "5", "9"]);
        assert_eq!(
            parse_values("{exp: 1ms}, {exp: 2ms}").unwrap(),
            ["{exp: 1ms}", "{exp: 2ms}"]
        );
        assert_eq!(parse_values("-1..1").unwrap(), ["-1", "0", "1"]);
    }

    #[test]
    fn bad_values_are_rejected() {
        for (spec, needle) in [
            ("5..1", "empty"),
            ("1..5:0", "greater than zero"),
            ("1..5:-1", "greater than zero"),
            ("1ms..5s:1ms", "mixes units"),
            ("0.1..0.5", "needs a step"),
            ("a..b:1", "not a number"),
            ("1,,2", "empty"),
            ("1,2,1", "twice"),
            ("", "found nothing"),
            ("1..1000000", "more than"),
        ] {
            let e = parse_values(spec).unwrap_err();
            assert!(e.contains(needle), "{spec}: {e}");
        }
    }

    #[test]
    fn grid_order_and_limits() {
        let g = Grid::new(
            vec!["a=1,2".parse().unwrap(), "b=x,y,z".parse().unwrap()],
            2,
        )
        .unwrap();
        assert_eq!(g.runs(), 12);
        assert_eq!(g.values(0), ["1", "x"]);
        assert_eq!(g.values(1), ["1", "y"]);
        assert_eq!(g.values(5), ["2", "z"]);
        let e = Grid::new(
            vec!["a=1..1000".parse().unwrap(), "b=1..1000".parse().unwrap()],
            1,
        )
        .unwrap_err();
        assert!(e.contains("1000 x 1000"), "{e}");
        assert!(Grid::new(vec!["a=1".parse().unwrap(), "a=2".parse().unwrap()], 1).is_err());
        // The product is exact, however many replications.
        let e = Grid::new(vec!["a=1,2".parse().unwrap()], u64::MAX).unwrap_err();
        assert_eq!(
            e,
            "the grid has 2 x 18446744073709551615 replication(s) = 36893488147419103230 runs, more than 100000: use fewer values or split the study"
        );
    }

    #[test]
    fn seeds_depend_on_index_only() {
        assert_eq!(run_seed(7, 0), 7);
        assert_ne!(run_seed(7, 1), run_seed(7, 2));
        assert_ne!(run_seed(7, 1), run_seed(8, 1));
        assert_eq!(run_seed(7, 5), run_seed(7, 5));
    }

    #[test]
    fn partitions() {
        let p: Partition = "2/3".parse().unwrap();
        assert!(p.contains(1) && p.contains(4) && !p.contains(0));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn slo_syntax() {
        let s: Slo = "p99<200ms".parse().unwrap();
        assert_eq!((s.metric, s.op, s.threshold), ("p99_ms", Op::Lt, 200.0));
        let s: Slo = "availability>=99.9%".parse().unwrap();
        assert_eq!(s.metric, "availability");
        assert!((s.threshold - 0.999).abs() < 1e-12);
        let s: Slo = "mean <= 0.5s".parse().unwrap();
        assert_eq!((s.metric, s.threshold), ("mean_ms", 500.0));
        assert!(s.met_by(Some(500.0)) && !s.met_by(None));
        for bad in [
            "p98<1ms",
            "p99=1ms",
            "p99<1kg",
            "availability>99",
            "p99<",
            "throughput_rps>5ms",
            // A share above 100% can never be met.
            "availability>=101%",
            "error_rate<-1%",
        ] {
            assert!(bad.parse::<Slo>().is_err(), "{bad}");
        }
    }

    #[test]
    fn numeric_values_must_ascend() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(first_descent(&v(&["1", "2", "8"])), None);
        assert_eq!(first_descent(&v(&["1", "8", "2", "1.5"])), Some((1, 2)));
        assert_eq!(first_descent(&v(&["0.5", "0.25"])), Some((0, 1)));
        assert_eq!(first_descent(&v(&["100ms", "50ms"])), Some((0, 1)));
        // Not all numbers of one unit: searched in the order given.
        assert_eq!(first_descent(&v(&["1s", "500ms"])), None);
        assert_eq!(first_descent(&v(&["lru", "fifo"])), None);
        assert_eq!(first_descent(&v(&["{exp: 4ms}", "{const: 1ms}"])), None);
    }

    #[test]
    fn csv_round_trip_and_merge() {
        let params = vec!["web.count".to_string()];
        let h = Headline {
            throughput_rps: 10.5,
            availability: 1.0,
            p99_ms: Some(3.25),
            bottleneck: Some("web".into()),
            bottleneck_utilization: Some(0.5),
            ..Default::default()
        };
        let mut a = csv_line(&csv_header(&params));
        let mut b = a.clone();
        a.push_str(&csv_row(0, &["1"], 7, 0, &h));
        b.push_str(&csv_row(1, &["2"], 9, 0, &h));
        let t = read_table(&a, "a").unwrap();
        assert_eq!(
            t.rows[&0].figures[SweepTable::figure_index("p99_ms").unwrap()],
            Some(3.25)
        );
        let m = merge(
            &[("a".into(), a.clone()), ("b".into(), b.clone())],
            None,
            false,
        )
        .unwrap();
        assert!(m.missing.is_empty());
        assert_eq!(m.table.rows.len(), 2);
        let e = merge(
            &[("a".into(), a.clone()), ("a2".into(), a.clone())],
            None,
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("run 0 is in both a and a2"), "{e}");
        let m = merge(&[("b".into(), b.clone())], Some(3), true).unwrap();
        assert_eq!(m.missing, [0, 2]);
        assert!(merge(&[("b".into(), b.clone())], Some(1), true).is_err());
        let e = merge(&[("b".into(), b)], None, false).unwrap_err();
        assert!(
            e.to_string().contains("1 of 2 runs are missing (run 0)"),
            "{e}"
        );
        let torn = format!("{a}1,2,9");
        assert!(read_table(&torn, "t").is_err());
    }

    /// A sweep CSV over `web.count`: an optional first line, the header, a row per
    /// `(run, value, replication)`.
    fn csv_of(first: &str, rows: &[(u64, &str, u64)]) -> String {
        let h = Headline {
            availability: 1.0,
            ..Default::default()
        };
        let mut s = first.to_string();
        s.push_str(&csv_line(&csv_header(&["web.count".to_string()])));
        for &(i, v, r) in rows {
            s.push_str(&csv_row(i, &[v], 7, r, &h));
        }
        s
    }

    fn merge_err(sources: &[(&str, String)], runs: Option<u64>) -> String {
        let sources: Vec<(String, String)> = sources
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone()))
            .collect();
        merge(&sources, runs, true).unwrap_err().to_string()
    }

    #[test]
    fn merge_counts_are_capped_at_the_largest_sweep() {
        let one = csv_of("", &[(0, "1", 0)]);
        assert_eq!(
            merge_err(&[("a.csv", one.clone())], Some(u64::MAX)),
            "--runs 18446744073709551615: more runs than a sweep may have (100000)"
        );
        assert_eq!(
            merge(&[("a.csv".into(), one.clone())], Some(MAX_RUNS), true)
                .unwrap()
                .missing
                .len() as u64,
            MAX_RUNS - 1
        );
        // The size a partition CSV records.
        let huge = csv_of(
            "# scalesim sweep of 18446744073709551615 runs, partition 1/2\n",
            &[(0, "1", 0)],
        );
        assert_eq!(
            merge_err(&[("p.csv", huge)], None),
            "p.csv:1: records a sweep of 18446744073709551615 runs, more than a sweep may run (100000)"
        );
        let many_shares = csv_of(
            "# scalesim sweep of 4 runs, partition 1/18446744073709551615\n",
            &[(0, "1", 0)],
        );
        assert!(
            merge_err(&[("p.csv", many_shares)], None).starts_with("p.csv:1: not a sweep's size"),
        );
        // A run index beyond any sweep, which would make the inferred size huge.
        let far = csv_of("", &[(u64::MAX, "1", 0)]);
        assert_eq!(
            merge_err(&[("far.csv", far)], None),
            "far.csv:2: run 18446744073709551615 cannot be in a sweep (a sweep has at most 100000 runs, numbered from 0)"
        );
        // A grid inferred from the rows that no sweep can have.
        let wide = csv_of("", &[(0, "1", 0), (1, "2", 99_999)]);
        assert_eq!(
            merge_err(&[("w.csv", wide)], None),
            "the inputs' rows make a grid of 2 value(s) x 100000 replication(s) = 200000 runs, more than a sweep may have (100000); give the sweep's size with --runs"
        );
    }

    #[test]
    fn absent_shares_are_listed_up_to_twenty() {
        let part = csv_of(
            "# scalesim sweep of 100000 runs, partition 1/100000\n",
            &[(0, "1", 0)],
        );
        let e = merge(&[("p.csv".into(), part)], None, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with(
                "shares 2/100000, 3/100000, 4/100000, 5/100000, 6/100000, 7/100000, 8/100000, 9/100000, 10/100000, 11/100000, 12/100000, 13/100000, 14/100000, 15/100000, 16/100000, 17/100000, 18/100000, 19/100000, 20/100000, 21/100000, ... are not among the inputs: merge them too, or pass --allow-missing"
            ),
            "{e}"
        );
    }

    #[test]
    fn partitions_have_at_most_as_many_shares_as_a_sweep_has_runs() {
        assert_eq!(
            "1/100000".parse::<Partition>().unwrap(),
            Partition { k: 1, n: 100_000 }
        );
        assert_eq!(
            "1/18446744073709551615".parse::<Partition>().unwrap_err(),
            "expected at most 100000 shares (the most runs a sweep may have), found 18446744073709551615 in `1/18446744073709551615`"
        );
    }

    #[test]
    fn merged_rows_must_fit_in_the_largest_csv() {
        let mut m = Merger::default();
        m.add("a.csv", &csv_of("", &[(0, "1", 0)])).unwrap();
        // Pretend the rows so far are nearly the limit.
        m.bytes = MAX_CSV_BYTES - 10;
        let e = m.add("b.csv", &csv_of("", &[(1, "2", 0)])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "b.csv: with it the merged rows are larger than 256 MiB, the largest sweep CSV scalesim reads"
        );
    }
}
