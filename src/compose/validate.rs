//! The project-level rules Docker Compose enforces after loading (its
//! `checkConsistency` and `depends_on` graph): they are compose rules, not
//! ECS ones, so `config` refuses what `docker compose config` refuses.
//!
//! - a file with no content (empty, or only comments) is an error;
//! - every service a service depends on, explicitly (`depends_on`) or
//!   implicitly (`network_mode`/`ipc`/`pid: service:x`, `volumes_from`,
//!   `links`), is a service of the project (`depends_on` with
//!   `required: false` excepted), and `depends_on` has no cycle;
//! - every named volume and secret a service uses is declared;
//! - every service has an `image` or a `build`;
//! - byte sizes (`mem_limit`, `shm_size`, …) parse;
//! - a setting written both on the service and under `deploy` (`mem_limit`
//!   and `deploy.resources.limits.memory`, …) has one value;
//! - a key the Compose schema types as a string (`user`, `hostname`, the
//!   items of `command`…) is not written as a number or a boolean (a value
//!   that interpolation produced is a string, as in compose).
//!
//! Diagnostics that `lower` also emits for a partially loaded project are
//! worded identically, so a report shows each problem once.

use std::collections::BTreeMap;

use super::project::Project;
use super::syntax;
use super::yaml::{Node, Typed};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};

/// Service keys the Compose schema types as a string.
pub(super) const STRING_KEYS: &[&str] = &[
    "cgroup_parent",
    "container_name",
    "domainname",
    "hostname",
    "image",
    "ipc",
    "isolation",
    "mac_address",
    "network_mode",
    "pid",
    "platform",
    "pull_policy",
    "restart",
    "runtime",
    "stop_signal",
    "user",
    "userns_mode",
    "uts",
    "working_dir",
];

/// Service keys whose list items the Compose schema types as strings.
pub(super) const STRING_LIST_KEYS: &[&str] = &[
    "command",
    "entrypoint",
    "cap_add",
    "cap_drop",
    "security_opt",
];

/// A number or boolean written where compose wants a string (not one that
/// came from interpolation, which compose types as a string).
fn not_a_string(node: &Node, sources: &SourceMap) -> Option<&'static str> {
    let s = node.as_scalar()?;
    if s.quoted || node.is_null() {
        return None;
    }
    let written = sources
        .text(node.span.file)
        .get(node.span.start..node.span.end)
        .unwrap_or_default();
    if written.contains('$') {
        return None;
    }
    match s.typed() {
        Typed::Int(_) | Typed::Float(_) => Some("a number"),
        Typed::Bool(_) => Some("a boolean"),
        Typed::Null | Typed::Str(_) => None,
    }
}

/// An empty document (no content at all) is refused, as compose does.
pub(crate) fn empty_file(node: &Node, path: &std::path::Path) -> Option<Diagnostic> {
    let empty = node.is_null() || node.as_map().is_some_and(indexmap::IndexMap::is_empty);
    empty.then(|| {
        Diagnostic::error(format!("empty compose file `{}`", path.display()))
            .at(node.span)
            .help("a compose file needs at least `services:` (or `include:`); remove it from the list of files if it is not meant to be used")
    })
}

/// Checks the typed project; `document` is the merged tree (for keys the
/// typed project does not model).
pub(crate) fn check(
    project: &Project,
    document: &Node,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) {
    let known = || {
        let names: Vec<&str> = project.services.keys().map(String::as_str).collect();
        format!("known services: {}", names.join(", "))
    };
    let services = document
        .as_map()
        .and_then(|m| m.get("services"))
        .and_then(|e| e.value.as_map());
    for svc in project.services.values() {
        for (dep, d) in &svc.depends_on {
            if !project.services.contains_key(dep) && d.required {
                diags.push(
                    Diagnostic::error(format!(
                        "service `{}` depends on unknown service `{dep}`",
                        svc.name
                    ))
                    .at(d.span)
                    .help(known()),
                );
            }
        }
        if svc.image.is_none() && svc.build.is_none() {
            diags.push(
                Diagnostic::error(format!("service `{}` has neither `image` nor `build`", svc.name))
                    .at(svc.span)
                    .help("ECS runs images: add `image: repository:tag`, or `build: ./dir` to have `c2cfn up` build and push it to ECR"),
            );
        }
        for v in &svc.volumes {
            if v.kind == "volume"
                && let Some(source) = &v.source
                && !project.volumes.contains_key(source)
            {
                diags.push(
                    Diagnostic::error(format!(
                        "service `{}` mounts undefined volume `{source}`",
                        svc.name
                    ))
                    .at(v.span)
                    .help("declare it under the top-level `volumes:`"),
                );
            }
        }
        for s in &svc.secrets {
            if !project.secrets.contains_key(&s.source) {
                diags.push(
                    Diagnostic::error(format!(
                        "service `{}` uses undefined secret `{}`",
                        svc.name, s.source
                    ))
                    .at(s.span)
                    .help("declare it under the top-level `secrets:`"),
                );
            }
        }
        let Some(node) = services
            .and_then(|m| m.get(&svc.name))
            .and_then(|e| e.value.as_map())
        else {
            continue;
        };
        for (key, target, span) in implicit_targets(node) {
            if !project.services.contains_key(&target) {
                diags.push(
                    Diagnostic::error(format!(
                        "service `{}` depends on undefined service `{target}` through `{key}`",
                        svc.name
                    ))
                    .at(span)
                    .help(known()),
                );
            }
        }
        for key in STRING_KEYS {
            if let Some(e) = node.get(*key)
                && let Some(shape) = not_a_string(&e.value, sources)
            {
                let text = e
                    .value
                    .as_scalar()
                    .map(|s| s.text.clone())
                    .unwrap_or_default();
                diags.push(
                    Diagnostic::error(format!("`{key}` must be a string, not {shape}"))
                        .at(e.value.span)
                        .help(format!("quote it: `{key}: \"{text}\"`")),
                );
            }
        }
        for key in STRING_LIST_KEYS {
            for item in node
                .get(*key)
                .and_then(|e| e.value.as_seq())
                .unwrap_or_default()
            {
                if let Some(shape) = not_a_string(item, sources) {
                    let text = item.as_scalar().map(|s| s.text.clone()).unwrap_or_default();
                    diags.push(
                        Diagnostic::error(format!(
                            "the items of `{key}` must be strings, not {shape}"
                        ))
                        .at(item.span)
                        .help(format!("quote it: `\"{text}\"`")),
                    );
                }
            }
        }
        conflicts(node, diags);
        for key in ["mem_limit", "mem_reservation", "memswap_limit", "shm_size"] {
            if let Some(e) = node.get(key)
                && let Some(s) = e.value.as_scalar()
                && !e.value.is_null()
                && s.text.trim() != "-1"
                && let Err(message) = syntax::bytes(&s.text)
            {
                diags.push(
                    Diagnostic::error(format!("`{key}`: {message}"))
                        .at(e.value.span)
                        .help(crate::compose::syntax::SIZE_HELP),
                );
            }
        }
    }
    cycles(project, diags);
}

