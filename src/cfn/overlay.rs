//! The `x-aws-cloudformation` overlay, merged into the rendered template
//! with Docker's semantics: mappings merge key by key, recursively; any other
//! value (scalar or list) replaces what was generated; `null` removes the key
//! (at `Resources.<Id>` it removes the resource).

use serde_json::Value;

use crate::diagnostic::{Diagnostic, edit_distance};
use crate::model::{OverlayAction, OverlayEntry};

/// Checks the overlay's entries against the generated template (before the
/// merge): patching a resource c2cfn does not generate would add a resource
/// without a type and lose the patch, and deleting an entry that does not
/// exist deletes nothing. Both are errors at the entry, with the nearest
/// generated ID.
#[must_use]
pub fn check(generated: &Value, entries: &[OverlayEntry]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for entry in entries {
        if entry.action == OverlayAction::Add {
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
            OverlayAction::Patch => (
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
        if entry.action == OverlayAction::Patch {
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
/// from it (`Metadata.c2cfn`). The overlay is the user's JSON as written;
/// it never passes through the model.
pub fn apply(template: &mut Value, overlay: &Value) {
    let rendered = super::source::resource_ids(template);
    merge(template, overlay);
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

    fn entry(section: &str, id: &str, action: OverlayAction) -> OverlayEntry {
        OverlayEntry {
            section: section.into(),
            id: id.into(),
            span: crate::source::Span::new(0, 0, 1),
            action,
        }
    }

    #[test]
    fn entries_must_name_generated_ids() {
        let generated = json!({"Resources": {"AppTCP80Listener": {}, "AppService": {}}, "Outputs": {"LoadBalancerDNS": {}}});
        let problems = check(
            &generated,
            &[
                entry("Resources", "AppTCP80Listener", OverlayAction::Patch),
                entry("Resources", "AppTCP80Listner", OverlayAction::Patch),
                entry("Resources", "AppServce", OverlayAction::Delete),
                entry("Resources", "Extra", OverlayAction::Add),
                entry("Outputs", "LoadBalancerDNS", OverlayAction::Delete),
                entry("Outputs", "Nothing", OverlayAction::Delete),
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
    fn null_removes() {
        case(
            json!({"Resources": {"A": {"Type": "T"}, "B": {"Type": "U"}}}),
            json!({"Resources": {"A": null, "C": {"Type": "V", "Properties": {"Gone": null, "Kept": 1}}}}),
            json!({"Resources": {"B": {"Type": "U"}, "C": {"Type": "V", "Properties": {"Kept": 1}}}}),
        );
        case(json!({"a": 1}), json!({"missing": null}), json!({"a": 1}));
    }
}
