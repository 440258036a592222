//! The journey as one self-contained HTML page ([`journey_html`]): inline style sheet, inline
//! SVG charts and topologies, no script and no link outside the page. Built section by
//! section: the head and contents, capacity, overview, then each stage and its failures.

use std::fmt::Write as _;
use std::path::Path;

use super::capacity::{
    CAPACITY_HEADER, CAPACITY_STEM, CapacityChart, capacity_rows, capacity_slos,
};
use super::figures::*;
use super::stage_figures::{
    ANALYTIC_NOTE, any_priced, availability_sentence, cost_cells, cost_sentence, nines_text,
    spof_text,
};
use super::{
    JourneyFailure, JourneyStage, anchor, capitalised, failure_chart_stem, runs_of,
    stage_chart_stem,
};
use crate::report::ReportError;
use crate::report::charts::{components_svg, render_svg, timeseries_svg};
use crate::report::compare::{
    CompareKind, CompareRun, availability_note, compare_svgs, traffic_note,
};
use crate::report::table::{count, percent, rate};
use crate::report::xml::xml_escape;

/// Inline style sheet of the page.
pub(super) const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1200px;\
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
    html_head(&mut h, stages, &runs, seed);
    html_capacity(&mut h, stages)?;
    html_overview(&mut h, stages, &runs, &overview);
    for (k, s) in stages.iter().enumerate() {
        html_stage(&mut h, stages, k, s)?;
    }
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// The page's head (title, style sheet), its heading, the introduction and the contents.
fn html_head(h: &mut String, stages: &[JourneyStage], runs: &[CompareRun], seed: u64) {
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
        xml_escape(&capitalised(&traffic_note(runs, "stage")))
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
}

