//! Readers of YAML nodes that report shape errors and carry on.

use indexmap::IndexMap;

use crate::compose::project::Spanned;
use crate::compose::syntax;
use crate::compose::yaml::{Kind, Node, Typed};
use crate::diagnostic::{Diagnostic, Diagnostics};

pub(super) fn entries<'a>(
    node: &'a Node,
    what: &str,
    diags: &mut Diagnostics,
) -> Vec<(&'a String, &'a Node)> {
    if node.is_null() {
        return Vec::new();
    }
    if let Kind::Map(m) = &node.kind {
        m.iter().map(|(k, e)| (k, &e.value)).collect()
    } else {
        diags.push(shape(
            node,
            &format!("`{what}` must be a mapping of names to definitions"),
        ));
        Vec::new()
    }
}

pub(super) fn shape(node: &Node, message: &str) -> Diagnostic {
    Diagnostic::error(message.to_owned())
        .at(node.span)
        .label(format!("found {}", node.shape()))
        .help("see the Compose specification for this key's syntax")
}

pub(super) fn expect_map<'a>(
    node: &'a Node,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<&'a crate::compose::yaml::Mapping> {
    match &node.kind {
        Kind::Map(m) => Some(m),
        _ if node.is_null() => None,
        _ => {
            diags.push(shape(node, &format!("{what} must be a mapping")));
            None
        }
    }
}

/// Reports keys of `m` that the Compose specification does not define at
/// `place` (`x-*` keys are the user's own); returns `m` for chaining.
pub(super) fn check_keys<'a>(
    m: &'a crate::compose::yaml::Mapping,
    allowed: &[&str],
    place: &str,
    diags: &mut Diagnostics,
) -> &'a crate::compose::yaml::Mapping {
    for (k, e) in m {
        if !k.starts_with("x-") && !allowed.contains(&k.as_str()) {
            diags.push(unknown_key(k, e.key_span, place, allowed));
        }
    }
    m
}

/// The closest valid key, for "did you mean".
pub(super) fn unknown_key(
    key: &str,
    span: crate::source::Span,
    place: &str,
    valid: &[&str],
) -> Diagnostic {
    let close = valid
        .iter()
        .map(|v| (crate::diagnostic::edit_distance(key, v), *v))
        .filter(|(d, _)| *d <= 2)
        .min();
    let help = match close {
        Some((_, v)) => format!("did you mean `{v}`?"),
        None => format!("valid keys: {}", valid.join(", ")),
    };
    Diagnostic::error(format!("unknown {place} key `{key}`"))
        .at(span)
        .label("not a compose key")
        .help(help)
}

/// A scalar as compose stringifies it (`true`, `1`, `1.5`); None for null.
pub(super) fn text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Scalar(s) => match s.typed() {
            Typed::Null => None,
            _ => Some(s.text.clone()),
        },
        _ => None,
    }
}

pub(super) fn string(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<Spanned<String>> {
    if let Kind::Scalar(_) = &node.kind {
        text(node).map(|t| Spanned::new(t, node.span))
    } else {
        diags.push(shape(node, &format!("`{what}` must be a string")));
        None
    }
}

pub(super) fn boolean(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<Spanned<bool>> {
    match node.as_scalar().map(crate::compose::yaml::Scalar::typed) {
        Some(Typed::Bool(b)) => Some(Spanned::new(b, node.span)),
        Some(Typed::Str("yes" | "on")) => Some(Spanned::new(true, node.span)),
        Some(Typed::Str("no" | "off")) => Some(Spanned::new(false, node.span)),
        _ => {
            diags.push(shape(node, &format!("`{what}` must be true or false")));
            None
        }
    }
}

pub(super) fn number(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<u64> {
    match node.as_scalar().map(crate::compose::yaml::Scalar::typed) {
        Some(Typed::Int(i)) if i >= 0 => u64::try_from(i).ok(),
        Some(Typed::Str(s)) if s.parse::<u64>().is_ok() => s.parse().ok(),
        _ => {
            diags.push(shape(node, &format!("`{what}` must be a whole number ≥ 0")));
            None
        }
    }
}

pub(super) fn strings(node: &Node, what: &str, diags: &mut Diagnostics) -> Vec<Spanned<String>> {
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .filter_map(|i| string(i, what, diags))
            .collect(),
        Kind::Scalar(_) => text(node)
            .map(|t| vec![Spanned::new(t, node.span)])
            .unwrap_or_default(),
        Kind::Map(_) => {
            diags.push(shape(node, &format!("`{what}` must be a list of strings")));
            Vec::new()
        }
    }
}

/// `KEY=VALUE` lists or mappings.
pub(super) fn key_values(
    node: &Node,
    what: &str,
    diags: &mut Diagnostics,
) -> IndexMap<String, Spanned<Option<String>>> {
    let mut out = IndexMap::new();
    match &node.kind {
        Kind::Map(m) => {
            for (k, e) in m {
                out.insert(k.clone(), Spanned::new(text(&e.value), e.key_span));
            }
        }
        Kind::Seq(items) => {
            for i in items {
                let Some(t) = text(i) else { continue };
                match t.split_once('=') {
                    Some((k, v)) => {
                        out.insert(k.to_owned(), Spanned::new(Some(v.to_owned()), i.span))
                    }
                    None => out.insert(t.clone(), Spanned::new(None, i.span)),
                };
            }
        }
        Kind::Scalar(_) if node.is_null() => {}
        Kind::Scalar(_) => diags.push(shape(
            node,
            &format!("`{what}` must be a mapping or a list of KEY=VALUE"),
        )),
    }
    out
}

pub(super) fn command(
    node: &Node,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Spanned<Vec<String>>> {
    match &node.kind {
        Kind::Scalar(_) if node.is_null() => None,
        Kind::Scalar(s) => match syntax::shell_words(&s.text) {
            Ok(words) => Some(Spanned::new(words, node.span)),
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("`{what}`: {e}"))
                        .at(node.span)
                        .help("close the quote, or write the command as a list"),
                );
                None
            }
        },
        Kind::Seq(_) => Some(Spanned::new(
            strings(node, what, diags)
                .into_iter()
                .map(|s| s.value)
                .collect(),
            node.span,
        )),
        Kind::Map(_) => {
            diags.push(shape(node, &format!("`{what}` must be a string or a list")));
            None
        }
    }
}

pub(super) fn duration(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<u64> {
    let t = text(node)?;
    match syntax::duration(&t) {
        Ok(s) => Some(s),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("`{what}`: {e}"))
                    .at(node.span)
                    .help("durations look like `30s`, `1m30s`, `500ms` or `1h`"),
            );
            None
        }
    }
}
