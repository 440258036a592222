//! Bounded memory: scenarios past a size limit are refused at validation with a message that
//! names the limit, before anything large is allocated.

use crate::bad_input::validate;

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
    // Both at once: both reported, and nothing resolved per class and component.
    assert_eq!(
        validate(&sized(300, 300), &[]),
        (
            1,
            "bad.yaml:308:3: components: expected at most 256 components, found 300\nbad.yaml:6:5: traffic.classes: expected at most 256 classes, found 300\nbad.yaml: 2 problems found\n"
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
