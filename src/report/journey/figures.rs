//! The figures the journey shows and the words around them: a stage's headline figures next
//! to the previous stage's with the change (judged better or worse), the overview row, the
//! fault table of a failure variant, the captions of the time-series charts, the autoscaling
//! summary and the notes on availability and on stages that cannot be compared.

use std::fmt::Write as _;

use super::JourneyStage;
use crate::metrics::{FaultReport, Headline, Report};
use crate::report::charts::fault_span;
use crate::report::compare::{CompareRun, Offered};
use crate::report::table::{count, ms, percent, rate, secs};
use crate::scenario::Arrival;

/// A figure of the headline table: its name, unit, how it is shown, and whether a rise is
/// good news.
pub(super) struct Figure {
    name: &'static str,
    value: fn(&Headline) -> Option<f64>,
    show: fn(f64) -> String,
    /// How a difference is shown.
    delta: fn(f64) -> String,
    higher_is_better: bool,
}

/// A latency row: milliseconds, one decimal, lower is better.
pub(super) const fn latency(name: &'static str, value: fn(&Headline) -> Option<f64>) -> Figure {
    Figure {
        name,
        value,
        show: ms,
        delta: |d| signed(d, 1),
        higher_is_better: false,
    }
}

pub(super) const FIGURES: [Figure; 6] = [
    Figure {
        name: "throughput (req/s)",
        value: |h| Some(h.throughput_rps),
        show: rate,
        delta: |d| signed(d, 1),
        higher_is_better: true,
    },
    Figure {
        name: "availability (% of finished)",
        value: |h| Some(h.availability),
        show: percent,
        delta: |d| format!("{} pp", signed(d * 100.0, 2)),
        higher_is_better: true,
    },
    latency("mean latency (ms)", |h| h.mean_ms),
    latency("p50 latency (ms)", |h| h.p50_ms),
    latency("p99 latency (ms)", |h| h.p99_ms),
    Figure {
        name: "failed requests",
        value: |h| Some(h.failed as f64),
        show: |v| count(v as u64),
        delta: |d| signed(d, 0),
        higher_is_better: false,
    },
];

/// `+1.5`, `-12.1`, `0` with `decimals` decimals (negative zero shown as zero).
pub(super) fn signed(d: f64, decimals: usize) -> String {
    let s = format!("{d:+.decimals$}");
    let zero = format!("{:+.decimals$}", 0.0);
    if s == zero || s == format!("-{}", &zero[1..]) {
        format!("{:.decimals$}", 0.0)
    } else {
        s
    }
}

/// A latency in milliseconds, or `-` when there is none.
pub(super) fn opt_ms(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite()).map_or("-".to_string(), ms)
}

/// A stage's figures in the overview's column order: req/s, availability %, mean, p50 and
/// p99 ms, failed. The HTML page and the Markdown twin show the same cells.
pub(super) fn overview_figures(hd: &Headline) -> [String; 6] {
    [
        rate(hd.throughput_rps),
        percent(hd.availability),
        opt_ms(hd.mean_ms),
        opt_ms(hd.p50_ms),
        opt_ms(hd.p99_ms),
        count(hd.failed),
    ]
}

pub(super) fn bottleneck(h: &Headline) -> String {
    match (&h.bottleneck, h.bottleneck_utilization) {
        (Some(b), Some(u)) => format!("{b} ({:.0}%)", u * 100.0),
        (Some(b), None) => b.clone(),
        _ => "-".to_string(),
    }
}

/// One row of a stage's figures: `(name, this, previous, change, better?)`, where `better`
/// is `Some(true)` when the change is an improvement.
pub(super) fn figure_rows(
    this: &Headline,
    prev: Option<&Headline>,
) -> Vec<(String, String, String, String, Option<bool>)> {
    let mut rows: Vec<_> = FIGURES
        .iter()
        .map(|f| {
            let now = (f.value)(this).filter(|v| v.is_finite());
            let before = prev.and_then(|p| (f.value)(p)).filter(|v| v.is_finite());
            let (change, better) = match (now, before) {
                (Some(a), Some(b)) => {
                    let d = a - b;
                    let shown = (f.delta)(d);
                    let better = if shown
                        .trim_start_matches(['+', '-'])
                        .trim_end_matches(" pp")
                        .chars()
                        .all(|c| c == '0' || c == '.')
                    {
                        None
                    } else {
                        Some((d > 0.0) == f.higher_is_better)
                    };
                    (shown, better)
                }
                _ => (String::new(), None),
            };
            (
                f.name.to_string(),
                now.map_or("-".to_string(), f.show),
                before.map_or(if prev.is_some() { "-" } else { "" }.to_string(), f.show),
                change,
                better,
            )
        })
        .collect();
    rows.push((
        "bottleneck (utilization)".to_string(),
        bottleneck(this),
        prev.map_or(String::new(), bottleneck),
        String::new(),
        None,
    ));
    rows
}

/// `value (change)` as in `p99 69.6 ms (-12.1)`: the change is left out for the first stage.
pub(super) fn with_change(value: &str, change: &str) -> String {
    if change.is_empty() {
        value.to_string()
    } else {
        format!("{value} ({change})")
    }
}

