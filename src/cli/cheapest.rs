//! `scalesim capacity --cheapest`: the cheapest configuration of several parameters that
//! meets every objective. The search is [`scalesim::cheapest::cheapest`]; this prints each
//! probe as its batch finishes, the answer, the table of probes with the cost/latency front,
//! and writes `cheapest.json` and a chart of cost against latency.

use std::path::Path;

use anyhow::anyhow;

use scalesim::cheapest::{self, Cheapest, CheapestOptions, CostProbe, Search, Source};
use scalesim::report;
use scalesim::report::cheapest_chart::cheapest_chart;
use scalesim::report::replications::figure_text;
use scalesim::sweep::Slo;

use super::capacity::CapacityArgs;
use super::paths::OutFile;
use super::run::{MAX_REPLICATIONS, read_scenario};
use super::sweep::{stem, sweep_failure};
use super::{CliResult, Failure, out};

/// Dollars with two decimals and thousands separators (`$1,234.56`); four decimals below a
/// dollar (`$0.0425`).
fn money(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    if v.abs() < 1.0 {
        return format!("{}${:.4}", if v < 0.0 { "-" } else { "" }, v.abs());
    }
    let cents = (v.abs() * 100.0).round() as u64;
    format!(
        "{}${}.{:02}",
        if v < 0.0 { "-" } else { "" },
        scalesim::metrics::thousands(cents / 100),
        cents % 100
    )
}

