//! The traces in the Chrome Trace Event format (JSON object form), for Perfetto UI
//! (ui.perfetto.dev) and `chrome://tracing`.
//!
//! Each component is a process, and `users` (the client) is the first. Each instance is
//! drawn on as many threads ("lanes") as it needs: an instance serves many requests at once,
//! and slices on one thread must nest. Every hop is a complete (`X`) slice named after the
//! request's class, and inside it the wait for a worker (`queue wait`) and the instance's own
//! work (`service`) are slices of their own. A flow arrow links each call: from the caller's
//! slice, or from the client's slice of the request, to the callee's. A hop that failed has
//! its cause in its arguments and an instant event named after the cause at its end. Times
//! are microseconds from the start of the run, each a whole number of nanoseconds (at most
//! three decimals), so that a reader that adds `dur` to `ts` in nanoseconds, as Perfetto does,
//! finds the slices nested exactly as they were laid out.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::{Lanes, hops, request_end_ms};
use crate::metrics::Report;

/// The process of the client's slices.
const USERS_PID: u32 = 1;

/// A slice placed on a lane: which request, which hop (`None`: the client's slice).
struct Placed {
    trace: usize,
    hop: Option<usize>,
    pid: u32,
    instance: u32,
    start: u64,
    end: u64,
}

