//! Typed values read straight from span-carrying YAML nodes, through serde.
//!
//! The `x-aws-*` extensions are typed with `#[derive(Deserialize)]` (the
//! same types give `c2cfn schema`), but never through JSON: this
//! deserializer walks the [`Node`] tree itself, so
//! - a field declared as [`Spanned<T>`] gets the span of its value (a value
//!   c2cfn fills in has none: never byte 0 of a file);
//! - an error carries the span of the value at fault (an unknown key: the
//!   key; a missing key: the mapping that lacks it);
//! - messages say what the user must write ("`nodes` must be a whole
//!   number, not a list"), never a Rust type name.
//!
//! Numbers and booleans are also accepted as strings that parse (`"3"`,
//! `"true"`), which is what `${VAR}` interpolation produces.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::project::Spanned;
use super::yaml::{Kind, Mapping, Node, Typed};
use crate::diagnostic::{Diagnostic, edit_distance};
use crate::source::Span;

/// The struct name [`Spanned`] asks for; only this deserializer knows it.
const SPANNED: &str = "$c2cfn::Spanned";
const SPANNED_FIELDS: &[&str] = &["$file", "$start", "$end", "$value"];

/// Why a node could not be typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// What is wrong, in the user's words.
    pub message: String,
    /// Where (None until a node claims the error).
    pub span: Option<Span>,
    /// How to fix it.
    pub help: Option<String>,
    /// A required key that is missing (reworded by the mapping that lacks it).
    missing: Option<&'static str>,
}

impl Error {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            span: None,
            help: None,
            missing: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The error as a diagnostic (`fallback` when no node claimed it).
    #[must_use]
    pub fn diagnostic(&self, fallback: Option<Span>) -> Diagnostic {
        Diagnostic::error(self.message.clone())
            .at(self.span.or(fallback))
            .help(self.help.clone().unwrap_or_else(|| {
                "see `c2cfn schema` and docs/conversion.md for the expected shape".to_owned()
            }))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(msg.to_string())
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::new(format!(
            "expected {}, found {}",
            words(&exp.to_string()),
            unexp
        ))
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::new(format!("{unexp} is not {}", words(&exp.to_string())))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let close = expected
            .iter()
            .map(|v| (edit_distance(field, v), *v))
            .filter(|(d, _)| *d <= 2.max(field.len() / 5))
            .min();
        let help = match close {
            Some((_, v)) => format!("did you mean `{v}`?"),
            None => format!(
                "valid keys here: {}; see `c2cfn schema`",
                expected
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let what = if field.starts_with("x-aws-") {
            "extension key"
        } else {
            "key"
        };
        Self::new(format!("unknown {what} `{field}`")).help(help)
    }

    fn missing_field(field: &'static str) -> Self {
        let mut e = Self::new(format!("`{field}` is missing"));
        e.missing = Some(field);
        e
    }
}

/// Serde's names for primitive types, as a user would say them.
fn words(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" | "bool" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a map" => "a mapping".into(),
        other => other
            .strip_prefix("struct ")
            .map_or_else(|| other.to_owned(), |name| noun(name).to_owned()),
    }
}

/// The user's word for one of the extension types.
fn noun(type_name: &str) -> &'static str {
    match type_name {
        "TableSpec" | "Table" => "a table",
        "TableScaling" => "the table auto scaling",
        "DynamoDb" => "`x-aws-dynamodb`",
        "ElastiCache" => "`x-aws-elasticache`",
        "Redis" => "`redis`",
        "Route53" => "`x-aws-route53`",
        "Record" => "a record",
        "Autoscaling" => "`x-aws-autoscaling`",
        "Tls" => "an `x-aws-tls` entry",
        _ => "this mapping",
    }
}

/// "a table needs a hash key", "a record needs `service`".
fn needs(type_name: &str, field: &str) -> (String, String) {
    match (type_name, field) {
        ("TableSpec" | "Table", "hash") => (
            "a table needs a hash key".into(),
            "add `hash: <attribute>` (the partition key), or write the table as `name/hash-key[/range-key]`".into(),
        ),
        ("TableSpec" | "Table", "name") => (
            "a table needs a name".into(),
            "add `name: <table>`; the physical name is `<app_cluster>-<name>`".into(),
        ),
        ("Record", "service") => (
            "a record needs the service it points at".into(),
            "add `service: <a service that publishes ports>`".into(),
        ),
        ("Record", "name") => (
            "a record needs a name".into(),
            "add `name: <label>` (e.g. `api`) or a full name inside the zone".into(),
        ),
        ("Route53", "zone") => (
            "`x-aws-route53` needs the hosted zone".into(),
            "add `zone: example.com` (the zone's domain name)".into(),
        ),
        ("Tls", "certificate") => (
            "an `x-aws-tls` entry needs a certificate".into(),
            "add `certificate: ${certificate_arn}` (an ACM certificate ARN)".into(),
        ),
        _ => (
            format!("{} needs `{field}`", noun(type_name)),
            "see `c2cfn schema` and docs/conversion.md for the expected shape".into(),
        ),
    }
}

