//! The scenario file as a tree of located nodes: the first parsing stage.
//!
//! Built from `saphyr-parser`'s event stream, so that every node knows its line and column
//! and whether it came from the file or from a `--set`. The same tree is what overrides
//! edit and what [`super::de`] reads the raw types from, so a scalar means one thing with or
//! without overrides: `08` is the number 8, `name: 5` is the name "5", whatever else is
//! given. Cost is bounded before it is paid: nesting deeper than [`MAX_NESTING`], more than
//! [`MAX_NODES`] nodes (aliases included, as they expand) or more than one document is an
//! error, as is a duplicate key in any mapping.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use super::error::Problem;
use super::locate::Pos;

/// The deepest nesting of lists and mappings a scenario may use (the shipped ones use 6).
pub const MAX_NESTING: usize = 64;
/// The most nodes (scalars, lists and mappings, aliases counted as they expand) in a file.
pub const MAX_NODES: usize = 1_000_000;

/// Where a node came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The scenario file.
    File,
    /// The `--set` with this index.
    Set(usize),
}

/// One node of the tree.
#[derive(Clone, Debug)]
pub struct Node {
    /// The value: a scalar, a list or a mapping.
    pub value: Value,
    /// Where the node starts (for a `--set` value, where it starts in the value's text).
    pub pos: Pos,
    /// Whether it came from the file or from `--set`.
    pub origin: Origin,
}

/// A node's content.
#[derive(Clone, Debug)]
pub enum Value {
    /// A scalar as written. `plain` is false for quoted and block scalars, which are always
    /// text; a plain scalar is resolved by [`resolve_plain`].
    Scalar {
        /// The text as written (unquoted).
        text: String,
        /// Whether it was written plain (unquoted, not a block).
        plain: bool,
    },
    /// Items in file order.
    Seq(Vec<Node>),
    /// Entries in file order; keys are unique.
    Map(Vec<Entry>),
}

/// One key of a mapping and its value.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key's text.
    pub key: String,
    /// Where the key is.
    pub key_pos: Pos,
    /// The value under it.
    pub value: Node,
}

/// What a plain scalar means, by the YAML 1.2 core schema.
#[derive(Clone, Debug, PartialEq)]
pub enum Plain<'a> {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number (decimal, `0x` hexadecimal or `0o` octal); `None` when it does not fit
    /// in 128 bits.
    Int(Option<i128>),
    /// A decimal number with a fraction or an exponent, or `.inf`/`.nan`.
    Float(f64),
    /// Anything else: text.
    Str(&'a str),
}

/// Resolves a plain scalar. Decimal integers may have leading zeros (`08` is 8: YAML 1.2
/// has no implicit octal).
pub fn resolve_plain(text: &str) -> Plain<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Plain::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Plain::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Plain::Float(f64::NAN),
        _ => {}
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Plain::Int(i128::from_str_radix(hex, 16).ok());
        }
        return Plain::Str(text);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return Plain::Int(i128::from_str_radix(oct, 8).ok());
        }
        return Plain::Str(text);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Plain::Int(text.parse::<i128>().ok());
    }
    if is_float(digits)
        && let Ok(f) = text.parse::<f64>()
    {
        return Plain::Float(f);
    }
    Plain::Str(text)
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema's float without sign.
fn is_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

impl Node {
    /// The value of `key`, when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is an empty plain scalar (`key:` with no value, `~`, `null`).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if resolve_plain(text) == Plain::Null)
    }

    /// Nodes in this subtree, itself included.
    fn size(&self) -> usize {
        let mut n = 0;
        let mut todo = vec![self];
        while let Some(node) = todo.pop() {
            n += 1;
            match &node.value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => todo.extend(items),
                Value::Map(entries) => todo.extend(entries.iter().map(|e| &e.value)),
            }
        }
        n
    }

    /// Marks every node of this subtree as coming from `origin`.
    pub fn set_origin(&mut self, origin: Origin) {
        let mut todo = vec![self];
        while let Some(node) = todo.pop() {
            node.origin = origin;
            match &mut node.value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => todo.extend(items.iter_mut()),
                Value::Map(entries) => todo.extend(entries.iter_mut().map(|e| &mut e.value)),
            }
        }
    }
}

