//! STS: the account the credentials belong to.

use super::{ApiResult, sdk_error as error};

/// STS through the SDK.
#[derive(Debug, Clone)]
pub struct Sts(pub(super) aws_sdk_sts::Client);

impl Sts {
    /// `GetCallerIdentity`: the account ID.
    pub async fn account(&self) -> ApiResult<String> {
        let out = self.0.get_caller_identity().send().await.map_err(error)?;
        Ok(out.account().unwrap_or_default().to_owned())
    }
}
