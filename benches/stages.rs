//! Stage benchmarks: simulated requests per wall second through the full scenario path
//! (parse once, then build the model and run it), one core.
//!
//! One element of throughput is one request offered by the traffic source during the run
//! (warm-up included), so criterion's "elements/s" reads as simulated requests per wall
//! second. The runs are shortened with overrides so that each iteration takes well under a
//! second; the per-request cost does not depend on the duration. Stage 11 runs whole, in a
//! group of its own (about ten seconds per run), beside its design at a million requests
//! per second (`scenarios/validation/million-rps.yaml`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scalesim::{Override, RunOptions, Scenario};

fn scenario(rel: &str, sets: &[&str]) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).expect("scenario file");
    let ovs: Vec<Override> = sets.iter().map(|s| s.parse().expect("override")).collect();
    Scenario::parse(&text, rel, &ovs).expect("valid scenario")
}

/// Requests the source offers in one run (counted once, outside the timing).
fn offered(sc: &Scenario) -> u64 {
    let r = scalesim::run(
        sc,
        &RunOptions {
            seed: None,
            no_wall_clock: true,
            ..Default::default()
        },
    )
    .expect("within the run-time bounds");
    r.timeseries.rows.iter().map(|w| w.offered).sum()
}

fn bench(c: &mut Criterion) {
    let short = vec!["duration=60s", "warmup=5s"];
    let cases = [
        (
            "mm1_rho0.9",
            "scenarios/validation/mm1-rho0.9.yaml",
            vec!["duration=200s", "warmup=10s"],
        ),
        (
            "stage03_load_balancer",
            "scenarios/03-load-balancer.yaml",
            short.clone(),
        ),
        (
            "stage04_database_replication",
            "scenarios/04-database-replication.yaml",
            short.clone(),
        ),
        ("stage05_cache", "scenarios/05-cache.yaml", short.clone()),
        ("stage06_cdn", "scenarios/06-cdn.yaml", short.clone()),
        (
            "stage07_stateless_web_tier",
            "scenarios/07-stateless-web-tier.yaml",
            short.clone(),
        ),
        (
            "stage08_multi_datacenter",
            "scenarios/08-multi-datacenter.yaml",
            short.clone(),
        ),
        (
            "stage09_message_queue",
            "scenarios/09-message-queue.yaml",
            short.clone(),
        ),
        (
            "stage10_sharding",
            "scenarios/10-sharding.yaml",
            short.clone(),
        ),
        (
            "failure_retry_storm",
            "scenarios/failures/retry-storm.yaml",
            vec![
                "duration=60s",
                "warmup=5s",
                "faults=[{at: 20s, for: 10s, slow: web, factor: 2}]",
            ],
        ),
        (
            "autoscale_ramp",
            "scenarios/validation/autoscale-ramp.yaml",
            vec![],
        ),
    ];
    let mut g = c.benchmark_group("stages");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    for (name, file, sets) in &cases {
        let sc = scenario(file, sets);
        g.throughput(Throughput::Elements(offered(&sc)));
        let opts = RunOptions {
            seed: None,
            no_wall_clock: true,
            ..Default::default()
        };
        g.bench_function(*name, |b| {
            b.iter(|| black_box(scalesim::run(black_box(&sc), &opts)))
        });
    }
    g.finish();

    // Stage 11 as shipped: its ramp to 250,000 req/s, 5.1 million requests per run, about
    // 11 s each. A slice at the peak rate would start cold (every user's first DNS lookup,
    // an empty cache) and measure that instead; the whole run is the honest figure, at the
    // price of a long benchmark (10 runs).
    let mut g = c.benchmark_group("stage11");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .warm_up_time(Duration::from_secs(1));
    let sc = scenario("scenarios/11-monitoring-and-autoscaling.yaml", &[]);
    g.throughput(Throughput::Elements(offered(&sc)));
    let opts = RunOptions {
        seed: None,
        no_wall_clock: true,
        ..Default::default()
    };
    g.bench_function("stage11_monitoring_and_autoscaling", |b| {
        b.iter(|| black_box(scalesim::run(black_box(&sc), &opts)))
    });
    // Stage 11's design at a steady million requests per second (5 million requests, 6 s
    // simulated, about 56 million events): the figure to read is wall seconds per simulated
    // second, criterion's time divided by 6.
    let sc = scenario("scenarios/validation/million-rps.yaml", &[]);
    g.throughput(Throughput::Elements(offered(&sc)));
    g.bench_function("stage11_at_a_million_rps", |b| {
        b.iter(|| black_box(scalesim::run(black_box(&sc), &opts)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
