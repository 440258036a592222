//! Writers: turn a [`Report`] into files and text — the JSON summary, tidy CSV, the human
//! table and the charts.
//!
//! This module owns the on-disk layout of one run's outputs ([`write_run_outputs`]). Every file
//! is written whole through [`write_atomic`] (from [`crate::output`], re-exported here with
//! [`ReportError`] and [`stop_writes`]).
//!
//! It must not compute statistics: every figure comes from the [`Report`] as it is. The
//! submodules that render text ([`json`], [`csv`], [`table`]) return `String`s and do no
//! I/O (nor does [`crate::diagram`], which draws a scenario); only this file, [`charts`]
//! and the `write_*` functions of [`compare`] and [`journey`] touch the file system.

#[cfg(feature = "cli")]
pub mod capacity_chart;
#[cfg(feature = "cli")]
pub mod charts;
#[cfg(feature = "cli")]
pub mod cheapest_chart;
#[cfg(feature = "cli")]
pub mod compare;
#[cfg(feature = "cli")]
pub mod csv;
#[cfg(feature = "cli")]
pub mod journey;
pub mod json;
#[cfg(feature = "cli")]
pub mod replications;
pub mod table;
pub mod trace;
pub(crate) mod xml;

#[cfg(feature = "cli")]
use std::path::{Path, PathBuf};

#[cfg(feature = "cli")]
use crate::metrics::Report;

#[cfg(feature = "cli")]
pub use self::charts::{components_chart, latency_chart, timeseries_chart};
#[cfg(feature = "cli")]
pub use self::csv::{scaling_csv, summary_csv, timeseries_csv};
pub use self::json::to_json;
pub use self::table::render_table;
#[cfg(feature = "cli")]
pub(crate) use crate::output::write_atomic_with;
#[cfg(feature = "cli")]
pub use crate::output::{
    ReportError, STALE_AGE, WritesStopped, is_stale, stop_writes, write_atomic,
};

/// File names written by [`write_run_outputs`], in the order they are written.
#[cfg(feature = "cli")]
pub const RUN_OUTPUT_FILES: [&str; 9] = [
    "summary.json",
    "summary.csv",
    "timeseries.csv",
    "latency.png",
    "latency.svg",
    "timeseries.png",
    "timeseries.svg",
    "components.png",
    "components.svg",
];

/// The file [`write_run_outputs`] adds, last, for a scenario with an autoscaled group.
#[cfg(feature = "cli")]
pub const SCALING_FILE: &str = "scaling.csv";

/// Writes one run's outputs into `dir` (created if needed): `summary.json`, `summary.csv`,
/// `timeseries.csv`, `latency.png`, `latency.svg`, `timeseries.png`, `timeseries.svg`,
/// `components.png`, `components.svg`, then `scaling.csv` when the report has a scaling
/// list (the scenario has an autoscaled group).
/// Each file is written whole through [`write_atomic`]. Returns the paths written, in that
/// order.
#[cfg(feature = "cli")]
pub fn write_run_outputs(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let [
        json,
        summary,
        timeseries,
        lat_png,
        lat_svg,
        ts_png,
        ts_svg,
        comp_png,
        comp_svg,
    ] = RUN_OUTPUT_FILES.map(|name| dir.join(name));
    write_atomic(&json, to_json(report).as_bytes())?;
    write_atomic(&summary, summary_csv(report).as_bytes())?;
    write_atomic(&timeseries, timeseries_csv(report).as_bytes())?;
    latency_chart(report, &lat_png, &lat_svg)?;
    timeseries_chart(report, &ts_png, &ts_svg)?;
    components_chart(report, &comp_png, &comp_svg)?;
    let mut paths = vec![
        json, summary, timeseries, lat_png, lat_svg, ts_png, ts_svg, comp_png, comp_svg,
    ];
    if report.scaling.is_some() {
        let scaling = dir.join(SCALING_FILE);
        write_atomic(&scaling, scaling_csv(report).as_bytes())?;
        paths.push(scaling);
    }
    Ok(paths)
}

