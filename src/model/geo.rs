//! Regions and data centers: where users are, where components stand, what a hop between
//! them costs, and GeoDNS.
//!
//! Everything is resolved to indices when the model is built: each node and component has a
//! data center index (`NO_DC` for global kinds and for scenarios without data centers), each
//! user a region index, and latencies are flat `Vec<Dist>` tables indexed by
//! `(from, to)`. While running, a hop looks two bytes up and draws from one distribution.
//!
//! GeoDNS answers a lookup with the nearest data center (by the mean of the user's region's
//! latency to each) that its own health checks consider healthy, or the nearest one when none
//! is. The answer is chosen when the lookup is made and cached by the user for the ttl, so a
//! data center's failure reaches users only as their cached answers expire.

use rand::RngExt;

use super::Model;
use super::core::{Core, Ev, EvKind};
use super::request::NO_DC;
use crate::engine::random::stream;
use crate::engine::{Dist, SimTime};
use crate::metrics::{GeoReport, LatencyHist};
use crate::scenario::{ComponentKind, HealthCheck, Scenario};

use super::Cause;

/// Outcomes of the requests of one region or one data center (after warm-up).
#[derive(Debug, Default)]
pub(crate) struct GeoAcc {
    pub(crate) offered: u64,
    pub(crate) completed: u64,
    pub(crate) failed: u64,
    pub(crate) hist: LatencyHist,
    pub(crate) errors: [u64; Cause::COUNT],
}

impl GeoAcc {
    pub(crate) fn report(&self) -> GeoReport {
        GeoReport {
            offered: self.offered,
            completed: self.completed,
            failed: self.failed,
            availability: crate::metrics::availability(self.completed, self.failed),
            latency_ms: self.hist.summary(),
            errors: Cause::ALL
                .into_iter()
                .filter(|c| self.errors[*c as usize] > 0)
                .map(|c| (c.as_str().to_string(), self.errors[c as usize]))
                .collect(),
        }
    }
}

/// GeoDNS state: the entry of each data center, each region's preference order, and what
/// the health checks currently believe.
#[derive(Debug)]
pub(crate) struct GeoDnsState {
    /// Per data center: its entry component, or `u32::MAX` when DNS does not route there.
    pub(crate) entries: Vec<u32>,
    /// Per region, `k` data centers with an entry, nearest first: `region * k + i`.
    order: Vec<u8>,
    k: usize,
    /// Per data center: healthy in DNS's view.
    pub(crate) healthy: Vec<bool>,
    fails: Vec<u32>,
    oks: Vec<u32>,
    /// Per data center: when DNS last marked it unhealthy.
    pub(crate) detected: Vec<Option<u64>>,
    pub(crate) health: HealthCheck,
}

impl GeoDnsState {
    /// The answer for a user of `region`: the nearest healthy data center, else the nearest.
    #[inline]
    pub(crate) fn answer(&self, region: usize) -> u8 {
        let prefs = &self.order[region * self.k..(region + 1) * self.k];
        prefs
            .iter()
            .copied()
            .find(|&d| self.healthy[d as usize])
            .unwrap_or(prefs[0])
    }
}

/// The geography of a model, resolved to indices.
#[derive(Debug, Default)]
pub(crate) struct Geo {
    /// Data centers declared (0: none, and every other field is empty).
    pub(crate) n_dc: usize,
    pub(crate) dc_names: Vec<String>,
    pub(crate) region_names: Vec<String>,
    /// Per node and per component: data center, or `NO_DC`.
    pub(crate) node_dc: Vec<u8>,
    pub(crate) comp_dc: Vec<u8>,
    /// One-way latency between data centers: `a * n_dc + b` (diagonal unused).
    dc_lat: Vec<Dist>,
    /// One-way latency from a region's users to a data center: `region * n_dc + dc`.
    region_lat: Vec<Dist>,
    /// Users are given to regions in contiguous blocks of ids: region `i` has the users
    /// below `region_ends[i]` and not below `region_ends[i - 1]` (empty without regions). A
    /// handful of bounds instead of a byte per user: with a million users that table was
    /// a cache miss on most requests.
    region_ends: Vec<u32>,
    pub(crate) dns: Option<GeoDnsState>,
    pub(crate) regions: Vec<GeoAcc>,
    pub(crate) dcs: Vec<GeoAcc>,
}

