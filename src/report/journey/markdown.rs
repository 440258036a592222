//! The journey in Markdown ([`journey_md`]): the same story as the HTML page, with Mermaid
//! blocks for topologies and links to the PNG charts written next to it.

use std::fmt::Write as _;

use super::capacity::{CAPACITY_STEM, capacity_rows, capacity_slos};
use super::figures::*;
use super::stage_figures::{
    ANALYTIC_NOTE, any_priced, availability_sentence, cost_cells, cost_sentence, nines_text,
    spof_text,
};
use super::{
    JourneyFailure, JourneyStage, capitalised, failure_chart_stem, runs_of, stage_chart_stem,
};
use crate::report::compare::{CompareKind, CompareRun, availability_note, traffic_note};
use crate::report::table::{count, percent, rate};

/// Escapes a Markdown table cell.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The journey in Markdown: Mermaid topologies, tables, links to the PNG charts written
/// next to it.
pub fn journey_md(stages: &[JourneyStage], seed: u64) -> String {
    let runs = runs_of(stages);
    let mut m = String::new();
    m.push_str("# From one server to millions of users\n\n");
    let _ = writeln!(
        m,
        "{} stages simulated by scalesim, seed {seed} for every run. {}. Latencies are end to \
         end, in milliseconds, for requests that started after the warm-up. The same story with \
         inline charts: `index.html`.\n",
        stages.len(),
        capitalised(&traffic_note(&runs, "stage"))
    );
    md_capacity(&mut m, stages);
    md_overview(&mut m, stages, &runs);
    for (k, s) in stages.iter().enumerate() {
        md_stage(&mut m, stages, k, s);
    }
    m
}

/// The capacity section: the chart and the table of each stage's max sustainable load, and
/// what limits each stage.
fn md_capacity(m: &mut String, stages: &[JourneyStage]) {
    m.push_str("## Capacity by stage\n\n");
    if stages.iter().all(|s| s.capacity.is_none()) {
        m.push_str(
            "No capacity figures: the largest load each stage sustains was not measured for \
             this page.\n\n",
        );
    } else {
        let _ = writeln!(
            m,
            "The largest load each stage sustains while meeting every objective ({}), in peak \
             offered requests per second.\n",
            capability_slos_md(stages)
        );
        let _ = writeln!(
            m,
            "![Max sustainable load per stage]({CAPACITY_STEM}.png)\n"
        );
        let priced = any_priced(stages);
        if priced {
            m.push_str(
                "| stage | max sustainable req/s | $/month | $/month per 1,000 req/s | growth | what limits it |\n",
            );
            m.push_str("|---|---:|---:|---:|---:|---|\n");
        } else {
            m.push_str("| stage | max sustainable req/s | growth | what limits it |\n");
            m.push_str("|---|---:|---:|---|\n");
        }
        let rows = capacity_rows(stages);
        for (s, row) in stages.iter().zip(&rows) {
            let cost = if priced {
                let [month, per_k] = cost_cells(s);
                format!(" {} | {} |", md_cell(&month), md_cell(&per_k))
            } else {
                String::new()
            };
            let _ = writeln!(
                m,
                "| {} | {} |{cost} {} | {} |",
                md_cell(&s.run.report.scenario),
                md_cell(&row[0]),
                md_cell(&row[1]),
                md_cell(&row[2])
            );
        }
        if priced {
            m.push_str(
                "\nA stage's $/month is what its priced components cost at the run's own \
                 load; divided by its max sustainable load in thousands of req/s, it is what \
                 each 1,000 req/s of capacity costs a month.\n",
            );
        }
        m.push_str("\nWhat breaks first, and what the next stage does about it:\n\n");
        for row in rows.iter().filter(|r| !r[3].is_empty()) {
            let _ = writeln!(m, "- {}", row[3]);
        }
        m.push('\n');
    }
}

/// The overview section: every stage in one table, and the comparison charts.
fn md_overview(m: &mut String, stages: &[JourneyStage], runs: &[CompareRun]) {
    m.push_str("## Overview\n\n");
    m.push_str(
        "| # | stage | req/s | availability %* | mean ms | p50 ms | p99 ms | failed | bottleneck | nines† | single points of failure† |\n",
    );
    m.push_str("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
    for s in stages {
        let hd = &s.run.headline;
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {} |",
            md_cell(&s.run.label),
            md_cell(&s.run.report.scenario),
            overview_figures(hd).join(" | "),
            md_cell(&bottleneck(hd)),
            nines_text(&s.run.report),
            md_cell(&spof_text(&s.run.report))
        );
    }
    let _ = writeln!(m, "\n\\* {}\n", availability_note(runs, "availability"));
    let _ = writeln!(m, "† {}\n", ANALYTIC_NOTE);
    for kind in CompareKind::ALL {
        let _ = writeln!(m, "![{}]({}.png)\n", kind.caption_for(runs), kind.stem());
    }
}

