//! Charts of one run, each drawn twice from the same code: PNG (for slides and the terminal
//! viewer) and SVG (for the web and print).
//!
//! * [`latency_chart`]: the end-to-end latency CDF on a logarithmic millisecond axis, with
//!   p50 and p99 marked.
//! * [`timeseries_chart`]: throughput, p50/p99 latency and error rate in three panels that
//!   share the time axis, with the warm-up shaded grey and each fault shaded orange from its
//!   start to its end (a line for an instantaneous flush), labelled in the top panel. When a
//!   server or worker group autoscales, a fourth panel shows each such group's active instances.
//! * [`components_chart`]: per component over time, in two panels sharing the time axis: the
//!   utilization of the components with workers, and the requests waiting in them (for a
//!   message queue, its backlog), at most eight components (the busiest, by peak utilization
//!   then by peak waiting).
//!
//! Text is set in DejaVu Sans, embedded in the binary (`assets/fonts/DejaVuSans.ttf`, licence
//! beside it) and registered with plotters once, so charts render the same on a machine
//! without any system font. Colours come from the Okabe–Ito palette, which stays distinct
//! under the common colour-vision deficiencies.
//!
//! This file must not compute statistics: it plots the figures the [`Report`] holds. Missing
//! data (no completed requests, no windows, a panel with no values) yields a chart that says
//! "no data" rather than an error or a panic. Files are written through [`write_atomic`]: the
//! PNG is rendered to a temporary file beside the target and renamed into place, the SVG is
//! rendered into memory.

use std::error::Error;
use std::iter::once;
use std::path::Path;
use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::combinators::{LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use super::table::{count, ms};
use super::{ReportError, write_atomic, write_atomic_with};
use crate::metrics::{FaultMark, Report, TimeSeries, WindowRow};

/// Pixel size of the latency chart.
pub const LATENCY_SIZE: (u32, u32) = (1000, 600);
/// Pixel size of the time-series chart (taller: three panels).
pub const TIMESERIES_SIZE: (u32, u32) = (1000, 720);
/// Pixel size of the time-series chart with the instances panel (autoscaled groups).
pub const TIMESERIES_SCALED_SIZE: (u32, u32) = (1000, 920);

/// The font file embedded below, relative to the crate root (for error messages).
const FONT_PATH: &str = "assets/fonts/DejaVuSans.ttf";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The family name every text style uses; the embedded font is registered under it.
const FAMILY: &str = "sans-serif";

// Font sizes in pixels, chosen to stay readable when a chart fills a slide.
pub(crate) const TITLE_PX: f64 = 30.0;
pub(crate) const DESC_PX: f64 = 20.0;
pub(crate) const TICK_PX: f64 = 17.0;
pub(crate) const LEGEND_PX: f64 = 18.0;

/// The Okabe–Ito palette (Okabe & Ito 2008), plus the greys used for text and grid.
pub(crate) mod palette {
    use plotters::style::RGBColor;

    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    /// Fault bands: Okabe–Ito orange, apart from the grey warm-up and the vermillion p99.
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    /// Fault labels and edges: the orange darkened until text in it reads on white.
    pub const DARK_ORANGE: RGBColor = RGBColor(150, 96, 0);
    pub const TEXT: RGBColor = RGBColor(20, 20, 20);
    pub const MUTED: RGBColor = RGBColor(110, 110, 110);
    pub const GRID: RGBColor = RGBColor(215, 215, 215);
    pub const LIGHT_GRID: RGBColor = RGBColor(238, 238, 238);
    pub const SHADE: RGBColor = RGBColor(0, 0, 0);
}

/// Draws the end-to-end latency distribution of `report` as a CDF on a logarithmic x axis
/// (ms), with markers for p50 and p99, into `png` and `svg`.
pub fn latency_chart(report: &Report, png: &Path, svg: &Path) -> Result<(), ReportError> {
    render(&LatencyChart(report), png, svg)
}

/// Draws throughput (req/s), p50/p99 latency (ms) and error rate (%) over time in three
/// stacked panels sharing the time axis (s), warm-up and faults shaded, into `png` and `svg`;
/// with autoscaled server or worker groups, a panel of their active instances; with data centers, a
/// panel of the requests entering each data center per second.
pub fn timeseries_chart(report: &Report, png: &Path, svg: &Path) -> Result<(), ReportError> {
    render(&TimeseriesChart(report), png, svg)
}

/// Draws each component's utilization (%) and waiting requests (queue backlog for message
/// queues) over time in two stacked panels sharing the time axis (s), warm-up and faults
/// shaded, into `png` and `svg`.
pub fn components_chart(report: &Report, png: &Path, svg: &Path) -> Result<(), ReportError> {
    render(&ComponentsChart(report), png, svg)
}

pub(crate) type DrawResult = Result<(), Box<dyn Error>>;

/// A chart that can be drawn on any plotters backend.
pub(crate) trait Chart {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

pub(crate) fn render(chart: &impl Chart, png: &Path, svg: &Path) -> Result<(), ReportError> {
    ensure_font()?;
    let size = chart.size();
    write_atomic_with(png, |tmp| {
        // The bitmap backend picks the encoder from the extension, which the temporary path
        // keeps.
        let root = BitMapBackend::new(tmp, size).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| Ok(root.present()?))
            .map_err(chart_error(png))
    })?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| Ok(root.present()?))
            .map_err(chart_error(svg))?;
    }
    write_atomic(svg, text.as_bytes())
}

/// Draws `chart` as SVG text, for embedding in a page. `name` labels errors.
pub(crate) fn render_svg(chart: &impl Chart, name: &Path) -> Result<String, ReportError> {
    ensure_font()?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, chart.size()).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| Ok(root.present()?))
            .map_err(chart_error(name))?;
    }
    Ok(text)
}

/// The time-series chart of [`timeseries_chart`] as SVG text (`name` labels errors).
pub fn timeseries_svg(report: &Report, name: &Path) -> Result<String, ReportError> {
    render_svg(&TimeseriesChart(report), name)
}

