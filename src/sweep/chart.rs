//! The sweep chart: one headline figure against the first varied parameter, one line per
//! value of the other parameters, each point the mean over the replications with a shaded
//! 95% confidence band ([`crate::sweep::point_means`], which uses `mean_ci95`).
//!
//! The x axis is numeric when every value of the first parameter is a number with the same
//! unit suffix (or none), the unit going into the axis title; otherwise the values are
//! categories, evenly spaced in grid order. Shares (availability, error rate) are drawn as
//! percentages. Drawn with the helpers of [`crate::report::charts`]: the bundled font, the
//! Okabe–Ito palette, PNG and SVG from the same code, files written whole.

use std::collections::BTreeMap;
use std::iter::once;
use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{SweepTable, point_means};
use crate::output::ReportError;
use crate::report::charts::{
    Chart, DrawResult, axis_number, no_data, palette, render, series_legend, styled_mesh,
    title_style,
};

/// Pixel size of the sweep chart.
pub const SWEEP_SIZE: (u32, u32) = (1000, 640);

const COLOURS: [RGBColor; 7] = [
    palette::BLUE,
    palette::VERMILLION,
    palette::BLUISH_GREEN,
    palette::REDDISH_PURPLE,
    palette::SKY_BLUE,
    palette::ORANGE,
    palette::BLACK,
];

/// Draws `metric` (one of `HEADLINE_FIELDS`) of the sweep in `table` against its first
/// parameter into `png` and `svg`; `title` names the study (the scenario).
pub fn sweep_chart(
    table: &SweepTable,
    metric: &str,
    title: &str,
    png: &Path,
    svg: &Path,
) -> Result<(), ReportError> {
    render(
        &SweepChart {
            table,
            metric,
            title,
        },
        png,
        svg,
    )
}

struct SweepChart<'a> {
    table: &'a SweepTable,
    metric: &'a str,
    title: &'a str,
}

/// How a figure is labelled and scaled on the y axis.
fn y_axis(metric: &str) -> (String, f64) {
    match metric {
        "throughput_rps" => ("throughput (req/s)".into(), 1.0),
        "goodput_rps" => ("goodput (req/s)".into(), 1.0),
        "availability" => ("availability (%)".into(), 100.0),
        "error_rate" => ("error rate (%)".into(), 100.0),
        "mean_ms" => ("mean latency (ms)".into(), 1.0),
        "offered" | "completed" | "failed" => (format!("requests {metric}"), 1.0),
        m => match m.strip_suffix("_ms") {
            Some(p) => (format!("{p} latency (ms)"), 1.0),
            None => (m.to_string(), 1.0),
        },
    }
}

/// A number with an optional unit suffix (`250ms` -> (250, "ms")).
fn numeric(v: &str) -> Option<(f64, &str)> {
    let end = v
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
        .map_or(v.len(), |(i, _)| i);
    let x: f64 = v[..end].parse().ok()?;
    let unit = &v[end..];
    unit.chars()
        .all(|c| c.is_ascii_alphabetic() || c == '%')
        .then_some((x, unit))
}

