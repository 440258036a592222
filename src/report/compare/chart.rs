//! The four overlaid compare charts ([`CompareChart`]): latency CDFs on a log axis, p50 and p99
//! bars per run, throughput over time and error rate over time, each as PNG and SVG. Runs are
//! told apart by the Okabe–Ito colours, then (from the eighth run on) by dashes; the legend sits
//! beside the plot so it never hides a line.

use std::fmt::Write as _;
use std::iter::once;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::CompareRun;
use super::table::clip;
use crate::metrics::Report;
use crate::report::ReportError;
use crate::report::charts::{
    Chart, DrawResult, LEGEND_PX, TICK_PX, axis_number, cdf_plot, cdf_points, font, no_data,
    palette, render, render_svg, styled_mesh, title_style, window_s,
};
use crate::report::table::ms;

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
    /// Which chart.
    pub kind: CompareKind,
    /// The runs, in the order they are drawn.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compare::testing::*;

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
