//! Analytic availability: the steady-state share of a class's requests that find every
//! component they need up, from each instance's MTBF and MTTR and the call graph's series
//! and parallel structure; and the single points of failure.
//!
//! Each component that can fail is one variable of a structure function, up with the
//! probability its kind gives it for the class (a balanced group is up while any of its
//! instances is, a database serves writes while its primary is up, ...; see
//! `docs/model-assumptions.md`). A class's structure function says, for a state of those
//! variables, whether its requests succeed: every component on its path must be up (series),
//! a static class falls back from a down CDN to the entry, and GeoDNS sends a region's users
//! to the nearest data center whose entry is up. Its probability is computed exactly by
//! pivotal decomposition (condition on one variable, then the next, until the function is
//! decided), so components shared between paths are counted once. Nothing here does I/O.

use indexmap::IndexMap;

use crate::metrics::{
    AvailabilityFigures, AvailabilityReport, ComponentAvailability, Report, SpofReport,
};
use crate::scenario::{
    CompId, ComponentKind, FaultAction, HOURS_PER_MONTH, Op, ReadFrom, Reliability, Scenario,
};
use crate::topology::Topology;

/// The most evaluations of a structure function per class; a scenario that needs more has
/// no analytic figure (`None`). Realistic stages need a few thousand.
const MAX_EVALUATIONS: u64 = 4_000_000;

/// Where a component's figures come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The means of a `random` fault's `mtbf` and `mttr` that targets the whole component.
    RandomFault,
    /// The component's `reliability` key (a figure left out is the kind's default).
    Key,
    /// The kind's default ([`Reliability::default_for`]).
    Default,
}

impl Source {
    /// As reported: `random_fault`, `reliability` or `default`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::RandomFault => "random_fault",
            Source::Key => "reliability",
            Source::Default => "default",
        }
    }
}

/// How a component's instances count toward its being up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redundancy {
    /// One instance: up while it is.
    Single,
    /// A group behind health-checked balancers: up while any of `instances` is.
    Parallel,
    /// A group whose callers pick an instance without knowing whether it is up (no health
    /// checks, or called directly): each request succeeds with one instance's availability.
    PerRequest,
    /// A database: writes need the primary; reads any node of the read pool.
    Database,
}

impl Redundancy {
    /// As reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Redundancy::Single => "single",
            Redundancy::Parallel => "parallel",
            Redundancy::PerRequest => "per_request",
            Redundancy::Database => "database",
        }
    }
}

/// One component that can fail: its instances' figures and how they combine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figures {
    /// Each instance's (or database node's) MTBF and MTTR.
    pub reliability: Reliability,
    /// Where they come from.
    pub source: Source,
    /// How its instances combine.
    pub redundancy: Redundancy,
    /// Instances counted: a group's `count` (an autoscaled group's `min`); a database's
    /// nodes per shard (primary and replicas).
    pub instances: u32,
    /// Nodes a read may use, per shard (databases: 1, or every node when reads may go to
    /// replicas); the instances otherwise.
    pub read_pool: u32,
    /// Shards (databases), 1 otherwise.
    pub shards: u32,
}

impl Figures {
    /// The probability a request of a class with operation `op` finds this component up.
    pub fn up(&self, op: Op) -> f64 {
        let a = self.reliability.availability();
        let any_of = |n: u32| 1.0 - crate::engine::sample::powi(1.0 - a, n as i32);
        match self.redundancy {
            Redundancy::Single | Redundancy::PerRequest => a,
            Redundancy::Parallel => any_of(self.instances),
            Redundancy::Database => match op {
                Op::Write => a,
                Op::Read => any_of(self.read_pool),
            },
        }
    }

    /// Does the loss of one instance alone take the component down for every request of a
    /// class with operation `op` (its only instance; a database's only primary)?
    pub fn one_loss_is_total(&self, op: Op) -> bool {
        match self.redundancy {
            Redundancy::Single => true,
            Redundancy::Parallel | Redundancy::PerRequest => self.instances <= 1,
            Redundancy::Database => {
                self.shards <= 1
                    && match op {
                        Op::Write => true,
                        Op::Read => self.read_pool <= 1,
                    }
            }
        }
    }
}

