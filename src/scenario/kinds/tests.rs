//! The kinds table against `RawComponent`, and each kind's resolver on a small component.

use super::*;
use crate::engine::Dist;
use crate::scenario::error::Problem;
use crate::scenario::raw::{LbPolicy, ReadFrom, ShardStrategy};
use crate::scenario::yaml::{self, Origin};
use crate::scenario::{
    DEFAULT_DNS_TTL, DEFAULT_MAX_ATTEMPTS, DEFAULT_VISIBILITY_TIMEOUT, EvictionPolicy, de,
};

#[test]
fn the_table_has_every_kind_once_in_order() {
    let kinds: Vec<Kind> = KINDS.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, Kind::ALL);
}

#[test]
fn every_kind_key_is_a_raw_component_field() {
    for d in &KINDS {
        for k in d.keys.iter().chain(d.geo_keys) {
            assert!(
                RawComponent::FIELDS.contains(k),
                "{}: `{k}` is not a field of RawComponent",
                d.kind.as_str()
            );
        }
        let mut all: Vec<&str> = d.keys.iter().chain(d.geo_keys).copied().collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "{}: a key listed twice", d.kind.as_str());
    }
}

#[test]
fn every_raw_component_field_belongs_to_a_kind() {
    for f in RawComponent::FIELDS {
        assert!(
            KINDS
                .iter()
                .any(|d| d.keys.contains(f) || d.geo_keys.contains(f)),
            "`{f}` is a RawComponent field no kind accepts"
        );
    }
    for f in GEO_FIELDS {
        assert!(RawComponent::FIELDS.contains(&f));
    }
}

/// Component names the test components may refer to, by index.
const NAMES: [&str; 6] = ["c", "web", "db", "w", "q", "st"];

