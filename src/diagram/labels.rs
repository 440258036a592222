//! The text on a diagram: node details (kind and key sizing), the users' rates, link labels
//! (class lists, one-way latencies) and the number formats they use.

use std::fmt::Write as _;

use crate::engine::{Dist, SimTime};
use crate::scenario::{
    Arrival, Autoscale, ComponentKind, Defences, Downstream, HedgeDelay, LbPolicy, LimitKind,
    ReadFrom, ScaleTarget, Scenario, ShardStrategy,
};

/// The class names at `idx`, comma-separated; empty when they are all the classes.
pub(super) fn label_of(idx: &[usize], classes: &[&str]) -> String {
    if idx.len() == classes.len() && !classes.is_empty() {
        if classes.len() == 1 && classes[0] != "default" {
            return classes[0].to_string();
        }
        return String::new();
    }
    idx.iter()
        .map(|&i| classes[i])
        .collect::<Vec<_>>()
        .join(", ")
}

/// The users: how many, and the rate they send.
pub(super) fn users_detail(sc: &Scenario) -> String {
    format!(
        "{} users, {}",
        thousands(sc.traffic.users),
        rate_text(sc, 1.0)
    )
}

/// A region's users: their share and their part of the rate.
pub(super) fn region_detail(sc: &Scenario, share: f64) -> String {
    let percent = format!("{:.1}", share * 100.0);
    format!(
        "{}%, {}",
        percent.trim_end_matches('0').trim_end_matches('.'),
        rate_text(sc, share)
    )
}

/// `share` of the scenario's rate: `10 req/s`, `100 to 2,500 req/s` for a rising rate, or
/// `closed loop`.
fn rate_text(sc: &Scenario, share: f64) -> String {
    match &sc.traffic.arrival {
        Arrival::Open(p) => {
            let first = p.points.first().map_or(0.0, |q| q.rate_per_s) * share;
            let max = p
                .points
                .iter()
                .map(|q| q.rate_per_s * share)
                .fold(first, f64::max);
            if p.points.len() > 1 && max > first {
                format!("{} to {} req/s", rate(first), rate(max))
            } else {
                format!("{} req/s", rate(first))
            }
        }
        Arrival::Closed { .. } => "closed loop".to_string(),
    }
}

/// The entry GeoDNS gives a region's users while every data center is healthy: the entry
/// of the data center nearest by mean latency (ties: the first declared), as the model does.
pub(super) fn nearest_entry(entries: &[Option<usize>], latency: &[Dist]) -> Option<usize> {
    let mut best: Option<(f64, usize)> = None;
    for (d, e) in entries.iter().enumerate() {
        let (Some(e), Some(l)) = (e, latency.get(d)) else {
            continue;
        };
        let m = l.mean_ns();
        if best.is_none_or(|(b, _)| m.total_cmp(&b).is_lt()) {
            best = Some((m, *e));
        }
    }
    best.map(|(_, e)| e)
}

/// A one-way latency for a label: a constant as it is (`45ms`), anything else by its mean to
/// three significant digits, marked `~` (`~13.7ms`).
pub(super) fn latency_text(d: &Dist) -> String {
    if let Some(v) = d.is_const() {
        return SimTime(v).to_string();
    }
    let m = d.mean_ns();
    if !m.is_finite() {
        return "~unbounded".to_string();
    }
    if m < 1.0 {
        return "~0ns".to_string();
    }
    let scale = crate::engine::sample::powi(10.0, libm::log10(m).floor() as i32 - 2).max(1.0);
    format!("~{}", SimTime(((m / scale).round() * scale) as u64))
}

/// `label` with a latency: `page, write (~13.7ms)`, or the latency alone.
pub(super) fn with_latency(label: String, latency: Option<&str>) -> String {
    match latency {
        None => label,
        Some(l) if label.is_empty() => l.to_string(),
        Some(l) => format!("{label} ({l})"),
    }
}

