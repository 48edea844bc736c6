//! The fake ELBv2: a scripted target group.

use crate::aws::elbv2::{ElbApi, TargetGroupHealth};
use crate::aws::{ApiError, ApiResult, ErrorKind};

/// Scripted target groups (why a deploy failed).
#[derive(Debug, Default)]
pub struct FakeElb {
    /// The answer for any target group (none: TargetGroupNotFound).
    pub target_group: Option<TargetGroupHealth>,
}

impl ElbApi for FakeElb {
    async fn target_group(&self, arn: &str) -> ApiResult<TargetGroupHealth> {
        self.target_group
            .clone()
            .ok_or_else(|| ApiError::of_kind(ErrorKind::NotFound, "TargetGroupNotFound", arn))
    }
}
