//! Tidy CSV: the summary in long form and the time series in wide form.
//!
//! * [`summary_csv`] has one figure per row, `scope,name,metric,value`, so that the summaries
//!   of many runs concatenate and load straight into a data frame or a spreadsheet pivot.
//!   Scopes: `run` (name = scenario), `error` (name = cause, metric `count`),
//!   `error_by_component` (name = the component that failed the requests, or `client` for
//!   timeouts; metric = cause), `class`, `region` and `datacenter` (when the scenario declares
//!   them; failures by cause as metrics `error_<cause>`), `component`, and `fault` (name = the
//!   fault's index in the scenario and its label, `0: crash web#1`, so repeated labels stay
//!   apart); last, the analytic availability: `availability` (name = scenario),
//!   `availability_class`, `single_point_of_failure` and `availability_component`.
//! * [`timeseries_csv`] has one row per window: `t_s,offered,completed,failed,throughput_rps,
//!   goodput_rps,error_rate,p50_ms,p99_ms,util_<component>...,inst_<component>...`, then per-component
//!   groups (`arrivals_`, `errors_`, `lat_ms_`, `queue_`) and kind-specific ones (`backlog_`
//!   for queues, `hit_` for caches and CDNs), then `dc_<datacenter>...`
//!   (attempts entering each data center) when the scenario declares data centers.
//!
//! Conventions: a missing figure (`None`, or a non-finite float) is an empty cell — never a
//! made-up zero; floats use Rust's shortest round-trip form, so output is deterministic.
//! This file formats only: it returns `String`s and does no I/O.

use ::csv::Writer;

use crate::metrics::{AvailabilityFigures, LatencySummary, Report};

