//! `scalesim run` and `scalesim validate`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::anyhow;
use clap::Args;

use rayon::prelude::*;

use scalesim::input::{self, ReadError};
use scalesim::metrics::Headline;
use scalesim::metrics::replications::Replications;
use scalesim::report::replications::{replications_table, to_json_with_replications};
use scalesim::report::{self, csv, json, table};
use scalesim::scenario::{MAX_FILE_BYTES, Override};
use scalesim::sweep::run_seed;
use scalesim::{Report, RunOptions, Scenario};

use super::paths::{OutDir, OutFile};
use super::{CliResult, Failure, out};

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Scenario files (YAML). Each writes its outputs to results/<file stem>/ unless --out.
    #[arg(required = true, value_name = "SCENARIO")]
    pub(crate) files: Vec<PathBuf>,
    /// Replace the scenario's seed.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Override a scenario value before validation, e.g. `web.count=6` or `traffic.rate=3000`.
    /// Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) sets: Vec<Override>,
    /// Also write the JSON summary to PATH (`-`: stdout, and print nothing else there).
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<OutFile>,
    /// Also write the summary CSV to PATH (`-`: stdout, and print nothing else there).
    #[arg(long, value_name = "PATH")]
    pub(crate) csv: Option<OutFile>,
    /// Also write the time-series CSV to PATH (`-`: stdout, and print nothing else there).
    #[arg(long, value_name = "PATH")]
    pub(crate) timeseries: Option<OutFile>,
    /// Directory for the outputs (summary.json, summary.csv, timeseries.csv, charts, and
    /// scaling.csv when a group autoscales).
    /// Default: results/<file stem>.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<OutDir>,
    /// Print no table (errors still go to stderr).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Leave wall-clock figures out of the JSON so that reruns are byte-identical.
    #[arg(long)]
    pub(crate) no_wall_clock: bool,
    /// Write sampled request traces to PATH (`-`: stdout, and print nothing else there), in
    /// the --trace-format.
    #[arg(long, value_name = "PATH")]
    pub(crate) trace: Option<OutFile>,
    /// The format of --trace.
    #[arg(
        long,
        value_name = "FORMAT",
        value_enum,
        default_value_t = TraceFormat::Jsonl,
        requires = "trace"
    )]
    pub(crate) trace_format: TraceFormat,
    /// Share of requests to trace with --trace: greater than 0 and at most 1.
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.01,
        requires = "trace",
        value_parser = parse_share
    )]
    pub(crate) trace_sample: f64,
    /// Run R seeds (derived from the base seed and the replication index) in parallel and
    /// report each headline figure as mean ± 95% confidence half-width; the outputs are the
    /// first replication's, with a `replications` object in the JSON.
    #[arg(long, default_value_t = 1, value_name = "R")]
    pub(crate) replications: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Scenario files (YAML; `-`: standard input).
    #[arg(required = true, value_name = "SCENARIO")]
    pub(crate) files: Vec<PathBuf>,
    /// Overrides to apply before validating, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) sets: Vec<Override>,
    /// Also write the verdict as JSON to PATH (`-`: stdout, instead of the ok lines): each
    /// file, valid or with its problems (line, column, field, message).
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<OutFile>,
}

/// One file's verdict in `validate --json`.
#[derive(Debug, serde::Serialize)]
struct Verdict {
    file: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    classes: Option<usize>,
    problems: Vec<VerdictProblem>,
}

/// A problem in `validate --json`.
#[derive(Debug, serde::Serialize)]
struct VerdictProblem {
    line: Option<usize>,
    column: Option<usize>,
    field: String,
    message: String,
}

/// The formats `--trace` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TraceFormat {
    /// scalesim's own JSON lines: one request per line, a span per hop
    Jsonl,
    /// The Chrome Trace Event format: open it in Perfetto UI or chrome://tracing
    Chrome,
    /// OpenTelemetry spans in OTLP/JSON, for a collector or Jaeger
    Otlp,
}

/// Parses `--trace-sample`: a share of requests greater than 0 and at most 1 (not NaN, not
/// infinite).
fn parse_share(s: &str) -> Result<f64, String> {
    let bad = || format!("expected a share of requests greater than 0 and at most 1, found `{s}`");
    let p: f64 = s.trim().parse().map_err(|_| bad())?;
    if p.is_finite() && p > 0.0 && p <= 1.0 {
        Ok(p)
    } else {
        Err(bad())
    }
}

/// Whether `path` is `-`: the scenario is read from standard input.
pub(super) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name a scenario's messages give it: its path, or `<stdin>` for `-`.
pub(super) fn source_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".into()
    } else {
        path.display().to_string()
    }
}

