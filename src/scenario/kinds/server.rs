//! `server`: a group of identical instances, each serving `workers` requests at once from
//! a waiting room of `queue` places; a request's `service` time, then its `calls` in order,
//! holding the worker until it replies. Sessions (`session`, `session_store`, ...) and
//! `autoscale` are its own; the group part (count, workers, service, calls, autoscale) is
//! shared with `worker` groups.
//!
//! Its edges reach components that serve requests. Memory: a node per instance (at its
//! autoscaling `max`), the scaler's ring and actions, and local sessions (2 bytes per user).

use super::{Ctx, KindDef, Reach};
use crate::engine::Dist;
use crate::scenario::memory::{Parts, Sizing, bytes_text, nodes, scaler};
use crate::scenario::raw::{Kind, SessionLost, SessionMode};
use crate::scenario::resolve::{Problems, resolve_autoscale, resolve_dist};
use crate::scenario::{Autoscale, CompId, ComponentKind, MAX_INSTANCES, Sessions};

/// The server kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::Server,
    keys: &[
        "count",
        "workers",
        "queue",
        "service",
        "service_by_class",
        "calls",
        "session",
        "session_store",
        "relogin",
        "session_lost",
        "autoscale",
        "rate_limit",
        "rate_limit_by_class",
        "concurrency_limit",
        "shedding",
        "downstream",
        "instance",
        "scaling",
        "reliability",
    ],
    geo_keys: &["datacenter"],
    resolve,
    calls: Reach::Serving,
    memory,
};

/// What a server group and a worker group share, resolved.
pub(super) struct Group {
    /// Starting instances (autoscale's `min` when `count` is left out).
    pub(super) count: u32,
    /// The count is out of range (reported): the group is not built.
    pub(super) bad_count: bool,
    /// Requests one instance serves at once.
    pub(super) workers: Option<u32>,
    /// Service time per class.
    pub(super) service: Option<Vec<Dist>>,
    /// Calls per class.
    pub(super) calls: Option<Vec<Vec<CompId>>>,
    /// The autoscaling rule, if any.
    pub(super) autoscale: Option<Option<Autoscale>>,
}

/// The keys a server group and a worker group share: `count`, `autoscale`, `workers`,
/// `service`, `service_by_class` and `calls`, in that order.
pub(super) fn group(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Group {
    let rc = ctx.rc;
    // With autoscaling and no `count`, the group starts at `autoscale.min`.
    let count = rc
        .count
        .or(rc.autoscale.as_ref().and_then(|a| a.min))
        .unwrap_or(1);
    if count == 0 {
        pr.at(
            &ctx.path("count"),
            "expected a whole number of instances >= 1, found 0",
        );
    } else if count > MAX_INSTANCES {
        pr.at(
            &ctx.path("count"),
            format!("expected at most {MAX_INSTANCES} instances, found {count}"),
        );
    }
    let autoscale = match &rc.autoscale {
        None => Some(None),
        Some(a) => {
            resolve_autoscale(ctx.base, a, rc.kind == Kind::Worker, rc.count, count, pr).map(Some)
        }
    };
    let workers = ctx.workers(pr);
    let service = ctx.dist(
        pr,
        "service",
        &rc.service,
        "the distribution of the time one request takes",
    );
    let mut per_class = vec![service.clone(); ctx.classes.len()];
    if let Some(by) = &rc.service_by_class {
        for (cname, d) in by {
            let p = ctx.path(&format!("service_by_class.{cname}"));
            match ctx.class(cname) {
                None => pr.at_key(&p, ctx.not_a_class(cname)),
                Some(ci) => per_class[ci] = resolve_dist(&p, d, pr),
            }
        }
    }
    let calls = ctx.calls(pr);
    Group {
        count,
        bad_count: count == 0 || count > MAX_INSTANCES,
        workers,
        service: per_class.into_iter().collect(),
        calls,
        autoscale,
    }
}

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let Group {
        count,
        bad_count,
        workers,
        service,
        mut calls,
        autoscale,
    } = group(ctx, pr);
    let sessions = sessions(ctx, pr);
    let defences = super::defences::resolve(ctx, calls.as_deref(), pr);
    if let (Some(calls), Some(Some(Sessions::Store(store)))) = (calls.as_mut(), &sessions) {
        for (ci, c) in ctx.classes.iter().enumerate() {
            if c.session {
                calls[ci].insert(0, *store);
            }
        }
    }
    if bad_count {
        return None;
    }
    Some(ComponentKind::Server {
        count,
        workers: workers?,
        queue: ctx.queue(),
        service: service?,
        calls: calls?,
        sessions: sessions?,
        autoscale: autoscale?,
        defences: defences?,
    })
}

