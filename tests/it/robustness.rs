//! Robustness: mutated versions of every shipped scenario either validate or give located
//! errors, and the ones that validate run to completion; nothing panics or hangs. Plus edge
//! cases a user will plausibly write (rate 0, one user, empty caches and queues, ...).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use scalesim::engine::time::SimTime;
use scalesim::scenario::Arrival;
use scalesim::{Override, Report, Scenario};

use crate::{all_scenarios, root, run_seed};

/// Values that break assumptions: zero, negative, huge, empty, wrong type, odd units.
const NASTY: [&str; 21] = [
    "0",
    "-1",
    "1e308",
    "18446744073709551616",
    "\"\"",
    "abc",
    "0s",
    "1ns",
    "1000000h",
    "null",
    "[]",
    "{}",
    "0%",
    "101%",
    "nan",
    ".inf",
    "-0",
    "4294967296",
    "1e-300",
    "-1s",
    "0.0000001",
];

/// Mutants generated per scenario file.
const MUTANTS_PER_SCENARIO: usize = 50;
/// The longest a mutant may take to validate and run before it counts as a hang.
const HANG_LIMIT: Duration = Duration::from_secs(30);
/// Runs longer than this are shortened to it (through the duration override) when they can be.
const SHORT_RUN: SimTime = SimTime::from_secs(2);

/// The rate, requests per second, of runs that cannot be shortened.
const THIN_RATE: f64 = 100.0;
/// Above this rate, requests per second, a run is shortened to a tenth of [`SHORT_RUN`].
const BUSY_RATE: f64 = 300_000.0;

/// Byte spans of the scalar values in `text`: what follows `key: ` up to the end of the
/// value (`,`, `}`, `]`, a comment or the end of the line), and block list items `- value`.
fn scalar_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.split('#').next().unwrap_or("");
        let bytes = body.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let starts_value = (bytes[i] == b':' && bytes.get(i + 1) == Some(&b' '))
                || (bytes[i] == b'-'
                    && bytes.get(i + 1) == Some(&b' ')
                    && body[..i].trim().is_empty());
            if starts_value {
                let mut s = i + 2;
                while s < bytes.len() && bytes[s] == b' ' {
                    s += 1;
                }
                let mut e = s;
                while e < bytes.len() && !b",}]\n\r".contains(&bytes[e]) {
                    e += 1;
                }
                let value = body[s..e].trim_end();
                let first = value.bytes().next();
                if !value.is_empty()
                    && !matches!(first, Some(b'{' | b'[' | b'>' | b'|' | b'&' | b'*'))
                    && !value.contains(": ")
                {
                    spans.push((line_start + s, line_start + s + value.len()));
                }
                i = s.max(i + 1);
            } else {
                i += 1;
            }
        }
        line_start += line.len();
    }
    spans
}

/// One random mutation of `text`.
fn mutate(text: &str, spans: &[(usize, usize)], rng: &mut Xoshiro256PlusPlus) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let pick_line = |rng: &mut Xoshiro256PlusPlus| rng.random_range(0..lines.len());
    match rng.random_range(0..7u32) {
        0 => {
            let i = pick_line(rng);
            lines
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, l)| *l)
                .collect()
        }
        1 => {
            let i = pick_line(rng);
            let mut out = String::new();
            for (j, l) in lines.iter().enumerate() {
                out.push_str(l);
                if j == i {
                    if !l.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(l);
                }
            }
            out
        }
        2 | 3 if !spans.is_empty() => {
            let (s, e) = spans[rng.random_range(0..spans.len())];
            let nasty = NASTY[rng.random_range(0..NASTY.len())];
            format!("{}{nasty}{}", &text[..s], &text[e..])
        }
        4 if spans.len() >= 2 => {
            let a = spans[rng.random_range(0..spans.len())];
            let b = spans[rng.random_range(0..spans.len())];
            let (a, b) = if a.0 <= b.0 { (a, b) } else { (b, a) };
            if a == b || a.1 > b.0 {
                return text.to_string();
            }
            format!(
                "{}{}{}{}{}",
                &text[..a.0],
                &text[b.0..b.1],
                &text[a.1..b.0],
                &text[a.0..a.1],
                &text[b.1..]
            )
        }
        5 => {
            // Cut inside the scenario proper, after the opening comment block.
            let body = lines
                .iter()
                .take_while(|l| l.starts_with('#') || l.trim().is_empty())
                .map(|l| l.len())
                .sum::<usize>();
            let mut cut = rng.random_range(body..=text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_string()
        }
        _ => {
            let i = pick_line(rng);
            let delta = rng.random_range(0..4u32);
            let mut out = String::new();
            for (j, l) in lines.iter().enumerate() {
                if j == i {
                    match delta {
                        0 => out.push(' '),
                        1 => out.push_str("  "),
                        2 => {
                            out.push_str(l.strip_prefix(' ').unwrap_or(l));
                            continue;
                        }
                        _ => {
                            out.push_str(l.strip_prefix("  ").unwrap_or(l));
                            continue;
                        }
                    }
                }
                out.push_str(l);
            }
            out
        }
    }
}

