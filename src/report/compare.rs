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
use super::table::{ms, percent, rate};
use super::{ReportError, write_atomic};
use crate::metrics::Report;
use crate::metrics::headline::{HEADLINE_FIELDS, Headline};

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
        }
    }
}

/// Width of the stage column of [`compare_table`].
const NAME_WIDTH: usize = 24;

/// The side-by-side table: one row per run.
pub fn compare_table(runs: &[CompareRun], seed: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} run{}, all with seed {seed}: common random numbers, the same traffic in every run",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" }
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
    s
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
}

/// `{seed, stages: [{file, scenario, about, seed, <headline figures>, bottleneck,
/// bottleneck_utilization, errors: {cause: count}}]}`, pretty-printed.
pub fn compare_json(runs: &[CompareRun], seed: u64) -> String {
    let doc = JsonDoc {
        seed,
        stages: runs
            .iter()
            .map(|r| JsonStage {
                file: &r.file,
                scenario: &r.report.scenario,
                about: &r.report.about,
                seed: r.report.seed,
                headline: &r.headline,
                errors: &r.report.errors,
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
            .map(|r| {
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
            })
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
        let y_top = lines.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
        let y_max = if y_top > 0.0 { y_top * 1.1 } else { 1.0 };
        let mut chart = ChartBuilder::on(area)
            .caption(title, title_style(area, title)?)
            .margin(20)
            .x_label_area_size(70)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..x_end, 0.0..y_max)?;
        styled_mesh(&mut chart)
            .x_desc("time (s)")
            .y_desc(if errors {
                "failed requests (%)"
            } else {
                "throughput (req/s)"
            })
            .x_labels(12)
            .y_labels(8)
            .x_label_formatter(&|v| axis_number(*v))
            .y_label_formatter(&|v| axis_number(*v))
            .draw()?;
        // The warm-up, shaded grey as in the run charts (the longest when runs differ).
        let warmup = self
            .runs
            .iter()
            .map(|r| r.report.warmup_s)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
            .min(x_end);
        if warmup > 0.0 {
            chart.draw_series(once(Rectangle::new(
                [(0.0, 0.0), (warmup, y_max)],
                palette::SHADE.mix(0.10).filled(),
            )))?;
        }
        for (k, pts) in lines.into_iter().enumerate() {
            run_line(&mut chart, k, pts, 2, (8, 5))?;
        }
        Ok(())
    }
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
        let rows: Vec<_> = t.lines().skip(4).collect();
        assert_eq!(rows.len(), 3, "{t}");
        assert!(rows[0].starts_with("05-cache "), "{t}");
        assert!(rows[0].contains("web (81%)"), "{t}");
        assert!(rows[2].contains(" - "), "{t}");
        for l in t.lines().skip(2) {
            assert!(l.chars().count() <= 100, "too wide: {l}");
        }
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