impl Drop for Node {
    /// Drops deep trees without recursion.
    fn drop(&mut self) {
        let mut todo = Vec::new();
        match &mut self.value {
            Value::Scalar { .. } => return,
            Value::Seq(items) => todo.append(items),
            Value::Map(entries) => todo.extend(entries.drain(..).map(|e| e.value)),
        }
        while let Some(mut node) = todo.pop() {
            match &mut node.value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => todo.append(items),
                Value::Map(entries) => todo.extend(entries.drain(..).map(|e| e.value)),
            }
        }
    }
}

enum Frame {
    Seq {
        /// Where it starts in the text, in characters.
        at: usize,
        path: String,
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        at: usize,
        path: String,
        pos: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        /// The key waiting for its value.
        key: Option<(String, Pos)>,
        /// A complex key was found: its value is read and dropped.
        skip_value: bool,
        seen: HashMap<String, Pos>,
    },
}

fn problem(pos: Option<Pos>, message: String) -> Problem {
    Problem {
        path: String::new(),
        line: pos.map(|p| p.line),
        column: pos.map(|p| p.column),
        message,
    }
}

/// Reads `text` into a tree, strictly: any problem is an error.
pub fn load(text: &str, origin: Origin) -> Result<Node, Vec<Problem>> {
    match load_keep_going(text, origin) {
        Ok((root, problems)) if problems.is_empty() => Ok(root),
        Ok((_, problems)) | Err(problems) => Err(problems),
    }
}

/// Reads `text` into a tree. A duplicate key is reported and the reading goes on (the first
/// is kept), so the tree comes back with those problems; a syntax error, too deep a nesting,
/// too many nodes or a second document ends the reading with what was found so far.
pub fn load_keep_going(text: &str, origin: Origin) -> Result<(Node, Vec<Problem>), Vec<Problem>> {
    let mut l = Loader {
        origin,
        problems: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let p = unclosed(text, &l.stack).unwrap_or_else(|| syntax_problem(&e));
                l.problems.push(p);
                return Err(l.problems);
            }
        };
        let pos = Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
        };
        if let Err(m) = l.event(event, pos, span.start.index()) {
            l.problems.push(problem(Some(pos), m));
            return Err(l.problems);
        }
    }
    match l.root {
        Some(root) => Ok((root, l.problems)),
        None => Err(vec![problem(
            None,
            "the file is empty: expected a scenario mapping with name, duration, traffic, entry and components".into(),
        )]),
    }
}

/// The tree being built from the event stream.
struct Loader {
    /// Where the nodes come from.
    origin: Origin,
    /// Problems that did not stop the reading (duplicate keys).
    problems: Vec<Problem>,
    /// The lists and mappings open around the current event.
    stack: Vec<Frame>,
    /// Anchored nodes by anchor id, with their sizes.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes so far, aliases counted as they expand.
    nodes: usize,
    /// The finished tree.
    root: Option<Node>,
    /// Documents begun.
    documents: usize,
}

