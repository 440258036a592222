//! The cheapest design that meets service-level objectives: `scalesim capacity --cheapest`.
//!
//! Several parameters vary at once (instance counts, instance types, replicas, any scenario
//! path), each listing its values in the order "more capacity later"; the grid is every
//! combination. A configuration's price follows from the scenario without running it
//! ([`price_of`]): a fixed group, a database's nodes, a cache or a store are billed all the
//! time, so their cost is exact; an autoscaled group is billed for the instances it runs,
//! known only after the run, so its price is a bound: at least its `min` instances, at most
//! its `max`. Data transfer (classes with a `size`) is billed by the requests a run serves:
//! the price before a run leaves it out (a lower bound), the run's measured cost includes it.
//!
//! [`cheapest`] probes the configuration largest in every parameter first (when it fails,
//! nothing can pass), then the others in order of their lower bound (among equal ones, the
//! last in grid order first), skipping any configuration that is no larger in every parameter than one that
//! failed: the search assumes that the objectives, once met, stay met as any parameter
//! moves to a later value (the assumption of the one-parameter search, in every dimension).
//! It stops when the cheapest passing configuration found costs (as measured) less than the
//! lower bound of every configuration left to probe; among passing configurations of equal
//! cost, the one with the lowest latency figure is the answer. Probes run in batches of a fixed
//! size, in parallel; which configurations a batch holds depends on the results of the
//! batches before it and on nothing else, so the probes, the answer and the output are the
//! same for any number of threads. Each probe runs `replications` seeds (those of `run
//! --replications`, the same at every configuration: common random numbers) and judges the
//! objectives on the means.
//!
//! Costs are compared in millionths of a dollar an hour, so that two configurations of the
//! same price (2 instances at $0.2 an hour, 4 at $0.1) tie whatever the rounding of their
//! sums; among passing configurations of one cost the lowest latency figure wins, then the
//! one ordered first (of equal lower bounds, the last in grid order, the first `--vary`
//! changing slowest).
//!
//! No I/O here: runs go through [`crate::run`].

use rayon::prelude::*;
use serde::Serialize;

use crate::capacity::{Judged, Limit, judge, limit_of, replicate};
use crate::metrics::headline::{Headline, mean_ci95};
use crate::scenario::overrides::TOP_LEVEL_KEYS;
use crate::scenario::resolve::fields_with_geo;
use crate::scenario::{ComponentKind, HOURS_PER_MONTH};
use crate::sweep::{Grid, Slo, SweepError, Vary};
use crate::{Override, Scenario};

/// The most probes a batch may hold.
pub const MAX_BATCH: usize = 64;

/// How to search.
#[derive(Clone, Debug)]
pub struct CheapestOptions {
    /// Every objective must hold.
    pub slos: Vec<Slo>,
    /// Runs per probe (at least 1); objectives are judged on the means.
    pub replications: u64,
    /// Base seed of the replications (default: the scenario's).
    pub seed: Option<u64>,
    /// Probes run in parallel per batch (1 to [`MAX_BATCH`]).
    pub batch: usize,
}

/// The scenario text the grid is applied to.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The scenario's YAML.
    pub text: &'a str,
    /// The name used in its messages (its file).
    pub name: &'a str,
    /// `--set` overrides, applied before the grid's own.
    pub sets: &'a [Override],
}

/// What a configuration's instances cost, known before it runs, US dollars an hour (data
/// transfer, billed by the requests a run serves, comes on top).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    /// At least this (autoscaled groups at their `min`).
    pub lower: f64,
    /// At most this (autoscaled groups at their `max`).
    pub upper: f64,
}

