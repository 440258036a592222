//! The documentation is complete: every scenario key the parser accepts, every output a run
//! writes, every subcommand and flag, and every scenario's opening comment is documented, and
//! every relative link in the docs leads somewhere. The lists come from the code (serde's
//! field names, the per-kind key lists of `resolve`, clap's help, real runs), never from a
//! copy kept here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, IntoDeserializer, Visitor};
use serde_json::Value;

use scalesim::metrics::headline::Headline;
use scalesim::metrics::replications::Replications;
use scalesim::report::compare::{CompareRun, compare_csv, compare_json};
use scalesim::report::csv::{scaling_csv, summary_csv, timeseries_csv};
use scalesim::report::json::to_json;
use scalesim::report::replications::to_json_with_replications;
use scalesim::report::trace::to_jsonl;
use scalesim::scenario::raw::{self, Kind};
use scalesim::scenario::resolve::fields_with_geo;
use scalesim::{Override, RunOptions, Scenario};

use crate::{all_scenarios, load, ok, root, run_seed, scalesim};

// ---------------------------------------------------------------------------------------
// Reading the Markdown

fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One heading and the lines up to the next heading (outside code fences).
struct Section<'a> {
    level: usize,
    title: String,
    lines: Vec<&'a str>,
}

/// The sections of a Markdown text; `#` lines inside code fences are not headings.
fn sections(md: &str) -> Vec<Section<'_>> {
    let mut out = vec![Section {
        level: 0,
        title: String::new(),
        lines: Vec::new(),
    }];
    let mut fence = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !fence && hashes > 0 && line[hashes..].starts_with(' ') {
            out.push(Section {
                level: hashes,
                title: line[hashes..].trim().to_string(),
                lines: Vec::new(),
            });
        } else {
            out.last_mut().expect("a section").lines.push(line);
        }
    }
    out
}

/// The lines of the section titled `title`, with its subsections when `subs`.
fn section<'a>(secs: &[Section<'a>], title: &str, subs: bool) -> Vec<&'a str> {
    let i = secs
        .iter()
        .position(|s| s.title == title)
        .unwrap_or_else(|| panic!("no section `{title}`"));
    let mut lines = secs[i].lines.clone();
    if subs {
        for s in secs[i + 1..].iter().take_while(|s| s.level > secs[i].level) {
            lines.extend(&s.lines);
        }
    }
    lines
}

