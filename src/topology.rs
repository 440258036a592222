//! Who calls whom: the one call graph of a scenario.
//!
//! Validation checks it (no cycles, chains that fit the call stack, calls that reach a kind
//! that serves them), `capacity` follows it downstream, the diagram draws it, and the model
//! wires its components along it. Each edge remembers the key that names it (`to`, `calls`,
//! `miss`, ...) so that an error can point at that key, and the classes that take it.

use crate::scenario::{CompId, Component, ComponentKind, Sessions};

/// The key of a component that names an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A load balancer's `to`.
    To,
    /// A server's or worker group's `calls`.
    Calls,
    /// A server's `session_store`, read before the calls of session classes.
    Sessions,
    /// A cache's `miss`.
    Miss,
    /// A CDN's `origin`.
    Origin,
    /// A queue's `consumers`.
    Consumers,
    /// GeoDNS answers a data center's entry (`datacenters` of a `dns` with `geo`): not a
    /// call, requests do not pass through DNS on their way there.
    Geo,
}

impl Via {
    /// The scenario key that names this edge.
    pub fn key(self) -> &'static str {
        match self {
            Via::To => "to",
            Via::Calls => "calls",
            Via::Sessions => "session_store",
            Via::Miss => "miss",
            Via::Origin => "origin",
            Via::Consumers => "consumers",
            Via::Geo => "geo",
        }
    }

    /// Does a request travel along this edge (everything but GeoDNS answers)?
    pub fn is_call(self) -> bool {
        self != Via::Geo
    }
}

/// One edge: component `to`, reached through key `via`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The callee.
    pub to: CompId,
    /// The key that names it.
    pub via: Via,
    /// The classes whose requests take this edge, ascending; `None`: every request that
    /// reaches the caller (or every class, for kinds that do not tell classes apart).
    pub classes: Option<Vec<usize>>,
}

/// The call graph: per component, its edges in the order the scenario names them.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    out: Vec<Vec<Edge>>,
}

impl Topology {
    /// The graph of `components` (resolved; targets are indices into `components`).
    pub fn of(components: &[Component]) -> Topology {
        Topology {
            out: components.iter().map(|c| edges_of(&c.kind)).collect(),
        }
    }

    /// Components in the graph.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// No components.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// Every edge of component `c`, GeoDNS answers included, in scenario order.
    pub fn edges(&self, c: CompId) -> &[Edge] {
        &self.out[c]
    }