impl Loader {
    /// Takes one event at `pos` (`at`: its offset in characters); `Err` with the message of
    /// a problem that ends the reading.
    fn event(&mut self, event: Event<'_>, pos: Pos, at: usize) -> Result<(), String> {
        let origin = self.origin;
        let done: Option<(Node, usize)> = match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err("a second YAML document: a scenario file holds one (remove the `---` line and what follows, or split the file)".into());
                }
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                if let Some(tag) = &tag {
                    check_tag(&tag.handle, &tag.suffix)?;
                }
                let forced_str = tag
                    .as_ref()
                    .is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str");
                let plain = style == ScalarStyle::Plain && !forced_str;
                self.nodes += 1;
                Some((
                    Node {
                        value: Value::Scalar {
                            text: value.into_owned(),
                            plain,
                        },
                        pos,
                        origin,
                    },
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if let Some(tag) = &tag {
                    check_tag(&tag.handle, &tag.suffix)?;
                }
                let is_seq = matches!(event, Event::SequenceStart(..));
                self.open(is_seq, anchor, pos, at)?;
                None
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => Some(self.alias(id, pos)?),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => None,
        };
        if self.nodes > MAX_NODES {
            return Err(format!(
                "more than {MAX_NODES} values: a scenario needs far fewer"
            ));
        }
        let Some((node, anchor)) = done else {
            return Ok(());
        };
        if anchor != 0 {
            let size = node.size();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        attach(&mut self.stack, &mut self.root, node, &mut self.problems);
        Ok(())
    }

    /// Opens a list (`is_seq`) or a mapping at `pos`.
    fn open(&mut self, is_seq: bool, anchor: usize, pos: Pos, at: usize) -> Result<(), String> {
        if self.stack.len() >= MAX_NESTING {
            return Err(format!(
                "lists and mappings nested more than {MAX_NESTING} deep: a scenario needs a handful of levels"
            ));
        }
        self.nodes += 1;
        let path = match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq { path, items, .. }) => format!("{path}[{}]", items.len()),
            Some(Frame::Map { path, key, .. }) => match key {
                Some((k, _)) if path.is_empty() => k.clone(),
                Some((k, _)) => format!("{path}.{k}"),
                None => path.clone(),
            },
        };
        self.stack.push(if is_seq {
            Frame::Seq {
                at,
                path,
                pos,
                anchor,
                items: Vec::new(),
            }
        } else {
            Frame::Map {
                at,
                path,
                pos,
                anchor,
                entries: Vec::new(),
                key: None,
                skip_value: false,
                seen: HashMap::new(),
            }
        });
        Ok(())
    }

    /// Closes the innermost list or mapping: the finished node and its anchor.
    fn close(&mut self) -> Option<(Node, usize)> {
        let origin = self.origin;
        match self.stack.pop()? {
            Frame::Seq {
                pos, anchor, items, ..
            } => Some((
                Node {
                    value: Value::Seq(items),
                    pos,
                    origin,
                },
                anchor,
            )),
            Frame::Map {
                pos,
                anchor,
                entries,
                ..
            } => Some((
                Node {
                    value: Value::Map(entries),
                    pos,
                    origin,
                },
                anchor,
            )),
        }
    }

    /// A copy of the node anchored as `id`, placed at `pos`.
    fn alias(&mut self, id: usize, pos: Pos) -> Result<(Node, usize), String> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err("an alias to an unknown anchor".into());
        };
        if self.nodes + size > MAX_NODES {
            return Err(format!(
                "aliases expand the file past {MAX_NODES} values: a scenario needs far fewer"
            ));
        }
        self.nodes += size;
        let mut copy = node.clone();
        copy.pos = pos;
        Ok((copy, 0))
    }
}

/// Puts a finished node where it belongs: an item of the open list, a key or a value of the
/// open mapping, or the root.
fn attach(stack: &mut [Frame], root: &mut Option<Node>, node: Node, problems: &mut Vec<Problem>) {
    match stack.last_mut() {
        None => *root = Some(node),
        Some(Frame::Seq { items, .. }) => items.push(node),
        Some(Frame::Map {
            path,
            entries,
            key,
            skip_value,
            seen,
            ..
        }) => {
            if *skip_value {
                *skip_value = false;
                return;
            }
            match key.take() {
                None => match node.value {
                    Value::Scalar { ref text, .. } => *key = Some((text.clone(), node.pos)),
                    _ => {
                        problems.push(problem(
                            Some(node.pos),
                            "a list or mapping used as a key: keys are names".into(),
                        ));
                        *skip_value = true;
                    }
                },
                Some((k, key_pos)) => match seen.get(&k) {
                    Some(first) => problems.push(Problem {
                        path: if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        },
                        ..problem(
                            Some(key_pos),
                            format!(
                                "`{k}` is given twice in this mapping (first at line {}): remove one",
                                first.line
                            ),
                        )
                    }),
                    None => {
                        seen.insert(k.clone(), key_pos);
                        entries.push(Entry {
                            key: k,
                            key_pos,
                            value: node,
                        });
                    }
                },
            }
        }
    }
}

