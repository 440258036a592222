//! Reads the raw serde types from a located [`Node`] tree, reporting every problem.
//!
//! A serde `Deserialize` stops at its first error. To report them all, [`read`] reads the
//! tree again after each error with the offending node *poisoned*: a poisoned node answers
//! any request with a harmless stand-in (`None`, zero, empty text, a mapping whose fields
//! are all poisoned), so the next error found is a different one. Unknown keys never stop
//! the reading: they are reported and skipped. Every message is in the project's words —
//! what was expected, what was found — with the path, line and column of the node, and the
//! nearest valid name when one is close.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

use super::locate::Pos;
use super::path::{PathRef, Seg};
pub use super::path::{child, parent, related};
pub use super::words::{did_you_mean, mean, suggest};
use super::words::{one_of, unknown_key};
use super::yaml::{Node, Origin, Plain, Value, resolve_plain};

/// The most problems one reading reports (and the most times the tree is read again).
pub const MAX_PROBLEMS: usize = 100;

/// A problem found while reading, with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The field's path (`components.web.workers`).
    pub path: String,
    /// Where it is in the text.
    pub pos: Pos,
    /// Whether it came from the file or from `--set`.
    pub origin: Origin,
    /// What is wrong, and the fix.
    pub message: String,
    /// For an unknown key: the valid key it is probably a typo of.
    pub instead: Option<&'static str>,
}

/// The serde error of this reader.
#[derive(Debug)]
pub struct Error {
    message: String,
    /// A required field that is missing (the error is at the mapping).
    missing: Option<&'static str>,
    at: Option<(String, Pos, Origin)>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            message: msg.to_string(),
            missing: None,
            at: None,
        }
    }
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::custom(format!("expected {exp}, found {}", unexpected(&unexp)))
    }
    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::custom(format!("expected {exp}, found {}", unexpected(&unexp)))
    }
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Self::custom(format!("expected {exp}, found {len} item(s)"))
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::custom(one_of("", variant, expected))
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::custom(unknown_key(field, expected))
    }
    fn missing_field(field: &'static str) -> Self {
        Error {
            message: format!("missing: `{field}` is required here"),
            missing: Some(field),
            at: None,
        }
    }
}

fn unexpected(u: &Unexpected<'_>) -> String {
    match u {
        Unexpected::Bool(b) => format!("`{b}`"),
        Unexpected::Unsigned(n) => n.to_string(),
        Unexpected::Signed(n) => n.to_string(),
        Unexpected::Float(x) => x.to_string(),
        Unexpected::Char(c) => format!("`{c}`"),
        Unexpected::Str(s) => format!("`{s}`"),
        Unexpected::Unit => "nothing (an empty value)".into(),
        Unexpected::Seq => "a list".into(),
        Unexpected::Map => "a mapping".into(),
        other => other.to_string(),
    }
}

/// The fields a mapping takes, for messages, when they are narrower than serde's list (a
/// component takes its kind's fields): `(struct name, the mapping) -> (who, fields)`, where
/// `who` reads "a server".
pub type FieldsHint<'h> =
    &'h dyn Fn(&'static str, &Node) -> Option<(&'static str, Vec<&'static str>)>;

struct Ctx<'c> {
    poison: &'c BTreeSet<String>,
    unknown: RefCell<Vec<Found>>,
    hint: FieldsHint<'c>,
}

/// Reads `T` from `root`. On success, also returns the problems that did not stop the
/// reading (unknown keys). On failure, every problem found, at most [`MAX_PROBLEMS`], and the
/// paths that were poisoned to find them.
pub fn read<T: for<'a> Deserialize<'a>>(
    root: &Node,
    hint: FieldsHint<'_>,
) -> (Option<T>, Vec<Found>, BTreeSet<String>) {
    let mut poison = BTreeSet::new();
    let mut found: Vec<Found> = Vec::new();
    let push = |found: &mut Vec<Found>, f: Found| {
        if !found.contains(&f) {
            found.push(f);
        }
    };
    for _ in 0..MAX_PROBLEMS * 4 {
        let ctx = Ctx {
            poison: &poison,
            unknown: RefCell::new(Vec::new()),
            hint,
        };
        let result = T::deserialize(De {
            node: Some(root),
            path: PathRef {
                parent: None,
                seg: Seg::Root,
            },
            anchor: (root.pos, root.origin),
            poisoned: poison.contains(""),
            ctx: &ctx,
        });
        for f in ctx.unknown.into_inner() {
            push(&mut found, f);
        }
        let err = match result {
            Ok(v) => return (Some(v), found, poison),
            Err(e) => e,
        };
        let Some((path, pos, origin)) = err.at else {
            break;
        };
        let target = match err.missing {
            Some(field) => child(&path, field),
            None => path.clone(),
        };
        match poisoned_ancestor(&poison, &target) {
            // A stand-in did not fit: poison the field that holds it instead.
            Some(p) => match parent(&p) {
                Some(up) => {
                    poison.insert(up.to_string());
                }
                None => break,
            },
            None => {
                push(
                    &mut found,
                    Found {
                        path: target.clone(),
                        pos,
                        origin,
                        message: err.message,
                        instead: None,
                    },
                );
                poison.insert(target);
            }
        }
        if found.len() >= MAX_PROBLEMS {
            break;
        }
    }
    (None, found, poison)
}

