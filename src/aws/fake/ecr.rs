//! The fake ECR: repositories, login and image digests.

use super::Calls;
use crate::aws::ecr::{EcrApi, Login, Repository};
use crate::aws::{ApiError, ApiResult};

/// ECR: repositories in `existing` exist, others are created; images have
/// digest `sha256:abc` unless `no_digest` (with `tags`: only those
/// repository tags have one); repository `broken` is refused.
#[derive(Debug, Default)]
pub struct FakeEcr {
    /// The repositories that exist.
    pub existing: Vec<String>,
    /// When set, the only (repository, tag) pairs that have an image.
    pub tags: Option<Vec<(String, String)>>,
    /// The calls made.
    pub calls: Calls,
    /// No image has a digest.
    pub no_digest: bool,
}

impl EcrApi for FakeEcr {
    async fn ensure_repository(&self, name: &str, project: &str) -> ApiResult<Repository> {
        self.calls.push(format!("ensure {name} {project}"));
        Ok(Repository {
            uri: format!("1.dkr.ecr.r.amazonaws.com/{name}"),
            created: !self.existing.iter().any(|e| e == name),
        })
    }
    async fn find_repository(&self, name: &str) -> ApiResult<Option<Repository>> {
        Ok(self.existing.iter().any(|e| e == name).then(|| Repository {
            uri: format!("1.dkr.ecr.r.amazonaws.com/{name}"),
            created: false,
        }))
    }
    async fn login(&self) -> ApiResult<Login> {
        self.calls.push("login".into());
        Ok(Login {
            user: "AWS".into(),
            password: "s3cret".into(),
            endpoint: "https://1.dkr.ecr.r.amazonaws.com".into(),
        })
    }
    async fn image_digest(&self, repository: &str, tag: &str) -> ApiResult<Option<String>> {
        self.calls.push(format!("digest {repository}:{tag}"));
        if repository == "broken" {
            return Err(ApiError::new("AccessDenied", "no"));
        }
        let tagged = self
            .tags
            .as_ref()
            .is_none_or(|t| t.iter().any(|(r, g)| r == repository && g == tag));
        Ok((tagged && !self.no_digest).then(|| "sha256:abc".to_owned()))
    }
}
