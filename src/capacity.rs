//! The largest load a scenario sustains under service-level objectives, and what breaks
//! first: `scalesim capacity --max-load` and the journey's capacity ladder.
//!
//! [`max_load`] scales the whole traffic by a factor — every point of an open rate profile
//! (a constant rate is a one-point profile), or the number of closed users — and searches
//! the factor: it probes the scenario as written, brackets the answer (jumping straight to
//! where the busiest component would reach 100% when the first probe says so, then doubling
//! or halving), and bisects the bracket until it is narrower than the tolerance. Each probe
//! runs `replications` seeds (those of `run --replications`, the same at every factor:
//! common random numbers) and judges the objectives on the means, so the search sees the
//! same noise a user would. The answer is the largest factor that met every objective; the
//! smallest that failed is reported beside it, and the component that limits the load is
//! read off that failing probe ([`Limit`]).
//!
//! The search assumes that the objectives, once failed, stay failed as the load grows. Near
//! the answer noise can break that; the probes are all reported, so a reader can see it.
//!
//! No I/O here: runs go through [`crate::run`]; replications of a probe run in parallel.

use rayon::prelude::*;
use serde::Serialize;

use crate::metrics::headline::mean_ci95;
use crate::metrics::{Headline, thousands};
use crate::scenario::{Arrival, MAX_CLOSED_USERS, MAX_MEMORY, memory};
use crate::sweep::{Slo, run_seed};
use crate::{Report, RunError, RunOptions, Scenario};

/// The fastest open arrival rate a scenario may have (as validation allows).
pub const MAX_RATE_RPS: f64 = 10_000_000.0;

/// How to search.
#[derive(Clone, Debug)]
pub struct MaxLoadOptions {
    /// Every objective must hold at a sustainable load.
    pub slos: Vec<Slo>,
    /// Runs per probe (at least 1); objectives are judged on the means.
    pub replications: u64,
    /// Base seed of the replications (default: the scenario's).
    pub seed: Option<u64>,
    /// Stop when (smallest failing − largest passing) / largest passing is at most this.
    pub tolerance: f64,
    /// At most this many probes (the search stops with the bracket it has).
    pub max_probes: usize,
}

impl MaxLoadOptions {
    /// The journey's objectives (`p99<200ms`, `availability>=99.9%`), one replication, a 2%
    /// tolerance.
    pub fn journey() -> MaxLoadOptions {
        MaxLoadOptions {
            slos: JOURNEY_SLOS
                .iter()
                .map(|s| s.parse().expect("valid"))
                .collect(),
            replications: 1,
            seed: None,
            tolerance: 0.02,
            max_probes: 24,
        }
    }
}

/// The objectives the journey's capacity ladder is measured under.
pub const JOURNEY_SLOS: [&str; 2] = ["p99<200ms", "availability>=99.9%"];

/// The answer of a search.
#[derive(Clone, Debug, Serialize)]
pub struct MaxLoad {
    /// The scenario's name.
    pub scenario: String,
    /// The objectives as written.
    pub slos: Vec<String>,
    /// How load is counted: `peak_rate` (open arrivals: the profile's highest rate, req/s)
    /// or `offered_rate` (closed users: requests offered per second, measured).
    pub load: &'static str,
    /// The scenario's load as written, req/s.
    pub base_rate_rps: f64,
    /// The largest traffic factor that met every objective; 0 when none did.
    pub scale: f64,
    /// The load at `scale`, req/s: the maximum sustainable load (0 when none).
    pub max_rate_rps: f64,
    /// The smallest load probed that failed an objective, req/s (`None`: none failed, up
    /// to [`MAX_RATE_RPS`]).
    pub fail_rate_rps: Option<f64>,
    /// What breaks first, read off the smallest failing probe.
    pub limit: Option<Limit>,
    /// Runs per probe.
    pub replications: u64,
    /// Every probe, in the order run.
    pub probes: Vec<LoadProbe>,
}

/// The component that limits the load, and how it shows.
#[derive(Clone, Debug, Serialize)]
pub struct Limit {
    /// Its name in the scenario.
    pub component: String,
    /// Its kind (`server`, `database`, ...).
    pub kind: String,
    /// Its utilization at the failing probe (0..=1), when it has workers.
    pub utilization: Option<f64>,
    /// The objectives that failed there, as written.
    pub failed: Vec<String>,
    /// One sentence: how the overload shows (rejections, timeouts, queueing).
    pub why: String,
}

