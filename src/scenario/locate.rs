//! Where each field of a scenario file stands: a map from field path
//! (`components.web.workers`, `traffic.classes[1].weight`) to line and column.
//!
//! The raw types the second parsing stage works on are plain values. This index, built from
//! the located tree, lets every later error point at the line and column of the field it is
//! about.

use std::collections::HashMap;

use super::yaml::{Node, Origin, Value};

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// Positions of keys and values by path.
#[derive(Clone, Debug, Default)]
pub struct Locations {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Locations {
    /// Indexes the nodes of `root` that come from the file (a `--set` value has no line).
    pub fn from_tree(root: &Node) -> Locations {
        let mut out = Locations::default();
        let mut todo: Vec<(String, &Node)> = vec![(String::new(), root)];
        while let Some((path, node)) = todo.pop() {
            if node.origin != Origin::File {
                continue;
            }
            match &node.value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        todo.push((format!("{path}[{i}]"), item));
                    }
                }
                Value::Map(entries) => {
                    for e in entries {
                        let p = child(&path, &e.key);
                        if e.value.origin == Origin::File {
                            out.keys.insert(p.clone(), e.key_pos);
                        }
                        todo.push((p, &e.value));
                    }
                }
            }
            out.values.insert(path, node.pos);
        }
        out
    }

    /// The position of the value at `path`, or of its nearest located ancestor.
    pub fn value(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.values.get(p) {
                return Some(*pos);
            }
            p = parent(p)?;
        }
    }

    /// The position of the key that names `path` (falls back to [`Locations::value`]).
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.keys.get(path).copied().or_else(|| self.value(path))
    }
}

fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_block_and_flow_fields() {
        let text = "name: x\ncomponents:\n  web: {kind: server, workers: 4}\n  db:\n    kind: database\n    workers: 0\nlist:\n  - {a: 1}\n  - {a: 2}\n";
        let l = Locations::from_tree(&crate::scenario::yaml::load(text, Origin::File).unwrap());
        assert_eq!(l.value("name"), Some(Pos { line: 1, column: 7 }));
        assert_eq!(
            l.value("components.web.workers"),
            Some(Pos {
                line: 3,
                column: 32
            })
        );
        assert_eq!(
            l.value("components.db.workers"),
            Some(Pos {
                line: 6,
                column: 14
            })
        );
        assert_eq!(
            l.key("components.db.workers"),
            Some(Pos { line: 6, column: 5 })
        );
        assert_eq!(l.value("list[1].a"), Some(Pos { line: 9, column: 9 }));
        // A missing field falls back to its parent.
        assert_eq!(
            l.value("components.db.service"),
            Some(Pos { line: 5, column: 5 })
        );
    }
}
