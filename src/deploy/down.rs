//! `c2cfn down`: confirm, delete the stack, watch, then list the data its
//! DeletionPolicy kept (tables, EFS file systems, Redis final snapshots)
//! and how to delete it.

use std::collections::BTreeMap;

use super::events;
use super::guard::TemplateView;
use super::interrupt::Stage;
use super::plan::Deployer;
use super::{Failure, Stop};
use crate::aws::cloudformation::CloudFormationApi;

/// A resource that outlives the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Logical ID.
    pub logical_id: String,
    /// Type.
    pub resource_type: String,
    /// Physical ID (table name, file system ID, replication group ID).
    pub physical_id: String,
    /// `Retain` or `Snapshot`.
    pub policy: String,
}

impl Kept {
    /// What is kept and the command that deletes it.
    #[must_use]
    pub fn describe(&self, region: &str) -> String {
        let id = &self.physical_id;
        match (self.resource_type.as_str(), self.policy.as_str()) {
            ("AWS::DynamoDB::Table", _) => format!(
                "DynamoDB table {id}\n      delete: aws dynamodb delete-table --region {region} --table-name {id}"
            ),
            ("AWS::EFS::FileSystem", _) => format!(
                "EFS file system {id}\n      delete: aws efs delete-file-system --region {region} --file-system-id {id}"
            ),
            ("AWS::ElastiCache::ReplicationGroup", "Snapshot") => format!(
                "final Redis snapshot of {id}\n      list:   aws elasticache describe-snapshots --region {region} --replication-group-id {id}\n      delete: aws elasticache delete-snapshot --region {region} --snapshot-name NAME"
            ),
            (t, p) => format!("{t} {id} (DeletionPolicy {p}): delete it in the AWS console or CLI"),
        }
    }
}

impl<C: CloudFormationApi> Deployer<'_, C> {
    /// Deletes the stack; returns what was kept.
    pub async fn down(&mut self) -> Result<Vec<Kept>, Failure> {
        let Some(info) = self.settled().await? else {
            let _ = writeln!(
                self.out,
                "Stack {} does not exist; nothing to delete.",
                self.stack
            );
            return Ok(Vec::new());
        };
        let text = self
            .cfn
            .get_template(self.stack)
            .await
            .map_err(|e| Failure::api("cannot read the deployed template", &e))?;
        let view = TemplateView::parse(&text, BTreeMap::new()).unwrap_or_default();
        let resources = self
            .cfn
            .list_stack_resources(self.stack)
            .await
            .map_err(|e| Failure::api("cannot list the stack's resources", &e))?;
        let kept: Vec<Kept> = resources
            .iter()
            .filter(|r| !r.logical_id.is_empty())
            .filter_map(|r| {
                let policy = view.deletion_policy(&r.logical_id)?;
                (policy == "Retain" || policy == "Snapshot").then(|| Kept {
                    logical_id: r.logical_id.clone(),
                    resource_type: r.resource_type.clone(),
                    physical_id: r.physical_id.clone(),
                    policy: policy.to_owned(),
                })
            })
            .collect();
        let total = resources
            .iter()
            .filter(|r| !r.logical_id.is_empty())
            .count();
        self.say(&format!(
            "Stack {} ({}) has {total} resource(s); deleting it deletes them, except {} kept by their DeletionPolicy.",
            self.stack,
            info.status,
            kept.len()
        ));
        if !self
            .prompt
            .confirm(&format!("Delete stack {}?", self.stack))
            .await
            .map_err(|e| Failure::refused(e.to_string(), "nothing was changed"))?
        {
            return Err(Failure::refused(
                "cancelled; nothing was deleted",
                "run `c2cfn down` again and answer y to delete the stack",
            ));
        }
        let mut seen = events::baseline(self.cfn, self.stack).await;
        self.checkpoint.set(Stage::Running);
        self.cfn
            .delete_stack(self.stack)
            .await
            .map_err(|e| Failure::api("cannot delete the stack", &e))?;
        let watched = events::watch(
            self.cfn,
            self.stack,
            &mut seen,
            total,
            self.out,
            self.display,
        )
        .await
        .map_err(|e| Failure::api("lost track of the stack", &e))?;
        if watched.status != "DELETE_COMPLETE" {
            return Err(Failure {
                message: format!(
                    "the delete failed\n{}",
                    events::failure_report(self.stack, &watched, self.display.style)
                ),
                hint: Some("fix the cause above (e.g. a non-empty bucket or a resource in use) and run `c2cfn down` again".into()),
                stop: Stop::Failed,
            });
        }
        self.checkpoint.set(Stage::Preparing);
        let _ = writeln!(self.out, "Stack {} deleted.", self.stack);
        Ok(kept)
    }
}
