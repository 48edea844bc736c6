//! `c2cfn down --delete-data`: after the stack is gone, delete the data its
//! DeletionPolicy kept (DynamoDB tables, EFS file systems, Redis final
//! snapshots) — only with the flag, and only after a second confirmation
//! that lists every item (or `-y`). Each deletion is reported; what could
//! not be deleted is listed with the command that deletes it.

use std::fmt::Write as _;
use std::io::Write;

use super::Failure;
use super::down::Kept;
use super::ui::Prompt;
use crate::aws::ApiResult;
use crate::aws::dynamodb::DynamoDbApi;
use crate::aws::efs::EfsApi;
use crate::aws::elasticache::ElastiCacheApi;

/// One deletion to make.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Table(String),
    FileSystem(String),
    Snapshots(String),
    Unknown(Kept),
}

impl Item {
    fn of(k: &Kept) -> Self {
        match (k.resource_type.as_str(), k.policy.as_str()) {
            ("AWS::DynamoDB::Table", _) => Self::Table(k.physical_id.clone()),
            ("AWS::EFS::FileSystem", _) => Self::FileSystem(k.physical_id.clone()),
            ("AWS::ElastiCache::ReplicationGroup", "Snapshot") => {
                Self::Snapshots(k.physical_id.clone())
            }
            _ => Self::Unknown(k.clone()),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Table(n) => format!("DynamoDB table {n}"),
            Self::FileSystem(id) => format!("EFS file system {id}"),
            Self::Snapshots(g) => format!("the final Redis snapshot(s) of {g}"),
            Self::Unknown(k) => format!("{} {} (left alone)", k.resource_type, k.physical_id),
        }
    }
}

