//! Typing: the merged YAML tree → [`Project`], short syntaxes normalised.
//!
//! Shape errors (a list where a mapping belongs, a bad port, duration or
//! size) are reported with the span of the value and the syntax expected.
//! Keys that are not compose keys at all get a "did you mean". Whether a
//! compose key can run on ECS is not decided here: every key the user wrote
//! is kept in `Service::keys` for the lowering stage's conversion table.

use std::path::Path;

use indexmap::IndexMap;

use super::project::{
    Build, Dependency, Deploy, Healthcheck, Logging, Network, Port, Project, Resources, Secret,
    SecretRef, Service, ServiceNetwork, Spanned, Ulimit, UpdateConfig, Volume, VolumeMount,
};
use super::syntax;
use super::yaml::{Kind, Node, Typed};
use crate::diagnostic::{Diagnostic, Diagnostics};

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
        extensions: IndexMap::new(),
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
            k if k.starts_with("x-") => {
                project.extensions.insert(k.to_owned(), entry.value.clone());
            }
            k => diags.push(unknown_key(k, entry.key_span, "top-level", TOP_KEYS)),
        }
    }
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
            let s = service(n, key_span, v, diags);
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

fn entries<'a>(node: &'a Node, what: &str, diags: &mut Diagnostics) -> Vec<(&'a String, &'a Node)> {
    if node.is_null() {
        return Vec::new();
    }
    if let Kind::Map(m) = &node.kind {
        m.iter().map(|(k, e)| (k, &e.value)).collect()
    } else {
        diags.push(shape(
            node,
            &format!("`{what}` must be a mapping of names to definitions"),
        ));
        Vec::new()
    }
}

fn shape(node: &Node, message: &str) -> Diagnostic {
    Diagnostic::error(message.to_owned())
        .at(node.span)
        .label(format!("found {}", node.shape()))
        .help("see the Compose specification for this key's syntax")
}

fn expect_map<'a>(
    node: &'a Node,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<&'a super::yaml::Mapping> {
    match &node.kind {
        Kind::Map(m) => Some(m),
        _ if node.is_null() => None,
        _ => {
            diags.push(shape(node, &format!("{what} must be a mapping")));
            None
        }
    }
}

/// `build` keys of the Compose specification.
const BUILD_KEYS: &[&str] = &[
    "context",
    "dockerfile",
    "dockerfile_inline",
    "entitlements",
    "args",
    "ssh",
    "labels",
    "cache_from",
    "cache_to",
    "no_cache",
    "additional_contexts",
    "network",
    "provenance",
    "sbom",
    "pull",
    "target",
    "shm_size",
    "extra_hosts",
    "isolation",
    "privileged",
    "secrets",
    "tags",
    "ulimits",
    "platforms",
];

/// Long-syntax service volume keys.
const VOLUME_KEYS: &[&str] = &[
    "type",
    "source",
    "target",
    "read_only",
    "consistency",
    "bind",
    "volume",
    "tmpfs",
    "image",
];

/// Reports keys of `m` that the Compose specification does not define at
/// `place` (`x-*` keys are the user's own); returns `m` for chaining.
fn check_keys<'a>(
    m: &'a super::yaml::Mapping,
    allowed: &[&str],
    place: &str,
    diags: &mut Diagnostics,
) -> &'a super::yaml::Mapping {
    for (k, e) in m {
        if !k.starts_with("x-") && !allowed.contains(&k.as_str()) {
            diags.push(unknown_key(k, e.key_span, place, allowed));
        }
    }
    m
}

/// The closest valid key, for "did you mean".
fn unknown_key(key: &str, span: crate::source::Span, place: &str, valid: &[&str]) -> Diagnostic {
    let close = valid
        .iter()
        .map(|v| (crate::diagnostic::edit_distance(key, v), *v))
        .filter(|(d, _)| *d <= 2)
        .min();
    let help = match close {
        Some((_, v)) => format!("did you mean `{v}`?"),
        None => format!("valid keys: {}", valid.join(", ")),
    };
    Diagnostic::error(format!("unknown {place} key `{key}`"))
        .at(span)
        .label("not a compose key")
        .help(help)
}

/// A scalar as compose stringifies it (`true`, `1`, `1.5`); None for null.
fn text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Scalar(s) => match s.typed() {
            Typed::Null => None,
            _ => Some(s.text.clone()),
        },
        _ => None,
    }
}