impl Chart for SweepChart<'_> {
    fn size(&self) -> (u32, u32) {
        SWEEP_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let t = self.table;
        let (y_name, y_scale) = y_axis(self.metric);
        let param = t.params.first().map_or("", String::as_str);
        let title = format!("{}: {y_name} vs {param}", self.title);
        let Some(metric) = SweepTable::figure_index(self.metric) else {
            return no_data(root, &title, "unknown figure");
        };
        let means = point_means(t, metric);
        if means.is_empty() {
            return no_data(root, &title, "the figure is undefined in every run");
        }

        let Lines {
            categories,
            numeric_x,
            unit,
            order,
            series,
        } = Lines::of(t, &means, y_scale);
        let ((x_lo, x_hi), (y_min, y_hi)) = bounds(&series, numeric_x, categories.len());
        let x_desc = match unit {
            Some(u) if numeric_x && !u.is_empty() => format!("{param} ({u})"),
            _ => param.to_string(),
        };
        let reps = t
            .rows
            .values()
            .map(|r| r.replication + 1)
            .max()
            .unwrap_or(1);
        let y_desc = if reps > 1 {
            format!("{y_name}, mean of {reps} runs ± 95% CI")
        } else {
            y_name.clone()
        };

        // Categories sit at whole numbers: ask for ticks at least every half unit so that
        // each whole number gets one (the formatter leaves the halves blank).
        let x_labels = if numeric_x {
            10
        } else {
            2 * categories.len() + 1
        };
        let mut chart = ChartBuilder::on(root)
            .caption(&title, title_style(root, &title)?)
            .margin(20)
            .margin_right(40)
            .x_label_area_size(70)
            .y_label_area_size(100)
            .build_cartesian_2d(x_lo..x_hi, y_min..y_hi)?;
        let cats = categories.clone();
        let x_fmt = move |v: &f64| -> String {
            if numeric_x {
                axis_number(*v)
            } else {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    cats.get(i as usize)
                        .map_or(String::new(), |c| c.to_string())
                } else {
                    String::new()
                }
            }
        };
        let mut mesh = styled_mesh(&mut chart);
        mesh.x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|v| axis_number(*v))
            .x_labels(x_labels)
            .max_light_lines(2);
        mesh.draw()?;

        for (k, key) in order.iter().enumerate() {
            draw_line(&mut chart, COLOURS[k % COLOURS.len()], key, &series[key])?;
        }
        series_legend(&mut chart, SeriesLabelPosition::UpperLeft)
    }
}

/// A figure's mean at each grid point: one series per combination of the other parameters.
type Series = BTreeMap<String, Vec<(f64, f64, Option<f64>)>>;

/// What the chart draws, from the means: the x positions (numbers with one unit, or
/// categories in grid order) and the lines, one per combination of the other parameters.
struct Lines<'a> {
    /// The first parameter's values, in grid order.
    categories: Vec<&'a str>,
    /// Whether the values are numbers with one unit (else categories, evenly spaced).
    numeric_x: bool,
    /// That unit.
    unit: Option<&'a str>,
    /// The series' keys (`param=value, ...`), in grid order.
    order: Vec<String>,
    /// `(x, mean, half-width)` per key, sorted by x; figures scaled for the y axis.
    series: Series,
}

