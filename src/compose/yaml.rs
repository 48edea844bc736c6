//! YAML text → a span-carrying node tree.
//!
//! This is the only module that knows the YAML parser (`saphyr-parser`, an
//! event parser that reports a span for every event). Anchors and aliases are
//! resolved here (an alias becomes a copy of the anchored node, keeping the
//! anchor's spans, so errors point at the text the user wrote), `<<` merge
//! keys are applied, and duplicate keys are rejected. Scalars keep their raw
//! text: interpolation runs on that text before values are typed.

use indexmap::IndexMap;
use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// Aliases are expanded by copying; this bound keeps a "billion laughs"
/// document from exhausting memory.
const MAX_NODES: usize = 2_000_000;

/// The compose-spec merge tags on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `!reset`: drop the value inherited from earlier files.
    Reset,
    /// `!override`: replace the inherited value instead of merging.
    Override,
}

/// One YAML value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: Kind,
    /// Where it was written.
    pub span: Span,
    /// A compose merge tag, if any.
    pub tag: Option<Tag>,
}

/// The three shapes of YAML values.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar, untyped.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping with string keys, in document order.
    Map(Mapping),
}

/// A scalar's text and whether it was quoted (quoted text is always a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The scalar's value as written (escapes already decoded).
    pub text: String,
    /// True for quoted and block scalars.
    pub quoted: bool,
}

/// A mapping entry: the key's span and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Where the key was written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// An ordered mapping with string keys.
pub type Mapping = IndexMap<String, Entry>;

/// A typed view of a scalar (YAML 1.2 core schema, as compose reads it).
#[derive(Debug, Clone, PartialEq)]
pub enum Typed<'a> {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Anything else.
    Str(&'a str),
}

impl Scalar {
    /// The value under the YAML 1.2 core schema.
    #[must_use]
    pub fn typed(&self) -> Typed<'_> {
        if self.quoted {
            return Typed::Str(&self.text);
        }
        let t = self.text.as_str();
        match t {
            "" | "~" | "null" | "Null" | "NULL" => return Typed::Null,
            "true" | "True" | "TRUE" => return Typed::Bool(true),
            "false" | "False" | "FALSE" => return Typed::Bool(false),
            _ => {}
        }
        if let Some(i) = parse_int(t) {
            return Typed::Int(i);
        }
        if looks_like_float(t)
            && let Ok(f) = t.parse::<f64>()
        {
            return Typed::Float(f);
        }
        match t {
            ".inf" | ".Inf" | ".INF" | "+.inf" => Typed::Float(f64::INFINITY),
            "-.inf" | "-.Inf" | "-.INF" => Typed::Float(f64::NEG_INFINITY),
            ".nan" | ".NaN" | ".NAN" => Typed::Float(f64::NAN),
            _ => Typed::Str(t),
        }
    }
}

fn parse_int(t: &str) -> Option<i64> {
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -value } else { value })
}

fn looks_like_float(t: &str) -> bool {
    let body = t.trim_start_matches(['-', '+']);
    !body.is_empty()
        && body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
}

impl Node {
    /// A string scalar made by c2cfn (used for values it fills in).
    #[must_use]
    pub fn string(text: impl Into<String>, span: Span) -> Self {
        Self {
            kind: Kind::Scalar(Scalar {
                text: text.into(),
                quoted: true,
            }),
            span,
            tag: None,
        }
    }

    /// An empty mapping.
    #[must_use]
    pub fn map(map: Mapping, span: Span) -> Self {
        Self {
            kind: Kind::Map(map),
            span,
            tag: None,
        }
    }

    /// The mapping, if this is one.
    #[must_use]
    pub fn as_map(&self) -> Option<&Mapping> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The mapping, mutably.
    pub fn as_map_mut(&mut self) -> Option<&mut Mapping> {
        match &mut self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The sequence, if this is one.
    #[must_use]
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar, if this is one.
    #[must_use]
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// True for a null scalar.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.as_scalar().map(Scalar::typed), Some(Typed::Null))
    }

