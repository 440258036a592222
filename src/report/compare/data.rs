//! `compare.csv` (a row per run, every headline figure) and `compare.json` (the same figures,
//! each run's `about` text and errors by cause).

use indexmap::IndexMap;
use serde::Serialize;

use super::{CompareRun, Offered};
use crate::metrics::CostReport;
use crate::metrics::headline::{HEADLINE_FIELDS, Headline};
use crate::report::csv::{Out, float, opt_float};

/// One row per run: `file,scenario,seed,` then every headline figure, then
/// `bottleneck,bottleneck_utilization`. A figure that is undefined (a percentile when
/// nothing completed) is an empty cell.
pub fn compare_csv(runs: &[CompareRun]) -> String {
    let mut out = Out::new();
    let mut header = vec!["file", "scenario", "seed"];
    header.extend(HEADLINE_FIELDS);
    header.extend(["bottleneck", "bottleneck_utilization"]);
    out.row(header);
    for r in runs {
        let h = &r.headline;
        let mut row = vec![
            r.file.clone(),
            r.report.scenario.clone(),
            r.report.seed.to_string(),
        ];
        for f in HEADLINE_FIELDS {
            row.push(match f {
                "offered" => h.offered.to_string(),
                "completed" => h.completed.to_string(),
                "failed" => h.failed.to_string(),
                _ => opt_float(h.get(f).flatten()),
            });
        }
        row.push(h.bottleneck.clone().unwrap_or_default());
        row.push(h.bottleneck_utilization.map_or_else(String::new, float));
        out.row(row);
    }
    out.finish()
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    seed: u64,
    stages: Vec<JsonStage<'a>>,
}

#[derive(Serialize)]
struct JsonStage<'a> {
    file: &'a str,
    scenario: &'a str,
    about: &'a str,
    seed: u64,
    #[serde(flatten)]
    headline: &'a Headline,
    errors: &'a IndexMap<String, u64>,
    /// Requests still in flight at the end, left out of `availability`.
    in_flight: u64,
    /// The offered rate in words ([`Offered::rate_text`]); `null` when unknown.
    traffic: Option<String>,
    /// Whether the run was offered the same traffic as the one before it; `null` for the
    /// first.
    same_traffic_as_previous: Option<bool>,
    /// What the run's priced components cost; omitted when none is priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<&'a CostReport>,
}

/// `{seed, stages: [{file, scenario, about, seed, <headline figures>, bottleneck,
/// bottleneck_utilization, errors: {cause: count}, in_flight, traffic,
/// same_traffic_as_previous, cost (when priced)}]}`, pretty-printed.
pub fn compare_json(runs: &[CompareRun], seed: u64) -> String {
    let doc = JsonDoc {
        seed,
        stages: runs
            .iter()
            .enumerate()
            .map(|(k, r)| JsonStage {
                file: &r.file,
                scenario: &r.report.scenario,
                about: &r.report.about,
                seed: r.report.seed,
                headline: &r.headline,
                errors: &r.report.errors,
                in_flight: r.report.requests.in_flight,
                traffic: r.offered.as_ref().map(Offered::rate_text),
                same_traffic_as_previous: k.checked_sub(1).map(|p| runs[p].same_traffic(r)),
                cost: r.report.cost.as_ref(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("figures serialize to JSON");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compare::testing::*;

    #[test]
    fn csv_has_every_headline_figure() {
        let csv = compare_csv(&runs());
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert_eq!(
            header,
            "file,scenario,seed,throughput_rps,goodput_rps,availability,error_rate,mean_ms,p50_ms,p90_ms,\
             p99_ms,p999_ms,max_ms,offered,completed,failed,bottleneck,bottleneck_utilization"
        );
        assert_eq!(
            lines.next().unwrap(),
            "scenarios/05-cache.yaml,05-cache,42,994.75,990.5,0.99475,0.00525,12.5,10,20,40,80,125,\
             8000,7958,42,web,0.8125"
        );
        assert_eq!(
            lines.nth(1).unwrap(),
            "empty.yaml,empty,1,0,0,1,0,,,,,,,0,0,0,,"
        );
    }

    #[test]
    fn json_holds_each_stage() {
        let v: serde_json::Value = serde_json::from_str(&compare_json(&runs(), 7)).unwrap();
        assert_eq!(v["seed"], 7);
        assert_eq!(v["stages"][0]["p99_ms"], 40.0);
        assert_eq!(v["stages"][0]["errors"]["queue_full"], 30);
        assert_eq!(v["stages"][1]["scenario"], "06 cdn");
        assert!(v["stages"][2]["p50_ms"].is_null());
    }
}
