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

mod capacity;

pub use capacity::StageCapacity;
use capacity::{CAPACITY_HEADER, CAPACITY_STEM, CapacityChart, capacity_rows, capacity_slos};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::charts::{
    components_chart, components_svg, fault_span, render, render_svg, timeseries_chart,
    timeseries_svg,
};
use super::compare::{
    CompareKind, CompareRun, Offered, availability_note, compare_csv, compare_svgs, traffic_note,
    write_compare_charts,
};
use super::diagram::{Topology, xml_escape};
use super::table::{count, ms, percent, rate, secs};
use super::{ReportError, write_atomic};
use crate::metrics::{FaultReport, Headline, Report};
use crate::scenario::Arrival;

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
    /// Its capacity, when it was measured; the page says so when no stage has one.
    pub capacity: Option<StageCapacity>,
}

/// Inline style sheet of the page.
const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1200px;\
margin:0 auto;padding:0 1.5em 3em;color:#141414;line-height:1.45;overflow-wrap:break-word}\
h1{margin-top:1em}h2{border-top:2px solid #0072b2;padding-top:.6em;margin-top:2.2em}\
svg,img{max-width:100%;height:auto}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}\
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}\
table{border-collapse:collapse;margin:.8em 0}th,td{padding:.25em .8em;border-bottom:1px solid #ddd;\
text-align:right}th:first-child,td:first-child{text-align:left}\
.about{font-size:1.1em;background:#f3f7fb;padding:.6em 1em;border-left:4px solid #0072b2}\
.note{background:#f6f6f6;padding:.4em 1em;border-left:4px solid #999}\
.failure{background:#fff8ec;border-left:4px solid #e69f00;padding:.4em 1em;margin:1em 0}\
.better{color:#007a57}.worse{color:#b34700}.muted{color:#666}\
.overview td:nth-child(2),.overview th:nth-child(2),.capacity td:nth-child(4),\
.capacity th:nth-child(4),.overview td:last-child,.overview th:last-child{text-align:left}\
.overview td,.overview th{white-space:nowrap}.capacity td:nth-child(4){min-width:18em}\
.capacity td:first-child{min-width:9em}\
@media (max-width:700px){body{padding:0 .7em 2em}th,td{padding:.2em .5em}\
.topology svg{max-width:none}}";

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
        name: "availability (% of finished)",
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

/// A run's file stem (`05-cache` for `scenarios/05-cache.yaml`).
fn file_stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The stem of a stage's chart files: `stage-05-cache-timeseries`, `stage-05-cache-components`.
fn stage_chart_stem(s: &JourneyStage, which: &str) -> String {
    format!("stage-{}-{which}", file_stem(&s.run.file))
}

/// `s` with its first letter in upper case.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// What a time-series chart of `run` shows, generated from the run: its panels, the warm-up,
/// and each fault as it is drawn (a shaded band from its start to its end, or a line for a
/// fault at an instant), or that the run has none; the offered rate when it changes.
fn timeseries_caption(run: &CompareRun) -> String {
    let r = &run.report;
    let mut s = "Throughput, latency (p50, p99) and errors over time".to_string();
    if r.scaling.is_some() {
        s.push_str(", and the active instances of each autoscaled group");
    }
    if !r.timeseries.datacenters.is_empty() {
        s.push_str(", and the requests entering each data center per second");
    }
    s.push_str("; the warm-up is shaded grey");
    let (mut bands, mut lines) = (Vec::new(), Vec::new());
    for f in &r.timeseries.faults {
        match fault_span(f, r.duration_s) {
            Some((a, b)) if b > a => {
                bands.push(format!("{} from {} s to {} s", f.label, secs(a), secs(b)));
            }
            Some((a, _)) => lines.push(format!("{} at {} s", f.label, secs(a))),
            None => {}
        }
    }
    if !bands.is_empty() {
        let _ = write!(
            s,
            "; each fault is shaded orange from its start to its end ({})",
            bands.join("; ")
        );
    }
    if !lines.is_empty() {
        let _ = write!(
            s,
            "; an orange line marks each fault that happens at an instant ({})",
            lines.join("; ")
        );
    }
    if bands.is_empty() && lines.is_empty() {
        s.push_str("; no fault is scheduled in this run");
    }
    if let Some(o) = &run.offered
        && matches!(&o.traffic.arrival, Arrival::Open(p) if p.points.len() > 1)
    {
        let _ = write!(s, ". Offered: {}", o.rate_text());
    }
    s.push('.');
    s
}

/// How an autoscaled run's groups moved: `web-us: 12 to 120 instances (5 scale-outs, 0
/// scale-ins)`, one entry per group; empty without autoscaling.
fn scaling_summary(r: &Report) -> Vec<String> {
    let Some(actions) = &r.scaling else {
        return Vec::new();
    };
    let ts = &r.timeseries;
    let mut out = Vec::new();
    for (ci, name) in ts.components.iter().enumerate() {
        let counts: Vec<u32> = ts
            .rows
            .iter()
            .filter_map(|w| w.instances.get(ci).copied().flatten())
            .collect();
        let scaled = actions.iter().any(|a| &a.group == name)
            || r.components
                .get(name)
                .is_some_and(|c| c.extra.contains_key("scale_outs"));
        if !scaled || counts.is_empty() {
            continue;
        }
        let outs = actions
            .iter()
            .filter(|a| &a.group == name && a.action == "out")
            .count();
        let ins = actions
            .iter()
            .filter(|a| &a.group == name && a.action == "in")
            .count();
        let (first, last) = (counts[0], counts[counts.len() - 1]);
        let peak = counts.iter().copied().max().unwrap_or(first);
        out.push(format!(
            "{name}: {first} instances at the start, {peak} at the most, {last} at the end \
             ({outs} scale-out{}, {ins} scale-in{})",
            if outs == 1 { "" } else { "s" },
            if ins == 1 { "" } else { "s" }
        ));
    }
    out
}

/// Why a stage's figures are not set against the previous stage's, or `None` when they are.
fn not_compared(s: &JourneyStage, prev: &JourneyStage) -> Option<String> {
    if s.run.same_traffic(&prev.run) {
        return None;
    }
    let diff = match (&s.run.offered, &prev.run.offered) {
        (Some(a), Some(b)) => a.differences(b),
        _ => Vec::new(),
    };
    let what = if diff.is_empty() {
        "traffic not known to be the same".to_string()
    } else {
        format!("different traffic (it differs in its {})", diff.join(", "))
    };
    let rate = |r: &CompareRun| {
        r.offered
            .as_ref()
            .map_or("unknown".to_string(), Offered::rate_text)
    };
    Some(format!(
        "Not compared with {}: the two stages were given {what}. This stage is offered {}; {} \
         was offered {}.",
        prev.run.report.scenario,
        rate(&s.run),
        prev.run.report.scenario,
        rate(&prev.run)
    ))
}

/// The note under a stage's figures: what its availability counts.
fn availability_footnote(r: &Report) -> String {
    format!(
        "Availability: the share of the finished requests that succeeded, completed / \
         (completed + failed); {} still in flight at the end {} not counted.",
        match r.requests.in_flight {
            1 => "1 request".to_string(),
            n => format!("{} requests", count(n)),
        },
        if r.requests.in_flight == 1 {
            "is"
        } else {
            "are"
        }
    )
}

/// A table inside a container that scrolls sideways on a narrow screen.
fn scroll_table(class: &str, head: &str, body: &str) -> String {
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{class}\"")
    };
    format!(
        "<div class=\"scroll\"><table{class}><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table></div>\n"
    )
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
         for every run: where two runs are offered the same traffic, it is drawn from the same \
         random numbers, so the differences come from the architecture. {}. Latencies are end \
         to end, at the client, in milliseconds; figures count requests that started after the \
         warm-up.</p>",
        stages.len(),
        if stages.len() == 1 { "" } else { "s" },
        if failures == 1 { "" } else { "s" },
        xml_escape(&capitalised(&traffic_note(&runs, "stage")))
    );
    h.push_str(
        "<nav><ol>\n<li><a href=\"#capacity\">Capacity by stage</a></li>\n\
         <li><a href=\"#overview\">Overview of all stages</a></li>\n",
    );
    for (k, s) in stages.iter().enumerate() {
        let _ = writeln!(
            h,
            "<li><a href=\"#{}\">{}</a></li>",
            anchor(k, s),
            xml_escape(&s.run.report.scenario)
        );
    }
    h.push_str("</ol></nav>\n");

    // Capacity.
    h.push_str("<section id=\"capacity\">\n<h2>Capacity by stage</h2>\n");
    if stages.iter().all(|s| s.capacity.is_none()) {
        h.push_str(
            "<p class=\"muted\">No capacity figures: the largest load each stage sustains was \
             not measured for this page.</p>\n",
        );
    } else {
        let slos = capacity_slos(stages);
        let _ = writeln!(
            h,
            "<p>The largest load each stage sustains while meeting every objective ({}): the \
             stage's traffic, as written, is scaled up or down as a whole until the objectives \
             fail. Loads are peak offered requests per second.</p>",
            xml_escape(&slos.join(", "))
        );
        let svg = render_svg(
            &CapacityChart::of(stages),
            Path::new(&format!("{CAPACITY_STEM}.svg")),
        )?;
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>Max sustainable load per stage (peak req/s, log scale); a \
             stage without a bar met the objectives at no probed load, or was not measured.\
             </figcaption></figure>",
            strip_xml_decl(&svg)
        );
        let head: String = CAPACITY_HEADER[..4]
            .iter()
            .map(|c| format!("<th>{c}</th>"))
            .collect();
        let mut body = String::new();
        let rows = capacity_rows(stages);
        for (s, row) in stages.iter().zip(&rows) {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                xml_escape(&s.run.report.scenario),
                xml_escape(&row[0]),
                xml_escape(&row[1]),
                xml_escape(&row[2])
            );
        }
        h.push_str(&scroll_table("capacity", &head, &body));
        h.push_str("<p>What breaks first, and what the next stage does about it:</p>\n<ul>\n");
        for row in rows.iter().filter(|r| !r[3].is_empty()) {
            let _ = writeln!(h, "<li>{}</li>", xml_escape(&row[3]));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");

    // Overview.
    h.push_str("<section id=\"overview\">\n<h2>Overview of all stages</h2>\n");
    let head = "<th>#</th><th>stage</th><th>req/s</th><th>availability %*</th><th>mean ms</th>\
                <th>p50 ms</th><th>p99 ms</th><th>failed</th><th>bottleneck (utilization)</th>";
    let mut body = String::new();
    for (k, s) in stages.iter().enumerate() {
        let hd = &s.run.headline;
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            xml_escape(&s.run.label),
            anchor(k, s),
            xml_escape(&s.run.report.scenario),
            overview_figures(hd).join("</td><td>"),
            xml_escape(&bottleneck(hd))
        );
    }
    h.push_str(&scroll_table("overview", head, &body));
    let _ = writeln!(
        h,
        "<p class=\"muted\">* {}</p>",
        xml_escape(&availability_note(&runs, "availability"))
    );
    for (kind, svg) in &overview {
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            strip_xml_decl(svg),
            xml_escape(&kind.caption_for(&runs))
        );
    }
    h.push_str("</section>\n");

    for (k, s) in stages.iter().enumerate() {
        let r = &s.run.report;
        let prev = k.checked_sub(1).map(|p| &stages[p]);
        let compared = prev.filter(|p| s.run.same_traffic(&p.run));
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
            "<figure class=\"topology\"><div class=\"scroll\">{}</div><figcaption>Topology of \
             <code>{}</code>: users at the top; each arrow is a call, labelled with the request \
             classes that make it when not all do (on a narrow screen the picture keeps its \
             size: scroll it sideways).{}</figcaption></figure>",
            s.topology.svg(),
            xml_escape(&s.run.file),
            if s.topology.datacenters.is_empty() {
                ""
            } else {
                " Each dashed rectangle is a data center; an arrow from a region's users or \
                 between data centers carries its one-way latency (~: a mean)."
            }
        );
        if let Some(note) = prev.and_then(|p| not_compared(s, p)) {
            let _ = writeln!(h, "<p class=\"note\">{}</p>", xml_escape(&note));
        }
        let head = match compared {
            Some(p) => format!(
                "<th>figure</th><th>this stage</th><th>{}</th><th>change</th>",
                xml_escape(&p.run.report.scenario)
            ),
            None => "<th>figure</th><th>this stage</th>".to_string(),
        };
        let mut body = String::new();
        for (name, now, before, change, better) in
            figure_rows(&s.run.headline, compared.map(|p| &p.run.headline))
        {
            let class = match better {
                Some(true) => " class=\"better\"",
                Some(false) => " class=\"worse\"",
                None => "",
            };
            if compared.is_some() {
                let _ = writeln!(
                    body,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td{class}>{}</td></tr>",
                    xml_escape(&name),
                    xml_escape(&now),
                    xml_escape(&before),
                    xml_escape(&change)
                );
            } else {
                let _ = writeln!(
                    body,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    xml_escape(&name),
                    xml_escape(&now)
                );
            }
        }
        h.push_str(&scroll_table("", &head, &body));
        let _ = writeln!(
            h,
            "<p class=\"muted\">{}</p>",
            xml_escape(&availability_footnote(r))
        );
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
        let scaling = scaling_summary(r);
        if !scaling.is_empty() {
            let _ = writeln!(
                h,
                "<p>Autoscaling: {}.</p>",
                xml_escape(&scaling.join("; "))
            );
        }
        let svg = timeseries_svg(
            r,
            Path::new(&format!("{}.svg", stage_chart_stem(s, "timeseries"))),
        )?;
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            strip_xml_decl(&svg),
            xml_escape(&timeseries_caption(&s.run))
        );
        let svg = components_svg(
            r,
            Path::new(&format!("{}.svg", stage_chart_stem(s, "components"))),
        )?;
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>Utilization and waiting requests of the busiest components \
             over time; the warm-up is shaded grey.</figcaption></figure>",
            strip_xml_decl(&svg)
        );
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
                "<p>Availability <strong>{}%</strong> of the finished requests ({} of {} \
                 requests failed, {} still in flight at the end not counted), p99 {} ms.</p>",
                percent(fh.availability),
                count(fh.failed),
                count(fh.offered),
                count(fr.requests.in_flight),
                opt_ms(fh.p99_ms)
            );
            if !fr.faults.is_empty() {
                let head: String = FAULT_HEADER
                    .iter()
                    .map(|c| format!("<th>{c}</th>"))
                    .collect();
                let mut body = String::new();
                for row in fault_rows(&fr.faults) {
                    body.push_str("<tr>");
                    for c in row {
                        let _ = write!(body, "<td>{}</td>", xml_escape(&c));
                    }
                    body.push_str("</tr>\n");
                }
                h.push_str(&scroll_table("", &head, &body));
            }
            let svg = timeseries_svg(fr, Path::new(&format!("{}.svg", failure_chart_stem(f))))?;
            let _ = writeln!(
                h,
                "<figure>{}<figcaption>{}</figcaption></figure>\n</div>",
                strip_xml_decl(&svg),
                xml_escape(&timeseries_caption(&f.run))
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
        m.push_str("| stage | max sustainable req/s | growth | what limits it |\n");
        m.push_str("|---|---:|---:|---|\n");
        let rows = capacity_rows(stages);
        for (s, row) in stages.iter().zip(&rows) {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} |",
                md_cell(&s.run.report.scenario),
                md_cell(&row[0]),
                md_cell(&row[1]),
                md_cell(&row[2])
            );
        }
        m.push_str("\nWhat breaks first, and what the next stage does about it:\n\n");
        for row in rows.iter().filter(|r| !r[3].is_empty()) {
            let _ = writeln!(m, "- {}", row[3]);
        }
        m.push('\n');
    }
    m.push_str("## Overview\n\n");
    m.push_str(
        "| # | stage | req/s | availability %* | mean ms | p50 ms | p99 ms | failed | bottleneck |\n",
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
    let _ = writeln!(m, "\n\\* {}\n", availability_note(&runs, "availability"));
    for kind in CompareKind::ALL {
        let _ = writeln!(m, "![{}]({}.png)\n", kind.caption_for(&runs), kind.stem());
    }
    for (k, s) in stages.iter().enumerate() {
        let r = &s.run.report;
        let prev = k.checked_sub(1).map(|p| &stages[p]);
        let compared = prev.filter(|p| s.run.same_traffic(&p.run));
        let _ = writeln!(m, "## {}\n", r.scenario);
        if !r.about.is_empty() {
            let _ = writeln!(m, "> {}\n", r.about);
        }
        let _ = writeln!(m, "```mermaid\n{}```\n", s.topology.mermaid());
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
            let fr = &f.run.report;
            let fh = &f.run.headline;
            let _ = writeln!(m, "### The failure it faces: {}\n", fr.scenario);
            if !fr.about.is_empty() {
                let _ = writeln!(m, "{}\n", fr.about);
            }
            let _ = writeln!(
                m,
                "Availability **{}%** of the finished requests ({} of {} requests failed, {} \
                 still in flight at the end not counted), p99 {} ms.\n",
                percent(fh.availability),
                count(fh.failed),
                count(fh.offered),
                count(fr.requests.in_flight),
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
                "![{}]({}.png)\n",
                timeseries_caption(&f.run),
                failure_chart_stem(f)
            );
        }
    }
    m
}

