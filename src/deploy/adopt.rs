//! Adopting what already exists: before `up`/`diff` create a change set,
//! every declared resource with a physical name (DynamoDB tables, log
//! groups, the Redis replication group) that is not yet in the stack is
//! looked up. One that exists
//! outside any stack is brought in through a CloudFormation IMPORT change
//! set (ResourcesToImport) instead of being created again beside the live
//! one, or failing on the taken name. See docs/deploy.md, "Adopting existing
//! resources".
//!
//! Why an IMPORT change set and not `ImportExistingResources`: c2cfn checks
//! each resource before anything changes (key schema, DeletionPolicy, owner
//! stack) and imports exactly those, described as they are live; the normal
//! update then applies the differences, so the preview can say what changes
//! and CloudFormation's record matches the resource (no drift).
//! `ImportExistingResources` would take over any custom-named resource that
//! happens to exist, as the template describes it, without that check.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::Failure;
use crate::aws::cloudformation::{CloudFormationApi, ResourceToImport, StackResource};
use crate::aws::dynamodb::{DynamoDbApi, LiveTable};
use crate::aws::elasticache::ElastiCacheApi;
use crate::aws::logs::{LiveLogGroup, LogsApi};

const TABLE: &str = "AWS::DynamoDB::Table";
const LOG_GROUP: &str = "AWS::Logs::LogGroup";
const REPLICATION_GROUP: &str = "AWS::ElastiCache::ReplicationGroup";

/// One resource to import.
#[derive(Debug, Clone, PartialEq)]
pub struct Adoption {
    /// Logical ID in the template.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Identifier property (`TableName`, `LogGroupName`).
    pub key: String,
    /// The physical name.
    pub name: String,
    /// The resource as it is live, for the IMPORT template.
    pub as_is: Value,
    /// What stays as it is (the data, the key).
    pub keeps: Vec<String>,
    /// What the update after the import changes.
    pub changes: Vec<String>,
}

impl Adoption {
    /// The ResourcesToImport entry.
    #[must_use]
    pub fn to_import(&self) -> ResourceToImport {
        ResourceToImport {
            resource_type: self.resource_type.clone(),
            logical_id: self.logical_id.clone(),
            identifier: vec![(self.key.clone(), self.name.clone())],
        }
    }
}

/// Why an existing resource cannot be adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    pub(super) what: String,
    pub(super) way_out: String,
}

fn literal<'a>(resource: &'a Value, property: &str) -> Option<&'a str> {
    resource.get("Properties")?.get(property)?.as_str()
}

/// The stack that owns a resource, from CloudFormation's `aws:` tag.
fn owner(tags: &[(String, String)]) -> Option<&str> {
    tags.iter()
        .find(|(k, _)| k == "aws:cloudformation:stack-name")
        .map(|(_, v)| v.as_str())
}

/// The resources the deployed stack `stack` has (`ListStackResources`,
/// without the deleted ones; none when the stack does not exist). `up` and
/// `diff` list them once, for the checks before deploying
/// ([`super::precheck::dns::check`]: its records are its own, not a
/// script's) and for [`detect`] (what is in the stack is not adopted).
pub async fn in_stack<C: CloudFormationApi>(
    cfn: &C,
    stack: &str,
) -> Result<Vec<StackResource>, Failure> {
    match cfn.list_stack_resources(stack).await {
        Ok(rs) => Ok(rs
            .into_iter()
            .filter(|r| !matches!(r.status.as_str(), "DELETE_SKIPPED" | "DELETE_COMPLETE"))
            .collect()),
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(Failure::api("cannot list the stack's resources", &e)),
    }
}

/// The services adoption looks things up in.
#[derive(Debug, Clone, Copy)]
pub struct Live<'a, D, L, E> {
    /// DynamoDB (tables).
    pub dynamodb: &'a D,
    /// CloudWatch Logs (log groups).
    pub logs: &'a L,
    /// ElastiCache (replication groups).
    pub elasticache: &'a E,
}

