//! Side by side: several runs (the stages of the journey) in one table, one CSV, one JSON
//! document and four overlaid charts.
//!
//! * [`compare_table`]: one row per run — throughput, availability, mean/p50/p99 latency,
//!   failed requests, the bottleneck and its utilization — under a line naming the seed
//!   every run used.
//! * [`compare_csv`]: one row per run with every headline figure
//!   ([`HEADLINE_FIELDS`]).
//! * [`compare_json`]: the same figures, plus each run's `about` text and errors by cause.
//! * Charts ([`CompareChart`]), each as PNG and SVG: the latency CDFs overlaid on a log
//!   axis, p50 and p99 bars per run, throughput over time overlaid, error rate over time
//!   overlaid. Runs are told apart by the Okabe–Ito colours, then (from the eighth run on) by
//!   dashes; the legend sits beside the plot so it never hides a line.
//!
//! Every figure comes from the runs' [`Report`]s through [`Headline::of`]; nothing is
//! computed here beyond laying it out. Text renderers do no I/O; [`write_compare_outputs`]
//! writes files through [`write_atomic`].

use std::fmt::Write as _;
use std::iter::once;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::charts::{
    Chart, DrawResult, LEGEND_PX, TICK_PX, axis_number, cdf_plot, cdf_points, font, no_data,
    palette, render, render_svg, styled_mesh, title_style, window_s,
};
use super::csv::{Out, float, opt_float};
use super::table::{count, ms, percent, rate, secs};
use super::{ReportError, write_atomic};
use crate::engine::SimTime;
use crate::metrics::Report;
use crate::metrics::headline::{HEADLINE_FIELDS, Headline};
use crate::scenario::{Arrival, Scenario, Traffic};

/// What a run was offered: the resolved traffic section (after `--set` overrides) and the
/// span it ran and was measured over. Two runs' figures are compared (a change, a
/// difference) only when their `Offered` are equal: the same rate profile or closed-loop
/// users, the same request classes, users, timeout and retries, the same duration and
/// warm-up.
#[derive(Clone, Debug, PartialEq)]
pub struct Offered {
    pub traffic: Traffic,
    pub duration: SimTime,
    pub warmup: SimTime,
}

impl Offered {
    /// What `sc` offers.
    pub fn of(sc: &Scenario) -> Offered {
        Offered {
            traffic: sc.traffic.clone(),
            duration: sc.duration,
            warmup: sc.warmup,
        }
    }

    /// The offered rate in words: `2,500 req/s`; `2,500 req/s, 7,500 from 60 s, 2,500 from
    /// 75 s`; `20,000 req/s, ramping to 250,000 from 3 s over 25 s`; `500 users, think
    /// ~1 s` for a closed loop.
    pub fn rate_text(&self) -> String {
        match &self.traffic.arrival {
            Arrival::Open(p) => {
                let mut parts = Vec::new();
                for (k, pt) in p.points.iter().enumerate() {
                    let r = rate(pt.rate_per_s);
                    if k == 0 {
                        parts.push(format!("{r} req/s"));
                    } else if pt.ramp > SimTime::ZERO {
                        parts.push(format!(
                            "ramping to {r} from {} s over {} s",
                            secs(pt.at.as_secs_f64()),
                            secs(pt.ramp.as_secs_f64())
                        ));
                    } else {
                        parts.push(format!("{r} from {} s", secs(pt.at.as_secs_f64())));
                    }
                }
                parts.join(", ")
            }
            Arrival::Closed { think } => format!(
                "{} users in a closed loop, think time {} ms",
                count(self.traffic.users),
                ms(think.mean_ns() / 1e6)
            ),
        }
    }

    /// The parts of the offer where `self` and `other` differ, in words (`rate`,
    /// `request classes`, ...); empty when they are equal.
    pub fn differences(&self, other: &Offered) -> Vec<&'static str> {
        let (a, b) = (&self.traffic, &other.traffic);
        let mut d = Vec::new();
        if a.arrival != b.arrival {
            d.push("rate");
        }
        if a.classes != b.classes {
            d.push("request classes");
        }
        if a.users != b.users {
            d.push("number of users");
        }
        if a.timeout != b.timeout {
            d.push("timeout");
        }
        if a.retries != b.retries {
            d.push("retries");
        }
        if self.duration != other.duration || self.warmup != other.warmup {
            d.push("duration or warm-up");
        }
        d
    }
}

/// One run to compare: where it came from, its report and its headline figures.
#[derive(Clone, Debug)]
pub struct CompareRun {
    /// The scenario file, as given.
    pub file: String,
    /// A short label for axes: the file name's two-digit stage number when it has one
    /// (`03`), else the file stem.
    pub label: String,
    pub report: Report,
    pub headline: Headline,
    /// What the run was offered; `None` when unknown (such a run is compared with none).
    pub offered: Option<Offered>,
}