/// The per-component chart of [`components_chart`] as SVG text (`name` labels errors).
pub fn components_svg(report: &Report, name: &Path) -> Result<String, ReportError> {
    render_svg(&ComponentsChart(report), name)
}

/// Where a fault is drawn on a time axis from 0 to `x_end` seconds: `(start, end)`, with
/// `end == start` for a fault at an instant (drawn as a line), as the time-series charts
/// draw it; `None` when it falls outside the axis.
pub(crate) fn fault_span(f: &FaultMark, x_end: f64) -> Option<(f64, f64)> {
    band(f, x_end).map(|b| (b.start, b.end))
}

fn chart_error(path: &Path) -> impl FnOnce(Box<dyn Error>) -> ReportError {
    let path = path.to_path_buf();
    move |e| ReportError::Chart {
        path,
        message: e.to_string(),
    }
}

/// Registers the embedded font with plotters, once per process.
pub(crate) fn ensure_font() -> Result<(), ReportError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ReportError::Font {
            path: FONT_PATH.into(),
        })
    }
}

pub(crate) fn font(px: f64) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&palette::TEXT)
}

/// The title font, smaller for a title too long to fit the canvas at the usual size.
pub(crate) fn title_style<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<TextStyle<'static>, Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    let room = area.dim_in_pixel().0.saturating_sub(40);
    let mut px = TITLE_PX;
    while px > 14.0 && area.estimate_text_size(title, &font(px))?.0 > room {
        px -= 2.0;
    }
    Ok(font(px))
}

pub(crate) fn centred(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Center, VPos::Center))
}

/// The whole canvas says "no data", under the chart's title.
pub(crate) fn no_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    why: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = root.dim_in_pixel();
    let (cx, cy) = (w as i32 / 2, h as i32 / 2);
    root.draw(&Text::new(
        title,
        (cx, 40),
        centred(title_style(root, title)?),
    ))?;
    root.draw(&Text::new(
        "no data",
        (cx, cy - 20),
        centred(font(44.0).color(&palette::MUTED)),
    ))?;
    root.draw(&Text::new(
        why,
        (cx, cy + 30),
        centred(font(DESC_PX).color(&palette::MUTED)),
    ))?;
    Ok(())
}

struct LatencyChart<'a>(&'a Report);

impl Chart for LatencyChart<'_> {
    fn size(&self) -> (u32, u32) {
        LATENCY_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = self.0;
        root.fill(&WHITE)?;
        let title = format!("{}: end-to-end latency distribution", r.scenario);
        let points = cdf_points(r);
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return no_data(root, &title, "no request completed after warm-up");
        };
        // The axis spans the curve and both markers, so a marker is never pinned to an edge.
        let marked = [r.latency_ms.p50, r.latency_ms.p99]
            .into_iter()
            .flatten()
            .filter(|v| v.is_finite() && *v > 0.0);
        let min = marked.clone().fold(first.0, f64::min);
        let max = marked.fold(last.0, f64::max);
        let mut chart = cdf_plot(root, &title, (min, max), 40)?;

        let cdf_style = palette::BLUE.stroke_width(3);
        let n = r.latency_ms.count;
        chart
            .draw_series(LineSeries::new(points.iter().copied(), cdf_style))?
            .label(if n > 0 {
                format!("CDF of {} requests", count(n))
            } else {
                "CDF".to_string()
            })
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], cdf_style));

        // p50's label sits left of its line and p99's right of its own, so they never
        // collide, and both sit where the curve is not (left of p50 the curve is below 50%,
        // right of p99 above 99%).
        let markers = [
            ("p50", r.latency_ms.p50, palette::BLUISH_GREEN, true),
            ("p99", r.latency_ms.p99, palette::VERMILLION, false),
        ];
        for (name, value, colour, label_left) in markers {
            let Some(x) = value.filter(|v| v.is_finite() && *v > 0.0) else {
                continue;
            };
            let style = colour.stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new([(x, 0.0), (x, 100.0)], 10, 6, style))?
                .label(format!("{name} = {} ms", ms(x)))
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (12, 0)], style)
                        + PathElement::new(vec![(18, 0), (30, 0)], style)
                });
            let (dx, h) = if label_left {
                (-8, HPos::Right)
            } else {
                (8, HPos::Left)
            };
            chart.draw_series(once(
                EmptyElement::at((x, 92.0))
                    + Text::new(
                        name,
                        (dx, 0),
                        font(LEGEND_PX)
                            .color(&colour)
                            .pos(Pos::new(h, VPos::Center)),
                    ),
            ))?;
        }

        series_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

/// The legend of the labelled series of `chart`, boxed on a pale backing at `position`.
pub(crate) fn series_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .margin(16)
        .legend_area_size(44)
        .label_font(font(LEGEND_PX))
        .background_style(WHITE.mix(0.9))
        .border_style(palette::MUTED)
        .draw()?;
    Ok(())
}

/// The mesh of `chart` in the house style: tick labels and axis titles in the chart font,
/// grey grid lines, paler light lines. The caller adds its axes' settings and draws it.
pub(crate) fn styled_mesh<'a, 'b, DB, XT, YT, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
{
    let mut mesh = chart.configure_mesh();
    mesh.label_style(font(TICK_PX))
        .axis_desc_style(font(DESC_PX))
        .bold_line_style(palette::GRID)
        .light_line_style(palette::LIGHT_GRID);
    mesh
}

/// The coordinates of a latency CDF: milliseconds on a log axis, percent up.
pub(crate) type CdfCoord = Cartesian2d<WithKeyPoints<LogCoord<f64>>, RangedCoordf64>;

