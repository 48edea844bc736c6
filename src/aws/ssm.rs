//! SSM: Session Manager port forwarding (`tunnel`).

use super::ecs::session;
use super::{ApiResult, sdk_error as error};
use crate::operate::session::Session;

/// SSM through the SDK.
#[derive(Debug, Clone)]
pub struct Ssm(pub(super) aws_sdk_ssm::Client);

impl Ssm {
    /// `ssm:StartSession` with `AWS-StartPortForwardingSession`.
    pub async fn start_port_forward(
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
