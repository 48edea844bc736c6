//! One compose service as an ECS service with its task definition.

use std::collections::BTreeMap;

use crate::source::Span;

/// An ECS service.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// The compose service name.
    pub name: String,
    /// Where the service is declared (its name in the file), for errors
    /// about the names it becomes.
    pub span: Option<Span>,
    /// Task CPU units (a valid Fargate size).
    pub cpu: u32,
    /// Task memory in MiB (valid for `cpu`).
    pub memory: u32,
    /// `linux/arm64` asks for Graviton.
    pub arm64: bool,
    /// Containers: init containers first, the service's container last.
    pub containers: Vec<Container>,
    /// Task volumes (EFS and the secrets scratch volume).
    pub volumes: Vec<TaskVolume>,
    /// Desired task count.
    pub desired_count: u64,
    /// Deployment `MinimumHealthyPercent`.
    pub min_percent: u32,
    /// Deployment `MaximumPercent`.
    pub max_percent: u32,
    /// ECS deployment circuit breaker: a deployment whose tasks keep
    /// failing is stopped (on by default; `failure_action: continue` turns
    /// it off).
    pub circuit_breaker: bool,
    /// The circuit breaker also rolls back to the last working deployment
    /// (default; `failure_action: pause` stops without rolling back).
    pub rollback: bool,
    /// Listeners on the load balancer, one per published port.
    pub listeners: Vec<Listener>,
    /// Compose networks joined.
    pub networks: Vec<String>,
    /// Services this one starts after.
    pub depends_on: Vec<String>,
    /// Named volumes mounted (for EFS mount-target ordering and IAM).
    pub volume_names: Vec<String>,
    /// ECS Exec.
    pub exec: bool,
    /// Public IP on the task ENI.
    pub public_ip: bool,
    /// `x-aws-role`: the policy document the user wrote for the task role.
    pub role: Option<JsonText>,
    /// What c2cfn grants the task role (after `role`).
    pub grants: Vec<Grant>,
    /// Managed policy ARNs for the task role.
    pub managed_policies: Vec<String>,
    /// What the execution role may read (pull credentials, secrets).
    pub secret_arns: Vec<SecretRef>,
    /// Service auto scaling.
    pub scaling: Option<Scaling>,
    /// Container ports served over TLS, by container port.
    pub tls: BTreeMap<u16, TlsPort>,
    /// The image is built from `build:` and pushed to ECR by `c2cfn up`
    /// (the main container's image is then [`Image::Built`]).
    pub built: bool,
    /// `x-aws-ssh`: the SSH port open to these ranges (closed when `None`).
    pub ssh: Option<SshAccess>,
}

/// Direct SSH access to a service's tasks (`c2cfn tunnel --ssh`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshAccess {
    /// The container's SSH port.
    pub port: u16,
    /// Address ranges allowed in (validated CIDRs).
    pub cidrs: Vec<String>,
}

/// One container of a task definition.
#[derive(Debug, Clone, Default)]
pub struct Container {
    /// Name.
    pub name: String,
    /// The image: given in the file, or built by `c2cfn up`.
    pub image: Image,
    /// `Essential`.
    pub essential: bool,
    /// `Command`.
    pub command: Option<Vec<String>>,
    /// `EntryPoint`.
    pub entrypoint: Option<Vec<String>>,
    /// `Environment`, sorted by name.
    pub environment: BTreeMap<String, EnvValue>,
    /// `Secrets` (name → the secret read).
    pub secrets: Vec<(String, SecretRef)>,
    /// Containers that must finish successfully first.
    pub depends_on: Vec<String>,
    /// `PortMappings`.
    pub ports: Vec<PortMapping>,
    /// `MountPoints`.
    pub mounts: Vec<Mount>,
    /// `HealthCheck`.
    pub healthcheck: Option<Healthcheck>,
    /// `WorkingDirectory`.
    pub working_dir: Option<String>,
    /// `User`.
    pub user: Option<String>,
    /// `LinuxParameters.InitProcessEnabled`.
    pub init: bool,
    /// `LinuxParameters.Capabilities` (add, drop).
    pub capabilities: (Vec<String>, Vec<String>),
    /// `Ulimits` (name, soft, hard).
    pub ulimits: Vec<(String, i64, i64)>,
    /// `SystemControls`.
    pub sysctls: BTreeMap<String, String>,
    /// `ReadonlyRootFilesystem`.
    pub read_only: bool,
    /// `PseudoTerminal`.
    pub tty: bool,
    /// `Interactive`.
    pub interactive: bool,
    /// `StopTimeout`, seconds.
    pub stop_timeout: Option<u64>,
    /// `MemoryReservation`, MiB.
    pub memory_reservation: Option<u64>,
    /// `DockerLabels`.
    pub labels: BTreeMap<String, String>,
    /// `RepositoryCredentials.CredentialsParameter`.
    pub pull_credentials: Option<String>,
    /// GPUs (`ResourceRequirements`).
    pub gpus: Option<u64>,
    /// `LogConfiguration` options beyond the defaults.
    pub log: LogOptions,
}