impl CompareRun {
    /// A run of the scenario file `file` that produced `report`.
    pub fn new(file: &Path, report: Report) -> CompareRun {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let label = match stem.as_bytes() {
            [a, b, rest @ ..]
                if a.is_ascii_digit() && b.is_ascii_digit() && rest.first() != Some(&b'.') =>
            {
                stem[..2].to_string()
            }
            _ => stem,
        };
        let headline = Headline::of(&report);
        CompareRun {
            file: file.display().to_string(),
            label,
            report,
            headline,
            offered: None,
        }
    }

    /// The same run, knowing that it was offered what `sc` offers.
    pub fn offered_by(mut self, sc: &Scenario) -> CompareRun {
        self.offered = Some(Offered::of(sc));
        self
    }

    /// Whether `self` and `other` were offered the same traffic, so that their figures can
    /// be compared; `false` when either offer is unknown.
    pub fn same_traffic(&self, other: &CompareRun) -> bool {
        matches!((&self.offered, &other.offered), (Some(a), Some(b)) if a == b)
    }
}

/// A run's label with the stage word: `stage 03`, or the label alone when it is not a
/// stage number.
fn stage_name(r: &CompareRun) -> String {
    if r.label.len() == 2 && r.label.bytes().all(|b| b.is_ascii_digit()) {
        format!("stage {}", r.label)
    } else {
        format!("`{}`", r.label)
    }
}

/// Which runs were offered the same traffic, in words, for the table and the journey page:
/// `every run is offered the same traffic: 2,500 req/s` when they all were, else one
/// clause per stretch of consecutive runs with the same offer (`stages 01 to 08: 2,500
/// req/s; stage 09: 2,500 req/s, 7,500 from 60 s, 2,500 from 75 s (the rate differs from
/// stage 08 in its rate)`). `what` names the runs (`stage`, `run`).
pub fn traffic_note(runs: &[CompareRun], what: &str) -> String {
    if runs.is_empty() {
        return String::new();
    }
    let text = |r: &CompareRun| {
        r.offered
            .as_ref()
            .map_or("unknown traffic".to_string(), Offered::rate_text)
    };
    if runs.windows(2).all(|w| w[0].same_traffic(&w[1])) {
        return if runs.len() == 1 {
            format!("one {what}, offered {}", text(&runs[0]))
        } else {
            format!(
                "every {what} is offered the same traffic ({}, the same request classes), so \
                 their figures are compared",
                text(&runs[0])
            )
        };
    }
    let mut clauses = Vec::new();
    let mut start = 0;
    for end in 1..=runs.len() {
        if end < runs.len() && runs[end].same_traffic(&runs[end - 1]) {
            continue;
        }
        let first = &runs[start];
        let names = if end - start == 1 {
            stage_name(first)
        } else {
            format!(
                "{} to {}",
                stage_name(first),
                stage_name(&runs[end - 1]).trim_start_matches("stage ")
            )
            .replacen("stage ", "stages ", 1)
        };
        let mut clause = format!("{names}: {}", text(first));
        if start > 0 {
            let prev = &runs[start - 1];
            let diff = match (&first.offered, &prev.offered) {
                (Some(a), Some(b)) => a.differences(b),
                _ => Vec::new(),
            };
            let _ = if diff.is_empty() {
                write!(clause, " (not known to match {})", stage_name(prev))
            } else {
                write!(
                    clause,
                    " (differs from {} in its {})",
                    stage_name(prev),
                    diff.join(", ")
                )
            };
        }
        clauses.push(clause);
        start = end;
    }
    format!(
        "{what}s given different traffic are not compared figure by figure. Traffic: {}",
        clauses.join("; ")
    )
}

/// Width of the stage column of [`compare_table`].
const NAME_WIDTH: usize = 24;

/// The side-by-side table: one row per run.
pub fn compare_table(runs: &[CompareRun], seed: u64) -> String {
    let mut s = String::new();
    let same = runs.len() > 1 && runs.windows(2).all(|w| w[0].same_traffic(&w[1]));
    let _ = writeln!(
        s,
        "{} run{}, all with seed {seed}: common random numbers{}",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" },
        if same {
            ", the same traffic in every run"
        } else {
            ""
        }
    );
    s.push('\n');
    let _ = writeln!(
        s,
        "{:<NAME_WIDTH$} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8}  bottleneck (util.)",
        "stage", "req/s", "avail%", "mean ms", "p50 ms", "p99 ms", "failed"
    );
    let _ = writeln!(s, "{}", "-".repeat(NAME_WIDTH + 51 + 20));
    let opt_ms = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or("-".to_string(), ms);
    for r in runs {
        let h = &r.headline;
        let bottleneck = match (&h.bottleneck, h.bottleneck_utilization) {
            (Some(b), Some(u)) => format!("{b} ({:.0}%)", u * 100.0),
            (Some(b), None) => b.clone(),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            s,
            "{:<NAME_WIDTH$} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8}  {}",
            clip(&r.report.scenario, NAME_WIDTH),
            rate(h.throughput_rps),
            percent(h.availability),
            opt_ms(h.mean_ms),
            opt_ms(h.p50_ms),
            opt_ms(h.p99_ms),
            super::table::count(h.failed),
            bottleneck
        );
    }
    s.push('\n');
    s.push_str(&wrap(&availability_note(runs, "avail%"), TABLE_WIDTH));
    if runs.len() > 1 && !same {
        let note = traffic_note(runs, "run");
        s.push_str(&wrap(&format!("R{}.", &note[1..]), TABLE_WIDTH));
    }
    s
}

