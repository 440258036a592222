//! Servers and workers: a group of instances (stations). An instance serves a request
//! (holding a worker), then makes the class's downstream calls in order, still holding the
//! worker, and replies when the last call returns. Sessions kept inside the instances
//! (`sessions: local`) are lost when a user lands on another instance, or when their
//! instance crashes or drains away.

use indexmap::IndexMap;

use crate::engine::Dist;
use crate::engine::random::component_stream;
use crate::model::build::Builder;
use crate::model::core::Core;
use crate::model::faults::LOST;
use crate::model::request::{WAIT_NONE, WAIT_PLACE};
use crate::model::{Cause, Model};
use crate::scenario::{Defences, Sessions};

use super::admission::{self, Admission};
use super::calls::CallDefs;
use super::{Role, Serves};

/// A server or worker group.
#[derive(Debug)]
pub(crate) struct ServerKind {
    /// Service time per class.
    pub(crate) service: Vec<Dist>,
    /// Per class: its calls, `Core::calls[off..off + len]`.
    pub(crate) calls: Vec<(u32, u32)>,
    /// Sessions kept inside the instances.
    pub(crate) local: Option<LocalSessions>,
    /// Defended callees (`downstream`), if any.
    pub(crate) defs: Option<CallDefs>,
    /// Admission control and load shedding, per instance (`None`: neither).
    pub(crate) admission: Option<Box<Admission>>,
}

/// Sessions kept inside server instances.
#[derive(Debug)]
pub(crate) struct LocalSessions {
    /// `None`: a lost session fails the request.
    pub(crate) relogin: Option<Dist>,
    /// Per user: the instance holding their session, + 1 (0: none).
    pub(crate) home: Vec<u16>,
}

impl ServerKind {
    /// Instance `i` (offset in the group) crashed or drained away: the sessions it kept are
    /// lost.
    pub(crate) fn gone(&mut self, i: u32) {
        if let Some(local) = &mut self.local {
            local.lose(i);
        }
        if let Some(a) = &mut self.admission {
            a.gone(i);
        }
    }
}

impl LocalSessions {
    /// Instance `i` (offset in its group) is gone: the sessions it held are lost.
    pub(crate) fn lose(&mut self, i: u32) {
        let here = (i + 1) as u16;
        self.home
            .iter_mut()
            .filter(|h| **h == here)
            .for_each(|h| *h = LOST);
    }
}

/// What a group is built from: its instances' workers and waiting room, its service times
/// and calls per class, its sessions.
pub(crate) struct GroupSpec<'a> {
    /// Workers per instance.
    pub(crate) workers: u32,
    /// Waiting room per instance (`None`: unbounded).
    pub(crate) queue: Option<u64>,
    /// Service time per class.
    pub(crate) service: &'a [Dist],
    /// Calls per class (component indices).
    pub(crate) calls: &'a [Vec<usize>],
    /// Sessions, for a server.
    pub(crate) sessions: Option<&'a Sessions>,
    /// A server's overload defences, when it has any.
    pub(crate) defences: Option<&'a Defences>,
}

/// Builds server or worker group `ci`: all of its instances (an autoscaled group has all of
/// its `max` instances from the start).
pub(crate) fn build(b: &mut Builder<'_>, ci: usize, g: GroupSpec<'_>) -> (u32, u32, Role) {
    let sc = b.sc;
    let c = &sc.components[ci];
    let allocated = c.kind.allocated_instances();
    let server = b.kinds.servers.len() as u32;
    let first = b.stations.len() as u32;
    for i in 0..allocated {
        let rng = component_stream(sc.seed, &format!("{}#{i}", c.name));
        b.add_station(ci, g.workers, g.queue, rng, Serves::Server(server));
    }
    let mut ranges = Vec::with_capacity(sc.traffic.classes.len());
    for list in g.calls {
        ranges.push((b.calls.len() as u32, list.len() as u32));
        b.calls.extend(list.iter().map(|&t| t as u32));
    }
    let local = match g.sessions {
        Some(Sessions::Local { relogin }) => Some(LocalSessions {
            relogin: relogin.clone(),
            home: vec![0; sc.traffic.users as usize],
        }),
        _ => None,
    };
    let defs = g
        .defences
        .and_then(|d| CallDefs::new(d, allocated, sc.components.len()));
    let admission = g
        .defences
        .and_then(|d| admission::build(b, first, allocated, d))
        .map(Box::new);
    b.kinds.servers.push(ServerKind {
        service: g.service.to_vec(),
        calls: ranges,
        local,
        defs,
        admission,
    });
    (allocated, g.workers, Role::Server(server))
}

