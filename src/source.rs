//! Source files and spans.
//!
//! Every file c2cfn reads (compose files, `.env` files, environment files) is
//! registered once in a [`SourceMap`]; everything parsed from it carries a
//! [`Span`] (file id plus byte range) so that any later stage can point at
//! the exact text the user wrote. Rendering of spans lives in
//! `diagnostic.rs`; this module only stores text.

use std::path::{Path, PathBuf};

use codespan_reporting::files::{Files, SimpleFile, SimpleFiles};

/// Identifies one file in a [`SourceMap`].
pub type FileId = usize;

/// A byte range in one registered source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte (inclusive).
    pub start: usize,
    /// Last byte (exclusive).
    pub end: usize,
}

impl Span {
    /// A span covering `start..end` in `file`.
    #[must_use]
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self {
            file,
            start,
            end: end.max(start),
        }
    }

    /// A sub-range of this span, clamped to it (used to point inside a scalar).
    #[must_use]
    pub fn sub(self, offset: usize, len: usize) -> Self {
        let start = (self.start + offset).min(self.end);
        let end = (start + len.max(1)).min(self.end).max(start);
        Self::new(self.file, start, end)
    }
}

/// All files read during one run, with the paths used to show them.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: SimpleFiles<String, String>,
    paths: Vec<PathBuf>,
}

impl SourceMap {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file's text; `path` is shown in diagnostics as given.
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        self.paths.push(path.to_path_buf());
        self.files.add(display_path(path), text)
    }

    /// The text of a registered file.
    #[must_use]
    pub fn text(&self, file: FileId) -> &str {
        self.files.get(file).map_or("", |f| f.source().as_str())
    }

    /// The path a registered file was read from.
    #[must_use]
    pub fn path(&self, file: FileId) -> &Path {
        self.paths.get(file).map_or(Path::new(""), PathBuf::as_path)
    }

    /// 1-based line and column of a byte offset, for short messages.
    #[must_use]
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        let Ok(loc) = self.files.location(span.file, span.start) else {
            return (0, 0);
        };
        (loc.line_number, loc.column_number)
    }

    /// `path:line:column` of a span.
    #[must_use]
    pub fn locate(&self, span: Span) -> String {
        let (line, col) = self.line_col(span);
        format!("{}:{line}:{col}", self.name(span.file))
    }

    /// The display name of a file.
    #[must_use]
    pub fn name(&self, file: FileId) -> String {
        self.files
            .get(file)
            .map(|f| f.name().clone())
            .unwrap_or_default()
    }

    /// The underlying codespan file database (for the renderer).
    pub(crate) fn files(&self) -> &SimpleFiles<String, String> {
        &self.files
    }

    /// Looks up the file for rendering.
    pub(crate) fn get(&self, file: FileId) -> Option<&SimpleFile<String, String>> {
        self.files.get(file).ok()
    }
}

/// Shows paths relative to the working directory when they are below it, so
/// that diagnostics and snapshots do not depend on where the checkout lives.
fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    shown.display().to_string()
}