/// Widest line of the notes under [`compare_table`].
const TABLE_WIDTH: usize = 100;

/// What the availability `column` means, with the requests left out: `avail%: share of the finished requests
/// that succeeded, completed / (completed + failed); still in flight at the end, not
/// counted: 11: 3,456.`
pub fn availability_note(runs: &[CompareRun], column: &str) -> String {
    let left: Vec<String> = runs
        .iter()
        .filter(|r| r.report.requests.in_flight > 0)
        .map(|r| format!("{}: {}", r.label, count(r.report.requests.in_flight)))
        .collect();
    let mut s = format!(
        "{column}: share of the finished requests that succeeded, completed / (completed + \
         failed); requests still in flight at the end are not counted"
    );
    if left.is_empty() {
        s.push_str(" (there were none).");
    } else {
        let _ = write!(s, ": {}.", left.join(", "));
    }
    s
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stands
/// alone), each ending in a newline.
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `s` cut to `n` characters, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// One row per run: `file,scenario,seed,` then every headline figure, then
/// `bottleneck,bottleneck_utilization`. A figure that is undefined (a percentile when
/// nothing completed) is an empty cell.
pub fn compare_csv(runs: &[CompareRun]) -> String {
    let mut out = Out::new();
    let mut header = vec!["file", "scenario", "seed"];
    header.extend(HEADLINE_FIELDS);
    header.extend(["bottleneck", "bottleneck_utilization"]);
    out.row(header);
    for r in runs {
        let h = &r.headline;
        let mut row = vec![
            r.file.clone(),
            r.report.scenario.clone(),
            r.report.seed.to_string(),
        ];
        for f in HEADLINE_FIELDS {
            row.push(match f {
                "offered" => h.offered.to_string(),
                "completed" => h.completed.to_string(),
                "failed" => h.failed.to_string(),
                _ => opt_float(h.get(f).flatten()),
            });
        }
        row.push(h.bottleneck.clone().unwrap_or_default());
        row.push(h.bottleneck_utilization.map_or_else(String::new, float));
        out.row(row);
    }
    out.finish()
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    seed: u64,
    stages: Vec<JsonStage<'a>>,
}

#[derive(Serialize)]
struct JsonStage<'a> {
    file: &'a str,
    scenario: &'a str,
    about: &'a str,
    seed: u64,
    #[serde(flatten)]
    headline: &'a Headline,
    errors: &'a IndexMap<String, u64>,
    /// Requests still in flight at the end, left out of `availability`.
    in_flight: u64,
    /// The offered rate in words ([`Offered::rate_text`]); `null` when unknown.
    traffic: Option<String>,
    /// Whether the run was offered the same traffic as the one before it; `null` for the
    /// first.
    same_traffic_as_previous: Option<bool>,
}

/// `{seed, stages: [{file, scenario, about, seed, <headline figures>, bottleneck,
/// bottleneck_utilization, errors: {cause: count}, in_flight, traffic,
/// same_traffic_as_previous}]}`, pretty-printed.
pub fn compare_json(runs: &[CompareRun], seed: u64) -> String {
    let doc = JsonDoc {
        seed,
        stages: runs
            .iter()
            .enumerate()
            .map(|(k, r)| JsonStage {
                file: &r.file,
                scenario: &r.report.scenario,
                about: &r.report.about,
                seed: r.report.seed,
                headline: &r.headline,
                errors: &r.report.errors,
                in_flight: r.report.requests.in_flight,
                traffic: r.offered.as_ref().map(Offered::rate_text),
                same_traffic_as_previous: k.checked_sub(1).map(|p| runs[p].same_traffic(r)),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("figures serialize to JSON");
    s.push('\n');
    s
}

/// The four comparison charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareKind {
    /// End-to-end latency CDFs overlaid, log x axis.
    LatencyCdf,
    /// p50 and p99 bars per run.
    Percentiles,
    /// Throughput per window over time, overlaid.
    Throughput,
    /// Error rate per window over time, overlaid.
    Errors,
}

impl CompareKind {
    /// Every chart, in the order they are written.
    pub const ALL: [CompareKind; 4] = [
        CompareKind::LatencyCdf,
        CompareKind::Percentiles,
        CompareKind::Throughput,
        CompareKind::Errors,
    ];

    /// The file stem of the chart (`compare-latency-cdf`).
    pub fn stem(self) -> &'static str {
        match self {
            CompareKind::LatencyCdf => "compare-latency-cdf",
            CompareKind::Percentiles => "compare-percentiles",
            CompareKind::Throughput => "compare-throughput",
            CompareKind::Errors => "compare-errors",
        }
    }

    /// The caption of the chart of `runs`: [`caption`](Self::caption), and for throughput,
    /// which runs sit on panels of their own.
    pub fn caption_for(self, runs: &[CompareRun]) -> String {
        let mut s = self.caption().to_string();
        if self == CompareKind::Throughput {
            let lines: Vec<Vec<(f64, f64)>> =
                runs.iter().map(|r| throughput_points(r, false)).collect();
            let groups = scale_groups(&lines);
            if groups.len() > 1 {
                let names: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|&k| runs[k].label.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .collect();
                let _ = write!(
                    s,
                    ": runs whose throughput differs by more than {SCALE_APART}x have a panel \
                     and an axis of their own (top to bottom: {})",
                    names.join("; ")
                );
            }
        }
        s
    }

    /// What the chart shows, as a caption.
    pub fn caption(self) -> &'static str {
        match self {
            CompareKind::LatencyCdf => "End-to-end latency distributions (log scale)",
            CompareKind::Percentiles => "Median (p50) and tail (p99) latency per stage",
            CompareKind::Throughput => "Throughput over time",
            CompareKind::Errors => "Error rate over time",
        }
    }
}