fn string(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<Spanned<String>> {
    if let Kind::Scalar(_) = &node.kind {
        text(node).map(|t| Spanned::new(t, node.span))
    } else {
        diags.push(shape(node, &format!("`{what}` must be a string")));
        None
    }
}

fn boolean(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<Spanned<bool>> {
    match node.as_scalar().map(super::yaml::Scalar::typed) {
        Some(Typed::Bool(b)) => Some(Spanned::new(b, node.span)),
        Some(Typed::Str("yes" | "on")) => Some(Spanned::new(true, node.span)),
        Some(Typed::Str("no" | "off")) => Some(Spanned::new(false, node.span)),
        _ => {
            diags.push(shape(node, &format!("`{what}` must be true or false")));
            None
        }
    }
}

fn number(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<u64> {
    match node.as_scalar().map(super::yaml::Scalar::typed) {
        Some(Typed::Int(i)) if i >= 0 => u64::try_from(i).ok(),
        Some(Typed::Str(s)) if s.parse::<u64>().is_ok() => s.parse().ok(),
        _ => {
            diags.push(shape(node, &format!("`{what}` must be a whole number ≥ 0")));
            None
        }
    }
}

fn strings(node: &Node, what: &str, diags: &mut Diagnostics) -> Vec<Spanned<String>> {
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .filter_map(|i| string(i, what, diags))
            .collect(),
        Kind::Scalar(_) => text(node)
            .map(|t| vec![Spanned::new(t, node.span)])
            .unwrap_or_default(),
        Kind::Map(_) => {
            diags.push(shape(node, &format!("`{what}` must be a list of strings")));
            Vec::new()
        }
    }
}

/// `KEY=VALUE` lists or mappings.
fn key_values(
    node: &Node,
    what: &str,
    diags: &mut Diagnostics,
) -> IndexMap<String, Spanned<Option<String>>> {
    let mut out = IndexMap::new();
    match &node.kind {
        Kind::Map(m) => {
            for (k, e) in m {
                out.insert(k.clone(), Spanned::new(text(&e.value), e.key_span));
            }
        }
        Kind::Seq(items) => {
            for i in items {
                let Some(t) = text(i) else { continue };
                match t.split_once('=') {
                    Some((k, v)) => {
                        out.insert(k.to_owned(), Spanned::new(Some(v.to_owned()), i.span))
                    }
                    None => out.insert(t.clone(), Spanned::new(None, i.span)),
                };
            }
        }
        Kind::Scalar(_) if node.is_null() => {}
        Kind::Scalar(_) => diags.push(shape(
            node,
            &format!("`{what}` must be a mapping or a list of KEY=VALUE"),
        )),
    }
    out
}

fn command(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<Spanned<Vec<String>>> {
    match &node.kind {
        Kind::Scalar(_) if node.is_null() => None,
        Kind::Scalar(s) => match syntax::shell_words(&s.text) {
            Ok(words) => Some(Spanned::new(words, node.span)),
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("`{what}`: {e}"))
                        .at(node.span)
                        .help("close the quote, or write the command as a list"),
                );
                None
            }
        },
        Kind::Seq(_) => Some(Spanned::new(
            strings(node, what, diags)
                .into_iter()
                .map(|s| s.value)
                .collect(),
            node.span,
        )),
        Kind::Map(_) => {
            diags.push(shape(node, &format!("`{what}` must be a string or a list")));
            None
        }
    }
}

fn duration(node: &Node, what: &str, diags: &mut Diagnostics) -> Option<u64> {
    let t = text(node)?;
    match syntax::duration(&t) {
        Ok(s) => Some(s),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("`{what}`: {e}"))
                    .at(node.span)
                    .help("durations look like `30s`, `1m30s`, `500ms` or `1h`"),
            );
            None
        }
    }
}