/// The first line of a mapping (its first entry), to point at a mapping
/// without underlining the whole block.
fn head(node: &Node) -> Span {
    match &node.kind {
        Kind::Map(map) => map.values().next().map_or(node.span, |first| {
            let end = first.value.span.end.max(first.key_span.end);
            Span::new(
                node.span.file,
                node.span.start.min(first.key_span.start),
                end,
            )
        }),
        _ => node.span,
    }
}

/// Types `node` as `T`; the error points at the value at fault. `path` names
/// the node in messages (`x-aws-elasticache`).
pub fn from_node<'a, T: Deserialize<'a>>(node: &'a Node, path: &str) -> Result<T, Error> {
    T::deserialize(NodeDe {
        node,
        path: path.to_owned(),
    })
}

/// Types the entries `(key, key span, value)` as the fields of the struct `T`.
pub fn from_entries<'a, T: Deserialize<'a>>(
    entries: Vec<(&'a str, Option<Span>, &'a Node)>,
) -> Result<T, Error> {
    T::deserialize(EntriesDe { entries })
}

/// A deserializer over one node.
struct NodeDe<'a> {
    node: &'a Node,
    path: String,
}

impl<'a> NodeDe<'a> {
    /// Claims an error that no inner node claimed.
    fn claim<V>(&self, result: Result<V, Error>) -> Result<V, Error> {
        result.map_err(|mut e| {
            if e.span.is_none() {
                e.span = Some(self.node.span);
            }
            e
        })
    }

    fn typed(&self) -> Option<Typed<'a>> {
        self.node.as_scalar().map(super::yaml::Scalar::typed)
    }

    fn wrong(&self, expected: &str) -> Error {
        let found = self.node.shape();
        let mut e = Error::new(format!("`{}` must be {expected}, not {found}", self.path));
        if let (Some(Typed::Int(_) | Typed::Float(_) | Typed::Bool(_)), "a string") =
            (self.typed(), expected)
        {
            let text = self.node.as_scalar().map_or("", |s| s.text.as_str());
            e = e.help(format!("quote it to make it a string: \"{text}\""));
        }
        e.span = Some(self.node.span);
        e
    }

    fn integer(&self) -> Result<i128, Error> {
        match self.typed() {
            Some(Typed::Int(i)) => Ok(i128::from(i)),
            Some(Typed::Str(s)) => s
                .trim()
                .parse::<i128>()
                .map_err(|_| self.wrong("a whole number")),
            _ => Err(self.wrong("a whole number")),
        }
    }
}

macro_rules! integer {
    ($method:ident, $visit:ident, $ty:ty) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let n = self.integer()?;
            let Ok(v) = <$ty>::try_from(n) else {
                let mut e = Error::new(format!(
                    "`{}` must be a whole number from {} to {}, not {n}",
                    self.path,
                    <$ty>::MIN,
                    <$ty>::MAX
                ));
                e.span = Some(self.node.span);
                return Err(e);
            };
            let r = visitor.$visit(v);
            self.claim(r)
        }
    };
}

