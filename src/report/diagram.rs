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
//! With data centers, components are grouped by the data center they stand in (a Mermaid
//! `subgraph`, a DOT `cluster_`, a labelled rounded rectangle in the SVG); dns and cdn stay
//! outside. With regions, there is one users node per region, linked to the entry its users
//! reach (GeoDNS's nearest data center) with the region's one-way latency to it; GeoDNS
//! links to each data center's entry (`geo`); a link between two data centers carries their
//! latency, and a database's node names the data centers of its replicas. A scenario
//! without data centers is drawn exactly as before they existed.
//!
//! Everything here returns `String`s and does no I/O.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::engine::{Dist, SimTime};
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
    /// The data center it stands in (index into [`Topology::datacenters`]); `None` for the
    /// users and for global components (dns, cdn), and when there are no data centers.
    pub datacenter: Option<usize>,
}

/// A data center: a group of nodes.
#[derive(Clone, Debug)]
pub struct Datacenter {
    /// An identifier safe in Mermaid and DOT, unique among node and data-center ids.
    pub id: String,
    /// The data center's name.
    pub name: String,
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

/// The nodes and links of a scenario. Nodes `0..users` are the users (one node per region,
/// or one node when the scenario has no regions); node `users + i` is component `i`.
#[derive(Clone, Debug)]
pub struct Topology {
    /// The scenario's name.
    pub name: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// The number of users nodes at the start of `nodes`.
    pub users: usize,
    /// The scenario's data centers, in declaration order (empty: none).
    pub datacenters: Vec<Datacenter>,
}

impl Topology {
    /// The topology of `sc`.
    pub fn of(sc: &Scenario) -> Topology {
        let mut used = HashSet::new();
        let mut nodes = Vec::new();
        if sc.regions.is_empty() {
            nodes.push(Node {
                id: unique_id("users", &mut used),
                name: "users".to_string(),
                detail: users_detail(sc),
                shape: Shape::Users,
                datacenter: None,
            });
        } else {
            for r in &sc.regions {
                let name = format!("users {}", r.name);
                nodes.push(Node {
                    id: unique_id(&name, &mut used),
                    name,
                    detail: region_detail(sc, r.share),
                    shape: Shape::Users,
                    datacenter: None,
                });
            }
        }
        let u = nodes.len();
        for c in &sc.components {
            nodes.push(Node {
                id: unique_id(&c.name, &mut used),
                name: c.name.clone(),
                detail: detail(&c.kind, &sc.datacenters),
                shape: match c.kind {
                    ComponentKind::Database { .. }
                    | ComponentKind::Store { .. }
                    | ComponentKind::Cache { .. }
                    | ComponentKind::Cdn { .. }
                    | ComponentKind::Queue { .. } => Shape::Store,
                    _ => Shape::Box,
                },
                datacenter: c.datacenter,
            });
        }
        let datacenters = sc
            .datacenters
            .iter()
            .map(|d| Datacenter {
                id: unique_id(d, &mut used),
                name: d.clone(),
            })
            .collect();
        let class_names: Vec<&str> = sc.traffic.classes.iter().map(|c| c.name.as_str()).collect();
        let mut edges = Vec::new();
        let mut add = |from: usize, to: usize, label: String| {
            let e = Edge { from, to, label };
            if !edges.contains(&e) {
                edges.push(e);
            }
        };
        let dns = sc
            .components
            .iter()
            .position(|c| matches!(c.kind, ComponentKind::Dns { .. }));
        let (stat, dynamic): (Vec<usize>, Vec<usize>) =
            (0..class_names.len()).partition(|&i| sc.traffic.classes[i].is_static);
        for k in 0..u {
            if let Some(dns) = dns {
                add(k, u + dns, "lookup".to_string());
            }
            // The entry this users node reaches, and the one-way latency to it.
            let (entry, latency) = match sc.regions.get(k) {
                Some(region) => {
                    let entry = sc.geo_dns().map_or(sc.entry, |g| {
                        nearest_entry(&g.entries, &region.latency).unwrap_or(sc.entry)
                    });
                    let latency = sc.components[entry]
                        .datacenter
                        .and_then(|d| region.latency.get(d))
                        .map(latency_text);
                    (entry, latency)
                }
                // Without regions, GeoDNS answers the first data center with an entry.
                None => (
                    sc.geo_dns()
                        .and_then(|g| g.entries.iter().flatten().next().copied())
                        .unwrap_or(sc.entry),
                    None,
                ),
            };
            match sc.cdn {
                Some(cdn) => {
                    if !dynamic.is_empty() {
                        add(
                            k,
                            u + entry,
                            with_latency(label_of(&dynamic, &class_names), latency.as_deref()),
                        );
                    }
                    if !stat.is_empty() {
                        add(k, u + cdn, label_of(&stat, &class_names));
                    }
                }
                None => add(
                    k,
                    u + entry,
                    with_latency(String::new(), latency.as_deref()),
                ),
            }
        }
        for (i, c) in sc.components.iter().enumerate() {
            let from = u + i;
            match &c.kind {
                ComponentKind::Dns { geo, .. } => {
                    for e in geo.iter().flat_map(|g| g.entries.iter().flatten()) {
                        add(from, u + e, "geo".to_string());
                    }
                }
                ComponentKind::LoadBalancer { to, .. } => add(from, u + to, String::new()),
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
                        add(from, u + target, label);
                    }
                    if let Some(store) = store
                        && !calls.iter().flatten().any(|&t| t == store)
                    {
                        add(from, u + store, "sessions".to_string());
                    }
                }
                ComponentKind::Worker { calls, .. } => {
                    for (target, label) in call_edges(calls, &class_names) {
                        add(from, u + target, label);
                    }
                }
                ComponentKind::Cache { miss, .. } => add(from, u + miss, "miss".to_string()),
                ComponentKind::Cdn { origin, .. } => add(from, u + origin, "miss".to_string()),
                ComponentKind::Queue { consumers, .. } => {
                    add(from, u + consumers, "deliver".to_string())
                }
                ComponentKind::Database { .. } | ComponentKind::Store { .. } => {}
            }
        }
        // A call from one data center to another pays their latency.
        let n_dc = sc.datacenters.len();
        for e in edges.iter_mut().filter(|e| e.from >= u) {
            let (from, to) = (&sc.components[e.from - u], &sc.components[e.to - u]);
            let (Some(a), Some(b)) = (from.datacenter, to.datacenter) else {
                continue;
            };
            if a == b {
                continue;
            }
            let Some(Some(lat)) = sc.dc_latency.get(a * n_dc + b) else {
                continue;
            };
            let mut text = latency_text(lat);
            // Reads find a node of the read pool in the caller's data center: only writes
            // cross.
            if let ComponentKind::Database {
                replica_dcs,
                read_from,
                ..
            } = &to.kind
                && *read_from != ReadFrom::Primary
                && replica_dcs.contains(&a)
            {
                text = format!("writes {text}");
            }
            e.label = with_latency(std::mem::take(&mut e.label), Some(&text));
        }
        Topology {
            name: sc.name.clone(),
            nodes,
            edges,
            users: u,
            datacenters,
        }
    }

    /// The node indices standing in no data center (in node order), then each data
    /// center's nodes (in node order); a data center without components is left out.
    fn groups(&self) -> (Vec<usize>, Vec<(usize, Vec<usize>)>) {
        let outside = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].datacenter.is_none())
            .collect();
        let inside = (0..self.datacenters.len())
            .map(|d| {
                let members = (0..self.nodes.len())
                    .filter(|&i| self.nodes[i].datacenter == Some(d))
                    .collect::<Vec<_>>();
                (d, members)
            })
            .filter(|(_, m)| !m.is_empty())
            .collect();
        (outside, inside)
    }

    /// A Mermaid `flowchart LR`, with a `subgraph` per data center.
    pub fn mermaid(&self) -> String {
        let mut s = String::from("flowchart LR\n");
        let node = |s: &mut String, n: &Node, indent: &str| {
            let text = format!(
                "{}<br/>{}",
                mermaid_escape(&n.name),
                mermaid_escape(&n.detail)
            );
            let _ = match n.shape {
                Shape::Users => writeln!(s, "{indent}{}([\"{text}\"])", n.id),
                Shape::Box => writeln!(s, "{indent}{}[\"{text}\"]", n.id),
                Shape::Store => writeln!(s, "{indent}{}[(\"{text}\")]", n.id),
            };
        };
        let (outside, inside) = self.groups();
        for i in outside {
            node(&mut s, &self.nodes[i], "  ");
        }
        for (d, members) in inside {
            let dc = &self.datacenters[d];
            let _ = writeln!(s, "  subgraph {}[\"{}\"]", dc.id, mermaid_escape(&dc.name));
            for i in members {
                node(&mut s, &self.nodes[i], "    ");
            }
            s.push_str("  end\n");
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

    /// A Graphviz `digraph`, left to right, with a `cluster_` subgraph per data center.
    pub fn dot(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "digraph \"{}\" {{", dot_escape(&self.name));
        s.push_str("  rankdir=LR;\n  node [fontname=\"DejaVu Sans\", fontsize=11];\n");
        s.push_str("  edge [fontname=\"DejaVu Sans\", fontsize=10];\n");
        let node = |s: &mut String, n: &Node, indent: &str| {
            let shape = match n.shape {
                Shape::Users => "ellipse",
                Shape::Box => "box",
                Shape::Store => "cylinder",
            };
            let _ = writeln!(
                s,
                "{indent}{} [label=\"{}\\n{}\", shape={shape}];",
                n.id,
                dot_escape(&n.name),
                dot_escape(&n.detail)
            );
        };
        let (outside, inside) = self.groups();
        for i in outside {
            node(&mut s, &self.nodes[i], "  ");
        }
        for (d, members) in inside {
            let dc = &self.datacenters[d];
            let _ = writeln!(s, "  subgraph cluster_{} {{", dc.id);
            let _ = writeln!(
                s,
                "    label=\"{}\";\n    style=\"rounded,dashed\";\n    color=\"#777777\";",
                dot_escape(&dc.name)
            );
            for i in members {
                node(&mut s, &self.nodes[i], "    ");
            }
            s.push_str("  }\n");
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
    /// in layer 1). A link that would loop back is ignored for layering. With data centers,
    /// every component standing in one sits below every global component that no data
    /// center calls (dns, cdn), so that the data centers form a band of rows of their own.
    fn layers(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let mut reached = vec![false; n];
        for r in reached.iter_mut().take(self.users) {
            *r = true;
        }
        let mut layer = self.relax(vec![0; n], &mut reached);
        for (l, r) in layer.iter_mut().zip(&reached).skip(self.users) {
            if !r {
                *l = 1;
            }
        }
        if !self.datacenters.is_empty() {
            let in_dc = |i: usize| self.nodes[i].datacenter.is_some();
            let front = (self.users..n)
                .filter(|&i| !in_dc(i) && !self.edges.iter().any(|e| e.to == i && in_dc(e.from)))
                .map(|i| layer[i])
                .max()
                .unwrap_or(0);
            for (i, l) in layer.iter_mut().enumerate() {
                if in_dc(i) {
                    *l = (*l).max(front + 1);
                }
            }
            let mut all = vec![true; n];
            layer = self.relax(layer, &mut all);
        }
        layer
    }

    /// Longest path by relaxation from the `reached` nodes, starting at `layer`; at most
    /// `n` rounds and at most `2n` layers, so a cycle cannot loop forever.
    fn relax(&self, mut layer: Vec<usize>, reached: &mut [bool]) -> Vec<usize> {
        let n = self.nodes.len();
        let cap = if self.datacenters.is_empty() {
            n
        } else {
            2 * n
        };
        for _ in 0..n {
            let mut changed = false;
            for e in &self.edges {
                if reached[e.from]
                    && e.to >= self.users
                    && layer[e.to] < layer[e.from] + 1
                    && layer[e.from] + 1 < cap
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
        layer
    }

    /// Positions for the SVG: one row per layer (see `layers`), the users at the top. A
    /// link that skips rows bends through a slot of its own in each row it crosses; each
    /// row is ordered by the mean position of what links into it. With data centers, the
    /// rows from the first one holding a data center's component down form a band in which
    /// each data center has a column block of its own (its items centred in it), drawn as
    /// a labelled rectangle; items of no data center in the band take a block after them.
    fn layout(&self, gap_y: f64) -> Layout {
        let layer = self.layers();
        let rows = layer.iter().copied().max().unwrap_or(0) + 1;
        let n_dc = self.datacenters.len();

        // Items laid out in rows: the nodes, then one bend point per skipped row per link.
        let mut item_w: Vec<f64> = self
            .nodes
            .iter()
            .map(|n| (text_w(&n.name, NAME_CHAR_W).max(text_w(&n.detail, CHAR_W)) + 20.0).max(80.0))
            .collect();
        let mut item_row: Vec<usize> = layer.clone();
        // The block of each item: its data center, or `n_dc` for none. A bend point is in
        // its link's source's data center, else its target's.
        let mut item_group: Vec<usize> = self
            .nodes
            .iter()
            .map(|n| n.datacenter.unwrap_or(n_dc))
            .collect();
        // Per edge: the items its line passes through, source to target.
        let mut paths: Vec<Vec<usize>> = Vec::with_capacity(self.edges.len());
        for e in &self.edges {
            let mut path = vec![e.from];
            if layer[e.to] > layer[e.from] + 1 {
                let w = (text_w(&e.label, LABEL_CHAR_W) + 8.0).max(16.0);
                let group = self.nodes[e.from]
                    .datacenter
                    .or(self.nodes[e.to].datacenter)
                    .unwrap_or(n_dc);
                for row in layer[e.from] + 1..layer[e.to] {
                    item_w.push(w);
                    item_row.push(row);
                    item_group.push(group);
                    path.push(item_w.len() - 1);
                }
            }
            path.push(e.to);
            paths.push(path);
        }
        // The first row of the data-center band (`rows`: no band).
        let band = if n_dc == 0 {
            rows
        } else {
            (0..self.nodes.len())
                .filter(|&i| self.nodes[i].datacenter.is_some())
                .map(|i| layer[i])
                .min()
                .unwrap_or(rows)
        };
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); item_w.len()];
        for path in &paths {
            for pair in path.windows(2) {
                if item_row[pair[1]] > item_row[pair[0]] {
                    preds[pair[1]].push(pair[0]);
                }
            }
        }
        // Order each row by the mean slot of its predecessors in earlier rows (in the band:
        // by block first).
        let mut slot = vec![0.0f64; item_w.len()];
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); rows];
        for (i, &r) in item_row.iter().enumerate() {
            members[r].push(i);
        }
        for (row, m) in members.iter_mut().enumerate() {
            let key = |i: usize| {
                let p = &preds[i];
                if p.is_empty() {
                    f64::MAX
                } else {
                    p.iter().map(|&q| slot[q]).sum::<f64>() / p.len() as f64
                }
            };
            let group = |i: usize| if row >= band { item_group[i] } else { 0 };
            let mut keyed: Vec<(usize, f64, usize)> =
                m.iter().map(|&i| (group(i), key(i), i)).collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            *m = keyed.into_iter().map(|(_, _, i)| i).collect();
            // Slots are fractions of the row, so rows of different lengths compare.
            let n = m.len() as f64;
            for (k, &i) in m.iter().enumerate() {
                slot[i] = (k as f64 + 0.5) / n;
            }
        }
        let row_w = |m: &[usize]| {
            m.iter().map(|&i| item_w[i]).sum::<f64>() + (m.len() as f64 - 1.0).max(0.0) * GAP_X
        };
        // Band blocks: per group, the widest of its rows.
        let mut block_w = vec![0.0f64; n_dc + 1];
        for m in members.iter().skip(band) {
            for (g, w) in block_w.iter_mut().enumerate() {
                let part: Vec<usize> = m.iter().copied().filter(|&i| item_group[i] == g).collect();
                *w = w.max(row_w(&part));
            }
        }
        let used: Vec<usize> = (0..=n_dc).filter(|&g| block_w[g] > 0.0).collect();
        let band_w = used
            .iter()
            .map(|&g| block_w[g] + 2.0 * CLUSTER_PAD)
            .sum::<f64>()
            + (used.len() as f64 - 1.0).max(0.0) * CLUSTER_GAP;
        let width = members
            .iter()
            .take(band)
            .map(|m| row_w(m))
            .fold(band_w, f64::max)
            + 2.0 * PAD;
        let row_y = |row: usize| {
            PAD + row as f64 * (BOX_H + gap_y)
                + if row >= band && band > 0 {
                    BAND_GAP
                } else {
                    0.0
                }
        };
        let height = row_y(rows - 1) + BOX_H + PAD + if band < rows { CLUSTER_PAD } else { 0.0 };
        // Left edge of each block's items.
        let mut block_x = vec![0.0f64; n_dc + 1];
        let mut x = (width - band_w) / 2.0;
        for &g in &used {
            block_x[g] = x + CLUSTER_PAD;
            x += block_w[g] + 2.0 * CLUSTER_PAD + CLUSTER_GAP;
        }
        // (left, top, width) of each item.
        let mut pos = vec![(0.0, 0.0, 0.0); item_w.len()];
        for (row, m) in members.iter().enumerate() {
            let y = row_y(row);
            if row < band {
                let mut x = (width - row_w(m)) / 2.0;
                for &i in m {
                    pos[i] = (x, y, item_w[i]);
                    x += item_w[i] + GAP_X;
                }
                continue;
            }
            for &g in &used {
                let part: Vec<usize> = m.iter().copied().filter(|&i| item_group[i] == g).collect();
                let mut x = block_x[g] + (block_w[g] - row_w(&part)) / 2.0;
                for &i in &part {
                    pos[i] = (x, y, item_w[i]);
                    x += item_w[i] + GAP_X;
                }
            }
        }
        let clusters = if band < rows {
            let top = row_y(band) - CLUSTER_LABEL_H;
            let bottom = row_y(rows - 1) + BOX_H + CLUSTER_PAD;
            used.iter()
                .filter(|&&g| g < n_dc)
                .map(|&g| Cluster {
                    dc: g,
                    x: block_x[g] - CLUSTER_PAD,
                    y: top,
                    w: block_w[g] + 2.0 * CLUSTER_PAD,
                    h: bottom - top,
                })
                .collect()
        } else {
            Vec::new()
        };
        Layout {
            width,
            height,
            pos,
            paths,
            clusters,
        }
    }

    /// The layout and where each link's label is centred (`None`: no label). A label of a
    /// link that skips rows sits on its first bend point, whose slot is sized for it. Any
    /// other sits on its line between the two rows, as near 60% of the way down as it can
    /// without overlapping a box, a data center's title or a label placed before it; when
    /// some label finds no such place, the rows move apart and the layout is tried again.
    fn placed(&self) -> (Layout, Vec<Option<(f64, f64)>>) {
        let mut best = None;
        for k in 0..GAP_Y_TRIES {
            let layout = self.layout(GAP_Y + k as f64 * GAP_Y_STEP);
            let (at, all) = self.place_labels(&layout);
            if all || k + 1 == GAP_Y_TRIES {
                best = Some((layout, at));
                break;
            }
        }
        best.expect("at least one try")
    }

    /// Label centres for `layout`, and whether every label found a free place.
    fn place_labels(&self, l: &Layout) -> (Vec<Option<(f64, f64)>>, bool) {
        let nodes = self.nodes.len();
        let mut taken: Vec<Rect> = (0..nodes)
            .map(|i| (l.pos[i].0, l.pos[i].1, l.pos[i].2, BOX_H))
            .collect();
        taken.extend(
            l.clusters
                .iter()
                .map(|c| title_box(c, &self.datacenters[c.dc].name)),
        );
        let mut at = vec![None; self.edges.len()];
        // Bend-point labels first: their places are fixed.
        for (k, (e, path)) in self.edges.iter().zip(&l.paths).enumerate() {
            if !e.label.is_empty() && path.len() > 2 {
                let (x, y, w) = l.pos[path[1]];
                let c = (x + w / 2.0, y + BOX_H / 2.0);
                taken.push(label_box(&e.label, c));
                at[k] = Some(c);
            }
        }
        let mut all = true;
        for (k, (e, path)) in self.edges.iter().zip(&l.paths).enumerate() {
            if e.label.is_empty() || path.len() > 2 {
                continue;
            }
            let pts = path_points(&l.pos, path, nodes);
            let ((x1, y1), (x2, y2)) = (pts[0], pts[1]);
            let at_t = |t: f64| (x1 + t * (x2 - x1), y1 + t * (y2 - y1));
            let mut ts: Vec<f64> = (4..=36).map(|i| f64::from(i) / 40.0).collect();
            ts.sort_by(|a, b| (a - 0.6).abs().total_cmp(&(b - 0.6).abs()));
            let free = |c: (f64, f64)| {
                let b = label_box(&e.label, c);
                let m = LABEL_MARGIN;
                let padded = (b.0 - m, b.1 - m, b.2 + 2.0 * m, b.3 + 2.0 * m);
                b.0 >= 0.0
                    && b.0 + b.2 <= l.width
                    && !taken.iter().any(|&r| rects_overlap(padded, r))
            };
            let c = match ts.iter().map(|&t| at_t(t)).find(|&c| free(c)) {
                Some(c) => c,
                None => {
                    all = false;
                    at_t(0.6)
                }
            };
            taken.push(label_box(&e.label, c));
            at[k] = Some(c);
        }
        (at, all)
    }

    /// Every piece of text of the SVG as a box: each node's name and detail lines, each
    /// data center's title, each link's label. Widths are the conservative estimates the
    /// layout uses.
    #[cfg(test)]
    fn text_boxes(&self) -> Vec<(String, Rect)> {
        let (l, at) = self.placed();
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let (x, y, w) = l.pos[i];
            let cx = x + w / 2.0;
            let nw = text_w(&n.name, NAME_CHAR_W);
            out.push((n.name.clone(), (cx - nw / 2.0, y + 6.0, nw, 16.0)));
            let dw = text_w(&n.detail, CHAR_W);
            out.push((n.detail.clone(), (cx - dw / 2.0, y + 26.0, dw, 13.0)));
        }
        for c in &l.clusters {
            let name = &self.datacenters[c.dc].name;
            out.push((format!("data center {name}"), title_box(c, name)));
        }
        for (e, c) in self.edges.iter().zip(at) {
            if let Some(c) = c {
                out.push((e.label.clone(), label_box(&e.label, c)));
            }
        }
        out
    }

    /// An SVG picture laid out by `layout`: arrows from the bottom of a box to the top of
    /// its target, through the bend points of the links that skip rows (where their labels
    /// sit), each data center a labelled rounded rectangle behind its boxes. Self-contained:
    /// no script, no external reference.
    pub fn svg(&self) -> String {
        let (
            Layout {
                width,
                height,
                pos,
                paths,
                clusters,
            },
            label_at,
        ) = self.placed();
        let nodes = self.nodes.len();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
             viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" font-family=\"sans-serif\">\
             <title>{}</title>",
            xml_escape(&self.name)
        );
        for c in &clusters {
            let _ = writeln!(
                s,
                "<g class=\"datacenter\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
                 rx=\"10\" fill=\"#f4f4f4\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"bold\" fill=\"#444\">\
                 data center {}</text></g>",
                c.x,
                c.y,
                c.w,
                c.h,
                c.x + 10.0,
                c.y + 16.0,
                xml_escape(&self.datacenters[c.dc].name)
            );
        }
        for ((e, path), at) in self.edges.iter().zip(&paths).zip(&label_at) {
            let pts = path_points(&pos, path, nodes);
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
            if let Some((mx, my)) = at {
                let my = my + LABEL_BASELINE;
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

const BOX_H: f64 = 46.0;
const GAP_X: f64 = 30.0;
/// Space between rows; the layout tries larger gaps (by `GAP_Y_STEP`) until every link
/// label finds a place that overlaps nothing.
const GAP_Y: f64 = 62.0;
const GAP_Y_STEP: f64 = 24.0;
const GAP_Y_TRIES: usize = 8;
const PAD: f64 = 16.0;
// Conservative widths per character, pixels: DejaVu Sans and Verdana, among the widest
// common sans-serif faces, average about 0.6 em, bold about 0.68 em.
/// A node's detail line (11 px).
const CHAR_W: f64 = 7.0;
/// A node's name (13 px, bold).
const NAME_CHAR_W: f64 = 9.0;
/// A link label (10 px).
const LABEL_CHAR_W: f64 = 6.4;
/// A data center's title (12 px, bold).
const TITLE_CHAR_W: f64 = 8.4;
/// A link label's box around its centre point: from `LABEL_UP` above to `LABEL_DOWN` below;
/// the text's baseline sits `LABEL_BASELINE` below the centre.
const LABEL_UP: f64 = 6.0;
const LABEL_DOWN: f64 = 7.0;
const LABEL_BASELINE: f64 = 4.0;
/// Room kept around a link label, pixels.
const LABEL_MARGIN: f64 = 2.0;

/// The width of `s` at `per_char` pixels a character.
fn text_w(s: &str, per_char: f64) -> f64 {
    s.chars().count() as f64 * per_char
}

/// A rectangle `(left, top, width, height)`.
type Rect = (f64, f64, f64, f64);

fn rects_overlap(a: Rect, b: Rect) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

/// The box of a link label centred at `(x, y)`.
fn label_box(label: &str, (x, y): (f64, f64)) -> Rect {
    let w = text_w(label, LABEL_CHAR_W);
    (x - w / 2.0, y - LABEL_UP, w, LABEL_UP + LABEL_DOWN)
}

/// The box of a data center's title.
fn title_box(c: &Cluster, name: &str) -> Rect {
    (
        c.x + 10.0,
        c.y + 4.0,
        text_w(&format!("data center {name}"), TITLE_CHAR_W),
        16.0,
    )
}

/// The points a link's line passes through: it leaves a node from its bottom, enters its
/// target at its top, and passes through bend points at their centre.
fn path_points(pos: &[(f64, f64, f64)], path: &[usize], nodes: usize) -> Vec<(f64, f64)> {
    path.iter()
        .enumerate()
        .map(|(k, &i)| {
            let (x, y, w) = pos[i];
            let cx = x + w / 2.0;
            if i >= nodes {
                (cx, y + BOX_H / 2.0)
            } else if k == 0 {
                (cx, y + BOX_H)
            } else {
                (cx, y)
            }
        })
        .collect()
}
/// Space between a data center's rectangle and its boxes.
const CLUSTER_PAD: f64 = 14.0;
/// Space between two data centers' rectangles.
const CLUSTER_GAP: f64 = 28.0;
/// Height of a data center's title strip, above its first row.
const CLUSTER_LABEL_H: f64 = 26.0;
/// Extra space above the data-center band, so that labels of the links into it stay clear
/// of the titles.
const BAND_GAP: f64 = 26.0;

/// Where the SVG puts things.
struct Layout {
    width: f64,
    height: f64,
    /// (left, top, width) of each item: the nodes, then the bend points; every item is
    /// `BOX_H` high.
    pos: Vec<(f64, f64, f64)>,
    /// Per edge: the items its line passes through.
    paths: Vec<Vec<usize>>,
    clusters: Vec<Cluster>,
}

/// A data center's rectangle.
struct Cluster {
    dc: usize,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
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

/// A region's users: their share and their part of the rate.
fn region_detail(sc: &Scenario, share: f64) -> String {
    let rate = match &sc.traffic.arrival {
        crate::scenario::Arrival::Open(p) => {
            let first = p.points.first().map_or(0.0, |q| q.rate_per_s) * share;
            let max = p
                .points
                .iter()
                .map(|q| q.rate_per_s * share)
                .fold(first, f64::max);
            if p.points.len() > 1 && max > first {
                format!("{} to {} req/s", rate(first), rate(max))
            } else {
                format!("{} req/s", rate(first))
            }
        }
        crate::scenario::Arrival::Closed { .. } => "closed loop".to_string(),
    };
    let percent = format!("{:.1}", share * 100.0);
    format!(
        "{}%, {rate}",
        percent.trim_end_matches('0').trim_end_matches('.')
    )
}

/// The entry GeoDNS gives a region's users while every data center is healthy: the entry
/// of the data center nearest by mean latency (ties: the first declared), as the model does.
fn nearest_entry(entries: &[Option<usize>], latency: &[Dist]) -> Option<usize> {
    let mut best: Option<(f64, usize)> = None;
    for (d, e) in entries.iter().enumerate() {
        let (Some(e), Some(l)) = (e, latency.get(d)) else {
            continue;
        };
        let m = l.mean_ns();
        if best.is_none_or(|(b, _)| m.total_cmp(&b).is_lt()) {
            best = Some((m, *e));
        }
    }
    best.map(|(_, e)| e)
}

/// A one-way latency for a label: a constant as it is (`45ms`), anything else by its mean to
/// three significant digits, marked `~` (`~13.7ms`).
fn latency_text(d: &Dist) -> String {
    if let Some(v) = d.is_const() {
        return SimTime(v).to_string();
    }
    let m = d.mean_ns();
    if !m.is_finite() {
        return "~unbounded".to_string();
    }
    if m < 1.0 {
        return "~0ns".to_string();
    }
    let scale = 10f64.powi(m.log10().floor() as i32 - 2).max(1.0);
    format!("~{}", SimTime(((m / scale).round() * scale) as u64))
}

/// `label` with a latency: `page, write (~13.7ms)`, or the latency alone.
fn with_latency(label: String, latency: Option<&str>) -> String {
    match latency {
        None => label,
        Some(l) if label.is_empty() => l.to_string(),
        Some(l) => format!("{label} ({l})"),
    }
}

/// Where a database's replicas stand: `us-east, eu-west`, `us-east x2, eu-west`.
fn replica_places(replica_dcs: &[usize], datacenters: &[String]) -> String {
    let mut parts = Vec::new();
    for (d, name) in datacenters.iter().enumerate() {
        let n = replica_dcs.iter().filter(|&&r| r == d).count();
        match n {
            0 => {}
            1 => parts.push(name.clone()),
            _ => parts.push(format!("{name} x{n}")),
        }
    }
    parts.join(", ")
}

fn detail(kind: &ComponentKind, datacenters: &[String]) -> String {
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
        ComponentKind::Worker {
            count,
            workers,
            autoscale,
            ..
        } => {
            let mut s = format!("worker: {count} x {workers} workers");
            if let Some(a) = autoscale {
                let _ = write!(s, ", {}", autoscale_text(a));
            }
            s
        }
        ComponentKind::Database {
            workers,
            replicas,
            read_from,
            sync,
            shards,
            strategy,
            replica_dcs,
            ..
        } => {
            let mut s = format!("database: {workers} workers");
            if *replicas > 0 {
                let _ = write!(
                    s,
                    ", {replicas} replica{}",
                    if *replicas == 1 { "" } else { "s" },
                );
                match (replica_dcs.is_empty(), *sync) {
                    (true, true) => s.push_str(" (sync)"),
                    (true, false) => {}
                    (false, true) => {
                        let _ = write!(s, " (sync; {})", replica_places(replica_dcs, datacenters));
                    }
                    (false, false) => {
                        let _ = write!(s, " ({})", replica_places(replica_dcs, datacenters));
                    }
                }
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
        ScaleTarget::Backlog(b) => format!("backlog {} per instance", plain(b)),
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
    use std::path::Path;

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
        assert_eq!(
            edge_names(&t),
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
        assert_eq!(
            edge_names(&t),
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

    /// Two data centers, two regions, GeoDNS, a CDN and a database with a replica in each.
    const TWO_DC: &str = "
name: two
duration: 1s
traffic: {rate: 100, classes: [{name: page, weight: 0.9}, {name: img, weight: 0.1, static: true}]}
regions:
  na: {share: 0.75, latency: {us: {const: 12ms}, eu: {const: 45ms}}}
  europe: {share: 0.25, latency: {us: {const: 45ms}, eu: {lognormal: {median: 10ms, p99: 35ms}}}}
datacenters:
  us: {latency: {eu: {const: 38ms}}}
  eu: {}
entry: lb-us
components:
  dns: {kind: dns, latency: {const: 5ms}, ttl: 60s, geo: {us: lb-us, eu: lb-eu}}
  cdn: {kind: cdn, capacity: 100, latency: {const: 1ms}, origin: lb-us}
  lb-us: {kind: load_balancer, datacenter: us, policy: round_robin, to: web-us, latency: {const: 1ms}}
  lb-eu: {kind: load_balancer, datacenter: eu, policy: round_robin, to: web-eu, latency: {const: 1ms}}
  web-us: {kind: server, datacenter: us, workers: 4, service: {const: 1ms}, calls: [cache-us]}
  web-eu: {kind: server, datacenter: eu, workers: 4, service: {const: 1ms}, calls: [cache-eu]}
  cache-us: {kind: cache, datacenter: us, capacity: 100, latency: {const: 1ms}, miss: db}
  cache-eu: {kind: cache, datacenter: eu, capacity: 100, latency: {const: 1ms}, miss: db}
  db: {kind: database, datacenter: us, workers: 2, replicas: 2, replica_datacenters: [us, eu], replication_lag: {const: 5ms}, read: {const: 1ms}, write: {const: 1ms}}
";

    fn edge_names(t: &Topology) -> Vec<String> {
        t.edges
            .iter()
            .map(|e| {
                format!(
                    "{}>{}:{}",
                    t.nodes[e.from].name, t.nodes[e.to].name, e.label
                )
            })
            .collect()
    }

    #[test]
    fn regions_reach_their_nearest_data_center() {
        let sc = Scenario::parse(TWO_DC, "two", &[]).unwrap();
        let t = Topology::of(&sc);
        assert_eq!(t.users, 2);
        assert_eq!(t.nodes[0].detail, "75%, 75 req/s");
        assert_eq!(t.nodes[1].name, "users europe");
        assert_eq!(
            edge_names(&t),
            [
                "users na>dns:lookup",
                "users na>lb-us:page (12ms)",
                "users na>cdn:img",
                "users europe>dns:lookup",
                "users europe>lb-eu:page (~11.6ms)",
                "users europe>cdn:img",
                "dns>lb-us:geo",
                "dns>lb-eu:geo",
                "cdn>lb-us:miss",
                "lb-us>web-us:",
                "lb-eu>web-eu:",
                "web-us>cache-us:",
                "web-eu>cache-eu:",
                "cache-us>db:miss",
                "cache-eu>db:miss (writes 38ms)",
            ]
        );
        assert_eq!(
            t.nodes[10].detail,
            "database: 2 workers, 2 replicas (us, eu)"
        );
        // Reads from the primary only: the whole call crosses.
        let primary =
            Scenario::parse(TWO_DC, "two", &["db.read_from=primary".parse().unwrap()]).unwrap();
        let t = Topology::of(&primary);
        assert!(
            edge_names(&t).contains(&"cache-eu>db:miss (38ms)".to_string()),
            "{:?}",
            edge_names(&t)
        );
    }

    #[test]
    fn data_centers_group_their_components() {
        let sc = Scenario::parse(TWO_DC, "two", &[]).unwrap();
        let t = Topology::of(&sc);
        let m = t.mermaid();
        assert!(
            m.contains("  subgraph us[\"us\"]\n    lb_us[\"lb-us<br/>"),
            "{m}"
        );
        assert!(m.contains("  subgraph eu[\"eu\"]\n    lb_eu["), "{m}");
        assert_eq!(m.matches("\n  end\n").count(), 2, "{m}");
        let dot = t.dot();
        assert!(
            dot.contains("  subgraph cluster_us {\n    label=\"us\";"),
            "{dot}"
        );
        assert!(dot.contains("  subgraph cluster_eu {"), "{dot}");
        // dns and cdn stay outside both groups.
        let first_group = dot.find("subgraph").unwrap();
        assert!(dot.find("  dns [").unwrap() < first_group);
        assert!(dot.find("  cdn [").unwrap() < first_group);
    }

    #[test]
    fn ids_of_data_centers_do_not_clash_with_components() {
        let text = TWO_DC.replace("cache-us", "us");
        let sc = Scenario::parse(&text, "two", &[]).unwrap();
        let t = Topology::of(&sc);
        let ids: Vec<&str> = t.datacenters.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["us_2", "eu"]);
    }

    fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    }

    fn inside(a: (f64, f64, f64, f64), c: (f64, f64, f64, f64)) -> bool {
        a.0 >= c.0 && a.1 >= c.1 && a.0 + a.2 <= c.0 + c.2 && a.1 + a.3 <= c.1 + c.3
    }

    #[test]
    fn svg_layout_keeps_data_centers_apart() {
        // Stage-08 sized: two data centers of ~6 components each.
        let mut text = TWO_DC.to_string();
        for dc in ["us", "eu"] {
            text.push_str(&format!(
                "  q-{dc}: {{kind: queue, datacenter: {dc}, latency: {{const: 1ms}}, consumers: w-{dc}}}\n  \
                 w-{dc}: {{kind: worker, datacenter: {dc}, workers: 2, service: {{const: 1ms}}, calls: [db]}}\n"
            ));
        }
        let text = text
            .replace("calls: [cache-us]", "calls: [cache-us, q-us]")
            .replace("calls: [cache-eu]", "calls: [cache-eu, q-eu]");
        let sc = Scenario::parse(&text, "two", &[]).unwrap();
        let t = Topology::of(&sc);
        let l = t.layout(GAP_Y);
        let boxes: Vec<(f64, f64, f64, f64)> =
            l.pos.iter().map(|&(x, y, w)| (x, y, w, BOX_H)).collect();
        for i in 0..boxes.len() {
            assert!(boxes[i].0 >= 0.0 && boxes[i].0 + boxes[i].2 <= l.width);
            assert!(boxes[i].1 >= 0.0 && boxes[i].1 + BOX_H <= l.height);
            for j in i + 1..boxes.len() {
                assert!(!overlap(boxes[i], boxes[j]), "items {i} and {j} overlap");
            }
        }
        assert_eq!(l.clusters.len(), 2);
        let rects: Vec<(f64, f64, f64, f64)> =
            l.clusters.iter().map(|c| (c.x, c.y, c.w, c.h)).collect();
        assert!(!overlap(rects[0], rects[1]));
        for (i, n) in t.nodes.iter().enumerate() {
            for c in &l.clusters {
                let within = inside(boxes[i], rects[c.dc]);
                assert_eq!(
                    within,
                    n.datacenter == Some(c.dc),
                    "{} and {}",
                    n.name,
                    c.dc
                );
                assert!(within || !overlap(boxes[i], rects[c.dc]), "{}", n.name);
            }
        }
        let svg = t.svg();
        assert_eq!(svg.matches("<g class=\"datacenter\">").count(), 2);
        assert_eq!(svg.matches("<rect").count(), t.nodes.len() + 2);
        assert!(svg.contains(">data center eu</text>"));
    }

    #[test]
    fn no_two_labels_overlap_in_any_shipped_scenario() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        assert!(files.len() >= 11, "{files:?}");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let sc = Scenario::parse(&text, &f.display().to_string(), &[]).unwrap();
            let t = Topology::of(&sc);
            let l = t.placed().0;
            let texts = t.text_boxes();
            let name = f.display();
            for (i, (a, ra)) in texts.iter().enumerate() {
                assert!(
                    ra.0 >= 0.0 && ra.0 + ra.2 <= l.width,
                    "{name}: `{a}` leaves the picture"
                );
                for (b, rb) in &texts[i + 1..] {
                    assert!(!overlap(*ra, *rb), "{name}: `{a}` and `{b}` overlap");
                }
            }
            // A node's text stays in its box; other text stays off every box.
            let nodes = t.nodes.len();
            for (i, (a, ra)) in texts.iter().enumerate() {
                for k in 0..nodes {
                    let (x, y, w) = l.pos[k];
                    let rect = (x, y, w, BOX_H);
                    if i / 2 == k && i < 2 * nodes {
                        assert!(inside(*ra, rect), "{name}: `{a}` sticks out of its box");
                    } else {
                        assert!(
                            !overlap(*ra, rect),
                            "{name}: `{a}` lies on {}",
                            t.nodes[k].name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn crowded_labels_move_apart() {
        // Two users' links cross between the same rows: without placement their labels
        // would share a spot.
        let sc = Scenario::parse(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/08-multi-datacenter.yaml"),
            )
            .unwrap(),
            "08",
            &[],
        )
        .unwrap();
        let t = Topology::of(&sc);
        let svg = t.svg();
        assert!(svg.contains(">static</text>"));
        let texts = t.text_boxes();
        let labels: Vec<_> = texts
            .iter()
            .filter(|(s, _)| s == "lookup" || s == "static")
            .collect();
        assert_eq!(labels.len(), 4);
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(!overlap(a.1, b.1));
            }
        }
    }

    #[test]
    fn latency_labels_are_short() {
        assert_eq!(latency_text(&Dist::Const(38_000_000)), "38ms");
        assert_eq!(latency_text(&Dist::Exp { mean: 13_717_000.0 }), "~13.7ms");
        assert_eq!(latency_text(&Dist::Exp { mean: 250_400.0 }), "~250us");
        assert_eq!(latency_text(&Dist::Exp { mean: 5.0 }), "~5ns");
        assert_eq!(
            with_latency("page".into(), Some("12ms")),
            "page (12ms)".to_string()
        );
        assert_eq!(with_latency(String::new(), None), "");
    }

    #[test]
    fn without_regions_geodns_answers_the_first_data_center() {
        let text = TWO_DC
            .replace("regions:\n", "unused:\n")
            .replace("entry: lb-us", "entry: lb-eu")
            .replace("geo: {us: lb-us, eu: lb-eu}", "geo: {eu: lb-eu, us: lb-us}");
        let text: String = text
            .lines()
            .filter(|l| {
                !l.starts_with("unused:") && !l.starts_with("  na:") && !l.starts_with("  europe:")
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let sc = Scenario::parse(&text, "two", &[]).unwrap();
        let t = Topology::of(&sc);
        assert_eq!(t.users, 1);
        let edges = edge_names(&t);
        assert_eq!(edges[1], "users>lb-us:page", "{edges:?}");
    }
}
