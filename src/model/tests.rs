//! Tests of the model's layout: type sizes against the memory estimate, each kind's
//! builder, the call-stack protocol.

use std::mem::size_of;

use super::core::{Comp, Ctr, Node};
use super::measure::CompSnap;
use super::station::Areas;
use super::station::Station;
use super::*;
use crate::scenario::memory::{COMPONENT_BYTES, EVENT_BYTES, NODE_BYTES, SHARD_BYTES};

/// An event stores its kind as a byte; every byte a kind has turns back into that kind
/// (`Warmup` is the last kind, as the per-kind counts of the overload message assume).
#[test]
fn an_event_code_turns_back_into_its_kind() {
    for code in 0..=EvKind::Warmup as u8 {
        let ev = Ev {
            code,
            tag: 0,
            node: 0,
            req: 0,
            aux: 0,
        };
        assert_eq!(ev.kind() as u8, code);
    }
    assert_eq!(Ev::new(EvKind::Reply, 1, 2).kind(), EvKind::Reply);
    assert_eq!(size_of::<Ev>(), 16);
}

/// A frame is 24 bytes and a request's header under 80, so a request with its full stack
/// stays under 400 bytes: at a million requests per second the run waits on the slab's
/// memory, and a smaller request measurably runs faster (docs/architecture.md).
#[test]
fn a_request_stays_small() {
    use super::request::{Frame, Request};
    assert_eq!(size_of::<Frame>(), 24);
    let header = size_of::<Request>() - crate::scenario::MAX_DEPTH * size_of::<Frame>();
    assert!(header <= 80, "{header}");
    assert!(size_of::<Request>() < 400, "{}", size_of::<Request>());
}

/// The memory estimate of a scenario counts the model's types at these sizes at most.
#[test]
fn the_memory_estimate_covers_the_model_types() {
    // A node: its Node and Station, the warm-up snapshot of its areas, an entry in each
    // per-node table (up, epoch, partition, detection, scaler, inbound, replica set,
    // replica number, data center, node -> component), a place in its group's rotation,
    // a balancer's backend arrays (conns, rotation, active, members, probes) and a
    // queue's `assigned`.
    let node = size_of::<Node>()
        + size_of::<Station>()
        + size_of::<Areas>()
        + size_of::<bool>() * 2
        + size_of::<u32>() * 6
        + size_of::<Option<u64>>()
        + size_of::<u8>()
        + 4
        + 18
        + 4
        + size_of::<autoscale::Inst>();
    assert!(node as u128 <= NODE_BYTES, "{node}");
    let comp = size_of::<Comp>()
        + 2 * size_of::<CompSnap>()
        + size_of::<u128>() * 2
        + size_of::<[u64; Cause::COUNT]>()
        + size_of::<Ctr>()
        + size_of::<Option<u64>>()
        + size_of::<u32>()
        + size_of::<Option<u32>>();
    assert!(comp as u128 <= COMPONENT_BYTES, "{comp}");
    assert!(size_of::<kinds::database::Db>() as u128 <= SHARD_BYTES);
    assert_eq!(size_of::<(u64, Ev)>() as u128, EVENT_BYTES);
}

/// A small system with every kind: a CDN for the static class, a balancer in front of
/// three web instances with local sessions, a cache in front of a sharded, replicated
/// database, a queue feeding workers that call a store.
const SMALL: &str = r#"
name: small
seed: 1
duration: 10s
warmup: 0s
traffic:
  users: 100
  rate: 1
  classes:
    - {name: page, weight: 0.5, session: true, keys: {n: 50}}
    - {name: write, weight: 0.3, op: write, keys: {n: 50}}
    - {name: static, weight: 0.2, static: true, keys: {n: 20}}
network:
  hop: {const: 0ms}
entry: lb
components:
  cdn: {kind: cdn, capacity: 10, policy: lru, latency: {const: 1ms}, origin: lb}
  lb: {kind: load_balancer, policy: round_robin, to: web, latency: {const: 0ms}}
  web:
    kind: server
    count: 3
    workers: 2
    queue: 5
    service: {const: 2ms}
    calls: {page: [cache], write: [jobs, cache]}
    session: local
    relogin: {const: 1ms}
  cache: {kind: cache, capacity: 20, policy: lru, latency: {const: 1ms}, miss: db, write_policy: invalidate}
  db:
    kind: database
    workers: 4
    read: {const: 3ms}
    write: {const: 5ms}
    replicas: 1
    read_from: replicas
    replication: async
    replication_lag: {const: 10ms}
    shards: 2
    strategy: hash_mod
  jobs: {kind: queue, latency: {const: 1ms}, consumers: workers, visibility_timeout: 5s, max_attempts: 3}
  workers: {kind: worker, count: 2, workers: 1, service: {const: 4ms}, calls: [blobs]}
  blobs: {kind: store, workers: 2, queue: 10, service: {const: 1ms}}