/// Finds every declared resource that exists outside the stack (`in_stack`:
/// what [`in_stack`] found), checks that it can be imported, and returns
/// what to import; refuses (nothing changed) with every problem at once.
pub async fn detect<C, D, L, E>(
    cfn: &C,
    live: Live<'_, D, L, E>,
    in_stack: &[StackResource],
    stack: &str,
    template: &Value,
) -> Result<Vec<Adoption>, Failure>
where
    C: CloudFormationApi,
    D: DynamoDbApi,
    L: LogsApi,
    E: ElastiCacheApi,
{
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    let mut adoptions = Vec::new();
    let mut problems = Vec::new();
    for (logical_id, resource) in resources {
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        let key = match kind {
            TABLE => "TableName",
            LOG_GROUP => "LogGroupName",
            REPLICATION_GROUP => "ReplicationGroupId",
            _ => continue,
        };
        let Some(name) = literal(resource, key) else {
            continue;
        };
        if in_stack
            .iter()
            .any(|r| r.logical_id == *logical_id || r.physical_id == name)
        {
            continue;
        }
        let found = match kind {
            TABLE => live
                .dynamodb
                .table(name)
                .await
                .map_err(|e| Failure::api(&format!("cannot look up DynamoDB table {name}"), &e))?
                .map(|t| table_adoption(logical_id, name, resource, &t)),
            LOG_GROUP => live
                .logs
                .log_group(name)
                .await
                .map_err(|e| Failure::api(&format!("cannot look up log group {name}"), &e))?
                .map(|g| log_group_adoption(logical_id, name, resource, &g)),
            _ => live
                .elasticache
                .replication_group(name)
                .await
                .map_err(|e| Failure::api(&format!("cannot look up replication group {name}"), &e))?
                .map(|g| redis::adoption(logical_id, name, resource, &g)),
        };
        let Some((mut adoption, mut found_problems, tags)) = found else {
            continue;
        };
        if let Some(other) = owner(&tags)
            && other != stack
            && cfn
                .describe_stack(other)
                .await
                .ok()
                .flatten()
                .is_some_and(|s| s.status != "DELETE_COMPLETE")
        {
            found_problems.push(Problem {
                what: format!("{name} belongs to stack {other}"),
                way_out: format!(
                    "a resource can be in one stack only: set its DeletionPolicy to Retain in stack {other} and remove it from that template, then run `c2cfn up` again"
                ),
            });
        }
        let policy = resource.get("DeletionPolicy").and_then(Value::as_str);
        // A replication group keeps a final snapshot (c2cfn's own policy for
        // Redis): CloudFormation accepts any DeletionPolicy on an import.
        let kept =
            policy == Some("Retain") || (kind == REPLICATION_GROUP && policy == Some("Snapshot"));
        if !kept {
            found_problems.push(Problem {
                what: format!(
                    "{name}: the template's {logical_id} has no `DeletionPolicy: Retain`, which an imported resource must have"
                ),
                way_out: format!(
                    "add it with an overlay:\n      x-aws-cloudformation:\n        Resources:\n          {logical_id}:\n            DeletionPolicy: Retain"
                ),
            });
        }
        if found_problems.is_empty() {
            adoption.resource_type = kind.to_owned();
            adoptions.push(adoption);
        } else {
            for p in found_problems {
                problems.push(format!(
                    "{logical_id} ({kind}): {}\n    way out: {}",
                    p.what, p.way_out
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Failure::refused(
            format!(
                "refused: existing resources cannot be adopted as declared:\n  {}\nNothing was changed.",
                problems.join("\n  ")
            ),
            "docs/deploy.md, \"Adopting existing resources\", explains each case",
        ));
    }
    Ok(adoptions)
}

fn pairs(v: Option<&Value>, a: &str, b: &str) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|x| {
            let s = |k: &str| x.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            (s(a), s(b))
        })
        .collect()
}

fn describe_keys(keys: &[(String, String)], types: &[(String, String)]) -> String {
    keys.iter()
        .map(|(name, kind)| {
            let t = types
                .iter()
                .find(|(n, _)| n == name)
                .map_or("?", |(_, t)| t.as_str());
            format!("{name} ({kind}, {t})")
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

fn key_types(
    keys: &[(String, String)],
    types: &[(String, String)],
) -> Vec<(String, String, String)> {
    keys.iter()
        .map(|(name, kind)| {
            let t = types
                .iter()
                .find(|(n, _)| n == name)
                .map_or(String::new(), |(_, t)| t.clone());
            (name.clone(), kind.clone(), t)
        })
        .collect()
}

pub(super) fn user_tags(tags: &[(String, String)]) -> Vec<Value> {
    tags.iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect()
}

pub(super) type Found = (Adoption, Vec<Problem>, Vec<(String, String)>);

fn table_adoption(logical_id: &str, name: &str, resource: &Value, live: &LiveTable) -> Found {
    let props = resource.get("Properties").cloned().unwrap_or(Value::Null);
    let want_keys = pairs(props.get("KeySchema"), "AttributeName", "KeyType");
    let want_types = pairs(
        props.get("AttributeDefinitions"),
        "AttributeName",
        "AttributeType",
    );
    let mut problems = Vec::new();
    if key_types(&want_keys, &want_types) != key_types(&live.keys, &live.attributes) {
        problems.push(Problem {
            what: format!(
                "table {name} exists with key {}, the template declares {}; CloudFormation would have to replace the table to change its key, and cannot replace a table with a custom name",
                describe_keys(&live.keys, &live.attributes),
                describe_keys(&want_keys, &want_types)
            ),
            way_out: "declare the key the table has, to adopt it as it is; or give the new table another name (it is created beside this one, which stays) and copy the items (docs/deploy.md, \"Changing a table's key\")".to_owned(),
        });
    }
    if !live.local_indexes.is_empty() {
        problems.push(Problem {
            what: format!(
                "table {name} has local secondary index(es) {}, which c2cfn does not declare; removing them replaces the table",
                live.local_indexes.join(", ")
            ),
            way_out: "keep this table out of the stack: declare another table name in x-aws-dynamodb".to_owned(),
        });
    }
    if !live.global_indexes.is_empty() {
        problems.push(Problem {
            what: format!(
                "table {name} has global secondary index(es) {}, which c2cfn does not declare; the update after the import would delete them",
                live.global_indexes.join(", ")
            ),
            way_out: "keep this table out of the stack: declare another table name in x-aws-dynamodb".to_owned(),
        });
    }
    if live.status != "ACTIVE" {
        problems.push(Problem {
            what: format!("table {name} is {}, not ACTIVE", live.status),
            way_out: "wait until it is ACTIVE (`aws dynamodb wait table-exists`) and run the command again".to_owned(),
        });
    }
    let mut as_is = Map::new();
    as_is.insert("TableName".into(), json!(name));
    as_is.insert(
        "KeySchema".into(),
        props.get("KeySchema").cloned().unwrap_or(Value::Null),
    );
    as_is.insert(
        "AttributeDefinitions".into(),
        props
            .get("AttributeDefinitions")
            .cloned()
            .unwrap_or(Value::Null),
    );
    as_is.insert("BillingMode".into(), json!(live.billing));
    if let Some((r, w)) = live.capacity.filter(|_| live.billing == "PROVISIONED") {
        as_is.insert(
            "ProvisionedThroughput".into(),
            json!({"ReadCapacityUnits": r, "WriteCapacityUnits": w}),
        );
    }
    as_is.insert(
        "PointInTimeRecoverySpecification".into(),
        json!({"PointInTimeRecoveryEnabled": live.pitr}),
    );
    if let Some(attr) = &live.ttl {
        as_is.insert(
            "TimeToLiveSpecification".into(),
            json!({"AttributeName": attr, "Enabled": true}),
        );
    }
    let tags = user_tags(&live.tags);
    if !tags.is_empty() {
        as_is.insert("Tags".into(), Value::Array(tags));
    }
    let mut changes = Vec::new();
    for (prop, label) in [
        ("BillingMode", "billing mode"),
        ("ProvisionedThroughput", "provisioned capacity"),
        ("PointInTimeRecoverySpecification", "point-in-time recovery"),
        ("TimeToLiveSpecification", "TTL"),
        ("Tags", "tags"),
    ] {
        let before = as_is.get(prop);
        let after = props.get(prop);
        if before != after {
            changes.push(format!("{label}: {} -> {}", short(before), short(after)));
        }
    }
    let adoption = Adoption {
        logical_id: logical_id.to_owned(),
        resource_type: TABLE.to_owned(),
        key: "TableName".into(),
        name: name.to_owned(),
        as_is: resource_as_is(TABLE, as_is),
        keeps: vec![
            format!("items (about {}, DynamoDB's count)", live.items),
            format!("key {}", describe_keys(&live.keys, &live.attributes)),
        ],
        changes,
    };
    (adoption, problems, live.tags.clone())
}

fn log_group_adoption(
    logical_id: &str,
    name: &str,
    resource: &Value,
    live: &LiveLogGroup,
) -> Found {
    let props = resource.get("Properties").cloned().unwrap_or(Value::Null);
    let mut as_is = Map::new();
    as_is.insert("LogGroupName".into(), json!(name));
    if let Some(days) = live.retention {
        as_is.insert("RetentionInDays".into(), json!(days));
    }
    let tags = user_tags(&live.tags);
    if !tags.is_empty() {
        as_is.insert("Tags".into(), Value::Array(tags));
    }
    let mut changes = Vec::new();
    for (prop, label) in [("RetentionInDays", "retention in days"), ("Tags", "tags")] {
        let before = as_is.get(prop);
        let after = props.get(prop);
        if before != after {
            changes.push(format!("{label}: {} -> {}", short(before), short(after)));
        }
    }
    let adoption = Adoption {
        logical_id: logical_id.to_owned(),
        resource_type: LOG_GROUP.to_owned(),
        key: "LogGroupName".into(),
        name: name.to_owned(),
        as_is: resource_as_is(LOG_GROUP, as_is),
        keeps: vec!["its log streams and events".to_owned()],
        changes,
    };
    (adoption, Vec::new(), live.tags.clone())
}

pub(super) fn resource_as_is(kind: &str, props: Map<String, Value>) -> Value {
    json!({
        "Type": kind,
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": props,
    })
}

/// A property value in one short line (`none` when absent).
pub(super) fn short(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "none".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(m)) if m.len() == 1 => short(m.values().next()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", short(Some(v))))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match (x.get("Key"), x.get("Value")) {
                (Some(k), Some(v)) => format!("{}={}", short(Some(k)), short(Some(v))),
                _ => short(Some(x)),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The imports as data (`up --json`, docs/deploy.md).
#[must_use]
pub fn json(adoptions: &[Adoption]) -> Value {
    Value::Array(
        adoptions
            .iter()
            .map(|a| {
                json!({
                    "logical_id": a.logical_id,
                    "type": a.resource_type,
                    "name": a.name,
                    "keeps": a.keeps,
                    "changes": a.changes,
                })
            })
            .collect(),
    )
}

/// The template of the IMPORT change set: the deployed template (or an
/// empty one for a new stack) plus each adopted resource as it is live.
#[must_use]
pub fn import_template(deployed: Option<&Value>, adoptions: &[Adoption]) -> Value {
    let mut base = deployed
        .cloned()
        .unwrap_or_else(|| json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}));
    if let Some(resources) = base.get_mut("Resources").and_then(Value::as_object_mut) {
        for a in adoptions {
            resources.insert(a.logical_id.clone(), a.as_is.clone());
        }
    }
    base
}

/// One line naming what was imported, for the result.
#[must_use]
pub fn summary(adoptions: &[Adoption]) -> String {
    let mut s = String::new();
    for a in adoptions {
        let _ = write!(
            s,
            "{}{} ({})",
            if s.is_empty() { "" } else { ", " },
            a.name,
            a.logical_id
        );
    }
    s
}

mod redis;

#[cfg(test)]
mod tests;
