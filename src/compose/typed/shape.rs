//! The type of every value, checked against the Compose specification
//! (`spec.rs`) in each file right after interpolation, before relative
//! paths, `extends` and `include` use the values.
//!
//! A value of the wrong type is an error at the value ("`services.web.cpus`
//! must be a number or a string, not a list"), never used or dropped
//! silently, whatever c2cfn later does with the key (mapped, ignored with a
//! warning, or rejected). The value is then replaced by `null` (a scalar
//! where a string belongs keeps its text, as a string), so the typing step
//! neither uses it nor reports it a second time; `compose::load` drops the
//! errors that only follow from it.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::spec;
use crate::compose::yaml::{Kind, Node, Scalar, Tag, Typed};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::SourceMap;

/// One shape of the notation in `spec.rs`.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Str,
    /// A duration string; a bare number is left to the duration reader,
    /// which explains that it needs a unit.
    Dur,
    Int,
    Num,
    Bool,
    Null,
    Any,
    List(Box<Shape>),
    /// Listed keys, and the shape of the other keys' values (None: not checked here).
    Map(Vec<(String, Shape)>, Option<Box<Shape>>),
    Ref(String),
    Either(Vec<Shape>),
}

/// What a node is, as far as types go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Str,
    Int,
    Float,
    Bool,
    Null,
    List,
    Map,
}

struct Grammar {
    root: Shape,
    defs: HashMap<&'static str, Shape>,
}

fn grammar() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| Grammar {
        root: parse(spec::ROOT),
        defs: spec::DEFS.iter().map(|(n, t)| (*n, parse(t))).collect(),
    })
}

/// Checks every value of the merged document; wrong values become `null`.
pub(crate) fn check(root: &mut Node, sources: &SourceMap, diags: &mut Diagnostics) {
    let g = grammar();
    walk(root, &g.root, "", g, sources, diags);
    interpolated_strings(root, false, sources);
}

/// In the `x-aws-*` extensions, which are typed later without the source
/// text, a scalar written with `${…}` becomes the string it is for compose
/// (`zone: ${zone}` with `zone=123`). Numbers and booleans are still read
/// from such strings. The free-form documents (`x-aws-cloudformation`,
/// `x-aws-role`) keep YAML's types, as they are copied into the template.
fn interpolated_strings(node: &mut Node, in_extension: bool, sources: &SourceMap) {
    match &mut node.kind {
        Kind::Scalar(_) if in_extension => {
            let interpolated = interpolated(node, sources);
            if let Kind::Scalar(s) = &mut node.kind
                && interpolated
            {
                s.quoted = true;
            }
        }
        Kind::Scalar(_) => {}
        Kind::Seq(items) => {
            for n in items {
                interpolated_strings(n, in_extension, sources);
            }
        }
        Kind::Map(map) => {
            for (key, entry) in map.iter_mut() {
                let inside = in_extension
                    || (key.starts_with("x-aws-")
                        && !matches!(key.as_str(), "x-aws-cloudformation" | "x-aws-role"));
                interpolated_strings(&mut entry.value, inside, sources);
            }
        }
    }
}

fn walk(
    node: &mut Node,
    shape: &Shape,
    path: &str,
    g: &Grammar,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) {
    if node.tag == Some(Tag::Reset) {
        // `!reset` removes the inherited value, whatever follows it.
        return;
    }
    let mut alts = Vec::new();
    flatten(shape, g, &mut alts);
    if alts.contains(&&Shape::Any) {
        return;
    }
    let found = found(node, sources);
    let Some(chosen) = alts.iter().find(|a| accepts(a, found)) else {
        if !path.is_empty() {
            diags.push(wrong(node, path, &alts, sources));
            let as_string = alts.contains(&&Shape::Str) && !node.is_null();
            match &mut node.kind {
                // `user: 1000`: reported; keep the text, so that nothing
                // else complains about a missing user.
                Kind::Scalar(s) if as_string => s.quoted = true,
                kind => {
                    *kind = Kind::Scalar(Scalar {
                        text: String::new(),
                        quoted: false,
                    });
                }
            }
        }
        return;
    };
    match (&mut node.kind, chosen) {
        (Kind::Seq(items), Shape::List(item)) => {
            for (i, n) in items.iter_mut().enumerate() {
                walk(n, item, &format!("{path}[{i}]"), g, sources, diags);
            }
        }
        (Kind::Map(map), Shape::Map(fields, rest)) => {
            for (key, entry) in map.iter_mut() {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if let Some((_, s)) = fields.iter().find(|(k, _)| k == key) {
                    walk(&mut entry.value, s, &child, g, sources, diags);
                } else if let Some(s) = rest
                    && (!key.starts_with("x-") || fields.is_empty())
                {
                    walk(&mut entry.value, s, &child, g, sources, diags);
                }
            }
        }
        _ => {}
    }
}

fn flatten<'a>(shape: &'a Shape, g: &'a Grammar, out: &mut Vec<&'a Shape>) {
    match shape {
        Shape::Either(all) => all.iter().for_each(|s| flatten(s, g, out)),
        Shape::Ref(name) => {
            if let Some(s) = g.defs.get(name.as_str()) {
                flatten(s, g, out);
            }
        }
        s => out.push(s),
    }
}

fn accepts(shape: &Shape, found: Found) -> bool {
    matches!(
        (shape, found),
        (Shape::Any, _)
            | (Shape::Str | Shape::Dur, Found::Str)
            | (Shape::Dur, Found::Int | Found::Float)
            | (Shape::Int | Shape::Num, Found::Int)
            | (Shape::Num, Found::Float)
            | (Shape::Bool, Found::Bool)
            | (Shape::Null, Found::Null)
            | (Shape::List(_), Found::List)
            | (Shape::Map(..), Found::Map)
    )
}

