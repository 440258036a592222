//! The drawing of a scenario: its nodes, links and data centers ([`Diagram`]), as Mermaid
//! and Graphviz DOT text, and as an SVG laid out here (for pages that must not load a
//! diagram library).
//!
//! [`Diagram::of`] draws a validated [`Scenario`]: the users reach the `dns` component (when
//! there is one), the entry, and the CDN for static classes; every other link is an edge of
//! the scenario's call graph ([`crate::topology::Topology`]): a load balancer reaches its
//! `to`; a server or worker group its `calls`, per class, and its session store; a cache
//! its `miss`; a CDN its `origin`; a queue its `consumers`. A database's replicas and
//! shards are part of its node, not nodes of their own. Nodes are labelled with their kind
//! and key sizing (count x workers, capacity, replicas, shards); edges with the request
//! classes that take them when not every class does.
//!
//! With data centers, components are grouped by the data center they stand in (a Mermaid
//! `subgraph`, a DOT `cluster_`, a labelled rounded rectangle in the SVG); dns and cdn stay
//! outside. With regions, there is one users node per region, linked to the entry its users
//! reach (GeoDNS's nearest data center) with the region's one-way latency to it; GeoDNS
//! links to each data center's entry (`geo`); a link between two data centers carries their
//! latency, and a database's node names the data centers of its replicas. A scenario
//! without data centers is drawn exactly as before they existed.
//!
//! This file builds the drawing; node details and link labels (`labels.rs`), Mermaid, DOT,
//! the SVG's layout and the SVG itself each have a file of their own. Everything here
//! returns `String`s and does no I/O.

mod dot;
mod labels;
mod layout;
mod mermaid;
mod svg;

pub use self::svg::{PlacedEdge, PlacedNode, Placement};
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use crate::scenario::{ComponentKind, ReadFrom, Scenario};
use crate::topology::{self, Topology, Via};

use self::labels::{
    defences_line, detail, downstream_text, label_of, latency_text, nearest_entry, region_detail,
    users_detail, with_defences, with_latency,
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
    /// A server's admission control and shedding, e.g. `rate 500/s · conc 64 · shed 100ms`;
    /// empty without them. Mermaid and DOT draw it as a third line, the SVG after the detail.
    pub defences: String,
    /// How the node is drawn.
    pub shape: Shape,
    /// The data center it stands in (index into [`Diagram::datacenters`]); `None` for the
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
    /// The sender: index into [`Diagram::nodes`].
    pub from: usize,
    /// The receiver: index into [`Diagram::nodes`].
    pub to: usize,
    /// The classes that take it, or what it carries (`lookup`, `miss`, `sessions`); empty
    /// when every class takes it.
    pub label: String,
}

/// The nodes and links of a scenario's drawing. Nodes `0..users` are the users (one node per
/// region, or one node when the scenario has no regions); node `users + i` is component `i`.
#[derive(Clone, Debug)]
pub struct Diagram {
    /// The scenario's name.
    pub name: String,
    /// The users nodes, then one node per component.
    pub nodes: Vec<Node>,
    /// The links, each once: the users' first, then the components' in scenario order.
    pub edges: Vec<Edge>,
    /// The number of users nodes at the start of `nodes`.
    pub users: usize,
    /// The scenario's data centers, in declaration order (empty: none).
    pub datacenters: Vec<Datacenter>,
}

impl Node {
    /// The detail as the SVG writes it, on one line: with the defences after it, when any.
    pub(super) fn detail_line(&self) -> String {
        if self.defences.is_empty() {
            self.detail.clone()
        } else {
            format!("{}; {}", self.detail, self.defences)
        }
    }
}

