//! The ledger: what the priced components (those that name an `instance`) cost over the
//! measured period, and the data transfer of the classes that give a `size`. A fixed group,
//! a database's nodes, a cache or a store run all the time; an autoscaled group is billed for
//! its provisioning, active and draining instances as they come and go (its scaler's billed
//! instance-time). Transfer is counted in bytes of measured requests: a completed read's
//! response to its user (by the CDN when it entered there, else by the origin), a successful
//! call between data centers, a write shipped to a replica in another data center.

use indexmap::IndexMap;

use super::Model;
use super::autoscale::NO_SCALER;
use super::core::{CROSS_CALLS, CROSS_REPLICATION};
use crate::metrics::{ComponentCost, CostReport, TransferCost, TransferLine};
use crate::scenario::{
    BYTES_PER_GB, HOURS_PER_MONTH, PRICES_SOURCE, TRANSFER_PRICES_SOURCE, TransferPrices,
};

impl Model {
    /// The ledger over `measured_ns` of measured time with `completed` requests completed;
    /// `None` when no component is priced and no class gives a `size`.
    pub(crate) fn ledger(&self, measured_ns: f64, completed: u64) -> Option<CostReport> {
        if self.priced.is_empty() && self.transfer.is_none() {
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
        let transfer = self.transfer.map(|p| self.transfer_cost(&p, measured_ns));
        if let Some(t) = &transfer {
            per_hour += t.per_hour;
        }
        // Dollars spent over the measured period, per completed request.
        let spent = per_hour * measured_ns / 3.6e12;
        Some(CostReport {
            per_hour,
            per_month: per_hour * HOURS_PER_MONTH,
            per_million_requests: (completed > 0).then(|| spent / completed as f64 * 1e6),
            components,
            transfer,
            prices_source: PRICES_SOURCE.to_string(),
        })
    }

    /// Data transfer over `measured_ns`: egress from the classes' completed reads (the
    /// CDN's share by the requests that entered there), inter-DC bytes as counted.
    fn transfer_cost(&self, p: &TransferPrices, measured_ns: f64) -> TransferCost {
        let (mut cdn, mut origin) = (0u64, 0u64);
        for (k, c) in self.classes.iter().enumerate() {
            // A read's response goes to the user; a write's payload came from the user
            // (data transfer in, not priced) and its reply is small.
            if self.core.op_write[k] {
                continue;
            }
            let size = self.core.class_size[k];
            cdn += c.cdn_completed * size;
            origin += (c.completed - c.cdn_completed) * size;
        }
        let hours = measured_ns / 3.6e12;
        let line = |bytes: u64, per_gb: f64| {
            let gb = bytes as f64 / BYTES_PER_GB;
            let (gb_per_hour, per_hour) = if hours > 0.0 {
                (gb / hours, gb * per_gb / hours)
            } else {
                (0.0, 0.0)
            };
            TransferLine {
                per_gb,
                gb,
                gb_per_month: gb_per_hour * HOURS_PER_MONTH,
                per_hour,
                per_month: per_hour * HOURS_PER_MONTH,
            }
        };
        let lines = [
            line(cdn, p.cdn_egress),
            line(origin, p.internet_egress),
            line(self.core.cross_bytes[CROSS_CALLS], p.inter_dc),
            line(self.core.cross_bytes[CROSS_REPLICATION], p.inter_dc),
        ];
        let per_hour = lines.iter().map(|l| l.per_hour).sum::<f64>();
        let [
            cdn_egress,
            internet_egress,
            inter_dc_calls,
            inter_dc_replication,
        ] = lines;
        TransferCost {
            cdn_egress,
            internet_egress,
            inter_dc_calls,
            inter_dc_replication,
            per_hour,
            per_month: per_hour * HOURS_PER_MONTH,
            prices_source: TRANSFER_PRICES_SOURCE.to_string(),
        }
    }
}