fn poisoned_ancestor(poison: &BTreeSet<String>, path: &str) -> Option<String> {
    let mut p = Some(path);
    while let Some(q) = p {
        if poison.contains(q) {
            return Some(q.to_string());
        }
        p = parent(q);
    }
    None
}

/// A deserializer for one node (or a poisoned stand-in, `node: None`).
struct De<'a, 'c, 'p> {
    node: Option<&'a Node>,
    path: PathRef<'p>,
    /// Where a stand-in reports from: its nearest real ancestor.
    anchor: (Pos, Origin),
    poisoned: bool,
    ctx: &'c Ctx<'c>,
}

impl<'a, 'c, 'p> De<'a, 'c, 'p> {
    fn child<'q>(&'q self, seg: Seg<'q>, node: Option<&'a Node>) -> De<'a, 'c, 'q> {
        let path = PathRef {
            parent: Some(&self.path),
            seg,
        };
        let poisoned = self.poisoned
            || node.is_none()
            || (!self.ctx.poison.is_empty() && self.ctx.poison.contains(&path.render()));
        De {
            node,
            anchor: node.map_or(self.anchor, |n| (n.pos, n.origin)),
            path,
            poisoned,
            ctx: self.ctx,
        }
    }

    fn locate(&self, mut e: Error) -> Error {
        if e.at.is_none() {
            e.at = Some((self.path.render(), self.anchor.0, self.anchor.1));
        }
        e
    }

    fn fail<T>(&self, message: String) -> Result<T, Error> {
        Err(self.locate(de::Error::custom(message)))
    }

    /// What the node is, for "found ..." in messages.
    fn found(&self) -> String {
        match self.node.map(|n| &n.value) {
            None => "nothing".into(),
            Some(Value::Seq(_)) => "a list".into(),
            Some(Value::Map(_)) => "a mapping".into(),
            Some(Value::Scalar { text, plain: false }) => format!("the text \"{text}\""),
            Some(Value::Scalar { text, plain: true }) => match resolve_plain(text) {
                Plain::Null => "nothing (an empty value)".into(),
                Plain::Str(s) => format!("`{s}`"),
                _ => text.clone(),
            },
        }
    }

    fn scalar(&self) -> Option<(&'a str, bool)> {
        match self.node.map(|n| &n.value) {
            Some(Value::Scalar { text, plain }) => Some((text.as_str(), *plain)),
            _ => None,
        }
    }

    fn plain(&self) -> Option<Plain<'a>> {
        match self.scalar() {
            Some((text, true)) => Some(resolve_plain(text)),
            _ => None,
        }
    }

    fn int(&self, lo: i128, hi: i128) -> Result<i128, Error> {
        let range = if lo == 0 {
            format!("a whole number from 0 to {hi}")
        } else {
            format!("a whole number from {lo} to {hi}")
        };
        match self.plain() {
            Some(Plain::Int(Some(v))) if (lo..=hi).contains(&v) => Ok(v),
            Some(Plain::Int(_)) => self.fail(format!(
                "expected {range}, found {} (out of range)",
                self.found()
            )),
            _ => self.fail(format!("expected {range}, found {}", self.found())),
        }
    }

    fn float(&self) -> Result<f64, Error> {
        match self.plain() {
            Some(Plain::Int(Some(v))) => Ok(v as f64),
            Some(Plain::Float(f)) => Ok(f),
            _ => self.fail(format!("expected a number, found {}", self.found())),
        }
    }
}

macro_rules! int_method {
    ($method:ident, $visit:ident, $t:ty) => {
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            if self.poisoned {
                return v.$visit(0);
            }
            let n = self.int(<$t>::MIN as i128, <$t>::MAX as i128)?;
            v.$visit(n as $t).map_err(|e| self.locate(e))
        }
    };
}

