//! A server's defences on its calls (`downstream`): per callee a circuit breaker, a
//! bulkhead or connection pool, and hedged calls. Each instance of the server keeps its own
//! breaker and its own places; a hedge's recent call times and budget are the group's.
//!
//! A guarded call goes out through [`Model::guarded_call`] (from `advance`), its answer
//! comes back through [`Model::call_back`] (from `on_reply`, or from a hedge's first copy to
//! answer). A hedged call is made by copies ([`Request::parent`] names the waiting request):
//! the first goes out at once, the second after the delay, to another instance; the first
//! answer is taken and the other copy is dropped when it comes back (it is not cancelled).

use indexmap::IndexMap;

use crate::model::core::{Ev, EvKind};
use crate::model::request::{COPY_EPOCH, Frame, WAIT_HEDGE, WAIT_HEDGE2, WAIT_NONE, WAIT_PLACE};
use crate::model::{Cause, Model};
use crate::scenario::{Breaker, CallLimit, Defences, HedgeDelay, LimitKind};

use super::Serves;

mod state;

use state::{EdgeInst, HedgeState, State, judge};

/// `CallDefs::edge_of` of a callee without defences.
const NO_EDGE: u32 = u32::MAX;
/// Call times a percentile hedge keeps.
const RECENT: usize = 512;
/// New call times between two updates of a percentile hedge's delay (and the first update).
const RECOMPUTE: u32 = 64;
/// The most hedge tokens a budget saves up.
const HEDGE_TOKENS_MAX: f64 = 10.0;

/// A server group's defended callees.
#[derive(Debug)]
pub(crate) struct CallDefs {
    /// Per component: its index in `edges`, or `NO_EDGE`.
    edge_of: Vec<u32>,
    /// The defended callees.
    pub(crate) edges: Vec<EdgeDef>,
    /// Per request slot: when its defended call here went out (or began to wait for a
    /// place), ns. A request is at one instance of a group at most (calls have no cycle),
    /// so one time per slot suffices; it grows with the slab.
    t_call: Vec<u64>,
}

/// The defences on one callee, with their state.
#[derive(Debug)]
pub(crate) struct EdgeDef {
    /// The callee.
    pub(crate) to: u32,
    breaker: Option<Breaker>,
    limit: Option<CallLimit>,
    hedge: Option<HedgeState>,
    /// Per instance of the server.
    inst: Vec<EdgeInst>,
    /// Cumulative counters (the report subtracts the warm-up snapshot).
    pub(crate) ctr: EdgeCtr,
}

/// What the report counts per defended callee.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EdgeCtr {
    /// Times a breaker opened.
    pub(crate) opens: u64,
    /// Calls a breaker failed fast.
    pub(crate) rejected: u64,
    /// Trial calls let through in half-open.
    pub(crate) trials: u64,
    /// Times a breaker went half-open.
    pub(crate) half_opens: u64,
    /// Time breakers were open or half-open, ns, summed over instances (closed periods).
    pub(crate) open_ns: u64,
    /// Calls that found no bulkhead or pool place in time.
    pub(crate) limit_rejected: u64,
    /// Calls that waited for a place.
    pub(crate) waits: u64,
    /// Their waiting time, ns.
    pub(crate) wait_ns: u64,
    /// Copies sent by hedges.
    pub(crate) hedges: u64,
    /// Copies that answered first.
    pub(crate) hedge_wins: u64,
}

