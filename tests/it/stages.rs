//! Stages 09-11 and their failure scenarios: each shows its lesson in the figures, and
//! the stage files conserve requests, repeat byte for byte, and hold memory flat.

use crate::{extra, load, run_seed};
use scalesim::Report;
use scalesim::model::shard::ShardRouter;
use scalesim::report::csv::timeseries_csv;
use scalesim::report::json::to_json;
use scalesim::scenario::{ShardKey, ShardStrategy};

const S09: &str = "scenarios/09-message-queue.yaml";
const S10: &str = "scenarios/10-sharding.yaml";
const S11: &str = "scenarios/11-monitoring-and-autoscaling.yaml";
const F09: &str = "scenarios/failures/09-worker-crash.yaml";
const F10: &str = "scenarios/failures/10-shard-down.yaml";
const F11: &str = "scenarios/failures/11-spike-beyond-autoscaler.yaml";

/// Index of a component in the time series.
fn col(r: &Report, comp: &str) -> usize {
    r.timeseries
        .components
        .iter()
        .position(|c| c == comp)
        .unwrap_or_else(|| panic!("{comp} not in the time series"))
}

#[test]
fn stage_09_the_queue_decouples_writes_and_absorbs_the_burst() {
    let r = run_seed(&load(S09, &[]), 42);
    assert_eq!(r.requests.failed, 0, "{:?}", r.errors);
    // The web tier answers a write after the publish to its own data center's queue: the
    // round trip to the nearest data center (12 ms or 10 ms median each way), the session,
    // 4 ms of service and the publish - not the 120 ms job, nor the ocean to the primary
    // that a european write crossed inline in stage 08 (write p50 58.8 ms there).
    let write = &r.classes["write"].latency_ms;
    assert!(write.p50.unwrap() < 45.0, "{write:?}");
    assert!(write.p99.unwrap() < 100.0, "{write:?}");
    // One queue and worker pool per data center, each sized to its region's share; both
    // see the burst (60-75 s) and both must absorb it.
    for (queue, workers) in [("jobs-us", "workers-us"), ("jobs-eu", "workers-eu")] {
        // Publish to done includes the job and, in the burst, the wait in the backlog.
        let jobs = &r.components[queue].latency_ms;
        assert!(jobs.mean.unwrap() > 120.0, "{queue}: {jobs:?}");
        assert!(jobs.p99.unwrap() > 1_000.0, "{queue}: {jobs:?}");
        // The backlog grows during the burst and drains after it. Each queue takes its
        // region's share of the jobs (60% and 40%), so the bound is per queue what it was
        // for the single queue of one data center, scaled down: 750 rather than 1,000.
        assert!(extra(&r, queue, "backlog_max") > 750.0, "{queue}");
        assert_eq!(extra(&r, queue, "backlog_end"), 0.0, "{queue}");
        let q = col(&r, queue);
        let w = col(&r, workers);
        let backlog = |t: f64| {
            r.timeseries
                .rows
                .iter()
                .find(|row| row.t_s == t)
                .and_then(|row| row.backlog_mean[q])
                .unwrap()
        };
        assert!(
            backlog(50.0) < 5.0,
            "{queue} before the burst: {}",
            backlog(50.0)
        );
        assert!(
            backlog(74.0) > 750.0,
            "{queue} at the end of the burst: {}",
            backlog(74.0)
        );
        assert!(backlog(110.0) < 5.0, "{queue} drained: {}", backlog(110.0));
        let busy = r
            .timeseries
            .rows
            .iter()
            .find(|row| row.t_s == 74.0)
            .and_then(|row| row.utilization[w])
            .unwrap();
        assert!(busy > 0.98, "{workers} saturated in the burst: {busy}");
    }
    // Together the two backlogs hold what the single queue of one data center held.
    let total = extra(&r, "jobs-us", "backlog_max") + extra(&r, "jobs-eu", "backlog_max");
    assert!(total > 2_000.0, "{total}");
}

/// The shard of key 0 (the celebrity) among `shards`, as the scenario routes it.
fn celebrity_shard(shards: u32) -> u32 {
    ShardRouter::new(
        ShardStrategy::ConsistentHash,
        ShardKey::Key,
        shards,
        100_000,
        100,
    )
    .shard_of(0)
}

#[test]
fn stage_10_the_celebrity_makes_its_shard_the_hot_one() {
    let r = run_seed(&load(S10, &[]), 42);
    assert_eq!(r.requests.failed, 0, "{:?}", r.errors);
    assert_eq!(extra(&r, "db", "shards"), 4.0);
    let hot = celebrity_shard(4);
    let util = |s: u32| extra(&r, "db", &format!("shard{s}_utilization"));
    let others = (0..4).filter(|&s| s != hot).map(util).fold(0.0, f64::max);
    assert!(
        util(hot) > 1.4 * others,
        "shard {hot}: {} vs at most {others} elsewhere",
        util(hot)
    );
}

