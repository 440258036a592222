//! The second parsing stage: raw serde types to a validated [`Scenario`].
//!
//! Resolves names to indices, fills documented defaults, and checks every rule that serde
//! cannot: numbers in range, references that exist, fields that apply to the component's
//! kind, a call graph without cycles. It collects every problem instead of stopping at the
//! first, and points each at its line and column through [`Locations`].

use super::de;
use super::error::{Problem, ScenarioError};
use super::locate::{Locations, Pos};
use super::overrides::{self, Override};
use super::raw::*;
use super::yaml::{self, Origin};
use super::*;

/// Collects problems with their positions.
struct Problems<'a> {
    /// The tree, indexed by path on the first problem (a valid file never pays for it).
    root: &'a yaml::Node,
    locs: std::cell::OnceCell<Locations>,
    /// Paths set by `--set`, with the override text, so their errors say so.
    set: Vec<(String, String)>,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, path: &str, pos: Option<Pos>, message: String) {
        let from_set = self.set.iter().find(|(p, _)| {
            path == p || path.starts_with(&format!("{p}.")) || path.starts_with(&format!("{p}["))
        });
        let (message, pos) = match from_set {
            Some((_, text)) => (format!("{message} (set by --set {text})"), None),
            None => (message, pos),
        };
        self.list.push(Problem {
            path: path.to_string(),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
            message,
        });
    }
    fn locations(&self) -> &Locations {
        self.locs.get_or_init(|| Locations::from_tree(self.root))
    }
    /// A problem with the value at `path`.
    fn at(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.locations().value(path);
        self.push(path, pos, message.into());
    }
    /// A problem with the key at `path` (a field that should not be there).
    fn at_key(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.locations().key(path);
        self.push(path, pos, message.into());
    }
}

/// Parses, applies overrides, resolves. See [`Scenario::parse`].
pub fn parse(text: &str, source: &str, ovs: &[Override]) -> Result<Scenario, ScenarioError> {
    let fail = |problems: Vec<Problem>| ScenarioError {
        source: source.to_string(),
        problems,
    };
    let whole = |message: String| Problem {
        path: String::new(),
        line: None,
        column: None,
        message,
    };
    if text.len() > MAX_FILE_BYTES {
        return Err(fail(vec![whole(format!(
            "the file is {} bytes, more than {} MiB, the largest scenario file scalesim reads",
            text.len(),
            MAX_FILE_BYTES >> 20
        ))]));
    }
    if text.lines().all(|l| {
        let t = l.trim().trim_start_matches('\u{feff}');
        t.is_empty() || t.starts_with('#') || t == "---"
    }) {
        return Err(fail(vec![whole("the file is empty: expected a scenario mapping with name, duration, traffic, entry and components".into())]));
    }
    // Stage 1: the located tree, then the overrides on it.
    let (mut root, duplicates) = yaml::load_keep_going(text, Origin::File).map_err(fail)?;
    let mut set = Vec::new();
    let mut set_problems = Vec::new();
    for (i, ov) in ovs.iter().enumerate() {
        let canonical = overrides::canonical_path(&root, &ov.path);
        if let Err(m) = overrides::apply(&mut root, ov, i) {
            set_problems.push(Problem {
                path: canonical.clone(),
                line: None,
                column: None,
                message: format!("{m} (in --set {ov})"),
            });
        }
        set.push((canonical, ov.to_string()));
    }
    if !set_problems.is_empty() {
        return Err(ScenarioError {
            source: "--set".into(),
            problems: set_problems,
        });
    }
    // Stage 2: the raw types, every problem found.
    let geo = root.get("datacenters").is_some();
    let hint =
        |name: &'static str, node: &yaml::Node| -> Option<(&'static str, Vec<&'static str>)> {
            if name != "RawComponent" {
                return None;
            }
            let kind = Kind::from_name(node.get("kind")?.as_str()?)?;
            let mut fields = vec!["kind"];
            fields.extend(fields_with_geo(kind, geo));
            Some((kind.with_article(), fields))
        };
    let (raw, found, poison) = de::read::<RawScenario>(&root, &hint);
    let mut pr = Problems {
        root: &root,
        locs: std::cell::OnceCell::new(),
        set,
        list: duplicates,
    };
    // A typo'd key's problem already names the key it should be.
    let mut typos: Vec<(String, &'static str)> = Vec::new();
    for f in found {
        let pos = (f.origin == Origin::File).then_some(f.pos);
        if let (Some(instead), Some(parent)) = (f.instead, de::parent(&f.path)) {
            typos.push((parent.to_string(), instead));
        }
        pr.push(&f.path, pos, f.message);
    }
    // Stage 3: names, defaults and rules. A problem that may follow from one already found
    // (a rule about a field that could not be read, or a component that could not be) is
    // left out; damage to the whole traffic or component list skips this stage.
    let first_stage = pr.list.len();
    let scenario = match raw {
        Some(raw)
            if !poison
                .iter()
                .any(|p| p.is_empty() || p == "traffic" || p == "components") =>
        {
            resolve(&raw, &mut pr)
        }
        _ => None,
    };
    if !poison.is_empty() || !typos.is_empty() {
        // Components that could not be read, or whose kind could not: all they would say
        // is a consequence.
        let broken: Vec<&str> = poison
            .iter()
            .filter_map(|p| {
                let rest = p.strip_prefix("components.")?;
                let name = &rest[..rest.find(['.', '[']).unwrap_or(rest.len())];
                (rest == name || rest == format!("{name}.kind")).then_some(name)
            })
            .collect();
        let mut i = 0;
        pr.list.retain(|p| {
            i += 1;
            let follows = poison.iter().any(|q| de::related(&p.path, q))
                || broken.iter().any(|c| {
                    p.message.contains(&format!("`{c}`"))
                        || de::related(&p.path, &format!("components.{c}"))
                })
                || typos
                    .iter()
                    .any(|(at, key)| p.path == *at && p.message.contains(&format!("`{key}`")));
            i <= first_stage || !follows
        });
    }
    if pr.list.is_empty() {
        match scenario {
            Some(s) => Ok(s),
            None => Err(fail(vec![whole(
                "the scenario could not be read (no single problem was found to blame)".into(),
            )])),
        }
    } else {
        let mut list = pr.list;
        list.sort_by_key(|p| (p.line.unwrap_or(usize::MAX), p.column.unwrap_or(0)));
        Err(fail(list))
    }
}