impl CallDefs {
    /// The defended callees of a server of `instances` instances, in a model of `n_comps`
    /// components.
    pub(crate) fn new(d: &Defences, instances: u32, n_comps: usize) -> Option<CallDefs> {
        if d.downstream.is_empty() {
            return None;
        }
        let mut edge_of = vec![NO_EDGE; n_comps];
        let edges = d
            .downstream
            .iter()
            .enumerate()
            .map(|(i, ds)| {
                edge_of[ds.to] = i as u32;
                let window = ds.breaker.map_or(0, |b| b.window);
                EdgeDef {
                    to: ds.to as u32,
                    breaker: ds.breaker,
                    limit: ds.limit,
                    hedge: ds.hedge.map(|h| HedgeState {
                        delay: h.delay,
                        budget: h.budget,
                        tokens: 0.0,
                        now_delay: match h.delay {
                            HedgeDelay::Fixed(ns) => ns,
                            HedgeDelay::Percentile(_) => u64::MAX,
                        },
                        recent: match h.delay {
                            HedgeDelay::Fixed(_) => Vec::new(),
                            HedgeDelay::Percentile(_) => Vec::with_capacity(RECENT),
                        },
                        pos: 0,
                        fresh: 0,
                        scratch: Vec::new(),
                    }),
                    inst: (0..instances).map(|_| EdgeInst::new(window)).collect(),
                    ctr: EdgeCtr::default(),
                }
            })
            .collect();
        Some(CallDefs {
            edge_of,
            edges,
            t_call: Vec::new(),
        })
    }

    /// The defences on calls to component `to`, if any.
    #[inline]
    pub(crate) fn edge(&self, to: u32) -> Option<u32> {
        let e = self.edge_of[to as usize];
        (e != NO_EDGE).then_some(e)
    }

    /// Request slot `r`'s defended call starts (or starts waiting for a place) at `now`.
    #[inline]
    fn set_t_call(&mut self, r: u32, now: u64) {
        let i = r as usize;
        if i >= self.t_call.len() {
            let n = (i + 1).max(2 * self.t_call.len());
            self.t_call.resize(n, 0);
        }
        self.t_call[i] = now;
    }

    /// Instance `i` crashed or drained away: its breakers start closed, its places free;
    /// returns the requests that waited for a place (they fail with the crash).
    pub(crate) fn gone(&mut self, i: u32, now: u64) -> Vec<(u32, u32)> {
        let mut waiting = Vec::new();
        for e in &mut self.edges {
            let ctr = &mut e.ctr;
            let inst = &mut e.inst[i as usize];
            if !matches!(inst.state, State::Closed { .. }) {
                inst.close(now, ctr);
            }
            inst.in_use = 0;
            waiting.extend(inst.waiters.drain(..));
        }
        waiting
    }

    /// The counters now, with the time breakers have been open so far (the warm-up
    /// snapshot).
    pub(crate) fn snapshot(&self, now: u64) -> Vec<EdgeCtr> {
        (0..self.edges.len())
            .map(|k| {
                let mut c = self.edges[k].ctr;
                c.open_ns += self.open_now(k, now);
                c
            })
            .collect()
    }

    /// Time breakers are open or half-open now, per edge, ns (added to `open_ns` at the
    /// report).
    pub(crate) fn open_now(&self, e: usize, now: u64) -> u64 {
        self.edges[e]
            .inst
            .iter()
            .filter(|i| !matches!(i.state, State::Closed { .. }))
            .map(|i| now - i.opened_at)
            .sum()
    }
}

impl Model {
    /// Instance `node` (station `s`) of group `server` makes its call to `target`, which
    /// has defences (`edge`): the breaker may fail it fast, a bulkhead or pool may make it
    /// wait or fail it, a hedge makes it by copies.
    #[inline(never)]
    pub(crate) fn guarded_call(&mut self, node: u32, s: u32, server: u32, r: u32, edge: u32) {
        let now = self.core.now;
        let comp = self.core.nodes[node as usize].comp;
        let i = (node - self.core.comps[comp as usize].first_node) as usize;
        let Some(defs) = self.kinds.servers[server as usize].defs.as_mut() else {
            return;
        };
        defs.set_t_call(r, now);
        let e = &mut defs.edges[edge as usize];
        if let Some(b) = e.breaker {
            let inst = &mut e.inst[i];
            if let State::Open { until } = inst.state
                && now >= until
            {
                e.ctr.half_opens += 1;
                inst.state = State::HalfOpen {
                    since: now,
                    sent: 0,
                    back: 0,
                    bad: 0,
                    slow: 0,
                };
            }
            let pass = match &mut inst.state {
                State::Closed { .. } => true,
                State::Open { .. } => false,
                State::HalfOpen { sent, .. } => {
                    if *sent < b.trials {
                        *sent += 1;
                        e.ctr.trials += 1;
                        true
                    } else {
                        false
                    }
                }
            };
            if !pass {
                e.ctr.rejected += 1;
                self.call_fails(node, s, server, r, Cause::BreakerOpen);
                return;
            }
        }
        if let Some(l) = e.limit {
            let inst = &mut e.inst[i];
            if inst.in_use < l.size {
                inst.in_use += 1;
            } else if l.wait == 0 {
                e.ctr.limit_rejected += 1;
                self.call_fails(node, s, server, r, limit_cause(l));
                return;
            } else {
                let req = self.core.reqs.get_mut(r);
                req.wait = WAIT_PLACE;
                inst.waiters.push_back((r, req.generation));
                let ev = Ev {
                    code: EvKind::PlaceTimeout as u8,
                    tag: 0,
                    node,
                    req: r,
                    aux: req.generation,
                };
                self.core.after(l.wait, ev);
                e.ctr.waits += 1;
                return;
            }
        }
        self.call_out(node, server, r, edge);
    }

