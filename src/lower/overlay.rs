//! The `x-aws-cloudformation` overlay as written: its top-level keys must be
//! template sections, and every entry of a section is recorded with its span
//! so that the template stage (`cfn/overlay.rs`) can tell, once the template is generated,
//! an entry that names nothing (a typo loses the patch, a `null` deletes
//! nothing).

use serde_json::Value;

use crate::compose::Project;
use crate::compose::project::pointer;
use crate::diagnostic::{Diagnostic, Diagnostics, edit_distance};
use crate::model::{OverlayAction, OverlayEntry};

/// The top-level keys of a CloudFormation template.
pub(crate) const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

/// Sections whose entries are named by logical ID.
const NAMED_SECTIONS: &[&str] = &[
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];

/// Checks the overlay's top-level keys and lists its entries.
pub(super) fn entries(project: &Project, diags: &mut Diagnostics) -> Vec<OverlayEntry> {
    let mut out = Vec::new();
    let Some(overlay) = &project.overlay else {
        return out;
    };
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
                .at(overlay.key_span(&section))
                .label("unknown top-level key of x-aws-cloudformation")
                .help(help),
            );
            continue;
        }
        if !NAMED_SECTIONS.contains(&key.as_str()) {
            continue;
        }
        let Value::Object(items) = value else {
            continue;
        };
        for (id, item) in items {
            let Some(span) = overlay.key_span(&pointer(&section, id)) else {
                continue;
            };
            out.push(OverlayEntry {
                section: key.clone(),
                id: id.clone(),
                span,
                action: action(key, item),
            });
        }
    }
    out
}

fn action(section: &str, value: &Value) -> OverlayAction {
    if value.is_null() {
        return OverlayAction::Delete;
    }
    if section != "Resources" {
        return OverlayAction::Add;
    }
    match value.as_object() {
        Some(m) if !m.contains_key("Type") => OverlayAction::Patch,
        _ => OverlayAction::Add,
    }
}
