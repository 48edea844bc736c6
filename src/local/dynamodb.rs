//! [`TableApi`] over the AWS SDK, pointed at DynamoDB Local
//! (`http://127.0.0.1:<dynamodb_port>`) with the placeholder credentials
//! DynamoDB Local accepts. The local flow is synchronous, so each call runs
//! on a small runtime of its own.

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};

use super::tables::TableApi;
use crate::model::Table;

/// DynamoDB at one endpoint.
#[derive(Debug)]
pub struct LocalDynamoDb {
    client: aws_sdk_dynamodb::Client,
    runtime: tokio::runtime::Runtime,
}

impl LocalDynamoDb {
    /// A client for `endpoint` (e.g. `http://127.0.0.1:8000`) in `region`.
    pub fn new(endpoint: &str, region: &str) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
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
        Ok(Self {
            client: aws_sdk_dynamodb::Client::from_conf(config),
            runtime,
        })
    }
}

fn error<E, R>(e: SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.code() {
        Some(code) => format!("{code}: {}", e.message().unwrap_or_default()),
        None => DisplayErrorContext(&e).to_string(),
    }
}

fn attribute(name: &str, kind: &str) -> Result<AttributeDefinition, String> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::from(kind))
        .build()
        .map_err(|e| e.to_string())
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, String> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|e| e.to_string())
}

impl TableApi for LocalDynamoDb {
    fn list_tables(&mut self) -> Result<Vec<String>, String> {
        let client = &self.client;
        self.runtime.block_on(async {
            let mut names = Vec::new();
            let mut start: Option<String> = None;
            loop {
                let out = client
                    .list_tables()
                    .set_exclusive_start_table_name(start.take())
                    .send()
                    .await
                    .map_err(error)?;
                names.extend(out.table_names().iter().cloned());
                match out.last_evaluated_table_name() {
                    Some(t) => start = Some(t.to_owned()),
                    None => return Ok(names),
                }
            }
        })
    }

    fn create_table(&mut self, table: &Table) -> Result<(), String> {
        let mut req = self
            .client
            .create_table()
            .table_name(&table.physical_name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute(&table.hash.0, &table.hash.1)?)
            .key_schema(key(&table.hash.0, KeyType::Hash)?);
        if let Some((name, kind)) = &table.range {
            req = req
                .attribute_definitions(attribute(name, kind)?)
                .key_schema(key(name, KeyType::Range)?);
        }
        self.runtime.block_on(req.send()).map(|_| ()).map_err(error)
    }
}
