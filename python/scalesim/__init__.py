"""scalesim from Python: run a scenario, sweep its parameters, compare designs.

>>> import scalesim
>>> summary = scalesim.run("scenarios/03-load-balancer.yaml", seed=7, set={"web.count": 6})
>>> summary["throughput_rps"], summary["latency_ms"]["p99"]
>>> df = scalesim.sweep("scenarios/03-load-balancer.yaml", vary={"web.count": "1..8"})
>>> df = scalesim.compare(["scenarios/02-app-db-separation.yaml", "scenarios/03-load-balancer.yaml"])

The numbers are the command line's: `run` returns the JSON summary that
`scalesim run FILE --json - --no-wall-clock` prints, parsed; `sweep` and `compare` return the
rows of the CSV files `scalesim sweep` and `scalesim compare` write, as a pandas DataFrame when
pandas is installed and as a list of dicts otherwise. Runs happen in native code and release
the GIL; sweeps and comparisons use every core.

A scenario is a path (a `str` without a newline, or an `os.PathLike`) or YAML text (a `str`
with a newline; its name in messages is `source`). `set` maps `--set` paths to values:
numbers and strings as they are, booleans as `true`/`false`, lists and dicts as flow YAML.
A scenario with problems raises `ScenarioError`, a `ValueError` carrying the first problem's
`file`, `line`, `column`, `field` and `message`, and every problem in `problems`.
"""

import csv
import io
import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _core

__all__ = ["run", "sweep", "compare", "ScenarioError"]

ScenarioError = _core.ScenarioError

Scenario = Union[str, "os.PathLike[str]"]


def _read(scenario: Scenario, source: Optional[str]) -> Tuple[str, str]:
    """The scenario's text and its name in messages."""
    if isinstance(scenario, str) and "\n" in scenario:
        return scenario, source or "<text>"
    path = os.fspath(scenario)
    with open(path, encoding="utf-8") as f:
        return f.read(), source or path


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v)
    return str(v)


def _sets(set: Optional[Mapping[str, Any]]) -> List[str]:
    return [f"{k}={_value(v)}" for k, v in (set or {}).items()]


def _number(text: str) -> Any:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _table(text: str) -> Any:
    """CSV text as a DataFrame (pandas installed) or a list of dicts with numbers parsed."""
    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None:
        return pandas.read_csv(io.StringIO(text))
    return [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def run(
    scenario: Scenario,
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    *,
    source: Optional[str] = None,
    traces: float = 0.0,
) -> Dict[str, Any]:
    """Runs one scenario and returns its JSON summary as a dict.

    `seed` replaces the scenario's; `traces` (0 to 1) samples that share of requests and puts
    their records (as `--trace` writes them) under the key "traces".
    """
    text, name = _read(scenario, source)
    summary, trace_lines = _core.run(text, name, _sets(set), seed, float(traces))
    out = json.loads(summary)
    if traces > 0:
        out["traces"] = [json.loads(line) for line in trace_lines.splitlines() if line]
    return out


def _spec(values: Union[str, Iterable[Any]]) -> str:
    if isinstance(values, str):
        return values
    return ",".join(_value(v) for v in values)


def sweep(
    scenario: Scenario,
    vary: Mapping[str, Union[str, Iterable[Any]]],
    replications: int = 1,
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    *,
    source: Optional[str] = None,
) -> Any:
    """Runs the scenario over the grid `vary` spans, on every core.

    `vary` maps a path to its values: a list, or the command line's spec ("1..8",
    "1000..5000:500", "1,2,4"). Returns one row per run: the varied values, the replication,
    the seed and the headline figures (the columns of `scalesim sweep`'s CSV).
    """
    text, name = _read(scenario, source)
    specs = [f"{path}={_spec(values)}" for path, values in vary.items()]
    return _table(_core.sweep(text, name, _sets(set), specs, int(replications), seed))


def compare(
    scenarios: Sequence[Scenario],
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
) -> Any:
    """Runs several scenarios with one seed (the first's unless given), on every core.

    Returns one row per scenario, in order: the columns of `scalesim compare`'s compare.csv.
    """
    files = [_read(s, None) for s in scenarios]
    return _table(_core.compare(files, _sets(set), seed))
