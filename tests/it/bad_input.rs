//! Bad scenarios: each gives exactly the expected message, with file, line and column, and
//! exit code 1 from the binary. Nothing panics.

use crate::{fails, root, scalesim, temp_with};

/// A valid scenario; each case breaks it with one textual replacement.
const BASE: &str = "\
name: bad-input base
duration: 10s
traffic:
  rate: 100
  classes:
    - {name: read, weight: 0.9}
    - {name: write, weight: 0.1}
entry: lb
components:
  dns: {kind: dns, latency: {const: 10ms}}
  lb: {kind: load_balancer, to: web}
  web:
    kind: server
    count: 2
    workers: 4
    service: {exp: 2ms}
    calls: [db]
  db:
    kind: database
    workers: 4
    read: {exp: 1ms}
    write: {exp: 3ms}
";

/// Runs `scalesim validate bad.yaml` on `text` and returns (exit code, stderr).
pub(crate) fn validate(text: &str, extra: &[&str]) -> (i32, String) {
    let dir = temp_with(&[("bad.yaml", text)]);
    let mut args = vec!["validate", "bad.yaml"];
    args.extend(extra);
    let out = scalesim(dir.path(), &args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Applies `(from, to)` replacements to BASE (each must match) and checks the whole stderr.
fn case(edits: &[(&str, &str)], expected: &[&str]) {
    case_on(BASE, edits, expected);
}

/// Appends each fault, alone, to BASE and checks that it is the one problem reported, with
/// exactly the expected message.
fn fault_cases(cases: &[(&str, &str)]) {
    for (fault, want) in cases {
        let text = format!("{BASE}faults:\n  - {fault}\n");
        let (code, stderr) = validate(&text, &[]);
        assert_eq!(code, 1, "{fault}");
        assert_eq!(
            stderr,
            format!("{want}\nbad.yaml: 1 problem found\n"),
            "{fault}"
        );
    }
}

/// As [`case`], on another base scenario.
pub(crate) fn case_on(base: &str, edits: &[(&str, &str)], expected: &[&str]) {
    let mut text = base.to_string();
    for (from, to) in edits {
        assert!(
            text.contains(from),
            "test setup: `{from}` not in the base scenario"
        );
        text = text.replacen(from, to, 1);
    }
    let (code, stderr) = validate(&text, &[]);
    let n = expected.len();
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    want.push(format!(
        "bad.yaml: {n} problem{} found",
        if n == 1 { "" } else { "s" }
    ));
    assert_eq!(stderr.lines().collect::<Vec<_>>(), want, "edits {edits:?}");
    assert_eq!(code, 1, "exit code for edits {edits:?}");
}

#[test]
fn the_base_scenario_is_valid() {
    let (code, stderr) = validate(BASE, &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn unknown_field() {
    case(
        &[("    workers: 4\n    service", "    wokers: 4\n    service")],
        &[
            "bad.yaml:15:5: components.web.wokers: unknown field `wokers`; did you mean `workers`? a server takes: kind, count, workers, queue, service, service_by_class, calls, session, session_store, relogin, session_lost, autoscale, rate_limit, rate_limit_by_class, concurrency_limit, shedding, downstream, instance, scaling, reliability",
        ],
    );
}

#[test]
fn wrong_type() {
    case(
        &[(
            "    workers: 4\n    service",
            "    workers: lots\n    service",
        )],
        &[
            "bad.yaml:15:14: components.web.workers: expected a whole number from 0 to 4294967295, found `lots`",
        ],
    );
}

#[test]
fn unknown_component_in_to() {
    case(
        &[("to: web", "to: wbe")],
        &[
            "bad.yaml:11:33: components.lb.to: expected the name of a component (dns, lb, web, db), found `wbe`; did you mean `web`?",
        ],
    );
}

#[test]
fn unknown_component_in_calls() {
    case(
        &[("calls: [db]", "calls: [db, cache]")],
        &[
            "bad.yaml:17:17: components.web.calls[1]: expected the name of a component (dns, lb, web, db), found `cache`",
        ],
    );
}

#[test]
fn unknown_class_in_calls() {
    case(
        &[("calls: [db]", "calls: {read: [db], wirte: [db]}")],
        &[
            "bad.yaml:17:25: components.web.calls.wirte: expected a request class (read, write), found `wirte`; did you mean `write`?",
        ],
    );
}

#[test]
fn zero_workers() {
    case(
        &[("    workers: 4\n    read", "    workers: 0\n    read")],
        &["bad.yaml:20:14: components.db.workers: expected a whole number >= 1, found 0"],
    );
}

#[test]
fn zero_instances() {
    case(
        &[("count: 2", "count: 0")],
        &[
            "bad.yaml:14:12: components.web.count: expected a whole number of instances >= 1, found 0",
        ],
    );
}

#[test]
fn negative_rate() {
    case(
        &[("rate: 100", "rate: -5")],
        &["bad.yaml:4:9: traffic.rate: expected a rate in requests per second > 0, found -5"],
    );
}

#[test]
fn weights_summing_to_zero() {
    case(
        &[("weight: 0.9", "weight: 0"), ("weight: 0.1", "weight: 0")],
        &[
            "bad.yaml:6:5: traffic.classes: expected class weights that sum to a positive value, found a sum of 0",
        ],
    );
}

#[test]
fn call_cycle() {
    case(
        &[("calls: [db]", "calls: [db, lb]")],
        &[
            "bad.yaml:11:33: components.lb.to: expected calls without a cycle, found lb -> web -> lb",
        ],
    );
}

#[test]
fn bad_duration_unit() {
    case(
        &[("duration: 10s", "duration: 10x")],
        &[
            "bad.yaml:2:11: duration: expected a duration with a unit, like 250us, 4ms, 2s, 5m or 1h (units: ns, us, ms, s, m, h), found `10x` (unknown unit `x`)",
        ],
    );
}

#[test]
fn duration_without_unit() {
    case(
        &[("duration: 10s", "duration: 10")],
        &[
            "bad.yaml:2:11: duration: expected a duration with a unit, like 250us, 4ms, 2s, 5m or 1h (units: ns, us, ms, s, m, h), found the bare number 10 (add a unit)",
        ],
    );
}

#[test]
fn unknown_distribution() {
    case(
        &[("service: {exp: 2ms}", "service: {expo: 2ms}")],
        &[
            "bad.yaml:16:14: components.web.service: unknown distribution `expo`, expected one of const, exp, uniform, normal, lognormal, pareto, erlang, empirical",
        ],
    );
}

#[test]
fn uniform_bounds_out_of_order() {
    case(
        &[("service: {exp: 2ms}", "service: {uniform: [5ms, 1ms]}")],
        &["bad.yaml:16:24: components.web.service.uniform: expected low <= high, found [5ms, 1ms]"],
    );
}

#[test]
fn lognormal_with_mixed_parameters() {
    case(
        &[(
            "service: {exp: 2ms}",
            "service: {lognormal: {mean: 2ms, p99: 9ms}}",
        )],
        &[
            "bad.yaml:16:26: components.web.service.lognormal: expected either {mean, cv} or {median, p99}",
        ],
    );
}

#[test]
fn empty_file() {
    let (code, stderr) = validate("# nothing here\n", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "bad.yaml: the file is empty: expected a scenario mapping with name, duration, traffic, entry and components\nbad.yaml: 1 problem found\n"
    );
}

#[test]
fn missing_required_field() {
    case(
        &[("entry: lb\n", "")],
        &["bad.yaml:1:1: entry: missing: `entry` is required here"],
    );
}

#[test]
fn field_of_another_kind() {
    case(
        &[(
            "latency: {const: 10ms}}",
            "latency: {const: 10ms}, workers: 3}",
        )],
        &[
            "bad.yaml:10:44: components.dns.workers: `workers` does not apply to a dns; a dns takes: latency, ttl",
        ],
    );
}

#[test]
fn warmup_longer_than_duration() {
    case(
        &[("duration: 10s\n", "duration: 10s\nwarmup: 15s\n")],
        &["bad.yaml:3:9: warmup: expected a warm-up shorter than the duration (10s), found 15s"],
    );
}

#[test]
fn unknown_kind() {
    case(
        &[("kind: database", "kind: postgres")],
        &[
            "bad.yaml:19:11: components.db.kind: expected one of dns, load_balancer, server, database, cache, cdn, store, queue, worker, found `postgres`",
        ],
    );
}

#[test]
fn entry_is_a_dns() {
    case(
        &[("entry: lb", "entry: dns")],
        &[
            "bad.yaml:8:8: entry: expected the component dynamic requests enter (a load_balancer, server, cache, store, queue or database), found `dns`, a dns",
        ],
    );
}

#[test]
fn balancer_over_a_database() {
    case(
        &[("to: web", "to: db")],
        &[
            "bad.yaml:11:33: components.lb.to: expected a server group to balance over, found `db`, a database",
        ],
    );
}

#[test]
fn yaml_syntax_error() {
    case(
        &[("rate: 100", "rate: [100")],
        &[
            "bad.yaml:4:9: not valid YAML: this `[` is not closed by a `]` (or a comma is missing between its items)",
        ],
    );
}

#[test]
fn several_problems_are_all_reported() {
    case(
        &[
            ("rate: 100", "rate: 0"),
            ("to: web", "to: wbe"),
            ("    workers: 4\n    read", "    workers: 0\n    read"),
        ],
        &[
            "bad.yaml:4:9: traffic.rate: expected a rate in requests per second > 0, found 0",
            "bad.yaml:11:33: components.lb.to: expected the name of a component (dns, lb, web, db), found `wbe`; did you mean `web`?",
            "bad.yaml:20:14: components.db.workers: expected a whole number >= 1, found 0",
        ],
    );
}

#[test]
fn a_bad_override_says_it_came_from_set() {
    let (code, stderr) = validate(BASE, &["--set", "web.workers=0"]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "bad.yaml: components.web.workers: expected a whole number >= 1, found 0 (set by --set web.workers=0)\nbad.yaml: 1 problem found\n"
    );
    let (code, stderr) = validate(BASE, &["--set", "nosuch.workers=3"]);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with("--set: nosuch.workers: `nosuch` is neither a top-level key"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_is_bad_input() {
    let stderr = fails(&scalesim(&root(), &["validate", "does-not-exist.yaml"]));
    assert!(
        stderr.starts_with("Error: cannot read scenario `does-not-exist.yaml`: "),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_exit_1() {
    fails(&scalesim(&root(), &["run", "--nope"]));
}

#[test]
fn links_must_join_serving_components() {
    case(
        &[(
            "entry: lb\n",
            "entry: lb\nnetwork:\n  links:\n    - {from: client, to: db, latency: {const: 1ms}}\n    - {from: dns, to: web, latency: {const: 1ms}}\n",
        )],
        &[
            "bad.yaml:11:26: network.links[0].to: expected the entry component `lb` or a cdn: clients send only there, found `db`",
            "bad.yaml:12:14: network.links[1].from: expected a component that serves requests, found `dns`, a dns (a lookup's latency is the dns component's `latency`)",
        ],
    );
}

#[test]
fn component_names_are_plain() {
    case(
        &[
            ("  web:\n", "  web server:\n"),
            ("to: web", "to: web server"),
            ("calls: [db]", "calls: [db]"),
        ],
        &[
            "bad.yaml:12:3: components.web server: expected a component name of letters, digits, `_` or `-` (not `client`), found `web server`",
        ],
    );
}

/// A valid data-tier scenario: CDN, sticky balancer, session store, cache, replicas.
const DATA: &str = "\
name: data tier base
duration: 10s
traffic:
  rate: 100
  classes:
    - {name: page, weight: 0.5, session: true}
    - {name: write, weight: 0.1}
    - {name: asset, weight: 0.4, static: true}
entry: lb
components:
  cdn: {kind: cdn, capacity: 100, latency: {const: 1ms}, origin: lb}
  lb: {kind: load_balancer, policy: sticky, to: web}
  web: {kind: server, count: 2, workers: 4, service: {exp: 2ms}, calls: {page: [cache], write: [cache]}, session: store, session_store: sessions}
  sessions: {kind: store, workers: 2, service: {exp: 100us}}
  cache: {kind: cache, capacity: 50, policy: lru, ttl: 30s, latency: {const: 200us}, miss: db}
  db: {kind: database, workers: 4, read: {exp: 1ms}, write: {exp: 2ms}, replicas: 2, replication_lag: {exp: 10ms}}
";

#[test]
fn the_data_tier_base_is_valid() {
    let (code, stderr) = validate(DATA, &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn data_tier_keys_are_checked() {
    let cases: [(&str, &str, &str); 14] = [
        (
            "policy: lru",
            "policy: lruu",
            "bad.yaml:15:46: components.cache.policy: unknown eviction policy `lruu`, expected one of lru, lfu, fifo, random",
        ),
        (
            "capacity: 50,",
            "capacity: 0,",
            "bad.yaml:15:34: components.cache.capacity: expected a whole number of entries >= 1, found 0",
        ),
        (
            "miss: db",
            "miss: dbb",
            "bad.yaml:15:92: components.cache.miss: expected the name of a component (cdn, lb, web, sessions, cache, db), found `dbb`; did you mean `db`?",
        ),
        (
            "miss: db",
            "miss: web",
            "bad.yaml:13:73: components.web.calls: expected calls without a cycle, found web -> cache -> web",
        ),
        (
            "policy: sticky",
            "policy: stiky",
            "bad.yaml:12:37: components.lb.policy: unknown load balancing policy `stiky`, expected one of round_robin, random, least_connections, power_of_two, hash, sticky",
        ),
        (
            "replicas: 2, replication_lag: {exp: 10ms}",
            "replication_lag: {exp: 10ms}",
            "bad.yaml:16:73: components.db.replication_lag: `replication_lag` needs `replicas` >= 1, found 0 replicas",
        ),
        (
            "replicas: 2, replication_lag: {exp: 10ms}",
            "replicas: 2",
            "bad.yaml:16:7: components.db: a database needs `replication_lag`: the time from a write's commit on the primary to its application on a replica",
        ),
        (
            "session: store, session_store: sessions",
            "session: store",
            "bad.yaml:13:8: components.web: a server needs `session_store`: the component that holds the sessions",
        ),
        (
            "session: store, session_store: sessions",
            "session: local",
            "bad.yaml:13:8: components.web: a server needs `relogin`: the extra service time of a request whose session was lost (or set `session_lost: fail`)",
        ),
        (
            "    - {name: asset, weight: 0.4, static: true}",
            "    - {name: asset, weight: 0.4}",
            "bad.yaml:11:15: components.cdn.kind: a cdn serves the classes marked `static: true`, and no class is",
        ),
        (
            ", origin: lb}",
            ", origin: db, workers: 3}",
            "bad.yaml:11:70: components.cdn.workers: `workers` does not apply to a cdn; a cdn takes: capacity, policy, ttl, latency, origin, prefill, reliability",
        ),
        (
            "entry: lb",
            "entry: cdn",
            "bad.yaml:9:8: entry: expected the component dynamic requests enter (a load_balancer, server, cache, store, queue or database), found `cdn`, a cdn",
        ),
        (
            "miss: db}",
            "miss: db, cacheable: [write]}",
            "bad.yaml:15:108: components.cache.cacheable[0]: expected a read class, found `write`, a write (writes follow `write_policy`)",
        ),
        (
            "replicas: 2,",
            "replicas: 2, read_from: everywhere,",
            "bad.yaml:16:97: components.db.read_from: expected one of replicas, primary, any, found `everywhere`",
        ),
    ];
    for (from, to, want) in cases {
        case_on(DATA, &[(from, to)], &[want]);
    }
}

#[test]
fn fault_entries_are_checked() {
    let cases: [(&str, &str); 12] = [
        (
            "{at: 5s, crash: \"cache\"}",
            "bad.yaml:24:21: faults[0].crash: expected the name of a component (dns, lb, web, db), found `cache`",
        ),
        (
            "{at: -5s, crash: web}",
            "bad.yaml:24:10: faults[0].at: expected a duration >= 0, found `-5s`",
        ),
        (
            "{at: 5s, for: 0s, crash: web}",
            "bad.yaml:24:19: faults[0].for: expected a duration > 0, found 0s (leave `for` out to last until the end)",
        ),
        (
            "{at: 5s, crash: \"web#7\"}",
            "bad.yaml:24:21: faults[0].crash: expected an instance of `web` from #0 to #1, found #7",
        ),
        (
            "{at: 5s, crash: web, slow: db}",
            "bad.yaml:24:5: faults[0]: expected one verb per fault, found `crash` and `slow`",
        ),
        (
            "{crash: web}",
            "bad.yaml:24:5: faults[0]: a `crash` fault needs `at`: when it happens",
        ),
        (
            "{at: 5s, slow: web}",
            "bad.yaml:24:5: faults[0]: a `slow` fault needs `factor`: how many times longer service takes (like 5)",
        ),
        (
            "{at: 5s, flush: web}",
            "bad.yaml:24:21: faults[0].flush: `flush` needs a cache or cdn, found `web`, a server",
        ),
        (
            "{at: 20s, crash: web}",
            "bad.yaml:24:10: faults[0].at: expected a time before the end of the run (10s), found 20s",
        ),
        (
            "{at: 5s, fail_primary: db}",
            "bad.yaml:24:5: faults[0]: a database without replicas cannot fail over: give `for` (when the primary comes back) or add replicas",
        ),
        (
            "{at: 5s, crash: dns}",
            "bad.yaml:24:21: faults[0].crash: expected a component that serves requests, found `dns`, a dns",
        ),
        (
            "{at: 5s, crash: web, factor: 2}",
            "bad.yaml:24:26: faults[0].factor: `factor` applies to `slow` faults, not `crash`",
        ),
    ];
    fault_cases(&cases);
}

#[test]
fn retries_and_health_checks_are_checked() {
    case(
        &[(
            "  rate: 100",
            "  rate: 100\n  retries: {max: 2, on: [queue_full, oops], multiplier: 0.5}",
        )],
        &[
            "bad.yaml:5:38: traffic.retries.on[1]: unknown failure cause `oops`, expected one of queue_full, timeout, session_lost, connection_refused, crashed, unreachable, no_healthy_backend, rate_limited, concurrency_limited, shed_deadline, shed_codel, breaker_open, bulkhead_full, pool_timeout",
            "bad.yaml:5:57: traffic.retries.multiplier: expected a multiplier >= 1, found 0.5",
        ],
    );
    case(
        &[(
            "  lb: {kind: load_balancer, to: web}",
            "  lb: {kind: load_balancer, to: web, health_check: {interval: 0s}}",
        )],
        &[
            "bad.yaml:11:63: components.lb.health_check.interval: expected an interval of at least 1ms, found 0ns",
        ],
    );
}

#[test]
fn queue_keys_are_checked() {
    let base = "name: q\nduration: 10s\ntraffic: {rate: 10}\nentry: web\ncomponents:\n  web: {kind: server, workers: 2, service: {exp: 1ms}, calls: [jobs]}\n  jobs: {kind: queue, consumers: w}\n  w: {kind: worker, workers: 2, service: {exp: 1ms}}\n";
    assert_eq!(validate(base, &[]).0, 0);
    case_on(
        base,
        &[("entry: web", "entry: w")],
        &[
            "bad.yaml:4:8: entry: expected the component dynamic requests enter (a load_balancer, server, cache, store, queue or database), found `w`, a worker",
        ],
    );
    case_on(
        base,
        &[("consumers: w}", "consumers: web}")],
        &[
            "bad.yaml:7:34: components.jobs.consumers: expected a worker group, found `web`, a server",
        ],
    );
    case_on(
        base,
        &[("consumers: w}", "consumers: w, max_attempts: 0}")],
        &[
            "bad.yaml:7:51: components.jobs.max_attempts: expected at least 1 delivery attempt, found 0",
        ],
    );
    case_on(
        base,
        &[("calls: [jobs]", "calls: [w]")],
        &[
            "bad.yaml:6:63: components.web.calls: expected components that serve requests, found `w`, a worker (workers take jobs from a queue: publish to the queue)",
        ],
    );
    case_on(
        base,
        &[(
            "  w: {kind: worker",
            "  jobs2: {kind: queue, consumers: w}\n  w: {kind: worker",
        )],
        &[
            "bad.yaml:8:35: components.jobs2.consumers: expected a worker group of its own, found `w`, which already consumes queue `jobs` (give each queue its own workers)",
        ],
    );
}

#[test]
fn autoscale_keys_are_checked() {
    let scale = |rule: &str| {
        [(
            "    count: 2\n",
            format!("    count: 2\n    autoscale: {rule}\n"),
        )]
    };
    let check = |rule: &str, expected: &[&str]| {
        let edits = scale(rule);
        let edits: Vec<(&str, &str)> = edits.iter().map(|(a, b)| (*a, b.as_str())).collect();
        case(&edits, expected);
    };
    let (code, stderr) = validate(
        &BASE.replacen(
            "    count: 2\n",
            "    count: 2\n    autoscale: {max: 8, target: {utilization: 0.6}}\n",
            1,
        ),
        &[],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    check(
        "{min: 4, max: 3, target: {utilization: 0.6}}",
        &["bad.yaml:15:30: components.web.autoscale.max: expected max >= min (4), found 3"],
    );
    check(
        "{min: 3, max: 8, target: {utilization: 0.6}}",
        &[
            "bad.yaml:14:12: components.web.count: expected a starting count within autoscale's [min, max] = [3, 8], found 2",
        ],
    );
    check(
        "{max: 1, target: {utilization: 0.6}}",
        &[
            "bad.yaml:15:22: components.web.autoscale.max: expected max >= min (2, from `count`), found 1",
        ],
    );
    check(
        "{max: 8, target: {utilization: 0}}",
        &[
            "bad.yaml:15:47: components.web.autoscale.target.utilization: expected a utilization target > 0 and <= 1, found 0",
        ],
    );
    check(
        "{max: 8, target: {queue: -2}}",
        &[
            "bad.yaml:15:41: components.web.autoscale.target.queue: expected a queue target > 0 (waiting requests per instance), found -2",
        ],
    );
    check(
        "{max: 8, target: {utilization: 0.5, queue: 3}}",
        &[
            "bad.yaml:15:33: components.web.autoscale.target: expected one target, `utilization` or `queue`, found both",
        ],
    );
    check(
        "{max: 8, target: {}}",
        &[
            "bad.yaml:15:33: components.web.autoscale.target: expected one target: {utilization: 0.6} (busy fraction) or {queue: 20} (waiting requests per instance)",
        ],
    );
    check(
        "{max: 8, target: {queue: 3}, interval: 0s}",
        &[
            "bad.yaml:15:55: components.web.autoscale.interval: expected an interval of at least 1ms, found 0ns",
        ],
    );
    check(
        "{target: {queue: 3}}",
        &[
            "bad.yaml:15:16: components.web.autoscale: autoscale needs `max`: the most instances the group may grow to",
        ],
    );
    check(
        "{max: 8, target: {queue: 3}, cooldwn: 5s}",
        &[
            "bad.yaml:15:45: components.web.autoscale.cooldwn: unknown field `cooldwn`; did you mean `cooldown`? expected one of: min, max, target, interval, cooldown, provision, tolerance, scale_in_window",
        ],
    );
    // Only server groups autoscale.
    case(
        &[(
            "    write: {exp: 3ms}\n",
            "    write: {exp: 3ms}\n    autoscale: {max: 2}\n",
        )],
        &[
            "bad.yaml:23:5: components.db.autoscale: `autoscale` does not apply to a database; a database takes: workers, queue, read, write, replicas, read_from, replication_lag, replication, failover, shards, strategy, shard_key, vnodes, instance, scaling, reliability",
        ],
    );
}

#[test]
fn migration_blocks_are_checked() {
    let cases: [(&str, &str); 7] = [
        (
            "{at: 5s, fail_dc: us, migration: {rate: 10}}",
            "bad.yaml:24:27: faults[0].migration: `migration` does not apply to `fail_dc` faults",
        ),
        (
            "{at: 5s, add_shard: db, migration: {rate: 0}}",
            "bad.yaml:24:47: faults[0].migration.rate: expected keys per second > 0, found 0",
        ),
        (
            "{at: 5s, add_shard: db, migration: {batch: 0}}",
            "bad.yaml:24:48: faults[0].migration.batch: expected a whole number of keys >= 1, found 0",
        ),
        (
            "{at: 5s, add_shard: db, migration: {cost: {exp: 0s}}}",
            "bad.yaml:24:53: faults[0].migration.cost.exp: expected a mean > 0 for exp, found 0s (use {const: 0s} for no delay)",
        ),
        (
            "{at: 5s, add_shard: db, migration: {speed: 5}}",
            "bad.yaml:24:41: faults[0].migration.speed: unknown field `speed`; expected one of: rate, batch, cost",
        ),
        (
            "{at: 5s, add_shard: db, migration: {batch: -1}}",
            "bad.yaml:24:48: faults[0].migration.batch: expected a whole number from 0 to 4294967295, found -1 (out of range)",
        ),
        (
            "{at: 5s, crash: web, migration: {rate: 10}}",
            "bad.yaml:24:26: faults[0].migration: `migration` applies to `add_shard` faults, not `crash`",
        ),
    ];
    fault_cases(&cases);
}

#[test]
fn rates_above_the_limit_are_refused() {
    // Above about 10^9 requests per second arrivals share a nanosecond and simulated time
    // stalls: 4294967296 used to make a run hang.
    case(
        &[("  rate: 100", "  rate: 4294967296")],
        &[
            "bad.yaml:4:9: traffic.rate: expected at most 10,000,000 requests per second, found 4294967296",
        ],
    );
    case(
        &[(
            "  rate: 100",
            "  profile: [{at: 0s, rate: 100}, {at: 5s, rate: 1e308}]",
        )],
        &[
            "bad.yaml:4:49: traffic.profile[1].rate: expected at most 10,000,000 requests per second, found 1e308",
        ],
    );
    let at_limit = BASE.replacen("  rate: 100", "  rate: 10000000", 1);
    assert_eq!(validate(&at_limit, &[]).0, 0);
}

#[test]
fn closed_users_need_a_think_time() {
    // Zero think, zero service and zero latency used to loop forever at t = 0.
    let base = "name: closed\nduration: 10s\ntraffic:\n  arrival: closed\n  users: 10\n  think: {exp: 10ms}\nnetwork: {hop: {const: 0s}}\nentry: web\ncomponents:\n  web: {kind: server, workers: 2, service: {const: 0s}}\n";
    assert_eq!(validate(base, &[]).0, 0);
    case_on(
        base,
        &[("think: {exp: 10ms}", "think: {const: 0s}")],
        &[
            "bad.yaml:6:10: traffic.think: expected a mean think time of at least 1us for 10 users (at most 10,000,000 requests per second between them), found 0ns",
        ],
    );
    case_on(
        base,
        &[("users: 10", "users: 1000000")],
        &[
            "bad.yaml:6:10: traffic.think: expected a mean think time of at least 100ms for 1000000 users (at most 10,000,000 requests per second between them), found 10ms",
        ],
    );
}

#[test]
fn recurring_checks_run_at_most_every_millisecond() {
    // An autoscale interval of 1ns used to make a 2 s run evaluate the group 2e9 times.
    case(
        &[(
            "    count: 2\n",
            "    count: 2\n    autoscale: {max: 4, target: {queue: 3}, interval: 500us}\n",
        )],
        &[
            "bad.yaml:15:55: components.web.autoscale.interval: expected an interval of at least 1ms, found 500us",
        ],
    );
    case(
        &[(
            "  lb: {kind: load_balancer, to: web}",
            "  lb: {kind: load_balancer, to: web, health_check: {interval: 1ns}}",
        )],
        &[
            "bad.yaml:11:63: components.lb.health_check.interval: expected an interval of at least 1ms, found 1ns",
        ],
    );
}

#[test]
fn random_faults_need_up_and_repair_times() {
    // Zero up-times and repair times used to fail and recover an instance forever at t = 0.
    fault_cases(&[
        (
            "{random: web, mtbf: {const: 0s}, mttr: {exp: 1s}}",
            "bad.yaml:24:25: faults[0].mtbf: expected up-times with a mean of at least 1ms, found a mean of 0ns",
        ),
        (
            "{random: web, mtbf: {exp: 10s}, mttr: {uniform: [0s, 1us]}}",
            "bad.yaml:24:43: faults[0].mttr: expected repair times with a mean of at least 1ms, found a mean of 500ns",
        ),
    ]);
}

/// A duplicate key is an error at the duplicate, in every mapping: the components, a
/// server's service_by_class, the regions and the data centers.
#[test]
fn duplicate_keys_are_errors_at_the_duplicate() {
    case(
        &[("  db:\n", "  web: {kind: server, workers: 1}\n  db:\n")],
        &[
            "bad.yaml:18:3: components.web: `web` is given twice in this mapping (first at line 12): remove one",
        ],
    );
    case(
        &[(
            "    service: {exp: 2ms}\n",
            "    service: {exp: 2ms}\n    service_by_class: {read: {exp: 1ms}, read: {exp: 3ms}}\n",
        )],
        &[
            "bad.yaml:17:42: components.web.service_by_class.read: `read` is given twice in this mapping (first at line 17): remove one",
        ],
    );
    let geo = std::fs::read_to_string(root().join("scenarios/08-multi-datacenter.yaml")).unwrap();
    // Lines of the stage file as shipped (1-based); the edits add two lines after `europe:`
    // and one after `eu-west: {}`.
    let at = |prefix: &str| 1 + geo.lines().position(|l| l.starts_with(prefix)).unwrap();
    let (eu, us, eu_dc) = (at("  europe:"), at("  us-east: {"), at("  eu-west: {}"));
    case_on(
        &geo,
        &[
            ("  europe:\n", "  europe:\n    share: 0.4\n  europe:\n"),
            ("  eu-west: {}\n", "  eu-west: {}\n  us-east: {}\n"),
        ],
        &[
            // The first `europe` is read (the duplicate is dropped), and it lacks `latency`.
            &format!(
                "bad.yaml:{}:5: regions.europe.latency: missing: `latency` is required here",
                eu + 1
            ),
            &format!(
                "bad.yaml:{}:3: regions.europe: `europe` is given twice in this mapping (first at line {eu}): remove one",
                eu + 2
            ),
            &format!(
                "bad.yaml:{}:3: datacenters.us-east: `us-east` is given twice in this mapping (first at line {}): remove one",
                eu_dc + 3,
                us + 2
            ),
        ],
    );
}

/// A file means the same with and without overrides: plain scalars are read by one set of
/// rules (YAML 1.2's core schema) whether they come from the file or from a --set.
#[test]
fn a_file_means_the_same_with_or_without_overrides() {
    let text = BASE
        .replace("name: bad-input base", "name: 5\nabout: 0")
        .replace("rate: 100", "rate: 08");
    for extra in [
        &[][..],
        &["--set", "web.count=3"][..],
        &["--set", "seed=7"][..],
    ] {
        let (code, stderr) = validate(&text, extra);
        assert_eq!((code, stderr.as_str()), (0, ""), "{extra:?}");
    }
    let dir = temp_with(&[("a.yaml", &text)]);
    let plain = scalesim(dir.path(), &["run", "a.yaml", "--json", "-", "-q"]);
    let set = scalesim(
        dir.path(),
        &[
            "run",
            "a.yaml",
            "--json",
            "-",
            "-q",
            "--set",
            "traffic.rate=8",
        ],
    );
    assert_eq!(plain.status.code(), Some(0));
    let figures = |out: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(out).unwrap();
        v.as_object_mut().unwrap().remove("engine"); // wall-clock figures
        v
    };
    assert_eq!(
        figures(&plain.stdout),
        figures(&set.stdout),
        "rate: 08 is 8 either way"
    );
    let huge = BASE.replace(
        "name: bad-input base",
        "name: x\nseed: 99999999999999999999",
    );
    let want = "bad.yaml:2:7: seed: expected a whole number from 0 to 18446744073709551615, found 99999999999999999999 (out of range)\nbad.yaml: 1 problem found\n";
    for extra in [&[][..], &["--set", "web.count=3"][..]] {
        let (code, stderr) = validate(&huge, extra);
        assert_eq!((code, stderr.as_str()), (1, want), "{extra:?}");
    }
    // A value given by --set is read as the same value in the file would be, and its
    // problems say where it came from.
    let (code, stderr) = validate(BASE, &["--set", "web.workers=9 queue"]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "bad.yaml: components.web.workers: expected a whole number from 0 to 4294967295, found `9 queue` (set by --set web.workers=9 queue)\nbad.yaml: 1 problem found\n"
    );
}

/// Problems of every stage are reported together, in file order, each located, with the
/// nearest name suggested.
#[test]
fn problems_of_every_stage_are_reported_together() {
    case(
        &[
            ("rate: 100", "rate: -5\n  timeout: 2parsecs"),
            (
                "    workers: 4\n    service",
                "    workers: 4\n    queu: 9\n    service",
            ),
            ("calls: [db]", "calls: [dbb]"),
        ],
        &[
            "bad.yaml:4:9: traffic.rate: expected a rate in requests per second > 0, found -5",
            "bad.yaml:5:12: traffic.timeout: expected a duration with a unit, like 250us, 4ms, 2s, 5m or 1h (units: ns, us, ms, s, m, h), found `2parsecs` (unknown unit `parsecs`)",
            "bad.yaml:17:5: components.web.queu: unknown field `queu`; did you mean `queue`? a server takes: kind, count, workers, queue, service, service_by_class, calls, session, session_store, relogin, session_lost, autoscale, rate_limit, rate_limit_by_class, concurrency_limit, shedding, downstream, instance, scaling, reliability",
            "bad.yaml:19:13: components.web.calls[0]: expected the name of a component (dns, lb, web, db), found `dbb`; did you mean `db`?",
        ],
    );
}

/// A mis-indented line, a tab, Windows line endings, a byte-order mark and comments: each
/// read or reported at its own line.
#[test]
fn layout_problems_point_at_their_line() {
    case(
        &[("    count: 2\n", "   count: 2\n")],
        &[
            "bad.yaml:14:4: not valid YAML: a line that is not a `key: value` of the mapping it is indented under: check the indentation",
        ],
    );
    let crlf = format!(
        "\u{feff}# a comment\r\n{}",
        BASE.replace("workers: 4\n    service", "workers: x # four\n    service")
            .replace('\n', "\r\n")
    );
    let (code, stderr) = validate(&crlf, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "bad.yaml:16:14: components.web.workers: expected a whole number from 0 to 4294967295, found `x`\nbad.yaml: 1 problem found\n"
    );
}

/// Deep nesting, alias bombs and second documents end the reading early with the limit.
#[test]
fn the_cost_of_reading_is_bounded() {
    let (code, stderr) = validate(&"[".repeat(100_000), &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.ends_with(": lists and mappings nested more than 64 deep: a scenario needs a handful of levels\nbad.yaml: 1 problem found\n"),
        "{stderr}"
    );
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, c) in ('b'..='h').enumerate() {
        let prev = (b'a' + i as u8) as char;
        bomb.push_str(&format!(
            "{c}: &{c} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    let (code, stderr) = validate(&bomb, &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("aliases expand the file past 1000000 values"),
        "{stderr}"
    );
    let (code, stderr) = validate(&format!("{BASE}---\nname: two\n"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "bad.yaml:23:1: a second YAML document: a scenario file holds one (remove the `---` line and what follows, or split the file)\nbad.yaml: 1 problem found\n"
    );
}

/// BASE's `web` with `extra` added after its `calls`.
fn web_with(extra: &str) -> (&'static str, String) {
    ("calls: [db]", format!("calls: [db]\n    {extra}"))
}

/// BASE with a server group `api` of `count` instances that `web` calls after `db`, and
/// `web`'s `downstream` set to `downstream`.
fn with_api(count: u32, downstream: &str) -> [(&'static str, String); 2] {
    [
        (
            "calls: [db]",
            format!("calls: [db, api]\n    downstream: {downstream}"),
        ),
        (
            "  db:\n    kind: database",
            format!(
                "  api: {{kind: server, count: {count}, workers: 2, service: {{exp: 1ms}}}}\n  db:\n    kind: database"
            ),
        ),
    ]
}

/// [`case`] with owned replacement texts.
fn case_owned(edits: &[(&str, String)], expected: &[&str]) {
    let edits: Vec<(&str, &str)> = edits.iter().map(|(a, b)| (*a, b.as_str())).collect();
    case(&edits, expected);
}

#[test]
fn overload_defences_are_checked() {
    let web = |extra: &str, want: &str| case_owned(&[web_with(extra)], &[want]);
    web(
        "rate_limit: {rate: 0}",
        "bad.yaml:18:24: components.web.rate_limit.rate: expected tokens per second > 0, found 0",
    );
    web(
        "rate_limit: {rate: 100, burst: 0}",
        "bad.yaml:18:36: components.web.rate_limit.burst: expected a whole number of tokens >= 1, found 0",
    );
    web(
        "rate_limit: {burst: 5}",
        "bad.yaml:18:17: components.web.rate_limit.rate: missing: `rate` is required here",
    );
    web(
        "rate_limit_by_class: {wirte: {rate: 10}}",
        "bad.yaml:18:27: components.web.rate_limit_by_class.wirte: expected a request class (read, write), found `wirte`; did you mean `write`?",
    );
    web(
        "concurrency_limit: 0",
        "bad.yaml:18:24: components.web.concurrency_limit: expected a whole number of requests >= 1, found 0",
    );
    web(
        "shedding: {}",
        "bad.yaml:18:15: components.web.shedding: expected at least one of `deadline`, `codel` or `lifo`",
    );
    web(
        "shedding: {codel: {target: 0s}}",
        "bad.yaml:18:32: components.web.shedding.codel.target: expected a duration > 0, found 0s",
    );
    web(
        "downstream: {db: {breaker: {falure_rate: 0.5}}}",
        "bad.yaml:18:33: components.web.downstream.db.breaker.falure_rate: unknown field `falure_rate`; did you mean `failure_rate`? expected one of: failure_rate, slow_rate, slow_call, window, min_calls, wait, trials",
    );
    web(
        "downstream: {db: {breaker: {failure_rate: 1.5}}}",
        "bad.yaml:18:47: components.web.downstream.db.breaker.failure_rate: expected a share > 0 and <= 1, found 1.5",
    );
    web(
        "downstream: {db: {breaker: {window: 20, min_calls: 50}}}",
        "bad.yaml:18:56: components.web.downstream.db.breaker.min_calls: expected at most the window's 20 calls, found 50",
    );
    // A bad window is reported once, not again through `min_calls`, which follows it.
    web(
        "downstream: {db: {breaker: {window: 0}}}",
        "bad.yaml:18:41: components.web.downstream.db.breaker.window: expected a whole number of calls >= 1, found 0",
    );
    web(
        "downstream: {lb: {breaker: {}}}",
        "bad.yaml:18:18: components.web.downstream.lb: expected a component this server calls (its calls: db), found `lb`",
    );
    web(
        "downstream: {dbb: {breaker: {}}}",
        "bad.yaml:18:18: components.web.downstream.dbb: expected the name of a component (dns, lb, web, db), found `dbb`; did you mean `db`?",
    );
    web(
        "downstream: {db: {}}",
        "bad.yaml:18:22: components.web.downstream.db: expected at least one of `breaker`, `bulkhead`, `pool` or `hedge`",
    );
    web(
        "downstream: {db: {bulkhead: {max: 4}, pool: {size: 4}}}",
        "bad.yaml:18:43: components.web.downstream.db.pool: give a callee `bulkhead` or `pool`, not both",
    );
    web(
        "downstream: {db: {bulkhead: {max: 0}}}",
        "bad.yaml:18:39: components.web.downstream.db.bulkhead.max: expected a whole number >= 1, found 0",
    );
    web(
        "downstream: {db: {hedge: {delay: 5ms}}}",
        "bad.yaml:18:23: components.web.downstream.db.hedge: expected a callee with another instance to send the copy to (a server group of 2 or more), found `db`, a database",
    );
    case_owned(
        &with_api(2, "{api: {hedge: {delay: 5ms, percentile: 95}}}"),
        &[
            "bad.yaml:18:44: components.web.downstream.api.hedge.percentile: give a hedge `delay` or `percentile`, not both",
        ],
    );
    case_owned(
        &with_api(2, "{api: {hedge: {budget: 0.2}}}"),
        &[
            "bad.yaml:18:31: components.web.downstream.api.hedge: a hedge needs `delay` (a duration) or `percentile` (of recent call times)",
        ],
    );
    case_owned(
        &with_api(2, "{api: {hedge: {percentile: 100}}}"),
        &[
            "bad.yaml:18:44: components.web.downstream.api.hedge.percentile: expected a percentile > 0 and < 100, found 100",
        ],
    );
    case_owned(
        &with_api(2, "{api: {hedge: {delay: 5ms}, bulkhead: {max: 2}}}"),
        &[
            "bad.yaml:18:24: components.web.downstream.api.hedge: a hedged callee takes no `bulkhead` or `pool` (a copy would need a place of its own)",
        ],
    );
    case_owned(
        &with_api(1, "{api: {hedge: {delay: 5ms}}}"),
        &[
            "bad.yaml:18:24: components.web.downstream.api.hedge: expected a callee with another instance to send the copy to (a server group of 2 or more), found `api`, a server group of one instance",
        ],
    );
    // The keys are a server's only.
    case(
        &[(
            "    write: {exp: 3ms}",
            "    write: {exp: 3ms}\n    rate_limit: {rate: 10}",
        )],
        &[
            "bad.yaml:23:5: components.db.rate_limit: `rate_limit` does not apply to a database; a database takes: workers, queue, read, write, replicas, read_from, replication_lag, replication, failover, shards, strategy, shard_key, vnodes, instance, scaling, reliability",
        ],
    );
    case(
        &[(
            "{kind: load_balancer, to: web}",
            "{kind: load_balancer, to: web, downstream: {web: {breaker: {}}}}",
        )],
        &[
            "bad.yaml:11:38: components.lb.downstream: `downstream` does not apply to a load_balancer; a load_balancer takes: policy, to, latency, health_check, reliability",
        ],
    );
}

#[test]
fn valid_overload_defences_pass() {
    // Every key at once, defaults filled in, and a hedge to an autoscaled group that may
    // grow to 2 instances: no problem.
    let mut edits = with_api(
        1,
        "{api: {breaker: {window: 10}, hedge: {percentile: 95}}, db: {pool: {size: 4}}}\n    \
         rate_limit: {rate: 100}\n    rate_limit_by_class: {write: {rate: 5}}\n    \
         concurrency_limit: 32\n    shedding: {deadline: 100ms, codel: {}, lifo: 0}",
    );
    edits[1].1 = edits[1].1.replace(
        "count: 1,",
        "count: 1, autoscale: {max: 2, target: {utilization: 0.5}},",
    );
    let mut text = BASE.to_string();
    for (a, b) in &edits {
        text = text.replacen(a, b, 1);
    }
    let (code, stderr) = validate(&text, &[]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{text}");
}

#[test]
fn reliability_is_checked() {
    case(
        &[(
            "    calls: [db]\n",
            "    calls: [db]\n    reliability: {mtbf: 0s, mttr: 1h}\n",
        )],
        &["bad.yaml:18:25: components.web.reliability.mtbf: expected a duration > 0, found 0s"],
    );
    case(
        &[(
            "    calls: [db]\n",
            "    calls: [db]\n    reliability: {mtbf: 720h, mtr: 1h}\n",
        )],
        &[
            "bad.yaml:18:31: components.web.reliability.mtr: unknown field `mtr`; did you mean `mttr`? expected one of: mtbf, mttr",
        ],
    );
    case(
        &[(
            "    calls: [db]\n",
            "    calls: [db]\n    reliability: {mttr: 2}\n",
        )],
        &[
            "bad.yaml:18:25: components.web.reliability.mttr: expected a duration with a unit, like 250us, 4ms, 2s, 5m or 1h (units: ns, us, ms, s, m, h), found the bare number 2 (add a unit)",
        ],
    );
    case(
        &[(
            "  dns: {kind: dns, latency: {const: 10ms}}",
            "  dns: {kind: dns, latency: {const: 10ms}, reliability: {mtbf: 1h}}",
        )],
        &[
            "bad.yaml:10:44: components.dns.reliability: `reliability` does not apply to a dns; a dns takes: latency, ttl",
        ],
    );
}
