//! The `x-aws-cloudformation` overlay: user-written CloudFormation, which
//! never passes through the model. The caller (`render`) hands it over as
//! an [`Overlay`] (the fragment and where each key was written); here its
//! sections are checked and its entries listed ([`entries`]), the entries
//! compared with the generated template ([`check`]), and the overlay merged
//! into it ([`apply`]) with Docker's semantics: mappings merge key by key,
//! recursively; any other value (scalar or list) replaces what was
//! generated; `null` removes the key (at `Resources.<Id>` it removes the
//! resource).

use std::collections::BTreeMap;

use serde_json::Value;

use super::render::SECTIONS;
use crate::diagnostic::{Diagnostic, Diagnostics, edit_distance};
use crate::source::Span;

/// The overlay as written: the fragment as JSON, and the span of every
/// mapping key by JSON pointer (`/Resources/WebService`, RFC 6901).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// The fragment.
    pub value: Value,
    /// Where each mapping key was written, by JSON pointer.
    pub keys: BTreeMap<String, Span>,
}

/// One entry of an overlay section (`Resources.<Id>`, `Outputs.<Id>`, …)
/// and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The template section (`Resources`, `Parameters`, `Outputs`, …).
    pub section: String,
    /// The logical ID it names.
    pub id: String,
    /// Where the ID was written.
    pub span: Span,
    /// What the entry does.
    pub action: Action,
}

/// What an overlay entry does to the generated template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `null`: delete the generated entry.
    Delete,
    /// A resource with a `Type`, or an entry of another section: add it (or
    /// replace a generated one).
    Add,
    /// A resource without `Type`: patch the generated resource.
    Patch,
}

/// Whether the entries of a template section are named by logical ID
/// (`Resources`, `Outputs`, …; not `Metadata` nor the scalar sections).
fn named_by_id(section: &str) -> bool {
    !matches!(
        section,
        "AWSTemplateFormatVersion" | "Description" | "Transform" | "Metadata"
    )
}

/// The JSON pointer of `key` inside the value at `parent` (RFC 6901).
fn pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Checks the overlay's top-level keys (each must be a template section,
/// an error at the key otherwise) and lists the entries of its sections,
/// for [`check`] once the template is generated: a typo loses a patch, a
/// `null` that names nothing deletes nothing.
pub fn entries(overlay: &Overlay, diags: &mut Diagnostics) -> Vec<Entry> {
    let mut out = Vec::new();
    let Value::Object(map) = &overlay.value else {
        // The extension's type is checked with the other `x-aws-*` keys.
        return out;
    };
    for (key, value) in map {
        let section = pointer("", key);
        if !SECTIONS.contains(&key.as_str()) {
            let close = SECTIONS
                .iter()
                .map(|s| {
                    (
                        edit_distance(&key.to_ascii_lowercase(), &s.to_ascii_lowercase()),
                        *s,
                    )
                })
                .min()
                .filter(|(d, _)| *d <= 3);
            let help = match close {
                Some((_, s)) => format!("did you mean `{s}`?"),
                None => format!("a template's top-level keys are {}", SECTIONS.join(", ")),
            };
            diags.push(
                Diagnostic::error(format!(
                    "`{key}` is not a section of a CloudFormation template"
                ))
                .at(overlay.keys.get(&section).copied())
                .label("unknown top-level key of x-aws-cloudformation")
                .help(help),
            );
            continue;
        }
        if !named_by_id(key) {
            continue;
        }
        let Value::Object(items) = value else {
            continue;
        };
        for (id, item) in items {
            let Some(span) = overlay.keys.get(&pointer(&section, id)).copied() else {
                continue;
            };
            out.push(Entry {
                section: key.clone(),
                id: id.clone(),
                span,
                action: action(key, item),
            });
        }
    }
    out
}

fn action(section: &str, value: &Value) -> Action {
    if value.is_null() {
        return Action::Delete;
    }
    if section != "Resources" {
        return Action::Add;
    }
    match value.as_object() {
        Some(m) if !m.contains_key("Type") => Action::Patch,
        _ => Action::Add,
    }
}

/// Checks the overlay's entries against the generated template (before the
/// merge): patching a resource c2cfn does not generate would add a resource
/// without a type and lose the patch, and deleting an entry that does not
/// exist deletes nothing. Both are errors at the entry, with the nearest
/// generated ID.
#[must_use]
pub fn check(generated: &Value, entries: &[Entry]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for entry in entries {
        if entry.action == Action::Add {
            continue;
        }
        let ids: Vec<&str> = generated
            .get(&entry.section)
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if ids.contains(&entry.id.as_str()) {
            continue;
        }
        let (message, label) = match entry.action {
            Action::Patch => (
                format!(
                    "the overlay patches resource `{}`, which c2cfn does not generate",
                    entry.id
                ),
                "no generated resource has this logical ID",
            ),
            _ => (
                format!(
                    "the overlay deletes `{}` from {}, which c2cfn does not generate",
                    entry.id, entry.section
                ),
                "nothing to delete",
            ),
        };
        let mut help = match nearest(&entry.id, &ids) {
            Some(id) => format!("did you mean `{id}`?"),
            None if ids.is_empty() => format!("the generated template has no {}", entry.section),
            None => format!(
                "the generated {} are: {}",
                entry.section,
                ids.iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if entry.action == Action::Patch {
            help.push_str(" (to add a new resource, give it a `Type`)");
        }
        problems.push(
            Diagnostic::error(message)
                .at(entry.span)
                .label(label)
                .help(help),
        );
    }
    problems
}

/// The generated ID closest to `id` (case-insensitive edit distance), when
/// it is close enough to be a typo or a differently normalised name.
fn nearest<'a>(id: &str, ids: &[&'a str]) -> Option<&'a str> {
    let wanted = id.to_ascii_lowercase();
    ids.iter()
        .map(|c| (edit_distance(&wanted, &c.to_ascii_lowercase()), *c))
        .min()
        .filter(|(d, _)| *d <= (wanted.chars().count() / 3).max(2))
        .map(|(_, c)| c)
}

