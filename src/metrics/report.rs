//! The [`Report`]: everything a run measured, as plain data.
//!
//! A report is produced by the model at the end of a run and consumed by the writers in
//! `report/` (table, JSON, CSV, charts). It holds no references into the model. Its serde
//! form *is* the JSON output contract (`docs/output.md`): keys keep their names and units;
//! new keys may be added. Figures that cannot be defined for a run (a percentile of zero
//! requests) are `null` in JSON, never a made-up zero.

use indexmap::IndexMap;
use serde::Serialize;

/// The summary of one run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The scenario's `name`.
    pub scenario: String,
    /// The scenario's `about` text (empty when the file has none).
    pub about: String,
    /// The seed the run used.
    pub seed: u64,
    /// Simulated time, seconds.
    pub duration_s: f64,
    /// Warm-up excluded from statistics, seconds.
    pub warmup_s: f64,
    /// Requests that started after warm-up, by outcome.
    pub requests: RequestCounts,
    /// Completed requests per simulated second after warm-up.
    pub throughput_rps: f64,
    /// Completed requests per simulated second after warm-up that completed within their
    /// class's deadline (`deadline`, default the client timeout; with neither, every
    /// completed request counts and this equals `throughput_rps`).
    pub goodput_rps: f64,
    /// completed / (completed + failed) after warm-up: the share of the requests that ended
    /// which ended well (1.0 when none ended). Requests still in flight at the end are left
    /// out, as they are from the latency figures.
    pub availability: f64,
    /// End-to-end latency of completed requests, milliseconds.
    pub latency_ms: LatencySummary,
    /// Failed requests by cause (`queue_full`, `timeout`, ...), only causes that occurred.
    pub errors: IndexMap<String, u64>,
    /// Failed requests by the component that failed them, then by cause (`client` holds
    /// timeouts, which the client decides).
    pub errors_by_component: IndexMap<String, IndexMap<String, u64>>,
    /// One entry per scheduled fault, in file order.
    pub faults: Vec<FaultReport>,
    /// Per request class, in scenario order.
    pub classes: IndexMap<String, ClassReport>,
    /// Per component, in scenario order.
    pub components: IndexMap<String, ComponentReport>,
    /// Per user region, in scenario order; omitted from JSON when the scenario declares no
    /// regions.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub regions: IndexMap<String, GeoReport>,
    /// Per data center, in scenario order, by the data center a request's first attempt
    /// entered; omitted from JSON when the scenario declares no data centers.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub datacenters: IndexMap<String, GeoReport>,
    /// Every scaling action of the autoscaled groups, in time order, warm-up included;
    /// `None` (omitted from JSON) when the scenario has no autoscaled group, `Some` (maybe
    /// empty) when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling: Option<Vec<ScalingAction>>,
    /// The component with the highest utilization, if any component has workers.
    pub bottleneck: Option<String>,
    /// What the run's priced components cost (those that name an `instance`); `None`
    /// (omitted from JSON) when none does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostReport>,
    /// The analytic availability of each class from its components' MTBF and MTTR, beside
    /// the simulated one, and the single points of failure; `None` (omitted from JSON) only
    /// for reports not made by [`crate::run`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytic_availability: Option<AvailabilityReport>,
    /// Client-side figures: attempts per request, DNS lookups.
    pub client: ClientReport,
    /// How hard the engine worked.
    pub engine: EngineReport,
    /// Fixed-window time series over the whole run (warm-up included, so cold starts show).
    #[serde(skip)]
    pub timeseries: TimeSeries,
    /// Points of the end-to-end latency distribution, for CDF and histogram charts.
    #[serde(skip)]
    pub latency_cdf: Vec<CdfPoint>,
    /// Sampled requests with a span per hop (empty unless tracing was asked for).
    #[serde(skip)]
    pub traces: Vec<TraceRecord>,
}

