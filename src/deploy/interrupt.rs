//! Ctrl-C during a deploy command. The command records how far it got in a
//! [`Checkpoint`]; when Ctrl-C ends it, [`interrupted`] says what that
//! means, and deletes a change set that was waiting for the confirmation
//! (so that, as with answering `n`, nothing is left behind). An operation
//! CloudFormation already runs is never cancelled: c2cfn only stops watching.

use std::cell::RefCell;
use std::time::Duration;

use super::{Failure, Stop};
use crate::aws::cloudformation::CloudFormationApi;

/// How far a deploy command got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Stage {
    /// Nothing changed yet (rendering, building, reading the stack).
    #[default]
    Preparing,
    /// A change set exists and awaits the preview or the confirmation.
    ChangeSet {
        /// Its name or ID.
        id: String,
        /// It would create the stack (the empty stack it made goes too).
        new_stack: bool,
    },
    /// Waiting for an operation that c2cfn did not start.
    Waiting,
    /// c2cfn started a stack operation and watches it.
    Running,
}

/// The current [`Stage`] of one command (single-threaded, like the runtime).
#[derive(Debug, Default)]
pub struct Checkpoint(RefCell<Stage>);

impl Checkpoint {
    /// Records the stage reached.
    pub fn set(&self, stage: Stage) {
        *self.0.borrow_mut() = stage;
    }

    /// The stage reached.
    #[must_use]
    pub fn get(&self) -> Stage {
        self.0.borrow().clone()
    }
}

/// What Ctrl-C ends with at `stage`; a pending change set of `stack` is
/// deleted first (within a few seconds, or left with a hint).
pub async fn interrupted<C: CloudFormationApi>(
    stage: &Stage,
    cfn: Option<&C>,
    stack: &str,
) -> Failure {
    let ps = format!("`c2cfn ps` (with the same project options) shows stack {stack}");
    let (message, hint) = match stage {
        Stage::Preparing => (
            "interrupted: nothing was changed".to_owned(),
            "run the command again when you are ready".to_owned(),
        ),
        Stage::ChangeSet { id, new_stack } => {
            let cleaned = match cfn {
                Some(cfn) => {
                    let discard = async {
                        let deleted = cfn.delete_change_set(stack, id).await.is_ok();
                        if *new_stack {
                            // The empty REVIEW_IN_PROGRESS stack CreateChangeSet made.
                            cfn.delete_stack(stack).await.is_ok() && deleted
                        } else {
                            deleted
                        }
                    };
                    tokio::time::timeout(Duration::from_secs(10), discard)
                        .await
                        .unwrap_or(false)
                }
                None => false,
            };
            if cleaned {
                (
                    "interrupted: nothing was changed (the change set was deleted)".to_owned(),
                    "run the command again and answer y to deploy".to_owned(),
                )
            } else {
                (
                    format!(
                        "interrupted: nothing was changed, but change set {id} could not be deleted"
                    ),
                    format!(
                        "delete it with `aws cloudformation delete-change-set --stack-name {stack} --change-set-name {id}`; {ps}"
                    ),
                )
            }
        }
        Stage::Waiting => (
            "interrupted: c2cfn stopped waiting for the operation already running on the stack; it goes on, and c2cfn changed nothing".to_owned(),
            ps,
        ),
        Stage::Running => (
            "interrupted: c2cfn stopped watching. Nothing was cancelled or deleted: the stack operation goes on in CloudFormation.".to_owned(),
            format!("{ps}; run `c2cfn up` again to continue once it has settled"),
        ),
    };
    Failure {
        message,
        hint: Some(hint),
        stop: Stop::Interrupted,
    }
}