    /// A word for the node's shape, for error messages.
    #[must_use]
    pub fn shape(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar(s) => match s.typed() {
                Typed::Null => "null",
                Typed::Bool(_) => "a boolean",
                Typed::Int(_) => "an integer",
                Typed::Float(_) => "a number",
                Typed::Str(_) => "a string",
            },
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// Converts to JSON with YAML 1.2 core typing (for `x-aws-cloudformation`
    /// overlays, `config` output and other pass-through values).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Scalar(s) => match s.typed() {
                Typed::Null => Value::Null,
                Typed::Bool(b) => Value::Bool(b),
                Typed::Int(i) => Value::from(i),
                Typed::Float(f) => serde_json::Number::from_f64(f)
                    .map_or(Value::String(s.text.clone()), Value::Number),
                Typed::Str(t) => Value::String(t.to_owned()),
            },
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(map) => Value::Object(
                map.iter()
                    .map(|(k, e)| (k.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Parses one YAML document of `file`. An empty document is an empty mapping.
pub fn parse(text: &str, file: FileId) -> Result<Node, Diagnostic> {
    let mut builder = Builder {
        file,
        offsets: CharOffsets::new(text),
        anchors: IndexMap::new(),
        nodes: 0,
    };
    let mut parser = Parser::new_from_str(text);
    let mut root = None;
    loop {
        let (event, span) = builder.next(&mut parser)?;
        match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                if root.is_some() {
                    return Err(Diagnostic::error("more than one YAML document in a compose file")
                        .at(builder.span(span))
                        .label("a second document starts here")
                        .help("a compose file holds one document: remove the `---` line and what follows, or move it to its own file and pass it with -f"));
                }
                let (event, span) = builder.next(&mut parser)?;
                if matches!(event, Event::DocumentEnd) {
                    root = Some(Node::map(Mapping::new(), builder.span(span)));
                } else {
                    root = Some(builder.node(&mut parser, event, span)?);
                }
            }
            Event::StreamEnd => break,
            _ => {
                return Err(Diagnostic::error("unexpected YAML event").at(builder.span(span)));
            }
        }
    }
    Ok(root.unwrap_or_else(|| Node::map(Mapping::new(), Span::new(file, 0, 0))))
}

/// Maps the parser's character indexes to byte offsets.
struct CharOffsets {
    /// Byte offset of every char, only built for non-ASCII text.
    table: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| text.char_indices().map(|(b, _)| b).collect());
        Self {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

struct Builder {
    file: FileId,
    offsets: CharOffsets,
    anchors: IndexMap<usize, Node>,
    nodes: usize,
}

impl Builder {
    fn span(&self, span: YSpan) -> Span {
        Span::new(
            self.file,
            self.offsets.byte(span.start.index()),
            self.offsets.byte(span.end.index()),
        )
    }

    fn next<'a>(
        &self,
        parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
    ) -> Result<(Event<'a>, YSpan), Diagnostic> {
        match parser.next_event() {
            Some(Ok(pair)) => Ok(pair),
            Some(Err(e)) => {
                let at = self.offsets.byte(e.marker().index());
                Err(Diagnostic::error(format!("invalid YAML: {}", e.info()))
                    .at(Span::new(self.file, at, at + 1))
                    .help("check the indentation and quoting around this place"))
            }
            None => Err(
                Diagnostic::error("invalid YAML: unexpected end of input").at(Span::new(
                    self.file,
                    self.offsets.len,
                    self.offsets.len,
                )),
            ),
        }
    }

    fn count(&mut self, span: Span, added: usize) -> Result<(), Diagnostic> {
        self.nodes += added;
        if self.nodes > MAX_NODES {
            return Err(Diagnostic::error("the document expands to too many values")
                .at(span)
                .help("aliases (`*name`) copy their anchor; nested aliases grow exponentially"));
        }
        Ok(())
    }

    fn node<'a>(
        &mut self,
        parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
        event: Event<'a>,
        yspan: YSpan,
    ) -> Result<Node, Diagnostic> {
        let span = self.span(yspan);
        match event {
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return Err(Diagnostic::error("unknown alias").at(span));
                };
                self.count(span, node_count(&node))?;
                Ok(node)
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(span, 1)?;
                let node = Node {
                    kind: Kind::Scalar(Scalar {
                        text: text.into_owned(),
                        quoted: style != ScalarStyle::Plain,
                    }),
                    span,
                    tag: Self::tag(tag.as_deref(), span)?,
                };
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::SequenceStart(anchor, tag) => {
                self.count(span, 1)?;
                let tag = Self::tag(tag.as_deref(), span)?;
                let mut items = Vec::new();
                let end = loop {
                    let (event, s) = self.next(parser)?;
                    if matches!(event, Event::SequenceEnd) {
                        break s;
                    }
                    items.push(self.node(parser, event, s)?);
                };
                let node = Node {
                    kind: Kind::Seq(items),
                    span: Span::new(self.file, span.start, self.span(end).end),
                    tag,
                };
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::MappingStart(anchor, tag) => {
                self.count(span, 1)?;
                let tag = Self::tag(tag.as_deref(), span)?;
                let (map, end) = self.mapping(parser)?;
                let node = Node {
                    kind: Kind::Map(map),
                    span: Span::new(self.file, span.start, end.end.max(span.start)),
                    tag,
                };
                self.remember(anchor, &node);
                Ok(node)
            }
            _ => Err(Diagnostic::error("unexpected YAML event").at(span)),
        }
    }

    fn mapping<'a>(
        &mut self,
        parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
    ) -> Result<(Mapping, Span), Diagnostic> {
        let mut map = Mapping::new();
        let mut merges: Vec<Node> = Vec::new();
        let end = loop {
            let (event, kspan) = self.next(parser)?;
            if matches!(event, Event::MappingEnd) {
                break self.span(kspan);
            }
            let key_node = self.node(parser, event, kspan)?;
            let key_span = key_node.span;
            let (vevent, vspan) = self.next(parser)?;
            let value = self.node(parser, vevent, vspan)?;
            let key = match &key_node.kind {
                Kind::Scalar(s) => s.text.clone(),
                _ => {
                    return Err(Diagnostic::error("mapping keys must be plain strings")
                        .at(key_span)
                        .label("a list or mapping used as a key")
                        .help("write the key as a string"));
                }
            };
            if key == "<<" && !key_node.as_scalar().is_some_and(|s| s.quoted) {
                merges.push(value);
                continue;
            }
            if let Some(previous) = map.get(&key) {
                return Err(Diagnostic::error(format!("duplicate key `{key}`"))
                    .at(key_span)
                    .label("defined again here")
                    .also(Some(previous.key_span), "first defined here")
                    .help("a key may appear once per mapping: remove or rename one of them"));
            }
            map.insert(key, Entry { key_span, value });
        };
        for source in merges {
            let sources: Vec<Node> = match source.kind {
                Kind::Map(_) => vec![source],
                Kind::Seq(items) => items,
                Kind::Scalar(_) => {
                    return Err(
                        Diagnostic::error("`<<` merges a mapping or a list of mappings")
                            .at(source.span)
                            .help("write `<<: *anchor` where the anchor names a mapping"),
                    );
                }
            };
            for item in sources {
                let span = item.span;
                let Kind::Map(entries) = item.kind else {
                    return Err(
                        Diagnostic::error("`<<` merges a mapping or a list of mappings")
                            .at(span)
                            .help("every item of a `<<` list must be an aliased mapping"),
                    );
                };
                for (k, e) in entries {
                    map.entry(k).or_insert(e);
                }
            }
        }
        Ok((map, end))
    }