/// The price of `sc` before it runs, the sum over its priced components (those that name
/// an `instance`), as the run's ledger bills them: a fixed group's `count` instances, every
/// node of every shard of a database (the shards `add_shard` adds included: the model
/// allocates them from the start), one node of any other kind, all the measured time; an
/// autoscaled group between its `min` and its `max` (or starting `count`, if larger)
/// instances. Data transfer is left out. `None` when no component is priced.
pub fn price_of(sc: &Scenario) -> Option<Price> {
    let mut any = false;
    let (mut lower, mut upper) = (0.0, 0.0);
    for (i, c) in sc.components.iter().enumerate() {
        let Some(t) = c.instance else { continue };
        any = true;
        let hourly = sc.prices[t].hourly;
        let (lo, hi) = match &c.kind {
            ComponentKind::Server {
                count, autoscale, ..
            }
            | ComponentKind::Worker {
                count, autoscale, ..
            } => match autoscale {
                None => (*count, *count),
                Some(a) => (a.min, a.max.max(*count)),
            },
            ComponentKind::Database {
                replicas, shards, ..
            } => {
                let shards = u128::from(*shards) + crate::scenario::memory::shard_adds(sc, i);
                let n = shards * (1 + u128::from(*replicas));
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                (n, n)
            }
            _ => (1, 1),
        };
        lower += f64::from(lo) * hourly;
        upper += f64::from(hi) * hourly;
    }
    any.then_some(Price { lower, upper })
}

/// A cost in dollars an hour as a whole number of millionths of a dollar an hour: the unit
/// costs are compared in.
pub fn cost_key(per_hour: f64) -> i64 {
    (per_hour * 1e6).round() as i64
}

/// The component a `--vary` or `--set` path addresses (`web.count` and
/// `components.web.count` both address `web`), if it addresses one.
pub fn component_of<'a>(sc: &'a Scenario, path: &str) -> Option<&'a str> {
    let mut parts = path.split(['.', '[']);
    let first = parts.next()?;
    let name = if first == "components" {
        parts.next()?
    } else if TOP_LEVEL_KEYS.contains(&first) {
        return None;
    } else {
        first
    };
    sc.components
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.name.as_str())
}

/// The answer of a search.
#[derive(Clone, Debug, Serialize)]
pub struct Cheapest {
    /// The scenario's name.
    pub scenario: String,
    /// The objectives as written.
    pub slos: Vec<String>,
    /// The varied parameters, in `--vary` order, each with its values.
    pub params: Vec<Param>,
    /// The latency figure of the front and the chart: the first objective's on a latency,
    /// else `p99_ms`.
    pub latency_metric: &'static str,
    /// Runs per probe.
    pub replications: u64,
    /// The seed of the first replication of every probe.
    pub base_seed: u64,
    /// Probes per batch.
    pub batch: usize,
    /// Configurations in the grid.
    pub configurations: u64,
    /// The components that name an instance type (of the first configuration).
    pub priced: Vec<String>,
    /// The components that could name one and do not: they cost nothing here.
    pub unpriced: Vec<String>,
    /// The cheapest configuration that met every objective; `None` when none did.
    pub answer: Option<Answer>,
    /// The answer's neighbours one value lower in one parameter, and how each fares.
    pub below: Vec<Neighbour>,
    /// Every probe, in the order run (batch by batch, each in order of cost).
    pub probes: Vec<CostProbe>,
    /// The probes on the cost/latency front (no other probe both cheaper, or as cheap, and
    /// faster), indices into `probes`, cheapest first.
    pub front: Vec<usize>,
    /// Configurations not probed because one that failed is at least as large in every
    /// parameter.
    pub implied_failing: u64,
    /// Configurations not probed because their lower bound is above the answer's cost.
    pub not_needed: u64,
}

/// A varied parameter.
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    /// Its path, as given.
    pub path: String,
    /// Its values, in the order given ("more capacity later").
    pub values: Vec<String>,
}

/// The configuration found.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    /// Its index in `probes`.
    pub probe: usize,
    /// The value of each parameter.
    pub values: Vec<String>,
    /// Dollars an hour, the mean over the replications.
    pub per_hour: f64,
    /// Dollars a month (730 hours).
    pub per_month: f64,
    /// Dollars per million completed requests (`None`: none completed).
    pub per_million_requests: Option<f64>,
    /// The mean of each objective's figure, in the objectives' order.
    pub figures: Vec<Option<f64>>,
}

