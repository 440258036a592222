//! The ledger: what the priced components (those that name an `instance`) cost over the
//! measured period. A fixed group, a database's nodes, a cache or a store run all the time;
//! an autoscaled group is billed for its provisioning, active and draining instances as they
//! come and go (its scaler's billed instance-time).

use indexmap::IndexMap;

use super::Model;
use super::autoscale::NO_SCALER;
use crate::metrics::{ComponentCost, CostReport};
use crate::scenario::{HOURS_PER_MONTH, PRICES_SOURCE};

impl Model {
    /// The ledger over `measured_ns` of measured time with `completed` requests completed;
    /// `None` when no component is priced.
    pub(crate) fn ledger(&self, measured_ns: f64, completed: u64) -> Option<CostReport> {
        if self.priced.is_empty() {
            return None;
        }
        let mut components = IndexMap::new();
        let mut per_hour = 0.0;
        for (ci, instance, hourly) in &self.priced {
            let c = &self.core.comps[*ci as usize];
            let k = self.comp_scaler[*ci as usize];
            let instance_ns = if k != NO_SCALER {
                let sc = &self.scalers[k as usize];
                (sc.billed_area - sc.warm_billed_area) as f64
            } else {
                f64::from(c.n_nodes.max(1)) * measured_ns
            };
            let instances_mean = if measured_ns > 0.0 {
                instance_ns / measured_ns
            } else {
                0.0
            };
            let cost_per_hour = instances_mean * hourly;
            per_hour += cost_per_hour;
            components.insert(
                c.name.clone(),
                ComponentCost {
                    instance: instance.clone(),
                    hourly: *hourly,
                    instances_mean,
                    instance_hours: instance_ns / 3.6e12,
                    per_hour: cost_per_hour,
                    per_month: cost_per_hour * HOURS_PER_MONTH,
                },
            );
        }
        // Dollars spent over the measured period, per completed request.
        let spent = per_hour * measured_ns / 3.6e12;
        Some(CostReport {
            per_hour,
            per_month: per_hour * HOURS_PER_MONTH,
            per_million_requests: (completed > 0).then(|| spent / completed as f64 * 1e6),
            components,
            prices_source: PRICES_SOURCE.to_string(),
        })
    }
}