impl<'de> Deserializer<'de> for NodeDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let r = match &self.node.kind {
            Kind::Scalar(s) => match s.typed() {
                Typed::Null => visitor.visit_unit(),
                Typed::Bool(b) => visitor.visit_bool(b),
                Typed::Int(i) => visitor.visit_i64(i),
                Typed::Float(f) => visitor.visit_f64(f),
                Typed::Str(t) => visitor.visit_borrowed_str(t),
            },
            Kind::Seq(items) => visitor.visit_seq(SeqDe {
                items: items.iter(),
                index: 0,
                path: &self.path,
            }),
            Kind::Map(map) => visitor.visit_map(MapDe::new(map, &self.path)),
        };
        self.claim(r)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let b = match self.typed() {
            Some(Typed::Bool(b)) => b,
            Some(Typed::Str(s)) if s.trim() == "true" => true,
            Some(Typed::Str(s)) if s.trim() == "false" => false,
            _ => return Err(self.wrong("true or false")),
        };
        let r = visitor.visit_bool(b);
        self.claim(r)
    }

    integer!(deserialize_u8, visit_u8, u8);
    integer!(deserialize_u16, visit_u16, u16);
    integer!(deserialize_u32, visit_u32, u32);
    integer!(deserialize_u64, visit_u64, u64);
    integer!(deserialize_i8, visit_i8, i8);
    integer!(deserialize_i16, visit_i16, i16);
    integer!(deserialize_i32, visit_i32, i32);
    integer!(deserialize_i64, visit_i64, i64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        #[allow(clippy::cast_precision_loss, reason = "YAML integers as floats")]
        let f = match self.typed() {
            Some(Typed::Float(f)) => f,
            Some(Typed::Int(i)) => i as f64,
            Some(Typed::Str(s)) => s.trim().parse().map_err(|_| self.wrong("a number"))?,
            _ => return Err(self.wrong("a number")),
        };
        let r = visitor.visit_f64(f);
        self.claim(r)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let r = match self.typed() {
            Some(Typed::Str(t)) => visitor.visit_borrowed_str(t),
            _ => return Err(self.wrong("a string")),
        };
        self.claim(r)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() {
            visitor.visit_none()
        } else {
            let span = self.node.span;
            visitor.visit_some(self).map_err(|mut e| {
                e.span.get_or_insert(span);
                e
            })
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() {
            let r = visitor.visit_unit();
            self.claim(r)
        } else {
            Err(self.wrong("empty"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Kind::Seq(items) = &self.node.kind else {
            return Err(self.wrong("a list"));
        };
        let r = visitor.visit_seq(SeqDe {
            items: items.iter(),
            index: 0,
            path: &self.path,
        });
        self.claim(r)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Kind::Map(map) = &self.node.kind else {
            return Err(self.wrong("a mapping"));
        };
        let r = visitor.visit_map(MapDe::new(map, &self.path));
        self.claim(r)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == SPANNED {
            return visitor.visit_map(SpannedDe {
                node: self.node,
                path: self.path,
                field: 0,
            });
        }
        let r = match (&self.node.kind, self.typed()) {
            (Kind::Map(map), _) => visitor.visit_map(MapDe::new(map, &self.path)),
            // The short form of a table, `name/hash[/range]`.
            (_, Some(Typed::Str(t))) if name == "TableSpec" => visitor.visit_borrowed_str(t),
            _ if name == "TableSpec" => {
                return Err(
                    self.wrong("`name/hash-key[/range-key]` or a mapping with `name` and `hash`")
                );
            }
            _ => return Err(self.wrong("a mapping")),
        };
        r.map_err(|mut e| {
            if let (Some(field), None) = (e.missing.take(), e.span) {
                let (message, help) = needs(name, field);
                e.message = message;
                e.help = Some(help);
                e.span = Some(head(self.node));
            }
            e
        })
        .map_err(|e| self.claim::<()>(Err(e)).unwrap_err())
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.typed() {
            Some(Typed::Str(t)) => {
                let r = visitor.visit_enum(t.into_deserializer());
                self.claim(r)
            }
            _ => Err(self.wrong(&format!("one of {}", variants.join(", ")))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct SeqDe<'a, 'p> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
    path: &'p str,
}

impl<'de> SeqAccess<'de> for SeqDe<'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        // An item left out after an error of its own (see `extensions::parse`).
        let mut next = self.items.next();
        while next.is_some_and(|n| n.tag == Some(super::yaml::Tag::Reset)) {
            self.index += 1;
            next = self.items.next();
        }
        let Some(node) = next else {
            return Ok(None);
        };
        let path = format!("{}[{}]", self.path, self.index);
        self.index += 1;
        seed.deserialize(NodeDe { node, path }).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a, 'p> {
    entries: indexmap::map::Iter<'a, String, super::yaml::Entry>,
    value: Option<(&'a String, &'a Node)>,
    path: &'p str,
}

impl<'a, 'p> MapDe<'a, 'p> {
    fn new(map: &'a Mapping, path: &'p str) -> Self {
        Self {
            entries: map.iter(),
            value: None,
            path,
        }
    }
}

impl<'de> MapAccess<'de> for MapDe<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, entry)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, &entry.value));
        seed.deserialize(KeyDe {
            key,
            span: Some(entry.key_span),
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, node) = self
            .value
            .take()
            .ok_or_else(|| Error::new("a value without a key"))?;
        let path = if self.path.is_empty() {
            key.clone()
        } else {
            format!("{}.{key}", self.path)
        };
        // An error raised after the value was read (a custom check) is the value's.
        seed.deserialize(NodeDe { node, path }).map_err(|mut e| {
            e.span.get_or_insert(node.span);
            e
        })
    }
}

/// The fields of a struct given as separate entries (the `x-*` keys of a service).
struct EntriesDe<'a> {
    entries: Vec<(&'a str, Option<Span>, &'a Node)>,
}

struct EntriesAccess<'a> {
    entries: std::vec::IntoIter<(&'a str, Option<Span>, &'a Node)>,
    value: Option<(&'a str, &'a Node)>,
}

