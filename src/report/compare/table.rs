//! The compare table printed by `scalesim compare` and the journey: a row per run, the note on
//! which runs had the same traffic ([`traffic_note`]) and the note on availability.

use std::fmt::Write as _;

use super::{CompareRun, Offered, stage_name};
use crate::report::table::{count, ms, percent, rate};

/// Which runs were offered the same traffic, in words, for the table and the journey page:
/// `every run is offered the same traffic: 2,500 req/s` when they all were, else one
/// clause per stretch of consecutive runs with the same offer (`stages 01 to 08: 2,500
/// req/s; stage 09: 2,500 req/s, 7,500 from 60 s, 2,500 from 75 s (the rate differs from
/// stage 08 in its rate)`). `what` names the runs (`stage`, `run`).
pub fn traffic_note(runs: &[CompareRun], what: &str) -> String {
    if runs.is_empty() {
        return String::new();
    }
    let text = |r: &CompareRun| {
        r.offered
            .as_ref()
            .map_or("unknown traffic".to_string(), Offered::rate_text)
    };
    if runs.windows(2).all(|w| w[0].same_traffic(&w[1])) {
        return if runs.len() == 1 {
            format!("one {what}, offered {}", text(&runs[0]))
        } else {
            format!(
                "every {what} is offered the same traffic ({}, the same request classes), so \
                 their figures are compared",
                text(&runs[0])
            )
        };
    }
    let mut clauses = Vec::new();
    let mut start = 0;
    for end in 1..=runs.len() {
        if end < runs.len() && runs[end].same_traffic(&runs[end - 1]) {
            continue;
        }
        let first = &runs[start];
        let names = if end - start == 1 {
            stage_name(first)
        } else {
            format!(
                "{} to {}",
                stage_name(first),
                stage_name(&runs[end - 1]).trim_start_matches("stage ")
            )
            .replacen("stage ", "stages ", 1)
        };
        let mut clause = format!("{names}: {}", text(first));
        if start > 0 {
            let prev = &runs[start - 1];
            let diff = match (&first.offered, &prev.offered) {
                (Some(a), Some(b)) => a.differences(b),
                _ => Vec::new(),
            };
            let _ = if diff.is_empty() {
                write!(clause, " (not known to match {})", stage_name(prev))
            } else {
                write!(
                    clause,
                    " (differs from {} in its {})",
                    stage_name(prev),
                    diff.join(", ")
                )
            };
        }
        clauses.push(clause);
        start = end;
    }
    format!(
        "{what}s given different traffic are not compared figure by figure. Traffic: {}",
        clauses.join("; ")
    )
}

/// Width of the stage column of [`compare_table`].
const NAME_WIDTH: usize = 24;

/// The side-by-side table: one row per run.
pub fn compare_table(runs: &[CompareRun], seed: u64) -> String {
    let mut s = String::new();
    let same = runs.len() > 1 && runs.windows(2).all(|w| w[0].same_traffic(&w[1]));
    let _ = writeln!(
        s,
        "{} run{}, all with seed {seed}: common random numbers{}",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" },
        if same {
            ", the same traffic in every run"
        } else {
            ""
        }
    );
    s.push('\n');
    let _ = writeln!(
        s,
        "{:<NAME_WIDTH$} {:>7} {:>6} {:>7} {:>7} {:>7} {:>7} {:>8}  bottleneck (util.)",
        "stage", "req/s", "good/s", "avail%", "mean ms", "p50 ms", "p99 ms", "failed"
    );
    let _ = writeln!(s, "{}", "-".repeat(NAME_WIDTH + 56 + 20));
    let opt_ms = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or("-".to_string(), ms);
    for r in runs {
        let h = &r.headline;
        let bottleneck = match (&h.bottleneck, h.bottleneck_utilization) {
            (Some(b), Some(u)) => format!("{b} ({:.0}%)", u * 100.0),
            (Some(b), None) => b.clone(),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            s,
            "{:<NAME_WIDTH$} {:>7} {:>6} {:>7} {:>7} {:>7} {:>7} {:>8}  {}",
            clip(&r.report.scenario, NAME_WIDTH),
            rate(h.throughput_rps),
            rate(h.goodput_rps),
            percent(h.availability),
            opt_ms(h.mean_ms),
            opt_ms(h.p50_ms),
            opt_ms(h.p99_ms),
            super::table::count(h.failed),
            bottleneck
        );
    }
    s.push('\n');
    s.push_str(&wrap(&availability_note(runs, "avail%"), TABLE_WIDTH));
    if runs.len() > 1 && !same {
        let note = traffic_note(runs, "run");
        s.push_str(&wrap(&format!("R{}.", &note[1..]), TABLE_WIDTH));
    }
    if runs.iter().any(|r| r.report.cost.is_some()) {
        s.push_str(&cost_block(runs));
    }
    s
}

