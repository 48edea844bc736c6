//! S3: the [`S3Api`] trait (templates over the inline limit) and its
//! implementation over the SDK.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};

use super::{ApiError, ApiResult, ErrorKind, sdk_error as error};

/// The S3 calls of a large template.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait S3Api {
    /// `HeadBucket`, and when missing `CreateBucket` (in `region`),
    /// `PutPublicAccessBlock` (all four blocks) and `PutBucketEncryption`
    /// (SSE-S3). Returns whether it created the bucket.
    async fn ensure_bucket(&self, bucket: &str, region: &str) -> ApiResult<bool>;
    /// `PutObject`.
    async fn upload(&self, bucket: &str, key: &str, body: &str) -> ApiResult<()>;
}

/// S3 through the SDK.
#[derive(Debug, Clone)]
pub struct S3(pub(super) aws_sdk_s3::Client);

fn build_error(e: &aws_sdk_s3::error::BuildError) -> ApiError {
    ApiError::of_kind(ErrorKind::Validation, "", e.to_string())
}

impl S3 {
    async fn exists(&self, bucket: &str) -> ApiResult<bool> {
        match self.0.head_bucket().bucket(bucket).send().await {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error().is_some_and(
                    aws_sdk_s3::operation::head_bucket::HeadBucketError::is_not_found,
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(error(e)),
        }
    }

    async fn secure(&self, bucket: &str) -> ApiResult<()> {
        self.0
            .put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .map_err(error)?;
        let by_default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::Aes256)
            .build()
            .map_err(|e| build_error(&e))?;
        let encryption = ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(by_default)
                    .build(),
            )
            .build()
            .map_err(|e| build_error(&e))?;
        self.0
            .put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(encryption)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}

impl S3Api for S3 {
    async fn ensure_bucket(&self, bucket: &str, region: &str) -> ApiResult<bool> {
        if self.exists(bucket).await? {
            return Ok(false);
        }
        let mut create = self.0.create_bucket().bucket(bucket);
        // us-east-1 is the one region that refuses an explicit constraint.
        if region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        match create.send().await {
            Ok(_) => {}
            // Created by a concurrent run between the two calls.
            Err(e)
                if e.as_service_error()
                    .is_some_and(aws_sdk_s3::operation::create_bucket::CreateBucketError::is_bucket_already_owned_by_you) =>
            {
                return Ok(false);
            }
            Err(e) => return Err(error(e)),
        }
        self.secure(bucket).await?;
        Ok(true)
    }

    async fn upload(&self, bucket: &str, key: &str, body: &str) -> ApiResult<()> {
        self.0
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/x-yaml")
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}
