"""Checks `scalesim schema` with an independent validator (Python's jsonschema).

Usage: python tests/schema_check.py SCHEMA.json [--scalesim PATH]

1. Every shipped scenario (scenarios/*.yaml, scenarios/failures/*.yaml,
   scenarios/validation/*.yaml) is valid against the schema (Draft202012Validator), and opens
   with the yaml-language-server comment that points editors at scenario.schema.json.
2. Inputs the parser rejects (an unknown key, a negative count, a bad duration, an unknown
   component kind, wrong distribution forms, ...) are rejected by the schema too. With
   --scalesim, each is also given to `scalesim validate -`, which must reject it as well, so
   the list stays a list of inputs the parser rejects.
3. Every key's `default` is valid against the key's own schema.

The files are read by the YAML 1.2 core schema, as scalesim reads them (PyYAML's defaults are
YAML 1.1's: `1e5` would be text and `08` an error). Exits 1 on the first of these checks
that fails, after printing every failure of it.
"""

import argparse
import copy
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ["scenarios", "scenarios/failures", "scenarios/validation"]


class CoreLoader(yaml.SafeLoader):
    """A safe loader whose plain scalars resolve by the YAML 1.2 core schema."""


CoreLoader.yaml_implicit_resolvers = {}
_INT = re.compile(r"^([-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$")
_FLOAT = re.compile(
    r"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$"
)
for tag, regexp, first in [
    ("tag:yaml.org,2002:null", re.compile(r"^(~|null|Null|NULL|)$"), list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", re.compile(r"^(true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789")),
]:
    CoreLoader.add_implicit_resolver(tag, regexp, first)


def _int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0x"):
        return int(text[2:], 16)
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 10)


def _float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)


def _bool(loader, node):
    return loader.construct_scalar(node).lower() == "true"


CoreLoader.add_constructor("tag:yaml.org,2002:int", _int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", _float)
CoreLoader.add_constructor("tag:yaml.org,2002:bool", _bool)


def load(text):
    return yaml.load(text, Loader=CoreLoader)


def shipped():
    files = []
    for folder in FOLDERS:
        files.extend(sorted((ROOT / folder).glob("*.yaml")))
    return files


def errors(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))


def where(e):
    return ".".join(str(p) for p in e.absolute_path) or "(top)"


def check_shipped(validator):
    failures = []
    files = shipped()
    for path in files:
        rel = path.relative_to(ROOT)
        text = path.read_text(encoding="utf-8")
        depth = len(rel.parts) - 1
        want = "# yaml-language-server: $schema=" + "../" * depth + "scenario.schema.json"
        first = text.split("\n", 1)[0]
        if first != want:
            failures.append(f"{rel}: first line is `{first}`, expected `{want}`")
        for e in errors(validator, load(text)):
            failures.append(f"{rel}: {where(e)}: {e.message}")
    return len(files), failures


