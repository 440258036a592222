//! Regions, data centers, and where each component stands in them.

use super::*;

/// Regions and data centers, resolved.
pub(crate) struct GeoParts {
    pub(crate) regions: Vec<Region>,
    pub(crate) dc_latency: Vec<Option<Dist>>,
}

/// The top-level `regions` and `datacenters`.
pub(crate) fn resolve_geo(raw: &RawScenario, pr: &mut Problems) -> Option<GeoParts> {
    let dcs: Vec<&str> = raw
        .datacenters
        .iter()
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    let n = dcs.len();
    let mut good = true;
    if let Some(m) = &raw.datacenters {
        if m.is_empty() {
            pr.at(
                "datacenters",
                "expected at least one data center (leave `datacenters` out for none)",
            );
            good = false;
        } else if m.len() > MAX_GEO {
            pr.at(
                "datacenters",
                format!("expected at most {MAX_GEO} data centers, found {}", m.len()),
            );
            return None;
        }
        for d in &dcs {
            if !valid_name(d) {
                pr.at_key(
                    &format!("datacenters.{d}"),
                    format!(
                        "expected a data center name of letters, digits, `_` or `-`, found `{d}`"
                    ),
                );
                good = false;
            }
        }
    }
    let mut dc_latency: Vec<Option<Dist>> = vec![None; n * n];
    for (a, (name, dc)) in raw.datacenters.iter().flatten().enumerate() {
        for (other, d) in dc.latency.iter().flatten() {
            let path = format!("datacenters.{name}.latency.{other}");
            let Some(b) = dc_index(&dcs, other, &path, Place::Key, pr) else {
                good = false;
                continue;
            };
            if a == b {
                pr.at_key(
                    &path,
                    "a data center's latency to itself is `network.hop`: give other data centers here",
                );
                good = false;
                continue;
            }
            if dc_latency[a * n + b].is_some() {
                pr.at_key(
                    &path,
                    format!("the latency between `{name}` and `{other}` is given twice: give each pair once (it is symmetric)"),
                );
                good = false;
                continue;
            }
            match resolve_dist(&path, d, pr) {
                Some(d) => {
                    dc_latency[a * n + b] = Some(d.clone());
                    dc_latency[b * n + a] = Some(d);
                }
                None => good = false,
            }
        }
    }
    if good {
        for a in 0..n {
            for b in a + 1..n {
                if dc_latency[a * n + b].is_none() {
                    pr.at(
                        "datacenters",
                        format!(
                            "expected a latency between `{}` and `{}` (in `datacenters.{}.latency` or `datacenters.{}.latency`)",
                            dcs[a], dcs[b], dcs[a], dcs[b]
                        ),
                    );
                    good = false;
                }
            }
        }
    }
    let regions = regions(raw, &dcs, &mut good, pr)?;
    good.then_some(GeoParts {
        regions,
        dc_latency,
    })
}

pub(crate) fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A component's `datacenter`: `Some(None)` when it has none (allowed), `None` on error.
pub(crate) fn component_datacenter(
    base: &str,
    rc: &RawComponent,
    dcs: &[&str],
    geo_declared: bool,
    pr: &mut Problems,
) -> Option<Option<usize>> {
    let global = matches!(rc.kind, Kind::Dns | Kind::Cdn);
    match &rc.datacenter {
        None if geo_declared && !global => {
            pr.at(
                base,
                format!(
                    "a {} needs `datacenter` when the scenario declares datacenters ({})",
                    rc.kind.as_str(),
                    dcs.join(", ")
                ),
            );
            None
        }
        None => Some(None),
        // A datacenter on a global kind is reported with the kind's fields.
        Some(_) if global => Some(None),
        Some(_) if !geo_declared => {
            pr.at_key(
                &format!("{base}.datacenter"),
                "`datacenter` needs the top-level `datacenters` to declare it",
            );
            None
        }
        Some(d) => dc_index(dcs, d, &format!("{base}.datacenter"), Place::Value, pr).map(Some),
    }
}

/// Where a problem points: at a mapping key (a name used as a key) or at a value.
#[derive(Clone, Copy)]
pub(crate) enum Place {
    Key,
    Value,
}

