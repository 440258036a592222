//! `queue`: a message queue. Publishers' requests are answered once the message is stored;
//! its `consumers`, a worker group of its own, take the messages, each visible again after
//! `visibility_timeout` if not acknowledged, up to `max_attempts` deliveries.
//!
//! Its one edge reaches a worker group no other queue feeds. Memory: a node.

use super::{Ctx, KindDef, Reach};
use crate::engine::SimTime;
use crate::scenario::memory::{NODE_BYTES, Parts, Sizing};
use crate::scenario::raw::Kind;
use crate::scenario::resolve::Problems;
use crate::scenario::{CompId, ComponentKind, DEFAULT_MAX_ATTEMPTS, DEFAULT_VISIBILITY_TIMEOUT};

/// The queue kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::Queue,
    keys: &[
        "capacity",
        "latency",
        "consumers",
        "visibility_timeout",
        "max_attempts",
        "reliability",
    ],
    geo_keys: &["datacenter"],
    resolve,
    calls: Reach::Only {
        kind: Kind::Worker,
        want: "a worker group",
        own: Some(("consumes queue", "give each queue its own workers")),
    },
    memory,
};

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let rc = ctx.rc;
    let consumers = ctx.refer(
        pr,
        "consumers",
        &rc.consumers,
        "the worker group that takes the messages",
    );
    let latency = ctx.latency_or_zero(pr);
    let capacity = match rc.capacity {
        Some(0) => {
            pr.at(
                &ctx.path("capacity"),
                "expected room for at least 1 message, found 0 (leave it out for no limit)",
            );
            None
        }
        c => Some(c),
    };
    let vt = rc
        .visibility_timeout
        .map_or(DEFAULT_VISIBILITY_TIMEOUT, |d| d.0);
    if vt == SimTime::ZERO {
        pr.at(
            &ctx.path("visibility_timeout"),
            "expected a visibility timeout > 0, found 0s",
        );
    }
    let max_attempts = rc.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
    if max_attempts == 0 {
        pr.at(
            &ctx.path("max_attempts"),
            "expected at least 1 delivery attempt, found 0",
        );
    }
    if vt == SimTime::ZERO || max_attempts == 0 {
        return None;
    }
    Some(ComponentKind::Queue {
        capacity: capacity?,
        latency: latency?,
        consumers: consumers?,
        visibility_timeout: vt,
        max_attempts,
    })
}

fn memory(s: &Sizing<'_>, ci: CompId, parts: &mut Parts) {
    let c = &s.sc.components[ci];
    parts.add(
        format!("components.{}", c.name),
        NODE_BYTES,
        "this queue".into(),
        "",
    );
}
