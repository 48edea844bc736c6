//! The stack as a whole: shared infrastructure around the services.

use std::collections::BTreeMap;

use crate::source::Span;

use super::{Cache, DnsRecord, Service, Table};

/// Everything one compose project deploys.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    /// The compose project name (also the default stack and cluster name).
    pub project: String,
    /// The ECS cluster.
    pub cluster: Cluster,
    /// The VPC.
    pub vpc: Placement,
    /// Subnets for tasks, the load balancer, EFS mount targets and Redis.
    pub subnets: Placement,
    /// One security group per compose network.
    pub networks: Vec<Network>,
    /// The load balancer, when any service publishes a port.
    pub load_balancer: Option<LoadBalancer>,
    /// Log retention in days (None: never expire; default 30).
    pub log_retention: Option<u32>,
    /// The services.
    pub services: Vec<Service>,
    /// Named volumes as EFS file systems.
    pub file_systems: Vec<FileSystem>,
    /// Secrets.
    pub secrets: Vec<Secret>,
    /// DynamoDB tables.
    pub tables: Vec<Table>,
    /// The Redis replication group.
    pub cache: Option<Cache>,
    /// Route 53 alias records.
    pub records: Vec<DnsRecord>,
}

/// Where a value comes from: decided at deploy time or pinned in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Placement {
    /// A template parameter, resolved by `c2cfn up` (default VPC and its subnets).
    #[default]
    Parameter,
    /// Written in the compose file.
    Pinned(Vec<String>),
}

/// The ECS cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cluster {
    /// Created by the stack (`Cluster`).
    #[default]
    Create,
    /// `x-aws-cluster`: an existing cluster's name or ARN.
    Existing(String),
}

/// A compose network: a security group whose members may talk to each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The compose network name.
    pub name: String,
    /// Where it is declared, for errors about the names it becomes.
    pub span: Option<Span>,
    /// The full name: `name:` when given, else `<project>_<name>` (compose's rule).
    pub full_name: String,
    /// An existing security group (external network or `x-aws-securitygroup`).
    pub existing: Option<String>,
    /// `internal: true` keeps it off the load balancer.
    pub internal: bool,
}

/// Load balancer type, as Docker decided: application when every published
/// port is HTTP(S), network otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadBalancerKind {
    /// ALB.
    Application,
    /// NLB.
    Network,
}

/// The load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    /// ALB or NLB.
    pub kind: LoadBalancerKind,
    /// `x-aws-loadbalancer`: an existing load balancer's ARN or name.
    pub existing: Option<String>,
    /// A network load balancer with its own security group
    /// (`LoadBalancerSecurityGroup`); the container ports then admit only it.
    pub security_group: bool,
}

/// A named volume on EFS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSystem {
    /// The compose volume name.
    pub name: String,
    /// Where it is declared, for errors about the names it becomes.
    pub span: Option<Span>,
    /// The full name: `name:` when given, else `<project>_<name>`.
    pub full_name: String,
    /// An existing file system ID (external volume).
    pub existing: Option<String>,
    /// `driver_opts` passed to the file system (validated).
    pub options: BTreeMap<String, String>,
    /// Access point owner uid/gid and permissions (from driver_opts).
    pub uid: Option<String>,
    /// Access point gid.
    pub gid: Option<String>,
    /// Access point permissions.
    pub permissions: Option<String>,
    /// Access point root directory.
    pub root_directory: Option<String>,
}

/// A secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// The compose secret name.
    pub name: String,
    /// Where it is declared, for errors about the names it becomes.
    pub span: Option<Span>,
    /// The full name: `name:` when given, else `<project>_<name>` (Docker
    /// derived the secret's logical ID from it).
    pub full_name: String,
    /// External: the Secrets Manager name or ARN. None: the stack creates a
    /// secret whose value `c2cfn up` reads from the file and passes as a
    /// `NoEcho` parameter (never in the template).
    pub existing: Option<String>,
    /// Keys of a JSON secret exposed as separate files.
    pub keys: Vec<String>,
}
