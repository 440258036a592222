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
