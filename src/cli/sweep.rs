//! `scalesim sweep` and `scalesim merge`: argument parsing, the progress bar and the printed
//! summary. The grid, seeding, CSV and resume logic live in `scalesim::sweep`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use scalesim::input::{ReadError, read_text};
use scalesim::metrics::headline::HEADLINE_FIELDS;
use scalesim::report::replications::figure_text;
use scalesim::scenario::Override;
use scalesim::sweep::sweep_chart;
use scalesim::sweep::{
    self, Grid, MAX_CSV_BYTES, MAX_RUNS, Merger, Partition, SweepError, SweepPlan, SweepTable,
    Vary, point_means,
};

use super::paths::{OutDir, OutFile};
use super::{CliResult, Failure, out};

#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// The scenario file (YAML).
    #[arg(value_name = "SCENARIO")]
    pub(crate) file: PathBuf,
    /// A scenario value to vary and its values: one value, a list `a,b,c`, or an inclusive
    /// range `from..to:step` (units allowed: `100ms..500ms:100ms`). Repeatable; the grid is
    /// every combination.
    #[arg(long = "vary", value_name = "PATH=VALUES", required = true)]
    pub(crate) vary: Vec<Vary>,
    /// Runs per grid point, each with its own seed.
    #[arg(long, default_value_t = 1, value_name = "R")]
    pub(crate) replications: u64,
    /// The figure to chart (one of the headline figures, like p99_ms or throughput_rps).
    #[arg(long, default_value = "p99_ms")]
    pub(crate) metric: String,
    /// Where to write the CSV. Default: <out>/sweep.csv (<out>/part-K-of-N.csv with --partition).
    #[arg(long, value_name = "PATH")]
    pub(crate) csv: Option<OutFile>,
    /// Directory for the CSV and the chart. Default: results/sweep-<file stem>.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<OutDir>,
    /// Base seed (default: the scenario's); run i uses a seed derived from it and i.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Override a scenario value for every run, as for `run`. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) sets: Vec<Override>,
    /// Run only share K of N (run indices i with i % N == K - 1), for spreading a sweep over
    /// machines; join the CSVs with `scalesim merge`.
    #[arg(long, value_name = "K/N")]
    pub(crate) partition: Option<Partition>,
    /// Keep the complete rows of an existing CSV and run only the missing runs.
    #[arg(long)]
    pub(crate) resume: bool,
    /// No progress bar and no summary (errors still go to stderr).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Also write a summary as JSON to PATH (`-`: stdout, instead of the table): the grid,
    /// the runs, the CSV and chart paths, and the metric's mean and 95% half-width per point.
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<OutFile>,
}

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The partial CSVs written by `sweep --partition K/N`.
    #[arg(required = true, value_name = "CSV")]
    pub(crate) files: Vec<PathBuf>,
    /// Where to write the merged CSV (`-`: stdout, with no chart and nothing else there).
    #[arg(long, short, value_name = "PATH")]
    pub(crate) output: OutFile,
    /// Write the merge even if runs are missing (they are listed on stderr).
    #[arg(long)]
    pub(crate) allow_missing: bool,
    /// The number of runs of the whole sweep, at most 100000 (default: the size the partition
    /// CSVs record, else inferred from the rows).
    #[arg(long, value_name = "N", value_parser = parse_runs)]
    pub(crate) runs: Option<u64>,
    /// The figure to chart.
    #[arg(long, default_value = "p99_ms")]
    pub(crate) metric: String,
    /// Write no chart.
    #[arg(long)]
    pub(crate) no_chart: bool,
    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Parses `merge --runs`: a whole number of runs from 1 to [`MAX_RUNS`], the most a sweep has.
fn parse_runs(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_RUNS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number of runs from 1 to {MAX_RUNS} (the most a sweep may have), found `{s}`"
        )),
    }
}

pub(crate) fn sweep_failure(e: SweepError) -> Failure {
    match e {
        SweepError::Input(_) | SweepError::Scenario { .. } | SweepError::Run { .. } => {
            Failure::BadInput(e.into())
        }
        SweepError::Report(e) => e.into(),
        SweepError::Io { .. } => Failure::Internal(e.into()),
    }
}

pub(crate) fn check_metric(flag: &str, metric: &str) -> CliResult {
    if HEADLINE_FIELDS.contains(&metric) {
        Ok(())
    } else {
        Err(Failure::BadInput(anyhow!(
            "{flag}: unknown figure `{metric}` (expected one of {})",
            HEADLINE_FIELDS.join(", ")
        )))
    }
}

pub(crate) fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into())
}

/// The chart paths beside `csv`: `<csv stem>-<metric>.png` and `.svg`.
fn chart_paths(csv: &Path, metric: &str) -> (PathBuf, PathBuf) {
    let base = format!("{}-{metric}", stem(csv));
    let dir = csv.parent().unwrap_or(Path::new(""));
    (
        dir.join(format!("{base}.png")),
        dir.join(format!("{base}.svg")),
    )
}

