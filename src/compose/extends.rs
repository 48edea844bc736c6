//! `extends`: a service built on another, in the same file or another one.
//!
//! What is inherited: everything. The compose-spec no longer lists keys that
//! `extends` drops (older versions excluded `links`, `volumes_from` and
//! `depends_on`); today it copies the whole base service, and compose-go v2
//! does the same, but it does not import the resources the base refers to:
//! a `depends_on: [db]` inherited from another file requires a `db` service
//! in the extending project. The local keys are merged over the base with
//! the same rules as several `-f` files ([`super::merge`]), so `!reset` and
//! `!override` work here too.
//!
//! Extends run per file, after interpolation and path resolution (a base
//! read from another file has its relative paths resolved against that
//! file's directory), recursively; a cycle is an error that shows the chain.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::context::{Ctx, parent};
use super::merge::merge_services;
use super::paths::resolve_paths;
use super::substitute::substitute;
use super::yaml::{Kind, Node};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// One `extends` reference.
struct Reference {
    service: String,
    service_span: Span,
    file: Option<PathBuf>,
}

/// Resolves every `extends` of the services in `root` (a document read from
/// `file`); `lookup` interpolates other files read on the way.
pub(crate) fn apply_extends(
    root: &mut Node,
    file: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
    ctx: &mut Ctx<'_>,
) {
    let Some(services) = services(root) else {
        return;
    };
    let names: Vec<String> = services
        .iter()
        .filter(|(_, e)| e.value.as_map().is_some_and(|m| m.contains_key("extends")))
        .map(|(n, _)| n.clone())
        .collect();
    if names.is_empty() {
        return;
    }
    let mut resolver = Resolver {
        lookup,
        docs: HashMap::new(),
        cycles: Vec::new(),
    };
    resolver.docs.insert(file.to_path_buf(), Some(root.clone()));
    let mut results = Vec::new();
    for name in names {
        let mut chain = Vec::new();
        if let Some(node) = resolver.resolve(file, &name, None, &mut chain, ctx) {
            results.push((name, node));
        }
    }
    let Some(map) = super::context::services_mut(root) else {
        return;
    };
    for (name, node) in results {
        if let Some(entry) = map.get_mut(&name) {
            entry.value = node;
        }
    }
}

fn services(root: &Node) -> Option<&super::yaml::Mapping> {
    root.as_map()?.get("services")?.value.as_map()
}

struct Resolver<'l> {
    lookup: &'l dyn Fn(&str) -> Option<String>,
    /// Documents read so far (None: could not be read).
    docs: HashMap<PathBuf, Option<Node>>,
    /// Cycles already reported (their members, sorted).
    cycles: Vec<Vec<String>>,
}

impl Resolver<'_> {
    /// The service `name` of `file` with its own extends applied; None after
    /// an error (already reported).
    fn resolve(
        &mut self,
        file: &Path,
        name: &str,
        at: Option<Span>,
        chain: &mut Vec<(PathBuf, String, Option<Span>)>,
        ctx: &mut Ctx<'_>,
    ) -> Option<Node> {
        if let Some(start) = chain.iter().position(|(f, n, _)| f == file && n == name) {
            let mut members: Vec<String> =
                chain[start..].iter().map(|(_, n, _)| n.clone()).collect();
            members.sort();
            if self.cycles.contains(&members) {
                return None;
            }
            self.cycles.push(members);
            let shown: Vec<String> = chain[start..]
                .iter()
                .map(|(_, n, _)| format!("`{n}`"))
                .chain(std::iter::once(format!("`{name}`")))
                .collect();
            let mut d =
                Diagnostic::error(format!("circular `extends`: {}", shown.join(" extends ")))
                    .at(at)
                    .label("extends a service that extends this one")
                    .help("remove one of the `extends` in the cycle");
            for (_, n, span) in &chain[start + 1..] {
                d = d.also(*span, format!("`{n}` is extended here"));
            }
            ctx.push(d);
            return None;
        }
        let doc = self.doc(file, at, ctx)?;
        let Some(service) = services(&doc)
            .and_then(|s| s.get(name))
            .map(|e| e.value.clone())
        else {
            let known: Vec<String> = services(&doc)
                .map(|s| s.keys().map(|k| format!("`{k}`")).collect())
                .unwrap_or_default();
            ctx.push(
                Diagnostic::error(format!(
                    "extended service `{name}` is not defined in `{}`",
                    file.display()
                ))
                .at(at)
                .label("no such service")
                .help(if known.is_empty() {
                    "the file defines no services".to_owned()
                } else {
                    format!("the services there are {}", known.join(", "))
                }),
            );
            return None;
        };
        let Some(reference) = service.as_map().and_then(|m| m.get("extends")) else {
            return Some(service);
        };
        let reference = parse_reference(&reference.value, ctx)?;
        let base_file = reference.file.clone().unwrap_or_else(|| file.to_path_buf());
        chain.push((file.to_path_buf(), name.to_owned(), at));
        let base = self.resolve(
            &base_file,
            &reference.service,
            Some(reference.service_span),
            chain,
            ctx,
        );
        chain.pop();
        let mut local = service;
        if let Some(m) = local.as_map_mut() {
            m.shift_remove("extends");
        }
        Some(merge_services(base?, local))
    }

    /// A document, read, interpolated and path-resolved once.
    fn doc(&mut self, file: &Path, at: Option<Span>, ctx: &mut Ctx<'_>) -> Option<Node> {
        if let Some(doc) = self.docs.get(file) {
            return doc.clone();
        }
        let doc = match ctx.parse(file, "compose file", at) {
            Ok(mut doc) => {
                substitute(&mut doc, self.lookup, ctx);
                let home = ctx.home();
                resolve_paths(&mut doc, &parent(file), home.as_deref());
                Some(doc)
            }
            Err(d) => {
                ctx.push(d.help("`extends.file` is relative to the file that declares it"));
                None
            }
        };
        self.docs.insert(file.to_path_buf(), doc.clone());
        doc
    }
}

