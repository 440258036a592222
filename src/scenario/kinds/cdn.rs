//! `cdn`: static content at the edge. Classes marked `static: true` enter here; it answers
//! hits itself and fetches misses from its `origin`. It takes the cache keys of
//! [`super::cache::spec`]; there is at most one, and it stands in no data center.
//!
//! Its edge reaches a component that serves requests. Memory: as a cache's.

use super::{Ctx, KindDef, Reach, cache};
use crate::scenario::ComponentKind;
use crate::scenario::raw::Kind;
use crate::scenario::resolve::Problems;

/// The cdn kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::Cdn,
    keys: &[
        "capacity",
        "policy",
        "ttl",
        "latency",
        "origin",
        "prefill",
        "reliability",
    ],
    geo_keys: &[],
    resolve,
    calls: Reach::Serving,
    memory: cache::memory,
};

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let spec = cache::spec(ctx, pr);
    let origin = ctx.refer(
        pr,
        "origin",
        &ctx.rc.origin,
        "the component it fetches misses from",
    );
    Some(ComponentKind::Cdn {
        cache: spec?,
        origin: origin?,
    })
}
