//! The intermediate model: what will be deployed, decided but not yet
//! written as CloudFormation. Plain data: no YAML nodes, no CLI options, no
//! SDK types. `lower` builds it (every check and default lives there), `cfn`
//! turns it into resources.

mod data;
mod service;
mod stack;

pub use data::{Cache, DnsRecord, Table, TableScaling};
pub use service::{
    Container, Healthcheck, Listener, LogOptions, Mount, PortMapping, Scaling, Service, SshAccess,
    TaskVolume, TlsPort,
};
pub use stack::{
    Cluster, FileSystem, LoadBalancer, LoadBalancerKind, Network, OverlayAction, OverlayEntry,
    Placement, Secret, Stack,
};