/// Widest line of the notes under [`compare_table`].
const TABLE_WIDTH: usize = 100;

/// What the availability `column` means, with the requests left out: `avail%: share of the finished requests
/// that succeeded, completed / (completed + failed); still in flight at the end, not
/// counted: 11: 3,456.`
pub fn availability_note(runs: &[CompareRun], column: &str) -> String {
    let left: Vec<String> = runs
        .iter()
        .filter(|r| r.report.requests.in_flight > 0)
        .map(|r| format!("{}: {}", r.label, count(r.report.requests.in_flight)))
        .collect();
    let mut s = format!(
        "{column}: share of the finished requests that succeeded, completed / (completed + \
         failed); requests still in flight at the end are not counted"
    );
    if left.is_empty() {
        s.push_str(" (there were none).");
    } else {
        let _ = write!(s, ": {}.", left.join(", "));
    }
    s
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stands
/// alone), each ending in a newline.
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `s` cut to `n` characters, with an ellipsis when cut.
pub(super) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// What each priced run costs: dollars a month, per million completed requests, and per
/// 1,000 req/s of its throughput a month (`-` for a run with no priced component); when a
/// run prices data transfer, a last column with the transfer's share of the dollars a month.
fn cost_block(runs: &[CompareRun]) -> String {
    let with_transfer = runs
        .iter()
        .any(|r| r.report.cost.as_ref().is_some_and(|c| c.transfer.is_some()));
    let mut s = String::from("\n");
    let _ = write!(
        s,
        "{:<NAME_WIDTH$} {:>10} {:>10} {:>18}",
        "cost", "$/month", "$/M req", "$/month per 1k/s"
    );
    if with_transfer {
        let _ = write!(s, " {:>18}", "transfer $/month");
    }
    s.push('\n');
    for r in runs {
        let cells = match &r.report.cost {
            Some(c) => {
                let per_k = (r.headline.throughput_rps > 0.0)
                    .then(|| c.per_month / r.headline.throughput_rps * 1000.0);
                [
                    crate::report::table::count_f(c.per_month),
                    c.per_million_requests
                        .map_or("-".to_string(), |v| format!("{v:.4}")),
                    per_k.map_or("-".to_string(), crate::report::table::count_f),
                ]
            }
            None => ["-".to_string(), "-".to_string(), "-".to_string()],
        };
        let _ = write!(
            s,
            "{:<NAME_WIDTH$} {:>10} {:>10} {:>18}",
            clip(&r.report.scenario, NAME_WIDTH),
            cells[0],
            cells[1],
            cells[2]
        );
        if with_transfer {
            let t = r.report.cost.as_ref().and_then(|c| c.transfer.as_ref());
            let cell = t.map_or("-".to_string(), |t| {
                crate::report::table::count_f(t.per_month)
            });
            let _ = write!(s, " {cell:>18}");
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compare::testing::*;
    use crate::report::compare::{CompareRun, compare_json};
    use crate::scenario::Scenario;

    #[test]
    fn table_has_a_row_per_run_and_fits_100_columns() {
        let t = compare_table(&runs(), 42);
        assert!(t.starts_with("3 runs, all with seed 42"), "{t}");
        let rows: Vec<_> = t.lines().skip(4).take_while(|l| !l.is_empty()).collect();
        assert_eq!(rows.len(), 3, "{t}");
        assert!(rows[0].starts_with("05-cache "), "{t}");
        assert!(rows[0].contains("web (81%)"), "{t}");
        assert!(rows[2].contains(" - "), "{t}");
        for l in t.lines().skip(2) {
            assert!(l.chars().count() <= 100, "too wide: {l}");
        }
    }

    #[test]
    fn priced_runs_get_a_cost_block_and_their_cost_in_the_json() {
        let plain = compare_table(&runs(), 42);
        assert!(!plain.contains("$/month"), "{plain}");
        let mut rs = runs();
        let per_month = 575.0;
        rs[0].report.cost = Some(crate::metrics::CostReport {
            per_hour: per_month / 730.0,
            per_month,
            per_million_requests: Some(0.1107),
            components: Default::default(),
            transfer: None,
            prices_source: String::new(),
        });
        let t = compare_table(&rs, 42);
        let rows: Vec<&str> = t
            .lines()
            .skip_while(|l| !l.starts_with("cost "))
            .take_while(|l| !l.is_empty())
            .collect();
        assert_eq!(rows.len(), 4, "{t}");
        // 05-cache: 995 req/s, so $575 a month is $578 a month per 1,000 req/s.
        let cells: Vec<&str> = rows[1].split_whitespace().collect();
        assert_eq!(cells, ["05-cache", "575", "0.1107", "578"], "{t}");
        assert!(rows[2].ends_with(" -"), "{t}");
        for l in t.lines() {
            assert!(l.chars().count() <= 100, "too wide: {l}");
        }
        let json = compare_json(&rs, 42);
        assert_eq!(
            json.matches("\"per_million_requests\"").count(),
            1,
            "{json}"
        );
        // A run that prices data transfer adds a last column: its transfer's part of the
        // dollars a month; the runs without it show `-`.
        let transfer = crate::metrics::TransferCost {
            per_month: 120.0,
            ..Default::default()
        };
        rs[0].report.cost.as_mut().unwrap().transfer = Some(transfer);
        let t = compare_table(&rs, 42);
        let rows: Vec<&str> = t
            .lines()
            .skip_while(|l| !l.starts_with("cost "))
            .take_while(|l| !l.is_empty())
            .collect();
        assert!(rows[0].ends_with("transfer $/month"), "{t}");
        let cells: Vec<&str> = rows[1].split_whitespace().collect();
        assert_eq!(cells, ["05-cache", "575", "0.1107", "578", "120"], "{t}");
        assert!(rows[2].ends_with(" -"), "{t}");
        for l in t.lines() {
            assert!(l.chars().count() <= 100, "too wide: {l}");
        }
        assert!(compare_json(&rs, 42).contains("\"inter_dc_replication\""));
    }

    #[test]
    fn table_says_which_runs_had_the_same_traffic() {
        let same: Vec<CompareRun> = runs()
            .into_iter()
            .map(|r| r.offered_by(&scenario(100)))
            .collect();
        let t = compare_table(&same, 42);
        assert!(
            t.starts_with(
                "3 runs, all with seed 42: common random numbers, the same traffic in every run\n"
            ),
            "{t}"
        );
        assert!(!t.contains("not compared"), "{t}");
        let mut mixed = same.clone();
        mixed[2] = mixed[2].clone().offered_by(&scenario(300));
        let t = compare_table(&mixed, 42);
        assert!(!t.contains("the same traffic in every run"), "{t}");
        assert!(
            t.contains(
                "Runs given different traffic are not compared figure by figure. Traffic: stages \
                 05 to 06: 100 req/s;"
            ),
            "{t}"
        );
        assert!(
            t.contains("`empty`: 300 req/s (differs from stage 06 in its rate)."),
            "{t}"
        );
        // Unknown offers are never the same.
        assert!(!runs()[0].same_traffic(&runs()[0]));
        let v: serde_json::Value = serde_json::from_str(&compare_json(&mixed, 7)).unwrap();
        assert!(v["stages"][0]["same_traffic_as_previous"].is_null());
        assert_eq!(v["stages"][1]["same_traffic_as_previous"], true);
        assert_eq!(v["stages"][2]["same_traffic_as_previous"], false);
        assert_eq!(v["stages"][2]["traffic"], "300 req/s");
    }

    #[test]
    fn table_explains_availability() {
        let mut r = runs();
        r[1].report.requests.in_flight = 1234;
        let t = compare_table(&r, 42);
        assert!(
            t.contains(
                "avail%: share of the finished requests that succeeded, completed / (completed + \
                 failed);"
            ),
            "{t}"
        );
        assert!(t.contains("06: 1,234."), "{t}");
    }

    #[test]
    fn rate_profiles_in_words() {
        let sc = Scenario::parse(
            "name: t\nduration: 10s\ntraffic:\n  profile:\n    - {at: 0s, rate: 2500}\n    \
             - {at: 3s, rate: 250000, ramp: 5s}\n    - {at: 9s, rate: 7500}\nentry: web\n\
             components:\n  web: {kind: server, workers: 1, service: {const: 1ms}}\n",
            "t",
            &[],
        )
        .unwrap();
        assert_eq!(
            Offered::of(&sc).rate_text(),
            "2,500 req/s, ramping to 250,000 from 3 s over 5 s, 7,500 from 9 s"
        );
        let a = Offered::of(&scenario(1));
        let b = Offered::of(&sc);
        assert_eq!(a.differences(&b), ["rate", "duration or warm-up"]);
        assert!(a.differences(&a).is_empty());
    }
}
