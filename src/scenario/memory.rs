//! What a scenario costs in memory before it runs: the tables the model sizes from it.
//!
//! The model allocates most of its memory when it is built, sized by the scenario: latency
//! histograms per class, component and database shard; stations per instance; version
//! arrays per database shard and key; cache indices and entries; per-user tables; a
//! pending wake-up per closed user; the time-series rows. [`estimate`] adds these up from
//! the resolved [`Scenario`], part by part, so that validation can refuse a scenario whose
//! model would not fit in [`MAX_MEMORY`] before anything large is allocated.
//!
//! The byte costs are the model's own: the constants below are checked against the sizes
//! of the model's types in the model's tests, and the architecture page's memory table
//! lists the same costs.

use super::*;
use crate::metrics::hist::{HIST_BYTES, WINDOW_HIST_BYTES};

/// Per node (an instance, a database node, a balancer, a cache): its `Node`, `Station` and
/// warm-up snapshot, and one entry in each per-node table (up, epoch, partition, detection,
/// scaler, inbound, replica set, data center, a balancer's backend arrays, a queue's
/// `assigned`, a scaler's instance state). The waiting room's preallocated buffer is extra.
pub const NODE_BYTES: u128 = 512;
/// Per waiting-room place preallocated (4 bytes, up to [`ROOM_PREALLOC`] places).
pub const ROOM_PLACE_BYTES: u128 = 4;
/// Waiting-room places a station reserves when it is built (fewer for a smaller bound).
pub const ROOM_PREALLOC: u64 = 1024;
/// Per component besides its histogram: its `Comp`, counters, snapshots and time-series
/// state.
pub const COMPONENT_BYTES: u128 = 2048;
/// Per database replica set (a shard) besides its two histograms and version arrays.
pub const SHARD_BYTES: u128 = 1024;
/// Per cache or cdn entry: a slot (key, expiry, version, list links).
pub const CACHE_ENTRY_BYTES: u128 = 32;
/// Per cache or cdn entry under LFU: a count bucket.
pub const LFU_BUCKET_BYTES: u128 = 24;
/// A pending event: its time and the event (one radix-heap slot).
pub const EVENT_BYTES: u128 = 24;
/// A scaling action, recorded for the time series and the report's `scaling` list.
pub const SCALE_ACTION_BYTES: u128 = 192;
/// A time-series row besides its per-component and per-data-center cells: the row, and the
/// allocation of each of its eight lists.
pub const ROW_BYTES: u128 = 512;
/// Per component in a time-series row: eight figures.
pub const ROW_COMPONENT_BYTES: u128 = 104;

/// One part of a scenario's memory.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryPart {
    /// The field a problem about this part points at.
    pub path: String,
    /// Bytes.
    pub bytes: u128,
    /// What takes the memory, for messages: `this cache: 32 bytes per entry (...)`.
    pub what: String,
    /// How to make it smaller.
    pub fix: String,
}

/// What every kind's part of the estimate reads: the scenario, its users and its key space.
pub(crate) struct Sizing<'a> {
    /// The scenario being sized.
    pub(crate) sc: &'a Scenario,
    /// Its distinct users.
    pub(crate) users: u128,
    /// Its key space ([`Scenario::key_space`]).
    pub(crate) keys: u128,
}

/// The parts found so far, in the order they were added.
#[derive(Default)]
pub(crate) struct Parts(Vec<MemoryPart>);

impl Parts {
    /// Adds a part of `bytes` at `path`, unless it has no size.
    pub(crate) fn add(&mut self, path: String, bytes: u128, what: String, fix: &str) {
        if bytes > 0 {
            self.0.push(MemoryPart {
                path,
                bytes,
                what,
                fix: fix.to_string(),
            });
        }
    }
}

/// `n` nodes whose waiting room is bounded by `room` (`None`: unbounded): each a node and
/// its room's preallocated places.
pub(crate) fn nodes(n: u128, room: Option<u64>) -> u128 {
    n * (NODE_BYTES + ROOM_PLACE_BYTES * u128::from(room.unwrap_or(u64::MAX).min(ROOM_PREALLOC)))
}

