//! `env_file` folded into `environment`.
//!
//! For each service, each `env_file` entry (a path, a list of paths, or
//! `{path, required}`) is read and parsed (interpolating against the values
//! of earlier env files of the service, then the project variables, as
//! compose-go does); its values go under `environment`, where values
//! written in `environment` win. The values keep spans into the env file, so
//! an error about a value points at the line that set it. `environment` is
//! normalised to a mapping, a bare `KEY` takes the project variable's value
//! (compose resolves it at load time; it stays null when unset), and the
//! `env_file` key is removed: later stages only see `environment`.

use std::path::PathBuf;

use super::context::Ctx;
use super::environment::{Variables, read_env_file};
use super::merge::to_map;
use super::yaml::{Entry, Kind, Mapping, Node, Scalar};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Folds the `env_file`s of every service of `root` into `environment`.
pub(crate) fn fold_env_files(root: &mut Node, vars: &Variables, ctx: &mut Ctx<'_>) {
    let Some(services) = super::context::services_mut(root) else {
        return;
    };
    for service in services.values_mut() {
        if let Some(service) = service.value.as_map_mut() {
            fold_service(service, vars, ctx);
        }
    }
}

fn fold_service(service: &mut Mapping, vars: &Variables, ctx: &mut Ctx<'_>) {
    let env_file = service.shift_remove("env_file");
    let environment = service.shift_remove_full("environment");
    if env_file.is_none() && environment.is_none() {
        return;
    }
    let mut folded = Mapping::new();
    let mut span = None;
    if let Some(entry) = &env_file {
        span = Some(entry.key_span);
        for (path, required, at) in env_file_entries(&entry.value, ctx) {
            if !required && !path.is_file() {
                continue;
            }
            let lookup = |name: &str| {
                folded
                    .get(name)
                    .and_then(|e: &Entry| e.value.as_scalar())
                    .map(|s| s.text.clone())
                    .or_else(|| vars.get(name))
            };
            match read_env_file(ctx, &path, Some(at), &lookup) {
                Ok(entries) => {
                    for e in entries {
                        let value = Node {
                            kind: Kind::Scalar(Scalar {
                                text: e.value,
                                quoted: true,
                            }),
                            span: e.value_span,
                            tag: None,
                        };
                        folded.insert(
                            e.key,
                            Entry {
                                key_span: e.key_span,
                                value,
                            },
                        );
                    }
                }
                Err(d) if d.span == Some(at) => ctx.push(d.help(
                    "create the file, or mark it optional with the long syntax: `env_file: [{path: FILE, required: false}]`",
                )),
                Err(d) => ctx.push(d),
            }
        }
    }
    let (index, key_span, env_span) = match (&environment, span) {
        (Some((index, _, entry)), _) => (Some(*index), entry.key_span, entry.value.span),
        (None, Some(span)) => (None, span, span),
        // Without `environment` there is an `env_file` (checked above).
        (None, None) => return,
    };
    if let Some((_, _, entry)) = environment {
        let own = to_map(entry.value, '=');
        match own.kind {
            Kind::Map(map) => {
                for (k, mut e) in map {
                    if e.value.is_null()
                        && let Some(value) = vars.get(&k)
                    {
                        e.value = Node::string(value, e.key_span);
                    }
                    folded.insert(k, e);
                }
            }
            _ if own.is_null() => {}
            _ => {
                // Not a list or mapping: leave it for typing to report.
                insert_at(
                    service,
                    index,
                    "environment".to_owned(),
                    Entry {
                        key_span,
                        value: own,
                    },
                );
                return;
            }
        }
    }
    let value = Node::map(folded, env_span);
    insert_at(
        service,
        index,
        "environment".to_owned(),
        Entry { key_span, value },
    );
}

fn insert_at(map: &mut Mapping, index: Option<usize>, key: String, entry: Entry) {
    match index {
        Some(i) => {
            map.shift_insert(i.min(map.len()), key, entry);
        }
        None => {
            map.insert(key, entry);
        }
    }
}

/// The `(path, required, span)` of each entry of an `env_file` value.
fn env_file_entries(node: &Node, ctx: &mut Ctx<'_>) -> Vec<(PathBuf, bool, Span)> {
    let items: Vec<&Node> = match &node.kind {
        Kind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    let mut out = Vec::new();
    for item in items {
        match &item.kind {
            Kind::Scalar(s) if !item.is_null() => out.push((PathBuf::from(&s.text), true, item.span)),
            Kind::Map(m) if m.get("path").and_then(|e| e.value.as_scalar()).is_some() => {
                let path = m.get("path").and_then(|e| e.value.as_scalar()).map(|s| s.text.clone()).unwrap_or_default();
                let required = m
                    .get("required")
                    .and_then(|e| e.value.as_scalar())
                    .is_none_or(|s| !matches!(s.typed(), super::yaml::Typed::Bool(false)));
                out.push((PathBuf::from(path), required, item.span));
            }
            _ => ctx.push(
                Diagnostic::error(format!("an `env_file` entry must be a path or `{{path, required}}`, not {}", item.shape()))
                    .at(item.span)
                    .help("write `env_file: FILE`, a list of files, or `- path: FILE` with `required: false`"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use indexmap::IndexMap;

    use super::*;
    use crate::compose::paths::resolve_paths;
    use crate::compose::yaml::parse;
    use crate::source::SourceMap;

    #[test]
    fn env_files_fold_under_environment() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.env"),
            "A=from_a\nB=from_a\nC=${A}-${PROJ}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("b.env"), "B=from_b\n").unwrap();
        let text = "services:\n  web:\n    env_file: [a.env, b.env, {path: gone.env, required: false}]\n    environment: [B=own, D, E]\n";
        let env = IndexMap::new();
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new("compose.yaml"), text.to_owned());
        let mut root = parse(text, file).unwrap();
        resolve_paths(&mut root, dir.path(), None);
        let mut vars = Variables::default();
        vars.map.insert("PROJ".into(), "p".into());
        vars.map.insert("D".into(), "from_vars".into());
        let mut ctx = Ctx::new(&mut sources, &env);
        fold_env_files(&mut root, &vars, &mut ctx);
        assert!(ctx.diags.is_empty(), "{:?}", ctx.diags);
        let web = &root.as_map().unwrap()["services"].value.as_map().unwrap()["web"].value;
        assert_eq!(
            web.to_json(),
            serde_json::json!({"environment": {"A": "from_a", "B": "own", "C": "from_a-p", "D": "from_vars", "E": null}})
        );
        let a = &web.as_map().unwrap()["environment"].value.as_map().unwrap()["A"];
        let at = ctx.sources.locate(a.value.span);
        assert!(at.ends_with("a.env:1:3"), "{at}");
    }

    #[test]
    fn missing_required_env_file_is_an_error_at_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let text =
            "services:\n  web:\n    env_file: nope.env\n  api:\n    env_file: [{path: x.env}]\n";
        let env = IndexMap::new();
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new("compose.yaml"), text.to_owned());
        let mut root = parse(text, file).unwrap();
        resolve_paths(&mut root, dir.path(), None);
        let mut ctx = Ctx::new(&mut sources, &env);
        fold_env_files(&mut root, &Variables::default(), &mut ctx);
        let items = ctx.diags.items();
        assert_eq!(items.len(), 2);
        assert!(items[0].message.contains("nope.env"));
        assert_eq!(
            items[0].span.map(|s| &text[s.start..s.end]),
            Some("nope.env")
        );
        assert!(items[0].help.as_ref().unwrap().contains("required: false"));
    }
}
