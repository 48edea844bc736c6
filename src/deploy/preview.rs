//! The preview shown before anything changes: a summary line ("42
//! changes: app 9, tables 20, redis 4, …"), the count of each kind of
//! change, then the changes grouped by compose service and extension
//! ([`crate::cfn::parts`]), most dangerous first within a group, in columns
//! as wide as the longest logical ID; the property-level details
//! CloudFormation gives; and c2cfn's own diff of the deployed template
//! against the new one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::api::ResourceChange;
use super::guard::{TemplateView, Verdict, verdict};
use super::ui::{Style, fit};
use crate::cfn::parts::Parts;

/// One row of the preview.
struct Row {
    rank: u8,
    part: String,
    text: String,
}

/// `AWS::ECS::Service` → `ECS::Service` (every c2cfn type is AWS's; the
/// prefix only costs columns).
fn short_type(t: &str) -> &str {
    t.strip_prefix("AWS::").unwrap_or(t)
}

/// The preview of `changes` to stack `stack` (`create` or `update`), as
/// lines; `width` is the terminal's (summary lines wrap there).
#[must_use]
pub fn lines(
    stack: &str,
    verb: &str,
    changes: &[ResourceChange],
    old: Option<&TemplateView>,
    new: &TemplateView,
    style: Style,
    width: Option<usize>,
) -> Vec<String> {
    let mut templates = vec![&new.template];
    if let Some(o) = old {
        templates.push(&o.template);
    }
    let parts = Parts::of(&templates);
    let id_width = changes
        .iter()
        .map(|c| c.logical_id.chars().count())
        .max()
        .unwrap_or(0);
    let mut kinds = [0usize; 5];
    let mut rows: Vec<Row> = changes
        .iter()
        .map(|c| {
            let v = verdict(c, old, new);
            let (rank, mark, note) = match &v {
                Verdict::Replace { why } => (0, "!!", format!("  REPLACE ({why})")),
                Verdict::MayReplace => (
                    1,
                    "!?",
                    "  MAY REPLACE (CloudFormation: Replacement=Conditional)".to_owned(),
                ),
                Verdict::Remove { retained: false } => (2, "-", String::new()),
                Verdict::Remove { retained: true } => (
                    2,
                    "-",
                    "  (DeletionPolicy keeps the resource; it leaves the stack)".to_owned(),
                ),
                Verdict::Modify => (3, "~", String::new()),
                Verdict::Add => (4, "+", String::new()),
            };
            kinds[usize::from(rank)] += 1;
            let colour = match rank {
                0 | 1 => Style::red_bold,
                2 => Style::red,
                3 => Style::yellow,
                _ => Style::green,
            };
            let row = format!(
                "  {mark:<2} {:<id_width$}  {}{note}",
                c.logical_id,
                short_type(&c.resource_type)
            );
            let mut text = colour(style, &row);
            for d in &c.details {
                let _ = write!(text, "\n       {}", d.name);
                if let (Some(b), Some(a)) = (&d.before, &d.after) {
                    let _ = write!(text, ": {b} -> {a}");
                }
                if let Some(r) = &d.requires_recreation {
                    let _ = write!(text, " (recreation: {r})");
                }
            }
            Row {
                rank,
                part: parts.part(&c.logical_id, &c.resource_type),
                text,
            }
        })
        .collect();
    rows.sort_by_key(|r| (parts.rank(&r.part), r.part.clone(), r.rank));
    let mut counts: BTreeMap<(usize, &str), usize> = BTreeMap::new();
    for r in &rows {
        *counts
            .entry((parts.rank(&r.part), r.part.as_str()))
            .or_default() += 1;
    }
    let by_part: Vec<String> = counts
        .iter()
        .map(|((_, part), n)| format!("{part} {n}"))
        .collect();
    let n = changes.len();
    let mut out = vec![style.bold(&fit(
        &format!(
            "{} stack {stack}: {n} change{}: {}",
            if verb == "create" { "Create" } else { "Update" },
            if n == 1 { "" } else { "s" },
            by_part.join(", ")
        ),
        width,
    ))];
    let labels = [
        ("!!", "to replace"),
        ("!?", "may be replaced"),
        ("-", "to remove"),
        ("~", "to modify"),
        ("+", "to add"),
    ];
    let by_kind: Vec<String> = kinds
        .iter()
        .zip(labels)
        .filter(|(n, _)| **n > 0)
        .map(|(n, (mark, label))| format!("{mark} {n} {label}"))
        .collect();
    out.push(fit(&format!("  {}", by_kind.join(", ")), width));
    let mut current: Option<&str> = None;
    for r in &rows {
        if current != Some(r.part.as_str()) {
            current = Some(r.part.as_str());
            let count = counts
                .get(&(parts.rank(&r.part), r.part.as_str()))
                .copied()
                .unwrap_or(0);
            out.push(style.bold(&format!("{} ({count})", r.part)));
        }
        out.push(r.text.clone());
    }
    out
}

/// The preview as JSON (`diff --json`): `stack`, `action` (`create`,
/// `update`, `recreate` or `none`), `summary` (changes per part and per
/// kind) and `changes`, each with its `part`, `logical_id`, `type`, `kind`
/// (`add`, `modify`, `remove`, `replace`, `may_replace`), `physical_id`,
/// `note` and CloudFormation's property `details`. Documented in
/// docs/deploy.md.
#[must_use]
pub fn json(
    stack: &str,
    action: &str,
    changes: &[ResourceChange],
    old: Option<&TemplateView>,
    new: &TemplateView,
) -> serde_json::Value {
    let mut templates = vec![&new.template];
    if let Some(o) = old {
        templates.push(&o.template);
    }
    let parts = Parts::of(&templates);
    let mut by_part: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let list: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            let (kind, note) = match verdict(c, old, new) {
                Verdict::Replace { why } => ("replace", Some(why)),
                Verdict::MayReplace => (
                    "may_replace",
                    Some("CloudFormation: Replacement=Conditional".to_owned()),
                ),
                Verdict::Remove { retained } => (
                    "remove",
                    retained.then(|| {
                        "DeletionPolicy keeps the resource; it leaves the stack".to_owned()
                    }),
                ),
                Verdict::Modify => ("modify", None),
                Verdict::Add => ("add", None),
            };
            let part = parts.part(&c.logical_id, &c.resource_type);
            *by_part
                .entry((parts.rank(&part), part.clone()))
                .or_default() += 1;
            *by_kind.entry(kind).or_default() += 1;
            serde_json::json!({
                "part": part,
                "logical_id": c.logical_id,
                "type": c.resource_type,
                "kind": kind,
                "physical_id": c.physical_id,
                "note": note,
                "details": c.details.iter().map(|d| serde_json::json!({
                    "name": d.name,
                    "before": d.before,
                    "after": d.after,
                    "requires_recreation": d.requires_recreation,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let parts_json: serde_json::Map<String, serde_json::Value> = by_part
        .into_iter()
        .map(|((_, p), n)| (p, n.into()))
        .collect();
    serde_json::json!({
        "stack": stack,
        "action": action,
        "summary": {
            "changes": changes.len(),
            "parts": parts_json,
            "kinds": by_kind,
        },
        "changes": list,
    })
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