impl<'de> MapAccess<'de> for EntriesAccess<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, span, node)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, node));
        seed.deserialize(KeyDe {
            key,
            span: span.or(Some(node.span)),
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, node) = self
            .value
            .take()
            .ok_or_else(|| Error::new("a value without a key"))?;
        seed.deserialize(NodeDe {
            node,
            path: key.to_owned(),
        })
        .map_err(|mut e| {
            e.span.get_or_insert(node.span);
            e
        })
    }
}

impl<'de> Deserializer<'de> for EntriesDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(EntriesAccess {
            entries: self.entries.into_iter(),
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// A mapping key; an error about it (an unknown key) points at it.
struct KeyDe<'a> {
    key: &'a str,
    span: Option<Span>,
}

impl<'de> Deserializer<'de> for KeyDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor
            .visit_borrowed_str(self.key)
            .map_err(|mut e: Error| {
                if e.span.is_none() {
                    e.span = self.span;
                }
                e
            })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Hands a [`Spanned`] its node's span, then the value.
struct SpannedDe<'a> {
    node: &'a Node,
    path: String,
    field: usize,
}

impl<'de> MapAccess<'de> for SpannedDe<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(name) = SPANNED_FIELDS.get(self.field) else {
            return Ok(None);
        };
        seed.deserialize(KeyDe {
            key: name,
            span: None,
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let span = self.node.span;
        let field = self.field;
        self.field += 1;
        match field {
            0 => seed.deserialize((span.file as u64).into_deserializer()),
            1 => seed.deserialize((span.start as u64).into_deserializer()),
            2 => seed.deserialize((span.end as u64).into_deserializer()),
            _ => seed.deserialize(NodeDe {
                node: self.node,
                path: std::mem::take(&mut self.path),
            }),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut at = [0u64; 3];
                for slot in &mut at {
                    map.next_key::<de::IgnoredAny>()?;
                    *slot = map.next_value()?;
                }
                map.next_key::<de::IgnoredAny>()?;
                let value = map.next_value()?;
                let n = |x: u64| usize::try_from(x).unwrap_or_default();
                Ok(Spanned::new(value, Span::new(n(at[0]), n(at[1]), n(at[2]))))
            }
        }

        deserializer.deserialize_struct(
            SPANNED,
            SPANNED_FIELDS,
            SpannedVisitor(std::marker::PhantomData),
        )
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Redis {
        nodes: Option<Spanned<u32>>,
        node_type: Option<String>,
        #[allow(dead_code)]
        flags: Option<BTreeMap<String, bool>>,
    }

    fn node(text: &str) -> Node {
        yaml::parse(text, 0).unwrap()
    }

    #[test]
    fn values_keep_their_span() {
        let n = node("nodes: 3\nnode_type: cache.t3.micro\n");
        let r: Redis = from_node(&n, "redis").unwrap();
        let nodes = r.nodes.unwrap();
        assert_eq!(nodes.value, 3);
        assert_eq!(nodes.span, Some(Span::new(0, 7, 8)));
        assert_eq!(r.node_type.as_deref(), Some("cache.t3.micro"));
    }

    #[test]
    fn a_wrong_type_points_at_the_value_in_words() {
        let n = node("nodes: [1]\n");
        let e = from_node::<Redis>(&n, "redis").unwrap_err();
        assert_eq!(
            e.message,
            "`redis.nodes` must be a whole number, not a list"
        );
        assert_eq!(e.span, Some(Span::new(0, 7, 10)));
        let n = node("node_type: 5\n");
        let e = from_node::<Redis>(&n, "redis").unwrap_err();
        assert_eq!(
            e.message,
            "`redis.node_type` must be a string, not an integer"
        );
        assert!(e.help.unwrap().contains("\"5\""));
        let n = node("flags: {a: 1}\n");
        let e = from_node::<Redis>(&n, "redis").unwrap_err();
        assert_eq!(
            e.message,
            "`redis.flags.a` must be true or false, not an integer"
        );
        let n = node("nodes: -1\n");
        let e = from_node::<Redis>(&n, "redis").unwrap_err();
        assert!(
            e.message.contains("from 0 to 4294967295, not -1"),
            "{}",
            e.message
        );
    }

    #[test]
    fn interpolated_numbers_are_numbers() {
        let n = node("nodes: \"2\"\n");
        let r: Redis = from_node(&n, "redis").unwrap();
        assert_eq!(r.nodes.unwrap().value, 2);
    }

    #[test]
    fn an_unknown_key_points_at_the_key_with_did_you_mean() {
        let n = node("nodez: 3\n");
        let e = from_node::<Redis>(&n, "redis").unwrap_err();
        assert_eq!(e.message, "unknown key `nodez`");
        assert_eq!(e.span, Some(Span::new(0, 0, 5)));
        assert_eq!(e.help.as_deref(), Some("did you mean `nodes`?"));
    }
}
