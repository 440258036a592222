//! The journey report: every stage and its failure variants told as one story, as a
//! self-contained HTML page and as Markdown.
//!
//! For each stage: what changed (the topology and the stage's `about` text), its headline
//! figures next to the previous stage's with the change, and each failure variant it is
//! paired with (the variant's `about`, its availability, and per fault the time to detect
//! and to recover). An overview compares every stage in one table and the four comparison
//! charts of [`compare`](super::compare).
//!
//! The HTML page fetches nothing: charts and topologies are inline SVG (the topology is
//! laid out by [`Topology::svg`]), the style sheet is inline, there is no script and no
//! link outside the page. The Markdown uses Mermaid blocks for topologies and links to the
//! PNG charts written next to it.
//!
//! Figures come from the runs' `Headline`s and fault reports;
//! nothing is computed here beyond differences between stages. Renderers return
//! `String`s; [`write_journey`] writes the files through [`write_atomic`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::charts::{timeseries_chart, timeseries_svg};
use super::compare::{CompareKind, CompareRun, compare_csv, compare_svgs, write_compare_charts};
use super::diagram::{Topology, xml_escape};
use super::table::{count, ms, percent, rate, secs};
use super::{ReportError, write_atomic};
use crate::metrics::{FaultReport, Headline};

/// One failure variant of a stage, run.
#[derive(Clone, Debug)]
pub struct JourneyFailure {
    pub run: CompareRun,
    /// The file name stem, used to name its chart (`failure-<stem>.png`).
    pub stem: String,
}

/// One stage of the journey, run, with its failure variants.
#[derive(Clone, Debug)]
pub struct JourneyStage {
    pub run: CompareRun,
    pub topology: Topology,
    pub failures: Vec<JourneyFailure>,
}

