//! One compose service → an ECS service, its task definition and roles.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{checks, deployment};
use crate::compose::Project;
use crate::compose::extensions::ServiceExtensions;
use crate::compose::project::Service as ComposeService;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::naming::normalize;
use crate::model::{
    Container, EnvValue, Healthcheck, Image, JsonText, Mount, PortMapping, SecretRef, Service,
    Stack, TaskVolume, TlsPort,
};

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
        span: Some(svc.span),
        networks: svc.networks.keys().cloned().collect(),
        depends_on: svc.depends_on.keys().cloned().collect(),
        exec: ext.exec.unwrap_or(true),
        public_ip: ext.assign_public_ip.unwrap_or(true),
        built: svc.image.is_none() && svc.build.is_some(),
        ..Service::default()
    };
    checks::check_network_mode(svc, diags);
    checks::check_sub_keys(svc, diags);
    checks::check_image(svc, diags);
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
    deployment::task_size(svc, &mut out, diags);
    deployment::deployment(svc, &mut out, diags);
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
        name: format!("{}_ResolvConf_InitContainer", normalize(&svc.name)),
        image: Image::Given(SEARCH_DOMAIN_IMAGE.to_owned()),
        command: None,
        ..Container::default()
    });
    let mut main = main_container(svc, &ext, diags);
    check_reservation(svc, main.memory_reservation, out.memory, diags);
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
        out.secret_arns
            .insert(0, SecretRef::Existing(creds.clone()));
    }
    out.role = ext
        .role
        .as_ref()
        .map(|role| JsonText(policy_document(role).to_string()));
    out.managed_policies = ext.policies.clone().unwrap_or_default();
    out.tls = tls_ports(&ext, diags);
    out.ssh = super::exposure::ssh(svc, ext.ssh.as_ref(), diags);
    let autoscaling = deployment::deploy_autoscaling(svc, diags).or(ext.autoscaling.clone());
    if let Some(a) = autoscaling {
        out.scaling = deployment::scaling(svc, &a, diags);
    }
    out
}

fn service_extensions(svc: &ComposeService, diags: &mut Diagnostics) -> ServiceExtensions {
    diags.extend(svc.extensions.problems.clone());
    svc.extensions.value.clone()
}

/// `x-aws-tls` entries by container port.
fn tls_ports(ext: &ServiceExtensions, diags: &mut Diagnostics) -> BTreeMap<u16, TlsPort> {
    let mut out = BTreeMap::new();
    for spanned in ext.tls.iter().flatten() {
        let t = &spanned.value;
        if !t.certificate.value.starts_with("arn:") {
            diags.push(
                Diagnostic::error(format!(
                    "the TLS certificate of port {} must be an ACM certificate ARN",
                    t.port
                ))
                .at(t.certificate.span.or(spanned.span))
                .help("set `certificate: ${certificate_arn}` and put `certificate_arn=arn:aws:acm:…` in the environment file"),
            );
        }
        out.insert(
            t.port,
            TlsPort {
                certificate: t.certificate.value.clone(),
                public_port: t.published.unwrap_or(443),
                ssl_policy: t
                    .ssl_policy
                    .clone()
                    .unwrap_or_else(|| crate::model::DEFAULT_SSL_POLICY.to_owned()),
            },
        );
    }
    out
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

/// ECS refuses a container whose memory reservation exceeds the task's memory.
fn check_reservation(
    svc: &ComposeService,
    reservation: Option<u64>,
    task_memory: u32,
    diags: &mut Diagnostics,
) {
    let Some(mib) = reservation.filter(|m| *m > u64::from(task_memory)) else {
        return;
    };
    let span = svc
        .deploy
        .as_ref()
        .and_then(|d| d.reservations.as_ref())
        .and_then(|r| r.memory.as_ref())
        .and_then(|m| m.span)
        .or_else(|| svc.mem_reservation.as_ref().map(|m| m.span));
    diags.push(
        Diagnostic::error(format!(
            "service `{}` reserves {mib} MiB of memory, more than its task's {task_memory} MiB",
            svc.name
        ))
        .at(span)
        .help("lower the reservation, or raise the memory limit (`deploy.resources.limits.memory` or `mem_limit`)"),
    );
}

fn main_container(
    svc: &ComposeService,
    ext: &ServiceExtensions,
    diags: &mut Diagnostics,
) -> Container {
    let image = match (&svc.image, &svc.build) {
        (Some(image), _) => Image::Given(image.value.clone()),
        (None, Some(_)) => Image::Built {
            service: svc.name.clone(),
        },
        (None, None) => {
            diags.push(
                Diagnostic::error(format!("service `{}` has neither `image` nor `build`", svc.name))
                    .at(svc.span)
                    .help("ECS runs images: add `image: repository:tag`, or `build: ./dir` to have `c2cfn up` build and push it to ECR"),
            );
            Image::Missing
        }
    };
    let mut environment = BTreeMap::new();
    for (k, v) in &svc.environment {
        match &v.value {
            Some(value) => {
                environment.insert(k.clone(), EnvValue::Literal(value.clone()));
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
    // Legacy `mem_reservation` (compose v2), unless `deploy` reserves memory.
    if let Some(legacy) = &svc.mem_reservation {
        match &legacy.value {
            Ok(bytes) => c.memory_reservation = Some(bytes / (1024 * 1024)).filter(|m| *m > 0),
            Err(e) => diags.push(e.clone()),
        }
    }
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
        let arn = secret_ref(secret);
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
        name: format!("{}_Secrets_InitContainer", normalize(&svc.name)),
        image: Image::Given(SECRETS_IMAGE.to_owned()),
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

/// What a task reads for a secret: the external ARN/name, or the stack's secret.
#[must_use]
pub fn secret_ref(secret: &crate::model::Secret) -> SecretRef {
    match &secret.existing {
        Some(name) => SecretRef::Existing(name.clone()),
        None => SecretRef::Stack(secret.name.clone()),
    }
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

/// A host path relative to the project directory when it lies inside it
/// (the loader made it absolute; users wrote it relative).
fn shown_path(path: &str, working_dir: &std::path::Path) -> String {
    match std::path::Path::new(path).strip_prefix(working_dir) {
        Ok(rel) => format!("./{}", rel.display()),
        Err(_) => path.to_owned(),
    }
}