fn resolve(raw: &RawScenario, pr: &mut Problems) -> Option<Scenario> {
    if raw.name.trim().is_empty() {
        pr.at("name", "expected a non-empty name");
    }
    let duration = raw.duration.0;
    if duration == SimTime::ZERO {
        pr.at("duration", "expected a duration > 0, found 0s");
    }
    let warmup = raw.warmup.map(|w| w.0).unwrap_or(SimTime::ZERO);
    if warmup >= duration && duration > SimTime::ZERO {
        pr.at(
            "warmup",
            format!("expected a warm-up shorter than the duration ({duration}), found {warmup}"),
        );
    }
    let window = raw.window.map(|w| w.0).unwrap_or(DEFAULT_WINDOW);
    if window == SimTime::ZERO {
        pr.at("window", "expected a window > 0, found 0s");
    } else if duration.0 / window.0.max(1) > MAX_WINDOWS {
        pr.at(
            "window",
            format!(
                "expected at most {} windows in the run, found {} (make the window longer)",
                crate::metrics::thousands(MAX_WINDOWS),
                duration.0 / window.0
            ),
        );
    }

    // Component names first, so that references can be checked.
    let names: Vec<&str> = raw.components.keys().map(String::as_str).collect();
    if names.is_empty() {
        pr.at("components", "expected at least one component");
    } else if names.len() > MAX_COMPONENTS {
        pr.at(
            "components",
            format!(
                "expected at most {MAX_COMPONENTS} components, found {}",
                names.len()
            ),
        );
    }
    for n in &names {
        if n.is_empty()
            || !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            || *n == "client"
        {
            pr.at_key(&format!("components.{n}"), format!(
                "expected a component name of letters, digits, `_` or `-` (not `client`), found `{n}`"
            ));
        }
    }
    let id_of = |n: &str| names.iter().position(|x| *x == n);

    let traffic = resolve_traffic(&raw.traffic, pr);
    // Past the size limits stop here: every component resolves per-class tables.
    let n_classes = raw.traffic.classes.as_ref().map_or(1, Vec::len);
    if names.len() > MAX_COMPONENTS || n_classes > MAX_CLASSES {
        return None;
    }
    // From the raw list, so that a bad weight does not also make every class "unknown".
    let classes: Vec<ClassInfo> = match &raw.traffic.classes {
        Some(list) => list
            .iter()
            .map(|c| ClassInfo {
                name: c.name.clone(),
                write: c.op.unwrap_or(if c.name == "write" {
                    Op::Write
                } else {
                    Op::Read
                }) == Op::Write,
                session: c.session.unwrap_or(false),
                is_static: c.is_static.unwrap_or(false),
            })
            .collect(),
        None => vec![ClassInfo {
            name: "default".to_string(),
            write: false,
            session: false,
            is_static: false,
        }],
    };

    let network = resolve_network(raw, &names, pr);
    let geo = resolve_geo(raw, pr);
    let dcs: Vec<&str> = raw
        .datacenters
        .iter()
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    let geo_declared = raw.datacenters.is_some();

    let mut components = Vec::new();
    let mut dns_seen: Option<&str> = None;
    let mut cdn_seen: Option<&str> = None;
    for (name, rc) in &raw.components {
        let base = format!("components.{name}");
        for (kind, seen) in [(Kind::Dns, &mut dns_seen), (Kind::Cdn, &mut cdn_seen)] {
            if rc.kind == kind {
                if let Some(first) = seen {
                    pr.at(&format!("{base}.kind"), format!(
                        "expected at most one {} component, found a second (the first is `{first}`)", kind.as_str()
                    ));
                }
                *seen = Some(name.as_str());
            }
        }
        if rc.kind == Kind::Cdn && !classes.iter().any(|c| c.is_static) {
            pr.at(
                &format!("{base}.kind"),
                "a cdn serves the classes marked `static: true`, and no class is",
            );
        }
        let datacenter = component_datacenter(&base, rc, &dcs, geo_declared, pr);
        if let Some(kind) = resolve_component(&base, rc, &names, &classes, &dcs, geo_declared, pr) {
            components.push(Component {
                name: name.clone(),
                kind,
                datacenter: datacenter.flatten(),
            });
        }
    }

    let entry = match id_of(&raw.entry) {
        Some(i) => {
            let k = raw.components[i].kind;
            if matches!(k, Kind::Dns | Kind::Cdn | Kind::Worker) {
                pr.at("entry", format!(
                    "expected the component dynamic requests enter (a load_balancer, server, cache, store, queue or database), found `{}`, a {}",
                    raw.entry, k.as_str()
                ));
            }
            Some(i)
        }
        None => {
            pr.at("entry", unknown_component(&raw.entry, &names));
            None
        }
    };

    let cdn = cdn_seen.and_then(id_of);
    let faults = resolve_faults(raw, &names, &dcs, duration, pr);
    if pr.list.is_empty() {
        check_geo_entries(raw, &components, entry, pr);
    }
    if pr.list.is_empty() {
        let geo_entries = components.iter().find_map(|c| match &c.kind {
            ComponentKind::Dns { geo: Some(g), .. } => Some(g.entries.clone()),
            _ => None,
        });
        let entries: Vec<CompId> = entry
            .into_iter()
            .chain(cdn)
            .chain(geo_entries.into_iter().flatten().flatten())
            .collect();
        check_call_graph(&components, &entries, pr);
    }
    if !pr.list.is_empty() {
        return None;
    }
    let scenario = Scenario {
        name: raw.name.clone(),
        about: raw.about.clone().unwrap_or_default().trim().to_string(),
        seed: raw.seed.unwrap_or(DEFAULT_SEED),
        duration,
        warmup,
        window,
        traffic: traffic?,
        network: network?,
        entry: entry?,
        cdn,
        components,
        faults: faults?,
        regions: geo.as_ref()?.regions.clone(),
        datacenters: dcs.iter().map(|d| d.to_string()).collect(),
        dc_latency: geo?.dc_latency,
    };
    resolve_memory(&scenario, raw.window.is_some(), pr).then_some(scenario)
}

/// The model sized from `sc` must fit in [`MAX_MEMORY`]; otherwise the problem points at
/// the largest part of it (the time series at `window`, or at `duration` when the window
/// is the default). Checked last, on an otherwise valid scenario.
fn resolve_memory(sc: &Scenario, window_given: bool, pr: &mut Problems) -> bool {
    let parts = memory::estimate(sc);
    let total: u128 = parts.iter().map(|p| p.bytes).sum();
    if total <= u128::from(MAX_MEMORY) {
        return true;
    }
    let big = parts
        .iter()
        .max_by_key(|p| p.bytes)
        .expect("a total above the limit has parts");
    let fix = if big.fix.is_empty() {
        String::new()
    } else {
        format!("; {}", big.fix)
    };
    let path = if big.path == "window" && !window_given {
        "duration"
    } else {
        &big.path
    };
    pr.at(
        path,
        format!(
            "expected a scenario whose model fits in {} (the memory limit), found one that needs about {}: {} for {}{fix}",
            memory::bytes_text(u128::from(MAX_MEMORY)),
            memory::bytes_text(total),
            memory::bytes_text(big.bytes),
            big.what
        ),
    );
    false
}

/// Regions and data centers, resolved.
struct GeoParts {
    regions: Vec<Region>,
    dc_latency: Vec<Option<Dist>>,
}