/// One probe of the search.
#[derive(Clone, Debug, Serialize)]
pub struct LoadProbe {
    /// The traffic factor.
    pub scale: f64,
    /// The load at this factor, req/s.
    pub rate_rps: f64,
    /// Whether every objective held (on the means over the replications).
    pub pass: bool,
    /// The mean of each objective's figure over the replications (`None`: undefined in
    /// every replication), in the order of the objectives.
    pub figures: Vec<Option<f64>>,
    /// The 95% confidence half-width of each figure (`None` with one replication).
    pub half_widths: Vec<Option<f64>>,
    /// The first replication's headline figures.
    pub headline: Headline,
}

/// `sc` with its traffic scaled by `factor` (> 0): every rate of an open profile, or the
/// number of closed users (rounded, from 1 to [`MAX_CLOSED_USERS`]).
pub fn scaled(sc: &Scenario, factor: f64) -> Scenario {
    let mut s = sc.clone();
    match &mut s.traffic.arrival {
        Arrival::Open(profile) => {
            for p in &mut profile.points {
                p.rate_per_s *= factor;
            }
        }
        Arrival::Closed { .. } => {
            s.traffic.users =
                ((s.traffic.users as f64 * factor).round() as u64).clamp(1, MAX_CLOSED_USERS);
        }
    }
    s
}

/// The largest factor [`scaled`] may apply to `sc` and stay inside the scenario limits: up
/// to [`MAX_RATE_RPS`] for open arrivals; for closed users up to [`MAX_CLOSED_USERS`], and
/// only as many as keep the model within [`MAX_MEMORY`] (per-user tables, and a key space
/// of user ids, grow with them).
fn max_factor(sc: &Scenario) -> f64 {
    if let Some(p) = peak_rate(sc) {
        return MAX_RATE_RPS / p.max(1e-9);
    }
    let users = sc.traffic.users.max(1);
    let fits = |u: u64| {
        let mut s = sc.clone();
        s.traffic.users = u;
        memory::total(&s) <= u128::from(MAX_MEMORY)
    };
    let (mut lo, mut hi) = (users, MAX_CLOSED_USERS.max(users));
    if !fits(hi) {
        // The most users that fit, by bisection: `lo` fits (the scenario validated), `hi`
        // does not.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi = lo;
    }
    hi as f64 / users as f64
}

/// The highest rate of an open profile, req/s; `None` for closed users.
pub fn peak_rate(sc: &Scenario) -> Option<f64> {
    match &sc.traffic.arrival {
        Arrival::Open(p) => Some(p.points.iter().map(|p| p.rate_per_s).fold(0.0, f64::max)),
        Arrival::Closed { .. } => None,
    }
}

/// Requests offered per simulated second after warm-up.
fn offered_rate(r: &Report) -> f64 {
    let measured = (r.duration_s - r.warmup_s).max(1e-9);
    r.requests.offered as f64 / measured
}