fn service(name: &str, span: crate::source::Span, node: &Node, diags: &mut Diagnostics) -> Service {
    let mut s = Service {
        name: name.to_owned(),
        span,
        image: None,
        build: None,
        command: None,
        entrypoint: None,
        environment: IndexMap::new(),
        ports: Vec::new(),
        expose: Vec::new(),
        volumes: Vec::new(),
        secrets: Vec::new(),
        configs: Vec::new(),
        healthcheck: None,
        deploy: None,
        depends_on: IndexMap::new(),
        networks: IndexMap::new(),
        working_dir: None,
        user: None,
        init: None,
        read_only: None,
        privileged: None,
        tty: None,
        stdin_open: None,
        ulimits: IndexMap::new(),
        labels: IndexMap::new(),
        cap_add: Vec::new(),
        cap_drop: Vec::new(),
        tmpfs: Vec::new(),
        sysctls: IndexMap::new(),
        stop_grace_period: None,
        logging: None,
        platform: None,
        profiles: Vec::new(),
        extensions: IndexMap::new(),
        keys: IndexMap::new(),
    };
    let Some(map) = expect_map(node, &format!("service `{name}`"), diags) else {
        return s;
    };
    for (key, e) in map {
        let v = &e.value;
        if key.starts_with("x-") {
            s.extensions.insert(key.clone(), v.clone());
            s.keys.insert(key.clone(), (e.key_span, v.clone()));
            continue;
        }
        if !SERVICE_KEYS.contains(&key.as_str()) {
            diags.push(unknown_key(
                key,
                e.key_span,
                &format!("service `{name}`"),
                SERVICE_KEYS,
            ));
            continue;
        }
        s.keys.insert(key.clone(), (e.key_span, v.clone()));
        match key.as_str() {
            "image" => s.image = string(v, "image", diags),
            "build" => s.build = build(v, diags),
            "command" => s.command = command(v, "command", diags),
            "entrypoint" => s.entrypoint = command(v, "entrypoint", diags),
            "environment" => s.environment = key_values(v, "environment", diags),
            "labels" => {
                s.labels = key_values(v, "labels", diags)
                    .into_iter()
                    .map(|(k, x)| (k, Spanned::new(x.value.unwrap_or_default(), x.span)))
                    .collect();
            }
            "sysctls" => {
                s.sysctls = key_values(v, "sysctls", diags)
                    .into_iter()
                    .map(|(k, x)| (k, Spanned::new(x.value.unwrap_or_default(), x.span)))
                    .collect();
            }
            "ports" => s.ports = ports(v, diags),
            "expose" => s.expose = strings(v, "expose", diags),
            "volumes" => s.volumes = volumes(v, diags),
            "secrets" => s.secrets = refs(v, "secrets", diags),
            "configs" => s.configs = refs(v, "configs", diags),
            "healthcheck" => s.healthcheck = healthcheck(v, diags),
            "deploy" => s.deploy = deploy(v, diags),
            "depends_on" => s.depends_on = depends_on(v, diags),
            "networks" => s.networks = networks(v, diags),
            "working_dir" => s.working_dir = string(v, "working_dir", diags),
            "user" => s.user = string(v, "user", diags),
            "platform" => s.platform = string(v, "platform", diags),
            "init" => s.init = boolean(v, "init", diags),
            "read_only" => s.read_only = boolean(v, "read_only", diags),
            "privileged" => s.privileged = boolean(v, "privileged", diags),
            "tty" => s.tty = boolean(v, "tty", diags),
            "stdin_open" => s.stdin_open = boolean(v, "stdin_open", diags),
            "cap_add" => s.cap_add = strings(v, "cap_add", diags),
            "cap_drop" => s.cap_drop = strings(v, "cap_drop", diags),
            "tmpfs" => s.tmpfs = strings(v, "tmpfs", diags),
            "profiles" => {
                s.profiles = strings(v, "profiles", diags)
                    .into_iter()
                    .map(|x| x.value)
                    .collect();
            }
            "stop_grace_period" => {
                s.stop_grace_period =
                    duration(v, "stop_grace_period", diags).map(|d| Spanned::new(d, v.span));
            }
            "ulimits" => s.ulimits = ulimits(v, diags),
            "logging" => s.logging = logging(v, diags),
            _ => {}
        }
    }
    if let (Some((span, _)), true) = (s.keys.get("network_mode"), map.contains_key("networks")) {
        diags.push(
            Diagnostic::error(format!(
                "service `{name}` sets both `network_mode` and `networks`"
            ))
            .at(*span)
            .help("a service joins networks or uses a network mode, not both: remove one"),
        );
    }
    if !map.contains_key("networks") && !map.contains_key("network_mode") {
        s.networks
            .insert("default".into(), ServiceNetwork::default());
    }
    s
}

