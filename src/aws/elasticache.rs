//! ElastiCache: the [`ElastiCacheApi`] trait (a Redis group's final
//! snapshots for `down --delete-data`, and an existing replication group
//! for adoption: DescribeReplicationGroups, then DescribeCacheClusters of
//! its first member (engine version, subnet group, security groups) and
//! ListTagsForResource) and its implementation over the SDK.

use super::{ApiResult, sdk_error as error};

/// An ElastiCache replication group as DescribeReplicationGroups,
/// DescribeCacheClusters (of its first member) and ListTagsForResource show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveReplicationGroup {
    /// `available`, `creating`, `modifying`, ...
    pub status: String,
    /// Its description.
    pub description: String,
    /// `redis` or `valkey`.
    pub engine: String,
    /// `7.1`, ...
    pub engine_version: String,
    /// `cache.t3.micro`, ...
    pub node_type: String,
    /// Member clusters (nodes) of a group without cluster mode.
    pub nodes: u32,
    /// Node groups (shards): more than one is cluster mode.
    pub shards: u32,
    /// The cache subnet group.
    pub subnet_group: String,
    /// VPC security groups.
    pub security_groups: Vec<String>,
    /// Port.
    pub port: i32,
    /// Encryption at rest.
    pub at_rest_encryption: bool,
    /// Encryption in transit.
    pub transit_encryption: bool,
    /// Automatic failover enabled.
    pub automatic_failover: bool,
    /// Multi-AZ enabled.
    pub multi_az: bool,
    /// Days of automatic snapshots.
    pub snapshot_retention: i32,
    /// The primary endpoint, when there is one.
    pub endpoint: Option<String>,
    /// Tags (key, value), including `aws:` ones.
    pub tags: Vec<(String, String)>,
}

/// The ElastiCache calls of adoption and `down --delete-data`.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait ElastiCacheApi {
    /// A replication group by ID; `None` when there is none.
    async fn replication_group(&self, id: &str) -> ApiResult<Option<LiveReplicationGroup>>;
    /// Snapshot names of a replication group (`DescribeSnapshots`, every page).
    async fn snapshots(&self, replication_group: &str) -> ApiResult<Vec<String>>;
    /// `DeleteSnapshot`.
    async fn delete_snapshot(&self, name: &str) -> ApiResult<()>;
}

/// ElastiCache through the SDK.
#[derive(Debug, Clone)]
pub struct ElastiCache(pub(super) aws_sdk_elasticache::Client);

impl ElastiCacheApi for ElastiCache {
    async fn replication_group(&self, id: &str) -> ApiResult<Option<LiveReplicationGroup>> {
        let client = &self.0;
        let out = match client
            .describe_replication_groups()
            .replication_group_id(id)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => {
                let e = error(e);
                return if e.is_not_found() { Ok(None) } else { Err(e) };
            }
        };
        let Some(g) = out.replication_groups().first() else {
            return Ok(None);
        };
        let primary = g.node_groups().first().and_then(|n| n.primary_endpoint());
        let mut live = LiveReplicationGroup {
            status: g.status().unwrap_or_default().to_owned(),
            description: g.description().unwrap_or_default().to_owned(),
            engine: g.engine().unwrap_or("redis").to_owned(),
            node_type: g.cache_node_type().unwrap_or_default().to_owned(),
            nodes: u32::try_from(g.member_clusters().len()).unwrap_or(u32::MAX),
            shards: u32::try_from(g.node_groups().len()).unwrap_or(u32::MAX),
            at_rest_encryption: g.at_rest_encryption_enabled().unwrap_or(false),
            transit_encryption: g.transit_encryption_enabled().unwrap_or(false),
            automatic_failover: g
                .automatic_failover()
                .is_some_and(|s| s.as_str() == "enabled"),
            multi_az: g.multi_az().is_some_and(|s| s.as_str() == "enabled"),
            snapshot_retention: g.snapshot_retention_limit().unwrap_or(0),
            port: primary
                .and_then(aws_sdk_elasticache::types::Endpoint::port)
                .unwrap_or(6379),
            endpoint: primary
                .and_then(aws_sdk_elasticache::types::Endpoint::address)
                .map(str::to_owned),
            ..LiveReplicationGroup::default()
        };
        if let Some(member) = g.member_clusters().first() {
            let clusters = client
                .describe_cache_clusters()
                .cache_cluster_id(member)
                .send()
                .await
                .map_err(error)?;
            if let Some(c) = clusters.cache_clusters().first() {
                c.engine_version()
                    .unwrap_or_default()
                    .clone_into(&mut live.engine_version);
                c.cache_subnet_group_name()
                    .unwrap_or_default()
                    .clone_into(&mut live.subnet_group);
                live.security_groups = c
                    .security_groups()
                    .iter()
                    .filter_map(|s| s.security_group_id().map(str::to_owned))
                    .collect();
                if let Some(engine) = c.engine() {
                    engine.clone_into(&mut live.engine);
                }
            }
        }
        if let Some(arn) = g.arn()
            && let Ok(tags) = client
                .list_tags_for_resource()
                .resource_name(arn)
                .send()
                .await
        {
            live.tags = tags
                .tag_list()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_owned(),
                        t.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
        }
        Ok(Some(live))
    }

    async fn snapshots(&self, replication_group: &str) -> ApiResult<Vec<String>> {
        let pages = self
            .0
            .describe_snapshots()
            .replication_group_id(replication_group)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(error)?;
        Ok(pages
            .iter()
            .flat_map(aws_sdk_elasticache::operation::describe_snapshots::DescribeSnapshotsOutput::snapshots)
            .filter_map(|s| s.snapshot_name().map(str::to_owned))
            .collect())
    }

    async fn delete_snapshot(&self, name: &str) -> ApiResult<()> {
        self.0
            .delete_snapshot()
            .snapshot_name(name)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}