#[test]
fn stage_10_every_shard_reads_from_its_eu_west_replica() {
    // `replica_datacenters` places every shard's replicas: with europe's pages sent straight
    // to the database, a page from eu-west reads its shard's eu-west replica (10 ms median
    // to the user, no ocean), unless the placement puts both replicas in us-east, where
    // every read pays the 2 x 38 ms round trip across. The median moves by most of the 76 ms
    // (74 ms measured; the writes in the mix do not read).
    let eu_p50 = |placement: &str| {
        let sets = [
            "duration=20s",
            "warmup=5s",
            "web-eu.calls={page: [db], write: [jobs-eu]}",
            placement,
        ];
        let r = run_seed(&load(S10, &sets), 42);
        r.datacenters["eu-west"].latency_ms.p50.unwrap()
    };
    let local = eu_p50("db.replica_datacenters=[us-east, eu-west]");
    let remote = eu_p50("db.replica_datacenters=[us-east, us-east]");
    assert!(local < 45.0, "eu-west p50 with a local replica: {local}");
    assert!(
        remote > local + 0.9 * 76.0,
        "eu-west p50 {local} -> {remote}"
    );
}

#[test]
fn stage_11_the_web_tier_follows_the_ramp() {
    // The first 14 s: 20,000 req/s, then the ramp towards 250,000 begins at 3 s.
    let r = run_seed(&load(S11, &["duration=14s", "warmup=2s"]), 42);
    assert!(r.requests.offered > 500_000, "{:?}", r.requests);
    assert!(r.availability > 0.99, "{}", r.availability);
    // Each data center's web tier scales on its own; together they start at the 20
    // instances the single data center had, split by the regions' shares (60/40).
    for (group, start) in [("web-us", 12), ("web-eu", 8)] {
        assert!(extra(&r, group, "scale_outs") >= 1.0, "{group}");
        let web = col(&r, group);
        let first = r.timeseries.rows.first().unwrap().instances[web].unwrap();
        let last = r.timeseries.rows.last().unwrap().instances[web].unwrap();
        assert_eq!(first, start, "{group}");
        assert!(last > first, "{group}: instances {first} -> {last}");
    }
}

#[test]
fn failure_09_jobs_run_twice_but_none_is_lost() {
    let r = run_seed(&load(F09, &[]), 42);
    // No warm-up in this file: every job counts, and the identity is exact, in each data
    // center's queue.
    assert_eq!(r.warmup_s, 0.0);
    for queue in ["jobs-us", "jobs-eu"] {
        let published = extra(&r, queue, "published");
        let settled = extra(&r, queue, "acked")
            + extra(&r, queue, "dead_lettered")
            + extra(&r, queue, "backlog_end")
            + extra(&r, queue, "in_delivery_end");
        assert_eq!(
            published, settled,
            "{queue}: published = acked + dead + waiting + out"
        );
        // us-east takes 60% of the 2,500 req/s x 5% writes x 120 s, eu-west 40%.
        assert!(published > 5_000.0, "{queue}: {published}");
        assert_eq!(extra(&r, queue, "dead_lettered"), 0.0, "{queue}");
    }
    // The faults hit us-east's workers only.
    assert!(extra(&r, "jobs-us", "redelivered") > 0.0);
    assert!(
        extra(&r, "jobs-us", "duplicates") > 0.0,
        "the hung worker's jobs ran twice"
    );
    assert_eq!(extra(&r, "jobs-eu", "redelivered"), 0.0);
    assert_eq!(r.requests.failed, 0, "the web tier never notices");
}

/// Share of `page` requests (Zipf 1.0 over 100,000 keys, 5% to key 0) whose key lives on
/// `shard` of 4.
fn page_share(shard: u32) -> f64 {
    let router = ShardRouter::new(
        ShardStrategy::ConsistentHash,
        ShardKey::Key,
        4,
        100_000,
        100,
    );
    let n = 100_000u64;
    let h: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
    let zipf: f64 = (0..n)
        .filter(|&k| router.shard_of(k) == shard)
        .map(|k| 1.0 / (k + 1) as f64 / h)
        .sum();
    let hot = if router.shard_of(0) == shard {
        1.0
    } else {
        0.0
    };
    0.05 * hot + 0.95 * zipf
}