/// A structure function over components: does a request succeed in this state?
#[derive(Clone, Debug, PartialEq)]
pub enum Structure {
    /// The component is up.
    Up(CompId),
    /// Every part succeeds (series).
    All(Vec<Structure>),
    /// The first option whose gate component is up decides; with no gate up, `otherwise`
    /// does (`None`: the request fails). A static class's CDN, then the entry; GeoDNS's
    /// data centers in a region's order of preference.
    FirstUp {
        /// (gate, what decides when the gate is the first one up).
        options: Vec<(CompId, Structure)>,
        /// What decides when no gate is up.
        otherwise: Option<Box<Structure>>,
    },
}

/// A three-valued outcome of a structure function on a partial state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    /// Not decided yet: this component's state is needed next.
    Open(CompId),
}

/// A component's state during evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Up,
    Down,
    Unknown,
}

impl Structure {
    /// The components it names, each once, in first-seen order.
    pub fn components(&self) -> Vec<CompId> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<CompId>) {
        let mut add = |c: CompId| {
            if !out.contains(&c) {
                out.push(c);
            }
        };
        match self {
            Structure::Up(c) => add(*c),
            Structure::All(parts) => parts.iter().for_each(|p| p.collect(out)),
            Structure::FirstUp { options, otherwise } => {
                for (g, s) in options {
                    if !out.contains(g) {
                        out.push(*g);
                    }
                    s.collect(out);
                }
                if let Some(o) = otherwise {
                    o.collect(out);
                }
            }
        }
    }

    fn eval(&self, st: &[State]) -> Tri {
        match self {
            Structure::Up(c) => match st[*c] {
                State::Up => Tri::Yes,
                State::Down => Tri::No,
                State::Unknown => Tri::Open(*c),
            },
            Structure::All(parts) => {
                let mut open = None;
                for p in parts {
                    match p.eval(st) {
                        Tri::No => return Tri::No,
                        Tri::Open(c) => {
                            open.get_or_insert(c);
                        }
                        Tri::Yes => {}
                    }
                }
                open.map_or(Tri::Yes, Tri::Open)
            }
            Structure::FirstUp { options, otherwise } => {
                for (g, s) in options {
                    match st[*g] {
                        State::Up => return s.eval(st),
                        State::Down => {}
                        State::Unknown => return Tri::Open(*g),
                    }
                }
                otherwise.as_ref().map_or(Tri::No, |o| o.eval(st))
            }
        }
    }

    /// The probability it holds when component `c` is up with probability `p[c]`,
    /// independently; `None` when that takes more than `MAX_EVALUATIONS` evaluations.
    pub fn probability(&self, p: &[f64]) -> Option<f64> {
        let mut st = vec![State::Unknown; p.len()];
        let mut budget = MAX_EVALUATIONS;
        self.factor(p, &mut st, &mut budget)
    }

    fn factor(&self, p: &[f64], st: &mut [State], budget: &mut u64) -> Option<f64> {
        *budget = budget.checked_sub(1)?;
        match self.eval(st) {
            Tri::Yes => Some(1.0),
            Tri::No => Some(0.0),
            Tri::Open(c) => {
                let pc = p[c].clamp(0.0, 1.0);
                let branch = |s: State, st: &mut [State], budget: &mut u64| {
                    st[c] = s;
                    let r = self.factor(p, st, budget);
                    st[c] = State::Unknown;
                    r
                };
                let up = if pc > 0.0 {
                    branch(State::Up, st, budget)?
                } else {
                    0.0
                };
                let down = if pc < 1.0 {
                    branch(State::Down, st, budget)?
                } else {
                    0.0
                };
                Some(pc * up + (1.0 - pc) * down)
            }
        }
    }
}

/// The analysis of one scenario.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Per component: its figures, `None` for a dns (the model never fails one).
    pub components: Vec<Option<Figures>>,
    /// Per class, in scenario order.
    pub classes: Vec<ClassAnalysis>,
}

/// One class's analytic availability and single points of failure.
#[derive(Clone, Debug)]
pub struct ClassAnalysis {
    /// The steady-state share of its requests that succeed; `None` when the structure is
    /// too large to evaluate exactly.
    pub availability: Option<f64>,
    /// The components whose single instance (or a database's primary, for writes) takes
    /// every request of the class down when it alone is lost, in scenario order.
    pub spofs: Vec<CompId>,
}

/// One region's share of the users and its structure function (one pseudo-region of share
/// 1 without GeoDNS regions).
type Weighted = Vec<(f64, Structure)>;

