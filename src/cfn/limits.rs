//! CloudFormation's hard limits, checked before anything is written or sent.

use serde_json::Value;

use super::logical_id;
use crate::diagnostic::Diagnostic;

/// Resources per template.
pub const MAX_RESOURCES: usize = 500;
/// Template body size for S3-hosted templates.
pub const MAX_BODY_BYTES: usize = 1_000_000;
/// Inline template body (larger ones go through S3 at deploy time).
pub const MAX_INLINE_BYTES: usize = 51_200;
/// Parameters per template.
pub const MAX_PARAMETERS: usize = 200;
/// Outputs per template.
pub const MAX_OUTPUTS: usize = 200;

/// Checks a rendered template value and its text; returns every violation.
#[must_use]
pub fn check(template: &Value, text: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let count = |section: &str| {
        template
            .get(section)
            .and_then(Value::as_object)
            .map_or(0, serde_json::Map::len)
    };
    let resources = count("Resources");
    if resources > MAX_RESOURCES {
        problems.push(
            Diagnostic::error(format!(
                "the template has {resources} resources, CloudFormation allows {MAX_RESOURCES}"
            ))
            .help("split the project into several stacks (several compose projects), or remove resources with the x-aws-cloudformation overlay"),
        );
    }
    for (section, max) in [("Parameters", MAX_PARAMETERS), ("Outputs", MAX_OUTPUTS)] {
        let n = count(section);
        if n > max {
            problems.push(Diagnostic::error(format!(
                "the template has {n} {section}, CloudFormation allows {max}"
            )));
        }
    }
    if text.len() > MAX_BODY_BYTES {
        problems.push(
            Diagnostic::error(format!(
                "the template is {} bytes, CloudFormation accepts at most {MAX_BODY_BYTES} bytes",
                text.len()
            ))
            .help("render as JSON (--format json) is not smaller; split the project into several stacks"),
        );
    }
    for section in ["Resources", "Parameters", "Outputs", "Conditions"] {
        if let Some(map) = template.get(section).and_then(Value::as_object) {
            for id in map.keys() {
                if !logical_id::is_valid(id) {
                    problems.push(
                        Diagnostic::error(format!(
                            "`{id}` in {section} is not a valid logical ID"
                        ))
                        .help("logical IDs are 1 to 255 letters and digits; rename the compose service, network or volume it comes from, or fix the x-aws-cloudformation overlay"),
                    );
                }
            }
        }
    }
    if let Some(map) = template.get("Resources").and_then(Value::as_object) {
        for (id, resource) in map {
            if resource.get("Type").and_then(Value::as_str).is_none() {
                problems.push(
                    Diagnostic::error(format!("resource `{id}` has no Type")).help(
                        "an x-aws-cloudformation overlay that adds a resource must give its Type",
                    ),
                );
            }
        }
    }
    problems
}