impl ServerKind {
    /// The component `r` (waiting at an instance of this group) calls now: its class's call
    /// at its step.
    #[inline]
    pub(crate) fn callee(&self, core: &Core, r: u32) -> u32 {
        let req = core.reqs.get(r);
        let (off, _) = self.calls[req.class as usize];
        core.calls[(off + req.top().step) as usize]
    }

    /// The service time of `r` at instance `node` (station `s`) of this group; `None` when
    /// its local session was lost and it fails (its service ends at once).
    #[inline]
    pub(crate) fn service(&mut self, core: &mut Core, node: u32, s: u32, r: u32) -> Option<u64> {
        let comp = core.nodes[node as usize].comp as usize;
        let req = core.reqs.get(r);
        let (class, user) = (req.class as usize, req.user);
        let st = &mut core.stations[s as usize];
        let mut t = self.service[class].sample(&mut st.rng);
        if let Some(local) = &mut self.local
            && core.class_session[class]
        {
            let c = &mut core.comps[comp];
            let here = (node - c.first_node + 1) as u16;
            let home = &mut local.home[user as usize];
            if *home == 0 {
                *home = here;
                c.ctr.sessions_created += 1;
            } else if *home != here {
                c.ctr.sessions_lost += 1;
                match &local.relogin {
                    Some(d) => {
                        t += d.sample(&mut st.rng);
                        *home = here;
                    }
                    None => {
                        // This request fails; the user logs in again, here.
                        *home = here;
                        let req = core.reqs.get_mut(r);
                        req.fail = Cause::SessionLost;
                        req.fail_comp = comp as u32;
                        core.service_done_after(node, r, 0);
                        return None;
                    }
                }
            }
        }
        Some(t)
    }
}

impl Model {
    /// Instance `node` (station `s`) of group `server` finished serving `r`, or a call
    /// of it returned: it makes its next downstream call, or replies when there is none
    /// left (or the request failed).
    pub(crate) fn advance(&mut self, node: u32, s: u32, server: u32, r: u32) {
        let comp = self.core.nodes[node as usize].comp;
        let req = self.core.reqs.get(r);
        if req.fail != Cause::None {
            self.finish(node, s, Serves::Server(server), r);
            return;
        }
        let (class, step) = (req.class as usize, req.top().step);
        let k = &self.kinds.servers[server as usize];
        let (off, len) = k.calls[class];
        if step < len {
            let target = self.core.calls[(off + step) as usize];
            match &k.defs {
                Some(defs) if let Some(edge) = defs.edge(target) => {
                    self.guarded_call(node, s, server, r, edge)
                }
                _ => self.forward(comp as usize + 1, target, r, 0),
            }
        } else {
            self.finish(node, s, Serves::Server(server), r);
        }
    }

    /// A reply reaches instance `node` (station `s`) of group `server`: a defended call is
    /// judged and frees its place; a call that succeeded moves the request to its next step.
    #[inline]
    pub(crate) fn server_reply(&mut self, node: u32, s: u32, server: u32, r: u32) {
        if let Some(defs) = &self.kinds.servers[server as usize].defs {
            let to = self.kinds.servers[server as usize].callee(&self.core, r);
            if let Some(edge) = defs.edge(to) {
                self.call_back(node, server, r, edge);
            }
        }
        if self.core.reqs.get(r).fail == Cause::None {
            self.core.reqs.get_mut(r).top_mut().step += 1;
        }
        self.advance(node, s, server, r);
    }

    /// Instance `node` of group `server` crashed or drained away: the sessions it kept are
    /// lost, its breakers close, and requests waiting for a bulkhead or pool place fail.
    pub(crate) fn server_gone(&mut self, node: u32, server: u32) {
        let first = self.core.comps[self.core.nodes[node as usize].comp as usize].first_node;
        let k = &mut self.kinds.servers[server as usize];
        k.gone(node - first);
        if let Some(defs) = &mut k.defs {
            for (w, generation) in defs.gone(node - first, self.core.now) {
                let req = self.core.reqs.get_mut(w);
                if req.generation == generation && req.wait == WAIT_PLACE {
                    req.wait = WAIT_NONE;
                    self.crashed_drop(node, w);
                }
            }
        }
    }
}

impl Model {
    /// Report extras of server group `i` with local sessions: sessions lost and created.
    pub(crate) fn server_extras(&self, i: usize, extra: &mut IndexMap<String, f64>) {
        let c = &self.core.comps[i];
        let (ctr, w) = (&c.ctr, &self.warm.ctr[i]);
        let mut put = |k: &str, v: f64| {
            extra.insert(k.to_string(), v);
        };
        put(
            "sessions_lost",
            (ctr.sessions_lost - w.sessions_lost) as f64,
        );
        put(
            "sessions_created",
            (ctr.sessions_created - w.sessions_created) as f64,
        );
    }
}
