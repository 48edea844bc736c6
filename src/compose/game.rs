//! The game-backend extensions: `x-aws-dynamodb`, `x-aws-elasticache` and
//! `x-aws-route53` (typed here from their YAML nodes by `node_de`, lowered in
//! `lower/`). Every value a later check can find fault with is [`Spanned`],
//! so its error points at the table, the record or the number at fault.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::project::Spanned;

/// `x-aws-dynamodb`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamoDb {
    /// Tables: `name/hash-key[/range-key]` (string keys, provisioned) or the long form.
    pub tables: Vec<Spanned<TableSpec>>,
    /// Auto scaling of read and write capacity for every provisioned table (default min 1, max 100, target 70).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Spanned<TableScaling>>,
    /// Services that may read and write the tables (least privilege: exactly these tables and their indexes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Spanned<String>>,
}

/// A table in short (`name/hash[/range]`) or long form.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TableSpec {
    /// `name/hash-key[/range-key]`.
    Short(String),
    /// The long form.
    Long(Table),
}

impl<'de> Deserialize<'de> for TableSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TableSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`name/hash-key[/range-key]` or a mapping with `name` and `hash`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TableSpec, E> {
                Ok(TableSpec::Short(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<TableSpec, A::Error> {
                Table::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(TableSpec::Long)
            }
        }
        // The node deserializer knows this name: a string or a mapping.
        d.deserialize_struct("TableSpec", TABLE_FIELDS, V)
    }
}

const TABLE_FIELDS: &[&str] = &[
    "name",
    "table_name",
    "hash",
    "range",
    "hash_type",
    "range_type",
    "billing",
    "read",
    "write",
    "ttl",
    "pitr",
    "autoscaling",
];

/// The long form of a table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Table name; the physical name is `<app_cluster>-<name>`.
    pub name: Spanned<String>,
    /// The exact physical name instead of `<app_cluster>-<name>`, e.g. the name of an existing table a script made (`up` adopts it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    /// Partition key attribute.
    pub hash: Spanned<String>,
    /// Sort key attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<Spanned<String>>,
    /// Partition key type: `S` (default), `N` or `B`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_type: Option<Spanned<String>>,
    /// Sort key type: `S` (default), `N` or `B`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range_type: Option<Spanned<String>>,
    /// `provisioned` (default) or `on_demand` (no auto scaling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<Spanned<String>>,
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
    pub autoscaling: Option<Spanned<TableScaling>>,
}

/// Target-tracking auto scaling of a table's capacity.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableScaling {
    /// Minimum capacity units (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Spanned<u32>>,
    /// Maximum capacity units (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Spanned<u32>>,
    /// Target utilisation in percent (default 70).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Spanned<u32>>,
    /// Seconds between scale-in activities (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_in_cooldown: Option<u32>,
    /// Seconds between scale-out activities (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_out_cooldown: Option<u32>,
}

/// `x-aws-elasticache`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ElastiCache {
    /// The Redis replication group.
    pub redis: Redis,
}

/// `x-aws-elasticache.redis`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redis {
    /// Number of nodes (default 1); 2 or more is Multi-AZ with automatic failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Spanned<u32>>,
    /// Node type (default `cache.t3.micro`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_type: Option<Spanned<String>>,
    /// Engine version (default `7.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// Days of automatic snapshots (default 1, at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_retention: Option<Spanned<u32>>,
    /// The exact replication group ID instead of `<app_cluster>-redis`, e.g. the ID of an existing group a script made (`up` adopts it when it matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_group_id: Option<Spanned<String>>,
    /// Services that may connect (port 6379) and get `REDIS_HOST`/`REDIS_PORT`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Spanned<String>>,
}

/// `x-aws-route53`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route53 {
    /// Hosted zone: a domain name (`tinka.games`) or a zone ID (`Z123…`).
    pub zone: Spanned<String>,
    /// Records to create.
    pub records: Vec<Spanned<Record>>,
}

/// One alias record.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Label (`ccg-develop`) or full name (`ccg-develop.tinka.games`).
    pub name: Spanned<String>,
    /// The service whose load balancer the record points at.
    pub service: Spanned<String>,
}
