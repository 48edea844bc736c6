//! The preview shown before anything changes: one line per resource change
//! (replacements first and loud, then removals, updates and additions), the
//! property-level details CloudFormation gives, and c2cfn's own diff of the
//! deployed template against the new one.

use std::fmt::Write as _;

use super::api::ResourceChange;
use super::guard::{TemplateView, Verdict, verdict};
use super::ui::Style;

/// The change lines, most dangerous first.
#[must_use]
pub fn change_lines(
    changes: &[ResourceChange],
    old: Option<&TemplateView>,
    new: &TemplateView,
    style: Style,
) -> Vec<String> {
    let mut rows: Vec<(u8, String)> = changes
        .iter()
        .map(|c| {
            let v = verdict(c, old, new);
            let (rank, mark, word, note) = match &v {
                Verdict::Replace { why } => (0, "!!", "REPLACE", format!("  ({why})")),
                Verdict::MayReplace => (
                    1,
                    "!?",
                    "MAY REPLACE",
                    "  (CloudFormation: Replacement=Conditional)".to_owned(),
                ),
                Verdict::Remove { retained: false } => (2, "-", "remove", String::new()),
                Verdict::Remove { retained: true } => (
                    2,
                    "-",
                    "remove",
                    "  (DeletionPolicy keeps the resource; it leaves the stack)".to_owned(),
                ),
                Verdict::Modify => (3, "~", "modify", String::new()),
                Verdict::Add => (4, "+", "add", String::new()),
            };
            let colour = match rank {
                0 | 1 => Style::red_bold,
                2 => Style::red,
                3 => Style::yellow,
                _ => Style::green,
            };
            let mut line = colour(
                style,
                &format!(
                    "  {mark:<2} {word:<11} {:<32} {}",
                    c.logical_id, c.resource_type
                ),
            );
            line.push_str(&note);
            for d in &c.details {
                let _ = write!(line, "\n       {}", d.name);
                if let (Some(b), Some(a)) = (&d.before, &d.after) {
                    let _ = write!(line, ": {b} -> {a}");
                }
                if let Some(r) = &d.requires_recreation {
                    let _ = write!(line, " (recreation: {r})");
                }
            }
            (rank, line)
        })
        .collect();
    rows.sort_by_key(|(rank, _)| *rank);
    rows.into_iter().map(|(_, l)| l).collect()
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