/// The node's type; a scalar written with `${…}` is a string, as compose
/// interpolates into strings.
fn found(node: &Node, sources: &SourceMap) -> Found {
    match &node.kind {
        Kind::Seq(_) => Found::List,
        Kind::Map(_) => Found::Map,
        Kind::Scalar(s) => {
            let typed = s.typed();
            if !matches!(typed, Typed::Str(_)) && interpolated(node, sources) {
                return Found::Str;
            }
            match typed {
                Typed::Null => Found::Null,
                Typed::Bool(_) => Found::Bool,
                Typed::Int(_) => Found::Int,
                Typed::Float(_) => Found::Float,
                Typed::Str(_) => Found::Str,
            }
        }
    }
}

fn interpolated(node: &Node, sources: &SourceMap) -> bool {
    let text = sources.text(node.span.file);
    text.get(node.span.start..node.span.end)
        .is_some_and(|t| t.contains('$'))
}

fn wrong(node: &Node, path: &str, alts: &[&Shape], sources: &SourceMap) -> Diagnostic {
    let mut words: Vec<&str> = Vec::new();
    for a in alts {
        let w = match a {
            Shape::Str => "a string",
            Shape::Dur => "a duration such as `30s`",
            Shape::Int => "a whole number",
            Shape::Num => "a number",
            Shape::Bool => "true or false",
            Shape::Null => continue,
            Shape::List(_) => "a list",
            Shape::Map(..) => "a mapping",
            Shape::Any | Shape::Ref(_) | Shape::Either(_) => continue,
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    if words.contains(&"a number") {
        words.retain(|w| *w != "a whole number");
    }
    let expected = match words.as_slice() {
        [] => "empty".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let found = if matches!(found(node, sources), Found::Null) {
        "empty (null)"
    } else {
        node.shape()
    };
    let help = match (&node.kind, words.first()) {
        (Kind::Scalar(s), Some(&"a string")) if !node.is_null() && words.len() == 1 => {
            format!("quote it to make it a string: `\"{}\"`", s.text)
        }
        _ => "see the Compose specification for this key's syntax".to_owned(),
    };
    Diagnostic::error(format!("`{path}` must be {expected}, not {found}"))
        .at(node.span)
        .label(format!("found {found}"))
        .help(help)
}

/// Parses the notation of `spec.rs`. The notation is c2cfn's own constant
/// text; a mistake in it is a bug, caught by the unit tests.
fn parse(text: &str) -> Shape {
    let tokens = tokens(text);
    let mut pos = 0;
    let shape = shape(&tokens, &mut pos);
    assert_eq!(pos, tokens.len(), "trailing text in shape `{text}`");
    shape
}

fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '*') {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if !c.is_whitespace() {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn shape(t: &[String], pos: &mut usize) -> Shape {
    let mut alts = vec![alt(t, pos)];
    while t.get(*pos).is_some_and(|x| x == "|") {
        *pos += 1;
        alts.push(alt(t, pos));
    }
    if alts.len() == 1 {
        alts.remove(0)
    } else {
        Shape::Either(alts)
    }
}

fn alt(t: &[String], pos: &mut usize) -> Shape {
    let token = t[*pos].clone();
    *pos += 1;
    match token.as_str() {
        "str" => Shape::Str,
        "dur" => Shape::Dur,
        "int" => Shape::Int,
        "num" => Shape::Num,
        "bool" => Shape::Bool,
        "null" => Shape::Null,
        "any" => Shape::Any,
        "[" => {
            let item = shape(t, pos);
            assert_eq!(t[*pos], "]", "expected `]`");
            *pos += 1;
            Shape::List(Box::new(item))
        }
        "{" => {
            let mut fields = Vec::new();
            let mut rest = None;
            while t[*pos] != "}" {
                let key = t[*pos].clone();
                assert_eq!(t[*pos + 1], ":", "expected `:` after `{key}`");
                *pos += 2;
                let value = shape(t, pos);
                if key == "*" {
                    rest = Some(Box::new(value));
                } else {
                    fields.push((key, value));
                }
                if t[*pos] == "," {
                    *pos += 1;
                }
            }
            *pos += 1;
            Shape::Map(fields, rest)
        }
        name if name.starts_with('@') => Shape::Ref(name[1..].to_owned()),
        other => panic!("unknown shape `{other}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(s: &Shape, out: &mut Vec<String>) {
        match s {
            Shape::Ref(n) => out.push(n.clone()),
            Shape::List(i) => refs(i, out),
            Shape::Map(f, r) => {
                for (_, s) in f {
                    refs(s, out);
                }
                if let Some(r) = r {
                    refs(r, out);
                }
            }
            Shape::Either(a) => {
                for s in a {
                    refs(s, out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_spec_parses_and_every_reference_is_defined() {
        let g = grammar();
        let mut all = Vec::new();
        refs(&g.root, &mut all);
        g.defs.values().for_each(|s| refs(s, &mut all));
        for name in all {
            assert!(g.defs.contains_key(name.as_str()), "@{name} is not defined");
        }
    }

    #[test]
    fn notation() {
        assert_eq!(
            parse("null|{a: [str], *: int|@x}"),
            Shape::Either(vec![
                Shape::Null,
                Shape::Map(
                    vec![("a".into(), Shape::List(Box::new(Shape::Str)))],
                    Some(Box::new(Shape::Either(vec![
                        Shape::Int,
                        Shape::Ref("x".into())
                    ])))
                )
            ])
        );
    }
}
