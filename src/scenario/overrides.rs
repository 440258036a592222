//! `--set path=value` overrides, applied to the YAML tree before validation.
//!
//! A path is dotted (`traffic.rate`, `components.web.count`, `traffic.classes[0].weight` or
//! `traffic.classes.0.weight`). A first segment that is not a top-level key but names a
//! component is short for `components.<name>`, so `web.count=8` works. The value is read as
//! YAML, so `8`, `2s`, `[cache, db]` and `{exp: 4ms}` all mean what they would in the file.

use std::str::FromStr;

use serde_yaml::Value;

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
    pub path: String,
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
pub fn canonical_path(root: &Value, path: &str) -> String {
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

/// Applies `ov` to `root`. Errors say which part of the path did not fit.
pub fn apply(root: &mut Value, ov: &Override) -> Result<(), String> {
    let path = canonical_path(root, &ov.path);
    let value: Value = serde_yaml::from_str(&ov.value)
        .map_err(|e| format!("the value `{}` is not valid YAML: {e}", ov.value))?;
    let segs = segments(&path);
    let first = match segs.first() {
        Some(Seg::Key(k)) => k.clone(),
        _ => String::new(),
    };
    if !TOP_LEVEL_KEYS.contains(&first.as_str()) {
        return Err(format!(
            "`{first}` is neither a top-level key ({}) nor a component name",
            TOP_LEVEL_KEYS.join(", ")
        ));
    }
    let mut cur = root;
    let mut walked = String::new();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match seg {
            Seg::Key(k) => {
                if cur.is_null() {
                    *cur = Value::Mapping(Default::default());
                }
                let map = cur.as_mapping_mut().ok_or_else(|| {
                    format!("`{walked}` is not a mapping, so it has no field `{k}`")
                })?;
                let key = Value::String(k.clone());
                if last {
                    map.insert(key, value);
                    return Ok(());
                }
                if !map.contains_key(&key) {
                    map.insert(key.clone(), Value::Null);
                }
                cur = map.get_mut(&key).expect("inserted above");
                if !walked.is_empty() {
                    walked.push('.');
                }
                walked.push_str(k);
            }
            Seg::Index(ix) => {
                let seq = cur
                    .as_sequence_mut()
                    .ok_or_else(|| format!("`{walked}` is not a list, so it has no item [{ix}]"))?;
                let len = seq.len();
                let item = seq.get_mut(*ix).ok_or_else(|| {
                    format!("`{walked}` has {len} item(s), so there is no item [{ix}]")
                })?;
                if last {
                    *item = value;
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

    fn doc() -> Value {
        serde_yaml::from_str(
            "traffic: {rate: 10, classes: [{name: a, weight: 1}]}\ncomponents:\n  web: {kind: server, count: 1}\n",
        )
        .unwrap()
    }

    #[test]
    fn component_shorthand_and_lists() {
        let mut v = doc();
        apply(&mut v, &"web.count=8".parse().unwrap()).unwrap();
        apply(&mut v, &"traffic.rate=3000".parse().unwrap()).unwrap();
        apply(&mut v, &"traffic.classes[0].weight=2".parse().unwrap()).unwrap();
        apply(&mut v, &"duration=2s".parse().unwrap()).unwrap();
        assert_eq!(v["components"]["web"]["count"], Value::from(8));
        assert_eq!(v["traffic"]["rate"], Value::from(3000));
        assert_eq!(v["traffic"]["classes"][0]["weight"], Value::from(2));
        assert_eq!(v["duration"], Value::from("2s"));
    }

    #[test]
    fn errors_name_the_problem() {
        let mut v = doc();
        let e = apply(&mut v, &"nope.count=1".parse().unwrap()).unwrap_err();
        assert!(e.contains("neither a top-level key"), "{e}");
        let e = apply(&mut v, &"traffic.classes[3].weight=1".parse().unwrap()).unwrap_err();
        assert!(e.contains("has 1 item(s)"), "{e}");
        assert!("novalue".parse::<Override>().is_err());
    }
}