/// Reads a scenario file as text, at most [`MAX_FILE_BYTES`]: every command reads its
/// scenarios through this. `-` reads standard input, once. A file that cannot be read, is
/// larger than the limit or is not UTF-8 is bad input (exit code 1), and the message names
/// the file.
pub(super) fn read_scenario(path: &Path) -> Result<String, Failure> {
    static STDIN_READ: AtomicBool = AtomicBool::new(false);
    let read = if is_stdin(path) {
        if STDIN_READ.swap(true, Ordering::SeqCst) {
            return Err(Failure::BadInput(anyhow!(
                "`-` (standard input) can be read only once: give the other scenarios as files"
            )));
        }
        input::read_stdin_text(Path::new("<stdin>"), MAX_FILE_BYTES, "scenario file")
    } else {
        input::read_text(path, MAX_FILE_BYTES, "scenario file")
    };
    read.map_err(|e| match e {
        ReadError::Io(e) => Failure::BadInput(
            anyhow::Error::new(e).context(format!("cannot read scenario `{}`", source_name(path))),
        ),
        e => Failure::BadInput(e.into()),
    })
}

/// Reads and validates one scenario; prints its problems to stderr on failure.
pub(super) fn load(path: &Path, sets: &[Override]) -> Result<Scenario, Failure> {
    let text = read_scenario(path)?;
    let source = source_name(path);
    Scenario::parse(&text, &source, sets).map_err(|e| {
        print_problems(&e);
        Failure::Reported
    })
}

/// Prints a scenario's problems on stderr, then their count.
fn print_problems(e: &scalesim::ScenarioError) {
    eprintln!("{e}");
    let n = e.problems.len();
    eprintln!(
        "{}: {n} problem{} found",
        e.source,
        if n == 1 { "" } else { "s" }
    );
}

fn stem(path: &Path) -> String {
    if is_stdin(path) {
        return "stdin".into();
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into())
}

/// Runs `sc` once, or `replications` times in parallel with seeds derived from the base
/// seed and the replication index; returns the first replication's report and, for more
/// than one, the summary over all; or the first replication (in replication order) that
/// stopped at a run-time bound.
fn run_replicated(
    sc: &Scenario,
    opts: &RunOptions,
    replications: u64,
) -> Result<(Report, Option<Replications>), scalesim::RunError> {
    if replications <= 1 {
        return Ok((scalesim::run(sc, opts)?, None));
    }
    let base = opts.seed.unwrap_or(sc.seed);
    let seeds: Vec<u64> = (0..replications).map(|r| run_seed(base, r)).collect();
    let reports: Vec<Result<Report, scalesim::RunError>> = seeds
        .par_iter()
        .enumerate()
        .map(|(i, &seed)| {
            let o = RunOptions {
                seed: Some(seed),
                // Only the first replication's traces are written.
                trace_sample: if i == 0 { opts.trace_sample } else { 0.0 },
                ..opts.clone()
            };
            scalesim::run(sc, &o)
        })
        .collect();
    let mut reports = reports.into_iter().collect::<Result<Vec<Report>, _>>()?;
    let heads: Vec<Headline> = reports.iter().map(Headline::of).collect();
    let reps = Replications::of(seeds, &heads);
    Ok((reports.swap_remove(0), Some(reps)))
}

/// The most replications `run --replications` accepts.
pub(crate) const MAX_REPLICATIONS: u64 = 1000;

