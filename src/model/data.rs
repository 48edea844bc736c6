//! Stateful game-backend resources: DynamoDB tables, Redis, DNS records.

use crate::source::Span;

/// A DynamoDB table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The name written in the compose file (`collection`).
    pub name: String,
    /// Where the table is declared, for errors about the names it becomes.
    pub span: Option<Span>,
    /// `table_name:` as written: the exact physical name (an existing
    /// table), instead of the one `cfn::names::table_name` derives from the
    /// stack and `name`.
    pub table_name: Option<String>,
    /// Partition key and its type.
    pub hash: (String, String),
    /// Sort key and its type.
    pub range: Option<(String, String)>,
    /// Provisioned capacity with auto scaling; None for on-demand.
    pub scaling: Option<TableScaling>,
    /// Initial read capacity.
    pub read: u32,
    /// Initial write capacity.
    pub write: u32,
    /// TTL attribute.
    pub ttl: Option<String>,
    /// Point-in-time recovery.
    pub pitr: bool,
}

/// Target tracking for one table's read and write capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableScaling {
    /// Minimum capacity units.
    pub min: u32,
    /// Maximum capacity units.
    pub max: u32,
    /// Target utilisation, percent.
    pub target: u32,
    /// Scale-in cooldown, seconds.
    pub scale_in_cooldown: u32,
    /// Scale-out cooldown, seconds.
    pub scale_out_cooldown: u32,
}

/// The Redis replication group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    /// Where `x-aws-elasticache` is declared, for errors about the ID it
    /// becomes.
    pub span: Option<Span>,
    /// `replication_group_id:` as written (an existing group) and where;
    /// None: `cfn::names::redis_id` derives the ID from the stack.
    pub given_id: Option<(String, Option<Span>)>,
    /// Node type.
    pub node_type: String,
    /// Node count (primary plus replicas).
    pub nodes: u32,
    /// Engine version.
    pub engine_version: String,
    /// Days of snapshots.
    pub snapshot_retention: u32,
    /// Services allowed in.
    pub services: Vec<String>,
}

/// A Route 53 alias record to a service's load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    /// Fully qualified name, with the trailing dot.
    pub name: String,
    /// Where the record's name is written.
    pub span: Option<Span>,
    /// The name as written in the file (a label or a full name), for messages.
    pub written: String,
    /// Zone name (with trailing dot) or zone ID.
    pub zone: String,
    /// True when `zone` is a hosted zone ID.
    pub zone_is_id: bool,
    /// The service the record points at.
    pub service: String,
    /// Also an AAAA record (dual-stack load balancer).
    pub ipv6: bool,
}
