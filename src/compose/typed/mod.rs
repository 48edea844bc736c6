//! Typing: the merged YAML tree → [`Project`], short syntaxes normalised.
//!
//! Shape errors (a list where a mapping belongs, a bad port, duration or
//! size) are reported with the span of the value and the syntax expected.
//! Keys that are not compose keys at all get a "did you mean". Whether a
//! compose key can run on ECS is not decided here: every key the user wrote
//! is kept in `Service::keys` for the lowering stage's conversion table.

use std::path::Path;

use indexmap::IndexMap;

use super::extensions;
use super::project::{Network, Project};
use super::yaml::Node;
use crate::diagnostic::{Diagnostic, Diagnostics};

mod definitions;
mod deploy;
mod mounts;
mod read;
mod service;
pub(crate) mod shape;
mod spec;

use definitions::{network, secret, volume};
use read::{entries, expect_map, unknown_key};

/// Every service key of the Compose specification.
pub const SERVICE_KEYS: &[&str] = &[
    "develop",
    "deploy",
    "annotations",
    "attach",
    "build",
    "blkio_config",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_shares",
    "cpu_quota",
    "cpu_period",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "label_file",
    "environment",
    "expose",
    "extends",
    "provider",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "network_mode",
    "models",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "pull_policy",
    "pull_refresh_after",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "security_opt",
    "shm_size",
    "secrets",
    "sysctls",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "uts",
    "userns_mode",
    "volumes",
    "volumes_from",
    "working_dir",
];

const TOP_KEYS: &[&str] = &[
    "version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models",
];

/// Types a merged, interpolated, path-resolved compose document.
pub(crate) fn type_project(
    root: &Node,
    name: String,
    working_dir: &Path,
    diags: &mut Diagnostics,
) -> Project {
    let mut project = Project {
        name,
        working_dir: working_dir.to_path_buf(),
        services: IndexMap::new(),
        networks: IndexMap::new(),
        volumes: IndexMap::new(),
        secrets: IndexMap::new(),
        configs: IndexMap::new(),
        extensions: super::project::Extensions::default(),
        overlay: None,
        ignored: Vec::new(),
    };
    let Some(map) = expect_map(root, "a compose file", diags) else {
        return project;
    };
    for (key, entry) in map {
        match key.as_str() {
            "name" | "include" => {}
            "version" => project.ignored.push(("version".into(), entry.key_span)),
            "services" | "networks" | "volumes" | "secrets" | "configs" => {}
            "models" => diags.push(
                Diagnostic::error("top-level `models` cannot be deployed to ECS")
                    .at(entry.key_span)
                    .help("deploy the model behind an API and pass its URL in `environment`"),
            ),
            k if k.starts_with("x-") => {}
            k => diags.push(unknown_key(k, entry.key_span, "top-level", TOP_KEYS)),
        }
    }
    project_extensions(&mut project, map);
    if let Some(e) = map.get("networks") {
        for (n, v) in entries(&e.value, "networks", diags) {
            project.networks.insert(n.clone(), network(v, diags));
        }
    }
    if let Some(e) = map.get("volumes") {
        for (n, v) in entries(&e.value, "volumes", diags) {
            project.volumes.insert(n.clone(), volume(v, diags));
        }
    }
    for (key, target) in [
        ("secrets", &mut project.secrets),
        ("configs", &mut project.configs),
    ] {
        if let Some(e) = map.get(key) {
            for (n, v) in entries(&e.value, key, diags) {
                target.insert(n.clone(), secret(v, diags));
            }
        }
    }
    if let Some(e) = map.get("services") {
        for (n, v) in entries(&e.value, "services", diags) {
            let key_span = e
                .value
                .as_map()
                .and_then(|m| m.get(n))
                .map_or(v.span, |x| x.key_span);
            let s = service::service(n, key_span, v, diags);
            project.services.insert(n.clone(), s);
        }
    }
    let uses_default = project
        .services
        .values()
        .any(|s| s.networks.contains_key("default"));
    if uses_default && !project.networks.contains_key("default") {
        project
            .networks
            .insert("default".into(), Network::default());
    }
    check_references(&project, diags);
    project
}

/// The top-level `x-*` keys; `x-aws-cloudformation` becomes the overlay.
fn project_extensions(project: &mut Project, map: &super::yaml::Mapping) {
    let found: Vec<_> = map.iter().filter(|(k, _)| k.starts_with("x-")).collect();
    let mut problems = Diagnostics::new();
    let overlay = map.get("x-aws-cloudformation");
    if let Some(e) = overlay {
        extensions::check_overlay(&e.value, &mut problems);
    }
    let mut ext = extensions::typed::<extensions::ProjectExtensions>(&found, None);
    problems.extend(std::mem::take(&mut ext.problems));
    ext.problems = problems;
    let value = ext.value.cloudformation.take();
    project.overlay = overlay.and_then(|e| extensions::overlay(value, &e.value));
    project.extensions = ext;
}

fn check_references(project: &Project, diags: &mut Diagnostics) {
    for s in project.services.values() {
        for (n, net) in &s.networks {
            if !project.networks.contains_key(n) {
                diags.push(
                    Diagnostic::error(format!(
                        "service `{}` joins undefined network `{n}`",
                        s.name
                    ))
                    .at(net.span)
                    .help("declare it under the top-level `networks:`"),
                );
            }
        }
        for r in &s.configs {
            if !project.configs.contains_key(&r.source) {
                diags.push(
                    Diagnostic::error(format!(
                        "service `{}` uses undefined config `{}`",
                        s.name, r.source
                    ))
                    .at(r.span)
                    .help("declare it under the top-level `configs:`"),
                );
            }
        }
    }
}
