//! The fake DynamoDB: scripted tables, deletes, the local tables and copy-table's pages.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::Calls;
use crate::aws::dynamodb::{DynamoDbApi, LiveTable};
use crate::aws::{ApiError, ApiResult};
use crate::model::Table;

/// An item of [`FakeDynamoDb`]: attribute → value.
pub type Item = BTreeMap<String, String>;

/// Scripted DynamoDB: existing tables (adoption, `copy-table`; a name in
/// `errors` fails with its error), deletes (`down --delete-data`), the
/// local environment's `ListTables`/`CreateTable`, and `copy-table`'s
/// Scan pages of 30 and BatchWriteItem.
#[derive(Debug, Default)]
pub struct FakeDynamoDb {
    /// Tables by name.
    pub tables: BTreeMap<String, LiveTable>,
    /// Names whose look-up fails.
    pub errors: BTreeMap<String, ApiError>,
    /// Table deletes are refused (AccessDeniedException).
    pub deny_deletes: bool,
    /// What `ListTables` answers (`CreateTable` adds to it).
    pub names: RefCell<Vec<String>>,
    /// The tables created, in order.
    pub created: RefCell<Vec<String>>,
    /// The items any Scan reads (the start key is the index).
    pub items: Vec<Item>,
    /// The items written.
    pub written: RefCell<Vec<Item>>,
    /// Unprocessed answers: how many of the next batch to refuse.
    pub refuse: RefCell<Vec<usize>>,
    /// The size of each BatchWriteItem.
    pub batches: RefCell<Vec<usize>>,
    /// The calls made (`table NAME`, `delete-table NAME`).
    pub calls: Calls,
}

impl DynamoDbApi for FakeDynamoDb {
    type Item = Item;

    async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>> {
        self.calls.push(format!("table {name}"));
        if let Some(e) = self.errors.get(name) {
            return Err(e.clone());
        }
        Ok(self.tables.get(name).cloned())
    }

    async fn delete_table(&self, name: &str) -> ApiResult<()> {
        self.calls.push(format!("delete-table {name}"));
        if self.deny_deletes {
            return Err(ApiError::new("AccessDeniedException", "not allowed"));
        }
        Ok(())
    }

    async fn list_tables(&self) -> ApiResult<Vec<String>> {
        Ok(self.names.borrow().clone())
    }

    async fn create_table(&self, name: &str, _table: &Table) -> ApiResult<()> {
        self.names.borrow_mut().push(name.to_owned());
        self.created.borrow_mut().push(name.to_owned());
        Ok(())
    }

    async fn scan(&self, _: &str, start: Option<Item>) -> ApiResult<(Vec<Item>, Option<Item>)> {
        let from: usize = start.map_or(0, |s| s["i"].parse().unwrap_or(0));
        let to = (from + 30).min(self.items.len());
        let next = (to < self.items.len()).then(|| Item::from([("i".into(), to.to_string())]));
        Ok((self.items[from..to].to_vec(), next))
    }

    async fn put_batch(&self, _: &str, items: Vec<Item>) -> ApiResult<Vec<Item>> {
        assert!(items.len() <= 25, "BatchWriteItem takes at most 25 items");
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
