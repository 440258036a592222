//! `dns`: name resolution. Clients look the entry up here when their cached answer has
//! expired; with `geo` it answers each user with the nearest healthy data center's entry.
//!
//! It names no component it calls (GeoDNS answers are checked with the data centers) and
//! takes no memory of its own beyond the client's per-user cache, counted with the users.

use super::{Ctx, KindDef, Reach};
use crate::scenario::memory::{Parts, Sizing};
use crate::scenario::raw::Kind;
use crate::scenario::resolve::{Place, Problems, dc_index, unknown_component};
use crate::scenario::{
    CompId, ComponentKind, DEFAULT_DNS_HEALTH_INTERVAL, DEFAULT_DNS_TTL, GeoDns, HealthCheck,
};

/// The dns kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::Dns,
    keys: &["latency", "ttl"],
    geo_keys: &["geo", "health_check"],
    resolve,
    calls: Reach::Nothing,
    memory,
};

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let rc = ctx.rc;
    let latency = ctx.dist(
        pr,
        "latency",
        &rc.latency,
        "the distribution of a lookup's duration",
    );
    let ttl = rc.ttl.map(|d| d.0).unwrap_or(DEFAULT_DNS_TTL);
    let geo = match &rc.geo {
        None => Some(None),
        Some(m) => geo_dns(ctx, m, pr).map(Some),
    };
    Some(ComponentKind::Dns {
        latency: latency?,
        ttl,
        geo: geo?,
    })
}

/// A dns's `geo` map (data center -> entry component) and its health checks.
fn geo_dns(
    ctx: &Ctx<'_>,
    m: &indexmap::IndexMap<String, String>,
    pr: &mut Problems<'_>,
) -> Option<GeoDns> {
    let (names, dcs) = (ctx.names, ctx.dcs);
    let mut good = true;
    if m.is_empty() {
        pr.at(
            &ctx.path("geo"),
            "expected at least one data center and its entry component",
        );
        good = false;
    }
    let mut entries = vec![None; dcs.len()];
    for (dc, comp) in m {
        let path = ctx.path(&format!("geo.{dc}"));
        let Some(d) = dc_index(dcs, dc, &path, Place::Key, pr) else {
            good = false;
            continue;
        };
        match names.iter().position(|n| n == comp) {
            None => {
                pr.at(&path, unknown_component(comp, names));
                good = false;
            }
            Some(c) => entries[d] = Some(c),
        }
    }
    let health = match &ctx.rc.health_check {
        None => Some(HealthCheck {
            interval: DEFAULT_DNS_HEALTH_INTERVAL,
            unhealthy: 3,
            healthy: 2,
        }),
        Some(h) => ctx.health(h, pr),
    };
    if !good {
        return None;
    }
    Some(GeoDns {
        entries,
        health: health?,
    })
}

fn memory(_: &Sizing<'_>, _: CompId, _: &mut Parts) {}
