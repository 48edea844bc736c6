//! One compose service → an ECS service, its task definition and roles.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::size;
use crate::cfn::{intrinsic, logical_id};
use crate::compose::Project;
use crate::compose::extensions::{self, Autoscaling, ServiceExtensions};
use crate::compose::project::Service as ComposeService;
use crate::compose::yaml::Node;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{
    Container, Healthcheck, Mount, PortMapping, Scaling, Service, Stack, TaskVolume, TlsPort,
};
use crate::source::Span;

/// Docker's sidecar that adds the Cloud Map domain to `/etc/resolv.conf`, so
/// services reach each other by bare name as in compose.
pub(crate) const SEARCH_DOMAIN_IMAGE: &str = "docker/ecs-searchdomain-sidecar:1.0";
/// Docker's sidecar that writes secrets to `/run/secrets`.
pub(crate) const SECRETS_IMAGE: &str = "docker/ecs-secrets-sidecar:1.0";
/// Fargate's limit for `StopTimeout`.
const MAX_STOP_TIMEOUT: u64 = 120;

/// Lowers one service (listeners are added later, once the load balancer
/// type is known).
pub(super) fn lower(
    project: &Project,
    svc: &ComposeService,
    stack: &Stack,
    diags: &mut Diagnostics,
) -> Service {
    let ext = service_extensions(svc, diags);
    let mut out = Service {
        name: svc.name.clone(),
        networks: svc.networks.keys().cloned().collect(),
        depends_on: svc.depends_on.keys().cloned().collect(),
        exec: ext.exec.unwrap_or(true),
        public_ip: ext.assign_public_ip.unwrap_or(true),
        built: svc.image.is_none() && svc.build.is_some(),
        ..Service::default()
    };
    check_network_mode(svc, diags);
    check_sub_keys(svc, diags);
    for (net, membership) in &svc.networks {
        if !membership.aliases.is_empty() {
            diags.push(
                Diagnostic::warning(format!(
                    "network aliases of `{}` on `{net}` are ignored on ECS",
                    svc.name
                ))
                .at(membership.span)
                .help(format!(
                    "other services reach it by its service name, `{}`, through Cloud Map",
                    svc.name
                )),
            );
        }
    }
    task_size(svc, &mut out, diags);
    deployment(svc, &mut out, diags);
    if let Some(platform) = &svc.platform {
        match platform.value.as_str() {
            "linux/amd64" | "linux/x86_64" => {}
            "linux/arm64" | "linux/arm64/v8" | "linux/aarch64" => out.arm64 = true,
            other => diags.push(
                Diagnostic::error(format!("Fargate cannot run platform `{other}`"))
                    .at(platform.span)
                    .help("use `linux/amd64` or `linux/arm64`"),
            ),
        }
    }

    let log = log_options(svc, diags);
    let mut init = Vec::new();
    if !svc.secrets.is_empty() {
        init.push(secrets_container(svc, stack, &mut out, diags));
    }
    init.push(Container {
        name: format!(
            "{}_ResolvConf_InitContainer",
            logical_id::normalize(&svc.name)
        ),
        image: Value::from(SEARCH_DOMAIN_IMAGE),
        command: None,
        ..Container::default()
    });
    let mut main = main_container(svc, &ext, diags);
    main.log = log.clone();
    main.depends_on = init.iter().map(|c| c.name.clone()).collect();
    if !svc.secrets.is_empty() {
        main.mounts.push(Mount {
            volume: "secrets".into(),
            path: "/run/secrets/".into(),
            read_only: true,
        });
    }
    volumes(svc, stack, &project.working_dir, &mut main, &mut out, diags);
    for c in &mut init {
        c.log = log.clone();
    }
    out.containers = init;
    out.containers.push(main);

    if let Some(creds) = &ext.pull_credentials {
        out.secret_arns.insert(0, Value::from(creds.clone()));
    }
    if let Some(role) = &ext.role {
        out.role_policies.push((
            format!("{}Policy", logical_id::normalize(&svc.name)),
            policy_document(role),
        ));
    }
    out.managed_policies = ext.policies.clone().unwrap_or_default();
    out.tls = tls_ports(svc, &ext, diags);
    let autoscaling = deploy_autoscaling(svc, diags).or(ext.autoscaling.clone());
    if let Some(a) = autoscaling {
        out.scaling = scaling(svc, &a, diags);
    }
    out
}