/// One probe of the search.
#[derive(Clone, Debug, Serialize)]
pub struct CostProbe {
    /// The configuration's index in the grid (the first parameter changing slowest).
    pub point: u64,
    /// The value of each parameter.
    pub values: Vec<String>,
    /// The batch it ran in (from 0).
    pub batch: usize,
    /// Its price known before the run, dollars a month: the lower bound it was ordered by
    /// (the cost itself when nothing autoscales).
    pub bound_per_month: f64,
    /// What it cost, dollars an hour, the mean over the replications.
    pub per_hour: f64,
    /// Dollars a month (730 hours).
    pub per_month: f64,
    /// Dollars per million completed requests, the mean over the replications where some
    /// completed (`None`: none completed).
    pub per_million_requests: Option<f64>,
    /// Every objective held (on the means over the replications).
    pub pass: bool,
    /// The mean of each objective's figure (`None`: undefined in every replication), in the
    /// objectives' order.
    pub figures: Vec<Option<f64>>,
    /// The 95% confidence half-width of each figure (`None` with one replication).
    pub half_widths: Vec<Option<f64>>,
    /// The mean of the latency figure, ms (`None`: undefined in every replication).
    pub latency_ms: Option<f64>,
    /// The mean availability over the replications.
    pub availability: f64,
    /// The busiest component of the first replication.
    pub bottleneck: Option<String>,
    /// Its utilization, the mean over the replications.
    pub bottleneck_utilization: Option<f64>,
    /// What limits it, when it failed (read off its first replication).
    pub limit: Option<Limit>,
}

/// A neighbour of the answer: one parameter one value lower.
#[derive(Clone, Debug, Serialize)]
pub struct Neighbour {
    /// The parameter lowered.
    pub param: String,
    /// The value of each parameter.
    pub values: Vec<String>,
    /// Its price known before a run, dollars a month (the lower bound).
    pub bound_per_month: f64,
    /// `failed` (probed), `implied_failing` (a failed probe is at least as large in every
    /// parameter), `passed` (probed, and no cheaper than the answer) or `not_needed` (not
    /// probed: its lower bound is above the answer's cost).
    pub status: &'static str,
    /// The probe that shows it fails or passes (itself, or the failed one that implies
    /// it), an index into `probes`.
    pub probe: Option<usize>,
}

/// The value index of each parameter at grid point `point` (the first parameter slowest).
fn digits(point: u64, sizes: &[u64], out: &mut [usize]) {
    let mut rest = point;
    for (i, n) in sizes.iter().enumerate().rev() {
        out[i] = (rest % n) as usize;
        rest /= n;
    }
}