/// The plot of a latency CDF on `area` under `title`, its mesh drawn: x from `min` to `max`
/// ms (widened by [`log_bounds`], ticked by [`log_ticks`]) on a log scale, y from 0 to 100%;
/// `margin_right` pixels of room on the right (20 like the other sides, or more).
pub(crate) fn cdf_plot<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    (min, max): (f64, f64),
    margin_right: u32,
) -> Result<ChartContext<'a, DB, CdfCoord>, Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    let (lo, hi) = log_bounds(min, max);
    let (labelled, unlabelled) = log_ticks(lo, hi);
    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style(area, title)?)
        .margin(20)
        .margin_right(margin_right)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(
            (lo..hi)
                .log_scale()
                .with_key_points(labelled)
                .with_light_points(unlabelled),
            0.0..100.0,
        )?;
    styled_mesh(&mut chart)
        .x_desc("latency (ms, log scale)")
        .y_desc("requests at or below (%)")
        .y_labels(11)
        .y_max_light_lines(0)
        .x_label_formatter(&|v| axis_number(*v))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()?;
    Ok(chart)
}

/// The CDF as `(ms, percent)` points sorted by latency, starting at 0%; points that cannot be
/// drawn on a log axis (zero, negative or non-finite latency) are left out.
pub(crate) fn cdf_points(r: &Report) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = r
        .latency_cdf
        .iter()
        .filter(|p| p.ms.is_finite() && p.ms > 0.0 && p.fraction.is_finite())
        .map(|p| (p.ms, (p.fraction * 100.0).clamp(0.0, 100.0)))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    if let Some(&(x0, y0)) = pts.first()
        && y0 > 0.0
    {
        pts.insert(0, (x0, 0.0));
    }
    pts
}

/// Log-axis bounds: down to a power of ten (plotters only places ticks from a power of ten
/// upwards), up to the next 1-2-5 value with a little room.
pub(crate) fn log_bounds(min: f64, max: f64) -> (f64, f64) {
    let lo = 10f64.powi(min.log10().floor() as i32);
    let mut hi = nice_ceil(max * 1.05);
    if hi <= lo * 1.0001 {
        hi = nice_ceil(lo * 2.0);
    }
    (lo, hi)
}

/// The smallest value of the form {1, 2, 5} x 10^k that is at least `x` (> 0).
fn nice_ceil(x: f64) -> f64 {
    let p = 10f64.powi(x.log10().floor() as i32);
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= x * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// Ticks of a log axis from `lo` (a power of ten) to `hi`: the labelled ones at 1, 2 and 5
/// x 10^k (only at powers of ten when the axis spans more than four decades), and unlabelled
/// ones at the other whole multiples, for the grid.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let first = lo.log10().round() as i32;
    let decades = (hi / lo).log10().ceil().max(1.0) as i32;
    let labelled_mantissas: &[u32] = if decades > 4 { &[1] } else { &[1, 2, 5] };
    let (mut labelled, mut unlabelled) = (Vec::new(), Vec::new());
    for k in first..first + decades {
        let p = 10f64.powi(k);
        for m in 1..=9u32 {
            // Multiply whole numbers by a power of ten, never step by adding floats.
            let v = f64::from(m) * p;
            if v > hi * (1.0 + 1e-9) {
                break;
            }
            if labelled_mantissas.contains(&m) {
                labelled.push(v);
            } else {
                unlabelled.push(v);
            }
        }
    }
    if hi >= 10f64.powi(first + decades) * (1.0 - 1e-9) {
        labelled.push(10f64.powi(first + decades));
    }
    (labelled, unlabelled)
}

/// A tick value without float noise: `0.05`, `2.5`, `1200`.
pub(crate) fn axis_number(v: f64) -> String {
    let a = v.abs();
    let decimals = if a == 0.0 || a >= 100.0 {
        0
    } else {
        // Enough for two significant digits.
        (1 - a.log10().floor() as i32).max(0) as usize
    };
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The length of the time windows of `ts`, seconds: 1 when it is not a positive number.
pub(crate) fn window_s(ts: &TimeSeries) -> f64 {
    if ts.window_s.is_finite() && ts.window_s > 0.0 {
        ts.window_s
    } else {
        1.0
    }
}

/// The time axis of `r`'s charts: the window length and the axis end, seconds (the run's
/// duration or the end of its last window, whichever is later; 1 when neither is positive).
/// `None` when the run recorded no window.
fn time_axis(r: &Report) -> Option<(f64, f64)> {
    let last = r.timeseries.rows.last()?;
    let window = window_s(&r.timeseries);
    let end = [r.duration_s, last.t_s + window]
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    Some((window, if end > 0.0 { end } else { 1.0 }))
}

struct TimeseriesChart<'a>(&'a Report);

/// One line of a panel; `None` points break the line.
struct Series {
    colour: RGBColor,
    points: Vec<Option<(f64, f64)>>,
}

/// Height of the title and legend strip, and the extra height of the bottom panel for the
/// time axis.
pub(crate) const HEAD_PX: u32 = 96;
const TIME_AXIS_PX: u32 = 64;