fn service_extensions(svc: &ComposeService, diags: &mut Diagnostics) -> ServiceExtensions {
    let ext: ServiceExtensions = extensions::parse(
        &svc.extensions,
        &|k| svc.keys.get(k).map(|(s, _)| *s),
        svc.span,
        diags,
    );
    ext
}

/// Docker read `x-aws-autoscaling` under `deploy`; c2cfn also accepts it on the service.
/// `x-aws-tls` entries by container port.
fn tls_ports(
    svc: &ComposeService,
    ext: &ServiceExtensions,
    diags: &mut Diagnostics,
) -> BTreeMap<u16, TlsPort> {
    let mut out = BTreeMap::new();
    for t in ext.tls.iter().flatten() {
        if !t.certificate.starts_with("arn:") {
            diags.push(
                Diagnostic::error(format!(
                    "the TLS certificate of port {} must be an ACM certificate ARN",
                    t.port
                ))
                .at(svc.keys.get("x-aws-tls").map(|(s, _)| *s))
                .help("set `certificate: ${certificate_arn}` and put `certificate_arn=arn:aws:acm:…` in the environment file"),
            );
        }
        out.insert(
            t.port,
            TlsPort {
                certificate: t.certificate.clone(),
                public_port: t.published.unwrap_or(443),
                ssl_policy: t
                    .ssl_policy
                    .clone()
                    .unwrap_or_else(|| super::ports::DEFAULT_SSL_POLICY.to_owned()),
            },
        );
    }
    out
}

fn deploy_autoscaling(svc: &ComposeService, diags: &mut Diagnostics) -> Option<Autoscaling> {
    let deploy = svc.deploy.as_ref()?;
    let node = deploy.extensions.get("x-aws-autoscaling")?;
    match serde_json::from_value::<Autoscaling>(node.to_json()) {
        Ok(a) => Some(a),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("invalid `x-aws-autoscaling`: {e}"))
                    .at(node.span)
                    .help("write `x-aws-autoscaling: {min: 1, max: 10, cpu: 75}` (cpu or memory, in percent)"),
            );
            None
        }
    }
}

fn scaling(svc: &ComposeService, a: &Autoscaling, diags: &mut Diagnostics) -> Option<Scaling> {
    let span = svc.keys.get("deploy").map(|(s, _)| *s).or(Some(svc.span));
    if a.cpu.is_some() && a.memory.is_some() {
        diags.push(
            Diagnostic::error(format!(
                "`x-aws-autoscaling` of `{}` sets both cpu and memory targets",
                svc.name
            ))
            .at(span)
            .help("scale on one metric: keep either `cpu:` or `memory:`"),
        );
        return None;
    }
    let min = a.min.unwrap_or(1);
    if a.max == 0 || a.max < min {
        diags.push(
            Diagnostic::error(format!(
                "`x-aws-autoscaling` of `{}` needs `max` ≥ `min` and > 0",
                svc.name
            ))
            .at(span)
            .help("for example `min: 1, max: 10`"),
        );
        return None;
    }
    Some(Scaling {
        min,
        max: a.max,
        cpu: a.cpu.or(if a.memory.is_none() { Some(75) } else { None }),
        memory: a.memory,
    })
}

