//! Load balancer policies: which instance of the server group gets the next request.
//!
//! The balancer counts open connections per backend (requests it forwarded and has not seen
//! the reply of), which `least_connections` and `power_of_two` use.

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
}

impl Balancer {
    pub fn new(policy: LbPolicy, backends: usize, rng: Stream) -> Balancer {
        Balancer {
            policy,
            conns: vec![0; backends],
            next: 0,
            rng,
        }
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
            LbPolicy::LeastConnections => {
                // Scan from a rotating start so ties spread instead of piling onto instance 0.
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
        let mut b = Balancer::new(LbPolicy::RoundRobin, 3, stream(1, "lb"));
        let v: Vec<usize> = (0..6).map(|_| b.choose(0)).collect();
        assert_eq!(v, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn least_connections_picks_the_idlest() {
        let mut b = Balancer::new(LbPolicy::LeastConnections, 3, stream(1, "lb"));
        b.conns = vec![5, 1, 3];
        assert_eq!(b.choose(0), 1);
    }

    #[test]
    fn hash_is_sticky_per_user() {
        let mut b = Balancer::new(LbPolicy::Hash, 7, stream(1, "lb"));
        let first = b.choose(42);
        assert!((0..10).all(|_| b.choose(42) == first));
    }

    #[test]
    fn power_of_two_prefers_the_less_loaded_of_two() {
        let mut b = Balancer::new(LbPolicy::PowerOfTwo, 2, stream(1, "lb"));
        b.conns = vec![9, 0];
        assert!((0..20).all(|_| b.choose(0) == 1));
    }
}
