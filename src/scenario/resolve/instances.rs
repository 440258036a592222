//! Instance types: the price table (the shipped types with the scenario's `prices`), the
//! `instance` a component names, and what that type does to its capacity (`scaling`).

use super::Problems;
use crate::scenario::de;
use crate::scenario::prices::{
    DEFAULT_COHERENCY, DEFAULT_CONTENTION, Scaling, VerticalScale, vertical,
};
use crate::scenario::raw::{RawComponent, RawScenario};
use crate::scenario::{ComponentKind, InstanceType};

/// The price table: the shipped instance types, with the scenario's `prices` added (an entry
/// of the same name replaces the shipped one).
pub(super) fn prices(raw: &RawScenario, pr: &mut Problems) -> Vec<InstanceType> {
    let mut table = crate::scenario::prices::default_prices();
    for (name, t) in raw.prices.iter().flatten() {
        let path = format!("prices.{name}");
        if t.vcpus == 0 {
            pr.at(
                &format!("{path}.vcpus"),
                "expected a whole number of vCPUs >= 1, found 0",
            );
        }
        if !(t.memory_gb.is_finite() && t.memory_gb > 0.0) {
            pr.at(
                &format!("{path}.memory_gb"),
                format!("expected GiB > 0, found {}", t.memory_gb),
            );
        }
        if !(t.hourly.is_finite() && t.hourly >= 0.0) {
            pr.at(
                &format!("{path}.hourly"),
                format!("expected dollars an hour >= 0, found {}", t.hourly),
            );
        }
        // A bad entry was reported above; it stays in the table, so that the components
        // naming it are not reported a second time.
        let it = InstanceType {
            name: name.clone(),
            vcpus: t.vcpus,
            memory_gb: t.memory_gb,
            hourly: t.hourly,
        };
        match table.iter_mut().find(|p| p.name == *name) {
            Some(p) => *p = it,
            None => table.push(it),
        }
    }
    table
}

/// The price table's index of a type named at `path`, or a did-you-mean problem.
fn lookup(path: &str, name: &str, prices: &[InstanceType], pr: &mut Problems) -> Option<usize> {
    let found = prices.iter().position(|p| p.name == name);
    if found.is_none() {
        let known: Vec<&str> = prices.iter().map(|p| p.name.as_str()).collect();
        pr.at(
            path,
            format!(
                "expected an instance type of the price table ({}; a scenario adds its own under `prices`), found `{name}`{}",
                known.join(", "),
                de::mean(name, known.iter().copied())
            ),
        );
    }
    found
}

/// The component's `instance`, as a price-table index.
pub(super) fn instance(
    base: &str,
    rc: &RawComponent,
    prices: &[InstanceType],
    pr: &mut Problems,
) -> Option<usize> {
    let t = rc.instance.as_ref()?;
    lookup(&format!("{base}.instance"), t, prices, pr)
}

/// The component's `scaling` checked, and applied to its workers and service times when
/// its instance type has other vCPUs than the reference type they are written for. Without
/// `scaling` the instance type prices the component and changes nothing else.
pub(super) fn scale(
    base: &str,
    rc: &RawComponent,
    instance: Option<usize>,
    kind: &mut ComponentKind,
    prices: &[InstanceType],
    pr: &mut Problems,
) -> Option<VerticalScale> {
    let path = format!("{base}.scaling");
    let raw = rc.scaling.as_ref()?;
    if rc.instance.is_none() {
        pr.at(
            &path,
            "scaling says how capacity follows the instance type's vCPUs: give the component an `instance` too",
        );
        return None;
    }
    let coefficient = |key: &str, v: Option<f64>, default: f64, pr: &mut Problems| match v {
        None => Some(default),
        Some(x) if (0.0..1.0).contains(&x) => Some(x),
        Some(x) => {
            pr.at(
                &format!("{path}.{key}"),
                format!("expected a share >= 0 and < 1, found {x}"),
            );
            None
        }
    };
    let contention = coefficient("contention", raw.contention, DEFAULT_CONTENTION, pr);
    let coherency = coefficient("coherency", raw.coherency, DEFAULT_COHERENCY, pr);
    let reference = lookup(&format!("{path}.reference"), &raw.reference, prices, pr);
    let scaling = Scaling {
        reference: reference?,
        contention: contention?,
        coherency: coherency?,
    };
    let (ty, reference) = (&prices[instance?], &prices[scaling.reference]);
    let workers = match kind {
        ComponentKind::Server { workers, .. }
        | ComponentKind::Worker { workers, .. }
        | ComponentKind::Database { workers, .. }
        | ComponentKind::Store { workers, .. } => workers,
        // A cache's lookups take no workers: its type prices it and nothing more.
        _ => return None,
    };
    let (scaled, v) = vertical(*workers, ty, reference, scaling)?;
    *workers = scaled;
    let f = v.service_factor;
    match kind {
        ComponentKind::Server { service, .. } | ComponentKind::Worker { service, .. } => {
            for d in service.iter_mut() {
                *d = d.scaled(f);
            }
        }
        ComponentKind::Database { read, write, .. } => {
            *read = read.scaled(f);
            *write = write.scaled(f);
        }
        ComponentKind::Store { service, .. } => *service = service.scaled(f),
        _ => {}
    }
    Some(v)
}