/// The index of data center `name` among `dcs`; otherwise a problem at `path`, naming the
/// data centers there are, and `None`.
pub(crate) fn dc_index(
    dcs: &[&str],
    name: &str,
    path: &str,
    place: Place,
    pr: &mut Problems,
) -> Option<usize> {
    let found = dcs.iter().position(|d| *d == name);
    if found.is_none() {
        let msg = format!(
            "expected the name of a data center ({}), found `{name}`{}",
            dcs.join(", "),
            de::mean(name, dcs)
        );
        match place {
            Place::Key => pr.at_key(path, msg),
            Place::Value => pr.at(path, msg),
        }
    }
    found
}

/// GeoDNS entries stand in the data center they answer for, and `entry` is one of them.
pub(crate) fn check_geo_entries(
    raw: &RawScenario,
    comps: &[Component],
    entry: Option<CompId>,
    pr: &mut Problems,
) {
    let Some((dns, geo)) = comps.iter().find_map(|c| match &c.kind {
        ComponentKind::Dns { geo: Some(g), .. } => Some((c.name.as_str(), g)),
        _ => None,
    }) else {
        return;
    };
    let dcs: Vec<&str> = raw
        .datacenters
        .iter()
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    for (d, e) in geo.entries.iter().enumerate() {
        let Some(e) = *e else { continue };
        let c = &comps[e];
        if c.datacenter != Some(d) {
            pr.at(
                &format!("components.{dns}.geo.{}", dcs[d]),
                format!(
                    "expected an entry component in `{}`, found `{}`, which is in `{}`",
                    dcs[d],
                    c.name,
                    c.datacenter.map_or("no data center", |x| dcs[x])
                ),
            );
        }
    }
    if let Some(e) = entry
        && !geo.entries.contains(&Some(e))
    {
        let list: Vec<&str> = geo
            .entries
            .iter()
            .flatten()
            .map(|&i| comps[i].name.as_str())
            .collect();
        pr.at(
            "entry",
            format!(
                "expected one of the GeoDNS entries ({}), found `{}`",
                list.join(", "),
                comps[e].name
            ),
        );
    }
}

/// The top-level `regions`: each one's share (normalised) and its latency to every data
/// center. A problem clears `good`; `None`: the list could not be read at all.
fn regions(
    raw: &RawScenario,
    dcs: &[&str],
    good: &mut bool,
    pr: &mut Problems,
) -> Option<Vec<Region>> {
    let n = dcs.len();
    let mut regions = Vec::new();
    if let Some(m) = &raw.regions {
        if raw.datacenters.is_none() {
            pr.at(
                "regions",
                "regions need `datacenters`: each region gives its latency to each data center",
            );
            return None;
        }
        if m.is_empty() || m.len() > MAX_GEO {
            pr.at(
                "regions",
                format!("expected from 1 to {MAX_GEO} regions, found {}", m.len()),
            );
            return None;
        }
        let mut total = 0.0;
        for (name, r) in m {
            let base = format!("regions.{name}");
            if !valid_name(name) {
                pr.at_key(
                    &base,
                    format!(
                        "expected a region name of letters, digits, `_` or `-`, found `{name}`"
                    ),
                );
                *good = false;
            }
            if !finite_non_negative(pr, &format!("{base}.share"), r.share, "a share", "") {
                *good = false;
            } else {
                total += r.share;
            }
            let mut latency: Vec<Option<Dist>> = vec![None; n];
            for (dc, d) in &r.latency {
                let path = format!("{base}.latency.{dc}");
                match dc_index(dcs, dc, &path, Place::Key, pr) {
                    None => *good = false,
                    Some(i) => latency[i] = resolve_dist(&path, d, pr),
                }
            }
            let missing: Vec<&str> = (0..n)
                .filter(|&i| latency[i].is_none() && r.latency.get(dcs[i]).is_none())
                .map(|i| dcs[i])
                .collect();
            if !missing.is_empty() {
                pr.at(
                    &format!("{base}.latency"),
                    format!(
                        "expected a latency to every data center, missing `{}`",
                        missing.join("`, `")
                    ),
                );
                *good = false;
            }
            let latency: Option<Vec<Dist>> = latency.into_iter().collect();
            if let Some(latency) = latency {
                regions.push(Region {
                    name: name.clone(),
                    share: r.share,
                    latency,
                });
            } else {
                *good = false;
            }
        }
        if *good && total <= 0.0 {
            pr.at(
                "regions",
                "expected region shares that sum to a positive value, found a sum of 0",
            );
            *good = false;
        }
        for r in &mut regions {
            r.share /= total;
        }
    }
    Some(regions)
}
