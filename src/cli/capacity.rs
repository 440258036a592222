//! `scalesim capacity`: the smallest value of one parameter that meets every service-level
//! objective, found by binary search over the parameter's values.
//!
//! The search assumes that the objectives, once met, stay met as the value grows (more
//! instances, more workers): it probes the largest value first, then halves the interval
//! between the largest failing and the smallest passing value. It ends with the answer's
//! neighbour below probed and failing, and names the component that limits that neighbour
//! (its bottleneck and utilization). Replications of a probe use the seeds of
//! `run --replications`, the same at every value (common random numbers), and the
//! objectives are judged on the means over the replications.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;

use scalesim::Scenario;
use scalesim::metrics::headline::{Headline, mean_ci95};
use scalesim::report::replications::figure_text;
use scalesim::scenario::Override;
use scalesim::sweep::{Slo, Vary};

use super::paths::{OutDir, OutFile};
use super::run::MAX_REPLICATIONS;
use super::sweep::{Study, study};
use super::{CliResult, Failure, out};

#[derive(Debug, Args)]
pub(crate) struct CapacityArgs {
    /// The scenario file (YAML).
    #[arg(value_name = "SCENARIO")]
    pub(crate) file: PathBuf,
    /// An objective `<metric><op><value>[unit]`, like `p99<200ms` or `availability>=99.9%`.
    /// Ops: < <= > >=. Metrics: the headline figures, or p50, p90, p99, p999, mean, max (ms;
    /// units ms, s, us), throughput and goodput (req/s). Repeatable; all must hold.
    #[arg(long = "slo", value_name = "OBJECTIVE", required = true)]
    pub(crate) slos: Vec<Slo>,
    /// The one parameter to size and the values to search, smallest first, e.g.
    /// `web.count=1..64`; with --cheapest, one of several (repeatable). Not with --max-load.
    #[arg(
        long = "vary",
        value_name = "PATH=VALUES",
        required_unless_present = "max_load",
        conflicts_with = "max_load"
    )]
    pub(crate) vary: Vec<Vary>,
    /// Find the largest load the scenario sustains instead: scale the whole traffic (every
    /// rate of the profile, or the closed users) and report the load found and what limits it.
    #[arg(long, conflicts_with = "cheapest")]
    pub(crate) max_load: bool,
    /// Find the cheapest configuration instead: every combination of the --vary values (each
    /// listed "more capacity later"), searched in order of cost, for the cheapest that meets
    /// every objective. Every configuration must be priced (components name an `instance`).
    #[arg(long)]
    pub(crate) cheapest: bool,
    /// With --cheapest: probes run in parallel per batch, 1 to 64 [default: 4]. Which
    /// configurations are probed depends on this, never on the number of threads.
    #[arg(long, value_name = "N")]
    pub(crate) batch: Option<usize>,
    /// With --max-load: stop when the bracket (smallest failing - largest passing load) is
    /// at most this share of the answer, e.g. `2%` or `0.02` [default: 2%].
    #[arg(long, value_name = "SHARE")]
    pub(crate) tolerance: Option<String>,
    /// With --max-load or --cheapest: also write the answer as JSON to PATH (`-`: stdout,
    /// and print nothing else there).
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<OutFile>,
    /// With --max-load or --cheapest: directory for max-load.json (cheapest.json) and the
    /// chart of the probes. Default: results/capacity-<file stem>.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<OutDir>,
    /// With --max-load or --cheapest: print nothing but errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Runs per probe; objectives are judged on the means.
    #[arg(long, default_value_t = 1, value_name = "R")]
    pub(crate) replications: u64,
    /// Base seed (default: the scenario's).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Override a scenario value for every probe, as for `run`. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) sets: Vec<Override>,
}

/// What one probe measured.
struct Probe {
    value: String,
    /// Mean of each objective's figure (`None`: undefined in every replication).
    figures: Vec<Option<f64>>,
    pass: bool,
    /// Mean availability over the replications (the share of the finished requests that
    /// succeeded), printed beside the latency figures.
    availability: f64,
    /// The bottleneck of the first replication and its mean utilization over all.
    bottleneck: Option<(String, Option<f64>)>,
}

fn probe(
    sc: &Scenario,
    value: &str,
    slos: &[Slo],
    base_seed: u64,
    replications: u64,
) -> Result<Probe, scalesim::RunError> {
    let reports = scalesim::capacity::replicate(sc, base_seed, replications)?;
    let heads: Vec<Headline> = reports.iter().map(Headline::of).collect();
    let scalesim::capacity::Judged { figures, pass, .. } = scalesim::capacity::judge(slos, &heads);
    let bottleneck = heads[0].bottleneck.clone().map(|name| {
        let us: Vec<f64> = reports
            .iter()
            .filter_map(|r| r.components.get(&name).and_then(|c| c.utilization))
            .collect();
        let u = mean_ci95(&us).map(|c| c.mean);
        (name, u)
    });
    let availability = heads.iter().map(|h| h.availability).sum::<f64>() / heads.len() as f64;
    Ok(Probe {
        value: value.to_string(),
        figures,
        pass,
        availability,
        bottleneck,
    })
}

fn limit_text(p: &Probe) -> String {
    match &p.bottleneck {
        Some((name, Some(u))) => format!("{name} at {:.1}% utilization", u * 100.0),
        Some((name, None)) => name.clone(),
        None => "no component with workers".into(),
    }
}

