//! `run --replications R`: the JSON summary with its `replications` object, and the table of
//! headline figures as mean ± 95% confidence half-width.
//!
//! Returns `String`s; no I/O. The figures come from [`Replications`] as they are.

use std::fmt::Write as _;

use serde::Serialize;

use super::table::{percent, sig3};
use crate::metrics::Report;
use crate::metrics::headline::HEADLINE_FIELDS;
use crate::metrics::replications::Replications;

#[derive(Serialize)]
struct WithReplications<'a> {
    #[serde(flatten)]
    report: &'a Report,
    replications: &'a Replications,
}

/// The JSON summary of the first replication (`report`), with a `replications` object
/// (`{n, seeds, figures: {name: {mean, half_width}}}`) after its other keys; pretty, ending
/// with a newline.
pub fn to_json_with_replications(report: &Report, reps: &Replications) -> String {
    let mut json = serde_json::to_string_pretty(&WithReplications {
        report,
        replications: reps,
    })
    .expect("a Report always serializes");
    json.push('\n');
    json
}

/// A headline figure for people: shares as percentages, latencies in ms.
pub fn figure_text(name: &str, v: f64) -> String {
    match name {
        "availability" | "error_rate" => format!("{}%", percent(v)),
        n if n.ends_with("_ms") => format!("{} ms", sig3(v)),
        "throughput_rps" | "goodput_rps" => format!("{} req/s", sig3(v)),
        _ => sig3(v),
    }
}

/// A half-width in the unit [`figure_text`] uses (percentage points for shares).
fn half_width_text(name: &str, v: f64) -> String {
    match name {
        "availability" | "error_rate" => format!("{} pp", sig3(v * 100.0)),
        n if n.ends_with("_ms") => format!("{} ms", sig3(v)),
        "throughput_rps" | "goodput_rps" => format!("{} req/s", sig3(v)),
        _ => sig3(v),
    }
}

/// The headline figures over the replications: one line per figure, `mean ± half-width`.
pub fn replications_table(scenario: &str, reps: &Replications) -> String {
    let mut s = String::new();
    let seeds: Vec<String> = reps.seeds.iter().map(u64::to_string).collect();
    let _ = writeln!(
        s,
        "{scenario}: {} replications, mean ± 95% confidence half-width (Student t)",
        reps.n
    );
    let _ = writeln!(s, "seeds           {}", seeds.join(", "));
    let rows: Vec<(String, String, String)> = HEADLINE_FIELDS
        .iter()
        .map(|&name| {
            let f = reps.figures[name];
            let mean = f
                .mean
                .map_or_else(|| "-".to_string(), |m| figure_text(name, m));
            let hw = match (f.mean, f.half_width) {
                (Some(_), Some(h)) => format!("± {}", half_width_text(name, h)),
                _ => String::new(),
            };
            (name.to_string(), mean, hw)
        })
        .collect();
    let w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (name, mean, hw) in rows {
        let _ = writeln!(s, "{name:<16}{mean:>w$}  {hw}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Headline;
    use crate::report::fixtures;

    #[test]
    fn json_keeps_the_report_and_adds_replications() {
        let r = fixtures::sample();
        let h = Headline::of(&r);
        let reps = Replications::of(vec![42, 7], &[h.clone(), h]);
        let json = to_json_with_replications(&r, &reps);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["requests"]["offered"], 8000);
        assert_eq!(v["replications"]["n"], 2);
        assert_eq!(v["replications"]["seeds"][1], 7);
        assert_eq!(
            v["replications"]["figures"]["throughput_rps"]["mean"],
            994.75
        );
        assert_eq!(
            v["replications"]["figures"]["throughput_rps"]["half_width"],
            0.0
        );
        // The report's keys come first, in their usual order.
        assert!(json.find("\"scenario\"").unwrap() < json.find("\"replications\"").unwrap());
        let table = replications_table("05-cache", &reps);
        assert!(table.contains("availability"), "{table}");
        assert!(table.contains("99.48%"), "{table}");
    }
}
