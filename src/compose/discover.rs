//! Which compose files to read, the project directory and the project name.
//!
//! Follows `docker compose`: `-f` files, else `COMPOSE_FILE` (split on
//! `COMPOSE_PATH_SEPARATOR`, default `:`), else the first of
//! `compose.yaml`, `compose.yml`, `docker-compose.yml`, `docker-compose.yaml`
//! found in the working directory (or `--project-directory`) and then its
//! parents, plus the first `compose.override.yml`, `compose.override.yaml`,
//! `docker-compose.override.yml`, `docker-compose.override.yaml` beside it.
//! The order of the names is compose-go's.

use std::path::{Path, PathBuf};

use super::LoadOptions;
use super::context::{absolute, parent};
use super::environment::Variables;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::Span;

/// Names searched for, in order.
const DEFAULT_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];
/// Override names searched beside the file found, in order.
const OVERRIDE_NAMES: &[&str] = &[
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The files to load and the project directory.
#[derive(Debug, Clone)]
pub(crate) struct Discovered {
    /// Absolute paths, in merge order.
    pub(crate) files: Vec<PathBuf>,
    /// `--project-directory`, else the directory of the first file.
    pub(crate) project_dir: PathBuf,
}

/// Finds the compose files. Problems are pushed to `diags`; None when no
/// file can be loaded.
pub(crate) fn discover(options: &LoadOptions, diags: &mut Diagnostics) -> Option<Discovered> {
    let cwd = &absolute(&options.cwd, Path::new("."));
    let explicit: Vec<PathBuf> = if options.files.is_empty() {
        compose_file_env(options)
    } else {
        options.files.clone()
    };
    let files = if explicit.is_empty() {
        let start = options
            .project_directory
            .as_deref()
            .map_or_else(|| cwd.clone(), |d| absolute(cwd, d));
        search(&start, diags)?
    } else {
        let mut ok = true;
        for file in &explicit {
            if file.as_os_str() == "-" {
                diags.push(
                    Diagnostic::error(
                        "reading a compose file from standard input (`-f -`) is not supported",
                    )
                    .help("write the compose file to disk and pass its path with -f"),
                );
                ok = false;
            } else if !absolute(cwd, file).is_file() {
                diags.push(
                    Diagnostic::error(format!("compose file `{}` not found", file.display()))
                        .help(format!("check the path given with -f or COMPOSE_FILE (relative paths start at `{}`)", cwd.display())),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        explicit.iter().map(|f| absolute(cwd, f)).collect()
    };
    let project_dir = match &options.project_directory {
        Some(dir) => absolute(cwd, dir),
        None => parent(files.first()?),
    };
    Some(Discovered { files, project_dir })
}

/// `COMPOSE_FILE`, split on `COMPOSE_PATH_SEPARATOR`.
fn compose_file_env(options: &LoadOptions) -> Vec<PathBuf> {
    let Some(value) = options
        .environment
        .get("COMPOSE_FILE")
        .filter(|v| !v.is_empty())
    else {
        return Vec::new();
    };
    let separator = options
        .environment
        .get("COMPOSE_PATH_SEPARATOR")
        .filter(|s| !s.is_empty())
        .map_or(":", String::as_str);
    value
        .split(separator)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// Searches `start` and its parents for a compose file (and its override).
fn search(start: &Path, diags: &mut Diagnostics) -> Option<Vec<PathBuf>> {
    for dir in start.ancestors() {
        let Some(found) = first_of(dir, DEFAULT_NAMES, diags) else {
            continue;
        };
        let mut files = vec![found];
        files.extend(first_of(dir, OVERRIDE_NAMES, diags));
        return Some(files);
    }
    diags.push(
        Diagnostic::error(format!(
            "no compose file found in `{}` or its parent directories",
            start.display()
        ))
        .help("create `compose.yaml`, or pass the file with -f FILE (or set COMPOSE_FILE)"),
    );
    None
}

/// The first of `names` present in `dir`, warning when several are.
fn first_of(dir: &Path, names: &[&str], diags: &mut Diagnostics) -> Option<PathBuf> {
    let present: Vec<PathBuf> = names
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect();
    let first = present.first()?.clone();
    if present.len() > 1 {
        let all: Vec<String> = present.iter().map(|p| p.display().to_string()).collect();
        diags.push(
            Diagnostic::warning(format!(
                "found multiple config files with supported names: {}; using {}",
                all.join(", "),
                first.display()
            ))
            .help("remove the files you do not use, or choose one with -f"),
        );
    }
    Some(first)
}

/// Lowercases and drops characters outside `[a-z0-9_-]`, then leading `_`/`-`
/// (compose's `NormalizeProjectName`).
#[must_use]
pub fn normalize_project_name(name: &str) -> String {
    let kept: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
        .collect();
    kept.trim_start_matches(['_', '-']).to_owned()
}

/// Chooses the project name: `-p`, `COMPOSE_PROJECT_NAME`, the top-level
/// `name:` (normalised), the project directory's name (normalised). A name
/// given with `-p` or `COMPOSE_PROJECT_NAME` must already be valid, as
/// compose requires.
#[allow(
    clippy::result_large_err,
    reason = "a Diagnostic is the error type of the whole loader, as in yaml::parse"
)]
pub(crate) fn project_name(
    explicit: Option<&str>,
    vars: &Variables,
    top_level: Option<(String, Span)>,
    project_dir: &Path,
) -> Result<String, Diagnostic> {
    let invalid = |name: &str, source: &str| {
        Diagnostic::error(format!(
            "`{name}` is not a valid project name: it must contain only characters from [a-z0-9_-] and start with [a-z0-9]"
        ))
        .label("set here")
        .help(format!("change the name given by {source}, e.g. to `{}`", suggestion(name)))
    };
    if let Some(name) = explicit {
        return checked(name).ok_or_else(|| invalid(name, "-p"));
    }
    if let Some(name) = vars.get("COMPOSE_PROJECT_NAME").filter(|n| !n.is_empty()) {
        let span = vars
            .entries
            .iter()
            .rev()
            .find(|e| e.key == "COMPOSE_PROJECT_NAME" && e.value == name)
            .map(|e| e.value_span);
        return checked(&name).ok_or_else(|| invalid(&name, "COMPOSE_PROJECT_NAME").at(span));
    }
    if let Some((name, span)) = top_level.filter(|(n, _)| !n.is_empty()) {
        // Docker Compose normalises the top-level `name:` (`My_App` → `my_app`).
        let normalised = normalize_project_name(&name);
        if normalised.is_empty() {
            return Err(invalid(&name, "the top-level `name:`").at(span));
        }
        return Ok(normalised);
    }
    let base = project_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = normalize_project_name(&base);
    if name.is_empty() {
        return Err(Diagnostic::error(format!(
            "cannot derive a project name from the directory `{}`",
            project_dir.display()
        ))
        .help("give the project a name with -p NAME or a top-level `name:`"));
    }
    Ok(name)
}

fn checked(name: &str) -> Option<String> {
    (normalize_project_name(name) == name && !name.is_empty()).then(|| name.to_owned())
}

fn suggestion(name: &str) -> String {
    let s = normalize_project_name(name);
    if s.is_empty() {
        "my-project".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_follows_compose() {
        assert_eq!(normalize_project_name("My App.v2"), "myappv2");
        assert_eq!(normalize_project_name("__x-Y"), "x-y");
        assert_eq!(normalize_project_name("..."), "");
    }

    #[test]
    fn project_name_precedence_and_validation() {
        let dir = Path::new("/tmp/My Project");
        let mut vars = Variables::default();
        assert_eq!(project_name(None, &vars, None, dir).unwrap(), "myproject");
        let top = Some(("fromfile".to_owned(), Span::new(0, 0, 1)));
        assert_eq!(
            project_name(None, &vars, top.clone(), dir).unwrap(),
            "fromfile"
        );
        vars.map
            .insert("COMPOSE_PROJECT_NAME".into(), "fromenv".into());
        assert_eq!(
            project_name(None, &vars, top.clone(), dir).unwrap(),
            "fromenv"
        );
        assert_eq!(project_name(Some("cli"), &vars, top, dir).unwrap(), "cli");
        let err = project_name(Some("Bad Name"), &vars, None, dir).unwrap_err();
        assert!(err.message.contains("not a valid project name"));
        assert!(err.help.unwrap().contains("badname"));
        // Docker Compose normalises the file's `name:`; one with nothing
        // left is an error at it.
        let upper_top = Some(("My_App".to_owned(), Span::new(0, 0, 1)));
        assert_eq!(
            project_name(None, &Variables::default(), upper_top, dir).unwrap(),
            "my_app"
        );
        let bad_top = Some(("___".to_owned(), Span::new(0, 0, 1)));
        let err = project_name(None, &Variables::default(), bad_top, dir).unwrap_err();
        assert_eq!(err.span, Some(Span::new(0, 0, 1)));
        assert!(project_name(None, &Variables::default(), None, Path::new("/tmp/___")).is_err());
    }
}
