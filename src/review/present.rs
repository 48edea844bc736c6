//! A [`Report`] as text (a terminal), Markdown (a pull-request comment) or
//! JSON (scripts). Pure: strings in, strings out.

use std::fmt::Write as _;

use super::changes::{Leaf, show};
use super::report::{Action, Change, Finding, Report};

/// Values longer than this are cut.
const MAX_VALUE: usize = 60;
/// Changed properties shown per resource; the rest are counted.
const MAX_LEAVES: usize = 12;

/// What was compared, for the heading.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The new side (`templates/develop.yaml`).
    pub new: String,
    /// The base (`origin/main`, a file, or the deployed stack).
    pub base: String,
    /// The first line of the text, when it is not `c2cfn diff: NEW
    /// against BASE` (`up`'s preview: `Update stack S: …`).
    pub title: Option<String>,
}

/// The three presentations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// For a terminal.
    #[default]
    Text,
    /// For a pull-request comment.
    Markdown,
    /// For scripts.
    Json,
}

/// `r` in `format`.
#[must_use]
pub fn render(r: &Report, ctx: &Context, format: Format) -> String {
    match format {
        Format::Text => text(r, ctx),
        Format::Markdown => markdown(r, ctx),
        Format::Json => json(r, ctx),
    }
}

fn mark(a: Action) -> &'static str {
    match a {
        Action::Replace => "!!",
        Action::MayReplace => "!?",
        Action::Remove => "-",
        Action::Modify => "~",
        Action::Import => "<-",
        Action::Add => "+",
    }
}

/// `before → after` of one leaf; `true` when a value was shortened.
fn leaf_line(l: &Leaf, code: bool) -> (String, bool) {
    let wrap = |s: String| {
        if code {
            format!("`{}`", s.replace('`', "'"))
        } else {
            s
        }
    };
    let side = |v: Option<&serde_json::Value>| v.map(|v| show(v, MAX_VALUE));
    let (b, a) = (side(l.before.as_ref()), side(l.after.as_ref()));
    let cut = b.as_ref().is_some_and(|x| x.1) || a.as_ref().is_some_and(|x| x.1);
    let path = wrap(l.path.clone());
    let line = match (b, a) {
        (Some(b), Some(a)) => format!("{path}: {} → {}", wrap(b.0), wrap(a.0)),
        (None, Some(a)) => format!("{path}: added {}", wrap(a.0)),
        (Some(b), None) => format!("{path}: removed (was {})", wrap(b.0)),
        (None, None) => path,
    };
    (line, cut)
}

const FULL_DIFF: &str = "values are shortened; the full change is in the template's diff (`git diff`) or `--format json`";