/// The report's traces as a Chrome Trace Event JSON object.
pub fn to_chrome(report: &Report) -> String {
    let mut pids: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = vec!["users"];
    for name in report.components.keys() {
        pids.insert(name, names.len() as u32 + USERS_PID);
        names.push(name);
    }
    let all: Vec<_> = report.traces.iter().map(hops).collect();
    // Every slice, to be laid on lanes track by track.
    let mut placed: Vec<Placed> = Vec::new();
    for (i, (t, hs)) in report.traces.iter().zip(&all).enumerate() {
        placed.push(Placed {
            trace: i,
            hop: None,
            pid: USERS_PID,
            instance: 0,
            start: ns(t.start_ms),
            end: ns(request_end_ms(t)).max(ns(t.start_ms)),
        });
        for (j, h) in hs.iter().enumerate() {
            let pid = *pids.entry(&h.span.component).or_insert_with(|| {
                names.push(&h.span.component);
                names.len() as u32
            });
            placed.push(Placed {
                trace: i,
                hop: Some(j),
                pid,
                instance: h.span.instance,
                start: ns(h.span.arrive_ms),
                end: ns(h.span.end_ms).max(ns(h.span.arrive_ms)),
            });
        }
    }
    let mut by_track: Vec<usize> = (0..placed.len()).collect();
    by_track.sort_by(|&a, &b| {
        let (a, b) = (&placed[a], &placed[b]);
        (a.pid, a.instance)
            .cmp(&(b.pid, b.instance))
            .then(a.start.cmp(&b.start))
            .then(b.end.cmp(&a.end))
    });
    let mut lane = vec![0usize; placed.len()];
    let mut lanes: BTreeMap<(u32, u32), Lanes> = BTreeMap::new();
    let mut used: BTreeMap<(u32, u32, usize), u32> = BTreeMap::new();
    for &k in &by_track {
        let p = &placed[k];
        lane[k] = lanes
            .entry((p.pid, p.instance))
            .or_insert_with(Lanes::new)
            .place(p.start, p.end);
        used.insert((p.pid, p.instance, lane[k]), 0);
    }
    // Thread ids: within a process, by instance and lane.
    let mut next: HashMap<u32, u32> = HashMap::new();
    let mut events: Vec<Value> = Vec::new();
    for (pid, name) in names.iter().enumerate() {
        let pid = pid as u32 + USERS_PID;
        events.push(json!({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": name}}));
        events.push(json!({"name": "process_sort_index", "ph": "M", "pid": pid, "args": {"sort_index": pid}}));
    }
    for ((pid, instance, l), tid) in used.iter_mut() {
        let n = next.entry(*pid).or_insert(0);
        *tid = *n;
        *n += 1;
        let name = &names[(*pid - USERS_PID) as usize];
        let label = if *pid == USERS_PID {
            format!("requests · lane {l}")
        } else {
            format!("{name}#{instance} · lane {l}")
        };
        events.push(json!({"name": "thread_name", "ph": "M", "pid": pid, "tid": *tid, "args": {"name": label}}));
        events.push(json!({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": *tid, "args": {"sort_index": *tid}}));
    }
    let tid_of = |k: usize| used[&(placed[k].pid, placed[k].instance, lane[k])];
    // Where each request's slices went: the client's, then each hop's.
    let mut first = vec![0usize; report.traces.len()];
    for (k, p) in placed.iter().enumerate() {
        if p.hop.is_none() {
            first[p.trace] = k;
        }
    }
    let mut flow = 0u64;
    for (k, p) in placed.iter().enumerate() {
        let t = &report.traces[p.trace];
        let tid = tid_of(k);
        let Some(j) = p.hop else {
            events.push(json!({
                "name": t.class, "cat": "request", "ph": "X", "ts": us(p.start), "dur": us(p.end - p.start),
                "pid": p.pid, "tid": tid,
                "args": {"request": p.trace, "user": t.user, "key": t.key, "outcome": t.outcome, "attempts": t.attempts},
            }));
            if t.outcome != "ok" && t.outcome != "in_flight" {
                events.push(json!({"name": t.outcome, "cat": "failure", "ph": "i", "s": "t", "ts": us(p.end), "pid": p.pid, "tid": tid, "args": {"request": p.trace}}));
            }
            continue;
        };
        let h = all[p.trace][j];
        let s = h.span;
        events.push(json!({
            "name": t.class, "cat": "hop", "ph": "X", "ts": us(p.start), "dur": us(p.end - p.start),
            "pid": p.pid, "tid": tid,
            "args": {"request": p.trace, "component": format!("{}#{}", s.component, s.instance), "outcome": s.outcome, "wait_ms": s.wait_ms, "service_ms": s.service_ms},
        }));
        let wait_end = ns(s.arrive_ms + s.wait_ms).clamp(p.start, p.end);
        if wait_end > p.start {
            events.push(json!({"name": "queue wait", "cat": "wait", "ph": "X", "ts": us(p.start), "dur": us(wait_end - p.start), "pid": p.pid, "tid": tid, "args": {"request": p.trace}}));
        }
        let service_end = ns(s.arrive_ms + s.wait_ms + s.service_ms).clamp(wait_end, p.end);
        if service_end > wait_end {
            events.push(json!({"name": "service", "cat": "service", "ph": "X", "ts": us(wait_end), "dur": us(service_end - wait_end), "pid": p.pid, "tid": tid, "args": {"request": p.trace}}));
        }
        if s.outcome != "ok" {
            events.push(json!({"name": s.outcome, "cat": "failure", "ph": "i", "s": "t", "ts": us(p.end), "pid": p.pid, "tid": tid, "args": {"request": p.trace}}));
        }
        // The call's arrow: from the caller's slice (or the client's) to this one.
        let from = match h.parent {
            Some(c) => first[p.trace] + 1 + c,
            None => first[p.trace],
        };
        flow += 1;
        events.push(json!({"name": "call", "cat": "call", "ph": "s", "id": flow, "ts": us(p.start.max(placed[from].start)), "pid": placed[from].pid, "tid": tid_of(from)}));
        events.push(json!({"name": "call", "cat": "call", "ph": "f", "bp": "e", "id": flow, "ts": us(p.start), "pid": p.pid, "tid": tid}));
    }
    let doc = json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {"scenario": report.scenario, "seed": report.seed.to_string(), "requests": report.traces.len()},
    });
    let mut text = serde_json::to_string(&doc).expect("trace events serialize");
    text.push('\n');
    text
}

/// Milliseconds from the start of the run to whole nanoseconds.
fn ns(ms: f64) -> u64 {
    (ms * 1e6).round().max(0.0) as u64
}

/// Nanoseconds to the format's microseconds: the nearest double to the exact decimal, which
/// prints with at most three decimals.
fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}
