//! The interpolation variables: `.env` (or the `--env-file` files), under the
//! process environment.
//!
//! As compose does, `.env` in the project directory is read only when no
//! `--env-file` is given; `--env-file` files are read in order (later files
//! win) and a missing one is an error. Process variables win over file
//! values. Every entry read from a file is kept with its spans
//! ([`EnvEntry`]) so that later stages can check c2cfn's own keys (such as
//! `app_cluster` in `develop.env`) and point at the line that set them.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::context::Ctx;
use super::dotenv::{DotenvEntry, parse_dotenv};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// One `KEY=VALUE` line of an environment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    /// The variable name.
    pub key: String,
    /// The value (after the file's own interpolation).
    pub value: String,
    /// Where the key was written.
    pub key_span: Span,
    /// Where the value was written (empty span after `=` for `KEY=`).
    pub value_span: Span,
}

/// The variables of a project.
#[derive(Debug, Clone, Default)]
pub(crate) struct Variables {
    /// Name → value, file entries first (in file order), process values over them.
    pub(crate) map: IndexMap<String, String>,
    /// Every entry read from a file, in order.
    pub(crate) entries: Vec<EnvEntry>,
}

impl Variables {
    /// The value of a variable.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.map.get(name).cloned()
    }
}

/// Reads the project variables.
///
/// `env_files` are absolute; when empty, `project_dir/.env` is read if it
/// exists. `process` wins over every file.
pub(crate) fn project_variables(
    ctx: &mut Ctx<'_>,
    env_files: &[PathBuf],
    read: Option<&[EnvFileRead]>,
    project_dir: &Path,
    process: &IndexMap<String, String>,
) -> Variables {
    let mut vars = Variables::default();
    if let Some(read) = read {
        // Read once already (by `read_env_files`, for c2cfn's settings).
        for entry in read.iter().flat_map(|f| &f.entries) {
            vars.map.insert(entry.key.clone(), entry.value.clone());
            vars.entries.push(entry.clone());
        }
        for (k, v) in process {
            vars.map.insert(k.clone(), v.clone());
        }
        return vars;
    }
    let dotenv = project_dir.join(".env");
    let (files, required): (Vec<PathBuf>, bool) = if env_files.is_empty() {
        (
            vec![dotenv].into_iter().filter(|p| p.is_file()).collect(),
            false,
        )
    } else {
        (env_files.to_vec(), true)
    };
    for path in files {
        if !required && !path.is_file() {
            continue;
        }
        let lookup = |name: &str| process.get(name).or_else(|| vars.map.get(name)).cloned();
        match read_env_file(ctx, &path, None, &lookup) {
            Ok(entries) => {
                for entry in entries {
                    vars.map.insert(entry.key.clone(), entry.value.clone());
                    vars.entries.push(entry);
                }
            }
            Err(d) => ctx.push(d.help(
                "pass an existing file with --env-file, or leave it out to read `.env` in the project directory",
            )),
        }
    }
    for (k, v) in process {
        vars.map.insert(k.clone(), v.clone());
    }
    vars
}

/// One `--env-file` file, read and parsed.
#[derive(Debug, Clone)]
pub struct EnvFileRead {
    /// The path as given.
    pub path: PathBuf,
    /// Its entries in file order (a bare `KEY` resolved, or left out when unset).
    pub entries: Vec<EnvEntry>,
}

/// Reads the `--env-file` files once, by the rules of [`super::load`]: in
/// order, each interpolated against `process` and then the files before it;
/// a missing file is an error. Pass the result to `load` in
/// [`super::LoadOptions::env_files_read`] so that the files are not read
/// again. Each file is registered in `sources`.
pub fn read_env_files(
    paths: &[PathBuf],
    cwd: &Path,
    process: &IndexMap<String, String>,
    sources: &mut crate::source::SourceMap,
) -> (Vec<EnvFileRead>, crate::diagnostic::Diagnostics) {
    let mut ctx = Ctx::new(sources, process);
    let mut seen: IndexMap<String, String> = IndexMap::new();
    let mut out = Vec::new();
    for given in paths {
        let path = super::context::absolute(cwd, given);
        let lookup = |name: &str| process.get(name).or_else(|| seen.get(name)).cloned();
        match read_env_file(&mut ctx, &path, None, &lookup) {
            Ok(entries) => {
                for entry in &entries {
                    seen.insert(entry.key.clone(), entry.value.clone());
                }
                out.push(EnvFileRead {
                    path: given.clone(),
                    entries,
                });
            }
            Err(d) => ctx.push(d.help(
                "pass an existing file with --env-file, or leave it out to read `.env` in the project directory",
            )),
        }
    }
    (out, ctx.diags)
}