impl<'de, 'a, 'c, 'p> de::Deserializer<'de> for De<'a, 'c, 'p> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.poisoned {
            return v.visit_u64(0);
        }
        let node = self.node.expect("a real node");
        let r = match &node.value {
            Value::Seq(_) => return self.deserialize_seq(v),
            Value::Map(_) => return self.deserialize_map(v),
            Value::Scalar { text, plain: false } => v.visit_str(text),
            Value::Scalar { text, plain: true } => match resolve_plain(text) {
                Plain::Null => v.visit_unit(),
                Plain::Bool(b) => v.visit_bool(b),
                Plain::Int(Some(n)) if n >= 0 && n <= u64::MAX as i128 => v.visit_u64(n as u64),
                Plain::Int(Some(n)) if n >= i64::MIN as i128 && n < 0 => v.visit_i64(n as i64),
                Plain::Int(_) => {
                    return self.fail(format!("the number {text} is too large"));
                }
                Plain::Float(f) => v.visit_f64(f),
                Plain::Str(s) => v.visit_str(s),
            },
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.poisoned {
            return v.visit_bool(false);
        }
        match self.plain() {
            Some(Plain::Bool(b)) => v.visit_bool(b).map_err(|e| self.locate(e)),
            _ => self.fail(format!("expected true or false, found {}", self.found())),
        }
    }

    int_method!(deserialize_i8, visit_i8, i8);
    int_method!(deserialize_i16, visit_i16, i16);
    int_method!(deserialize_i32, visit_i32, i32);
    int_method!(deserialize_i64, visit_i64, i64);
    int_method!(deserialize_u8, visit_u8, u8);
    int_method!(deserialize_u16, visit_u16, u16);
    int_method!(deserialize_u32, visit_u32, u32);
    int_method!(deserialize_u64, visit_u64, u64);

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_f64(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.poisoned {
            return v.visit_f64(0.0);
        }
        let f = self.float()?;
        v.visit_f64(f).map_err(|e| self.locate(e))
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.poisoned {
            return v.visit_str("");
        }
        match self.scalar() {
            Some((text, plain)) if !(plain && resolve_plain(text) == Plain::Null) => {
                v.visit_str(text).map_err(|e| self.locate(e))
            }
            _ => self.fail(format!("expected text, found {}", self.found())),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.poisoned || self.node.is_some_and(Node::is_null) {
            return v.visit_none();
        }
        v.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.poisoned || self.node.is_some_and(Node::is_null) {
            return v.visit_unit();
        }
        self.fail(format!("expected nothing, found {}", self.found()))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.poisoned {
            return v.visit_seq(Items {
                parent: &self,
                items: [].iter(),
                index: 0,
            });
        }
        match self.node.map(|n| &n.value) {
            Some(Value::Seq(items)) => v
                .visit_seq(Items {
                    parent: &self,
                    items: items.iter(),
                    index: 0,
                })
                .map_err(|e| self.locate(e)),
            _ => self.fail(format!("expected a list, found {}", self.found())),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.poisoned {
            return v.visit_map(Entries {
                parent: &self,
                entries: Vec::new().into_iter(),
                value: None,
            });
        }
        match self.node.map(|n| &n.value) {
            Some(Value::Map(entries)) => {
                let list: Vec<(&str, Option<&Node>)> = entries
                    .iter()
                    .map(|e| (e.key.as_str(), Some(&e.value)))
                    .collect();
                v.visit_map(Entries {
                    parent: &self,
                    entries: list.into_iter(),
                    value: None,
                })
                .map_err(|e| self.locate(e))
            }
            _ => self.fail(format!("expected a mapping, found {}", self.found())),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        if self.poisoned {
            let list: Vec<(&str, Option<&Node>)> = fields.iter().map(|f| (*f, None)).collect();
            return v.visit_map(Entries {
                parent: &self,
                entries: list.into_iter(),
                value: None,
            });
        }
        let node = self.node.expect("a real node");
        let entries: &[super::yaml::Entry] = match &node.value {
            Value::Map(entries) => entries,
            // `key:` with nothing: an empty mapping.
            _ if node.is_null() => &[],
            _ => {
                return self.fail(format!(
                    "expected a mapping of {}, found {}",
                    fields.join(", "),
                    self.found()
                ));
            }
        };
        let mut list: Vec<(&str, Option<&Node>)> = Vec::with_capacity(entries.len());
        let narrower = (self.ctx.hint)(name, node);
        for e in entries {
            if fields.contains(&e.key.as_str()) {
                list.push((e.key.as_str(), Some(&e.value)));
            } else {
                let (message, instead) = match &narrower {
                    Some((who, names)) => (
                        format!(
                            "unknown field `{}`; {}{who} takes: {}",
                            e.key,
                            did_you_mean(&e.key, names.iter().copied()),
                            names.join(", ")
                        ),
                        suggest(&e.key, names.iter().copied()),
                    ),
                    None => (
                        unknown_key(&e.key, fields),
                        suggest(&e.key, fields.iter().copied()),
                    ),
                };
                self.ctx.unknown.borrow_mut().push(Found {
                    path: child(&self.path.render(), &e.key),
                    pos: e.key_pos,
                    origin: e.value.origin,
                    message,
                    instead,
                });
            }
        }
        // A missing required field that was poisoned gets its stand-in.
        for f in fields {
            if !self.ctx.poison.is_empty()
                && !list.iter().any(|(k, _)| k == f)
                && self.ctx.poison.contains(&child(&self.path.render(), f))
            {
                list.push((f, None));
            }
        }
        v.visit_map(Entries {
            parent: &self,
            entries: list.into_iter(),
            value: None,
        })
        .map_err(|e| self.locate(e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        if self.poisoned {
            return v.visit_enum(Variant(variants.first().copied().unwrap_or("")));
        }
        match self.scalar() {
            Some((text, _)) if variants.contains(&text) => {
                v.visit_enum(Variant(text)).map_err(|e| self.locate(e))
            }
            Some((text, plain)) if !(plain && resolve_plain(text) == Plain::Null) => {
                self.fail(one_of("", text, variants))
            }
            _ => self.fail(format!(
                "expected one of {}, found {}",
                variants.join(", "),
                self.found()
            )),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
}

struct Items<'q, 'a, 'c, 'p> {
    parent: &'q De<'a, 'c, 'p>,
    items: std::slice::Iter<'a, Node>,
    index: usize,
}

impl<'de, 'a, 'c, 'p> SeqAccess<'de> for Items<'_, 'a, 'c, 'p> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(self.parent.child(Seg::Index(index), Some(node)))
            .map(Some)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'q, 'a, 'c, 'p, I> {
    parent: &'q De<'a, 'c, 'p>,
    entries: I,
    value: Option<(&'a str, Option<&'a Node>)>,
}

impl<'de, 'a, 'c, 'p, I> MapAccess<'de> for Entries<'_, 'a, 'c, 'p, I>
where
    I: Iterator<Item = (&'a str, Option<&'a Node>)>,
{
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, node)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, node));
        let k: de::value::StrDeserializer<'_, Error> = key.into_deserializer();
        seed.deserialize(k).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, node) = self.value.take().expect("a key before its value");
        seed.deserialize(self.parent.child(Seg::Key(key), node))
    }
}

struct Variant<'a>(&'a str);