    fn tag(tag: Option<&saphyr_parser::Tag>, span: Span) -> Result<Option<Tag>, Diagnostic> {
        let Some(tag) = tag else { return Ok(None) };
        match (tag.handle.as_str(), tag.suffix.as_str()) {
            ("!", "reset") => Ok(Some(Tag::Reset)),
            ("!", "override") => Ok(Some(Tag::Override)),
            _ if tag.is_yaml_core_schema() => Ok(None),
            _ => Err(
                Diagnostic::error(format!("unknown YAML tag `{}{}`", tag.handle, tag.suffix))
                    .at(span)
                    .help("compose files understand only the `!reset` and `!override` tags"),
            ),
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }
}

fn node_count(node: &Node) -> usize {
    match &node.kind {
        Kind::Scalar(_) => 1,
        Kind::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Kind::Map(map) => {
            1 + map
                .values()
                .map(|e| 1 + node_count(&e.value))
                .sum::<usize>()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse(text, 0).expect("valid yaml")
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let node = parse_ok(
            "x-base: &base\n  image: nginx\n  restart: always\nservices:\n  web:\n    <<: *base\n    restart: never\n  api: *base\n",
        );
        let services = node.as_map().unwrap()["services"].value.as_map().unwrap();
        let web = services["web"].value.as_map().unwrap();
        assert_eq!(web["image"].value.as_scalar().unwrap().text, "nginx");
        assert_eq!(web["restart"].value.as_scalar().unwrap().text, "never");
        // the merged key keeps the span of where it was written (line 2)
        assert_eq!(web["image"].key_span.start, "x-base: &base\n  ".len());
        let api = services["api"].value.as_map().unwrap();
        assert_eq!(api.len(), 2);
    }

    #[test]
    fn merge_key_list_earlier_wins() {
        let node = parse_ok("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n");
        let c = node.as_map().unwrap()["c"].value.to_json();
        assert_eq!(c, serde_json::json!({"x": 1, "y": 2}));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("a: 1\na: 2\n", 0).unwrap_err();
        assert_eq!(err.message, "duplicate key `a`");
        assert_eq!(err.span, Some(Span::new(0, 5, 6)));
    }

    #[test]
    fn typing_follows_yaml_core_schema() {
        let node = parse_ok("a: 1\nb: '1'\nc: true\nd: yes\ne: ~\nf: 1.5\ng: 0x1F\nh: 1.2.3\n");
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": 1, "b": "1", "c": true, "d": "yes", "e": null, "f": 1.5, "g": 31, "h": "1.2.3"})
        );
    }

    #[test]
    fn spans_are_byte_offsets_in_unicode_text() {
        let node = parse_ok("a: é\nb: x\n");
        let b = &node.as_map().unwrap()["b"];
        assert_eq!(b.key_span.start, "a: é\n".len());
    }

    #[test]
    fn tags_and_errors() {
        let node = parse_ok("ports: !reset []\n");
        assert_eq!(node.as_map().unwrap()["ports"].value.tag, Some(Tag::Reset));
        assert!(parse("a: !foo 1\n", 0).is_err());
        assert!(parse("a: [1\n", 0).is_err());
        assert!(parse("a: 1\n---\nb: 2\n", 0).is_err());
        assert_eq!(parse_ok("").to_json(), serde_json::json!({}));
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            let aliases = vec![format!("*a{prev}"); 10].join(", ");
            text.extend([
                "a",
                &i.to_string(),
                ": &a",
                &i.to_string(),
                " [",
                &aliases,
                "]\n",
            ]);
        }
        let err = parse(&text, 0).unwrap_err();
        assert!(err.message.contains("too many values"));
    }
}
