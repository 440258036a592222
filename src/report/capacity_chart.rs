//! The chart of a max-load search ([`crate::capacity::max_load`]): every probe's p99
//! latency (top) and availability (bottom) against the load it was offered, passing probes
//! as green dots and failing ones as vermillion crosses, the objectives on those figures as
//! dashed lines and the load found as a vertical line. Drawn with the helpers of
//! [`super::charts`]: the bundled font, the Okabe–Ito palette, PNG and SVG from one code.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ReportError;
use super::charts::{
    Chart, DrawResult, TICK_PX, axis_number, font, no_data, palette, render, styled_mesh,
    title_style,
};
use crate::capacity::MaxLoad;

/// Pixel size of the chart.
pub const MAX_LOAD_SIZE: (u32, u32) = (1000, 720);

/// Draws the probes of `m` into `png` and `svg`.
pub fn max_load_chart(m: &MaxLoad, png: &Path, svg: &Path) -> Result<(), ReportError> {
    render(&MaxLoadChart(m), png, svg)
}

struct MaxLoadChart<'a>(&'a MaxLoad);

/// One panel: a figure of each probe (`None`: undefined there) against its load.
struct Panel<'a> {
    y_desc: &'a str,
    points: Vec<(f64, Option<f64>, bool)>,
    /// The objective on this figure, in the panel's unit.
    threshold: Option<f64>,
}

impl Chart for MaxLoadChart<'_> {
    fn size(&self) -> (u32, u32) {
        MAX_LOAD_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let m = self.0;
        let title = format!("{}: max sustainable load", m.scenario);
        if m.probes.is_empty() {
            return no_data(root, &title, "no probe ran");
        }
        let style = title_style(root, &title)?;
        let (body, _) = {
            let (t, b) = root.split_vertically(50);
            t.draw(&Text::new(title.as_str(), (20, 12), style))?;
            (b, ())
        };
        let threshold = |metric: &str, scale: f64| -> Option<f64> {
            m.slos.iter().find_map(|s| {
                s.parse::<crate::sweep::Slo>()
                    .ok()
                    .filter(|s| s.metric == metric)
                    .map(|s| s.threshold * scale)
            })
        };
        let panels = [
            Panel {
                y_desc: "p99 latency (ms)",
                points: m
                    .probes
                    .iter()
                    .map(|p| (p.rate_rps, p.headline.p99_ms, p.pass))
                    .collect(),
                threshold: threshold("p99_ms", 1.0),
            },
            Panel {
                y_desc: "availability (%)",
                points: m
                    .probes
                    .iter()
                    .map(|p| (p.rate_rps, Some(p.headline.availability * 100.0), p.pass))
                    .collect(),
                threshold: threshold("availability", 100.0),
            },
        ];
        let x_max = m
            .probes
            .iter()
            .map(|p| p.rate_rps)
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.05;
        let areas = body.split_evenly((2, 1));
        for (area, panel) in areas.iter().zip(&panels) {
            let ys: Vec<f64> = panel
                .points
                .iter()
                .filter_map(|p| p.1)
                .chain(panel.threshold)
                .collect();
            let (y_lo, y_hi) = ys
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                    (a.min(*y), b.max(*y))
                });
            let (y_lo, y_hi) = if y_lo.is_finite() {
                let pad = ((y_hi - y_lo) * 0.08).max(1e-6);
                ((y_lo - pad).max(0.0), y_hi + pad)
            } else {
                (0.0, 1.0)
            };
            let mut chart = ChartBuilder::on(area)
                .margin(20)
                .x_label_area_size(50)
                .y_label_area_size(90)
                .build_cartesian_2d(0.0..x_max, y_lo..y_hi)?;
            styled_mesh(&mut chart)
                .x_desc("offered load (req/s)")
                .y_desc(panel.y_desc)
                .x_label_formatter(&|v| axis_number(*v))
                .y_label_formatter(&|v| axis_number(*v))
                .draw()?;
            if let Some(t) = panel.threshold {
                chart.draw_series(DashedLineSeries::new(
                    [(0.0, t), (x_max, t)],
                    8,
                    6,
                    palette::MUTED.stroke_width(2),
                ))?;
            }
            if m.scale > 0.0 {
                chart.draw_series(LineSeries::new(
                    [(m.max_rate_rps, y_lo), (m.max_rate_rps, y_hi)],
                    palette::BLUE.stroke_width(2),
                ))?;
                chart.draw_series(std::iter::once(Text::new(
                    format!("max {} req/s", axis_number(m.max_rate_rps)),
                    (m.max_rate_rps, y_hi),
                    font(TICK_PX).color(&palette::BLUE),
                )))?;
            }
            chart.draw_series(panel.points.iter().filter(|p| p.2).filter_map(|p| {
                p.1.map(|y| Circle::new((p.0, y), 6, palette::BLUISH_GREEN.filled()))
            }))?;
            chart.draw_series(panel.points.iter().filter(|p| !p.2).filter_map(|p| {
                p.1.map(|y| Cross::new((p.0, y), 7, palette::VERMILLION.stroke_width(3)))
            }))?;
        }
        Ok(())
    }
}
