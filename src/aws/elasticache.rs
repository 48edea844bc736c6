//! ElastiCache: a Redis group's final snapshots (`down --delete-data`).

use super::{ApiResult, sdk_error as error};

/// ElastiCache through the SDK.
#[derive(Debug, Clone)]
pub struct ElastiCache(pub(super) aws_sdk_elasticache::Client);

impl ElastiCache {
    /// Snapshot names of a replication group (`DescribeSnapshots`, every page).
    pub async fn snapshots(&self, replication_group: &str) -> ApiResult<Vec<String>> {
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

    /// `DeleteSnapshot`.
    pub async fn delete_snapshot(&self, name: &str) -> ApiResult<()> {
        self.0
            .delete_snapshot()
            .snapshot_name(name)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}
