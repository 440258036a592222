//! Sharding: keys spread over shards, hot keys make hot shards, resharding moves keys
//! (most of them with hash_mod, about 1/(N+1) with consistent hashing), and a shard
//! that is down fails only its own keys; a migration copies the moved keys in the
//! background at its rate, loading the source and target primaries.

use crate::{parse, run_seed};
use scalesim::Report;

fn extra(r: &Report, key: &str) -> f64 {
    crate::extra(r, "db", key)
}

fn sharded(strategy: &str, keys: &str, faults: &str) -> String {
    format!(
        "name: sharding
duration: 60s
warmup: 5s
traffic:
  rate: 4000
  classes:
    - {{name: read, weight: 0.8, keys: {keys}}}
    - {{name: write, weight: 0.2, keys: {keys}}}
network: {{hop: {{const: 0s}}}}
entry: db
components:
  db: {{kind: database, workers: 8, read: {{exp: 1ms}}, write: {{exp: 2ms}}, shards: 4, strategy: {strategy}}}
{faults}"
    )
}

fn shard_requests(r: &Report) -> Vec<f64> {
    (0..extra(r, "shards") as usize)
        .map(|s| extra(r, &format!("shard{s}_requests")))
        .collect()
}

#[test]
fn uniform_keys_spread_evenly_over_hash_shards() {
    let r = run_seed(&parse(&sharded("hash_mod", "{n: 100000}", "")), 1);
    let n = shard_requests(&r);
    let mean = n.iter().sum::<f64>() / 4.0;
    assert!(n.iter().all(|&x| (x - mean).abs() / mean < 0.03), "{n:?}");
}

#[test]
fn a_celebrity_key_makes_one_hot_shard() {
    // 30% of all requests go to key 0: its shard gets that on top of its quarter of the rest.
    let r = run_seed(&parse(&sharded("hash_mod", "{n: 100000, hot: 0.3}", "")), 1);
    let n = shard_requests(&r);
    let total: f64 = n.iter().sum();
    let hottest = n.iter().cloned().fold(0.0, f64::max);
    let want = 0.3 + 0.7 / 4.0;
    assert!(
        (hottest / total - want).abs() < 0.01,
        "hot shard share {} vs {want}",
        hottest / total
    );
    let util: Vec<f64> = (0..4)
        .map(|s| extra(&r, &format!("shard{s}_utilization")))
        .collect();
    let (hi, lo) = (
        util.iter().cloned().fold(0.0, f64::max),
        util.iter().cloned().fold(1.0, f64::min),
    );
    assert!(
        hi > 2.0 * lo,
        "one shard far busier than the others: {util:?}"
    );
}

#[test]
fn range_sharding_with_skewed_popularity_makes_the_first_shard_hot() {
    let r = run_seed(&parse(&sharded("range", "{n: 100000, zipf: 1.0}", "")), 1);
    let n = shard_requests(&r);
    assert!(
        n[0] > 2.0 * n[1] && n[0] > 2.0 * n[3],
        "popular low keys all land on shard 0: {n:?}"
    );
    let h = run_seed(
        &parse(&sharded("hash_mod", "{n: 100000, zipf: 1.0}", "")),
        1,
    );
    let n = shard_requests(&h);
    let mean = n.iter().sum::<f64>() / 4.0;
    assert!(
        n.iter().all(|&x| (x - mean).abs() / mean < 0.35),
        "hashing scatters popular keys: {n:?}"
    );
}

