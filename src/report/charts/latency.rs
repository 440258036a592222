//! The latency chart: the end-to-end latency CDF of a run on a logarithmic millisecond axis,
//! with p50 and p99 marked.

use std::iter::once;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{cdf_plot, cdf_points};
use super::render::{Chart, DrawResult, render};
use super::style::{LEGEND_PX, font, no_data, palette, series_legend};
use crate::metrics::Report;
use crate::report::ReportError;
use crate::report::table::{count, ms};

/// Pixel size of the latency chart.
pub const LATENCY_SIZE: (u32, u32) = (1000, 600);

/// Draws the end-to-end latency distribution of `report` as a CDF on a logarithmic x axis
/// (ms), with markers for p50 and p99, into `png` and `svg`.
pub fn latency_chart(report: &Report, png: &Path, svg: &Path) -> Result<(), ReportError> {
    render(&LatencyChart(report), png, svg)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;
    use crate::report::fixtures;

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
}