/// One sampled request: where its time went, hop by hop. Times are milliseconds from the
/// start of the run.
#[derive(Clone, Debug, Serialize)]
pub struct TraceRecord {
    /// The request's class.
    pub class: String,
    /// The user who sent it.
    pub user: u32,
    /// The data key it reads or writes.
    pub key: u64,
    /// When the client sent it.
    pub start_ms: f64,
    /// Until the client's outcome; `null` if still in flight at the end.
    pub latency_ms: Option<f64>,
    /// `ok`, a failure cause, or `in_flight`.
    pub outcome: String,
    /// Attempts made (retries + 1).
    pub attempts: u32,
    /// Its hops, in the order they started.
    pub spans: Vec<TraceSpan>,
}

/// One hop of a traced request: its time in one component instance.
#[derive(Clone, Debug, Serialize)]
pub struct TraceSpan {
    /// The component's name.
    pub component: String,
    /// The instance within the component, from 0.
    pub instance: u32,
    /// When the request arrived at the instance.
    pub arrive_ms: f64,
    /// Waiting for a worker.
    pub wait_ms: f64,
    /// The instance's own work (0 for balancers and caches).
    pub service_ms: f64,
    /// Until the reply left: includes downstream calls.
    pub end_ms: f64,
    /// `ok`, or the failure cause this hop returned.
    pub outcome: String,
}

/// Request outcomes. `offered = completed + failed + in_flight` always holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RequestCounts {
    /// Requests that started after warm-up.
    pub offered: u64,
    /// Of those, answered successfully before the end.
    pub completed: u64,
    /// Of those, ended with a failure cause.
    pub failed: u64,
    /// Of those, still waiting for an answer when the run ended.
    pub in_flight: u64,
}

/// Latency statistics in milliseconds; `None` (JSON `null`) when there was no sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Number of samples behind the figures.
    pub count: u64,
    /// Exact mean.
    pub mean: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// 99.9th percentile.
    pub p999: Option<f64>,
    /// Largest sample (exact).
    pub max: Option<f64>,
}

/// Per request class.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ClassReport {
    /// Requests of the class that started after warm-up.
    pub offered: u64,
    /// Of those, completed.
    pub completed: u64,
    /// Of those, failed.
    pub failed: u64,
    /// Completed requests of the class per simulated second after warm-up.
    pub throughput_rps: f64,
    /// Of those, the ones that completed within `deadline_ms`, per simulated second.
    pub goodput_rps: f64,
    /// The class's deadline for goodput, ms (`None`: no deadline and no client timeout, so
    /// every completed request counts).
    pub deadline_ms: Option<f64>,
    /// End-to-end latency of the completed ones, milliseconds.
    pub latency_ms: LatencySummary,
}

/// Outcomes of the requests of one region or one data center, after warm-up.
/// `offered = completed + failed + in_flight` holds here too.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GeoReport {
    /// Requests that started after warm-up.
    pub offered: u64,
    /// Of those, completed.
    pub completed: u64,
    /// Of those, failed.
    pub failed: u64,
    /// completed / (completed + failed) (1.0 when none ended), as for the whole run.
    pub availability: f64,
    /// End-to-end latency of the completed requests, milliseconds.
    pub latency_ms: LatencySummary,
    /// Failed requests by cause, only causes that occurred.
    pub errors: IndexMap<String, u64>,
}

/// Per component. Kind-specific figures (`hit_ratio`, `stale_reads`, ...) live in `extra`,
/// flattened into the same JSON object.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ComponentReport {
    /// The component kind as written in the scenario (`server`, `database`, ...).
    pub kind: String,
    /// Instances (servers) or nodes (databases); 1 for single components.
    pub instances: u32,
    /// Busy worker time / (workers x instances x measured time), 0..=1. `null` for kinds
    /// without workers (dns, load balancer).
    pub utilization: Option<f64>,
    /// Time-average number of requests waiting (not in service), summed over instances.
    pub mean_queue: f64,
    /// Largest number waiting at once in any one instance.
    pub max_queue: u64,
    /// Requests turned away (queue full) after warm-up.
    pub rejected: u64,
    /// Requests that arrived at the component after warm-up.
    pub arrivals: u64,
    /// Time-average number of requests present (waiting + in service + waiting on calls).
    pub mean_in_system: f64,
    /// Time from arriving at the component to its reply leaving it, milliseconds.
    pub latency_ms: LatencySummary,
    /// Kind-specific figures, flattened into this object.
    #[serde(flatten)]
    pub extra: IndexMap<String, f64>,
}