impl Geo {
    /// Resolves the scenario's regions and data centers for a model whose nodes belong to
    /// `node_comp` (`u32::MAX` for the client) and whose database nodes are placed as
    /// `node_replica_dc` says (`NO_DC`: the component's own data center).
    pub(crate) fn new(sc: &Scenario, node_comp: &[u32], node_replica_dc: &[u8]) -> Geo {
        let n_dc = sc.datacenters.len();
        if n_dc == 0 {
            return Geo::default();
        }
        let comp_dc: Vec<u8> = sc
            .components
            .iter()
            .map(|c| c.datacenter.map_or(NO_DC, |d| d as u8))
            .collect();
        let node_dc = node_comp
            .iter()
            .zip(node_replica_dc)
            .map(|(&c, &r)| {
                if c == u32::MAX {
                    NO_DC
                } else if r != NO_DC {
                    r
                } else {
                    comp_dc[c as usize]
                }
            })
            .collect();
        let dc_lat = sc
            .dc_latency
            .iter()
            .map(|d| d.clone().unwrap_or(Dist::Const(0)))
            .collect();
        let region_lat = sc
            .regions
            .iter()
            .flat_map(|r| r.latency.iter().cloned())
            .collect();
        // Users are assigned to regions in contiguous id blocks by share.
        let users = sc.traffic.users;
        let mut region_ends: Vec<u32> = Vec::with_capacity(sc.regions.len());
        let mut acc = 0.0;
        for (i, r) in sc.regions.iter().enumerate() {
            acc += r.share;
            let bound = if i + 1 == sc.regions.len() {
                users
            } else {
                ((acc * users as f64).round() as u64).min(users)
            };
            // Never below the previous bound (shares are not negative, but rounding).
            let start = region_ends.last().copied().unwrap_or(0);
            region_ends.push((bound as u32).max(start));
        }
        let dns = sc.geo_dns().map(|g| {
            let with_entry: Vec<usize> = (0..n_dc).filter(|&d| g.entries[d].is_some()).collect();
            let k = with_entry.len();
            let mut order = Vec::with_capacity(sc.regions.len() * k);
            for r in &sc.regions {
                let mut v = with_entry.clone();
                // Nearest by mean latency; ties by declaration order (a stable sort).
                v.sort_by(|&a, &b| r.latency[a].mean_ns().total_cmp(&r.latency[b].mean_ns()));
                order.extend(v.iter().map(|&d| d as u8));
            }
            if sc.regions.is_empty() {
                order.extend(with_entry.iter().map(|&d| d as u8));
            }
            GeoDnsState {
                entries: g
                    .entries
                    .iter()
                    .map(|e| e.map_or(u32::MAX, |c| c as u32))
                    .collect(),
                order,
                k,
                healthy: vec![true; n_dc],
                fails: vec![0; n_dc],
                oks: vec![0; n_dc],
                detected: vec![None; n_dc],
                health: g.health,
            }
        });
        Geo {
            n_dc,
            dc_names: sc.datacenters.clone(),
            region_names: sc.regions.iter().map(|r| r.name.clone()).collect(),
            node_dc,
            comp_dc,
            dc_lat,
            region_lat,
            region_ends,
            dns,
            regions: (0..sc.regions.len()).map(|_| GeoAcc::default()).collect(),
            dcs: (0..n_dc).map(|_| GeoAcc::default()).collect(),
        }
    }

