//! Object stores: one station that serves every request with one service time and replies.

use crate::engine::Dist;
use crate::engine::random::component_stream;
use crate::model::Model;
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

impl Model {
    /// The service time of a request at store `store` (random stream of station `s`).
    #[inline]
    pub(crate) fn store_service(&mut self, s: u32, store: u32) -> u64 {
        self.kinds.stores[store as usize].sample(&mut self.stations[s as usize].rng)
    }
}