/// The summary in long form: header `scope,name,metric,value`.
pub fn summary_csv(report: &Report) -> String {
    let mut out = Out::new();
    out.row(["scope", "name", "metric", "value"]);

    let run = |out: &mut Out, metric: &str, value: String| {
        out.row(["run", &report.scenario, metric, &value]);
    };
    let r = &report.requests;
    run(&mut out, "offered", r.offered.to_string());
    run(&mut out, "completed", r.completed.to_string());
    run(&mut out, "failed", r.failed.to_string());
    run(&mut out, "in_flight", r.in_flight.to_string());
    run(&mut out, "throughput_rps", float(report.throughput_rps));
    run(&mut out, "goodput_rps", float(report.goodput_rps));
    run(&mut out, "availability", float(report.availability));
    for (metric, value) in latency_cells(&report.latency_ms) {
        run(&mut out, metric, value);
    }
    run(
        &mut out,
        "attempts_per_request",
        float(report.client.attempts_per_request),
    );
    run(&mut out, "retries", report.client.retries.to_string());
    run(&mut out, "events", report.engine.events.to_string());

    for (cause, count) in &report.errors {
        out.row(["error", cause, "count", &count.to_string()]);
    }
    for (component, causes) in &report.errors_by_component {
        for (cause, count) in causes {
            out.row(["error_by_component", component, cause, &count.to_string()]);
        }
    }

    if let Some(c) = &report.cost {
        let mut cell = |metric: &str, value: String| {
            out.row(["cost", &report.scenario, metric, &value]);
        };
        cell("per_hour", float(c.per_hour));
        cell("per_month", float(c.per_month));
        cell("per_million_requests", opt_float(c.per_million_requests));
        for (name, cc) in &c.components {
            let mut cell = |metric: &str, value: String| {
                out.row(["cost_component", name, metric, &value]);
            };
            cell("instance", cc.instance.clone());
            cell("hourly", float(cc.hourly));
            cell("instances_mean", float(cc.instances_mean));
            cell("instance_hours", float(cc.instance_hours));
            cell("per_hour", float(cc.per_hour));
            cell("per_month", float(cc.per_month));
        }
        if let Some(t) = &c.transfer {
            for (name, l) in t.lines() {
                let mut cell = |metric: &str, value: String| {
                    out.row(["cost_transfer", name, metric, &value]);
                };
                cell("per_gb", float(l.per_gb));
                cell("gb", float(l.gb));
                cell("gb_per_month", float(l.gb_per_month));
                cell("per_hour", float(l.per_hour));
                cell("per_month", float(l.per_month));
            }
        }
    }

    for (name, class) in &report.classes {
        let mut cell = |metric: &str, value: String| out.row(["class", name, metric, &value]);
        cell("offered", class.offered.to_string());
        cell("completed", class.completed.to_string());
        cell("failed", class.failed.to_string());
        cell("throughput_rps", float(class.throughput_rps));
        cell("goodput_rps", float(class.goodput_rps));
        cell("deadline_ms", opt_float(class.deadline_ms));
        for (metric, value) in latency_cells(&class.latency_ms) {
            cell(metric, value);
        }
    }

    for (scope, map) in [
        ("region", &report.regions),
        ("datacenter", &report.datacenters),
    ] {
        for (name, g) in map {
            let mut cell = |metric: &str, value: String| out.row([scope, name, metric, &value]);
            cell("offered", g.offered.to_string());
            cell("completed", g.completed.to_string());
            cell("failed", g.failed.to_string());
            cell("availability", float(g.availability));
            for (metric, value) in latency_cells(&g.latency_ms) {
                cell(metric, value);
            }
            for (cause, n) in &g.errors {
                cell(&format!("error_{cause}"), n.to_string());
            }
        }
    }

    for (name, comp) in &report.components {
        let mut cell = |metric: &str, value: String| out.row(["component", name, metric, &value]);
        cell("utilization", opt_float(comp.utilization));
        cell("mean_queue", float(comp.mean_queue));
        cell("max_queue", comp.max_queue.to_string());
        cell("rejected", comp.rejected.to_string());
        cell("arrivals", comp.arrivals.to_string());
        cell("mean_in_system", float(comp.mean_in_system));
        for (metric, value) in latency_cells(&comp.latency_ms) {
            cell(metric, value);
        }
        for (key, value) in &comp.extra {
            cell(key, float(*value));
        }
    }

    for (i, f) in report.faults.iter().enumerate() {
        let name = format!("{i}: {}", f.fault);
        let mut cell = |metric: &str, value: String| out.row(["fault", &name, metric, &value]);
        cell("start_s", float(f.start_s));
        cell("end_s", opt_float(f.end_s));
        cell("detected_s", opt_float(f.detected_s));
        cell("time_to_detect_s", opt_float(f.time_to_detect_s));
        cell("recovered_s", opt_float(f.recovered_s));
        cell("time_to_recover_s", opt_float(f.time_to_recover_s));
        cell("failed_requests", f.failed_requests.to_string());
    }

    if let Some(a) = &report.analytic_availability {
        let figures = |out: &mut Out, what: &str, name: &str, f: &AvailabilityFigures| {
            out.row([what, name, "analytic", &opt_float(f.analytic)]);
            out.row([what, name, "nines", &opt_float(f.nines)]);
            out.row([
                what,
                name,
                "downtime_min_per_month",
                &opt_float(f.downtime_min_per_month),
            ]);
            out.row([what, name, "simulated", &opt_float(f.simulated)]);
        };
        figures(&mut out, "availability", &report.scenario, &a.overall);
        for (name, c) in &a.classes {
            figures(&mut out, "availability_class", name, &c.figures);
        }
        for spof in &a.single_points_of_failure {
            out.row([
                "single_point_of_failure",
                &spof.component,
                "classes",
                &spof.classes.join(" "),
            ]);
        }
        for (name, c) in &a.components {
            let mut cell = |metric: &str, value: String| {
                out.row(["availability_component", name, metric, &value]);
            };
            cell("mtbf_h", float(c.mtbf_h));
            cell("mttr_h", float(c.mttr_h));
            cell("source", c.source.to_string());
            cell("instance_availability", float(c.instance_availability));
            cell("instances", c.instances.to_string());
            cell("redundancy", c.redundancy.to_string());
        }
    }

    out.finish()
}

