//! The per-component chart of a run: in two panels sharing the time axis, the utilization of
//! the components with workers and the requests waiting in them (a message queue's backlog),
//! for at most eight components, the busiest by peak utilization then by peak waiting.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::time_axis;
use super::panel::{Band, HEAD_PX, Panel, Series, TIME_AXIS_PX, band};
use super::render::{Chart, DrawResult, render, render_svg};
use super::style::{header, no_data, palette};
use crate::metrics::{Report, WindowRow};
use crate::report::ReportError;

/// Draws each component's utilization (%) and waiting requests (queue backlog for message
/// queues) over time in two stacked panels sharing the time axis (s), warm-up and faults
/// shaded, into `png` and `svg`.
pub fn components_chart(report: &Report, png: &Path, svg: &Path) -> Result<(), ReportError> {
    render(&ComponentsChart(report), png, svg)
}

/// The per-component chart of [`components_chart`] as SVG text (`name` labels errors).
pub fn components_svg(report: &Report, name: &Path) -> Result<String, ReportError> {
    render_svg(&ComponentsChart(report), name)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;
    use crate::report::fixtures;

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
}
