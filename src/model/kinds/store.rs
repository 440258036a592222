//! Object stores: one station that serves every request with one service time and replies.
//! A store's state is its service time (`Kinds::stores`), which `start_service` samples.

use crate::engine::Dist;
use crate::engine::random::component_stream;
use crate::model::build::Builder;

use super::{Role, Serves};

/// Builds store component `ci`: one station.
pub(crate) fn build(
    b: &mut Builder<'_>,
    ci: usize,
    workers: u32,
    queue: Option<u64>,
    service: &Dist,
) -> (u32, u32, Role) {
    let store = b.kinds.stores.len() as u32;
    b.kinds.stores.push(service.clone());
    let rng = component_stream(b.sc.seed, &b.sc.components[ci].name);
    b.add_station(ci, workers, queue, rng, Serves::Store(store));
    (1, workers, Role::Store)
}
