//! `worker`: a group of instances that take jobs from a queue (the queue's `consumers`),
//! each serving `workers` jobs at once; a job's `service` time, then its `calls`. It shares
//! the group keys with `server` (see [`super::server::group`]) but has no waiting room and
//! no sessions; its autoscaler may follow the queue's backlog.
//!
//! Its edges reach components that serve requests. Memory: a node per instance (at its
//! autoscaling `max`) and the scaler's ring and actions.

use super::server::{Group, group};
use super::{Ctx, KindDef, Reach};
use crate::scenario::memory::{Parts, Sizing, bytes_text, nodes, scaler};
use crate::scenario::raw::Kind;
use crate::scenario::resolve::Problems;
use crate::scenario::{CompId, ComponentKind};

/// The worker kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::Worker,
    keys: &[
        "count",
        "workers",
        "service",
        "service_by_class",
        "calls",
        "autoscale",
        "instance",
        "scaling",
        "reliability",
    ],
    geo_keys: &["datacenter"],
    resolve,
    calls: Reach::Serving,
    memory,
};

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let Group {
        count,
        bad_count,
        workers,
        service,
        calls,
        autoscale,
    } = group(ctx, pr);
    if bad_count {
        return None;
    }
    Some(ComponentKind::Worker {
        count,
        workers: workers?,
        service: service?,
        calls: calls?,
        autoscale: autoscale?,
    })
}

fn memory(s: &Sizing<'_>, ci: CompId, parts: &mut Parts) {
    let c = &s.sc.components[ci];
    let ComponentKind::Worker { autoscale, .. } = &c.kind else {
        return;
    };
    let path = format!("components.{}", c.name);
    let n = u128::from(c.kind.allocated_instances());
    scaler(parts, &path, autoscale.as_ref(), s.sc.duration);
    parts.add(
        path,
        nodes(n, None),
        format!(
            "this group's {n} instances ({} each, with the first places of its waiting room)",
            bytes_text(nodes(1, None))
        ),
        "use fewer instances (`count`, `autoscale.max`)",
    );
}
