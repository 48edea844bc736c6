//! The fake SSM: port forwards that always start.

use super::Calls;
use crate::aws::ApiResult;
use crate::aws::ssm::{Session, SsmApi};

/// A Session Manager session with ID `id`.
#[must_use]
pub fn session(id: &str) -> Session {
    Session {
        session_id: id.into(),
        stream_url: format!("wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/{id}"),
        token: format!("tok-{id}"),
    }
}

/// SSM: every port forward starts (session `pf-LOCAL`); recorded.
#[derive(Debug, Default)]
pub struct FakeSsm {
    /// The calls made (`start-session TARGET REMOTE LOCAL`).
    pub calls: Calls,
}

impl SsmApi for FakeSsm {
    async fn start_port_forward(
        &self,
        target: &str,
        remote: u16,
        local: u16,
    ) -> ApiResult<Session> {
        self.calls
            .push(format!("start-session {target} {remote} {local}"));
        Ok(session(&format!("pf-{local}")))
    }
}