fn counts_line(r: &Report) -> String {
    let c = r.counts;
    let mut parts = Vec::new();
    for (n, word) in [
        (c.replace, "replaced"),
        (c.may_replace, "may be replaced"),
        (c.remove, "removed"),
        (c.modify, "modified"),
        (c.import, "imported"),
        (c.add, "added"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    format!("resources: {}", parts.join(", "))
}

fn finding_text(f: &Finding) -> String {
    format!(
        "{} ({}, {}): {}",
        f.logical_id, f.resource_type, f.group, f.message
    )
}

/// For a terminal.
#[must_use]
pub fn text(r: &Report, ctx: &Context) -> String {
    let mut out = String::new();
    match &ctx.title {
        Some(t) => {
            let _ = writeln!(out, "{t}");
        }
        None => {
            let _ = writeln!(out, "c2cfn diff: {} against {}", ctx.new, ctx.base);
        }
    }
    let _ = writeln!(out, "{}", r.summary);
    if !r.has_changes() {
        return out;
    }
    let _ = writeln!(out, "{}", counts_line(r));
    if !r.data_loss.is_empty() {
        let _ = writeln!(out, "\nDATA LOSS");
        for f in &r.data_loss {
            let _ = writeln!(out, "  !! {}", finding_text(f));
        }
    }
    if !r.security.is_empty() {
        let _ = writeln!(out, "\nSECURITY: access widens");
        for f in &r.security {
            let _ = writeln!(out, "  !  {}", finding_text(f));
        }
    }
    let mut cut = false;
    // Columns as wide as their longest entry; the type without `AWS::`
    // (a terminal's columns are few).
    let all = || r.groups.iter().flat_map(|g| &g.changes);
    let word_width = all().map(|c| c.action.word().len()).max().unwrap_or(0);
    let id_width = all()
        .map(|c| c.logical_id.chars().count())
        .max()
        .unwrap_or(0);
    for g in &r.groups {
        let _ = writeln!(out, "\n{}", g.name);
        for c in &g.changes {
            let _ = write!(
                out,
                "  {:<2} {:<word_width$} {:<id_width$}  {}",
                mark(c.action),
                c.action.word(),
                c.logical_id,
                c.resource_type
                    .strip_prefix("AWS::")
                    .unwrap_or(&c.resource_type)
            );
            if !c.why.is_empty() {
                let _ = write!(out, "  ({})", c.why.join("; "));
            }
            out.push('\n');
            cut |= leaves(c, false, &mut out, "       ");
        }
    }
    if cut {
        let _ = writeln!(out, "\n({FULL_DIFF})");
    }
    out
}

/// Writes the changed properties and the notes of `c`; `true` when a
/// value was shortened.
fn leaves(c: &Change, code: bool, out: &mut String, indent: &str) -> bool {
    let mut cut = false;
    for n in &c.notes {
        let n = if code { md_escape(n) } else { n.clone() };
        let _ = writeln!(out, "{indent}{n}");
    }
    for l in c.properties.iter().take(MAX_LEAVES) {
        let (line, shortened) = leaf_line(l, code);
        cut |= shortened;
        let _ = writeln!(out, "{indent}{line}");
    }
    if c.properties.len() > MAX_LEAVES {
        let _ = writeln!(
            out,
            "{indent}… and {} more changed properties",
            c.properties.len() - MAX_LEAVES
        );
        cut = true;
    }
    cut
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// For a pull-request comment: a one-line summary first, then the
/// data-loss and security findings, then one collapsible section per group.
#[must_use]
pub fn markdown(r: &Report, ctx: &Context) -> String {
    let mut out = String::new();
    let icon = if !r.data_loss.is_empty() {
        "🛑"
    } else if !r.security.is_empty() {
        "⚠️"
    } else if r.has_changes() {
        "📝"
    } else {
        "✅"
    };
    let _ = writeln!(out, "{icon} **{}**", md_escape(&r.summary));
    let _ = writeln!(
        out,
        "\n<sub>c2cfn diff of `{}` against `{}`{}</sub>",
        ctx.new,
        ctx.base,
        if r.has_changes() {
            format!(" · {}", counts_line(r))
        } else {
            String::new()
        }
    );
    if !r.data_loss.is_empty() {
        let _ = writeln!(out, "\n> [!CAUTION]\n> **Data loss**");
        for f in &r.data_loss {
            let _ = writeln!(
                out,
                "> - `{}` ({}, {}): {}",
                f.logical_id,
                f.resource_type,
                md_escape(&f.group),
                md_escape(&f.message)
            );
        }
    }
    if !r.security.is_empty() {
        let _ = writeln!(out, "\n> [!WARNING]\n> **Access widens**");
        for f in &r.security {
            let _ = writeln!(
                out,
                "> - `{}` ({}): {}",
                f.logical_id,
                md_escape(&f.group),
                md_escape(&f.message)
            );
        }
    }
    let mut cut = false;
    for g in &r.groups {
        let mut tally: Vec<(Action, usize)> = Vec::new();
        for c in &g.changes {
            match tally.iter_mut().find(|(a, _)| *a == c.action) {
                Some((_, n)) => *n += 1,
                None => tally.push((c.action, 1)),
            }
        }
        let tally: Vec<String> = tally
            .iter()
            .map(|(a, n)| format!("{n} {}", a.word()))
            .collect();
        let open = if g.changes.iter().any(|c| c.action <= Action::Remove) {
            " open"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "\n<details{open}><summary><b>{}</b> — {}</summary>\n",
            md_escape(&g.name),
            tally.join(", ")
        );
        for c in &g.changes {
            let _ = write!(
                out,
                "- **{}** `{}` <sub>{}</sub>",
                c.action.word(),
                c.logical_id,
                c.resource_type
            );
            if !c.why.is_empty() {
                let _ = write!(out, " — {}", md_escape(&c.why.join("; ")));
            }
            out.push('\n');
            cut |= leaves(c, true, &mut out, "  - ");
        }
        let _ = writeln!(out, "\n</details>");
    }
    if cut {
        let _ = writeln!(out, "\n<sub>{FULL_DIFF}</sub>");
    }
    out
}

/// For scripts: the report with `new` and `base`.
#[must_use]
pub fn json_value(r: &Report, ctx: &Context) -> serde_json::Value {
    let mut value = serde_json::to_value(r).unwrap_or_default();
    if let Some(m) = value.as_object_mut() {
        m.insert("new".into(), ctx.new.clone().into());
        m.insert("base".into(), ctx.base.clone().into());
    }
    value
}

/// For scripts.
#[must_use]
pub fn json(r: &Report, ctx: &Context) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(&json_value(r, ctx)).unwrap_or_default()
    )
}
