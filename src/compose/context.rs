//! State shared by the loading steps: the source map, collected diagnostics,
//! the process environment and the files already read.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::yaml::{self, Node};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};

/// The loading state.
pub(crate) struct Ctx<'a> {
    /// Every file read is registered here.
    pub(crate) sources: &'a mut SourceMap,
    /// Errors and warnings found so far.
    pub(crate) diags: Diagnostics,
    /// The process environment (`LoadOptions::environment`).
    pub(crate) process_env: &'a IndexMap<String, String>,
    /// Files already read (a file extended twice is registered once).
    read: HashMap<PathBuf, FileId>,
    /// Variables already reported as unset (one warning per variable).
    warned: HashSet<String>,
}

impl<'a> Ctx<'a> {
    /// A fresh state.
    pub(crate) fn new(
        sources: &'a mut SourceMap,
        process_env: &'a IndexMap<String, String>,
    ) -> Self {
        Self {
            sources,
            diags: Diagnostics::new(),
            process_env,
            read: HashMap::new(),
            warned: HashSet::new(),
        }
    }

    /// Records a problem.
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    /// Reads and registers a file once; `what` names it in the error
    /// ("compose file", "env file"), `at` is where it was referenced.
    #[allow(
        clippy::result_large_err,
        reason = "a Diagnostic is the error type of the whole loader, as in yaml::parse"
    )]
    pub(crate) fn read(
        &mut self,
        path: &Path,
        what: &str,
        at: Option<Span>,
    ) -> Result<FileId, Diagnostic> {
        if let Some(id) = self.read.get(path) {
            return Ok(*id);
        }
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let id = self.sources.add(path, text);
                self.read.insert(path.to_path_buf(), id);
                Ok(id)
            }
            Err(e) => {
                let reason = match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_owned(),
                    std::io::ErrorKind::InvalidData => "it is not UTF-8 text".to_owned(),
                    _ => e.to_string(),
                };
                Err(
                    Diagnostic::error(format!("cannot read {what} `{}`: {reason}", path.display()))
                        .at(at)
                        .label("referenced here")
                        .help(format!(
                            "check the path; relative paths are resolved against `{}`",
                            parent(path).display()
                        )),
                )
            }
        }
    }

    /// Reads, registers and parses a YAML file.
    #[allow(
        clippy::result_large_err,
        reason = "a Diagnostic is the error type of the whole loader, as in yaml::parse"
    )]
    pub(crate) fn parse(
        &mut self,
        path: &Path,
        what: &str,
        at: Option<Span>,
    ) -> Result<Node, Diagnostic> {
        let id = self.read(path, what, at)?;
        yaml::parse(self.sources.text(id), id)
    }

    /// True the first time a variable is reported unset.
    pub(crate) fn first_warning(&mut self, variable: &str) -> bool {
        self.warned.insert(variable.to_owned())
    }

    /// `HOME` from the given environment, for `~` in paths.
    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.process_env
            .get("HOME")
            .or_else(|| self.process_env.get("USERPROFILE"))
            .map(PathBuf::from)
    }
}

/// The `services` mapping of a document, if it has one.
pub(crate) fn services_mut(root: &mut Node) -> Option<&mut yaml::Mapping> {
    root.as_map_mut()
        .and_then(|m| m.get_mut("services"))
        .and_then(|e| e.value.as_map_mut())
}

/// The directory holding `path` (`.` for a bare name).
pub(crate) fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `path` made absolute against `base`, with `.` and `..` removed lexically.
pub(crate) fn absolute(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push(part);
                }
            }
            other => out.push(other),
        }
    }
    out
}
