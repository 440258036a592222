//! The fault schedule: one verb per fault, its target, its time and its options.

use super::*;

/// Resolves `web` or `web#2` to a target; instance numbers must exist.
pub(crate) fn resolve_target(
    sc: &RawScenario,
    names: &[&str],
    path: &str,
    text: &str,
    pr: &mut Problems,
) -> Option<Target> {
    let (name, instance) = match text.split_once('#') {
        Some((n, i)) => match i.parse::<u32>() {
            Ok(i) => (n, Some(i)),
            Err(_) => {
                pr.at(
                    path,
                    format!("expected a component or an instance like `web#2`, found `{text}`"),
                );
                return None;
            }
        },
        None => (text, None),
    };
    let Some(comp) = names.iter().position(|n| *n == name) else {
        pr.at(path, unknown_component(name, names));
        return None;
    };
    let rc = &sc.components[comp];
    if rc.kind == Kind::Dns {
        pr.at(
            path,
            format!("expected a component that serves requests, found `{name}`, a dns"),
        );
        return None;
    }
    if let Some(i) = instance {
        // An autoscaled group's instances up to `max` exist (some inactive) and can fail.
        let n = match rc.kind {
            Kind::Server | Kind::Worker => {
                let max = rc.autoscale.as_ref().and_then(|a| a.max).unwrap_or(0);
                rc.count.unwrap_or(1).max(max)
            }
            // A sharded database's instances are its shards (as configured at the start).
            Kind::Database => rc.shards.unwrap_or(1),
            _ => 1,
        };
        if i >= n {
            pr.at(
                path,
                format!(
                    "expected an instance of `{name}` from #0 to #{}, found #{i}",
                    n.saturating_sub(1)
                ),
            );
            return None;
        }
    }
    Some(Target { comp, instance })
}

pub(crate) fn resolve_faults(
    sc: &RawScenario,
    names: &[&str],
    dcs: &[&str],
    duration: SimTime,
    pr: &mut Problems,
) -> Option<Vec<Fault>> {
    let mut out = Vec::new();
    let mut good = true;
    for (i, f) in sc.faults.iter().flatten().enumerate() {
        match resolve_fault(sc, names, dcs, duration, &format!("faults[{i}]"), f, pr) {
            Some(fault) => out.push(fault),
            None => good = false,
        }
    }
    good.then_some(out)
}

/// The fault fields that belong to one kind of fault: (field, given in `f`, the verb it
/// belongs to).
pub(crate) fn verb_fields(f: &RawFault) -> [(&'static str, bool, &'static str); 4] {
    [
        ("factor", f.factor.is_some(), "slow"),
        ("mtbf", f.mtbf.is_some(), "random"),
        ("mttr", f.mttr.is_some(), "random"),
        ("migration", f.migration.is_some(), "add_shard"),
    ]
}