pub(crate) fn run(a: &RunArgs) -> CliResult {
    if a.replications == 0 {
        return Err(Failure::BadInput(anyhow!(
            "--replications: expected a whole number >= 1, found 0"
        )));
    }
    // Every replication's report is held until the end; 10^8 of them exhausted memory.
    if a.replications > MAX_REPLICATIONS {
        return Err(Failure::BadInput(anyhow!(
            "--replications: expected at most {MAX_REPLICATIONS} replications, found {}",
            a.replications
        )));
    }
    if a.files.len() > 1 && a.trace.is_some() {
        return Err(Failure::BadInput(anyhow!(
            "--trace names one file, so it takes a single scenario (found {})",
            a.files.len()
        )));
    }
    if a.files.len() > 1
        && (a.json.is_some() || a.csv.is_some() || a.timeseries.is_some() || a.out.is_some())
    {
        return Err(Failure::BadInput(anyhow!(
            "--json, --csv, --timeseries and --out name one file or directory, so they take a single scenario (found {}); each scenario already writes results/<name>/",
            a.files.len()
        )));
    }
    // One stream cannot carry two outputs.
    let to_stdout: Vec<&str> = [
        ("--json", &a.json),
        ("--csv", &a.csv),
        ("--timeseries", &a.timeseries),
        ("--trace", &a.trace),
    ]
    .into_iter()
    .filter(|(_, o)| **o == Some(OutFile::Stdout))
    .map(|(flag, _)| flag)
    .collect();
    if to_stdout.len() > 1 {
        let (last, rest) = to_stdout.split_last().expect("two or more");
        return Err(Failure::BadInput(anyhow!(
            "{} and {last} {} name `-` (standard output), which can carry only one of them; give the others a file path",
            rest.join(", "),
            if rest.len() == 1 { "both" } else { "all" }
        )));
    }
    let stdout_output = to_stdout.first();
    // Validate everything first: a typo in the last file should not cost the first run.
    let mut scenarios = Vec::new();
    let mut failed = false;
    for f in &a.files {
        match load(f, &a.sets) {
            Ok(s) => scenarios.push((f, s)),
            Err(Failure::Reported) => failed = true,
            Err(e) => return Err(e),
        }
    }
    if failed {
        return Err(Failure::Reported);
    }
    let show_table = !a.quiet && stdout_output.is_none();
    for (i, (path, sc)) in scenarios.iter().enumerate() {
        let opts = RunOptions {
            trace_sample: if a.trace.is_some() {
                a.trace_sample
            } else {
                0.0
            },
            seed: a.seed,
            no_wall_clock: a.no_wall_clock,
        };
        let (rep, reps) =
            run_replicated(sc, &opts, a.replications).map_err(|e| super::run_failure(path, &e))?;
        let dir = a
            .out
            .as_ref()
            .map(|d| d.0.clone())
            .unwrap_or_else(|| Path::new("results").join(stem(path)));
        let paths = report::write_run_outputs(&rep, &dir)?;
        let json_text = match &reps {
            Some(r) => {
                let text = to_json_with_replications(&rep, r);
                // summary.json carries the replications too.
                report::write_atomic(&paths[0], text.as_bytes())?;
                text
            }
            None => json::to_json(&rep),
        };
        let outputs: [(&Option<OutFile>, &dyn Fn() -> String); 4] = [
            (&a.json, &|| json_text.clone()),
            (&a.csv, &|| csv::summary_csv(&rep)),
            (&a.trace, &|| match a.trace_format {
                TraceFormat::Jsonl => report::trace::to_jsonl(&rep),
                TraceFormat::Chrome => report::trace::to_chrome(&rep),
                TraceFormat::Otlp => report::trace::to_otlp(&rep),
            }),
            (&a.timeseries, &|| csv::timeseries_csv(&rep)),
        ];
        for (flag, text) in outputs {
            if let Some(f) = flag {
                f.write(&text())?;
            }
        }
        if show_table {
            if i > 0 {
                out("\n")?;
            }
            if let Some(r) = &reps {
                out(&replications_table(&rep.scenario, r))?;
                out(&format!(
                    "\nreplication 1 of {} (seed {}):\n",
                    r.n, rep.seed
                ))?;
            }
            out(&table::render_table(&rep))?;
            out(&format!("outputs: {}/\n", dir.display()))?;
        }
    }
    Ok(())
}

pub(crate) fn validate(a: &ValidateArgs) -> CliResult {
    let mut failed = false;
    let mut verdicts = Vec::new();
    let lines = a.json != Some(OutFile::Stdout);
    for f in &a.files {
        let text = read_scenario(f)?;
        let source = source_name(f);
        match Scenario::parse(&text, &source, &a.sets) {
            Ok(sc) => {
                if lines {
                    out(&format!(
                        "{source}: ok ({}: {} component{}, {} request class{})\n",
                        sc.name,
                        sc.components.len(),
                        if sc.components.len() == 1 { "" } else { "s" },
                        sc.traffic.classes.len(),
                        if sc.traffic.classes.len() == 1 {
                            ""
                        } else {
                            "es"
                        },
                    ))?;
                }
                verdicts.push(Verdict {
                    file: source,
                    ok: true,
                    name: Some(sc.name.clone()),
                    components: Some(sc.components.len()),
                    classes: Some(sc.traffic.classes.len()),
                    problems: Vec::new(),
                });
            }
            Err(e) => {
                print_problems(&e);
                failed = true;
                verdicts.push(Verdict {
                    file: source,
                    ok: false,
                    name: None,
                    components: None,
                    classes: None,
                    problems: e
                        .problems
                        .iter()
                        .map(|p| VerdictProblem {
                            line: p.line,
                            column: p.column,
                            field: p.path.clone(),
                            message: p.message.clone(),
                        })
                        .collect(),
                });
            }
        }
    }
    if let Some(json) = &a.json {
        let doc = serde_json::json!({ "ok": !failed, "files": verdicts });
        json.write(&(serde_json::to_string_pretty(&doc).expect("plain data") + "\n"))?;
    }
    if failed {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}
