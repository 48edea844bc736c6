//! The resolved project in Docker Compose's canonical shape, for `config`.
//!
//! Works on the merged document (interpolated, extended, included, merged,
//! profiles applied, `env_file` folded), not on the typed [`super::Project`]:
//! every key the user wrote is printed, including those c2cfn does not
//! model. Values are written the way `docker compose config` writes them:
//! short syntaxes in their long form (ports, volumes, secrets, configs,
//! `depends_on`, `networks`, `healthcheck.test`), the implicit `depends_on`
//! of `network_mode`/`ipc`/`pid: service:x`, `volumes_from` and `links`,
//! durations as Go prints them (`1m30s`, `2m0s`), byte sizes in bytes (as
//! strings), container paths cleaned, resource names (`<project>_<key>`)
//! filled in and every `$` escaped as `$$` so the output reads back to the
//! same project.

use serde_json::{Map, Value, json};

use super::syntax;
use super::validate;
use super::yaml::{Kind, Node, Typed};
use crate::source::SourceMap;

/// The canonical project of a merged document `root` named `name`;
/// `sources` holds the files it was read from, `variables` the project's
/// interpolation variables (a bare build arg takes its value from them).
#[must_use]
pub fn canonical(
    root: &Node,
    name: &str,
    sources: &SourceMap,
    variables: &indexmap::IndexMap<String, String>,
) -> Value {
    let mut doc = match value(root, false, sources) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    doc.remove("include");
    doc.remove("version");
    doc.remove("name");
    let mut services = match doc.remove("services") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let names: Vec<String> = services.keys().cloned().collect();
    let mut uses_default = false;
    for (_, s) in &mut services {
        if let Value::Object(s) = s {
            service(s, &names, variables);
            uses_default |= s
                .get("networks")
                .and_then(Value::as_object)
                .is_some_and(|n| n.contains_key("default"));
        }
    }
    let mut out = Map::new();
    out.insert("name".into(), Value::String(name.to_owned()));
    out.insert("services".into(), Value::Object(services));
    let mut networks = take_map(&mut doc, "networks");
    if uses_default && !networks.contains_key("default") {
        networks.insert("default".into(), Value::Null);
    }
    let used = Used::of(&out["services"]);
    for (kind, items) in [
        ("networks", networks),
        ("volumes", take_map(&mut doc, "volumes")),
        ("secrets", take_map(&mut doc, "secrets")),
        ("configs", take_map(&mut doc, "configs")),
    ] {
        // Like `docker compose config`, resources no service uses are left out.
        let declared: Map<String, Value> = items
            .into_iter()
            .filter(|(k, _)| used.contains(kind, k))
            .map(|(k, v)| {
                let v = resource(name, &k, v);
                (k, v)
            })
            .collect();
        if !declared.is_empty() {
            out.insert(kind.into(), Value::Object(declared));
        }
    }
    for (k, v) in doc {
        out.insert(k, v);
    }
    let mut out = Value::Object(out);
    escape_dollars(&mut out);
    out
}

/// A node as JSON with YAML core typing, except that an integer written
/// with a leading zero (`0440`, a file mode) keeps its text, and that under
/// an `x-*` key (`extension`), whose values compose does not type, a value
/// produced by interpolation stays a string, as in compose.
fn value(node: &Node, extension: bool, sources: &SourceMap) -> Value {
    match &node.kind {
        Kind::Scalar(s) => match s.typed() {
            Typed::Int(_)
                if !s.quoted
                    && s.text.len() > 1
                    && s.text.starts_with('0')
                    && s.text.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Value::String(s.text.clone())
            }
            Typed::Str(_) => node.to_json(),
            _ if extension && interpolated(node, sources) => Value::String(s.text.clone()),
            _ => node.to_json(),
        },
        Kind::Seq(items) => {
            Value::Array(items.iter().map(|i| value(i, extension, sources)).collect())
        }
        Kind::Map(map) => Value::Object(
            map.iter()
                .map(|(k, e)| {
                    let ext = extension || k.starts_with("x-");
                    (k.clone(), value(&e.value, ext, sources))
                })
                .collect(),
        ),
    }
}

