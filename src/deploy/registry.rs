//! What the image step needs from ECR, as a small trait over plain data
//! (tested against a fake in `push.rs` and against the local stand-in end to
//! end; `crate::aws::ecr` is the AWS SDK implementation).

use super::api::ApiResult;

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
pub trait RegistryApi {
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

/// The repository name of a service: `<stack>/<service>`, lower case (ECR
/// names are lower case).
#[must_use]
pub fn repository_name(stack: &str, service: &str) -> String {
    format!("{stack}/{service}").to_ascii_lowercase()
}

/// Splits a decoded `user:password` token.
#[must_use]
pub fn split_token(decoded: &str) -> Option<(String, String)> {
    decoded
        .split_once(':')
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_registry() {
        assert_eq!(repository_name("Game-Dev", "api"), "game-dev/api");
        let r = Repository {
            uri: "1.dkr.ecr.eu-west-1.amazonaws.com/game/api".into(),
            created: false,
        };
        assert_eq!(r.registry(), "1.dkr.ecr.eu-west-1.amazonaws.com");
        assert_eq!(
            split_token("AWS:pa:ss"),
            Some(("AWS".into(), "pa:ss".into()))
        );
        assert_eq!(split_token("nocolon"), None);
    }
}