/// A scenario checked against a grid of values, as `sweep` and `capacity` run it.
pub(crate) struct Study {
    /// The scenario text.
    pub(crate) text: String,
    /// The file, as messages name it.
    pub(crate) source: String,
    pub(crate) grid: Grid,
    /// The seed runs derive theirs from: `--seed`, or the scenario's.
    pub(crate) base_seed: u64,
}

/// Reads the scenario `file`, builds the grid of `vary` with `replications` runs per point
/// and validates every point with `sets` applied.
pub(crate) fn study(
    file: &Path,
    vary: &[Vary],
    replications: u64,
    sets: &[Override],
    seed: Option<u64>,
) -> Result<Study, Failure> {
    let text = super::run::read_scenario(file)?;
    let source = super::run::source_name(file);
    let grid = Grid::new(vary.to_vec(), replications).map_err(|e| Failure::BadInput(anyhow!(e)))?;
    let scenario_seed = sweep::validate_grid(&text, &source, sets, &grid).map_err(sweep_failure)?;
    Ok(Study {
        text,
        source,
        grid,
        base_seed: seed.unwrap_or(scenario_seed),
    })
}

/// A progress bar on stderr, hidden when stderr is not a terminal or output is quiet.
pub(crate) fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed} elapsed, ETA {eta}")
    {
        bar.set_style(style);
    }
    bar
}

