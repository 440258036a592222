//! The lessons of the failure variants added with the capacity ladder, each stated as a
//! claim about its numbers: the failure runs where the tier that absorbs it is near its
//! capacity, so the lesson shows.

use crate::{extra, load, run_seed, windows};
use scalesim::Report;

fn col(r: &Report, comp: &str) -> usize {
    r.timeseries
        .components
        .iter()
        .position(|c| c == comp)
        .unwrap_or_else(|| panic!("no column {comp}"))
}

fn mean_util(r: &Report, comp: &str, from: f64, to: f64) -> f64 {
    let c = col(r, comp);
    let ws = windows(r, from, to);
    ws.iter()
        .map(|w| w.utilization[c].unwrap_or(0.0))
        .sum::<f64>()
        / ws.len() as f64
}

fn failed(r: &Report, from: f64, to: f64) -> u64 {
    windows(r, from, to).iter().map(|w| w.failed).sum()
}

#[test]
fn a_cache_flush_overloads_a_database_sized_for_the_misses() {
    let r = run_seed(
        &load("scenarios/failures/05-cache-flush.yaml", &["duration=70s"]),
        42,
    );
    // Before: the replicas busy (79% on average) but almost nothing fails.
    let before = failed(&r, 20.0, 60.0);
    assert!(before < 200, "{before} failed before the flush");
    // The 2 s after: the database saturates and thousands of requests are turned away.
    let db = mean_util(&r, "db", 60.75, 61.75);
    assert!(db > 0.9, "db utilization after the flush: {db:.2}");
    let stampede = failed(&r, 60.0, 62.0);
    assert!(
        stampede > 2_000,
        "{stampede} failed in the 2 s after the flush"
    );
    let p99 = |from, to| {
        windows(&r, from, to)
            .iter()
            .filter_map(|w| w.p99_ms)
            .fold(0.0, f64::max)
    };
    assert!(p99(60.0, 61.0) > 1.25 * p99(50.0, 58.0), "the tail rises");
    // Then the cache refills and the failures stop.
    let after = failed(&r, 63.0, 70.0);
    assert!(after < 200, "{after} failed from 63 s on");
}

#[test]
fn a_cdn_outage_overloads_an_origin_near_its_capacity() {
    let r = run_seed(
        &load("scenarios/failures/06-cdn-outage.yaml", &["duration=100s"]),
        42,
    );
    assert_eq!(failed(&r, 30.0, 60.0), 0, "no failure before the outage");
    let during = failed(&r, 61.0, 90.0);
    assert!(during > 2_000, "the origin turns requests away: {during}");
    assert!(mean_util(&r, "web", 61.0, 90.0) > 0.97);
    assert_eq!(failed(&r, 92.0, 100.0), 0, "recovered once the CDN is back");
    let normal = run_seed(
        &load(
            "scenarios/06-cdn.yaml",
            &["duration=100s", "traffic.rate=16500"],
        ),
        42,
    );
    // 30 s of ~6,600 static req/s, ~70% of which the edge would have answered.
    let extra_at_origin =
        r.components["web"].arrivals as f64 - normal.components["web"].arrivals as f64;
    assert!(extra_at_origin > 100_000.0, "{extra_at_origin}");
}

#[test]
fn round_robin_with_local_sessions_collapses_where_the_store_does_not() {
    let sets = ["duration=40s"];
    let rr = run_seed(
        &load(
            "scenarios/failures/07-round-robin-local-sessions.yaml",
            &sets,
        ),
        42,
    );
    let store = run_seed(
        &load(
            "scenarios/07-stateless-web-tier.yaml",
            &["duration=40s", "traffic.rate=19000"],
        ),
        42,
    );
    assert!(extra(&rr, "web", "sessions_lost") > 50_000.0);
    assert!(rr.availability < 0.8, "{}", rr.availability);
    assert!(store.availability > 0.999, "{}", store.availability);
}

#[test]
fn losing_the_primary_data_center_fails_and_loses_writes() {
    let r = run_seed(
        &load(
            "scenarios/failures/08-primary-datacenter-down.yaml",
            &["duration=100s"],
        ),
        42,
    );
    assert_eq!(extra(&r, "db", "promotions"), 1.0);
    assert!(
        extra(&r, "db", "lost_writes") >= 10.0,
        "the eu-west replica lags by the ocean: {}",
        extra(&r, "db", "lost_writes")
    );
    assert!(
        r.classes["write"].failed > 1_000,
        "writes fail until the promotion"
    );
    // Europe's users keep being served from eu-west.
    let eu = &r.regions["europe"];
    let na = &r.regions["north-america"];
    assert!(
        eu.availability > na.availability,
        "{} vs {}",
        eu.availability,
        na.availability
    );
}

#[test]
fn the_celebrity_shard_saturates_while_its_peers_idle() {
    let r = run_seed(
        &load(
            "scenarios/failures/10-celebrity-shard.yaml",
            &["duration=30s"],
        ),
        42,
    );
    let u: Vec<f64> = (0..4)
        .map(|i| extra(&r, "db", &format!("shard{i}_utilization")))
        .collect();
    let hot = (0..4).max_by(|&a, &b| u[a].total_cmp(&u[b])).unwrap();
    for (i, x) in u.iter().enumerate() {
        if i != hot {
            assert!(
                u[hot] > 2.5 * x,
                "shard{hot} {:.2} vs shard{i} {x:.2}",
                u[hot]
            );
            assert!(*x < 0.3, "shard{i} idles: {x:.2}");
        }
    }
    // A shard's figure is the mean over a primary (nearly idle) and two replicas: ~0.55
    // means its replicas are near full.
    assert!(u[hot] > 0.5, "{:.2}", u[hot]);
    assert!(r.requests.failed > 1_000, "its queues overflow");
}

#[test]
fn resharding_moves_a_fifth_of_the_keys_in_the_background() {
    let r = run_seed(
        &load("scenarios/failures/10-resharding.yaml", &["duration=60s"]),
        42,
    );
    let frac = extra(&r, "db", "keys_moved_fraction");
    assert!((frac - 0.2).abs() < 0.05, "about 1/(N+1): {frac}");
    let secs = extra(&r, "db", "migration_s");
    let expect = extra(&r, "db", "keys_moved") / 1000.0;
    assert!(
        (secs - expect).abs() < 2.0,
        "{secs} s for {expect} s of keys"
    );
    assert_eq!(extra(&r, "db", "migration_pending"), 0.0);
    assert_eq!(r.requests.failed, 0);
}