/// The section of stage `k` (`s`): its topology, its figures next to the previous stage's,
/// its charts and its failure variants.
fn md_stage(m: &mut String, stages: &[JourneyStage], k: usize, s: &JourneyStage) {
    let r = &s.run.report;
    let prev = k.checked_sub(1).map(|p| &stages[p]);
    let compared = prev.filter(|p| s.run.same_traffic(&p.run));
    let _ = writeln!(m, "## {}\n", r.scenario);
    if !r.about.is_empty() {
        let _ = writeln!(m, "> {}\n", r.about);
    }
    let _ = writeln!(m, "```mermaid\n{}```\n", s.diagram.mermaid());
    if let Some(note) = prev.and_then(|p| not_compared(s, p)) {
        let _ = writeln!(m, "{note}\n");
    }
    let figures = figure_rows(&s.run.headline, compared.map(|p| &p.run.headline));
    match compared {
        Some(p) => {
            let _ = writeln!(
                m,
                "| figure | this stage (change) | {} |\n|---|---:|---:|",
                md_cell(&p.run.report.scenario)
            );
            for (name, now, before, change, _) in figures {
                let _ = writeln!(
                    m,
                    "| {name} | {} | {} |",
                    md_cell(&with_change(&now, &change)),
                    md_cell(&before)
                );
            }
        }
        None => {
            m.push_str("| figure | this stage |\n|---|---:|\n");
            for (name, now, ..) in figures {
                let _ = writeln!(m, "| {name} | {} |", md_cell(&now));
            }
        }
    }
    let _ = writeln!(m, "\n{}\n", availability_footnote(r));
    if let Some(a) = availability_sentence(r) {
        let _ = writeln!(m, "{a}\n");
    }
    if let Some(c) = cost_sentence(s) {
        let _ = writeln!(m, "{c}\n");
    }
    let scaling = scaling_summary(r);
    if !scaling.is_empty() {
        let _ = writeln!(m, "Autoscaling: {}.\n", scaling.join("; "));
    }
    let _ = writeln!(
        m,
        "![{}]({}.png)\n",
        timeseries_caption(&s.run),
        stage_chart_stem(s, "timeseries")
    );
    let _ = writeln!(
        m,
        "![{}: components over time]({}.png)\n",
        r.scenario,
        stage_chart_stem(s, "components")
    );
    for f in &s.failures {
        md_failure(m, f);
    }
}

/// A failure variant: what it is, its availability, its faults' times to detect and recover,
/// and a link to its time-series chart.
fn md_failure(m: &mut String, f: &JourneyFailure) {
    let fr = &f.run.report;
    let fh = &f.run.headline;
    let _ = writeln!(m, "### The failure it faces: {}\n", fr.scenario);
    if !fr.about.is_empty() {
        let _ = writeln!(m, "{}\n", fr.about);
    }
    let _ = writeln!(
        m,
        "Availability **{}%** of the finished requests ({} of {} requests failed, {} \
         still in flight at the end not counted), p99 {} ms, goodput {} req/s (throughput {}).\n",
        percent(fh.availability),
        count(fh.failed),
        count(fh.offered),
        count(fr.requests.in_flight),
        opt_ms(fh.p99_ms),
        rate(fh.goodput_rps),
        rate(fh.throughput_rps)
    );
    if !fr.faults.is_empty() {
        let _ = writeln!(m, "| {} |", FAULT_HEADER.join(" | "));
        m.push_str("|---|---:|---:|---:|---:|\n");
        for row in fault_rows(&fr.faults) {
            let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
            let _ = writeln!(m, "| {} |", cells.join(" | "));
        }
        m.push('\n');
    }
    let _ = writeln!(
        m,
        "![{}]({}.png)\n",
        timeseries_caption(&f.run),
        failure_chart_stem(f)
    );
}

fn capability_slos_md(stages: &[JourneyStage]) -> String {
    capacity_slos(stages).join(", ")
}
