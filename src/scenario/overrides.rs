//! `--set path=value` overrides, applied to the YAML tree before validation.
//!
//! A path is dotted (`traffic.rate`, `components.web.count`, `traffic.classes[0].weight` or
//! `traffic.classes.0.weight`). A first segment that is not a top-level key but names a
//! component is short for `components.<name>`, so `web.count=8` works. The value is read as
//! YAML, so `8`, `2s`, `[cache, db]` and `{exp: 4ms}` all mean what they would in the file.

use std::str::FromStr;

use super::de::suggest;
use super::locate::Pos;
use super::yaml::{self, Entry, Node, Origin, Value};

/// Top-level keys of a scenario file.
pub const TOP_LEVEL_KEYS: [&str; 13] = [
    "name",
    "about",
    "seed",
    "duration",
    "warmup",
    "window",
    "traffic",
    "network",
    "entry",
    "components",
    "faults",
    "regions",
    "datacenters",
];

/// One `path=value` assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The field's path, as written (`components.web.count`).
    pub path: String,
    /// The value, as written (YAML).
    pub value: String,
}

impl FromStr for Override {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (path, value) = s
            .split_once('=')
            .ok_or_else(|| format!("expected path=value (like web.count=8), found `{s}`"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(format!(
                "expected path=value (like web.count=8), found `{s}` (empty path)"
            ));
        }
        Ok(Override {
            path: path.to_string(),
            value: value.trim().to_string(),
        })
    }
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

enum Seg {
    Key(String),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            out.push(Seg::Key(rest[..b].to_string()));
            rest = &rest[b..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                match stripped[..end].parse() {
                    Ok(i) => out.push(Seg::Index(i)),
                    Err(_) => out.push(Seg::Key(stripped[..end].to_string())),
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else if let Ok(i) = rest.parse::<usize>() {
            out.push(Seg::Index(i));
        } else {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

/// The path an override really addresses (`web.count` -> `components.web.count`).
pub fn canonical_path(root: &Node, path: &str) -> String {
    let first = path.split(['.', '[']).next().unwrap_or("");
    if TOP_LEVEL_KEYS.contains(&first) {
        return path.to_string();
    }
    let is_component = root.get("components").and_then(|c| c.get(first)).is_some();
    if is_component {
        format!("components.{path}")
    } else {
        path.to_string()
    }
}

/// Applies `ov`, the override with index `index`, to `root`. The value is read by the same
/// rules as the file, so `web.count=08` means what `count: 08` means. Errors say which part
/// of the path did not fit.
pub fn apply(root: &mut Node, ov: &Override, index: usize) -> Result<(), String> {
    let path = canonical_path(root, &ov.path);
    let origin = Origin::Set(index);
    let start = Pos { line: 1, column: 1 };
    let value = if ov.value.trim().is_empty() {
        Node {
            value: Value::Scalar {
                text: String::new(),
                plain: true,
            },
            pos: start,
            origin,
        }
    } else {
        yaml::load(&ov.value, origin).map_err(|problems| {
            let why: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
            format!(
                "the value `{}` is not valid YAML: {}",
                ov.value,
                why.join("; ")
            )
        })?
    };
    let segs = segments(&path);
    let first = match segs.first() {
        Some(Seg::Key(k)) => k.clone(),
        _ => String::new(),
    };
    if !TOP_LEVEL_KEYS.contains(&first.as_str()) {
        let components: Vec<&str> = match root.get("components").map(|c| &c.value) {
            Some(Value::Map(entries)) => entries.iter().map(|e| e.key.as_str()).collect(),
            _ => Vec::new(),
        };
        let hint = suggest(&first, TOP_LEVEL_KEYS.into_iter().chain(components))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(format!(
            "`{first}` is neither a top-level key ({}) nor a component name{hint}",
            TOP_LEVEL_KEYS.join(", ")
        ));
    }
    let mut cur = root;
    let mut walked = String::new();
    let mut value = Some(value);
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match seg {
            Seg::Key(k) => {
                if cur.is_null() {
                    cur.value = Value::Map(Vec::new());
                }
                let Value::Map(entries) = &mut cur.value else {
                    return Err(format!(
                        "`{walked}` is not a mapping, so it has no field `{k}`"
                    ));
                };
                let at = match entries.iter().position(|e| &e.key == k) {
                    Some(at) => at,
                    None => {
                        entries.push(Entry {
                            key: k.clone(),
                            key_pos: start,
                            value: Node {
                                value: Value::Scalar {
                                    text: String::new(),
                                    plain: true,
                                },
                                pos: start,
                                origin,
                            },
                        });
                        entries.len() - 1
                    }
                };
                if last {
                    entries[at].value = value.take().expect("one value");
                    return Ok(());
                }
                cur = &mut entries[at].value;
                if !walked.is_empty() {
                    walked.push('.');
                }
                walked.push_str(k);
            }
            Seg::Index(ix) => {
                let Value::Seq(items) = &mut cur.value else {
                    return Err(format!(
                        "`{walked}` is not a list, so it has no item [{ix}]"
                    ));
                };
                let len = items.len();
                let Some(item) = items.get_mut(*ix) else {
                    return Err(format!(
                        "`{walked}` has {len} item(s), so there is no item [{ix}]"
                    ));
                };
                if last {
                    *item = value.take().expect("one value");
                    return Ok(());
                }
                cur = item;
                walked.push_str(&format!("[{ix}]"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Node {
        yaml::load(
            "traffic: {rate: 10, classes: [{name: a, weight: 1}]}\ncomponents:\n  web: {kind: server, count: 1}\n",
            Origin::File,
        )
        .unwrap()
    }

    fn at<'a>(n: &'a Node, path: &[&str]) -> &'a str {
        let mut cur = n;
        for p in path {
            cur = match p.parse::<usize>() {
                Ok(i) => match &cur.value {
                    Value::Seq(items) => &items[i],
                    _ => panic!("not a list"),
                },
                Err(_) => cur.get(p).unwrap(),
            };
        }
        cur.as_str().unwrap()
    }

    #[test]
    fn component_shorthand_and_lists() {
        let mut v = doc();
        apply(&mut v, &"web.count=8".parse().unwrap(), 0).unwrap();
        apply(&mut v, &"traffic.rate=3000".parse().unwrap(), 1).unwrap();
        apply(&mut v, &"traffic.classes[0].weight=2".parse().unwrap(), 2).unwrap();
        apply(&mut v, &"duration=2s".parse().unwrap(), 3).unwrap();
        assert_eq!(at(&v, &["components", "web", "count"]), "8");
        assert_eq!(at(&v, &["traffic", "rate"]), "3000");
        assert_eq!(at(&v, &["traffic", "classes", "0", "weight"]), "2");
        assert_eq!(at(&v, &["duration"]), "2s");
        assert_eq!(v.get("duration").unwrap().origin, Origin::Set(3));
        assert_eq!(
            v.get("traffic").unwrap().get("rate").unwrap().origin,
            Origin::Set(1)
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let mut v = doc();
        let e = apply(&mut v, &"nope.count=1".parse().unwrap(), 0).unwrap_err();
        assert!(e.contains("neither a top-level key"), "{e}");
        let e = apply(&mut v, &"trafic.rate=1".parse().unwrap(), 0).unwrap_err();
        assert!(e.ends_with("did you mean `traffic`?"), "{e}");
        let e = apply(&mut v, &"traffic.classes[3].weight=1".parse().unwrap(), 0).unwrap_err();
        assert!(e.contains("has 1 item(s)"), "{e}");
        let e = apply(&mut v, &"traffic.rate=[1".parse().unwrap(), 0).unwrap_err();
        assert!(e.starts_with("the value `[1` is not valid YAML"), "{e}");
        assert!("novalue".parse::<Override>().is_err());
    }
}