/// The component that limits the run `r` of `sc`, and how its overload shows. It is the
/// busiest component on the request path (worker pools, which serve a queue after the
/// reply, only when nothing else has workers); when several are saturated (within two
/// points of the busiest), the one furthest downstream: a server whose workers all wait on
/// a saturated database is full because of the database.
pub fn limit_of(sc: &Scenario, r: &Report, failed: Vec<String>) -> Option<Limit> {
    let util = |i: usize| -> Option<f64> {
        let c = r.components.get(&sc.components[i].name)?;
        busiest_part(c).map(|(_, u)| u)
    };
    let on_path = |i: usize| {
        r.components
            .get(&sc.components[i].name)
            .is_some_and(|c| c.kind != "worker")
    };
    let busiest = |sync_only: bool| {
        (0..sc.components.len())
            .filter(|&i| !sync_only || on_path(i))
            .filter_map(|i| util(i).map(|u| (i, u)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    };
    let (mut at, top) = busiest(true).or_else(|| busiest(false))?;
    let saturated = |i: usize| util(i).is_some_and(|u| u >= top - 0.02 && u >= 0.9);
    // Follow calls downstream while a saturated component lies below.
    let mut seen = vec![false; sc.components.len()];
    loop {
        seen[at] = true;
        let below = crate::topology::Topology::of(&sc.components)
            .downstream(at)
            .into_iter()
            .find(|&j| !seen[j] && saturated(j) && on_path(j));
        match below {
            Some(j) => at = j,
            None => break,
        }
    }
    let name = &sc.components[at].name;
    let c = r.components.get(name)?;
    let (part, u) = busiest_part(c)?;
    let rejected = r
        .errors_by_component
        .get(name)
        .and_then(|e| e.get("queue_full"))
        .copied()
        .unwrap_or(0);
    let timeouts = r.errors.get("timeout").copied().unwrap_or(0);
    let mut why = match part {
        Some(p) => format!("{name} ({p}) is {:.0}% busy", u * 100.0),
        None => format!("{name} is {:.0}% busy", u * 100.0),
    };
    // Under a profile the run's average hides the peak: say how busy the busiest window was.
    let ts = &r.timeseries;
    let peak = ts.components.iter().position(|n| n == name).and_then(|k| {
        ts.rows
            .iter()
            .filter(|w| w.t_s >= r.warmup_s)
            .filter_map(|w| w.utilization.get(k).copied().flatten())
            .max_by(f64::total_cmp)
    });
    if let Some(p) = peak.filter(|p| *p >= u + 0.1) {
        why += &format!(
            " on average, {:.0}% in its busiest {}",
            p * 100.0,
            window_text(ts.window_s)
        );
    }
    if rejected > 0 {
        why += &format!(
            "; its queue is full and turns requests away ({} rejected)",
            thousands(rejected)
        );
    } else if timeouts > 0 {
        why += &format!(
            "; requests wait in its queue (up to {} at once) until clients time out ({} timed out)",
            thousands(c.max_queue),
            thousands(timeouts)
        );
    } else if c.mean_queue >= 1.0 {
        why += &format!(
            "; requests wait in its queue ({:.0} on average, up to {})",
            c.mean_queue,
            thousands(c.max_queue)
        );
    }
    // The callers whose workers wait on it may be the ones that turn requests away.
    if rejected == 0 {
        let upstream: Vec<String> = r
            .errors_by_component
            .iter()
            .filter(|(n, _)| *n != name)
            .filter_map(|(n, e)| e.get("queue_full").map(|q| (n, *q)))
            .filter(|(_, q)| *q > 0)
            .map(|(n, q)| format!("{n}'s queue ({} rejected)", thousands(q)))
            .collect();
        if !upstream.is_empty() {
            why += &format!(
                "; waiting on it, the callers fill up and turn requests away at {}",
                upstream.join(", ")
            );
        }
    }
    let other: u64 = r
        .errors
        .iter()
        .filter(|(k, _)| *k != "queue_full" && *k != "timeout")
        .map(|(_, v)| v)
        .sum();
    if other > 0 {
        let causes: Vec<String> = r
            .errors
            .iter()
            .filter(|(k, _)| *k != "queue_full" && *k != "timeout")
            .map(|(k, v)| format!("{} {k}", thousands(*v)))
            .collect();
        why += &format!("; other failures: {}", causes.join(", "));
    }
    Some(Limit {
        component: name.clone(),
        kind: c.kind.clone(),
        utilization: Some(u),
        failed,
        why,
    })
}

/// A component's busiest part and its utilization: the whole component, or a part a kind
/// reports on its own (a database's `primary`, `replicas`, or `shard<i>`), whichever is
/// busier. `None` for kinds without workers.
fn busiest_part(c: &crate::metrics::ComponentReport) -> Option<(Option<String>, f64)> {
    let whole = c.utilization?;
    let part = c
        .extra
        .iter()
        .filter_map(|(k, v)| {
            let p = k.strip_suffix("_utilization")?;
            let label = match p {
                "primary" => "primary".to_string(),
                "replica" => "replicas".to_string(),
                s => match s.strip_prefix("shard") {
                    Some(n) => format!("shard {n}"),
                    None => s.to_string(),
                },
            };
            Some((label, *v))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1));
    Some(match part {
        Some((label, u)) if u > whole => (Some(label), u),
        _ => (None, whole),
    })
}

/// "second", or "window of N s".
fn window_text(window_s: f64) -> String {
    if window_s == 1.0 {
        "second".to_string()
    } else {
        format!("window of {window_s} s")
    }
}

/// Runs `sc` `replications` times (at least once) in parallel with the seeds of `run
/// --replications` derived from `base_seed`; the reports in replication order.
///
/// # Errors
/// The first replication (in replication order) that reached a run-time bound.
pub fn replicate(
    sc: &Scenario,
    base_seed: u64,
    replications: u64,
) -> Result<Vec<Report>, RunError> {
    replicate_from(sc, base_seed, 0, replications.max(1))
}

/// Replications `from..replications` of [`replicate`].
fn replicate_from(
    sc: &Scenario,
    base_seed: u64,
    from: u64,
    replications: u64,
) -> Result<Vec<Report>, RunError> {
    (from..replications)
        .into_par_iter()
        .map(|r| {
            crate::run(
                sc,
                &RunOptions {
                    seed: Some(run_seed(base_seed, r)),
                    no_wall_clock: true,
                    trace_sample: 0.0,
                },
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Objectives judged on replications: each objective's figure as the mean over the
/// replications where it is defined (`None`: defined in none), its 95% confidence
/// half-width (`None` below two), and whether every objective holds on the means.
pub struct Judged {
    /// The mean of each objective's figure, in the objectives' order.
    pub figures: Vec<Option<f64>>,
    /// The 95% confidence half-width of each figure.
    pub half_widths: Vec<Option<f64>>,
    /// Every objective met.
    pub pass: bool,
}

/// Judges `slos` on the headline figures of the replications `heads`.
pub fn judge(slos: &[Slo], heads: &[Headline]) -> Judged {
    let (figures, half_widths): (Vec<_>, Vec<_>) = slos
        .iter()
        .map(|slo| {
            // A figure undefined in some replication (a percentile when nothing completed)
            // is judged on the defined ones; never on none.
            let xs: Vec<f64> = heads
                .iter()
                .filter_map(|h| h.get(slo.metric).flatten())
                .collect();
            let ci = mean_ci95(&xs);
            (ci.map(|c| c.mean), ci.and_then(|c| c.half_width))
        })
        .unzip();
    let pass = slos.iter().zip(&figures).all(|(s, f)| s.met_by(*f));
    Judged {
        figures,
        half_widths,
        pass,
    }
}

/// Runs one probe at `factor`; returns it with its first replication's report, or the
/// error of a replication that reached a run-time bound (its message says at which load).
/// With `first`, the first replication is that report, already run (see
/// [`max_load_after`]), and only the others run.
fn probe(
    sc: &Scenario,
    factor: f64,
    o: &MaxLoadOptions,
    first: Option<Report>,
) -> Result<(LoadProbe, Report), RunError> {
    let s = scaled(sc, factor);
    let seed = o.seed.unwrap_or(sc.seed);
    let n = o.replications.max(1);
    let reports = match first {
        Some(r) => replicate_from(&s, seed, 1, n).map(|rest| {
            let mut all = Vec::with_capacity(rest.len() + 1);
            all.push(r);
            all.extend(rest);
            all
        }),
        None => replicate(&s, seed, n),
    };
    let reports = reports.map_err(|mut e| {
        let load = match peak_rate(&s) {
            Some(p) => format!("{} req/s", thousands(p.round() as u64)),
            None => format!("{} closed users", thousands(s.traffic.users)),
        };
        e.message = format!(
            "the probe at {factor} times the load ({load}): {}",
            e.message
        );
        e
    })?;
    let heads: Vec<Headline> = reports.iter().map(Headline::of).collect();
    let Judged {
        figures,
        half_widths,
        pass,
    } = judge(&o.slos, &heads);
    let rate_rps = match peak_rate(&s) {
        Some(p) => p,
        None => offered_rate(&reports[0]),
    };
    let first = reports
        .into_iter()
        .next()
        .expect("at least one replication");
    Ok((
        LoadProbe {
            scale: factor,
            rate_rps,
            pass,
            figures,
            half_widths,
            headline: heads.into_iter().next().expect("at least one"),
        },
        first,
    ))
}

/// Searches the largest traffic factor of `sc` that meets every objective of `o`.
/// `on_probe` is called after each probe (for progress output); it may not stop the search.
///
/// # Errors
/// A probe that reached a run-time bound on its memory stops the search (see
/// [`crate::run`]).
pub fn max_load(
    sc: &Scenario,
    o: &MaxLoadOptions,
    on_probe: impl FnMut(&LoadProbe),
) -> Result<MaxLoad, RunError> {
    search(sc, o, None, on_probe)
}

/// [`max_load`] for a caller that has already run the scenario as written: `as_written` is
/// the report of `crate::run(sc)` with the seed `o.seed` (else the scenario's), no wall
/// clock and no traces: the first replication of the first probe, which the search then
/// does not run again. The answer is the one [`max_load`] gives. The journey runs every
/// stage anyway, and saves one run per stage this way.
///
/// # Errors
/// As [`max_load`].
pub fn max_load_after(
    sc: &Scenario,
    o: &MaxLoadOptions,
    as_written: Report,
    on_probe: impl FnMut(&LoadProbe),
) -> Result<MaxLoad, RunError> {
    search(sc, o, Some(as_written), on_probe)
}

/// The search of [`max_load`], its first probe's first replication given or not.
fn search(
    sc: &Scenario,
    o: &MaxLoadOptions,
    mut as_written: Option<Report>,
    mut on_probe: impl FnMut(&LoadProbe),
) -> Result<MaxLoad, RunError> {
    let max_factor = max_factor(sc);
    let mut probes: Vec<LoadProbe> = Vec::new();
    // The largest passing and the smallest failing factor, with the failing report.
    let mut pass: Option<f64> = None;
    let mut fail: Option<(f64, Report)> = None;
    let mut run = |f: f64, probes: &mut Vec<LoadProbe>| -> Result<(bool, Report), RunError> {
        let (p, r) = probe(sc, f, o, as_written.take())?;
        on_probe(&p);
        let ok = p.pass;
        probes.push(p);
        Ok((ok, r))
    };

    // Bracket: start from the scenario as written.
    // The scenario as written (`as_written`, when given, is this probe's first replication).
    let (ok, first) = run(1.0, &mut probes)?;
    if ok {
        pass = Some(1.0);
        // Where the busiest component would reach 100%: load is roughly linear in the
        // factor below saturation, so the answer is at most about 1 / utilization.
        let u = Headline::of(&first)
            .bottleneck_utilization
            .filter(|u| *u > 0.0);
        let mut f = u.map_or(2.0, |u| (1.0 / u).clamp(1.25, 64.0));
        while fail.is_none() && probes.len() < o.max_probes {
            f = f.min(max_factor);
            let (ok, r) = run(f, &mut probes)?;
            if ok {
                pass = Some(f);
                if f >= max_factor {
                    break;
                }
                f *= 2.0;
            } else {
                fail = Some((f, r));
            }
        }
    } else {
        fail = Some((1.0, first));
        let mut f = 0.5;
        while pass.is_none()
            && probes.len() < o.max_probes
            && f * peak_rate(sc).unwrap_or(1.0) >= 1e-3
        {
            let (ok, r) = run(f, &mut probes)?;
            if ok {
                pass = Some(f);
            } else {
                fail = Some((f, r));
                f *= 0.5;
            }
        }
    }

    // Bisect until the bracket is narrower than the tolerance.
    while let (Some(lo), Some((hi, _))) = (pass, fail.as_ref()) {
        let hi = *hi;
        if (hi - lo) / lo <= o.tolerance || probes.len() >= o.max_probes {
            break;
        }
        let mid = (lo + hi) / 2.0;
        let (ok, r) = run(mid, &mut probes)?;
        if ok {
            pass = Some(mid);
        } else {
            fail = Some((mid, r));
        }
    }

    let rate_at = |f: f64| {
        probes
            .iter()
            .find(|p| p.scale == f)
            .map_or(0.0, |p| p.rate_rps)
    };
    let limit = fail.as_ref().and_then(|(f, r)| {
        let p = probes.iter().find(|p| p.scale == *f).expect("probed");
        let failed = o
            .slos
            .iter()
            .zip(&p.figures)
            .filter(|(s, v)| !s.met_by(**v))
            .map(|(s, _)| s.text.clone())
            .collect();
        limit_of(sc, r, failed)
    });
    Ok(MaxLoad {
        scenario: sc.name.clone(),
        slos: o.slos.iter().map(|s| s.text.clone()).collect(),
        load: if peak_rate(sc).is_some() {
            "peak_rate"
        } else {
            "offered_rate"
        },
        base_rate_rps: rate_at(1.0),
        scale: pass.unwrap_or(0.0),
        max_rate_rps: pass.map_or(0.0, rate_at),
        fail_rate_rps: fail.as_ref().map(|(f, _)| rate_at(*f)),
        limit,
        replications: o.replications.max(1),
        probes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_users_scale_only_as_far_as_the_model_fits() {
        // Keys are user ids, so every user adds a version on each of the 4 x 64 nodes.
        let text = "name: t\nduration: 1s\ntraffic: {arrival: closed, users: 100, think: {exp: 1s}}\nentry: db\ncomponents:\n  db: {kind: database, workers: 4, read: {exp: 1ms}, write: {exp: 1ms}, replicas: 3, replication_lag: {exp: 1ms}, shards: 64}\n";
        let sc = Scenario::parse(text, "t", &[]).expect("valid");
        let f = max_factor(&sc);
        let big = scaled(&sc, f);
        assert!(
            big.traffic.users < MAX_CLOSED_USERS,
            "{}",
            big.traffic.users
        );
        assert!(memory::total(&big) <= u128::from(MAX_MEMORY));
        let more = scaled(&sc, f * 1.01);
        assert!(memory::total(&more) > u128::from(MAX_MEMORY));
        // Without a per-user cost that large, the user limit is the bound.
        let small = Scenario::parse(&text.replace(", shards: 64", ""), "t", &[]).expect("valid");
        assert_eq!(max_factor(&small), MAX_CLOSED_USERS as f64 / 100.0);
    }
}