/// The memory the model sizes from `sc`, part by part (parts of no size are left out).
/// Everything is counted at its largest (a cache full, an autoscaled group at `max`, a
/// resharding's transient tables), so the sum is what a run can reach before its requests
/// and pending events. Each component's part is its kind's (`KindDef::memory` in `scenario::kinds`).
pub fn estimate(sc: &Scenario) -> Vec<MemoryPart> {
    let s = Sizing {
        sc,
        users: u128::from(sc.traffic.users),
        keys: u128::from(sc.key_space()),
    };
    let mut parts = Parts::default();
    shared(&s, &mut parts);
    for (ci, c) in sc.components.iter().enumerate() {
        (super::kinds::def(c.kind.kind()).memory)(&s, ci, &mut parts);
    }
    faults(sc, &mut parts);
    // The time series: a row per window, a cell per component and data center.
    let n_comp = sc.components.len() as u128;
    let n_dc = sc.datacenters.len() as u128;
    let windows = u128::from(sc.duration.0 / sc.window.0.max(1)) + 1;
    parts.add(
        "window".into(),
        windows * (ROW_BYTES + ROW_COMPONENT_BYTES * n_comp + 8 * n_dc),
        format!("the time series ({windows} windows of {n_comp} components)"),
        "make the `window` longer",
    );
    parts.0
}

/// The parts every scenario has: per class, per component, per user.
fn shared(s: &Sizing<'_>, parts: &mut Parts) {
    let sc = s.sc;
    let users = s.users;
    let n_comp = sc.components.len() as u128;
    let n_class = sc.traffic.classes.len() as u128;
    // Per class: a latency histogram, and a slot in each component's per-class tables.
    parts.add(
        "traffic.classes".into(),
        n_class * (HIST_BYTES + 64 + 64 * n_comp),
        format!(
            "the latency histograms of {n_class} classes ({} each)",
            bytes_text(HIST_BYTES)
        ),
        "use fewer classes",
    );
    // Per component: a histogram, counters and a row and column of the hop table.
    parts.add(
        "components".into(),
        n_comp * (HIST_BYTES + COMPONENT_BYTES + 2 * (n_comp + 1)) + HIST_BYTES + WINDOW_HIST_BYTES,
        format!(
            "the latency histograms and counters of {n_comp} components ({} each)",
            bytes_text(HIST_BYTES)
        ),
        "use fewer components",
    );

    // Per-user tables of the client.
    let mut per_user = 0u128;
    let mut user_parts = Vec::new();
    if let Some(geo) = sc.components.iter().find_map(|c| match &c.kind {
        ComponentKind::Dns { geo, .. } => Some(geo.is_some()),
        _ => None,
    }) {
        let b = if geo { 9 } else { 8 };
        per_user += b;
        user_parts.push(format!("{b} for the client's DNS cache"));
    }
    if let Arrival::Closed { .. } = sc.traffic.arrival {
        per_user += EVENT_BYTES;
        user_parts.push(format!("{EVENT_BYTES} for a closed user's pending wake-up"));
    }
    parts.add(
        "traffic.users".into(),
        users * per_user,
        format!(
            "per-user tables ({per_user} bytes per user for {users} users: {})",
            user_parts.join(", ")
        ),
        "use fewer users",
    );
}

/// Faults that keep per-node state: a `random` fault a pending failure or repair per node
/// of its target while it lasts, `fail_dc` and `fail_primary` the nodes they took down (to
/// bring the same ones back).
fn faults(sc: &Scenario, parts: &mut Parts) {
    let all_nodes: u128 = (0..sc.components.len()).map(|i| node_count(sc, i)).sum();
    let mut fault_bytes = 0u128;
    for f in &sc.faults {
        fault_bytes += 64
            + match &f.action {
                FaultAction::Random { target, .. } => EVENT_BYTES * target_nodes(sc, *target),
                FaultAction::FailDc(_) => 4 * all_nodes,
                FaultAction::FailPrimary(d) => match &sc.components[*d].kind {
                    ComponentKind::Database { shards, .. } => 4 * u128::from(*shards),
                    _ => 0,
                },
                _ => 0,
            };
    }
    parts.add(
        "faults".into(),
        fault_bytes,
        format!(
            "the fault schedule's per-node state ({} faults: a pending event per node of a `random` fault's target, the nodes a `fail_dc` or `fail_primary` took down)",
            sc.faults.len()
        ),
        "use fewer faults, or target fewer nodes",
    );
}