/// A small hand-built report shared by the writers' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use indexmap::IndexMap;

    use crate::metrics::{
        CdfPoint, ClassReport, ClientReport, ComponentReport, EngineReport, FaultMark, FaultReport,
        LatencySummary, Report, RequestCounts, TimeSeries, WindowRow,
    };

    /// A one-server scenario offered `rate` req/s, for tests that compare traffic.
    pub(crate) fn one_server(rate: u32) -> crate::scenario::Scenario {
        crate::scenario::Scenario::parse(
            &format!(
                "name: t\nduration: 1s\ntraffic: {{rate: {rate}}}\nentry: web\ncomponents:\n  \
                 web: {{kind: server, workers: 1, service: {{const: 1ms}}}}\n"
            ),
            "t",
            &[],
        )
        .unwrap()
    }

    fn lat(count: u64, base: f64) -> LatencySummary {
        LatencySummary {
            count,
            mean: Some(base * 1.25),
            p50: Some(base),
            p90: Some(base * 2.0),
            p95: Some(base * 2.5),
            p99: Some(base * 4.0),
            p999: Some(base * 8.0),
            max: Some(base * 12.5),
        }
    }

    /// The components of [`sample`]: a balancer, four web servers, a cache.
    fn sample_components() -> IndexMap<String, ComponentReport> {
        let mut components = IndexMap::new();
        components.insert(
            "lb".to_string(),
            ComponentReport {
                kind: "load_balancer".to_string(),
                instances: 1,
                utilization: None,
                mean_queue: 0.0,
                max_queue: 0,
                rejected: 0,
                arrivals: 8000,
                mean_in_system: 9.5,
                latency_ms: lat(7958, 9.5),
                extra: IndexMap::new(),
            },
        );
        components.insert(
            "web".to_string(),
            ComponentReport {
                kind: "server".to_string(),
                instances: 4,
                utilization: Some(0.8125),
                mean_queue: 2.375,
                max_queue: 17,
                rejected: 30,
                arrivals: 8000,
                mean_in_system: 8.5,
                latency_ms: lat(7958, 9.0),
                extra: IndexMap::new(),
            },
        );
        let mut cache_extra = IndexMap::new();
        cache_extra.insert("hit_ratio".to_string(), 0.93);
        cache_extra.insert("evictions".to_string(), 120.0);
        components.insert(
            "cache".to_string(),
            ComponentReport {
                kind: "cache".to_string(),
                instances: 1,
                utilization: Some(0.25),
                mean_queue: 0.0625,
                max_queue: 3,
                rejected: 0,
                arrivals: 6000,
                mean_in_system: 0.5,
                latency_ms: lat(6000, 0.5),
                extra: cache_extra,
            },
        );
        components
    }

    /// The ten one-second windows of [`sample`], over its three components.
    fn sample_rows() -> Vec<WindowRow> {
        (0..10u32)
            .map(|i| {
                let t = f64::from(i);
                let completed = if i < 2 { 400 + 200 * u64::from(i) } else { 995 };
                let failed = u64::from(i == 6) * 40 + u64::from(i == 7) * 2;
                WindowRow {
                    t_s: t,
                    offered: 1000,
                    completed,
                    failed,
                    throughput_rps: completed as f64,
                    goodput_rps: completed as f64 - f64::from(u32::from(i == 6) * 15),
                    error_rate: failed as f64 / (completed + failed) as f64,
                    p50_ms: Some(10.0 + t * 0.5),
                    p99_ms: Some(if i == 6 { 120.0 } else { 40.0 + t }),
                    utilization: vec![None, Some(f64::from(50 + 3 * i) / 100.0), Some(0.25)],
                    instances: vec![None, Some(4), None],
                    entered: Vec::new(),
                    arrivals: vec![0, 1000, 500],
                    errors: vec![0, failed, 0],
                    latency_ms_mean: vec![None, Some(12.0 + t), Some(0.3)],
                    queue_mean: vec![None, Some(0.5), None],
                    backlog_mean: vec![None, None, None],
                    hit_ratio: vec![None, None, Some(0.6)],
                }
            })
            .collect()
    }

    /// [`sample`] with `web` autoscaled: two scale-outs, and its instances growing from 2
    /// by one every three windows.
    pub(crate) fn autoscaled_sample() -> Report {
        let mut r = sample();
        r.components["web"]
            .extra
            .insert("scale_outs".to_string(), 2.0);
        for (i, row) in r.timeseries.rows.iter_mut().enumerate() {
            row.instances[1] = Some(2 + i as u32 / 3);
        }
        r
    }

    /// Two classes, three components (one cache, one without workers), two error causes
    /// (queue-full rejections by `web`, timeouts decided by the client), 100 retries, ten
    /// one-second windows with a 2 s warm-up. No faults.
    pub(crate) fn sample() -> Report {
        let mut errors = IndexMap::new();
        errors.insert("queue_full".to_string(), 30);
        errors.insert("timeout".to_string(), 12);
        let mut errors_by_component = IndexMap::new();
        errors_by_component.insert(
            "web".to_string(),
            IndexMap::from([("queue_full".to_string(), 30)]),
        );
        errors_by_component.insert(
            "client".to_string(),
            IndexMap::from([("timeout".to_string(), 12)]),
        );

        let mut classes = IndexMap::new();
        classes.insert(
            "read".to_string(),
            ClassReport {
                offered: 6000,
                completed: 5980,
                failed: 20,
                throughput_rps: 747.5,
                goodput_rps: 746.0,
                deadline_ms: Some(1000.0),
                latency_ms: lat(5980, 8.0),
            },
        );
        classes.insert(
            "write".to_string(),
            ClassReport {
                offered: 2000,
                completed: 1978,
                failed: 22,
                throughput_rps: 247.25,
                goodput_rps: 244.5,
                deadline_ms: Some(1000.0),
                latency_ms: lat(1978, 20.0),
            },
        );

        let components = sample_components();

        let names: Vec<String> = components.keys().cloned().collect();
        let kinds: Vec<String> = components.values().map(|c| c.kind.clone()).collect();
        let rows = sample_rows();

        // A right-skewed distribution through the run's percentiles (p50 10 ms, p99 40 ms).
        let latency_cdf = [
            (2.0, 0.0),
            (4.0, 0.1),
            (6.5, 0.25),
            (10.0, 0.5),
            (14.0, 0.75),
            (20.0, 0.9),
            (25.0, 0.95),
            (40.0, 0.99),
            (80.0, 0.999),
            (125.0, 1.0),
        ]
        .map(|(ms, fraction)| CdfPoint { ms, fraction })
        .to_vec();

        Report {
            errors_by_component,
            faults: Vec::new(),
            scenario: "05-cache".to_string(),
            about: "A read-through cache in front of the database.".to_string(),
            seed: 42,
            duration_s: 10.0,
            warmup_s: 2.0,
            requests: RequestCounts {
                offered: 8000,
                completed: 7958,
                failed: 42,
                in_flight: 0,
            },
            throughput_rps: 994.75,
            goodput_rps: 990.5,
            availability: 0.99475,
            latency_ms: lat(7958, 10.0),
            errors,
            classes,
            components,
            regions: IndexMap::new(),
            scaling: None,
            datacenters: IndexMap::new(),
            bottleneck: Some("web".to_string()),
            cost: None,
            analytic_availability: None,
            client: ClientReport {
                retries: 100,
                attempts_per_request: 1.0125,
                dns_lookups: 0,
            },
            engine: EngineReport {
                events: 123_456,
                peak_in_flight: 1_234,
                wall_s: Some(0.05),
                events_per_s: Some(2_469_120.0),
            },
            timeseries: TimeSeries {
                faults: Vec::new(),
                window_s: 1.0,
                kinds,
                components: names,
                datacenters: Vec::new(),
                rows,
                scaling: Vec::new(),
            },
            latency_cdf,
            traces: Vec::new(),
        }
    }

    /// [`sample`] with three faults: an instantaneous cache flush that did no harm, a crash
    /// that was detected and recovered from (the failures of windows 6 and 7), and a
    /// slowdown lasting to the end that no one noticed and that was not recovered from.
    pub(crate) fn faulty() -> Report {
        let mut r = sample();
        r.faults = vec![
            FaultReport {
                fault: "flush cache".to_string(),
                start_s: 3.0,
                end_s: None,
                detected_s: None,
                time_to_detect_s: None,
                recovered_s: Some(3.0),
                time_to_recover_s: Some(0.0),
                failed_requests: 0,
            },
            FaultReport {
                fault: "crash web#1".to_string(),
                start_s: 5.5,
                end_s: Some(7.5),
                detected_s: Some(6.25),
                time_to_detect_s: Some(0.75),
                recovered_s: Some(8.0),
                time_to_recover_s: Some(2.5),
                failed_requests: 42,
            },
            FaultReport {
                fault: "slow web#0".to_string(),
                start_s: 9.0,
                end_s: None,
                detected_s: None,
                time_to_detect_s: None,
                recovered_s: None,
                time_to_recover_s: None,
                failed_requests: 0,
            },
        ];
        r.timeseries.faults = r
            .faults
            .iter()
            .map(|f| FaultMark {
                label: f.fault.clone(),
                start_s: f.start_s,
                end_s: f.end_s,
            })
            .collect();
        r
    }

    /// A run in which nothing completed: no latencies, no windows, no components.
    pub(crate) fn empty() -> Report {
        Report {
            errors_by_component: IndexMap::new(),
            faults: Vec::new(),
            scenario: "empty".to_string(),
            about: String::new(),
            seed: 1,
            duration_s: 0.0,
            warmup_s: 0.0,
            requests: RequestCounts::default(),
            throughput_rps: 0.0,
            goodput_rps: 0.0,
            availability: 1.0,
            latency_ms: LatencySummary::default(),
            errors: IndexMap::new(),
            classes: IndexMap::new(),
            components: IndexMap::new(),
            regions: IndexMap::new(),
            scaling: None,
            datacenters: IndexMap::new(),
            bottleneck: None,
            cost: None,
            analytic_availability: None,
            client: ClientReport::default(),
            engine: EngineReport::default(),
            timeseries: TimeSeries::default(),
            latency_cdf: Vec::new(),
            traces: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::output::tests::leftovers;

    #[test]
    fn run_outputs_are_all_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let paths = write_run_outputs(&fixtures::sample(), &out).unwrap();
        let names: Vec<_> = paths
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, RUN_OUTPUT_FILES);
        for p in &paths {
            assert!(
                fs::metadata(p).unwrap().len() > 0,
                "{} is empty",
                p.display()
            );
        }
        assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    }
    #[test]
    fn run_outputs_of_an_empty_report() {
        let dir = tempfile::tempdir().unwrap();
        let paths = write_run_outputs(&fixtures::empty(), dir.path()).unwrap();
        assert_eq!(paths.len(), RUN_OUTPUT_FILES.len());
    }
}