/// Analyses `sc`: each component's figures, then each class's availability and SPOFs.
pub fn analyse(sc: &Scenario) -> Analysis {
    let topo = Topology::of(&sc.components);
    let components: Vec<Option<Figures>> = (0..sc.components.len())
        .map(|c| figures(sc, &topo, c))
        .collect();
    let classes = (0..sc.traffic.classes.len())
        .map(|k| {
            let op = sc.traffic.classes[k].op;
            let p: Vec<f64> = components
                .iter()
                .map(|f| f.map_or(1.0, |f| f.up(op)))
                .collect();
            let regions = class_structure(sc, &topo, k);
            let availability = weighted_probability(&regions, &p);
            let mut names: Vec<CompId> = Vec::new();
            for (_, s) in &regions {
                for c in s.components() {
                    if !names.contains(&c) {
                        names.push(c);
                    }
                }
            }
            names.sort_unstable();
            let spofs = names
                .into_iter()
                .filter(|&c| {
                    components[c].is_some_and(|f| f.one_loss_is_total(op)) && {
                        let mut q = vec![1.0; p.len()];
                        q[c] = 0.0;
                        weighted_probability(&regions, &q) == Some(0.0)
                    }
                })
                .collect();
            ClassAnalysis {
                availability,
                spofs,
            }
        })
        .collect();
    Analysis {
        components,
        classes,
    }
}

fn weighted_probability(regions: &Weighted, p: &[f64]) -> Option<f64> {
    let mut sum = 0.0;
    for (w, s) in regions {
        sum += w * s.probability(p)?;
    }
    Some(sum)
}

/// The figures of component `c`; `None` for a dns.
fn figures(sc: &Scenario, topo: &Topology, c: CompId) -> Option<Figures> {
    let comp = &sc.components[c];
    let default = Reliability::default_for(comp.kind.kind())?;
    let from_fault = sc.faults.iter().find_map(|f| match &f.action {
        FaultAction::Random { target, mtbf, mttr }
            if target.comp == c && target.instance.is_none() =>
        {
            Some(Reliability {
                mtbf: mtbf.mean(),
                mttr: mttr.mean(),
            })
        }
        _ => None,
    });
    let (reliability, source) = match (from_fault, comp.reliability) {
        (Some(r), _) => (r, Source::RandomFault),
        (None, Some(k)) => (
            Reliability {
                mtbf: k.mtbf.unwrap_or(default.mtbf),
                mttr: k.mttr.unwrap_or(default.mttr),
            },
            Source::Key,
        ),
        (None, None) => (default, Source::Default),
    };
    let one = |redundancy| Figures {
        reliability,
        source,
        redundancy,
        instances: 1,
        read_pool: 1,
        shards: 1,
    };
    Some(match &comp.kind {
        ComponentKind::Server {
            count, autoscale, ..
        }
        | ComponentKind::Worker {
            count, autoscale, ..
        } => {
            let n = autoscale.as_ref().map_or(*count, |a| a.min).max(1);
            let redundancy = if n == 1 {
                Redundancy::Single
            } else if health_checked_only(sc, topo, c) {
                Redundancy::Parallel
            } else {
                Redundancy::PerRequest
            };
            Figures {
                instances: n,
                read_pool: n,
                ..one(redundancy)
            }
        }
        ComponentKind::Database {
            replicas,
            read_from,
            shards,
            ..
        } => Figures {
            instances: replicas + 1,
            read_pool: if *read_from == ReadFrom::Primary {
                1
            } else {
                replicas + 1
            },
            shards: *shards,
            ..one(Redundancy::Database)
        },
        _ => one(Redundancy::Single),
    })
}

/// Is every way into group `c` a balancer with health checks (so a dead instance leaves
/// rotation)? The entry, a GeoDNS answer or any direct call is not.
fn health_checked_only(sc: &Scenario, topo: &Topology, c: CompId) -> bool {
    if sc.entry == c {
        return false;
    }
    let mut any = false;
    for u in 0..topo.len() {
        if topo.edges(u).iter().any(|e| e.to == c) {
            match &sc.components[u].kind {
                ComponentKind::LoadBalancer {
                    health: Some(_), ..
                } => any = true,
                _ => return false,
            }
        }
    }
    any
}