"#;

fn small() -> Model {
    let sc = crate::scenario::Scenario::parse(SMALL, "small.yaml", &[])
        .unwrap_or_else(|e| panic!("{e}"));
    Model::new(&sc)
}

fn comp(m: &Model, name: &str) -> u32 {
    m.core
        .comps
        .iter()
        .position(|c| c.name == name)
        .expect("component") as u32
}

/// The nodes of component `c` and their kinds.
fn kinds_of(m: &Model, c: u32) -> Vec<NodeKind> {
    let cc = &m.core.comps[c as usize];
    (cc.first_node..cc.first_node + cc.n_nodes)
        .map(|n| {
            assert_eq!(m.core.nodes[n as usize].comp, c);
            m.core.nodes[n as usize].kind
        })
        .collect()
}

#[test]
fn the_builder_gives_the_balancer_its_group() {
    let m = small();
    let (lb, web) = (comp(&m, "lb"), comp(&m, "web"));
    assert_eq!(kinds_of(&m, lb), vec![NodeKind::Balancer(0)]);
    assert_eq!(m.core.comps[lb as usize].role, kinds::Role::Balancer(0));
    let b = &m.kinds.lbs[0];
    assert_eq!(b.to, web);
    assert_eq!(b.lb.conns.len(), 3);
}

#[test]
fn the_builder_makes_one_station_per_server_instance() {
    let m = small();
    let web = comp(&m, "web");
    let c = &m.core.comps[web as usize];
    assert_eq!((c.n_nodes, c.workers), (3, 2));
    let kinds = kinds_of(&m, web);
    for k in &kinds {
        let NodeKind::Station(s, Serves::Server(0)) = *k else {
            panic!("{k:?}")
        };
        assert_eq!(m.core.stations[s as usize].workers, 2);
        assert_eq!(m.core.stations[s as usize].cap, 5);
    }
    let g = &m.kinds.servers[0];
    assert!(g.local.as_ref().is_some_and(|l| l.home.len() == 100));
    // page calls the cache; write publishes a job, then calls the cache.
    let (off, len) = g.calls[1];
    let calls = &m.core.calls[off as usize..(off + len) as usize];
    assert_eq!(calls, [comp(&m, "jobs"), comp(&m, "cache")]);
    assert_eq!(g.calls[2].1, 0);
}

#[test]
fn the_builder_lays_out_shards_and_replicas() {
    let m = small();
    let db = comp(&m, "db");
    let c = &m.core.comps[db as usize];
    let kinds::Role::Database(route) = c.role else {
        panic!("{:?}", c.role)
    };
    assert_eq!(
        (c.n_nodes, m.kinds.dbs.len(), m.kinds.routers.len()),
        (4, 2, 1)
    );
    for (shard, d) in m.kinds.dbs.iter().enumerate() {
        assert_eq!(d.first_node, c.first_node + 2 * shard as u32);
        assert_eq!((d.n_nodes, d.primary, d.keys), (2, 0, 50));
        for j in 0..d.n_nodes {
            let node = d.first_node + j;
            assert_eq!(
                m.core.nodes[node as usize].kind,
                NodeKind::Station(
                    d.first_station + j,
                    Serves::Database(route.db + shard as u32)
                )
            );
        }
    }
}

#[test]
fn the_builder_links_caches_to_their_backing_database() {
    let m = small();
    let (cache, cdn, db) = (comp(&m, "cache"), comp(&m, "cdn"), comp(&m, "db"));
    let kinds::Role::Cache(ci) = m.core.comps[cache as usize].role else {
        panic!("a cache")
    };
    let kinds::Role::Database(route) = m.core.comps[db as usize].role else {
        panic!("a database")
    };
    let c = &m.kinds.caches[ci as usize];
    assert_eq!((c.miss, c.backing_db), (db, Some(route)));
    assert_eq!(c.cacheable, [true, false, false]);
    let kinds::Role::Cdn(di) = m.core.comps[cdn as usize].role else {
        panic!("a CDN")
    };
    let d = &m.kinds.caches[di as usize];
    assert_eq!(
        (d.miss, d.backing_db, d.write_policy),
        (comp(&m, "lb"), None, None)
    );
}