/// Tags from the core schema are understood; any other tag is refused rather than ignored.
fn check_tag(handle: &str, suffix: &str) -> Result<(), String> {
    let core = handle == "tag:yaml.org,2002:"
        && matches!(
            suffix,
            "str" | "int" | "float" | "bool" | "null" | "map" | "seq"
        );
    if core || (handle == "!" && suffix.is_empty()) {
        Ok(())
    } else {
        Err(format!(
            "the tag `{handle}{suffix}` is not understood: scenarios use plain values (!!str is the one tag that changes a meaning)"
        ))
    }
}

/// A syntax error inside a `[...]` or `{...}` is most often that bracket left open: point
/// at it.
fn unclosed(text: &str, stack: &[Frame]) -> Option<Problem> {
    let (at, pos) = match stack.last()? {
        Frame::Seq { at, pos, .. } | Frame::Map { at, pos, .. } => (*at, *pos),
    };
    let c = text.chars().nth(at)?;
    let close = match c {
        '[' => ']',
        '{' => '}',
        _ => return None,
    };
    Some(problem(
        Some(pos),
        format!(
            "not valid YAML: this `{c}` is not closed by a `{close}` (or a comma is missing between its items)"
        ),
    ))
}

/// The parser's messages, by a phrase they contain, in the project's words. The first
/// match wins; a message that matches none is shown as the parser gave it.
const SYNTAX_HINTS: [(&[&str], &str); 16] = [
    (
        &["mapping values are not allowed"],
        "a `key: value` where none can start: check this line's indentation against the lines above, or quote a value that contains `: `",
    ),
    (
        &["did not find expected key", "block mapping"],
        "a line that is not a `key: value` of the mapping it is indented under: check the indentation",
    ),
    (
        &["expected '-' indicator", "block sequence entries"],
        "a list item (`- ...`) indented differently from the items above it",
    ),
    (
        &["tab"],
        "a tab in the indentation: YAML indents with spaces only",
    ),
    (
        &[
            "flow mapping",
            "flow sequence",
            "misplaced bracket",
            "in flow construct",
        ],
        "an unclosed `[` or `{`, a stray `]` or `}`, or a missing comma between items",
    ),
    (
        &["quoted scalar"],
        "a quoted value that is not closed, or an unknown `\\` escape inside double quotes",
    ),
    (
        &["unknown anchor"],
        "an alias (`*name`) to an anchor (`&name`) that is not defined above it",
    ),
    (&["duplicated anchor"], "an anchor (`&name`) defined twice"),
    (
        &["unexpected eof", "unexpected end"],
        "the file ends in the middle of a value",
    ),
    (
        &["unprintable character"],
        "a character that cannot appear in YAML (a control character or a NUL byte): is this a text file?",
    ),
    (
        &["byte order mark"],
        "a byte-order mark inside the file (one is allowed only at its very start)",
    ),
    (
        &["directive", "TAG", "tag"],
        "a `%` directive or `!` tag that is not understood",
    ),
    (
        &["document"],
        "a document marker (`---` or `...`) where none can be",
    ),
    (
        &["anchor", "alias"],
        "an anchor (`&name`) or alias (`*name`) that is not written right",
    ),
    (
        &["block scalar"],
        "a `|` or `>` text block that is not indented consistently",
    ),
    (
        &[
            "simple key",
            "key: value",
            "expected whitespace",
            "unexpected character",
            "node content",
            "plain scalar",
            "':' indicator",
            "next token",
            "invalid indentation",
        ],
        "a value that cannot start here: check the indentation, and quote a value that contains `: ` or ` #`, or starts with `-`, `[`, `{`, `*`, `&`, `!`, `%`, `@` or a backquote",
    ),
];

