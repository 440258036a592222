//! Bounded memory: scenarios past a size limit are refused at validation with a message that
//! names the limit, before anything large is allocated.

use crate::bad_input::validate;
use crate::{fails, scalesim, temp_with};

/// A scenario with `classes` request classes and `components` servers.
fn sized(classes: usize, components: usize) -> String {
    let mut s = String::from("name: sized\nduration: 1s\ntraffic:\n  rate: 100\n  classes:\n");
    for i in 0..classes {
        s.push_str(&format!("    - {{name: c{i}, weight: 1}}\n"));
    }
    s.push_str("entry: s0\ncomponents:\n");
    for i in 0..components {
        s.push_str(&format!(
            "  s{i}: {{kind: server, workers: 4, service: {{exp: 1ms}}}}\n"
        ));
    }
    s
}

#[test]
fn classes_and_components_are_capped() {
    // Each class and each component has a latency histogram of about 300 KB: 40,000
    // classes used to take 12 GB and abort.
    assert_eq!(validate(&sized(256, 256), &[]).0, 0);
    assert_eq!(
        validate(&sized(257, 1), &[]),
        (
            1,
            "bad.yaml:6:5: traffic.classes: expected at most 256 classes, found 257\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    assert_eq!(
        validate(&sized(40_000, 1), &[]),
        (
            1,
            "bad.yaml:6:5: traffic.classes: expected at most 256 classes, found 40000\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    assert_eq!(
        validate(&sized(1, 257), &[]),
        (
            1,
            "bad.yaml:9:3: components: expected at most 256 components, found 257\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    // Both at once: both reported, in file order, and nothing resolved per class and component.
    assert_eq!(
        validate(&sized(300, 300), &[]),
        (
            1,
            "bad.yaml:6:5: traffic.classes: expected at most 256 classes, found 300\nbad.yaml:308:3: components: expected at most 256 components, found 300\nbad.yaml: 2 problems found\n"
                .to_string()
        )
    );
}

/// A closed-loop scenario with `users` users.
fn closed(users: u64) -> String {
    format!(
        "name: closed\nduration: 1s\ntraffic:\n  arrival: closed\n  users: {users}\n  think: {{exp: 100s}}\nentry: web\ncomponents:\n  web: {{kind: server, workers: 4, service: {{exp: 1ms}}}}\n"
    )
}

#[test]
fn closed_users_are_capped() {
    // Each closed user has a wake-up pending from the start: 10^8 of them used to exhaust
    // memory before the first event.
    assert_eq!(validate(&closed(1_000_000), &[]).0, 0);
    for users in [1_000_001u64, 100_000_000] {
        assert_eq!(
            validate(&closed(users), &[]),
            (
                1,
                format!(
                    "bad.yaml:5:10: traffic.users: expected at most 1,000,000 closed users (each may have a request in flight), found {users}\nbad.yaml: 1 problem found\n"
                )
            )
        );
    }
    // Above the user limit of every scenario, that limit alone.
    assert_eq!(
        validate(&closed(100_000_001), &[]),
        (
            1,
            "bad.yaml:5:10: traffic.users: expected at most 100000000 users, found 100000001\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    // A max-load search scales closed users up to the limit, not past it.
    let sc = crate::parse(&closed(20));
    let big = scalesim::capacity::scaled(&sc, 1e12);
    assert_eq!(big.traffic.users, scalesim::scenario::MAX_CLOSED_USERS);
}

#[test]
fn a_model_that_would_not_fit_in_memory_is_refused() {
    // A prefilled cache of 10^8 keys used to take 3.6 GB before the first event.
    let prefill = "name: prefill\nduration: 1s\ntraffic:\n  rate: 100\n  classes: [{name: read, weight: 1, keys: {zipf: 1.0, n: 100000000}}]\nentry: cache\ncomponents:\n  cache: {kind: cache, capacity: 100000000, prefill: true, latency: {const: 1ms}, miss: db}\n  db: {kind: database, workers: 4, read: {exp: 1ms}, write: {exp: 1ms}}\n";
    assert_eq!(
        validate(prefill, &[]),
        (
            1,
            "bad.yaml:8:34: components.cache.capacity: expected a scenario whose model fits in 1 GB (the memory limit), found one that needs about 4.4 GB: 3.6 GB for this cache (an index of 4 bytes per key for 100000000 keys and 32 bytes per entry for 100000000 entries); lower its `capacity` or the key space\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    // Ten times fewer keys fit.
    let fits = prefill.replace("100000000", "10000000");
    assert_eq!(validate(&fits, &[]).0, 0);
    // Limits that each allow a value can multiply past any memory.
    let shards = "name: shards\nduration: 1s\ntraffic:\n  rate: 100\n  classes: [{name: read, weight: 1, keys: {n: 100000000}}]\nentry: db\ncomponents:\n  db: {kind: database, workers: 4, read: {exp: 1ms}, write: {exp: 1ms}, replicas: 64, replication_lag: {exp: 1ms}, shards: 1024}\n";
    assert_eq!(
        validate(shards, &[]),
        (
            1,
            "bad.yaml:8:7: components.db: expected a scenario whose model fits in 1 GB (the memory limit), found one that needs about 27.0 TB: 27.0 TB for this database's versions (4 bytes per key for 100000000 keys, on each of its 65 nodes and in the acknowledged row, in 1024 shards); use fewer keys, replicas or shards\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    // The time series grows with the windows and the components.
    let mut windows = sized(1, 20).replace("duration: 1s", "duration: 1000000s");
    assert_eq!(
        validate(&windows, &[]),
        (
            1,
            "bad.yaml:2:11: duration: expected a scenario whose model fits in 1 GB (the memory limit), found one that needs about 2.6 GB: 2.6 GB for the time series (1000001 windows of 20 components); make the `window` longer\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    windows = windows.replace("duration: 1000000s", "duration: 1000000s\nwindow: 10s");
    assert_eq!(validate(&windows, &[]).0, 0);
    // So do the scaling actions an autoscaler records: one per evaluation at most.
    let scaling = "name: scaling\nduration: 100000s\nwindow: 1000s\ntraffic:\n  rate: 10\nentry: web\ncomponents:\n  web: {kind: server, count: 2, workers: 4, service: {exp: 1ms}, autoscale: {max: 4, target: {queue: 3}, interval: 1ms, cooldown: 0s}}\n";
    assert_eq!(
        validate(scaling, &[]),
        (
            1,
            "bad.yaml:8:77: components.web.autoscale: expected a scenario whose model fits in 1 GB (the memory limit), found one that needs about 19.2 GB: 19.2 GB for this group's scaling actions (at most one per 1ms, the longer of `interval` and `cooldown`, over 100000s: 100000001 actions of 192 bytes); lengthen its `cooldown` or `interval`, or shorten the run\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    assert_eq!(
        validate(&scaling.replace("cooldown: 0s", "cooldown: 60s"), &[]).0,
        0
    );
    // A `random` fault keeps an event pending per node of its target.
    let mut faults = String::from(
        "name: random faults\nduration: 10s\ntraffic:\n  rate: 10\nentry: web\ncomponents:\n  web: {kind: server, count: 10000, workers: 4, service: {exp: 1ms}}\nfaults:\n",
    );
    for _ in 0..5000 {
        faults.push_str("  - {at: 1s, random: web, mtbf: {exp: 10s}, mttr: {exp: 1s}}\n");
    }
    assert_eq!(
        validate(&faults, &[]),
        (
            1,
            "bad.yaml:9:3: faults: expected a scenario whose model fits in 1 GB (the memory limit), found one that needs about 1.2 GB: 1.2 GB for the fault schedule's per-node state (5000 faults: a pending event per node of a `random` fault's target, the nodes a `fail_dc` or `fail_primary` took down); use fewer faults, or target fewer nodes\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
    // Overrides are checked too.
    assert_eq!(
        validate(&fits, &["--set", "cache.capacity=100000000", "--set", "traffic.classes[0].keys.n=100000000"]),
        (
            1,
            "bad.yaml: components.cache.capacity: expected a scenario whose model fits in 1 GB (the memory limit), found one that needs about 4.4 GB: 3.6 GB for this cache (an index of 4 bytes per key for 100000000 keys and 32 bytes per entry for 100000000 entries); lower its `capacity` or the key space (set by --set cache.capacity=100000000)\nbad.yaml: 1 problem found\n"
                .to_string()
        )
    );
}

/// 1,000,000 requests per second at a server that serves 8,000: the backlog grows by about
/// 10^6 a second, with nothing to turn requests away.
const OVERLOAD: &str = "name: overload\nduration: 2s\ntraffic:\n  rate: 1000000\nentry: web\ncomponents:\n  web: {kind: server, workers: 8, service: {exp: 1ms}}\n";

/// What stops [`OVERLOAD`] with its own seed.
const OVERLOADED: &str = "the run stopped at 1.009s of simulated time: 1,000,001 requests were in flight, more than a run may hold (1,000,000); 999,908 of them waited at `web`, whose waiting room has no bound. The system is overloaded and nothing turns requests away (there is no `traffic.timeout`, and one would not free them: a request that timed out keeps its place): give `web` a `queue` bound (requests beyond it fail with `queue_full`), add capacity or lower the load";

#[test]
fn an_overloaded_run_stops_with_exit_1_and_says_what_to_change() {
    let dir = temp_with(&[("overload.yaml", OVERLOAD), ("ok.yaml", &sized(1, 1))]);
    let err = fails(&scalesim(dir.path(), &["run", "overload.yaml", "-q"]));
    assert_eq!(err, format!("Error: overload.yaml: {OVERLOADED}\n"));
    // Nothing written for the stopped run.
    assert!(!dir.path().join("results/overload").exists());
    let err = fails(&scalesim(
        dir.path(),
        &["run", "overload.yaml", "--replications", "2", "-q"],
    ));
    assert_eq!(err, format!("Error: overload.yaml: {OVERLOADED}\n"));
    let err = fails(&scalesim(
        dir.path(),
        &["compare", "ok.yaml", "overload.yaml", "--out", "cmp", "-q"],
    ));
    assert_eq!(err, format!("Error: overload.yaml: {OVERLOADED}\n"));
    let err = fails(&scalesim(
        dir.path(),
        &[
            "capacity",
            "overload.yaml",
            "--max-load",
            "--slo",
            "p99<100ms",
            "-q",
        ],
    ));
    assert_eq!(
        err,
        format!(
            "Error: overload.yaml: the probe at 1 times the load (1,000,000 req/s): {OVERLOADED}\n"
        )
    );
    // A sweep keeps the rows of the runs before, and names the run that stopped.
    let err = fails(&scalesim(
        dir.path(),
        &[
            "sweep",
            "overload.yaml",
            "--vary",
            "traffic.rate=1000,1000000",
            "--csv",
            "s.csv",
            "-q",
        ],
    ));
    assert!(
        err.starts_with("Error: overload.yaml: run 1 (with --vary traffic.rate=1000000): the run stopped at 1.008s of simulated time: 1,000,001 requests were in flight"),
        "{err}"
    );
    let csv = std::fs::read_to_string(dir.path().join("s.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 2, "{csv}");
    // With a timeout the message says that it does not help.
    let timed = OVERLOAD.replace("rate: 1000000", "rate: 1000000\n  timeout: 1s");
    let e = scalesim::run(&crate::parse(&timed), &scalesim::RunOptions::default())
        .expect_err("overloaded");
    assert_eq!(e.limit, scalesim::RunLimit::InFlight);
    assert!(
        e.message.contains(
            "(the client timeout does not free them: a request that timed out keeps its place)"
        ),
        "{e}"
    );
    // A bound on the waiting room is the fix: the same load runs to the end.
    let bounded = OVERLOAD.replace("service: {exp: 1ms}", "queue: 100, service: {exp: 1ms}");
    let r = crate::run_seed(&crate::parse(&bounded), 1);
    assert!(r.errors["queue_full"] > 1_000_000, "{:?}", r.errors);
}

#[test]
fn a_message_queue_without_a_bound_stops_the_run_naming_it() {
    let text = "name: backlog\nduration: 3s\ntraffic:\n  rate: 1000000\nnetwork: {hop: {const: 0s}}\nentry: web\ncomponents:\n  web: {kind: server, workers: 64, service: {const: 1us}, calls: [jobs]}\n  jobs: {kind: queue, consumers: workers}\n  workers: {kind: worker, workers: 1, service: {exp: 1ms}}\n";
    let e = scalesim::run(&crate::parse(text), &scalesim::RunOptions::default())
        .expect_err("overloaded");
    assert!(
        e.message.ends_with("waited in queue `jobs`, whose backlog has no bound. The system is overloaded and nothing turns messages away: give `jobs` a `capacity` (publishes beyond it fail with `queue_full`), add consumers or lower the load"),
        "{e}"
    );
}

#[test]
fn timers_kept_for_long_stop_the_run_naming_them() {
    // 10^7 requests per second, each keeping its deadline pending for 1000 s: the server
    // keeps up, the timers pile up.
    let deadlines = "name: deadlines\nduration: 60s\ntraffic:\n  rate: 10000000\n  timeout: 1000s\nentry: web\ncomponents:\n  web: {kind: server, workers: 64, queue: 100, service: {const: 1us}}\n";
    let dir = temp_with(&[("deadlines.yaml", deadlines)]);
    let err = fails(&scalesim(dir.path(), &["run", "deadlines.yaml", "-q"]));
    assert_eq!(
        err,
        "Error: deadlines.yaml: the run stopped at 1.005s of simulated time: 10,000,000 events were pending, more than a run may hold (10,000,000); 9,998,022 of them were client deadlines: each request keeps one pending for `traffic.timeout` (1000s) after it starts, whether it has ended or not, so about the arrival rate times the timeout are pending. Shorten `traffic.timeout` or lower the load\n"
    );
    // Each write keeps an apply pending per replica for the replication lag.
    let applies = "name: applies\nduration: 60s\ntraffic:\n  rate: 100000\n  classes: [{name: write, weight: 1, keys: {n: 10}}]\nentry: db\ncomponents:\n  db: {kind: database, workers: 64, read: {const: 1us}, write: {const: 1us}, replicas: 64, replication_lag: {const: 1000s}}\n";
    let e = scalesim::run(&crate::parse(applies), &scalesim::RunOptions::default())
        .expect_err("too many applies");
    assert_eq!(e.limit, scalesim::RunLimit::PendingEvents);
    assert_eq!(
        e.message,
        "the run stopped at 1.562s of simulated time: 10,000,030 events were pending, more than a run may hold (10,000,000); 10,000,000 of them were replica applies of `db`: each write keeps one pending per replica for its `replication_lag`. Shorten the `replication_lag` of `db`, use fewer replicas or lower the load"
    );
}
