//! The scalesim core for the browser: check a scenario, run it, and hand the page what the
//! command line would print or write.
//!
//! The page (`web/page/`) loads this module in a Web Worker through the glue wasm-bindgen
//! generates. Everything crosses as text: [`check`] answers a JSON object; [`run`] returns a
//! [`RunOutput`] whose [`RunOutput::summary`] is byte for byte what
//! `scalesim run <file> --json - --no-wall-clock` prints for the same text, overrides and
//! seed (the browser has no clock to time the run by, so the wall-clock figures are always
//! left out).
//!
//! Overrides come as `path=value` lines, each read as one `--set`.

use std::str::FromStr;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use scalesim::diagram::{Diagram, Placement};
use scalesim::report::{render_table, to_json, trace};
use scalesim::scenario::yaml::{self, Node, Origin, Value};
use scalesim::{Override, RunOptions, Scenario, ScenarioError};

#[wasm_bindgen]
extern "C" {
    /// The worker's progress hook: the share of simulated time done (0..1).
    #[wasm_bindgen(js_name = scalesimProgress)]
    fn js_progress(done: f64);
}

/// One problem with a scenario, where it is.
#[derive(Debug, Serialize)]
struct ProblemOut {
    /// 1-based line, when known.
    line: Option<usize>,
    /// 1-based column, when known.
    column: Option<usize>,
    /// The field's path (`components.web.count`), empty for the file as a whole.
    path: String,
    /// What was wrong and what was expected.
    message: String,
}

/// A knob the page offers as a slider or a switch: a key written in the file.
#[derive(Debug, Serialize)]
struct Knob {
    /// The `--set` path (`web.count`, `traffic.rate`, `faults`).
    path: String,
    /// `number` (a count or a rate), `duration` (a number and a unit, `60s`), or `faults`
    /// (on or off: off is `faults=[]`).
    kind: &'static str,
    /// The value as written (for `faults`: how many there are).
    value: String,
}

/// What [`check`] answers.
#[derive(Debug, Serialize)]
struct Checked {
    /// Whether the scenario is valid.
    ok: bool,
    /// The problems, as the command line prints them (each `file:line:col: path: message`,
    /// then the count); empty when valid.
    error: String,
    /// The problems one by one.
    problems: Vec<ProblemOut>,
    /// The scenario's name (valid scenarios only).
    name: String,
    /// Its duration, seconds.
    duration_s: f64,
    /// Its seed.
    seed: u64,
    /// The knobs the file writes.
    knobs: Vec<Knob>,
    /// The topology as an SVG picture.
    svg: String,
    /// Where the picture puts each node and link.
    placement: Option<Placement>,
}

/// Reads the override lines (`path=value`, blank lines skipped).
fn overrides(sets: &str) -> Result<Vec<Override>, String> {
    sets.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Override::from_str(l).map_err(|e| format!("--set: {e}")))
        .collect()
}

/// The command line's report of a scenario's problems: each problem, then the count.
fn problems_text(e: &ScenarioError, source: &str) -> String {
    let n = e.problems.len();
    format!(
        "{e}\n{source}: {n} problem{} found",
        if n == 1 { "" } else { "s" }
    )
}

/// Parses `text` named `source` with the override lines `sets`.
fn parse(text: &str, source: &str, sets: &str) -> Result<Scenario, (String, Vec<ProblemOut>)> {
    let sets = overrides(sets).map_err(|e| (e.clone(), Vec::new()))?;
    Scenario::parse(text, source, &sets).map_err(|e| {
        let list = e
            .problems
            .iter()
            .map(|p| ProblemOut {
                line: p.line,
                column: p.column,
                path: p.path.clone(),
                message: p.message.clone(),
            })
            .collect();
        (problems_text(&e, source), list)
    })
}

/// The sizing keys a component may write, offered as knobs when it does.
const COMPONENT_KNOBS: [(&str, &str); 7] = [
    ("count", "number"),
    ("workers", "number"),
    ("queue", "number"),
    ("capacity", "number"),
    ("replicas", "number"),
    ("shards", "number"),
    ("ttl", "duration"),
];

