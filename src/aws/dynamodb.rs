//! DynamoDB: an existing table (adoption), `copy-table`'s Scan and
//! BatchWriteItem, `down --delete-data`, and the local environment's tables
//! on DynamoDB Local.

use std::collections::HashMap;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, PutRequest,
    ScalarAttributeType, WriteRequest,
};

use super::{ApiError, ApiResult, ErrorKind, sdk_error as error};
use crate::deploy::adopt::LiveTable;
use crate::deploy::copy_table::CopyApi;
use crate::local::tables::TableApi;
use crate::model::Table;

/// DynamoDB through the SDK.
#[derive(Debug, Clone)]
pub struct DynamoDb(pub(super) aws_sdk_dynamodb::Client);

impl DynamoDb {
    /// A client for DynamoDB Local at `endpoint` (e.g.
    /// `http://127.0.0.1:8000`) in `region`, with the placeholder
    /// credentials DynamoDB Local accepts.
    #[must_use]
    pub fn local(endpoint: &str, region: &str) -> Self {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new(
                "local",
                "local",
                None,
                None,
                "c2cfn-local",
            ))
            .build();
        Self(aws_sdk_dynamodb::Client::from_conf(config))
    }

    /// What the table named `name` looks like (`DescribeTable`,
    /// `DescribeContinuousBackups`, `DescribeTimeToLive`,
    /// `ListTagsOfResource`); `None` when it does not exist.
    pub async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>> {
        let out = match self.0.describe_table().table_name(name).send().await {
            Ok(o) => o,
            Err(e) => {
                let e = error(e);
                return if e.is_not_found() { Ok(None) } else { Err(e) };
            }
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
            .0
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
            .0
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
                .0
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

    /// `DeleteTable`.
    pub async fn delete_table(&self, name: &str) -> ApiResult<()> {
        self.0
            .delete_table()
            .table_name(name)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    /// Names of the existing tables (`ListTables`, every page).
    pub async fn list_tables(&self) -> ApiResult<Vec<String>> {
        let pages = self
            .0
            .list_tables()
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(error)?;
        Ok(pages
            .iter()
            .flat_map(|p| p.table_names().iter().cloned())
            .collect())
    }

    /// Creates one table, named `name`, with on-demand billing.
    pub async fn create_table(&self, name: &str, table: &Table) -> ApiResult<()> {
        let mut req = self
            .0
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute(&table.hash.0, &table.hash.1)?)
            .key_schema(key(&table.hash.0, KeyType::Hash)?);
        if let Some((name, kind)) = &table.range {
            req = req
                .attribute_definitions(attribute(name, kind)?)
                .key_schema(key(name, KeyType::Range)?);
        }
        req.send().await.map_err(error)?;
        Ok(())
    }
}

fn attribute(name: &str, kind: &str) -> ApiResult<AttributeDefinition> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::from(kind))
        .build()
        .map_err(|e| ApiError::of_kind(ErrorKind::Validation, "", e.to_string()))
}

fn key(name: &str, kind: KeyType) -> ApiResult<KeySchemaElement> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|e| ApiError::of_kind(ErrorKind::Validation, "", e.to_string()))
}

/// [`TableApi`] for the local environment, whose flow is synchronous: each
/// call runs on a small runtime of its own.
#[derive(Debug)]
pub struct BlockingDynamoDb {
    client: DynamoDb,
    runtime: tokio::runtime::Runtime,
}

impl BlockingDynamoDb {
    /// DynamoDB Local at `endpoint` in `region`.
    pub fn local(endpoint: &str, region: &str) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Self {
            client: DynamoDb::local(endpoint, region),
            runtime,
        })
    }
}

impl TableApi for BlockingDynamoDb {
    fn list_tables(&mut self) -> ApiResult<Vec<String>> {
        self.runtime.block_on(self.client.list_tables())
    }

    fn create_table(&mut self, name: &str, table: &Table) -> ApiResult<()> {
        self.runtime.block_on(self.client.create_table(name, table))
    }
}

impl CopyApi for DynamoDb {
    type Item = HashMap<String, AttributeValue>;

    async fn scan(
        &self,
        table: &str,
        start: Option<Self::Item>,
    ) -> ApiResult<(Vec<Self::Item>, Option<Self::Item>)> {
        let out = self
            .0
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
                .map_err(|e| {
                    ApiError::of_kind(ErrorKind::Validation, "InvalidItem", e.to_string())
                })?;
            writes.push(WriteRequest::builder().put_request(put).build());
        }
        let out = self
            .0
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
