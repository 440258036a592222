//! Load balancer policies and health checks: which instance of the server group gets the
//! next request.
//!
//! The balancer counts open connections per backend (requests it forwarded and has not seen
//! the reply of), which `least_connections` and `power_of_two` use. `sticky` is cookie
//! affinity: a user's first request goes to the least-connected backend, and every later
//! request of that user to the same one while it stays in rotation.
//!
//! Rotation: every backend starts in rotation. With health checks, `unhealthy` failed probes
//! in a row take a backend out and `healthy` good ones bring it back; every policy chooses
//! only among backends in rotation. Without health checks a dead backend stays in rotation
//! and keeps getting requests (which are refused).
//!
//! Autoscaling adds a second flag per backend, *active*: only active backends are members,
//! whatever their health. Health checks move `in_rotation` only, so they never bring back
//! a backend the autoscaler drained or has not started; a backend that becomes active starts
//! in rotation with fresh probe counts.

use rand::RngExt;

use crate::engine::Stream;
use crate::engine::random::mix64;
use crate::scenario::{HealthCheck, LbPolicy};

/// A balancer's state: its backends, their connections and rotation, health checks.
#[derive(Debug)]
pub struct Balancer {
    /// How it picks a backend.
    pub policy: LbPolicy,
    /// Its health checks, if any.
    pub health: Option<HealthCheck>,
    /// Open connections per backend instance.
    pub conns: Vec<u32>,
    next: usize,
    /// Its random stream (random policies, its latency).
    pub rng: Stream,
    /// Sticky: each user's backend + 1 (0: none yet). Empty for other policies.
    affinity: Vec<u16>,
    in_rotation: Vec<bool>,
    /// Backends the autoscaler has active (all of them for a fixed group).
    active: Vec<bool>,
    /// Backends in rotation and active, ascending.
    members: Vec<u32>,
    failed_probes: Vec<u32>,
    good_probes: Vec<u32>,
}

impl Balancer {
    /// `users` sizes the affinity table of the `sticky` policy. The first `active` of the
    /// `backends` are active (the rest belong to an autoscaled group and start inactive).
    pub fn new(
        policy: LbPolicy,
        backends: usize,
        active: usize,
        users: u64,
        health: Option<HealthCheck>,
        rng: Stream,
    ) -> Balancer {
        let affinity = if policy == LbPolicy::Sticky {
            vec![0; users as usize]
        } else {
            Vec::new()
        };
        Balancer {
            policy,
            health,
            conns: vec![0; backends],
            next: 0,
            rng,
            affinity,
            in_rotation: vec![true; backends],
            active: (0..backends).map(|i| i < active).collect(),
            members: {
                let mut m = Vec::with_capacity(backends);
                m.extend(0..active.min(backends) as u32);
                m
            },
            failed_probes: vec![0; backends],
            good_probes: vec![0; backends],
        }
    }

    /// Is backend `i` in rotation (healthy as far as the checks know, and active)?
    pub fn in_rotation(&self, i: usize) -> bool {
        self.in_rotation[i] && self.active[i]
    }

    /// Is backend `i` active (not drained or never started by the autoscaler)?
    pub fn is_active(&self, i: usize) -> bool {
        self.active[i]
    }

    /// The autoscaler starts (`true`) or drains (`false`) backend `i`. A started backend
    /// joins rotation at once, with fresh probe counts.
    pub fn set_active(&mut self, i: usize, on: bool) {
        self.active[i] = on;
        if on {
            self.in_rotation[i] = true;
            self.failed_probes[i] = 0;
            self.good_probes[i] = 0;
        }
        self.rebuild_members();
    }

    fn least_connections(&mut self) -> usize {
        // Scan from a rotating start so ties spread instead of piling onto one backend.
        // Two plain passes (from `start` to the end, then from the front) rather than one
        // with a modulo per backend: the same order, without a division in the loop.
        let m = self.members.len();
        let start = self.next % m;
        let conns = &self.conns;
        let mut best = self.members[start] as usize;
        let mut fewest = conns[best];
        let (front, back) = self.members.split_at(start);
        for part in [&back[1..], front] {
            for &i in part {
                let c = conns[i as usize];
                if c < fewest {
                    fewest = c;
                    best = i as usize;
                }
            }
        }
        self.next = start + 1;
        best
    }

    /// Chooses a backend instance (0-based within the group) for a request from `user`, or
    /// `None` when no backend is in rotation.
    #[inline]
    pub fn choose(&mut self, user: u32) -> Option<usize> {
        let m = self.members.len();
        if m == 0 {
            return None;
        }
        Some(match self.policy {
            LbPolicy::RoundRobin => {
                let i = self.next % m;
                self.next = i + 1;
                self.members[i] as usize
            }
            LbPolicy::Random => self.members[self.rng.random_range(0..m)] as usize,
            LbPolicy::LeastConnections => self.least_connections(),
            LbPolicy::Sticky => {
                let a = self.affinity[user as usize];
                if a > 0 && self.in_rotation(usize::from(a - 1)) {
                    return Some(usize::from(a - 1));
                }
                let b = self.least_connections();
                self.affinity[user as usize] = (b + 1) as u16;
                b
            }
            LbPolicy::PowerOfTwo => {
                if m == 1 {
                    return Some(self.members[0] as usize);
                }
                let a = self.rng.random_range(0..m);
                let mut b = self.rng.random_range(0..m - 1);
                if b >= a {
                    b += 1;
                }
                let (a, b) = (self.members[a] as usize, self.members[b] as usize);
                if self.conns[b] < self.conns[a] { b } else { a }
            }
            LbPolicy::Hash => self.members[(mix64(u64::from(user)) % m as u64) as usize] as usize,
        })
    }

