//! The conversion table: every compose service key and what c2cfn does
//! with it. `docs/conversion.md` is checked against this table and against
//! the Compose JSON schema by the test suite, so no key can be forgotten.
//!
//! Keys marked `Mapped` are lowered by the other files of this stage (some
//! with value checks of their own); `Ignored` keys are accepted with a
//! warning saying why they do not apply on ECS; `Rejected` keys are errors,
//! since deploying without them would change what the service does.

use crate::compose::project::Service;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// What happens to one service key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Lowered to the resource or property named.
    Mapped(&'static str),
    /// Accepted with a warning: the reason.
    Ignored(&'static str),
    /// An error: the reason, and the way out.
    Rejected(&'static str, &'static str),
    /// Resolved by the loader before lowering (`extends`, `profiles`, ...).
    Loader(&'static str),
}

/// Every service key of the Compose specification, in schema order.
pub const SERVICE_KEYS: &[(&str, Support)] = &[
    (
        "develop",
        Support::Ignored("`develop` (watch/sync) only applies to a local `docker compose watch`"),
    ),
    (
        "deploy",
        Support::Mapped(
            "ECS service (DesiredCount, DeploymentConfiguration) and task size; see `deploy.*` rows",
        ),
    ),
    (
        "annotations",
        Support::Ignored("annotations have no ECS equivalent; use `labels` (DockerLabels)"),
    ),
    (
        "attach",
        Support::Ignored("`attach` only affects local `docker compose up` output"),
    ),
    (
        "build",
        Support::Mapped("ECR repository image; `c2cfn up` builds and pushes it"),
    ),
    (
        "blkio_config",
        Support::Ignored("Fargate does not expose block IO weights"),
    ),
    (
        "cap_add",
        Support::Mapped("LinuxParameters.Capabilities.Add (Fargate allows only SYS_PTRACE)"),
    ),
    (
        "cap_drop",
        Support::Mapped("LinuxParameters.Capabilities.Drop"),
    ),
    ("cgroup", Support::Ignored("Fargate manages cgroups")),
    ("cgroup_parent", Support::Ignored("Fargate manages cgroups")),
    ("command", Support::Mapped("ContainerDefinition.Command")),
    (
        "configs",
        Support::Rejected(
            "ECS has no configs",
            "declare the file as a secret (`secrets:`), or bake it into the image",
        ),
    ),
    (
        "container_name",
        Support::Ignored("ECS names containers after the service"),
    ),
    (
        "cpu_count",
        Support::Ignored("Windows only; use deploy.resources.limits.cpus"),
    ),
    (
        "cpu_percent",
        Support::Ignored("Windows only; use deploy.resources.limits.cpus"),
    ),
    (
        "cpu_shares",
        Support::Ignored("use deploy.resources.limits.cpus for the Fargate task size"),
    ),
    (
        "cpu_quota",
        Support::Ignored("use deploy.resources.limits.cpus for the Fargate task size"),
    ),
    (
        "cpu_period",
        Support::Ignored("use deploy.resources.limits.cpus for the Fargate task size"),
    ),
    (
        "cpu_rt_period",
        Support::Ignored("Fargate has no real-time scheduling"),
    ),
    (
        "cpu_rt_runtime",
        Support::Ignored("Fargate has no real-time scheduling"),
    ),
    (
        "cpus",
        Support::Mapped("task Cpu (as deploy.resources.limits.cpus)"),
    ),
    ("cpuset", Support::Ignored("Fargate does not pin CPUs")),
    (
        "credential_spec",
        Support::Rejected(
            "gMSA credential specs are for Windows containers",
            "remove `credential_spec`",
        ),
    ),
    (
        "depends_on",
        Support::Mapped("DependsOn between ECS services"),
    ),
    (
        "device_cgroup_rules",
        Support::Rejected(
            "Fargate gives containers no devices",
            "remove `device_cgroup_rules`",
        ),
    ),
    (
        "devices",
        Support::Rejected(
            "Fargate gives containers no host devices",
            "remove `devices`",
        ),
    ),
    (
        "dns",
        Support::Rejected(
            "Fargate tasks (awsvpc) cannot set DNS servers",
            "remove `dns`; services resolve each other through Cloud Map",
        ),
    ),
    (
        "dns_opt",
        Support::Rejected(
            "Fargate tasks (awsvpc) cannot set DNS options",
            "remove `dns_opt`",
        ),
    ),
    (
        "dns_search",
        Support::Rejected(
            "Fargate tasks (awsvpc) cannot set DNS search domains",
            "remove `dns_search`; c2cfn adds the project's Cloud Map domain itself",
        ),
    ),
    (
        "domainname",
        Support::Rejected(
            "Fargate tasks (awsvpc) cannot set a domain name",
            "remove `domainname`",
        ),
    ),
    (
        "entrypoint",
        Support::Mapped("ContainerDefinition.EntryPoint"),
    ),
    (
        "env_file",
        Support::Loader("read by the loader and merged into `environment`"),
    ),
    (
        "label_file",
        Support::Loader("read by the loader and merged into `labels`"),
    ),
    (
        "environment",
        Support::Mapped("ContainerDefinition.Environment"),
    ),
    (
        "expose",
        Support::Mapped(
            "ContainerDefinition.PortMappings (reachable inside the project's networks, not published)",
        ),
    ),
    ("extends", Support::Loader("resolved by the loader")),
    (
        "provider",
        Support::Rejected(
            "provider services run a local plugin",
            "deploy that dependency separately and pass its address in `environment`",
        ),
    ),
    (
        "external_links",
        Support::Rejected(
            "ECS cannot link to containers outside the stack",
            "reach the other service by its DNS name instead",
        ),
    ),
    (
        "extra_hosts",
        Support::Rejected(
            "Fargate tasks (awsvpc) cannot add /etc/hosts entries",
            "use DNS names (Route 53 or Cloud Map) instead",
        ),
    ),
    (
        "gpus",
        Support::Rejected(
            "Fargate has no GPUs",
            "run GPU workloads on an EC2 capacity provider; c2cfn targets Fargate",
        ),
    ),
    (
        "group_add",
        Support::Ignored("ECS cannot add supplementary groups; set them in the image"),
    ),
    (
        "healthcheck",
        Support::Mapped("ContainerDefinition.HealthCheck"),
    ),
    (
        "hostname",
        Support::Rejected(
            "Fargate tasks (awsvpc) cannot set a hostname",
            "remove `hostname`; other services reach this one by its service name",
        ),
    ),
    ("image", Support::Mapped("ContainerDefinition.Image")),
    (
        "init",
        Support::Mapped("LinuxParameters.InitProcessEnabled"),
    ),
    (
        "ipc",
        Support::Rejected("Fargate does not support IPC modes", "remove `ipc`"),
    ),
    ("isolation", Support::Ignored("Windows only")),
    (
        "labels",
        Support::Mapped("ContainerDefinition.DockerLabels"),
    ),
    (
        "links",
        Support::Ignored(
            "services reach each other by name through Cloud Map; links are not needed",
        ),
    ),
    (
        "logging",
        Support::Mapped("LogConfiguration (awslogs, `awslogs-*` options)"),
    ),
    (
        "mac_address",
        Support::Rejected(
            "Fargate assigns network interfaces itself",
            "remove `mac_address`",
        ),
    ),
    (
        "mem_limit",
        Support::Mapped("task Memory (as deploy.resources.limits.memory)"),
    ),
    (
        "mem_reservation",
        Support::Mapped("ContainerDefinition.MemoryReservation"),
    ),
    ("mem_swappiness", Support::Ignored("Fargate has no swap")),
    ("memswap_limit", Support::Ignored("Fargate has no swap")),
    (
        "network_mode",
        Support::Mapped("only `awsvpc` (Fargate's mode) is accepted"),
    ),
    (
        "models",
        Support::Rejected(
            "model runners are a local Docker feature",
            "deploy the model behind an API and pass its URL in `environment`",
        ),
    ),
    (
        "networks",
        Support::Mapped("security groups (one per network) on the ECS service"),
    ),
    (
        "oom_kill_disable",
        Support::Ignored("Fargate always enforces the task memory"),
    ),
    (
        "oom_score_adj",
        Support::Ignored("Fargate does not expose OOM scores"),
    ),
    (
        "pid",
        Support::Rejected(
            "Fargate does not share PID namespaces with the host",
            "remove `pid`",
        ),
    ),
    (
        "pids_limit",
        Support::Ignored("Fargate does not limit PIDs per container"),
    ),
    (
        "platform",
        Support::Mapped("RuntimePlatform (linux/amd64 → X86_64, linux/arm64 → ARM64)"),
    ),
    (
        "ports",
        Support::Mapped(
            "load balancer listener and target group, PortMappings, security group ingress",
        ),
    ),
    (
        "post_start",
        Support::Rejected(
            "ECS has no lifecycle hooks",
            "run the command in the image's entrypoint",
        ),
    ),
    (
        "pre_stop",
        Support::Rejected(
            "ECS has no lifecycle hooks",
            "handle SIGTERM in the application",
        ),
    ),
    (
        "privileged",
        Support::Rejected(
            "Fargate does not run privileged containers",
            "remove `privileged`; grant only what is needed with `cap_add: [SYS_PTRACE]`",
        ),
    ),
    (
        "profiles",
        Support::Loader("services outside the active profiles are not rendered"),
    ),
    (
        "pull_policy",
        Support::Ignored(
            "ECS pulls the image at every task start (images are pinned by digest at deploy)",
        ),
    ),
    (
        "pull_refresh_after",
        Support::Ignored("ECS pulls the image at every task start"),
    ),
    (
        "read_only",
        Support::Mapped("ContainerDefinition.ReadonlyRootFilesystem"),
    ),
    (
        "restart",
        Support::Ignored("ECS always replaces stopped tasks of a service"),
    ),
    (
        "runtime",
        Support::Ignored("Fargate chooses the container runtime"),
    ),
    (
        "scale",
        Support::Mapped("ECS service DesiredCount (as deploy.replicas)"),
    ),
    (
        "security_opt",
        Support::Rejected(
            "Fargate does not accept security options",
            "remove `security_opt`",
        ),
    ),
    (
        "shm_size",
        Support::Rejected(
            "Fargate does not support a shared memory size",
            "remove `shm_size`",
        ),
    ),
    (
        "secrets",
        Support::Mapped(
            "files under /run/secrets from Secrets Manager (Docker's secrets init container)",
        ),
    ),
    (
        "sysctls",
        Support::Mapped("ContainerDefinition.SystemControls"),
    ),
    (
        "stdin_open",
        Support::Mapped("ContainerDefinition.Interactive"),
    ),
    (
        "stop_grace_period",
        Support::Mapped("ContainerDefinition.StopTimeout (at most 120 s on Fargate)"),
    ),
    (
        "stop_signal",
        Support::Ignored("ECS sends SIGTERM; set STOPSIGNAL in the image"),
    ),
    (
        "storage_opt",
        Support::Ignored("Fargate storage is ephemeral and fixed per task"),
    ),
    (
        "tmpfs",
        Support::Rejected(
            "Fargate does not support tmpfs mounts",
            "write to a path inside the container or use a named volume (EFS)",
        ),
    ),
    ("tty", Support::Mapped("ContainerDefinition.PseudoTerminal")),
    (
        "ulimits",
        Support::Mapped("ContainerDefinition.Ulimits (Fargate accepts `nofile` only)"),
    ),
    (
        "use_api_socket",
        Support::Rejected(
            "there is no Docker engine socket on Fargate",
            "remove `use_api_socket`",
        ),
    ),
    ("user", Support::Mapped("ContainerDefinition.User")),
    (
        "uts",
        Support::Rejected(
            "Fargate does not share the host's UTS namespace",
            "remove `uts`",
        ),
    ),
    (
        "userns_mode",
        Support::Ignored("Fargate manages user namespaces"),
    ),
    (
        "volumes",
        Support::Mapped("EFS volumes (named volumes); host paths are rejected"),
    ),
    (
        "volumes_from",
        Support::Rejected(
            "ECS tasks do not share volumes across services",
            "declare a named volume (EFS) and mount it in both services",
        ),
    ),
    (
        "working_dir",
        Support::Mapped("ContainerDefinition.WorkingDirectory"),
    ),
];

/// Looks a key up in the table.
#[must_use]
pub fn support(key: &str) -> Option<Support> {
    SERVICE_KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, s)| *s)
}

/// Reports every ignored or rejected key the user wrote for `service`.
pub fn check(service: &Service, diags: &mut Diagnostics) {
    for (key, span) in &service.keys {
        match support(key) {
            Some(Support::Ignored(why)) => diags.push(
                Diagnostic::warning(format!(
                    "`{key}` of service `{}` is ignored on ECS",
                    service.name
                ))
                .at(*span)
                .label("ignored")
                .help(why),
            ),
            Some(Support::Rejected(why, fix)) => diags.push(
                Diagnostic::error(format!(
                    "`{key}` of service `{}` cannot run on ECS Fargate: {why}",
                    service.name
                ))
                .at(*span)
                .label("not supported on Fargate")
                .help(fix),
            ),
            _ => {}
        }
    }
}
