//! Creating the declared tables on DynamoDB Local: missing ones are created
//! with the cloud's names and keys, existing ones are left alone.

use super::plan::LocalTable;
use crate::aws::ApiError;
use crate::aws::dynamodb::DynamoDbApi;

/// Why the tables could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// `ListTables` failed.
    #[error("{0}")]
    List(ApiError),
    /// `CreateTable` failed.
    #[error("cannot create table {table}: {source}")]
    Create {
        /// The table's name.
        table: String,
        /// What DynamoDB said.
        source: ApiError,
    },
}

/// What happened to one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Created now.
    Created(String),
    /// Already there: left alone (its items are kept).
    Existing(String),
}

/// Creates the tables that do not exist yet (`ListTables`, then
/// `CreateTable` for each missing one; the local flow, which is
/// synchronous, runs it with [`crate::aws::block`]).
pub async fn ensure<D: DynamoDbApi>(
    api: &D,
    tables: &[LocalTable],
) -> Result<Vec<Outcome>, TableError> {
    let existing = api.list_tables().await.map_err(TableError::List)?;
    let mut out = Vec::new();
    for t in tables {
        let name = &t.physical_name;
        if existing.contains(name) {
            out.push(Outcome::Existing(name.clone()));
        } else {
            api.create_table(name, &t.table)
                .await
                .map_err(|source| TableError::Create {
                    table: name.clone(),
                    source,
                })?;
            out.push(Outcome::Created(name.clone()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::fake::FakeDynamoDb;
    use crate::aws::testing::block;
    use crate::model::Table;

    fn table(name: &str) -> LocalTable {
        LocalTable {
            physical_name: format!("ccg-local-{name}"),
            table: table_of(name),
        }
    }

    fn table_of(name: &str) -> Table {
        Table {
            name: name.into(),
            span: None,
            table_name: None,
            hash: ("player-id".into(), "S".into()),
            range: None,
            scaling: None,
            read: 1,
            write: 1,
            ttl: None,
            pitr: true,
        }
    }

    #[test]
    fn creating_twice_is_idempotent() {
        let api = FakeDynamoDb::default();
        api.names.borrow_mut().push("ccg-local-decks".into());
        let tables = [table("decks"), table("packs")];
        let first = block(ensure(&api, &tables)).unwrap();
        assert_eq!(
            first,
            [
                Outcome::Existing("ccg-local-decks".into()),
                Outcome::Created("ccg-local-packs".into())
            ]
        );
        let second = block(ensure(&api, &tables)).unwrap();
        assert!(second.iter().all(|o| matches!(o, Outcome::Existing(_))));
        assert_eq!(api.created.borrow().as_slice(), ["ccg-local-packs"]);
    }
}
