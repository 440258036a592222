//! The journey's capacity section: each stage's max sustainable load ([`StageCapacity`],
//! built from a [`MaxLoad`] or by hand), the bar chart of the loads on a log axis, and the
//! table rows and sentences ("what breaks first, and what the next stage does about it")
//! the page and the Markdown print. Plain rendering: nothing here runs a scenario.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::super::charts::{
    Chart, DrawResult, TICK_PX, font, log_bounds, log_ticks, no_data, palette, styled_mesh,
    title_style,
};
use std::fmt::Write as _;
use std::iter::once;

use super::super::table::{count, rate};
use super::JourneyStage;
use crate::capacity::MaxLoad;

/// A stage's capacity: the largest load it sustains while meeting every objective, and what
/// breaks first beyond it. Plain data, so that the page renders from figures made by hand as
/// well as from a capacity search.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StageCapacity {
    /// The objectives the loads were judged by, as written (`p99<200ms`).
    pub slos: Vec<String>,
    /// The peak offered rate of the stage as written, req/s.
    pub base_rate_rps: f64,
    /// The largest load that met every objective, peak req/s (0: none did).
    pub max_rate_rps: f64,
    /// The smallest probed load that failed, peak req/s (`None`: none failed).
    pub fail_rate_rps: Option<f64>,
    /// The component that breaks first, judged at the smallest failing load.
    pub limit_component: Option<String>,
    /// Its kind of limit and the evidence (`queue full: 1,234 requests turned away`).
    pub limit_why: Option<String>,
    /// Its utilization at that load (0..=1).
    pub limit_utilization: Option<f64>,
}

impl StageCapacity {
    /// The capacity a max-load search found.
    pub fn of(m: &MaxLoad) -> StageCapacity {
        StageCapacity {
            slos: m.slos.clone(),
            base_rate_rps: m.base_rate_rps,
            max_rate_rps: m.max_rate_rps,
            fail_rate_rps: m.fail_rate_rps,
            limit_component: m.limit.as_ref().map(|l| l.component.clone()),
            limit_why: m.limit.as_ref().map(|l| l.why.clone()),
            limit_utilization: m.limit.as_ref().and_then(|l| l.utilization),
        }
    }

    /// `web: queue full: 1,234 requests turned away` (`web (100% busy)` without the
    /// evidence), or why there is no limit.
    fn limit_text(&self) -> String {
        let Some(c) = &self.limit_component else {
            return if self.fail_rate_rps.is_some() {
                "not identified".to_string()
            } else {
                "nothing broke within the probes".to_string()
            };
        };
        let mut s = c.clone();
        match self.limit_why.as_deref().filter(|w| !w.is_empty()) {
            // The evidence says how busy it is, when that is the point.
            Some(w) => {
                let _ = write!(s, ": {w}");
            }
            None => {
                if let Some(u) = self.limit_utilization.filter(|u| u.is_finite()) {
                    let _ = write!(s, " ({:.0}% busy)", u * 100.0);
                }
            }
        }
        s
    }
}

/// File stem of the capacity chart.
pub(super) const CAPACITY_STEM: &str = "capacity";
/// Pixel size of the capacity chart.
pub(super) const CAPACITY_SIZE: (u32, u32) = (1200, 600);

/// The bar chart of each stage's max sustainable load, on a log axis (the stages span
/// orders of magnitude).
pub(super) struct CapacityChart {
    /// Per stage: its axis label, its name and its max load (`None`: not measured or none).
    bars: Vec<(String, String, Option<f64>)>,
}

impl CapacityChart {
    pub(super) fn of(stages: &[JourneyStage]) -> CapacityChart {
        CapacityChart {
            bars: stages
                .iter()
                .map(|s| {
                    (
                        s.run.label.clone(),
                        s.run.report.scenario.clone(),
                        s.capacity
                            .as_ref()
                            .map(|c| c.max_rate_rps)
                            .filter(|v| v.is_finite() && *v > 0.0),
                    )
                })
                .collect(),
        }
    }
}