#[test]
fn the_builder_feeds_the_workers_from_their_queue() {
    let m = small();
    let (jobs, workers, blobs) = (comp(&m, "jobs"), comp(&m, "workers"), comp(&m, "blobs"));
    assert_eq!(kinds_of(&m, jobs), vec![NodeKind::Queue(0)]);
    let q = &m.kinds.queues[0];
    assert_eq!((q.comp, q.consumers, q.assigned.len()), (jobs, workers, 2));
    assert_eq!(m.feeds[workers as usize], Some(0));
    assert_eq!(m.core.comps[workers as usize].workers, 1);
    let [NodeKind::Station(s, Serves::Store(0))] = kinds_of(&m, blobs)[..] else {
        panic!("one store station")
    };
    assert_eq!(m.core.stations[s as usize].workers, 2);
}

/// The model with nothing scheduled, and a read of `class` by user 7 of key 3 that the
/// client holds (its frame pushed).
fn one_request(class: u16) -> (Model, u32) {
    let mut m = small();
    m.core.queue = crate::engine::EventQueue::with_capacity(16);
    m.core.lane.clear();
    let r = m.core.reqs.alloc();
    let req = m.core.reqs.get_mut(r);
    (req.class, req.user, req.key, req.measured) = (class, 7, 3, true);
    m.core.push_frame(r, CLIENT, 0);
    (m, r)
}

/// Handles events until one addressed to the client for `r` is handled; returns the
/// events handled.
fn run_until_client(m: &mut Model, r: u32) -> Vec<Ev> {
    let mut seen = Vec::new();
    while let Some(ev) = m.core.lane.pop_front().or_else(|| {
        m.core.queue.pop().map(|(t, ev)| {
            m.core.now = t.0;
            ev
        })
    }) {
        seen.push(ev);
        let to_client = ev.kind() == EvKind::Reply && ev.node == CLIENT && ev.req == r;
        m.dispatch(ev);
        if to_client {
            return seen;
        }
    }
    panic!("the reply never reached the client: {seen:?}")
}

#[test]
fn a_forwarded_request_pushes_a_frame_per_hop_and_the_reply_pops_them() {
    let (mut m, r) = one_request(0);
    let lb = comp(&m, "lb");
    m.forward(0, lb, r, 0);
    // Deliver to the balancer, then to a web instance (which serves and calls the cache,
    // which misses and reads a database replica).
    let mut depth = vec![];
    for _ in 0..4 {
        let ev = m
            .core
            .lane
            .pop_front()
            .or_else(|| {
                m.core.queue.pop().map(|(t, ev)| {
                    m.core.now = t.0;
                    ev
                })
            })
            .expect("an event");
        m.dispatch(ev);
        depth.push((ev.kind(), m.core.reqs.get(r).depth()));
    }
    assert_eq!(
        depth,
        [
            (EvKind::Deliver, 2),     // the balancer's frame
            (EvKind::Deliver, 3),     // the web instance's
            (EvKind::ServiceDone, 3), // served: it calls the cache
            (EvKind::Deliver, 4),     // the cache's (a miss: on to the database)
        ]
    );
    let seen = run_until_client(&mut m, r);
    let replies = seen.iter().filter(|e| e.kind() == EvKind::Reply).count();
    // The database replies to the cache, the cache to the web instance, the web instance
    // to the balancer, the balancer to the client.
    assert_eq!(replies, 4);
    assert_eq!(m.completed, 1);
    assert_eq!(m.core.comps[comp(&m, "cache") as usize].ctr.misses, 1);
}

#[test]
fn a_failure_travels_back_to_the_caller_with_its_cause() {
    let (mut m, r) = one_request(0);
    let web = comp(&m, "web");
    // The web tier turns the client's request away.
    m.core.fail_back(r, Cause::QueueFull, web);
    run_until_client(&mut m, r);
    assert_eq!(m.failed, 1);
    assert_eq!(m.errors[Cause::QueueFull as usize], 1);
    assert_eq!(m.errors_by_comp[web as usize][Cause::QueueFull as usize], 1);
}