#[test]
fn resharding_moves_most_keys_with_hash_mod_and_a_fifth_with_consistent_hashing() {
    let add = "faults:\n  - {at: 30s, add_shard: db}\n";
    let h = run_seed(&parse(&sharded("hash_mod", "{n: 100000}", add)), 1);
    assert_eq!(extra(&h, "shards"), 5.0);
    let moved = extra(&h, "keys_moved_fraction");
    assert!(
        (moved - 0.8).abs() < 0.02,
        "hash_mod 4 -> 5 moves ~4/5 of the keys: {moved}"
    );
    let c = run_seed(&parse(&sharded("consistent_hash", "{n: 100000}", add)), 1);
    let moved = extra(&c, "keys_moved_fraction");
    assert!(
        (moved - 0.2).abs() < 0.06,
        "consistent hashing moves ~1/5: {moved}"
    );
    assert!(
        extra(&c, "shard4_requests") > 0.0,
        "the new shard takes traffic"
    );
    for r in [&h, &c] {
        let q = r.requests;
        assert_eq!(q.offered, q.completed + q.failed + q.in_flight);
        assert!(
            r.errors.is_empty(),
            "resharding loses nothing: {:?}",
            r.errors
        );
    }
}

#[test]
fn a_shard_down_fails_only_its_keys() {
    let r = run_seed(
        &parse(&sharded(
            "hash_mod",
            "{n: 100000}",
            "faults:\n  - {at: 20s, for: 20s, crash: \"db#2\"}\n",
        )),
        1,
    );
    let failed = r.requests.failed as f64;
    let during = r.requests.offered as f64 * 20.0 / 55.0;
    let share = failed / during;
    assert!(
        (share - 0.25).abs() < 0.02,
        "a quarter of the keys live on shard 2: {share}"
    );
    assert!(r.errors.contains_key("connection_refused"));
}

/// One shard of `workers` workers becomes two (range: the upper half of the keys moves),
/// while every request goes to key 0, which stays: the migration is the only work the new
/// shard sees.
fn one_to_two(migration: &str, fault_extra: &str) -> String {
    format!(
        "name: migration
duration: 30s
warmup: 5s
traffic:
  rate: 1000
  classes:
    - {{name: read, weight: 1, keys: {{n: 20000, hot: 1.0}}}}
network: {{hop: {{const: 0s}}}}
entry: db
components:
  db: {{kind: database, workers: 4, read: {{exp: 1ms}}, write: {{exp: 2ms}}, strategy: range}}
faults:
  - {{at: 5s, add_shard: db{migration}}}
{fault_extra}"
    )
}

fn conserved(r: &Report) {
    let q = r.requests;
    assert_eq!(q.offered, q.completed + q.failed + q.in_flight);
}