/// What one fault did. Times are seconds from the start of the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FaultReport {
    /// As written: `crash web#2`.
    pub fault: String,
    /// When it started.
    pub start_s: f64,
    /// `null`: lasted to the end of the run (or happened at an instant).
    pub end_s: Option<f64>,
    /// When the system noticed: a balancer's health checks took the target out of
    /// rotation, or a replica was promoted. `null` when nothing noticed.
    pub detected_s: Option<f64>,
    /// `detected_s - start_s`.
    pub time_to_detect_s: Option<f64>,
    /// End of the last window after `start_s` whose error rate was above the baseline
    /// (the error rate before the fault, or 1%), before the next fault or the end of the
    /// run. `null`: errors lasted to the end (no recovery seen).
    pub recovered_s: Option<f64>,
    /// `recovered_s - start_s`.
    pub time_to_recover_s: Option<f64>,
    /// Requests that failed between `start_s` and recovery (or the end), warm-up included.
    pub failed_requests: u64,
}

/// A fault drawn on time-series charts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FaultMark {
    /// The fault as written (`crash web#2`).
    pub label: String,
    /// When it started, seconds.
    pub start_s: f64,
    /// When it ended, seconds (`None`: at the end of the run, or an instant).
    pub end_s: Option<f64>,
}

/// The ledger of a run: what its priced components cost over the measured period (after
/// warm-up), in US dollars.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CostReport {
    /// All priced components together, dollars an hour at the run's average.
    pub per_hour: f64,
    /// `per_hour` x 730 hours.
    pub per_month: f64,
    /// What a million completed requests cost at this run's throughput (`null` when none
    /// completed).
    pub per_million_requests: Option<f64>,
    /// Per priced component, in scenario order.
    pub components: IndexMap<String, ComponentCost>,
    /// Data transfer, priced per GB; `None` (omitted from JSON) when no class gives a
    /// `size`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<TransferCost>,
    /// Where the shipped prices come from, and when.
    pub prices_source: String,
}

/// What data transfer costs over the measured period, by where the bytes are paid for.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TransferCost {
    /// Responses CDN edges served to users (priced at `cdn_egress`).
    pub cdn_egress: TransferLine,
    /// Responses the origin served to users, not through a CDN (priced at
    /// `internet_egress`).
    pub internet_egress: TransferLine,
    /// Successful calls between components in different data centers (priced at
    /// `inter_dc`).
    pub inter_dc_calls: TransferLine,
    /// Writes shipped to database replicas in another data center than the primary's
    /// (priced at `inter_dc`).
    pub inter_dc_replication: TransferLine,
    /// All four together, dollars an hour at the run's average.
    pub per_hour: f64,
    /// `per_hour` x 730 hours.
    pub per_month: f64,
    /// Where the shipped transfer prices come from, and when.
    pub prices_source: String,
}

/// One kind of data transfer: bytes moved and what they cost.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TransferLine {
    /// The price, dollars per GB (10^9 bytes).
    pub per_gb: f64,
    /// GB moved over the measured period.
    pub gb: f64,
    /// GB a month at the run's average rate: `gb` / measured hours x 730.
    pub gb_per_month: f64,
    /// Dollars an hour at the run's average: `gb` x `per_gb` / measured hours.
    pub per_hour: f64,
    /// `per_hour` x 730 hours.
    pub per_month: f64,
}

impl TransferCost {
    /// The four lines with their names, in report order.
    pub fn lines(&self) -> [(&'static str, &TransferLine); 4] {
        [
            ("cdn_egress", &self.cdn_egress),
            ("internet_egress", &self.internet_egress),
            ("inter_dc_calls", &self.inter_dc_calls),
            ("inter_dc_replication", &self.inter_dc_replication),
        ]
    }
}

/// The `analytic_availability` block: analytic steady-state availability per class and overall, the
/// single points of failure, and the per-component figures used.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AvailabilityReport {
    /// Over all classes, weighted by their share of the requests.
    pub overall: AvailabilityFigures,
    /// Per class, in scenario order.
    pub classes: IndexMap<String, ClassAvailability>,
    /// Each component that is a single point of failure for some class, in scenario order.
    pub single_points_of_failure: Vec<SpofReport>,
    /// Per component that can fail (every kind but dns), in scenario order.
    pub components: IndexMap<String, ComponentAvailability>,
}