/// The time-series components that autoscale (their report carries `scale_outs`), by
/// index into `timeseries.components`.
fn autoscaled(r: &Report) -> Vec<usize> {
    r.timeseries
        .components
        .iter()
        .enumerate()
        .filter(|(_, name)| {
            r.components
                .get(name.as_str())
                .is_some_and(|c| c.extra.contains_key("scale_outs"))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Colours of the data-center lines (cycled): none of the four in the top panels, and the
/// first two differ from the instance lines, which a chart can show next to them.
const DC_COLOURS: [RGBColor; 4] = [
    palette::ORANGE,
    palette::DARK_ORANGE,
    palette::SKY_BLUE,
    palette::BLACK,
];

/// Colours of the instance lines, one per autoscaled group (cycled).
const INSTANCE_COLOURS: [RGBColor; 3] = [palette::BLACK, palette::SKY_BLUE, palette::BLUE];

impl Chart for TimeseriesChart<'_> {
    fn size(&self) -> (u32, u32) {
        let extra = u32::from(!autoscaled(self.0).is_empty())
            + u32::from(!self.0.timeseries.datacenters.is_empty());
        let (w, h) = TIMESERIES_SIZE;
        (
            w,
            h + extra * (TIMESERIES_SCALED_SIZE.1 - TIMESERIES_SIZE.1),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = self.0;
        root.fill(&WHITE)?;
        let title = format!("{}: throughput, latency and errors over time", r.scenario);
        let ts = &r.timeseries;
        let Some((window, x_end)) = time_axis(r) else {
            return no_data(root, &title, "the run recorded no time windows");
        };

        // Each window's figure is drawn at the window's middle.
        let series = |colour: RGBColor, value: fn(&WindowRow) -> Option<f64>| Series {
            colour,
            points: ts
                .rows
                .iter()
                .map(|row| {
                    value(row)
                        .filter(|v| v.is_finite())
                        .map(|v| (row.t_s + window / 2.0, v))
                })
                .collect(),
        };
        let throughput = series(palette::BLUE, |w| Some(w.throughput_rps));
        let p50 = series(palette::BLUISH_GREEN, |w| w.p50_ms);
        let p99 = series(palette::VERMILLION, |w| w.p99_ms);
        let errors = series(palette::REDDISH_PURPLE, |w| Some(w.error_rate * 100.0));

        let faults: Vec<Band> = ts.faults.iter().filter_map(|f| band(f, x_end)).collect();

        // Active instances of each autoscaled group, as steps: a window's count (taken at
        // its end) holds across the window.
        let scaled = autoscaled(r);
        let instance_series: Vec<Series> = scaled
            .iter()
            .enumerate()
            .map(|(k, &ci)| Series {
                colour: INSTANCE_COLOURS[k % INSTANCE_COLOURS.len()],
                points: ts
                    .rows
                    .iter()
                    .flat_map(|row| {
                        let v = row.instances.get(ci).copied().flatten();
                        let end = (row.t_s + window).min(x_end);
                        [
                            v.map(|v| (row.t_s, f64::from(v))),
                            v.map(|v| (end, f64::from(v))),
                        ]
                    })
                    .collect(),
            })
            .collect();
        let instance_names: Vec<String> = scaled
            .iter()
            .map(|&ci| format!("instances {}", ts.components[ci]))
            .collect();
        // Requests entering each data center per second: traffic moving after a failure.
        let dc_series: Vec<Series> = (0..ts.datacenters.len())
            .map(|d| Series {
                colour: DC_COLOURS[d % DC_COLOURS.len()],
                points: ts
                    .rows
                    .iter()
                    .map(|row| {
                        row.entered
                            .get(d)
                            .map(|&n| (row.t_s + window / 2.0, n as f64 / window))
                    })
                    .collect(),
            })
            .collect();
        let dc_names: Vec<String> = ts.datacenters.iter().map(|d| d.to_string()).collect();

        let (head, body) = root.split_vertically(HEAD_PX);
        let mut legend = vec![
            ("throughput", palette::BLUE),
            ("p50 latency", palette::BLUISH_GREEN),
            ("p99 latency", palette::VERMILLION),
            ("error rate", palette::REDDISH_PURPLE),
        ];
        for (name, s) in instance_names.iter().zip(&instance_series) {
            legend.push((name.as_str(), s.colour));
        }
        for (name, s) in dc_names.iter().zip(&dc_series) {
            legend.push((name.as_str(), s.colour));
        }
        header(&head, &title, &legend)?;
        let mut extra: Vec<(&str, Vec<&Series>)> = Vec::new();
        if !scaled.is_empty() {
            extra.push(("instances", instance_series.iter().collect()));
        }
        if !dc_series.is_empty() {
            extra.push(("entering DC (req/s)", dc_series.iter().collect()));
        }
        let panels = 3 + extra.len() as u32;
        let panel_px = (body.dim_in_pixel().1.saturating_sub(TIME_AXIS_PX) / panels).max(1);
        let (top, rest) = body.split_vertically(panel_px);
        let (middle, rest) = rest.split_vertically(panel_px);
        let panel = |area, y_desc, series: &[&Series], position: u32| {
            Panel {
                x_end,
                warmup_s: r.warmup_s,
                faults: &faults,
                y_desc,
                is_top: position == 0,
                is_bottom: position + 1 == panels,
            }
            .draw(area, series)
        };
        panel(&top, "throughput (req/s)", &[&throughput], 0)?;
        panel(&middle, "latency (ms)", &[&p50, &p99], 1)?;
        if extra.is_empty() {
            panel(&rest, "errors (%)", &[&errors], 2)?;
            return Ok(());
        }
        let (third, mut rest) = rest.split_vertically(panel_px);
        panel(&third, "errors (%)", &[&errors], 2)?;
        let mut areas = Vec::with_capacity(extra.len());
        for _ in 1..extra.len() {
            let (area, below) = rest.split_vertically(panel_px);
            areas.push(area);
            rest = below;
        }
        areas.push(rest);
        for (k, ((desc, lines), area)) in extra.iter().zip(&areas).enumerate() {
            panel(area, desc, lines, 3 + k as u32)?;
        }
        Ok(())
    }
}

struct ComponentsChart<'a>(&'a Report);

/// Pixel size of the per-component chart (two panels).
pub const COMPONENTS_SIZE: (u32, u32) = (1000, 640);
/// Most components drawn on the per-component chart (one legend row).
const MAX_COMPONENT_LINES: usize = 8;
/// Colours of the per-component lines, in order.
const COMPONENT_COLOURS: [RGBColor; MAX_COMPONENT_LINES] = [
    palette::BLUE,
    palette::VERMILLION,
    palette::BLUISH_GREEN,
    palette::REDDISH_PURPLE,
    palette::ORANGE,
    palette::SKY_BLUE,
    palette::BLACK,
    palette::MUTED,
];

impl Chart for ComponentsChart<'_> {
    fn size(&self) -> (u32, u32) {
        COMPONENTS_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = self.0;
        root.fill(&WHITE)?;
        let title = format!("{}: components over time", r.scenario);
        let ts = &r.timeseries;
        let Some((window, x_end)) = time_axis(r) else {
            return no_data(root, &title, "the run recorded no time windows");
        };
        let util = |row: &WindowRow, i: usize| {
            row.utilization.get(i).copied().flatten().map(|u| u * 100.0)
        };
        let waiting = |row: &WindowRow, i: usize| {
            row.backlog_mean
                .get(i)
                .copied()
                .flatten()
                .or_else(|| row.queue_mean.get(i).copied().flatten())
        };
        let peak = |f: &dyn Fn(&WindowRow, usize) -> Option<f64>, i: usize| {
            ts.rows
                .iter()
                .filter_map(|row| f(row, i))
                .filter(|v| v.is_finite())
                .fold(f64::NEG_INFINITY, f64::max)
        };
        // The components with a figure to draw, busiest first (ties in scenario order).
        let mut picked: Vec<(usize, f64, f64)> = (0..ts.components.len())
            .map(|i| (i, peak(&util, i), peak(&waiting, i)))
            .filter(|&(_, u, w)| u.is_finite() || w.is_finite())
            .collect();
        picked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(b.2.total_cmp(&a.2))
                .then(a.0.cmp(&b.0))
        });
        picked.truncate(MAX_COMPONENT_LINES);
        picked.sort_by_key(|p| p.0);
        if picked.is_empty() {
            return no_data(root, &title, "no component has workers or a backlog");
        }
        let series = |f: &dyn Fn(&WindowRow, usize) -> Option<f64>| -> Vec<Series> {
            picked
                .iter()
                .enumerate()
                .map(|(k, &(i, _, _))| Series {
                    colour: COMPONENT_COLOURS[k],
                    points: ts
                        .rows
                        .iter()
                        .map(|row| {
                            f(row, i)
                                .filter(|v| v.is_finite())
                                .map(|v| (row.t_s + window / 2.0, v))
                        })
                        .collect(),
                })
                .collect()
        };
        let util_lines = series(&util);
        let wait_lines = series(&waiting);
        let faults: Vec<Band> = ts.faults.iter().filter_map(|f| band(f, x_end)).collect();
        let (head, body) = root.split_vertically(HEAD_PX);
        let legend: Vec<(&str, RGBColor)> = picked
            .iter()
            .enumerate()
            .map(|(k, &(i, _, _))| (ts.components[i].as_str(), COMPONENT_COLOURS[k]))
            .collect();
        header(&head, &title, &legend)?;
        let panel_px = (body.dim_in_pixel().1.saturating_sub(TIME_AXIS_PX) / 2).max(1);
        let (top, bottom) = body.split_vertically(panel_px);
        let panel = |area, y_desc, lines: &[Series], position: u32| {
            let refs: Vec<&Series> = lines.iter().collect();
            Panel {
                x_end,
                warmup_s: r.warmup_s,
                faults: &faults,
                y_desc,
                is_top: position == 0,
                is_bottom: position == 1,
            }
            .draw(area, &refs)
        };
        panel(&top, "utilization (%)", &util_lines, 0)?;
        panel(&bottom, "waiting / backlog", &wait_lines, 1)?;
        Ok(())
    }
}