/// The knobs of a file: the traffic's rate and users, each component's sizing keys and TTL,
/// and the faults, where the file writes them as plain scalars.
fn knobs(text: &str) -> Vec<Knob> {
    let Ok(root) = yaml::load(text, Origin::File) else {
        return Vec::new();
    };
    let scalar = |n: &Node| match &n.value {
        Value::Scalar { text, plain: true } => Some(text.clone()),
        _ => None,
    };
    let mut out = Vec::new();
    if let Some(traffic) = root.get("traffic") {
        for key in ["rate", "users"] {
            if let Some(v) = traffic.get(key).and_then(scalar) {
                out.push(Knob {
                    path: format!("traffic.{key}"),
                    kind: "number",
                    value: v,
                });
            }
        }
    }
    if let Some(Value::Map(components)) = root.get("components").map(|n| &n.value) {
        for c in components {
            for (key, kind) in COMPONENT_KNOBS {
                if let Some(v) = c.value.get(key).and_then(scalar) {
                    out.push(Knob {
                        path: format!("{}.{key}", c.key),
                        kind,
                        value: v,
                    });
                }
            }
        }
    }
    if let Some(Value::Seq(faults)) = root.get("faults").map(|n| &n.value)
        && !faults.is_empty()
    {
        out.push(Knob {
            path: "faults".into(),
            kind: "faults",
            value: faults.len().to_string(),
        });
    }
    out
}

/// Checks a scenario: its problems with line and column, or its name, knobs and diagram.
/// Answers a JSON object (see the page's `worker.js`).
#[wasm_bindgen]
pub fn check(text: &str, source: &str, sets: &str) -> String {
    let out = match parse(text, source, sets) {
        Ok(sc) => {
            let d = Diagram::of(&sc);
            Checked {
                ok: true,
                error: String::new(),
                problems: Vec::new(),
                name: sc.name.clone(),
                duration_s: sc.duration.0 as f64 / 1e9,
                seed: sc.seed,
                knobs: knobs(text),
                svg: d.svg(),
                placement: Some(d.placement()),
            }
        }
        Err((error, problems)) => Checked {
            ok: false,
            error,
            problems,
            name: String::new(),
            duration_s: 0.0,
            seed: 0,
            knobs: Vec::new(),
            svg: String::new(),
            placement: None,
        },
    };
    serde_json::to_string(&out).expect("plain data serializes")
}

/// What a run gives the page.
#[wasm_bindgen]
#[derive(Debug)]
pub struct RunOutput {
    summary: String,
    table: String,
    timeseries: String,
    traces: String,
    events: u64,
}

#[wasm_bindgen]
impl RunOutput {
    /// The JSON summary, as `scalesim run --json - --no-wall-clock` prints it.
    pub fn summary(&self) -> String {
        self.summary.clone()
    }

    /// The table the command line prints after a run.
    pub fn table(&self) -> String {
        self.table.clone()
    }

    /// The per-window time series (the data of `timeseries.csv`), as JSON.
    pub fn timeseries(&self) -> String {
        self.timeseries.clone()
    }

    /// The sampled requests' traces, one JSON object per line (as `--trace` writes them).
    pub fn traces(&self) -> String {
        self.traces.clone()
    }

    /// Events the engine ran.
    pub fn events(&self) -> f64 {
        self.events as f64
    }
}

