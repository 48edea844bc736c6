//! `c2cfn copy-table SOURCE DEST`: the migration path for a table whose key
//! changes. CloudFormation cannot replace a table that has a name, so the
//! new key is declared under a new table name next to the old one (`up`
//! creates it; the old one stays), then this copies every item across:
//! Scan pages of the source, BatchWriteItem of 25 to the destination (the
//! unprocessed ones retried), items without the destination's key
//! attributes counted and named, never guessed. Writing is a put: running
//! it again overwrites the same items, so it can be repeated after a
//! partial run. See docs/deploy.md, "Changing a table's key".

use std::io::Write;
use std::time::Duration;

use super::Failure;
use crate::aws::dynamodb::DynamoDbApi;

/// Items per BatchWriteItem (DynamoDB's limit).
const BATCH: usize = 25;
/// Retries of unprocessed items before giving up.
const RETRIES: u32 = 8;

/// How many items were copied and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Copied {
    /// Items written.
    pub copied: usize,
    /// Items without the destination's key attributes.
    pub skipped: usize,
}

/// Copies every item of `source` into `dest`.
pub async fn copy<D: DynamoDbApi>(
    dynamodb: &D,
    source: &str,
    dest: &str,
    out: &mut dyn Write,
    pause: Duration,
) -> Result<Copied, Failure> {
    if source == dest {
        return Err(Failure::refused(
            format!(
                "copy-table {source} {dest}: the source and the destination are the same table"
            ),
            "name the old table first, then the new one",
        ));
    }
    let look = |name: &str| {
        let name = name.to_owned();
        async move {
            dynamodb
                .table(&name)
                .await
                .map_err(|e| Failure::api(&format!("cannot read table {name}"), &e))?
                .ok_or_else(|| {
                    Failure::refused(
                        format!("table {name} does not exist"),
                        "declare the new table in x-aws-dynamodb and run `c2cfn up` first; `aws dynamodb list-tables` lists the tables",
                    )
                })
        }
    };
    look(source).await?;
    let target = look(dest).await?;
    let keys: Vec<String> = target.keys.iter().map(|(k, _)| k.clone()).collect();
    let _ = writeln!(
        out,
        "Copying the items of {source} into {dest} (key {}).",
        keys.join(" + ")
    );
    let mut done = Copied::default();
    let mut start = None;
    loop {
        let (items, next) = dynamodb
            .scan(source, start.take())
            .await
            .map_err(|e| Failure::api(&format!("cannot scan {source}"), &e))?;
        let (ok, missing): (Vec<_>, Vec<_>) = items
            .into_iter()
            .partition(|i| keys.iter().all(|k| D::has(i, k)));
        done.skipped += missing.len();
        for chunk in ok.chunks(BATCH) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                let n = pending.len();
                pending = dynamodb
                    .put_batch(dest, pending)
                    .await
                    .map_err(|e| Failure::api(&format!("cannot write to {dest}"), &e))?;
                done.copied += n - pending.len();
                if pending.is_empty() {
                    break;
                }
                attempt += 1;
                if attempt > RETRIES {
                    return Err(Failure::refused(
                        format!(
                            "{} item(s) stayed unprocessed after {RETRIES} retries (throttled); {} copied so far",
                            pending.len(),
                            done.copied
                        ),
                        "run the same command again: it overwrites what was copied and goes on",
                    ));
                }
                tokio::time::sleep(pause * 2u32.pow(attempt.min(6))).await;
            }
        }
        match next {
            Some(k) => start = Some(k),
            None => break,
        }
    }
    let _ = writeln!(
        out,
        "Copied {} item(s) from {source} to {dest}.",
        done.copied
    );
    if done.skipped > 0 {
        return Err(Failure::refused(
            format!(
                "{} item(s) of {source} have no {} attribute, which the key of {dest} needs; they were not copied",
                done.skipped,
                keys.join(" / ")
            ),
            "give those items the attribute in the source table (or write them to the new table yourself), then run the command again",
        ));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;
    use crate::aws::dynamodb::LiveTable;
    use crate::aws::fake::FakeDynamoDb;
    use crate::aws::testing::block;

    /// The source table `old` (hash key) and the destination `new` (hash
    /// and range keys).
    fn live() -> FakeDynamoDb {
        let mut live = FakeDynamoDb::default();
        live.tables.insert(
            "old".into(),
            LiveTable {
                keys: vec![("player-id".into(), "HASH".into())],
                ..LiveTable::default()
            },
        );
        live.tables.insert(
            "new".into(),
            LiveTable {
                keys: vec![
                    ("player-id".into(), "HASH".into()),
                    ("season".into(), "RANGE".into()),
                ],
                ..LiveTable::default()
            },
        );
        live
    }

    type Item = BTreeMap<String, String>;

    fn item(n: usize, season: bool) -> Item {
        let mut i = Item::from([("player-id".into(), format!("p{n}"))]);
        if season {
            i.insert("season".into(), "s1".into());
        }
        i
    }

    #[test]
    fn every_page_is_copied_in_batches_with_retries() {
        let fake = FakeDynamoDb {
            items: (0..70).map(|n| item(n, true)).collect(),
            refuse: RefCell::new(vec![3]),
            ..live()
        };
        let mut out = Vec::new();
        let done = block(copy(&fake, "old", "new", &mut out, Duration::ZERO)).expect("copied");
        assert_eq!(
            done,
            Copied {
                copied: 70,
                skipped: 0
            }
        );
        assert_eq!(fake.written.borrow().len(), 70);
        // Pages of 30, 30, 10; the 3 refused items of the first batch retried.
        assert_eq!(fake.batches.borrow().as_slice(), [25, 3, 5, 25, 5, 10]);
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains("Copied 70 item(s) from old to new."), "{out}");
    }

    #[test]
    fn items_without_the_new_key_are_counted_not_guessed() {
        let fake = FakeDynamoDb {
            items: vec![item(1, true), item(2, false), item(3, false)],
            ..live()
        };
        let mut out = Vec::new();
        let f = block(copy(&fake, "old", "new", &mut out, Duration::ZERO)).expect_err("skipped");
        assert!(
            f.message
                .starts_with("2 item(s) of old have no player-id / season attribute"),
            "{}",
            f.message
        );
        assert_eq!(fake.written.borrow().len(), 1);
    }

    #[test]
    fn a_missing_or_same_table_is_refused_before_anything_is_written() {
        let fake = live();
        let mut out = Vec::new();
        let f = block(copy(&fake, "old", "nope", &mut out, Duration::ZERO)).expect_err("refused");
        assert!(
            f.message.contains("table nope does not exist"),
            "{}",
            f.message
        );
        let f = block(copy(&fake, "old", "old", &mut out, Duration::ZERO)).expect_err("refused");
        assert!(f.message.contains("the same table"), "{}", f.message);
        assert!(fake.batches.borrow().is_empty());
    }
}