/// One comparison chart of `runs`.
pub struct CompareChart<'a> {
    pub kind: CompareKind,
    pub runs: &'a [CompareRun],
}

/// Pixel size of the comparison charts (room on the right for the legend).
pub const COMPARE_SIZE: (u32, u32) = (1200, 640);
/// Width of the legend column.
const LEGEND_W: u32 = 300;

/// Okabe–Ito colours for runs, in order; the eighth run on reuses them dashed.
const RUN_COLOURS: [RGBColor; 7] = [
    palette::BLUE,
    palette::VERMILLION,
    palette::BLUISH_GREEN,
    palette::REDDISH_PURPLE,
    palette::ORANGE,
    palette::SKY_BLUE,
    palette::BLACK,
];

fn run_style(k: usize) -> (RGBColor, bool) {
    (
        RUN_COLOURS[k % RUN_COLOURS.len()],
        k / RUN_COLOURS.len() % 2 == 1,
    )
}

/// Draws run `k`'s line through `pts` in its colour, `width` pixels wide; dashed (`dash`
/// pixels on, `gap` off) for the runs that reuse a colour.
fn run_line<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    k: usize,
    pts: Vec<(f64, f64)>,
    width: u32,
    (dash, gap): (i32, i32),
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: CoordTranslate<From = (f64, f64)>,
{
    let (colour, dashed) = run_style(k);
    let style = colour.stroke_width(width);
    if dashed {
        chart.draw_series(DashedLineSeries::new(pts, dash, gap, style))?;
    } else {
        chart.draw_series(LineSeries::new(pts, style))?;
    }
    Ok(())
}

impl Chart for CompareChart<'_> {
    fn size(&self) -> (u32, u32) {
        COMPARE_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let title = self.kind.caption();
        if self.runs.is_empty() {
            return no_data(root, title, "no runs to compare");
        }
        let (w, _) = root.dim_in_pixel();
        let (plot, legend) = root.split_horizontally(w.saturating_sub(LEGEND_W));
        match self.kind {
            CompareKind::LatencyCdf => self.cdf(&plot, title)?,
            CompareKind::Percentiles => self.bars(&plot, title)?,
            CompareKind::Throughput => self.over_time(&plot, title, false)?,
            CompareKind::Errors => self.over_time(&plot, title, true)?,
        }
        if self.kind == CompareKind::Percentiles {
            let items = [
                ("p50".to_string(), palette::SKY_BLUE, false),
                ("p99".to_string(), palette::VERMILLION, false),
            ];
            side_legend(&legend, &items, true)?;
            let names: Vec<(String, RGBColor, bool)> = self
                .axis_labels()
                .into_iter()
                .zip(self.runs)
                .map(|(label, r)| {
                    (
                        format!("{label}: {}", r.report.scenario),
                        palette::TEXT,
                        false,
                    )
                })
                .collect();
            let (_, below) = legend.split_vertically(130);
            text_list(&below, &names)?;
        } else {
            let items: Vec<(String, RGBColor, bool)> = self
                .runs
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let (c, dashed) = run_style(k);
                    (r.report.scenario.clone(), c, dashed)
                })
                .collect();
            side_legend(&legend, &items, true)?;
        }
        Ok(())
    }
}