pub(crate) fn resolve_fault(
    sc: &RawScenario,
    names: &[&str],
    dcs: &[&str],
    duration: SimTime,
    base: &str,
    f: &RawFault,
    pr: &mut Problems,
) -> Option<Fault> {
    let (verb, target_text) = one_verb(base, f, pr)?;
    if f.at.is_none() && verb != "random" {
        pr.at(
            base,
            format!("a `{verb}` fault needs `at`: when it happens"),
        );
        return None;
    }
    let at = f.at.map_or(SimTime::ZERO, |d| d.0);
    if at >= duration {
        pr.at(
            &format!("{base}.at"),
            format!("expected a time before the end of the run ({duration}), found {at}"),
        );
        return None;
    }
    let until = match f.for_ {
        Some(d) if d.0 == SimTime::ZERO => {
            pr.at(
                &format!("{base}.for"),
                "expected a duration > 0, found 0s (leave `for` out to last until the end)",
            );
            return None;
        }
        Some(d) => Some(at + d.0),
        None => None,
    };
    let path = format!("{base}.{verb}");
    if verb == "fail_dc" {
        let dc = fail_dc(base, f, dcs, target_text, pr)?;
        return Some(Fault {
            at,
            until,
            action: FaultAction::FailDc(dc),
            label: format!("{verb} {target_text}"),
        });
    }
    let target = resolve_target(sc, names, &path, target_text, pr)?;
    let kind = sc.components[target.comp].kind;
    for (field, given, owner) in verb_fields(f) {
        if given && verb != owner {
            pr.at_key(
                &format!("{base}.{field}"),
                format!("`{field}` applies to `{owner}` faults, not `{verb}`"),
            );
            return None;
        }
    }
    let whole = |pr: &mut Problems, what: &str, ok: bool| -> Option<CompId> {
        if target.instance.is_some() {
            pr.at(
                &path,
                format!("`{verb}` acts on a whole {what}, found the instance `{target_text}`"),
            );
            return None;
        }
        if !ok {
            pr.at(
                &path,
                format!(
                    "`{verb}` needs a {what}, found `{}`, a {}",
                    names[target.comp],
                    kind.as_str()
                ),
            );
            return None;
        }
        Some(target.comp)
    };
    let action = match verb {
        "crash" => FaultAction::Crash(target),
        "partition" => FaultAction::Partition(target),
        "slow" => slow(base, f, target, names[target.comp], kind, pr)?,
        "flush" => {
            if f.for_.is_some() {
                pr.at_key(
                    &format!("{base}.for"),
                    "a flush happens at an instant: leave `for` out",
                );
                return None;
            }
            FaultAction::Flush(whole(
                pr,
                "cache or cdn",
                matches!(kind, Kind::Cache | Kind::Cdn),
            )?)
        }
        "add_shard" => {
            if f.for_.is_some() {
                pr.at_key(
                    &format!("{base}.for"),
                    "resharding happens at an instant: leave `for` out",
                );
                return None;
            }
            let db = whole(pr, "database", kind == Kind::Database)?;
            let migration = match &f.migration {
                None => None,
                Some(m) => Some(resolve_migration(&format!("{base}.migration"), m, pr)?),
            };
            FaultAction::AddShard(db, migration)
        }
        "fail_primary" => {
            let db = whole(pr, "database", kind == Kind::Database)?;
            if sc.components[db].replicas.unwrap_or(0) == 0 && f.for_.is_none() {
                pr.at(base, "a database without replicas cannot fail over: give `for` (when the primary comes back) or add replicas");
                return None;
            }
            FaultAction::FailPrimary(db)
        }
        _ => random(base, f, target, pr)?,
    };
    Some(Fault {
        at,
        until,
        action,
        label: format!("{verb} {target_text}"),
    })
}

/// The `migration` block of an `add_shard` fault: defaults filled, numbers checked.
pub(crate) fn resolve_migration(
    path: &str,
    m: &RawMigration,
    pr: &mut Problems,
) -> Option<Migration> {
    let rate = m.rate.unwrap_or(Migration::RATE_PER_S);
    if !rate.is_finite() || rate <= 0.0 {
        pr.at(
            &format!("{path}.rate"),
            format!("expected keys per second > 0, found {rate}"),
        );
        return None;
    }
    let batch = m.batch.unwrap_or(Migration::BATCH);
    if batch == 0 {
        pr.at(
            &format!("{path}.batch"),
            "expected a whole number of keys >= 1, found 0",
        );
        return None;
    }
    let cost = match &m.cost {
        Some(d) => resolve_dist(&format!("{path}.cost"), d, pr)?,
        None => Dist::Const(Migration::COST_NS),
    };
    Some(Migration {
        rate_per_s: rate,
        batch,
        cost,
    })
}