impl<'de> EnumAccess<'de> for Variant<'_> {
    type Error = Error;
    type Variant = UnitOnly;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, UnitOnly), Error> {
        let k: de::value::StrDeserializer<'_, Error> = self.0.into_deserializer();
        Ok((seed.deserialize(k)?, UnitOnly))
    }
}

struct UnitOnly;

impl<'de> VariantAccess<'de> for UnitOnly {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, Error> {
        Err(de::Error::custom(
            "expected a name, found a name with a value",
        ))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value, Error> {
        Err(de::Error::custom(
            "expected a name, found a name with a value",
        ))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value, Error> {
        Err(de::Error::custom(
            "expected a name, found a name with a value",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::yaml::load;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        name: String,
        workers: Option<u32>,
        rate: Option<f64>,
        list: Option<Vec<u8>>,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        must: u64,
    }

    fn no_hint(_: &'static str, _: &Node) -> Option<(&'static str, Vec<&'static str>)> {
        None
    }

    fn problems(text: &str) -> Vec<String> {
        let root = load(text, Origin::File).unwrap();
        let (v, found, _) = read::<T>(&root, &no_hint);
        if found.is_empty() {
            assert!(v.is_some());
        }
        let mut out: Vec<String> = found
            .iter()
            .map(|f| format!("{}:{} {}: {}", f.pos.line, f.pos.column, f.path, f.message))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_problem_is_reported_once_in_plain_words() {
        let p = problems(
            "name: 5\nwokers: 9 queue\nworkers: x\nrate: 08\nlist: [1, 300, a]\ninner: {}\n",
        );
        assert_eq!(
            p,
            vec![
                "2:1 wokers: unknown field `wokers`; did you mean `workers`? expected one of: name, workers, rate, list, inner",
                "3:10 workers: expected a whole number from 0 to 4294967295, found `x`",
                "5:11 list[1]: expected a whole number from 0 to 255, found 300 (out of range)",
                "5:16 list[2]: expected a whole number from 0 to 255, found `a`",
                "6:8 inner.must: missing: `must` is required here",
            ]
        );
    }

    #[test]
    fn scalars_mean_one_thing() {
        let root = load("name: 5\nrate: 08\n", Origin::File).unwrap();
        let (v, found, _) = read::<T>(&root, &no_hint);
        assert!(found.is_empty(), "{found:?}");
        let v = v.unwrap();
        assert_eq!(v.name, "5");
        assert_eq!(v.rate, Some(8.0));
        assert_eq!(
            problems("name: x\nworkers: 99999999999999999999999999\n"),
            vec![
                "2:10 workers: expected a whole number from 0 to 4294967295, found 99999999999999999999999999 (out of range)"
            ]
        );
    }
}
