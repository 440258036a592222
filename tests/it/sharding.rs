//! Sharding: keys spread over shards, hot keys make hot shards, resharding moves keys
//! (most of them with hash_mod, about 1/(N+1) with consistent hashing), and a shard
//! that is down fails only its own keys.

use crate::{parse, run_seed};
use scalesim::Report;

fn extra(r: &Report, key: &str) -> f64 {
    *r.components["db"]
        .extra
        .get(key)
        .unwrap_or_else(|| panic!("db.{key} missing: {:?}", r.components["db"].extra))
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
