//! Side by side: several runs (the stages of the journey) in one table, one CSV, one JSON
//! document and four overlaid charts.
//!
//! * [`compare_table`]: one row per run — throughput, availability, mean/p50/p99 latency,
//!   failed requests, the bottleneck and its utilization — under a line naming the seed
//!   every run used.
//! * [`compare_csv`]: one row per run with every headline figure
//!   ([`HEADLINE_FIELDS`](crate::metrics::headline::HEADLINE_FIELDS)).
//! * [`compare_json`]: the same figures, plus each run's `about` text and errors by cause.
//! * Charts ([`CompareChart`]), each as PNG and SVG: the latency CDFs overlaid on a log
//!   axis, p50 and p99 bars per run, throughput over time overlaid, error rate over time
//!   overlaid. Runs are told apart by the Okabe–Ito colours, then (from the eighth run on) by
//!   dashes; the legend sits beside the plot so it never hides a line.
//!
//! Every figure comes from the runs' [`Report`]s through [`Headline::of`]; nothing is
//! computed here beyond laying it out. Text renderers do no I/O; [`write_compare_outputs`]
//! writes files through [`write_atomic`].

//!
//! The files: this one holds the runs ([`CompareRun`], [`Offered`]) and writes every output;
//! [`table`] renders the table and its notes, [`data`] the CSV and JSON, [`chart`] the charts.
//! Everything public is re-exported here.

pub mod chart;
pub mod data;
pub mod table;

use std::path::{Path, PathBuf};

use crate::engine::SimTime;
use crate::metrics::Report;
use crate::metrics::headline::Headline;
use crate::report::table::{count, ms, rate, secs};
use crate::report::{ReportError, write_atomic};
use crate::scenario::{Arrival, Scenario, Traffic};

pub use self::chart::{
    COMPARE_SIZE, CompareChart, CompareKind, SCALE_APART, compare_svgs, write_compare_charts,
};
pub use self::data::{compare_csv, compare_json};
pub use self::table::{availability_note, compare_table, traffic_note};

/// What a run was offered: the resolved traffic section (after `--set` overrides) and the
/// span it ran and was measured over. Two runs' figures are compared (a change, a
/// difference) only when their `Offered` are equal: the same rate profile or closed-loop
/// users, the same request classes, users, timeout and retries, the same duration and
/// warm-up.
#[derive(Clone, Debug, PartialEq)]
pub struct Offered {
    /// The traffic: rate profile or closed-loop users, classes, timeout and retries.
    pub traffic: Traffic,
    /// How long the run lasted, simulated.
    pub duration: SimTime,
    /// The warm-up left out of the figures.
    pub warmup: SimTime,
}

impl Offered {
    /// What `sc` offers.
    pub fn of(sc: &Scenario) -> Offered {
        Offered {
            traffic: sc.traffic.clone(),
            duration: sc.duration,
            warmup: sc.warmup,
        }
    }

    /// The offered rate in words: `2,500 req/s`; `2,500 req/s, 7,500 from 60 s, 2,500 from
    /// 75 s`; `20,000 req/s, ramping to 250,000 from 3 s over 25 s`; `500 users, think
    /// ~1 s` for a closed loop.
    pub fn rate_text(&self) -> String {
        match &self.traffic.arrival {
            Arrival::Open(p) => {
                let mut parts = Vec::new();
                for (k, pt) in p.points.iter().enumerate() {
                    let r = rate(pt.rate_per_s);
                    if k == 0 {
                        parts.push(format!("{r} req/s"));
                    } else if pt.ramp > SimTime::ZERO {
                        parts.push(format!(
                            "ramping to {r} from {} s over {} s",
                            secs(pt.at.as_secs_f64()),
                            secs(pt.ramp.as_secs_f64())
                        ));
                    } else {
                        parts.push(format!("{r} from {} s", secs(pt.at.as_secs_f64())));
                    }
                }
                parts.join(", ")
            }
            Arrival::Closed { think } => format!(
                "{} users in a closed loop, think time {} ms",
                count(self.traffic.users),
                ms(think.mean_ns() / 1e6)
            ),
        }
    }

