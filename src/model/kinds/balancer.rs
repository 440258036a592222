//! Balancers: a request picks one instance of the group behind (by the balancing policy,
//! among the backends in rotation), the reply passes back through. Health checks take
//! backends out of rotation and bring them back.

use crate::engine::random::component_stream;
use crate::engine::{Dist, SimTime};
use crate::model::build::Builder;
use crate::model::load_balancer::Balancer;
use crate::model::{Cause, Ev, EvKind, Model};
use crate::scenario::{ComponentKind, HealthCheck, LbPolicy};

use super::{NodeKind, Role};

/// A balancer node: its policy state, and the group it forwards to.
#[derive(Debug)]
pub(crate) struct BalancerNode {
    /// Backends, connections, rotation.
    pub(crate) lb: Balancer,
    /// The component it balances over.
    pub(crate) to: u32,
    /// Its own latency.
    pub(crate) latency: Dist,
}

/// Builds balancer component `ci` (one node) in front of component `to`.
pub(crate) fn build(
    b: &mut Builder<'_>,
    ci: usize,
    name: &str,
    policy: LbPolicy,
    to: usize,
    latency: &Dist,
    health: Option<HealthCheck>,
) -> (u32, u32, Role) {
    let sc = b.sc;
    let target = &sc.components[to].kind;
    let (backends, active) = match target {
        ComponentKind::Server { count, .. } => {
            (target.allocated_instances() as usize, *count as usize)
        }
        _ => (1, 1),
    };
    let lb = b.kinds.lbs.len() as u32;
    b.kinds.lbs.push(BalancerNode {
        lb: Balancer::new(
            policy,
            backends,
            active,
            sc.traffic.users,
            health,
            component_stream(sc.seed, name),
        ),
        to: to as u32,
        latency: latency.clone(),
    });
    b.add_node(ci, NodeKind::Balancer(lb));
    (1, 0, Role::Balancer(lb))
}

impl Model {
    /// A request reaches balancer `b` (node `node` of component `comp`): it goes on to one
    /// backend, or fails when none is healthy.
    #[inline]
    pub(crate) fn balancer_deliver(&mut self, node: u32, comp: u32, b: u32, r: u32) {
        let user = self.reqs.get(r).user;
        let bn = &mut self.kinds.lbs[b as usize];
        let Some(i) = bn.lb.choose(user) else {
            self.fail_back(r, Cause::NoHealthyBackend, comp);
            return;
        };
        bn.lb.conns[i] += 1;
        self.push_frame(r, node, i as u32);
        self.open_change(comp, true);
        let bn = &mut self.kinds.lbs[b as usize];
        let to = bn.to;
        let extra = bn.latency.sample(&mut bn.lb.rng);
        let target = self.comps[to as usize].first_node + i as u32;
        if self.node_scaler[target as usize] != crate::model::autoscale::NO_SCALER {
            self.inbound[target as usize] += 1;
        }
        let d = extra + self.hop_node(comp as usize + 1, to, target, r);
        self.after(d, Ev::new(EvKind::Deliver, target, r));
    }

    /// A reply passes back through balancer `b`.
    #[inline]
    pub(crate) fn balancer_reply(&mut self, node: u32, comp: u32, b: u32, r: u32) {
        let f = self.reqs.get_mut(r).pop();
        self.kinds.lbs[b as usize].lb.conns[f.step as usize] -= 1;
        self.span(r, node, &f);
        self.leave(comp, f.t_in);
        self.reply_after(comp, r, 0);
    }

    /// Balancer `b` crashed: its open connections are gone.
    pub(crate) fn balancer_crash(&mut self, comp: u32, b: u32) {
        self.open_reset(comp);
        self.kinds.lbs[b as usize].lb.reset_connections();
    }

    /// Schedules each balancer's first health check.
    pub(crate) fn prime_health(&mut self) {
        for (i, bn) in self.kinds.lbs.iter().enumerate() {
            if let Some(h) = bn.lb.health
                && h.interval.0 < self.end
            {
                let node = self
                    .nodes
                    .iter()
                    .position(|n| n.kind == NodeKind::Balancer(i as u32));
                let node = node.expect("every balancer has a node") as u32;
                self.queue
                    .push(h.interval, Ev::new(EvKind::HealthTick, node, i as u32));
            }
        }
    }

    /// Balancer `b` (node `node`) probes each backend; backends leave or rejoin rotation.
    pub(crate) fn health_tick(&mut self, node: u32, b: u32) {
        let bn = &self.kinds.lbs[b as usize];
        let first = self.comps[bn.to as usize].first_node;
        let backends = bn.lb.conns.len();
        // A balancer that is down probes nothing: its view of the backends stands still.
        let probing = self.node_up[node as usize];
        for i in (0..backends).filter(|_| probing) {
            let lb = &mut self.kinds.lbs[b as usize].lb;
            if !lb.is_active(i) {
                // Not started, or drained, by the autoscaler: not a backend now.
                continue;
            }
            let t = (first + i as u32) as usize;
            let ok = self.node_up[t] && !self.node_part[t];
            if lb.probe(i, ok) == Some(false) {
                self.detected[t] = Some(self.now);
            }
        }
        let interval = self.kinds.lbs[b as usize]
            .lb
            .health
            .expect("health checks configured")
            .interval
            .0;
        if self.now + interval < self.end {
            self.queue.push(
                SimTime(self.now + interval),
                Ev::new(EvKind::HealthTick, node, b),
            );
        }
    }
}