/// The nodes the model builds for component `i`: an autoscaled group's `max` instances,
/// every node of every shard of a database (the shards `add_shard` adds included), one for
/// any other kind but the dns.
fn node_count(sc: &Scenario, i: usize) -> u128 {
    match &sc.components[i].kind {
        ComponentKind::Dns { .. } => 0,
        ComponentKind::Database {
            replicas, shards, ..
        } => (u128::from(*shards) + shard_adds(sc, i)) * (1 + u128::from(*replicas)),
        k => u128::from(k.allocated_instances()),
    }
}

/// The nodes a fault target stands for: one instance, one shard's nodes, or the component's.
fn target_nodes(sc: &Scenario, t: Target) -> u128 {
    match (&sc.components[t.comp].kind, t.instance) {
        (ComponentKind::Database { replicas, .. }, Some(_)) => 1 + u128::from(*replicas),
        (_, Some(_)) => 1,
        (_, None) => node_count(sc, t.comp).max(1),
    }
}

/// The `add_shard` faults on database `i`.
pub(crate) fn shard_adds(sc: &Scenario, i: usize) -> u128 {
    sc.faults
        .iter()
        .filter(|f| matches!(f.action, FaultAction::AddShard(d, _) if d == i))
        .count() as u128
}

/// The sum of [`estimate`], bytes.
pub fn total(sc: &Scenario) -> u128 {
    estimate(sc).iter().map(|p| p.bytes).sum()
}

/// An autoscaler: its scale-in ring (16 bytes per evaluation in `scale_in_window`) and the
/// scaling actions it records, at most one per evaluation and one per `cooldown`.
pub(crate) fn scaler(parts: &mut Parts, path: &str, a: Option<&Autoscale>, duration: SimTime) {
    let Some(a) = a else { return };
    let evals = a.scale_in_window.0.div_ceil(a.interval.0.max(1)).max(1);
    let every = a.interval.max(a.cooldown);
    let actions = u128::from(duration.0 / every.0.max(1)) + 1;
    parts.add(
        format!("{path}.autoscale"),
        1024 + 16 * u128::from(evals) + SCALE_ACTION_BYTES * actions,
        format!(
            "this group's scaling actions (at most one per {every}, the longer of `interval` and `cooldown`, over {duration}: {actions} actions of {SCALE_ACTION_BYTES} bytes)"
        ),
        "lengthen its `cooldown` or `interval`, or shorten the run",
    );
}

/// `bytes` for people: `3.6 GB`, `740 MB`, `311 KB`, `12 bytes` (decimal units).
pub fn bytes_text(bytes: u128) -> String {
    let b = bytes as f64;
    if b >= 1e12 {
        format!("{:.1} TB", b / 1e12)
    } else if b >= 1e9 {
        format!("{:.1} GB", b / 1e9).replace(".0 GB", " GB")
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.0} KB", b / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Scenario {
        Scenario::parse(text, "t", &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn bytes_read_as_decimal_units() {
        assert_eq!(bytes_text(12), "12 bytes");
        assert_eq!(bytes_text(311_296), "311 KB");
        assert_eq!(bytes_text(740_000_000), "740 MB");
        assert_eq!(bytes_text(3_600_000_000), "3.6 GB");
        assert_eq!(bytes_text(1_000_000_000), "1 GB");
        assert_eq!(bytes_text(27_034_500_000_000), "27.0 TB");
    }

    #[test]
    fn a_cache_costs_its_index_and_its_entries() {
        let sc = parse(
            "name: t\nduration: 1s\ntraffic:\n  rate: 10\n  classes: [{name: r, weight: 1, keys: {n: 1000}}]\nentry: c\ncomponents:\n  c: {kind: cache, capacity: 100, policy: lfu, latency: {const: 1ms}, miss: db}\n  db: {kind: database, workers: 1, read: {const: 1ms}, write: {const: 1ms}, replicas: 2, replication_lag: {const: 1ms}}\n",
        );
        let parts = estimate(&sc);
        let get = |p: &str| parts.iter().find(|x| x.path == p).expect(p).bytes;
        assert_eq!(
            get("components.c.capacity"),
            NODE_BYTES + 4 * 1000 + 56 * 100
        );
        // 1000 keys x (3 nodes + the acknowledged row) x 4 bytes, one shard.
        let node = NODE_BYTES + 4 * 1024;
        assert_eq!(
            get("components.db"),
            16_000 + SHARD_BYTES + 2 * HIST_BYTES + 3 * node + 48
        );
        assert_eq!(get("window"), 2 * (ROW_BYTES + 2 * ROW_COMPONENT_BYTES));
    }
}
