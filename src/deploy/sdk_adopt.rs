//! [`LiveApi`] over the AWS SDK's DynamoDB and CloudWatch Logs clients:
//! what an existing table or log group looks like, for adoption; and the
//! Scan and BatchWriteItem of `copy-table`.

use std::collections::HashMap;

use aws_sdk_cloudformation::error::ProvideErrorMetadata as _;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};

use super::adopt::{LiveApi, LiveLogGroup, LiveReplicationGroup, LiveTable};
use super::api::{ApiError, ApiResult};
use super::copy_table::CopyApi;
use super::sdk::error;

/// The clients adoption reads.
#[derive(Debug, Clone)]
pub struct SdkLive {
    pub(super) dynamodb: aws_sdk_dynamodb::Client,
    pub(super) logs: aws_sdk_cloudwatchlogs::Client,
    pub(super) elasticache: aws_sdk_elasticache::Client,
}

impl LiveApi for SdkLive {
    async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>> {
        let out = match self.dynamodb.describe_table().table_name(name).send().await {
            Ok(o) => o,
            Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(None),
            Err(e) => return Err(error(e)),
        };
        let Some(t) = out.table() else {
            return Ok(None);
        };
        let mut live = LiveTable {
            status: t
                .table_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            keys: t
                .key_schema()
                .iter()
                .map(|k| {
                    (
                        k.attribute_name().to_owned(),
                        k.key_type().as_str().to_owned(),
                    )
                })
                .collect(),
            attributes: t
                .attribute_definitions()
                .iter()
                .map(|a| {
                    (
                        a.attribute_name().to_owned(),
                        a.attribute_type().as_str().to_owned(),
                    )
                })
                .collect(),
            billing: t
                .billing_mode_summary()
                .and_then(|b| b.billing_mode())
                .map_or("PROVISIONED", |b| b.as_str())
                .to_owned(),
            capacity: t.provisioned_throughput().map(|p| {
                (
                    p.read_capacity_units().unwrap_or_default(),
                    p.write_capacity_units().unwrap_or_default(),
                )
            }),
            local_indexes: t
                .local_secondary_indexes()
                .iter()
                .filter_map(|i| i.index_name().map(str::to_owned))
                .collect(),
            global_indexes: t
                .global_secondary_indexes()
                .iter()
                .filter_map(|i| i.index_name().map(str::to_owned))
                .collect(),
            items: t.item_count().unwrap_or_default(),
            ..LiveTable::default()
        };
        let backups = self
            .dynamodb
            .describe_continuous_backups()
            .table_name(name)
            .send()
            .await
            .map_err(error)?;
        live.pitr = backups
            .continuous_backups_description()
            .and_then(|d| d.point_in_time_recovery_description())
            .and_then(|p| p.point_in_time_recovery_status())
            .is_some_and(|s| s.as_str() == "ENABLED");
        let ttl = self
            .dynamodb
            .describe_time_to_live()
            .table_name(name)
            .send()
            .await
            .map_err(error)?;
        live.ttl = ttl
            .time_to_live_description()
            .filter(|d| {
                d.time_to_live_status()
                    .is_some_and(|s| s.as_str() == "ENABLED")
            })
            .and_then(|d| d.attribute_name().map(str::to_owned));
        if let Some(arn) = t.table_arn() {
            let tags = self
                .dynamodb
                .list_tags_of_resource()
                .resource_arn(arn)
                .send()
                .await
                .map_err(error)?;
            live.tags = tags
                .tags()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect();
        }
        Ok(Some(live))
    }

    async fn replication_group(&self, id: &str) -> ApiResult<Option<LiveReplicationGroup>> {
        super::sdk_cache::replication_group(&self.elasticache, id).await
    }

    async fn log_group(&self, name: &str) -> ApiResult<Option<LiveLogGroup>> {
        let out = self
            .logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send()
            .await
            .map_err(error)?;
        let Some(group) = out
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
        else {
            return Ok(None);
        };
        let mut live = LiveLogGroup {
            retention: group.retention_in_days(),
            tags: Vec::new(),
        };
        if let Some(arn) = group.arn() {
            // The ARN DescribeLogGroups gives ends in `:*`; tags want it without.
            let arn = arn.strip_suffix(":*").unwrap_or(arn);
            if let Ok(tags) = self
                .logs
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await
            {
                live.tags = tags
                    .tags()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                live.tags.sort();
            }
        }
        Ok(Some(live))
    }
}

impl CopyApi for SdkLive {
    type Item = HashMap<String, AttributeValue>;

    async fn scan(
        &self,
        table: &str,
        start: Option<Self::Item>,
    ) -> ApiResult<(Vec<Self::Item>, Option<Self::Item>)> {
        let out = self
            .dynamodb
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(error)?;
        let next = out.last_evaluated_key().filter(|k| !k.is_empty()).cloned();
        Ok((out.items.unwrap_or_default(), next))
    }

    async fn put_batch(&self, table: &str, items: Vec<Self::Item>) -> ApiResult<Vec<Self::Item>> {
        let mut writes = Vec::with_capacity(items.len());
        for item in items {
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| ApiError::new("InvalidItem", e.to_string()))?;
            writes.push(WriteRequest::builder().put_request(put).build());
        }
        let out = self
            .dynamodb
            .batch_write_item()
            .request_items(table, writes)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .unprocessed_items()
            .and_then(|u| u.get(table))
            .into_iter()
            .flatten()
            .filter_map(|w| w.put_request().map(|p| p.item().clone()))
            .collect())
    }

    fn has(item: &Self::Item, attribute: &str) -> bool {
        item.contains_key(attribute)
    }
}
