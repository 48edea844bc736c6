//! The fake S3: buckets and uploads recorded.

use super::Calls;
use crate::aws::s3::S3Api;
use crate::aws::{ApiError, ApiResult};

/// S3 for templates: buckets are made, uploads recorded; `deny` refuses.
#[derive(Debug, Default)]
pub struct FakeS3 {
    /// The calls made.
    pub calls: Calls,
    /// Every bucket is refused (AccessDenied).
    pub deny: bool,
}

impl S3Api for FakeS3 {
    async fn ensure_bucket(&self, bucket: &str, region: &str) -> ApiResult<bool> {
        self.calls.push(format!("ensure {bucket} {region}"));
        if self.deny {
            return Err(ApiError::new("AccessDenied", "Access Denied"));
        }
        Ok(true)
    }
    async fn upload(&self, bucket: &str, key: &str, body: &str) -> ApiResult<()> {
        self.calls
            .push(format!("upload {bucket} {key} {}", body.len()));
        Ok(())
    }
}
