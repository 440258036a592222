"""Tests of the scalesim Python package: the same numbers as the command line, errors with
their place, sweeps and comparisons as tables.

Run from the repository root after `pip install ./python pytest` (and pandas for the
DataFrame test): `pytest python/tests`. The command line's answers come from the release
binary ($SCALESIM, default target/release/scalesim).
"""

import csv
import io
import json
import os
import pathlib
import subprocess
import sys

import pytest

import scalesim

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("SCALESIM", str(ROOT / "target" / "release" / "scalesim"))
STAGE = "scenarios/01-single-server.yaml"
SHORT = {"duration": "20s", "warmup": "2s"}


def cli(*args: str) -> str:
    r = subprocess.run([BIN, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return r.stdout


def cli_sets(sets):
    out = []
    for k, v in sets.items():
        out += ["--set", f"{k}={v}"]
    return out


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_run_is_the_command_lines_json():
    sets = {**SHORT, "app.workers": 12}
    got = scalesim.run(STAGE, seed=7, set=sets)
    want = json.loads(cli("run", STAGE, "--seed", "7", *cli_sets(sets), "--json", "-", "--no-wall-clock"))
    assert got == want
    assert got["seed"] == 7 and got["requests"]["offered"] > 0


def test_run_takes_text_and_traces():
    text = (ROOT / STAGE).read_text()
    got = scalesim.run(text, set=SHORT, source="mine.yaml", traces=0.01)
    assert got["requests"]["completed"] > 0
    assert len(got["traces"]) > 10
    assert {"class", "start_ms", "spans"} <= set(got["traces"][0])
    # Traces have their own random stream: the figures are those of an untraced run.
    plain = scalesim.run(pathlib.Path(STAGE), set=SHORT)
    del got["traces"]
    assert got == plain


def test_a_bad_scenario_raises_with_file_line_column_and_field():
    text = (ROOT / STAGE).read_text().replace("workers: 8", "workers: lots", 1)
    with pytest.raises(scalesim.ScenarioError) as e:
        scalesim.run(text, source="bad.yaml")
    err = e.value
    assert isinstance(err, ValueError)
    assert err.file == "bad.yaml"
    assert err.field == "components.app.workers"
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "workers: lots" in l)
    assert err.line == line and err.column > 1
    assert "expected" in err.message
    assert str(err).startswith(f"bad.yaml:{line}:{err.column}: components.app.workers: ")
    assert len(err.problems) == 1 and err.problems[0]["line"] == line
    with pytest.raises(scalesim.ScenarioError) as e:
        scalesim.run(STAGE, set={"app.count": -1})
    assert e.value.field == "components.app.count"


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def same_row(got, want):
    """A row of ours against a CSV row of the command line's: the same keys and values."""
    assert list(got) == list(want)
    for k, w in want.items():
        g = got[k]
        if w == "":
            assert g is None, (k, g)
        elif isinstance(g, int):
            assert g == int(w), (k, g, w)
        elif isinstance(g, float):
            assert g == float(w), (k, g, w)
        else:
            assert g == w, (k, g, w)


def test_sweep_rows_are_the_command_lines(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # the list-of-dicts form
    rows = scalesim.sweep(STAGE, vary={"app.workers": [4, 8]}, replications=2, set=SHORT)
    assert [r["app.workers"] for r in rows] == [4, 4, 8, 8]
    assert rows[2]["throughput_rps"] > rows[0]["throughput_rps"]
    out = tmp_path / "sweep.csv"
    cli("sweep", STAGE, "--vary", "app.workers=4,8", "--replications", "2", *cli_sets(SHORT),
        "--csv", str(out), "--out", str(tmp_path), "--quiet")
    want = rows_of(out.read_text())
    assert len(want) == len(rows)
    for got, w in zip(rows, want):
        same_row(got, w)


def test_compare_rows_are_the_command_lines(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    files = [STAGE, "scenarios/02-app-db-separation.yaml"]
    rows = scalesim.compare(files, set=SHORT)
    cli("compare", *files, *cli_sets(SHORT), "--out", str(tmp_path), "--quiet")
    want = rows_of((tmp_path / "compare.csv").read_text())
    assert len(rows) == 2 == len(want)
    for got, w in zip(rows, want):
        same_row(got, w)


def test_tables_are_dataframes_with_pandas():
    pandas = pytest.importorskip("pandas")
    df = scalesim.sweep(STAGE, vary={"app.workers": "4,8"}, set=SHORT)
    assert isinstance(df, pandas.DataFrame)
    assert list(df["app.workers"]) == [4, 8]
    assert df["throughput_rps"].iloc[1] > df["throughput_rps"].iloc[0]
