//! `scalesim capacity --max-load`: the largest load a scenario sustains under its objectives
//! and what breaks first. The search is [`scalesim::capacity::max_load`]; this prints each
//! probe as it finishes, the answer, and writes `max-load.json` and a chart of the probes.

use std::path::Path;

use anyhow::anyhow;

use scalesim::capacity::{self, LoadProbe, MaxLoad, MaxLoadOptions};
use scalesim::report;
use scalesim::report::capacity_chart::max_load_chart;
use scalesim::report::replications::figure_text;

use super::capacity::CapacityArgs;
use super::paths::OutFile;
use super::run::{MAX_REPLICATIONS, load};
use super::sweep::stem;
use super::{CliResult, Failure, out};

/// A share written as `2%` or `0.02`, above 0 and below 1.
fn parse_share(flag: &str, s: &str) -> Result<f64, Failure> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    };
    match v {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(Failure::BadInput(anyhow!(
            "{flag}: expected a share above 0 and below 1, as a percentage (2%) or a number (0.02), found `{s}`"
        ))),
    }
}

/// `rate` in req/s with thousands separators (one decimal below 100).
pub(crate) fn rate_text(rate: f64) -> String {
    if rate < 100.0 {
        format!("{rate:.1}")
    } else {
        scalesim::metrics::thousands(rate.round() as u64)
    }
}

/// One probe as a line: its load, every objective's figure and availability, the verdict.
fn probe_line(p: &LoadProbe, o: &MaxLoadOptions) -> String {
    let mut figs: Vec<String> = o
        .slos
        .iter()
        .zip(&p.figures)
        .zip(&p.half_widths)
        .map(|((s, f), hw)| {
            let v = f.map_or_else(|| "-".to_string(), |v| figure_text(s.metric, v));
            match hw {
                Some(h) => format!("{} {v} ± {}", s.metric, figure_text(s.metric, *h)),
                None => format!("{} {v}", s.metric),
            }
        })
        .collect();
    if !o.slos.iter().any(|s| s.metric == "availability") {
        figs.push(format!(
            "availability {}",
            figure_text("availability", p.headline.availability)
        ));
    }
    let busiest = match (&p.headline.bottleneck, p.headline.bottleneck_utilization) {
        (Some(n), Some(u)) => format!("; busiest {n} {:.0}%", u * 100.0),
        _ => String::new(),
    };
    format!(
        "probe {:>9} req/s (x{:.3}): {}{busiest} -> {}\n",
        rate_text(p.rate_rps),
        p.scale,
        figs.join(", "),
        if p.pass { "pass" } else { "FAIL" }
    )
}

/// The answer, in words.
pub(crate) fn answer_text(m: &MaxLoad) -> String {
    let mut s = if m.scale > 0.0 {
        format!(
            "answer: {} req/s sustained (x{:.3} the scenario's {} req/s)",
            rate_text(m.max_rate_rps),
            m.scale,
            rate_text(m.base_rate_rps)
        )
    } else {
        format!(
            "answer: none: even {} req/s fails",
            rate_text(m.probes.last().map_or(0.0, |p| p.rate_rps))
        )
    };
    match m.fail_rate_rps {
        Some(f) if m.scale > 0.0 => s += &format!("; {} req/s fails", rate_text(f)),
        Some(_) => {}
        None if m.load == "offered_rate" => {
            s += &format!(
                "; nothing failed up to the most closed users a scenario may have ({})",
                scalesim::metrics::thousands(scalesim::scenario::MAX_CLOSED_USERS)
            )
        }
        None => {
            s += &format!(
                "; nothing failed up to the largest rate a scenario may have ({} req/s)",
                rate_text(capacity::MAX_RATE_RPS)
            )
        }
    }
    s.push('\n');
    if let Some(l) = &m.limit {
        s += &format!(
            "limit: {} ({}) — {}; failed {}\n",
            l.component,
            l.kind,
            l.why,
            l.failed.join(" and ")
        );
    }
    s
}

pub(super) fn max_load(a: &CapacityArgs) -> CliResult {
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
    let tolerance = parse_share("--tolerance", a.tolerance.as_deref().unwrap_or("2%"))?;
    let sc = load(&a.file, &a.sets)?;
    let o = MaxLoadOptions {
        slos: a.slos.clone(),
        replications: a.replications,
        seed: a.seed,
        tolerance,
        max_probes: 40,
    };
    let json_stdout = a.json == Some(OutFile::Stdout);
    let talk = !a.quiet && !json_stdout;
    let say = |t: &str| if talk { out(t) } else { Ok(()) };
    say(&format!(
        "max load of {} under {}\n\
         search: the whole traffic scaled ({}), {} replication{} per probe, objectives judged on the means; bisection to {}%\n",
        a.file.display(),
        o.slos
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" and "),
        if capacity::peak_rate(&sc).is_some() {
            "every rate of the profile; load = its peak rate"
        } else {
            "the number of closed users; load = the offered rate measured"
        },
        o.replications,
        if o.replications == 1 { "" } else { "s" },
        tolerance * 100.0,
    ))?;
    let mut printed: CliResult = Ok(());
    let m = capacity::max_load(&sc, &o, |p| {
        if printed.is_ok() {
            printed = say(&probe_line(p, &o));
        }
    });
    printed?;
    let m = m.map_err(|e| super::run_failure(&a.file, &e))?;
    say(&answer_text(&m))?;

    let dir = a
        .out
        .as_ref()
        .map(|d| d.0.clone())
        .unwrap_or_else(|| Path::new("results").join(format!("capacity-{}", stem(&a.file))));
    let json_text = serde_json::to_string_pretty(&m).expect("serializable") + "\n";
    report::write_atomic(&dir.join("max-load.json"), json_text.as_bytes())?;
    max_load_chart(&m, &dir.join("max-load.png"), &dir.join("max-load.svg"))?;
    if let Some(json) = &a.json {
        json.write(&json_text)?;
    }
    say(&format!("outputs: {}/\n", dir.display()))
}
