//! The native part of the `scalesim` Python package (`scalesim._core`): the core's run, sweep
//! and compare, with text in and text out. The JSON summary is exactly what
//! `scalesim run --json - --no-wall-clock` prints, and the sweep's and comparison's CSV are the
//! command line's `sweep.csv` and `compare.csv`. `scalesim/__init__.py` turns them into dicts and
//! DataFrames. A scenario's problems raise `ScenarioError` with the first problem's file, line,
//! column and field, and every problem in `problems`.

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use scalesim::report::compare::{CompareRun, compare_csv};
use scalesim::report::to_json;
use scalesim::sweep::{Grid, SweepError, SweepPlan, Vary, execute, validate_grid};
use scalesim::{Override, RunOptions, Scenario, ScenarioError as CoreError};

create_exception!(
    _core,
    ScenarioError,
    PyValueError,
    "A scenario's problems: `file`, `line`, `column`, `field` and `message` of the first, \
     `problems` (a list of dicts with those keys) for all; str() is what the command line prints."
);

/// The Python exception for a scenario's problems.
fn scenario_error(py: Python<'_>, e: &CoreError, prefix: &str) -> PyErr {
    let err = ScenarioError::new_err(format!("{prefix}{e}"));
    let value = err.value(py);
    let problems: Vec<Bound<'_, PyDict>> = e
        .problems
        .iter()
        .map(|p| {
            let d = PyDict::new(py);
            // Setting plain values on a new dict cannot fail.
            let _ = d.set_item("file", &e.source);
            let _ = d.set_item("line", p.line);
            let _ = d.set_item("column", p.column);
            let _ = d.set_item("field", &p.path);
            let _ = d.set_item("message", &p.message);
            d
        })
        .collect();
    if let Some(first) = problems.first() {
        for key in ["file", "line", "column", "field", "message"] {
            if let Ok(Some(v)) = first.get_item(key) {
                let _ = value.setattr(key, v);
            }
        }
    }
    let _ = value.setattr("problems", problems);
    err
}

/// Reads `path=value` overrides.
fn overrides(sets: Vec<String>) -> PyResult<Vec<Override>> {
    sets.iter()
        .map(|s| {
            s.parse()
                .map_err(|e: String| PyValueError::new_err(format!("set: {e}")))
        })
        .collect()
}

fn parse(py: Python<'_>, text: &str, source: &str, sets: &[Override]) -> PyResult<Scenario> {
    Scenario::parse(text, source, sets).map_err(|e| scenario_error(py, &e, ""))
}

/// Runs one scenario: its JSON summary (as `scalesim run --json - --no-wall-clock`), and its
/// traces as JSON lines when `trace_sample` > 0.
#[pyfunction]
#[pyo3(signature = (text, source, sets, seed=None, trace_sample=0.0))]
fn run(
    py: Python<'_>,
    text: &str,
    source: &str,
    sets: Vec<String>,
    seed: Option<u64>,
    trace_sample: f64,
) -> PyResult<(String, String)> {
    let sets = overrides(sets)?;
    let sc = parse(py, text, source, &sets)?;
    if !(0.0..=1.0).contains(&trace_sample) {
        return Err(PyValueError::new_err(format!(
            "trace_sample: expected a share from 0 to 1, found {trace_sample}"
        )));
    }
    let opts = RunOptions {
        seed,
        no_wall_clock: true,
        trace_sample,
    };
    let report = py
        .detach(|| scalesim::run(&sc, &opts))
        .map_err(|e| PyRuntimeError::new_err(format!("{source}: {e}")))?;
    Ok((to_json(&report), scalesim::report::trace::to_jsonl(&report)))
}

/// Runs a grid of parameter values on all cores: the sweep's CSV, as `scalesim sweep` writes it.
#[pyfunction]
#[pyo3(signature = (text, source, sets, vary, replications=1, seed=None))]
fn sweep(
    py: Python<'_>,
    text: &str,
    source: &str,
    sets: Vec<String>,
    vary: Vec<String>,
    replications: u64,
    seed: Option<u64>,
) -> PyResult<String> {
    let sets = overrides(sets)?;
    let params = vary
        .iter()
        .map(|v| {
            v.parse::<Vary>()
                .map_err(|e| PyValueError::new_err(format!("vary: {e}")))
        })
        .collect::<PyResult<Vec<Vary>>>()?;
    let grid = Grid::new(params, replications).map_err(PyValueError::new_err)?;
    let sweep_err = |py: Python<'_>, e: SweepError| match e {
        SweepError::Scenario { values, error } => {
            scenario_error(py, &error, &format!("with {values}:\n"))
        }
        SweepError::Input(m) => PyValueError::new_err(m),
        e => PyRuntimeError::new_err(e.to_string()),
    };
    let file_seed = validate_grid(text, source, &sets, &grid).map_err(|e| sweep_err(py, e))?;
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("sweep.csv");
    let plan = SweepPlan {
        text,
        source,
        sets: &sets,
        grid: &grid,
        base_seed: seed.unwrap_or(file_seed),
        partition: None,
        csv: &csv,
        resume: false,
    };
    py.detach(|| execute(&plan, &|_, _| {}))
        .map_err(|e| sweep_err(py, e))?;
    Ok(std::fs::read_to_string(&csv)?)
}

/// Runs several scenarios with one seed (the first's unless given), on all cores: the
/// comparison's CSV, as `scalesim compare` writes `compare.csv`.
#[pyfunction]
#[pyo3(signature = (scenarios, sets, seed=None))]
fn compare(
    py: Python<'_>,
    scenarios: Vec<(String, String)>,
    sets: Vec<String>,
    seed: Option<u64>,
) -> PyResult<String> {
    if scenarios.is_empty() {
        return Err(PyValueError::new_err("compare needs at least one scenario"));
    }
    let sets = overrides(sets)?;
    let parsed = scenarios
        .iter()
        .map(|(text, source)| parse(py, text, source, &sets))
        .collect::<PyResult<Vec<Scenario>>>()?;
    let seed = seed.unwrap_or(parsed[0].seed);
    let opts = RunOptions {
        seed: Some(seed),
        no_wall_clock: true,
        ..Default::default()
    };
    let runs = py.detach(|| {
        use rayon::prelude::*;
        parsed
            .par_iter()
            .zip(&scenarios)
            .map(|(sc, (_, source))| {
                scalesim::run(sc, &opts)
                    .map(|rep| CompareRun::new(std::path::Path::new(source), rep).offered_by(sc))
                    .map_err(|e| format!("{source}: {e}"))
            })
            .collect::<Result<Vec<CompareRun>, String>>()
    });
    let runs = runs.map_err(PyRuntimeError::new_err)?;
    Ok(compare_csv(&runs))
}

/// The module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    Ok(())
}