/// The title, centred, and one legend row for all panels below it.
pub(crate) fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    items: &[(&str, RGBColor)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    const SWATCH: i32 = 32;
    const GAP: i32 = 8;
    const SPACE: i32 = 36;
    let (w, _) = area.dim_in_pixel();
    area.draw(&Text::new(
        title,
        (w as i32 / 2, 32),
        centred(title_style(area, title)?),
    ))?;
    let style = font(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    let mut widths = Vec::with_capacity(items.len());
    for (name, _) in items {
        widths.push(area.estimate_text_size(name, &style)?.0 as i32);
    }
    // Greedy rows that fit the width; one row sits at y = 76, two or more share y 62..=94.
    let item_w = |tw: i32| SWATCH + GAP + tw;
    let mut rows: Vec<(usize, usize, i32)> = Vec::new(); // (first, end, width)
    for (i, &tw) in widths.iter().enumerate() {
        match rows.last_mut() {
            Some((_, end, rw)) if *rw + SPACE + item_w(tw) <= w as i32 - 40 => {
                *end = i + 1;
                *rw += SPACE + item_w(tw);
            }
            _ => rows.push((i, i + 1, item_w(tw))),
        }
    }
    let step = if rows.len() > 1 {
        (32 / (rows.len() as i32 - 1)).min(24)
    } else {
        0
    };
    for (r, &(first, end, rw)) in rows.iter().enumerate() {
        let y = if rows.len() == 1 {
            76
        } else {
            62 + step * r as i32
        };
        let mut x = (w as i32 - rw).max(0) / 2;
        for ((name, colour), &tw) in items[first..end].iter().zip(&widths[first..end]) {
            area.draw(&PathElement::new(
                vec![(x, y), (x + SWATCH, y)],
                colour.stroke_width(3),
            ))?;
            area.draw(&Text::new(*name, (x + SWATCH + GAP, y), style.clone()))?;
            x += item_w(tw) + SPACE;
        }
    }
    Ok(())
}

/// A fault as drawn: the time it covers, clipped to the axis.
struct Band<'a> {
    label: &'a str,
    start: f64,
    /// Equal to `start` for an instantaneous fault, drawn as a line.
    end: f64,
}

/// The band of a fault on an axis from 0 to `x_end`: to `x_end` when it has no end, except
/// for a flush, which happens at an instant. `None` when it cannot be placed.
fn band(f: &FaultMark, x_end: f64) -> Option<Band<'_>> {
    if !f.start_s.is_finite() || f.start_s > x_end {
        return None;
    }
    let start = f.start_s.max(0.0);
    let end = match f.end_s {
        Some(e) if e.is_finite() => e.clamp(start, x_end),
        None if f.label.starts_with("flush") || f.label.starts_with("add_shard") => start,
        _ => x_end,
    };
    Some(Band {
        label: &f.label,
        start,
        end,
    })
}