/// A container's image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Image {
    /// A reference written in the file (or one of Docker's sidecars).
    Given(String),
    /// Built from the `build:` of this service and pushed to ECR by
    /// `c2cfn up`, which passes the pinned image at deploy time.
    Built {
        /// The compose service whose `build:` makes the image.
        service: String,
    },
    /// No image could be decided (an error was reported).
    #[default]
    Missing,
}

/// The value of an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// A value written in the file.
    Literal(String),
    /// The address of the Redis primary endpoint.
    RedisHost,
    /// The port of the Redis primary endpoint.
    RedisPort,
    /// The physical name of a DynamoDB table, by its compose name.
    TableName(String),
    /// What the physical names of the stack's tables start with
    /// (`DYNAMODB_PREFIX`).
    TablePrefix,
}

/// A secret read by a task: what `ValueFrom` and the execution role name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// An existing Secrets Manager secret or SSM parameter: its name or ARN
    /// as written (external secrets, `x-aws-pull_credentials`).
    Existing(String),
    /// A secret the stack creates, by its compose name.
    Stack(String),
}

/// JSON text written by the user and passed through verbatim (the policy
/// document of `x-aws-role`), kept as text so the model holds no template
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(pub String);

/// A permission c2cfn grants a task role: actions on resources of the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// IAM actions, e.g. `dynamodb:GetItem`.
    pub actions: Vec<String>,
    /// The resources they apply to.
    pub resources: Vec<GrantResource>,
}

/// A resource of the stack named in a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantResource {
    /// A DynamoDB table, by its compose name.
    Table(String),
    /// The indexes of a DynamoDB table.
    TableIndexes(String),
}

/// awslogs options.
#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    /// Extra `awslogs-*` options from `logging.options`.
    pub extra: BTreeMap<String, String>,
}

/// A container port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    /// Container port (Fargate: host port is the same).
    pub port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
}

/// A mount point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Task volume name.
    pub volume: String,
    /// Container path.
    pub path: String,
    /// Read-only.
    pub read_only: bool,
}

/// A task volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskVolume {
    /// An EFS volume through its access point.
    Efs {
        /// Compose volume name.
        name: String,
    },
    /// A scratch volume (the secrets files).
    Scratch {
        /// Volume name.
        name: String,
    },
}

/// ECS health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    /// `CMD`/`CMD-SHELL` form.
    pub command: Vec<String>,
    /// Seconds.
    pub interval: Option<u64>,
    /// Seconds.
    pub timeout: Option<u64>,
    /// Retries.
    pub retries: Option<u64>,
    /// Seconds.
    pub start_period: Option<u64>,
}

/// A published port on the load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// Compose protocol (`tcp`/`udp`) of the port (ingress rule).
    pub compose_protocol: String,
    /// The protocol in the listener's and target group's logical IDs, as
    /// Docker's converter saw it: `tcp`/`udp` for the short syntax and for a
    /// long-syntax port with `protocol:`, empty for a long-syntax port without.
    pub id_protocol: String,
    /// Container (target) port.
    pub target: u16,
    /// Published port as written (Docker named target groups by it).
    pub published: u16,
    /// Listener protocol (`HTTP`, `TCP`, `UDP`, `TLS`, `HTTPS`).
    pub protocol: String,
    /// Target group protocol (`HTTP`, `TCP`, `UDP`).
    pub target_protocol: String,
    /// The public port of the listener (differs from `target` with TLS).
    pub public_port: u16,
    /// Certificate ARN for TLS/HTTPS.
    pub certificate: Option<String>,
    /// TLS policy.
    pub ssl_policy: Option<String>,
    /// Health check path etc. for ALB target groups.
    pub health_check_path: Option<String>,
}

impl Listener {
    /// TLS (NLB) or HTTPS (ALB): the load balancer terminates TLS.
    #[must_use]
    pub fn terminates_tls(&self) -> bool {
        self.protocol == "TLS" || self.protocol == "HTTPS"
    }
}

/// The TLS policy of a listener that names none (`x-aws-tls` without
/// `ssl_policy`, or a listener the overlay makes TLS): TLS 1.2 and 1.3 only.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// A container port served over TLS on the load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPort {
    /// ACM certificate ARN.
    pub certificate: String,
    /// The public port of the listener.
    pub public_port: u16,
    /// The listener's TLS policy.
    pub ssl_policy: String,
}

/// Target-tracking service auto scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scaling {
    /// Min tasks.
    pub min: u32,
    /// Max tasks.
    pub max: u32,
    /// Average CPU target.
    pub cpu: Option<u32>,
    /// Average memory target.
    pub memory: Option<u32>,
}