impl<'a> Lines<'a> {
    fn of(t: &SweepTable, means: &'a [(Vec<String>, f64, Option<f64>)], y_scale: f64) -> Self {
        // The x positions: numbers with one unit, or categories in grid order.
        let mut categories: Vec<&str> = Vec::new();
        for (values, _, _) in means {
            if !categories.contains(&values[0].as_str()) {
                categories.push(&values[0]);
            }
        }
        let parsed: Option<Vec<(f64, &str)>> = categories.iter().map(|&v| numeric(v)).collect();
        let unit = parsed
            .as_ref()
            .and_then(|p| p.first().map(|f| f.1))
            .filter(|u| parsed.as_ref().is_some_and(|p| p.iter().all(|f| f.1 == *u)));
        let numeric_x = parsed.is_some() && unit.is_some();
        let x_of = |v: &str| -> f64 {
            if numeric_x {
                numeric(v).map_or(0.0, |f| f.0)
            } else {
                categories.iter().position(|c| *c == v).unwrap_or(0) as f64
            }
        };

        // One series per combination of the other parameters, in grid order.
        let mut order: Vec<String> = Vec::new();
        let mut series: BTreeMap<String, Vec<(f64, f64, Option<f64>)>> = BTreeMap::new();
        for (values, mean, hw) in means {
            let key = t.params[1..]
                .iter()
                .zip(&values[1..])
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
                .join(", ");
            series
                .entry(key.clone())
                .or_insert_with(|| {
                    order.push(key);
                    Vec::new()
                })
                .push((x_of(&values[0]), mean * y_scale, hw.map(|h| h * y_scale)));
        }
        for pts in series.values_mut() {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        Lines {
            categories,
            numeric_x,
            unit,
            order,
            series,
        }
    }
}

/// The axes' ranges: x padded (categories at whole numbers with half a unit either side), y
/// from 0 (or below, for negative figures) to a little above the highest band.
fn bounds(series: &Series, numeric_x: bool, categories: usize) -> ((f64, f64), (f64, f64)) {
    let (mut x_lo, mut x_hi) = if numeric_x {
        let xs = series.values().flatten().map(|p| p.0);
        (
            xs.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
        )
    } else {
        (-0.5, categories as f64 - 0.5)
    };
    if x_hi <= x_lo {
        x_lo -= 1.0;
        x_hi += 1.0;
    } else if numeric_x {
        let pad = (x_hi - x_lo) * 0.03;
        x_lo -= pad;
        x_hi += pad;
    }
    let ys = series
        .values()
        .flatten()
        .flat_map(|&(_, m, h)| [m - h.unwrap_or(0.0), m + h.unwrap_or(0.0)])
        .filter(|v| v.is_finite());
    let y_min = ys.clone().fold(f64::INFINITY, f64::min).min(0.0);
    let mut y_max = ys.fold(f64::NEG_INFINITY, f64::max);
    if !y_max.is_finite() || y_max <= y_min {
        y_max = y_min + 1.0;
    }
    let y_hi = y_max + (y_max - y_min) * 0.08;
    ((x_lo, x_hi), (y_min, y_hi))
}

/// One series: its 95% band (or error bar, for a single point), its line and its points.
fn draw_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    colour: RGBColor,
    key: &str,
    pts: &[(f64, f64, Option<f64>)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let upper: Vec<(f64, f64)> = pts
        .iter()
        .filter_map(|&(x, m, h)| h.map(|h| (x, m + h)))
        .collect();
    if upper.len() == pts.len() && pts.len() > 1 {
        let band: Vec<(f64, f64)> = upper
            .into_iter()
            .chain(pts.iter().rev().map(|&(x, m, h)| (x, m - h.unwrap_or(0.0))))
            .collect();
        chart.draw_series(once(Polygon::new(band, colour.mix(0.18).filled())))?;
    }
    // A single point with a confidence interval gets an error bar instead.
    for &(x, m, h) in pts {
        if let Some(h) = h.filter(|_| pts.len() == 1) {
            chart.draw_series(once(PathElement::new(
                vec![(x, m - h), (x, m + h)],
                colour.stroke_width(2),
            )))?;
        }
    }
    let style = colour.stroke_width(3);
    let label = if key.is_empty() {
        "mean".to_string()
    } else {
        key.to_string()
    };
    chart
        .draw_series(LineSeries::new(pts.iter().map(|&(x, m, _)| (x, m)), style))?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], style));
    chart.draw_series(
        pts.iter()
            .map(|&(x, m, _)| Circle::new((x, m), 4, colour.filled())),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Headline;
    use crate::sweep::{csv_header, csv_line, csv_row, read_table};

    fn table(values: &[(&str, &str)]) -> SweepTable {
        let params = vec!["traffic.rate".to_string(), "web.count".to_string()];
        let mut text = csv_line(&csv_header(&params));
        for (i, (a, b)) in values.iter().enumerate() {
            for rep in 0..2u64 {
                let h = Headline {
                    p99_ms: Some(10.0 + i as f64 + rep as f64),
                    availability: 0.99,
                    ..Default::default()
                };
                text.push_str(&csv_row(i as u64 * 2 + rep, &[a, b], 1, rep, &h));
            }
        }
        read_table(&text, "t").unwrap()
    }

    #[test]
    fn numeric_and_categorical_axes_draw() {
        let dir = tempfile::tempdir().unwrap();
        let t = table(&[
            ("100ms", "1"),
            ("200ms", "1"),
            ("100ms", "2"),
            ("200ms", "2"),
        ]);
        let (png, svg) = (dir.path().join("a.png"), dir.path().join("a.svg"));
        sweep_chart(&t, "p99_ms", "demo", &png, &svg).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("traffic.rate (ms)"), "no unit on the axis");
        assert!(text.contains("web.count=2"), "no legend entry");
        let t = table(&[("lru", "1"), ("lfu", "1")]);
        sweep_chart(&t, "availability", "demo", &png, &svg).unwrap();
        assert!(std::fs::read_to_string(&svg).unwrap().contains("lfu"));
        assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    }
}
