//! A stage's analytic availability and cost, as the journey prints them: its nines and
//! single points of failure (from the report's `analytic_availability`), and what it costs
//! a month beside its max sustainable load (from the report's `cost`, when it is priced).
//! Plain formatting: nothing here runs a scenario.

use super::super::table::{count_f, percent};
use super::JourneyStage;
use crate::metrics::Report;

/// `2.63` (the whole stage's nines, two decimals), or `-` when there is no figure.
pub(super) fn nines_text(r: &Report) -> String {
    r.analytic_availability
        .as_ref()
        .and_then(|a| a.overall.nines)
        .map_or_else(|| "-".to_string(), |n| format!("{n:.2}"))
}

/// The stage's single points of failure, `lb, db (write)` (the classes named when not all
/// of them fail), or `none`; `-` without an analysis.
pub(super) fn spof_text(r: &Report) -> String {
    let Some(a) = &r.analytic_availability else {
        return "-".to_string();
    };
    if a.single_points_of_failure.is_empty() {
        return "none".to_string();
    }
    a.single_points_of_failure
        .iter()
        .map(|s| {
            if s.classes.len() == a.classes.len() {
                s.component.clone()
            } else {
                format!("{} ({})", s.component, s.classes.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Analytic availability 99.77 % (2.63 nines, 102 min/month down) from each component's
/// MTBF and MTTR; single points of failure: lb, db (write)." `None` without an analysis.
pub(super) fn availability_sentence(r: &Report) -> Option<String> {
    let a = r.analytic_availability.as_ref()?;
    let v = a.overall.analytic?;
    let mut s = format!("Analytic availability {} %", percent(v));
    match (a.overall.nines, a.overall.downtime_min_per_month) {
        (Some(n), Some(d)) => {
            s.push_str(&format!(" ({n:.2} nines, {} min/month down)", count_f(d)))
        }
        _ => s.push_str(" (no downtime)"),
    }
    s.push_str(" from each component's MTBF and MTTR");
    if let Some(sim) = a.overall.simulated {
        s.push_str(&format!(
            "; simulated under random faults {} %",
            percent(sim)
        ));
    }
    s.push_str(&format!("; single points of failure: {}.", spof_text(r)));
    Some(s)
}

/// Some stage is priced (its report has a `cost`).
pub(super) fn any_priced(stages: &[JourneyStage]) -> bool {
    stages.iter().any(|s| s.run.report.cost.is_some())
}

/// `(dollars a month, dollars a month per 1,000 req/s of max sustainable load)` of a
/// priced stage: `$1,234` and `$56.7`; `-` where a figure is missing (not priced, or no
/// capacity measured or none sustained).
pub(super) fn cost_cells(s: &JourneyStage) -> [String; 2] {
    let Some(c) = &s.run.report.cost else {
        return ["-".to_string(), "-".to_string()];
    };
    let per_k = s
        .capacity
        .as_ref()
        .map(|cap| cap.max_rate_rps)
        .filter(|m| m.is_finite() && *m > 0.0)
        .map_or_else(|| "-".to_string(), |m| money(per_thousand(c.per_month, m)));
    [money(c.per_month), per_k]
}

/// Dollars a month per 1,000 req/s of `max_rps`.
pub(super) fn per_thousand(per_month: f64, max_rps: f64) -> f64 {
    per_month / (max_rps / 1000.0)
}

/// `$1,234` from 100 up, `$56.7` (three significant digits) below.
fn money(v: f64) -> String {
    if !v.is_finite() {
        "-".to_string()
    } else if v >= 100.0 {
        format!("${}", count_f(v))
    } else {
        format!("${}", super::super::table::sig3(v))
    }
}

/// What the overview's analytic columns are.
pub(super) const ANALYTIC_NOTE: &str = "Analytic, not measured: the steady-state availability \
     of the stage's requests (weighted by class) from each component's MTBF and MTTR and the \
     topology, as nines (2 is 99 %, 3 is 99.9 %), and the components whose loss alone fails \
     every request of a class (the classes in brackets when not all); see \
     docs/model-assumptions.md, Analytic availability.";

/// "Cost: $1,234/month at this run's load, $56.7/month per 1,000 req/s of its max
/// sustainable load (2,000 req/s)." `None` when the stage is not priced.
pub(super) fn cost_sentence(s: &JourneyStage) -> Option<String> {
    let c = s.run.report.cost.as_ref()?;
    let mut out = format!("Cost: {}/month at this run's load", money(c.per_month));
    if let Some(m) = s
        .capacity
        .as_ref()
        .map(|cap| cap.max_rate_rps)
        .filter(|m| m.is_finite() && *m > 0.0)
    {
        out.push_str(&format!(
            ", {}/month per 1,000 req/s of its max sustainable load ({} req/s)",
            money(per_thousand(c.per_month, m)),
            super::super::table::rate(m)
        ));
    }
    out.push('.');
    Some(out)
}

/// `journey.json`: per stage, in order, its label, name and file, its max sustainable load,
/// its cost (when priced) and its analytic availability with its single points of failure.
/// Pretty-printed, with a final newline.
pub fn journey_json(stages: &[JourneyStage]) -> String {
    use serde_json::{Value, json};
    let list: Vec<Value> = stages
        .iter()
        .map(|s| {
            let r = &s.run.report;
            let max = s
                .capacity
                .as_ref()
                .map(|c| c.max_rate_rps)
                .filter(|m| m.is_finite());
            let cost = r.cost.as_ref().map(|c| {
                json!({
                    "per_month": c.per_month,
                    "per_month_per_1k_rps": max
                        .filter(|m| *m > 0.0)
                        .map(|m| per_thousand(c.per_month, m)),
                })
            });
            let availability = r.analytic_availability.as_ref().map(|a| {
                json!({
                    "analytic": a.overall.analytic,
                    "nines": a.overall.nines,
                    "downtime_min_per_month": a.overall.downtime_min_per_month,
                    "simulated": a.overall.simulated,
                    "single_points_of_failure": a.single_points_of_failure,
                })
            });
            json!({
                "label": s.run.label,
                "scenario": r.scenario,
                "file": s.run.file,
                "max_sustainable_rps": max,
                "cost": cost,
                "analytic_availability": availability,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&json!({ "stages": list }))
        .unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}
