//! Where each field of a scenario file stands: a map from field path
//! (`components.web.workers`, `traffic.classes[1].weight`) to line and column.
//!
//! serde reports positions for the errors it finds itself (syntax, types, unknown fields),
//! but the second parsing stage works on plain values. This index, built from the parser's
//! event stream, lets every later error point at the line and column of the field it is about.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Positions of keys and values by path.
#[derive(Clone, Debug, Default)]
pub struct Locations {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Locations {
    /// Indexes `text`. A file the parser cannot read gives an empty index (serde then reports
    /// the syntax error with its own position).
    pub fn index(text: &str) -> Locations {
        let mut out = Locations::default();
        let mut stack: Vec<Frame> = Vec::new();
        let mut parser = Parser::new_from_str(text);
        while let Some(Ok((event, span))) = parser.next_event() {
            let pos = Pos {
                line: span.start.line(),
                column: span.start.col() + 1,
            };
            let is_node = matches!(
                event,
                Event::Scalar(..)
                    | Event::MappingStart(..)
                    | Event::SequenceStart(..)
                    | Event::Alias(..)
            );
            if is_node {
                // Is this node a key of the enclosing map?
                if let Some(Frame::Map { path, key }) = stack.last_mut()
                    && key.is_none()
                {
                    let k = match &event {
                        Event::Scalar(s, ..) => s.to_string(),
                        _ => String::from("?"),
                    };
                    out.keys.insert(child(path, &k), pos);
                    *key = Some(k);
                    if let Event::MappingStart(..) | Event::SequenceStart(..) = event {
                        // A complex key: give it a frame so its end is matched, then drop it.
                        stack.push(Frame::Seq {
                            path: String::from("?"),
                            index: 0,
                        });
                    }
                    continue;
                }
                let path = match stack.last_mut() {
                    None => String::new(),
                    Some(Frame::Map { path, key }) => child(path, key.as_deref().unwrap_or("?")),
                    Some(Frame::Seq { path, index }) => format!("{path}[{index}]"),
                };
                out.values.entry(path.clone()).or_insert(pos);
                match event {
                    Event::MappingStart(..) => stack.push(Frame::Map { path, key: None }),
                    Event::SequenceStart(..) => stack.push(Frame::Seq { path, index: 0 }),
                    _ => finish_value(&mut stack),
                }
            } else if let Event::MappingEnd | Event::SequenceEnd = event {
                stack.pop();
                finish_value(&mut stack);
            }
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

fn finish_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { key, .. }) => *key = None,
        Some(Frame::Seq { index, .. }) => *index += 1,
        None => {}
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
        let l = Locations::index(text);
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