/// What became of one mutant.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The scenario was rejected with a located error.
    Rejected,
    /// It validated and ran (possibly shortened).
    Ran,
    /// It validated but could not be shortened, so it was not run.
    NotRun,
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "<non-string panic>".into())
}

/// Every request is accounted for once, failures add up by cause, and the headline figures
/// are numbers.
pub(crate) fn check_conservation(r: &Report) -> Result<(), String> {
    let q = r.requests;
    if q.offered != q.completed + q.failed + q.in_flight {
        return Err(format!("offered != completed + failed + in flight: {q:?}"));
    }
    let by_cause: u64 = r.errors.values().sum();
    if by_cause != q.failed {
        return Err(format!(
            "errors by cause add up to {by_cause}, failed {}",
            q.failed
        ));
    }
    if r.latency_ms.count != q.completed {
        return Err(format!(
            "{} latency samples for {} completions",
            r.latency_ms.count, q.completed
        ));
    }
    if !r.throughput_rps.is_finite() || !r.availability.is_finite() {
        return Err(format!(
            "throughput {} req/s, availability {}",
            r.throughput_rps, r.availability
        ));
    }
    Ok(())
}

/// Validates `text` and, when it validates, runs it (shortened to [`SHORT_RUN`] when
/// possible). A rejection must name a line and column or a field path.
fn check(text: &str, source: &str) -> Result<Outcome, String> {
    let sc = match Scenario::parse(text, source, &[]) {
        Err(e) => {
            for p in &e.problems {
                // Only an empty file may be reported without a place.
                if p.line.is_none()
                    && p.path.is_empty()
                    && !p.message.starts_with("the file is empty")
                {
                    return Err(format!("unlocated problem: {e}"));
                }
                if p.message.trim().is_empty() {
                    return Err(format!("empty message: {e}"));
                }
            }
            return Ok(Outcome::Rejected);
        }
        Ok(sc) => sc,
    };
    // A scenario that offers hundreds of thousands of requests a second (the million-rps
    // benchmark) gets a tenth of the short run: its mutants test parsing, not endurance.
    let busy = matches!(&sc.traffic.arrival,
        Arrival::Open(p) if p.points.iter().any(|q| q.rate_per_s > BUSY_RATE));
    let short: &[&str] = if busy {
        &["duration=200ms", "warmup=50ms"]
    } else {
        &["duration=2s", "warmup=0.5s"]
    };
    let sc = if sc.duration <= SHORT_RUN && !busy {
        sc
    } else {
        let ovs: Vec<Override> = short.iter().map(|s| s.parse().expect("override")).collect();
        match Scenario::parse(text, source, &ovs) {
            Ok(short) => short,
            // Faults scheduled after 2 s forbid the shorter run: keep the length, thin the
            // traffic instead (a constant rate only).
            Err(_) => match &sc.traffic.arrival {
                Arrival::Open(p)
                    if p.points.len() == 1 && sc.duration <= SimTime::from_secs(600) =>
                {
                    let rate = format!("traffic.rate={}", p.points[0].rate_per_s.min(THIN_RATE));
                    let ovs = [rate.parse().expect("override")];
                    match Scenario::parse(text, source, &ovs) {
                        Ok(thin) => thin,
                        Err(_) => return Ok(Outcome::NotRun),
                    }
                }
                _ => return Ok(Outcome::NotRun),
            },
        }
    };
    let r = run_seed(&sc, 7);
    check_conservation(&r)?;
    Ok(Outcome::Ran)
}

