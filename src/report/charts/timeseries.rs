//! The time-series chart of a run: throughput (and goodput, when a class has a deadline),
//! p50/p99 latency and error rate in three panels
//! sharing the time axis, warm-up and faults shaded; a panel of active instances when a group
//! autoscales, and one of the requests entering each data center when there are data centers.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::time_axis;
use super::panel::{Band, HEAD_PX, Panel, Series, TIME_AXIS_PX, band};
use super::render::{Chart, DrawResult, render, render_svg};
use super::style::{header, no_data, palette};
use crate::metrics::{Report, WindowRow};
use crate::report::ReportError;

/// Pixel size of the time-series chart (taller: three panels).
pub const TIMESERIES_SIZE: (u32, u32) = (1000, 720);

/// Pixel size of the time-series chart with the instances panel (autoscaled groups).
pub const TIMESERIES_SCALED_SIZE: (u32, u32) = (1000, 920);

/// Draws throughput (req/s), p50/p99 latency (ms) and error rate (%) over time in three
/// stacked panels sharing the time axis (s), warm-up and faults shaded, into `png` and `svg`;
/// with autoscaled server or worker groups, a panel of their active instances; with data centers, a
/// panel of the requests entering each data center per second.
pub fn timeseries_chart(report: &Report, png: &Path, svg: &Path) -> Result<(), ReportError> {
    render(&TimeseriesChart(report), png, svg)
}

/// The time-series chart of [`timeseries_chart`] as SVG text (`name` labels errors).
pub fn timeseries_svg(report: &Report, name: &Path) -> Result<String, ReportError> {
    render_svg(&TimeseriesChart(report), name)
}

struct TimeseriesChart<'a>(&'a Report);

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
        // Goodput beside throughput when some class has a deadline (without one, goodput
        // is throughput).
        let has_deadline = r.classes.values().any(|c| c.deadline_ms.is_some());
        let goodput = series(palette::SKY_BLUE, |w| Some(w.goodput_rps));
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
        let mut legend = vec![("throughput", palette::BLUE)];
        if has_deadline {
            legend.push(("goodput", palette::SKY_BLUE));
        }
        legend.extend([
            ("p50 latency", palette::BLUISH_GREEN),
            ("p99 latency", palette::VERMILLION),
            ("error rate", palette::REDDISH_PURPLE),
        ]);
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
        if has_deadline {
            panel(
                &top,
                "throughput, goodput (req/s)",
                &[&throughput, &goodput],
                0,
            )?;
        } else {
            panel(&top, "throughput (req/s)", &[&throughput], 0)?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;
    use crate::report::fixtures;

    #[test]
    fn timeseries_chart_png_and_svg() {
        let (png, svg) = draw(timeseries_chart, &fixtures::sample());
        check_png(&png, TIMESERIES_SIZE);
        assert!(svg.contains("<svg"));
        assert!(svg.contains("05-cache: throughput, latency and errors over time"));
        for text in [
            "throughput, goodput (req/s)",
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
    fn goodput_is_drawn_beside_throughput_when_a_class_has_a_deadline() {
        let mut r = fixtures::sample();
        for c in r.classes.values_mut() {
            c.deadline_ms = None;
        }
        let (_, svg) = draw(timeseries_chart, &r);
        assert!(!svg.contains("goodput"));
        assert!(svg.contains("throughput (req/s)"));
        let first = r.classes.keys().next().expect("a class").clone();
        r.classes[&first].deadline_ms = Some(2000.0);
        let (png, svg) = draw(timeseries_chart, &r);
        check_png(&png, TIMESERIES_SIZE);
        assert!(svg.contains("throughput, goodput (req/s)"));
        assert!(
            svg.matches("goodput").count() >= 2,
            "the legend names it too"
        );
    }

    #[test]
    fn autoscaled_groups_get_an_instances_panel() {
        let r = fixtures::autoscaled_sample();
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
}