    /// The call goes out: a hedged one as its first copy (and the copy's timer), another
    /// one as the request itself.
    #[inline(never)]
    fn call_out(&mut self, node: u32, server: u32, r: u32, edge: u32) {
        let comp = self.core.nodes[node as usize].comp;
        let Some(defs) = self.kinds.servers[server as usize].defs.as_mut() else {
            return;
        };
        let e = &mut defs.edges[edge as usize];
        let to = e.to;
        let Some(h) = &mut e.hedge else {
            self.forward(comp as usize + 1, to, r, 0);
            return;
        };
        h.tokens = (h.tokens + h.budget).min(HEDGE_TOKENS_MAX);
        let delay = h.now_delay;
        let target = self.pick_node(to, r, comp as usize + 1);
        let req = self.core.reqs.get_mut(r);
        req.wait = WAIT_HEDGE;
        req.hedge_node = target;
        let generation = req.generation;
        self.send_copy(node, r, to, target);
        if delay != u64::MAX {
            // The generation and the wait state tell a stale timer.
            let ev = Ev {
                code: EvKind::HedgeFire as u8,
                tag: 0,
                node,
                req: r,
                aux: generation,
            };
            self.core.after(delay, ev);
        }
    }

    /// A copy of `r` (waiting at `node`) goes to instance `target` of component `to`.
    fn send_copy(&mut self, node: u32, r: u32, to: u32, target: u32) {
        let parent = *self.core.reqs.get(r);
        let c = self.core.reqs.alloc_copy(&parent);
        self.guard(c);
        let epoch = self.core.node_epoch[node as usize];
        let now = self.core.now;
        let copy = self.core.reqs.get_mut(c);
        copy.trace = u32::MAX;
        copy.attempt = parent.attempt;
        copy.version = parent.version;
        copy.parent = r;
        copy.parent_gen = parent.generation;
        copy.hedge_node = target;
        copy.copy_epoch = epoch;
        copy.push(Frame {
            node,
            step: parent.top().step,
            t_in: now,
            epoch: COPY_EPOCH,
        });
        let row = self.core.nodes[node as usize].comp as usize + 1;
        let d = self.core.hop_node(row, to, target, c);
        self.core.after(d, Ev::new(EvKind::Deliver, target, c));
    }

    /// A hedge's timer for `r` (generation `generation`) at `node`: if its call is still
    /// unanswered and the budget allows, the second copy goes to another instance.
    pub(crate) fn hedge_fire(&mut self, node: u32, server: u32, r: u32, generation: u32) {
        let req = self.core.reqs.get(r);
        if req.generation != generation
            || req.wait != WAIT_HEDGE
            || req.depth() == 0
            || req.top().node != node
        {
            return;
        }
        let first = req.hedge_node;
        let to = self.kinds.servers[server as usize].callee(&self.core, r);
        let Some(defs) = self.kinds.servers[server as usize].defs.as_mut() else {
            return;
        };
        let Some(edge) = defs.edge(to) else { return };
        let e = &mut defs.edges[edge as usize];
        let Some(h) = &mut e.hedge else { return };
        if h.tokens < 1.0 {
            return;
        }
        // Another instance: the one after the first copy's in the callee's rotation.
        let c = &self.core.comps[to as usize];
        let m = c.rot.len();
        if m < 2 {
            return;
        }
        let o = first - c.first_node;
        let at = c
            .rot
            .iter()
            .position(|&x| x == o)
            .map_or(0, |p| (p + 1) % m);
        let target = c.first_node + c.rot[at];
        if target == first || !self.core.node_up[target as usize] {
            return;
        }
        h.tokens -= 1.0;
        if self.core.reqs.get(r).measured {
            e.ctr.hedges += 1;
        }
        self.core.reqs.get_mut(r).wait = WAIT_HEDGE2;
        if self.core.node_scaler[target as usize] != crate::model::autoscale::NO_SCALER {
            self.core.inbound[target as usize] += 1;
        }
        self.send_copy(node, r, to, target);
    }

