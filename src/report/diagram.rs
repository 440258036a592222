//! The topology of a scenario as a picture: Mermaid and Graphviz DOT text, and an SVG laid
//! out here (for pages that must not load a diagram library).
//!
//! [`Topology::of`] reads the links of every component kind from a validated [`Scenario`]:
//! the users reach the `dns` component (when there is one), the entry, and the CDN for
//! static classes; a load balancer reaches its `to`; a server or worker group its `calls`,
//! per class, and its session store; a cache its `miss`; a CDN its `origin`; a queue its
//! `consumers`. A database's replicas and shards are part of its node, not nodes of their
//! own. Nodes are labelled with their kind and key sizing (count x workers, capacity,
//! replicas, shards); edges with the request classes that take them when not every class
//! does.
//!
//! Scenarios have no data-center field, so nodes are not grouped by data center.
//!
//! Everything here returns `String`s and does no I/O.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::scenario::{
    Autoscale, ComponentKind, LbPolicy, ReadFrom, ScaleTarget, Scenario, Sessions, ShardStrategy,
};

/// The shape a node is drawn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The users (the traffic source).
    Users,
    /// A component that serves requests.
    Box,
    /// Something that stores data: a database, a store, a cache, a CDN edge or a queue.
    Store,
}

/// One node: the users, or a component.
#[derive(Clone, Debug)]
pub struct Node {
    /// An identifier safe in Mermaid and DOT: letters, digits and `_`, unique.
    pub id: String,
    /// The component's name (`users` for the traffic source).
    pub name: String,
    /// Kind and key sizing, e.g. `server: 4 x 20 workers, queue 100`.
    pub detail: String,
    pub shape: Shape,
}

/// One link: `from` sends requests to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Index into [`Topology::nodes`].
    pub from: usize,
    pub to: usize,
    /// The classes that take it, or what it carries (`lookup`, `miss`, `sessions`); empty
    /// when every class takes it.
    pub label: String,
}

