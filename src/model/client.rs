//! The traffic source: when requests arrive, which class, user and key each one has, and the
//! client-side DNS cache.
//!
//! All draws for one arrival come from the `traffic` stream in a fixed order (gap, class,
//! user, key). With open arrivals nothing else draws from that stream, so two stages see the
//! same requests at the same times whatever their topology. Closed users also draw their
//! think times from it when their replies come back, so their request times depend on the
//! system's response times, as they should.

use rand::RngExt;

use crate::engine::random::{component_stream, stream};
use crate::engine::sample::{Zipf, ceil_u64, exp1};
use crate::engine::{Dist, SimTime, Stream};
use crate::scenario::{Keys, RateProfile, Scenario};

use super::core::{CLIENT, Ev, EvKind};
use super::faults::RETRY_TOKENS_MAX;
use super::request::{Frame, NO_DC};
use super::{Cause, Model};

/// Inverts the cumulative rate of a piecewise-linear profile to produce Poisson arrival times.
#[derive(Debug)]
pub struct ArrivalGen {
    /// Segments `(t0_s, t1_s, r0, r1)`, rate linear from r0 to r1 over [t0, t1); the last
    /// has `t1 = inf` and a constant rate.
    segs: Vec<(f64, f64, f64, f64)>,
    seg: usize,
}

impl ArrivalGen {
    /// The generator of `p`, from time zero.
    pub fn new(p: &RateProfile) -> ArrivalGen {
        let mut segs = Vec::new();
        let mut t = 0.0;
        let mut r = p.points[0].rate_per_s;
        for pt in &p.points {
            let at = pt.at.as_secs_f64();
            if at > t {
                segs.push((t, at, r, r));
            }
            let end = at + pt.ramp.as_secs_f64();
            if end > at {
                segs.push((at, end, r, pt.rate_per_s));
            }
            t = end.max(at).max(t);
            r = pt.rate_per_s;
        }
        segs.push((t, f64::INFINITY, r, r));
        ArrivalGen { segs, seg: 0 }
    }

    /// The next arrival after `now_ns`, or `None` when the rate stays zero from here on.
    pub fn next(&mut self, now_ns: u64, rng: &mut Stream) -> Option<u64> {
        let mut e = exp1(rng);
        let t = now_ns as f64 / 1e9;
        while self.seg < self.segs.len() {
            let (t0, t1, r0, r1) = self.segs[self.seg];
            if t >= t1 {
                self.seg += 1;
                continue;
            }
            let t = t.max(t0);
            let slope = if t1.is_finite() {
                (r1 - r0) / (t1 - t0)
            } else {
                0.0
            };
            let r = r0 + slope * (t - t0);
            // Mass available in the rest of the segment.
            let span = t1 - t;
            let mass = if t1.is_finite() {
                r * span + 0.5 * slope * span * span
            } else if r > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            if e <= mass {
                let x = if slope.abs() < 1e-12 {
                    e / r
                } else {
                    // Solve r x + slope x^2 / 2 = e for the smallest x >= 0.
                    let disc = (r * r + 2.0 * slope * e).max(0.0);
                    2.0 * e / (r + disc.sqrt())
                };
                let ns = ceil_u64((t + x) * 1e9);
                return Some(ns.max(now_ns));
            }
            if !t1.is_finite() {
                return None;
            }
            e -= mass;
            self.seg += 1;
        }
        None
    }
}

/// How a class picks its key.
#[derive(Debug)]
pub enum KeyPick {
    /// The user's own key (their id).
    User,
    /// Uniform over this many keys.
    Uniform(u64),
    /// Zipf-distributed over its keys (key 0 the most popular).
    Zipf(Zipf),
}

impl KeyPick {
    /// The key picker of `k`.
    pub fn new(k: &Keys) -> KeyPick {
        match *k {
            Keys::User => KeyPick::User,
            Keys::Uniform { n } => KeyPick::Uniform(n),
            Keys::Zipf { n, s } => {
                KeyPick::Zipf(Zipf::new(n as f64, s).expect("validated Zipf parameters"))
            }
        }
    }

    /// Draws a key for `user`.
    #[inline]
    pub fn pick(&self, user: u32, rng: &mut Stream) -> u64 {
        match self {
            KeyPick::User => u64::from(user),
            KeyPick::Uniform(n) => rng.random_range(0..*n),
            KeyPick::Zipf(z) => z.sample(rng) as u64 - 1,
        }
    }
}

/// The client side of a run.
#[derive(Debug)]
pub struct Client {
    /// Its random stream (classes, users, keys, think times).
    pub rng: Stream,
    /// The open arrival process (`None`: closed-loop users).
    pub arrivals: Option<ArrivalGen>,
    /// Closed-loop users' think time.
    pub think: Option<Dist>,
    /// Users.
    pub users: u64,
    /// Cumulative class weights.
    cum: Vec<f64>,
    keys: Vec<KeyPick>,
    /// Per class: share of requests that go to the celebrity key 0.
    hot: Vec<f64>,
    /// The client deadline per attempt, ns.
    pub timeout: Option<u64>,
    /// DNS: lookup latency, answer lifetime, and when each user's answer expires.
    pub dns: Option<Dns>,
}

