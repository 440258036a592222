//! `store`: a key-value store (sessions, lookups): `workers` at once from a waiting room of
//! `queue` places, one `service` time per request.
//!
//! It names no component. Memory: a node with its waiting room's first places.

use super::{Ctx, KindDef, Reach};
use crate::scenario::memory::{Parts, Sizing, nodes};
use crate::scenario::raw::Kind;
use crate::scenario::resolve::Problems;
use crate::scenario::{CompId, ComponentKind};

/// The store kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::Store,
    keys: &[
        "workers",
        "queue",
        "service",
        "instance",
        "scaling",
        "reliability",
    ],
    geo_keys: &["datacenter"],
    resolve,
    calls: Reach::Nothing,
    memory,
};

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let w = ctx.workers(pr);
    let service = ctx.dist(
        pr,
        "service",
        &ctx.rc.service,
        "the distribution of one lookup's service time",
    );
    Some(ComponentKind::Store {
        workers: w?,
        queue: ctx.queue(),
        service: service?,
    })
}

fn memory(s: &Sizing<'_>, ci: CompId, parts: &mut Parts) {
    let c = &s.sc.components[ci];
    let ComponentKind::Store { queue, .. } = &c.kind else {
        return;
    };
    parts.add(
        format!("components.{}", c.name),
        nodes(1, *queue),
        "this store".into(),
        "",
    );
}