/// Sub-keys the typed project does not carry because ECS has no use for
/// them: each one the user wrote gets a warning (or an error where ignoring
/// it would change what is mounted).
fn check_sub_keys(svc: &ComposeService, diags: &mut Diagnostics) {
    let sub = |key: &str| svc.keys.get(key).map(|(_, node)| node);
    let entry = |node: &Node, key: &str| node.as_map().and_then(|m| m.get(key)).map(|e| e.key_span);
    if let Some(span) = sub("healthcheck").and_then(|hc| entry(hc, "start_interval")) {
        diags.push(
            Diagnostic::warning(format!(
                "`healthcheck.start_interval` of `{}` is ignored on ECS",
                svc.name
            ))
            .at(span)
            .help("ECS checks at `interval` from the start; `start_period` still applies"),
        );
    }
    for item in sub("secrets").and_then(Node::as_seq).unwrap_or_default() {
        for key in ["uid", "gid", "mode"] {
            if let Some(span) = entry(item, key) {
                diags.push(
                    Diagnostic::warning(format!("`{key}` of a secret of `{}` is ignored on ECS", svc.name))
                        .at(span)
                        .help("secret files are written by the secrets init container, readable by every user of the task"),
                );
            }
        }
    }
    for item in sub("volumes").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(span) = entry(item, "consistency") {
            diags.push(
                Diagnostic::warning("volume `consistency` is ignored on ECS")
                    .at(span)
                    .help("it only tuned bind mounts on Docker Desktop"),
            );
        }
        let Some(options) = item
            .as_map()
            .and_then(|m| m.get("volume"))
            .map(|e| &e.value)
        else {
            continue;
        };
        if let Some(span) = entry(options, "subpath") {
            diags.push(
                Diagnostic::error(format!("`volume.subpath` of `{}` cannot be mounted on ECS", svc.name))
                    .at(span)
                    .help("EFS mounts the volume's access point: give the subdirectory its own named volume with `driver_opts: {root_directory: /sub}`"),
            );
        }
        for key in ["nocopy", "labels"] {
            if let Some(span) = entry(options, key) {
                diags.push(
                    Diagnostic::warning(format!(
                        "`volume.{key}` of `{}` is ignored on ECS",
                        svc.name
                    ))
                    .at(span)
                    .help("EFS volumes start empty and carry the project's tags"),
                );
            }
        }
    }
}

fn check_network_mode(svc: &ComposeService, diags: &mut Diagnostics) {
    if let Some((span, node)) = svc.keys.get("network_mode") {
        let mode = node
            .as_scalar()
            .map(|s| s.text.as_str())
            .unwrap_or_default();
        if mode != "awsvpc" {
            diags.push(
                Diagnostic::error(format!("`network_mode: {mode}` cannot run on ECS Fargate"))
                    .at(node.span)
                    .label("Fargate tasks always use `awsvpc`")
                    .also(Some(*span), "set here")
                    .help("remove `network_mode`; services reach each other by name on their compose networks"),
            );
        }
    }
}

fn task_size(svc: &ComposeService, out: &mut Service, diags: &mut Diagnostics) {
    let deploy = svc.deploy.as_ref();
    let chosen = deploy.and_then(|d| d.limits.clone().or_else(|| d.reservations.clone()));
    let mut cpus = chosen.as_ref().and_then(|r| r.cpus.clone());
    let mut memory = chosen.as_ref().and_then(|r| r.memory.clone());
    // Legacy service-level `cpus` / `mem_limit` (compose v2 file format).
    if cpus.is_none()
        && let Some((span, node)) = svc.keys.get("cpus")
    {
        let value = node.to_json();
        let n = value
            .as_f64()
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()));
        cpus = n.map(|n| crate::compose::project::Spanned::new(n, *span));
    }
    if memory.is_none()
        && let Some((span, node)) = svc.keys.get("mem_limit")
    {
        let bytes = node
            .as_scalar()
            .and_then(|s| crate::compose::syntax::bytes(&s.text).ok());
        memory = bytes.map(|b| crate::compose::project::Spanned::new(b, *span));
    }
    let cpu_units = cpus.as_ref().map_or(0, |c| {
        // Docker: 1 CPU = 1000 units (nano-CPUs / 1e6).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let units = (c.value * 1000.0).round().max(0.0) as u64;
        units
    });
    let bytes = memory.as_ref().map_or(0, |m| m.value);
    if let Some((cpu, mem)) = size::fargate(cpu_units, bytes) {
        out.cpu = cpu;
        out.memory = mem;
    } else {
        let span = memory
            .as_ref()
            .and_then(|m| m.span)
            .or(cpus.as_ref().and_then(|c| c.span));
        diags.push(
            Diagnostic::error(format!("no Fargate task size fits service `{}`", svc.name))
                .at(span)
                .help("Fargate tasks have at most 16 vCPU and 120 GB; valid pairs are listed at docs/conversion.md#task-size"),
        );
        out.cpu = 256;
        out.memory = 512;
    }
}

