//! The typed compose project: what `compose::load` produces and `lower`
//! consumes. Plain data with the spans that later errors cite; no AWS
//! concepts. Values are already interpolated, merged across files, extended
//! and filtered by profile; short syntaxes are normalised to long ones.

use std::path::PathBuf;

use indexmap::IndexMap;
use serde::Serialize;

use super::extensions::{
    DeployExtensions, NetworkExtensions, PortExtensions, ProjectExtensions, SecretExtensions,
    ServiceExtensions, UpdateExtensions,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
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

/// The `x-*` keys of one mapping, typed by the loader: the `x-aws-*` keys
/// c2cfn understands as `T` (with spans inside), and where every `x-*` key
/// was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extensions<T> {
    /// The `x-aws-*` keys that could be typed (one with an error is left
    /// out, a list item at fault too).
    pub value: T,
    /// Every `x-*` key written (the user's own ones too), with the span of
    /// the key.
    pub keys: IndexMap<String, Span>,
    /// The span of each `x-*` key's value.
    pub spans: IndexMap<String, Span>,
    /// Errors found while typing the `x-aws-*` keys. They concern ECS only,
    /// so `lower` reports them (`config` prints the file as compose does).
    pub problems: Diagnostics,
}

impl<T> std::ops::Deref for Extensions<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Extensions<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

/// A legacy service key that lowering reads (`cpus`, `mem_limit`,
/// `mem_reservation`, `scale`, `network_mode`), typed by the loader.
#[derive(Debug, Clone, PartialEq)]
pub struct Legacy<T> {
    /// Where the key was written.
    pub key: Span,
    /// Where its value was written.
    pub span: Span,
    /// The value, or the error to report where lowering uses it (a value
    /// that another setting overrides is never used, so never reported).
    pub value: Result<T, Diagnostic>,
}

/// The `x-aws-cloudformation` overlay: a CloudFormation fragment as JSON,
/// with where each of its mapping keys was written.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Overlay {
    /// The fragment.
    pub value: serde_json::Value,
    /// The span of every mapping key, by JSON pointer (`/Resources/Web`).
    #[serde(skip)]
    pub keys: std::collections::BTreeMap<String, Span>,
}

impl Overlay {
    /// Where the key at `pointer` was written.
    #[must_use]
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        self.keys.get(pointer).copied()
    }
}

/// The JSON pointer of `key` inside the value at `parent` (RFC 6901).
#[must_use]
pub fn pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
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
    /// Top-level `x-*` extensions (`x-aws-cloudformation` is moved to
    /// [`Project::overlay`]).
    pub extensions: Extensions<ProjectExtensions>,
    /// `x-aws-cloudformation`, when given and not null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlay: Option<Overlay>,
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
    /// `x-*` keys of the service.
    pub extensions: Extensions<ServiceExtensions>,
    /// Legacy `cpus`.
    #[serde(skip)]
    pub cpus: Option<Legacy<f64>>,
    /// Legacy `mem_limit`, bytes.
    #[serde(skip)]
    pub mem_limit: Option<Legacy<u64>>,
    /// Legacy `mem_reservation`, bytes.
    #[serde(skip)]
    pub mem_reservation: Option<Legacy<u64>>,
    /// Legacy `scale`.
    #[serde(skip)]
    pub scale: Option<Legacy<u64>>,
    /// `network_mode` (the text, empty when it is not a string).
    #[serde(skip)]
    pub network_mode: Option<Legacy<String>>,
    /// Keys below the top level that the typed project does not carry
    /// because ECS has no use for them, by path (`healthcheck.start_interval`,
    /// `secrets[].uid`, `volumes[].consistency`, `volumes[].volume.subpath`),
    /// with the span of the key, for the conversion checks.
    #[serde(skip)]
    pub sub_keys: Vec<(String, Span)>,
    /// Every key the user wrote for this service, with the span of the key:
    /// `lower` checks each against the conversion table so nothing written
    /// is ever dropped silently.
    #[serde(skip)]
    pub keys: IndexMap<String, Span>,
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
    #[serde(skip)]
    pub extensions: Extensions<PortExtensions>,
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
    pub extensions: Extensions<DeployExtensions>,
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
    pub extensions: Extensions<UpdateExtensions>,
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
    pub extensions: Extensions<NetworkExtensions>,
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
    /// `x-*` keys (c2cfn reads none).
    #[serde(skip)]
    pub extensions: Extensions<()>,
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
    pub extensions: Extensions<SecretExtensions>,
    /// Every key written, for the conversion checks.
    #[serde(skip)]
    pub keys: IndexMap<String, Span>,
    /// Where the secret was declared.
    #[serde(skip)]
    pub span: Option<Span>,
}
