//! EFS: deleting a kept file system (`down --delete-data`).

use super::{ApiResult, sdk_error as error};

/// EFS through the SDK.
#[derive(Debug, Clone)]
pub struct Efs(pub(super) aws_sdk_efs::Client);

impl Efs {
    /// `DeleteFileSystem`.
    pub async fn delete_file_system(&self, id: &str) -> ApiResult<()> {
        self.0
            .delete_file_system()
            .file_system_id(id)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}