    /// The parts of the offer where `self` and `other` differ, in words (`rate`,
    /// `request classes`, ...); empty when they are equal.
    pub fn differences(&self, other: &Offered) -> Vec<&'static str> {
        let (a, b) = (&self.traffic, &other.traffic);
        let mut d = Vec::new();
        if a.arrival != b.arrival {
            d.push("rate");
        }
        if a.classes != b.classes {
            d.push("request classes");
        }
        if a.users != b.users {
            d.push("number of users");
        }
        if a.timeout != b.timeout {
            d.push("timeout");
        }
        if a.retries != b.retries {
            d.push("retries");
        }
        if self.duration != other.duration || self.warmup != other.warmup {
            d.push("duration or warm-up");
        }
        d
    }
}

/// One run to compare: where it came from, its report and its headline figures.
#[derive(Clone, Debug)]
pub struct CompareRun {
    /// The scenario file, as given.
    pub file: String,
    /// A short label for axes: the file name's two-digit stage number when it has one
    /// (`03`), else the file stem.
    pub label: String,
    /// The run's report.
    pub report: Report,
    /// The report's headline figures.
    pub headline: Headline,
    /// What the run was offered; `None` when unknown (such a run is compared with none).
    pub offered: Option<Offered>,
}

impl CompareRun {
    /// A run of the scenario file `file` that produced `report`.
    pub fn new(file: &Path, report: Report) -> CompareRun {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let label = match stem.as_bytes() {
            [a, b, rest @ ..]
                if a.is_ascii_digit() && b.is_ascii_digit() && rest.first() != Some(&b'.') =>
            {
                stem[..2].to_string()
            }
            _ => stem,
        };
        let headline = Headline::of(&report);
        CompareRun {
            file: file.display().to_string(),
            label,
            report,
            headline,
            offered: None,
        }
    }

    /// The same run, knowing that it was offered what `sc` offers.
    pub fn offered_by(mut self, sc: &Scenario) -> CompareRun {
        self.offered = Some(Offered::of(sc));
        self
    }

    /// Whether `self` and `other` were offered the same traffic, so that their figures can
    /// be compared; `false` when either offer is unknown.
    pub fn same_traffic(&self, other: &CompareRun) -> bool {
        matches!((&self.offered, &other.offered), (Some(a), Some(b)) if a == b)
    }
}

/// A run's label with the stage word: `stage 03`, or the label alone when it is not a
/// stage number.
pub(super) fn stage_name(r: &CompareRun) -> String {
    if r.label.len() == 2 && r.label.bytes().all(|b| b.is_ascii_digit()) {
        format!("stage {}", r.label)
    } else {
        format!("`{}`", r.label)
    }
}

/// Writes `compare.csv`, `compare.json` and the charts into `dir`; returns the paths.
pub fn write_compare_outputs(
    runs: &[CompareRun],
    seed: u64,
    dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let csv = dir.join("compare.csv");
    let json = dir.join("compare.json");
    write_atomic(&csv, compare_csv(runs).as_bytes())?;
    write_atomic(&json, compare_json(runs, seed).as_bytes())?;
    let mut paths = vec![csv, json];
    paths.extend(write_compare_charts(runs, dir)?);
    Ok(paths)
}

/// Runs and scenarios shared by the compare tests.
#[cfg(test)]
mod testing {
    use std::path::Path;

    use super::CompareRun;
    use crate::report::fixtures;
    use crate::scenario::Scenario;

    pub(super) fn runs() -> Vec<CompareRun> {
        let mut b = fixtures::faulty();
        b.scenario = "06 cdn".to_string();
        vec![
            CompareRun::new(Path::new("scenarios/05-cache.yaml"), fixtures::sample()),
            CompareRun::new(Path::new("x/06-cdn.yaml"), b),
            CompareRun::new(Path::new("empty.yaml"), fixtures::empty()),
        ]
    }

    pub(super) fn scenario(rate: u32) -> Scenario {
        crate::report::fixtures::one_server(rate)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;

    #[test]
    fn labels_are_stage_numbers_or_stems() {
        let r = runs();
        let labels: Vec<_> = r.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["05", "06", "empty"]);
    }
}