fn deployment(svc: &ComposeService, out: &mut Service, diags: &mut Diagnostics) {
    out.desired_count = 1;
    out.min_percent = 100;
    out.max_percent = 200;
    if let Some((_, node)) = svc.keys.get("scale")
        && let Some(n) = node.to_json().as_u64()
    {
        out.desired_count = n;
    }
    let Some(deploy) = &svc.deploy else { return };
    if let Some(r) = &deploy.replicas {
        out.desired_count = r.value;
    }
    if let Some(mode) = &deploy.mode
        && mode.value == "global"
    {
        diags.push(
            Diagnostic::error("`deploy.mode: global` has no meaning on Fargate")
                .at(mode.span)
                .help("use `mode: replicated` with `replicas:`"),
        );
    }
    for (key, span) in &deploy.keys {
        let top = key.split('.').next().unwrap_or_default();
        let ignored = matches!(
            top,
            "endpoint_mode" | "labels" | "restart_policy" | "rollback_config" | "placement"
        ) || matches!(
            key.as_str(),
            "update_config.delay"
                | "update_config.monitor"
                | "update_config.max_failure_ratio"
                | "resources.limits.pids"
                | "resources.reservations.generic_resources"
        );
        if ignored {
            diags.push(
                Diagnostic::warning(format!("`deploy.{key}` of service `{}` is ignored on ECS", svc.name))
                    .at(*span)
                    .help("ECS restarts failed tasks itself and places Fargate tasks across the stack's subnets"),
            );
        }
    }
    let Some(update) = &deploy.update_config else {
        return;
    };
    let mut ext_percent = |key: &str| -> Option<(u32, Option<Span>)> {
        let node = update.extensions.get(key)?;
        if let Some(n) = node.to_json().as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some((n, Some(node.span)))
        } else {
            diags.push(
                Diagnostic::error(format!("`{key}` must be a whole percentage"))
                    .at(node.span)
                    .help("for example `x-aws-min_percent: 50`"),
            );
            None
        }
    };
    let min = ext_percent("x-aws-min_percent");
    let max = ext_percent("x-aws-max_percent");
    if let (Some(p), true) = (&update.parallelism, min.is_none() || max.is_none()) {
        let Some(replicas) = &deploy.replicas else {
            diags.push(
                Diagnostic::error("`update_config.parallelism` needs `deploy.replicas`")
                    .at(p.span)
                    .help("ECS rolls out by percentage of the desired count: set `replicas:`"),
            );
            return;
        };
        if replicas.value == 0 || replicas.value < p.value {
            diags.push(
                Diagnostic::error(format!(
                    "`deploy.replicas` ({}) must be at least `update_config.parallelism` ({})",
                    replicas.value, p.value
                ))
                .at(p.span)
                .also(replicas.span, "replicas set here")
                .help("lower `parallelism` or raise `replicas`"),
            );
            return;
        }
        let r = replicas.value;
        out.min_percent = u32::try_from((r - p.value) * 100 / r).unwrap_or(0);
        out.max_percent = u32::try_from((r + p.value) * 100 / r).unwrap_or(200);
    }
    if let Some((n, _)) = min {
        out.min_percent = n;
    }
    if let Some((n, _)) = max {
        out.max_percent = n;
    }
    if let Some(order) = &update.order
        && order.value == "stop-first"
        && update.extensions.get("x-aws-min_percent").is_none()
        && update.parallelism.is_none()
    {
        out.min_percent = 0;
        out.max_percent = 100;
    }
    if let Some(action) = &update.failure_action {
        out.rollback = action.value == "rollback";
    }
}

