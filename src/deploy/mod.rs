//! Deploying a rendered template through CloudFormation change sets:
//! `c2cfn up`, `diff`, `down` and `ps`, and the image step of `up` and
//! `push` ([`push`]). AWS is reached through the traits of
//! [`api`] only, so the state machine ([`plan`]) is tested against fakes and
//! runs against the AWS SDK ([`sdk`]). See docs/deploy.md.

pub mod adopt;
pub mod api;
pub mod change_set;
pub mod copy_table;
pub mod delete_data;
pub mod docker;
pub mod down;
pub mod ecs;
pub mod events;
pub mod failure;
pub mod guard;
pub mod interrupt;
pub mod live_review;
pub mod nlb_security_group;
pub mod params;
pub mod plan;
pub mod precheck;
pub mod preview;
pub mod push;
pub mod registry;
pub mod sdk;
pub mod sdk_adopt;
pub mod sdk_cache;
pub mod sdk_data;
pub mod sdk_dns;
pub mod sdk_ecr;
pub mod sdk_ecs;
pub mod sdk_health;
pub mod sdk_s3;
pub mod service_report;
pub mod service_status;
pub mod status;
pub mod template_store;
pub mod ui;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

/// Exit code: the CloudFormation operation ran and failed (rolled back, or
/// the delete failed). See README.md.
pub const EXIT_DEPLOY_FAILED: i32 = 5;
/// Exit code of `diff` when something would change.
pub const EXIT_HAS_CHANGES: i32 = 3;

/// Why a deploy command stopped: what to print and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong (may span lines).
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The exit code.
    pub code: i32,
}

impl Failure {
    /// A failure before anything changed (exit 1).
    #[must_use]
    pub fn refused(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
            code: 1,
        }
    }

    /// An AWS call that failed (exit 1).
    #[must_use]
    pub fn api(what: &str, e: &api::ApiError) -> Self {
        let hint = if e.code.contains("Throttl") {
            "AWS is throttling requests (the SDK already retried); wait a minute and run the command again"
        } else if e.code.contains("ExpiredToken")
            || e.code.contains("InvalidClientTokenId")
            || e.code.contains("UnrecognizedClient")
            || e.message.contains("credentials")
        {
            "check the AWS credentials: --aws-profile, `aws_profile` in the env file, or AWS_PROFILE / AWS_ACCESS_KEY_ID (for SSO: `aws sso login`)"
        } else {
            "the AWS error above comes from CloudFormation; `c2cfn ps` shows the stack's current state"
        };
        Self::refused(format!("{what}: {e}"), hint)
    }
}