    /// Records a probe of backend `i`. Returns `Some(false)` when the backend just left
    /// rotation, `Some(true)` when it just rejoined, `None` otherwise.
    pub fn probe(&mut self, i: usize, ok: bool) -> Option<bool> {
        let h = self.health?;
        if ok {
            self.good_probes[i] += 1;
            self.failed_probes[i] = 0;
            if !self.in_rotation[i] && self.good_probes[i] >= h.healthy {
                self.set_rotation(i, true);
                return Some(true);
            }
        } else {
            self.failed_probes[i] += 1;
            self.good_probes[i] = 0;
            if self.in_rotation[i] && self.failed_probes[i] >= h.unhealthy {
                self.set_rotation(i, false);
                return Some(false);
            }
        }
        None
    }

    fn set_rotation(&mut self, i: usize, on: bool) {
        self.in_rotation[i] = on;
        self.rebuild_members();
    }

    /// Members: backends in rotation and active. Reuses the list's memory.
    fn rebuild_members(&mut self) {
        self.members.clear();
        for k in 0..self.conns.len() {
            if self.in_rotation[k] && self.active[k] {
                self.members.push(k as u32);
            }
        }
    }

    /// Forgets every open connection (the balancer itself crashed).
    pub fn reset_connections(&mut self) {
        self.conns.iter_mut().for_each(|c| *c = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::engine::random::stream;

    fn lb(policy: LbPolicy, n: usize) -> Balancer {
        Balancer::new(policy, n, n, 100, None, stream(1, "lb"))
    }

    #[test]
    fn round_robin_cycles() {
        let mut b = lb(LbPolicy::RoundRobin, 3);
        let v: Vec<usize> = (0..6).map(|_| b.choose(0).unwrap()).collect();
        assert_eq!(v, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn least_connections_picks_the_idlest() {
        let mut b = lb(LbPolicy::LeastConnections, 3);
        b.conns = vec![5, 1, 3];
        assert_eq!(b.choose(0), Some(1));
    }

    #[test]
    fn hash_is_sticky_per_user() {
        let mut b = lb(LbPolicy::Hash, 7);
        let first = b.choose(42);
        assert!((0..10).all(|_| b.choose(42) == first));
    }

    #[test]
    fn power_of_two_prefers_the_less_loaded_of_two() {
        let mut b = lb(LbPolicy::PowerOfTwo, 2);
        b.conns = vec![9, 0];
        assert!((0..20).all(|_| b.choose(0) == Some(1)));
    }

    #[test]
    fn sticky_keeps_each_user_on_one_backend() {
        let mut b = lb(LbPolicy::Sticky, 3);
        let first: Vec<usize> = (0..100).map(|u| b.choose(u).unwrap()).collect();
        b.conns = vec![50, 0, 0];
        assert!((0..100).all(|u| b.choose(u) == Some(first[u as usize])));
        assert!((0..3).all(|i| first.contains(&i)));
    }

    #[test]
    fn health_checks_take_backends_out_and_back() {
        let h = HealthCheck {
            interval: SimTime::from_secs(1),
            unhealthy: 2,
            healthy: 3,
        };
        let mut b = Balancer::new(LbPolicy::RoundRobin, 3, 3, 10, Some(h), stream(1, "lb"));
        assert_eq!(b.probe(1, false), None);
        assert_eq!(b.probe(1, false), Some(false));
        assert!((0..12).all(|_| b.choose(0) != Some(1)));
        assert_eq!(b.probe(1, true), None);
        assert_eq!(b.probe(1, true), None);
        assert_eq!(b.probe(1, true), Some(true));
        assert!((0..3).any(|_| b.choose(0) == Some(1)));
        for i in 0..3 {
            b.probe(i, false);
            b.probe(i, false);
        }
        assert_eq!(b.choose(0), None, "nothing in rotation");
        // Sticky users move off a backend that left rotation.
        let mut s = Balancer::new(LbPolicy::Sticky, 2, 2, 10, Some(h), stream(1, "lb"));
        let home = s.choose(7).unwrap();
        s.probe(home, false);
        s.probe(home, false);
        assert_eq!(s.choose(7), Some(1 - home));
    }

    #[test]
    fn health_checks_never_bring_back_an_inactive_backend() {
        let h = HealthCheck {
            interval: SimTime::from_secs(1),
            unhealthy: 2,
            healthy: 1,
        };
        // Four backends, two active (an autoscaled group at its start).
        let mut b = Balancer::new(LbPolicy::RoundRobin, 4, 2, 10, Some(h), stream(1, "lb"));
        assert!((0..8).all(|_| b.choose(0).unwrap() < 2));
        for _ in 0..5 {
            assert_eq!(b.probe(3, true), None, "good probes do not activate");
        }
        assert!(!b.in_rotation(3));
        b.set_active(2, true);
        assert!((0..3).any(|_| b.choose(0) == Some(2)));
        // Drained: out at once, and good probes do not bring it back.
        b.set_active(1, false);
        b.probe(1, false);
        b.probe(1, false);
        b.probe(1, true);
        assert!((0..12).all(|_| b.choose(0) != Some(1)));
        // A sticky user moves off a drained backend.
        let mut s = Balancer::new(LbPolicy::Sticky, 3, 3, 10, None, stream(1, "lb"));
        let home = s.choose(5).unwrap();
        s.set_active(home, false);
        assert_ne!(s.choose(5), Some(home));
    }
}
