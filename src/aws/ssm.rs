//! SSM: the [`SsmApi`] trait (Session Manager port forwarding for `tunnel`)
//! and its implementation over the SDK, and the [`Session`] that ECS Exec
//! and SSM both hand to the Session Manager plugin.

use super::{ApiError, ApiResult, ErrorKind, sdk_error as error};

/// A session returned by `ecs:ExecuteCommand` or `ssm:StartSession`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Session ID.
    pub session_id: String,
    /// WebSocket URL.
    pub stream_url: String,
    /// Token.
    pub token: String,
}

/// The SSM calls of `tunnel`.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait SsmApi {
    /// `ssm:StartSession` with `AWS-StartPortForwardingSession`.
    async fn start_port_forward(&self, target: &str, remote: u16, local: u16)
    -> ApiResult<Session>;
}

/// A Session Manager session from an ECS or SSM answer.
pub(super) fn session(
    id: Option<&str>,
    url: Option<&str>,
    token: Option<&str>,
) -> ApiResult<Session> {
    match (id, url, token) {
        (Some(i), Some(u), Some(t)) => Ok(Session {
            session_id: i.to_owned(),
            stream_url: u.to_owned(),
            token: t.to_owned(),
        }),
        _ => Err(ApiError::of_kind(
            ErrorKind::Other,
            "NoSession",
            "the answer carried no session (ID, stream URL and token)",
        )),
    }
}

/// SSM through the SDK.
#[derive(Debug, Clone)]
pub struct Ssm(pub(super) aws_sdk_ssm::Client);

impl SsmApi for Ssm {
    async fn start_port_forward(
        &self,
        target: &str,
        remote: u16,
        local: u16,
    ) -> ApiResult<Session> {
        let out = self
            .0
            .start_session()
            .target(target)
            .document_name("AWS-StartPortForwardingSession")
            .parameters("portNumber", vec![remote.to_string()])
            .parameters("localPortNumber", vec![local.to_string()])
            .send()
            .await
            .map_err(error)?;
        session(out.session_id(), out.stream_url(), out.token_value())
    }
}