    /// A hedged call's copy `c` comes back to `node`: the first answer goes on with its
    /// parent (a failed one only when no other copy is out), a later one is dropped.
    #[inline(never)]
    pub(crate) fn copy_back(&mut self, node: u32, c: u32) {
        let copy = *self.core.reqs.get(c);
        let frame = self.core.reqs.get_mut(c).pop();
        self.core.reqs.free(c);
        let p = copy.parent;
        let parent = self.core.reqs.get(p);
        if parent.generation != copy.parent_gen
            || (parent.wait != WAIT_HEDGE && parent.wait != WAIT_HEDGE2)
            || parent.depth() == 0
            || parent.top().node != node
            || parent.top().step != frame.step
        {
            return;
        }
        let crashed = copy.copy_epoch != self.core.node_epoch[node as usize];
        if !crashed && copy.fail != Cause::None && parent.wait == WAIT_HEDGE2 {
            // A failed answer while the other copy is out: wait for that one.
            self.core.reqs.get_mut(p).wait = WAIT_HEDGE;
            return;
        }
        // The second copy went to another instance than the first.
        let won = copy.hedge_node != parent.hedge_node;
        let measured = parent.measured;
        self.core.reqs.get_mut(p).wait = WAIT_NONE;
        if crashed {
            // The server crashed while the call was out.
            self.crashed_drop(node, p);
            return;
        }
        let req = self.core.reqs.get_mut(p);
        req.fail = copy.fail;
        req.fail_comp = copy.fail_comp;
        req.version = copy.version;
        let crate::model::kinds::NodeKind::Station(s, Serves::Server(g)) =
            self.core.nodes[node as usize].kind
        else {
            return;
        };
        if won && measured {
            let to = self.kinds.servers[g as usize].callee(&self.core, p);
            if let Some(defs) = &mut self.kinds.servers[g as usize].defs
                && let Some(e) = defs.edge(to)
            {
                defs.edges[e as usize].ctr.hedge_wins += 1;
            }
        }
        self.server_reply(node, s, g, p);
    }

    /// The call `r` made from `node` to the callee of defended edge `edge` came back (with
    /// `r.fail` set if it failed): the breaker judges it, its place is freed (and handed to
    /// the next waiter), a percentile hedge learns its time.
    #[inline(never)]
    pub(crate) fn call_back(&mut self, node: u32, server: u32, r: u32, edge: u32) {
        let now = self.core.now;
        let Some(defs) = &mut self.kinds.servers[server as usize].defs else {
            return;
        };
        let comp = self.core.nodes[node as usize].comp;
        let i = (node - self.core.comps[comp as usize].first_node) as usize;
        let (t_call, failed) = (
            defs.t_call[r as usize],
            self.core.reqs.get(r).fail != Cause::None,
        );
        let took = now - t_call;
        let e = &mut defs.edges[edge as usize];
        if let Some(h) = &mut e.hedge {
            h.record(took);
        }
        if let Some(b) = e.breaker {
            judge(
                &mut e.inst[i],
                &mut e.ctr,
                &b,
                now,
                t_call,
                failed,
                took > b.slow_call,
            );
        }
        if e.limit.is_some() {
            let inst = &mut e.inst[i];
            inst.in_use = inst.in_use.saturating_sub(1);
            // The next waiter still waiting takes the place.
            while let Some((w, generation)) = inst.waiters.pop_front() {
                let wr = self.core.reqs.get(w);
                if wr.generation == generation && wr.wait == WAIT_PLACE {
                    inst.in_use += 1;
                    e.ctr.wait_ns += now - defs.t_call[w as usize];
                    defs.t_call[w as usize] = now;
                    self.core.reqs.get_mut(w).wait = WAIT_NONE;
                    self.call_out(node, server, w, edge);
                    break;
                }
            }
        }
    }

