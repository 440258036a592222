//! Generated scenarios: proptest writes valid scenario files as YAML text (a load balancer in
//! front of servers, an optional cache, a database; one to three classes; random counts,
//! workers, queues, service distributions, retries and faults) and checks what holds for
//! every scenario: it validates, a run conserves requests (overall and per class), the same
//! seed gives the same JSON, and a scenario that validated runs without a panic.
//!
//! Cases are short (2 to 4 s of simulated time at up to 300 requests per second), so the
//! whole property takes a few seconds in release mode.

use std::fmt::Write;

use proptest::prelude::*;

use scalesim::Scenario;
use scalesim::report::json::to_json;

use crate::run_seed;

/// Cases per run of the property (about 2 s in release mode).
const CASES: u32 = 256;

/// A distribution of durations around `mean_us` microseconds, of a random family.
fn dist(mean_us: u64) -> impl Strategy<Value = String> {
    let m = mean_us.max(2);
    prop_oneof![
        Just(format!("{{const: {m}us}}")),
        Just(format!("{{exp: {m}us}}")),
        Just(format!("{{uniform: [{}us, {}us]}}", m / 2, m + m / 2)),
        (0u32..=20).prop_map(move |cv| format!(
            "{{lognormal: {{mean: {m}us, cv: {}}}}}",
            f64::from(cv) / 10.0
        )),
        (1u32..=8).prop_map(move |k| format!("{{erlang: {{k: {k}, mean: {m}us}}}}")),
        (11u32..=40).prop_map(move |s| format!(
            "{{pareto: {{scale: {}us, shape: {}}}}}",
            m / 2,
            f64::from(s) / 10.0
        )),
        Just(format!("{{normal: {{mean: {m}us, sd: {}us}}}}", m / 3)),
        Just(format!("{{empirical: [{}us, {m}us, {}us]}}", m / 2, m * 2)),
    ]
}

/// A waiting room: `unbounded` or 0 to 50 places.
fn queue() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("unbounded".to_string()),
        (0u32..=50).prop_map(|q| q.to_string())
    ]
}

#[derive(Debug, Clone)]
struct Class {
    weight: u32,
    write: bool,
    keys: Option<(u32, u32)>,
    /// 0: no calls, 1: [db], 2: [cache] (db without a cache), 3: [cache, db].
    calls: u8,
}

fn class() -> impl Strategy<Value = Class> {
    (
        1u32..=10,
        any::<bool>(),
        prop::option::of((1u32..=5_000, 0u32..=15)),
        0u8..=3,
    )
        .prop_map(|(weight, write, keys, calls)| Class {
            weight,
            write,
            keys,
            calls,
        })
}

/// A fault; `at` is in thousandths of the run's duration, so it falls inside the run.
#[derive(Debug, Clone)]
enum Fault {
    CrashWeb {
        at_ms: u32,
        for_ms: u32,
        inst: u32,
    },
    SlowWeb {
        at_ms: u32,
        for_ms: u32,
        factor: u32,
    },
    CrashDb {
        at_ms: u32,
        for_ms: u32,
    },
    Flush {
        at_ms: u32,
    },
}

impl Fault {
    /// The fault with `at` turned into milliseconds of a run of `duration_s` seconds.
    fn scaled(self, duration_s: u32) -> Fault {
        match self {
            Fault::CrashWeb {
                at_ms,
                for_ms,
                inst,
            } => Fault::CrashWeb {
                at_ms: at_ms * duration_s,
                for_ms,
                inst,
            },
            Fault::SlowWeb {
                at_ms,
                for_ms,
                factor,
            } => Fault::SlowWeb {
                at_ms: at_ms * duration_s,
                for_ms,
                factor,
            },
            Fault::CrashDb { at_ms, for_ms } => Fault::CrashDb {
                at_ms: at_ms * duration_s,
                for_ms,
            },
            Fault::Flush { at_ms } => Fault::Flush {
                at_ms: at_ms * duration_s,
            },
        }
    }
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        (0u32..1000, 1u32..2000, 0u32..4).prop_map(|(at_ms, for_ms, inst)| Fault::CrashWeb {
            at_ms,
            for_ms,
            inst
        }),
        (0u32..1000, 1u32..2000, 2u32..20).prop_map(|(at_ms, for_ms, factor)| Fault::SlowWeb {
            at_ms,
            for_ms,
            factor
        }),
        (0u32..1000, 1u32..2000).prop_map(|(at_ms, for_ms)| Fault::CrashDb { at_ms, for_ms }),
        (0u32..1000).prop_map(|at_ms| Fault::Flush { at_ms }),
    ]
}

const POLICIES: [&str; 6] = [
    "round_robin",
    "random",
    "least_connections",
    "power_of_two",
    "hash",
    "sticky",
];
const EVICTIONS: [&str; 4] = ["lru", "lfu", "fifo", "random"];

