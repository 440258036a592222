//! The run-time bounds on memory: requests in flight and pending events.
//!
//! What a scenario sizes is checked at validation ([`crate::scenario::MAX_MEMORY`]); what
//! grows while it runs is checked here. A run may hold at most [`MAX_IN_FLIGHT`] requests
//! (client requests, retry attempts and queue jobs) and [`MAX_PENDING_EVENTS`] pending
//! events at once. Both are checked where a request slot is allocated: the slot's index
//! reaches `MAX_IN_FLIGHT` only when the slab grows past it (slots are reused, so every
//! slot below it is live), and every pending event belongs to a request or to a bounded
//! set of timers, so between two allocations the queue grows by a bounded amount. Past a
//! bound the run stops at once — the model moves its end to the current instant, so the
//! loop ends at its next pop — and [`Model::run`](super::Model::run) returns a
//! [`RunError`] that says what piled up, where, and what to change. Runs inside the bounds
//! are untouched: the checks have no side effect.

use std::fmt;

use super::Model;
use super::core::EvKind;
use super::kinds::{NodeKind, Role};
use crate::engine::SimTime;
use crate::metrics::thousands;
use crate::scenario::{MAX_IN_FLIGHT, MAX_PENDING_EVENTS};

/// Why a run stopped before its end.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// The simulated time when it stopped.
    pub at: SimTime,
    /// Which bound it reached.
    pub limit: RunLimit,
    /// What piled up, where, and what to change.
    pub message: String,
}

/// The run-time bound a run reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunLimit {
    /// [`MAX_IN_FLIGHT`] requests at once.
    InFlight,
    /// [`MAX_PENDING_EVENTS`] events pending at once.
    PendingEvents,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RunError {}

impl Model {
    /// Checks the bounds after request slot `r` was allocated: two comparisons.
    #[inline]
    pub(crate) fn guard(&mut self, r: u32) {
        if r as usize >= MAX_IN_FLIGHT || self.core.queue.len() >= MAX_PENDING_EVENTS {
            self.overload(r as usize >= MAX_IN_FLIGHT);
        }
    }

    /// Stops the run at the current instant with the error for the bound reached.
    #[cold]
    #[inline(never)]
    fn overload(&mut self, in_flight: bool) {
        if self.core.stopped.is_none() {
            let e = if in_flight {
                self.in_flight_error()
            } else {
                self.pending_error()
            };
            self.core.stopped = Some(e);
        }
        self.core.end = self.core.now;
    }

    /// Too many requests in flight: where they wait, and what would turn them away.
    fn in_flight_error(&self) -> RunError {
        let at = SimTime(self.core.now);
        let n = self.core.reqs.live();
        // Requests waiting, by component: in the waiting rooms of its stations, or in a
        // queue's backlog.
        let mut waiting = vec![0u64; self.core.comps.len()];
        for node in &self.core.nodes {
            if let NodeKind::Station(s, _) = node.kind {
                waiting[node.comp as usize] += self.core.stations[s as usize].queue.len() as u64;
            }
        }
        for q in &self.kinds.queues {
            waiting[q.comp as usize] += q.ready.len() as u64;
        }
        let (top, w) = waiting
            .iter()
            .enumerate()
            .max_by_key(|&(i, w)| (*w, std::cmp::Reverse(i)))
            .map_or((0, 0), |(i, w)| (i, *w));
        let head = format!(
            "the run stopped at {at} of simulated time: {} requests were in flight, more than a run may hold ({})",
            thousands(n as u64),
            thousands(MAX_IN_FLIGHT as u64)
        );
        let timeout = if self.client.timeout.is_some() {
            "the client timeout does not free them: a request that timed out keeps its place"
        } else {
            "there is no `traffic.timeout`, and one would not free them: a request that timed out keeps its place"
        };
        let message = if w * 2 < n as u64 {
            format!(
                "{head}; {} of them waited for a worker or a consumer, the others were in service, in transit or waiting on calls. The system is overloaded: add capacity, lower the load, or shorten long latencies",
                thousands(w)
            )
        } else {
            let c = &self.core.comps[top];
            let name = &c.name;
            match c.role {
                Role::Queue(q) if self.kinds.queues[q as usize].capacity == u64::MAX => format!(
                    "{head}; {} of them waited in queue `{name}`, whose backlog has no bound. The system is overloaded and nothing turns messages away: give `{name}` a `capacity` (publishes beyond it fail with `queue_full`), add consumers or lower the load",
                    thousands(w)
                ),
                Role::Queue(_) => format!(
                    "{head}; {} of them waited in queue `{name}`. The system is overloaded: lower the `capacity` of `{name}`, add consumers or lower the load",
                    thousands(w)
                ),
                _ => {
                    let bounded = (c.first_node..c.first_node + c.n_nodes).all(|node| {
                        match self.core.nodes[node as usize].kind {
                            NodeKind::Station(s, _) => {
                                self.core.stations[s as usize].cap != u64::MAX
                            }
                            _ => true,
                        }
                    });
                    if bounded {
                        format!(
                            "{head}; {} of them waited at `{name}`. The system is overloaded: lower the `queue` bound of `{name}`, add capacity or lower the load",
                            thousands(w)
                        )
                    } else {
                        format!(
                            "{head}; {} of them waited at `{name}`, whose waiting room has no bound. The system is overloaded and nothing turns requests away ({timeout}): give `{name}` a `queue` bound (requests beyond it fail with `queue_full`), add capacity or lower the load",
                            thousands(w)
                        )
                    }
                }
            }
        };
        RunError {
            at,
            limit: RunLimit::InFlight,
            message,
        }
    }