/// Whether the text written at the node's place held a `$` (the value came
/// from interpolation).
fn interpolated(node: &Node, sources: &SourceMap) -> bool {
    let span = node.span;
    let text = sources.text(span.file);
    text.get(span.start..span.end)
        .is_some_and(|t| t.contains('$'))
}

/// Service keys whose list items compose holds as strings, beyond those
/// the Compose schema types as strings (`validate::STRING_LIST_KEYS`).
const MORE_STRING_LIST_KEYS: &[&str] = &[
    "expose",
    "group_add",
    "dns",
    "dns_search",
    "dns_opt",
    "tmpfs",
    "links",
    "external_links",
    "volumes_from",
    "profiles",
];

/// The networks, volumes, secrets and configs the services use.
#[derive(Default)]
struct Used {
    names: std::collections::BTreeSet<(&'static str, String)>,
}

impl Used {
    fn of(services: &Value) -> Self {
        let mut used = Self::default();
        let Some(services) = services.as_object() else {
            return used;
        };
        for s in services.values() {
            if let Some(n) = s.get("networks").and_then(Value::as_object) {
                for k in n.keys() {
                    used.names.insert(("networks", k.clone()));
                }
            }
            for v in s
                .get("volumes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if v.get("type").and_then(Value::as_str) == Some("volume")
                    && let Some(src) = v.get("source").and_then(Value::as_str)
                {
                    used.names.insert(("volumes", src.to_owned()));
                }
            }
            for (key, list) in [
                ("secrets", s.get("secrets")),
                ("configs", s.get("configs")),
                ("secrets", s.get("build").and_then(|b| b.get("secrets"))),
            ] {
                for r in list.and_then(Value::as_array).into_iter().flatten() {
                    let src = r.get("source").or(Some(r)).and_then(Value::as_str);
                    if let Some(src) = src {
                        used.names.insert((key, src.to_owned()));
                    }
                }
            }
        }
        used
    }

