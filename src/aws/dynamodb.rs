//! DynamoDB: the [`DynamoDbApi`] trait (an existing table for adoption,
//! `copy-table`'s Scan and BatchWriteItem, `down --delete-data`, and the
//! local environment's tables on DynamoDB Local) and its implementation
//! over the SDK.

use std::collections::HashMap;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, PutRequest,
    ScalarAttributeType, WriteRequest,
};

use super::{ApiError, ApiResult, ErrorKind, sdk_error as error};
use crate::model::Table;

/// A DynamoDB table as DescribeTable, DescribeContinuousBackups,
/// DescribeTimeToLive and ListTagsOfResource show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveTable {
    /// `ACTIVE`, `CREATING`, ...
    pub status: String,
    /// Key schema: (attribute, `HASH`|`RANGE`).
    pub keys: Vec<(String, String)>,
    /// Attribute definitions: (attribute, `S`|`N`|`B`).
    pub attributes: Vec<(String, String)>,
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    pub billing: String,
    /// Provisioned read and write capacity (provisioned tables).
    pub capacity: Option<(i64, i64)>,
    /// Names of local secondary indexes.
    pub local_indexes: Vec<String>,
    /// Names of global secondary indexes.
    pub global_indexes: Vec<String>,
    /// Point-in-time recovery enabled.
    pub pitr: bool,
    /// The TTL attribute, when TTL is enabled.
    pub ttl: Option<String>,
    /// Tags (key, value), including `aws:` ones.
    pub tags: Vec<(String, String)>,
    /// DynamoDB's item count (updated about every six hours).
    pub items: i64,
}

/// The DynamoDB calls of adoption, `copy-table`, `down --delete-data` and
/// the local environment (whose synchronous flow runs them with
/// [`super::block`]).
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait DynamoDbApi {
    /// An item as the implementation holds it (opaque to `copy-table`).
    type Item: Clone;
    /// A table by name (`DescribeTable`, `DescribeContinuousBackups`,
    /// `DescribeTimeToLive`, `ListTagsOfResource`); `None` when there is none.
    async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>>;
    /// `DeleteTable`.
    async fn delete_table(&self, name: &str) -> ApiResult<()>;
    /// Names of the existing tables (`ListTables`, every page).
    async fn list_tables(&self) -> ApiResult<Vec<String>>;
    /// Creates one table, named `name` (on-demand billing: capacity means
    /// nothing locally).
    async fn create_table(&self, name: &str, table: &Table) -> ApiResult<()>;
    /// One Scan page from `start` (the previous page's last key); returns
    /// the items and the next start, `None` at the end.
    async fn scan(
        &self,
        table: &str,
        start: Option<Self::Item>,
    ) -> ApiResult<(Vec<Self::Item>, Option<Self::Item>)>;
    /// BatchWriteItem (puts) of at most 25 items; returns the unprocessed ones.
    async fn put_batch(&self, table: &str, items: Vec<Self::Item>) -> ApiResult<Vec<Self::Item>>;
    /// Whether the item has an attribute.
    fn has(item: &Self::Item, attribute: &str) -> bool;
}

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
}

impl DynamoDbApi for DynamoDb {
    type Item = HashMap<String, AttributeValue>;

    async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>> {
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

    async fn delete_table(&self, name: &str) -> ApiResult<()> {
        self.0
            .delete_table()
            .table_name(name)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn list_tables(&self) -> ApiResult<Vec<String>> {
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

    async fn create_table(&self, name: &str, table: &Table) -> ApiResult<()> {
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
