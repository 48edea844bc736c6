//! The one AWS layer: every call c2cfn makes to AWS goes through here.
//!
//! - [`Clients`] is the client bundle, built once per command from
//!   `aws-config` (`--aws-profile` / `--region` first, then the standard
//!   chain; `AWS_ENDPOINT_URL` points every call at another endpoint, which
//!   is how the tests reach the local stand-in).
//! - [`sdk_error`] is the one mapping from an SDK error to an [`ApiError`]
//!   with a typed [`ErrorKind`] (from the error metadata's code, or the kind
//!   of transport failure).
//! - One file per service (`cloudformation.rs`, `ecs.rs`, ...) defines that
//!   service's one trait over plain data (`CloudFormationApi`, `EcsApi`,
//!   ...) with the data it returns, and implements it once on the service's
//!   client struct: each SDK call written once, paged with the SDK's
//!   paginators. deploy, operate and local take the service traits they
//!   need; `fake/` has one scripted fake per service for their tests. No
//!   SDK type leaves this module.
//! - EC2 alone has no SDK client: `ec2.rs` makes its three read-only calls
//!   through `query.rs`, a small EC2 Query client built from the SDK's own
//!   parts and the same configuration (docs/architecture.md, "Build weight").
//!
//! Only [`error`] builds without the `aws` feature.

pub mod error;

pub use error::{ApiError, ApiResult, ErrorKind};

#[cfg(feature = "aws")]
mod config;
#[cfg(feature = "aws")]
pub use config::{Clients, load_config};

#[cfg(feature = "aws")]
pub mod acm;
#[cfg(feature = "aws")]
pub mod cloudformation;
#[cfg(feature = "aws")]
pub mod dynamodb;
#[cfg(feature = "aws")]
pub mod ec2;
#[cfg(feature = "aws")]
pub mod ecr;
#[cfg(feature = "aws")]
pub mod ecs;
#[cfg(feature = "aws")]
pub mod efs;
#[cfg(feature = "aws")]
pub mod elasticache;
#[cfg(feature = "aws")]
pub mod elbv2;
#[cfg(feature = "aws")]
pub mod logs;
#[cfg(feature = "aws")]
pub mod query;
#[cfg(feature = "aws")]
pub mod route53;
#[cfg(feature = "aws")]
pub mod s3;
#[cfg(feature = "aws")]
pub mod ssm;
#[cfg(feature = "aws")]
pub mod sts;

#[cfg(all(test, feature = "aws"))]
pub mod fake;
#[cfg(all(test, feature = "aws"))]
pub mod testing;

#[cfg(feature = "aws")]
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

/// Runs a future of the service traits to completion on a current-thread
/// runtime of its own: how a synchronous flow (the local environment's
/// tables) calls them. Fails only when the runtime cannot start.
#[cfg(feature = "aws")]
pub fn block<F: std::future::Future>(f: F) -> std::io::Result<F::Output> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(f))
}

/// The one mapping from an SDK error to an [`ApiError`]: the service's code
/// and message when AWS answered (the kind follows from the code), else the
/// kind of failure (timeout, network, credentials) and the error's causes
/// as one line.
#[cfg(feature = "aws")]
pub fn sdk_error<E, R>(e: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let Some(code) = e.code() {
        return ApiError::new(code, e.message().unwrap_or_default());
    }
    let kind = match &e {
        SdkError::TimeoutError(_) => ErrorKind::Timeout,
        SdkError::DispatchFailure(d) if d.is_timeout() => ErrorKind::Timeout,
        _ if has_cause::<aws_credential_types::provider::error::CredentialsError>(&e) => {
            ErrorKind::Credentials
        }
        SdkError::DispatchFailure(d) if d.is_io() => ErrorKind::Network,
        _ => ErrorKind::Other,
    };
    ApiError::of_kind(kind, "", causes(&e))
}

/// True when `T` is among the error's causes.
#[cfg(feature = "aws")]
fn has_cause<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(cause) = next {
        if cause.is::<T>() {
            return true;
        }
        next = cause.source();
    }
    false
}

/// The error and its causes as one line (`a: b: c`), without the raw HTTP
/// response the SDK's debug output carries.
#[cfg(feature = "aws")]
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}