    fn contains(&self, kind: &str, name: &str) -> bool {
        self.names.iter().any(|(k, n)| *k == kind && n == name)
    }
}

fn take_map(doc: &mut Map<String, Value>, key: &str) -> Map<String, Value> {
    match doc.remove(key) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// A top-level network, volume, secret or config with its `name` filled in.
fn resource(project: &str, key: &str, v: Value) -> Value {
    let mut m = match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if !m.contains_key("name") {
        let external = m.get("external").is_some_and(|e| e == &Value::Bool(true));
        let name = if external {
            key.to_owned()
        } else {
            format!("{project}_{key}")
        };
        m.insert("name".into(), Value::String(name));
    }
    for (field, is_bytes) in [("labels", false), ("driver_opts", false)] {
        if let Some(v) = m.get_mut(field) {
            *v = string_map(v.take(), is_bytes);
        }
    }
    Value::Object(m)
}

/// Canonicalises one service in place; `names` are the project's services.
fn service(
    s: &mut Map<String, Value>,
    names: &[String],
    variables: &indexmap::IndexMap<String, String>,
) {
    if let Some(b) = s.get_mut("build") {
        *b = build(b.take(), variables);
    }
    for key in ["command", "entrypoint"] {
        if let Some(Value::String(text)) = s.get(key) {
            let words = syntax::shell_words(text).unwrap_or_else(|_| vec![text.clone()]);
            s.insert(key.into(), json!(words));
        }
    }
    for key in [
        "dns",
        "dns_search",
        "dns_opt",
        "tmpfs",
        "env_file",
        "cap_add",
        "cap_drop",
    ] {
        if let Some(v @ Value::String(_)) = s.get_mut(key) {
            *v = Value::Array(vec![v.take()]);
        }
    }
    if let Some(v) = s.get_mut("environment") {
        *v = string_map(v.take(), true);
    }
    for key in ["labels", "annotations", "sysctls", "storage_opt"] {
        if let Some(v) = s.get_mut(key) {
            *v = string_map(v.take(), false);
        }
    }
    if let Some(v) = s.get_mut("extra_hosts") {
        *v = extra_hosts(v.take());
    }
    // Strings in compose's model: a value interpolation made look like a
    // number (`user: ${UID}`) is printed as the string it is.
    for key in validate::STRING_KEYS {
        if let Some(v) = s.get_mut(*key)
            && (v.is_number() || v.is_boolean())
        {
            *v = Value::String(scalar_text(v));
        }
    }
    for key in validate::STRING_LIST_KEYS
        .iter()
        .chain(MORE_STRING_LIST_KEYS)
    {
        if let Some(Value::Array(items)) = s.get_mut(*key) {
            for i in items.iter_mut().filter(|i| i.is_number() || i.is_boolean()) {
                *i = Value::String(scalar_text(i));
            }
        }
    }
    if let Some(Value::Array(items)) = s.get_mut("ports") {
        *items = items.drain(..).flat_map(port).collect();
    }
    if let Some(Value::Array(items)) = s.get_mut("volumes") {
        for i in items {
            *i = mount(i.take());
        }
    }
    if let Some(Value::Array(items)) = s.get_mut("devices") {
        for i in items {
            *i = device(i.take());
        }
    }
    for (key, default_dir) in [("secrets", Some("/run/secrets/")), ("configs", None)] {
        if let Some(Value::Array(items)) = s.get_mut(key) {
            for i in items {
                *i = file_ref(i.take(), default_dir);
            }
        }
    }
    if let Some(h) = s.get_mut("healthcheck") {
        healthcheck(h);
    }
    if let Some(Value::Object(d)) = s.get_mut("deploy") {
        deploy(d);
    }
    if let Some(v) = s.get_mut("stop_grace_period") {
        duration(v);
    }
    for key in ["mem_limit", "mem_reservation", "memswap_limit", "shm_size"] {
        if let Some(v) = s.get_mut(key) {
            bytes(v);
        }
    }
    if let Some(v) = s.get_mut("cpus") {
        number(v);
    }
    networks(s);
    depends_on(s, names);
}

fn build(v: Value, variables: &indexmap::IndexMap<String, String>) -> Value {
    let mut m = match v {
        Value::String(context) => {
            let mut m = Map::new();
            m.insert("context".into(), Value::String(context));
            m
        }
        Value::Object(m) => m,
        other => return other,
    };
    if !m.contains_key("dockerfile") && !m.contains_key("dockerfile_inline") {
        m.insert("dockerfile".into(), Value::String("Dockerfile".into()));
    }
    if let Some(v) = m.get_mut("args") {
        // A bare `ARG` takes the variable's value; unset, it is left out.
        if let Value::Object(args) = string_map(v.take(), true) {
            let resolved: Map<String, Value> = args
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::Null => variables.get(&k).map(|x| (k, Value::String(x.clone()))),
                    other => Some((k, other)),
                })
                .collect();
            *v = Value::Object(resolved);
        }
    }
    if let Some(Value::Array(items)) = m.get_mut("secrets") {
        for i in items {
            *i = file_ref(i.take(), None);
        }
    }
    for key in ["labels", "extra_hosts"] {
        if let Some(v) = m.get_mut(key) {
            *v = if key == "labels" {
                string_map(v.take(), false)
            } else {
                extra_hosts(v.take())
            };
        }
    }
    if let Some(v) = m.get_mut("shm_size") {
        bytes(v);
    }
    Value::Object(m)
}