impl Diagram {
    /// The drawing of `sc`.
    pub fn of(sc: &Scenario) -> Diagram {
        let mut used = HashSet::new();
        let mut nodes = users_nodes(sc, &mut used);
        let u = nodes.len();
        let class_names: Vec<&str> = sc.traffic.classes.iter().map(|c| c.name.as_str()).collect();
        for c in &sc.components {
            nodes.push(Node {
                id: unique_id(&c.name, &mut used),
                name: c.name.clone(),
                detail: detail(&c.kind, &sc.datacenters),
                defences: defences_line(&c.kind, &class_names),
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
        let mut edges = Vec::new();
        users_edges(sc, u, &mut edges);
        component_edges(sc, u, &mut edges);
        cross_datacenter_latency(sc, u, &mut edges);
        Diagram {
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
}

/// Adds the link `from -> to` unless the same link (label included) is there already.
fn add(edges: &mut Vec<Edge>, from: usize, to: usize, label: String) {
    let e = Edge { from, to, label };
    if !edges.contains(&e) {
        edges.push(e);
    }
}

/// The users nodes: one per region, or one when the scenario has no regions.
fn users_nodes(sc: &Scenario, used: &mut HashSet<String>) -> Vec<Node> {
    if sc.regions.is_empty() {
        return vec![Node {
            id: unique_id("users", used),
            name: "users".to_string(),
            detail: users_detail(sc),
            defences: String::new(),
            shape: Shape::Users,
            datacenter: None,
        }];
    }
    sc.regions
        .iter()
        .map(|r| {
            let name = format!("users {}", r.name);
            Node {
                id: unique_id(&name, used),
                name,
                detail: region_detail(sc, r.share),
                defences: String::new(),
                shape: Shape::Users,
                datacenter: None,
            }
        })
        .collect()
}

/// The links of the `u` users nodes: to the dns, to the entry they reach (dynamic classes)
/// and to the CDN (static classes).
fn users_edges(sc: &Scenario, u: usize, edges: &mut Vec<Edge>) {
    let class_names: Vec<&str> = sc.traffic.classes.iter().map(|c| c.name.as_str()).collect();
    let dns = sc
        .components
        .iter()
        .position(|c| matches!(c.kind, ComponentKind::Dns { .. }));
    let (stat, dynamic): (Vec<usize>, Vec<usize>) =
        (0..class_names.len()).partition(|&i| sc.traffic.classes[i].is_static);
    for k in 0..u {
        if let Some(dns) = dns {
            add(edges, k, u + dns, "lookup".to_string());
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
                    let label = label_of(&dynamic, &class_names);
                    add(edges, k, u + entry, with_latency(label, latency.as_deref()));
                }
                if !stat.is_empty() {
                    add(edges, k, u + cdn, label_of(&stat, &class_names));
                }
            }
            None => add(
                edges,
                k,
                u + entry,
                with_latency(String::new(), latency.as_deref()),
            ),
        }
    }
}

/// The links between components: the edges of the call graph, in scenario order, each
/// labelled by the key that names it (`miss`, `deliver`, `geo`, `sessions`) or with the
/// classes that take it.
fn component_edges(sc: &Scenario, u: usize, edges: &mut Vec<Edge>) {
    let class_names: Vec<&str> = sc.traffic.classes.iter().map(|c| c.name.as_str()).collect();
    let graph = Topology::of(&sc.components);
    for from in 0..graph.len() {
        let own = match &sc.components[from].kind {
            ComponentKind::Server { defences, .. } => Some(defences),
            _ => None,
        };
        for e in graph.edges(from) {
            let mut label = edge_label(e, &class_names);
            // A server's defences on this callee, on the links its calls take.
            if matches!(e.via, Via::Calls | Via::Sessions)
                && let Some(d) = own.and_then(|d| d.to(e.to))
            {
                label = with_defences(label, &downstream_text(d));
            }
            add(edges, u + from, u + e.to, label);
        }
    }
}

/// The label of a call-graph edge.
fn edge_label(e: &topology::Edge, class_names: &[&str]) -> String {
    // The classes that take it; `None`: every class.
    let classes = || match &e.classes {
        Some(cs) => label_of(cs, class_names),
        None => label_of(&(0..class_names.len()).collect::<Vec<_>>(), class_names),
    };
    match e.via {
        Via::To => String::new(),
        Via::Calls => classes(),
        // Session classes call the store first (resolution prepends it); a store no class
        // calls is still the server's.
        Via::Sessions => match classes() {
            l if l.is_empty() => "sessions".to_string(),
            l => format!("sessions: {l}"),
        },
        Via::Miss | Via::Origin => "miss".to_string(),
        Via::Consumers => "deliver".to_string(),
        Via::Geo => "geo".to_string(),
    }
}

/// A call from one data center to another pays their latency: adds it to the label of
/// every such link between components (nodes from `u` on).
fn cross_datacenter_latency(sc: &Scenario, u: usize, edges: &mut [Edge]) {
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