/// The time series, one row per window: `t_s,offered,completed,failed,throughput_rps,
/// goodput_rps,error_rate,p50_ms,p99_ms`, then `util_<component>` for each name in
/// `report.timeseries.components`, in that order, then `inst_<component>` (active instances
/// just before the end of the window; empty for kinds without instances) in the same order. Then,
/// per component in the same order, one group each of `arrivals_<component>`,
/// `errors_<component>` (requests it failed), `lat_ms_<component>` (mean time in the
/// component of its replies) and `queue_<component>` (time-average waiting requests, empty
/// for kinds without workers); then `backlog_<queue>` for each queue component and
/// `hit_<cache>` (hit ratio) for each cache and cdn; last, `dc_<datacenter>` (attempts
/// that entered the data center in the window) for each name in
/// `report.timeseries.datacenters`.
pub fn timeseries_csv(report: &Report) -> String {
    let ts = &report.timeseries;
    let mut out = Out::new();
    let mut header: Vec<String> = [
        "t_s",
        "offered",
        "completed",
        "failed",
        "throughput_rps",
        "goodput_rps",
        "error_rate",
        "p50_ms",
        "p99_ms",
    ]
    .map(String::from)
    .to_vec();
    let n = ts.components.len();
    let kind = |i: usize| ts.kinds.get(i).map_or("", String::as_str);
    let queues: Vec<usize> = (0..n).filter(|&i| kind(i) == "queue").collect();
    let caches: Vec<usize> = (0..n)
        .filter(|&i| matches!(kind(i), "cache" | "cdn"))
        .collect();
    for prefix in ["util", "inst", "arrivals", "errors", "lat_ms", "queue"] {
        header.extend(ts.components.iter().map(|c| format!("{prefix}_{c}")));
    }
    header.extend(
        queues
            .iter()
            .map(|&i| format!("backlog_{}", ts.components[i])),
    );
    header.extend(caches.iter().map(|&i| format!("hit_{}", ts.components[i])));
    header.extend(ts.datacenters.iter().map(|d| format!("dc_{d}")));
    out.row(&header);

    // A row shorter than the component list (it should not be) gets empty cells, so the
    // file stays rectangular.
    let opt = |v: &[Option<f64>], i: usize| opt_float(v.get(i).copied().flatten());
    let count = |v: &[u64], i: usize| v.get(i).map_or_else(String::new, u64::to_string);
    for row in &ts.rows {
        let mut cells = vec![
            float(row.t_s),
            row.offered.to_string(),
            row.completed.to_string(),
            row.failed.to_string(),
            float(row.throughput_rps),
            float(row.goodput_rps),
            float(row.error_rate),
            opt_float(row.p50_ms),
            opt_float(row.p99_ms),
        ];
        cells.extend((0..n).map(|i| opt(&row.utilization, i)));
        cells.extend((0..n).map(|i| {
            row.instances
                .get(i)
                .copied()
                .flatten()
                .map_or_else(String::new, |n| n.to_string())
        }));
        cells.extend((0..n).map(|i| count(&row.arrivals, i)));
        cells.extend((0..n).map(|i| count(&row.errors, i)));
        cells.extend((0..n).map(|i| opt(&row.latency_ms_mean, i)));
        cells.extend((0..n).map(|i| opt(&row.queue_mean, i)));
        cells.extend(queues.iter().map(|&i| opt(&row.backlog_mean, i)));
        cells.extend(caches.iter().map(|&i| opt(&row.hit_ratio, i)));
        cells.extend((0..ts.datacenters.len()).map(|i| {
            row.entered
                .get(i)
                .map_or_else(String::new, |n| n.to_string())
        }));
        out.row(&cells);
    }
    out.finish()
}

/// The scaling actions of the autoscaled groups, one row per action in time order:
/// `t_s,group,action,active,desired,changed` (`action` is `out` or `in`). Only the header
/// when the report has no scaling list (no autoscaled group) or an empty one.
pub fn scaling_csv(report: &Report) -> String {
    let mut out = Out::new();
    out.row(["t_s", "group", "action", "active", "desired", "changed"]);
    for a in report.scaling.iter().flatten() {
        out.row([
            float(a.t_s),
            a.group.clone(),
            a.action.to_string(),
            a.active.to_string(),
            a.desired.to_string(),
            a.changed.to_string(),
        ]);
    }
    out.finish()
}

