//! The intermediate model: what will be deployed, decided but not yet
//! written as CloudFormation. Plain data: no YAML nodes, no CLI options, no
//! SDK types, and nothing of CloudFormation: references between things
//! (a built image, the Redis endpoint in a variable, a grant on a table)
//! are typed, and `cfn` alone turns them into logical IDs, intrinsics and
//! physical names. `lower` builds it (every check and default lives
//! there), `cfn` turns it into resources. [`naming`] is the one rule both
//! share: how a compose name becomes an identifier.

mod data;
pub mod naming;
mod service;
mod stack;

pub use data::{Cache, DnsRecord, Table, TableScaling};
pub use service::{
    Container, DEFAULT_SSL_POLICY, EnvValue, Grant, GrantResource, Healthcheck, Image, JsonText,
    Listener, LogOptions, Mount, PortMapping, Scaling, SecretRef, Service, SshAccess, TaskVolume,
    TlsPort,
};
pub use stack::{
    Cluster, FileSystem, LoadBalancer, LoadBalancerKind, Network, Placement, Secret, Stack,
};