/// The text of a scalar as compose prints it in a string field.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `[K=V, K]` or `{K: V}` → `{K: "V"}`. A bare `K` is null when `null_bare`
/// (environment, build args: taken from the environment) and `""` otherwise
/// (labels).
fn string_map(v: Value, null_bare: bool) -> Value {
    match v {
        Value::Array(items) => {
            let mut m = Map::new();
            for item in items {
                let text = scalar_text(&item);
                match text.split_once('=') {
                    Some((k, v)) => m.insert(k.to_owned(), Value::String(v.to_owned())),
                    None if null_bare => m.insert(text, Value::Null),
                    None => m.insert(text, Value::String(String::new())),
                };
            }
            Value::Object(m)
        }
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::Null if null_bare => Value::Null,
                        other => Value::String(scalar_text(&other)),
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// `extra_hosts` as compose prints it: `host=ip` entries sorted by host.
fn extra_hosts(v: Value) -> Value {
    let mut pairs: Vec<(String, String)> = Vec::new();
    match v {
        Value::Array(items) => {
            for item in items {
                let text = scalar_text(&item);
                let split = text.find('=').or_else(|| text.find(':'));
                match split {
                    Some(i) => pairs.push((text[..i].to_owned(), text[i + 1..].to_owned())),
                    None => pairs.push((text, String::new())),
                }
            }
        }
        Value::Object(m) => {
            for (host, ips) in m {
                match ips {
                    Value::Array(list) => {
                        pairs.extend(list.iter().map(|ip| (host.clone(), scalar_text(ip))));
                    }
                    other => pairs.push((host, scalar_text(&other))),
                }
            }
        }
        other => return other,
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Array(
        pairs
            .into_iter()
            .map(|(h, ip)| Value::String(format!("{h}={ip}")))
            .collect(),
    )
}

/// One `ports` entry in long syntax (a short range gives several).
fn port(v: Value) -> Vec<Value> {
    match v {
        Value::Object(mut m) => {
            m.entry("mode").or_insert_with(|| json!("ingress"));
            m.entry("protocol").or_insert_with(|| json!("tcp"));
            if let Some(t) = m.get_mut("target")
                && let Value::String(s) = t
                && let Ok(n) = s.parse::<u64>()
            {
                *t = json!(n);
            }
            if let Some(p) = m.get_mut("published") {
                *p = Value::String(scalar_text(p));
            }
            vec![Value::Object(m)]
        }
        Value::String(_) | Value::Number(_) => {
            let text = scalar_text(&v);
            match syntax::ports(&text) {
                Ok(list) => list
                    .into_iter()
                    .map(|p| {
                        let mut m = Map::new();
                        m.insert("mode".into(), json!("ingress"));
                        if let Some(ip) = p.host_ip {
                            m.insert("host_ip".into(), json!(ip));
                        }
                        m.insert("target".into(), json!(p.target));
                        if let Some(published) = p.published {
                            m.insert("published".into(), json!(published.to_string()));
                        }
                        m.insert("protocol".into(), json!(p.protocol));
                        Value::Object(m)
                    })
                    .collect(),
                Err(_) => vec![v],
            }
        }
        other => vec![other],
    }
}

/// A container path cleaned as Go's `path.Clean` does (`/var/www/html/` →
/// `/var/www/html`).
fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// A `devices` entry `host[:container[:permissions]]` in long syntax.
fn device(v: Value) -> Value {
    let Value::String(text) = v else { return v };
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, permissions) = match parts.as_slice() {
        [s] => (*s, *s, "rwm"),
        [s, t] => (*s, *t, "rwm"),
        [s, t, p] => (*s, *t, *p),
        _ => return Value::String(text),
    };
    json!({"source": source, "target": target, "permissions": permissions})
}

const PROPAGATIONS: &[&str] = &[
    "shared", "rshared", "slave", "rslave", "private", "rprivate",
];

/// One `volumes` entry in long syntax.
fn mount(v: Value) -> Value {
    match v {
        Value::String(text) => short_mount(&text).unwrap_or(Value::String(text)),
        Value::Object(mut m) => {
            if let Some(Value::String(t)) = m.get_mut("target") {
                *t = clean_path(t);
            }
            if let Some(Value::Object(t)) = m.get_mut("tmpfs")
                && let Some(size) = t.get_mut("size")
            {
                bytes(size);
            }
            Value::Object(m)
        }
        other => other,
    }
}

fn short_mount(text: &str) -> Option<Value> {
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, ""),
        [s, t] => (Some(*s), *t, ""),
        [s, t, m] => (Some(*s), *t, *m),
        _ => return None,
    };
    let bind = source.is_some_and(|s| s.starts_with(['/', '.', '~']));
    let mut m = Map::new();
    m.insert("type".into(), json!(if bind { "bind" } else { "volume" }));
    if let Some(s) = source {
        m.insert("source".into(), json!(s));
    }
    m.insert("target".into(), json!(clean_path(target)));
    let mut bind_opts = Map::new();
    let mut volume_opts = Map::new();
    for opt in mode.split(',').filter(|o| !o.is_empty()) {
        match opt {
            "ro" => {
                m.insert("read_only".into(), json!(true));
            }
            "z" | "Z" => {
                bind_opts.insert("selinux".into(), json!(opt));
            }
            "nocopy" => {
                volume_opts.insert("nocopy".into(), json!(true));
            }
            p if PROPAGATIONS.contains(&p) => {
                bind_opts.insert("propagation".into(), json!(p));
            }
            "rw" | "cached" | "delegated" | "consistent" => {}
            _ => return None,
        }
    }
    if bind {
        bind_opts.insert("create_host_path".into(), json!(true));
        m.insert("bind".into(), Value::Object(bind_opts));
    } else {
        m.insert("volume".into(), Value::Object(volume_opts));
    }
    Some(Value::Object(m))
}

