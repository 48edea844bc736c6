//! An existing ElastiCache replication group over the AWS SDK, for adoption
//! (`replication_group_id:`): DescribeReplicationGroups, then
//! DescribeCacheClusters of its first member (engine version, subnet group,
//! security groups) and ListTagsForResource.

use aws_sdk_cloudformation::error::ProvideErrorMetadata as _;

use super::adopt::LiveReplicationGroup;
use super::api::ApiResult;
use super::sdk::error;

/// The group `id`; `None` when there is none.
pub(super) async fn replication_group(
    client: &aws_sdk_elasticache::Client,
    id: &str,
) -> ApiResult<Option<LiveReplicationGroup>> {
    let out = match client
        .describe_replication_groups()
        .replication_group_id(id)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e) if e.code() == Some("ReplicationGroupNotFoundFault") => return Ok(None),
        Err(e) => return Err(error(e)),
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
