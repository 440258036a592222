//! The component kinds, in one table: for each [`Kind`] the keys it accepts, its resolver,
//! the kinds its edges may reach, and its part of the memory estimate.
//!
//! Each kind lives in a file of its own (`dns.rs`, `server.rs`, ...) that exports a
//! [`KindDef`]; [`KINDS`] lists them, and is the one place a kind is registered. The rest
//! of the scenario layer reads kinds only through this table: the key checks (which keys a
//! component may be given, with the data-center ones), the resolver dispatch, the call
//! rules the call-graph check applies, and the memory estimate. What is shared between
//! kinds (the component being resolved and its helpers) is in [`Ctx`].
//!
//! A new kind is: a file here, its line in [`KINDS`], its variant in [`Kind`] and in
//! [`ComponentKind`].

mod cache;
mod cdn;
mod ctx;
mod database;
mod defences;
mod dns;
mod load_balancer;
mod queue;
mod server;
mod store;
mod worker;

#[cfg(test)]
mod tests;

#[cfg(feature = "cli")]
pub(crate) use self::cache::EVICTION_POLICIES;
pub(crate) use self::ctx::Ctx;
#[cfg(feature = "cli")]
pub(crate) use self::load_balancer::POLICIES as LB_POLICIES;
#[cfg(test)]
pub(crate) use self::server::EDGE_INSTANCE_BYTES;

use super::memory::{Parts, Sizing};
use super::raw::{Kind, RawComponent};
use super::resolve::{ClassInfo, Problems};
use super::{CompId, ComponentKind};

/// One component kind: everything the scenario layer needs to know of it.
pub(crate) struct KindDef {
    /// The kind.
    pub(crate) kind: Kind,
    /// The keys it accepts besides `kind`, in the order error messages list them.
    pub(crate) keys: &'static [&'static str],
    /// The keys it accepts besides those when the scenario declares `datacenters`.
    pub(crate) geo_keys: &'static [&'static str],
    /// Its resolver: defaults filled, values checked, names resolved to indices. Runs
    /// after the keys were checked; reports every problem it finds and returns `None` if
    /// there was one.
    pub(crate) resolve: fn(&Ctx<'_>, &mut Problems<'_>) -> Option<ComponentKind>,
    /// Which components its edges may reach.
    pub(crate) calls: Reach,
    /// Its part of the memory estimate: adds the parts of component `CompId` (of this kind).
    pub(crate) memory: fn(&Sizing<'_>, CompId, &mut Parts),
}

/// What a kind's edges may reach (checked on the whole call graph, once every component
/// is resolved).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reach {
    /// It names no component (a dns's GeoDNS answers are checked with the data centers).
    Nothing,
    /// Its one edge reaches a component of kind `kind`; otherwise "expected {want}, found
    /// ...". With `own`, no earlier component of the same kind may reach the same target.
    Only {
        /// The kind its target must be.
        kind: Kind,
        /// The target as a message says it expects it.
        want: &'static str,
        /// The target is this component's alone: what the earlier component does to the
        /// target, and the fix (`("consumes queue", "give each queue its own workers")`).
        own: Option<(&'static str, &'static str)>,
    },
    /// Its edges reach components that serve requests: not a worker group (workers take
    /// jobs from a queue), not a dns or a cdn (clients use them by themselves).
    Serving,
}

/// Every kind, in the order of [`Kind::ALL`]. The one place a kind is registered.
static KINDS: [KindDef; 9] = [
    dns::DEF,
    load_balancer::DEF,
    server::DEF,
    database::DEF,
    cache::DEF,
    cdn::DEF,
    store::DEF,
    queue::DEF,
    worker::DEF,
];

/// The table entry of `kind`.
pub(crate) fn def(kind: Kind) -> &'static KindDef {
    KINDS
        .iter()
        .find(|d| d.kind == kind)
        .expect("every kind is in the table")
}

/// Keys that only exist with data centers; given without `datacenters`, the problem says so.
const GEO_FIELDS: [&str; 3] = ["datacenter", "geo", "replica_datacenters"];

/// The keys a component of `kind` accepts besides `kind`: its own, then, when the scenario
/// declares data centers (`geo`), the placement keys. This is the list the checks use, and
/// the one the documentation is tested against.
pub fn fields_with_geo(kind: Kind, geo: bool) -> Vec<&'static str> {
    let d = def(kind);
    let mut v = d.keys.to_vec();
    if geo {
        v.extend(d.geo_keys);
    }
    v
}

/// Resolves the component at `base` (`components.<name>`): its keys checked against its
/// kind, then its kind's resolver.
pub(crate) fn resolve(
    base: &str,
    rc: &RawComponent,
    names: &[&str],
    classes: &[ClassInfo],
    dcs: &[&str],
    geo_declared: bool,
    pr: &mut Problems<'_>,
) -> Option<ComponentKind> {
    let ctx = Ctx {
        base,
        rc,
        names,
        classes,
        dcs,
    };
    if !keys_apply(&ctx, geo_declared, pr) {
        return None;
    }
    (def(rc.kind).resolve)(&ctx, pr)
}

/// Every key given to the component applies to its kind (and to a scenario with or without
/// data centers); each one that does not is reported at its key.
fn keys_apply(ctx: &Ctx<'_>, geo_declared: bool, pr: &mut Problems<'_>) -> bool {
    let (base, rc) = (ctx.base, ctx.rc);
    let kind_name = rc.kind.as_str();
    let allowed = fields_with_geo(rc.kind, geo_declared);
    let mut ok = true;
    for f in rc.given_fields() {
        if GEO_FIELDS.contains(&f) && !geo_declared && f != "datacenter" {
            pr.at_key(
                &format!("{base}.{f}"),
                format!("`{f}` needs the top-level `datacenters` to declare the data centers"),
            );
            ok = false;
        } else if f == "datacenter" && !geo_declared {
            // Reported with the component's placement.
        } else if rc.kind == Kind::Dns && f == "health_check" && rc.geo.is_none() {
            pr.at_key(
                &format!("{base}.health_check"),
                "a dns checks data centers' health only with `geo`",
            );
            ok = false;
        } else if !allowed.contains(&f) {
            pr.at_key(
                &format!("{base}.{f}"),
                format!(
                    "`{f}` does not apply to a {kind_name}; a {kind_name} takes: {}",
                    allowed.join(", ")
                ),
            );
            ok = false;
        }
    }
    ok
}
