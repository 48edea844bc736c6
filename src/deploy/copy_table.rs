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
use super::adopt::LiveApi;
use super::api::ApiResult;

/// DynamoDB Scan and BatchWriteItem, with items kept opaque.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait CopyApi {
    /// An item as the SDK holds it.
    type Item: Clone;
    /// One Scan page from `start` (the previous page's last key); returns
    /// the items and the next start, `None` at the end.
    async fn scan(
        &self,
        table: &str,
        start: Option<Self::Item>,
    ) -> ApiResult<(Vec<Self::Item>, Option<Self::Item>)>;
    /// BatchWriteItem (puts) of at most 25 items; returns the unprocessed ones.
    async fn put_batch(&self, table: &str, items: Vec<Self::Item>) -> ApiResult<Vec<Self::Item>>;
    /// Whether the item has an attribute.
    fn has(item: &Self::Item, attribute: &str) -> bool;
}

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
pub async fn copy<L: LiveApi, C: CopyApi>(
    live: &L,
    api: &C,
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
            live.table(&name)
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
        let (items, next) = api
            .scan(source, start.take())
            .await
            .map_err(|e| Failure::api(&format!("cannot scan {source}"), &e))?;
        let (ok, missing): (Vec<_>, Vec<_>) = items
            .into_iter()
            .partition(|i| keys.iter().all(|k| C::has(i, k)));
        done.skipped += missing.len();
        for chunk in ok.chunks(BATCH) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                let n = pending.len();
                pending = api
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

    use super::super::adopt::{LiveLogGroup, LiveTable};
    use super::*;

    type Item = BTreeMap<String, String>;

    #[derive(Default)]
    struct Fake {
        source: Vec<Item>,
        written: RefCell<Vec<Item>>,
        /// Unprocessed answers: how many of the next batch to refuse.
        refuse: RefCell<Vec<usize>>,
        batches: RefCell<Vec<usize>>,
    }

    impl LiveApi for Fake {
        async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>> {
            Ok(match name {
                "old" => Some(LiveTable {
                    keys: vec![("player-id".into(), "HASH".into())],
                    ..LiveTable::default()
                }),
                "new" => Some(LiveTable {
                    keys: vec![
                        ("player-id".into(), "HASH".into()),
                        ("season".into(), "RANGE".into()),
                    ],
                    ..LiveTable::default()
                }),
                _ => None,
            })
        }
        async fn log_group(&self, _: &str) -> ApiResult<Option<LiveLogGroup>> {
            Ok(None)
        }
        async fn replication_group(
            &self,
            _: &str,
        ) -> ApiResult<Option<super::super::adopt::LiveReplicationGroup>> {
            Ok(None)
        }
    }

    impl CopyApi for Fake {
        type Item = Item;
        async fn scan(&self, _: &str, start: Option<Item>) -> ApiResult<(Vec<Item>, Option<Item>)> {
            // Pages of 30; the start key is the index.
            let from: usize = start.map_or(0, |s| s["i"].parse().unwrap_or(0));
            let to = (from + 30).min(self.source.len());
            let next = (to < self.source.len()).then(|| Item::from([("i".into(), to.to_string())]));
            Ok((self.source[from..to].to_vec(), next))
        }
        async fn put_batch(&self, _: &str, items: Vec<Item>) -> ApiResult<Vec<Item>> {
            assert!(items.len() <= BATCH);
            self.batches.borrow_mut().push(items.len());
            let refuse = self.refuse.borrow_mut().pop().unwrap_or(0).min(items.len());
            let (done, left) = items.split_at(items.len() - refuse);
            self.written.borrow_mut().extend(done.iter().cloned());
            Ok(left.to_vec())
        }
        fn has(item: &Item, attribute: &str) -> bool {
            item.contains_key(attribute)
        }
    }

    fn item(n: usize, season: bool) -> Item {
        let mut i = Item::from([("player-id".into(), format!("p{n}"))]);
        if season {
            i.insert("season".into(), "s1".into());
        }
        i
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn every_page_is_copied_in_batches_with_retries() {
        let fake = Fake {
            source: (0..70).map(|n| item(n, true)).collect(),
            refuse: RefCell::new(vec![3]),
            ..Fake::default()
        };
        let mut out = Vec::new();
        let done =
            block(copy(&fake, &fake, "old", "new", &mut out, Duration::ZERO)).expect("copied");
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
        let fake = Fake {
            source: vec![item(1, true), item(2, false), item(3, false)],
            ..Fake::default()
        };
        let mut out = Vec::new();
        let f =
            block(copy(&fake, &fake, "old", "new", &mut out, Duration::ZERO)).expect_err("skipped");
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
        let fake = Fake::default();
        let mut out = Vec::new();
        let f = block(copy(&fake, &fake, "old", "nope", &mut out, Duration::ZERO))
            .expect_err("refused");
        assert!(
            f.message.contains("table nope does not exist"),
            "{}",
            f.message
        );
        let f =
            block(copy(&fake, &fake, "old", "old", &mut out, Duration::ZERO)).expect_err("refused");
        assert!(f.message.contains("the same table"), "{}", f.message);
        assert!(fake.batches.borrow().is_empty());
    }
}