/// The nodes and links of a scenario. Node 0 is the users; node `i + 1` is component `i`.
#[derive(Clone, Debug)]
pub struct Topology {
    /// The scenario's name.
    pub name: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Topology {
    /// The topology of `sc`.
    pub fn of(sc: &Scenario) -> Topology {
        let mut used = HashSet::new();
        let mut nodes = vec![Node {
            id: unique_id("users", &mut used),
            name: "users".to_string(),
            detail: users_detail(sc),
            shape: Shape::Users,
        }];
        for c in &sc.components {
            nodes.push(Node {
                id: unique_id(&c.name, &mut used),
                name: c.name.clone(),
                detail: detail(&c.kind),
                shape: match c.kind {
                    ComponentKind::Database { .. }
                    | ComponentKind::Store { .. }
                    | ComponentKind::Cache { .. }
                    | ComponentKind::Cdn { .. }
                    | ComponentKind::Queue { .. } => Shape::Store,
                    _ => Shape::Box,
                },
            });
        }
        let class_names: Vec<&str> = sc.traffic.classes.iter().map(|c| c.name.as_str()).collect();
        let mut edges = Vec::new();
        let mut add = |from: usize, to: usize, label: String| {
            let e = Edge { from, to, label };
            if !edges.contains(&e) {
                edges.push(e);
            }
        };
        if let Some(dns) = sc
            .components
            .iter()
            .position(|c| matches!(c.kind, ComponentKind::Dns { .. }))
        {
            add(0, dns + 1, "lookup".to_string());
        }
        match sc.cdn {
            Some(cdn) => {
                let (stat, dynamic): (Vec<usize>, Vec<usize>) =
                    (0..class_names.len()).partition(|&i| sc.traffic.classes[i].is_static);
                if !dynamic.is_empty() {
                    add(0, sc.entry + 1, label_of(&dynamic, &class_names));
                }
                if !stat.is_empty() {
                    add(0, cdn + 1, label_of(&stat, &class_names));
                }
            }
            None => add(0, sc.entry + 1, String::new()),
        }
        for (i, c) in sc.components.iter().enumerate() {
            let from = i + 1;
            match &c.kind {
                ComponentKind::Dns { .. } => {}
                ComponentKind::LoadBalancer { to, .. } => add(from, to + 1, String::new()),
                ComponentKind::Server {
                    calls, sessions, ..
                } => {
                    // Session classes call the store first (resolution prepends it).
                    let store = match sessions {
                        Some(Sessions::Store(store)) => Some(*store),
                        _ => None,
                    };
                    for (target, label) in call_edges(calls, &class_names) {
                        let label = match (Some(target) == store, label.is_empty()) {
                            (true, true) => "sessions".to_string(),
                            (true, false) => format!("sessions: {label}"),
                            (false, _) => label,
                        };
                        add(from, target + 1, label);
                    }
                    if let Some(store) = store
                        && !calls.iter().flatten().any(|&t| t == store)
                    {
                        add(from, store + 1, "sessions".to_string());
                    }
                }
                ComponentKind::Worker { calls, .. } => {
                    for (target, label) in call_edges(calls, &class_names) {
                        add(from, target + 1, label);
                    }
                }
                ComponentKind::Cache { miss, .. } => add(from, miss + 1, "miss".to_string()),
                ComponentKind::Cdn { origin, .. } => add(from, origin + 1, "miss".to_string()),
                ComponentKind::Queue { consumers, .. } => {
                    add(from, consumers + 1, "deliver".to_string())
                }
                ComponentKind::Database { .. } | ComponentKind::Store { .. } => {}
            }
        }
        Topology {
            name: sc.name.clone(),
            nodes,
            edges,
        }
    }

    /// A Mermaid `flowchart LR`.
    pub fn mermaid(&self) -> String {
        let mut s = String::from("flowchart LR\n");
        for n in &self.nodes {
            let text = format!(
                "{}<br/>{}",
                mermaid_escape(&n.name),
                mermaid_escape(&n.detail)
            );
            let _ = match n.shape {
                Shape::Users => writeln!(s, "  {}([\"{text}\"])", n.id),
                Shape::Box => writeln!(s, "  {}[\"{text}\"]", n.id),
                Shape::Store => writeln!(s, "  {}[(\"{text}\")]", n.id),
            };
        }
        for e in &self.edges {
            let (a, b) = (&self.nodes[e.from].id, &self.nodes[e.to].id);
            let _ = if e.label.is_empty() {
                writeln!(s, "  {a} --> {b}")
            } else {
                writeln!(s, "  {a} -->|\"{}\"| {b}", mermaid_escape(&e.label))
            };
        }
        s
    }

    /// A Graphviz `digraph`, left to right.
    pub fn dot(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "digraph \"{}\" {{", dot_escape(&self.name));
        s.push_str("  rankdir=LR;\n  node [fontname=\"DejaVu Sans\", fontsize=11];\n");
        s.push_str("  edge [fontname=\"DejaVu Sans\", fontsize=10];\n");
        for n in &self.nodes {
            let shape = match n.shape {
                Shape::Users => "ellipse",
                Shape::Box => "box",
                Shape::Store => "cylinder",
            };
            let _ = writeln!(
                s,
                "  {} [label=\"{}\\n{}\", shape={shape}];",
                n.id,
                dot_escape(&n.name),
                dot_escape(&n.detail)
            );
        }
        for e in &self.edges {
            let (a, b) = (&self.nodes[e.from].id, &self.nodes[e.to].id);
            let _ = if e.label.is_empty() {
                writeln!(s, "  {a} -> {b};")
            } else {
                writeln!(s, "  {a} -> {b} [label=\"{}\"];", dot_escape(&e.label))
            };
        }
        s.push_str("}\n");
        s
    }

