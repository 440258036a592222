//! `--set` parsing: arbitrary text, one override per line, applied to a shipped scenario
//! (picked by the first byte). Parsing an override and applying it must give `Ok` or `Err`,
//! never a panic; a result that validates is run briefly and must conserve requests.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scalesim::{Override, Scenario};

/// Shipped scenarios the overrides apply to: a range of kinds (servers, caches, databases,
/// replication, a cdn, data centers, a queue, shards, autoscaling, faults).
const BASES: [(&str, &str); 8] = [
    (
        "01-single-server.yaml",
        include_str!("../../scenarios/01-single-server.yaml"),
    ),
    (
        "03-load-balancer.yaml",
        include_str!("../../scenarios/03-load-balancer.yaml"),
    ),
    (
        "05-cache.yaml",
        include_str!("../../scenarios/05-cache.yaml"),
    ),
    ("06-cdn.yaml", include_str!("../../scenarios/06-cdn.yaml")),
    (
        "08-multi-datacenter.yaml",
        include_str!("../../scenarios/08-multi-datacenter.yaml"),
    ),
    (
        "09-message-queue.yaml",
        include_str!("../../scenarios/09-message-queue.yaml"),
    ),
    (
        "10-sharding.yaml",
        include_str!("../../scenarios/10-sharding.yaml"),
    ),
    (
        "failures/05-cache-flush.yaml",
        include_str!("../../scenarios/failures/05-cache-flush.yaml"),
    ),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (source, text) = BASES[pick as usize % BASES.len()];
    let input = String::from_utf8_lossy(rest);
    let ovs: Vec<Override> = input.lines().filter_map(|l| l.parse().ok()).collect();
    if Scenario::parse(text, source, &ovs).is_ok() {
        scalesim_fuzz::run_short(text, source, &ovs);
    }
});