impl Chart for CapacityChart {
    fn size(&self) -> (u32, u32) {
        CAPACITY_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let title = "Max sustainable load per stage";
        let values = self.bars.iter().filter_map(|b| b.2);
        let min = values.clone().fold(f64::INFINITY, f64::min);
        let max = values.fold(0.0, f64::max);
        if !min.is_finite() || max <= 0.0 {
            return no_data(root, title, "no stage has a capacity figure");
        }
        let (lo, hi) = log_bounds(min, max * 1.4);
        let (labelled, unlabelled) = log_ticks(lo, hi);
        let n = self.bars.len();
        let mut chart = ChartBuilder::on(root)
            .caption(title, title_style(root, title)?)
            .margin(20)
            .margin_right(30)
            .x_label_area_size(60)
            .y_label_area_size(110)
            .build_cartesian_2d(
                -0.5..n as f64 - 0.5,
                (lo..hi)
                    .log_scale()
                    .with_key_points(labelled)
                    .with_light_points(unlabelled),
            )?;
        styled_mesh(&mut chart)
            .x_desc("stage")
            .y_desc("peak req/s (log scale)")
            .disable_x_mesh()
            .x_labels(0)
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| rate(*v))
            .draw()?;
        let tick_style = font(TICK_PX).pos(Pos::new(HPos::Center, VPos::Top));
        let value_style = font(14.0).pos(Pos::new(HPos::Center, VPos::Bottom));
        for (i, (label, _, v)) in self.bars.iter().enumerate() {
            let x = i as f64;
            let (px, py) = chart.backend_coord(&(x, lo));
            root.draw(&Text::new(label.clone(), (px, py + 8), tick_style.clone()))?;
            match v {
                Some(v) => {
                    chart.draw_series(once(Rectangle::new(
                        [(x - 0.35, lo), (x + 0.35, *v)],
                        palette::BLUE.filled(),
                    )))?;
                    chart.draw_series(once(Text::new(rate(*v), (x, *v), value_style.clone())))?;
                }
                None => {
                    chart.draw_series(once(Text::new(
                        "-".to_string(),
                        (x, lo),
                        value_style.clone(),
                    )))?;
                }
            }
        }
        Ok(())
    }
}

/// `×1.9` (one decimal below 10, none above).
pub(super) fn growth_text(g: f64) -> String {
    if !g.is_finite() {
        "-".to_string()
    } else if g < 10.0 {
        format!("×{g:.1}")
    } else {
        format!("×{}", count(g.round() as u64))
    }
}

/// One row of the capacity table: `(max req/s, growth, what limits it, sentence)`.
pub(super) fn capacity_rows(stages: &[JourneyStage]) -> Vec<[String; 4]> {
    stages
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let Some(c) = &s.capacity else {
                return [
                    "not measured".to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                ];
            };
            let prev = k
                .checked_sub(1)
                .and_then(|p| stages[p].capacity.as_ref())
                .map(|p| p.max_rate_rps);
            let growth = match prev {
                Some(p) if p > 0.0 && c.max_rate_rps > 0.0 => growth_text(c.max_rate_rps / p),
                _ => "-".to_string(),
            };
            [
                if c.max_rate_rps > 0.0 {
                    rate(c.max_rate_rps)
                } else {
                    "none".to_string()
                },
                growth,
                c.limit_text(),
                capacity_sentence(stages, k),
            ]
        })
        .collect()
}

/// "What breaks first, and what the next stage does about it", from the data: the limit of
/// stage `k` and the next stage's `about` text.
pub(super) fn capacity_sentence(stages: &[JourneyStage], k: usize) -> String {
    let s = &stages[k];
    let Some(c) = &s.capacity else {
        return String::new();
    };
    let name = &s.run.report.scenario;
    let mut out = if c.max_rate_rps > 0.0 {
        format!("{name} sustains up to {} req/s", rate(c.max_rate_rps))
    } else {
        format!("{name} meets the objectives at no probed load")
    };
    match (&c.limit_component, c.fail_rate_rps) {
        (Some(comp), fail) => {
            out.push_str("; what breaks first");
            if let Some(f) = fail {
                let _ = write!(out, ", at {} req/s,", rate(f));
            }
            let _ = write!(out, " is {comp}");
            if let Some(why) = c.limit_why.as_deref().filter(|w| !w.is_empty()) {
                let _ = write!(out, ": {why}");
            }
        }
        (None, Some(f)) => {
            let _ = write!(out, "; it first fails at {} req/s", rate(f));
        }
        (None, None) => out.push_str("; no probed load broke it"),
    }
    out.push('.');
    match stages.get(k + 1) {
        Some(next) => {
            let about = next.run.report.about.trim();
            if about.is_empty() {
                let _ = write!(out, " Next, {}.", next.run.report.scenario);
            } else {
                let _ = write!(out, " Next, {}: {about}", next.run.report.scenario);
                if !about.ends_with('.') {
                    out.push('.');
                }
            }
        }
        None => out.push_str(" It is the last stage of the journey."),
    }
    out
}

/// The objectives the capacity figures were judged by, from the first stage that has them.
pub(super) fn capacity_slos(stages: &[JourneyStage]) -> Vec<String> {
    stages
        .iter()
        .find_map(|s| s.capacity.as_ref().map(|c| c.slos.clone()))
        .unwrap_or_default()
}

pub(super) const CAPACITY_HEADER: [&str; 5] = [
    "stage",
    "max sustainable req/s",
    "growth",
    "what limits it",
    "",
];
