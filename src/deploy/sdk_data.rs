//! [`DataApi`] over the AWS SDK's DynamoDB, EFS and ElastiCache clients
//! (`down --delete-data`).

use super::api::ApiResult;
use super::delete_data::DataApi;
use super::sdk::error;

/// The clients that delete kept data.
#[derive(Debug, Clone)]
pub struct SdkData {
    pub(super) dynamodb: aws_sdk_dynamodb::Client,
    pub(super) efs: aws_sdk_efs::Client,
    pub(super) elasticache: aws_sdk_elasticache::Client,
}

impl DataApi for SdkData {
    async fn delete_table(&self, name: &str) -> ApiResult<()> {
        self.dynamodb
            .delete_table()
            .table_name(name)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn delete_file_system(&self, id: &str) -> ApiResult<()> {
        self.efs
            .delete_file_system()
            .file_system_id(id)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn redis_snapshots(&self, replication_group: &str) -> ApiResult<Vec<String>> {
        let out = self
            .elasticache
            .describe_snapshots()
            .replication_group_id(replication_group)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .snapshots()
            .iter()
            .filter_map(|s| s.snapshot_name().map(str::to_owned))
            .collect())
    }

    async fn delete_snapshot(&self, name: &str) -> ApiResult<()> {
        self.elasticache
            .delete_snapshot()
            .snapshot_name(name)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}
