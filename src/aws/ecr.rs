//! ECR: the [`EcrApi`] trait (repositories, login, image digests) and its
//! implementation over the SDK.

use aws_sdk_ecr::types::{ImageIdentifier, ImageScanningConfiguration, Tag};

use super::{ApiError, ApiResult, ErrorKind, sdk_error as error};

/// An ECR repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`.
    pub uri: String,
    /// Whether c2cfn just created it.
    pub created: bool,
}

impl Repository {
    /// The registry host part of the URI.
    #[must_use]
    pub fn registry(&self) -> &str {
        self.uri.split_once('/').map_or(&self.uri, |(host, _)| host)
    }
}

/// Docker credentials from `GetAuthorizationToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// User name (`AWS`).
    pub user: String,
    /// The password (goes to `docker login` on standard input only).
    pub password: String,
    /// The registry endpoint, `https://ACCOUNT.dkr.ecr.REGION.amazonaws.com`.
    pub endpoint: String,
}

/// The ECR calls of the image step.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait EcrApi {
    /// `DescribeRepositories`, and `CreateRepository` (scan on push, tagged
    /// `c2cfn:project`) when it does not exist.
    async fn ensure_repository(&self, name: &str, project: &str) -> ApiResult<Repository>;
    /// The repository when it exists (`DescribeRepositories`).
    async fn find_repository(&self, name: &str) -> ApiResult<Option<Repository>>;
    /// `GetAuthorizationToken`, decoded.
    async fn login(&self) -> ApiResult<Login>;
    /// `DescribeImages` for one tag: the image's `sha256:` digest, `None`
    /// when the tag is not in the repository.
    async fn image_digest(&self, repository: &str, tag: &str) -> ApiResult<Option<String>>;
}

/// Splits a decoded `user:password` token.
#[must_use]
pub fn split_token(decoded: &str) -> Option<(String, String)> {
    decoded
        .split_once(':')
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
}

/// ECR through the SDK.
#[derive(Debug, Clone)]
pub struct Ecr(pub(super) aws_sdk_ecr::Client);

/// The tag c2cfn puts on the repositories it creates.
pub const PROJECT_TAG: &str = "c2cfn:project";

impl EcrApi for Ecr {
    async fn find_repository(&self, name: &str) -> ApiResult<Option<Repository>> {
        match self
            .0
            .describe_repositories()
            .repository_names(name)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .repositories()
                .first()
                .and_then(|r| r.repository_uri())
                .map(|uri| Repository {
                    uri: uri.to_owned(),
                    created: false,
                })),
            Err(e) => {
                let e = error(e);
                if e.is_not_found() { Ok(None) } else { Err(e) }
            }
        }
    }

    async fn ensure_repository(&self, name: &str, project: &str) -> ApiResult<Repository> {
        if let Some(repo) = self.find_repository(name).await? {
            return Ok(repo);
        }
        let tag = Tag::builder()
            .key(PROJECT_TAG)
            .value(project)
            .build()
            .map_err(|e| ApiError::new("", e.to_string()))?;
        let created = self
            .0
            .create_repository()
            .repository_name(name)
            .image_scanning_configuration(
                ImageScanningConfiguration::builder()
                    .scan_on_push(true)
                    .build(),
            )
            .tags(tag)
            .send()
            .await;
        match created {
            Ok(out) => Ok(Repository {
                uri: out
                    .repository()
                    .and_then(|r| r.repository_uri())
                    .unwrap_or_default()
                    .to_owned(),
                created: true,
            }),
            Err(e) => {
                let e = error(e);
                // Created by a concurrent run between the two calls.
                if e.kind == ErrorKind::Conflict
                    && let Some(repo) = self.find_repository(name).await?
                {
                    return Ok(repo);
                }
                Err(e)
            }
        }
    }

    async fn login(&self) -> ApiResult<Login> {
        let out = self
            .0
            .get_authorization_token()
            .send()
            .await
            .map_err(error)?;
        let Some(data) = out.authorization_data().first() else {
            return Err(ApiError::new(
                "NoAuthorizationData",
                "ECR returned no authorization data",
            ));
        };
        let token = data.authorization_token().unwrap_or_default();
        let decoded = aws_smithy_types::base64::decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| split_token(&s))
            .ok_or_else(|| {
                ApiError::new(
                    "InvalidAuthorizationToken",
                    "ECR's authorization token is not base64 of `user:password`",
                )
            })?;
        Ok(Login {
            user: decoded.0,
            password: decoded.1,
            endpoint: data.proxy_endpoint().unwrap_or_default().to_owned(),
        })
    }

    async fn image_digest(&self, repository: &str, tag: &str) -> ApiResult<Option<String>> {
        let out = self
            .0
            .describe_images()
            .repository_name(repository)
            .image_ids(ImageIdentifier::builder().image_tag(tag).build())
            .send()
            .await;
        match out {
            Ok(out) => Ok(out
                .image_details()
                .first()
                .and_then(|d| d.image_digest())
                .map(str::to_owned)),
            Err(e) => {
                let e = error(e);
                if e.is_not_found() { Ok(None) } else { Err(e) }
            }
        }
    }
}