/// A `secrets`/`configs` entry in long syntax; secrets get their default
/// target under `/run/secrets/`.
fn file_ref(v: Value, default_dir: Option<&str>) -> Value {
    let mut m = match v {
        Value::String(source) => {
            let mut m = Map::new();
            m.insert("source".into(), Value::String(source));
            m
        }
        Value::Object(m) => m,
        other => return other,
    };
    if let Some(dir) = default_dir
        && !m.contains_key("target")
        && let Some(source) = m.get("source").and_then(Value::as_str)
    {
        let target = format!("{dir}{source}");
        m.insert("target".into(), Value::String(target));
    }
    for key in ["uid", "gid"] {
        if let Some(v) = m.get_mut(key) {
            *v = Value::String(scalar_text(v));
        }
    }
    if let Some(mode) = m.get_mut("mode") {
        *mode = match &*mode {
            Value::Number(n) => n
                .as_u64()
                .map_or_else(|| mode.clone(), |n| Value::String(format!("0{n:o}"))),
            other => other.clone(),
        };
    }
    Value::Object(m)
}

fn healthcheck(h: &mut Value) {
    let Value::Object(m) = h else { return };
    if let Some(Value::String(text)) = m.get("test") {
        let test = json!(["CMD-SHELL", text]);
        m.insert("test".into(), test);
    }
    for key in ["interval", "timeout", "start_period", "start_interval"] {
        if let Some(v) = m.get_mut(key) {
            duration(v);
        }
    }
}

fn deploy(d: &mut Map<String, Value>) {
    if let Some(v) = d.get_mut("labels") {
        *v = string_map(v.take(), false);
    }
    if let Some(Value::Object(resources)) = d.get_mut("resources") {
        for kind in ["limits", "reservations"] {
            if let Some(Value::Object(r)) = resources.get_mut(kind) {
                if let Some(v) = r.get_mut("memory") {
                    bytes(v);
                }
                if let Some(v) = r.get_mut("cpus") {
                    number(v);
                }
            }
        }
    }
    if let Some(Value::Object(r)) = d.get_mut("restart_policy") {
        for key in ["delay", "window"] {
            if let Some(v) = r.get_mut(key) {
                duration(v);
            }
        }
    }
    for cfg in ["update_config", "rollback_config"] {
        if let Some(Value::Object(r)) = d.get_mut(cfg) {
            for key in ["delay", "monitor"] {
                if let Some(v) = r.get_mut(key) {
                    duration(v);
                }
            }
        }
    }
}

