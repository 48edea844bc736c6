//! EFS: the [`EfsApi`] trait (deleting a kept file system, `down
//! --delete-data`) and its implementation over the SDK.

use super::{ApiResult, sdk_error as error};

/// The EFS call of `down --delete-data`.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait EfsApi {
    /// `DeleteFileSystem` (its mount targets went with the stack).
    async fn delete_file_system(&self, id: &str) -> ApiResult<()>;
}

/// EFS through the SDK.
#[derive(Debug, Clone)]
pub struct Efs(pub(super) aws_sdk_efs::Client);

impl EfsApi for Efs {
    async fn delete_file_system(&self, id: &str) -> ApiResult<()> {
        self.0
            .delete_file_system()
            .file_system_id(id)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}