fn log_options(svc: &ComposeService, diags: &mut Diagnostics) -> crate::model::LogOptions {
    let mut out = crate::model::LogOptions::default();
    if let Some(logging) = &svc.logging {
        if let Some(driver) = logging.driver.as_deref()
            && driver != "awslogs"
        {
            diags.push(
                    Diagnostic::warning(format!("logging driver `{driver}` of `{}` is replaced by awslogs", svc.name))
                        .at(logging.span)
                        .help("ECS sends logs to the project's CloudWatch log group (`c2cfn logs`); remove `driver` to silence this"),
                );
        }
        for (k, v) in &logging.options {
            if k.starts_with("awslogs-") {
                out.extra.insert(k.clone(), v.clone());
            } else {
                diags.push(
                    Diagnostic::warning(format!(
                        "logging option `{k}` of `{}` is ignored",
                        svc.name
                    ))
                    .at(logging.span)
                    .help("only `awslogs-*` options apply on ECS"),
                );
            }
        }
    }
    out
}

fn main_container(
    svc: &ComposeService,
    ext: &ServiceExtensions,
    diags: &mut Diagnostics,
) -> Container {
    let image = match (&svc.image, &svc.build) {
        (Some(image), _) => Value::from(image.value.clone()),
        (None, Some(_)) => intrinsic::reference(&image_parameter(&svc.name)),
        (None, None) => {
            diags.push(
                Diagnostic::error(format!("service `{}` has neither `image` nor `build`", svc.name))
                    .at(svc.span)
                    .help("ECS runs images: add `image: repository:tag`, or `build: ./dir` to have `c2cfn up` build and push it to ECR"),
            );
            Value::from("")
        }
    };
    let mut environment = BTreeMap::new();
    for (k, v) in &svc.environment {
        match &v.value {
            Some(value) => {
                environment.insert(k.clone(), Value::from(value.clone()));
            }
            None => diags.push(
                Diagnostic::warning(format!("environment variable `{k}` of `{}` has no value and is left out", svc.name))
                    .at(v.span)
                    .help(format!("give it a value (`{k}=value`) or set {k} in the environment or the env file before rendering")),
            ),
        }
    }
    let mut c = Container {
        name: svc.name.clone(),
        image,
        essential: true,
        command: svc.command.as_ref().map(|c| c.value.clone()),
        entrypoint: svc.entrypoint.as_ref().map(|c| c.value.clone()),
        environment,
        working_dir: svc.working_dir.as_ref().map(|w| w.value.clone()),
        user: svc.user.as_ref().map(|u| u.value.clone()),
        init: svc.init.as_ref().is_some_and(|i| i.value),
        read_only: svc.read_only.as_ref().is_some_and(|r| r.value),
        tty: svc.tty.as_ref().is_some_and(|t| t.value),
        interactive: svc.stdin_open.as_ref().is_some_and(|t| t.value),
        labels: svc
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect(),
        pull_credentials: ext.pull_credentials.clone(),
        ..Container::default()
    };
    for port in &svc.ports {
        push_port(&mut c, port.target, &port.protocol);
    }
    for e in &svc.expose {
        let (num, proto) = e.value.split_once('/').unwrap_or((&e.value, "tcp"));
        match num.parse::<u16>() {
            Ok(n) if n > 0 => push_port(&mut c, n, proto),
            _ => diags.push(
                Diagnostic::error(format!("`expose` entry `{}` is not a port", e.value))
                    .at(e.span)
                    .help("write a port number such as `8080` or `8080/udp`"),
            ),
        }
    }
    if let Some(hc) = &svc.healthcheck
        && !hc.disable
    {
        c.healthcheck = hc.test.clone().map(|command| Healthcheck {
            command,
            interval: hc.interval,
            timeout: hc.timeout,
            retries: hc.retries,
            start_period: hc.start_period,
        });
    }
    if let Some(stop) = &svc.stop_grace_period {
        if stop.value > MAX_STOP_TIMEOUT {
            diags.push(
                Diagnostic::error(format!(
                    "`stop_grace_period` of `{}` is longer than Fargate's 120 s",
                    svc.name
                ))
                .at(stop.span)
                .help("use at most `2m`"),
            );
        }
        c.stop_timeout = Some(stop.value.min(MAX_STOP_TIMEOUT));
    }
    for cap in &svc.cap_add {
        if cap.value == "SYS_PTRACE" || cap.value == "CAP_SYS_PTRACE" {
            c.capabilities.0.push("SYS_PTRACE".into());
        } else {
            diags.push(
                Diagnostic::error(format!("Fargate cannot add capability `{}`", cap.value))
                    .at(cap.span)
                    .help("Fargate allows only `SYS_PTRACE` in `cap_add`"),
            );
        }
    }
    c.capabilities.1 = svc
        .cap_drop
        .iter()
        .map(|c| c.value.trim_start_matches("CAP_").to_owned())
        .collect();
    for (name, limit) in &svc.ulimits {
        if name == "nofile" {
            c.ulimits
                .push((name.clone(), limit.value.soft, limit.value.hard));
        } else {
            diags.push(
                Diagnostic::error(format!(
                    "Fargate supports only the `nofile` ulimit, not `{name}`"
                ))
                .at(limit.span)
                .help("remove this ulimit; Fargate fixes the others"),
            );
        }
    }
    c.sysctls = svc
        .sysctls
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    if let Some(deploy) = &svc.deploy {
        if let Some(mem) = deploy.reservations.as_ref().and_then(|r| r.memory.as_ref()) {
            c.memory_reservation = Some(mem.value / (1024 * 1024)).filter(|m| *m > 0);
        }
        for res in [&deploy.reservations, &deploy.limits].into_iter().flatten() {
            if let Some(g) = &res.gpus {
                diags.push(
                    Diagnostic::error(format!(
                        "service `{}` asks for GPUs, which Fargate does not have",
                        svc.name
                    ))
                    .at(g.span)
                    .help("remove the GPU device reservation; c2cfn deploys to Fargate only"),
                );
            }
        }
    }
    c
}

