//! A component's failure and repair figures: its `reliability` key as written, and the
//! figures the analytic availability uses (the kind's illustrative defaults).

use super::raw;
use crate::engine::SimTime;

/// A component's `reliability` key, as written: each figure is `None` when left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReliabilityKey {
    /// Mean up-time of one instance between failures.
    pub mtbf: Option<SimTime>,
    /// Mean time to repair one instance.
    pub mttr: Option<SimTime>,
}

/// One instance's failure and repair figures: mean time between failures and mean time to
/// repair. Its steady-state availability is `mtbf / (mtbf + mttr)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reliability {
    /// Mean up-time between failures.
    pub mtbf: SimTime,
    /// Mean time to repair.
    pub mttr: SimTime,
}

impl Reliability {
    /// The illustrative default of a kind's instances (`docs/scenario-reference.md` says
    /// why these figures); `None` for a dns, which the model never fails.
    pub fn default_for(kind: raw::Kind) -> Option<Reliability> {
        let h = |mtbf_h: u64, mttr_min: u64| {
            Some(Reliability {
                mtbf: SimTime::from_secs(mtbf_h * 3600),
                mttr: SimTime::from_secs(mttr_min * 60),
            })
        };
        match kind {
            raw::Kind::Dns => None,
            // Managed edge services: rare failures, quick replacement.
            raw::Kind::LoadBalancer | raw::Kind::Cdn => h(8760, 15),
            // A database node: failures like a server's, a longer repair (restore, resync).
            raw::Kind::Database => h(2160, 120),
            // A managed queue is replicated inside; a node of it fails rarely.
            raw::Kind::Queue => h(8760, 30),
            // Servers, workers, caches and stores: one VM each.
            raw::Kind::Server | raw::Kind::Worker | raw::Kind::Cache | raw::Kind::Store => {
                h(720, 60)
            }
        }
    }

    /// The instance's steady-state availability, `mtbf / (mtbf + mttr)`.
    pub fn availability(&self) -> f64 {
        let (up, down) = (self.mtbf.0 as f64, self.mttr.0 as f64);
        if up + down > 0.0 {
            up / (up + down)
        } else {
            1.0
        }
    }
}
