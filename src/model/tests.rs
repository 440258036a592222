//! Tests of the model's layout: type sizes against the memory estimate, each kind's
//! builder, the call-stack protocol.

use std::mem::size_of;

use super::core::Ctr;
use super::measure::CompSnap;
use super::station::Areas;
use super::*;
use crate::scenario::memory::{COMPONENT_BYTES, EVENT_BYTES, NODE_BYTES, SHARD_BYTES};

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