    /// The region of `user` (0 when no regions are declared).
    #[inline]
    pub(crate) fn region(&self, user: u32) -> usize {
        self.region_ends
            .iter()
            .position(|&end| user < end)
            .unwrap_or(0)
    }

    #[inline]
    pub(crate) fn has_regions(&self) -> bool {
        !self.region_ends.is_empty()
    }

    /// Latency distribution between data centers `a` and `b` (both real, different).
    #[inline]
    pub(crate) fn between(&self, a: u8, b: u8) -> &Dist {
        &self.dc_lat[a as usize * self.n_dc + b as usize]
    }

    /// Latency distribution from a region's users to data center `dc`.
    #[inline]
    pub(crate) fn region_to(&self, region: usize, dc: u8) -> &Dist {
        &self.region_lat[region * self.n_dc + dc as usize]
    }
}

/// Which database nodes a scenario places outside their component's data center: per node,
/// the replica's data center or `NO_DC`. `node_comp` and `node_replica` come from the build.
pub(crate) fn replica_placement(sc: &Scenario, node_comp: &[u32], node_replica: &[u32]) -> Vec<u8> {
    node_comp
        .iter()
        .zip(node_replica)
        .map(|(&c, &j)| {
            if c == u32::MAX || j == u32::MAX {
                return NO_DC;
            }
            match &sc.components[c as usize].kind {
                ComponentKind::Database { replica_dcs, .. } if !replica_dcs.is_empty() => {
                    replica_dcs[j as usize] as u8
                }
                _ => NO_DC,
            }
        })
        .collect()
}

impl Model {
    /// The entry component for a user's dynamic requests: their cached GeoDNS answer's
    /// entry, or the scenario's entry.
    #[inline]
    pub(crate) fn user_entry(&self, user: u32) -> u32 {
        match (&self.core.geo.dns, &self.client.dns) {
            (Some(g), Some(dns)) => {
                let e = g.entries[dns.answer[user as usize] as usize];
                if e == u32::MAX { self.entry } else { e }
            }
            _ => self.entry,
        }
    }

    /// The first GeoDNS health probe; and users' cached answers in steady state: each user
    /// holds an answer for the nearest data center that expires at a uniform time within the
    /// first ttl, as if the service had been running for long (not every user resolving in
    /// the same second at time zero).
    pub(crate) fn prime_geo(&mut self, seed: u64) {
        if let (Some(g), Some(dns)) = (&self.core.geo.dns, &mut self.client.dns) {
            let mut rng = stream(seed, "dns#warm");
            for (u, (exp, ans)) in dns.expires.iter_mut().zip(&mut dns.answer).enumerate() {
                *exp = rng.random_range(0..dns.ttl.max(1));
                *ans = g.answer(self.core.geo.region(u as u32));
            }
        }
        if let Some(g) = &self.core.geo.dns {
            let t = g.health.interval.0;
            if t < self.core.end {
                self.core
                    .queue
                    .push(SimTime(t), Ev::new(EvKind::DnsHealth, 0, 0));
            }
        }
    }

    /// GeoDNS probes each data center's entry: a data center is healthy while some node of
    /// its entry component is up and reachable.
    pub(crate) fn dns_health_tick(&mut self) {
        let Some(g) = &self.core.geo.dns else { return };
        let n = g.entries.len();
        for d in 0..n {
            let e = self
                .core
                .geo
                .dns
                .as_ref()
                .map_or(u32::MAX, |g| g.entries[d]);
            if e == u32::MAX {
                continue;
            }
            let c = &self.core.comps[e as usize];
            let ok = (c.first_node..c.first_node + c.n_nodes.max(1))
                .any(|n| self.core.node_up[n as usize] && !self.core.node_part[n as usize]);
            let now = self.core.now;
            let g = self.core.geo.dns.as_mut().expect("geo dns");
            if ok {
                g.fails[d] = 0;
                g.oks[d] += 1;
                if !g.healthy[d] && g.oks[d] >= g.health.healthy {
                    g.healthy[d] = true;
                }
            } else {
                g.oks[d] = 0;
                g.fails[d] += 1;
                if g.healthy[d] && g.fails[d] >= g.health.unhealthy {
                    g.healthy[d] = false;
                    g.detected[d] = Some(now);
                }
            }
        }
        let interval = self
            .core
            .geo
            .dns
            .as_ref()
            .expect("geo dns")
            .health
            .interval
            .0;
        if self.core.now + interval < self.core.end {
            self.core.queue.push(
                SimTime(self.core.now + interval),
                Ev::new(EvKind::DnsHealth, 0, 0),
            );
        }
    }