fn build(node: &Node, diags: &mut Diagnostics) -> Option<Build> {
    match &node.kind {
        Kind::Scalar(_) => text(node).map(|c| Build {
            context: Spanned::new(c, node.span),
            dockerfile: None,
            args: IndexMap::new(),
            target: None,
            span: node.span,
        }),
        Kind::Map(m) => Some(Build {
            context: check_keys(m, BUILD_KEYS, "build", diags)
                .get("context")
                .and_then(|e| string(&e.value, "build.context", diags))
                .unwrap_or_else(|| Spanned::new(".".into(), node.span)),
            dockerfile: m.get("dockerfile").and_then(|e| text(&e.value)),
            args: m
                .get("args")
                .map(|e| {
                    key_values(&e.value, "build.args", diags)
                        .into_iter()
                        .map(|(k, v)| (k, v.value))
                        .collect()
                })
                .unwrap_or_default(),
            target: m.get("target").and_then(|e| text(&e.value)),
            span: node.span,
        }),
        Kind::Seq(_) => {
            diags.push(shape(node, "`build` must be a path or a mapping"));
            None
        }
    }
}

fn ports(node: &Node, diags: &mut Diagnostics) -> Vec<Port> {
    let mut out = Vec::new();
    let Some(items) = node.as_seq() else {
        if !node.is_null() {
            diags.push(shape(node, "`ports` must be a list"));
        }
        return out;
    };
    for item in items {
        match &item.kind {
            Kind::Scalar(_) => {
                let t = text(item).unwrap_or_default();
                match syntax::ports(&t) {
                    Ok(list) => out.extend(list.into_iter().map(|p| Port {
                        target: p.target,
                        published: p.published,
                        protocol: p.protocol,
                        mode: None,
                        host_ip: p.host_ip,
                        app_protocol: None,
                        extensions: IndexMap::new(),
                        span: item.span,
                    })),
                    Err(e) => diags.push(
                        Diagnostic::error(format!("invalid port `{t}`: {e}"))
                            .at(item.span)
                            .help("write `CONTAINER`, `PUBLISHED:CONTAINER` or `IP:PUBLISHED:CONTAINER`, optionally with `/udp`"),
                    ),
                }
            }
            Kind::Map(m) => {
                let target = m
                    .get("target")
                    .and_then(|e| number(&e.value, "ports.target", diags))
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|n| *n > 0);
                let Some(target) = target else {
                    diags.push(
                        Diagnostic::error("a long-syntax port needs `target`")
                            .at(item.span)
                            .help("for example `- target: 80\n  published: \"8080\"`"),
                    );
                    continue;
                };
                let published = m
                    .get("published")
                    .and_then(|e| text(&e.value))
                    .and_then(|p| p.split('-').next().and_then(|x| x.parse::<u16>().ok()));
                let mut extensions = IndexMap::new();
                for (k, e) in m {
                    if k.starts_with("x-") {
                        extensions.insert(k.clone(), e.value.clone());
                    } else if !matches!(
                        k.as_str(),
                        "target"
                            | "published"
                            | "protocol"
                            | "mode"
                            | "host_ip"
                            | "app_protocol"
                            | "name"
                    ) {
                        diags.push(unknown_key(
                            k,
                            e.key_span,
                            "port",
                            &[
                                "target",
                                "published",
                                "protocol",
                                "mode",
                                "host_ip",
                                "app_protocol",
                                "name",
                            ],
                        ));
                    }
                }
                out.push(Port {
                    target,
                    published,
                    protocol: m
                        .get("protocol")
                        .and_then(|e| text(&e.value))
                        .unwrap_or_else(|| "tcp".into())
                        .to_ascii_lowercase(),
                    mode: m.get("mode").and_then(|e| text(&e.value)),
                    host_ip: m.get("host_ip").and_then(|e| text(&e.value)),
                    app_protocol: m.get("app_protocol").and_then(|e| text(&e.value)),
                    extensions,
                    span: item.span,
                });
            }
            Kind::Seq(_) => diags.push(shape(item, "a port must be a string or a mapping")),
        }
    }
    out
}