impl CompareChart<'_> {
    /// Axis labels of the runs: their [`CompareRun::label`]s, or their positions (1, 2, ...)
    /// when two runs share a label.
    fn axis_labels(&self) -> Vec<String> {
        let labels: Vec<String> = self.runs.iter().map(|r| r.label.clone()).collect();
        let unique = labels
            .iter()
            .enumerate()
            .all(|(i, l)| !labels[..i].contains(l));
        if unique {
            labels
        } else {
            (1..=labels.len()).map(|i| i.to_string()).collect()
        }
    }

    fn cdf<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, title: &str) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let curves: Vec<Vec<(f64, f64)>> =
            self.runs.iter().map(|r| cdf_points(&r.report)).collect();
        let all = curves.iter().flatten();
        let min = all.clone().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let max = all.map(|p| p.0).fold(0.0, f64::max);
        if !min.is_finite() || max <= 0.0 {
            return no_data(area, title, "no request completed after warm-up");
        }
        let mut chart = cdf_plot(area, title, (min, max), 20)?;
        for (k, pts) in curves.into_iter().enumerate() {
            run_line(&mut chart, k, pts, 3, (10, 6))?;
        }
        Ok(())
    }

    fn bars<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, title: &str) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.runs.len();
        let top = self
            .runs
            .iter()
            .flat_map(|r| [r.headline.p50_ms, r.headline.p99_ms])
            .flatten()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        if top <= 0.0 {
            return no_data(area, title, "no request completed after warm-up");
        }
        let y_max = top * 1.15;
        let mut chart = ChartBuilder::on(area)
            .caption(title, title_style(area, title)?)
            .margin(20)
            .x_label_area_size(70)
            .y_label_area_size(90)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y_max)?;
        styled_mesh(&mut chart)
            .x_desc("stage")
            .y_desc("latency (ms)")
            .disable_x_mesh()
            .x_labels(0)
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| axis_number(*v))
            .draw()?;
        // Each group's label under its bars, placed in pixels: the axis ticks of a plain
        // number range would not fall on the groups.
        let tick_style = font(TICK_PX).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, label) in self.axis_labels().into_iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64, 0.0));
            area.draw(&Text::new(label, (px, py + 8), tick_style.clone()))?;
        }
        let value_style = font(13.0).pos(Pos::new(HPos::Center, VPos::Bottom));
        for (i, r) in self.runs.iter().enumerate() {
            let x = i as f64;
            let bars = [
                (r.headline.p50_ms, x - 0.38, x - 0.02, palette::SKY_BLUE),
                (r.headline.p99_ms, x + 0.02, x + 0.38, palette::VERMILLION),
            ];
            for (v, x0, x1, colour) in bars {
                let Some(v) = v.filter(|v| v.is_finite()) else {
                    continue;
                };
                chart.draw_series(once(Rectangle::new([(x0, 0.0), (x1, v)], colour.filled())))?;
                chart.draw_series(once(Text::new(
                    ms(v),
                    ((x0 + x1) / 2.0, v),
                    value_style.clone(),
                )))?;
            }
        }
        Ok(())
    }

    fn over_time<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        errors: bool,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let lines: Vec<Vec<(f64, f64)>> = self
            .runs
            .iter()
            .map(|r| throughput_points(r, errors))
            .collect();
        let x_end = self
            .runs
            .iter()
            .map(|r| r.report.duration_s)
            .chain(lines.iter().flatten().map(|p| p.0))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        if lines.iter().all(Vec::is_empty) || x_end <= 0.0 {
            return no_data(area, title, "the runs recorded no time windows");
        }
        let warmup = self
            .runs
            .iter()
            .map(|r| r.report.warmup_s)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
            .min(x_end);
        let y_desc = if errors {
            "failed requests (%)"
        } else {
            "throughput (req/s)"
        };
        // Error rates share a percent axis; throughputs more than SCALE_APART apart get
        // panels of their own, so that no run lies flat along the bottom of another's axis.
        let groups = if errors {
            vec![(0..lines.len()).collect()]
        } else {
            scale_groups(&lines)
        };
        let mut lines: Vec<Option<Vec<(f64, f64)>>> = lines.into_iter().map(Some).collect();
        let panels = groups.len() as u32;
        let (_, h) = area.dim_in_pixel();
        let mut rest = area.clone();
        for (g, members) in groups.iter().enumerate() {
            let panel = if g + 1 == groups.len() {
                rest.clone()
            } else {
                let first = if g == 0 { 50 } else { 0 } + (h - 50) / panels;
                let (top, below) = rest.split_vertically(first);
                rest = below;
                top
            };
            let drawn: Vec<(usize, Vec<(f64, f64)>)> = members
                .iter()
                .map(|&k| (k, lines[k].take().unwrap_or_default()))
                .collect();
            let caption = if g == 0 { Some(title) } else { None };
            // A panel of its own spans its own runs' time (one panel: every run's).
            let (x_end, warmup) = if groups.len() == 1 {
                (x_end, warmup)
            } else {
                let own = |f: fn(&Report) -> f64| {
                    members
                        .iter()
                        .map(|&k| f(&self.runs[k].report))
                        .chain(drawn.iter().flat_map(|(_, l)| l.last().map(|p| p.0)))
                        .filter(|v| v.is_finite())
                        .fold(0.0, f64::max)
                };
                let end = own(|r| r.duration_s);
                let end = if end > 0.0 { end } else { x_end };
                let warm = members
                    .iter()
                    .map(|&k| self.runs[k].report.warmup_s)
                    .filter(|v| v.is_finite())
                    .fold(0.0, f64::max)
                    .min(end);
                (end, warm)
            };
            time_panel(&panel, caption, &drawn, x_end, y_desc, warmup)?;
        }
        Ok(())
    }
}