/// A configuration as `path=value` words.
fn config_text<S: AsRef<str>>(paths: &[S], values: &[String]) -> String {
    paths
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{}={v}", p.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each objective's figure, and availability unless an objective is on it.
fn figures_text(slos: &[Slo], figures: &[Option<f64>], availability: f64) -> String {
    let mut figs: Vec<String> = slos
        .iter()
        .zip(figures)
        .map(|(s, f)| {
            format!(
                "{} {}",
                s.metric,
                f.map_or_else(|| "-".to_string(), |v| figure_text(s.metric, v))
            )
        })
        .collect();
    if !slos
        .iter()
        .any(|s| matches!(s.metric, "availability" | "error_rate"))
    {
        figs.push(format!(
            "availability {}",
            figure_text("availability", availability)
        ));
    }
    figs.join(", ")
}

fn probe_line(paths: &[&str], slos: &[Slo], p: &CostProbe) -> String {
    let busiest = match (&p.bottleneck, p.bottleneck_utilization) {
        (Some(n), Some(u)) => format!("; busiest {n} {:.0}%", u * 100.0),
        _ => String::new(),
    };
    format!(
        "probe {}: {}/month; {}{busiest} -> {}\n",
        config_text(paths, &p.values),
        money(p.per_month),
        figures_text(slos, &p.figures, p.availability),
        if p.pass { "pass" } else { "FAIL" }
    )
}

fn limit_text(p: &CostProbe) -> String {
    match &p.limit {
        Some(l) => format!("{} ({}) — {}", l.component, l.kind, l.why),
        None => match &p.bottleneck {
            Some(b) => format!("busiest {b}"),
            None => "no component with workers".to_string(),
        },
    }
}

/// The answer, the neighbours below it and what the search skipped.
pub(crate) fn answer_text(c: &Cheapest, slos: &[Slo]) -> String {
    let paths: Vec<&str> = c.params.iter().map(|p| p.path.as_str()).collect();
    let mut s = String::new();
    match &c.answer {
        Some(a) => {
            let p = &c.probes[a.probe];
            s += &format!(
                "answer: {} at {}/month ({}/hour{}): {}\n",
                config_text(&paths, &a.values),
                money(a.per_month),
                money(a.per_hour),
                a.per_million_requests
                    .map(|m| format!(", {} per million requests", money(m)))
                    .unwrap_or_default(),
                figures_text(slos, &a.figures, p.availability)
            );
            for n in &c.below {
                let what = match (n.status, n.probe) {
                    ("failed", Some(i)) => format!("fails: {}", limit_text(&c.probes[i])),
                    ("implied_failing", Some(i)) => format!(
                        "fails (implied by {}, which fails: {})",
                        config_text(&paths, &c.probes[i].values),
                        limit_text(&c.probes[i])
                    ),
                    ("passed", Some(i)) => format!(
                        "passes, at {}/month as measured",
                        money(c.probes[i].per_month)
                    ),
                    _ => "not probed: it costs more".to_string(),
                };
                s += &format!(
                    "below it ({} lower): {} ({}/month) {what}\n",
                    n.param,
                    config_text(&paths, &n.values),
                    money(n.bound_per_month)
                );
            }
        }
        None => {
            // The configuration largest in every parameter: never implied, so probed.
            let top = c.probes.iter().find(|p| p.point + 1 == c.configurations);
            s += &match top {
                Some(p) => format!(
                    "answer: none: no configuration meets every objective; the largest, {}, fails: {}\n",
                    config_text(&paths, &p.values),
                    limit_text(p)
                ),
                None => "answer: none\n".to_string(),
            };
        }
    }
    s += &format!(
        "searched: {} of {} configurations probed; {} implied failing (a failed one is as large in every parameter); {} not needed (they cost more than the answer)\n",
        c.probes.len(),
        c.configurations,
        c.implied_failing,
        c.not_needed
    );
    s
}

/// The probes as a table, by cost, with the front marked.
pub(crate) fn probes_table(c: &Cheapest) -> String {
    let mut header: Vec<String> = c.params.iter().map(|p| p.path.clone()).collect();
    header.extend(
        [
            "$/month",
            c.latency_metric,
            "availability",
            "result",
            "front",
        ]
        .map(str::to_string),
    );
    let mut order: Vec<usize> = (0..c.probes.len()).collect();
    order.sort_by(|&a, &b| {
        let (p, q) = (&c.probes[a], &c.probes[b]);
        cheapest::cost_key(p.per_hour)
            .cmp(&cheapest::cost_key(q.per_hour))
            .then(p.point.cmp(&q.point))
    });
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|&i| {
            let p = &c.probes[i];
            let mut r = p.values.clone();
            r.push(money(p.per_month));
            r.push(
                p.latency_ms
                    .map_or_else(|| "-".to_string(), |v| figure_text(c.latency_metric, v)),
            );
            r.push(figure_text("availability", p.availability));
            r.push(if p.pass { "pass" } else { "FAIL" }.to_string());
            r.push(if c.front.contains(&i) { "*" } else { "" }.to_string());
            r
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|k| {
            rows.iter()
                .map(|r| r[k].chars().count())
                .chain([header[k].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let t: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:<w$}"))
            .collect();
        format!("  {}\n", t.join("  ").trim_end())
    };
    let mut s = format!(
        "probes by cost (front: no cheaper probe has a lower {}):\n",
        c.latency_metric
    );
    s += &line(&header);
    for r in &rows {
        s += &line(r);
    }
    s
}

pub(super) fn cheapest(a: &CapacityArgs) -> CliResult {
    if a.replications > MAX_REPLICATIONS {
        return Err(Failure::BadInput(anyhow!(
            "--replications: expected at most {MAX_REPLICATIONS} replications, found {}",
            a.replications
        )));
    }
    if a.replications == 0 {
        return Err(Failure::BadInput(anyhow!(
            "--replications: expected at least 1, found 0"
        )));
    }
    // Every parameter lists its values "more capacity later"; numbers must ascend.
    for v in &a.vary {
        if let Some((i, j)) = scalesim::sweep::first_descent(&v.values) {
            return Err(Failure::BadInput(anyhow!(
                "--vary {}: the values to search must ascend (more capacity later), but {} comes before {}",
                v.path,
                v.values[i],
                v.values[j]
            )));
        }
    }
    let text = read_scenario(&a.file)?;
    let name = super::run::source_name(&a.file);
    let o = CheapestOptions {
        slos: a.slos.clone(),
        replications: a.replications,
        seed: a.seed,
        batch: a.batch.unwrap_or(4),
    };
    let json_stdout = a.json == Some(OutFile::Stdout);
    let talk = !a.quiet && !json_stdout;
    let say = |t: &str| if talk { out(t) } else { Ok(()) };
    let slos_text = o
        .slos
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    let src = Source {
        text: &text,
        name: &name,
        sets: &a.sets,
    };
    let search = Search::new(src, &a.vary, &o).map_err(sweep_failure)?;
    let grid: Vec<String> = a
        .vary
        .iter()
        .map(|v| {
            let shown = if v.values.len() <= 4 {
                v.values.join(", ")
            } else {
                format!("{}..{}", v.values[0], v.values[v.values.len() - 1])
            };
            format!("{} in {shown} ({} values)", v.path, v.values.len())
        })
        .collect();
    let unpriced = search.unpriced();
    say(&format!(
        "cheapest design of {} meeting {slos_text}\n\
         grid: {} = {} configurations; priced: {}{}\n\
         search: in order of cost, skipping configurations no larger in every parameter than one that failed (assuming the objectives, once met, stay met as any parameter grows); batches of {} probes; {} replication{} per probe, objectives judged on the means\n",
        a.file.display(),
        grid.join(" x "),
        search.configurations(),
        search.priced().join(", "),
        if unpriced.is_empty() {
            String::new()
        } else {
            format!(
                "; not priced (no instance, so free here): {}",
                unpriced.join(", ")
            )
        },
        o.batch,
        o.replications,
        if o.replications == 1 { "" } else { "s" },
    ))?;
    let paths: Vec<&str> = a.vary.iter().map(|v| v.path.as_str()).collect();
    let mut printed: CliResult = Ok(());
    let c = search.run(|p| {
        if printed.is_ok() {
            printed = say(&probe_line(&paths, &o.slos, p));
        }
    });
    printed?;
    let c = c.map_err(sweep_failure)?;
    let mut tail = answer_text(&c, &o.slos);
    tail += "\n";
    tail += &probes_table(&c);
    say(&tail)?;

    let dir = a
        .out
        .as_ref()
        .map(|d| d.0.clone())
        .unwrap_or_else(|| Path::new("results").join(format!("capacity-{}", stem(&a.file))));
    let json_text = serde_json::to_string_pretty(&c).expect("serializable") + "\n";
    report::write_atomic(&dir.join("cheapest.json"), json_text.as_bytes())?;
    cheapest_chart(&c, &dir.join("cheapest.png"), &dir.join("cheapest.svg"))?;
    if let Some(json) = &a.json {
        json.write(&json_text)?;
    }
    say(&format!("outputs: {}/\n", dir.display()))
}