/// Runs `text` with the override lines `sets`, the seed `seed` (empty: the scenario's) and
/// this share of requests traced, telling `progress` how far it is.
pub fn run_with(
    text: &str,
    source: &str,
    sets: &str,
    seed: &str,
    trace_sample: f64,
    progress: impl FnMut(f64),
) -> Result<RunOutput, String> {
    let sc = parse(text, source, sets).map_err(|(e, _)| e)?;
    let seed = match seed.trim() {
        "" => None,
        s => Some(
            s.parse::<u64>()
                .map_err(|_| format!("--seed: expected a whole number >= 0, found `{s}`"))?,
        ),
    };
    let opts = RunOptions {
        seed,
        no_wall_clock: true,
        trace_sample: if trace_sample.is_finite() {
            trace_sample.clamp(0.0, 1.0)
        } else {
            0.0
        },
    };
    let report =
        scalesim::run_observed(&sc, &opts, progress).map_err(|e| format!("{source}: {e}"))?;
    Ok(RunOutput {
        summary: to_json(&report),
        table: render_table(&report),
        timeseries: serde_json::to_string(&report.timeseries).expect("plain data serializes"),
        traces: trace::to_jsonl(&report),
        events: report.engine.events,
    })
}

/// [`run_with`], reporting progress to the worker's `scalesimProgress`; a problem is thrown
/// as an `Error` whose message is what the command line prints.
#[wasm_bindgen]
pub fn run(
    text: &str,
    source: &str,
    sets: &str,
    seed: &str,
    trace_sample: f64,
) -> Result<RunOutput, JsError> {
    run_with(text, source, sets, seed, trace_sample, js_progress).map_err(|e| JsError::new(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "name: one\nduration: 20s\nwarmup: 2s\ntraffic: {rate: 50}\nentry: app\n\
                       components:\n  app: {kind: server, count: 2, workers: 4, service: {exp: 10ms}}\n";

    #[test]
    fn a_valid_scenario_checks_with_its_knobs_and_diagram() {
        let v: serde_json::Value = serde_json::from_str(&check(ONE, "one.yaml", "")).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["name"], "one");
        assert_eq!(v["duration_s"], 20.0);
        let paths: Vec<&str> = v["knobs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["traffic.rate", "app.count", "app.workers"]);
        assert!(v["svg"].as_str().unwrap().starts_with("<svg"));
        assert_eq!(v["placement"]["nodes"][1]["name"], "app");
    }

    #[test]
    fn a_bad_scenario_checks_with_line_and_column() {
        let bad = ONE.replace("count: 2", "count: -2");
        let v: serde_json::Value = serde_json::from_str(&check(&bad, "one.yaml", "")).unwrap();
        assert_eq!(v["ok"], false);
        assert_eq!(v["problems"][0]["line"], 7);
        assert_eq!(v["problems"][0]["path"], "components.app.count");
        let error = v["error"].as_str().unwrap();
        assert!(error.starts_with("one.yaml:7:"), "{error}");
        assert!(error.ends_with("one.yaml: 1 problem found"), "{error}");
        let v: serde_json::Value =
            serde_json::from_str(&check(ONE, "one.yaml", "app.count")).unwrap();
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("--set: expected path=value")
        );
    }

    #[test]
    fn a_run_gives_the_command_line_summary_and_reports_progress() {
        let out = run_with(ONE, "one.yaml", "app.count=3", "7", 0.01, |_| {}).unwrap();
        let sc = Scenario::parse(ONE, "one.yaml", &["app.count=3".parse().unwrap()]).unwrap();
        let opts = RunOptions {
            seed: Some(7),
            no_wall_clock: true,
            trace_sample: 0.01,
        };
        let report = scalesim::run(&sc, &opts).unwrap();
        assert_eq!(out.summary(), to_json(&report));
        assert!(out.table().contains("app"));
        let mut seen = Vec::new();
        assert!(out.traces().lines().count() > 0);
        let ts: serde_json::Value = serde_json::from_str(&out.timeseries()).unwrap();
        assert_eq!(ts["components"][0], "app");
        assert!(run_with(ONE, "one.yaml", "", "x", 0.0, |_| {}).is_err());
        // Long enough for a few progress reports: 100,000 requests, some 400,000 events.
        let sets = "traffic.rate=5000\napp.workers=40";
        run_with(ONE, "one.yaml", sets, "", 0.0, |p| seen.push(p)).unwrap();
        assert!(!seen.is_empty(), "no progress reported");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]));
        assert!(seen.iter().all(|p| *p > 0.0 && *p < 1.0), "{seen:?}");
    }
}