/// `a` is no larger than `b` in every parameter.
fn no_larger(a: &[usize], b: &[usize]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

/// The words `--vary a=1 --vary b=2` that name a configuration.
fn point_words(grid: &Grid, point: u64) -> String {
    grid.overrides(point)
        .iter()
        .map(|o| format!("--vary {o}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_point(src: Source<'_>, grid: &Grid, point: u64) -> Result<Scenario, SweepError> {
    let mut all = src.sets.to_vec();
    all.extend(grid.overrides(point));
    Scenario::parse(src.text, src.name, &all).map_err(|error| SweepError::Scenario {
        values: point_words(grid, point),
        error,
    })
}

/// The components of `sc` whose kind takes an `instance` and that name none.
fn unpriced(sc: &Scenario) -> Vec<String> {
    sc.components
        .iter()
        .filter(|c| {
            c.instance.is_none() && fields_with_geo(c.kind.kind(), false).contains(&"instance")
        })
        .map(|c| c.name.clone())
        .collect()
}

/// The price of every configuration, checked: every configuration must price something, and
/// every component a parameter addresses must be priced (else varying it would look free).
fn prices(src: Source<'_>, grid: &Grid) -> Result<Vec<Price>, SweepError> {
    let checked: Vec<Result<Price, SweepError>> = (0..grid.points())
        .into_par_iter()
        .map(|p| {
            let sc = parse_point(src, grid, p)?;
            let Some(price) = price_of(&sc) else {
                let names = unpriced(&sc);
                return Err(SweepError::Input(format!(
                    "{}: with {}: no component names an `instance`, so no configuration has a price to compare; components without one: {} (give them one, e.g. --set {}.instance=m7g.large)",
                    src.name,
                    point_words(grid, p),
                    if names.is_empty() { "none that can take one".to_string() } else { names.join(", ") },
                    names.first().map_or("web", String::as_str)
                )));
            };
            for v in &grid.params {
                if let Some(name) = component_of(&sc, &v.path)
                    && sc.components.iter().any(|c| c.name == name && c.instance.is_none())
                {
                    return Err(SweepError::Input(format!(
                        "{}: --vary {}: `{name}` names no `instance` (with {}), so its size would cost nothing; give it one, e.g. --set {name}.instance=m7g.large",
                        src.name,
                        v.path,
                        point_words(grid, p)
                    )));
                }
            }
            Ok(price)
        })
        .collect();
    checked.into_iter().collect()
}

/// Runs one probe: the configuration at grid point `point`, `o.replications` times.
fn probe(
    src: Source<'_>,
    grid: &Grid,
    point: u64,
    base_seed: u64,
    o: &CheapestOptions,
    latency_metric: &str,
) -> Result<CostProbe, SweepError> {
    let sc = parse_point(src, grid, point)?;
    let reports = replicate(&sc, base_seed, o.replications).map_err(|e| {
        SweepError::Input(format!(
            "{}: with {}: {e}",
            src.name,
            point_words(grid, point)
        ))
    })?;
    let heads: Vec<Headline> = reports.iter().map(Headline::of).collect();
    let Judged {
        figures,
        half_widths,
        pass,
    } = judge(&o.slos, &heads);
    let mean = |xs: Vec<f64>| mean_ci95(&xs).map(|c| c.mean);
    let per_hour = mean(
        reports
            .iter()
            .filter_map(|r| r.cost.as_ref().map(|c| c.per_hour))
            .collect(),
    )
    .unwrap_or(0.0);
    let per_million_requests = mean(
        reports
            .iter()
            .filter_map(|r| r.cost.as_ref().and_then(|c| c.per_million_requests))
            .collect(),
    );
    let latency_ms = mean(
        heads
            .iter()
            .filter_map(|h| h.get(latency_metric).flatten())
            .collect(),
    );
    let availability = heads.iter().map(|h| h.availability).sum::<f64>() / heads.len() as f64;
    let bottleneck = heads[0].bottleneck.clone();
    let bottleneck_utilization = bottleneck.as_ref().and_then(|name| {
        mean(
            reports
                .iter()
                .filter_map(|r| r.components.get(name).and_then(|c| c.utilization))
                .collect(),
        )
    });
    let limit = if pass {
        None
    } else {
        let failed = o
            .slos
            .iter()
            .zip(&figures)
            .filter(|(s, v)| !s.met_by(**v))
            .map(|(s, _)| s.text.clone())
            .collect();
        limit_of(&sc, &reports[0], failed)
    };
    Ok(CostProbe {
        point,
        values: grid.values(point).iter().map(|v| v.to_string()).collect(),
        batch: 0,
        bound_per_month: 0.0,
        per_hour,
        per_month: per_hour * HOURS_PER_MONTH,
        per_million_requests,
        pass,
        figures,
        half_widths,
        latency_ms,
        availability,
        bottleneck,
        bottleneck_utilization,
        limit,
    })
}

/// The latency figure of the front: the first objective's on a latency, else `p99_ms`.
pub fn latency_metric(slos: &[Slo]) -> &'static str {
    slos.iter()
        .map(|s| s.metric)
        .find(|m| m.ends_with("_ms"))
        .unwrap_or("p99_ms")
}

/// The probes on the cost/latency front, cheapest first: each one faster than every
/// cheaper probe (equal costs: the fastest, then the first probed).
pub fn front(probes: &[CostProbe]) -> Vec<usize> {
    let mut by_cost: Vec<(i64, f64, usize)> = probes
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.latency_ms.map(|l| (cost_key(p.per_hour), l, i)))
        .collect();
    by_cost.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out = Vec::new();
    let mut best = f64::INFINITY;
    for (_, l, i) in by_cost {
        if l < best {
            best = l;
            out.push(i);
        }
    }
    out
}

/// A search, checked and ready to run: the grid, the price of every configuration and the
/// order they are probed in.
pub struct Search<'a> {
    src: Source<'a>,
    o: CheapestOptions,
    grid: Grid,
    /// The first configuration, parsed.
    first: Scenario,
    base_seed: u64,
    prices: Vec<Price>,
}