fn volumes(node: &Node, diags: &mut Diagnostics) -> Vec<VolumeMount> {
    let mut out = Vec::new();
    for item in node.as_seq().unwrap_or_default() {
        match &item.kind {
            Kind::Scalar(_) => {
                let t = text(item).unwrap_or_default();
                match syntax::volume(&t) {
                    Ok((kind, source, target, read_only)) => out.push(VolumeMount {
                        kind,
                        source,
                        target,
                        read_only,
                        span: item.span,
                    }),
                    Err(e) => diags.push(
                        Diagnostic::error(format!("invalid volume `{t}`: {e}"))
                            .at(item.span)
                            .help("write `name:/container/path[:ro]`"),
                    ),
                }
            }
            Kind::Map(m) => {
                check_keys(m, VOLUME_KEYS, "volume", diags);
                if let Some(options) = m.get("volume").and_then(|e| e.value.as_map()) {
                    check_keys(
                        options,
                        &["labels", "nocopy", "subpath"],
                        "volume.volume",
                        diags,
                    );
                }
                let Some(target) = m.get("target").and_then(|e| text(&e.value)) else {
                    diags.push(
                        Diagnostic::error("a long-syntax volume needs `target`")
                            .at(item.span)
                            .help("for example `- type: volume\n  source: data\n  target: /data`"),
                    );
                    continue;
                };
                out.push(VolumeMount {
                    kind: m
                        .get("type")
                        .and_then(|e| text(&e.value))
                        .unwrap_or_else(|| "volume".into()),
                    source: m.get("source").and_then(|e| text(&e.value)),
                    target,
                    read_only: m
                        .get("read_only")
                        .and_then(|e| boolean(&e.value, "read_only", diags))
                        .is_some_and(|b| b.value),
                    span: item.span,
                });
            }
            Kind::Seq(_) => diags.push(shape(item, "a volume must be a string or a mapping")),
        }
    }
    out
}

fn refs(node: &Node, what: &str, diags: &mut Diagnostics) -> Vec<SecretRef> {
    let mut out = Vec::new();
    for item in node.as_seq().unwrap_or_default() {
        match &item.kind {
            Kind::Scalar(_) => {
                let t = text(item).unwrap_or_default();
                out.push(SecretRef {
                    source: t.clone(),
                    target: t,
                    span: item.span,
                });
            }
            Kind::Map(m) => {
                check_keys(m, &["source", "target", "uid", "gid", "mode"], what, diags);
                let Some(source) = m.get("source").and_then(|e| text(&e.value)) else {
                    diags.push(
                        Diagnostic::error(format!("a long-syntax `{what}` entry needs `source`"))
                            .at(item.span),
                    );
                    continue;
                };
                let target = m
                    .get("target")
                    .and_then(|e| text(&e.value))
                    .unwrap_or_else(|| source.clone());
                out.push(SecretRef {
                    source,
                    target,
                    span: item.span,
                });
            }
            Kind::Seq(_) => diags.push(shape(
                item,
                &format!("a `{what}` entry must be a name or a mapping"),
            )),
        }
    }
    out
}