/// The latency figures of a summary as `(metric, cell)` pairs.
fn latency_cells(l: &LatencySummary) -> [(&'static str, String); 7] {
    [
        ("mean_ms", opt_float(l.mean)),
        ("p50_ms", opt_float(l.p50)),
        ("p90_ms", opt_float(l.p90)),
        ("p95_ms", opt_float(l.p95)),
        ("p99_ms", opt_float(l.p99)),
        ("p999_ms", opt_float(l.p999)),
        ("max_ms", opt_float(l.max)),
    ]
}

/// Shortest round-trip form; empty for NaN and infinities (JSON writes those as `null`).
pub(crate) fn float(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

pub(crate) fn opt_float(v: Option<f64>) -> String {
    v.map_or_else(String::new, float)
}

/// A CSV writer into memory.
pub(crate) struct Out(Writer<Vec<u8>>);

impl Out {
    pub(crate) fn new() -> Self {
        Out(Writer::from_writer(Vec::new()))
    }

    pub(crate) fn row<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        // Writing to a Vec cannot fail, and every row of a file has the same width.
        self.0
            .write_record(cells)
            .expect("writing CSV to memory cannot fail");
    }

    pub(crate) fn finish(self) -> String {
        let bytes = self
            .0
            .into_inner()
            .expect("flushing CSV to memory cannot fail");
        String::from_utf8(bytes).expect("CSV built from UTF-8 strings is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    /// One error cause, one class, one component with a kind-specific figure.
    fn small() -> Report {
        let sample = fixtures::sample();
        let mut r = fixtures::empty();
        r.scenario = "01-single-server".to_string();
        r.requests = crate::metrics::RequestCounts {
            offered: 100,
            completed: 97,
            failed: 2,
            in_flight: 1,
        };
        r.throughput_rps = 9.7;
        r.goodput_rps = 9.5;
        r.availability = 0.97;
        r.latency_ms = sample.classes["read"].latency_ms;
        r.errors.insert("timeout".to_string(), 2);
        let mut read = sample.classes["read"].clone();
        (read.offered, read.completed, read.failed) = (100, 97, 2);
        (read.throughput_rps, read.goodput_rps) = (9.7, 9.5);
        r.classes.insert("read".to_string(), read);
        let mut db = sample.components["web"].clone();
        db.kind = "database".to_string();
        (db.arrivals, db.rejected) = (100, 2);
        db.extra.insert("stale_reads".to_string(), 4.0);
        r.components.insert("db".to_string(), db);
        r.errors_by_component.insert(
            "client".to_string(),
            indexmap::IndexMap::from([("timeout".to_string(), 2)]),
        );
        r.client.attempts_per_request = 1.02;
        r.client.retries = 2;
        r.engine.events = 512;
        r
    }

    #[test]
    fn summary_csv_snapshot() {
        insta::assert_snapshot!(summary_csv(&small()), @r"
    scope,name,metric,value
    run,01-single-server,offered,100
    run,01-single-server,completed,97
    run,01-single-server,failed,2
    run,01-single-server,in_flight,1
    run,01-single-server,throughput_rps,9.7
    run,01-single-server,goodput_rps,9.5
    run,01-single-server,availability,0.97
    run,01-single-server,mean_ms,10
    run,01-single-server,p50_ms,8
    run,01-single-server,p90_ms,16
    run,01-single-server,p95_ms,20
    run,01-single-server,p99_ms,32
    run,01-single-server,p999_ms,64
    run,01-single-server,max_ms,100
    run,01-single-server,attempts_per_request,1.02
    run,01-single-server,retries,2
    run,01-single-server,events,512
    error,timeout,count,2
    error_by_component,client,timeout,2
    class,read,offered,100
    class,read,completed,97
    class,read,failed,2
    class,read,throughput_rps,9.7
    class,read,goodput_rps,9.5
    class,read,deadline_ms,1000
    class,read,mean_ms,10
    class,read,p50_ms,8
    class,read,p90_ms,16
    class,read,p95_ms,20
    class,read,p99_ms,32
    class,read,p999_ms,64
    class,read,max_ms,100
    component,db,utilization,0.8125
    component,db,mean_queue,2.375
    component,db,max_queue,17
    component,db,rejected,2
    component,db,arrivals,100
    component,db,mean_in_system,8.5
    component,db,mean_ms,11.25
    component,db,p50_ms,9
    component,db,p90_ms,18
    component,db,p95_ms,22.5
    component,db,p99_ms,36
    component,db,p999_ms,72
    component,db,max_ms,112.5
    component,db,stale_reads,4
    ");
    }

    #[test]
    fn summary_csv_covers_every_component_and_extra() {
        let csv = summary_csv(&fixtures::sample());
        assert!(csv.contains("\ncomponent,lb,utilization,\n"));
        assert!(csv.contains("\ncomponent,cache,hit_ratio,0.93\n"));
        assert!(csv.contains("\ncomponent,cache,evictions,120\n"));
        assert!(csv.contains("\nclass,write,p99_ms,80\n"));
        assert!(csv.contains("\nerror,queue_full,count,30\n"));
        assert!(csv.contains("\nerror_by_component,web,queue_full,30\n"));
        assert!(csv.contains("\nerror_by_component,client,timeout,12\n"));
        assert!(csv.contains("\nrun,05-cache,retries,100\n"));
        assert!(!csv.contains("\nfault,"));
        assert_eq!(csv.lines().count(), 89);
    }

    #[test]
    fn summary_csv_has_one_block_per_fault() {
        let csv = summary_csv(&fixtures::faulty());
        let faults: Vec<&str> = csv.lines().filter(|l| l.starts_with("fault,")).collect();
        assert_eq!(
            faults,
            [
                "fault,0: flush cache,start_s,3",
                "fault,0: flush cache,end_s,",
                "fault,0: flush cache,detected_s,",
                "fault,0: flush cache,time_to_detect_s,",
                "fault,0: flush cache,recovered_s,3",
                "fault,0: flush cache,time_to_recover_s,0",
                "fault,0: flush cache,failed_requests,0",
                "fault,1: crash web#1,start_s,5.5",
                "fault,1: crash web#1,end_s,7.5",
                "fault,1: crash web#1,detected_s,6.25",
                "fault,1: crash web#1,time_to_detect_s,0.75",
                "fault,1: crash web#1,recovered_s,8",
                "fault,1: crash web#1,time_to_recover_s,2.5",
                "fault,1: crash web#1,failed_requests,42",
                "fault,2: slow web#0,start_s,9",
                "fault,2: slow web#0,end_s,",
                "fault,2: slow web#0,detected_s,",
                "fault,2: slow web#0,time_to_detect_s,",
                "fault,2: slow web#0,recovered_s,",
                "fault,2: slow web#0,time_to_recover_s,",
                "fault,2: slow web#0,failed_requests,0",
            ]
        );
        // The fault rows come last.
        assert!(csv.ends_with("fault,2: slow web#0,failed_requests,0\n"));
    }

    #[test]
    fn summary_csv_of_empty_report_has_empty_cells() {
        let csv = summary_csv(&fixtures::empty());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "scope,name,metric,value");
        assert!(lines.contains(&"run,empty,offered,0"));
        assert!(lines.contains(&"run,empty,p99_ms,"));
        assert!(lines.contains(&"run,empty,availability,1"));
        assert!(!csv.contains("error,"));
    }

    #[test]
    fn names_with_commas_are_quoted() {
        let mut r = fixtures::empty();
        r.scenario = "a, b".to_string();
        assert!(summary_csv(&r).contains("run,\"a, b\",offered,0\n"));
    }

    #[test]
    fn non_finite_floats_are_empty_cells() {
        let mut r = fixtures::empty();
        r.throughput_rps = f64::NAN;
        assert!(summary_csv(&r).contains("run,empty,throughput_rps,\n"));
    }

    #[test]
    fn timeseries_has_one_util_column_per_component() {
        let r = fixtures::sample();
        let csv = timeseries_csv(&r);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "t_s,offered,completed,failed,throughput_rps,goodput_rps,error_rate,p50_ms,p99_ms,\
             util_lb,util_web,util_cache,inst_lb,inst_web,inst_cache,\
             arrivals_lb,arrivals_web,arrivals_cache,errors_lb,errors_web,errors_cache,\
             lat_ms_lb,lat_ms_web,lat_ms_cache,queue_lb,queue_web,queue_cache,hit_cache"
        );
        assert_eq!(
            lines.next().unwrap(),
            "0,1000,400,0,400,400,0,10,40,,0.5,0.25,,4,,0,1000,500,0,0,0,,12,0.3,,0.5,,0.6"
        );
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(rows.len(), r.timeseries.rows.len());
        assert_eq!(
            rows[6],
            "6,1000,995,40,995,980,0.03864734299516908,13,120,,0.68,0.25,,4,,0,1000,500,0,40,0,,18,0.3,,0.5,,0.6"
        );
        for row in rows {
            assert_eq!(
                row.split(',').count(),
                9 + 6 * r.timeseries.components.len() + 1
            );
        }
    }

    #[test]
    fn timeseries_of_empty_report_is_only_a_header() {
        assert_eq!(
            timeseries_csv(&fixtures::empty()),
            "t_s,offered,completed,failed,throughput_rps,goodput_rps,error_rate,p50_ms,p99_ms\n"
        );
    }

    #[test]
    fn short_utilization_rows_are_padded() {
        let mut r = fixtures::sample();
        r.timeseries.rows[0].utilization.clear();
        r.timeseries.rows[0].instances.clear();
        let csv = timeseries_csv(&r);
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "0,1000,400,0,400,400,0,10,40,,,,,,,0,1000,500,0,0,0,,12,0.3,,0.5,,0.6"
        );
    }
}