/// Runs [`check`] on another thread, catching panics and treating a run longer than
/// [`HANG_LIMIT`] as a hang.
fn guarded(text: &str, source: &str) -> Result<Outcome, String> {
    let (tx, rx) = mpsc::channel();
    let owned = text.to_string();
    let src = source.to_string();
    std::thread::spawn(move || {
        let res = catch_unwind(AssertUnwindSafe(|| check(&owned, &src)));
        let _ = tx.send(res.unwrap_or_else(|p| Err(format!("panic: {}", panic_message(&*p)))));
    });
    rx.recv_timeout(HANG_LIMIT)
        .unwrap_or_else(|_| Err(format!("no answer within {HANG_LIMIT:?} (hang)")))
}

#[test]
fn mutated_scenarios_never_panic() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x5ca1_e51a);
    let mut failures = Vec::new();
    let (mut rejected, mut ran, mut not_run) = (0, 0, 0);
    for path in all_scenarios() {
        let rel = path
            .strip_prefix(root())
            .expect("under root")
            .display()
            .to_string();
        let text = std::fs::read_to_string(&path).expect("read scenario");
        let spans = scalar_spans(&text);
        assert!(spans.len() > 5, "{rel}: found no scalar values to mutate");
        for _ in 0..MUTANTS_PER_SCENARIO {
            let mutant = mutate(&text, &spans, &mut rng);
            match guarded(&mutant, &rel) {
                Ok(Outcome::Rejected) => rejected += 1,
                Ok(Outcome::Ran) => ran += 1,
                Ok(Outcome::NotRun) => not_run += 1,
                Err(e) => failures.push(format!("{rel}: {e}\n--- mutant ---\n{mutant}\n---")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the mutants failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("mutants: rejected {rejected}, ran {ran}, not run {not_run}");
    // The mix shows the mutations reach both validation and the model.
    assert!(
        rejected > 100 && ran > 100,
        "rejected {rejected}, ran {ran}, not run {not_run}"
    );
}

/// A small architecture touching most component kinds; each edge case edits it.
const EDGE_BASE: &str = "\
name: edge base
duration: 2s
warmup: 500ms
traffic:
  users: 1000
  rate: 500
  timeout: 1s
  classes:
    - {name: read, weight: 0.8, keys: {zipf: 1.0, n: 1000}}
    - {name: write, weight: 0.2, op: write, keys: {zipf: 1.0, n: 1000}}
network:
  hop: {const: 100us}
  links:
    - {from: client, to: lb, latency: {const: 5ms}}
entry: lb
components:
  lb: {kind: load_balancer, to: web}
  web:
    kind: server
    count: 2
    workers: 8
    queue: 50
    service: {exp: 2ms}
    calls: {read: [cache], write: [jobs]}
    autoscale:
      min: 2
      max: 6
      target: {utilization: 0.5}
      interval: 500ms
      cooldown: 500ms
      provision: {const: 200ms}
  cache:
    kind: cache
    capacity: 100
    ttl: 10s
    latency: {const: 200us}
    miss: db
  jobs:
    kind: queue
    latency: {const: 1ms}
    consumers: workers
  workers:
    kind: worker
    count: 2
    workers: 4
    service: {exp: 5ms}
    calls: [db]
  db:
    kind: database
    workers: 4
    queue: 100
    read: {exp: 1ms}
    write: {exp: 2ms}
    shards: 2
";

/// Closed users on one server, for the think-time edge cases.
const CLOSED_BASE: &str = "\
name: closed base
duration: 2s
traffic:
  arrival: closed
  users: 10
  think: {exp: 10ms}
network:
  hop: {const: 100us}
entry: web
components:
  web: {kind: server, workers: 2, service: {exp: 1ms}}
";

/// Applies `(from, to)` replacements to `base`; each must match.
fn edit(base: &str, edits: &[(&str, &str)]) -> String {
    let mut text = base.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "test setup: `{from}` not in the base");
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn degenerate_but_plausible_values_are_rejected_with_a_place_or_run_and_conserve() {
    // (edits, expected outcome)
    let cases: Vec<(Vec<(&str, &str)>, Outcome)> = vec![
        (vec![], Outcome::Ran),
        (vec![("rate: 500", "rate: 0")], Outcome::Rejected),
        (vec![("rate: 500", "rate: 0.001")], Outcome::Ran),
        (vec![("rate: 500", "rate: 1e12")], Outcome::Rejected),
        (vec![("users: 1000", "users: 1")], Outcome::Ran),
        (vec![("capacity: 100", "capacity: 0")], Outcome::Rejected),
        (vec![("queue: 50", "queue: 0")], Outcome::Ran),
        (
            vec![(
                "    count: 2\n    workers: 4",
                "    count: 0\n    workers: 4",
            )],
            Outcome::Rejected,
        ),
        (
            vec![("    workers: 8", "    workers: 0")],
            Outcome::Rejected,
        ),
        (
            vec![
                ("count: 2\n    workers: 8", "count: 4\n    workers: 8"),
                ("min: 2\n      max: 6", "min: 4\n      max: 4"),
            ],
            Outcome::Ran,
        ),
        (vec![("shards: 2", "shards: 1")], Outcome::Ran),
        (
            vec![
                ("latency: {const: 5ms}", "latency: {const: 0s}"),
                ("hop: {const: 100us}", "hop: {const: 0s}"),
            ],
            Outcome::Ran,
        ),
        (
            vec![("duration: 2s\nwarmup: 500ms", "duration: 1ns")],
            Outcome::Ran,
        ),
        (
            vec![("service: {exp: 2ms}", "service: {uniform: [2ms, 2ms]}")],
            Outcome::Ran,
        ),
        (
            vec![("service: {exp: 2ms}", "service: {const: 0s}")],
            Outcome::Ran,
        ),
        (
            vec![(
                "service: {exp: 2ms}",
                "service: {pareto: {scale: 1ms, shape: 0.001}}",
            )],
            Outcome::Ran,
        ),
        (
            vec![(
                "service: {exp: 2ms}",
                "service: {lognormal: {mean: 1ms, cv: 1e150}}",
            )],
            Outcome::Ran,
        ),
        (vec![("weight: 0.2", "weight: 0")], Outcome::Ran),
        (
            vec![("weight: 0.8", "weight: 0"), ("weight: 0.2", "weight: 0")],
            Outcome::Rejected,
        ),
        (
            vec![(
                "n: 1000}}\n    - {name: write",
                "n: 1}}\n    - {name: write",
            )],
            Outcome::Ran,
        ),
        (vec![("timeout: 1s", "timeout: 1ns")], Outcome::Ran),
        (vec![("ttl: 10s", "ttl: 1ns")], Outcome::Ran),
        (
            vec![("interval: 500ms", "interval: 1ns")],
            Outcome::Rejected,
        ),
        (vec![("interval: 500ms", "interval: 1ms")], Outcome::Ran),
        (
            vec![(
                "shards: 2\n",
                "shards: 2\nfaults:\n  - {random: web, mtbf: {const: 0s}, mttr: {const: 0s}}\n",
            )],
            Outcome::Rejected,
        ),
        (
            vec![(
                "shards: 2\n",
                "shards: 2\nfaults:\n  - {random: web, mtbf: {exp: 1ms}, mttr: {exp: 1ms}}\n",
            )],
            Outcome::Ran,
        ),
        (
            vec![(
                "shards: 2\n",
                "shards: 2\nfaults:\n  - {at: 1s, slow: web, factor: 1e308}\n",
            )],
            Outcome::Ran,
        ),
        (
            vec![(
                "shards: 2\n",
                "shards: 2\nfaults:\n  - {at: 1s, add_shard: db, migration: {rate: 1e308, batch: 4294967295}}\n",
            )],
            Outcome::Ran,
        ),
        (
            vec![("duration: 2s", "duration: 1000000h")],
            Outcome::Rejected,
        ),
    ];
    let closed: Vec<(Vec<(&str, &str)>, Outcome)> = vec![
        (vec![], Outcome::Ran),
        (
            vec![("think: {exp: 10ms}", "think: {const: 0s}")],
            Outcome::Rejected,
        ),
        (
            vec![
                ("think: {exp: 10ms}", "think: {const: 0s}"),
                ("hop: {const: 100us}", "hop: {const: 0s}"),
                ("service: {exp: 1ms}", "service: {const: 0s}"),
            ],
            Outcome::Rejected,
        ),
        (
            vec![
                ("think: {exp: 10ms}", "think: {const: 1ms}"),
                ("hop: {const: 100us}", "hop: {const: 0s}"),
                ("service: {exp: 1ms}", "service: {const: 0s}"),
            ],
            Outcome::Ran,
        ),
        (vec![("users: 10", "users: 100000000")], Outcome::Rejected),
        (vec![("users: 10", "users: 1")], Outcome::Ran),
        (vec![("workers: 2", "workers: 0")], Outcome::Rejected),
    ];
    let mut failures = Vec::new();
    for (base, list) in [(EDGE_BASE, cases), (CLOSED_BASE, closed)] {
        for (edits, want) in list {
            let text = edit(base, &edits);
            match guarded(&text, "edge.yaml") {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!("{edits:?}: expected {want:?}, got {got:?}")),
                Err(e) => failures.push(format!("{edits:?}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A tiny scenario for the command-line cases: they fail before anything runs.
const CLI_SCENARIO: &str = "\
name: cli
duration: 1s
traffic: {rate: 10}
entry: web
components:
  web: {kind: server, workers: 2, service: {exp: 1ms}}
";

#[test]
fn bad_command_lines_exit_1_with_a_message_and_no_panic() {
    let dir = crate::temp_with(&[("s.yaml", CLI_SCENARIO), ("sub/keep.txt", "x")]);
    let garbage = dir.path().join("garbage.yaml");
    std::fs::write(&garbage, b"\xff\xfe\x00 not text").expect("write");
    let locked = dir.path().join("locked.yaml");
    std::fs::write(&locked, b"\xff\xfe").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    }
    let vary = ["--vary", "web.workers=1,2"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // --set: no `=`, empty path, unknown path, malformed YAML, wrong type, a list index
        // into a scalar.
        (
            vec!["run", "s.yaml", "--set", "traffic.rate"],
            "expected path=value",
        ),
        (vec!["run", "s.yaml", "--set", "=3"], "(empty path)"),
        (
            vec!["run", "s.yaml", "--set", "nosuch.path=3"],
            "is neither a top-level key",
        ),
        (
            vec!["run", "s.yaml", "--set", "traffic.rate=[1"],
            "is not valid YAML",
        ),
        (
            vec!["run", "s.yaml", "--set", "traffic.rate={a: 1}"],
            "traffic.rate: expected a number, found a mapping (set by --set traffic.rate={a: 1})",
        ),
        (
            vec!["run", "s.yaml", "--set", "traffic.rate[0]=1"],
            "is not a list",
        ),
        (
            vec!["validate", "s.yaml", "--set", "duration=abc"],
            "expected a duration",
        ),
        (
            vec!["compare", "s.yaml", "--set", "web.workers=-1"],
            "expected a whole number from 0 to 4294967295, found -1 (out of range)",
        ),
        (
            vec!["diagram", "s.yaml", "--set", "web.nope=1"],
            "unknown field `nope`",
        ),
        // Counts and shares.
        (
            vec!["run", "s.yaml", "--replications", "0"],
            "expected a whole number >= 1",
        ),
        (
            vec!["run", "s.yaml", "--replications", "100000000"],
            "at most 1000 replications",
        ),
        (
            vec![
                "capacity",
                "s.yaml",
                "--slo",
                "p99<1s",
                "--vary",
                "web.workers=1",
                "--replications",
                "5000",
            ],
            "at most 1000 replications",
        ),
        (
            vec!["run", "s.yaml", "--seed", "abc"],
            "invalid value 'abc'",
        ),
        (
            vec![
                "run",
                "s.yaml",
                "--trace",
                "t.jsonl",
                "--trace-sample",
                "nan",
            ],
            "--trace-sample",
        ),
        (
            vec!["diagram", "s.yaml", "--format", "png"],
            "possible values",
        ),
        // Sweeps: empty values and ranges, partitions out of range, no runs.
        (
            vec!["sweep", "s.yaml", "--vary", "web.workers="],
            "found nothing",
        ),
        (
            vec!["sweep", "s.yaml", "--vary", "web.workers=4..1"],
            "is empty",
        ),
        (vec!["sweep", "s.yaml", "--vary", "=1,2"], "(empty path)"),
        (
            vec![
                "sweep",
                "s.yaml",
                "--vary",
                "web.workers=1,2",
                "--partition",
                "5/4",
            ],
            "1 <= K <= N",
        ),
        (
            vec![
                "sweep",
                "s.yaml",
                "--vary",
                "web.workers=1,2",
                "--partition",
                "1/0",
            ],
            "1 <= K <= N",
        ),
        (
            vec![
                "sweep",
                "s.yaml",
                "--vary",
                "web.workers=1,2",
                "--partition",
                "1/",
            ],
            "1 <= K <= N",
        ),
        (
            vec![
                "sweep",
                "s.yaml",
                "--vary",
                "web.workers=1,2",
                "--replications",
                "0",
            ],
            ">= 1",
        ),
        (
            vec![
                "sweep",
                "s.yaml",
                "--vary",
                "web.workers=1,2",
                "--metric",
                "nosuch",
            ],
            "unknown figure",
        ),
        // Capacity objectives.
        (
            vec!["capacity", "s.yaml", "--slo", "garbage", vary[0], vary[1]],
            "expected <metric><op><value>",
        ),
        (
            vec!["capacity", "s.yaml", "--slo", "p99<", vary[0], vary[1]],
            "expected a number",
        ),
        (
            vec![
                "capacity",
                "s.yaml",
                "--slo",
                "p99<5parsecs",
                vary[0],
                vary[1],
            ],
            "is a latency",
        ),
        (
            vec![
                "capacity",
                "s.yaml",
                "--slo",
                "availability>=101%",
                vary[0],
                vary[1],
            ],
            "from 0% to 100%",
        ),
        (
            vec![
                "capacity",
                "s.yaml",
                "--slo",
                "p99<1s",
                vary[0],
                vary[1],
                "--replications",
                "0",
            ],
            ">= 1",
        ),
        // Missing files, directories, files that cannot be read as text.
        (
            vec!["run", "missing.yaml"],
            "cannot read scenario `missing.yaml`",
        ),
        (vec!["run", "sub"], "cannot read scenario `sub`"),
        (
            vec!["run", "garbage.yaml"],
            "garbage.yaml: not UTF-8 text: the byte at offset 0 (0xff) is not valid UTF-8",
        ),
        // Without permission, or (as root, who may read it) not UTF-8.
        (vec!["validate", "locked.yaml"], "locked.yaml"),
        (
            vec!["compare", "s.yaml", "sub"],
            "cannot read scenario `sub`",
        ),
        (vec!["diagram", "missing.yaml"], "cannot read scenario"),
        (
            vec!["sweep", "sub", vary[0], vary[1]],
            "cannot read scenario `sub`",
        ),
        (
            vec![
                "capacity",
                "missing.yaml",
                "--slo",
                "p99<1s",
                vary[0],
                vary[1],
            ],
            "cannot read scenario",
        ),
        (
            vec!["merge", "missing.csv", "-o", "m.csv"],
            "cannot read `missing.csv`",
        ),
        (vec!["merge", "sub", "-o", "m.csv"], "cannot read `sub`"),
        (
            vec!["merge", "s.yaml", "-o", "m.csv"],
            "not a sweep CSV header",
        ),
        (
            vec!["journey", "--scenarios", "missing"],
            "cannot read the directory",
        ),
        (
            vec!["journey", "--scenarios", "s.yaml"],
            "cannot read the directory",
        ),
        (vec!["journey", "--scenarios", "sub"], "no stage files"),
    ];
    for (args, needle) in cases {
        let out = crate::scalesim(dir.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: expected `{needle}` in: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    assert!(
        !dir.path().join("results").exists(),
        "a rejected command wrote files"
    );
}