pub(crate) fn sweep(a: &SweepArgs) -> CliResult {
    check_metric("--metric", &a.metric)?;
    if a.csv == Some(OutFile::Stdout) {
        return Err(Failure::BadInput(anyhow!(
            "--csv -: a sweep appends each row to its CSV as the run finishes and can resume from it, so it needs a file; give a file path and read it, or `scalesim merge FILE -o -` it to standard output"
        )));
    }
    let Study {
        text,
        source,
        grid,
        base_seed,
    } = study(&a.file, &a.vary, a.replications, &a.sets, a.seed)?;
    let dir = a
        .out
        .as_ref()
        .map(|d| d.0.clone())
        .unwrap_or_else(|| Path::new("results").join(format!("sweep-{}", stem(&a.file))));
    let csv = a
        .csv
        .as_ref()
        .and_then(|c| c.file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| match a.partition {
            Some(p) => dir.join(format!("part-{}-of-{}.csv", p.k, p.n)),
            None => dir.join("sweep.csv"),
        });
    let plan = SweepPlan {
        text: &text,
        source: &source,
        sets: &a.sets,
        grid: &grid,
        base_seed,
        partition: a.partition,
        csv: &csv,
        resume: a.resume,
    };
    let quiet = a.quiet || a.json == Some(OutFile::Stdout);
    let bar = progress_bar(0, quiet);
    let outcome = sweep::execute(&plan, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .map_err(sweep_failure)?;
    bar.finish_and_clear();
    for w in &outcome.rejected {
        eprintln!("warning: {w}");
    }

    let chart = if a.partition.is_none() {
        let (png, svg) = chart_paths(&csv, &a.metric);
        let name = scenario_name(&text, &source, &a.sets, &grid);
        sweep_chart(&outcome.table, &a.metric, &name, &png, &svg)?;
        Some((png, svg))
    } else {
        None
    };
    if let Some(json) = &a.json {
        let means: Vec<serde_json::Value> = SweepTable::figure_index(&a.metric)
            .map(|ix| point_means(&outcome.table, ix))
            .unwrap_or_default()
            .into_iter()
            .map(|(values, mean, hw)| {
                let at: serde_json::Map<String, serde_json::Value> = grid
                    .params
                    .iter()
                    .zip(values)
                    .map(|(p, v)| (p.path.clone(), v.into()))
                    .collect();
                serde_json::json!({"values": at, "mean": mean, "half_width": hw})
            })
            .collect();
        let doc = serde_json::json!({
            "scenario": source,
            "params": grid.params.iter().map(|p| &p.path).collect::<Vec<_>>(),
            "points": grid.points(),
            "replications": grid.replications,
            "runs": grid.runs(),
            "partition": a.partition.map(|p| p.to_string()),
            "ran": outcome.ran,
            "kept": outcome.kept,
            "dropped": outcome.dropped,
            "csv": csv.display().to_string(),
            "chart": chart.as_ref().map(|(png, svg)| serde_json::json!({"png": png.display().to_string(), "svg": svg.display().to_string()})),
            "metric": a.metric,
            "means": means,
        });
        json.write(&(serde_json::to_string_pretty(&doc).expect("plain data") + "\n"))?;
    }
    if quiet {
        return Ok(());
    }
    let mut s = String::new();
    let share = a
        .partition
        .map(|p| format!(" (share {p})"))
        .unwrap_or_default();
    s.push_str(&format!(
        "sweep of {}: {} grid point{} x {} replication{} = {} runs{share}; ran {}, kept {}{}\n",
        a.file.display(),
        grid.points(),
        plural(grid.points()),
        grid.replications,
        plural(grid.replications),
        grid.runs(),
        outcome.ran,
        outcome.kept,
        if outcome.dropped > 0 {
            format!(", dropped {} incomplete line(s)", outcome.dropped)
        } else {
            String::new()
        }
    ));
    s.push_str(&means_table(&outcome.table, &a.metric));
    s.push_str(&format!("csv: {}\n", csv.display()));
    match chart {
        Some((png, svg)) => s.push_str(&format!("chart: {} {}\n", png.display(), svg.display())),
        None => s.push_str("chart: none for a share; `scalesim merge` draws it\n"),
    }
    out(&s)
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The scenario's `name`, for the chart title.
fn scenario_name(text: &str, source: &str, sets: &[Override], grid: &Grid) -> String {
    let mut all = sets.to_vec();
    all.extend(grid.overrides(0));
    scalesim::Scenario::parse(text, source, &all)
        .map(|s| s.name)
        .unwrap_or_else(|_| source.to_string())
}

/// The metric's mean ± 95% CI half-width per grid point (up to 40 points), with the mean
/// availability beside it (`avail %`: the share of the finished requests that succeeded)
/// unless the metric is availability or error rate itself.
fn means_table(table: &SweepTable, metric: &str) -> String {
    const MAX_LINES: usize = 40;
    let Some(ix) = SweepTable::figure_index(metric) else {
        return String::new();
    };
    // Availability is defined at every point, so its points lead; a latency beside it may be
    // undefined (nothing completed), and a latency alone would hide the failed requests.
    let avail_ix = SweepTable::figure_index("availability").expect("a headline figure");
    let points = point_means(table, avail_ix);
    if points.len() > MAX_LINES {
        return format!("{} grid points: see the CSV for {metric}\n", points.len());
    }
    let figure: BTreeMap<Vec<String>, (f64, Option<f64>)> = point_means(table, ix)
        .into_iter()
        .map(|(values, mean, hw)| (values, (mean, hw)))
        .collect();
    let with_avail = !matches!(metric, "availability" | "error_rate");
    let mut rows: Vec<Vec<String>> = vec![{
        let mut h = table.params.clone();
        h.push(metric.to_string());
        h.push("± 95% CI".into());
        if with_avail {
            h.push("avail %".into());
        }
        h
    }];
    for (values, avail, _) in points {
        let fig = figure.get(&values).copied();
        let mut r = values;
        r.push(fig.map_or("-".to_string(), |(m, _)| figure_text(metric, m)));
        r.push(
            fig.and_then(|(_, hw)| hw)
                .map(|h| figure_text(metric, h))
                .unwrap_or_default(),
        );
        if with_avail {
            r.push(format!("{:.2}", avail * 100.0));
        }
        rows.push(r);
    }
    let cols = rows[0].len();
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect();
        s.push_str(cells.join("  ").trim_end());
        s.push('\n');
    }
    s
}

pub(crate) fn merge(a: &MergeArgs) -> CliResult {
    check_metric("--metric", &a.metric)?;
    // One input's text in memory at a time, each at most MAX_CSV_BYTES.
    let mut merger = Merger::default();
    for f in &a.files {
        let text = read_text(f, MAX_CSV_BYTES, "sweep CSV").map_err(|e| match e {
            ReadError::Io(e) => Failure::BadInput(
                anyhow::Error::new(e).context(format!("cannot read `{}`", f.display())),
            ),
            e => Failure::BadInput(e.into()),
        })?;
        merger
            .add(&f.display().to_string(), &text)
            .map_err(sweep_failure)?;
    }
    let sweep::Merged {
        table,
        expected,
        missing,
    } = merger
        .finish(a.runs, a.allow_missing)
        .map_err(sweep_failure)?;
    if !missing.is_empty() {
        eprintln!(
            "warning: {}; merged without them (--allow-missing)",
            sweep::missing_text(&missing, expected)
        );
    }
    let output = match &a.output {
        OutFile::Stdout => return out(&table.to_csv()),
        OutFile::File(p) => p,
    };
    scalesim::report::write_atomic(output, table.to_csv().as_bytes())?;
    let mut s = format!(
        "merged {} file{} into {} ({} runs)\n",
        a.files.len(),
        plural(a.files.len() as u64),
        output.display(),
        table.rows.len()
    );
    if !a.no_chart {
        let (png, svg) = chart_paths(output, &a.metric);
        sweep_chart(&table, &a.metric, &stem(output), &png, &svg)?;
        s.push_str(&format!("chart: {} {}\n", png.display(), svg.display()));
    }
    if a.quiet {
        return Ok(());
    }
    out(&s)
}
