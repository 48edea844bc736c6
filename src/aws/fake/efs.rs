//! The fake EFS: deletes recorded.

use super::Calls;
use crate::aws::ApiResult;
use crate::aws::efs::EfsApi;

/// EFS: deletes recorded.
#[derive(Debug, Default)]
pub struct FakeEfs {
    /// The calls made (`delete-file-system ID`).
    pub calls: Calls,
}

impl EfsApi for FakeEfs {
    async fn delete_file_system(&self, id: &str) -> ApiResult<()> {
        self.calls.push(format!("delete-file-system {id}"));
        Ok(())
    }
}
