//! The `x-aws-cloudformation` overlay as written: its top-level keys must be
//! template sections, and every entry of a section is recorded with its span
//! so that the template stage (`cfn/overlay.rs`) can tell, once the template is generated,
//! an entry that names nothing (a typo loses the patch, a `null` deletes
//! nothing).

use crate::compose::Project;
use crate::compose::yaml::{Kind, Node};
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
    let Some(node) = project.extensions.get("x-aws-cloudformation") else {
        return out;
    };
    let Kind::Map(map) = &node.kind else {
        // The extension's type is checked with the other `x-aws-*` keys.
        return out;
    };
    for (key, entry) in map {
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
                .at(entry.key_span)
                .label("unknown top-level key of x-aws-cloudformation")
                .help(help),
            );
            continue;
        }
        if !NAMED_SECTIONS.contains(&key.as_str()) {
            continue;
        }
        let Kind::Map(items) = &entry.value.kind else {
            continue;
        };
        for (id, item) in items {
            out.push(OverlayEntry {
                section: key.clone(),
                id: id.clone(),
                span: item.key_span,
                action: action(key, &item.value),
            });
        }
    }
    out
}

fn action(section: &str, value: &Node) -> OverlayAction {
    if value.is_null() {
        return OverlayAction::Delete;
    }
    if section != "Resources" {
        return OverlayAction::Add;
    }
    match value.as_map() {
        Some(m) if !m.contains_key("Type") => OverlayAction::Patch,
        _ => OverlayAction::Add,
    }
}