/// Height of one row of labels at the top of a panel, pixels.
const LABEL_ROW_PX: i32 = 22;
/// The most rows of labels; further labels move right in the row that ends first.
const MAX_LABEL_ROWS: usize = 4;
/// Horizontal room kept between two labels in a row, pixels.
const LABEL_GAP_PX: i32 = 12;

/// A label written at the top of a panel.
struct Label<'a> {
    text: &'a str,
    colour: RGBColor,
    /// The time the label belongs to (where its band starts).
    at: f64,
    /// Pixel offset of the text's left edge from `at`.
    dx: i32,
    /// Estimated text width, pixels.
    width: i32,
    /// Drawn on a pale backing (fault labels, which lines may cross).
    backed: bool,
    row: usize,
}

/// Places labels given as `(left, width)` in pixels, in drawing order, and returns each
/// one's `(row, left)`. A label goes into the first row where it clears the labels already
/// there by [`LABEL_GAP_PX`]. When none of `max_rows` rows has room, it goes into the row
/// whose last label ends furthest left, moved right just past that label (but no further
/// than `right - width`), so labels stay legible in a crowd of faults.
fn place_labels(labels: &[(i32, i32)], max_rows: usize, right: i32) -> Vec<(usize, i32)> {
    let mut ends: Vec<i32> = Vec::new();
    labels
        .iter()
        .map(|&(left, width)| {
            let (row, left) = match ends.iter().position(|&end| end + LABEL_GAP_PX <= left) {
                Some(row) => (row, left),
                None if ends.len() < max_rows.max(1) => {
                    ends.push(i32::MIN);
                    (ends.len() - 1, left)
                }
                None => {
                    let row = (0..ends.len()).min_by_key(|&r| ends[r]).unwrap_or(0);
                    let moved = (ends[row] + LABEL_GAP_PX).min(right - width).max(left);
                    (row, moved)
                }
            };
            ends[row] = ends[row].max(left + width);
            (row, left)
        })
        .collect()
}

/// One panel of the time-series chart.
struct Panel<'a> {
    x_end: f64,
    warmup_s: f64,
    faults: &'a [Band<'a>],
    y_desc: &'a str,
    /// Only the top panel labels the warm-up and the faults.
    is_top: bool,
    /// Only the bottom panel shows the time axis.
    is_bottom: bool,
}

impl Panel<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        series: &[&Series],
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let values = || series.iter().flat_map(|s| s.points.iter().flatten());
        let has_data = values().next().is_some();
        let y_top = values().map(|p| p.1).fold(0.0, f64::max);

        let build = |y_max: f64| {
            ChartBuilder::on(area)
                .margin_left(20)
                .margin_right(40)
                .margin_top(10)
                .margin_bottom(if self.is_bottom { 0 } else { 10 })
                .x_label_area_size(if self.is_bottom { TIME_AXIS_PX } else { 0 })
                .y_label_area_size(90)
                .build_cartesian_2d(0.0..self.x_end, 0.0..y_max)
        };
        // The time axis does not depend on the values, so a first chart places the labels.
        let label_style = font(TICK_PX).pos(Pos::new(HPos::Left, VPos::Top));
        let labels = if self.is_top {
            self.labels(area, &build(1.0)?, &label_style)?
        } else {
            Vec::new()
        };
        // Head room so the labels and the top of the lines stay apart: a fifth of the plot
        // height, more when the labels need more rows.
        let y_max = if y_top > 0.0 {
            let rows = labels.iter().map(|l| l.row + 1).max().unwrap_or(0) as f64;
            let height = f64::from(area.dim_in_pixel().1.saturating_sub(20).max(1));
            let room = ((rows * f64::from(LABEL_ROW_PX) + 8.0) / height).clamp(0.2, 0.6);
            y_top / (1.0 - room)
        } else {
            1.0
        };

        let mut chart = build(y_max)?;
        let mut mesh = styled_mesh(&mut chart);
        mesh.y_desc(self.y_desc)
            .x_labels(12)
            .y_labels(4)
            .x_label_formatter(&|v| axis_number(*v))
            .y_label_formatter(&|v| axis_number(*v))
            // Transparent light lines: the panels show only the bold grid.
            .light_line_style(WHITE.mix(0.0));
        if self.is_bottom {
            mesh.x_desc("time (s)");
        }
        mesh.draw()?;

        if self.warmup_s > 0.0 && self.warmup_s.is_finite() {
            let wx = self.warmup_s.min(self.x_end);
            chart.draw_series(once(Rectangle::new(
                [(0.0, 0.0), (wx, y_max)],
                palette::SHADE.mix(0.10).filled(),
            )))?;
        }
        for f in self.faults {
            let edge = palette::DARK_ORANGE.mix(0.6).stroke_width(1);
            if f.end > f.start {
                chart.draw_series(once(Rectangle::new(
                    [(f.start, 0.0), (f.end, y_max)],
                    palette::ORANGE.mix(0.2).filled(),
                )))?;
                chart.draw_series(LineSeries::new([(f.start, 0.0), (f.start, y_max)], edge))?;
                if f.end < self.x_end {
                    chart.draw_series(LineSeries::new([(f.end, 0.0), (f.end, y_max)], edge))?;
                }
            } else {
                chart.draw_series(LineSeries::new(
                    [(f.start, 0.0), (f.start, y_max)],
                    palette::ORANGE.stroke_width(2),
                ))?;
            }
        }

        for s in series {
            for segment in segments(&s.points) {
                if let [only] = segment[..] {
                    chart.draw_series(once(Circle::new(only, 3, s.colour.filled())))?;
                } else {
                    chart.draw_series(LineSeries::new(segment, s.colour.stroke_width(2)))?;
                }
            }
        }
        // Fault labels on a pale backing, so band edges and flush lines do not cross the text.
        for l in &labels {
            let top = 4 + l.row as i32 * LABEL_ROW_PX;
            if l.backed {
                chart.draw_series(once(
                    EmptyElement::at((l.at, y_max))
                        + Rectangle::new(
                            [
                                (l.dx - 3, top - 2),
                                (l.dx + l.width + 3, top + LABEL_ROW_PX - 4),
                            ],
                            WHITE.mix(0.7).filled(),
                        ),
                ))?;
            }
            chart.draw_series(once(
                EmptyElement::at((l.at, y_max))
                    + Text::new(
                        l.text.to_string(),
                        (l.dx, top),
                        label_style.color(&l.colour),
                    ),
            ))?;
        }
        if !has_data {
            chart.draw_series(once(Text::new(
                "no data",
                (self.x_end / 2.0, y_max / 2.0),
                centred(font(DESC_PX).color(&palette::MUTED)),
            )))?;
        }
        Ok(())
    }

    /// The warm-up label and one label per fault, each starting just right of where its band
    /// starts (or ending just left of it, when it would run off the plot), in rows so that
    /// they do not overlap.
    fn labels<'b, DB: DrawingBackend>(
        &'b self,
        area: &DrawingArea<DB, Shift>,
        chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        style: &TextStyle<'static>,
    ) -> Result<Vec<Label<'b>>, Box<dyn Error>>
    where
        DB::ErrorType: 'static,
    {
        let (x_range, _) = chart.plotting_area().get_pixel_range();
        let mut labels = Vec::new();
        if self.warmup_s > 0.0 && self.warmup_s.is_finite() {
            labels.push(Label {
                text: "warm-up",
                colour: palette::MUTED,
                at: 0.0,
                dx: 6,
                width: 0,
                backed: false,
                row: 0,
            });
        }
        let mut faults: Vec<&Band> = self.faults.iter().collect();
        faults.sort_by(|a, b| a.start.total_cmp(&b.start));
        for f in faults {
            labels.push(Label {
                text: f.label,
                colour: palette::DARK_ORANGE,
                at: f.start,
                dx: 5,
                width: 0,
                backed: true,
                row: 0,
            });
        }
        let right = x_range.end - 2;
        let mut xs = Vec::with_capacity(labels.len());
        let mut spans = Vec::with_capacity(labels.len());
        for l in &mut labels {
            let x = chart.backend_coord(&(l.at, 0.0)).0;
            let width = area.estimate_text_size(l.text, style)?.0 as i32;
            l.width = width;
            let mut left = x + l.dx;
            if left + width > right {
                left = x - l.dx - width;
            }
            xs.push(x);
            spans.push((left.max(x_range.start + 2), width));
        }
        let placed = place_labels(&spans, MAX_LABEL_ROWS, right);
        for ((l, x), (row, left)) in labels.iter_mut().zip(xs).zip(placed) {
            l.row = row;
            l.dx = left - x;
        }
        Ok(labels)
    }
}

