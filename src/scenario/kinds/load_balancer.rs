//! `load_balancer`: spreads requests over the instances of one server group (`to`) by a
//! policy, optionally skipping instances its health checks found dead.
//!
//! Its one edge must reach a server group. Memory: a node, and a sticky balancer's
//! affinity table (2 bytes per user).

use super::{Ctx, KindDef, Reach};
use crate::scenario::memory::{NODE_BYTES, Parts, Sizing};
use crate::scenario::raw::{Kind, LbPolicy};
use crate::scenario::resolve::{Problems, named};
use crate::scenario::{CompId, ComponentKind};

/// The load_balancer kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::LoadBalancer,
    keys: &["policy", "to", "latency", "health_check", "reliability"],
    geo_keys: &["datacenter"],
    resolve,
    calls: Reach::Only {
        kind: Kind::Server,
        want: "a server group to balance over",
        own: None,
    },
    memory,
};

/// The policies, as written.
pub(crate) const POLICIES: [(&str, LbPolicy); 6] = [
    ("round_robin", LbPolicy::RoundRobin),
    ("random", LbPolicy::Random),
    ("least_connections", LbPolicy::LeastConnections),
    ("power_of_two", LbPolicy::PowerOfTwo),
    ("hash", LbPolicy::Hash),
    ("sticky", LbPolicy::Sticky),
];

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let rc = ctx.rc;
    let to = ctx.refer(pr, "to", &rc.to, "the server group it balances over");
    let latency = ctx.latency_or_zero(pr);
    let policy = match &rc.policy {
        None => Some(LbPolicy::RoundRobin),
        Some(p) => named(
            pr,
            &ctx.path("policy"),
            p,
            &POLICIES,
            "load balancing policy",
        ),
    };
    let health = match &rc.health_check {
        None => Some(None),
        Some(h) => ctx.health(h, pr).map(Some),
    };
    Some(ComponentKind::LoadBalancer {
        policy: policy?,
        to: to?,
        latency: latency?,
        health: health?,
    })
}

fn memory(s: &Sizing<'_>, ci: CompId, parts: &mut Parts) {
    let c = &s.sc.components[ci];
    let ComponentKind::LoadBalancer { policy, .. } = &c.kind else {
        return;
    };
    let users = s.users;
    let sticky = if *policy == LbPolicy::Sticky {
        2 * users
    } else {
        0
    };
    parts.add(
        format!("components.{}", c.name),
        NODE_BYTES + sticky,
        format!("this sticky balancer's affinity table (2 bytes per user for {users} users)"),
        "use fewer users or another policy",
    );
}
