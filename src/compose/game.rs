//! The game-backend extensions: `x-aws-dynamodb`, `x-aws-elasticache` and
//! `x-aws-route53` (typed here, lowered in `lower/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `x-aws-dynamodb`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamoDb {
    /// Tables: `name/hash-key[/range-key]` (string keys, provisioned) or the long form.
    pub tables: Vec<TableSpec>,
    /// Auto scaling of read and write capacity for every provisioned table (default min 1, max 100, target 70).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<TableScaling>,
    /// Services that may read and write the tables (least privilege: exactly these tables and their indexes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

/// A table in short (`name/hash[/range]`) or long form.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TableSpec {
    /// `name/hash-key[/range-key]`.
    Short(String),
    /// The long form.
    Long(Table),
}

/// The long form of a table.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Table name; the physical name is `<app_cluster>-<name>`.
    pub name: String,
    /// The exact physical name instead of `<app_cluster>-<name>`, e.g. the name of an existing table a script made (`up` adopts it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    /// Partition key attribute.
    pub hash: String,
    /// Sort key attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// Partition key type: `S` (default), `N` or `B`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_type: Option<String>,
    /// Sort key type: `S` (default), `N` or `B`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range_type: Option<String>,
    /// `provisioned` (default) or `on_demand` (no auto scaling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<String>,
    /// Initial read capacity units (default: the scaling minimum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<u32>,
    /// Initial write capacity units (default: the scaling minimum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<u32>,
    /// Attribute holding an expiry time (enables TTL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// Point-in-time recovery (default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pitr: Option<bool>,
    /// Auto scaling for this table (overrides the shared setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<TableScaling>,
}

/// Target-tracking auto scaling of a table's capacity.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableScaling {
    /// Minimum capacity units (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// Maximum capacity units (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Target utilisation in percent (default 70).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u32>,
    /// Seconds between scale-in activities (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_in_cooldown: Option<u32>,
    /// Seconds between scale-out activities (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_out_cooldown: Option<u32>,
}

/// `x-aws-elasticache`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ElastiCache {
    /// The Redis replication group.
    pub redis: Redis,
}

/// `x-aws-elasticache.redis`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redis {
    /// Number of nodes (default 1); 2 or more is Multi-AZ with automatic failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<u32>,
    /// Node type (default `cache.t3.micro`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_type: Option<String>,
    /// Engine version (default `7.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// Days of automatic snapshots (default 1, at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_retention: Option<u32>,
    /// Services that may connect (port 6379) and get `REDIS_HOST`/`REDIS_PORT`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

/// `x-aws-route53`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route53 {
    /// Hosted zone: a domain name (`tinka.games`) or a zone ID (`Z123…`).
    pub zone: String,
    /// Records to create.
    pub records: Vec<Record>,
}

/// One alias record.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Label (`ccg-develop`) or full name (`ccg-develop.tinka.games`).
    pub name: String,
    /// The service whose load balancer the record points at.
    pub service: String,
}