/// `networks` as a mapping; a service without `network_mode` or networks
/// joins `default`.
fn networks(s: &mut Map<String, Value>) {
    let has_mode = s.contains_key("network_mode");
    match s.get_mut("networks") {
        Some(Value::Array(items)) => {
            let m: Map<String, Value> = items
                .iter()
                .map(|i| (scalar_text(i), Value::Null))
                .collect();
            s.insert("networks".into(), Value::Object(m));
        }
        Some(_) => {}
        None if !has_mode => {
            s.insert("networks".into(), json!({ "default": null }));
        }
        None => {}
    }
}

/// `depends_on` in long syntax, with the implicit dependencies compose adds.
fn depends_on(s: &mut Map<String, Value>, names: &[String]) {
    let mut deps = match s.remove("depends_on") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                (
                    scalar_text(i),
                    json!({"condition": "service_started", "required": true}),
                )
            })
            .collect(),
        Some(Value::Object(m)) => m
            .into_iter()
            .map(|(k, v)| {
                let mut d = match v {
                    Value::Object(d) => d,
                    _ => Map::new(),
                };
                d.entry("condition")
                    .or_insert_with(|| json!("service_started"));
                d.entry("required").or_insert(json!(true));
                (k, Value::Object(d))
            })
            .collect(),
        _ => Map::new(),
    };
    let mut implicit = |name: &str, restart: bool| {
        if names.iter().any(|n| n == name) && !deps.contains_key(name) {
            let mut d = json!({"condition": "service_started", "required": true});
            if restart {
                d["restart"] = json!(true);
            }
            deps.insert(name.to_owned(), d);
        }
    };
    for key in ["network_mode", "ipc", "pid"] {
        if let Some(target) = s
            .get(key)
            .and_then(Value::as_str)
            .and_then(|m| m.strip_prefix("service:"))
        {
            implicit(target, true);
        }
    }
    if let Some(Value::Array(links)) = s.get("links") {
        for link in links {
            let text = scalar_text(link);
            implicit(text.split(':').next().unwrap_or_default(), true);
        }
    }
    if let Some(Value::Array(from)) = s.get("volumes_from") {
        for item in from {
            let text = scalar_text(item);
            if !text.starts_with("container:") {
                implicit(text.split(':').next().unwrap_or_default(), false);
            }
        }
    }
    if !deps.is_empty() {
        s.insert("depends_on".into(), Value::Object(deps));
    }
}

/// A numeric string (`"0.5"`, `"1"`) as a number; a whole number prints
/// without a fraction, as compose prints it.
fn number(v: &mut Value) {
    let n = match v {
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    let Some(n) = n else { return };
    #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
    if n.fract() == 0.0 && n.abs() < 1e15 {
        *v = Value::from(n as i64);
    } else if let Some(n) = serde_json::Number::from_f64(n) {
        *v = Value::Number(n);
    }
}

/// A byte size as compose prints it: the number of bytes, as a string.
fn bytes(v: &mut Value) {
    let text = scalar_text(v);
    if let Ok(n) = syntax::bytes(&text) {
        *v = Value::String(n.to_string());
    } else if let Ok(n) = text.parse::<i64>() {
        *v = Value::String(n.to_string());
    }
}

/// A duration as Go's `time.Duration` prints it.
fn duration(v: &mut Value) {
    if let Value::String(text) = v
        && let Some(nanos) = parse_go_duration(text)
    {
        *v = Value::String(go_duration(nanos));
    }
}

/// Parses `1m30s`, `1.5s`, `500ms`… into nanoseconds.
pub(crate) fn parse_go_duration(text: &str) -> Option<u128> {
    let mut rest = text.trim();
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..u] {
            "h" => 3_600e9,
            "m" => 60e9,
            "s" => 1e9,
            "ms" => 1e6,
            "us" | "µs" => 1e3,
            "ns" => 1.0,
            _ => return None,
        };
        rest = &rest[u..];
        total += number * factor;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(total.round() as u128)
}

