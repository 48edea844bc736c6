//! ECR: [`RegistryApi`] over the SDK.

use aws_sdk_ecr::types::{ImageIdentifier, ImageScanningConfiguration, Tag};

use super::{ApiError, ApiResult, ErrorKind, sdk_error as error};
use crate::deploy::registry::{Login, RegistryApi, Repository, split_token};

/// ECR through the SDK.
#[derive(Debug, Clone)]
pub struct Ecr(pub(super) aws_sdk_ecr::Client);

/// The tag c2cfn puts on the repositories it creates.
pub const PROJECT_TAG: &str = "c2cfn:project";

impl RegistryApi for Ecr {
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