/// The top-level `regions` and `datacenters`.
fn resolve_geo(raw: &RawScenario, pr: &mut Problems) -> Option<GeoParts> {
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
                good = false;
            }
            if !finite_non_negative(pr, &format!("{base}.share"), r.share, "a share", "") {
                good = false;
            } else {
                total += r.share;
            }
            let mut latency: Vec<Option<Dist>> = vec![None; n];
            for (dc, d) in &r.latency {
                let path = format!("{base}.latency.{dc}");
                match dc_index(&dcs, dc, &path, Place::Key, pr) {
                    None => good = false,
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
                good = false;
            }
            let latency: Option<Vec<Dist>> = latency.into_iter().collect();
            if let Some(latency) = latency {
                regions.push(Region {
                    name: name.clone(),
                    share: r.share,
                    latency,
                });
            } else {
                good = false;
            }
        }
        if good && total <= 0.0 {
            pr.at(
                "regions",
                "expected region shares that sum to a positive value, found a sum of 0",
            );
            good = false;
        }
        for r in &mut regions {
            r.share /= total;
        }
    }
    good.then_some(GeoParts {
        regions,
        dc_latency,
    })
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A component's `datacenter`: `Some(None)` when it has none (allowed), `None` on error.
fn component_datacenter(
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
enum Place {
    Key,
    Value,
}

/// The index of data center `name` among `dcs`; otherwise a problem at `path`, naming the
/// data centers there are, and `None`.
fn dc_index(
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
fn check_geo_entries(
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

fn unknown_component(name: &str, names: &[&str]) -> String {
    format!(
        "expected the name of a component ({}), found `{name}`{}",
        names.join(", "),
        de::mean(name, names)
    )
}

fn finite_positive(pr: &mut Problems, path: &str, v: f64, what: &str) -> bool {
    if !v.is_finite() || v <= 0.0 {
        pr.at(path, format!("expected {what} > 0, found {v}"));
        false
    } else {
        true
    }
}

/// Reports "expected {what} >= 0{unit}, found {v}" at `path` unless `v` is finite and >= 0.
fn finite_non_negative(pr: &mut Problems, path: &str, v: f64, what: &str, unit: &str) -> bool {
    if !v.is_finite() || v < 0.0 {
        pr.at(path, format!("expected {what} >= 0{unit}, found {v}"));
        false
    } else {
        true
    }
}

/// Reports a rate above [`MAX_RATE`] at `path`.
fn rate_at_most_max(pr: &mut Problems, path: &str, rate: f64) -> bool {
    if rate > MAX_RATE {
        // Huge values in scientific notation (`1e308`, not 309 digits).
        let shown = if rate >= 1e15 {
            format!("{rate:e}")
        } else {
            rate.to_string()
        };
        pr.at(
            path,
            format!("expected at most 10,000,000 requests per second, found {shown}"),
        );
        false
    } else {
        true
    }
}

/// Closed users may not offer more than [`MAX_RATE`] between them: each needs a mean think
/// time of at least `users` x 100 ns. A zero think time would let requests that meet no delay
/// loop forever at one instant.
fn closed_rate_ok(pr: &mut Problems, users: u64, think: &Dist) -> bool {
    let min_ns = users as f64 * 1e9 / MAX_RATE;
    let mean = think.mean_ns();
    if mean < min_ns {
        pr.at(
            "traffic.think",
            format!(
                "expected a mean think time of at least {} for {users} users (at most 10,000,000 requests per second between them), found {}",
                SimTime::from_nanos(min_ns.ceil() as u64),
                SimTime::from_nanos(mean.round() as u64)
            ),
        );
        false
    } else {
        true
    }
}

/// A random fault's up-times and repair times must have a mean of at least
/// [`MIN_INTERVAL`]: with zero the instance would fail and recover forever at one instant.
fn mean_at_least_min_interval(pr: &mut Problems, path: &str, d: &Dist, what: &str) -> bool {
    let mean = d.mean_ns();
    if mean < MIN_INTERVAL.0 as f64 {
        pr.at(
            path,
            format!(
                "expected {what} with a mean of at least {MIN_INTERVAL}, found a mean of {}",
                SimTime::from_nanos(mean.round() as u64)
            ),
        );
        false
    } else {
        true
    }
}

fn resolve_traffic(t: &RawTraffic, pr: &mut Problems) -> Option<Traffic> {
    let arrival_kind = t.arrival.unwrap_or(ArrivalKind::Poisson);
    let users = t.users.unwrap_or(DEFAULT_USERS);
    if users == 0 {
        pr.at(
            "traffic.users",
            "expected a whole number of users >= 1, found 0",
        );
    } else if users > MAX_KEYS {
        pr.at(
            "traffic.users",
            format!("expected at most {MAX_KEYS} users, found {users}"),
        );
    }
    let arrival = match arrival_kind {
        ArrivalKind::Poisson => {
            if t.think.is_some() {
                pr.at_key("traffic.think", "`think` applies to closed arrivals only (set `arrival: closed`), but arrival is poisson");
            }
            match (&t.rate, &t.profile) {
                (Some(_), Some(_)) => {
                    pr.at_key(
                        "traffic.profile",
                        "expected either `rate` or `profile`, found both",
                    );
                    None
                }
                (None, None) => {
                    pr.at("traffic", "expected `rate` (requests per second) or a rate `profile` for poisson arrivals");
                    None
                }
                (Some(r), None) => {
                    (finite_positive(pr, "traffic.rate", *r, "a rate in requests per second")
                        && rate_at_most_max(pr, "traffic.rate", *r))
                    .then(|| Arrival::Open(RateProfile::constant(*r)))
                }
                (None, Some(points)) => resolve_profile(points, pr).map(Arrival::Open),
            }
        }
        ArrivalKind::Closed => {
            if t.rate.is_some() {
                pr.at_key("traffic.rate", "`rate` applies to poisson arrivals; closed users send at their own pace (set `think` instead)");
            }
            if t.profile.is_some() {
                pr.at_key(
                    "traffic.profile",
                    "`profile` applies to poisson arrivals; closed users send at their own pace",
                );
            }
            if t.users.is_none() {
                pr.at(
                    "traffic",
                    "closed arrivals need `users`: how many users send requests",
                );
            }
            let users_ok = users <= MAX_CLOSED_USERS;
            if !users_ok && users <= MAX_KEYS {
                pr.at(
                    "traffic.users",
                    format!(
                        "expected at most {} closed users (each may have a request in flight), found {users}",
                        crate::metrics::thousands(MAX_CLOSED_USERS)
                    ),
                );
            }
            match &t.think {
                Some(d) => resolve_dist("traffic.think", d, pr)
                    .filter(|think| users_ok && closed_rate_ok(pr, users, think))
                    .map(|think| Arrival::Closed { think }),
                None => {
                    pr.at("traffic", "closed arrivals need `think`: the distribution of a user's pause between requests");
                    None
                }
            }
        }
    };
    let timeout = t.timeout.map(|d| d.0);
    if timeout == Some(SimTime::ZERO) {
        pr.at(
            "traffic.timeout",
            "expected a timeout > 0, found 0s (leave it out for no timeout)",
        );
    }
    let classes = match &t.classes {
        None => vec![Class {
            name: "default".into(),
            weight: 1.0,
            op: Op::Read,
            keys: Keys::User,
            hot: 0.0,
            is_static: false,
            session: false,
        }],
        Some(list) => resolve_classes(list, pr)?,
    };
    let retries = match &t.retries {
        None => Some(None),
        Some(r) => resolve_retries(r, pr).map(Some),
    };
    Some(Traffic {
        retries: retries?,
        users,
        arrival: arrival?,
        timeout,
        classes,
    })
}

fn resolve_retries(r: &RawRetries, pr: &mut Problems) -> Option<Retries> {
    let mut good = true;
    if r.max > 100 {
        pr.at(
            "traffic.retries.max",
            format!("expected at most 100 retries, found {}", r.max),
        );
        good = false;
    }
    let backoff = match &r.backoff {
        Some(d) => resolve_dist("traffic.retries.backoff", d, pr),
        None => Some(Dist::Const(0)),
    };
    let multiplier = r.multiplier.unwrap_or(1.0);
    if !multiplier.is_finite() || multiplier < 1.0 {
        pr.at(
            "traffic.retries.multiplier",
            format!("expected a multiplier >= 1, found {multiplier}"),
        );
        good = false;
    }
    let on: Vec<String> = match &r.on {
        None => DEFAULT_RETRY_ON.iter().map(|c| c.to_string()).collect(),
        Some(list) => {
            for (i, c) in list.iter().enumerate() {
                if !FAILURE_CAUSES.contains(&c.as_str()) {
                    pr.at(
                        &format!("traffic.retries.on[{i}]"),
                        format!(
                            "unknown failure cause `{c}`, expected one of {}",
                            FAILURE_CAUSES.join(", ")
                        ),
                    );
                    good = false;
                }
            }
            list.clone()
        }
    };
    if let Some(b) = r.budget
        && (!b.is_finite() || b <= 0.0)
    {
        pr.at(
            "traffic.retries.budget",
            format!("expected a budget > 0 (retries per first attempt, like 0.1), found {b}"),
        );
        good = false;
    }
    let backoff = backoff?;
    good.then_some(Retries {
        max: r.max,
        backoff,
        multiplier,
        jitter: r.jitter == Some(Jitter::Full),
        on,
        budget: r.budget,
    })
}

/// Resolves `web` or `web#2` to a target; instance numbers must exist.
fn resolve_target(
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

fn resolve_faults(
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
fn verb_fields(f: &RawFault) -> [(&'static str, bool, &'static str); 4] {
    [
        ("factor", f.factor.is_some(), "slow"),
        ("mtbf", f.mtbf.is_some(), "random"),
        ("mttr", f.mttr.is_some(), "random"),
        ("migration", f.migration.is_some(), "add_shard"),
    ]
}

fn resolve_fault(
    sc: &RawScenario,
    names: &[&str],
    dcs: &[&str],
    duration: SimTime,
    base: &str,
    f: &RawFault,
    pr: &mut Problems,
) -> Option<Fault> {
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
    let (verb, target_text) = match verbs.as_slice() {
        [one] => *one,
        [] => {
            pr.at(
                base,
                "expected one verb: crash, slow, partition, flush, fail_primary, add_shard, random or fail_dc",
            );
            return None;
        }
        [a, b, ..] => {
            pr.at(
                base,
                format!("expected one verb per fault, found `{}` and `{}`", a.0, b.0),
            );
            return None;
        }
    };
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
        let dc = dc_index(dcs, target_text, &path, Place::Value, pr)?;
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
        "slow" => {
            if !matches!(
                kind,
                Kind::Server | Kind::Database | Kind::Store | Kind::Worker
            ) {
                pr.at(&path, format!(
                    "`slow` needs a component with workers (server, database, store, worker), found `{}`, a {}",
                    names[target.comp],
                    kind.as_str()
                ));
                return None;
            }
            match f.factor {
                None => {
                    pr.at(base, "a `slow` fault needs `factor`: how many times longer service takes (like 5)");
                    return None;
                }
                Some(x) if !x.is_finite() || x <= 0.0 => {
                    pr.at(
                        &format!("{base}.factor"),
                        format!("expected a factor > 0, found {x}"),
                    );
                    return None;
                }
                Some(x) => FaultAction::Slow(target, x),
            }
        }
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
        _ => {
            let mtbf = match &f.mtbf {
                Some(d) => resolve_dist(&format!("{base}.mtbf"), d, pr).filter(|d| {
                    mean_at_least_min_interval(pr, &format!("{base}.mtbf"), d, "up-times")
                }),
                None => {
                    pr.at(base, "a `random` fault needs `mtbf`: the distribution of up-times (like {exp: 10m})");
                    None
                }
            };
            let mttr = match &f.mttr {
                Some(d) => resolve_dist(&format!("{base}.mttr"), d, pr).filter(|d| {
                    mean_at_least_min_interval(pr, &format!("{base}.mttr"), d, "repair times")
                }),
                None => {
                    pr.at(base, "a `random` fault needs `mttr`: the distribution of repair times (like {exp: 30s})");
                    None
                }
            };
            FaultAction::Random {
                target,
                mtbf: mtbf?,
                mttr: mttr?,
            }
        }
    };
    Some(Fault {
        at,
        until,
        action,
        label: format!("{verb} {target_text}"),
    })
}

fn resolve_profile(points: &[RawProfilePoint], pr: &mut Problems) -> Option<RateProfile> {
    if points.is_empty() {
        pr.at(
            "traffic.profile",
            "expected at least one point like {at: 0s, rate: 1000}",
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    let mut any_positive = false;
    for (i, p) in points.iter().enumerate() {
        let path = format!("traffic.profile[{i}]");
        if !finite_non_negative(
            pr,
            &format!("{path}.rate"),
            p.rate,
            "a rate",
            " requests per second",
        ) || !rate_at_most_max(pr, &format!("{path}.rate"), p.rate)
        {
            ok = false;
        }
        any_positive |= p.rate > 0.0;
        let ramp = p.ramp.map(|d| d.0).unwrap_or(SimTime::ZERO);
        if let Some(prev) = out.last().map(|q: &RatePoint| q.at + q.ramp)
            && p.at.0 < prev
        {
            pr.at(&format!("{path}.at"), format!(
                "expected points in time order, each at or after the previous one's end ({prev}), found {}", p.at.0
            ));
            ok = false;
        }
        out.push(RatePoint {
            at: p.at.0,
            rate_per_s: p.rate,
            ramp,
        });
    }
    if ok && !any_positive {
        pr.at(
            "traffic.profile",
            "expected at least one point with a rate > 0",
        );
        ok = false;
    }
    ok.then_some(RateProfile { points: out })
}

fn resolve_classes(list: &[RawClass], pr: &mut Problems) -> Option<Vec<Class>> {
    if list.is_empty() {
        pr.at(
            "traffic.classes",
            "expected at least one class (or leave `classes` out for a single class)",
        );
        return None;
    }
    if list.len() > MAX_CLASSES {
        pr.at(
            "traffic.classes",
            format!(
                "expected at most {MAX_CLASSES} classes, found {}",
                list.len()
            ),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    let mut total = 0.0;
    for (i, c) in list.iter().enumerate() {
        let path = format!("traffic.classes[{i}]");
        if c.name.is_empty() || list[..i].iter().any(|d| d.name == c.name) {
            pr.at(
                &format!("{path}.name"),
                format!(
                    "expected a unique, non-empty class name, found `{}`",
                    c.name
                ),
            );
            ok = false;
        }
        if !finite_non_negative(pr, &format!("{path}.weight"), c.weight, "a weight", "") {
            ok = false;
        } else {
            total += c.weight;
        }
        let keys = match &c.keys {
            None => Keys::User,
            Some(k) => {
                if k.n == 0 {
                    pr.at(
                        &format!("{path}.keys.n"),
                        "expected a number of keys >= 1, found 0",
                    );
                    ok = false;
                } else if k.n > MAX_KEYS {
                    pr.at(
                        &format!("{path}.keys.n"),
                        format!("expected at most {MAX_KEYS} keys, found {}", k.n),
                    );
                    ok = false;
                }
                match k.zipf {
                    None => Keys::Uniform { n: k.n },
                    Some(s) if s.is_finite() && s >= 0.0 => Keys::Zipf { n: k.n, s },
                    Some(s) => {
                        pr.at(
                            &format!("{path}.keys.zipf"),
                            format!("expected a Zipf exponent >= 0 (1.0 is typical), found {s}"),
                        );
                        ok = false;
                        Keys::Uniform { n: k.n }
                    }
                }
            }
        };
        if c.is_static == Some(true) && c.op == Some(Op::Write) {
            pr.at(
                &format!("{path}.op"),
                "a static class serves files and cannot write: leave `op` out or drop `static`",
            );
            ok = false;
        }
        let op = c.op.unwrap_or(if c.name == "write" {
            Op::Write
        } else {
            Op::Read
        });
        let hot = c.keys.as_ref().and_then(|k| k.hot).unwrap_or(0.0);
        if !(0.0..=1.0).contains(&hot) {
            pr.at(
                &format!("{path}.keys.hot"),
                format!("expected a share of requests from 0 to 1, found {hot}"),
            );
            ok = false;
        }
        out.push(Class {
            name: c.name.clone(),
            weight: c.weight,
            op,
            keys,
            hot,
            is_static: c.is_static.unwrap_or(false),
            session: c.session.unwrap_or(false),
        });
    }
    if ok && total <= 0.0 {
        pr.at(
            "traffic.classes",
            format!("expected class weights that sum to a positive value, found a sum of {total}"),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    for c in &mut out {
        c.weight /= total;
    }
    Some(out)
}

fn resolve_network(sc: &RawScenario, names: &[&str], pr: &mut Problems) -> Option<Network> {
    let raw = sc.network.as_ref();
    let is_dns = |i: usize| sc.components[i].kind == Kind::Dns;
    let hop = match raw.and_then(|n| n.hop.as_ref()) {
        Some(d) => resolve_dist("network.hop", d, pr),
        None => Some(Dist::Const(DEFAULT_HOP.0)),
    };
    let n_links = raw.and_then(|n| n.links.as_ref()).map_or(0, Vec::len);
    if n_links > 10_000 {
        pr.at(
            "network.links",
            format!("expected at most 10,000 links, found {n_links}"),
        );
        return None;
    }
    let mut links = Vec::new();
    for (i, l) in raw
        .and_then(|n| n.links.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
    {
        let path = format!("network.links[{i}]");
        let from = if l.from == "client" {
            Some(None)
        } else {
            match names.iter().position(|n| *n == l.from) {
                Some(ix) => Some(Some(ix)),
                None => {
                    pr.at(
                        &format!("{path}.from"),
                        format!(
                            "expected `client` or the name of a component ({}), found `{}`{}",
                            names.join(", "),
                            l.from,
                            de::mean(&l.from, names.iter().copied().chain(["client"]))
                        ),
                    );
                    None
                }
            }
        };
        let to = names.iter().position(|n| *n == l.to);
        if to.is_none() {
            pr.at(&format!("{path}.to"), unknown_component(&l.to, names));
        }
        let mut ok = true;
        for (field, end) in [("from", from.flatten()), ("to", to)] {
            if let Some(e) = end
                && is_dns(e)
            {
                pr.at(&format!("{path}.{field}"), format!(
                    "expected a component that serves requests, found `{}`, a dns (a lookup's latency is the dns component's `latency`)",
                    names[e]
                ));
                ok = false;
            }
        }
        if let (Some(None), Some(t)) = (from, to)
            && names[t] != sc.entry
            && sc.components[t].kind != Kind::Cdn
        {
            pr.at(
                &format!("{path}.to"),
                format!(
                    "expected the entry component `{}` or a cdn: clients send only there, found `{}`",
                    sc.entry, names[t]
                ),
            );
            ok = false;
        }
        let latency = resolve_dist(&format!("{path}.latency"), &l.latency, pr);
        if !ok {
            continue;
        }
        if let (Some(from), Some(to), Some(latency)) = (from, to, latency) {
            links.push(Link { from, to, latency });
        }
    }
    let connect_timeout = raw
        .and_then(|n| n.connect_timeout)
        .map_or(DEFAULT_CONNECT_TIMEOUT, |d| d.0);
    if connect_timeout == SimTime::ZERO {
        pr.at(
            "network.connect_timeout",
            "expected a connect timeout > 0, found 0s",
        );
    }
    Some(Network {
        hop: hop?,
        links,
        connect_timeout,
    })
}

/// What the component pass needs to know of each class. Read from the raw list so that a bad
/// class elsewhere does not also make every component's class references fail.
struct ClassInfo {
    name: String,
    write: bool,
    session: bool,
    is_static: bool,
}

/// Which fields each kind takes (beyond `kind`).
fn fields_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Dns => &["latency", "ttl"],
        Kind::LoadBalancer => &["policy", "to", "latency", "health_check"],
        Kind::Server => &[
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
        ],
        Kind::Database => &[
            "workers",
            "queue",
            "read",
            "write",
            "replicas",
            "read_from",
            "replication_lag",
            "replication",
            "failover",
            "shards",
            "strategy",
            "shard_key",
            "vnodes",
        ],
        Kind::Cache => &[
            "capacity",
            "policy",
            "ttl",
            "latency",
            "miss",
            "write_policy",
            "cacheable",
            "prefill",
        ],
        Kind::Cdn => &["capacity", "policy", "ttl", "latency", "origin", "prefill"],
        Kind::Store => &["workers", "queue", "service"],
        Kind::Queue => &[
            "capacity",
            "latency",
            "consumers",
            "visibility_timeout",
            "max_attempts",
        ],
        Kind::Worker => &[
            "count",
            "workers",
            "service",
            "service_by_class",
            "calls",
            "autoscale",
        ],
    }
}

/// The keys a component of `kind` accepts besides `kind`: its own, then, when the scenario
/// declares data centers (`geo`), the placement keys. This is the list the checks use, and
/// the one the documentation is tested against.
pub fn fields_with_geo(kind: Kind, geo: bool) -> Vec<&'static str> {
    let mut v = fields_of(kind).to_vec();
    if geo {
        match kind {
            Kind::Dns => v.extend(["geo", "health_check"]),
            Kind::Cdn => {}
            Kind::Database => v.extend(["datacenter", "replica_datacenters"]),
            _ => v.push("datacenter"),
        }
    }
    v
}

/// Fields that only exist with data centers (checked against [`fields_with_geo`]).
const GEO_FIELDS: [&str; 3] = ["datacenter", "geo", "replica_datacenters"];

const LB_POLICIES: [(&str, LbPolicy); 6] = [
    ("round_robin", LbPolicy::RoundRobin),
    ("random", LbPolicy::Random),
    ("least_connections", LbPolicy::LeastConnections),
    ("power_of_two", LbPolicy::PowerOfTwo),
    ("hash", LbPolicy::Hash),
    ("sticky", LbPolicy::Sticky),
];

const EVICTION_POLICIES: [(&str, EvictionPolicy); 4] = [
    ("lru", EvictionPolicy::Lru),
    ("lfu", EvictionPolicy::Lfu),
    ("fifo", EvictionPolicy::Fifo),
    ("random", EvictionPolicy::Random),
];

/// The largest number of read replicas a database may have.
const MAX_REPLICAS: u32 = 64;

fn named<T: Copy>(
    pr: &mut Problems,
    path: &str,
    value: &str,
    table: &[(&str, T)],
    what: &str,
) -> Option<T> {
    match table.iter().find(|(n, _)| *n == value) {
        Some((_, v)) => Some(*v),
        None => {
            let list: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
            pr.at(
                path,
                format!(
                    "unknown {what} `{value}`, expected one of {}",
                    list.join(", ")
                ),
            );
            None
        }
    }
}

/// A recurring check's period is at least [`MIN_INTERVAL`]: a shorter one would run billions
/// of times in a short run. Reports the problem at `path`.
fn interval_ok(path: &str, interval: SimTime, pr: &mut Problems) -> bool {
    let ok = interval >= MIN_INTERVAL;
    if !ok {
        pr.at(
            path,
            format!("expected an interval of at least {MIN_INTERVAL}, found {interval}"),
        );
    }
    ok
}

/// A `health_check` map: interval and the probe thresholds.
fn resolve_health(base: &str, h: &RawHealthCheck, pr: &mut Problems) -> Option<HealthCheck> {
    let mut good = true;
    if !interval_ok(&format!("{base}.health_check.interval"), h.interval.0, pr) {
        good = false;
    }
    for (f, v) in [("unhealthy", h.unhealthy), ("healthy", h.healthy)] {
        if v == Some(0) {
            pr.at(
                &format!("{base}.health_check.{f}"),
                "expected a whole number of probes >= 1, found 0",
            );
            good = false;
        }
    }
    good.then_some(HealthCheck {
        interval: h.interval.0,
        unhealthy: h.unhealthy.unwrap_or(3),
        healthy: h.healthy.unwrap_or(2),
    })
}

fn resolve_component(
    base: &str,
    rc: &RawComponent,
    names: &[&str],
    classes: &[ClassInfo],
    dcs: &[&str],
    geo_declared: bool,
    pr: &mut Problems,
) -> Option<ComponentKind> {
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
    if !ok {
        return None;
    }
    let need = |pr: &mut Problems, field: &str, what: &str| {
        pr.at(base, format!("a {kind_name} needs `{field}`: {what}"));
    };
    let refer =
        |pr: &mut Problems, field: &str, value: &Option<String>, what: &str| -> Option<CompId> {
            match value {
                None => {
                    need(pr, field, what);
                    None
                }
                Some(t) => match names.iter().position(|n| n == t) {
                    None => {
                        pr.at(&format!("{base}.{field}"), unknown_component(t, names));
                        None
                    }
                    Some(i) => Some(i),
                },
            }
        };
    let workers = |pr: &mut Problems| -> Option<u32> {
        match rc.workers {
            None => {
                need(
                    pr,
                    "workers",
                    "how many requests one instance serves at once",
                );
                None
            }
            Some(0) => {
                pr.at(
                    &format!("{base}.workers"),
                    "expected a whole number >= 1, found 0",
                );
                None
            }
            Some(w) => Some(w),
        }
    };
    let queue = match rc.queue {
        None | Some(QueueCap::Unbounded) => None,
        Some(QueueCap::Bounded(q)) => Some(q),
    };
    let dist = |pr: &mut Problems, field: &str, d: &Option<RawDist>, what: &str| -> Option<Dist> {
        match d {
            Some(d) => resolve_dist(&format!("{base}.{field}"), d, pr),
            None => {
                need(pr, field, what);
                None
            }
        }
    };
    let class_list = || {
        classes
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cache_spec = |pr: &mut Problems| -> Option<CacheSpec> {
        let capacity = match rc.capacity {
            None => {
                need(pr, "capacity", "how many keys it holds");
                None
            }
            Some(0) => {
                pr.at(
                    &format!("{base}.capacity"),
                    "expected a whole number of entries >= 1, found 0",
                );
                None
            }
            Some(c) if c > MAX_KEYS => {
                pr.at(
                    &format!("{base}.capacity"),
                    format!("expected at most {MAX_KEYS} entries, found {c}"),
                );
                None
            }
            Some(c) => Some(c),
        };
        let policy = match &rc.policy {
            None => Some(EvictionPolicy::Lru),
            Some(p) => named(
                pr,
                &format!("{base}.policy"),
                p,
                &EVICTION_POLICIES,
                "eviction policy",
            ),
        };
        let ttl = rc.ttl.map(|d| d.0);
        if ttl == Some(SimTime::ZERO) {
            pr.at(
                &format!("{base}.ttl"),
                "expected a ttl > 0, found 0s (leave `ttl` out for entries that never expire)",
            );
        }
        let latency = dist(pr, "latency", &rc.latency, "the time to answer a lookup");
        if ttl == Some(SimTime::ZERO) {
            return None;
        }
        Some(CacheSpec {
            capacity: capacity?,
            policy: policy?,
            ttl,
            latency: latency?,
            prefill: rc.prefill.unwrap_or(false),
        })
    };
    match rc.kind {
        Kind::Dns => {
            let latency = dist(
                pr,
                "latency",
                &rc.latency,
                "the distribution of a lookup's duration",
            );
            let ttl = rc.ttl.map(|d| d.0).unwrap_or(DEFAULT_DNS_TTL);
            let geo = match &rc.geo {
                None => Some(None),
                Some(m) => resolve_geo_dns(base, rc, m, names, dcs, pr).map(Some),
            };
            Some(ComponentKind::Dns {
                latency: latency?,
                ttl,
                geo: geo?,
            })
        }
        Kind::LoadBalancer => {
            let to = refer(pr, "to", &rc.to, "the server group it balances over");
            let latency = match &rc.latency {
                Some(d) => resolve_dist(&format!("{base}.latency"), d, pr),
                None => Some(Dist::Const(0)),
            };
            let policy = match &rc.policy {
                None => Some(LbPolicy::RoundRobin),
                Some(p) => named(
                    pr,
                    &format!("{base}.policy"),
                    p,
                    &LB_POLICIES,
                    "load balancing policy",
                ),
            };
            let health = match &rc.health_check {
                None => Some(None),
                Some(h) => resolve_health(base, h, pr).map(Some),
            };
            Some(ComponentKind::LoadBalancer {
                policy: policy?,
                to: to?,
                latency: latency?,
                health: health?,
            })
        }
        Kind::Server | Kind::Worker => {
            // With autoscaling and no `count`, the group starts at `autoscale.min`.
            let count = rc
                .count
                .or(rc.autoscale.as_ref().and_then(|a| a.min))
                .unwrap_or(1);
            if count == 0 {
                pr.at(
                    &format!("{base}.count"),
                    "expected a whole number of instances >= 1, found 0",
                );
            } else if count > MAX_INSTANCES {
                pr.at(
                    &format!("{base}.count"),
                    format!("expected at most {MAX_INSTANCES} instances, found {count}"),
                );
            }
            let autoscale = match &rc.autoscale {
                None => Some(None),
                Some(a) => resolve_autoscale(base, a, rc.kind == Kind::Worker, rc.count, count, pr)
                    .map(Some),
            };
            let w = workers(pr);
            let service = dist(
                pr,
                "service",
                &rc.service,
                "the distribution of the time one request takes",
            );
            let mut per_class = vec![service.clone(); classes.len()];
            if let Some(by) = &rc.service_by_class {
                for (cname, d) in by {
                    let p = format!("{base}.service_by_class.{cname}");
                    match classes.iter().position(|c| c.name == *cname) {
                        None => pr.at_key(
                            &p,
                            format!(
                                "expected a request class ({}), found `{cname}`{}",
                                class_list(),
                                de::mean(cname, classes.iter().map(|c| c.name.as_str()))
                            ),
                        ),
                        Some(ci) => per_class[ci] = resolve_dist(&p, d, pr),
                    }
                }
            }
            let names_only: Vec<String> = classes.iter().map(|c| c.name.clone()).collect();
            let mut calls = resolve_calls(base, rc.calls.as_ref(), names, &names_only, pr);
            let sessions = resolve_sessions(base, rc, pr, &refer, &dist);
            if let (Some(calls), Some(Some(Sessions::Store(store)))) = (calls.as_mut(), &sessions) {
                for (ci, c) in classes.iter().enumerate() {
                    if c.session {
                        calls[ci].insert(0, *store);
                    }
                }
            }
            if count == 0 || count > MAX_INSTANCES {
                return None;
            }
            let service: Option<Vec<Dist>> = per_class.into_iter().collect();
            if rc.kind == Kind::Worker {
                return Some(ComponentKind::Worker {
                    count,
                    workers: w?,
                    service: service?,
                    calls: calls?,
                    autoscale: autoscale?,
                });
            }
            Some(ComponentKind::Server {
                count,
                workers: w?,
                queue,
                service: service?,
                calls: calls?,
                sessions: sessions?,
                autoscale: autoscale?,
            })
        }
        Kind::Database => {
            let w = workers(pr);
            let read = dist(
                pr,
                "read",
                &rc.read,
                "the distribution of a read's service time",
            );
            let write = dist(
                pr,
                "write",
                &rc.write,
                "the distribution of a write's service time",
            );
            let replicas = rc.replicas.unwrap_or(0);
            let mut good = true;
            if replicas > MAX_REPLICAS {
                pr.at(
                    &format!("{base}.replicas"),
                    format!("expected at most {MAX_REPLICAS} replicas, found {replicas}"),
                );
                good = false;
            }
            let read_from = rc.read_from.unwrap_or(if replicas > 0 {
                ReadFrom::Replicas
            } else {
                ReadFrom::Primary
            });
            if read_from == ReadFrom::Replicas && replicas == 0 {
                pr.at(
                    &format!("{base}.read_from"),
                    "`read_from: replicas` needs `replicas` >= 1, found 0 replicas",
                );
                good = false;
            }
            let lag = match (&rc.replication_lag, replicas) {
                (Some(_), 0) => {
                    pr.at_key(
                        &format!("{base}.replication_lag"),
                        "`replication_lag` needs `replicas` >= 1, found 0 replicas",
                    );
                    good = false;
                    None
                }
                (None, 0) => None,
                (d, _) => Some(dist(
                    pr,
                    "replication_lag",
                    d,
                    "the time from a write's commit on the primary to its application on a replica",
                )?),
            };
            if rc.replication.is_some() && replicas == 0 {
                pr.at_key(
                    &format!("{base}.replication"),
                    "`replication` needs `replicas` >= 1, found 0 replicas",
                );
                good = false;
            }
            let sync = rc.replication == Some(Replication::Sync);
            let (w, read, write) = (w?, read?, write?);
            let shards = rc.shards.unwrap_or(1);
            if shards == 0 || shards > 1024 {
                pr.at(
                    &format!("{base}.shards"),
                    format!("expected from 1 to 1024 shards, found {shards}"),
                );
                good = false;
            }
            let vnodes = rc.vnodes.unwrap_or(100);
            if vnodes == 0 || vnodes > 10_000 {
                pr.at(
                    &format!("{base}.vnodes"),
                    format!("expected from 1 to 10000 points per shard, found {vnodes}"),
                );
                good = false;
            }
            let strategy = rc.strategy.unwrap_or(ShardStrategy::HashMod);
            if rc.vnodes.is_some() && strategy != ShardStrategy::ConsistentHash {
                pr.at_key(
                    &format!("{base}.vnodes"),
                    "`vnodes` applies to `strategy: consistent_hash`",
                );
                good = false;
            }
            let mut replica_dcs = Vec::new();
            if let Some(list) = &rc.replica_datacenters {
                if list.len() != replicas as usize {
                    pr.at(
                        &format!("{base}.replica_datacenters"),
                        format!(
                            "expected one data center per replica ({replicas}), found {}",
                            list.len()
                        ),
                    );
                    good = false;
                }
                for (i, d) in list.iter().enumerate() {
                    let path = format!("{base}.replica_datacenters[{i}]");
                    match dc_index(dcs, d, &path, Place::Value, pr) {
                        Some(ix) => replica_dcs.push(ix),
                        None => good = false,
                    }
                }
            }
            let failover = rc.failover.map(|d| d.0);
            if failover.is_some() && replicas == 0 {
                pr.at_key(
                    &format!("{base}.failover"),
                    "`failover` promotes a replica, so it needs `replicas` >= 1, found 0 replicas",
                );
                good = false;
            }
            good.then_some(ComponentKind::Database {
                failover,
                shards,
                strategy,
                shard_key: rc.shard_key.unwrap_or(ShardKey::Key),
                vnodes,
                workers: w,
                queue,
                read,
                write,
                replicas,
                read_from,
                lag,
                sync,
                replica_dcs,
            })
        }
        Kind::Cache => {
            let spec = cache_spec(pr);
            let miss = refer(
                pr,
                "miss",
                &rc.miss,
                "the component it reads through to on a miss",
            );
            let cacheable = match &rc.cacheable {
                None => Some(classes.iter().map(|c| !c.write && !c.is_static).collect()),
                Some(list) => {
                    let mut v = vec![false; classes.len()];
                    let mut good = true;
                    for (i, n) in list.iter().enumerate() {
                        match classes.iter().position(|c| c.name == *n) {
                            Some(ci) if classes[ci].write => {
                                pr.at(&format!("{base}.cacheable[{i}]"), format!("expected a read class, found `{n}`, a write (writes follow `write_policy`)"));
                                good = false;
                            }
                            Some(ci) => v[ci] = true,
                            None => {
                                pr.at(
                                    &format!("{base}.cacheable[{i}]"),
                                    format!(
                                        "expected a request class ({}), found `{n}`{}",
                                        class_list(),
                                        de::mean(n, classes.iter().map(|c| c.name.as_str()))
                                    ),
                                );
                                good = false;
                            }
                        }
                    }
                    good.then_some(v)
                }
            };
            Some(ComponentKind::Cache {
                cache: spec?,
                miss: miss?,
                write_policy: rc.write_policy.unwrap_or(WritePolicy::Invalidate),
                cacheable: cacheable?,
            })
        }
        Kind::Cdn => {
            let spec = cache_spec(pr);
            let origin = refer(
                pr,
                "origin",
                &rc.origin,
                "the component it fetches misses from",
            );
            Some(ComponentKind::Cdn {
                cache: spec?,
                origin: origin?,
            })
        }
        Kind::Queue => {
            let consumers = refer(
                pr,
                "consumers",
                &rc.consumers,
                "the worker group that takes the messages",
            );
            let latency = match &rc.latency {
                Some(d) => resolve_dist(&format!("{base}.latency"), d, pr),
                None => Some(Dist::Const(0)),
            };
            let capacity = match rc.capacity {
                Some(0) => {
                    pr.at(
                        &format!("{base}.capacity"),
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
                    &format!("{base}.visibility_timeout"),
                    "expected a visibility timeout > 0, found 0s",
                );
            }
            let max_attempts = rc.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
            if max_attempts == 0 {
                pr.at(
                    &format!("{base}.max_attempts"),
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
        Kind::Store => {
            let w = workers(pr);
            let service = dist(
                pr,
                "service",
                &rc.service,
                "the distribution of one lookup's service time",
            );
            Some(ComponentKind::Store {
                workers: w?,
                queue,
                service: service?,
            })
        }
    }
}

/// A dns's `geo` map (data center -> entry component) and its health checks.
fn resolve_geo_dns(
    base: &str,
    rc: &RawComponent,
    m: &indexmap::IndexMap<String, String>,
    names: &[&str],
    dcs: &[&str],
    pr: &mut Problems,
) -> Option<GeoDns> {
    let mut good = true;
    if m.is_empty() {
        pr.at(
            &format!("{base}.geo"),
            "expected at least one data center and its entry component",
        );
        good = false;
    }
    let mut entries = vec![None; dcs.len()];
    for (dc, comp) in m {
        let path = format!("{base}.geo.{dc}");
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
    let health = match &rc.health_check {
        None => Some(HealthCheck {
            interval: DEFAULT_DNS_HEALTH_INTERVAL,
            unhealthy: 3,
            healthy: 2,
        }),
        Some(h) => resolve_health(base, h, pr),
    };
    if !good {
        return None;
    }
    Some(GeoDns {
        entries,
        health: health?,
    })
}

/// A server or worker group's `autoscale`. `count` is the group's resolved starting size;
/// `given_count` tells whether the file gave it (an error then points at it).
fn resolve_autoscale(
    base: &str,
    a: &RawAutoscale,
    worker: bool,
    given_count: Option<u32>,
    count: u32,
    pr: &mut Problems,
) -> Option<Autoscale> {
    let path = format!("{base}.autoscale");
    let mut good = true;
    let min = a.min.unwrap_or(count);
    if min == 0 {
        pr.at(
            &format!("{path}.min"),
            "expected a whole number of instances >= 1, found 0",
        );
        good = false;
    }
    let max = match a.max {
        None => {
            pr.at(
                &path,
                "autoscale needs `max`: the most instances the group may grow to",
            );
            None
        }
        Some(m) if m > MAX_INSTANCES => {
            pr.at(
                &format!("{path}.max"),
                format!("expected at most {MAX_INSTANCES} instances, found {m}"),
            );
            None
        }
        Some(m) if m < min => {
            let from = if a.min.is_none() {
                ", from `count`"
            } else {
                ""
            };
            pr.at(
                &format!("{path}.max"),
                format!("expected max >= min ({min}{from}), found {m}"),
            );
            None
        }
        Some(m) => Some(m),
    };
    if let Some(max) = max
        && good
        && given_count.is_some()
        && !(min..=max).contains(&count)
    {
        pr.at(
            &format!("{base}.count"),
            format!(
                "expected a starting count within autoscale's [min, max] = [{min}, {max}], found {count}"
            ),
        );
        good = false;
    }
    // A server group follows its waiting requests, a worker group its queue's backlog.
    let (other, other_example) = if worker {
        (
            "backlog_per_instance",
            "{backlog_per_instance: 20} (jobs waiting in its queue per instance)",
        )
    } else {
        ("queue", "{queue: 20} (waiting requests per instance)")
    };
    let target = match &a.target {
        None => {
            pr.at(
                &path,
                format!(
                    "autoscale needs `target`: {{utilization: 0.6}} (busy fraction) or {other_example}"
                ),
            );
            None
        }
        Some(t) if worker && t.queue.is_some() => {
            pr.at(
                &format!("{path}.target.queue"),
                "`queue` does not apply to a worker group (its jobs wait in the queue, not at the workers): use {backlog_per_instance: 20}",
            );
            None
        }
        Some(t) if !worker && t.backlog_per_instance.is_some() => {
            pr.at(
                &format!("{path}.target.backlog_per_instance"),
                "`backlog_per_instance` applies to a worker group (the backlog of the queue it consumes); a server group takes {utilization: 0.6} or {queue: 20}",
            );
            None
        }
        Some(t) => {
            let tp = format!("{path}.target");
            match (t.utilization, t.queue.or(t.backlog_per_instance)) {
                (Some(_), Some(_)) => {
                    pr.at(
                        &tp,
                        format!("expected one target, `utilization` or `{other}`, found both"),
                    );
                    None
                }
                (None, None) => {
                    pr.at(
                        &tp,
                        format!(
                            "expected one target: {{utilization: 0.6}} (busy fraction) or {other_example}"
                        ),
                    );
                    None
                }
                (Some(u), None) => {
                    if !u.is_finite() || u <= 0.0 || u > 1.0 {
                        pr.at(
                            &format!("{tp}.utilization"),
                            format!("expected a utilization target > 0 and <= 1, found {u}"),
                        );
                        None
                    } else {
                        Some(ScaleTarget::Utilization(u))
                    }
                }
                (None, Some(b)) if worker => {
                    if !b.is_finite() || b <= 0.0 {
                        pr.at(
                            &format!("{tp}.backlog_per_instance"),
                            format!(
                                "expected a backlog target > 0 (jobs waiting per instance), found {b}"
                            ),
                        );
                        None
                    } else {
                        Some(ScaleTarget::Backlog(b))
                    }
                }
                (None, Some(q)) => {
                    if !q.is_finite() || q <= 0.0 {
                        pr.at(
                            &format!("{tp}.queue"),
                            format!(
                                "expected a queue target > 0 (waiting requests per instance), found {q}"
                            ),
                        );
                        None
                    } else {
                        Some(ScaleTarget::Queue(q))
                    }
                }
            }
        }
    };
    let interval = a.interval.map_or(DEFAULT_SCALE_INTERVAL, |d| d.0);
    if !interval_ok(&format!("{path}.interval"), interval, pr) {
        good = false;
    }
    let cooldown = a.cooldown.map_or(DEFAULT_SCALE_COOLDOWN, |d| d.0);
    let tolerance = a.tolerance.unwrap_or(DEFAULT_SCALE_TOLERANCE);
    if !(0.0..1.0).contains(&tolerance) {
        pr.at(
            &format!("{path}.tolerance"),
            format!(
                "expected a tolerance >= 0 and < 1 (a fraction of the target), found {tolerance}"
            ),
        );
        good = false;
    }
    // Negative durations are rejected while the file is read; the ring of recent
    // decisions the window needs is sized from it, so its size is bounded here.
    let scale_in_window = a.scale_in_window.map_or(DEFAULT_SCALE_IN_WINDOW, |d| d.0);
    if interval > SimTime::ZERO {
        let evals = scale_in_window.0.div_ceil(interval.0);
        if evals > MAX_SCALE_IN_EVALS {
            pr.at(
                &format!("{path}.scale_in_window"),
                format!(
                    "expected a window of at most 100,000 evaluations (scale_in_window / interval), found {evals} ({scale_in_window} / {interval}: make the window shorter or the interval longer)"
                ),
            );
            good = false;
        }
    }
    let provision = match &a.provision {
        Some(d) => resolve_dist(&format!("{path}.provision"), d, pr),
        None => Some(Dist::Const(0)),
    };
    let (max, target, provision) = (max?, target?, provision?);
    good.then_some(Autoscale {
        min,
        max,
        target,
        interval,
        cooldown,
        provision,
        tolerance,
        scale_in_window,
    })
}

/// Resolves a component reference field: `(problems, field, value, what it is for)`.
type RefFn<'a> = dyn Fn(&mut Problems, &str, &Option<String>, &str) -> Option<CompId> + 'a;
/// Resolves a distribution field: `(problems, field, value, what it is for)`.
type DistFn<'a> = dyn Fn(&mut Problems, &str, &Option<RawDist>, &str) -> Option<Dist> + 'a;

/// A server's `session`, `session_store`, `relogin` and `session_lost`. `Some(None)`: no
/// sessions; `None`: a problem was reported.
fn resolve_sessions(
    base: &str,
    rc: &RawComponent,
    pr: &mut Problems,
    refer: &RefFn,
    dist: &DistFn,
) -> Option<Option<Sessions>> {
    let stray = |pr: &mut Problems, field: &str, given: bool, mode: &str| {
        if given {
            pr.at_key(
                &format!("{base}.{field}"),
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
                    let d = dist(
                        pr,
                        "relogin",
                        &rc.relogin,
                        "the extra service time of a request whose session was lost (or set `session_lost: fail`)",
                    )?;
                    Some(Some(Sessions::Local { relogin: Some(d) }))
                }
                SessionLost::Fail => {
                    if rc.relogin.is_some() {
                        pr.at_key(&format!("{base}.relogin"), "`relogin` applies to `session_lost: relogin`, but session_lost is fail");
                        return None;
                    }
                    Some(Some(Sessions::Local { relogin: None }))
                }
            }
        }
        Some(SessionMode::Store) => {
            let a = stray(pr, "relogin", rc.relogin.is_some(), "local");
            let b = stray(pr, "session_lost", rc.session_lost.is_some(), "local");
            let store = refer(
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

fn resolve_calls(
    base: &str,
    calls: Option<&RawCalls>,
    names: &[&str],
    classes: &[String],
    pr: &mut Problems,
) -> Option<Vec<Vec<CompId>>> {
    let mut out = vec![Vec::new(); classes.len()];
    let mut ok = true;
    let targets = |pr: &mut Problems, path: &str, list: &[String], ok: &mut bool| -> Vec<CompId> {
        let mut v = Vec::new();
        for (i, t) in list.iter().enumerate() {
            match names.iter().position(|n| n == t) {
                Some(ix) => v.push(ix),
                None => {
                    pr.at(&format!("{path}[{i}]"), unknown_component(t, names));
                    *ok = false;
                }
            }
        }
        v
    };
    match calls {
        None => {}
        Some(RawCalls::All(list)) => {
            let v = targets(pr, &format!("{base}.calls"), list, &mut ok);
            for c in &mut out {
                c.clone_from(&v);
            }
        }
        Some(RawCalls::ByClass(map)) => {
            for (cname, list) in map {
                let path = format!("{base}.calls.{cname}");
                match classes.iter().position(|c| c == cname) {
                    Some(ci) => out[ci] = targets(pr, &path, list, &mut ok),
                    None => {
                        pr.at_key(
                            &path,
                            format!(
                                "expected a request class ({}), found `{cname}`{}",
                                classes.join(", "),
                                de::mean(cname, classes)
                            ),
                        );
                        ok = false;
                    }
                }
            }
        }
    }
    ok.then_some(out)
}

/// Edges of the call graph: who sends requests to whom.
pub(crate) fn edges(c: &ComponentKind) -> Vec<CompId> {
    match c {
        ComponentKind::LoadBalancer { to, .. } => vec![*to],
        ComponentKind::Server { calls, .. } => {
            let mut v: Vec<CompId> = calls.iter().flatten().copied().collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        ComponentKind::Cache { miss, .. } => vec![*miss],
        ComponentKind::Cdn { origin, .. } => vec![*origin],
        ComponentKind::Queue { consumers, .. } => vec![*consumers],
        ComponentKind::Worker { calls, .. } => {
            let mut v: Vec<CompId> = calls.iter().flatten().copied().collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        _ => Vec::new(),
    }
}

/// The field that names a component's edges, for error positions.
fn edge_field(c: &ComponentKind) -> &'static str {
    match c {
        ComponentKind::LoadBalancer { .. } => "to",
        ComponentKind::Cache { .. } => "miss",
        ComponentKind::Cdn { .. } => "origin",
        ComponentKind::Queue { .. } => "consumers",
        _ => "calls",
    }
}

/// Reports that `c.field` reaches `target`, a component of a kind it cannot reach:
/// "expected {want}, found `target`, a {kind}{note}".
fn wrong_kind(
    pr: &mut Problems,
    comps: &[Component],
    c: &Component,
    field: &str,
    target: CompId,
    want: &str,
    note: &str,
) {
    pr.at(
        &format!("components.{}.{field}", c.name),
        format!(
            "expected {want}, found `{}`, a {}{note}",
            comps[target].name,
            comps[target].kind.name()
        ),
    );
}

/// No cycles, calls reach only components that serve them, a load balancer balances over
/// servers, chains fit the request's call stack.
fn check_call_graph(comps: &[Component], entries: &[CompId], pr: &mut Problems) {
    let name = |i: CompId| comps[i].name.as_str();
    // A worker group that follows a backlog needs a queue that feeds it.
    for (wi, c) in comps.iter().enumerate() {
        if let ComponentKind::Worker {
            autoscale: Some(a), ..
        } = &c.kind
            && matches!(a.target, ScaleTarget::Backlog(_))
            && !comps.iter().any(
                |q| matches!(q.kind, ComponentKind::Queue { consumers, .. } if consumers == wi),
            )
        {
            pr.at(
                &format!("components.{}.autoscale.target.backlog_per_instance", c.name),
                format!(
                    "expected a worker group that a queue feeds (a queue with `consumers: {}`), found none: there is no backlog to follow",
                    c.name
                ),
            );
        }
    }
    for c in comps {
        if let ComponentKind::LoadBalancer { to, .. } = &c.kind
            && !matches!(comps[*to].kind, ComponentKind::Server { .. })
        {
            wrong_kind(
                pr,
                comps,
                c,
                "to",
                *to,
                "a server group to balance over",
                "",
            );
            continue;
        }
        if let ComponentKind::Queue { consumers, .. } = &c.kind
            && let Some(first) = comps.iter().find(
                |o| matches!(&o.kind, ComponentKind::Queue { consumers: x, .. } if x == consumers),
            )
            && first.name != c.name
        {
            pr.at(
                &format!("components.{}.consumers", c.name),
                format!(
                    "expected a worker group of its own, found `{}`, which already consumes queue `{}` (give each queue its own workers)",
                    name(*consumers),
                    first.name
                ),
            );
            continue;
        }
        if let ComponentKind::Queue { consumers, .. } = &c.kind
            && !matches!(comps[*consumers].kind, ComponentKind::Worker { .. })
        {
            wrong_kind(pr, comps, c, "consumers", *consumers, "a worker group", "");
            continue;
        }
        for t in edges(&c.kind) {
            if matches!(comps[t].kind, ComponentKind::Worker { .. })
                && !matches!(c.kind, ComponentKind::Queue { .. })
            {
                wrong_kind(
                    pr,
                    comps,
                    c,
                    edge_field(&c.kind),
                    t,
                    "components that serve requests",
                    " (workers take jobs from a queue: publish to the queue)",
                );
            }
            if matches!(
                comps[t].kind,
                ComponentKind::Dns { .. } | ComponentKind::Cdn { .. }
            ) {
                wrong_kind(
                    pr,
                    comps,
                    c,
                    edge_field(&c.kind),
                    t,
                    "components that serve requests",
                    " (clients use it by themselves)",
                );
            }
        }
    }
    if !pr.list.is_empty() {
        return;
    }
    // Cycle search: depth-first, colours 0 = new, 1 = on the path, 2 = done.
    let n = comps.len();
    let mut colour = vec![0u8; n];
    let mut path: Vec<CompId> = Vec::new();
    fn dfs(
        u: CompId,
        comps: &[Component],
        colour: &mut [u8],
        path: &mut Vec<CompId>,
    ) -> Option<Vec<CompId>> {
        colour[u] = 1;
        path.push(u);
        for v in edges(&comps[u].kind) {
            if colour[v] == 1 {
                let start = path.iter().position(|&x| x == v).unwrap_or(0);
                let mut cyc = path[start..].to_vec();
                cyc.push(v);
                return Some(cyc);
            }
            if colour[v] == 0
                && let Some(c) = dfs(v, comps, colour, path)
            {
                return Some(c);
            }
        }
        path.pop();
        colour[u] = 2;
        None
    }
    for s in 0..n {
        if colour[s] == 0
            && let Some(cyc) = dfs(s, comps, &mut colour, &mut path)
        {
            let text: Vec<&str> = cyc.iter().map(|&i| name(i)).collect();
            let first = cyc[0];
            let field = edge_field(&comps[first].kind);
            pr.at(
                &format!("components.{}.{field}", name(first)),
                format!(
                    "expected calls without a cycle, found {}",
                    text.join(" -> ")
                ),
            );
            return;
        }
    }
    // Depth: the longest chain from the entry, counting the client's own frame.
    fn depth(u: CompId, comps: &[Component], memo: &mut [usize]) -> usize {
        if memo[u] > 0 {
            return memo[u];
        }
        let d = 1 + edges(&comps[u].kind)
            .into_iter()
            .map(|v| depth(v, comps, memo))
            .max()
            .unwrap_or(0);
        memo[u] = d;
        d
    }
    let mut memo = vec![0; n];
    let d = 1 + entries
        .iter()
        .map(|&e| depth(e, comps, &mut memo))
        .max()
        .unwrap_or(0);
    if d > MAX_DEPTH {
        pr.at(
            "components",
            format!(
                "expected call chains at most {} components deep, found {}",
                MAX_DEPTH - 1,
                d - 1
            ),
        );
    }
}

/// The `migration` block of an `add_shard` fault: defaults filled, numbers checked.
fn resolve_migration(path: &str, m: &RawMigration, pr: &mut Problems) -> Option<Migration> {
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

fn resolve_dist(path: &str, d: &RawDist, pr: &mut Problems) -> Option<Dist> {
    let ns = |x: super::units::Duration| x.0.0 as f64;
    let bad = |pr: &mut Problems, field: &str, msg: String| {
        let p = if field.is_empty() {
            path.to_string()
        } else {
            format!("{path}.{field}")
        };
        pr.at(&p, msg);
        None
    };
    match d {
        RawDist::Const(v) => Some(Dist::Const(v.0.0)),
        RawDist::Exp(m) => {
            if m.0 == SimTime::ZERO {
                return bad(
                    pr,
                    "exp",
                    "expected a mean > 0 for exp, found 0s (use {const: 0s} for no delay)".into(),
                );
            }
            Some(Dist::Exp { mean: ns(*m) })
        }
        RawDist::Uniform(v) => {
            if v.len() != 2 {
                return bad(
                    pr,
                    "uniform",
                    format!(
                        "expected two durations [low, high], found {} value(s)",
                        v.len()
                    ),
                );
            }
            if v[0] > v[1] {
                return bad(
                    pr,
                    "uniform",
                    format!("expected low <= high, found [{}, {}]", v[0].0, v[1].0),
                );
            }
            Some(Dist::Uniform {
                lo: ns(v[0]),
                hi: ns(v[1]),
            })
        }
        RawDist::Normal(NormalParams { mean, sd }) => {
            if mean.0 == SimTime::ZERO {
                return bad(pr, "normal.mean", "expected a mean > 0, found 0s".into());
            }
            Some(Dist::Normal {
                mean: ns(*mean),
                sd: ns(*sd),
            })
        }
        RawDist::LogNormal(LogNormalParams {
            mean,
            cv,
            median,
            p99,
        }) => match (mean, cv, median, p99) {
            (Some(m), Some(cv), None, None) => {
                if m.0 == SimTime::ZERO {
                    return bad(pr, "lognormal.mean", "expected a mean > 0, found 0s".into());
                }
                if !cv.is_finite() || *cv < 0.0 {
                    return bad(
                        pr,
                        "lognormal.cv",
                        format!("expected a coefficient of variation >= 0, found {cv}"),
                    );
                }
                let s2 = (1.0 + cv * cv).ln();
                Some(Dist::LogNormal {
                    mu: ns(*m).ln() - s2 / 2.0,
                    sigma: s2.sqrt(),
                })
            }
            (None, None, Some(med), Some(p99)) => {
                if med.0 == SimTime::ZERO || p99 <= med {
                    return bad(
                        pr,
                        "lognormal",
                        format!(
                            "expected 0 < median < p99, found median {} and p99 {}",
                            med.0, p99.0
                        ),
                    );
                }
                // z of the 99th percentile of the standard normal.
                const Z99: f64 = 2.326_347_874_040_841;
                let mu = ns(*med).ln();
                Some(Dist::LogNormal {
                    mu,
                    sigma: (ns(*p99).ln() - mu) / Z99,
                })
            }
            _ => bad(
                pr,
                "lognormal",
                "expected either {mean, cv} or {median, p99}".into(),
            ),
        },
        RawDist::Pareto(ParetoParams { scale, shape }) => {
            if scale.0 == SimTime::ZERO {
                return bad(pr, "pareto.scale", "expected a scale > 0, found 0s".into());
            }
            if !shape.is_finite() || *shape <= 0.0 {
                return bad(
                    pr,
                    "pareto.shape",
                    format!("expected a shape > 0 (above 1 for a finite mean), found {shape}"),
                );
            }
            Some(Dist::Pareto {
                scale: ns(*scale),
                shape: *shape,
            })
        }
        RawDist::Erlang(ErlangParams { k, mean }) => {
            if *k == 0 || *k > 1000 {
                return bad(
                    pr,
                    "erlang.k",
                    format!("expected a whole number of phases from 1 to 1000, found {k}"),
                );
            }
            if mean.0 == SimTime::ZERO {
                return bad(pr, "erlang.mean", "expected a mean > 0, found 0s".into());
            }
            Some(Dist::Erlang {
                k: *k,
                mean: ns(*mean),
            })
        }
        RawDist::Empirical(v) => {
            if v.is_empty() {
                return bad(pr, "empirical", "expected at least one sample".into());
            }
            Some(Dist::Empirical(v.iter().map(|d| d.0.0).collect()))
        }
    }
}