/// Runs whose throughput peaks lie more than this factor apart are drawn on separate panels.
pub const SCALE_APART: f64 = 10.0;

/// The runs grouped by the scale of their lines (peak y): sorted by peak, a run starts a new
/// group when its peak is more than [`SCALE_APART`] times the smallest peak of the current
/// group. Runs with nothing above zero join the first group. Groups are listed from the
/// largest scale down, each in run order.
fn scale_groups(lines: &[Vec<(f64, f64)>]) -> Vec<Vec<usize>> {
    let peak = |k: usize| lines[k].iter().map(|p| p.1).fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| peak(a).total_cmp(&peak(b)).then(a.cmp(&b)));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut floor = 0.0f64;
    for k in order {
        let p = peak(k);
        match groups.last_mut() {
            Some(g) if floor <= 0.0 || p <= floor * SCALE_APART => {
                g.push(k);
                if floor <= 0.0 {
                    floor = p;
                }
            }
            _ => {
                groups.push(vec![k]);
                floor = p;
            }
        }
    }
    for g in &mut groups {
        g.sort_unstable();
    }
    groups.reverse();
    groups
}

/// One time axis with the lines of runs `(k, points)` in their colours, the warm-up shaded,
/// under `title` when given.
fn time_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: Option<&str>,
    lines: &[(usize, Vec<(f64, f64)>)],
    x_end: f64,
    y_desc: &str,
    warmup: f64,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let y_top = lines
        .iter()
        .flat_map(|(_, l)| l.iter())
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let y_max = if y_top > 0.0 { y_top * 1.1 } else { 1.0 };
    let mut builder = ChartBuilder::on(area);
    if let Some(t) = title {
        builder.caption(t, title_style(area, t)?);
    }
    let mut chart = builder
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..x_end, 0.0..y_max)?;
    styled_mesh(&mut chart)
        .x_desc("time (s)")
        .y_desc(y_desc)
        .x_labels(12)
        .y_labels(8)
        .x_label_formatter(&|v| axis_number(*v))
        .y_label_formatter(&|v| axis_number(*v))
        .draw()?;
    // The warm-up, shaded grey as in the run charts (the longest when runs differ).
    if warmup > 0.0 {
        chart.draw_series(once(Rectangle::new(
            [(0.0, 0.0), (warmup, y_max)],
            palette::SHADE.mix(0.10).filled(),
        )))?;
    }
    for (k, pts) in lines {
        run_line(&mut chart, *k, pts.clone(), 2, (8, 5))?;
    }
    Ok(())
}

/// A run's points over time, at the middle of each window: throughput (req/s), or with
/// `errors` the error rate (%).
fn throughput_points(r: &CompareRun, errors: bool) -> Vec<(f64, f64)> {
    let ts = &r.report.timeseries;
    let half = window_s(ts) / 2.0;
    ts.rows
        .iter()
        .map(|w| {
            let y = if errors {
                w.error_rate * 100.0
            } else {
                w.throughput_rps
            };
            (w.t_s + half, y)
        })
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect()
}

/// A legend column: a line swatch (dashed when asked) and a name per item, from the top.
fn side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor, bool)],
    swatch: bool,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let style = font(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    let (w, h) = area.dim_in_pixel();
    let step = (((h as i32) - 100) / (items.len() as i32).max(1)).clamp(16, 30);
    let mut y = 70;
    for (name, colour, dashed) in items {
        let mut x = 0;
        if swatch {
            let s = colour.stroke_width(3);
            if *dashed {
                area.draw(&PathElement::new(vec![(0, y), (10, y)], s))?;
                area.draw(&PathElement::new(vec![(16, y), (26, y)], s))?;
            } else {
                area.draw(&PathElement::new(vec![(0, y), (26, y)], s))?;
            }
            x = 34;
        }
        let room = (w as usize).saturating_sub(x as usize + 8) / 9;
        area.draw(&Text::new(clip(name, room.max(4)), (x, y), style.clone()))?;
        y += step;
    }
    Ok(())
}

