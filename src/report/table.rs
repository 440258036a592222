//! The human summary that `scalesim run` prints: a few labelled lines for the whole run
//! (errors broken down by the component that failed them, and the client's retry
//! amplification when it retried), a fault table when faults were scheduled, a per-class
//! section when there is more than one class, a per-region and a per-data-center section
//! when there is more than one of them, a per-component table with the bottleneck marked,
//! and the engine line.
//!
//! It returns a `String` and does no I/O; it uses no colours, so it reads the same in a
//! terminal, a pipe or a file. Columns are aligned by computing widths (text left, numbers
//! right). A figure that does not exist (no samples, a kind without workers) prints as `-`.
//! The layout is for people and may change; scripts should read the JSON or CSV.

use std::fmt::Write as _;

use indexmap::IndexMap;

use crate::metrics::{AvailabilityFigures, AvailabilityReport, GeoReport, LatencySummary, Report};

/// Width of the label column of the run-level lines.
const LABEL: usize = 14;

/// The human summary of a run, ending with a newline.
pub fn render_table(report: &Report) -> String {
    let mut s = String::new();
    // `write!` into a String cannot fail.
    let mut line = |label: &str, text: &str| {
        let _ = writeln!(s, "{label:<LABEL$}{text}");
    };

    line(
        "scenario",
        &format!(
            "{}  (seed {}, {} s simulated, warm-up {} s)",
            report.scenario,
            report.seed,
            secs(report.duration_s),
            secs(report.warmup_s)
        ),
    );
    let r = &report.requests;
    line(
        "requests",
        &format!(
            "{} offered, {} completed, {} failed, {} in flight",
            count(r.offered),
            count(r.completed),
            count(r.failed),
            count(r.in_flight)
        ),
    );
    line(
        "availability",
        &format!("{} %", percent(report.availability)),
    );
    line(
        "throughput",
        &format!("{} req/s", rate(report.throughput_rps)),
    );
    line(
        "goodput",
        &format!(
            "{} req/s {}",
            rate(report.goodput_rps),
            deadline_text(report)
        ),
    );
    line("latency ms", &latency_line(&report.latency_ms));
    let errors = if report.errors.is_empty() {
        "none".to_string()
    } else {
        report
            .errors
            .iter()
            .map(|(cause, n)| format!("{cause} {}", count(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    line("errors", &errors);
    let by_component = errors_by_component(report);
    for (i, text) in by_component.iter().enumerate() {
        line(if i == 0 { "by component" } else { "" }, text);
    }
    if report.client.retries > 0 {
        line(
            "client",
            &format!(
                "attempts per request {:.2} ({} retries)",
                report.client.attempts_per_request,
                count(report.client.retries)
            ),
        );
    }
    if let Some(c) = &report.cost {
        line(
            "cost",
            &format!(
                "${}/month (${}/hour){}",
                count_f(c.per_month),
                dollars(c.per_hour),
                c.per_million_requests
                    .map(|m| format!(", ${} per million requests", dollars(m)))
                    .unwrap_or_default()
            ),
        );
        for (i, (name, cc)) in c.components.iter().enumerate() {
            line(
                if i == 0 { "by component" } else { "" },
                &format!(
                    "{name}: {} x {} {} = ${}/month",
                    sig3(cc.instances_mean),
                    cc.instance,
                    format_args!("(${}/h)", dollars(cc.hourly)),
                    count_f(cc.per_month)
                ),
            );
        }
        if let Some(t) = &c.transfer {
            let moved: Vec<_> = t.lines().into_iter().filter(|(_, l)| l.gb > 0.0).collect();
            if moved.is_empty() {
                line("by transfer", "no bytes moved");
            }
            for (i, (name, l)) in moved.into_iter().enumerate() {
                line(
                    if i == 0 { "by transfer" } else { "" },
                    &format!(
                        "{name}: {} GB/month x ${}/GB = ${}/month",
                        if l.gb_per_month >= 100.0 {
                            count_f(l.gb_per_month)
                        } else {
                            sig3(l.gb_per_month)
                        },
                        dollars(l.per_gb),
                        count_f(l.per_month)
                    ),
                );
            }
        }
    }
    if let Some(a) = &report.analytic_availability {
        for (i, text) in availability_lines(a).iter().enumerate() {
            line(if i == 0 { "analytic" } else { "" }, text);
        }
        line("SPOF", &spof_line(a));
    }

    if !report.faults.is_empty() {
        s.push('\n');
        s.push_str(&fault_table(report));
    }
    if report.classes.len() > 1 {
        s.push('\n');
        s.push_str(&class_table(report));
    }
    for (label, map) in [
        ("region", &report.regions),
        ("datacenter", &report.datacenters),
    ] {
        if map.len() > 1 {
            s.push('\n');
            s.push_str(&geo_table(label, map));
        }
    }
    if !report.components.is_empty() {
        s.push('\n');
        s.push_str(&component_table(report));
    }

    s.push('\n');
    let mut engine = format!("{} events", count(report.engine.events));
    if let (Some(wall), Some(per_s)) = (report.engine.wall_s, report.engine.events_per_s) {
        let _ = write!(engine, " in {} s wall, {} events/s", sig3(wall), si(per_s));
    }
    let _ = writeln!(s, "{:<LABEL$}{engine}", "engine");
    s
}

fn latency_line(l: &LatencySummary) -> String {
    if l.count == 0 {
        return "no completed requests".to_string();
    }
    [
        ("mean", l.mean),
        ("p50", l.p50),
        ("p90", l.p90),
        ("p95", l.p95),
        ("p99", l.p99),
        ("p99.9", l.p999),
        ("max", l.max),
    ]
    .iter()
    .map(|(name, v)| format!("{name} {}", opt(*v, ms)))
    .collect::<Vec<_>>()
    .join("  ")
}

/// One line per component that failed requests, `name: cause n, cause n`, the names padded
/// so the causes line up.
fn errors_by_component(report: &Report) -> Vec<String> {
    let width = report
        .errors_by_component
        .keys()
        .map(|name| name.chars().count() + 1)
        .max()
        .unwrap_or(0);
    report
        .errors_by_component
        .iter()
        .map(|(name, causes)| {
            let causes = causes
                .iter()
                .map(|(cause, n)| format!("{cause} {}", count(*n)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{:<width$} {causes}", format!("{name}:"))
        })
        .collect()
}

fn fault_table(report: &Report) -> String {
    let mut t = Table::new(&[
        ("fault", Align::Left),
        ("start s", Align::Right),
        ("end s", Align::Right),
        ("detected after s", Align::Right),
        ("recovered after s", Align::Right),
        ("failed requests", Align::Right),
    ]);
    for f in &report.faults {
        t.push(vec![
            f.fault.clone(),
            secs(f.start_s),
            opt(f.end_s, secs),
            opt(f.time_to_detect_s, secs),
            f.time_to_recover_s
                .filter(|v| v.is_finite())
                .map_or_else(|| "not recovered".to_string(), secs),
            count(f.failed_requests),
        ]);
    }
    t.render()
}

/// What goodput counted: `within 1000 ms`, `within each class's deadline`, or every
/// completed request when no class has a deadline.
fn deadline_text(report: &Report) -> String {
    let mut deadlines = report.classes.values().map(|c| c.deadline_ms);
    match deadlines.next() {
        None | Some(None) if report.classes.values().all(|c| c.deadline_ms.is_none()) => {
            "(no deadline: every completed request)".to_string()
        }
        Some(Some(d)) if deadlines.all(|e| e == Some(d)) => format!("within {} ms", ms(d)),
        _ => "within each class's deadline".to_string(),
    }
}

fn class_table(report: &Report) -> String {
    let mut t = Table::new(&[
        ("class", Align::Left),
        ("offered", Align::Right),
        ("completed", Align::Right),
        ("failed", Align::Right),
        ("good/s", Align::Right),
        ("deadline ms", Align::Right),
        ("p50 ms", Align::Right),
        ("p99 ms", Align::Right),
        ("max ms", Align::Right),
    ]);
    for (name, c) in &report.classes {
        t.push(vec![
            name.clone(),
            count(c.offered),
            count(c.completed),
            count(c.failed),
            rate(c.goodput_rps),
            opt(c.deadline_ms, ms),
            opt(c.latency_ms.p50, ms),
            opt(c.latency_ms.p99, ms),
            opt(c.latency_ms.max, ms),
        ]);
    }
    t.render()
}

/// Outcomes and latency per region or per data center.
fn geo_table(label: &str, map: &IndexMap<String, GeoReport>) -> String {
    let mut t = Table::new(&[
        (label, Align::Left),
        ("offered", Align::Right),
        ("completed", Align::Right),
        ("failed", Align::Right),
        ("avail %", Align::Right),
        ("mean ms", Align::Right),
        ("p50 ms", Align::Right),
        ("p99 ms", Align::Right),
    ]);
    for (name, g) in map {
        t.push(vec![
            name.clone(),
            count(g.offered),
            count(g.completed),
            count(g.failed),
            percent(g.availability),
            opt(g.latency_ms.mean, ms),
            opt(g.latency_ms.p50, ms),
            opt(g.latency_ms.p99, ms),
        ]);
    }
    t.render()
}

fn component_table(report: &Report) -> String {
    let mut t = Table::new(&[
        ("component", Align::Left),
        ("kind", Align::Left),
        ("instances", Align::Right),
        ("util %", Align::Right),
        ("mean queue", Align::Right),
        ("max queue", Align::Right),
        ("rejected", Align::Right),
        ("p99 ms", Align::Right),
        ("extras", Align::Left),
    ]);
    for (name, c) in &report.components {
        let is_bottleneck = report.bottleneck.as_deref() == Some(name.as_str());
        let extras = c
            .extra
            .iter()
            .map(|(k, v)| format!("{k} {}", num(*v)))
            .collect::<Vec<_>>()
            .join(", ");
        t.push(vec![
            if is_bottleneck {
                format!("{name} *")
            } else {
                name.clone()
            },
            c.kind.clone(),
            c.instances.to_string(),
            opt(c.utilization, |u| format!("{:.1}", u * 100.0)),
            format!("{:.2}", c.mean_queue),
            count(c.max_queue),
            count(c.rejected),
            opt(c.latency_ms.p99, ms),
            extras,
        ]);
    }
    let mut s = t.render();
    if let Some(b) = &report.bottleneck {
        let util = report
            .components
            .get(b)
            .and_then(|c| c.utilization)
            .map(|u| format!(" (utilization {:.1} %)", u * 100.0))
            .unwrap_or_default();
        let _ = writeln!(s, "* bottleneck: {b}{util}");
    }
    s
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// A plain-text table: a header row and rows of cells, columns two spaces apart.
struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(columns: &[(&str, Align)]) -> Self {
        Table {
            columns: columns.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    fn render(&self) -> String {
        let width = |i: usize| {
            self.rows
                .iter()
                .map(|r| r[i].chars().count())
                .chain([self.columns[i].0.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.columns.len()).map(width).collect();
        let mut s = String::new();
        let header: Vec<String> = self.columns.iter().map(|(h, _)| h.clone()).collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let w = widths[i];
                let _ = match self.columns[i].1 {
                    Align::Left => write!(line, "{cell:<w$}"),
                    Align::Right => write!(line, "{cell:>w$}"),
                };
            }
            s.push_str(line.trim_end());
            s.push('\n');
        }
        s
    }
}

/// The analytic availability: the whole run's, then each class's when there are several.
fn availability_lines(a: &AvailabilityReport) -> Vec<String> {
    let figures = |f: &AvailabilityFigures| match f.analytic {
        None => "- (too large to evaluate)".to_string(),
        Some(v) => format!(
            "{} % ({} nines, {} min/month down){}",
            percent(v),
            opt(f.nines, |n| format!("{n:.2}")),
            opt(f.downtime_min_per_month, sig3),
            f.simulated
                .map(|s| format!("; simulated {} %", percent(s)))
                .unwrap_or_default()
        ),
    };
    let mut out = vec![format!("{} from MTBF/MTTR", figures(&a.overall))];
    if a.classes.len() > 1 {
        for (name, c) in &a.classes {
            out.push(format!("{name}: {}", figures(&c.figures)));
        }
    }
    out
}

/// The single points of failure with the classes they fail, or `none`.
fn spof_line(a: &AvailabilityReport) -> String {
    if a.single_points_of_failure.is_empty() {
        return "none".to_string();
    }
    a.single_points_of_failure
        .iter()
        .map(|s| format!("{} ({})", s.component, s.classes.join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "-".to_string(), f)
}

/// Milliseconds with about three significant digits, never fewer than whole ms.
pub(crate) fn ms(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Dollars: whole from 100 up, cents below (three decimals under 1 dollar).
fn dollars(v: f64) -> String {
    if !v.is_finite() {
        "-".to_string()
    } else if v >= 100.0 {
        count_f(v)
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// Requests per second: whole numbers from 100 up, one or two decimals below.
pub(crate) fn rate(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let a = v.abs();
    if a >= 100.0 {
        count_f(v)
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A fraction as a percentage with two decimals, with more (up to six) when rounding would
/// otherwise show an imperfect run as `100.00`.
pub(crate) fn percent(f: f64) -> String {
    if !f.is_finite() {
        return "-".to_string();
    }
    let mut decimals = 2;
    loop {
        let s = format!("{:.*}", decimals, f * 100.0);
        if f >= 1.0 || !s.starts_with("100") || decimals >= 6 {
            return s;
        }
        decimals += 1;
    }
}

/// Seconds as written in a scenario: `60`, `0.5`.
pub(crate) fn secs(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        sig3(v)
    }
}

/// A kind-specific figure: whole numbers as such, others with three significant digits.
fn num(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        count_f(v)
    } else {
        sig3(v)
    }
}

/// Three significant digits, trailing zeros dropped (`0.931`, `12.5`, `1234`).
pub(super) fn sig3(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// An SI-prefixed figure for big rates: `950`, `12.3 k`, `4.57 M`.
fn si(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{} G", sig3(v / 1e9))
    } else if a >= 1e6 {
        format!("{} M", sig3(v / 1e6))
    } else if a >= 1e3 {
        format!("{} k", sig3(v / 1e3))
    } else {
        sig3(v)
    }
}

/// A count with thousands separators: `1,234,567`.
pub(crate) fn count(n: u64) -> String {
    crate::metrics::thousands(n)
}

/// A non-negative float rounded to a whole number, with thousands separators.
pub(crate) fn count_f(v: f64) -> String {
    let r = v.round();
    if r < 0.0 {
        format!("-{}", count((-r) as u64))
    } else {
        count(r as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn table_snapshot() {
        insta::assert_snapshot!(render_table(&fixtures::sample()), @r"
    scenario      05-cache  (seed 42, 10 s simulated, warm-up 2 s)
    requests      8,000 offered, 7,958 completed, 42 failed, 0 in flight
    availability  99.48 %
    throughput    995 req/s
    goodput       991 req/s within 1000 ms
    latency ms    mean 12.5  p50 10.0  p90 20.0  p95 25.0  p99 40.0  p99.9 80.0  max 125
    errors        queue_full 30, timeout 12
    by component  web:    queue_full 30
                  client: timeout 12
    client        attempts per request 1.01 (100 retries)

    class  offered  completed  failed  good/s  deadline ms  p50 ms  p99 ms  max ms
    read     6,000      5,980      20     746         1000    8.00    32.0     100
    write    2,000      1,978      22     245         1000    20.0    80.0     250

    component  kind           instances  util %  mean queue  max queue  rejected  p99 ms  extras
    lb         load_balancer          1       -        0.00          0         0    38.0
    web *      server                 4    81.2        2.38         17        30    36.0
    cache      cache                  1    25.0        0.06          3         0    2.00  hit_ratio 0.93, evictions 120
    * bottleneck: web (utilization 81.2 %)

    engine        123,456 events in 0.05 s wall, 2.47 M events/s
    ");
    }

    fn geo(offered: u64, failed: u64, p50: f64) -> GeoReport {
        GeoReport {
            offered,
            completed: offered - failed,
            failed,
            availability: (offered - failed) as f64 / offered as f64,
            latency_ms: LatencySummary {
                count: offered - failed,
                mean: Some(p50 + 2.0),
                p50: Some(p50),
                p99: Some(p50 * 3.0),
                ..Default::default()
            },
            errors: IndexMap::new(),
        }
    }

    #[test]
    fn regions_and_data_centers_get_a_block_when_there_are_several() {
        let mut r = fixtures::sample();
        r.regions.insert("north-america".into(), geo(4800, 0, 28.0));
        r.regions.insert("europe".into(), geo(3200, 42, 31.5));
        r.datacenters.insert("us-east".into(), geo(4800, 0, 35.0));
        let table = render_table(&r);
        insta::assert_snapshot!(geo_table("region", &r.regions), @r"
    region         offered  completed  failed  avail %  mean ms  p50 ms  p99 ms
    north-america    4,800      4,800       0   100.00     30.0    28.0    84.0
    europe           3,200      3,158      42    98.69     33.5    31.5    94.5
    ");
        assert!(table.contains("\n\nregion "), "{table}");
        // One data center: no block.
        assert!(!table.contains("datacenter "), "{table}");
        r.datacenters.insert("eu-west".into(), geo(3200, 42, 30.0));
        assert!(render_table(&r).contains("\n\ndatacenter "));
    }

    #[test]
    fn empty_report_table() {
        insta::assert_snapshot!(render_table(&fixtures::empty()), @r"
    scenario      empty  (seed 1, 0 s simulated, warm-up 0 s)
    requests      0 offered, 0 completed, 0 failed, 0 in flight
    availability  100.00 %
    throughput    0.00 req/s
    goodput       0.00 req/s (no deadline: every completed request)
    latency ms    no completed requests
    errors        none

    engine        0 events
    ");
    }

    #[test]
    fn fault_table_snapshot() {
        let r = fixtures::faulty();
        let faults = fault_table(&r);
        insta::assert_snapshot!(faults, @r"
    fault        start s  end s  detected after s  recovered after s  failed requests
    flush cache        3      -                 -                  0                0
    crash web#1      5.5    7.5              0.75                2.5               42
    slow web#0         9      -                 -      not recovered                0
    ");
        // Between the run-level lines and the class table, set off by blank lines.
        let table = render_table(&r);
        assert!(
            table.contains(&format!("retries)\n\n{faults}\nclass ")),
            "{table}"
        );
    }

    #[test]
    fn no_failures_no_retries_no_extra_lines() {
        let mut r = fixtures::sample();
        r.errors.clear();
        r.errors_by_component.clear();
        r.client.retries = 0;
        let t = render_table(&r);
        assert!(t.contains("\nerrors        none\n"), "{t}");
        assert!(!t.contains("by component"), "{t}");
        assert!(!t.contains("\nclient"), "{t}");
        assert!(!t.contains("fault"), "{t}");
    }

    #[test]
    fn one_class_has_no_class_section() {
        let mut r = fixtures::sample();
        r.classes.truncate(1);
        assert!(!render_table(&r).contains("class"));
    }

    #[test]
    fn engine_line_without_wall_time() {
        let mut r = fixtures::sample();
        r.engine.wall_s = None;
        r.engine.events_per_s = None;
        assert!(render_table(&r).ends_with("\nengine        123,456 events\n"));
    }

    #[test]
    fn number_formats() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(percent(1.0), "100.00");
        assert_eq!(percent(0.9947), "99.47");
        assert_eq!(percent(0.99999), "99.999");
        assert_eq!(percent(0.0), "0.00");
        assert_eq!(ms(0.1234), "0.123");
        assert_eq!(ms(12.345), "12.3");
        assert_eq!(ms(1234.4), "1234");
        assert_eq!(sig3(0.93), "0.93");
        assert_eq!(sig3(0.93125), "0.931");
        assert_eq!(sig3(2.0), "2");
        assert_eq!(si(2_469_120.0), "2.47 M");
        assert_eq!(secs(60.0), "60");
        assert_eq!(secs(0.5), "0.5");
        assert_eq!(rate(994.75), "995");
        assert_eq!(rate(12.345), "12.3");
    }
}