#[test]
fn a_crash_drops_the_request_back_to_the_caller() {
    let (mut m, r) = one_request(0);
    let (lb, web) = (comp(&m, "lb"), comp(&m, "web"));
    m.forward(0, lb, r, 0);
    // The balancer forwards; the instance takes the request and starts serving.
    for _ in 0..2 {
        let ev = m.core.lane.pop_front().expect("zero-delay hops");
        m.dispatch(ev);
    }
    let top = m.core.reqs.get(r).top().node;
    assert_eq!(m.core.nodes[top as usize].comp, web);
    let epoch = m.core.node_epoch[top as usize];
    m.crash_node(top);
    assert_eq!(m.core.node_epoch[top as usize], epoch + 1);
    let seen = run_until_client(&mut m, r);
    // The service end finds another epoch: the instance's frame is dropped, and the
    // balancer passes the failure back.
    assert_eq!(seen[0].kind(), EvKind::ServiceDone);
    assert_eq!(m.errors[Cause::Crashed as usize], 1);
    assert_eq!(m.errors_by_comp[web as usize][Cause::Crashed as usize], 1);
}

#[test]
fn the_core_replies_to_the_node_on_top_of_the_stack() {
    let (mut m, r) = one_request(0);
    let (lb, web) = (comp(&m, "lb"), comp(&m, "web"));
    let (lb_node, web_node) = (
        m.core.comps[lb as usize].first_node,
        m.core.comps[web as usize].first_node,
    );
    m.core.push_frame(r, lb_node, 1);
    m.core.push_frame(r, web_node, 0);
    assert_eq!(m.core.reqs.get(r).depth(), 3);
    // The web instance replies: its frame goes, the reply goes to the balancer.
    let f = m.core.reqs.get_mut(r).pop();
    assert_eq!((f.node, f.epoch), (web_node, 0));
    m.core.reply_after(web, r, 0);
    let ev = m.core.lane.pop_front().expect("a zero-delay reply");
    assert_eq!((ev.kind(), ev.node, ev.req), (EvKind::Reply, lb_node, r));
    // The balancer fails it back: the failure goes to the client, with its cause.
    m.core.reqs.get_mut(r).pop();
    m.core.fail_back(r, Cause::NoHealthyBackend, lb);
    let ev = m.core.lane.pop_front().expect("a zero-delay reply");
    assert_eq!((ev.kind(), ev.node), (EvKind::Reply, CLIENT));
    let req = m.core.reqs.get(r);
    assert_eq!(
        (req.fail, req.fail_comp, req.depth()),
        (Cause::NoHealthyBackend, lb, 1)
    );
}

#[test]
fn a_reply_to_a_node_that_crashed_since_it_took_the_request_drops_back() {
    let (mut m, r) = one_request(0);
    let (lb, web) = (comp(&m, "lb"), comp(&m, "web"));
    let lb_node = m.core.comps[lb as usize].first_node;
    let web_node = m.core.comps[web as usize].first_node;
    m.core.push_frame(r, lb_node, 0);
    m.core.push_frame(r, web_node, 0);
    // The web instance is waiting on a call when it crashes; the call's reply finds
    // another epoch and the request fails back to the balancer as `crashed`.
    m.crash_node(web_node);
    m.on_reply(web_node, r);
    let ev = m.core.lane.pop_front().expect("a zero-delay reply");
    assert_eq!((ev.kind(), ev.node), (EvKind::Reply, lb_node));
    let req = m.core.reqs.get(r);
    assert_eq!(
        (req.fail, req.fail_comp, req.depth()),
        (Cause::Crashed, web, 2)
    );
}

/// Users go to regions in contiguous blocks of ids by share, rounded: with 7 users and
/// shares 0.34 / 0.33 / 0.33 the blocks end at round(2.38) = 2, round(4.69) = 5 and 7.
#[test]
fn users_go_to_regions_in_blocks_of_ids_by_share() {
    let text = "name: r\nduration: 1s\ntraffic: {rate: 10, users: 7}\n\
        regions:\n  a: {share: 0.34, latency: {x: {const: 1ms}}}\n  b: {share: 0.33, latency: {x: {const: 1ms}}}\n  c: {share: 0.33, latency: {x: {const: 1ms}}}\n\
        datacenters:\n  x: {}\nentry: s\ncomponents:\n  s: {kind: server, datacenter: x, workers: 1, service: {const: 1ms}}\n";
    let sc =
        crate::scenario::Scenario::parse(text, "r.yaml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let m = Model::new(&sc);
    assert!(m.core.geo.has_regions());
    let got: Vec<usize> = (0..7).map(|u| m.core.geo.region(u)).collect();
    assert_eq!(got, [0, 0, 1, 1, 1, 2, 2]);
}