pub(super) fn fault_rows(faults: &[FaultReport]) -> Vec<[String; 5]> {
    let t = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{} s", secs(v)));
    faults
        .iter()
        .map(|f| {
            let detected = match (f.detected_s, f.time_to_detect_s) {
                (Some(at), Some(d)) => format!("{} s (after {} s)", secs(at), secs(d)),
                (Some(at), None) => format!("{} s", secs(at)),
                _ => "not detected".to_string(),
            };
            let recovered = match (f.recovered_s, f.time_to_recover_s) {
                (Some(at), Some(d)) => format!("{} s (after {} s)", secs(at), secs(d)),
                (Some(at), None) => format!("{} s", secs(at)),
                _ => "not within the run".to_string(),
            };
            [
                f.fault.clone(),
                t(Some(f.start_s)),
                detected,
                recovered,
                count(f.failed_requests),
            ]
        })
        .collect()
}

pub(super) const FAULT_HEADER: [&str; 5] = [
    "fault",
    "starts",
    "detected",
    "recovered",
    "failed requests",
];

/// What a time-series chart of `run` shows, generated from the run: its panels, the warm-up,
/// and each fault as it is drawn (a shaded band from its start to its end, or a line for a
/// fault at an instant), or that the run has none; the offered rate when it changes.
pub(super) fn timeseries_caption(run: &CompareRun) -> String {
    let r = &run.report;
    let mut s = "Throughput, latency (p50, p99) and errors over time".to_string();
    if r.scaling.is_some() {
        s.push_str(", and the active instances of each autoscaled group");
    }
    if !r.timeseries.datacenters.is_empty() {
        s.push_str(", and the requests entering each data center per second");
    }
    s.push_str("; the warm-up is shaded grey");
    let (mut bands, mut lines) = (Vec::new(), Vec::new());
    for f in &r.timeseries.faults {
        match fault_span(f, r.duration_s) {
            Some((a, b)) if b > a => {
                bands.push(format!("{} from {} s to {} s", f.label, secs(a), secs(b)));
            }
            Some((a, _)) => lines.push(format!("{} at {} s", f.label, secs(a))),
            None => {}
        }
    }
    if !bands.is_empty() {
        let _ = write!(
            s,
            "; each fault is shaded orange from its start to its end ({})",
            bands.join("; ")
        );
    }
    if !lines.is_empty() {
        let _ = write!(
            s,
            "; an orange line marks each fault that happens at an instant ({})",
            lines.join("; ")
        );
    }
    if bands.is_empty() && lines.is_empty() {
        s.push_str("; no fault is scheduled in this run");
    }
    if let Some(o) = &run.offered
        && matches!(&o.traffic.arrival, Arrival::Open(p) if p.points.len() > 1)
    {
        let _ = write!(s, ". Offered: {}", o.rate_text());
    }
    s.push('.');
    s
}

/// How an autoscaled run's groups moved: `web-us: 12 to 120 instances (5 scale-outs, 0
/// scale-ins)`, one entry per group; empty without autoscaling.
pub(super) fn scaling_summary(r: &Report) -> Vec<String> {
    let Some(actions) = &r.scaling else {
        return Vec::new();
    };
    let ts = &r.timeseries;
    let mut out = Vec::new();
    for (ci, name) in ts.components.iter().enumerate() {
        let counts: Vec<u32> = ts
            .rows
            .iter()
            .filter_map(|w| w.instances.get(ci).copied().flatten())
            .collect();
        let scaled = actions.iter().any(|a| &a.group == name)
            || r.components
                .get(name)
                .is_some_and(|c| c.extra.contains_key("scale_outs"));
        if !scaled || counts.is_empty() {
            continue;
        }
        let outs = actions
            .iter()
            .filter(|a| &a.group == name && a.action == "out")
            .count();
        let ins = actions
            .iter()
            .filter(|a| &a.group == name && a.action == "in")
            .count();
        let (first, last) = (counts[0], counts[counts.len() - 1]);
        let peak = counts.iter().copied().max().unwrap_or(first);
        out.push(format!(
            "{name}: {first} instances at the start, {peak} at the most, {last} at the end \
             ({outs} scale-out{}, {ins} scale-in{})",
            if outs == 1 { "" } else { "s" },
            if ins == 1 { "" } else { "s" }
        ));
    }
    out
}

/// Why a stage's figures are not set against the previous stage's, or `None` when they are.
pub(super) fn not_compared(s: &JourneyStage, prev: &JourneyStage) -> Option<String> {
    if s.run.same_traffic(&prev.run) {
        return None;
    }
    let diff = match (&s.run.offered, &prev.run.offered) {
        (Some(a), Some(b)) => a.differences(b),
        _ => Vec::new(),
    };
    let what = if diff.is_empty() {
        "traffic not known to be the same".to_string()
    } else {
        format!("different traffic (it differs in its {})", diff.join(", "))
    };
    let rate = |r: &CompareRun| {
        r.offered
            .as_ref()
            .map_or("unknown".to_string(), Offered::rate_text)
    };
    Some(format!(
        "Not compared with {}: the two stages were given {what}. This stage is offered {}; {} \
         was offered {}.",
        prev.run.report.scenario,
        rate(&s.run),
        prev.run.report.scenario,
        rate(&prev.run)
    ))
}

/// The note under a stage's figures: what its availability counts.
pub(super) fn availability_footnote(r: &Report) -> String {
    format!(
        "Availability: the share of the finished requests that succeeded, completed / \
         (completed + failed); {} still in flight at the end {} not counted.",
        match r.requests.in_flight {
            1 => "1 request".to_string(),
            n => format!("{} requests", count(n)),
        },
        if r.requests.in_flight == 1 {
            "is"
        } else {
            "are"
        }
    )
}