/// The structure function of class `k`, per region (GeoDNS), weighted by the region's share.
pub fn class_structure(sc: &Scenario, topo: &Topology, k: usize) -> Vec<(f64, Structure)> {
    let class = &sc.traffic.classes[k];
    let with_cdn = |dynamic: Structure| match sc.cdn {
        Some(cdn) if class.is_static => Structure::FirstUp {
            options: vec![(cdn, path(sc, topo, cdn, k))],
            otherwise: Some(Box::new(dynamic)),
        },
        _ => dynamic,
    };
    let Some(g) = sc.geo_dns().filter(|_| !sc.datacenters.is_empty()) else {
        return vec![(1.0, with_cdn(path(sc, topo, sc.entry, k)))];
    };
    let with_entry: Vec<usize> = (0..g.entries.len())
        .filter(|&d| g.entries[d].is_some())
        .collect();
    let routed = |order: &[usize]| Structure::FirstUp {
        options: order
            .iter()
            .filter_map(|&d| g.entries[d])
            .map(|e| (e, path(sc, topo, e, k)))
            .collect(),
        otherwise: None,
    };
    if sc.regions.is_empty() {
        return vec![(1.0, with_cdn(routed(&with_entry)))];
    }
    sc.regions
        .iter()
        .map(|r| {
            let mut order = with_entry.clone();
            // As GeoDNS orders them: nearest by mean latency, ties by declaration order.
            order.sort_by(|&a, &b| r.latency[a].mean_ns().total_cmp(&r.latency[b].mean_ns()));
            (r.share, with_cdn(routed(&order)))
        })
        .collect()
}

/// What a request of class `k` arriving at `c` needs: `c`, then everything it calls for the
/// class (a queue only itself: its consumers work after the publisher's reply).
fn path(sc: &Scenario, topo: &Topology, c: CompId, k: usize) -> Structure {
    let mut parts = vec![Structure::Up(c)];
    if !matches!(sc.components[c].kind, ComponentKind::Queue { .. }) {
        for e in topo.edges(c) {
            if e.via.is_call() && e.classes.as_ref().is_none_or(|cs| cs.contains(&k)) {
                parts.push(path(sc, topo, e.to, k));
            }
        }
    }
    if parts.len() == 1 {
        parts.pop().unwrap_or(Structure::Up(c))
    } else {
        Structure::All(parts)
    }
}

/// `-log10(1 - a)`: the number of nines; `None` when `a` is 1 (no downtime).
pub fn nines(a: f64) -> Option<f64> {
    let u = 1.0 - a;
    (u > 0.0).then(|| -libm::log10(u))
}

/// Expected downtime a month (730 hours), minutes.
pub fn downtime_min_per_month(a: f64) -> f64 {
    (1.0 - a).max(0.0) * HOURS_PER_MONTH * 60.0
}

fn figures_of(analytic: Option<f64>, simulated: Option<f64>) -> AvailabilityFigures {
    AvailabilityFigures {
        analytic,
        nines: analytic.and_then(nines),
        downtime_min_per_month: analytic.map(downtime_min_per_month),
        simulated,
    }
}

