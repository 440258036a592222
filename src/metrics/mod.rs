//! Measurement: latency histograms, counters, time-weighted averages, time series, and the
//! [`Report`] they end up in. Nothing here does I/O.

pub mod headline;
pub mod hist;
pub mod replications;
pub mod report;

pub use headline::{Headline, MeanCi, mean_ci95};
pub use hist::LatencyHist;
pub use report::{
    CdfPoint, ClassReport, ClientReport, ComponentReport, EngineReport, FaultMark, FaultReport,
    GeoReport, LatencySummary, Report, RequestCounts, ScaleEvent, ScalingAction, TimeSeries,
    TraceRecord, TraceSpan, WindowRow,
};