/// The fault's one verb and its target as written; otherwise a problem at `base`.
fn one_verb<'f>(
    base: &str,
    f: &'f RawFault,
    pr: &mut Problems,
) -> Option<(&'static str, &'f String)> {
    let verbs: Vec<(&str, &String)> = [
        ("crash", &f.crash),
        ("slow", &f.slow),
        ("partition", &f.partition),
        ("flush", &f.flush),
        ("fail_primary", &f.fail_primary),
        ("add_shard", &f.add_shard),
        ("random", &f.random),
        ("fail_dc", &f.fail_dc),
    ]
    .into_iter()
    .filter_map(|(n, v)| v.as_ref().map(|v| (n, v)))
    .collect();
    match verbs.as_slice() {
        [one] => Some(*one),
        [] => {
            pr.at(
                base,
                "expected one verb: crash, slow, partition, flush, fail_primary, add_shard, random or fail_dc",
            );
            None
        }
        [a, b, ..] => {
            pr.at(
                base,
                format!("expected one verb per fault, found `{}` and `{}`", a.0, b.0),
            );
            None
        }
    }
}

/// A `random` fault's action: its `mtbf` and `mttr`, each with a mean of at least
/// [`MIN_INTERVAL`].
fn random(base: &str, f: &RawFault, target: Target, pr: &mut Problems) -> Option<FaultAction> {
    let mtbf = match &f.mtbf {
        Some(d) => resolve_dist(&format!("{base}.mtbf"), d, pr)
            .filter(|d| mean_at_least_min_interval(pr, &format!("{base}.mtbf"), d, "up-times")),
        None => {
            pr.at(
                base,
                "a `random` fault needs `mtbf`: the distribution of up-times (like {exp: 10m})",
            );
            None
        }
    };
    let mttr = match &f.mttr {
        Some(d) => resolve_dist(&format!("{base}.mttr"), d, pr)
            .filter(|d| mean_at_least_min_interval(pr, &format!("{base}.mttr"), d, "repair times")),
        None => {
            pr.at(
                base,
                "a `random` fault needs `mttr`: the distribution of repair times (like {exp: 30s})",
            );
            None
        }
    };
    Some(FaultAction::Random {
        target,
        mtbf: mtbf?,
        mttr: mttr?,
    })
}

/// A `fail_dc` fault's data center: it takes no other fault's options, and needs the
/// scenario's `datacenters`.
fn fail_dc(
    base: &str,
    f: &RawFault,
    dcs: &[&str],
    target_text: &str,
    pr: &mut Problems,
) -> Option<usize> {
    let path = format!("{base}.fail_dc");
    for (field, given, _) in verb_fields(f) {
        if given {
            pr.at_key(
                &format!("{base}.{field}"),
                format!("`{field}` does not apply to `fail_dc` faults"),
            );
            return None;
        }
    }
    if dcs.is_empty() {
        pr.at(
            &path,
            format!(
                "`fail_dc` needs the top-level `datacenters`, and the scenario declares none (found `{target_text}`)"
            ),
        );
        return None;
    }
    dc_index(dcs, target_text, &path, Place::Value, pr)
}

/// A `slow` fault's action: its target has workers, and its `factor` is > 0.
fn slow(
    base: &str,
    f: &RawFault,
    target: Target,
    name: &str,
    kind: Kind,
    pr: &mut Problems,
) -> Option<FaultAction> {
    if !matches!(
        kind,
        Kind::Server | Kind::Database | Kind::Store | Kind::Worker
    ) {
        pr.at(&format!("{base}.slow"), format!(
            "`slow` needs a component with workers (server, database, store, worker), found `{}`, a {}",
            name,
            kind.as_str()
        ));
        return None;
    }
    match f.factor {
        None => {
            pr.at(
                base,
                "a `slow` fault needs `factor`: how many times longer service takes (like 5)",
            );
            None
        }
        Some(x) if !x.is_finite() || x <= 0.0 => {
            pr.at(
                &format!("{base}.factor"),
                format!("expected a factor > 0, found {x}"),
            );
            None
        }
        Some(x) => Some(FaultAction::Slow(target, x)),
    }
}