fn push_port(c: &mut Container, port: u16, protocol: &str) {
    let mapping = PortMapping {
        port,
        protocol: protocol.to_ascii_lowercase(),
    };
    if !c.ports.contains(&mapping) {
        c.ports.push(mapping);
    }
}

/// The template parameter that carries a built image (`<Service>Image`),
/// filled by `c2cfn up` with the pushed image pinned to its digest.
#[must_use]
pub fn image_parameter(service: &str) -> String {
    format!("{}Image", logical_id::normalize(service))
}

fn secrets_container(
    svc: &ComposeService,
    stack: &Stack,
    out: &mut Service,
    diags: &mut Diagnostics,
) -> Container {
    let mut args = Vec::new();
    let mut secrets = Vec::new();
    for s in &svc.secrets {
        let Some(secret) = stack.secrets.iter().find(|x| x.name == s.source) else {
            diags.push(
                Diagnostic::error(format!(
                    "service `{}` uses undefined secret `{}`",
                    svc.name, s.source
                ))
                .at(s.span)
                .help("declare it under the top-level `secrets:`"),
            );
            continue;
        };
        let arn = secret_arn(secret);
        out.secret_arns.push(arn.clone());
        secrets.push((s.target.clone(), arn));
        let keys = if secret.keys.is_empty() {
            Value::Null
        } else {
            json!(secret.keys)
        };
        args.push(json!({ "Name": s.target, "Keys": keys }));
    }
    out.volumes.push(TaskVolume::Scratch {
        name: "secrets".into(),
    });
    Container {
        name: format!("{}_Secrets_InitContainer", logical_id::normalize(&svc.name)),
        image: Value::from(SECRETS_IMAGE),
        command: Some(vec![Value::Array(args).to_string()]),
        secrets,
        mounts: vec![Mount {
            volume: "secrets".into(),
            path: "/run/secrets/".into(),
            read_only: false,
        }],
        ..Container::default()
    }
}

/// `ValueFrom` of a secret: the external ARN/name, or the stack's secret.
#[must_use]
pub fn secret_arn(secret: &crate::model::Secret) -> Value {
    match &secret.existing {
        Some(name) => Value::from(name.clone()),
        None => intrinsic::reference(&secret_id(&secret.full_name)),
    }
}

/// `<FullName>Secret`: Docker named the resource after the secret's full
/// compose name (`<project>_<key>` unless `name:` is given).
#[must_use]
pub fn secret_id(full_name: &str) -> String {
    format!("{}Secret", logical_id::normalize(full_name))
}