/// A service key and the `deploy` key that sets the same thing: compose
/// refuses two different values.
const SAME_SETTING: &[(&str, &[&str], bool)] = &[
    ("cpus", &["resources", "limits", "cpus"], false),
    ("mem_limit", &["resources", "limits", "memory"], true),
    (
        "mem_reservation",
        &["resources", "reservations", "memory"],
        true,
    ),
    ("pids_limit", &["resources", "limits", "pids"], false),
    ("scale", &["replicas"], false),
];

fn conflicts(service: &super::yaml::Mapping, diags: &mut Diagnostics) {
    let Some(deploy) = service.get("deploy") else {
        return;
    };
    let canonical = |text: &str, size: bool| -> String {
        if size {
            syntax::bytes(text).map_or_else(|_| text.to_owned(), |n| n.to_string())
        } else {
            text.trim()
                .parse::<f64>()
                .map_or_else(|_| text.to_owned(), |n| n.to_string())
        }
    };
    for (key, path, size) in SAME_SETTING {
        let Some(top) = service
            .get(*key)
            .and_then(|e| e.value.as_scalar().map(|s| (s, e)))
        else {
            continue;
        };
        let found = path.iter().try_fold(&deploy.value, |node, step| {
            node.as_map().and_then(|m| m.get(*step)).map(|e| &e.value)
        });
        let Some((node, inner)) = found.and_then(|n| n.as_scalar().map(|s| (n, s))) else {
            continue;
        };
        if canonical(&top.0.text, *size) != canonical(&inner.text, *size) {
            diags.push(
                Diagnostic::error(format!(
                    "`{key}: {}` and `deploy.{}: {}` set the same thing to different values",
                    top.0.text,
                    path.join("."),
                    inner.text
                ))
                .at(top.1.value.span)
                .also(Some(node.span), "also set here")
                .help("keep one of them (Docker Compose refuses two different values)"),
            );
        }
    }
}

/// The services `node` depends on implicitly: `(key, service, span)`.
fn implicit_targets(node: &super::yaml::Mapping) -> Vec<(&'static str, String, Span)> {
    let mut out = Vec::new();
    for key in ["network_mode", "ipc", "pid"] {
        if let Some(e) = node.get(key)
            && let Some(s) = e.value.as_scalar()
            && let Some(target) = s.text.strip_prefix("service:")
        {
            out.push((key, target.to_owned(), e.value.span));
        }
    }
    for key in ["volumes_from", "links"] {
        if let Some(items) = node.get(key).and_then(|e| e.value.as_seq()) {
            for item in items {
                let Some(s) = item.as_scalar() else { continue };
                if key == "volumes_from" && s.text.starts_with("container:") {
                    continue;
                }
                let target = s.text.split(':').next().unwrap_or_default();
                out.push((key, target.to_owned(), item.span));
            }
        }
    }
    out
}

/// `depends_on` cycles (depth-first); compose refuses them, and they would
/// deadlock CloudFormation.
fn cycles(project: &Project, diags: &mut Diagnostics) {
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for name in project.services.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = visit(project, name, &mut state, &mut path) {
            let svc = &project.services[name.as_str()];
            diags.push(
                Diagnostic::error(format!(
                    "services depend on each other in a cycle: {}",
                    cycle.join(" → ")
                ))
                .at(svc.keys.get("depends_on").copied())
                .help("CloudFormation creates services in dependency order: break the cycle"),
            );
            break;
        }
    }
}

fn visit<'a>(
    project: &'a Project,
    name: &'a str,
    state: &mut BTreeMap<&'a str, u8>,
    path: &mut Vec<&'a str>,
) -> Option<Vec<String>> {
    match state.get(name) {
        Some(2) => return None,
        Some(1) => {
            let start = path.iter().position(|p| *p == name).unwrap_or(0);
            let mut cycle: Vec<String> = path[start..].iter().map(|s| (*s).to_owned()).collect();
            cycle.push(name.to_owned());
            return Some(cycle);
        }
        _ => {}
    }
    state.insert(name, 1);
    path.push(name);
    if let Some(svc) = project.services.get(name) {
        for dep in svc.depends_on.keys() {
            if project.services.contains_key(dep)
                && let Some(c) = visit(project, dep, state, path)
            {
                return Some(c);
            }
        }
    }
    path.pop();
    state.insert(name, 2);
    None
}