/// The DNS lookups of the client: each user's cached answer and when it expires.
#[derive(Debug)]
pub struct Dns {
    /// The DNS component.
    pub comp: usize,
    /// Lookup latency.
    pub latency: Dist,
    /// Answer lifetime, ns.
    pub ttl: u64,
    /// Its random stream (lookup latencies).
    pub rng: Stream,
    /// Per user: when their cached answer expires, ns.
    pub expires: Vec<u64>,
    /// GeoDNS: each user's cached answer (a data center); empty without `geo`.
    pub answer: Vec<u8>,
}

impl Client {
    /// The client of `sc`.
    pub fn new(sc: &Scenario) -> Client {
        use crate::scenario::{Arrival, ComponentKind};
        let (arrivals, think) = match &sc.traffic.arrival {
            Arrival::Open(p) => (Some(ArrivalGen::new(p)), None),
            Arrival::Closed { think } => (None, Some(think.clone())),
        };
        let mut acc = 0.0;
        let cum = sc
            .traffic
            .classes
            .iter()
            .map(|c| {
                acc += c.weight;
                acc
            })
            .collect();
        let dns = sc
            .components
            .iter()
            .enumerate()
            .find_map(|(i, c)| match &c.kind {
                ComponentKind::Dns { latency, ttl, geo } => Some(Dns {
                    comp: i,
                    latency: latency.clone(),
                    ttl: ttl.0,
                    rng: component_stream(sc.seed, &c.name),
                    expires: vec![0; sc.traffic.users as usize],
                    answer: if geo.is_some() {
                        vec![0; sc.traffic.users as usize]
                    } else {
                        Vec::new()
                    },
                }),
                _ => None,
            });
        Client {
            rng: stream(sc.seed, "traffic"),
            arrivals,
            think,
            users: sc.traffic.users,
            cum,
            keys: sc
                .traffic
                .classes
                .iter()
                .map(|c| KeyPick::new(&c.keys))
                .collect(),
            hot: sc.traffic.classes.iter().map(|c| c.hot).collect(),
            timeout: sc.traffic.timeout.map(SimTime::as_nanos),
            dns,
        }
    }

    /// Class, user and key of a new request, drawn in that order.
    #[inline]
    pub fn draw(&mut self, fixed_user: Option<u32>) -> (u16, u32, u64) {
        let class = if self.cum.len() == 1 {
            0
        } else {
            let u: f64 = self.rng.random();
            self.cum
                .iter()
                .position(|&c| u < c)
                .unwrap_or(self.cum.len() - 1)
        };
        let user = match fixed_user {
            Some(u) => u,
            None => self.rng.random_range(0..self.users) as u32,
        };
        let hot = self.hot[class];
        let key = if hot > 0.0 && self.rng.random::<f64>() < hot {
            0
        } else {
            self.keys[class].pick(user, &mut self.rng)
        };
        (class as u16, user, key)
    }
}

impl Model {
    /// The open source fires: the next arrival is scheduled, a request starts.
    pub(crate) fn on_arrival(&mut self) {
        let source = self.client.arrivals.as_mut().expect("open arrivals");
        if let Some(t) = source.next(self.core.now, &mut self.client.rng)
            && t < self.core.end
        {
            self.core
                .queue
                .push(SimTime(t), Ev::new(EvKind::Arrival, 0, 0));
        }
        self.new_request(None);
    }

    /// A request starts (for `user`, or a drawn one): after a DNS lookup when the user's
    /// cached answer expired.
    pub(crate) fn new_request(&mut self, user: Option<u32>) {
        let (class, user, key) = self.client.draw(user);
        let now = self.core.now;
        let measured = now >= self.core.warmup;
        let r = self.core.reqs.alloc();
        self.guard(r);
        let req = self.core.reqs.get_mut(r);
        req.start = now;
        req.class = class;
        req.user = user;
        req.key = key;
        req.measured = measured;
        let trace = self.core.maybe_trace(class, user, key);
        let req = self.core.reqs.get_mut(r);
        req.trace = trace;
        req.push(Frame {
            node: CLIENT,
            step: 0,
            t_in: now,
            epoch: 0,
        });
        self.window.offered += 1;
        if let Some(b) = self.retries.as_ref().and_then(|p| p.budget) {
            self.retry_tokens = (self.retry_tokens + b).min(RETRY_TOKENS_MAX);
        }
        if measured {
            self.offered += 1;
            self.attempts += 1;
            self.classes[class as usize].offered += 1;
            if self.core.geo.has_regions() {
                let region = self.core.geo.region(user);
                self.core.geo.regions[region].offered += 1;
            }
        }
        self.arm_deadline(r);
        if let Some(dns) = &mut self.client.dns
            && dns.expires[user as usize] <= now
        {
            let lat = dns.latency.sample(&mut dns.rng);
            dns.expires[user as usize] = now + lat + dns.ttl;
            if let Some(g) = &self.core.geo.dns {
                // GeoDNS answers from its health view as the lookup is made.
                dns.answer[user as usize] = g.answer(self.core.geo.region(user));
            }
            let comp = dns.comp;
            self.core.comps[comp].ctr.arrivals += 1;
            if measured {
                self.dns_lookups += 1;
            }
            self.core.after(lat, Ev::new(EvKind::DnsDone, 0, r));
            return;
        }
        self.send_to_entry(r);
    }