/// A plain list of lines in the legend column (which stage each axis label is).
fn text_list<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor, bool)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let style = font(15.0).pos(Pos::new(HPos::Left, VPos::Center));
    let (w, _) = area.dim_in_pixel();
    let room = (w as usize).saturating_sub(8) / 8;
    for (k, (name, _, _)) in items.iter().enumerate() {
        area.draw(&Text::new(
            clip(name, room.max(4)),
            (0, 10 + 24 * k as i32),
            style.clone(),
        ))?;
    }
    Ok(())
}

/// The comparison charts as SVG text, in [`CompareKind::ALL`] order.
pub fn compare_svgs(runs: &[CompareRun]) -> Result<Vec<(CompareKind, String)>, ReportError> {
    CompareKind::ALL
        .into_iter()
        .map(|kind| {
            let svg = render_svg(
                &CompareChart { kind, runs },
                Path::new(&format!("{}.svg", kind.stem())),
            )?;
            Ok((kind, svg))
        })
        .collect()
}

/// Writes each comparison chart into `dir` as `<stem>.png` and `<stem>.svg`; returns the
/// paths written.
pub fn write_compare_charts(runs: &[CompareRun], dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let mut paths = Vec::new();
    for kind in CompareKind::ALL {
        let png = dir.join(format!("{}.png", kind.stem()));
        let svg = dir.join(format!("{}.svg", kind.stem()));
        render(&CompareChart { kind, runs }, &png, &svg)?;
        paths.push(png);
        paths.push(svg);
    }
    Ok(paths)
}

