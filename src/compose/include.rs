//! Top-level `include`: other compose projects pulled into this one.
//!
//! Each entry (a path, or `{path, project_directory, env_file}` where `path`
//! and `env_file` are a string or a list) is loaded as its own project: its
//! relative paths resolve against its project directory (default: the
//! directory of its first file), and it is interpolated with the including
//! project's variables plus the values of its `env_file`s (default: `.env`
//! in its project directory) for variables not already set — compose-go's
//! rule, where the including project's values win.
//!
//! Its services, networks, volumes, secrets and configs are added to the
//! including file. As in compose, a name the including file (or an earlier
//! include) already defines is an error unless both definitions are equal;
//! to change an included service, use an override file (`-f`), which is
//! merged after includes are applied.

use std::path::{Path, PathBuf};

use super::context::{Ctx, parent};
use super::environment::{Variables, read_env_file};
use super::files::load_files;
use super::yaml::{Entry, Kind, Mapping, Node};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// The resources an include contributes.
const KINDS: &[(&str, &str)] = &[
    ("services", "service"),
    ("networks", "network"),
    ("volumes", "volume"),
    ("secrets", "secret"),
    ("configs", "config"),
];

/// One parsed `include` entry.
struct Include {
    paths: Vec<(PathBuf, Span)>,
    project_directory: Option<PathBuf>,
    env_files: Vec<(PathBuf, Span)>,
    span: Span,
}

/// Loads the `include`s of `root` and adds their resources to it; removes
/// the `include` key.
pub(crate) fn apply_include(
    root: &mut Node,
    vars: &Variables,
    ctx: &mut Ctx<'_>,
    stack: &mut Vec<PathBuf>,
) {
    let Some(include) = root.as_map_mut().and_then(|m| m.shift_remove("include")) else {
        return;
    };
    for entry in parse_entries(&include.value, ctx) {
        let Some(first) = entry.paths.first() else {
            continue;
        };
        let mut ok = true;
        for (path, span) in &entry.paths {
            if stack.contains(path) {
                ctx.push(
                    Diagnostic::error(format!(
                        "include cycle: `{}` is already being loaded",
                        path.display()
                    ))
                    .at(*span)
                    .label("includes a file that includes this one")
                    .help("remove this `include` entry"),
                );
                ok = false;
            } else if !path.is_file() {
                ctx.push(
                    Diagnostic::error(format!("included file `{}` not found", path.display()))
                        .at(*span)
                        .label("no such file")
                        .help("`include` paths are relative to the including project's directory"),
                );
                ok = false;
            }
        }
        if !ok {
            continue;
        }
        let project_dir = entry
            .project_directory
            .clone()
            .unwrap_or_else(|| parent(&first.0));
        let included_vars = variables(&entry, &project_dir, vars, ctx);
        let files: Vec<PathBuf> = entry.paths.iter().map(|(p, _)| p.clone()).collect();
        let included = load_files(&files, &project_dir, &included_vars, ctx, stack);
        add_resources(root, included, &first.0, entry.span, ctx);
    }
}

/// The including variables plus the include's env files for unset names.
fn variables(
    entry: &Include,
    project_dir: &Path,
    vars: &Variables,
    ctx: &mut Ctx<'_>,
) -> Variables {
    let mut out = vars.clone();
    let files: Vec<(PathBuf, Option<Span>)> = if entry.env_files.is_empty() {
        let dotenv = project_dir.join(".env");
        if dotenv.is_file() {
            vec![(dotenv, None)]
        } else {
            Vec::new()
        }
    } else {
        entry
            .env_files
            .iter()
            .map(|(p, s)| (p.clone(), Some(*s)))
            .collect()
    };
    let mut from_files = Variables::default();
    for (path, at) in files {
        let lookup = |name: &str| vars.get(name).or_else(|| from_files.get(name));
        match read_env_file(ctx, &path, at, &lookup) {
            Ok(entries) => {
                for e in entries {
                    from_files.map.insert(e.key.clone(), e.value.clone());
                    from_files.entries.push(e);
                }
            }
            Err(d) => ctx.push(d),
        }
    }
    for (k, v) in from_files.map {
        out.map.entry(k).or_insert(v);
    }
    out
}

