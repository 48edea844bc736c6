//! One compose service as an ECS service with its task definition.

use std::collections::BTreeMap;

use serde_json::Value;

/// An ECS service.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// The compose service name.
    pub name: String,
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
    /// Inline policy documents for the task role (`x-aws-role` and c2cfn's grants).
    pub role_policies: Vec<(String, Value)>,
    /// Managed policy ARNs for the task role.
    pub managed_policies: Vec<String>,
    /// ARNs the execution role may read (pull credentials, secrets).
    pub secret_arns: Vec<Value>,
    /// Service auto scaling.
    pub scaling: Option<Scaling>,
    /// Container ports served over TLS, by container port.
    pub tls: BTreeMap<u16, TlsPort>,
    /// The image is built from `build:` and pushed to ECR by `c2cfn up`.
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
    /// Image reference (or an intrinsic for built images).
    pub image: Value,
    /// `Essential`.
    pub essential: bool,
    /// `Command`.
    pub command: Option<Vec<String>>,
    /// `EntryPoint`.
    pub entrypoint: Option<Vec<String>>,
    /// `Environment`, sorted by name.
    pub environment: BTreeMap<String, Value>,
    /// `Secrets` (name → ValueFrom).
    pub secrets: Vec<(String, Value)>,
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