/// The texts between backticks in `text`.
fn ticks(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The cells of a table row, or `None` for a line that is not a row (or is the separator).
fn cells(line: &str) -> Option<Vec<String>> {
    let l = line.trim();
    if !l.starts_with('|') || l.starts_with("|---") || l.starts_with("| ---") {
        return None;
    }
    let inner = l.trim_start_matches('|').trim_end_matches('|');
    Some(inner.split('|').map(|c| c.trim().to_string()).collect())
}

/// The backticked names in the first cell of every table row of `lines`.
fn row_keys(lines: &[&str]) -> BTreeSet<String> {
    lines
        .iter()
        .filter_map(|l| cells(l))
        .flat_map(|c| ticks(&c[0]))
        .collect()
}

/// Every backticked text of `lines`.
fn mentions(lines: &[&str]) -> BTreeSet<String> {
    lines.iter().flat_map(|l| ticks(l)).collect()
}

// ---------------------------------------------------------------------------------------
// serde's own names for the scenario's raw types

/// A deserializer that records the field names of the struct (or the variant names of the
/// enum) asked of it, then stops.
struct Names<'a>(&'a mut Vec<&'static str>);

impl<'de> Deserializer<'de> for Names<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct or an enum"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.extend_from_slice(fields);
        Err(de::Error::custom("names taken"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.extend_from_slice(variants);
        Err(de::Error::custom("names taken"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// The YAML names of a raw struct's fields, or of a raw enum's variants.
fn names<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
    let mut v = Vec::new();
    let _ = T::deserialize(Names(&mut v));
    assert!(!v.is_empty(), "{}: no names", std::any::type_name::<T>());
    v
}

/// Every component kind, as written in a scenario.
fn kinds() -> Vec<(&'static str, Kind)> {
    names::<Kind>()
        .into_iter()
        .map(|n| {
            let d: de::value::StrDeserializer<'_, de::value::Error> = n.into_deserializer();
            (n, Kind::deserialize(d).expect("a kind"))
        })
        .collect()
}

/// How a struct's keys must show in its section.
#[derive(Clone, Copy)]
enum Shown {
    /// In the first cell of a table row: the table gives type, unit and default.
    Row,
    /// Between backticks anywhere in the section (parameters written inline).
    Mention,
}

#[test]
fn every_scenario_key_is_in_the_reference() {
    use Shown::{Mention, Row};
    let md = read("docs/scenario-reference.md");
    let secs = sections(&md);
    let structs: Vec<(&str, Vec<&str>, &[&str], Shown)> = vec![
        (
            "top level",
            names::<raw::RawScenario>(),
            &["Top level"],
            Row,
        ),
        ("traffic", names::<raw::RawTraffic>(), &["traffic"], Row),
        (
            "profile",
            names::<raw::RawProfilePoint>(),
            &["profile"],
            Row,
        ),
        ("class", names::<raw::RawClass>(), &["classes"], Row),
        (
            "transfer_prices",
            names::<raw::RawTransferPrices>(),
            &["data transfer"],
            Row,
        ),
        ("keys", names::<raw::RawKeys>(), &["classes"], Row),
        ("retries", names::<raw::RawRetries>(), &["retries"], Row),
        ("network", names::<raw::RawNetwork>(), &["network"], Row),
        ("link", names::<raw::RawLink>(), &["network"], Row),
        (
            "region",
            names::<raw::RawRegion>(),
            &["regions and datacenters"],
            Row,
        ),
        (
            "datacenter",
            names::<raw::RawDatacenter>(),
            &["regions and datacenters"],
            Row,
        ),
        (
            "health_check",
            names::<raw::RawHealthCheck>(),
            &["health_check"],
            Row,
        ),
        (
            "autoscale",
            names::<raw::RawAutoscale>(),
            &["autoscale"],
            Row,
        ),
        (
            "autoscale.target",
            names::<raw::RawScaleTarget>(),
            &["autoscale"],
            Mention,
        ),
        (
            "rate_limit",
            names::<raw::RawTokenBucket>(),
            &["rate_limit"],
            Row,
        ),
        ("shedding", names::<raw::RawShedding>(), &["shedding"], Row),
        ("codel", names::<raw::RawCodel>(), &["shedding"], Row),
        (
            "downstream",
            names::<raw::RawDownstream>(),
            &["downstream"],
            Row,
        ),
        ("breaker", names::<raw::RawBreaker>(), &["breaker"], Row),
        (
            "bulkhead",
            names::<raw::RawBulkhead>(),
            &["bulkhead and pool"],
            Row,
        ),
        ("pool", names::<raw::RawPool>(), &["bulkhead and pool"], Row),
        ("hedge", names::<raw::RawHedge>(), &["hedge"], Row),
        ("fault", names::<raw::RawFault>(), &["faults", "Verbs"], Row),
        (
            "migration",
            names::<raw::RawMigration>(),
            &["Migration"],
            Row,
        ),
        (
            "normal",
            names::<raw::NormalParams>(),
            &["Distributions"],
            Mention,
        ),
        (
            "lognormal",
            names::<raw::LogNormalParams>(),
            &["Distributions"],
            Mention,
        ),
        (
            "pareto",
            names::<raw::ParetoParams>(),
            &["Distributions"],
            Mention,
        ),
        (
            "erlang",
            names::<raw::ErlangParams>(),
            &["Distributions"],
            Mention,
        ),
    ];
    let mut missing = Vec::new();

    // The other way: a row in a section of keys names a key of that section (or, under
    // regions and datacenters, the component key `datacenter`).
    let mut by_section: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (_, keys, titles, shown) in &structs {
        if matches!(shown, Row) {
            for t in *titles {
                by_section
                    .entry(t)
                    .or_default()
                    .extend(keys.iter().copied());
            }
        }
    }
    by_section
        .entry("regions and datacenters")
        .or_default()
        .insert("datacenter");
    for (title, keys) in &by_section {
        for row in row_keys(&section(&secs, title, false)) {
            if !keys.contains(row.as_str()) {
                missing.push(format!(
                    "section `{title}` has a row for `{row}`, which is not one of its keys"
                ));
            }
        }
    }

    for (what, keys, titles, shown) in &structs {
        let mut documented = BTreeSet::new();
        for t in *titles {
            let lines = section(&secs, t, false);
            documented.extend(match shown {
                Row => row_keys(&lines),
                Mention => mentions(&lines),
            });
        }
        for k in keys {
            if !documented.contains(*k) {
                missing.push(format!("{what}: `{k}` (sections {titles:?})"));
            }
        }
    }

    // Every distribution name, in the table of forms.
    let forms = row_keys(&section(&secs, "Distributions", false));
    for name in raw::DIST_NAMES.split(", ") {
        if !forms.iter().any(|f| f.starts_with(&format!("{{{name}:"))) {
            missing.push(format!("distribution `{name}` (section Distributions)"));
        }
    }

    // Every value of a named option, somewhere in the reference.
    let all = mentions(&md.lines().collect::<Vec<_>>());
    let enums = [
        ("arrival", names::<raw::ArrivalKind>()),
        ("op", names::<raw::Op>()),
        ("jitter", names::<raw::Jitter>()),
        ("kind", names::<Kind>()),
        ("load balancer policy", names::<raw::LbPolicy>()),
        ("strategy", names::<raw::ShardStrategy>()),
        ("shard_key", names::<raw::ShardKey>()),
        ("read_from", names::<raw::ReadFrom>()),
        ("replication", names::<raw::Replication>()),
        ("write_policy", names::<raw::WritePolicy>()),
        ("session", names::<raw::SessionMode>()),
        ("session_lost", names::<raw::SessionLost>()),
    ];
    for (what, values) in enums {
        for v in values {
            if !all.iter().any(|t| t == v || t.contains(&format!(": {v}"))) {
                missing.push(format!("{what} value `{v}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/scenario-reference.md against the parser:\n  {}",
        missing.join("\n  ")
    );
}

/// The policies a kind's `policy` takes, as the parser lists them when given an unknown one.
fn policies_of(message: &str, what: &str) -> Vec<String> {
    let line = message
        .lines()
        .find(|l| l.contains(&format!("unknown {what} `")))
        .unwrap_or_else(|| panic!("no `unknown {what}` in:\n{message}"));
    let (_, list) = line.split_once("expected one of ").expect("a list");
    list.split(", ").map(|p| p.trim().to_string()).collect()
}

#[test]
fn every_policy_is_in_the_reference() {
    let text = "name: t\nduration: 2s\nentry: lb\n\
        traffic: {rate: 10, classes: [{name: s, weight: 1, static: true}, {name: r, weight: 1}]}\n\
        components:\n  \
        lb: {kind: load_balancer, to: web, policy: x}\n  \
        web: {kind: server, workers: 1, service: {const: 1ms}, calls: [c]}\n  \
        c: {kind: cache, capacity: 10, latency: {const: 1ms}, miss: db, policy: x}\n  \
        cdn: {kind: cdn, capacity: 10, latency: {const: 1ms}, origin: lb, policy: x}\n  \
        db: {kind: database, workers: 1, read: {const: 1ms}, write: {const: 1ms}}\n";
    let message = Scenario::parse(text, "<test>", &[])
        .expect_err("unknown policies are errors")
        .to_string();
    let md = read("docs/scenario-reference.md");
    let secs = sections(&md);
    let mut missing = Vec::new();
    for (kind, what) in [
        ("load_balancer", "load balancing policy"),
        ("cache", "eviction policy"),
        ("cdn", "eviction policy"),
    ] {
        let row = section(&secs, kind, false)
            .into_iter()
            .filter_map(cells)
            .find(|r| r[0] == "`policy`")
            .unwrap_or_else(|| panic!("no `policy` row for {kind}"));
        let documented = ticks(&row.join(" | "));
        for p in policies_of(&message, what) {
            if !documented.contains(&p) {
                missing.push(format!("{kind} policy `{p}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/scenario-reference.md:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_component_key_table_matches_the_parser() {
    let md = read("docs/scenario-reference.md");
    let secs = sections(&md);
    let kinds = kinds();

    // serde's fields are exactly `kind` and the keys some kind accepts.
    let serde_fields: BTreeSet<&str> = names::<raw::RawComponent>().into_iter().collect();
    let mut accepted: BTreeSet<&str> = kinds
        .iter()
        .flat_map(|&(_, k)| fields_with_geo(k, true))
        .collect();
    accepted.insert("kind");
    assert_eq!(
        serde_fields, accepted,
        "raw component fields against the keys the kinds accept"
    );

    // The table in `components`: a row per key, a column per kind, `—` where the key is an error.
    let lines = section(&secs, "components", false);
    let rows: Vec<Vec<String>> = lines.iter().filter_map(|l| cells(l)).collect();
    let header = rows
        .iter()
        .find(|r| r[0] == "key" && r.len() > 2)
        .expect("the key-by-kind table");
    let mut problems = Vec::new();
    let mut table: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for &(name, _) in &kinds {
        let Some(col) = header.iter().position(|h| h == name) else {
            problems.push(format!("no column for kind `{name}`"));
            continue;
        };
        let set = table.entry(name).or_default();
        for r in rows
            .iter()
            .filter(|r| r.len() == header.len() && r[0] != "key")
        {
            if r[col] != "—" {
                set.extend(ticks(&r[0]));
            }
        }
    }
    for &(name, kind) in &kinds {
        let code: BTreeSet<String> = fields_with_geo(kind, true)
            .into_iter()
            .map(str::to_string)
            .collect();
        let docs = table.get(name).cloned().unwrap_or_default();
        for k in code.difference(&docs) {
            problems.push(format!(
                "`{k}` is accepted by a {name} but the table says —"
            ));
        }
        for k in docs.difference(&code) {
            problems.push(format!(
                "`{k}` is an error for a {name} but the table gives it"
            ));
        }

        // The kind's own section has a row for each of its keys (`datacenter` is described
        // once, under regions and datacenters).
        let own = row_keys(&section(&secs, name, true));
        for k in code.iter().filter(|k| *k != "datacenter") {
            if !own.contains(k) {
                problems.push(format!("`{k}` has no row in section `{name}`"));
            }
        }
    }
    let placement = row_keys(&section(&secs, "regions and datacenters", false));
    if !placement.contains("datacenter") {
        problems.push("`datacenter` has no row in section `regions and datacenters`".into());
    }
    assert!(
        problems.is_empty(),
        "docs/scenario-reference.md, components:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn failure_causes_are_documented_in_their_order() {
    use scalesim::scenario::{DEFAULT_RETRY_ON, FAILURE_CAUSES};
    let reference = read("docs/scenario-reference.md");
    let secs = sections(&reference);
    // `retries.on`: its default is the list in the code, and every cause is an allowed value.
    let on = section(&secs, "retries", false)
        .into_iter()
        .filter_map(cells)
        .find(|r| r[0] == "`on`")
        .expect("a row for `on`");
    let default = format!("[{}]", DEFAULT_RETRY_ON.join(", "));
    assert!(
        ticks(&on[3]).contains(&default),
        "retries `on`: the default is `{default}`: {}",
        on[3]
    );
    let allowed = ticks(&on[4]);
    for cause in FAILURE_CAUSES {
        assert!(
            allowed.iter().any(|t| t == cause),
            "retries `on`: `{cause}`"
        );
    }

    // The JSON `errors` table lists every cause, in the order the report writes them.
    let output = read("docs/output.md");
    let secs = sections(&output);
    let rows: Vec<String> = section(&secs, "`errors`", false)
        .into_iter()
        .filter_map(cells)
        .flat_map(|r| ticks(&r[0]))
        .collect();
    let report_order: Vec<&str> = scalesim::model::Cause::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(rows, report_order, "docs/output.md, `errors`");
    assert_eq!(
        report_order, FAILURE_CAUSES,
        "the causes a scenario may name"
    );
}

// ---------------------------------------------------------------------------------------
// Outputs

/// Runs that together give every figure a run can write: caches and a cdn, sessions,
/// replication and failover, a queue, sharding with a migration, autoscaling, regions and
/// data centers, retries. Short, with the faults moved into the short run.
const RUNS: &[(&str, &[&str])] = &[
    ("scenarios/05-cache.yaml", &["duration=4s", "warmup=1s"]),
    ("scenarios/06-cdn.yaml", &["duration=4s", "warmup=1s"]),
    (
        "scenarios/09-message-queue.yaml",
        &["duration=4s", "warmup=1s"],
    ),
    (
        "scenarios/10-sharding.yaml",
        &[
            "duration=4s",
            "warmup=1s",
            "faults=[{at: 2s, add_shard: db, migration: {rate: 1000, cost: {const: 1ms}}}]",
        ],
    ),
    (
        "scenarios/11-monitoring-and-autoscaling.yaml",
        &["duration=10s"],
    ),
    (
        "scenarios/failures/04-primary-failure.yaml",
        &[
            "duration=4s",
            "warmup=1s",
            "faults=[{at: 2s, for: 1s, fail_primary: db}]",
        ],
    ),
    (
        "scenarios/failures/07-server-loss-local-sessions.yaml",
        &[
            "duration=4s",
            "warmup=1s",
            "faults=[{at: 2s, for: 1s, crash: \"web#1\"}]",
        ],
    ),
    (
        "scenarios/failures/08-datacenter-down.yaml",
        &[
            "duration=4s",
            "warmup=1s",
            "faults=[{at: 2s, for: 1s, fail_dc: eu-west}]",
        ],
    ),
    (
        "scenarios/failures/retry-storm.yaml",
        &[
            "duration=4s",
            "warmup=1s",
            "faults=[{at: 2s, for: 1s, slow: web, factor: 2}]",
        ],
    ),
];

/// A documented name matches `name`: equal, or a pattern like `shard<i>_requests` whose
/// `<...>` part is a number or one of `names`.
fn matches(doc: &str, name: &str, names: &BTreeSet<String>) -> bool {
    if doc == name {
        return true;
    }
    let (Some(open), Some(close)) = (doc.find('<'), doc.find('>')) else {
        return false;
    };
    if close < open {
        return false;
    }
    let (prefix, suffix) = (&doc[..open], &doc[close + 1..]);
    if name.len() <= prefix.len() + suffix.len()
        || !name.starts_with(prefix)
        || !name.ends_with(suffix)
    {
        return false;
    }
    let middle = &name[prefix.len()..name.len() - suffix.len()];
    middle.bytes().all(|b| b.is_ascii_digit()) || names.contains(middle)
}

fn documented(docs: &BTreeSet<String>, name: &str, names: &BTreeSet<String>) -> bool {
    docs.iter().any(|d| matches(d, name, names))
}

/// Objects whose keys are names from the scenario (components, classes, ...), not figures.
const NAMED: [&str; 6] = [
    "figures",
    "components",
    "classes",
    "regions",
    "datacenters",
    "errors_by_component",
];

/// Every key of the JSON (names from the scenario skipped), with the path where it was met;
/// the names met go to `names`.
fn json_keys(
    v: &Value,
    path: &str,
    keys: &mut BTreeMap<String, String>,
    names: &mut BTreeSet<String>,
) {
    match v {
        Value::Object(map) => {
            let named = NAMED.iter().any(|n| path.ends_with(n));
            for (k, child) in map {
                if named {
                    names.insert(k.clone());
                } else {
                    keys.entry(k.clone()).or_insert_with(|| path.to_string());
                }
                json_keys(child, &format!("{path}.{k}"), keys, names);
            }
        }
        Value::Array(items) => {
            for item in items {
                json_keys(item, &format!("{path}[]"), keys, names);
            }
        }
        _ => {}
    }
}

/// The names a scenario gives: components, classes, regions, data centers.
fn scenario_names(json: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for group in ["components", "classes", "regions", "datacenters"] {
        if let Some(map) = json[group].as_object() {
            names.extend(map.keys().cloned());
        }
    }
    names
}

#[test]
fn every_output_is_in_the_output_reference() {
    let md = read("docs/output.md");
    let secs = sections(&md);
    let all_lines: Vec<&str> = md.lines().collect();
    // JSON keys and time-series columns are documented in a table's first cell.
    let json_docs = row_keys(&all_lines);
    let ts_docs = row_keys(&section(&secs, "timeseries.csv", false));
    let csv_docs = mentions(&section(&secs, "summary.csv", false));

    let mut missing = BTreeSet::new();
    for (file, sets) in RUNS {
        let sc = load(file, sets);
        let report = run_seed(&sc, 1);
        let json: Value = serde_json::from_str(&to_json(&report)).expect("summary JSON");
        let mut keys = BTreeMap::new();
        let mut names = scenario_names(&json);
        json_keys(&json, "", &mut keys, &mut names);
        for (k, at) in &keys {
            if !documented(&json_docs, k, &names) {
                missing.insert(format!("summary.json: `{k}` (at `{at}`, {file})"));
            }
        }

        let csv = summary_csv(&report);
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        for row in rows.records() {
            let row = row.expect("a CSV row");
            let (scope, metric) = (&row[0], &row[2]);
            let ok = csv_docs.contains(scope)
                && (documented(&csv_docs, metric, &names)
                    || (scope == "component" && documented(&json_docs, metric, &names))
                    || (scope == "error_by_component" && json_docs.contains(metric))
                    || (matches!(scope, "region" | "datacenter")
                        && metric
                            .strip_prefix("error_")
                            .is_some_and(|c| json_docs.contains(c))));
            if !ok {
                missing.insert(format!(
                    "summary.csv: scope `{scope}`, metric `{metric}` ({file})"
                ));
            }
        }

        if json.get("scaling").is_some() {
            let scaling_docs = row_keys(&section(&secs, "Scaling actions", false));
            let csv = scaling_csv(&report);
            for col in csv.lines().next().expect("a header").split(',') {
                if !scaling_docs.contains(col) {
                    missing.insert(format!("scaling.csv: column `{col}` ({file})"));
                }
            }
        }

        let ts = timeseries_csv(&report);
        let header = ts.lines().next().expect("a header");
        for col in header.split(',') {
            if !documented(&ts_docs, col, &names) {
                missing.insert(format!("timeseries.csv: column `{col}` ({file})"));
            }
        }
    }
    // `run --replications R`: the `replications` object, its keys, and the figures it holds.
    let file = "scenarios/failures/retry-storm.yaml";
    let sc = load(file, &["duration=2s", "warmup=0s", "faults=[]"]);
    let reports: Vec<_> = [1, 2].iter().map(|&seed| run_seed(&sc, seed)).collect();
    let heads: Vec<Headline> = reports.iter().map(Headline::of).collect();
    let reps = Replications::of(vec![1, 2], &heads);
    let json: Value =
        serde_json::from_str(&to_json_with_replications(&reports[0], &reps)).expect("summary JSON");
    let rep_json = json.get("replications").expect("a replications object");
    let mut keys = BTreeMap::from([("replications".to_string(), String::new())]);
    let mut figures = BTreeSet::new();
    json_keys(rep_json, ".replications", &mut keys, &mut figures);
    for (k, at) in &keys {
        if !json_docs.contains(k) {
            missing.insert(format!("summary.json: `{k}` (at `{at}`, --replications)"));
        }
    }
    let figure_docs = mentions(&section(
        &secs,
        "Replications: `run --replications R`",
        false,
    ));
    assert!(figures.len() >= 10, "figures: {figures:?}");
    for f in &figures {
        if !figure_docs.contains(f) {
            missing.insert(format!("summary.json: replications figure `{f}`"));
        }
    }

    // `run --trace`: every key of a traced request and of its spans.
    let trace_docs = row_keys(&section(&secs, "Request traces", false));
    let sc = load(
        "scenarios/failures/07-server-loss-local-sessions.yaml",
        &["duration=2s", "warmup=0s", "faults=[]"],
    );
    let report = scalesim::run(
        &sc,
        &RunOptions {
            seed: Some(1),
            no_wall_clock: true,
            trace_sample: 0.01,
        },
    )
    .expect("within the run-time bounds");
    let jsonl = to_jsonl(&report);
    assert!(jsonl.lines().count() > 10, "too few traced requests");
    let mut keys = BTreeMap::new();
    for line in jsonl.lines() {
        let v: Value = serde_json::from_str(line).expect("a JSON line");
        json_keys(&v, "", &mut keys, &mut BTreeSet::new());
    }
    for (k, at) in &keys {
        if !trace_docs.contains(k) {
            missing.insert(format!("--trace: `{k}` (at `{at}`)"));
        }
    }

    assert!(
        missing.is_empty(),
        "not in docs/output.md:\n  {}",
        missing.into_iter().collect::<Vec<_>>().join("\n  ")
    );
}

#[test]
fn sweep_and_compare_columns_are_in_the_output_reference() {
    let md = read("docs/output.md");
    let secs = sections(&md);
    let mut missing = Vec::new();

    // A sweep's CSV: its own columns, then one per `--vary` path.
    let sweep_docs = row_keys(&section(&secs, "Sweeps: `scalesim sweep`", false));
    let params = vec!["web.count".to_string()];
    for col in scalesim::sweep::csv_header(&params) {
        if !params.contains(&col) && !sweep_docs.contains(&col) {
            missing.push(format!("sweep CSV: column `{col}`"));
        }
    }

    // compare.csv: the header as the file table writes it; compare.json: its keys.
    let compare = section(&secs, "compare", false);
    let runs: Vec<CompareRun> = [
        "scenarios/01-single-server.yaml",
        "scenarios/02-app-db-separation.yaml",
    ]
    .iter()
    .map(|f| {
        let sc = load(f, &["duration=2s", "warmup=0s"]);
        CompareRun::new(Path::new(f), run_seed(&sc, 1))
    })
    .collect();
    let csv = compare_csv(&runs);
    let header = csv.lines().next().expect("a header");
    let file_rows: Vec<Vec<String>> = compare.iter().filter_map(|l| cells(l)).collect();
    let csv_row = file_rows
        .iter()
        .find(|r| r[0] == "`compare.csv`")
        .expect("a row for compare.csv");
    if !ticks(&csv_row[1]).iter().any(|t| t == header) {
        missing.push(format!("compare.csv: the header is `{header}`"));
    }
    let json: Value = serde_json::from_str(&compare_json(&runs, 1)).expect("compare JSON");
    let mut keys = BTreeMap::new();
    json_keys(&json, "", &mut keys, &mut BTreeSet::new());
    let documented: BTreeSet<String> = mentions(&compare)
        .into_iter()
        .chain(header.split(',').map(str::to_string))
        .collect();
    for (k, at) in &keys {
        // `errors` holds causes, documented with the JSON summary.
        if !documented.contains(k) && !at.ends_with(".errors") {
            missing.push(format!("compare.json: `{k}` (at `{at}`)"));
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/output.md:\n  {}",
        missing.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------
// The command line

/// The subcommands listed by `scalesim --help`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The long flags (`--seed`) and short flags (`-q`) of a help text's options.
fn flags(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in help.lines() {
        let l = line.trim_start();
        if !l.starts_with('-') {
            continue;
        }
        for word in l.split_whitespace() {
            let word = word.trim_end_matches(',');
            let long = word.starts_with("--") && word.len() > 2;
            let short = word.len() == 2 && word.starts_with('-') && word != "--";
            if long || short {
                out.push(word.to_string());
            } else if !word.starts_with('-') {
                break;
            }
        }
    }
    out
}

#[test]
fn every_subcommand_and_flag_is_documented() {
    let md = read("docs/cli.md");
    let secs = sections(&md);
    let dir = root();
    let top = ok(&scalesim(&dir, &["--help"]));
    let cmds = subcommands(&top);
    assert!(cmds.len() >= 8, "subcommands: {cmds:?}");

    let mut problems = Vec::new();
    let compare =
        |problems: &mut Vec<String>, what: &str, code: BTreeSet<String>, docs: BTreeSet<String>| {
            for f in code.difference(&docs) {
                problems.push(format!("{what}: `{f}` has no row"));
            }
            for f in docs.difference(&code) {
                problems.push(format!("{what}: `{f}` is documented but not a flag"));
            }
        };
    compare(
        &mut problems,
        "scalesim",
        flags(&top).into_iter().collect(),
        row_keys(&section(&secs, "Command line", false)),
    );
    for cmd in &cmds {
        let Some(sec) = secs.iter().find(|s| s.title == *cmd) else {
            problems.push(format!("no section `## {cmd}`"));
            continue;
        };
        if !sec
            .lines
            .iter()
            .any(|l| l.contains(&format!("scalesim {cmd}")))
        {
            problems.push(format!("section `{cmd}` never shows `scalesim {cmd}`"));
        }
        let help = ok(&scalesim(&dir, &[cmd, "--help"]));
        // `-h`/`--help` and the global `-j`/`--jobs` are documented once, for every subcommand.
        let code = flags(&help)
            .into_iter()
            .filter(|f| !["-h", "--help", "-j", "--jobs"].contains(&f.as_str()))
            .collect();
        compare(
            &mut problems,
            &format!("scalesim {cmd}"),
            code,
            row_keys(&sec.lines),
        );
    }
    assert!(
        problems.is_empty(),
        "docs/cli.md:\n  {}",
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------
// Scenario files

/// The `--set path=value` groups of a "Try:" paragraph, each with whether the text calls it
/// an error. Adjacent `--set`s are one group, applied together.
fn try_sets(text: &str) -> Vec<(Vec<String>, bool)> {
    let mut out: Vec<(Vec<String>, bool)> = Vec::new();
    let mut rest = text;
    let mut adjacent = false;
    while let Some(i) = rest.find("--set ") {
        adjacent = adjacent && rest[..i].trim().is_empty();
        let after = rest[i + 6..].trim_start();
        let (value, tail) = if let Some(quoted) = after.strip_prefix('\'') {
            let end = quoted.find('\'').expect("a closing quote");
            (quoted[..end].to_string(), &quoted[end + 1..])
        } else {
            // Up to white space, but a `{...}` or `[...]` value runs to its closing bracket.
            let mut depth = 0i32;
            let mut end = after.len();
            for (j, c) in after.char_indices() {
                match c {
                    '{' | '[' => depth += 1,
                    '}' | ']' => depth -= 1,
                    c if c.is_whitespace() && depth <= 0 => {
                        end = j;
                        break;
                    }
                    _ => {}
                }
            }
            let v = &after[..end];
            let v = if v.ends_with(['}', ']']) {
                v
            } else {
                v.trim_end_matches([',', '.', ';', ')'])
            };
            // Punctuation after the value ends the group.
            (v.to_string(), &after[v.len()..])
        };
        let error = tail.trim_start().starts_with("is an error");
        match out.last_mut() {
            Some(group) if adjacent => {
                group.0.push(value);
                group.1 |= error;
            }
            _ => out.push((vec![value], error)),
        }
        adjacent = true;
        rest = tail;
    }
    out
}

#[test]
fn try_comments_are_read_into_groups() {
    let text = "--set a=1 --set b={x: 1} to see; --set 'c=[1, 2]', or --set d=2. \
                --set e= is an error.";
    let groups = try_sets(text);
    let want: Vec<(Vec<String>, bool)> = vec![
        (vec!["a=1".into(), "b={x: 1}".into()], false),
        (vec!["c=[1, 2]".into()], false),
        (vec!["d=2".into()], false),
        (vec!["e=".into()], true),
    ];
    assert_eq!(groups, want);
}

#[test]
fn every_scenario_says_what_it_demonstrates() {
    let mut problems = Vec::new();
    let mut tried = 0;
    for path in all_scenarios() {
        let rel = path
            .strip_prefix(root())
            .expect("under the root")
            .display()
            .to_string();
        let text = std::fs::read_to_string(&path).expect("scenario");
        // The opening comment, after the line that points editors at the schema.
        let opening: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .filter(|l| !l.starts_with("# yaml-language-server:"))
            .collect();
        let words = opening
            .iter()
            .filter(|l| l.trim_start_matches('#').trim().len() > 3);
        if words.count() < 3 {
            problems.push(format!(
                "{rel}: expected an opening comment of at least 3 lines"
            ));
        }

        // The "Try:" paragraph: from its line to the first empty comment line.
        let lines: Vec<&str> = text.lines().collect();
        let Some(start) = lines.iter().position(|l| l.starts_with("# Try:")) else {
            continue;
        };
        let para: Vec<&str> = lines[start..]
            .iter()
            .take_while(|l| l.starts_with('#') && l.trim() != "#")
            .map(|l| l.trim_start_matches('#').trim())
            .collect();
        for (group, error) in try_sets(&para.join(" ")) {
            tried += 1;
            let ovs: Result<Vec<Override>, _> = group.iter().map(|s| s.parse()).collect();
            let result = ovs.map_err(|e| e.to_string()).and_then(|ovs| {
                Scenario::parse(&text, &rel, &ovs)
                    .map(drop)
                    .map_err(|e| e.to_string())
            });
            match (result, error) {
                (Ok(()), false) | (Err(_), true) => {}
                (Ok(()), true) => problems.push(format!(
                    "{rel}: --set {group:?} is called an error but is valid"
                )),
                (Err(e), false) => problems.push(format!("{rel}: --set {group:?}: {e}")),
            }
        }
    }
    assert!(
        tried >= 20,
        "only {tried} `--set` groups found in Try: comments"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Links

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings, with GitHub's `-1`, `-2` for repeats.
fn anchors(md: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for s in sections(md).iter().skip(1) {
        let a = anchor(&s.title);
        let n = seen.entry(a.clone()).or_insert(0);
        out.insert(if *n == 0 {
            a.clone()
        } else {
            format!("{a}-{n}")
        });
        *n += 1;
    }
    out
}

/// The targets of the inline links `[text](target)` of a Markdown text, outside code.
fn links(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        // Drop inline code spans, then look for `](`.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_resolves() {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);

    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let md = std::fs::read_to_string(file).expect("a doc");
        let rel = file.strip_prefix(root()).expect("under the root").display();
        for target in links(&md) {
            if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                continue;
            }
            checked += 1;
            let (path, frag) = match target.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (target.as_str(), None),
            };
            let dest = if path.is_empty() {
                file.clone()
            } else {
                file.parent().expect("a folder").join(path)
            };
            if !dest.exists() {
                broken.push(format!("{rel}: ({target}): no file {}", dest.display()));
                continue;
            }
            if let Some(frag) = frag {
                let is_md =
                    path.is_empty() || Path::new(path).extension().is_some_and(|x| x == "md");
                if is_md {
                    let text = std::fs::read_to_string(&dest).expect("a doc");
                    if !anchors(&text).contains(frag) {
                        broken.push(format!("{rel}: ({target}): no heading for `#{frag}`"));
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} relative links found");
    assert!(
        broken.is_empty(),
        "broken links:\n  {}",
        broken.join("\n  ")
    );
}