    /// A request's wait for a bulkhead or pool place at `node` ran out.
    pub(crate) fn place_timeout(
        &mut self,
        node: u32,
        s: u32,
        server: u32,
        r: u32,
        generation: u32,
    ) {
        let req = self.core.reqs.get(r);
        if req.generation != generation
            || req.wait != WAIT_PLACE
            || req.depth() == 0
            || req.top().node != node
        {
            return;
        }
        let to = self.kinds.servers[server as usize].callee(&self.core, r);
        let Some(defs) = &mut self.kinds.servers[server as usize].defs else {
            return;
        };
        let Some(edge) = defs.edge(to) else { return };
        let comp = self.core.nodes[node as usize].comp;
        let i = (node - self.core.comps[comp as usize].first_node) as usize;
        let e = &mut defs.edges[edge as usize];
        let Some(l) = e.limit else { return };
        let inst = &mut e.inst[i];
        if let Some(at) = inst.waiters.iter().position(|&(w, _)| w == r) {
            inst.waiters.remove(at);
        }
        e.ctr.limit_rejected += 1;
        e.ctr.wait_ns += self.core.now - defs.t_call[r as usize];
        self.core.reqs.get_mut(r).wait = WAIT_NONE;
        self.call_fails(node, s, server, r, limit_cause(l));
    }

    /// The server fails `r` itself (its call cannot go out): it replies with `cause`.
    fn call_fails(&mut self, node: u32, s: u32, server: u32, r: u32, cause: Cause) {
        let comp = self.core.nodes[node as usize].comp;
        let req = self.core.reqs.get_mut(r);
        req.fail = cause;
        req.fail_comp = comp;
        self.finish(node, s, Serves::Server(server), r);
    }

    /// Report extras of server group `server` with defended callees.
    pub(crate) fn call_extras(&self, server: u32, extra: &mut IndexMap<String, f64>) {
        let Some(defs) = &self.kinds.servers[server as usize].defs else {
            return;
        };
        let now = self.core.now;
        for (k, e) in defs.edges.iter().enumerate() {
            let name = &self.core.comps[e.to as usize].name;
            let w = self
                .warm
                .edges
                .get(server as usize)
                .and_then(|v| v.get(k))
                .copied()
                .unwrap_or_default();
            let c = &e.ctr;
            let mut put = |key: &str, v: f64| {
                extra.insert(format!("{key}.{name}"), v);
            };
            if e.breaker.is_some() {
                put("breaker_opens", (c.opens - w.opens) as f64);
                put("breaker_rejected", (c.rejected - w.rejected) as f64);
                put("breaker_half_opens", (c.half_opens - w.half_opens) as f64);
                put("breaker_trials", (c.trials - w.trials) as f64);
                let open = c.open_ns + defs.open_now(k, now) - w.open_ns;
                put("breaker_open_s", open as f64 / 1e9);
            }
            if e.limit.is_some() {
                put(
                    "limit_rejected",
                    (c.limit_rejected - w.limit_rejected) as f64,
                );
                let waits = c.waits - w.waits;
                put("limit_waits", waits as f64);
                let ms = if waits > 0 {
                    (c.wait_ns - w.wait_ns) as f64 / waits as f64 / 1e6
                } else {
                    0.0
                };
                put("limit_wait_ms", ms);
            }
            if e.hedge.is_some() {
                put("hedges", (c.hedges - w.hedges) as f64);
                put("hedge_wins", (c.hedge_wins - w.hedge_wins) as f64);
            }
        }
    }
}

/// The cause of a call that found no place.
fn limit_cause(l: CallLimit) -> Cause {
    match l.kind {
        LimitKind::Bulkhead => Cause::BulkheadFull,
        LimitKind::Pool => Cause::PoolTimeout,
    }
}
