//! Request classes: the `traffic.classes` list, and what the component pass reads of it.

use super::*;

/// What the component pass needs to know of each class. Read from the raw list so that a bad
/// class elsewhere does not also make every component's class references fail.
pub(crate) struct ClassInfo {
    pub(crate) name: String,
    pub(crate) write: bool,
    pub(crate) session: bool,
    pub(crate) is_static: bool,
}

/// What the component pass reads of the classes: from the raw list, so that a bad weight
/// does not also make every class "unknown"; the one class `default` without a list.
pub(crate) fn infos(t: &RawTraffic) -> Vec<ClassInfo> {
    match &t.classes {
        Some(list) => list
            .iter()
            .map(|c| ClassInfo {
                name: c.name.clone(),
                write: c.op.unwrap_or(if c.name == "write" {
                    Op::Write
                } else {
                    Op::Read
                }) == Op::Write,
                session: c.session.unwrap_or(false),
                is_static: c.is_static.unwrap_or(false),
            })
            .collect(),
        None => vec![ClassInfo {
            name: "default".to_string(),
            write: false,
            session: false,
            is_static: false,
        }],
    }
}

/// The classes of `list`; `timeout` (the client's) is the default deadline.
pub(crate) fn resolve_classes(
    list: &[RawClass],
    timeout: Option<SimTime>,
    pr: &mut Problems,
) -> Option<Vec<Class>> {
    if list.is_empty() {
        pr.at(
            "traffic.classes",
            "expected at least one class (or leave `classes` out for a single class)",
        );
        return None;
    }
    if list.len() > MAX_CLASSES {
        pr.at(
            "traffic.classes",
            format!(
                "expected at most {MAX_CLASSES} classes, found {}",
                list.len()
            ),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    let mut total = 0.0;
    for (i, c) in list.iter().enumerate() {
        let path = format!("traffic.classes[{i}]");
        if c.name.is_empty() || list[..i].iter().any(|d| d.name == c.name) {
            pr.at(
                &format!("{path}.name"),
                format!(
                    "expected a unique, non-empty class name, found `{}`",
                    c.name
                ),
            );
            ok = false;
        }
        if !finite_non_negative(pr, &format!("{path}.weight"), c.weight, "a weight", "") {
            ok = false;
        } else {
            total += c.weight;
        }
        let keys = match &c.keys {
            None => Keys::User,
            Some(k) => {
                if k.n == 0 {
                    pr.at(
                        &format!("{path}.keys.n"),
                        "expected a number of keys >= 1, found 0",
                    );
                    ok = false;
                } else if k.n > MAX_KEYS {
                    pr.at(
                        &format!("{path}.keys.n"),
                        format!("expected at most {MAX_KEYS} keys, found {}", k.n),
                    );
                    ok = false;
                }
                match k.zipf {
                    None => Keys::Uniform { n: k.n },
                    Some(s) if s.is_finite() && s >= 0.0 => Keys::Zipf { n: k.n, s },
                    Some(s) => {
                        pr.at(
                            &format!("{path}.keys.zipf"),
                            format!("expected a Zipf exponent >= 0 (1.0 is typical), found {s}"),
                        );
                        ok = false;
                        Keys::Uniform { n: k.n }
                    }
                }
            }
        };
        if c.is_static == Some(true) && c.op == Some(Op::Write) {
            pr.at(
                &format!("{path}.op"),
                "a static class serves files and cannot write: leave `op` out or drop `static`",
            );
            ok = false;
        }
        let op = c.op.unwrap_or(if c.name == "write" {
            Op::Write
        } else {
            Op::Read
        });
        let hot = c.keys.as_ref().and_then(|k| k.hot).unwrap_or(0.0);
        if !(0.0..=1.0).contains(&hot) {
            pr.at(
                &format!("{path}.keys.hot"),
                format!("expected a share of requests from 0 to 1, found {hot}"),
            );
            ok = false;
        }
        let deadline = match c.deadline {
            Some(d) if d.0 == SimTime::ZERO => {
                pr.at(
                    &format!("{path}.deadline"),
                    "expected a deadline > 0, found 0s (leave it out to use traffic.timeout)",
                );
                ok = false;
                None
            }
            Some(d) => Some(d.0),
            None => timeout,
        };
        out.push(Class {
            deadline,
            name: c.name.clone(),
            weight: c.weight,
            op,
            keys,
            hot,
            is_static: c.is_static.unwrap_or(false),
            session: c.session.unwrap_or(false),
            size: c.size.map_or(0, |b| b.0),
        });
    }
    if ok && total <= 0.0 {
        pr.at(
            "traffic.classes",
            format!("expected class weights that sum to a positive value, found a sum of {total}"),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    for c in &mut out {
        c.weight /= total;
    }
    Some(out)
}
