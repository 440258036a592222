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
//! laid out by [`Diagram::svg`]), the style sheet is inline, there is no script and no
//! link outside the page. The Markdown uses Mermaid blocks for topologies and links to the
//! PNG charts written next to it.
//!
//! Figures come from the runs' `Headline`s and fault reports;
//! nothing is computed here beyond differences between stages. Renderers return
//! `String`s; [`write_journey`] writes the files through [`write_atomic`].

//!
//! The files: this one holds the stages ([`JourneyStage`], [`JourneyFailure`]), the names of
//! their anchors and chart files, and [`write_journey`]; [`figures`](mod@figures) the figures
//! and the words around them, [`html`] the page, [`markdown`] the Markdown and `capacity` the
//! capacity section.

mod capacity;
pub mod figures;
pub mod html;
pub mod markdown;
mod stage_figures;

pub use stage_figures::journey_json;

pub use capacity::StageCapacity;

pub use self::html::journey_html;
pub use self::markdown::journey_md;

use std::path::{Path, PathBuf};

use self::capacity::{CAPACITY_STEM, CapacityChart};
use crate::diagram::Diagram;
use crate::metrics::Report;
use crate::report::charts::{components_chart, render, timeseries_chart};
use crate::report::compare::{CompareRun, compare_csv, write_compare_charts};
use crate::report::{ReportError, write_atomic};

/// One failure variant of a stage, run.
#[derive(Clone, Debug)]
pub struct JourneyFailure {
    /// The variant's run.
    pub run: CompareRun,
    /// The file name stem, used to name its chart (`failure-<stem>.png`).
    pub stem: String,
}

/// One stage of the journey, run, with its failure variants.
#[derive(Clone, Debug)]
pub struct JourneyStage {
    /// The stage's run.
    pub run: CompareRun,
    /// The drawing of the stage's scenario.
    pub diagram: Diagram,
    /// Its failure variants, in file name order.
    pub failures: Vec<JourneyFailure>,
    /// Its capacity, when it was measured; the page says so when no stage has one.
    pub capacity: Option<StageCapacity>,
}

pub(super) fn anchor(k: usize, s: &JourneyStage) -> String {
    format!("stage-{}-{}", k + 1, slug(&s.run.label))
}

pub(super) fn slug(s: &str) -> String {
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

pub(super) fn runs_of(stages: &[JourneyStage]) -> Vec<CompareRun> {
    stages.iter().map(|s| s.run.clone()).collect()
}

pub(super) fn failure_chart_stem(f: &JourneyFailure) -> String {
    format!("failure-{}", f.stem)
}

/// A run's file stem (`05-cache` for `scenarios/05-cache.yaml`).
pub(super) fn file_stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The stem of a stage's chart files: `stage-05-cache-timeseries`, `stage-05-cache-components`.
pub(super) fn stage_chart_stem(s: &JourneyStage, which: &str) -> String {
    format!("stage-{}-{which}", file_stem(&s.run.file))
}

/// `s` with its first letter in upper case.
pub(super) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// Writes the journey into `dir`: `index.html`, `journey.md`, `journey.json`, `compare.csv`, the comparison
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
    let json = dir.join("journey.json");
    write_atomic(&json, stage_figures::journey_json(stages).as_bytes())?;
    paths.push(json);
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
    use super::figures::*;
    use super::html::STYLE;
    use super::*;
    use crate::report::fixtures;
    use crate::scenario::Scenario;

    fn scenario(rate: u32) -> Scenario {
        crate::report::fixtures::one_server(rate)
    }

    fn diagram() -> Diagram {
        Diagram::of(&scenario(1))
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
                diagram: diagram(),
                failures: vec![],
                capacity: None,
            },
            JourneyStage {
                run: CompareRun::new(Path::new("06-cdn.yaml"), second).offered_by(&sc),
                diagram: diagram(),
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
            diagram: diagram(),
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
        let mut r = fixtures::autoscaled_sample();
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