/// Writes `compare.csv`, `compare.json` and the charts into `dir`; returns the paths.
pub fn write_compare_outputs(
    runs: &[CompareRun],
    seed: u64,
    dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let csv = dir.join("compare.csv");
    let json = dir.join("compare.json");
    write_atomic(&csv, compare_csv(runs).as_bytes())?;
    write_atomic(&json, compare_json(runs, seed).as_bytes())?;
    let mut paths = vec![csv, json];
    paths.extend(write_compare_charts(runs, dir)?);
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn runs() -> Vec<CompareRun> {
        let mut b = fixtures::faulty();
        b.scenario = "06 cdn".to_string();
        vec![
            CompareRun::new(Path::new("scenarios/05-cache.yaml"), fixtures::sample()),
            CompareRun::new(Path::new("x/06-cdn.yaml"), b),
            CompareRun::new(Path::new("empty.yaml"), fixtures::empty()),
        ]
    }

    #[test]
    fn labels_are_stage_numbers_or_stems() {
        let r = runs();
        let labels: Vec<_> = r.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["05", "06", "empty"]);
    }

    #[test]
    fn shared_labels_give_way_to_positions() {
        let r = runs();
        let chart = CompareChart {
            kind: CompareKind::Percentiles,
            runs: &r,
        };
        assert_eq!(chart.axis_labels(), ["05", "06", "empty"]);
        let twice = [r[0].clone(), r[0].clone()];
        let chart = CompareChart {
            kind: CompareKind::Percentiles,
            runs: &twice,
        };
        assert_eq!(chart.axis_labels(), ["1", "2"]);
    }

    #[test]
    fn table_has_a_row_per_run_and_fits_100_columns() {
        let t = compare_table(&runs(), 42);
        assert!(t.starts_with("3 runs, all with seed 42"), "{t}");
        let rows: Vec<_> = t.lines().skip(4).take_while(|l| !l.is_empty()).collect();
        assert_eq!(rows.len(), 3, "{t}");
        assert!(rows[0].starts_with("05-cache "), "{t}");
        assert!(rows[0].contains("web (81%)"), "{t}");
        assert!(rows[2].contains(" - "), "{t}");
        for l in t.lines().skip(2) {
            assert!(l.chars().count() <= 100, "too wide: {l}");
        }
    }

    fn scenario(rate: u32) -> Scenario {
        crate::report::fixtures::one_server(rate)
    }

    #[test]
    fn table_says_which_runs_had_the_same_traffic() {
        let same: Vec<CompareRun> = runs()
            .into_iter()
            .map(|r| r.offered_by(&scenario(100)))
            .collect();
        let t = compare_table(&same, 42);
        assert!(
            t.starts_with(
                "3 runs, all with seed 42: common random numbers, the same traffic in every run\n"
            ),
            "{t}"
        );
        assert!(!t.contains("not compared"), "{t}");
        let mut mixed = same.clone();
        mixed[2] = mixed[2].clone().offered_by(&scenario(300));
        let t = compare_table(&mixed, 42);
        assert!(!t.contains("the same traffic in every run"), "{t}");
        assert!(
            t.contains(
                "Runs given different traffic are not compared figure by figure. Traffic: stages \
                 05 to 06: 100 req/s;"
            ),
            "{t}"
        );
        assert!(
            t.contains("`empty`: 300 req/s (differs from stage 06 in its rate)."),
            "{t}"
        );
        // Unknown offers are never the same.
        assert!(!runs()[0].same_traffic(&runs()[0]));
        let v: serde_json::Value = serde_json::from_str(&compare_json(&mixed, 7)).unwrap();
        assert!(v["stages"][0]["same_traffic_as_previous"].is_null());
        assert_eq!(v["stages"][1]["same_traffic_as_previous"], true);
        assert_eq!(v["stages"][2]["same_traffic_as_previous"], false);
        assert_eq!(v["stages"][2]["traffic"], "300 req/s");
    }

    #[test]
    fn table_explains_availability() {
        let mut r = runs();
        r[1].report.requests.in_flight = 1234;
        let t = compare_table(&r, 42);
        assert!(
            t.contains(
                "avail%: share of the finished requests that succeeded, completed / (completed + \
                 failed);"
            ),
            "{t}"
        );
        assert!(t.contains("06: 1,234."), "{t}");
    }

    #[test]
    fn rate_profiles_in_words() {
        let sc = Scenario::parse(
            "name: t\nduration: 10s\ntraffic:\n  profile:\n    - {at: 0s, rate: 2500}\n    \
             - {at: 3s, rate: 250000, ramp: 5s}\n    - {at: 9s, rate: 7500}\nentry: web\n\
             components:\n  web: {kind: server, workers: 1, service: {const: 1ms}}\n",
            "t",
            &[],
        )
        .unwrap();
        assert_eq!(
            Offered::of(&sc).rate_text(),
            "2,500 req/s, ramping to 250,000 from 3 s over 5 s, 7,500 from 9 s"
        );
        let a = Offered::of(&scenario(1));
        let b = Offered::of(&sc);
        assert_eq!(a.differences(&b), ["rate", "duration or warm-up"]);
        assert!(a.differences(&a).is_empty());
    }

    #[test]
    fn runs_ten_times_apart_get_panels_of_their_own() {
        let flat = |y: f64| vec![(0.5, y), (1.5, y)];
        let lines = vec![flat(2_500.0), flat(1_300.0), flat(250_000.0), flat(7_500.0)];
        assert_eq!(scale_groups(&lines), vec![vec![2], vec![0, 1, 3]]);
        let lines = vec![flat(100.0), flat(900.0), flat(0.0)];
        assert_eq!(scale_groups(&lines), vec![vec![0, 1, 2]]);
        let mut r = runs();
        r[1].report
            .timeseries
            .rows
            .iter_mut()
            .for_each(|w| w.throughput_rps *= 100.0);
        let caption = CompareKind::Throughput.caption_for(&r);
        assert!(
            caption
                .ends_with("have a panel and an axis of their own (top to bottom: 06; 05, empty)"),
            "{caption}"
        );
        let svg = compare_svgs(&r).unwrap();
        let thr = &svg
            .iter()
            .find(|(k, _)| *k == CompareKind::Throughput)
            .unwrap()
            .1;
        assert_eq!(thr.matches("throughput (req/s)").count(), 2, "two axes");
        assert_eq!(
            CompareKind::Throughput.caption_for(&runs()),
            "Throughput over time"
        );
    }

    #[test]
    fn csv_has_every_headline_figure() {
        let csv = compare_csv(&runs());
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert_eq!(
            header,
            "file,scenario,seed,throughput_rps,availability,error_rate,mean_ms,p50_ms,p90_ms,\
             p99_ms,p999_ms,max_ms,offered,completed,failed,bottleneck,bottleneck_utilization"
        );
        assert_eq!(
            lines.next().unwrap(),
            "scenarios/05-cache.yaml,05-cache,42,994.75,0.99475,0.00525,12.5,10,20,40,80,125,\
             8000,7958,42,web,0.8125"
        );
        assert_eq!(
            lines.nth(1).unwrap(),
            "empty.yaml,empty,1,0,1,0,,,,,,,0,0,0,,"
        );
    }

    #[test]
    fn json_holds_each_stage() {
        let v: serde_json::Value = serde_json::from_str(&compare_json(&runs(), 7)).unwrap();
        assert_eq!(v["seed"], 7);
        assert_eq!(v["stages"][0]["p99_ms"], 40.0);
        assert_eq!(v["stages"][0]["errors"]["queue_full"], 30);
        assert_eq!(v["stages"][1]["scenario"], "06 cdn");
        assert!(v["stages"][2]["p50_ms"].is_null());
    }

    #[test]
    fn charts_are_written_and_empty_runs_say_no_data() {
        let dir = tempfile::tempdir().unwrap();
        let paths = write_compare_charts(&runs(), dir.path()).unwrap();
        assert_eq!(paths.len(), 8);
        for p in &paths {
            assert!(
                std::fs::metadata(p).unwrap().len() > 1000,
                "{}",
                p.display()
            );
        }
        let svgs = compare_svgs(&runs()).unwrap();
        assert!(svgs[0].1.contains("06 cdn"));
        let none = compare_svgs(&[]).unwrap();
        assert!(none.iter().all(|(_, s)| s.contains("no data")));
    }
}
