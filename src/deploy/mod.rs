//! Deploying a rendered template through CloudFormation change sets:
//! `c2cfn up`, `diff`, `down` and `ps`, and the image step of `up` and
//! `push` ([`push`]). AWS is reached through the traits of
//! [`api`] only, so the state machine ([`plan`]) is tested against fakes and
//! runs against the AWS SDK ([`crate::aws`]). See docs/deploy.md.

pub mod adopt;
pub mod change_set;
pub mod copy_table;
pub mod delete_data;
pub mod docker;
pub mod down;
pub mod ecs;
pub mod events;
pub mod failure;
pub mod guard;
pub mod inputs;
pub mod interrupt;
pub mod live_review;
pub mod nlb_security_group;
pub mod params;
pub mod plan;
pub mod precheck;
pub mod preview;
pub mod push;
pub mod registry;
pub mod service_report;
pub mod service_status;
pub mod status;
pub mod template_store;
pub mod ui;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

/// How a deploy, operate or local command stopped. The CLI alone turns it
/// into an exit code (`cli::exit::of`, README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Refused or failed before anything changed (invalid input, an AWS
    /// call that failed, a cancelled prompt).
    Refused,
    /// The command line itself is wrong (e.g. a file given as a service).
    Usage,
    /// Output could not be written.
    Io,
    /// The CloudFormation operation ran and failed (rolled back, or the
    /// delete failed).
    Failed,
    /// Ctrl-C: c2cfn stopped watching; the operation goes on.
    Interrupted,
}

/// Why a deploy command stopped: what to print and how it stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// What went wrong (may span lines).
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// How it stopped (the exit code, in the CLI).
    pub stop: Stop,
}

impl Failure {
    /// A failure before anything changed.
    #[must_use]
    pub fn refused(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
            stop: Stop::Refused,
        }
    }

    /// An AWS call that failed (nothing changed); the hint follows the
    /// error's kind.
    #[must_use]
    pub fn api(what: &str, e: &crate::aws::ApiError) -> Self {
        let hint = match e.kind {
            crate::aws::ErrorKind::Throttled => {
                "AWS is throttling requests (the SDK already retried); wait a minute and run the command again"
            }
            crate::aws::ErrorKind::Credentials => {
                "check the AWS credentials: --aws-profile, `aws_profile` in the env file, or AWS_PROFILE / AWS_ACCESS_KEY_ID (for SSO: `aws sso login`)"
            }
            _ => {
                "the AWS error above comes from CloudFormation; `c2cfn ps` shows the stack's current state"
            }
        };
        Self::refused(format!("{what}: {e}"), hint)
    }
}