fn volumes(
    svc: &ComposeService,
    stack: &Stack,
    working_dir: &std::path::Path,
    main: &mut Container,
    out: &mut Service,
    diags: &mut Diagnostics,
) {
    for v in &svc.volumes {
        match v.kind.as_str() {
            "volume" => {
                let Some(source) = &v.source else {
                    diags.push(
                        Diagnostic::error(format!("anonymous volume `{}` of `{}` cannot be kept on ECS", v.target, svc.name))
                            .at(v.span)
                            .help(format!("name it: declare `volumes: {{data: {{}}}}` at the top level and mount `data:{}`", v.target)),
                    );
                    continue;
                };
                if !stack.file_systems.iter().any(|f| &f.name == source) {
                    diags.push(
                        Diagnostic::error(format!("service `{}` mounts undefined volume `{source}`", svc.name))
                            .at(v.span)
                            .help("declare it under the top-level `volumes:`"),
                    );
                    continue;
                }
                if !out.volume_names.contains(source) {
                    out.volume_names.push(source.clone());
                    out.volumes.push(TaskVolume::Efs { name: source.clone() });
                }
                main.mounts.push(Mount {
                    volume: source.clone(),
                    path: v.target.clone(),
                    read_only: v.read_only,
                });
            }
            "bind" => diags.push(
                Diagnostic::error(format!(
                    "service `{}` mounts host path `{}`, which Fargate cannot do",
                    svc.name,
                    shown_path(v.source.as_deref().unwrap_or(""), working_dir)
                ))
                    .at(v.span)
                    .label("bind mount")
                    .help("there is no host on Fargate: bake the files into the image, or use a named volume (EFS) declared under top-level `volumes:`"),
            ),
            "tmpfs" => diags.push(
                Diagnostic::error(format!("service `{}` mounts a tmpfs, which Fargate cannot do", svc.name))
                    .at(v.span)
                    .help("write to a directory in the container, or use a named volume (EFS)"),
            ),
            other => diags.push(
                Diagnostic::error(format!("volume type `{other}` cannot be mounted on Fargate"))
                    .at(v.span)
                    .help("only named volumes (EFS) can be mounted"),
            ),
        }
    }
}

fn policy_document(role: &Value) -> Value {
    // Docker took a whole policy document; a bare list of statements is
    // accepted too.
    match role {
        Value::Array(statements) => json!({ "Version": "2012-10-17", "Statement": statements }),
        Value::Object(map) if !map.contains_key("Statement") => {
            json!({ "Version": "2012-10-17", "Statement": [role] })
        }
        other => other.clone(),
    }
}

/// `depends_on` must name services of the project (the loader checks
/// profiles; cycles would deadlock CloudFormation).
pub(super) fn check_depends_on(project: &Project, diags: &mut Diagnostics) {
    for svc in project.services.values() {
        for (dep, d) in &svc.depends_on {
            if !project.services.contains_key(dep) {
                diags.push(
                    Diagnostic::error(format!(
                        "service `{}` depends on unknown service `{dep}`",
                        svc.name
                    ))
                    .at(d.span)
                    .help(super::known_services(project)),
                );
            }
        }
    }
    // Cycle detection (depth-first).
    let names: Vec<&String> = project.services.keys().collect();
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for name in names {
        let mut path = Vec::new();
        if let Some(cycle) = visit(project, name, &mut state, &mut path) {
            let svc = &project.services[name.as_str()];
            diags.push(
                Diagnostic::error(format!(
                    "services depend on each other in a cycle: {}",
                    cycle.join(" → ")
                ))
                .at(svc.keys.get("depends_on").map(|(s, _)| *s))
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

/// A host path relative to the project directory when it lies inside it
/// (the loader made it absolute; users wrote it relative).
fn shown_path(path: &str, working_dir: &std::path::Path) -> String {
    match std::path::Path::new(path).strip_prefix(working_dir) {
        Ok(rel) => format!("./{}", rel.display()),
        Err(_) => path.to_owned(),
    }
}
