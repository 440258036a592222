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