fn healthcheck(node: &Node, diags: &mut Diagnostics) -> Option<Healthcheck> {
    let m = expect_map(node, "`healthcheck`", diags)?;
    check_keys(
        m,
        &[
            "disable",
            "interval",
            "retries",
            "test",
            "timeout",
            "start_period",
            "start_interval",
        ],
        "healthcheck",
        diags,
    );
    let mut hc = Healthcheck {
        test: None,
        interval: None,
        timeout: None,
        retries: None,
        start_period: None,
        disable: false,
        span: node.span,
    };
    if let Some(e) = m.get("test") {
        match &e.value.kind {
            Kind::Scalar(_) => hc.test = text(&e.value).map(|t| vec!["CMD-SHELL".into(), t]),
            Kind::Seq(_) => {
                let list: Vec<String> = strings(&e.value, "healthcheck.test", diags)
                    .into_iter()
                    .map(|s| s.value)
                    .collect();
                match list.first().map(String::as_str) {
                    Some("NONE") => hc.disable = true,
                    Some("CMD" | "CMD-SHELL") => hc.test = Some(list),
                    _ => diags.push(Diagnostic::error("`healthcheck.test` must start with CMD, CMD-SHELL or NONE").at(e.value.span).help("for example `test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"]`")),
                }
            }
            Kind::Map(_) => diags.push(shape(
                &e.value,
                "`healthcheck.test` must be a string or a list",
            )),
        }
    }
    hc.interval = m
        .get("interval")
        .and_then(|e| duration(&e.value, "healthcheck.interval", diags));
    hc.timeout = m
        .get("timeout")
        .and_then(|e| duration(&e.value, "healthcheck.timeout", diags));
    hc.start_period = m
        .get("start_period")
        .and_then(|e| duration(&e.value, "healthcheck.start_period", diags));
    hc.retries = m
        .get("retries")
        .and_then(|e| number(&e.value, "healthcheck.retries", diags));
    if let Some(e) = m.get("disable") {
        let disabled = boolean(&e.value, "healthcheck.disable", diags).is_some_and(|b| b.value);
        if disabled && hc.test.is_some() {
            diags.push(
                Diagnostic::error("`healthcheck` sets both `test` and `disable: true`")
                    .at(e.key_span)
                    .help("remove `test` to disable the health check, or `disable` to keep it"),
            );
        }
        hc.disable |= disabled;
    }
    Some(hc)
}

fn resources(
    node: &Node,
    prefix: &str,
    keys: &mut IndexMap<String, crate::source::Span>,
    diags: &mut Diagnostics,
) -> Option<Resources> {
    let m = expect_map(node, "`deploy.resources`", diags)?;
    let mut r = Resources::default();
    for (k, e) in m {
        keys.insert(format!("{prefix}.{k}"), e.key_span);
        match k.as_str() {
            "cpus" => {
                let t = text(&e.value).unwrap_or_default();
                match t.parse::<f64>() {
                    Ok(c) if c > 0.0 => r.cpus = Some(Spanned::new(c, e.value.span)),
                    _ => diags.push(
                        Diagnostic::error(format!("`cpus: {t}` is not a number of CPUs"))
                            .at(e.value.span)
                            .help("for example `cpus: '0.5'`"),
                    ),
                }
            }
            "memory" => match syntax::bytes(&text(&e.value).unwrap_or_default()) {
                Ok(b) => r.memory = Some(Spanned::new(b, e.value.span)),
                Err(msg) => diags.push(
                    Diagnostic::error(format!("`memory`: {msg}"))
                        .at(e.value.span)
                        .help("sizes look like `512M` or `2G`"),
                ),
            },
            "devices" => {
                for d in e.value.as_seq().unwrap_or_default() {
                    let gpu = d
                        .as_map()
                        .and_then(|dm| dm.get("capabilities"))
                        .is_some_and(|c| {
                            c.value
                                .as_seq()
                                .unwrap_or_default()
                                .iter()
                                .any(|x| text(x).as_deref() == Some("gpu"))
                        });
                    if gpu {
                        r.gpus = Some(Spanned::new(1, d.span));
                    }
                }
            }
            _ => {}
        }
    }
    Some(r)
}

fn deploy(node: &Node, diags: &mut Diagnostics) -> Option<Deploy> {
    let m = expect_map(node, "`deploy`", diags)?;
    let mut d = Deploy::default();
    for (k, e) in m {
        let v = &e.value;
        if k.starts_with("x-") {
            d.extensions.insert(k.clone(), v.clone());
            continue;
        }
        d.keys.insert(k.clone(), e.key_span);
        match k.as_str() {
            "mode" => d.mode = string(v, "deploy.mode", diags),
            "replicas" => {
                d.replicas = number(v, "deploy.replicas", diags).map(|n| Spanned::new(n, v.span));
            }
            "labels" => {
                d.labels = key_values(v, "deploy.labels", diags)
                    .into_iter()
                    .map(|(k, x)| (k, x.value.unwrap_or_default()))
                    .collect();
            }
            "placement" => d.placement = Some(e.key_span),
            "restart_policy" => {
                d.restart_condition = v
                    .as_map()
                    .and_then(|rm| rm.get("condition"))
                    .and_then(|c| string(&c.value, "condition", diags));
            }
            "resources" => {
                if let Some(rm) = expect_map(v, "`deploy.resources`", diags) {
                    for (rk, re) in rm {
                        d.keys.insert(format!("resources.{rk}"), re.key_span);
                        match rk.as_str() {
                            "limits" => {
                                d.limits =
                                    resources(&re.value, "resources.limits", &mut d.keys, diags);
                            }
                            "reservations" => {
                                d.reservations = resources(
                                    &re.value,
                                    "resources.reservations",
                                    &mut d.keys,
                                    diags,
                                );
                            }
                            other => diags.push(unknown_key(
                                other,
                                re.key_span,
                                "deploy.resources",
                                &["limits", "reservations"],
                            )),
                        }
                    }
                }
            }
            "update_config" => {
                let mut u = UpdateConfig::default();
                if let Some(um) = expect_map(v, "`deploy.update_config`", diags) {
                    for (uk, ue) in um {
                        if uk.starts_with("x-") {
                            u.extensions.insert(uk.clone(), ue.value.clone());
                            continue;
                        }
                        d.keys.insert(format!("update_config.{uk}"), ue.key_span);
                        match uk.as_str() {
                            "parallelism" => {
                                u.parallelism = number(&ue.value, "parallelism", diags)
                                    .map(|n| Spanned::new(n, ue.value.span));
                            }
                            "order" => u.order = string(&ue.value, "order", diags),
                            "failure_action" => {
                                u.failure_action = string(&ue.value, "failure_action", diags);
                            }
                            _ => {}
                        }
                    }
                }
                d.update_config = Some(u);
            }
            "endpoint_mode" | "rollback_config" => {}
            other => diags.push(unknown_key(
                other,
                e.key_span,
                "deploy",
                &[
                    "mode",
                    "replicas",
                    "labels",
                    "placement",
                    "restart_policy",
                    "resources",
                    "update_config",
                    "endpoint_mode",
                    "rollback_config",
                ],
            )),
        }
    }
    Some(d)
}

fn depends_on(node: &Node, diags: &mut Diagnostics) -> IndexMap<String, Dependency> {
    let mut out = IndexMap::new();
    match &node.kind {
        Kind::Seq(items) => {
            for i in items {
                if let Some(t) = text(i) {
                    out.insert(
                        t,
                        Dependency {
                            condition: "service_started".into(),
                            required: true,
                            span: i.span,
                        },
                    );
                }
            }
        }
        Kind::Map(m) => {
            for (k, e) in m {
                let dm = e.value.as_map();
                if let Some(dm) = dm {
                    check_keys(
                        dm,
                        &["condition", "required", "restart"],
                        "depends_on",
                        diags,
                    );
                }
                let condition = dm
                    .and_then(|x| x.get("condition"))
                    .and_then(|c| text(&c.value))
                    .unwrap_or_else(|| "service_started".into());
                if !matches!(
                    condition.as_str(),
                    "service_started" | "service_healthy" | "service_completed_successfully"
                ) {
                    diags.push(Diagnostic::error(format!("unknown depends_on condition `{condition}`")).at(e.value.span).help("use service_started, service_healthy or service_completed_successfully"));
                }
                let required = dm
                    .and_then(|x| x.get("required"))
                    .and_then(|r| boolean(&r.value, "required", diags))
                    .is_none_or(|b| b.value);
                out.insert(
                    k.clone(),
                    Dependency {
                        condition,
                        required,
                        span: e.key_span,
                    },
                );
            }
        }
        Kind::Scalar(_) if node.is_null() => {}
        Kind::Scalar(_) => diags.push(shape(node, "`depends_on` must be a list or a mapping")),
    }
    out
}

fn networks(node: &Node, diags: &mut Diagnostics) -> IndexMap<String, ServiceNetwork> {
    let mut out = IndexMap::new();
    match &node.kind {
        Kind::Seq(items) => {
            for i in items {
                if let Some(t) = text(i) {
                    out.insert(
                        t,
                        ServiceNetwork {
                            aliases: Vec::new(),
                            span: Some(i.span),
                        },
                    );
                }
            }
        }
        Kind::Map(m) => {
            for (k, e) in m {
                let aliases = e
                    .value
                    .as_map()
                    .and_then(|x| x.get("aliases"))
                    .map(|a| {
                        strings(&a.value, "aliases", diags)
                            .into_iter()
                            .map(|s| s.value)
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(
                    k.clone(),
                    ServiceNetwork {
                        aliases,
                        span: Some(e.key_span),
                    },
                );
            }
        }
        Kind::Scalar(_) if node.is_null() => {}
        Kind::Scalar(_) => diags.push(shape(node, "`networks` must be a list or a mapping")),
    }
    out
}

fn ulimits(node: &Node, diags: &mut Diagnostics) -> IndexMap<String, Spanned<Ulimit>> {
    let mut out = IndexMap::new();
    let Some(m) = expect_map(node, "`ulimits`", diags) else {
        return out;
    };
    for (k, e) in m {
        let limit = match &e.value.kind {
            Kind::Scalar(s) => match s.typed() {
                Typed::Int(n) => Some(Ulimit { soft: n, hard: n }),
                _ => None,
            },
            Kind::Map(lm) => {
                let get = |key: &str| {
                    lm.get(key)
                        .and_then(|x| x.value.as_scalar())
                        .and_then(|s| match s.typed() {
                            Typed::Int(n) => Some(n),
                            _ => None,
                        })
                };
                get("soft")
                    .zip(get("hard"))
                    .map(|(soft, hard)| Ulimit { soft, hard })
            }
            Kind::Seq(_) => None,
        };
        match limit {
            Some(l) if l.soft > l.hard => diags.push(
                Diagnostic::error(format!(
                    "ulimit `{k}`: soft limit {} is above hard limit {}",
                    l.soft, l.hard
                ))
                .at(e.value.span)
                .help("the soft limit must not exceed the hard limit"),
            ),
            Some(l) => {
                out.insert(k.clone(), Spanned::new(l, e.key_span));
            }
            None => diags.push(shape(
                &e.value,
                &format!("ulimit `{k}` must be a number or {{soft, hard}}"),
            )),
        }
    }
    out
}

fn logging(node: &Node, diags: &mut Diagnostics) -> Option<Logging> {
    let m = expect_map(node, "`logging`", diags)?;
    check_keys(m, &["driver", "options"], "logging", diags);
    Some(Logging {
        driver: m.get("driver").and_then(|e| text(&e.value)),
        options: m
            .get("options")
            .map(|e| {
                key_values(&e.value, "logging.options", diags)
                    .into_iter()
                    .map(|(k, v)| (k, v.value.unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default(),
        span: node.span,
    })
}

fn network(node: &Node, diags: &mut Diagnostics) -> Network {
    let mut n = Network {
        span: Some(node.span),
        ..Network::default()
    };
    let Some(m) = expect_map(node, "a network", diags) else {
        return n;
    };
    for (k, e) in split_keys(m, &mut n.extensions, &mut n.keys) {
        match k.as_str() {
            "name" => n.name = text(&e.value),
            "external" => n.external = external(&e.value, &mut n.name, diags),
            "internal" => {
                n.internal = boolean(&e.value, "internal", diags).is_some_and(|b| b.value);
            }
            _ => {}
        }
    }
    n
}

/// Records the keys of a top-level definition (`x-*` ones as extensions, the
/// rest with their spans) and returns the non-extension entries to type.
fn split_keys<'a>(
    m: &'a super::yaml::Mapping,
    extensions: &mut IndexMap<String, Node>,
    keys: &mut IndexMap<String, crate::source::Span>,
) -> Vec<(&'a String, &'a super::yaml::Entry)> {
    let mut rest = Vec::new();
    for (k, e) in m {
        if k.starts_with("x-") {
            extensions.insert(k.clone(), e.value.clone());
        } else {
            keys.insert(k.clone(), e.key_span);
            rest.push((k, e));
        }
    }
    rest
}

/// `external: true`, or the legacy `external: {name: x}`.
fn external(node: &Node, name: &mut Option<String>, diags: &mut Diagnostics) -> bool {
    if let Some(m) = node.as_map() {
        if let Some(n) = m.get("name").and_then(|e| text(&e.value)) {
            *name = Some(n);
        }
        return true;
    }
    boolean(node, "external", diags).is_some_and(|b| b.value)
}

fn volume(node: &Node, diags: &mut Diagnostics) -> Volume {
    let mut v = Volume {
        span: Some(node.span),
        ..Volume::default()
    };
    let Some(m) = expect_map(node, "a volume", diags) else {
        return v;
    };
    for (k, e) in split_keys(m, &mut v.extensions, &mut v.keys) {
        match k.as_str() {
            "name" => v.name = text(&e.value),
            "external" => v.external = external(&e.value, &mut v.name, diags),
            "driver" => v.driver = text(&e.value),
            "driver_opts" => {
                v.driver_opts = key_values(&e.value, "driver_opts", diags)
                    .into_iter()
                    .map(|(k, x)| (k, Spanned::new(x.value.unwrap_or_default(), x.span)))
                    .collect();
            }
            "labels" => {
                v.labels = key_values(&e.value, "labels", diags)
                    .into_iter()
                    .map(|(k, x)| (k, x.value.unwrap_or_default()))
                    .collect();
            }
            _ => {}
        }
    }
    v
}

fn secret(node: &Node, diags: &mut Diagnostics) -> Secret {
    let mut s = Secret {
        span: Some(node.span),
        ..Secret::default()
    };
    let Some(m) = expect_map(node, "a secret", diags) else {
        return s;
    };
    for (k, e) in split_keys(m, &mut s.extensions, &mut s.keys) {
        match k.as_str() {
            "name" => s.name = text(&e.value),
            "file" => s.file = text(&e.value).map(Into::into),
            "environment" => s.environment = text(&e.value),
            "content" => s.content = text(&e.value),
            "external" => s.external = external(&e.value, &mut s.name, diags),
            _ => {}
        }
    }
    if s.external && (s.file.is_some() || s.environment.is_some() || s.content.is_some()) {
        diags.push(
            Diagnostic::error("an external secret cannot also have `file`, `environment` or `content`")
                .at(s.span)
                .help("an external secret already exists in Secrets Manager: keep `external: true` and `name:`, or remove `external`"),
        );
    }
    s
}
