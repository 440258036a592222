//! Data transfer priced per GB, against hand-computed figures: a CDN's responses to users,
//! the origin's, calls and replication between two data centers; and bad sizes and prices
//! refused with their place. Egress is counted per completed request, so it equals the
//! report's own per-class completions times the class's size exactly (up to the float
//! division by 10^9: relative 1e-12); inter-DC bytes are counted when they cross, so they
//! may include requests still in flight at the end (bounded by `requests.in_flight`).

use crate::{parse, run_seed};
use scalesim::Report;
use scalesim::metrics::TransferCost;
use scalesim::report::json::to_json;

const CDN: &str = "\
name: egress
duration: 60s
warmup: 10s
traffic:
  rate: 200
  classes:
    - {name: page, weight: 0.5, size: 50KB}
    - {name: write, weight: 0.1, size: 2KB}
    - {name: static, weight: 0.4, static: true, keys: {n: 1000}, size: 100KB}
network: {hop: {const: 1ms}}
entry: lb
components:
  cdn: {kind: cdn, capacity: 100, latency: {const: 1ms}, origin: lb}
  lb: {kind: load_balancer, to: web}
  web: {kind: server, count: 2, workers: 16, service: {exp: 2ms}}
";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

fn transfer(r: &Report) -> &TransferCost {
    r.cost
        .as_ref()
        .and_then(|c| c.transfer.as_ref())
        .expect("a transfer ledger")
}

/// Measured hours of a run.
fn hours(r: &Report) -> f64 {
    (r.duration_s - r.warmup_s) / 3600.0
}

#[test]
fn cdn_and_origin_egress_are_completed_reads_times_their_size() {
    let r = run_seed(&parse(CDN), 3);
    let t = transfer(&r);
    let (page, write, stat) = (
        &r.classes["page"],
        &r.classes["write"],
        &r.classes["static"],
    );
    assert_eq!(r.requests.failed, 0, "test setup: nothing fails");
    assert!(stat.completed > 3_000 && write.completed > 0);
    // Every static request entered at the CDN: its edge served them all, hit or miss.
    let cdn_gb = (stat.completed * 100_000) as f64 / 1e9;
    assert!(
        close(t.cdn_egress.gb, cdn_gb),
        "{} {cdn_gb}",
        t.cdn_egress.gb
    );
    // The origin served the pages; a write's payload came in (not priced), so writes move
    // nothing out.
    let origin_gb = (page.completed * 50_000) as f64 / 1e9;
    assert!(close(t.internet_egress.gb, origin_gb));
    assert_eq!((t.inter_dc_calls.gb, t.inter_dc_replication.gb), (0.0, 0.0));
    // The CDN's own figures (lookups after warm-up) agree with the static completions up to
    // the requests near the warm-up's start and the run's end: at 80 static req/s and ~4 ms
    // each, fewer than one on average; 5 is ample.
    let cdn = &r.components["cdn"].extra;
    let lookups = cdn["hits"] + cdn["misses"];
    assert!(
        (lookups - stat.completed as f64).abs() <= 5.0,
        "{lookups} lookups, {} completed",
        stat.completed
    );
    // Shipped prices; dollars an hour at the run's average, a month of 730 hours.
    assert_eq!(
        (
            t.cdn_egress.per_gb,
            t.internet_egress.per_gb,
            t.inter_dc_calls.per_gb
        ),
        (0.085, 0.09, 0.02)
    );
    let h = hours(&r);
    assert!(close(t.cdn_egress.per_hour, cdn_gb * 0.085 / h));
    assert!(close(t.cdn_egress.gb_per_month, cdn_gb / h * 730.0));
    assert!(close(
        t.internet_egress.per_month,
        origin_gb * 0.09 / h * 730.0
    ));
    let per_hour = (cdn_gb * 0.085 + origin_gb * 0.09) / h;
    assert!(close(t.per_hour, per_hour));
    // No instance is priced: the ledger's totals are the transfer's.
    let c = r.cost.as_ref().unwrap();
    assert!(c.components.is_empty());
    assert!(close(c.per_hour, per_hour));
    assert!(close(c.per_month, per_hour * 730.0));
    let per_million = per_hour * h / r.requests.completed as f64 * 1e6;
    assert!(close(c.per_million_requests.unwrap(), per_million));
    assert!(t.prices_source.contains("June 2026"));
    // In the JSON, the summary CSV and the table.
    let json = to_json(&r);
    assert!(json.contains("\"transfer\":") && json.contains("\"inter_dc_replication\""));
    let csv = scalesim::report::csv::summary_csv(&r);
    assert!(
        csv.contains("\ncost_transfer,cdn_egress,per_gb,0.085"),
        "{csv}"
    );
    let table = scalesim::report::table::render_table(&r);
    assert!(table.contains("by transfer   cdn_egress: "), "{table}");
}

#[test]
fn with_the_cdn_down_the_origin_serves_static_files_and_pays_for_them() {
    let text = format!("{CDN}faults:\n  - {{at: 20s, for: 10s, crash: cdn}}\n");
    let r = run_seed(&parse(&text), 3);
    let t = transfer(&r);
    let (page, stat) = (&r.classes["page"], &r.classes["static"]);
    let all = (stat.completed * 100_000 + page.completed * 50_000) as f64 / 1e9;
    assert!(close(t.cdn_egress.gb + t.internet_egress.gb, all));
    // 10 of the 50 measured seconds without the CDN: about a fifth of the static bytes went
    // out from the origin (0.15 to 0.25 allows for Poisson noise on ~4,000 requests and the
    // requests the crash failed).
    let origin_static = t.internet_egress.gb - (page.completed * 50_000) as f64 / 1e9;
    let share = origin_static / ((stat.completed * 100_000) as f64 / 1e9);
    assert!((0.15..0.25).contains(&share), "{share}");
}