/// Reads `extends: name` or `extends: {service, file}`.
fn parse_reference(node: &Node, ctx: &mut Ctx<'_>) -> Option<Reference> {
    match &node.kind {
        Kind::Scalar(s) if !node.is_null() => Some(Reference {
            service: s.text.clone(),
            service_span: node.span,
            file: None,
        }),
        Kind::Map(m) => {
            let Some(service) = m
                .get("service")
                .and_then(|e| e.value.as_scalar().map(|s| (s, e.value.span)))
            else {
                ctx.push(
                    Diagnostic::error("`extends` needs a `service`")
                        .at(node.span)
                        .label("no `service` here")
                        .help("write `extends: {service: NAME}` or `extends: {file: FILE, service: NAME}`"),
                );
                return None;
            };
            Some(Reference {
                service: service.0.text.clone(),
                service_span: service.1,
                file: m
                    .get("file")
                    .and_then(|e| e.value.as_scalar())
                    .map(|s| PathBuf::from(&s.text)),
            })
        }
        _ => {
            ctx.push(
                Diagnostic::error(format!(
                    "`extends` must be a service name or a mapping, not {}",
                    node.shape()
                ))
                .at(node.span)
                .help("write `extends: NAME` or `extends: {file: FILE, service: NAME}`"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::source::SourceMap;

    fn load(dir: &Path, main: &str) -> (serde_json::Value, Vec<Diagnostic>) {
        let env = IndexMap::new();
        let mut sources = SourceMap::new();
        let mut ctx = Ctx::new(&mut sources, &env);
        let path = dir.join(main);
        let mut doc = ctx.parse(&path, "compose file", None).unwrap();
        resolve_paths(&mut doc, dir, None);
        apply_extends(&mut doc, &path, &|_| None, &mut ctx);
        (doc.to_json(), ctx.diags.items().to_vec())
    }

    #[test]
    fn same_file_other_file_and_recursive() {
        let dir = tempfile::tempdir().unwrap();
        let common = dir.path().join("common");
        std::fs::create_dir(&common).unwrap();
        std::fs::write(
            common.join("base.yaml"),
            "services:\n  root: {image: base, environment: {A: '1'}, build: ./ctx}\n  mid: {extends: root, ports: ['80:80']}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  web:\n    extends: {file: common/base.yaml, service: mid}\n    environment: {B: '2'}\n  worker: {extends: web, command: run}\n",
        )
        .unwrap();
        let (json, diags) = load(dir.path(), "compose.yaml");
        assert!(diags.is_empty(), "{diags:?}");
        let web = &json["services"]["web"];
        assert_eq!(web["image"], "base");
        assert_eq!(web["ports"], serde_json::json!(["80:80"]));
        assert_eq!(web["environment"], serde_json::json!({"A": "1", "B": "2"}));
        assert_eq!(web["build"], common.join("ctx").display().to_string());
        assert!(web.get("extends").is_none());
        assert_eq!(json["services"]["worker"]["command"], "run");
        assert_eq!(json["services"]["worker"]["image"], "base");
    }

    #[test]
    fn cycles_and_missing_services_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  a: {extends: b}\n  b: {extends: a}\n  c: {extends: nope}\n  d: {extends: {file: missing.yaml, service: x}}\n",
        )
        .unwrap();
        let (_, diags) = load(dir.path(), "compose.yaml");
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("circular `extends`: `a` extends `b` extends `a`")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("`nope` is not defined")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("missing.yaml")),
            "{messages:?}"
        );
        assert!(diags.iter().all(|d| d.span.is_some() && d.help.is_some()));
    }
}