/// Where a database's replicas stand: `us-east, eu-west`, `us-east x2, eu-west`.
fn replica_places(replica_dcs: &[usize], datacenters: &[String]) -> String {
    let mut parts = Vec::new();
    for (d, name) in datacenters.iter().enumerate() {
        let n = replica_dcs.iter().filter(|&&r| r == d).count();
        match n {
            0 => {}
            1 => parts.push(name.clone()),
            _ => parts.push(format!("{name} x{n}")),
        }
    }
    parts.join(", ")
}

/// A component's kind and key sizing: `server: 4 x 20 workers, queue 100`.
pub(super) fn detail(kind: &ComponentKind, datacenters: &[String]) -> String {
    match kind {
        ComponentKind::Dns { ttl, .. } => format!("dns: ttl {ttl}"),
        ComponentKind::LoadBalancer { policy, health, .. } => format!(
            "load balancer: {}{}",
            policy_name(*policy),
            if health.is_some() {
                ", health checks"
            } else {
                ""
            }
        ),
        ComponentKind::Server {
            count,
            workers,
            queue,
            autoscale,
            ..
        } => {
            let mut s = format!("server: {count} x {workers} workers");
            if let Some(q) = queue {
                let _ = write!(s, ", queue {}", thousands(*q));
            }
            if let Some(a) = autoscale {
                let _ = write!(s, ", {}", autoscale_text(a));
            }
            s
        }
        ComponentKind::Worker {
            count,
            workers,
            autoscale,
            ..
        } => {
            let mut s = format!("worker: {count} x {workers} workers");
            if let Some(a) = autoscale {
                let _ = write!(s, ", {}", autoscale_text(a));
            }
            s
        }
        ComponentKind::Database {
            workers,
            replicas,
            read_from,
            sync,
            shards,
            strategy,
            replica_dcs,
            ..
        } => {
            let mut s = format!("database: {workers} workers");
            if *replicas > 0 {
                let _ = write!(
                    s,
                    ", {replicas} replica{}",
                    if *replicas == 1 { "" } else { "s" },
                );
                match (replica_dcs.is_empty(), *sync) {
                    (true, true) => s.push_str(" (sync)"),
                    (true, false) => {}
                    (false, true) => {
                        let _ = write!(s, " (sync; {})", replica_places(replica_dcs, datacenters));
                    }
                    (false, false) => {
                        let _ = write!(s, " ({})", replica_places(replica_dcs, datacenters));
                    }
                }
                if *read_from != ReadFrom::Replicas {
                    let _ = write!(
                        s,
                        ", reads from {}",
                        match read_from {
                            ReadFrom::Primary => "primary",
                            ReadFrom::Any => "any",
                            ReadFrom::Replicas => "replicas",
                        }
                    );
                }
            }
            if *shards > 1 {
                let _ = write!(
                    s,
                    ", {shards} shards ({})",
                    match strategy {
                        ShardStrategy::HashMod => "hash_mod",
                        ShardStrategy::ConsistentHash => "consistent_hash",
                        ShardStrategy::Range => "range",
                    }
                );
            }
            s
        }
        ComponentKind::Cache { cache, .. } => format!(
            "cache: {} entries{}",
            thousands(cache.capacity),
            cache.ttl.map_or_else(String::new, |t| format!(", ttl {t}"))
        ),
        ComponentKind::Cdn { cache, .. } => {
            format!("cdn: {} entries", thousands(cache.capacity))
        }
        ComponentKind::Queue { capacity, .. } => match capacity {
            Some(c) => format!("queue: capacity {}", thousands(*c)),
            None => "queue: unbounded".to_string(),
        },
        ComponentKind::Store { workers, .. } => format!("store: {workers} workers"),
    }
}

/// The separator between the parts of a defences line or label.
const DOT: &str = " \u{b7} ";

