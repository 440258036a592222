//! The chart of a cheapest-design search ([`crate::cheapest::cheapest`]): every probe's
//! latency figure against its cost a month, passing probes as green dots and failing ones as
//! vermillion crosses, the cost/latency front as a blue line through its probes, the
//! objective on that figure (if any) as a dashed line and the answer ringed. Drawn with the
//! helpers of [`super::charts`]: the bundled font, the Okabe–Ito palette, PNG and SVG from
//! one code.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ReportError;
use super::charts::{
    Chart, DrawResult, TICK_PX, axis_number, font, no_data, palette, render, styled_mesh,
    title_style,
};
use crate::cheapest::Cheapest;

/// Pixel size of the chart.
pub const CHEAPEST_SIZE: (u32, u32) = (1000, 640);

/// Draws the probes of `c` into `png` and `svg`.
pub fn cheapest_chart(c: &Cheapest, png: &Path, svg: &Path) -> Result<(), ReportError> {
    render(&CheapestChart(c), png, svg)
}

struct CheapestChart<'a>(&'a Cheapest);

impl Chart for CheapestChart<'_> {
    fn size(&self) -> (u32, u32) {
        CHEAPEST_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let c = self.0;
        let title = format!(
            "{}: cost and {} of the probes",
            c.scenario, c.latency_metric
        );
        let points: Vec<(f64, f64, bool)> = c
            .probes
            .iter()
            .filter_map(|p| p.latency_ms.map(|l| (p.per_month, l, p.pass)))
            .collect();
        if points.is_empty() {
            return no_data(root, &title, "no probe completed a request");
        }
        let style = title_style(root, &title)?;
        let (top, body) = root.split_vertically(78);
        top.draw(&Text::new(title.as_str(), (20, 12), style))?;
        top.draw(&Text::new(
            "green dots pass, vermillion crosses fail; blue: the cost/latency front; dashed: the objective",
            (20, 50),
            font(TICK_PX).color(&palette::MUTED),
        ))?;
        let threshold = c.slos.iter().find_map(|s| {
            s.parse::<crate::sweep::Slo>()
                .ok()
                .filter(|s| s.metric == c.latency_metric)
                .map(|s| s.threshold)
        });
        let (x_lo, x_hi) = points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.0), b.max(p.0))
            });
        let x_pad = ((x_hi - x_lo) * 0.06).max(x_hi.abs() * 0.05).max(1e-6);
        let (x_lo, x_hi) = ((x_lo - x_pad).max(0.0), x_hi + x_pad);
        let ys: Vec<f64> = points.iter().map(|p| p.1).chain(threshold).collect();
        let (y_lo, y_hi) = ys
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                (a.min(*y), b.max(*y))
            });
        let y_pad = ((y_hi - y_lo) * 0.08).max(y_hi.abs() * 0.05).max(1e-6);
        let (y_lo, y_hi) = ((y_lo - y_pad).max(0.0), y_hi + y_pad);
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_right(40)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
        styled_mesh(&mut chart)
            .x_desc("cost ($ a month)")
            .y_desc(format!("{} (ms)", c.latency_metric))
            .x_label_formatter(&|v| axis_number(*v))
            .y_label_formatter(&|v| axis_number(*v))
            .draw()?;
        if let Some(t) = threshold {
            chart.draw_series(DashedLineSeries::new(
                [(x_lo, t), (x_hi, t)],
                8,
                6,
                palette::MUTED.stroke_width(2),
            ))?;
        }
        // The front as a staircase: the best latency found at or below each cost.
        let mut front: Vec<(f64, f64)> = Vec::new();
        for p in c.front.iter().map(|&i| &c.probes[i]) {
            if let Some(l) = p.latency_ms {
                if let Some(&(_, prev)) = front.last() {
                    front.push((p.per_month, prev));
                }
                front.push((p.per_month, l));
            }
        }
        chart.draw_series(LineSeries::new(front, palette::BLUE.stroke_width(2)))?;
        chart.draw_series(
            points
                .iter()
                .filter(|p| p.2)
                .map(|p| Circle::new((p.0, p.1), 6, palette::BLUISH_GREEN.filled())),
        )?;
        chart.draw_series(
            points
                .iter()
                .filter(|p| !p.2)
                .map(|p| Cross::new((p.0, p.1), 7, palette::VERMILLION.stroke_width(3))),
        )?;
        if let Some(a) = &c.answer
            && let Some(l) = c.probes[a.probe].latency_ms
        {
            chart.draw_series(std::iter::once(Circle::new(
                (a.per_month, l),
                12,
                palette::BLUE.stroke_width(3),
            )))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((a.per_month, l))
                    + Text::new(
                        format!("cheapest: ${}/month", axis_number(a.per_month.round())),
                        (
                            if a.per_month > (x_lo + x_hi) / 2.0 {
                                -230
                            } else {
                                16
                            },
                            -28,
                        ),
                        font(TICK_PX).color(&palette::BLUE),
                    ),
            ))?;
        }
        Ok(())
    }
}