/// A valid scenario, as YAML text.
fn scenario() -> impl Strategy<Value = String> {
    let head = (
        any::<u64>(),
        2u32..=4,
        0u32..=1,
        10u32..=300,
        prop::option::of(20u32..=2_000),
        prop::option::of((0u32..=3, 0u32..=50_000)),
        prop::collection::vec(class(), 1..=3),
    );
    let web = (
        0usize..POLICIES.len(),
        prop::option::of(50u32..=1_000),
        1u32..=4,
        1u32..=16,
        queue(),
        (100u64..=20_000).prop_flat_map(dist),
    );
    let data = (
        prop::option::of((
            1u32..=2_000,
            0usize..EVICTIONS.len(),
            prop::option::of(1u32..=5),
        )),
        1u32..=16,
        queue(),
        (100u64..=10_000).prop_flat_map(dist),
        (100u64..=20_000).prop_flat_map(dist),
        0u32..=2,
        prop::collection::vec(fault(), 0..=2),
    );
    (head, web, data).prop_map(|(head, web, data)| {
        let (seed, duration_s, warmup_s, rate, timeout_ms, retries, classes) = head;
        let (policy, health_ms, count, workers, web_queue, service) = web;
        let (cache, db_workers, db_queue, read, write, replicas, faults) = data;
        let mut y = String::new();
        let w = &mut y;
        writeln!(w, "name: generated").unwrap();
        writeln!(w, "seed: {seed}").unwrap();
        writeln!(w, "duration: {duration_s}s").unwrap();
        writeln!(w, "warmup: {warmup_s}s").unwrap();
        writeln!(w, "traffic:\n  users: 500\n  rate: {rate}").unwrap();
        if let Some(t) = timeout_ms {
            writeln!(w, "  timeout: {t}ms").unwrap();
        }
        if let Some((max, backoff_us)) = retries {
            writeln!(w, "  retries: {{max: {max}, backoff: {{exp: {}us}}}}", backoff_us + 1)
                .unwrap();
        }
        writeln!(w, "  classes:").unwrap();
        for (i, c) in classes.iter().enumerate() {
            let op = if c.write { "write" } else { "read" };
            write!(w, "    - {{name: c{i}, weight: {}, op: {op}", c.weight).unwrap();
            if let Some((n, zipf)) = c.keys {
                write!(w, ", keys: {{n: {n}, zipf: {}}}", f64::from(zipf) / 10.0).unwrap();
            }
            writeln!(w, "}}").unwrap();
        }
        writeln!(w, "entry: lb\ncomponents:").unwrap();
        write!(w, "  lb: {{kind: load_balancer, policy: {}, to: web", POLICIES[policy]).unwrap();
        if let Some(h) = health_ms {
            write!(w, ", health_check: {{interval: {h}ms}}").unwrap();
        }
        writeln!(w, "}}").unwrap();
        writeln!(w, "  web:\n    kind: server\n    count: {count}\n    workers: {workers}").unwrap();
        writeln!(w, "    queue: {web_queue}\n    service: {service}").unwrap();
        writeln!(w, "    calls:").unwrap();
        for (i, c) in classes.iter().enumerate() {
            let calls = match (c.calls, cache.is_some()) {
                (0, _) => "[]",
                (1, _) | (2 | 3, false) => "[db]",
                (2, true) => "[cache]",
                _ => "[cache, db]",
            };
            writeln!(w, "      c{i}: {calls}").unwrap();
        }
        if let Some((capacity, eviction, ttl_s)) = cache {
            write!(
                w,
                "  cache: {{kind: cache, capacity: {capacity}, policy: {}, latency: {{const: 200us}}, miss: db",
                EVICTIONS[eviction]
            )
            .unwrap();
            if let Some(t) = ttl_s {
                write!(w, ", ttl: {t}s").unwrap();
            }
            writeln!(w, "}}").unwrap();
        }
        writeln!(w, "  db:\n    kind: database\n    workers: {db_workers}\n    queue: {db_queue}")
            .unwrap();
        writeln!(w, "    read: {read}\n    write: {write}\n    replicas: {replicas}").unwrap();
        if replicas > 0 {
            writeln!(w, "    replication_lag: {{exp: 10ms}}").unwrap();
        }
        let faults: Vec<String> = faults
            .iter()
            .filter_map(|f| match f.clone().scaled(duration_s) {
                Fault::CrashWeb { at_ms, for_ms, inst } => Some(format!(
                    "{{at: {at_ms}ms, for: {for_ms}ms, crash: \"web#{}\"}}",
                    inst % count
                )),
                Fault::SlowWeb {
                    at_ms,
                    for_ms,
                    factor,
                } => Some(format!(
                    "{{at: {at_ms}ms, for: {for_ms}ms, slow: web, factor: {factor}}}"
                )),
                Fault::CrashDb { at_ms, for_ms } => {
                    Some(format!("{{at: {at_ms}ms, for: {for_ms}ms, crash: db}}"))
                }
                Fault::Flush { at_ms } => cache
                    .is_some()
                    .then(|| format!("{{at: {at_ms}ms, flush: cache}}")),
            })
            .collect();
        if !faults.is_empty() {
            writeln!(w, "faults:").unwrap();
            for f in faults {
                writeln!(w, "  - {f}").unwrap();
            }
        }
        y
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn generated_scenarios_validate_conserve_and_repeat(text in scenario()) {
        let sc = Scenario::parse(&text, "generated", &[])
            .unwrap_or_else(|e| panic!("a generated scenario must validate: {e}\n{text}"));
        let r = run_seed(&sc, sc.seed);
        let q = r.requests;
        prop_assert!(q.offered > 0, "no traffic\n{}", text);
        prop_assert_eq!(q.offered, q.completed + q.failed + q.in_flight, "{}", text);
        prop_assert_eq!(r.errors.values().sum::<u64>(), q.failed, "errors by cause\n{}", text);
        let (mut offered, mut completed, mut failed) = (0, 0, 0);
        for (name, c) in &r.classes {
            prop_assert!(c.completed + c.failed <= c.offered, "class {}\n{}", name, text);
            offered += c.offered;
            completed += c.completed;
            failed += c.failed;
        }
        prop_assert_eq!(offered, q.offered, "class offered adds up\n{}", text);
        prop_assert_eq!(completed, q.completed, "class completed adds up\n{}", text);
        prop_assert_eq!(failed, q.failed, "class failed adds up\n{}", text);
        let again = run_seed(&sc, sc.seed);
        prop_assert!(to_json(&r) == to_json(&again), "same seed, other JSON\n{}", text);
    }
}