fn add_resources(
    root: &mut Node,
    included: Node,
    path: &Path,
    include_span: Span,
    ctx: &mut Ctx<'_>,
) {
    let Kind::Map(mut included) = included.kind else {
        return;
    };
    let Some(root) = root.as_map_mut() else {
        return;
    };
    for (kind, word) in KINDS {
        let Some(section) = included.shift_remove(*kind) else {
            continue;
        };
        let Kind::Map(items) = section.value.kind else {
            continue;
        };
        let target = root.entry((*kind).to_owned()).or_insert_with(|| Entry {
            key_span: section.key_span,
            value: Node::map(Mapping::new(), section.value.span),
        });
        if target.value.is_null() {
            target.value = Node::map(Mapping::new(), target.value.span);
        }
        let Some(target) = target.value.as_map_mut() else {
            continue;
        };
        for (name, item) in items {
            match target.get(&name) {
                Some(existing) if existing.value.to_json() != item.value.to_json() => ctx.push(
                    Diagnostic::error(format!(
                        "{word} `{name}` is defined here and by the included `{}`",
                        path.display()
                    ))
                    .at(existing.key_span)
                    .label("defined here")
                    .also(Some(item.key_span), "and defined differently by the included project")
                    .also(Some(include_span), "included here")
                    .help(format!(
                        "rename one of them, or remove this definition; to change an included {word}, write the change in an override file given with -f"
                    )),
                ),
                Some(_) => {}
                None => {
                    target.insert(name, item);
                }
            }
        }
    }
}

/// Reads the entries of an `include` value (paths already absolute).
fn parse_entries(node: &Node, ctx: &mut Ctx<'_>) -> Vec<Include> {
    let Some(items) = node.as_seq() else {
        ctx.push(
            Diagnostic::error(format!("`include` must be a list, not {}", node.shape()))
                .at(node.span)
                .help("write `include: [path/to/compose.yaml]`"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match &item.kind {
            Kind::Scalar(s) if !item.is_null() => out.push(Include {
                paths: vec![(PathBuf::from(&s.text), item.span)],
                project_directory: None,
                env_files: Vec::new(),
                span: item.span,
            }),
            Kind::Map(m) if m.contains_key("path") => out.push(Include {
                paths: m.get("path").map(|e| strings(&e.value)).unwrap_or_default(),
                project_directory: m
                    .get("project_directory")
                    .and_then(|e| e.value.as_scalar())
                    .map(|s| PathBuf::from(&s.text)),
                env_files: m
                    .get("env_file")
                    .map(|e| strings(&e.value))
                    .unwrap_or_default(),
                span: item.span,
            }),
            _ => ctx.push(
                Diagnostic::error("an `include` entry must be a path or a mapping with `path`")
                    .at(item.span)
                    .help("write `- path/to/compose.yaml` or `- path: path/to/compose.yaml`"),
            ),
        }
    }
    out
}

/// A string or a list of strings, as paths with their spans.
fn strings(node: &Node) -> Vec<(PathBuf, Span)> {
    let items: Vec<&Node> = match &node.kind {
        Kind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items
        .into_iter()
        .filter_map(|n| n.as_scalar().map(|s| (PathBuf::from(&s.text), n.span)))
        .collect()
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::source::SourceMap;

    fn load(dir: &Path, vars: &[(&str, &str)]) -> (serde_json::Value, Vec<Diagnostic>) {
        let env = IndexMap::new();
        let mut sources = SourceMap::new();
        let mut ctx = Ctx::new(&mut sources, &env);
        let mut variables = Variables::default();
        for (k, v) in vars {
            variables.map.insert((*k).to_owned(), (*v).to_owned());
        }
        let root = load_files(
            &[dir.join("compose.yaml")],
            dir,
            &variables,
            &mut ctx,
            &mut Vec::new(),
        );
        (root.to_json(), ctx.diags.items().to_vec())
    }

    #[test]
    fn include_env_files_fill_unset_variables_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(
            dir.path().join("sub/vars.env"),
            "A=from_file\nB=from_file\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sub/c.yaml"),
            "services:\n  s: {image: '${A}-${B}'}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "include:\n  - path: sub/c.yaml\n    env_file: sub/vars.env\n",
        )
        .unwrap();
        let (json, diags) = load(dir.path(), &[("A", "parent")]);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(json["services"]["s"]["image"], "parent-from_file");
    }

    #[test]
    fn include_cycles_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "include: [b.yaml, nope.yaml]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.yaml"),
            "include: [compose.yaml]\nservices: {b: {image: b}}\n",
        )
        .unwrap();
        let (json, diags) = load(dir.path(), &[]);
        assert_eq!(json["services"]["b"]["image"], "b");
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(diags.len(), 2, "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("include cycle")));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("nope.yaml") && m.contains("not found"))
        );
        assert!(diags.iter().all(|d| d.span.is_some() && d.help.is_some()));
    }
}