/// Go's `time.Duration.String` of a non-negative duration in nanoseconds.
pub(crate) fn go_duration(nanos: u128) -> String {
    fn fraction(whole: u128, frac: u128, digits: usize) -> String {
        if frac == 0 {
            return whole.to_string();
        }
        let f = format!("{frac:0digits$}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", fraction(nanos / 1_000, nanos % 1_000, 3));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", fraction(nanos / 1_000_000, nanos % 1_000_000, 6));
    }
    let secs = nanos / 1_000_000_000;
    let s = fraction(secs % 60, nanos % 1_000_000_000, 9);
    let (h, m) = (secs / 3600, (secs / 60) % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

/// YAML text of a canonical project, readable by YAML 1.1 parsers (Docker
/// Compose's) as the same values: every string that is not plainly a word
/// or a path is double-quoted (JSON escapes are valid YAML), so `2012-10-17`,
/// `yes`, `0440` or `1e3` stay strings.
#[must_use]
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => yaml_map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => yaml_seq(a, 0, &mut out),
        other => {
            out.push_str(&yaml_scalar(other));
            out.push('\n');
        }
    }
    out
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => yaml_string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

fn yaml_string(s: &str) -> String {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | ':' | '@'))
        && !s.ends_with(':')
        && !WORDS.contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_owned()
    } else {
        Value::String(s.to_owned()).to_string()
    }
}

fn nested(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn yaml_map(m: &Map<String, Value>, indent: usize, out: &mut String) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(&yaml_string(k));
        out.push(':');
        match v {
            Value::Object(inner) if nested(v) => {
                out.push('\n');
                yaml_map(inner, indent + 2, out);
            }
            Value::Array(items) if nested(v) => {
                out.push('\n');
                yaml_seq(items, indent + 2, out);
            }
            other => {
                out.push(' ');
                out.push_str(&yaml_scalar(other));
                out.push('\n');
            }
        }
    }
}

fn yaml_seq(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Value::Object(inner) if nested(item) => {
                // The first key on the dash's line, the others below it.
                let mut text = String::new();
                yaml_map(inner, indent + 2, &mut text);
                out.push(' ');
                out.push_str(&text[indent + 2..]);
            }
            Value::Array(inner) if nested(item) => {
                out.push('\n');
                yaml_seq(inner, indent + 2, out);
            }
            other => {
                out.push(' ');
                out.push_str(&yaml_scalar(other));
                out.push('\n');
            }
        }
    }
}

/// Every `$` of a string value written as `$$`, as compose prints it.
fn escape_dollars(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('$') => *s = s.replace('$', "$$"),
        Value::Array(items) => items.iter_mut().for_each(escape_dollars),
        Value::Object(m) => m.values_mut().for_each(escape_dollars),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_does() {
        for (text, want) in [
            ("90s", "1m30s"),
            ("1m30s", "1m30s"),
            ("2m", "2m0s"),
            ("2h", "2h0m0s"),
            ("1500ms", "1.5s"),
            ("10s", "10s"),
            ("500ms", "500ms"),
            ("1.5us", "1.5µs"),
            ("0", "0s"),
        ] {
            assert_eq!(
                go_duration(parse_go_duration(text).unwrap()),
                want,
                "{text}"
            );
        }
        assert_eq!(parse_go_duration("10 seconds"), None);
    }

    #[test]
    fn yaml_reads_back_as_the_same_values() {
        let v = json!({
            "a": {"b": [1, "2012-10-17", {"c": "yes", "d": [], "e": {}}, ["x"]]},
            "f": "plain/path-1.0",
            "g": "line\nbreak",
            "h": null,
            "i": 1.5,
        });
        let text = to_yaml(&v);
        let back: Value = serde_norway::from_str(&text).unwrap();
        assert_eq!(back, v, "{text}");
        assert!(text.contains("\"2012-10-17\""), "{text}");
        assert!(text.contains("f: plain/path-1.0"), "{text}");
    }

    #[test]
    fn container_paths_are_cleaned() {
        assert_eq!(clean_path("/var/www/html/"), "/var/www/html");
        assert_eq!(clean_path("/a//b/./c/../d"), "/a/b/d");
        assert_eq!(clean_path("/"), "/");
    }
}