    /// Layer of each node: the longest chain of links from the users (unreached nodes sit
    /// in layer 1). A link that would loop back is ignored for layering.
    fn layers(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let mut layer = vec![0usize; n];
        let mut reached = vec![false; n];
        reached[0] = true;
        // Longest path by relaxation; at most n rounds, so a cycle cannot loop forever.
        for _ in 0..n {
            let mut changed = false;
            for e in &self.edges {
                if reached[e.from]
                    && e.to != 0
                    && layer[e.to] < layer[e.from] + 1
                    && layer[e.from] + 1 < n
                {
                    layer[e.to] = layer[e.from] + 1;
                    reached[e.to] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (l, r) in layer.iter_mut().zip(&reached).skip(1) {
            if !r {
                *l = 1;
            }
        }
        layer
    }

    /// An SVG picture, laid out here: one row per layer (see `layers`), the users at the
    /// top, arrows from the bottom of a box to the top of its target. A link that skips
    /// rows bends through a slot of its own in each row it crosses (where its label sits),
    /// so it never runs through a box; each row is ordered by the mean position of what
    /// links into it, which keeps crossings few. Self-contained: no script, no external
    /// reference.
    pub fn svg(&self) -> String {
        const BOX_H: f64 = 46.0;
        const GAP_X: f64 = 30.0;
        const GAP_Y: f64 = 62.0;
        const PAD: f64 = 16.0;
        const CHAR_W: f64 = 6.6;
        const LABEL_CHAR_W: f64 = 5.8;
        let layer = self.layers();
        let rows = layer.iter().copied().max().unwrap_or(0) + 1;

        // Items laid out in rows: the nodes, then one bend point per skipped row per link.
        let mut item_w: Vec<f64> = self
            .nodes
            .iter()
            .map(|n| {
                (n.name.chars().count().max(n.detail.chars().count()) as f64 * CHAR_W + 20.0)
                    .max(80.0)
            })
            .collect();
        let mut item_row: Vec<usize> = layer.clone();
        // Per edge: the items its line passes through, source to target.
        let mut paths: Vec<Vec<usize>> = Vec::with_capacity(self.edges.len());
        for e in &self.edges {
            let mut path = vec![e.from];
            if layer[e.to] > layer[e.from] + 1 {
                let w = (e.label.chars().count() as f64 * LABEL_CHAR_W + 8.0).max(16.0);
                for row in layer[e.from] + 1..layer[e.to] {
                    item_w.push(w);
                    item_row.push(row);
                    path.push(item_w.len() - 1);
                }
            }
            path.push(e.to);
            paths.push(path);
        }
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); item_w.len()];
        for path in &paths {
            for pair in path.windows(2) {
                if item_row[pair[1]] > item_row[pair[0]] {
                    preds[pair[1]].push(pair[0]);
                }
            }
        }
        // Order each row by the mean slot of its predecessors in earlier rows.
        let mut slot = vec![0.0f64; item_w.len()];
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); rows];
        for (i, &r) in item_row.iter().enumerate() {
            members[r].push(i);
        }
        for m in members.iter_mut() {
            let key = |i: usize| {
                let p = &preds[i];
                if p.is_empty() {
                    f64::MAX
                } else {
                    p.iter().map(|&q| slot[q]).sum::<f64>() / p.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize)> = m.iter().map(|&i| (key(i), i)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *m = keyed.into_iter().map(|(_, i)| i).collect();
            // Slots are fractions of the row, so rows of different lengths compare.
            let n = m.len() as f64;
            for (k, &i) in m.iter().enumerate() {
                slot[i] = (k as f64 + 0.5) / n;
            }
        }
        let row_w = |m: &[usize]| {
            m.iter().map(|&i| item_w[i]).sum::<f64>() + (m.len() as f64 - 1.0).max(0.0) * GAP_X
        };
        let width = members.iter().map(|m| row_w(m)).fold(0.0, f64::max) + 2.0 * PAD;
        let height = PAD * 2.0 + rows as f64 * BOX_H + (rows as f64 - 1.0) * GAP_Y;
        // (left, top, width) of each item.
        let mut pos = vec![(0.0, 0.0, 0.0); item_w.len()];
        for (row, m) in members.iter().enumerate() {
            let mut x = (width - row_w(m)) / 2.0;
            let y = PAD + row as f64 * (BOX_H + GAP_Y);
            for &i in m {
                pos[i] = (x, y, item_w[i]);
                x += item_w[i] + GAP_X;
            }
        }
        let nodes = self.nodes.len();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
             viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" font-family=\"sans-serif\">\
             <title>{}</title>",
            xml_escape(&self.name)
        );
        for (e, path) in self.edges.iter().zip(&paths) {
            // Leave a node from its bottom and enter it at its top; pass through bend points
            // at their centre.
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(path.len());
            for (k, &i) in path.iter().enumerate() {
                let (x, y, w) = pos[i];
                let cx = x + w / 2.0;
                if i >= nodes {
                    pts.push((cx, y + BOX_H / 2.0));
                } else if k == 0 {
                    pts.push((cx, y + BOX_H));
                } else {
                    pts.push((cx, y));
                }
            }
            let points: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = writeln!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\"/>",
                points.join(" ")
            );
            // The arrow head: a triangle along the last segment.
            let (x1, y1) = pts[pts.len() - 2];
            let (x2, y2) = pts[pts.len() - 1];
            let (dx, dy) = (x2 - x1, y2 - y1);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let (ux, uy) = (dx / len, dy / len);
            let (bxh, byh) = (x2 - 9.0 * ux, y2 - 9.0 * uy);
            let (px, py) = (-uy * 4.5, ux * 4.5);
            let _ = writeln!(
                s,
                "<polygon points=\"{x2:.1},{y2:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#555\"/>",
                bxh + px,
                byh + py,
                bxh - px,
                byh - py
            );
            if !e.label.is_empty() {
                // On the first bend point (its slot is sized for the label), else 60% of the
                // way down the link.
                let (mx, my) = if pts.len() > 2 {
                    (pts[1].0, pts[1].1 + 4.0)
                } else {
                    (x1 + 0.6 * dx, y1 + 0.6 * dy + 4.0)
                };
                let _ = writeln!(
                    s,
                    "<text x=\"{mx:.1}\" y=\"{my:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#333\" \
                     stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                    xml_escape(&e.label)
                );
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let (x, y, w) = pos[i];
            let (fill, rx) = match n.shape {
                Shape::Users => ("#fde9c4", 23.0),
                Shape::Box => ("#dcecf7", 4.0),
                Shape::Store => ("#d7efe6", 12.0),
            };
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BOX_H}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"#333\"/>"
            );
            let cx = x + w / 2.0;
            let _ = writeln!(
                s,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#141414\">{}</text>",
                y + 19.0,
                xml_escape(&n.name)
            );
            let _ = writeln!(
                s,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
                y + 36.0,
                xml_escape(&n.detail)
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

/// Edges of a server or worker group's calls: each target with the classes that call it
/// (empty label when every class does).
fn call_edges(calls: &[Vec<usize>], classes: &[&str]) -> Vec<(usize, String)> {
    let mut targets: Vec<usize> = Vec::new();
    for per_class in calls {
        for &t in per_class {
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
    }
    targets
        .into_iter()
        .map(|t| {
            let callers: Vec<usize> = (0..calls.len())
                .filter(|&c| calls[c].contains(&t))
                .collect();
            (t, label_of(&callers, classes))
        })
        .collect()
}

/// The class names at `idx`, comma-separated; empty when they are all the classes.
fn label_of(idx: &[usize], classes: &[&str]) -> String {
    if idx.len() == classes.len() && !classes.is_empty() {
        if classes.len() == 1 && classes[0] != "default" {
            return classes[0].to_string();
        }
        return String::new();
    }
    idx.iter()
        .map(|&i| classes[i])
        .collect::<Vec<_>>()
        .join(", ")
}

fn users_detail(sc: &Scenario) -> String {
    let rate = match &sc.traffic.arrival {
        crate::scenario::Arrival::Open(p) => {
            let first = p.points.first().map_or(0.0, |q| q.rate_per_s);
            let max = p.points.iter().map(|q| q.rate_per_s).fold(first, f64::max);
            if p.points.len() > 1 && max > first {
                format!("{} to {} req/s", rate(first), rate(max))
            } else {
                format!("{} req/s", rate(first))
            }
        }
        crate::scenario::Arrival::Closed { .. } => "closed loop".to_string(),
    };
    format!("{} users, {rate}", thousands(sc.traffic.users))
}

fn detail(kind: &ComponentKind) -> String {
    match kind {
        ComponentKind::Dns { ttl, .. } => format!("dns: ttl {ttl}"),
        ComponentKind::LoadBalancer { policy, health, .. } => format!(
            "load balancer: {}{}",
            policy_name(*policy),
            if health.is_some() {
                ", health checks"
            } else {
                ""
            }
        ),
        ComponentKind::Server {
            count,
            workers,
            queue,
            autoscale,
            ..
        } => {
            let mut s = format!("server: {count} x {workers} workers");
            if let Some(q) = queue {
                let _ = write!(s, ", queue {}", thousands(*q));
            }
            if let Some(a) = autoscale {
                let _ = write!(s, ", {}", autoscale_text(a));
            }
            s
        }
        ComponentKind::Worker { count, workers, .. } => {
            format!("worker: {count} x {workers} workers")
        }
        ComponentKind::Database {
            workers,
            replicas,
            read_from,
            sync,
            shards,
            strategy,
            ..
        } => {
            let mut s = format!("database: {workers} workers");
            if *replicas > 0 {
                let _ = write!(
                    s,
                    ", {replicas} replica{}{}",
                    if *replicas == 1 { "" } else { "s" },
                    if *sync { " (sync)" } else { "" }
                );
                if *read_from != ReadFrom::Replicas {
                    let _ = write!(
                        s,
                        ", reads from {}",
                        match read_from {
                            ReadFrom::Primary => "primary",
                            ReadFrom::Any => "any",
                            ReadFrom::Replicas => "replicas",
                        }
                    );
                }
            }
            if *shards > 1 {
                let _ = write!(
                    s,
                    ", {shards} shards ({})",
                    match strategy {
                        ShardStrategy::HashMod => "hash_mod",
                        ShardStrategy::ConsistentHash => "consistent_hash",
                        ShardStrategy::Range => "range",
                    }
                );
            }
            s
        }
        ComponentKind::Cache { cache, .. } => format!(
            "cache: {} entries{}",
            thousands(cache.capacity),
            cache.ttl.map_or_else(String::new, |t| format!(", ttl {t}"))
        ),
        ComponentKind::Cdn { cache, .. } => {
            format!("cdn: {} entries", thousands(cache.capacity))
        }
        ComponentKind::Queue { capacity, .. } => match capacity {
            Some(c) => format!("queue: capacity {}", thousands(*c)),
            None => "queue: unbounded".to_string(),
        },
        ComponentKind::Store { workers, .. } => format!("store: {workers} workers"),
    }
}

fn autoscale_text(a: &Autoscale) -> String {
    let target = match a.target {
        ScaleTarget::Utilization(u) => format!("utilization {}%", plain(u * 100.0)),
        ScaleTarget::Queue(q) => format!("queue {}", plain(q)),
    };
    format!("autoscale {}..{} on {target}", a.min, a.max)
}

fn policy_name(p: LbPolicy) -> &'static str {
    match p {
        LbPolicy::RoundRobin => "round_robin",
        LbPolicy::Random => "random",
        LbPolicy::LeastConnections => "least_connections",
        LbPolicy::PowerOfTwo => "power_of_two",
        LbPolicy::Hash => "hash",
        LbPolicy::Sticky => "sticky",
    }
}

/// A number without float noise: `2500`, `0.7`.
fn plain(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn thousands(n: u64) -> String {
    super::table::count(n)
}

/// A rate: whole numbers as such (`10`, `2,500`), others with their decimals.
fn rate(v: f64) -> String {
    if v >= 100.0 {
        super::table::rate(v)
    } else {
        plain(v)
    }
}

/// An identifier made of letters, digits and `_` from `name`, unique among `used`.
fn unique_id(name: &str, used: &mut HashSet<String>) -> String {
    let mut base: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, 'n');
    }
    // Words Mermaid or DOT read as keywords.
    if matches!(
        base.as_str(),
        "end" | "graph" | "subgraph" | "node" | "edge" | "digraph" | "strict"
    ) {
        base.push('_');
    }
    let mut id = base.clone();
    let mut k = 2;
    while !used.insert(id.clone()) {
        id = format!("{base}_{k}");
        k += 1;
    }
    id
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Escapes text for XML and HTML content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "
name: t
duration: 1s
traffic: {rate: 10, classes: [{name: read, weight: 0.9}, {name: write, weight: 0.1}]}
entry: lb
components:
  lb: {kind: load_balancer, policy: round_robin, to: web, latency: {const: 1ms}}
  web: {kind: server, count: 2, workers: 4, service: {const: 1ms}, calls: {read: [cache], write: [db]}}
  cache: {kind: cache, capacity: 100, latency: {const: 1ms}, miss: db}
  db: {kind: database, workers: 2, replicas: 1, replication_lag: {const: 5ms}, read: {const: 1ms}, write: {const: 1ms}}
";

    #[test]
    fn links_follow_every_kind() {
        let sc = Scenario::parse(TEXT, "t", &[]).unwrap();
        let t = Topology::of(&sc);
        let names: Vec<_> = t
            .edges
            .iter()
            .map(|e| {
                format!(
                    "{}>{}:{}",
                    t.nodes[e.from].name, t.nodes[e.to].name, e.label
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                "users>lb:",
                "lb>web:",
                "web>cache:read",
                "web>db:write",
                "cache>db:miss"
            ]
        );
        assert_eq!(t.layers(), [0, 1, 2, 3, 4]);
        assert_eq!(t.nodes[4].detail, "database: 2 workers, 1 replica");
    }

    #[test]
    fn queues_workers_shards_and_session_stores() {
        let sc = Scenario::parse(
            "name: q
duration: 1s
traffic: {rate: 10, classes: [{name: page, weight: 1, session: true}]}
entry: web
components:
  web: {kind: server, workers: 4, service: {const: 1ms}, calls: [jobs], session: store, session_store: sessions}
  sessions: {kind: store, workers: 2, service: {const: 1ms}}
  jobs: {kind: queue, capacity: 500, latency: {const: 1ms}, consumers: workers}
  workers: {kind: worker, count: 2, workers: 3, service: {const: 1ms}, calls: [db]}
  db: {kind: database, workers: 2, read: {const: 1ms}, write: {const: 1ms}, shards: 4, strategy: consistent_hash}
",
            "q",
            &[],
        )
        .unwrap();
        let t = Topology::of(&sc);
        let edges: Vec<_> = t
            .edges
            .iter()
            .map(|e| {
                format!(
                    "{}>{}:{}",
                    t.nodes[e.from].name, t.nodes[e.to].name, e.label
                )
            })
            .collect();
        assert_eq!(
            edges,
            [
                "users>web:",
                "web>sessions:sessions: page",
                "web>jobs:page",
                "jobs>workers:deliver",
                "workers>db:page"
            ]
        );
        let details: Vec<_> = t.nodes.iter().map(|n| n.detail.as_str()).collect();
        assert_eq!(
            details,
            [
                "10,000 users, 10 req/s",
                "server: 1 x 4 workers",
                "store: 2 workers",
                "queue: capacity 500",
                "worker: 2 x 3 workers",
                "database: 2 workers, 4 shards (consistent_hash)"
            ]
        );
        let dot = t.dot();
        assert!(
            dot.contains("jobs -> workers [label=\"deliver\"];"),
            "{dot}"
        );
        // The database is two links below the server: the layout gives it its own row.
        assert_eq!(t.layers(), [0, 1, 2, 2, 3, 4]);
    }

    #[test]
    fn ids_are_unique_and_safe() {
        let mut used = HashSet::new();
        assert_eq!(unique_id("web-1", &mut used), "web_1");
        assert_eq!(unique_id("web_1", &mut used), "web_1_2");
        assert_eq!(unique_id("end", &mut used), "end_");
        assert_eq!(unique_id("9x", &mut used), "n9x");
    }

    #[test]
    fn svg_has_a_box_per_node_and_an_arrow_per_edge() {
        let sc = Scenario::parse(TEXT, "t", &[]).unwrap();
        let t = Topology::of(&sc);
        let svg = t.svg();
        assert_eq!(svg.matches("<rect").count(), t.nodes.len());
        assert_eq!(svg.matches("<polygon").count(), t.edges.len());
        assert_eq!(svg.matches("<polyline").count(), t.edges.len());
        assert!(!svg.contains("url("));
    }
}