/// A server's `session`, `session_store`, `relogin` and `session_lost`. `Some(None)`: no
/// sessions; `None`: a problem was reported.
fn sessions(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<Option<Sessions>> {
    let rc = ctx.rc;
    let stray = |pr: &mut Problems<'_>, field: &str, given: bool, mode: &str| {
        if given {
            pr.at_key(
                &ctx.path(field),
                format!("`{field}` applies to `session: {mode}`"),
            );
        }
        given
    };
    match rc.session {
        None => {
            let a = stray(pr, "session_store", rc.session_store.is_some(), "store");
            let b = stray(pr, "relogin", rc.relogin.is_some(), "local");
            let c = stray(pr, "session_lost", rc.session_lost.is_some(), "local");
            (!(a || b || c)).then_some(None)
        }
        Some(SessionMode::Local) => {
            if stray(pr, "session_store", rc.session_store.is_some(), "store") {
                return None;
            }
            match rc.session_lost.unwrap_or(SessionLost::Relogin) {
                SessionLost::Relogin => {
                    let d = ctx.dist(
                        pr,
                        "relogin",
                        &rc.relogin,
                        "the extra service time of a request whose session was lost (or set `session_lost: fail`)",
                    )?;
                    Some(Some(Sessions::Local { relogin: Some(d) }))
                }
                SessionLost::Fail => {
                    if rc.relogin.is_some() {
                        pr.at_key(
                            &ctx.path("relogin"),
                            "`relogin` applies to `session_lost: relogin`, but session_lost is fail",
                        );
                        return None;
                    }
                    Some(Some(Sessions::Local { relogin: None }))
                }
            }
        }
        Some(SessionMode::Store) => {
            let a = stray(pr, "relogin", rc.relogin.is_some(), "local");
            let b = stray(pr, "session_lost", rc.session_lost.is_some(), "local");
            let store = ctx.refer(
                pr,
                "session_store",
                &rc.session_store,
                "the component that holds the sessions",
            );
            if a || b {
                return None;
            }
            Some(Some(Sessions::Store(store?)))
        }
    }
}

/// The memory a server instance's state for one defended callee takes at most, besides its
/// breaker's window (checked against the model's type in `model/kinds/calls/state.rs`).
pub(crate) const EDGE_INSTANCE_BYTES: u128 = 128;

fn memory(s: &Sizing<'_>, ci: CompId, parts: &mut Parts) {
    let c = &s.sc.components[ci];
    let ComponentKind::Server {
        queue,
        sessions,
        autoscale,
        defences,
        ..
    } = &c.kind
    else {
        return;
    };
    let path = format!("components.{}", c.name);
    let users = s.users;
    let n = u128::from(c.kind.allocated_instances());
    let local = match sessions {
        Some(Sessions::Local { .. }) => 2 * users,
        _ => 0,
    };
    scaler(parts, &path, autoscale.as_ref(), s.sc.duration);
    let mut what = format!(
        "this group's {n} instances ({} each, with the first places of its waiting room)",
        bytes_text(nodes(1, *queue))
    );
    if local > 0 {
        what += &format!(" and its local sessions (2 bytes per user for {users} users)");
    }
    // Per instance and defended callee: a breaker's window (a byte a call) and its state;
    // per callee a percentile hedge's 512 recent call times (and their copy).
    let defended: u128 = defences
        .downstream
        .iter()
        .map(|d| {
            n * (u128::from(d.breaker.map_or(0, |b| b.window)) + EDGE_INSTANCE_BYTES)
                + if d.hedge.is_some() { 2 * 512 * 8 } else { 0 }
        })
        .sum();
    if defended > 0 {
        what += &format!(
            ", the breakers, places and hedges of its {} defended callees",
            defences.downstream.len()
        );
    }
    parts.add(
        path,
        nodes(n, *queue) + local + defended,
        what,
        "use fewer instances (`count`, `autoscale.max`) or users",
    );
}