#[test]
fn a_migration_takes_keys_over_rate_and_loads_both_primaries() {
    // A batch of 50 keys: 50 ms at the source, then 50 ms at the target, within the
    // 100 ms the rate gives it.
    let (rate, cost_s, workers) = (500.0, 0.001, 4.0);
    let mig = ", migration: {rate: 500, batch: 50, cost: {const: 1ms}}";
    let r = run_seed(&parse(&one_to_two(mig, "")), 1);
    let moved = extra(&r, "keys_moved");
    assert_eq!(moved, 10_000.0);
    assert_eq!(extra(&r, "migration_keys"), moved);
    assert_eq!(extra(&r, "migration_pending"), 0.0);
    // The copy is paced at `rate`; the last batch ends within one batch of keys / rate.
    let took = extra(&r, "migration_s");
    let want = moved / rate;
    assert!(
        (took - want).abs() / want < 0.02,
        "migration_s {took} vs keys_moved / rate = {want}"
    );
    // Utilization over the measured 25 s; the migration's share lasts `took` of them.
    let measured = 25.0;
    let rise = rate * cost_s / workers;
    let target = extra(&r, "shard1_utilization") * measured / took;
    assert!(
        (target - rise).abs() / rise < 0.05,
        "target primary busy {target} during the copy vs rate x cost / workers = {rise}"
    );
    let base = run_seed(&parse(&one_to_two("", "")), 1);
    assert_eq!(extra(&base, "shard1_utilization"), 0.0);
    let source =
        (extra(&r, "shard0_utilization") - extra(&base, "shard0_utilization")) * measured / took;
    assert!(
        (source - rise).abs() / rise < 0.1,
        "source primary rises by {source} during the copy vs rate x cost / workers = {rise}"
    );
    // User requests queue behind the copy: the source's p99 grows.
    assert!(extra(&r, "shard0_p99_ms") > extra(&base, "shard0_p99_ms"));
    conserved(&r);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

#[test]
fn hash_mod_migrates_about_four_times_longer_than_consistent_hashing() {
    let add =
        "faults:\n  - {at: 5s, add_shard: db, migration: {rate: 4000, cost: {const: 100us}}}\n";
    let h = run_seed(&parse(&sharded("hash_mod", "{n: 40000}", add)), 1);
    let c = run_seed(&parse(&sharded("consistent_hash", "{n: 40000}", add)), 1);
    let keys = extra(&h, "migration_keys") / extra(&c, "migration_keys");
    let time = extra(&h, "migration_s") / extra(&c, "migration_s");
    assert!(
        (keys - 4.0).abs() < 1.2,
        "hash_mod moves ~4x the keys: {keys}"
    );
    assert!(
        (time - keys).abs() / keys < 0.1,
        "at the same rate the migration takes as much longer: {time} vs {keys}"
    );
    for (r, s) in [(&h, "hash_mod"), (&c, "consistent_hash")] {
        let want = extra(r, "keys_moved") / 4000.0;
        let took = extra(r, "migration_s");
        assert!((took - want).abs() / want < 0.05, "{s}: {took} vs {want}");
        conserved(r);
        assert!(r.errors.is_empty(), "{s}: {:?}", r.errors);
    }
}

#[test]
fn a_migration_survives_a_crash_of_its_source() {
    // Reads and writes on every key; the source primary crashes mid-copy and the
    // interrupted batch starts over once it is back.
    let text = one_to_two(
        ", migration: {rate: 1000, cost: {const: 1ms}}",
        "  - {at: 8s, for: 2s, crash: \"db#0\"}\n",
    )
    .replace("{name: read, weight: 1, keys: {n: 20000, hot: 1.0}}", "{name: read, weight: 0.5, keys: {n: 20000}}\n    - {name: write, weight: 0.5, keys: {n: 20000}}");
    let r = run_seed(&parse(&text), 3);
    assert_eq!(extra(&r, "migration_keys"), extra(&r, "keys_moved"));
    assert_eq!(extra(&r, "migration_pending"), 0.0);
    assert!(extra(&r, "migration_s") > 10.0, "the crash delays the copy");
    assert!(extra(&r, "shard1_requests") > 0.0);
    conserved(&r);
}

#[test]
fn a_migration_still_running_at_the_end_is_reported_as_pending() {
    let r = run_seed(&parse(&one_to_two(", migration: {rate: 100}", "")), 1);
    let pending = extra(&r, "migration_pending");
    assert!(pending > 0.0);
    assert_eq!(
        extra(&r, "migration_keys") + pending,
        extra(&r, "keys_moved")
    );
    assert!((extra(&r, "migration_s") - 25.0).abs() < 1e-6);
    conserved(&r);
}

#[test]
fn a_second_add_shard_settles_the_running_migration_first() {
    let r = run_seed(
        &parse(&one_to_two(
            ", migration: {rate: 500}",
            "  - {at: 10s, add_shard: db, migration: {rate: 5000}}\n",
        )),
        1,
    );
    assert_eq!(extra(&r, "reshards"), 2.0);
    assert_eq!(extra(&r, "shards"), 3.0);
    assert_eq!(extra(&r, "migration_pending"), 0.0);
    // The first copy ran 5 s at 500 keys/s before the second add settled its rest.
    let first_copied = 2_500.0;
    let second = extra(&r, "migration_keys") - first_copied;
    assert!(
        second > 0.0 && extra(&r, "migration_keys") < extra(&r, "keys_moved"),
        "{:?}",
        r.components["db"].extra
    );
    let took = extra(&r, "migration_s");
    let want = 5.0 + second / 5_000.0;
    assert!(
        (took - want).abs() / want < 0.03,
        "migration_s {took} vs {want}"
    );
    conserved(&r);
}
