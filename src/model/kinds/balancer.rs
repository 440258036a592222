//! Balancers: a request picks one instance of the group behind (by the balancing policy,
//! among the backends in rotation), the reply passes back through. Health checks take
//! backends out of rotation and bring them back.

use crate::engine::random::component_stream;
use crate::engine::{Dist, SimTime};
use crate::model::autoscale::NO_SCALER;
use crate::model::build::Builder;
use crate::model::core::{Core, Ev, EvKind};
use crate::model::load_balancer::Balancer;
use crate::model::{Cause, Model};
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

impl BalancerNode {
    /// A request reaches this balancer (node `node` of component `comp`): it goes on to
    /// one backend, or fails when none is healthy.
    #[inline]
    pub(crate) fn deliver(&mut self, core: &mut Core, node: u32, comp: u32, r: u32) {
        let user = core.reqs.get(r).user;
        let Some(i) = self.lb.choose(user) else {
            core.fail_back(r, Cause::NoHealthyBackend, comp);
            return;
        };
        self.lb.conns[i] += 1;
        core.push_frame(r, node, i as u32);
        core.open_change(comp, true);
        let to = self.to;
        let extra = self.latency.sample(&mut self.lb.rng);
        let target = core.comps[to as usize].first_node + i as u32;
        if core.node_scaler[target as usize] != NO_SCALER {
            core.inbound[target as usize] += 1;
        }
        let d = extra + core.hop_node(comp as usize + 1, to, target, r);
        core.after(d, Ev::new(EvKind::Deliver, target, r));
    }

    /// A reply passes back through this balancer.
    #[inline]
    pub(crate) fn reply(&mut self, core: &mut Core, node: u32, comp: u32, r: u32) {
        let f = core.reqs.get_mut(r).pop();
        self.lb.conns[f.step as usize] -= 1;
        core.span(r, node, &f);
        core.leave(comp, f.t_in);
        core.reply_after(comp, r, 0);
    }

    /// This balancer crashed: its open connections are gone.
    pub(crate) fn crash(&mut self, core: &mut Core, comp: u32) {
        core.open_reset(comp);
        self.lb.reset_connections();
    }

    /// This balancer (node `node`, `Kinds::lbs` index `b`) probes each backend; backends
    /// leave or rejoin rotation (`detected`: when a backend was taken out, per node).
    pub(crate) fn health_tick(
        &mut self,
        core: &mut Core,
        detected: &mut [Option<u64>],
        node: u32,
        b: u32,
    ) {
        let first = core.comps[self.to as usize].first_node;
        let backends = self.lb.conns.len();
        // A balancer that is down probes nothing: its view of the backends stands still.
        let probing = core.node_up[node as usize];
        for i in (0..backends).filter(|_| probing) {
            if !self.lb.is_active(i) {
                // Not started, or drained, by the autoscaler: not a backend now.
                continue;
            }
            let t = (first + i as u32) as usize;
            let ok = core.node_up[t] && !core.node_part[t];
            if self.lb.probe(i, ok) == Some(false) {
                detected[t] = Some(core.now);
            }
        }
        let interval = self.lb.health.expect("health checks configured").interval.0;
        if core.now + interval < core.end {
            core.queue.push(
                SimTime(core.now + interval),
                Ev::new(EvKind::HealthTick, node, b),
            );
        }
    }
}

impl Model {
    /// Schedules each balancer's first health check.
    pub(crate) fn prime_health(&mut self) {
        for (i, bn) in self.kinds.lbs.iter().enumerate() {
            if let Some(h) = bn.lb.health
                && h.interval.0 < self.core.end
            {
                let node = self
                    .core
                    .nodes
                    .iter()
                    .position(|n| n.kind == NodeKind::Balancer(i as u32));
                let node = node.expect("every balancer has a node") as u32;
                self.core
                    .queue
                    .push(h.interval, Ev::new(EvKind::HealthTick, node, i as u32));
            }
        }
    }
}
