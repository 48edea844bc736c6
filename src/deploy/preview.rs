//! The preview shown before anything changes: the change set's review
//! ([`super::live_review`], presented by [`crate::review::present`] exactly
//! as `diff --against` presents a template change: grouped by compose
//! service and extension, most dangerous first, data loss and widened
//! access on top, CloudFormation's `Replacement` where it gives one), then
//! c2cfn's own diff of the deployed template against the new one.

use std::fmt::Write as _;

use super::guard::TemplateView;
use super::ui::{Style, fit};
use crate::review::Report;
use crate::review::present::{self, Context};

/// What the preview compares: the new template with the deployed stack
/// (`verb` `create`, `update` or `recreate`, or `none`).
#[must_use]
pub fn context(stack: &str, verb: &str, changes: usize) -> Context {
    let title = match verb {
        "create" | "update" => Some(format!(
            "{} stack {stack}: {changes} change{}",
            if verb == "create" { "Create" } else { "Update" },
            if changes == 1 { "" } else { "s" }
        )),
        _ => None,
    };
    Context {
        new: "the rendered template".to_owned(),
        base: if verb == "create" {
            format!("stack {stack} (not deployed yet)")
        } else {
            format!("stack {stack} (deployed)")
        },
        title,
    }
}

/// The text preview as lines, fitted to `width` (the terminal's) and then
/// coloured by what happens.
#[must_use]
pub fn lines(report: &Report, ctx: &Context, style: Style, width: Option<usize>) -> Vec<String> {
    let text = present::text(report, ctx);
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            let colour: Option<fn(Style, &str) -> String> = if n == 0 {
                Some(Style::bold)
            } else if line.starts_with("  !! ") || line.starts_with("  !? ") {
                Some(Style::red_bold)
            } else if line.starts_with("  -  ") || line.starts_with("  !  ") {
                Some(Style::red)
            } else if line.starts_with("  ~  ") {
                Some(Style::yellow)
            } else if line.starts_with("  <- ") {
                Some(Style::cyan)
            } else if line.starts_with("  +  ") {
                Some(Style::green)
            } else if !line.is_empty() && !line.starts_with(' ') && !line.starts_with('(') {
                Some(Style::bold)
            } else {
                None
            };
            let line = fit(line, width);
            colour.map_or_else(|| line.clone(), |c| c(style, &line))
        })
        .collect()
}

/// The preview as JSON (`diff --format json`): the review's JSON
/// (docs/ci.md) with `stack` and `action` (`create`, `update`, `recreate`
/// or `none`). Documented in docs/deploy.md.
#[must_use]
pub fn json(stack: &str, action: &str, report: &Report, ctx: &Context) -> serde_json::Value {
    let mut value = present::json_value(report, ctx);
    if let Some(m) = value.as_object_mut() {
        m.insert("stack".into(), stack.into());
        m.insert("action".into(), action.into());
    }
    value
}

/// A unified diff of the deployed template against the new one, both put
/// in c2cfn's canonical YAML first when they parse (so JSON vs YAML and key
/// order do not show); `None` when they are the same.
#[must_use]
pub fn template_diff(old: &str, new: &str, style: Style) -> Option<String> {
    let canonical = |t: &str| {
        TemplateView::parse(t, std::collections::BTreeMap::new()).map_or_else(
            || t.to_owned(),
            |v| crate::cfn::render(&v.template, crate::cfn::Format::Yaml),
        )
    };
    let (old, new) = (canonical(old), canonical(new));
    if old == new {
        return None;
    }
    let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
    let mut out = String::new();
    for hunk in diff.unified_diff().context_radius(2).iter_hunks() {
        let _ = writeln!(out, "{}", style.cyan(&hunk.header().to_string()));
        for change in hunk.iter_changes() {
            let text = format!("{}{}", change.tag(), change.value().trim_end_matches('\n'));
            let line = match change.tag() {
                similar::ChangeTag::Delete => style.red(&text),
                similar::ChangeTag::Insert => style.green(&text),
                similar::ChangeTag::Equal => text,
            };
            let _ = writeln!(out, "{line}");
        }
    }
    Some(out)
}