/// The runs of consecutive `Some` points.
fn segments(points: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    points
        .split(Option::is_none)
        .filter(|run| !run.is_empty())
        .map(|run| run.iter().flatten().copied().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

    /// Width and height from a PNG's IHDR chunk.
    fn png_size(bytes: &[u8]) -> (u32, u32) {
        let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
        (be(16), be(20))
    }

    fn draw(
        f: fn(&Report, &Path, &Path) -> Result<(), ReportError>,
        report: &Report,
    ) -> (Vec<u8>, String) {
        let dir = tempfile::tempdir().unwrap();
        let (png, svg) = (dir.path().join("c.png"), dir.path().join("c.svg"));
        f(report, &png, &svg).unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "c.png" && n != "c.svg")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        (
            std::fs::read(png).unwrap(),
            std::fs::read_to_string(svg).unwrap(),
        )
    }

    fn check_png(bytes: &[u8], size: (u32, u32)) {
        assert!(bytes.starts_with(PNG_SIGNATURE));
        assert_eq!(png_size(bytes), size);
        assert!(
            (5_000..3_000_000).contains(&bytes.len()),
            "{} bytes",
            bytes.len()
        );
    }

    #[test]
    fn latency_chart_png_and_svg() {
        let (png, svg) = draw(latency_chart, &fixtures::sample());
        check_png(&png, LATENCY_SIZE);
        assert!(svg.contains("<svg"));
        assert!(svg.contains("05-cache: end-to-end latency distribution"));
        assert!(svg.contains("latency (ms, log scale)"));
        assert!(svg.contains("p99 = 40.0 ms"), "legend shows the p99 value");
        assert!(!svg.contains("no data"));
    }

    #[test]
    fn timeseries_chart_png_and_svg() {
        let (png, svg) = draw(timeseries_chart, &fixtures::sample());
        check_png(&png, TIMESERIES_SIZE);
        assert!(svg.contains("<svg"));
        assert!(svg.contains("05-cache: throughput, latency and errors over time"));
        for text in [
            "throughput (req/s)",
            "latency (ms)",
            "errors (%)",
            "time (s)",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(svg.contains("warm-up"));
        assert!(!svg.contains("no data"));
    }

    #[test]
    fn components_chart_draws_each_component() {
        let (png, svg) = draw(components_chart, &fixtures::sample());
        check_png(&png, COMPONENTS_SIZE);
        assert!(svg.contains("05-cache: components over time"));
        for text in [
            "utilization (%)",
            "waiting / backlog",
            "time (s)",
            "web",
            "cache",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(!svg.contains("no data"));
    }

    #[test]
    fn autoscaled_groups_get_an_instances_panel() {
        let mut r = fixtures::sample();
        r.components["web"]
            .extra
            .insert("scale_outs".to_string(), 2.0);
        for (i, row) in r.timeseries.rows.iter_mut().enumerate() {
            row.instances[1] = Some(2 + i as u32 / 3);
        }
        let (png, svg) = draw(timeseries_chart, &r);
        check_png(&png, TIMESERIES_SCALED_SIZE);
        assert!(svg.contains("\ninstances\n"), "the panel's axis");
        assert!(svg.contains("instances web"), "the legend");
        // Without autoscaling: three panels, no instances.
        let (png, svg) = draw(timeseries_chart, &fixtures::sample());
        check_png(&png, TIMESERIES_SIZE);
        assert!(!svg.contains("instances"));
    }

    #[test]
    fn timeseries_chart_marks_faults() {
        let (png, svg) = draw(timeseries_chart, &fixtures::faulty());
        check_png(&png, TIMESERIES_SIZE);
        for label in ["flush cache", "crash web#1", "slow web#0", "warm-up"] {
            assert_eq!(svg.matches(label).count(), 1, "{label} is written once");
        }
        // Without faults, no fault colour appears.
        let (_, plain) = draw(timeseries_chart, &fixtures::sample());
        let orange = "#E69F00";
        assert!(svg.contains(orange) && !plain.contains(orange));
    }

    #[test]
    fn fault_bands_are_clipped_to_the_axis() {
        let mark = |label: &str, start_s: f64, end_s: Option<f64>| FaultMark {
            label: label.to_string(),
            start_s,
            end_s,
        };
        let span = |m: &FaultMark| band(m, 10.0).map(|b| (b.start, b.end));
        assert_eq!(span(&mark("crash web", 2.0, Some(4.0))), Some((2.0, 4.0)));
        assert_eq!(span(&mark("crash web", 2.0, None)), Some((2.0, 10.0)));
        assert_eq!(span(&mark("crash web", 2.0, Some(30.0))), Some((2.0, 10.0)));
        assert_eq!(span(&mark("flush cache", 3.0, None)), Some((3.0, 3.0)));
        assert_eq!(span(&mark("crash web", -1.0, Some(1.0))), Some((0.0, 1.0)));
        assert_eq!(span(&mark("crash web", 11.0, None)), None);
        assert_eq!(span(&mark("crash web", f64::NAN, None)), None);
    }

    #[test]
    fn labels_take_rows_without_overlapping() {
        // Far apart: one row. Close together: new rows.
        assert_eq!(
            place_labels(&[(0, 50), (100, 50), (200, 50)], 4, 1000),
            [(0, 0), (0, 100), (0, 200)]
        );
        assert_eq!(
            place_labels(&[(0, 50), (40, 50), (55, 50), (80, 50), (150, 50)], 4, 1000),
            [(0, 0), (1, 40), (2, 55), (0, 80), (0, 150)]
        );
        // Rows full: the label moves right, past the row that ends first.
        assert_eq!(
            place_labels(&[(0, 50), (10, 80), (20, 30)], 2, 1000),
            [(0, 0), (1, 10), (0, 50 + LABEL_GAP_PX)]
        );
        // ... but not off the plot.
        assert_eq!(
            place_labels(&[(0, 50), (10, 80), (20, 30)], 2, 60),
            [(0, 0), (1, 10), (0, 30)]
        );
    }

    #[test]
    fn empty_report_charts_say_no_data() {
        let r = fixtures::empty();
        for f in [latency_chart, timeseries_chart, components_chart] {
            let (png, svg) = draw(f, &r);
            assert!(png.starts_with(PNG_SIGNATURE));
            assert!(svg.contains("<svg"));
            assert!(svg.contains("no data"));
            assert!(svg.contains("empty: "), "title names the scenario");
        }
    }

    #[test]
    fn windows_without_completions_say_no_data_in_the_latency_panel() {
        let mut r = fixtures::sample();
        for row in &mut r.timeseries.rows {
            row.p50_ms = None;
            row.p99_ms = None;
        }
        // Holes in the other series, and a window with a lone value, must not panic either.
        r.timeseries.rows[3].throughput_rps = f64::NAN;
        r.timeseries.rows[5].throughput_rps = f64::NAN;
        r.warmup_s = 100.0;
        let (png, svg) = draw(timeseries_chart, &r);
        assert!(png.starts_with(PNG_SIGNATURE));
        assert_eq!(svg.matches("no data").count(), 1);
    }

    #[test]
    fn a_single_latency_value_still_draws() {
        let mut r = fixtures::sample();
        r.latency_cdf = vec![crate::metrics::CdfPoint {
            ms: 5.0,
            fraction: 1.0,
        }];
        let (png, _) = draw(latency_chart, &r);
        assert!(png.starts_with(PNG_SIGNATURE));
    }

    #[test]
    fn scenario_names_are_escaped_in_svg() {
        let mut r = fixtures::empty();
        r.scenario = "a<b&c".to_string();
        let (_, svg) = draw(latency_chart, &r);
        assert!(svg.contains("a&lt;b&amp;c"));
    }

    #[test]
    fn log_axis_helpers() {
        assert_eq!(log_bounds(0.5, 400.0), (0.1, 500.0));
        assert_eq!(log_bounds(12.0, 18.0), (10.0, 20.0));
        assert_eq!(log_bounds(10.0, 10.0), (10.0, 20.0));
        let (labelled, unlabelled) = log_ticks(0.1, 500.0);
        let labels: Vec<String> = labelled.iter().map(|v| axis_number(*v)).collect();
        assert_eq!(
            labels,
            [
                "0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "50", "100", "200", "500"
            ]
        );
        assert_eq!(unlabelled.len(), 6 * 3 + 2);
        let (labelled, _) = log_ticks(10.0, 20.0);
        assert_eq!(labelled, [10.0, 20.0]);
        let (labelled, _) = log_ticks(1.0, 100.0);
        assert_eq!(labelled, [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]);
        let (labelled, _) = log_ticks(0.01, 50_000.0);
        assert_eq!(labelled, [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10_000.0]);
        assert_eq!(axis_number(0.05), "0.05");
        assert_eq!(axis_number(2.5), "2.5");
        assert_eq!(axis_number(1200.0), "1200");
        assert_eq!(axis_number(0.0), "0");
    }

    #[test]
    fn segments_break_at_gaps() {
        let p = |x: f64| Some((x, x));
        assert_eq!(
            segments(&[p(0.0), p(1.0), None, p(3.0), None, None]),
            vec![vec![(0.0, 0.0), (1.0, 1.0)], vec![(3.0, 3.0)]]
        );
        assert!(segments(&[None]).is_empty());
    }
}
