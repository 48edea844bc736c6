//! Diagnostics: the one place where problems are described and rendered.
//!
//! Every stage reports problems as [`Diagnostic`] values (severity, message,
//! primary span, optional secondary labels, and a hint). They are collected in
//! [`Diagnostics`] so a user sees every independent problem at once, and are
//! rendered here only, as `path:line:column`, the source line, a caret under
//! the offending text and the hint.

use std::fmt::Write as _;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::{self, Chars, Config};

use crate::source::{SourceMap, Span};

mod claims;
pub use claims::Claims;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The project can be rendered, but the user should know.
    Warning,
    /// The project cannot be rendered as written.
    Error,
}

/// One problem found in the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One sentence, lower case, no trailing period.
    pub message: String,
    /// Where the problem is, when it comes from a file.
    pub span: Option<Span>,
    /// Text shown under the caret.
    pub label: Option<String>,
    /// Other places that explain the problem.
    pub secondary: Vec<(Span, String)>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error.
    #[must_use]
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A new warning.
    #[must_use]
    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    /// Points the diagnostic at `span` (if any).
    #[must_use]
    pub fn at(mut self, span: impl Into<Option<Span>>) -> Self {
        self.span = span.into();
        self
    }

    /// Text under the caret.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds another place that explains the problem.
    #[must_use]
    pub fn also(mut self, span: Option<Span>, label: impl Into<String>) -> Self {
        if let Some(span) = span {
            self.secondary.push((span, label.into()));
        }
        self
    }

    /// A hint on how to fix the problem.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A list of problems, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty list.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Records every problem of another list.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True when at least one error was recorded.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// True when nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The recorded problems.
    #[must_use]
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Turns every warning into an error (`--strict`).
    pub fn promote_warnings(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Sorts by file position (errors without a span last), keeping the
    /// order of problems at the same place, and drops exact duplicates
    /// (a key reached through several YAML aliases is reported once).
    pub fn sort(&mut self) {
        self.items.sort_by_key(|d| {
            (d.span
                .map_or((usize::MAX, usize::MAX), |s| (s.file, s.start)),)
        });
        self.items.dedup();
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self { items: vec![d] }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Renders diagnostics as plain text (no colour): what users, logs and
/// snapshots see.
#[must_use]
pub fn render(sources: &SourceMap, diagnostics: &Diagnostics) -> String {
    let mut out = String::new();
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    for d in diagnostics.items() {
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut cs = CsDiagnostic::new(severity).with_message(&d.message);
        let mut labels = Vec::new();
        if let Some(span) = d.span.filter(|s| sources.get(s.file).is_some()) {
            labels.push(
                Label::primary(span.file, span.start..span.end)
                    .with_message(d.label.clone().unwrap_or_default()),
            );
        }
        for (span, text) in &d.secondary {
            if sources.get(span.file).is_some() {
                labels.push(Label::secondary(span.file, span.start..span.end).with_message(text));
            }
        }
        cs = cs.with_labels(labels);
        if let Some(help) = &d.help {
            cs = cs.with_notes(vec![format!("help: {help}")]);
        }
        match term::emit_into_string(&config, sources.files(), &cs) {
            Ok(text) => out.push_str(&text),
            // The span does not fit the file (cannot happen for spans made by
            // the loader); fall back to the message alone rather than fail.
            Err(_) => {
                let _ = writeln!(out, "{}: {}", severity_word(d.severity), d.message);
            }
        }
    }
    let errors = diagnostics.error_count();
    if errors > 1 {
        let _ = writeln!(out, "error: {errors} errors, nothing was rendered");
    }
    out
}

/// Levenshtein distance, for "did you mean" hints.
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