#[test]
fn failure_10_only_the_down_shards_keys_fail() {
    let r = run_seed(&load(F10, &[]), 42);
    assert!(r.requests.failed > 0);
    for s in [0, 2, 3] {
        assert_eq!(
            extra(&r, "db", &format!("shard{s}_failed")),
            0.0,
            "shard {s}"
        );
    }
    assert!(extra(&r, "db", "shard1_failed") > 0.0);
    let blamed: Vec<&String> = r.errors_by_component.keys().collect();
    assert_eq!(blamed, ["db"], "every failure is the database's");
    // Without the cache in front, the failed pages are shard 1's share of the page
    // traffic during the 30 s of the 100 s measured.
    let r = run_seed(
        &load(
            F10,
            &[
                "web-us.calls={page: [db], write: [jobs-us]}",
                "web-eu.calls={page: [db], write: [jobs-eu]}",
            ],
        ),
        42,
    );
    let page = &r.classes["page"];
    let expected = page.offered as f64 * 0.3 * page_share(1);
    let got = page.failed as f64;
    assert!(
        (got / expected - 1.0).abs() < 0.10,
        "failed pages {got}, expected {expected:.0} (share {:.3})",
        page_share(1)
    );
}

#[test]
fn failure_11_errors_last_only_until_the_new_instances_are_up() {
    let r = run_seed(&load(F11, &["duration=32s"]), 42);
    let ts = &r.timeseries;
    let spike = 20.0;
    // Interval 2 s + provisioning 4 s + cooldown 4 s.
    let bound = spike + 2.0 + 4.0 + 4.0;
    let failed: u64 = ts.rows.iter().map(|w| w.failed).sum();
    assert!(failed > 1_000, "the spike overloads the web tier: {failed}");
    for w in &ts.rows {
        if w.failed > 0 {
            assert!(
                w.t_s >= spike && w.t_s + ts.window_s <= bound,
                "failures at {} s, outside [{spike}, {bound})",
                w.t_s
            );
        }
    }
    let first = ts.scaling.first().expect("a scale-out");
    assert!(first.out && first.t_s > spike && first.t_s <= spike + 2.0);
    // Every failure is a web tier turning requests away, in both data centers.
    let mut at_web = 0;
    for group in ["web-us", "web-eu"] {
        let web = col(&r, group);
        let here: u64 = ts.rows.iter().map(|w| w.errors[web]).sum();
        assert!(here > 0, "{group} saturates too");
        at_web += here;
    }
    assert_eq!(at_web, failed);
}

#[test]
fn stages_09_to_11_conserve_and_repeat() {
    for (file, sets) in [
        (S09, vec!["duration=20s", "warmup=2s"]),
        (S10, vec!["duration=20s", "warmup=2s"]),
        (S11, vec!["duration=6s", "warmup=1s"]),
    ] {
        let sc = load(file, &sets);
        let (a, b) = (run_seed(&sc, 5), run_seed(&sc, 5));
        assert_eq!(to_json(&a), to_json(&b), "{file}");
        assert_eq!(timeseries_csv(&a), timeseries_csv(&b), "{file}");
        let q = a.requests;
        assert!(q.offered > 0, "{file}");
        assert_eq!(q.offered, q.completed + q.failed + q.in_flight, "{file}");
        // The per-component time series add up: arrivals at each web tier over the windows
        // cover its measured arrivals, and the failures blamed on components never exceed
        // the failures counted.
        for group in ["web-us", "web-eu"] {
            let web = col(&a, group);
            let arrivals: u64 = a.timeseries.rows.iter().map(|w| w.arrivals[web]).sum();
            assert!(arrivals >= a.components[group].arrivals, "{file}: {group}");
        }
        let failed: u64 = a.timeseries.rows.iter().map(|w| w.failed).sum();
        let blamed: u64 = a
            .timeseries
            .rows
            .iter()
            .map(|w| w.errors.iter().sum::<u64>())
            .sum();
        assert!(blamed <= failed, "{file}: {blamed} > {failed}");
        let other = run_seed(&sc, 6);
        assert_ne!(to_json(&a), to_json(&other), "{file}: another seed");
    }
}

#[test]
fn requests_in_flight_do_not_grow_with_the_duration() {
    // Stage 09 at its steady rate: doubling the simulated time doubles the requests, not
    // the slab.
    let steady = "traffic.profile=[{at: 0s, rate: 2500}]";
    let peak = |d: &str| {
        let r = run_seed(&load(S09, &[steady, d, "warmup=2s"]), 42);
        (r.engine.peak_in_flight, r.requests.offered)
    };
    let (short, n_short) = peak("duration=30s");
    let (long, n_long) = peak("duration=60s");
    assert!(n_long > 19 * n_short / 10, "{n_short} -> {n_long} requests");
    assert!(short > 0);
    assert!(
        long <= short + short / 10 + 16,
        "peak in flight {short} -> {long}"
    );
}
