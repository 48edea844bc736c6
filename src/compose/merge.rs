//! The compose-spec merge rules, used for several `-f` files and for `extends`.
//!
//! Mappings merge recursively and later scalars win, with these exceptions
//! (following compose-go's `override` package):
//!
//! * `command`, `entrypoint`, `healthcheck.test` are replaced wholesale;
//! * `environment`, `labels`, `annotations`, `extra_hosts`, `sysctls`,
//!   `build.args`, `build.labels`, `deploy.labels` and the labels of networks
//!   and volumes accept the list form (`KEY=VALUE`), which is normalised to a
//!   mapping before merging by key;
//! * `depends_on` and service `networks` lists are normalised to mappings;
//!   `build: ./dir` to `{context: ./dir}`;
//! * `ports` are appended without exact duplicates; `volumes` and `devices`
//!   are merged by container path and `secrets`/`configs` by target (a later
//!   entry replaces an earlier one in place); `dns`, `dns_search`, `tmpfs`,
//!   `cap_add`, `expose`, `profiles` … are appended without duplicates; other
//!   lists are appended;
//! * `logging` options merge only when the driver is unchanged;
//! * `!reset` drops the inherited value (and the key), `!override` replaces
//!   it without merging; a `null` value keeps the inherited one.
//!
//! Spans follow the writer: a merged value keeps the span of the file that
//! wrote it, so errors point at the override when the override is wrong.

use super::yaml::{Entry, Kind, Mapping, Node, Scalar, Tag};
use crate::source::Span;

/// How the value at a path merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Recursive mapping merge, lists appended, scalars replaced.
    Default,
    /// The later value replaces the earlier.
    Replace,
    /// `KEY=VALUE` lists normalised to mappings, merged by key.
    KeyValue,
    /// Like [`Rule::KeyValue`], `host:ip` also accepted.
    ExtraHosts,
    /// Appended, duplicates (same text) dropped.
    Unique,
    /// Merged by container path.
    ByTarget,
    /// Merged by `target`, else `source`.
    BySecretTarget,
    /// `depends_on`: list normalised to a mapping.
    DependsOn,
    /// service `networks`: list normalised to a mapping.
    Networks,
    /// `build`: string normalised to `{context}`.
    Build,
    /// `logging`.
    Logging,
}

/// Path patterns (`*` matches one name) and their rules.
const RULES: &[(&str, Rule)] = &[
    ("services.*.command", Rule::Replace),
    ("services.*.entrypoint", Rule::Replace),
    ("services.*.healthcheck.test", Rule::Replace),
    ("services.*.environment", Rule::KeyValue),
    ("services.*.labels", Rule::KeyValue),
    ("services.*.annotations", Rule::KeyValue),
    ("services.*.sysctls", Rule::KeyValue),
    ("services.*.build.args", Rule::KeyValue),
    ("services.*.build.labels", Rule::KeyValue),
    ("services.*.build.additional_contexts", Rule::KeyValue),
    ("services.*.deploy.labels", Rule::KeyValue),
    ("networks.*.labels", Rule::KeyValue),
    ("volumes.*.labels", Rule::KeyValue),
    ("services.*.extra_hosts", Rule::ExtraHosts),
    ("services.*.build.extra_hosts", Rule::ExtraHosts),
    ("services.*.ports", Rule::Unique),
    ("services.*.expose", Rule::Unique),
    ("services.*.dns", Rule::Unique),
    ("services.*.dns_opt", Rule::Unique),
    ("services.*.dns_search", Rule::Unique),
    ("services.*.tmpfs", Rule::Unique),
    ("services.*.cap_add", Rule::Unique),
    ("services.*.cap_drop", Rule::Unique),
    ("services.*.links", Rule::Unique),
    ("services.*.profiles", Rule::Unique),
    ("services.*.env_file", Rule::Unique),
    ("services.*.build.tags", Rule::Unique),
    ("services.*.build.platforms", Rule::Unique),
    ("services.*.networks.*.aliases", Rule::Unique),
    ("services.*.volumes", Rule::ByTarget),
    ("services.*.devices", Rule::ByTarget),
    ("services.*.secrets", Rule::BySecretTarget),
    ("services.*.configs", Rule::BySecretTarget),
    ("services.*.depends_on", Rule::DependsOn),
    ("services.*.networks", Rule::Networks),
    ("services.*.build", Rule::Build),
    ("services.*.logging", Rule::Logging),
];

fn rule(path: &[String]) -> Rule {
    RULES
        .iter()
        .find(|(pattern, _)| {
            let parts: Vec<&str> = pattern.split('.').collect();
            parts.len() == path.len()
                && parts
                    .iter()
                    .zip(path)
                    .all(|(p, s)| *p == "*" || *p == s.as_str())
        })
        .map_or(Rule::Default, |(_, r)| *r)
}

