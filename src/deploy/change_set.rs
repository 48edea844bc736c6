//! Creating a change set and waiting until CloudFormation has computed it.
//! "No changes" comes in two forms and both are recognised: CreateChangeSet
//! itself fails with "No updates are to be performed." (the local stand-in
//! when parameters are passed), or the change set ends FAILED with "The
//! submitted information didn't contain changes" (AWS). Either way nothing
//! is left behind.

use std::time::Duration;

use super::Failure;
use crate::aws::cloudformation::{CloudFormationApi, NewChangeSet, ResourceChange};

/// A computed change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// Nothing would change (the empty change set is already deleted).
    NoChanges,
    /// The change set, ready to preview and execute.
    Ready {
        /// Its ID.
        id: String,
        /// The resource changes.
        changes: Vec<ResourceChange>,
    },
}

/// Whether a CloudFormation message means "nothing to change".
#[must_use]
pub fn is_no_change(message: &str) -> bool {
    message.contains("didn't contain changes") || message.contains("No updates are to be performed")
}

/// Creates the change set and waits for it.
pub async fn create<C: CloudFormationApi>(
    cfn: &C,
    change_set: &NewChangeSet,
    poll: Duration,
) -> Result<Prepared, Failure> {
    let id = match cfn.create_change_set(change_set).await {
        Ok(id) => id,
        Err(e) if is_no_change(&e.message) => return Ok(Prepared::NoChanges),
        Err(e) => return Err(Failure::api("cannot create the change set", &e)),
    };
    loop {
        let info = cfn
            .describe_change_set(&change_set.stack, &id)
            .await
            .map_err(|e| Failure::api("cannot read the change set", &e))?;
        match info.status.as_str() {
            "CREATE_COMPLETE" if info.changes.is_empty() => {
                let _ = cfn.delete_change_set(&change_set.stack, &id).await;
                return Ok(Prepared::NoChanges);
            }
            "CREATE_COMPLETE" => {
                return Ok(Prepared::Ready {
                    id,
                    changes: info.changes,
                });
            }
            "FAILED" => {
                let reason = info.reason.unwrap_or_default();
                let _ = cfn.delete_change_set(&change_set.stack, &id).await;
                if is_no_change(&reason) {
                    return Ok(Prepared::NoChanges);
                }
                return Err(Failure::refused(
                    format!("CloudFormation could not compute the change set: {reason}"),
                    "nothing was changed; fix the template or parameters (`c2cfn render` shows the template)",
                ));
            }
            s if s.starts_with("DELETE") => {
                return Err(Failure::refused(
                    format!("the change set {id} was deleted while c2cfn waited for it ({s})"),
                    "another tool or person removed it; run the command again",
                ));
            }
            _ => tokio::time::sleep(poll).await,
        }
    }
}
