//! One service: every key recorded, short and long syntaxes typed.

use indexmap::IndexMap;

use super::SERVICE_KEYS;
use super::deploy::deploy;
use super::mounts::{ports, refs, volumes};
use super::read::{
    boolean, check_keys, command, duration, expect_map, key_values, number, shape, string, strings,
    text, unknown_key,
};
use crate::compose::extensions;
use crate::compose::project::{
    Build, Dependency, Extensions, Healthcheck, Legacy, Logging, Service, ServiceNetwork, Spanned,
    Ulimit,
};
use crate::compose::syntax;
use crate::compose::yaml::{Entry, Kind, Mapping, Node, Typed};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::Span;

/// `build` keys of the Compose specification.
pub(super) const BUILD_KEYS: &[&str] = &[
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

pub(super) fn service(
    name: &str,
    span: crate::source::Span,
    node: &Node,
    diags: &mut Diagnostics,
) -> Service {
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
        extensions: Extensions::default(),
        cpus: None,
        mem_limit: None,
        mem_reservation: None,
        scale: None,
        network_mode: None,
        sub_keys: Vec::new(),
        keys: IndexMap::new(),
    };
    let Some(map) = expect_map(node, &format!("service `{name}`"), diags) else {
        return s;
    };
    s.extensions = extensions::typed(&super::definitions::x_entries(map), Some(span));
    for (key, e) in map {
        let v = &e.value;
        if key.starts_with("x-") {
            s.keys.insert(key.clone(), e.key_span);
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
        s.keys.insert(key.clone(), e.key_span);
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
            "cpus" => s.cpus = legacy(e, cpus),
            "mem_limit" => s.mem_limit = legacy(e, |t, at| size("mem_limit", t, at)),
            "mem_reservation" => {
                s.mem_reservation = legacy(e, |t, at| size("mem_reservation", t, at));
            }
            "scale" => s.scale = legacy(e, scale),
            "network_mode" => {
                s.network_mode = Some(Legacy {
                    key: e.key_span,
                    span: v.span,
                    value: Ok(v.as_scalar().map(|x| x.text.clone()).unwrap_or_default()),
                });
            }
            _ => {}
        }
    }
    s.sub_keys = sub_keys(map);
    if let (Some(span), true) = (s.keys.get("network_mode"), map.contains_key("networks")) {
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

/// A legacy key's value, typed by `parse` (None when it is null or not a
/// string or number, which the loader's type check has reported).
fn legacy<T>(e: &Entry, parse: impl Fn(&str, Span) -> Result<T, Diagnostic>) -> Option<Legacy<T>> {
    let v = &e.value;
    let text = v.as_scalar().filter(|_| !v.is_null())?;
    Some(Legacy {
        key: e.key_span,
        span: v.span,
        value: parse(&text.text, v.span),
    })
}

fn cpus(text: &str, at: Span) -> Result<f64, Diagnostic> {
    match text.trim().parse::<f64>() {
        Ok(n) if n >= 0.0 => Ok(n),
        _ => Err(
            Diagnostic::error(format!("`cpus: {text}` is not a number of CPUs"))
                .at(at)
                .help("for example `cpus: 0.5`"),
        ),
    }
}

fn size(key: &str, text: &str, at: Span) -> Result<u64, Diagnostic> {
    syntax::bytes(text).map_err(|e| {
        Diagnostic::error(format!("`{key}`: {e}"))
            .at(at)
            .help(syntax::SIZE_HELP)
    })
}

fn scale(text: &str, at: Span) -> Result<u64, Diagnostic> {
    text.trim().parse::<u64>().map_err(|_| {
        Diagnostic::error(format!("`scale: {text}` is not a number of tasks"))
            .at(at)
            .help("a whole number ≥ 0, for example `scale: 2` (or `deploy.replicas`)")
    })
}

/// The keys below the top level that ECS has no use for (see
/// [`Service::sub_keys`]), in the order the checks report them.
fn sub_keys(map: &Mapping) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let entry = |node: &Node, key: &str| node.as_map().and_then(|m| m.get(key)).map(|e| e.key_span);
    let list = |key: &str| {
        map.get(key)
            .and_then(|e| e.value.as_seq())
            .unwrap_or_default()
    };
    if let Some(span) = map
        .get("healthcheck")
        .and_then(|hc| entry(&hc.value, "start_interval"))
    {
        out.push(("healthcheck.start_interval".to_owned(), span));
    }
    for item in list("secrets") {
        for key in ["uid", "gid", "mode"] {
            if let Some(span) = entry(item, key) {
                out.push((format!("secrets[].{key}"), span));
            }
        }
    }
    for item in list("volumes") {
        if let Some(span) = entry(item, "consistency") {
            out.push(("volumes[].consistency".to_owned(), span));
        }
        let Some(options) = item.as_map().and_then(|m| m.get("volume")) else {
            continue;
        };
        for key in ["subpath", "nocopy", "labels"] {
            if let Some(span) = entry(&options.value, key) {
                out.push((format!("volumes[].volume.{key}"), span));
            }
        }
    }
    out
}

pub(super) fn build(node: &Node, diags: &mut Diagnostics) -> Option<Build> {
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

pub(super) fn healthcheck(node: &Node, diags: &mut Diagnostics) -> Option<Healthcheck> {
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
            // Docker Compose accepts both (an override file often disables
            // an inherited check): `disable` wins.
            diags.push(
                Diagnostic::warning(
                    "`healthcheck.test` is ignored: `disable: true` turns the health check off",
                )
                .at(e.key_span)
                .help("remove `test` (or `disable`) to say which one you mean"),
            );
            hc.test = None;
        }
        hc.disable |= disabled;
    }
    Some(hc)
}

pub(super) fn depends_on(node: &Node, diags: &mut Diagnostics) -> IndexMap<String, Dependency> {
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

pub(super) fn networks(node: &Node, diags: &mut Diagnostics) -> IndexMap<String, ServiceNetwork> {
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

pub(super) fn ulimits(node: &Node, diags: &mut Diagnostics) -> IndexMap<String, Spanned<Ulimit>> {
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

pub(super) fn logging(node: &Node, diags: &mut Diagnostics) -> Option<Logging> {
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
