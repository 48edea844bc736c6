//! The typed compose project: what `compose::load` produces and `lower`
//! consumes. Plain data with the spans that later errors cite; no AWS
//! concepts. Values are already interpolated, merged across files, extended
//! and filtered by profile; short syntaxes are normalised to long ones.

use std::path::PathBuf;

use indexmap::IndexMap;
use serde::Serialize;

use super::yaml::Node;
use crate::source::Span;

/// A value with the place it was written (None when c2cfn filled it in).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    #[serde(skip)]
    pub span: Option<Span>,
}

impl<T> Spanned<T> {
    /// Wraps a value written at `span`.
    pub fn new(value: T, span: impl Into<Option<Span>>) -> Self {
        Self {
            value,
            span: span.into(),
        }
    }
}

/// A loaded compose project.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// The project name (normalised as compose does).
    pub name: String,
    /// The directory relative paths are resolved against.
    #[serde(skip)]
    pub working_dir: PathBuf,
    /// Services by name, in document order.
    pub services: IndexMap<String, Service>,
    /// Networks by name (always includes `default` when a service uses it).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub networks: IndexMap<String, Network>,
    /// Named volumes.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub volumes: IndexMap<String, Volume>,
    /// Secrets.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub secrets: IndexMap<String, Secret>,
    /// Configs (lowered like file secrets are not; reported when used).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub configs: IndexMap<String, Secret>,
    /// Top-level `x-*` extensions, unparsed (each consumer types its own).
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "ser_nodes"
    )]
    pub extensions: IndexMap<String, Node>,
    /// Top-level keys the loader saw but does not model (e.g. `version`),
    /// kept so `lower` can report them.
    #[serde(skip)]
    pub ignored: Vec<(String, Span)>,
}

/// One service.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// The service name.
    #[serde(skip)]
    pub name: String,
    /// Where the service's name was written.
    #[serde(skip)]
    pub span: Span,
    /// `image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Spanned<String>>,
    /// `build` (context path and the rest, unparsed beyond the context).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// `command`, as argv.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Spanned<Vec<String>>>,
    /// `entrypoint`, as argv.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Spanned<Vec<String>>>,
    /// `environment` merged over `env_file` (None = take from the caller's environment, which compose resolves at load time).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub environment: IndexMap<String, Spanned<Option<String>>>,
    /// `ports`, long syntax.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    /// `expose`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<Spanned<String>>,
    /// `volumes`, long syntax.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<VolumeMount>,
    /// `secrets`, long syntax.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretRef>,
    /// `configs`, long syntax.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<SecretRef>,
    /// `healthcheck`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// `deploy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// `depends_on`, long syntax.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub depends_on: IndexMap<String, Dependency>,
    /// `networks` this service joins (`default` when none is given).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub networks: IndexMap<String, ServiceNetwork>,
    /// `working_dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<Spanned<String>>,
    /// `user`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Spanned<String>>,
    /// `init`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<Spanned<bool>>,
    /// `read_only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<Spanned<bool>>,
    /// `privileged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged: Option<Spanned<bool>>,
    /// `tty`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<Spanned<bool>>,
    /// `stdin_open`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdin_open: Option<Spanned<bool>>,
    /// `ulimits` (soft, hard).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub ulimits: IndexMap<String, Spanned<Ulimit>>,
    /// `labels`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, Spanned<String>>,
    /// `cap_add`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<Spanned<String>>,
    /// `cap_drop`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<Spanned<String>>,
    /// `tmpfs` mount targets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tmpfs: Vec<Spanned<String>>,
    /// `sysctls`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub sysctls: IndexMap<String, Spanned<String>>,
    /// `stop_grace_period`, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<Spanned<u64>>,
    /// `logging` driver options (only `awslogs`-compatible options are used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// `platform`, e.g. `linux/arm64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Spanned<String>>,
    /// `profiles`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// `x-*` keys of the service, unparsed.
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "ser_nodes"
    )]
    pub extensions: IndexMap<String, Node>,
    /// Every key the user wrote for this service, with its span and value:
    /// `lower` checks each against the conversion table so nothing written
    /// is ever dropped silently.
    #[serde(skip)]
    pub keys: IndexMap<String, (Span, Node)>,
}

/// `build`.
#[derive(Debug, Clone, Serialize)]
pub struct Build {
    /// The build context (a path relative to the project or a URL).
    pub context: Spanned<String>,
    /// `dockerfile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    /// `args`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub args: IndexMap<String, Option<String>>,
    /// `target`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Where `build` was written.
    #[serde(skip)]
    pub span: Span,
}

/// One published or exposed port (long syntax).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Port {
    /// Container port.
    pub target: u16,
    /// Host/published port (ECS uses the container port: Fargate maps 1:1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<u16>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// A long-syntax port without `protocol:`. Docker's converter named the
    /// listener and target group of such a port without a protocol
    /// (`Web80Listener`), so the logical IDs need to know.
    #[serde(skip)]
    pub protocol_defaulted: bool,
    /// `ingress` or `host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `host_ip`, when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// `app_protocol`, when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// `x-*` keys of a long-syntax port (Docker's `x-aws-protocol`).
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "ser_nodes"
    )]
    pub extensions: IndexMap<String, Node>,
    /// Where the entry was written.
    #[serde(skip)]
    pub span: Span,
}

