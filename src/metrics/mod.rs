//! Measurement: latency histograms, counters, time-weighted averages, time series, and the
//! [`Report`] they end up in. Nothing here does I/O.

pub mod headline;
pub mod hist;
pub mod replications;
pub mod report;

pub use headline::{Headline, MeanCi, mean_ci95};
pub use hist::LatencyHist;
pub use report::{
    AvailabilityFigures, AvailabilityReport, CdfPoint, ClassAvailability, ClassReport,
    ClientReport, ComponentAvailability, ComponentCost, ComponentReport, CostReport, EngineReport,
    FaultMark, FaultReport, GeoReport, LatencySummary, Report, RequestCounts, ScaleEvent,
    ScalingAction, SpofReport, TimeSeries, TraceRecord, TraceSpan, TransferCost, TransferLine,
    WindowRow,
};

/// The share of the requests that ended which ended well: completed / (completed + failed),
/// 1.0 when none ended. Requests still in flight are left out (they have no outcome yet).
pub fn availability(completed: u64, failed: u64) -> f64 {
    match completed + failed {
        0 => 1.0,
        ended => completed as f64 / ended as f64,
    }
}

/// The share of the requests that ended which failed: failed / (completed + failed), 0.0
/// when none ended.
pub fn error_rate(completed: u64, failed: u64) -> f64 {
    match completed + failed {
        0 => 0.0,
        ended => failed as f64 / ended as f64,
    }
}

/// `n` with thousands separators: `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