/// Inline style sheet of the page.
const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1200px;\
margin:0 auto;padding:0 1.5em 3em;color:#141414;line-height:1.45}\
h1{margin-top:1em}h2{border-top:2px solid #0072b2;padding-top:.6em;margin-top:2.2em}\
svg{max-width:100%;height:auto}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}\
table{border-collapse:collapse;margin:.8em 0}th,td{padding:.25em .8em;border-bottom:1px solid #ddd;\
text-align:right}th:first-child,td:first-child{text-align:left}\
.about{font-size:1.1em;background:#f3f7fb;padding:.6em 1em;border-left:4px solid #0072b2}\
.failure{background:#fff8ec;border-left:4px solid #e69f00;padding:.4em 1em;margin:1em 0}\
.better{color:#007a57}.worse{color:#b34700}.muted{color:#666}\
.overview td:nth-child(2){text-align:left}";

/// A figure of the headline table: its name, unit, how it is shown, and whether a rise is
/// good news.
struct Figure {
    name: &'static str,
    value: fn(&Headline) -> Option<f64>,
    show: fn(f64) -> String,
    /// How a difference is shown.
    delta: fn(f64) -> String,
    higher_is_better: bool,
}

/// A latency row: milliseconds, one decimal, lower is better.
const fn latency(name: &'static str, value: fn(&Headline) -> Option<f64>) -> Figure {
    Figure {
        name,
        value,
        show: ms,
        delta: |d| signed(d, 1),
        higher_is_better: false,
    }
}

const FIGURES: [Figure; 6] = [
    Figure {
        name: "throughput (req/s)",
        value: |h| Some(h.throughput_rps),
        show: rate,
        delta: |d| signed(d, 1),
        higher_is_better: true,
    },
    Figure {
        name: "availability (%)",
        value: |h| Some(h.availability),
        show: percent,
        delta: |d| format!("{} pp", signed(d * 100.0, 2)),
        higher_is_better: true,
    },
    latency("mean latency (ms)", |h| h.mean_ms),
    latency("p50 latency (ms)", |h| h.p50_ms),
    latency("p99 latency (ms)", |h| h.p99_ms),
    Figure {
        name: "failed requests",
        value: |h| Some(h.failed as f64),
        show: |v| count(v as u64),
        delta: |d| signed(d, 0),
        higher_is_better: false,
    },
];

/// `+1.5`, `-12.1`, `0` with `decimals` decimals (negative zero shown as zero).
fn signed(d: f64, decimals: usize) -> String {
    let s = format!("{d:+.decimals$}");
    let zero = format!("{:+.decimals$}", 0.0);
    if s == zero || s == format!("-{}", &zero[1..]) {
        format!("{:.decimals$}", 0.0)
    } else {
        s
    }
}

/// A latency in milliseconds, or `-` when there is none.
fn opt_ms(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite()).map_or("-".to_string(), ms)
}

/// A stage's figures in the overview's column order: req/s, availability %, mean, p50 and
/// p99 ms, failed. The HTML page and the Markdown twin show the same cells.
fn overview_figures(hd: &Headline) -> [String; 6] {
    [
        rate(hd.throughput_rps),
        percent(hd.availability),
        opt_ms(hd.mean_ms),
        opt_ms(hd.p50_ms),
        opt_ms(hd.p99_ms),
        count(hd.failed),
    ]
}

fn bottleneck(h: &Headline) -> String {
    match (&h.bottleneck, h.bottleneck_utilization) {
        (Some(b), Some(u)) => format!("{b} ({:.0}%)", u * 100.0),
        (Some(b), None) => b.clone(),
        _ => "-".to_string(),
    }
}

/// One row of a stage's figures: `(name, this, previous, change, better?)`, where `better`
/// is `Some(true)` when the change is an improvement.
fn figure_rows(
    this: &Headline,
    prev: Option<&Headline>,
) -> Vec<(String, String, String, String, Option<bool>)> {
    let mut rows: Vec<_> = FIGURES
        .iter()
        .map(|f| {
            let now = (f.value)(this).filter(|v| v.is_finite());
            let before = prev.and_then(|p| (f.value)(p)).filter(|v| v.is_finite());
            let (change, better) = match (now, before) {
                (Some(a), Some(b)) => {
                    let d = a - b;
                    let shown = (f.delta)(d);
                    let better = if shown
                        .trim_start_matches(['+', '-'])
                        .trim_end_matches(" pp")
                        .chars()
                        .all(|c| c == '0' || c == '.')
                    {
                        None
                    } else {
                        Some((d > 0.0) == f.higher_is_better)
                    };
                    (shown, better)
                }
                _ => (String::new(), None),
            };
            (
                f.name.to_string(),
                now.map_or("-".to_string(), f.show),
                before.map_or(if prev.is_some() { "-" } else { "" }.to_string(), f.show),
                change,
                better,
            )
        })
        .collect();
    rows.push((
        "bottleneck (utilization)".to_string(),
        bottleneck(this),
        prev.map_or(String::new(), bottleneck),
        String::new(),
        None,
    ));
    rows
}

/// `value (change)` as in `p99 69.6 ms (-12.1)`: the change is left out for the first stage.
fn with_change(value: &str, change: &str) -> String {
    if change.is_empty() {
        value.to_string()
    } else {
        format!("{value} ({change})")
    }
}

fn fault_rows(faults: &[FaultReport]) -> Vec<[String; 5]> {
    let t = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{} s", secs(v)));
    faults
        .iter()
        .map(|f| {
            let detected = match (f.detected_s, f.time_to_detect_s) {
                (Some(at), Some(d)) => format!("{} s (after {} s)", secs(at), secs(d)),
                (Some(at), None) => format!("{} s", secs(at)),
                _ => "not detected".to_string(),
            };
            let recovered = match (f.recovered_s, f.time_to_recover_s) {
                (Some(at), Some(d)) => format!("{} s (after {} s)", secs(at), secs(d)),
                (Some(at), None) => format!("{} s", secs(at)),
                _ => "not within the run".to_string(),
            };
            [
                f.fault.clone(),
                t(Some(f.start_s)),
                detected,
                recovered,
                count(f.failed_requests),
            ]
        })
        .collect()
}

const FAULT_HEADER: [&str; 5] = [
    "fault",
    "starts",
    "detected",
    "recovered",
    "failed requests",
];

fn anchor(k: usize, s: &JourneyStage) -> String {
    format!("stage-{}-{}", k + 1, slug(&s.run.label))
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn runs_of(stages: &[JourneyStage]) -> Vec<CompareRun> {
    stages.iter().map(|s| s.run.clone()).collect()
}

fn failure_chart_stem(f: &JourneyFailure) -> String {
    format!("failure-{}", f.stem)
}

/// The self-contained HTML page.
pub fn journey_html(stages: &[JourneyStage], seed: u64) -> Result<String, ReportError> {
    let runs = runs_of(stages);
    let overview = compare_svgs(&runs)?;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<title>scalesim: from one server to millions of users</title>\n");
    let _ = writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>");
    h.push_str("<h1>From one server to millions of users</h1>\n");
    let failures: usize = stages.iter().map(|s| s.failures.len()).sum();
    let _ = writeln!(
        h,
        "<p>{} stage{} and {failures} failure variant{}, simulated by scalesim with seed {seed} \
         for every run: the traffic is drawn from the same random numbers in every stage, so \
         the differences come from the architecture. Latencies are end to end, at the client, \
         in milliseconds; figures count requests that started after the warm-up.</p>",
        stages.len(),
        if stages.len() == 1 { "" } else { "s" },
        if failures == 1 { "" } else { "s" }
    );
    h.push_str("<nav><ol>\n<li><a href=\"#overview\">Overview of all stages</a></li>\n");
    for (k, s) in stages.iter().enumerate() {
        let _ = writeln!(
            h,
            "<li><a href=\"#{}\">{}</a></li>",
            anchor(k, s),
            xml_escape(&s.run.report.scenario)
        );
    }
    h.push_str("</ol></nav>\n");

    // Overview.
    h.push_str("<section id=\"overview\">\n<h2>Overview of all stages</h2>\n");
    h.push_str(
        "<table class=\"overview\"><thead><tr><th>#</th><th>stage</th><th>req/s</th>\
         <th>availability %</th><th>mean ms</th><th>p50 ms</th><th>p99 ms</th>\
         <th>failed</th><th>bottleneck (utilization)</th></tr></thead><tbody>\n",
    );
    for (k, s) in stages.iter().enumerate() {
        let hd = &s.run.headline;
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            xml_escape(&s.run.label),
            anchor(k, s),
            xml_escape(&s.run.report.scenario),
            overview_figures(hd).join("</td><td>"),
            xml_escape(&bottleneck(hd))
        );
    }
    h.push_str("</tbody></table>\n");
    for (kind, svg) in &overview {
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            strip_xml_decl(svg),
            xml_escape(kind.caption())
        );
    }
    h.push_str("</section>\n");

    for (k, s) in stages.iter().enumerate() {
        let r = &s.run.report;
        let prev = k.checked_sub(1).map(|p| &stages[p]);
        let _ = writeln!(
            h,
            "<section id=\"{}\">\n<h2>{}</h2>",
            anchor(k, s),
            xml_escape(&r.scenario)
        );
        if !r.about.is_empty() {
            let _ = writeln!(h, "<p class=\"about\">{}</p>", xml_escape(&r.about));
        }
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>Topology of <code>{}</code>: users at the top; each arrow \
             is a call, labelled with the request classes that make it when not all do.{}\
             </figcaption></figure>",
            s.topology.svg(),
            xml_escape(&s.run.file),
            if s.topology.datacenters.is_empty() {
                ""
            } else {
                " Each dashed rectangle is a data center; an arrow from a region's users or \
                 between data centers carries its one-way latency (~: a mean)."
            }
        );
        match prev {
            Some(p) => {
                let _ = writeln!(
                    h,
                    "<table><thead><tr><th>figure</th><th>this stage</th><th>{}</th>\
                     <th>change</th></tr></thead><tbody>",
                    xml_escape(&p.run.report.scenario)
                );
            }
            None => h.push_str(
                "<table><thead><tr><th>figure</th><th>this stage</th></tr></thead><tbody>\n",
            ),
        }
        for (name, now, before, change, better) in
            figure_rows(&s.run.headline, prev.map(|p| &p.run.headline))
        {
            let class = match better {
                Some(true) => " class=\"better\"",
                Some(false) => " class=\"worse\"",
                None => "",
            };
            if prev.is_some() {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td{class}>{}</td></tr>",
                    xml_escape(&name),
                    xml_escape(&now),
                    xml_escape(&before),
                    xml_escape(&change)
                );
            } else {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    xml_escape(&name),
                    xml_escape(&now)
                );
            }
        }
        h.push_str("</tbody></table>\n");
        if !r.errors.is_empty() {
            let causes: Vec<String> = r
                .errors
                .iter()
                .map(|(c, n)| format!("{} {}", count(*n), xml_escape(c)))
                .collect();
            let _ = writeln!(
                h,
                "<p class=\"muted\">Failed requests by cause: {}.</p>",
                causes.join(", ")
            );
        }
        for f in &s.failures {
            let fr = &f.run.report;
            let _ = writeln!(
                h,
                "<div class=\"failure\">\n<h3>The failure it faces: {}</h3>",
                xml_escape(&fr.scenario)
            );
            if !fr.about.is_empty() {
                let _ = writeln!(h, "<p>{}</p>", xml_escape(&fr.about));
            }
            let fh = &f.run.headline;
            let _ = writeln!(
                h,
                "<p>Availability <strong>{}%</strong> ({} of {} requests failed), p99 {} ms.</p>",
                percent(fh.availability),
                count(fh.failed),
                count(fh.offered),
                opt_ms(fh.p99_ms)
            );
            if !fr.faults.is_empty() {
                h.push_str("<table><thead><tr>");
                for c in FAULT_HEADER {
                    let _ = write!(h, "<th>{c}</th>");
                }
                h.push_str("</tr></thead><tbody>\n");
                for row in fault_rows(&fr.faults) {
                    h.push_str("<tr>");
                    for c in row {
                        let _ = write!(h, "<td>{}</td>", xml_escape(&c));
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</tbody></table>\n");
            }
            let svg = timeseries_svg(fr, Path::new(&format!("{}.svg", failure_chart_stem(f))))?;
            let _ = writeln!(
                h,
                "<figure>{}<figcaption>Throughput, latency and errors over time; the fault is \
                 shaded orange, the warm-up grey.</figcaption></figure>\n</div>",
                strip_xml_decl(&svg)
            );
        }
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// SVG text without an XML declaration, ready to sit inside HTML.
fn strip_xml_decl(svg: &str) -> &str {
    let t = svg.trim_start();
    if t.starts_with("<?xml") {
        t.find("?>").map_or(t, |i| t[i + 2..].trim_start())
    } else {
        t
    }
}

/// Escapes a Markdown table cell.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The journey in Markdown: Mermaid topologies, tables, links to the PNG charts written
/// next to it.
pub fn journey_md(stages: &[JourneyStage], seed: u64) -> String {
    let mut m = String::new();
    m.push_str("# From one server to millions of users\n\n");
    let _ = writeln!(
        m,
        "{} stages simulated by scalesim, seed {seed} for every run (the same traffic in every \
         stage). Latencies are end to end, in milliseconds, for requests that started after \
         the warm-up. The same story with inline charts: `index.html`.\n",
        stages.len()
    );
    m.push_str("## Overview\n\n");
    m.push_str(
        "| # | stage | req/s | availability % | mean ms | p50 ms | p99 ms | failed | bottleneck |\n",
    );
    m.push_str("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for s in stages {
        let hd = &s.run.headline;
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} |",
            md_cell(&s.run.label),
            md_cell(&s.run.report.scenario),
            overview_figures(hd).join(" | "),
            md_cell(&bottleneck(hd))
        );
    }
    m.push('\n');
    for kind in CompareKind::ALL {
        let _ = writeln!(m, "![{}]({}.png)\n", kind.caption(), kind.stem());
    }
    for (k, s) in stages.iter().enumerate() {
        let r = &s.run.report;
        let prev = k.checked_sub(1).map(|p| &stages[p]);
        let _ = writeln!(m, "## {}\n", r.scenario);
        if !r.about.is_empty() {
            let _ = writeln!(m, "> {}\n", r.about);
        }
        let _ = writeln!(m, "```mermaid\n{}```\n", s.topology.mermaid());
        let figures = figure_rows(&s.run.headline, prev.map(|p| &p.run.headline));
        match prev {
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
        m.push('\n');
        for f in &s.failures {
            let fr = &f.run.report;
            let fh = &f.run.headline;
            let _ = writeln!(m, "### The failure it faces: {}\n", fr.scenario);
            if !fr.about.is_empty() {
                let _ = writeln!(m, "{}\n", fr.about);
            }
            let _ = writeln!(
                m,
                "Availability **{}%** ({} of {} requests failed), p99 {} ms.\n",
                percent(fh.availability),
                count(fh.failed),
                count(fh.offered),
                opt_ms(fh.p99_ms)
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
                "![{} over time]({}.png)\n",
                fr.scenario,
                failure_chart_stem(f)
            );
        }
    }
    m
}

/// Writes the journey into `dir`: `index.html`, `journey.md`, `compare.csv`, the comparison
/// charts (PNG and SVG) and one time-series chart per failure variant
/// (`failure-<stem>.png/.svg`). Returns the paths written; `index.html` is written last, so
/// its presence means the whole journey is there.
pub fn write_journey(
    stages: &[JourneyStage],
    seed: u64,
    dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let runs = runs_of(stages);
    let mut paths = write_compare_charts(&runs, dir)?;
    let csv = dir.join("compare.csv");
    write_atomic(&csv, compare_csv(&runs).as_bytes())?;
    paths.push(csv);
    for s in stages {
        for f in &s.failures {
            let stem = failure_chart_stem(f);
            let png = dir.join(format!("{stem}.png"));
            let svg = dir.join(format!("{stem}.svg"));
            timeseries_chart(&f.run.report, &png, &svg)?;
            paths.push(png);
            paths.push(svg);
        }
    }
    let md = dir.join("journey.md");
    write_atomic(&md, journey_md(stages, seed).as_bytes())?;
    paths.push(md);
    let html = dir.join("index.html");
    write_atomic(&html, journey_html(stages, seed)?.as_bytes())?;
    paths.push(html);
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;
    use crate::scenario::Scenario;

    fn topology() -> Topology {
        let sc = Scenario::parse(
            "name: t\nduration: 1s\ntraffic: {rate: 1}\nentry: web\ncomponents:\n  \
             web: {kind: server, workers: 1, service: {const: 1ms}}\n",
            "t",
            &[],
        )
        .unwrap();
        Topology::of(&sc)
    }

    fn stages() -> Vec<JourneyStage> {
        let mut second = fixtures::sample();
        second.scenario = "06 cdn".to_string();
        second.latency_ms.p99 = Some(27.9);
        vec![
            JourneyStage {
                run: CompareRun::new(Path::new("05-cache.yaml"), fixtures::sample()),
                topology: topology(),
                failures: vec![],
            },
            JourneyStage {
                run: CompareRun::new(Path::new("06-cdn.yaml"), second),
                topology: topology(),
                failures: vec![JourneyFailure {
                    run: CompareRun::new(Path::new("06-crash.yaml"), fixtures::faulty()),
                    stem: "06-crash".to_string(),
                }],
            },
        ]
    }

    #[test]
    fn changes_are_signed_and_judged() {
        assert_eq!(signed(-12.14, 1), "-12.1");
        assert_eq!(signed(0.01, 1), "0.0");
        assert_eq!(signed(-0.01, 1), "0.0");
        assert_eq!(signed(3.0, 0), "+3");
        let rows = figure_rows(&stages()[1].run.headline, Some(&stages()[0].run.headline));
        let p99 = rows.iter().find(|r| r.0 == "p99 latency (ms)").unwrap();
        assert_eq!((p99.1.as_str(), p99.3.as_str()), ("27.9", "-12.1"));
        assert_eq!(p99.4, Some(true));
        assert_eq!(with_change(&p99.1, &p99.3), "27.9 (-12.1)");
        let thr = rows.iter().find(|r| r.0 == "throughput (req/s)").unwrap();
        assert_eq!(thr.4, None);
    }

    #[test]
    fn page_tells_each_stage_and_failure() {
        let html = journey_html(&stages(), 42).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("27.9"));
        assert!(html.contains("-12.1"));
        assert!(html.contains("crash web#1"));
        assert!(html.contains("6.25 s (after 0.75 s)"));
        assert!(!html.contains("<?xml"));
        let md = journey_md(&stages(), 42);
        assert!(md.contains("```mermaid\nflowchart LR\n"));
        assert!(
            md.contains("| p99 latency (ms) | 27.9 (-12.1) | 40.0 |"),
            "{md}"
        );
        assert!(md.contains("(failure-06-crash.png)"));
    }
}
