//! The second parsing stage: raw serde types to a validated [`Scenario`].
//!
//! Resolves names to indices, fills documented defaults, and checks every rule that serde
//! cannot: numbers in range, references that exist, fields that apply to the component's
//! kind, a call graph without cycles. It collects every problem instead of stopping at the
//! first, and points each at its line and column through [`Locations`].
//!
//! This file is the driver ([`parse`], then `resolve` section by section) and what every
//! section shares (`Problems`, name and number checks). Each section has a file:
//! `traffic`, `classes`, `network`, `geo`, `faults`, `autoscale`, `dist`, `instances`; components are
//! resolved by their kind's resolver in `scenario::kinds`, and `graph` checks the call graph
//! once they all are.

mod autoscale;
mod classes;
mod dist;
mod faults;
mod geo;
mod graph;
mod instances;
mod network;
mod traffic;

pub(crate) use self::autoscale::resolve_autoscale;
pub(crate) use self::classes::ClassInfo;
use self::classes::resolve_classes;
pub(crate) use self::dist::resolve_dist;
use self::faults::resolve_faults;
pub(crate) use self::geo::{Place, component_datacenter, dc_index};
use self::geo::{check_geo_entries, resolve_geo};
use self::graph::check_call_graph;
use self::instances::prices;
use self::network::resolve_network;
use self::traffic::resolve_traffic;
use super::kinds;
pub use super::kinds::fields_with_geo;

use super::de;
use super::error::{Problem, ScenarioError};
use super::locate::{Locations, Pos};
use super::overrides::{self, Override};
use super::raw::*;
use super::yaml::{self, Origin};
use super::*;

/// Collects problems with their positions.
pub(crate) struct Problems<'a> {
    /// The tree, indexed by path on the first problem (a valid file never pays for it).
    root: &'a yaml::Node,
    locs: std::cell::OnceCell<Locations>,
    /// Paths set by `--set`, with the override text, so their errors say so.
    set: Vec<(String, String)>,
    pub(crate) list: Vec<Problem>,
}

impl<'a> Problems<'a> {
    /// No problems yet, about the file read into `root`.
    pub(crate) fn new(root: &'a yaml::Node) -> Problems<'a> {
        Problems {
            root,
            locs: std::cell::OnceCell::new(),
            set: Vec::new(),
            list: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, path: &str, pos: Option<Pos>, message: String) {
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
    pub(crate) fn locations(&self) -> &Locations {
        self.locs.get_or_init(|| Locations::from_tree(self.root))
    }
    /// A problem with the value at `path`.
    pub(crate) fn at(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.locations().value(path);
        self.push(path, pos, message.into());
    }
    /// A problem with the key at `path` (a field that should not be there).
    pub(crate) fn at_key(&mut self, path: &str, message: impl Into<String>) {
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
        set,
        list: duplicates,
        ..Problems::new(&root)
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

/// Stage 3: the raw scenario resolved, every problem found reported; `None` if there was one.
fn resolve(raw: &RawScenario, pr: &mut Problems) -> Option<Scenario> {
    let (duration, warmup, window) = times(raw, pr);
    // Component names first, so that references can be checked.
    let names = component_names(raw, pr);
    let id_of = |n: &str| names.iter().position(|x| *x == n);

    let traffic = resolve_traffic(&raw.traffic, pr);
    // Past the size limits stop here: every component resolves per-class tables.
    let n_classes = raw.traffic.classes.as_ref().map_or(1, Vec::len);
    if names.len() > MAX_COMPONENTS || n_classes > MAX_CLASSES {
        return None;
    }
    let classes = classes::infos(&raw.traffic);
    let network = resolve_network(raw, &names, pr);
    let geo = resolve_geo(raw, pr);
    let dcs: Vec<&str> = raw
        .datacenters
        .iter()
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    let prices = prices(raw, pr);
    let transfer_prices = transfer_prices(raw, pr);
    let (components, cdn_seen) = components(raw, &names, &classes, &dcs, &prices, pr);
    let entry = entry(raw, &names, pr);
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
        prices,
        transfer_prices,
        regions: geo.as_ref()?.regions.clone(),
        datacenters: dcs.iter().map(|d| d.to_string()).collect(),
        dc_latency: geo?.dc_latency,
    };
    resolve_memory(&scenario, raw.window.is_some(), pr).then_some(scenario)
}

/// `name`, and the run's `duration`, `warmup` and `window`, checked.
fn times(raw: &RawScenario, pr: &mut Problems) -> (SimTime, SimTime, SimTime) {
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
    (duration, warmup, window)
}

/// The components' names, by index; their number and spelling checked.
fn component_names<'r>(raw: &'r RawScenario, pr: &mut Problems) -> Vec<&'r str> {
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
    names
}

/// Every component, resolved by its kind (see [`kinds`]), placed in its data center; and
/// the cdn's name, if there is one. At most one dns and one cdn.
fn components<'r>(
    raw: &'r RawScenario,
    names: &[&str],
    classes: &[ClassInfo],
    dcs: &[&str],
    prices: &[InstanceType],
    pr: &mut Problems,
) -> (Vec<Component>, Option<&'r str>) {
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
        let datacenter = component_datacenter(&base, rc, dcs, geo_declared, pr);
        let instance = instances::instance(&base, rc, prices, pr);
        let reliability = rc.reliability.as_ref().map(|r| {
            let mut key = ReliabilityKey::default();
            for (field, value, slot) in [
                ("mtbf", r.mtbf, &mut key.mtbf),
                ("mttr", r.mttr, &mut key.mttr),
            ] {
                if let Some(d) = value {
                    if d.0 == SimTime::ZERO {
                        pr.at(
                            &format!("{base}.reliability.{field}"),
                            "expected a duration > 0, found 0s",
                        );
                    }
                    *slot = Some(d.0);
                }
            }
            key
        });
        if let Some(mut kind) = kinds::resolve(&base, rc, names, classes, dcs, geo_declared, pr) {
            let scale = instances::scale(&base, rc, instance, &mut kind, prices, pr);
            components.push(Component {
                name: name.clone(),
                kind,
                datacenter: datacenter.flatten(),
                instance,
                scale,
                reliability,
            });
        }
    }
    (components, cdn_seen)
}