/// Reads, registers and parses an env file. A bare `KEY` takes its value
/// from `lookup` and is skipped when unset, as compose does. A syntax error
/// is returned as a diagnostic at its place.
#[allow(
    clippy::result_large_err,
    reason = "a Diagnostic is the error type of the whole loader, as in yaml::parse"
)]
pub(crate) fn read_env_file(
    ctx: &mut Ctx<'_>,
    path: &Path,
    at: Option<Span>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<EnvEntry>, Diagnostic> {
    let file = ctx.read(path, "env file", at)?;
    let text = ctx.sources.text(file);
    let parsed = parse_dotenv(text, lookup).map_err(|e| {
        let end = text
            .get(e.offset.min(text.len())..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |i| e.offset + i);
        Diagnostic::error(format!("invalid env file: {}", e.message))
            .at(Span::new(file, e.offset.min(text.len()), end.max(e.offset + 1).min(text.len())))
            .label(format!("line {}", e.line))
            .help("each line is `KEY=VALUE`, `KEY` alone, or a `#` comment; quote values with spaces or special characters")
    })?;
    Ok(parsed
        .into_iter()
        .filter_map(|e| {
            let value = e.value.clone().or_else(|| lookup(&e.key))?;
            Some(entry(text, file, &e, value))
        })
        .collect())
}

/// An [`EnvEntry`] with spans for a parsed line.
fn entry(text: &str, file: FileId, e: &DotenvEntry, value: String) -> EnvEntry {
    let key_start = e.key_offset.min(text.len());
    let key_span = Span::new(file, key_start, (key_start + e.key.len()).min(text.len()));
    let value_start = e.value_offset.clamp(key_span.end, text.len());
    // Offsets come from the dotenv parser; `get` keeps a bad one from panicking.
    let rest = text.get(value_start..).unwrap_or("");
    let line = rest.find('\n').map_or(rest, |i| &rest[..i]);
    let value_end = value_start + line.trim_end().len();
    EnvEntry {
        key: e.key.clone(),
        value,
        key_span,
        value_span: Span::new(file, value_start, value_end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn env(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn dotenv_is_read_when_no_env_file_is_given() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "A=1\nB=2\n").unwrap();
        let process = env(&[("B", "3")]);
        let mut sources = SourceMap::new();
        let mut ctx = Ctx::new(&mut sources, &process);
        let vars = project_variables(&mut ctx, &[], None, dir.path(), &process);
        assert!(ctx.diags.is_empty());
        assert_eq!(vars.get("A").as_deref(), Some("1"));
        assert_eq!(vars.get("B").as_deref(), Some("3"));
        assert_eq!(vars.entries.len(), 2);
    }

    #[test]
    fn env_files_replace_dotenv_and_later_files_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "A=dotenv\n").unwrap();
        let develop = dir.path().join("develop.env");
        let extra = dir.path().join("extra.env");
        std::fs::write(&develop, "app_cluster=ccg-develop\nredis_nodes=1\n").unwrap();
        std::fs::write(&extra, "redis_nodes=2\n").unwrap();
        let process = IndexMap::new();
        let mut sources = SourceMap::new();
        let mut ctx = Ctx::new(&mut sources, &process);
        let vars = project_variables(&mut ctx, &[develop, extra], None, dir.path(), &process);
        assert_eq!(vars.get("A"), None);
        assert_eq!(vars.get("redis_nodes").as_deref(), Some("2"));
        let first = &vars.entries[0];
        assert_eq!(first.key, "app_cluster");
        let text = ctx.sources.text(first.key_span.file);
        assert_eq!(
            &text[first.key_span.start..first.key_span.end],
            "app_cluster"
        );
        assert_eq!(
            &text[first.value_span.start..first.value_span.end],
            "ccg-develop"
        );
        assert_eq!(
            vars.map.keys().collect::<Vec<_>>(),
            ["app_cluster", "redis_nodes"]
        );
    }

    #[test]
    fn missing_env_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let process = IndexMap::new();
        let mut sources = SourceMap::new();
        let mut ctx = Ctx::new(&mut sources, &process);
        project_variables(
            &mut ctx,
            &[dir.path().join("nope.env")],
            None,
            dir.path(),
            &process,
        );
        assert!(ctx.diags.has_errors());
        let d = &ctx.diags.items()[0];
        assert!(d.message.contains("nope.env"), "{}", d.message);
        assert!(d.help.is_some());
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.env");
        std::fs::write(&bad, "A=1\nnot a key=2\n").unwrap();
        let process = IndexMap::new();
        let mut sources = SourceMap::new();
        let mut ctx = Ctx::new(&mut sources, &process);
        project_variables(&mut ctx, &[bad], None, dir.path(), &process);
        let d = &ctx.diags.items()[0];
        let span = d.span.expect("span");
        assert_eq!(ctx.sources.line_col(span).0, 2);
    }
}