fn capability_slos_md(stages: &[JourneyStage]) -> String {
    capacity_slos(stages).join(", ")
}

/// Writes the journey into `dir`: `index.html`, `journey.md`, `compare.csv`, the comparison
/// charts (PNG and SVG), the capacity chart when there are capacity figures
/// (`capacity.png/.svg`), two charts per stage (`stage-<stem>-timeseries.png/.svg`,
/// `stage-<stem>-components.png/.svg`) and one time-series chart per failure variant
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
    let mut chart = |stem: String,
                     f: fn(&Report, &Path, &Path) -> Result<(), ReportError>,
                     r: &Report|
     -> Result<(), ReportError> {
        let png = dir.join(format!("{stem}.png"));
        let svg = dir.join(format!("{stem}.svg"));
        f(r, &png, &svg)?;
        paths.push(png);
        paths.push(svg);
        Ok(())
    };
    for s in stages {
        let r = &s.run.report;
        chart(stage_chart_stem(s, "timeseries"), timeseries_chart, r)?;
        chart(stage_chart_stem(s, "components"), components_chart, r)?;
        for f in &s.failures {
            chart(failure_chart_stem(f), timeseries_chart, &f.run.report)?;
        }
    }
    if stages.iter().any(|s| s.capacity.is_some()) {
        let png = dir.join(format!("{CAPACITY_STEM}.png"));
        let svg = dir.join(format!("{CAPACITY_STEM}.svg"));
        render(&CapacityChart::of(stages), &png, &svg)?;
        paths.push(png);
        paths.push(svg);
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
    use super::capacity::{capacity_sentence, growth_text};
    use super::*;
    use crate::report::fixtures;
    use crate::scenario::Scenario;

    fn scenario(rate: u32) -> Scenario {
        crate::report::fixtures::one_server(rate)
    }

    fn topology() -> Topology {
        Topology::of(&scenario(1))
    }

    /// Two stages offered the same traffic, the second with a failure variant.
    fn stages() -> Vec<JourneyStage> {
        let mut second = fixtures::sample();
        second.scenario = "06 cdn".to_string();
        second.latency_ms.p99 = Some(27.9);
        second.requests.in_flight = 12;
        let sc = scenario(1);
        vec![
            JourneyStage {
                run: CompareRun::new(Path::new("05-cache.yaml"), fixtures::sample())
                    .offered_by(&sc),
                topology: topology(),
                failures: vec![],
                capacity: None,
            },
            JourneyStage {
                run: CompareRun::new(Path::new("06-cdn.yaml"), second).offered_by(&sc),
                topology: topology(),
                failures: vec![JourneyFailure {
                    run: CompareRun::new(Path::new("06-crash.yaml"), fixtures::faulty())
                        .offered_by(&sc),
                    stem: "06-crash".to_string(),
                }],
                capacity: None,
            },
        ]
    }

    /// [`stages`] with a third stage offered five times the rate.
    fn stages_with_more_traffic() -> Vec<JourneyStage> {
        let mut st = stages();
        let mut third = fixtures::sample();
        third.scenario = "07 stateless".to_string();
        third.throughput_rps = 5_000.0;
        st.push(JourneyStage {
            run: CompareRun::new(Path::new("07-stateless.yaml"), third).offered_by(&scenario(5)),
            topology: topology(),
            failures: vec![],
            capacity: None,
        });
        st
    }

    fn capacity(max: f64, component: &str, why: &str) -> StageCapacity {
        StageCapacity {
            slos: vec!["p99<200ms".to_string(), "availability>=99.9%".to_string()],
            base_rate_rps: 1000.0,
            max_rate_rps: max,
            fail_rate_rps: Some(max * 1.1),
            limit_component: Some(component.to_string()),
            limit_why: Some(why.to_string()),
            limit_utilization: Some(1.0),
        }
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
        assert!(html.contains("Every stage is offered the same traffic (1.00 req/s"));
        let md = journey_md(&stages(), 42);
        assert!(md.contains("```mermaid\nflowchart LR\n"));
        assert!(
            md.contains("| p99 latency (ms) | 27.9 (-12.1) | 40.0 |"),
            "{md}"
        );
        assert!(md.contains("(failure-06-crash.png)"));
        assert!(md.contains("Every stage is offered the same traffic"));
    }

    #[test]
    fn stages_given_different_traffic_are_not_compared() {
        let st = stages_with_more_traffic();
        let html = journey_html(&st, 42).unwrap();
        let md = journey_md(&st, 42);
        // The third stage's table has no previous column and no change.
        let third = &html[html.find("<h2>07 stateless</h2>").unwrap()..];
        let table = &third[..third.find("</table>").unwrap()];
        assert!(!table.contains("<th>change</th>"), "{table}");
        assert!(!table.contains("+4,005"), "{table}");
        assert!(third.contains(
            "Not compared with 06 cdn: the two stages were given different \
             traffic (it differs in its rate)"
        ));
        let md_third = &md[md.find("## 07 stateless").unwrap()..];
        assert!(md_third.contains("| figure | this stage |\n"), "{md_third}");
        assert!(!md_third.contains("(change)"), "{md_third}");
        // The second stage is still compared with the first.
        assert!(md.contains("| p99 latency (ms) | 27.9 (-12.1) | 40.0 |"));
        // The sentence says which stages were given which traffic.
        let sentence = "Stages given different traffic are not compared figure by figure. \
                        Traffic: stages 05 to 06: 1.00 req/s; stage 07: 5.00 req/s (differs \
                        from stage 06 in its rate)";
        assert!(html.contains(sentence), "{html}");
        assert!(md.contains(sentence));
        assert!(!html.contains("the same traffic in every"));
    }

    #[test]
    fn availability_is_labelled_as_a_share_of_the_finished_requests() {
        let html = journey_html(&stages(), 42).unwrap();
        assert!(html.contains("availability (% of finished)"));
        assert!(html.contains(
            "* availability: share of the finished requests that succeeded, completed / \
             (completed + failed); requests still in flight at the end are not counted: 06: 12."
        ));
        assert!(html.contains("12 requests still in flight at the end are not counted."));
        let md = journey_md(&stages(), 42);
        assert!(md.contains("\\* availability: share of the finished requests"));
        assert!(md.contains("0 requests still in flight at the end are not counted."));
    }

    #[test]
    fn every_table_scrolls_sideways_and_pictures_shrink() {
        let mut st = stages();
        st[0].capacity = Some(capacity(900.0, "web", "queue full"));
        let html = journey_html(&st, 42).unwrap();
        let tables = html.matches("<table").count();
        assert!(tables >= 4, "{tables}");
        assert_eq!(html.matches("<div class=\"scroll\"><table").count(), tables);
        assert!(STYLE.contains(".scroll{overflow-x:auto"));
        assert!(STYLE.contains("svg,img{max-width:100%;height:auto}"));
    }

    #[test]
    fn each_stage_has_its_charts_and_faults_are_shaded() {
        let html = journey_html(&stages(), 42).unwrap();
        // Each stage's time series (the title of the run chart) and components.
        for name in ["05-cache", "06 cdn"] {
            assert!(
                html.contains(&format!("{name}: throughput, latency and errors over time")),
                "{name}"
            );
            assert!(
                html.contains(&format!("{name}: components over time")),
                "{name}"
            );
        }
        // The failure variant's crash: a shaded band, and a caption that says where.
        let failure = &html[html.find("The failure it faces").unwrap()..];
        assert!(
            failure.contains("opacity=\"0.2\" fill=\"#E69F00\""),
            "an orange band"
        );
        assert!(failure.contains(
            "each fault is shaded orange from its start to its end (crash web#1 from 5.5 s to \
             7.5 s; slow web#0 from 9 s to 10 s)"
        ));
        assert!(failure.contains(
            "an orange line marks each fault that happens at an instant \
             (flush cache at 3 s)"
        ));
        // A stage without faults says so, and promises no shading.
        let stage = &html[html.find("<h2>05-cache</h2>").unwrap()..];
        let stage = &stage[..stage.find("</section>").unwrap()];
        assert!(stage.contains("no fault is scheduled in this run"));
        assert!(!stage.contains("shaded orange"));
        assert!(!stage.contains("#E69F00"));

        let dir = tempfile::tempdir().unwrap();
        let paths = write_journey(&stages(), 42, dir.path()).unwrap();
        for stem in [
            "stage-05-cache-timeseries",
            "stage-06-cdn-components",
            "failure-06-crash",
        ] {
            assert!(
                paths.contains(&dir.path().join(format!("{stem}.png"))),
                "{stem}"
            );
            assert!(
                paths.contains(&dir.path().join(format!("{stem}.svg"))),
                "{stem}"
            );
        }
        assert!(!dir.path().join("capacity.png").exists());
    }

    #[test]
    fn autoscaled_stages_say_how_their_fleet_moved() {
        let mut r = fixtures::sample();
        r.components["web"]
            .extra
            .insert("scale_outs".to_string(), 2.0);
        for (i, row) in r.timeseries.rows.iter_mut().enumerate() {
            row.instances[1] = Some(2 + i as u32 / 3);
        }
        r.scaling = Some(vec![crate::metrics::ScalingAction {
            t_s: 3.0,
            group: "web".to_string(),
            action: "out",
            active: 2,
            desired: 3,
            changed: 1,
        }]);
        let summary = scaling_summary(&r);
        assert_eq!(summary.len(), 1, "{summary:?}");
        assert!(
            summary[0].starts_with("web: 2 instances at the start, 5 at the most"),
            "{summary:?}"
        );
        assert!(
            summary[0].ends_with("(1 scale-out, 0 scale-ins)"),
            "{summary:?}"
        );
    }

    #[test]
    fn capacity_section_leads_the_page() {
        let mut st = stages_with_more_traffic();
        st[0].capacity = Some(capacity(
            1_000.0,
            "db",
            "queue full: 1,234 requests turned away",
        ));
        st[1].capacity = Some(capacity(2_500.0, "web", "timeouts"));
        let html = journey_html(&st, 42).unwrap();
        let cap = html.find("<h2>Capacity by stage</h2>").unwrap();
        assert!(cap < html.find("<h2>Overview of all stages</h2>").unwrap());
        assert!(html.contains("Max sustainable load per stage"));
        assert!(html.contains(
            "<td>05-cache</td><td>1,000</td><td>-</td>\
             <td>db: queue full: 1,234 requests turned away</td>"
        ));
        assert!(html.contains("<td>06 cdn</td><td>2,500</td><td>×2.5</td>"));
        assert!(html.contains("<td>07 stateless</td><td>not measured</td>"));
        st[1].run.report.about = String::new();
        let sentence = capacity_sentence(&st, 0);
        assert_eq!(
            sentence,
            "05-cache sustains up to 1,000 req/s; what breaks first, at 1,100 req/s, is db: \
             queue full: 1,234 requests turned away. Next, 06 cdn."
        );
        st[1].run.report.about = "Static content moves to the edge".to_string();
        assert!(
            capacity_sentence(&st, 0).ends_with("Next, 06 cdn: Static content moves to the edge.")
        );
        assert!(
            capacity_sentence(&st, 1)
                .contains("what breaks first, at 2,750 req/s, is web: timeouts.")
        );
        assert_eq!(capacity_sentence(&st, 2), "");
        let md = journey_md(&st, 42);
        assert!(md.contains("## Capacity by stage"));
        assert!(md.contains("| 06 cdn | 2,500 | ×2.5 | web: timeouts |"));
        assert!(md.contains("(capacity.png)"));
        let dir = tempfile::tempdir().unwrap();
        write_journey(&st, 42, dir.path()).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("capacity.svg")).unwrap();
        assert!(svg.contains("Max sustainable load per stage"));
        assert!(svg.contains("2,500"));
        // Without any capacity figures the page says so.
        let html = journey_html(&stages(), 42).unwrap();
        assert!(html.contains("No capacity figures"));
        assert!(journey_md(&stages(), 42).contains("No capacity figures"));
    }

    #[test]
    fn growth_is_a_factor() {
        assert_eq!(growth_text(2.5), "×2.5");
        assert_eq!(growth_text(76.9), "×77");
        assert_eq!(growth_text(f64::NAN), "-");
    }
}