    /// The components `c` sends requests to, each once, ascending.
    pub fn callees(&self, c: CompId) -> Vec<CompId> {
        let mut v: Vec<CompId> = self.out[c]
            .iter()
            .filter(|e| e.via.is_call())
            .map(|e| e.to)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The components a request at `c` goes on to, each once, ascending: its
    /// [`callees`](Topology::callees) but a session store while no class keeps a session
    /// (an edge no request takes). Cycles and depths are counted along these.
    pub fn hops(&self, c: CompId) -> Vec<CompId> {
        let mut v: Vec<CompId> = self.out[c]
            .iter()
            .filter(|e| e.via.is_call() && e.classes.as_ref().is_none_or(|cs| !cs.is_empty()))
            .map(|e| e.to)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The edge from `from` to `to`, if `from` names `to` (its first, in scenario order).
    pub fn edge(&self, from: CompId, to: CompId) -> Option<&Edge> {
        self.out[from].iter().find(|e| e.to == to)
    }

    /// The one component a single-target kind (balancer, cache, CDN, queue) passes requests
    /// to; `None` for kinds with no or several callees.
    pub fn target(&self, c: CompId) -> Option<CompId> {
        match self.out[c].as_slice() {
            [e] if matches!(e.via, Via::To | Via::Miss | Via::Origin | Via::Consumers) => {
                Some(e.to)
            }
            _ => None,
        }
    }

    /// Every component reachable by calls from `c`, `c` itself left out, in the order a
    /// depth-first walk meets them (nearest calls of the last callee first).
    pub fn downstream(&self, c: CompId) -> Vec<CompId> {
        let mut out: Vec<CompId> = Vec::new();
        let mut next = vec![c];
        while let Some(k) = next.pop() {
            for j in self.callees(k) {
                if j != c && !out.contains(&j) {
                    out.push(j);
                    next.push(j);
                }
            }
        }
        out
    }

    /// A cycle of calls, if there is one: the components along it, the first repeated at
    /// the end. Components are tried in index order, then a depth-first walk follows
    /// [`hops`](Topology::hops) in ascending order; the cycle reported is the first one the
    /// walk closes, from the component it closes on.
    pub fn cycle(&self) -> Option<Vec<CompId>> {
        // 0 unvisited, 1 on the current path, 2 done.
        let mut state = vec![0u8; self.out.len()];
        let mut path = Vec::new();
        for start in 0..self.out.len() {
            if state[start] == 0
                && let Some(c) = self.cycle_from(start, &mut state, &mut path)
            {
                return Some(c);
            }
        }
        None
    }

    fn cycle_from(
        &self,
        start: CompId,
        state: &mut [u8],
        path: &mut Vec<CompId>,
    ) -> Option<Vec<CompId>> {
        // An explicit stack: a scenario's depth is bounded by its component count, but a
        // recursion per component is still avoidable.
        let mut stack: Vec<(CompId, Vec<CompId>, usize)> = vec![(start, self.hops(start), 0)];
        state[start] = 1;
        path.push(start);
        while let Some((u, next, i)) = stack.last_mut() {
            if let Some(&v) = next.get(*i) {
                *i += 1;
                match state[v] {
                    1 => {
                        let from = path.iter().position(|&p| p == v).unwrap_or(0);
                        let mut cycle = path[from..].to_vec();
                        cycle.push(v);
                        return Some(cycle);
                    }
                    0 => {
                        state[v] = 1;
                        path.push(v);
                        let hops = self.hops(v);
                        stack.push((v, hops, 0));
                    }
                    _ => {}
                }
            } else {
                state[*u] = 2;
                path.pop();
                stack.pop();
            }
        }
        None
    }

    /// The longest chain of calls starting at `c`, in components (`c` counts 1), along
    /// [`hops`](Topology::hops). The graph must have no cycle (see [`Topology::cycle`]).
    pub fn depth(&self, c: CompId) -> usize {
        let mut memo = vec![0usize; self.out.len()];
        self.depth_memo(c, &mut memo)
    }

    fn depth_memo(&self, u: CompId, memo: &mut [usize]) -> usize {
        if memo[u] == 0 {
            let d = 1 + self
                .hops(u)
                .into_iter()
                .map(|v| self.depth_memo(v, memo))
                .max()
                .unwrap_or(0);
            memo[u] = d;
        }
        memo[u]
    }
}

/// The edges a component's kind names. Servers and worker groups call per class: one edge
/// per callee, in order of first appearance, with the classes that call it.
fn edges_of(kind: &ComponentKind) -> Vec<Edge> {
    let one = |to: CompId, via: Via| {
        vec![Edge {
            to,
            via,
            classes: None,
        }]
    };
    match kind {
        ComponentKind::LoadBalancer { to, .. } => one(*to, Via::To),
        ComponentKind::Cache { miss, .. } => one(*miss, Via::Miss),
        ComponentKind::Cdn { origin, .. } => one(*origin, Via::Origin),
        ComponentKind::Queue { consumers, .. } => one(*consumers, Via::Consumers),
        ComponentKind::Server {
            calls, sessions, ..
        } => {
            let store = match sessions {
                Some(Sessions::Store(s)) => Some(*s),
                _ => None,
            };
            let mut v = per_class_edges(calls, store);
            // A store no class calls yet is still the server's (its sessions live there).
            if let Some(s) = store
                && !v.iter().any(|e| e.to == s)
            {
                v.push(Edge {
                    to: s,
                    via: Via::Sessions,
                    classes: Some(Vec::new()),
                });
            }
            v
        }
        ComponentKind::Worker { calls, .. } => per_class_edges(calls, None),
        ComponentKind::Dns { geo, .. } => geo
            .iter()
            .flat_map(|g| g.entries.iter().flatten())
            .map(|&to| Edge {
                to,
                via: Via::Geo,
                classes: None,
            })
            .collect(),
        ComponentKind::Database { .. } | ComponentKind::Store { .. } => Vec::new(),
    }
}

fn per_class_edges(calls: &[Vec<CompId>], store: Option<CompId>) -> Vec<Edge> {
    let mut v: Vec<Edge> = Vec::new();
    for (class, list) in calls.iter().enumerate() {
        for &to in list {
            match v.iter_mut().find(|e| e.to == to) {
                Some(e) => {
                    if let Some(cs) = &mut e.classes
                        && cs.last() != Some(&class)
                    {
                        cs.push(class);
                    }
                }
                None => v.push(Edge {
                    to,
                    via: if Some(to) == store {
                        Via::Sessions
                    } else {
                        Via::Calls
                    },
                    classes: Some(vec![class]),
                }),
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn topology(yaml: &str) -> (Scenario, Topology) {
        let sc = Scenario::parse(yaml, "t.yaml", &[]).expect("valid");
        let t = Topology::of(&sc.components);
        (sc, t)
    }

    fn id(sc: &Scenario, name: &str) -> CompId {
        sc.components.iter().position(|c| c.name == name).unwrap()
    }

    const STAGE: &str = r#"
name: t
duration: 10s
traffic:
  rate: 10
  classes:
    - {name: read, weight: 0.8}
    - {name: write, weight: 0.2, op: write}
entry: lb
components:
  lb: {kind: load_balancer, to: web}
  web:
    kind: server
    count: 2
    workers: 4
    service: {const: 1ms}
    calls: {read: [cache], write: [db, cache]}
  cache: {kind: cache, capacity: 100, latency: {const: 1ms}, miss: db}
  db: {kind: database, workers: 4, read: {const: 1ms}, write: {const: 2ms}}
"#;

    #[test]
    fn edges_name_their_key_and_classes() {
        let (sc, t) = topology(STAGE);
        let (lb, web, cache, db) = (
            id(&sc, "lb"),
            id(&sc, "web"),
            id(&sc, "cache"),
            id(&sc, "db"),
        );
        assert_eq!(t.len(), 4);
        assert_eq!(
            t.edges(lb),
            [Edge {
                to: web,
                via: Via::To,
                classes: None
            }]
        );
        assert_eq!(
            t.edges(web),
            [
                Edge {
                    to: cache,
                    via: Via::Calls,
                    classes: Some(vec![0, 1])
                },
                Edge {
                    to: db,
                    via: Via::Calls,
                    classes: Some(vec![1])
                },
            ]
        );
        assert_eq!(t.target(cache), Some(db));
        assert_eq!(t.target(web), None);
        assert_eq!(t.callees(web), {
            let mut v = vec![cache, db];
            v.sort_unstable();
            v
        });
        assert!(t.edges(db).is_empty());
    }

    #[test]
    fn downstream_depth_and_no_cycle() {
        let (sc, t) = topology(STAGE);
        let (lb, web, db) = (id(&sc, "lb"), id(&sc, "web"), id(&sc, "db"));
        let mut down = t.downstream(lb);
        down.sort_unstable();
        let mut want = vec![web, id(&sc, "cache"), db];
        want.sort_unstable();
        assert_eq!(down, want);
        assert!(t.downstream(db).is_empty());
        assert_eq!(t.depth(lb), 4, "lb -> web -> cache -> db");
        assert_eq!(t.depth(db), 1);
        assert_eq!(t.cycle(), None);
    }

    #[test]
    fn a_cycle_is_found_with_its_components() {
        let (sc, _) = topology(STAGE);
        let mut comps = sc.components.clone();
        // Point the database's cache back at the balancer: lb -> web -> cache -> lb.
        let lb = id(&sc, "lb");
        let cache = id(&sc, "cache");
        if let ComponentKind::Cache { miss, .. } = &mut comps[cache].kind {
            *miss = lb;
        }
        let t = Topology::of(&comps);
        let cycle = t.cycle().expect("a cycle");
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4, "{cycle:?}");
        for w in cycle.windows(2) {
            assert!(t.callees(w[0]).contains(&w[1]));
        }
    }

    #[test]
    fn session_stores_and_geodns_answers() {
        let (sc, t) = topology(
            r#"
name: t
duration: 10s
traffic:
  rate: 10
  users: 100
  classes:
    - {name: page, weight: 1, session: true}
datacenters:
  east: {latency: {west: {const: 30ms}}}
  west: {}
entry: lb-east
components:
  dns:
    kind: dns
    latency: {const: 1ms}
    ttl: 60s
    geo: {east: lb-east, west: lb-west}
    health_check: {interval: 5s, unhealthy: 2, healthy: 2}
  lb-east: {kind: load_balancer, to: web-east, datacenter: east}
  web-east:
    kind: server
    workers: 4
    service: {const: 1ms}
    session: store
    session_store: sess
    datacenter: east
  lb-west: {kind: load_balancer, to: web-west, datacenter: west}
  web-west: {kind: server, workers: 4, service: {const: 1ms}, datacenter: west}
  sess: {kind: store, workers: 4, service: {const: 1ms}, datacenter: east}
"#,
        );
        let dns = id(&sc, "dns");
        let geo: Vec<(CompId, Via)> = t.edges(dns).iter().map(|e| (e.to, e.via)).collect();
        assert_eq!(
            geo,
            [
                (id(&sc, "lb-east"), Via::Geo),
                (id(&sc, "lb-west"), Via::Geo)
            ]
        );
        assert!(t.callees(dns).is_empty(), "GeoDNS answers are not calls");
        let web = id(&sc, "web-east");
        assert_eq!(t.edges(web)[0].to, id(&sc, "sess"));
        assert_eq!(t.edges(web)[0].via, Via::Sessions);
    }

    #[test]
    fn a_session_store_no_class_takes_is_a_callee_but_not_a_hop() {
        let (sc, t) = topology(
            r#"
name: t
duration: 10s
traffic: {rate: 10}
entry: web
components:
  web:
    kind: server
    workers: 4
    service: {const: 1ms}
    session: store
    session_store: sess
  sess: {kind: store, workers: 4, service: {const: 1ms}}
"#,
        );
        let (web, sess) = (id(&sc, "web"), id(&sc, "sess"));
        assert_eq!(t.edges(web)[0].via, Via::Sessions);
        assert_eq!(t.edges(web)[0].classes, Some(vec![]));
        assert_eq!(t.callees(web), [sess]);
        assert!(t.hops(web).is_empty(), "no request goes there");
        assert_eq!(t.depth(web), 1);
        assert_eq!(
            t.edge(web, sess).map(|e| e.via.key()),
            Some("session_store")
        );
    }
}