def bad_cases(base):
    """(what, document) pairs the parser rejects; `base` is scenarios/01-single-server.yaml."""

    def variant(change):
        doc = copy.deepcopy(base)
        change(doc)
        return doc

    app = lambda d: d["components"]["app"]  # noqa: E731
    return [
        ("an unknown top-level key", variant(lambda d: d.update(seeds=3))),
        ("an unknown component key", variant(lambda d: app(d).update(wrokers=8))),
        ("an unknown traffic key", variant(lambda d: d["traffic"].update(rates=10))),
        ("a missing required key", variant(lambda d: d.pop("entry"))),
        ("a negative count", variant(lambda d: app(d).update(count=-2))),
        ("a negative worker count", variant(lambda d: app(d).update(workers=-1))),
        ("a fractional count", variant(lambda d: app(d).update(count=1.5))),
        ("a negative seed", variant(lambda d: d.update(seed=-1))),
        ("a duration without a unit", variant(lambda d: d.update(duration=120))),
        ("a duration with an unknown unit", variant(lambda d: d.update(duration="2 sec"))),
        ("a negative duration", variant(lambda d: d.update(warmup="-3s"))),
        ("a duration with an exponent", variant(lambda d: d.update(duration="1e3s"))),
        ("a size without a unit", variant(lambda d: d["traffic"]["classes"][0].update(size=512))),
        ("a size in lower case", variant(lambda d: d["traffic"]["classes"][0].update(size="5kb"))),
        ("an unknown component kind", variant(lambda d: app(d).update(kind="server_group"))),
        ("a key the kind does not take", variant(lambda d: d["components"]["dns"].update(workers=4))),
        ("an unknown balancing policy", variant(lambda d: d["components"].update(
            lb={"kind": "load_balancer", "to": "app", "policy": "fastest"}))),
        ("an eviction policy on a balancer", variant(lambda d: d["components"].update(
            lb={"kind": "load_balancer", "to": "app", "policy": "lru"}))),
        ("an unknown arrival process", variant(lambda d: d["traffic"].update(arrival="bursty"))),
        ("a waiting room of `infinite`", variant(lambda d: app(d).update(queue="infinite"))),
        ("an unknown distribution", variant(lambda d: app(d).update(service={"gamma": "4ms"}))),
        ("two distributions in one map",
         variant(lambda d: app(d).update(service={"exp": "4ms", "const": "1ms"}))),
        ("a distribution that is not a map", variant(lambda d: app(d).update(service="4ms"))),
        ("an empty distribution map", variant(lambda d: app(d).update(service={}))),
        ("a uniform with one bound", variant(lambda d: app(d).update(service={"uniform": ["1ms"]}))),
        ("an empirical without samples",
         variant(lambda d: app(d).update(service={"empirical": []}))),
        ("a log-normal mixing its forms",
         variant(lambda d: app(d).update(service={"lognormal": {"mean": "4ms", "p99": "9ms"}}))),
        ("a log-normal with half a form",
         variant(lambda d: app(d).update(service={"lognormal": {"median": "4ms"}}))),
        ("a normal without its sd", variant(lambda d: app(d).update(service={"normal": {"mean": "4ms"}}))),
        ("an erlang with a key too many",
         variant(lambda d: app(d).update(service={"erlang": {"k": 2, "mean": "4ms", "sd": "1ms"}}))),
        ("a boolean that is text", variant(lambda d: d["traffic"]["classes"][0].update(session="yes"))),
        ("a rate that is text", variant(lambda d: d["traffic"].update(rate="fast"))),
    ]


def check_defaults(schema):
    """Every key's `default` is valid against the key's own schema."""
    failures = []
    n = 0
    objects = [("(top)", schema)] + list(schema["$defs"].items())
    for name, obj in objects:
        for key, prop in obj.get("properties", {}).items():
            if "default" not in prop:
                continue
            n += 1
            alone = dict(prop, **{"$defs": schema["$defs"]})
            alone.pop("default")
            v = jsonschema.Draft202012Validator(alone)
            for e in v.iter_errors(prop["default"]):
                failures.append(f"{name}.{key}: default {prop['default']!r}: {e.message}")
    return n, failures


def check_bad(validator, scalesim):
    base = load((ROOT / "scenarios/01-single-server.yaml").read_text(encoding="utf-8"))
    failures = []
    cases = bad_cases(base)
    for what, doc in cases:
        if not errors(validator, doc):
            failures.append(f"the schema accepts {what}")
        if scalesim:
            text = yaml.safe_dump(doc, sort_keys=False)
            run = subprocess.run(
                [scalesim, "validate", "-"], input=text, capture_output=True, text=True
            )
            if run.returncode != 1:
                failures.append(
                    f"scalesim validate exits {run.returncode} on {what}, expected 1 "
                    f"(not a case the parser rejects?)"
                )
    return len(cases), failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("schema", help="the output of `scalesim schema`")
    ap.add_argument("--scalesim", help="the scalesim binary: check that it rejects the bad cases")
    a = ap.parse_args()
    schema = json.loads(Path(a.schema).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    n, failures = check_shipped(validator)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    print(f"{n} shipped scenarios valid against the schema")

    n, failures = check_defaults(schema)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    print(f"{n} defaults valid against their keys' schemas")

    n, failures = check_bad(validator, a.scalesim)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    checked = " and by scalesim validate" if a.scalesim else ""
    print(f"{n} bad inputs rejected by the schema{checked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