/// The per-GB transfer prices: the shipped ones, each replaced by the scenario's
/// `transfer_prices` entry when it gives one.
fn transfer_prices(raw: &RawScenario, pr: &mut Problems) -> TransferPrices {
    let mut out = TransferPrices::default();
    let Some(t) = &raw.transfer_prices else {
        return out;
    };
    for (key, given, slot) in [
        ("cdn_egress", t.cdn_egress, &mut out.cdn_egress),
        (
            "internet_egress",
            t.internet_egress,
            &mut out.internet_egress,
        ),
        ("inter_dc", t.inter_dc, &mut out.inter_dc),
    ] {
        let Some(v) = given else { continue };
        if v.is_finite() && v >= 0.0 {
            *slot = v;
        } else {
            pr.at(
                &format!("transfer_prices.{key}"),
                format!("expected dollars per GB >= 0, found {v}"),
            );
        }
    }
    out
}

/// `entry`: a component that dynamic requests can enter.
fn entry(raw: &RawScenario, names: &[&str], pr: &mut Problems) -> Option<CompId> {
    match names.iter().position(|x| *x == raw.entry) {
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
            pr.at("entry", unknown_component(&raw.entry, names));
            None
        }
    }
}

/// The model sized from `sc` must fit in [`MAX_MEMORY`]; otherwise the problem points at
/// the largest part of it (the time series at `window`, or at `duration` when the window
/// is the default). Checked last, on an otherwise valid scenario.
pub(crate) fn resolve_memory(sc: &Scenario, window_given: bool, pr: &mut Problems) -> bool {
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

pub(crate) fn unknown_component(name: &str, names: &[&str]) -> String {
    format!(
        "expected the name of a component ({}), found `{name}`{}",
        names.join(", "),
        de::mean(name, names)
    )
}

pub(crate) fn finite_positive(pr: &mut Problems, path: &str, v: f64, what: &str) -> bool {
    if !v.is_finite() || v <= 0.0 {
        pr.at(path, format!("expected {what} > 0, found {v}"));
        false
    } else {
        true
    }
}

/// Reports "expected {what} >= 0{unit}, found {v}" at `path` unless `v` is finite and >= 0.
pub(crate) fn finite_non_negative(
    pr: &mut Problems,
    path: &str,
    v: f64,
    what: &str,
    unit: &str,
) -> bool {
    if !v.is_finite() || v < 0.0 {
        pr.at(path, format!("expected {what} >= 0{unit}, found {v}"));
        false
    } else {
        true
    }
}

/// Reports a rate above [`MAX_RATE`] at `path`.
pub(crate) fn rate_at_most_max(pr: &mut Problems, path: &str, rate: f64) -> bool {
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
pub(crate) fn closed_rate_ok(pr: &mut Problems, users: u64, think: &Dist) -> bool {
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
pub(crate) fn mean_at_least_min_interval(
    pr: &mut Problems,
    path: &str,
    d: &Dist,
    what: &str,
) -> bool {
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

pub(crate) fn named<T: Copy>(
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
pub(crate) fn interval_ok(path: &str, interval: SimTime, pr: &mut Problems) -> bool {
    let ok = interval >= MIN_INTERVAL;
    if !ok {
        pr.at(
            path,
            format!("expected an interval of at least {MIN_INTERVAL}, found {interval}"),
        );
    }
    ok
}