    /// Too many pending events: which kind piled up, and what keeps them pending.
    fn pending_error(&self) -> RunError {
        let at = SimTime(self.core.now);
        let mut by_kind = [0u64; EvKind::Warmup as usize + 1];
        // For visibility timeouts and replica applies: the component that holds the most.
        let mut by_comp = vec![[0u64; 2]; self.core.comps.len()];
        for ev in self.core.queue.iter() {
            by_kind[ev.code as usize] += 1;
            let slot = match ev.kind() {
                EvKind::VisTimeout => 0,
                EvKind::Apply => 1,
                _ => continue,
            };
            if let Some(node) = self.core.nodes.get(ev.node as usize) {
                by_comp[node.comp as usize][slot] += 1;
            }
        }
        let (kind, k) = by_kind
            .iter()
            .enumerate()
            .max_by_key(|&(i, k)| (*k, std::cmp::Reverse(i)))
            .map(|(i, k)| (i, *k))
            .expect("event kinds");
        let top = |slot: usize| {
            let i = (0..self.core.comps.len())
                .max_by_key(|&i| (by_comp[i][slot], std::cmp::Reverse(i)))
                .unwrap_or(0);
            &self.core.comps[i].name
        };
        let what = if kind == EvKind::Timeout as usize {
            let t = SimTime(self.client.timeout.unwrap_or(0));
            format!(
                "client deadlines: each request keeps one pending for `traffic.timeout` ({t}) after it starts, whether it has ended or not, so about the arrival rate times the timeout are pending. Shorten `traffic.timeout` or lower the load"
            )
        } else if kind == EvKind::VisTimeout as usize {
            let name = top(0);
            format!(
                "visibility timeouts of queue `{name}`: each delivery keeps one pending for its `visibility_timeout`, acknowledged or not. Shorten the `visibility_timeout` of `{name}` or lower the load"
            )
        } else if kind == EvKind::Apply as usize {
            let name = top(1);
            format!(
                "replica applies of `{name}`: each write keeps one pending per replica for its `replication_lag`. Shorten the `replication_lag` of `{name}`, use fewer replicas or lower the load"
            )
        } else {
            "the next steps of requests in flight (deliveries, services, replies). The system is overloaded: add capacity, lower the load, or shorten long latencies".to_string()
        };
        let message = format!(
            "the run stopped at {at} of simulated time: {} events were pending, more than a run may hold ({}); {} of them were {what}",
            thousands(self.core.queue.len() as u64),
            thousands(MAX_PENDING_EVENTS as u64),
            thousands(k)
        );
        RunError {
            at,
            limit: RunLimit::PendingEvents,
            message,
        }
    }
}
