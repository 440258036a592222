//! Load balancer policies: which instance of the server group gets the next request.
//!
//! The balancer counts open connections per backend (requests it forwarded and has not seen
//! the reply of), which `least_connections` and `power_of_two` use. `sticky` is cookie
//! affinity: a user's first request goes to the least-connected backend, and every later
//! request of that user to the same one.

use rand::RngExt;

use crate::engine::Stream;
use crate::engine::random::mix64;
use crate::scenario::LbPolicy;

#[derive(Debug)]
pub struct Balancer {
    pub policy: LbPolicy,
    /// Open connections per backend instance.
    pub conns: Vec<u32>,
    next: usize,
    pub rng: Stream,
    /// Sticky: each user's backend + 1 (0: none yet). Empty for other policies.
    affinity: Vec<u16>,
}

impl Balancer {
    /// `users` sizes the affinity table of the `sticky` policy.
    pub fn new(policy: LbPolicy, backends: usize, users: u64, rng: Stream) -> Balancer {
        let affinity = if policy == LbPolicy::Sticky {
            vec![0; users as usize]
        } else {
            Vec::new()
        };
        Balancer {
            policy,
            conns: vec![0; backends],
            next: 0,
            rng,
            affinity,
        }
    }

    fn least_connections(&mut self) -> usize {
        // Scan from a rotating start so ties spread instead of piling onto instance 0.
        let n = self.conns.len();
        let start = self.next;
        let mut best = start;
        for k in 1..n {
            let i = (start + k) % n;
            if self.conns[i] < self.conns[best] {
                best = i;
            }
        }
        self.next = if best + 1 == n { 0 } else { best + 1 };
        best
    }

    /// Chooses a backend instance (0-based within the group) for a request from `user`.
    #[inline]
    pub fn choose(&mut self, user: u32) -> usize {
        let n = self.conns.len();
        match self.policy {
            LbPolicy::RoundRobin => {
                let i = self.next;
                self.next = if i + 1 == n { 0 } else { i + 1 };
                i
            }
            LbPolicy::Random => self.rng.random_range(0..n),
            LbPolicy::LeastConnections => self.least_connections(),
            LbPolicy::Sticky => {
                let a = self.affinity[user as usize];
                if a > 0 {
                    return usize::from(a - 1);
                }
                let b = self.least_connections();
                self.affinity[user as usize] = (b + 1) as u16;
                b
            }
            LbPolicy::PowerOfTwo => {
                if n == 1 {
                    return 0;
                }
                let a = self.rng.random_range(0..n);
                let mut b = self.rng.random_range(0..n - 1);
                if b >= a {
                    b += 1;
                }
                if self.conns[b] < self.conns[a] { b } else { a }
            }
            LbPolicy::Hash => (mix64(u64::from(user)) % n as u64) as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::random::stream;

    #[test]
    fn round_robin_cycles() {
        let mut b = Balancer::new(LbPolicy::RoundRobin, 3, 10, stream(1, "lb"));
        let v: Vec<usize> = (0..6).map(|_| b.choose(0)).collect();
        assert_eq!(v, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn least_connections_picks_the_idlest() {
        let mut b = Balancer::new(LbPolicy::LeastConnections, 3, 10, stream(1, "lb"));
        b.conns = vec![5, 1, 3];
        assert_eq!(b.choose(0), 1);
    }

    #[test]
    fn hash_is_sticky_per_user() {
        let mut b = Balancer::new(LbPolicy::Hash, 7, 10, stream(1, "lb"));
        let first = b.choose(42);
        assert!((0..10).all(|_| b.choose(42) == first));
    }

    #[test]
    fn power_of_two_prefers_the_less_loaded_of_two() {
        let mut b = Balancer::new(LbPolicy::PowerOfTwo, 2, 10, stream(1, "lb"));
        b.conns = vec![9, 0];
        assert!((0..20).all(|_| b.choose(0) == 1));
    }

    #[test]
    fn sticky_keeps_each_user_on_one_backend() {
        let mut b = Balancer::new(LbPolicy::Sticky, 3, 100, stream(1, "lb"));
        let first: Vec<usize> = (0..100).map(|u| b.choose(u)).collect();
        b.conns = vec![50, 0, 0];
        assert!((0..100).all(|u| b.choose(u) == first[u as usize]));
        // New users spread over the backends.
        assert!((0..3).all(|i| first.contains(&i)));
    }
}