    /// Per-region and per-data-center reports, by name (empty without them).
    pub(crate) fn geo_reports(
        &self,
    ) -> (
        indexmap::IndexMap<String, GeoReport>,
        indexmap::IndexMap<String, GeoReport>,
    ) {
        let regions = self
            .core
            .geo
            .region_names
            .iter()
            .zip(&self.core.geo.regions)
            .map(|(n, a)| (n.clone(), a.report()))
            .collect();
        let dcs = self
            .core
            .geo
            .dc_names
            .iter()
            .zip(&self.core.geo.dcs)
            .map(|(n, a)| (n.clone(), a.report()))
            .collect();
        (regions, dcs)
    }
}

impl Core {
    /// One-way latency from the caller (row: 0 the client, c + 1 component c) to `node` of
    /// component `comp`, for request `r`: a region's latency from the client, a data center
    /// pair's across data centers, and the network's hop table otherwise.
    #[inline]
    pub(crate) fn hop_node(&mut self, row: usize, comp: u32, node: u32, r: u32) -> u64 {
        if self.geo.n_dc > 0
            && let Some(d) = self.geo_hop(row, node, r)
        {
            return d;
        }
        self.hop(row, comp)
    }

    /// The geographic part of [`Core::hop_node`]: `None` when the hop stays inside a data
    /// center (or involves a global component).
    #[inline(never)]
    fn geo_hop(&mut self, row: usize, node: u32, r: u32) -> Option<u64> {
        let b = self.geo.node_dc[node as usize];
        if b == NO_DC {
            return None;
        }
        if row == 0 {
            if self.geo.has_regions() {
                let region = self.geo.region(self.reqs.get(r).user);
                return Some(self.geo.region_to(region, b).sample(&mut self.net_rng));
            }
        } else {
            let a = self.geo.comp_dc[row - 1];
            if a != NO_DC && a != b {
                return Some(self.geo.between(a, b).sample(&mut self.net_rng));
            }
        }
        None
    }

    /// One-way latency of a reply from component `from` (standing in data center `from_dc`)
    /// back to node `caller`; only called when the scenario declares data centers.
    #[inline(never)]
    pub(crate) fn reply_hop(&mut self, caller: u32, from: u32, from_dc: u8, r: u32) -> u64 {
        if from_dc != NO_DC {
            if caller == super::core::CLIENT {
                if self.geo.has_regions() {
                    let region = self.geo.region(self.reqs.get(r).user);
                    return self
                        .geo
                        .region_to(region, from_dc)
                        .sample(&mut self.net_rng);
                }
            } else {
                let a = self.geo.node_dc[caller as usize];
                if a != NO_DC && a != from_dc {
                    // A successful reply between data centers: the class's bytes crossed
                    // (a read's response coming back, or a write's payload that went out).
                    let req = self.reqs.get(r);
                    if req.fail == Cause::None && req.measured {
                        self.cross_bytes[super::core::CROSS_CALLS] +=
                            self.class_size[req.class as usize];
                    }
                    return self.geo.between(a, from_dc).sample(&mut self.net_rng);
                }
            }
        }
        let row = self.row_of(caller);
        self.hop(row, from)
    }
}
