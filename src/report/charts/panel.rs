//! The stacked panels of the time-series and per-component charts: one panel's lines on the
//! shared time axis, the warm-up and the fault bands shaded, and the fault labels placed in
//! rows so that they do not overlap.

use std::error::Error;
use std::iter::once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::axis_number;
use super::render::DrawResult;
use super::style::{DESC_PX, TICK_PX, centred, font, palette, styled_mesh};
use crate::metrics::FaultMark;

/// Where a fault is drawn on a time axis from 0 to `x_end` seconds: `(start, end)`, with
/// `end == start` for a fault at an instant (drawn as a line), as the time-series charts
/// draw it; `None` when it falls outside the axis.
pub(crate) fn fault_span(f: &FaultMark, x_end: f64) -> Option<(f64, f64)> {
    band(f, x_end).map(|b| (b.start, b.end))
}

/// One line of a panel; `None` points break the line.
pub(super) struct Series {
    pub(super) colour: RGBColor,
    pub(super) points: Vec<Option<(f64, f64)>>,
}

/// Height of the title and legend strip, and the extra height of the bottom panel for the
/// time axis.
pub(crate) const HEAD_PX: u32 = 96;

pub(super) const TIME_AXIS_PX: u32 = 64;

/// A fault as drawn: the time it covers, clipped to the axis.
pub(super) struct Band<'a> {
    label: &'a str,
    start: f64,
    /// Equal to `start` for an instantaneous fault, drawn as a line.
    end: f64,
}

/// The band of a fault on an axis from 0 to `x_end`: to `x_end` when it has no end, except
/// for a flush, which happens at an instant. `None` when it cannot be placed.
pub(super) fn band(f: &FaultMark, x_end: f64) -> Option<Band<'_>> {
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
pub(super) struct Panel<'a> {
    pub(super) x_end: f64,
    pub(super) warmup_s: f64,
    pub(super) faults: &'a [Band<'a>],
    pub(super) y_desc: &'a str,
    /// Only the top panel labels the warm-up and the faults.
    pub(super) is_top: bool,
    /// Only the bottom panel shows the time axis.
    pub(super) is_bottom: bool,
}

impl Panel<'_> {
    pub(super) fn draw<DB: DrawingBackend>(
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
    use crate::metrics::FaultMark;

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
    fn segments_break_at_gaps() {
        let p = |x: f64| Some((x, x));
        assert_eq!(
            segments(&[p(0.0), p(1.0), None, p(3.0), None, None]),
            vec![vec![(0.0, 0.0), (1.0, 1.0)], vec![(3.0, 3.0)]]
        );
        assert!(segments(&[None]).is_empty());
    }
}