const TWO_DC: &str = "\
name: two-dc
duration: 60s
warmup: 10s
traffic:
  rate: 200
  classes:
    - {name: page, weight: 0.7, size: 20KB}
    - {name: write, weight: 0.3, size: 5KB}
datacenters:
  east: {latency: {west: {const: 30ms}}}
  west: {}
network: {hop: {const: 1ms}}
entry: web
transfer_prices: {inter_dc: 0.01}
components:
  web: {kind: server, datacenter: west, count: 2, workers: 64, service: {exp: 1ms}, calls: [db]}
  db:
    kind: database
    datacenter: east
    workers: 32
    read: {exp: 1ms}
    write: {exp: 1ms}
    replicas: 1
    replica_datacenters: [west]
    read_from: replicas
    replication_lag: {const: 1ms}
";

#[test]
fn writes_cross_to_the_primary_and_back_out_to_the_replica() {
    let r = run_seed(&parse(TWO_DC), 5);
    let t = transfer(&r);
    let (page, write) = (&r.classes["page"], &r.classes["write"]);
    assert_eq!(r.requests.failed, 0, "test setup: nothing fails");
    assert!(write.completed > 2_000);
    let in_flight = r.requests.in_flight;
    // Reads go to the replica in west, where the web tier stands: nothing crosses. Every
    // write goes to the primary in east: 5 KB cross per write, counted when its reply
    // crosses back, so a write in flight at the end may be counted already.
    let gb = |n: u64| (n * 5_000) as f64 / 1e9;
    let calls = t.inter_dc_calls.gb;
    assert!(
        calls >= gb(write.completed) - 1e-12 && calls <= gb(write.completed + in_flight),
        "{calls} GB for {} writes ({in_flight} in flight)",
        write.completed
    );
    // The primary ships each committed write to the replica in west: 5 KB more each.
    let repl = t.inter_dc_replication.gb;
    assert!(
        repl >= gb(write.completed) - 1e-12 && repl <= gb(write.completed + in_flight),
        "{repl} GB replicated"
    );
    // The scenario's inter_dc price replaces the shipped one; the others stay.
    assert_eq!(
        (t.inter_dc_calls.per_gb, t.inter_dc_replication.per_gb),
        (0.01, 0.01)
    );
    assert_eq!(t.internet_egress.per_gb, 0.09);
    assert!(close(t.inter_dc_calls.per_hour, calls * 0.01 / hours(&r)));
    // The pages go out to the users from west.
    assert!(close(
        t.internet_egress.gb,
        (page.completed * 20_000) as f64 / 1e9
    ));
    assert_eq!(t.cdn_egress.gb, 0.0);
}

#[test]
fn a_scenario_without_sizes_has_no_transfer_ledger() {
    let text = CDN
        .replace(", size: 50KB", "")
        .replace(", size: 2KB", "")
        .replace(", size: 100KB", "");
    let r = run_seed(&parse(&text), 3);
    assert!(r.cost.is_none());
    let json = to_json(&r);
    assert!(!json.contains("\"cost\":") && !json.contains("\"transfer\""));
    // Transfer prices alone price nothing.
    let r = run_seed(
        &parse(&format!("{text}transfer_prices: {{cdn_egress: 0.05}}\n")),
        3,
    );
    assert!(r.cost.is_none());
}

#[test]
fn bad_sizes_and_transfer_prices_are_refused_with_their_place() {
    use crate::bad_input::validate;
    let with_prices = format!("{CDN}transfer_prices: {{cdn_egress: 0.05, inter_dc: 0.02}}\n");
    for (edit, want) in [
        (
            ("size: 50KB", "size: 50XB"),
            "bad.yaml:7:39: traffic.classes[0].size: expected a size with a unit, like 512B, 120KB, 2.5MB or 1GB (units: B, KB, MB, GB, 1000-based; KiB, MiB, GiB, 1024-based), found `50XB` (unknown unit `XB`)",
        ),
        (
            ("size: 50KB", "size: 50"),
            "traffic.classes[0].size: expected a size with a unit, like 512B, 120KB, 2.5MB or 1GB (units: B, KB, MB, GB, 1000-based; KiB, MiB, GiB, 1024-based), found the bare number 50 (add a unit)",
        ),
        (
            ("size: 2KB", "size: -2KB"),
            "traffic.classes[1].size: expected a size >= 0, found `-2KB`",
        ),
        (
            ("size: 100KB", "size: 2GB"),
            "traffic.classes[2].size: expected a size of at most 1GB, found `2GB`",
        ),
        (
            ("cdn_egress: 0.05", "cdn_egress: -0.05"),
            "bad.yaml:16:31: transfer_prices.cdn_egress: expected dollars per GB >= 0, found -0.05",
        ),
        (
            ("inter_dc: 0.02", "inter_dc: .nan"),
            "transfer_prices.inter_dc: expected dollars per GB >= 0, found NaN",
        ),
        (
            ("cdn_egress: 0.05", "cdn: 0.05"),
            "transfer_prices.cdn: unknown field `cdn`",
        ),
    ] {
        let text = with_prices.replacen(edit.0, edit.1, 1);
        assert_ne!(text, with_prices, "test setup: {edit:?}");
        let (code, stderr) = validate(&text, &[]);
        assert_eq!(code, 1, "{edit:?}: {stderr}");
        assert!(stderr.contains(want), "{edit:?}: {stderr}");
    }
}