/// The capacity section: the chart and the table of each stage's max sustainable load, and
/// what limits each stage.
fn html_capacity(h: &mut String, stages: &[JourneyStage]) -> Result<(), ReportError> {
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
        let priced = any_priced(stages);
        let mut columns: Vec<&str> = CAPACITY_HEADER[..4].to_vec();
        if priced {
            columns.splice(2..2, ["$/month", "$/month per 1,000 req/s"]);
        }
        let head: String = columns.iter().map(|c| format!("<th>{c}</th>")).collect();
        let mut body = String::new();
        let rows = capacity_rows(stages);
        for (s, row) in stages.iter().zip(&rows) {
            let cost = if priced {
                let [month, per_k] = cost_cells(s);
                format!(
                    "<td>{}</td><td>{}</td>",
                    xml_escape(&month),
                    xml_escape(&per_k)
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td>{cost}<td>{}</td><td>{}</td></tr>",
                xml_escape(&s.run.report.scenario),
                xml_escape(&row[0]),
                xml_escape(&row[1]),
                xml_escape(&row[2])
            );
        }
        h.push_str(&scroll_table("capacity", &head, &body));
        if priced {
            h.push_str(
                "<p class=\"muted\">A stage's $/month is what its priced components cost at \
                 the run's own load; divided by its max sustainable load in thousands of req/s, \
                 it is what each 1,000 req/s of capacity costs a month.</p>\n",
            );
        }
        h.push_str("<p>What breaks first, and what the next stage does about it:</p>\n<ul>\n");
        for row in rows.iter().filter(|r| !r[3].is_empty()) {
            let _ = writeln!(h, "<li>{}</li>", xml_escape(&row[3]));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The overview section: every stage in one table, and the comparison charts.
fn html_overview(
    h: &mut String,
    stages: &[JourneyStage],
    runs: &[CompareRun],
    overview: &[(CompareKind, String)],
) {
    h.push_str("<section id=\"overview\">\n<h2>Overview of all stages</h2>\n");
    let head = "<th>#</th><th>stage</th><th>req/s</th><th>availability %*</th><th>mean ms</th>\
                <th>p50 ms</th><th>p99 ms</th><th>failed</th><th>bottleneck (utilization)</th>\
                <th>nines†</th><th>single points of failure†</th>";
    let mut body = String::new();
    for (k, s) in stages.iter().enumerate() {
        let hd = &s.run.headline;
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            xml_escape(&s.run.label),
            anchor(k, s),
            xml_escape(&s.run.report.scenario),
            overview_figures(hd).join("</td><td>"),
            xml_escape(&bottleneck(hd)),
            nines_text(&s.run.report),
            xml_escape(&spof_text(&s.run.report))
        );
    }
    h.push_str(&scroll_table("overview", head, &body));
    let _ = writeln!(
        h,
        "<p class=\"muted\">* {}</p>",
        xml_escape(&availability_note(runs, "availability"))
    );
    let _ = writeln!(h, "<p class=\"muted\">† {}</p>", xml_escape(ANALYTIC_NOTE));
    for (kind, svg) in overview {
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            strip_xml_decl(svg),
            xml_escape(&kind.caption_for(runs))
        );
    }
    h.push_str("</section>\n");
}

/// The section of stage `k` (`s`): its topology, its figures next to the previous stage's,
/// its charts and its failure variants.
fn html_stage(
    h: &mut String,
    stages: &[JourneyStage],
    k: usize,
    s: &JourneyStage,
) -> Result<(), ReportError> {
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
    h.push_str(&playground_link(&s.run.file));
    let _ = writeln!(
        h,
        "<figure class=\"topology\"><div class=\"scroll\">{}</div><figcaption>Topology of \
         <code>{}</code>: users at the top; each arrow is a call, labelled with the request \
         classes that make it when not all do (on a narrow screen the picture keeps its \
         size: scroll it sideways).{}</figcaption></figure>",
        s.diagram.svg(),
        xml_escape(&s.run.file),
        if s.diagram.datacenters.is_empty() {
            ""
        } else {
            " Each dashed rectangle is a data center; an arrow from a region's users or \
             between data centers carries its one-way latency (~: a mean)."
        }
    );
    if let Some(note) = prev.and_then(|p| not_compared(s, p)) {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", xml_escape(&note));
    }
    html_figures(h, s, compared);
    let _ = writeln!(
        h,
        "<p class=\"muted\">{}</p>",
        xml_escape(&availability_footnote(r))
    );
    if let Some(a) = availability_sentence(r) {
        let _ = writeln!(h, "<p>{}</p>", xml_escape(&a));
    }
    if let Some(c) = cost_sentence(s) {
        let _ = writeln!(h, "<p>{}</p>", xml_escape(&c));
    }
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
        html_failure(h, f)?;
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The table of a stage's figures, next to those of `compared` (the previous stage, when it
/// was offered the same traffic) with the change.
fn html_figures(h: &mut String, s: &JourneyStage, compared: Option<&JourneyStage>) {
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
}

/// A link that opens `file` in the browser playground, which `web/build` writes beside the
/// journey (`results/playground/`), with its knobs to turn.
fn playground_link(file: &str) -> String {
    format!(
        "<p class=\"play\"><a href=\"../playground/index.html#stage={}\">Open it in the \
         playground</a>: change a knob, watch it run and replay its requests (build the \
         playground once with <code>web/build</code>).</p>\n",
        xml_escape(file)
    )
}

/// A failure variant: what it is, its availability, its faults' times to detect and recover,
/// and its time-series chart.
fn html_failure(h: &mut String, f: &JourneyFailure) -> Result<(), ReportError> {
    let fr = &f.run.report;
    let _ = writeln!(
        h,
        "<div class=\"failure\">\n<h3>The failure it faces: {}</h3>",
        xml_escape(&fr.scenario)
    );
    if !fr.about.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", xml_escape(&fr.about));
    }
    h.push_str(&playground_link(&f.run.file));
    let fh = &f.run.headline;
    let _ = writeln!(
        h,
        "<p>Availability <strong>{}%</strong> of the finished requests ({} of {} \
         requests failed, {} still in flight at the end not counted), p99 {} ms, goodput \
         {} req/s (throughput {}).</p>",
        percent(fh.availability),
        count(fh.failed),
        count(fh.offered),
        count(fr.requests.in_flight),
        opt_ms(fh.p99_ms),
        rate(fh.goodput_rps),
        rate(fh.throughput_rps)
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
    Ok(())
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
