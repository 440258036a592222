//! `--trace-format chrome` and `--trace-format otlp`: the same sampled requests as the JSON
//! lines, in the Chrome Trace Event format (slices that nest on every track, flows that pair,
//! failures marked) and as OTLP/JSON spans (ids, parents, services, statuses). CI also
//! round-trips the OTLP output through the OpenTelemetry protobuf classes
//! (`tests/otlp_roundtrip.py`).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::{ok, root, scalesim};

/// Failure 03 (a web server crashes at 60 s) with a trace of 0.5% of its requests, in `format`.
fn traced(format: &str) -> (Value, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let file = root().join("scenarios/failures/03-web-server-crash.yaml");
    let args = [
        "run",
        file.to_str().unwrap(),
        "--set",
        "duration=75s",
        "--quiet",
        "--out",
        "out",
        "--trace-sample",
        "0.005",
    ];
    let mut with = args.to_vec();
    with.extend(["--trace", "t.out", "--trace-format", format]);
    ok(&scalesim(dir.path(), &with));
    let text = std::fs::read_to_string(dir.path().join("t.out")).unwrap();
    let mut plain = args.to_vec();
    plain.extend(["--trace", "t.jsonl"]);
    ok(&scalesim(dir.path(), &plain));
    let lines = std::fs::read_to_string(dir.path().join("t.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        serde_json::from_str(&text).expect("one JSON document"),
        lines,
    )
}

#[test]
fn chrome_slices_nest_on_every_track_and_calls_are_arrows() {
    let (doc, records) = traced("chrome");
    let events = doc["traceEvents"].as_array().unwrap();
    // Every component has a named process, `users` first.
    let processes: BTreeMap<u64, &str> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "process_name")
        .map(|e| {
            (
                e["pid"].as_u64().unwrap(),
                e["args"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        processes.values().copied().collect::<Vec<_>>(),
        ["users", "dns", "lb", "web", "db"]
    );
    for e in events {
        for key in ["name", "ph", "pid"] {
            assert!(e.get(key).is_some(), "{key} missing: {e}");
        }
        if e["ph"] != "M" {
            assert!(
                e["ts"].as_f64().unwrap() >= 0.0 && e.get("tid").is_some(),
                "{e}"
            );
        }
    }
    // Slices on one track nest or are disjoint: never a partial overlap, in whole
    // nanoseconds (times have at most three decimals of a microsecond, and Perfetto adds
    // `dur` to `ts` in nanoseconds).
    let ns = |v: &Value| -> u64 {
        let us = v.as_f64().unwrap();
        let n = (us * 1000.0).round();
        assert!(
            (us * 1000.0 - n).abs() < 1e-3,
            "{us} is not whole nanoseconds"
        );
        n as u64
    };
    let mut tracks: HashMap<(u64, u64), Vec<(u64, u64)>> = HashMap::new();
    for e in events.iter().filter(|e| e["ph"] == "X") {
        let ts = ns(&e["ts"]);
        let dur = ns(&e["dur"]);
        tracks
            .entry((e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap()))
            .or_default()
            .push((ts, ts + dur));
    }
    let mut slices = 0;
    for v in tracks.values_mut() {
        v.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut open: Vec<(u64, u64)> = Vec::new();
        for &(s, e) in v.iter() {
            while open.last().is_some_and(|o| o.1 <= s) {
                open.pop();
            }
            if let Some(o) = open.last() {
                assert!(
                    e <= o.1,
                    "slice [{s}, {e}] overlaps [{}, {}] partly",
                    o.0,
                    o.1
                );
            }
            open.push((s, e));
            slices += 1;
        }
    }
    // One client slice per request, and a hop slice per span.
    let hops: usize = records
        .iter()
        .map(|r| r["spans"].as_array().unwrap().len())
        .sum();
    let count = |cat: &str| {
        events
            .iter()
            .filter(|e| e["ph"] == "X" && e["cat"] == cat)
            .count()
    };
    assert_eq!(count("request"), records.len());
    assert_eq!(count("hop"), hops);
    assert!(
        slices > hops + records.len(),
        "queue waits and service are slices too"
    );
    assert!(count("service") > 0);
    // Each hop has an arrow from its caller: starts and finishes pair by id.
    let ids = |ph: &str| -> HashSet<u64> {
        events
            .iter()
            .filter(|e| e["ph"] == ph)
            .map(|e| e["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids("s").len(), hops);
    assert_eq!(ids("s"), ids("f"));
    // The crash's failures are marked with their cause.
    let failed = records
        .iter()
        .filter(|r| r["outcome"] != "ok" && r["outcome"] != "in_flight")
        .count();
    assert!(
        failed > 0,
        "the sample should hold some of the crash's failures"
    );
    let marks = events
        .iter()
        .filter(|e| e["ph"] == "i" && e["cat"] == "failure" && e["name"] == "connection_refused")
        .count();
    assert!(
        marks >= failed,
        "{marks} failure marks for {failed} failed requests"
    );
}

#[test]
fn otlp_spans_have_ids_parents_services_and_statuses() {
    let (doc, records) = traced("otlp");
    let resources = doc["resourceSpans"].as_array().unwrap();
    let mut by_trace: HashMap<&str, Vec<&Value>> = HashMap::new();
    let mut services = Vec::new();
    for r in resources {
        let attrs = r["resource"]["attributes"].as_array().unwrap();
        let service =
            attrs.iter().find(|a| a["key"] == "service.name").unwrap()["value"]["stringValue"]
                .as_str()
                .unwrap();
        services.push(service);
        for s in r["scopeSpans"][0]["spans"].as_array().unwrap() {
            by_trace
                .entry(s["traceId"].as_str().unwrap())
                .or_default()
                .push(s);
        }
    }
    assert_eq!(services, ["users", "lb", "web", "db"]);
    assert_eq!(by_trace.len(), records.len());
    let mut errors = 0;
    for (trace, spans) in &by_trace {
        assert!(
            trace.len() == 32 && trace.chars().all(|c| c.is_ascii_hexdigit()),
            "{trace}"
        );
        let ids: HashSet<&str> = spans
            .iter()
            .map(|s| s["spanId"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), spans.len(), "span ids repeat in {trace}");
        let roots: Vec<_> = spans
            .iter()
            .filter(|s| s.get("parentSpanId").is_none())
            .collect();
        assert_eq!(roots.len(), 1, "one root span per trace");
        assert_eq!(roots[0]["kind"], 3);
        for s in spans {
            assert_eq!(s["spanId"].as_str().unwrap().len(), 16);
            if let Some(p) = s.get("parentSpanId") {
                assert!(
                    ids.contains(p.as_str().unwrap()),
                    "parent of {s} not in its trace"
                );
                assert_eq!(s["kind"], 2);
            }
            let start: u64 = s["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
            let end: u64 = s["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
            assert!(start <= end);
            if s["status"]["code"] == 2 {
                errors += 1;
                let attrs = s["attributes"].as_array().unwrap();
                let cause = attrs.iter().find(|a| a["key"] == "error.type").unwrap();
                assert_eq!(cause["value"]["stringValue"], s["status"]["message"]);
            }
        }
    }
    assert!(errors > 0, "the crash's failures are ERROR spans");
}