    /// Request `r` leaves the client for its entry (the CDN for static classes, the
    /// user's data center's entry with GeoDNS).
    pub(crate) fn send_to_entry(&mut self, r: u32) {
        let mut entry = self.class_entry[self.core.reqs.get(r).class as usize];
        if entry != self.entry {
            if self.core.node_up[self.core.comps[entry as usize].first_node as usize] {
                self.core.reqs.get_mut(r).via_cdn = true;
            } else {
                // With the CDN down, static requests go to the origin (DNS points at it
                // again).
                entry = self.entry;
            }
        }
        if self.core.geo.n_dc > 0 {
            let user = self.core.reqs.get(r).user;
            if entry == self.entry {
                entry = self.user_entry(user);
            }
            let dc = self.core.geo.comp_dc[entry as usize];
            if dc != NO_DC {
                self.window.entered[dc as usize] += 1;
                let req = self.core.reqs.get_mut(r);
                if req.dc == NO_DC {
                    req.dc = dc;
                    if req.measured {
                        self.core.geo.dcs[dc as usize].offered += 1;
                    }
                }
            }
        }
        self.forward(0, entry, r, 0);
    }

    /// Starts the client's deadline for this attempt of `r`, if the scenario has one.
    pub(crate) fn arm_deadline(&mut self, r: u32) {
        if let Some(t) = self.client.timeout {
            let generation = self.core.reqs.get(r).generation;
            let ev = Ev {
                code: EvKind::Timeout as u8,
                tag: 0,
                node: 0,
                req: r,
                aux: generation,
            };
            self.core.queue.push(SimTime(self.core.now + t), ev);
        }
    }

    /// A reply (or failure) reaches the client.
    pub(crate) fn client_reply(&mut self, r: u32) {
        let req = self.core.reqs.get(r);
        if !req.client_done {
            let cause = req.fail;
            self.outcome(r, cause);
        }
        self.core.reqs.free(r);
    }

    /// The client's deadline for attempt `generation` of `r` passed.
    pub(crate) fn on_timeout(&mut self, generation: u32, r: u32) {
        let req = self.core.reqs.get_mut(r);
        if req.awaits(generation) {
            req.fail_comp = u32::MAX;
            self.outcome(r, Cause::Timeout);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::RatePoint;

    fn count(p: &RateProfile, until_s: f64) -> Vec<u64> {
        let mut g = ArrivalGen::new(p);
        let mut rng = stream(5, "traffic");
        let mut t = 0;
        let mut per_s = vec![0u64; until_s as usize];
        while let Some(n) = g.next(t, &mut rng) {
            if n as f64 / 1e9 >= until_s {
                break;
            }
            per_s[(n / 1_000_000_000) as usize] += 1;
            t = n;
        }
        per_s
    }

    #[test]
    fn constant_rate() {
        let c = count(&RateProfile::constant(1000.0), 100.0);
        let total: u64 = c.iter().sum();
        assert!((total as f64 - 100_000.0).abs() < 1500.0, "{total}");
    }

    #[test]
    fn step_and_ramp() {
        let p = RateProfile {
            points: vec![
                RatePoint {
                    at: SimTime::ZERO,
                    rate_per_s: 1000.0,
                    ramp: SimTime::ZERO,
                },
                RatePoint {
                    at: SimTime::from_secs(10),
                    rate_per_s: 5000.0,
                    ramp: SimTime::ZERO,
                },
                RatePoint {
                    at: SimTime::from_secs(20),
                    rate_per_s: 1000.0,
                    ramp: SimTime::from_secs(10),
                },
            ],
        };
        let c = count(&p, 40.0);
        let sum = |a: usize, b: usize| c[a..b].iter().sum::<u64>() as f64;
        assert!((sum(0, 10) - 10_000.0).abs() < 500.0);
        assert!((sum(10, 20) - 50_000.0).abs() < 1200.0);
        // Linear ramp 5000 -> 1000 over 10 s: mean 3000/s.
        assert!((sum(20, 30) - 30_000.0).abs() < 1000.0);
        assert!((sum(30, 40) - 10_000.0).abs() < 500.0);
    }

    #[test]
    fn rate_zero_at_the_end_stops_arrivals() {
        let p = RateProfile {
            points: vec![
                RatePoint {
                    at: SimTime::ZERO,
                    rate_per_s: 100.0,
                    ramp: SimTime::ZERO,
                },
                RatePoint {
                    at: SimTime::from_secs(5),
                    rate_per_s: 0.0,
                    ramp: SimTime::ZERO,
                },
            ],
        };
        let c = count(&p, 10.0);
        assert_eq!(c[5..].iter().sum::<u64>(), 0);
        assert!(c[..5].iter().sum::<u64>() > 400);
    }
}