impl<'a> Search<'a> {
    /// Checks the grid `params` over `src` for a search under `o`: every configuration
    /// valid and priced, every component a parameter addresses priced.
    ///
    /// # Errors
    /// A bad grid (a path twice, too many configurations), a configuration whose scenario
    /// is invalid, one without a price, or a parameter on an unpriced component.
    pub fn new(
        src: Source<'a>,
        params: &[Vary],
        o: &CheapestOptions,
    ) -> Result<Search<'a>, SweepError> {
        if !(1..=MAX_BATCH).contains(&o.batch) {
            return Err(SweepError::Input(format!(
                "--batch: expected 1 to {MAX_BATCH} probes, found {}",
                o.batch
            )));
        }
        let grid = Grid::new(params.to_vec(), o.replications.max(1)).map_err(SweepError::Input)?;
        let first = parse_point(src, &grid, 0)?;
        let base_seed = o.seed.unwrap_or(first.seed);
        let prices = prices(src, &grid)?;
        Ok(Search {
            src,
            o: o.clone(),
            grid,
            first,
            base_seed,
            prices,
        })
    }

    /// Configurations in the grid.
    pub fn configurations(&self) -> u64 {
        self.grid.points()
    }

    /// The components that name an instance type (in the first configuration).
    pub fn priced(&self) -> Vec<String> {
        self.first
            .components
            .iter()
            .filter(|c| c.instance.is_some())
            .map(|c| c.name.clone())
            .collect()
    }

    /// The components that could name an instance type and do not (in the first
    /// configuration): they cost nothing here.
    pub fn unpriced(&self) -> Vec<String> {
        unpriced(&self.first)
    }

    /// Runs the search. `on_probe` is called for every probe, in the order of `probes`, as
    /// its batch finishes.
    ///
    /// # Errors
    /// A probe that reached a run-time bound (the first of its batch, in order).
    pub fn run(self, mut on_probe: impl FnMut(&CostProbe)) -> Result<Cheapest, SweepError> {
        let Search {
            src,
            o,
            grid,
            first,
            base_seed,
            prices,
        } = self;
        let o = &o;
        let metric = latency_metric(&o.slos);
        let sizes: Vec<u64> = grid.params.iter().map(|p| p.values.len() as u64).collect();
        let dims = sizes.len();
        // Every configuration by its lower bound; among equal ones, the last in grid order
        // first: the one with more capacity, whose failure implies the others'.
        let mut order: Vec<(i64, std::cmp::Reverse<u64>)> = prices
            .iter()
            .enumerate()
            .map(|(p, price)| (cost_key(price.lower), std::cmp::Reverse(p as u64)))
            .collect();
        order.sort_unstable();
        let mut rank = vec![0usize; prices.len()];
        for (r, &(_, std::cmp::Reverse(p))) in order.iter().enumerate() {
            rank[p as usize] = r;
        }

        let mut probes: Vec<CostProbe> = Vec::new();
        // Value indices of the failed probes.
        let mut failed: Vec<Vec<usize>> = Vec::new();
        // The best passing probe: the cheapest; among equal costs the fastest, then the
        // first in `order`. (cost key, latency, rank, index in `probes`).
        let mut best: Option<(i64, f64, usize, usize)> = None;
        let mut here = vec![0usize; dims];
        let implied =
            |failed: &[Vec<usize>], here: &[usize]| failed.iter().any(|f| no_larger(here, f));
        let mut cursor = 0;
        let mut batch_no = 0;
        // The first batch starts with the configuration largest in every parameter: when it
        // fails, every other one is implied failing and the search ends with that batch.
        let top = grid.points() - 1;
        let mut batch = vec![top];
        loop {
            while cursor < order.len() && batch.len() < o.batch {
                let (key, std::cmp::Reverse(p)) = order[cursor];
                // Equal prices are probed too: one of them may be faster.
                if best.is_some_and(|b| key > b.0) {
                    cursor = order.len();
                    break;
                }
                digits(p, &sizes, &mut here);
                if p != top && !implied(&failed, &here) {
                    batch.push(p);
                }
                cursor += 1;
            }
            if batch.is_empty() {
                break;
            }
            let results: Vec<Result<CostProbe, SweepError>> = batch
                .par_iter()
                .map(|&p| probe(src, &grid, p, base_seed, o, metric))
                .collect();
            for r in results {
                let mut pr = r?;
                pr.batch = batch_no;
                pr.bound_per_month = prices[pr.point as usize].lower * HOURS_PER_MONTH;
                let i = probes.len();
                if pr.pass {
                    let cand = (
                        cost_key(pr.per_hour),
                        pr.latency_ms.unwrap_or(f64::INFINITY),
                        rank[pr.point as usize],
                        i,
                    );
                    let better = |b: &(i64, f64, usize, usize)| {
                        cand.0
                            .cmp(&b.0)
                            .then(cand.1.total_cmp(&b.1))
                            .then(cand.2.cmp(&b.2))
                            .is_lt()
                    };
                    if best.as_ref().is_none_or(better) {
                        best = Some(cand);
                    }
                } else {
                    let mut d = vec![0usize; dims];
                    digits(pr.point, &sizes, &mut d);
                    failed.push(d);
                }
                on_probe(&pr);
                probes.push(pr);
            }
            batch_no += 1;
            batch = Vec::new();
        }

        // What became of the configurations not probed.
        let probed_at: std::collections::HashMap<u64, usize> = probes
            .iter()
            .enumerate()
            .map(|(i, p)| (p.point, i))
            .collect();
        let (mut implied_failing, mut not_needed) = (0u64, 0u64);
        for p in 0..grid.points() {
            if probed_at.contains_key(&p) {
                continue;
            }
            digits(p, &sizes, &mut here);
            if implied(&failed, &here) {
                implied_failing += 1;
            } else {
                not_needed += 1;
            }
        }

        let answer = best.map(|(_, _, _, i)| {
            let p = &probes[i];
            Answer {
                probe: i,
                values: p.values.clone(),
                per_hour: p.per_hour,
                per_month: p.per_month,
                per_million_requests: p.per_million_requests,
                figures: p.figures.clone(),
            }
        });
        let below = match &answer {
            None => Vec::new(),
            Some(a) => {
                let mut at = vec![0usize; dims];
                digits(probes[a.probe].point, &sizes, &mut at);
                let mut out = Vec::new();
                for d in 0..dims {
                    if at[d] == 0 {
                        continue;
                    }
                    let mut n = at.clone();
                    n[d] -= 1;
                    let point = n
                        .iter()
                        .zip(&sizes)
                        .fold(0u64, |acc, (&i, &s)| acc * s + i as u64);
                    let (status, probe) = match probed_at.get(&point) {
                        Some(&i) if probes[i].pass => ("passed", Some(i)),
                        Some(&i) => ("failed", Some(i)),
                        None => {
                            let by = probes.iter().position(|q| {
                                !q.pass && {
                                    let mut f = vec![0usize; dims];
                                    digits(q.point, &sizes, &mut f);
                                    no_larger(&n, &f)
                                }
                            });
                            match by {
                                Some(i) => ("implied_failing", Some(i)),
                                None => ("not_needed", None),
                            }
                        }
                    };
                    out.push(Neighbour {
                        param: grid.params[d].path.clone(),
                        values: grid.values(point).iter().map(|v| v.to_string()).collect(),
                        bound_per_month: prices[point as usize].lower * HOURS_PER_MONTH,
                        status,
                        probe,
                    });
                }
                out
            }
        };
        let front = front(&probes);
        Ok(Cheapest {
            scenario: first.name.clone(),
            slos: o.slos.iter().map(|s| s.text.clone()).collect(),
            params: grid
                .params
                .iter()
                .map(|v| Param {
                    path: v.path.clone(),
                    values: v.values.clone(),
                })
                .collect(),
            latency_metric: metric,
            replications: grid.replications,
            base_seed,
            batch: o.batch,
            configurations: grid.points(),
            priced: first
                .components
                .iter()
                .filter(|c| c.instance.is_some())
                .map(|c| c.name.clone())
                .collect(),
            unpriced: unpriced(&first),
            answer,
            below,
            probes,
            front,
            implied_failing,
            not_needed,
        })
    }
}