/// The flags that belong to one search, given to another: clap cannot tell (its `requires`
/// counts a flag's default `false` as present), so they are checked here.
fn check_flags(a: &CapacityArgs) -> CliResult {
    let mut misplaced: Vec<&str> = Vec::new();
    if !a.max_load && a.tolerance.is_some() {
        misplaced.push("--tolerance goes with --max-load");
    }
    if !a.cheapest && a.batch.is_some() {
        misplaced.push("--batch goes with --cheapest");
    }
    if !a.max_load && !a.cheapest && (a.json.is_some() || a.out.is_some() || a.quiet) {
        misplaced.push(
            "--json, --out and --quiet go with --max-load or --cheapest (the one-parameter search prints its probes only)",
        );
    }
    match misplaced.first() {
        Some(m) => Err(Failure::BadInput(anyhow!("{m}"))),
        None => Ok(()),
    }
}

pub(crate) fn capacity(a: &CapacityArgs) -> CliResult {
    check_flags(a)?;
    if a.max_load {
        return super::max_load::max_load(a);
    }
    if a.cheapest {
        return super::cheapest::cheapest(a);
    }
    // A probe holds all its replications' reports at once, as `run --replications` does.
    if a.replications > MAX_REPLICATIONS {
        return Err(Failure::BadInput(anyhow!(
            "--replications: expected at most {MAX_REPLICATIONS} replications, found {}",
            a.replications
        )));
    }
    if a.vary.len() != 1 {
        return Err(Failure::BadInput(anyhow!(
            "capacity sizes one parameter: give exactly one --vary (found {}), or add --cheapest to search the cheapest combination of several",
            a.vary.len()
        )));
    }
    // The binary search needs the values in order; only numbers have an order to check.
    let vary = &a.vary[0];
    if let Some((i, j)) = scalesim::sweep::first_descent(&vary.values) {
        return Err(Failure::BadInput(anyhow!(
            "--vary {}: the values to search must ascend (smallest first), but {} comes before {}",
            vary.path,
            vary.values[i],
            vary.values[j]
        )));
    }
    let Study {
        text,
        source,
        grid,
        base_seed,
    } = study(&a.file, &a.vary, a.replications, &a.sets, a.seed)?;
    let path = &a.vary[0].path;
    let values = &a.vary[0].values;

    let mut lines = format!(
        "capacity of {}: smallest {path} in {}..{} ({} values) meeting {}\n\
         search: binary, assuming the figures improve as {path} grows; {} replication{} per probe, objectives judged on the means\n",
        a.file.display(),
        values[0],
        values[values.len() - 1],
        values.len(),
        a.slos
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" and "),
        a.replications,
        if a.replications == 1 { "" } else { "s" },
    );
    out(&lines)?;
    lines.clear();

    let run_probe = |i: usize| -> Result<Probe, Failure> {
        let mut sets = a.sets.clone();
        sets.extend(grid.overrides(i as u64));
        let sc = Scenario::parse(&text, &source, &sets)
            .map_err(|e| Failure::BadInput(anyhow!("with --vary {path}={}:\n{e}", values[i])))?;
        let p = probe(&sc, &values[i], &a.slos, base_seed, a.replications).map_err(|e| {
            Failure::BadInput(anyhow!(
                "{}: with --vary {path}={}: {e}",
                a.file.display(),
                values[i]
            ))
        })?;
        let figs: Vec<String> = a
            .slos
            .iter()
            .zip(&p.figures)
            .map(|(s, f)| {
                format!(
                    "{} {}",
                    s.metric,
                    f.map_or_else(|| "-".to_string(), |v| figure_text(s.metric, v))
                )
            })
            .collect();
        let mut figs = figs;
        if !a
            .slos
            .iter()
            .any(|s| matches!(s.metric, "availability" | "error_rate"))
        {
            figs.push(format!("availability {:.2}%", p.availability * 100.0));
        }
        out(&format!(
            "probe {path}={}: {}; bottleneck {} -> {}\n",
            p.value,
            figs.join(", "),
            limit_text(&p),
            if p.pass { "pass" } else { "FAIL" }
        ))?;
        Ok(p)
    };

    let last = values.len() - 1;
    let top = run_probe(last)?;
    if !top.pass {
        return out(&format!(
            "answer: none — even {path}={}, the largest value, fails; limited by {}\n",
            top.value,
            limit_text(&top)
        ));
    }
    // Invariant: `hi` passes; `lo` fails (or is -1: below the first value).
    let (mut lo, mut hi): (isize, usize) = (-1, last);
    let mut lo_probe: Option<Probe> = None;
    while hi as isize - lo > 1 {
        let mid = ((lo + hi as isize) / 2) as usize;
        let p = run_probe(mid)?;
        if p.pass {
            hi = mid;
        } else {
            lo = mid as isize;
            lo_probe = Some(p);
        }
    }
    match lo_probe {
        Some(below) => out(&format!(
            "answer: {path}={} is the smallest value that meets every objective ({path}={} fails, limited by {})\n",
            values[hi],
            below.value,
            limit_text(&below)
        )),
        None => out(&format!(
            "answer: {path}={}, the smallest value tried, already meets every objective\n",
            values[hi]
        )),
    }
}