/// The `analytic_availability` block of `report`, the run of `sc`: the analysis, with each class's
/// simulated availability beside it when the scenario has a `random` fault.
pub fn report(sc: &Scenario, report: &Report) -> AvailabilityReport {
    let a = analyse(sc);
    let random = sc
        .faults
        .iter()
        .any(|f| matches!(f.action, FaultAction::Random { .. }));
    let total_weight: f64 = sc.traffic.classes.iter().map(|c| c.weight).sum();
    let mut overall = Some(0.0);
    let mut classes = IndexMap::new();
    let mut spofs: Vec<SpofReport> = Vec::new();
    for (class, ca) in sc.traffic.classes.iter().zip(&a.classes) {
        let simulated = random
            .then(|| report.classes.get(&class.name))
            .flatten()
            .map(|c| crate::metrics::availability(c.completed, c.failed));
        overall = match (overall, ca.availability) {
            (Some(o), Some(v)) if total_weight > 0.0 => Some(o + v * class.weight / total_weight),
            _ => None,
        };
        let names: Vec<String> = ca
            .spofs
            .iter()
            .map(|&c| sc.components[c].name.clone())
            .collect();
        for &c in &ca.spofs {
            let name = &sc.components[c].name;
            match spofs.iter_mut().find(|s| s.component == *name) {
                Some(s) => s.classes.push(class.name.clone()),
                None => spofs.push(SpofReport {
                    component: name.clone(),
                    kind: sc.components[c].kind.name().to_string(),
                    classes: vec![class.name.clone()],
                }),
            }
        }
        classes.insert(
            class.name.clone(),
            crate::metrics::ClassAvailability {
                figures: figures_of(ca.availability, simulated),
                single_points_of_failure: names,
            },
        );
    }
    spofs.sort_by_key(|s| sc.component(&s.component));
    let components = a
        .components
        .iter()
        .enumerate()
        .filter_map(|(c, f)| {
            let f = (*f)?;
            Some((
                sc.components[c].name.clone(),
                ComponentAvailability {
                    mtbf_h: f.reliability.mtbf.as_secs_f64() / 3600.0,
                    mttr_h: f.reliability.mttr.as_secs_f64() / 3600.0,
                    source: f.source.as_str(),
                    instance_availability: f.reliability.availability(),
                    instances: f.instances,
                    redundancy: f.redundancy.as_str(),
                },
            ))
        })
        .collect();
    AvailabilityReport {
        overall: figures_of(overall, random.then_some(report.availability)),
        classes,
        single_points_of_failure: spofs,
        components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(c: CompId) -> Structure {
        Structure::Up(c)
    }

    /// Closed forms against pivotal decomposition: the same products and sums in another
    /// order, so 1e-15 of rounding.
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-15
    }

    #[test]
    fn series_is_the_product() {
        let s = Structure::All(vec![up(0), up(1), Structure::All(vec![up(2)])]);
        let p = [0.9, 0.8, 0.7];
        assert!(close(s.probability(&p).unwrap(), 0.9 * 0.8 * 0.7));
    }

    #[test]
    fn a_component_named_twice_counts_once() {
        let s = Structure::All(vec![up(0), up(1), up(0)]);
        assert!(close(s.probability(&[0.5, 0.5]).unwrap(), 0.25));
    }

    #[test]
    fn first_up_falls_back_in_order() {
        // Gate 0 up: path 0 and 2; else gate 1 up: path 1 and 2; else 3.
        let s = Structure::FirstUp {
            options: vec![
                (0, Structure::All(vec![up(0), up(2)])),
                (1, Structure::All(vec![up(1), up(2)])),
            ],
            otherwise: Some(Box::new(up(3))),
        };
        let p = [0.9, 0.8, 0.7, 0.6];
        let want = 0.9 * 0.7 + 0.1 * 0.8 * 0.7 + 0.1 * 0.2 * 0.6;
        assert!(close(s.probability(&p).unwrap(), want));
        // Two entries in parallel with nothing shared: 1 - (1 - a)(1 - b).
        let par = Structure::FirstUp {
            options: vec![(0, up(0)), (1, up(1))],
            otherwise: None,
        };
        assert!(close(
            par.probability(&p).unwrap(),
            1.0 - (1.0 - 0.9) * (1.0 - 0.8)
        ));
    }

    #[test]
    fn certain_components_are_not_branched_on() {
        let s = Structure::All((0..200).map(up).collect());
        let mut p = vec![1.0; 200];
        p[7] = 0.0;
        assert_eq!(s.probability(&p), Some(0.0));
        p[7] = 1.0;
        assert_eq!(s.probability(&p), Some(1.0));
    }

    #[test]
    fn figures_combine_by_redundancy() {
        let r = Reliability {
            mtbf: crate::engine::SimTime::from_secs(9),
            mttr: crate::engine::SimTime::from_secs(1),
        };
        let f = Figures {
            reliability: r,
            source: Source::Key,
            redundancy: Redundancy::Database,
            instances: 3,
            read_pool: 3,
            shards: 1,
        };
        assert!(close(f.up(Op::Write), 0.9));
        assert!((f.up(Op::Read) - (1.0 - 0.001)).abs() < 1e-12);
        assert!(f.one_loss_is_total(Op::Write));
        assert!(!f.one_loss_is_total(Op::Read));
        let sharded = Figures { shards: 2, ..f };
        assert!(!sharded.one_loss_is_total(Op::Write), "one shard of two");
        let group = Figures {
            redundancy: Redundancy::Parallel,
            ..f
        };
        assert!((group.up(Op::Read) - (1.0 - 0.001)).abs() < 1e-12);
        assert!(!group.one_loss_is_total(Op::Read));
    }
}
