//! Templates over CloudFormation's 51,200-byte inline limit go through S3:
//! a bucket (`--s3-bucket`, else `c2cfn-templates-<account>-<region>`,
//! created on demand with public access blocked and default encryption),
//! the template uploaded, its regional URL passed as `TemplateURL`. Over
//! 1,000,000 bytes (CloudFormation's limit for S3 templates) is an error
//! before any call.

use std::io::Write;

use super::Failure;
use crate::aws::s3::S3Api;
use crate::cfn::limits::{MAX_BODY_BYTES, MAX_INLINE_BYTES};

/// Where the template goes, when it must go through S3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staging<'a> {
    /// `--s3-bucket`, if given.
    pub bucket: Option<&'a str>,
    /// The account (for the default bucket name).
    pub account: &'a str,
    /// The region.
    pub region: &'a str,
    /// The stack (key prefix).
    pub stack: &'a str,
    /// A unique part of the key (c2cfn uses the Unix time).
    pub stamp: u64,
}

/// The default bucket: `c2cfn-templates-<account>-<region>`.
#[must_use]
pub fn default_bucket(account: &str, region: &str) -> String {
    format!("c2cfn-templates-{account}-{region}")
}

/// The regional URL CloudFormation reads the template from.
#[must_use]
pub fn template_url(bucket: &str, region: &str, key: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://{bucket}.s3.{region}.{suffix}/{key}")
}

/// Fails when no CloudFormation call could take the template.
pub fn check_size(bytes: usize) -> Result<(), Failure> {
    if bytes > MAX_BODY_BYTES {
        return Err(Failure::refused(
            format!(
                "the template is {bytes} bytes; CloudFormation accepts at most {MAX_BODY_BYTES} bytes, even through S3"
            ),
            "split the project into several stacks (several compose projects); nothing was sent to AWS",
        ));
    }
    Ok(())
}

/// Uploads the template when it is over the inline limit; returns its URL
/// (`None`: small enough to send inline).
pub async fn stage<S: S3Api>(
    store: &S,
    staging: &Staging<'_>,
    text: &str,
    out: &mut dyn Write,
) -> Result<Option<String>, Failure> {
    check_size(text.len())?;
    if text.len() <= MAX_INLINE_BYTES {
        return Ok(None);
    }
    let bucket = staging.bucket.map_or_else(
        || default_bucket(staging.account, staging.region),
        str::to_owned,
    );
    let s3_hint = |what: &str, e: &crate::aws::ApiError| {
        let mut f = Failure::api(what, e);
        f.hint = Some(format!(
            "templates over {MAX_INLINE_BYTES} bytes go through S3: the credentials need s3:CreateBucket, s3:PutBucketPublicAccessBlock, s3:PutEncryptionConfiguration and s3:PutObject on {bucket}, or pass --s3-bucket with a bucket you can write to"
        ));
        f
    };
    if staging.bucket.is_none() {
        let created = store
            .ensure_bucket(&bucket, staging.region)
            .await
            .map_err(|e| s3_hint(&format!("cannot prepare S3 bucket {bucket}"), &e))?;
        if created {
            let _ = writeln!(
                out,
                "Created S3 bucket {bucket} for templates (public access blocked, encrypted)."
            );
        }
    }
    let key = format!("c2cfn/{}/{}.yaml", staging.stack, staging.stamp);
    store.upload(&bucket, &key, text).await.map_err(|e| {
        s3_hint(
            &format!("cannot upload the template to s3://{bucket}/{key}"),
            &e,
        )
    })?;
    let _ = writeln!(
        out,
        "The template is {} bytes (over {MAX_INLINE_BYTES}): uploaded to s3://{bucket}/{key}.",
        text.len()
    );
    Ok(Some(template_url(&bucket, staging.region, &key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::fake::FakeS3;
    use crate::aws::testing::block;

    fn staging(bucket: Option<&str>) -> Staging<'_> {
        Staging {
            bucket,
            account: "123456789012",
            region: "eu-west-1",
            stack: "game",
            stamp: 42,
        }
    }

    #[test]
    fn small_templates_stay_inline() {
        let s3 = FakeS3::default();
        let mut out = Vec::new();
        let text = "x".repeat(MAX_INLINE_BYTES);
        assert_eq!(
            block(stage(&s3, &staging(None), &text, &mut out)).ok(),
            Some(None)
        );
        assert!(s3.calls.borrow().is_empty());
    }

    #[test]
    fn large_templates_go_to_the_default_bucket() {
        let s3 = FakeS3::default();
        let mut out = Vec::new();
        let text = "x".repeat(MAX_INLINE_BYTES + 1);
        let url = block(stage(&s3, &staging(None), &text, &mut out)).expect("staged");
        assert_eq!(
            url.as_deref(),
            Some(
                "https://c2cfn-templates-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com/c2cfn/game/42.yaml"
            )
        );
        assert_eq!(
            s3.calls.borrow().as_slice(),
            [
                "ensure c2cfn-templates-123456789012-eu-west-1 eu-west-1",
                "upload c2cfn-templates-123456789012-eu-west-1 c2cfn/game/42.yaml 51201"
            ]
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains("Created S3 bucket c2cfn-templates-123456789012-eu-west-1"),
            "{text}"
        );
    }

    #[test]
    fn a_given_bucket_is_used_as_it_is() {
        let s3 = FakeS3::default();
        let mut out = Vec::new();
        let text = "x".repeat(MAX_INLINE_BYTES + 1);
        let url = block(stage(&s3, &staging(Some("mine")), &text, &mut out)).expect("staged");
        assert_eq!(
            url.as_deref(),
            Some("https://mine.s3.eu-west-1.amazonaws.com/c2cfn/game/42.yaml")
        );
        assert_eq!(
            s3.calls.borrow().as_slice(),
            ["upload mine c2cfn/game/42.yaml 51201"]
        );
    }

    #[test]
    fn over_a_megabyte_fails_before_any_call() {
        let s3 = FakeS3::default();
        let mut out = Vec::new();
        let text = "x".repeat(MAX_BODY_BYTES + 1);
        let f = block(stage(&s3, &staging(None), &text, &mut out)).expect_err("too large");
        assert!(f.message.contains("at most 1000000 bytes"), "{}", f.message);
        assert!(s3.calls.borrow().is_empty());
    }

    #[test]
    fn denied_bucket_creation_names_the_way_out() {
        let s3 = FakeS3 {
            deny: true,
            ..FakeS3::default()
        };
        let mut out = Vec::new();
        let text = "x".repeat(MAX_INLINE_BYTES + 1);
        let f = block(stage(&s3, &staging(None), &text, &mut out)).expect_err("denied");
        assert!(f.message.contains("AccessDenied"), "{}", f.message);
        assert!(f.hint.unwrap_or_default().contains("--s3-bucket"));
    }

    #[test]
    fn china_regions_use_their_domain() {
        assert_eq!(
            template_url("b", "cn-north-1", "k"),
            "https://b.s3.cn-north-1.amazonaws.com.cn/k"
        );
    }
}