/// Applies the `x-aws-cloudformation` overlay to a generated template
/// value: merges it ([`merge`]) and marks the resources it added as coming
/// from it (`Metadata.c2cfn`).
pub fn apply(template: &mut Value, overlay: &Overlay) {
    let rendered = super::source::resource_ids(template);
    merge(template, &overlay.value);
    super::source::claim_overlay(template, &rendered);
}

/// Merges `overlay` into `base` in place.
pub fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                if value.is_null() {
                    base.remove(key);
                } else if let Some(existing) = base.get_mut(key) {
                    merge(existing, value);
                } else {
                    base.insert(key.clone(), strip_nulls(value));
                }
            }
        }
        (base, overlay) => *base = strip_nulls(overlay),
    }
}

/// A new subtree from the overlay: nulls inside it mean "absent".
fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn case(base: Value, overlay: Value, expected: Value) {
        let mut merged = base;
        merge(&mut merged, &overlay);
        assert_eq!(merged, expected);
    }

    #[test]
    fn maps_merge_recursively() {
        case(
            json!({"Resources": {"L": {"Type": "X", "Properties": {"Port": 80, "Protocol": "TCP"}}}}),
            json!({"Resources": {"L": {"Properties": {"Port": 443, "Protocol": "TLS", "Certificates": [{"CertificateArn": "arn"}]}}}}),
            json!({"Resources": {"L": {"Type": "X", "Properties": {"Port": 443, "Protocol": "TLS", "Certificates": [{"CertificateArn": "arn"}]}}}}),
        );
    }

    #[test]
    fn lists_and_scalars_replace() {
        case(
            json!({"a": [1, 2], "b": "x"}),
            json!({"a": [3], "b": 1}),
            json!({"a": [3], "b": 1}),
        );
        case(json!({"a": {"x": 1}}), json!({"a": [1]}), json!({"a": [1]}));
    }

    fn entry(section: &str, id: &str, action: Action) -> Entry {
        Entry {
            section: section.into(),
            id: id.into(),
            span: Span::new(0, 0, 1),
            action,
        }
    }

    #[test]
    fn entries_must_name_generated_ids() {
        let generated = json!({"Resources": {"AppTCP80Listener": {}, "AppService": {}}, "Outputs": {"LoadBalancerDNS": {}}});
        let problems = check(
            &generated,
            &[
                entry("Resources", "AppTCP80Listener", Action::Patch),
                entry("Resources", "AppTCP80Listner", Action::Patch),
                entry("Resources", "AppServce", Action::Delete),
                entry("Resources", "Extra", Action::Add),
                entry("Outputs", "LoadBalancerDNS", Action::Delete),
                entry("Outputs", "Nothing", Action::Delete),
            ],
        );
        let text: Vec<String> = problems
            .iter()
            .map(|d| format!("{} | {}", d.message, d.help.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            text,
            [
                "the overlay patches resource `AppTCP80Listner`, which c2cfn does not generate | did you mean `AppTCP80Listener`? (to add a new resource, give it a `Type`)",
                "the overlay deletes `AppServce` from Resources, which c2cfn does not generate | did you mean `AppService`?",
                "the overlay deletes `Nothing` from Outputs, which c2cfn does not generate | the generated Outputs are: `LoadBalancerDNS`",
            ]
        );
    }

    #[test]
    fn entries_are_listed_with_their_spans_and_unknown_sections_refused() {
        let span = |at: usize| Span::new(0, at, at + 1);
        let overlay = Overlay {
            value: json!({
                "Resources": {"A/B": null, "New": {"Type": "T"}, "Web": {"Properties": {}}},
                "Outputs": {"Url": {"Value": 1}},
                "Description": "x",
                "Resource": {"Web": {}},
            }),
            keys: [
                ("/Resources", 1),
                ("/Resources/A~1B", 2),
                ("/Resources/New", 3),
                ("/Resources/Web", 4),
                ("/Outputs/Url", 5),
                ("/Resource", 6),
            ]
            .into_iter()
            .map(|(p, at)| (p.to_owned(), span(at)))
            .collect(),
        };
        let mut diags = Diagnostics::new();
        let listed: Vec<(String, String, Span, Action)> = entries(&overlay, &mut diags)
            .into_iter()
            .map(|e| (e.section, e.id, e.span, e.action))
            .collect();
        assert_eq!(
            listed,
            [
                ("Outputs".into(), "Url".into(), span(5), Action::Add),
                ("Resources".into(), "A/B".into(), span(2), Action::Delete),
                ("Resources".into(), "New".into(), span(3), Action::Add),
                ("Resources".into(), "Web".into(), span(4), Action::Patch),
            ]
        );
        let problems = diags.items();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].message,
            "`Resource` is not a section of a CloudFormation template"
        );
        assert_eq!(problems[0].span, Some(span(6)));
        assert_eq!(
            problems[0].help.as_deref(),
            Some("did you mean `Resources`?")
        );
    }

    #[test]
    fn null_removes() {
        case(
            json!({"Resources": {"A": {"Type": "T"}, "B": {"Type": "U"}}}),
            json!({"Resources": {"A": null, "C": {"Type": "V", "Properties": {"Gone": null, "Kept": 1}}}}),
            json!({"Resources": {"B": {"Type": "U"}, "C": {"Type": "V", "Properties": {"Kept": 1}}}}),
        );
        case(json!({"a": 1}), json!({"missing": null}), json!({"a": 1}));
    }
}
