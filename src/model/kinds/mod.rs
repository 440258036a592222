//! The component kinds: where a kind registers. [`Kinds`] holds each kind's state,
//! [`NodeKind`] says what a node is (and carries the index of its state), [`Role`] says what a
//! component is. Each kind's file holds its state, its builder, its handlers (a request
//! delivered, a service done, a reply, a crash or recovery where it differs) and its report
//! extras.
//!
//! Dispatch is static: an event addressed to a node matches on the node's [`NodeKind`] once,
//! and the kind's handler gets the index of its state from it, so no handler checks the role
//! again.

pub(super) mod admission;
pub(super) mod balancer;
pub(super) mod cache;
pub(super) mod calls;
pub(super) mod database;
pub(super) mod queue;
pub(super) mod server;
pub(super) mod store;

use balancer::BalancerNode;
use cache::CacheNode;
use database::Db;
use queue::QueueNode;
use server::ServerKind;

use super::shard::ShardRouter;
use crate::engine::Dist;

/// Each kind's state, indexed by the numbers [`NodeKind`] and [`Role`] carry.
#[derive(Debug, Default)]
pub(crate) struct Kinds {
    /// Balancers, one per balancer component (and node).
    pub(crate) lbs: Vec<BalancerNode>,
    /// Server and worker groups: what serving a class costs, their calls, local sessions.
    pub(crate) servers: Vec<ServerKind>,
    /// Database replica sets: one per shard.
    pub(crate) dbs: Vec<Db>,
    /// Shard routers: one per database component.
    pub(crate) routers: Vec<ShardRouter>,
    /// Caches and CDN edges, one per component (and node).
    pub(crate) caches: Vec<CacheNode>,
    /// Message queues, one per component (and node).
    pub(crate) queues: Vec<QueueNode>,
    /// Object stores: their service time.
    pub(crate) stores: Vec<Dist>,
}

/// What a node is, with the index of its kind's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// Node 0.
    Client,
    /// A balancer: `Kinds::lbs` index.
    Balancer(u32),
    /// A station (`Core::stations` index): a server or worker instance, a database node or
    /// a store, which [`Serves`] tells.
    Station(u32, Serves),
    /// A cache or CDN edge: `Kinds::caches` index.
    Cache(u32),
    /// A message queue: `Kinds::queues` index.
    Queue(u32),
}

/// What a station serves, with the index of its kind's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Serves {
    /// An instance of a server or worker group: `Kinds::servers` index.
    Server(u32),
    /// A database node (primary or replica): `Kinds::dbs` index of its replica set.
    Database(u32),
    /// An object store: `Kinds::stores` index.
    Store(u32),
}

impl NodeKind {
    /// The node's replica set, if it is a database node.
    #[inline]
    pub(crate) fn db(self) -> Option<u32> {
        match self {
            NodeKind::Station(_, Serves::Database(db)) => Some(db),
            _ => None,
        }
    }
}

/// A database component's shards and their router: the routing any caller needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DbRoute {
    /// Its shards are `Kinds::dbs[db..db + shards]`.
    pub(crate) db: u32,
    /// Its `Kinds::routers` index.
    pub(crate) router: u32,
}

/// What a component is, with the index of its kind's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// DNS: no node; its lookups are the client's.
    Dns,
    /// A balancer: `Kinds::lbs` index.
    Balancer(u32),
    /// A server or worker group: `Kinds::servers` index.
    Server(u32),
    /// A database.
    Database(DbRoute),
    /// A cache: `Kinds::caches` index.
    Cache(u32),
    /// A CDN: `Kinds::caches` index.
    Cdn(u32),
    /// An object store.
    Store,
    /// A message queue: `Kinds::queues` index.
    Queue(u32),
}

impl Role {
    /// The cache (of a cache or CDN).
    pub(crate) fn cache(self) -> Option<u32> {
        match self {
            Role::Cache(c) | Role::Cdn(c) => Some(c),
            _ => None,
        }
    }
}

/// `a / b`, 0 when `b` is 0 (report ratios).
pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    if b > 0 { a as f64 / b as f64 } else { 0.0 }
}