/// Asks once more, listing everything, then deletes. Refusing or no answer
/// deletes nothing (exit 1: the stack is gone but the data stays, as
/// without the flag).
pub async fn delete_kept<D: DynamoDbApi, F: EfsApi, E: ElastiCacheApi>(
    dynamodb: &D,
    efs: &F,
    elasticache: &E,
    kept: &[Kept],
    prompt: &mut dyn Prompt,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let items: Vec<Item> = kept
        .iter()
        .filter(|k| !k.physical_id.is_empty())
        .map(Item::of)
        .collect();
    if !items.iter().any(|i| !matches!(i, Item::Unknown(_))) {
        let _ = writeln!(out, "--delete-data: no kept data to delete.");
        return Ok(());
    }
    let mut question = String::from("--delete-data will permanently delete:\n");
    for i in &items {
        let _ = writeln!(question, "  - {}", i.describe());
    }
    question.push_str("This cannot be undone. Delete this data now?");
    let yes = prompt
        .confirm(&question)
        .await
        .map_err(|e| Failure::refused(e.to_string(), "the stack is deleted; the data was kept"))?;
    if !yes {
        return Err(Failure::refused(
            "cancelled: the stack is deleted, the data listed above was kept",
            "delete it later with the commands listed above",
        ));
    }
    let mut failed = Vec::new();
    for item in &items {
        let result = match item {
            Item::Table(n) => dynamodb.delete_table(n).await,
            Item::FileSystem(id) => efs.delete_file_system(id).await,
            Item::Snapshots(g) => delete_snapshots(elasticache, g, out).await,
            Item::Unknown(_) => continue,
        };
        match result {
            Ok(()) => {
                let _ = writeln!(out, "Deleted {}.", item.describe());
            }
            Err(e) => failed.push(format!("{}: {e}", item.describe())),
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    Err(Failure::refused(
        format!(
            "the stack is deleted, but some kept data could not be deleted:\n  {}",
            failed.join("\n  ")
        ),
        "check the permissions named in the errors, then delete it with the commands listed above",
    ))
}

async fn delete_snapshots<E: ElastiCacheApi>(
    elasticache: &E,
    group: &str,
    out: &mut dyn Write,
) -> ApiResult<()> {
    for name in elasticache.snapshots(group).await? {
        elasticache.delete_snapshot(&name).await?;
        let _ = writeln!(out, "Deleted Redis snapshot {name}.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::ui::Scripted;
    use super::*;
    use crate::aws::fake::Aws;
    use crate::aws::testing::block;

    fn kept() -> Vec<Kept> {
        [
            (
                "PlayersTable",
                "AWS::DynamoDB::Table",
                "game-players",
                "Retain",
            ),
            ("Efs", "AWS::EFS::FileSystem", "fs-1", "Retain"),
            (
                "Redis",
                "AWS::ElastiCache::ReplicationGroup",
                "game-redis",
                "Snapshot",
            ),
            ("Queue", "AWS::SQS::Queue", "q", "Retain"),
        ]
        .iter()
        .map(|(l, t, p, policy)| Kept {
            logical_id: (*l).into(),
            resource_type: (*t).into(),
            physical_id: (*p).into(),
            policy: (*policy).into(),
        })
        .collect()
    }

    async fn delete(
        api: &Aws,
        kept: &[Kept],
        prompt: &mut dyn Prompt,
        out: &mut dyn Write,
    ) -> Result<(), Failure> {
        delete_kept(&api.dynamodb, &api.efs, &api.elasticache, kept, prompt, out).await
    }

    #[test]
    fn lists_everything_then_deletes_after_yes() {
        let api = Aws::default();
        let mut prompt = Scripted {
            answers: vec![true],
            asked: Vec::new(),
        };
        let mut out = Vec::new();
        block(delete(&api, &kept(), &mut prompt, &mut out)).expect("deleted");
        assert_eq!(
            prompt.asked,
            [
                "--delete-data will permanently delete:\n  - DynamoDB table game-players\n  - EFS file system fs-1\n  - the final Redis snapshot(s) of game-redis\n  - AWS::SQS::Queue q (left alone)\nThis cannot be undone. Delete this data now?"
            ]
        );
        assert_eq!(
            api.calls.borrow().as_slice(),
            [
                "delete-table game-players",
                "delete-file-system fs-1",
                "describe-snapshots game-redis",
                "delete-snapshot game-redis-final"
            ]
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains("Deleted DynamoDB table game-players."),
            "{text}"
        );
        assert!(
            text.contains("Deleted Redis snapshot game-redis-final."),
            "{text}"
        );
    }

    #[test]
    fn no_or_no_answer_deletes_nothing() {
        let api = Aws::default();
        let mut out = Vec::new();
        let mut declined = Scripted {
            answers: vec![false],
            asked: Vec::new(),
        };
        let f = block(delete(&api, &kept(), &mut declined, &mut out)).expect_err("cancelled");
        assert_eq!(f.stop, crate::deploy::Stop::Refused);
        let mut nobody = Scripted::default();
        assert!(block(delete(&api, &kept(), &mut nobody, &mut out)).is_err());
        assert!(api.calls.borrow().is_empty());
    }

    #[test]
    fn failures_are_collected_and_the_rest_still_deleted() {
        let mut api = Aws::default();
        api.dynamodb.deny_deletes = true;
        let mut prompt = Scripted {
            answers: vec![true],
            asked: Vec::new(),
        };
        let mut out = Vec::new();
        let f = block(delete(&api, &kept(), &mut prompt, &mut out)).expect_err("partial");
        assert!(
            f.message
                .contains("DynamoDB table game-players: AccessDeniedException: not allowed"),
            "{}",
            f.message
        );
        assert!(
            api.calls
                .borrow()
                .contains(&"delete-file-system fs-1".to_owned())
        );
    }

    #[test]
    fn nothing_kept_asks_nothing() {
        let api = Aws::default();
        let mut prompt = Scripted::default();
        let mut out = Vec::new();
        block(delete(&api, &kept()[3..], &mut prompt, &mut out)).expect("nothing to do");
        assert!(prompt.asked.is_empty());
    }
}