/// Resolves `yaml`, one component named `c`, with two classes (`read`, and `write`, a write).
fn resolve_one(yaml: &str) -> (Option<ComponentKind>, Vec<Problem>) {
    let root = yaml::load(yaml, Origin::File).expect("valid YAML");
    let (rc, found, _) = de::read::<RawComponent>(&root, &|_, _| None);
    assert!(
        found.is_empty(),
        "{:?}",
        found.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    let rc = rc.expect("a raw component");
    let classes = [("read", false), ("write", true)].map(|(name, write)| ClassInfo {
        name: name.into(),
        write,
        session: false,
        is_static: false,
    });
    let mut pr = Problems::new(&root);
    let kind = resolve("components.c", &rc, &NAMES, &classes, &[], false, &mut pr);
    (kind, pr.list)
}

/// The one problem `yaml` has: its path and message.
fn problem(yaml: &str) -> (String, String) {
    let (kind, list) = resolve_one(yaml);
    assert!(kind.is_none());
    assert_eq!(list.len(), 1, "{list:?}");
    (list[0].path.clone(), list[0].message.clone())
}

fn ok(yaml: &str) -> ComponentKind {
    let (kind, list) = resolve_one(yaml);
    assert!(list.is_empty(), "{list:?}");
    kind.expect("resolved")
}

#[test]
fn dns_defaults_and_a_bad_latency() {
    let ComponentKind::Dns { ttl, geo, .. } = ok("{kind: dns, latency: {const: 1ms}}") else {
        panic!("a dns");
    };
    assert_eq!(ttl, DEFAULT_DNS_TTL);
    assert!(geo.is_none());
    let (path, msg) = problem("{kind: dns, latency: {exp: 0s}}");
    assert_eq!(path, "components.c.latency.exp");
    assert!(msg.starts_with("expected a mean > 0 for exp"), "{msg}");
}

#[test]
fn load_balancer_defaults_and_a_bad_policy() {
    let ComponentKind::LoadBalancer {
        policy,
        to,
        latency,
        health,
    } = ok("{kind: load_balancer, to: web}")
    else {
        panic!("a load balancer");
    };
    assert_eq!((policy, to), (LbPolicy::RoundRobin, 1));
    assert!(matches!(latency, Dist::Const(0)));
    assert!(health.is_none());
    let (path, msg) = problem("{kind: load_balancer, to: web, policy: fastest}");
    assert_eq!(path, "components.c.policy");
    assert_eq!(
        msg,
        "unknown load balancing policy `fastest`, expected one of round_robin, random, least_connections, power_of_two, hash, sticky"
    );
}

#[test]
fn server_defaults_and_zero_workers() {
    let ComponentKind::Server {
        count,
        queue,
        service,
        calls,
        sessions,
        autoscale,
        ..
    } = ok("{kind: server, workers: 4, service: {const: 1ms}, calls: {write: [db]}}")
    else {
        panic!("a server");
    };
    assert_eq!((count, queue), (1, None));
    assert_eq!(service.len(), 2);
    assert_eq!(calls, [vec![], vec![2]]);
    assert!(sessions.is_none() && autoscale.is_none());
    let (path, msg) = problem("{kind: server, workers: 0, service: {const: 1ms}}");
    assert_eq!(path, "components.c.workers");
    assert_eq!(msg, "expected a whole number >= 1, found 0");
}

#[test]
fn worker_defaults_and_zero_instances() {
    let ComponentKind::Worker { count, calls, .. } =
        ok("{kind: worker, workers: 2, service: {const: 1ms}, calls: [db]}")
    else {
        panic!("a worker group");
    };
    assert_eq!(count, 1);
    assert_eq!(calls, [vec![2], vec![2]]);
    let (path, msg) = problem("{kind: worker, count: 0, workers: 2, service: {const: 1ms}}");
    assert_eq!(path, "components.c.count");
    assert_eq!(msg, "expected a whole number of instances >= 1, found 0");
}

#[test]
fn database_defaults_and_too_many_replicas() {
    let ComponentKind::Database {
        replicas,
        read_from,
        shards,
        strategy,
        vnodes,
        lag,
        sync,
        ..
    } = ok("{kind: database, workers: 2, read: {const: 1ms}, write: {const: 2ms}}")
    else {
        panic!("a database");
    };
    assert_eq!(
        (replicas, read_from, shards, vnodes),
        (0, ReadFrom::Primary, 1, 100)
    );
    assert_eq!(strategy, ShardStrategy::HashMod);
    assert!(lag.is_none() && !sync);
    let (path, msg) = problem(
        "{kind: database, workers: 2, read: {const: 1ms}, write: {const: 2ms}, replicas: 65, replication_lag: {const: 1ms}}",
    );
    assert_eq!(path, "components.c.replicas");
    assert_eq!(msg, "expected at most 64 replicas, found 65");
}

#[test]
fn cache_defaults_and_a_zero_ttl() {
    let ComponentKind::Cache {
        cache,
        miss,
        cacheable,
        ..
    } = ok("{kind: cache, capacity: 10, latency: {const: 1ms}, miss: db}")
    else {
        panic!("a cache");
    };
    assert_eq!(
        (cache.policy, cache.ttl, miss),
        (EvictionPolicy::Lru, None, 2)
    );
    assert_eq!(cacheable, [true, false], "reads are kept, writes are not");
    let (path, msg) =
        problem("{kind: cache, capacity: 10, latency: {const: 1ms}, miss: db, ttl: 0s}");
    assert_eq!(path, "components.c.ttl");
    assert!(msg.starts_with("expected a ttl > 0, found 0s"), "{msg}");
}

#[test]
fn cdn_defaults_and_a_zero_capacity() {
    let ComponentKind::Cdn { cache, origin } =
        ok("{kind: cdn, capacity: 10, latency: {const: 1ms}, origin: web}")
    else {
        panic!("a cdn");
    };
    assert_eq!((cache.capacity, cache.prefill, origin), (10, false, 1));
    let (path, msg) = problem("{kind: cdn, capacity: 0, latency: {const: 1ms}, origin: web}");
    assert_eq!(path, "components.c.capacity");
    assert_eq!(msg, "expected a whole number of entries >= 1, found 0");
}

#[test]
fn queue_defaults_and_zero_attempts() {
    let ComponentKind::Queue {
        capacity,
        consumers,
        visibility_timeout,
        max_attempts,
        ..
    } = ok("{kind: queue, consumers: w}")
    else {
        panic!("a queue");
    };
    assert_eq!((capacity, consumers), (None, 3));
    assert_eq!(visibility_timeout, DEFAULT_VISIBILITY_TIMEOUT);
    assert_eq!(max_attempts, DEFAULT_MAX_ATTEMPTS);
    let (path, msg) = problem("{kind: queue, consumers: w, max_attempts: 0}");
    assert_eq!(path, "components.c.max_attempts");
    assert_eq!(msg, "expected at least 1 delivery attempt, found 0");
}

#[test]
fn store_defaults_and_a_missing_service() {
    let ComponentKind::Store { workers, queue, .. } =
        ok("{kind: store, workers: 3, service: {const: 1ms}}")
    else {
        panic!("a store");
    };
    assert_eq!((workers, queue), (3, None));
    let (path, msg) = problem("{kind: store, workers: 3}");
    assert_eq!(path, "components.c");
    assert_eq!(
        msg,
        "a store needs `service`: the distribution of one lookup's service time"
    );
}

#[test]
fn a_key_of_another_kind_is_reported_with_the_kind_s_keys() {
    let (path, msg) = problem("{kind: store, workers: 3, service: {const: 1ms}, miss: db}");
    assert_eq!(path, "components.c.miss");
    assert_eq!(
        msg,
        "`miss` does not apply to a store; a store takes: workers, queue, service, instance, scaling, reliability"
    );
}