/// Searches the cheapest configuration of the grid `params` over `src` that meets every
/// objective of `o`: [`Search::new`], then [`Search::run`].
///
/// # Errors
/// As [`Search::new`] and [`Search::run`].
pub fn cheapest(
    src: Source<'_>,
    params: &[Vary],
    o: &CheapestOptions,
    on_probe: impl FnMut(&CostProbe),
) -> Result<Cheapest, SweepError> {
    Search::new(src, params, o)?.run(on_probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(components: &str) -> Scenario {
        let text = format!(
            "name: t\nduration: 2s\ntraffic: {{rate: 10}}\nentry: web\ncomponents:\n{components}"
        );
        Scenario::parse(&text, "t", &[]).expect("valid")
    }

    #[test]
    fn prices_follow_from_the_scenario() {
        // 3 x m7g.large + a primary and 2 replicas in 2 shards of m7g.xlarge.
        let sc = scenario(
            "  web: {kind: server, count: 3, workers: 2, service: {exp: 1ms}, calls: [db], instance: m7g.large}\n  \
             db: {kind: database, workers: 2, read: {exp: 1ms}, write: {exp: 1ms}, replicas: 2, replication_lag: {const: 1ms}, shards: 2, instance: m7g.xlarge}\n",
        );
        let p = price_of(&sc).expect("priced");
        let want = 3.0 * 0.0816 + 6.0 * 0.1632;
        assert_eq!(cost_key(p.lower), cost_key(want));
        assert_eq!(p.lower, p.upper);
        // Autoscaled: between min and max instances.
        let sc = scenario(
            "  web: {kind: server, count: 2, workers: 2, service: {exp: 1ms}, instance: m7g.large, autoscale: {min: 1, max: 5, target: {utilization: 0.5}}}\n",
        );
        let p = price_of(&sc).expect("priced");
        assert_eq!(cost_key(p.lower), cost_key(0.0816));
        assert_eq!(cost_key(p.upper), cost_key(5.0 * 0.0816));
        let sc = scenario("  web: {kind: server, count: 2, workers: 2, service: {exp: 1ms}}\n");
        assert_eq!(price_of(&sc), None);
        assert_eq!(unpriced(&sc), ["web"]);
    }

    #[test]
    fn paths_name_their_component() {
        let sc = scenario("  web: {kind: server, count: 2, workers: 2, service: {exp: 1ms}}\n");
        assert_eq!(component_of(&sc, "web.count"), Some("web"));
        assert_eq!(component_of(&sc, "components.web.instance"), Some("web"));
        assert_eq!(component_of(&sc, "traffic.rate"), None);
        assert_eq!(component_of(&sc, "db.count"), None);
    }

    #[test]
    fn dominance_and_digits() {
        let mut d = [0usize; 2];
        digits(7, &[4, 3], &mut d);
        assert_eq!(d, [2, 1]);
        assert!(no_larger(&[1, 1], &[2, 1]));
        assert!(!no_larger(&[1, 2], &[2, 1]));
    }
}