/// Merges a whole compose document `over` onto `base`.
#[must_use]
pub fn merge_documents(base: Node, over: Node) -> Node {
    merge_at(&mut Vec::new(), Some(base), over)
        .unwrap_or_else(|| Node::map(Mapping::new(), Span::new(0, 0, 0)))
}

/// Merges the service `over` onto `base` (for `extends`).
#[must_use]
pub fn merge_services(base: Node, over: Node) -> Node {
    let span = over.span;
    merge_at(
        &mut vec!["services".to_owned(), "*".to_owned()],
        Some(base),
        over,
    )
    .unwrap_or_else(|| Node::map(Mapping::new(), span))
}

/// Removes `!reset` values and merge tags from a value that has nothing to
/// merge with.
#[must_use]
pub fn strip_tags(node: Node) -> Option<Node> {
    merge_at(&mut Vec::new(), None, node)
}

/// Merges `over` onto `base` at `path`; None when the result is removed.
fn merge_at(path: &mut Vec<String>, base: Option<Node>, over: Node) -> Option<Node> {
    match over.tag {
        Some(Tag::Reset) => return None,
        Some(Tag::Override) => return strip(over),
        None => {}
    }
    let Some(base) = base else { return strip(over) };
    if over.is_null() {
        return Some(base);
    }
    match rule(path) {
        Rule::Replace => strip(over),
        Rule::KeyValue => merge_maps(path, to_map(base, '='), to_map(over, '=')),
        Rule::ExtraHosts => merge_maps(path, to_map(base, ':'), to_map(over, ':')),
        Rule::Unique => merge_seqs(base, over, |n| Some(text_key(n))),
        Rule::ByTarget => merge_seqs(base, over, volume_target),
        Rule::BySecretTarget => merge_seqs(base, over, secret_target),
        Rule::DependsOn => merge_maps(path, list_to_map(base, true), list_to_map(over, true)),
        Rule::Networks => merge_maps(path, list_to_map(base, false), list_to_map(over, false)),
        Rule::Build => merge_maps(path, build_map(base), build_map(over)),
        Rule::Logging => {
            let driver = |n: &Node| {
                n.as_map()
                    .and_then(|m| m.get("driver"))
                    .and_then(|e| e.value.as_scalar())
                    .map(|s| s.text.clone())
            };
            match (driver(&base), driver(&over)) {
                (Some(a), Some(b)) if a != b => strip(over),
                _ => merge_maps(path, base, over),
            }
        }
        Rule::Default => match (&base.kind, &over.kind) {
            (Kind::Map(_), Kind::Map(_)) => merge_maps(path, base, over),
            (Kind::Seq(_), Kind::Seq(_)) => merge_seqs(base, over, |_| None),
            _ => strip(over),
        },
    }
}

/// A value with no base: tags removed, `!reset` entries dropped.
fn strip(mut node: Node) -> Option<Node> {
    if node.tag == Some(Tag::Reset) {
        return None;
    }
    node.tag = None;
    node.kind = match node.kind {
        Kind::Map(map) => Kind::Map(
            map.into_iter()
                .filter_map(|(k, e)| {
                    strip(e.value).map(|value| {
                        (
                            k,
                            Entry {
                                key_span: e.key_span,
                                value,
                            },
                        )
                    })
                })
                .collect(),
        ),
        Kind::Seq(items) => Kind::Seq(items.into_iter().filter_map(strip).collect()),
        scalar @ Kind::Scalar(_) => scalar,
    };
    Some(node)
}

fn merge_maps(path: &mut Vec<String>, base: Node, over: Node) -> Option<Node> {
    let span = over.span;
    if !(matches!(base.kind, Kind::Map(_)) && matches!(over.kind, Kind::Map(_))) {
        return strip(over);
    }
    let (Kind::Map(mut map), Kind::Map(over_map)) = (base.kind, over.kind) else {
        return None;
    };
    for (key, entry) in over_map {
        let (index, old) = match map.shift_remove_full(&key) {
            Some((i, _, e)) => (Some(i), Some(e.value)),
            None => (None, None),
        };
        path.push(key.clone());
        let merged = merge_at(path, old, entry.value);
        path.pop();
        if let Some(value) = merged {
            let new = Entry {
                key_span: entry.key_span,
                value,
            };
            match index {
                Some(i) => map.shift_insert(i.min(map.len()), key, new),
                None => map.insert(key, new),
            };
        }
    }
    Some(Node {
        kind: Kind::Map(map),
        span,
        tag: None,
    })
}

fn merge_seqs(base: Node, over: Node, key: impl Fn(&Node) -> Option<String>) -> Option<Node> {
    // `dns: 8.8.8.8` is the list `[8.8.8.8]`: merged as one.
    let (base, over) = (one_item_seq(base), one_item_seq(over));
    let span = over.span;
    if !(matches!(base.kind, Kind::Seq(_)) && matches!(over.kind, Kind::Seq(_))) {
        return strip(over);
    }
    let (Kind::Seq(mut items), Kind::Seq(over_items)) = (base.kind, over.kind) else {
        return None;
    };
    for item in over_items.into_iter().filter_map(strip) {
        let k = key(&item);
        match k.and_then(|k| {
            items
                .iter()
                .position(|i| key(i).as_deref() == Some(k.as_str()))
        }) {
            Some(index) => items[index] = item,
            None => items.push(item),
        }
    }
    Some(Node {
        kind: Kind::Seq(items),
        span,
        tag: None,
    })
}