/// An availability with its nines and its downtime.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct AvailabilityFigures {
    /// The analytic steady-state availability, a fraction (`null` when the structure is
    /// too large to evaluate exactly).
    pub analytic: Option<f64>,
    /// `-log10(1 - analytic)` (`null` when `analytic` is 1 or null).
    pub nines: Option<f64>,
    /// `(1 - analytic)` x 730 hours, minutes.
    pub downtime_min_per_month: Option<f64>,
    /// The simulated availability (completed / ended), when the scenario has a `random`
    /// fault; `null` otherwise.
    pub simulated: Option<f64>,
}

/// One class's availability.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ClassAvailability {
    /// Its figures.
    #[serde(flatten)]
    pub figures: AvailabilityFigures,
    /// The components whose loss alone fails every request of the class, in scenario order.
    pub single_points_of_failure: Vec<String>,
}

/// A single point of failure.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SpofReport {
    /// The component.
    pub component: String,
    /// Its kind.
    pub kind: String,
    /// The classes it fails alone, in scenario order.
    pub classes: Vec<String>,
}

/// The figures the analysis used for one component.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ComponentAvailability {
    /// Mean time between failures of one instance, hours.
    pub mtbf_h: f64,
    /// Mean time to repair one instance, hours.
    pub mttr_h: f64,
    /// Where they come from: `random_fault`, `reliability` or `default`.
    pub source: &'static str,
    /// One instance's availability, `mtbf / (mtbf + mttr)`.
    pub instance_availability: f64,
    /// Instances counted (an autoscaled group's `min`; a database's nodes per shard).
    pub instances: u32,
    /// How they combine: `single`, `parallel` (any instance up will do), `per_request`
    /// (each request uses one instance, up or not) or `database` (writes need the
    /// primary, reads any node of the read pool).
    pub redundancy: &'static str,
}

/// What one component costs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ComponentCost {
    /// Its instance type.
    pub instance: String,
    /// The type's price, dollars an hour.
    pub hourly: f64,
    /// Instances running on average over the measured period (an autoscaled group counts
    /// its provisioning, active and draining instances as they come and go).
    pub instances_mean: f64,
    /// Instance-hours over the measured period.
    pub instance_hours: f64,
    /// Dollars an hour at the run's average: `instances_mean` x `hourly`.
    pub per_hour: f64,
    /// `per_hour` x 730 hours.
    pub per_month: f64,
}

/// Client-side figures.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct ClientReport {
    /// Attempts sent (first tries plus retries) per request offered after warm-up: the
    /// retry amplification.
    pub attempts_per_request: f64,
    /// Retries sent after warm-up.
    pub retries: u64,
    /// DNS lookups made after warm-up (0 when the scenario has no dns component).
    pub dns_lookups: u64,
}

/// Engine effort. `wall_s` and `events_per_s` are the only figures in a report that depend on
/// the machine; they are `null` when the run was asked not to report wall-clock time.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct EngineReport {
    /// Events processed.
    pub events: u64,
    /// Most requests (attempts and queued jobs included) held in flight at once: the
    /// request slab's high-water mark. Memory grows with this, not with the number of
    /// requests simulated.
    pub peak_in_flight: u64,
    /// Wall-clock seconds the run took.
    pub wall_s: Option<f64>,
    /// events / wall_s.
    pub events_per_s: Option<f64>,
}

/// One point of a latency distribution: `fraction` of completed requests took at most `ms`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CdfPoint {
    /// Latency, milliseconds.
    pub ms: f64,
    /// Share of completed requests at or below it (0..=1).
    pub fraction: f64,
}

/// Fixed-window series. Row `i` covers `[i * window_s, (i + 1) * window_s)`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TimeSeries {
    /// Window length, seconds.
    pub window_s: f64,
    /// Component names, in the order of [`WindowRow::utilization`].
    pub components: Vec<String>,
    /// Data center names, in the order of [`WindowRow::entered`] (empty without them).
    pub datacenters: Vec<String>,
    /// Component kinds as written in the scenario (`server`, `queue`, ...), same order.
    pub kinds: Vec<String>,
    /// The faults, for marking on charts.
    pub faults: Vec<FaultMark>,
    /// One row per window, in time order.
    pub rows: Vec<WindowRow>,
    /// Every scaling action of the autoscaled groups, in time order, warm-up included.
    pub scaling: Vec<ScaleEvent>,
}