/// A syntax error in the project's words, at the scanner's position.
fn syntax_problem(e: &ScanError) -> Problem {
    let m = e.marker();
    let info = e.info();
    if info.contains("recursion limit") {
        return problem(
            Some(Pos {
                line: m.line(),
                column: m.col() + 1,
            }),
            format!(
                "lists and mappings nested more than {MAX_NESTING} deep: a scenario needs a handful of levels"
            ),
        );
    }
    let hint = SYNTAX_HINTS
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| info.contains(n)))
        .map_or("", |(_, hint)| hint);
    let message = if hint.is_empty() {
        format!("not valid YAML: {info}")
    } else {
        format!("not valid YAML: {hint}")
    };
    problem(
        Some(Pos {
            line: m.line(),
            column: m.col() + 1,
        }),
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> String {
        let e = load(text, Origin::File).unwrap_err();
        let p = &e[0];
        format!(
            "{}:{}: {}",
            p.line.unwrap_or(0),
            p.column.unwrap_or(0),
            p.message
        )
    }

    #[test]
    fn scalars_resolve_by_the_core_schema() {
        assert_eq!(resolve_plain("08"), Plain::Int(Some(8)));
        assert_eq!(resolve_plain("-3"), Plain::Int(Some(-3)));
        assert_eq!(resolve_plain("0x1F"), Plain::Int(Some(31)));
        assert_eq!(resolve_plain("0o17"), Plain::Int(Some(15)));
        assert_eq!(resolve_plain("1e3"), Plain::Float(1000.0));
        assert_eq!(resolve_plain(".5"), Plain::Float(0.5));
        assert_eq!(resolve_plain("5."), Plain::Float(5.0));
        assert_eq!(resolve_plain("~"), Plain::Null);
        assert_eq!(resolve_plain(""), Plain::Null);
        assert_eq!(resolve_plain("True"), Plain::Bool(true));
        assert_eq!(resolve_plain("4ms"), Plain::Str("4ms"));
        assert_eq!(resolve_plain("1e"), Plain::Str("1e"));
        assert_eq!(resolve_plain("yes"), Plain::Str("yes"));
        assert_eq!(resolve_plain("0x"), Plain::Str("0x"));
        assert_eq!(
            resolve_plain("123456789012345678901234567890123456789012"),
            Plain::Int(None)
        );
        assert!(matches!(resolve_plain(".nan"), Plain::Float(f) if f.is_nan()));
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_duplicate() {
        let e = load("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", Origin::File).unwrap_err();
        let lines: Vec<_> = e.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(lines, vec![(Some(4), Some(3)), (Some(5), Some(1))]);
        assert_eq!(
            e[0].message,
            "`c` is given twice in this mapping (first at line 3): remove one"
        );
    }

    #[test]
    fn nesting_nodes_and_documents_are_bounded() {
        let deep = "[".repeat(100_000);
        assert!(
            first(&deep).ends_with(": lists and mappings nested more than 64 deep: a scenario needs a handful of levels"),
            "{}",
            first(&deep)
        );
        let deep_block: String = (0..100)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert_eq!(
            first(&deep_block),
            "65:65: lists and mappings nested more than 64 deep: a scenario needs a handful of levels"
        );
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        assert!(first(laughs).contains("aliases expand the file past 1000000 values"));
        assert!(first("a: 1\n---\nb: 2\n").starts_with("2:1: a second YAML document"));
    }

    #[test]
    fn aliases_copy_and_positions_are_one_based() {
        let n = load("x: &v {a: 1}\ny: *v\n", Origin::File).unwrap();
        assert_eq!(n.get("y").unwrap().get("a").unwrap().as_str(), Some("1"));
        assert_eq!(n.get("y").unwrap().pos, Pos { line: 2, column: 4 });
    }

    #[test]
    fn syntax_errors_are_located_and_explained() {
        let m = first("name: x\ncomponents:\n  web:\n    kind: server\n   workers: 4\n");
        assert!(m.contains("indentation"), "{m}");
        assert!(m.starts_with("5:"), "{m}");
        assert!(first("a: 'open\n").contains("not valid YAML"));
        assert!(first("a: !custom 1\n").contains("the tag `!custom` is not understood"));
    }

    #[test]
    fn line_endings_and_byte_order_marks_are_read() {
        let n = load("\u{feff}a: 1\r\nb: 2\r\n", Origin::File).unwrap();
        assert_eq!(n.get("b").unwrap().as_str(), Some("2"));
        assert_eq!(n.get("b").unwrap().pos.line, 2);
    }
}