/// A non-null scalar as a list of itself; anything else unchanged.
fn one_item_seq(node: Node) -> Node {
    if node.as_scalar().is_some() && !node.is_null() {
        let (span, tag) = (node.span, node.tag);
        return Node {
            kind: Kind::Seq(vec![node]),
            span,
            tag,
        };
    }
    node
}

/// The text of a scalar, or the JSON of anything else (for equality).
fn text_key(node: &Node) -> String {
    match node.as_scalar() {
        Some(s) => s.text.clone(),
        None => node.to_json().to_string(),
    }
}

/// The container path of a `volumes`/`devices` entry.
pub(crate) fn volume_target(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Scalar(s) => {
            let parts: Vec<&str> = s.text.split(':').collect();
            // `src:dst[:mode]` or `dst`; a Windows drive letter is not handled.
            Some(match parts.as_slice() {
                [dst] | [_, dst, ..] => (*dst).to_owned(),
                [] => String::new(),
            })
        }
        Kind::Map(m) => m
            .get("target")
            .and_then(|e| e.value.as_scalar())
            .map(|s| s.text.clone()),
        Kind::Seq(_) => None,
    }
}

fn secret_target(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Scalar(s) => Some(s.text.clone()),
        Kind::Map(m) => m
            .get("target")
            .or_else(|| m.get("source"))
            .and_then(|e| e.value.as_scalar())
            .map(|s| s.text.clone()),
        Kind::Seq(_) => None,
    }
}

/// A sub-span of a scalar's text, allowing for quotes around it.
pub(crate) fn text_span(node: &Node, offset: usize, len: usize) -> Span {
    let text_len = node.as_scalar().map_or(0, |s| s.text.len());
    let quote = usize::from(node.span.end - node.span.start >= text_len + 2);
    node.span.sub(offset + quote, len)
}

/// `[K=V, K]` → `{K: V, K: null}`; a mapping is returned as is.
pub(crate) fn to_map(node: Node, alt_separator: char) -> Node {
    let Kind::Seq(items) = &node.kind else {
        return node;
    };
    let mut map = Mapping::new();
    for item in items {
        let Some(s) = item.as_scalar() else { continue };
        let split = s.text.find('=').or_else(|| s.text.find(alt_separator));
        let (key, value) = match split {
            Some(i) => {
                let value = Node {
                    kind: Kind::Scalar(Scalar {
                        text: s.text[i + 1..].to_owned(),
                        quoted: true,
                    }),
                    span: text_span(item, i + 1, s.text.len() - i - 1),
                    tag: item.tag,
                };
                (&s.text[..i], value)
            }
            None => (s.text.as_str(), null_at(item.span, item.tag)),
        };
        map.insert(
            key.to_owned(),
            Entry {
                key_span: text_span(item, 0, key.len()),
                value,
            },
        );
    }
    Node {
        kind: Kind::Map(map),
        span: node.span,
        tag: node.tag,
    }
}

/// A null scalar at `span`.
pub(crate) fn null_at(span: Span, tag: Option<Tag>) -> Node {
    Node {
        kind: Kind::Scalar(Scalar {
            text: String::new(),
            quoted: false,
        }),
        span,
        tag,
    }
}

/// `[a, b]` → `{a: {condition: service_started}, …}` (`depends_on`) or
/// `{a: null, …}` (`networks`).
pub(crate) fn list_to_map(node: Node, depends_on: bool) -> Node {
    let Kind::Seq(items) = &node.kind else {
        return node;
    };
    let mut map = Mapping::new();
    for item in items {
        let Some(s) = item.as_scalar() else { continue };
        let value = if depends_on {
            let mut m = Mapping::new();
            m.insert(
                "condition".to_owned(),
                Entry {
                    key_span: item.span,
                    value: Node::string("service_started", item.span),
                },
            );
            Node::map(m, item.span)
        } else {
            null_at(item.span, None)
        };
        map.insert(
            s.text.clone(),
            Entry {
                key_span: item.span,
                value,
            },
        );
    }
    Node {
        kind: Kind::Map(map),
        span: node.span,
        tag: node.tag,
    }
}

fn build_map(node: Node) -> Node {
    if node.as_scalar().is_none() {
        return node;
    }
    let mut m = Mapping::new();
    let span = node.span;
    m.insert(
        "context".to_owned(),
        Entry {
            key_span: span,
            value: Node { tag: None, ..node },
        },
    );
    Node::map(m, span)
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
