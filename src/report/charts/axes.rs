//! Axes shared by the charts: the latency CDF's plot on a log millisecond axis (the run's
//! latency chart and the overlaid compare chart), log-axis bounds and ticks, tick numbers
//! without float noise, and the time axis of a run's windows.

use std::error::Error;

use plotters::coord::Shift;
use plotters::coord::combinators::{LogCoord, WithKeyPoints};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::style::{styled_mesh, title_style};
use crate::metrics::{Report, TimeSeries};

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
pub(super) fn time_axis(r: &Report) -> Option<(f64, f64)> {
    let last = r.timeseries.rows.last()?;
    let window = window_s(&r.timeseries);
    let end = [r.duration_s, last.t_s + window]
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    Some((window, if end > 0.0 { end } else { 1.0 }))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
