//! The fake ElastiCache: scripted replication groups and snapshots.

use std::collections::BTreeMap;

use super::Calls;
use crate::aws::elasticache::{ElastiCacheApi, LiveReplicationGroup};
use crate::aws::{ApiError, ApiResult};

/// ElastiCache: replication groups (adoption; an ID in `errors` fails with
/// its error); each group has one snapshot `GROUP-final`; deletes recorded.
#[derive(Debug, Default)]
pub struct FakeElastiCache {
    /// Replication groups by ID.
    pub redis: BTreeMap<String, LiveReplicationGroup>,
    /// IDs whose look-up fails.
    pub errors: BTreeMap<String, ApiError>,
    /// The calls made (`redis ID`, `describe-snapshots GROUP`, `delete-snapshot NAME`).
    pub calls: Calls,
}

impl ElastiCacheApi for FakeElastiCache {
    async fn replication_group(&self, id: &str) -> ApiResult<Option<LiveReplicationGroup>> {
        self.calls.push(format!("redis {id}"));
        if let Some(e) = self.errors.get(id) {
            return Err(e.clone());
        }
        Ok(self.redis.get(id).cloned())
    }

    async fn snapshots(&self, group: &str) -> ApiResult<Vec<String>> {
        self.calls.push(format!("describe-snapshots {group}"));
        Ok(vec![format!("{group}-final")])
    }

    async fn delete_snapshot(&self, name: &str) -> ApiResult<()> {
        self.calls.push(format!("delete-snapshot {name}"));
        Ok(())
    }
}