/// A server's admission and shedding, one line: `rate 500/s · conc 64 · shed 100ms`; empty
/// without them (and for every other kind). Classes with their own bucket show as
/// `rate write 50/s`.
pub(super) fn defences_line(kind: &ComponentKind, classes: &[&str]) -> String {
    let ComponentKind::Server { defences, .. } = kind else {
        return String::new();
    };
    let Defences {
        rate_limit,
        rate_limit_by_class,
        concurrency_limit,
        shedding,
        ..
    } = defences;
    let mut parts = Vec::new();
    // A group's shared bucket says so: `rate 500/s group`.
    let scope = |b: &crate::scenario::TokenBucket| if b.per_group { " group" } else { "" };
    if let Some(b) = rate_limit {
        parts.push(format!("rate {}/s{}", rate(b.rate), scope(b)));
    }
    for (ci, b) in rate_limit_by_class.iter().enumerate() {
        if let (Some(b), Some(name)) = (b, classes.get(ci)) {
            parts.push(format!("rate {name} {}/s{}", rate(b.rate), scope(b)));
        }
    }
    if let Some(c) = concurrency_limit {
        parts.push(format!("conc {}", thousands(u64::from(*c))));
    }
    if let Some(sh) = shedding {
        if let Some(d) = sh.deadline {
            parts.push(format!("shed {}", SimTime(d)));
        }
        if let Some(c) = sh.codel {
            parts.push(format!(
                "codel {}/{}",
                SimTime(c.target),
                SimTime(c.interval)
            ));
        }
        match sh.lifo {
            Some(0) => parts.push("lifo".to_string()),
            Some(n) => parts.push(format!("lifo over {}", thousands(n))),
            None => {}
        }
    }
    parts.join(DOT)
}

/// The defences on one callee, for its link: `breaker · pool 10 · hedge p95`.
pub(super) fn downstream_text(d: &Downstream) -> String {
    let mut parts = Vec::new();
    if d.breaker.is_some() {
        parts.push("breaker".to_string());
    }
    if let Some(l) = d.limit {
        let what = match l.kind {
            LimitKind::Bulkhead => "bulkhead",
            LimitKind::Pool => "pool",
        };
        parts.push(format!("{what} {}", thousands(u64::from(l.size))));
    }
    if let Some(h) = d.hedge {
        parts.push(match h.delay {
            HedgeDelay::Fixed(ns) => format!("hedge {}", SimTime(ns)),
            HedgeDelay::Percentile(q) => format!("hedge p{}", plain(q)),
        });
    }
    parts.join(DOT)
}

/// `label` with a link's defences: `read; breaker · pool 10`, or the defences alone.
pub(super) fn with_defences(label: String, defences: &str) -> String {
    match (label.is_empty(), defences.is_empty()) {
        (_, true) => label,
        (true, false) => defences.to_string(),
        (false, false) => format!("{label}; {defences}"),
    }
}

/// An autoscaler: `autoscale 2..10 on utilization 70%`.
fn autoscale_text(a: &Autoscale) -> String {
    let target = match a.target {
        ScaleTarget::Utilization(u) => format!("utilization {}%", plain(u * 100.0)),
        ScaleTarget::Queue(q) => format!("queue {}", plain(q)),
        ScaleTarget::Backlog(b) => format!("backlog {} per instance", plain(b)),
    };
    format!("autoscale {}..{} on {target}", a.min, a.max)
}

/// A balancer policy as the scenario names it.
fn policy_name(p: LbPolicy) -> &'static str {
    match p {
        LbPolicy::RoundRobin => "round_robin",
        LbPolicy::Random => "random",
        LbPolicy::LeastConnections => "least_connections",
        LbPolicy::PowerOfTwo => "power_of_two",
        LbPolicy::Hash => "hash",
        LbPolicy::Sticky => "sticky",
    }
}

/// A number without float noise: `2500`, `0.7`.
fn plain(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A count with thousands separators: `10,000`.
fn thousands(n: u64) -> String {
    crate::report::table::count(n)
}

/// A rate: whole numbers as such (`10`, `2,500`), others with their decimals.
fn rate(v: f64) -> String {
    if v >= 100.0 {
        crate::report::table::rate(v)
    } else {
        plain(v)
    }
}