/// One scaling action of an autoscaled server or worker group, by name: the JSON summary's
/// `scaling` list and the rows of `scaling.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScalingAction {
    /// When the scaler decided, seconds.
    pub t_s: f64,
    /// The server or worker group.
    pub group: String,
    /// `out` (instances start provisioning) or `in` (instances start draining).
    pub action: &'static str,
    /// Active instances when the scaler decided.
    pub active: u32,
    /// The desired count it computed; for a scale-in, the count it drains to (the highest
    /// desired count within the scale-in window).
    pub desired: u32,
    /// Instances started (scale-out) or drained (scale-in).
    pub changed: u32,
}

/// One scaling action of an autoscaled server or worker group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ScaleEvent {
    /// When the scaler decided, seconds.
    pub t_s: f64,
    /// Index into [`TimeSeries::components`].
    pub component: usize,
    /// `true`: scale-out (instances start provisioning); `false`: scale-in (drain).
    pub out: bool,
    /// Active instances when the scaler decided.
    pub active: u32,
    /// The desired count it computed; for a scale-in, the count it drains to (the highest
    /// desired count within the scale-in window).
    pub desired: u32,
    /// Instances started (scale-out) or drained (scale-in).
    pub changed: u32,
}

/// One window. Requests count in the window where they end (complete or fail); arrivals in
/// the window where they start. Every request counts here, warm-up included.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WindowRow {
    /// Window start, seconds.
    pub t_s: f64,
    /// Requests that started in the window.
    pub offered: u64,
    /// Requests that completed in the window.
    pub completed: u64,
    /// Requests that failed in the window.
    pub failed: u64,
    /// completed / window_s.
    pub throughput_rps: f64,
    /// Requests that completed in the window within their class's deadline, / window_s.
    pub goodput_rps: f64,
    /// failed / (completed + failed), 0 when nothing ended.
    pub error_rate: f64,
    /// Latency of requests completed in the window, ms (`None` when none completed); from a
    /// histogram with 2 significant digits, so within 1%.
    pub p50_ms: Option<f64>,
    /// 99th percentile, as `p50_ms`.
    pub p99_ms: Option<f64>,
    /// Per component (same order as [`TimeSeries::components`]): utilization in the window,
    /// `None` for kinds without workers.
    pub utilization: Vec<Option<f64>>,
    /// Per component (same order): active instances just before the end of the window (a
    /// change at the boundary instant shows in the next window), for server and worker
    /// groups (a group without autoscaling: its `count`); `None` for other kinds.
    pub instances: Vec<Option<u32>>,
    /// Per data center (same order as [`TimeSeries::datacenters`]): attempts that entered
    /// it in the window (first tries and retries).
    pub entered: Vec<u64>,
    /// Per component (same order): requests (for a queue: messages published) that arrived
    /// at the component in the window.
    pub arrivals: Vec<u64>,
    /// Per component (same order): requests that ended failed in the window with this
    /// component as the one that failed them (timeouts belong to the client, not here).
    pub errors: Vec<u64>,
    /// Per component (same order): mean time from arrival to reply of the replies sent in
    /// the window, ms; for a queue, mean publish-to-acknowledgement time of the jobs
    /// acknowledged in the window. `None` when nothing left the component in the window.
    pub latency_ms_mean: Vec<Option<f64>>,
    /// Per component (same order): time-average number of requests waiting for a worker,
    /// summed over the instances; `None` for kinds without workers.
    pub queue_mean: Vec<Option<f64>>,
    /// Per component (same order): time-average number of messages waiting for a consumer,
    /// for queues; `None` for other kinds.
    pub backlog_mean: Vec<Option<f64>>,
    /// Per component (same order): hits / lookups in the window, for caches and CDNs;
    /// `None` for other kinds, or when the window had no lookup.
    pub hit_ratio: Vec<Option<f64>>,
}