/// One `volumes` entry of a service (long syntax).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolumeMount {
    /// `volume`, `bind`, `tmpfs`, `npipe`, `cluster` or `image`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Named volume or host path (absolute after loading); None for anonymous volumes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Path in the container.
    pub target: String,
    /// `read_only`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// Where the entry was written.
    #[serde(skip)]
    pub span: Span,
}

/// One `secrets`/`configs` entry of a service (long syntax).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecretRef {
    /// Top-level secret name.
    pub source: String,
    /// File name under `/run/secrets/` (defaults to `source`).
    pub target: String,
    /// Where the entry was written.
    #[serde(skip)]
    pub span: Span,
}

/// `healthcheck`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Healthcheck {
    /// `test`, as ECS wants it (`CMD`/`CMD-SHELL` first); None with `disable: true` or `NONE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<Vec<String>>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<u64>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// `retries`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period: Option<u64>,
    /// True for `disable: true` or `test: [NONE]`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disable: bool,
    /// Where `healthcheck` was written.
    #[serde(skip)]
    pub span: Span,
}

/// `deploy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Deploy {
    /// `mode` (`replicated` or `global`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Spanned<String>>,
    /// `replicas`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Spanned<u64>>,
    /// `resources.limits`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<Resources>,
    /// `resources.reservations`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservations: Option<Resources>,
    /// `update_config`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_config: Option<UpdateConfig>,
    /// `restart_policy.condition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_condition: Option<Spanned<String>>,
    /// `labels`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// `placement.constraints` (reported: Fargate has no placement).
    #[serde(skip)]
    pub placement: Option<Span>,
    /// Every key written under `deploy`, for the conversion checks.
    #[serde(skip)]
    pub keys: IndexMap<String, Span>,
    /// `x-*` keys under `deploy` (Docker's `x-aws-autoscaling` lives here).
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "ser_nodes"
    )]
    pub extensions: IndexMap<String, Node>,
}

/// CPU and memory of `deploy.resources.{limits,reservations}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Resources {
    /// vCPUs (`cpus: 0.5`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<Spanned<f64>>,
    /// Bytes (`memory: 512M`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Spanned<u64>>,
    /// Devices with `capabilities: [gpu]`: the number of GPUs asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<Spanned<u64>>,
}

/// `deploy.update_config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateConfig {
    /// `parallelism`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<Spanned<u64>>,
    /// `order`: `start-first` or `stop-first`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<Spanned<String>>,
    /// `failure_action`: `rollback` (default: ECS circuit breaker with rollback), `pause` (circuit breaker without rollback), `continue` (no circuit breaker).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_action: Option<Spanned<String>>,
    /// `x-*` keys under `update_config` (Docker's `x-aws-min_percent`/`x-aws-max_percent`).
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "ser_nodes"
    )]
    pub extensions: IndexMap<String, Node>,
}

/// One `depends_on` entry (long syntax).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dependency {
    /// `service_started`, `service_healthy` or `service_completed_successfully`.
    pub condition: String,
    /// `required`.
    pub required: bool,
    /// Where the entry was written.
    #[serde(skip)]
    pub span: Span,
}

/// A service's membership of one network.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceNetwork {
    /// `aliases`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Where the entry was written (None for the implicit default network).
    #[serde(skip)]
    pub span: Option<Span>,
}

/// `ulimits` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ulimit {
    /// Soft limit.
    pub soft: i64,
    /// Hard limit.
    pub hard: i64,
}

/// `logging`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Logging {
    /// `driver`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// `options`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub options: IndexMap<String, String>,
    /// Where `logging` was written.
    #[serde(skip)]
    pub span: Span,
}

/// A top-level network.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Network {
    /// `name` (the physical name, when external).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `external`: for ECS, the id of an existing security group.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// `internal`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// `x-*` keys.
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "ser_nodes"
    )]
    pub extensions: IndexMap<String, Node>,
    /// Every key written, for the conversion checks.
    #[serde(skip)]
    pub keys: IndexMap<String, Span>,
    /// Where the network was declared (None for the implicit default).
    #[serde(skip)]
    pub span: Option<Span>,
}

/// A top-level volume.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Volume {
    /// `name` (for external volumes: the EFS file system id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `external`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// `driver`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// `driver_opts` (EFS settings such as `performance_mode`, `throughput_mode`, `provisioned_throughput`, `uid`, `gid`, `permissions`, `root_directory`, `backup_policy`, `lifecycle_policy`).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub driver_opts: IndexMap<String, Spanned<String>>,
    /// `labels`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// `x-*` keys.
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "ser_nodes"
    )]
    pub extensions: IndexMap<String, Node>,
    /// Every key written, for the conversion checks.
    #[serde(skip)]
    pub keys: IndexMap<String, Span>,
    /// Where the volume was declared.
    #[serde(skip)]
    pub span: Option<Span>,
}

/// A top-level secret or config.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Secret {
    /// `name` (for external secrets: the Secrets Manager name or ARN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `file` (absolute after loading): uploaded at deploy time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// `environment`: the value comes from a variable at deploy time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// `content` (configs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `external`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// `x-*` keys (`x-aws-keys`).
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "ser_nodes"
    )]
    pub extensions: IndexMap<String, Node>,
    /// Every key written, for the conversion checks.
    #[serde(skip)]
    pub keys: IndexMap<String, Span>,
    /// Where the secret was declared.
    #[serde(skip)]
    pub span: Option<Span>,
}

fn ser_nodes<S: serde::Serializer>(
    nodes: &IndexMap<String, Node>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(nodes.len()))?;
    for (k, v) in nodes {
        map.serialize_entry(k, &v.to_json())?;
    }
    map.end()
}
