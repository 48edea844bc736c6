//! The review of one template change: every changed resource with its
//! verdict (replace, may replace, remove, modify, add) and changed
//! properties, grouped by the service or extension it comes from, the
//! data-loss findings and the security widenings. Plain data, serialisable
//! as the `--format json` output.

use serde::Serialize;
use serde_json::Value;

use super::changes::{self, Leaf};
use super::replacement::{self, Prediction};
use super::security;
use crate::cfn::parts::{GroupId, Kind, Parts};

/// What happens to a resource, most dangerous first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// CloudFormation creates a new resource and deletes the old one.
    Replace,
    /// It may (a conditional create-only property, or one c2cfn does not know).
    MayReplace,
    /// The resource leaves the stack.
    Remove,
    /// Updated in place.
    Modify,
    /// An existing resource adopted into the stack (`up`'s IMPORT change
    /// set), not created.
    Import,
    /// A new resource.
    Add,
}

impl Action {
    /// The word shown in reports.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Replace => "REPLACE",
            Self::MayReplace => "MAY REPLACE",
            Self::Remove => "remove",
            Self::Modify => "modify",
            Self::Import => "import",
            Self::Add => "add",
        }
    }
}

/// One changed resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Logical ID.
    pub logical_id: String,
    /// Type (the new one when it changed).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The verdict.
    pub action: Action,
    /// Why (replacement reasons, notes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    /// CloudFormation's `Replacement` (`True`, `False`, `Conditional`),
    /// when a change set gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloudformation_replacement: Option<String>,
    /// The changed properties and attributes, before → after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Leaf>,
    /// More to know, one line each (an import: what it keeps and what
    /// then changes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The changes of one service or extension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// `app`, `x-aws-dynamodb: players`, ...
    pub name: String,
    /// Service, extension or other.
    pub kind: Kind,
    /// Most dangerous first.
    pub changes: Vec<Change>,
}

/// A data-loss or security finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The group of the resource.
    pub group: String,
    /// Logical ID.
    pub logical_id: String,
    /// Type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// What happens.
    pub message: String,
}

/// Changed resources per action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Replaced.
    pub replace: usize,
    /// Possibly replaced.
    pub may_replace: usize,
    /// Removed.
    pub remove: usize,
    /// Modified in place.
    pub modify: usize,
    /// Imported (adopted, not created).
    #[serde(skip_serializing_if = "is_zero")]
    pub import: usize,
    /// Added.
    pub add: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The whole review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// One line: what changes and whether data is lost.
    pub summary: String,
    /// Counts per action.
    pub counts: Counts,
    /// Stateful resources replaced or removed without `Retain`.
    pub data_loss: Vec<Finding>,
    /// Access that widens.
    pub security: Vec<Finding>,
    /// The groups: most dangerous first, resources of no group last.
    pub groups: Vec<Group>,
    /// Where the replacement table comes from.
    pub replacement_table: String,
}

impl Report {
    /// Whether anything changes.
    #[must_use]
    pub fn has_changes(&self) -> bool {
        !self.groups.is_empty()
    }
}

/// A resource change as a CloudFormation change set reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveChange {
    /// Logical ID.
    pub logical_id: String,
    /// Type.
    pub resource_type: String,
    /// Add, modify or remove.
    pub action: LiveAction,
    /// CloudFormation's `Replacement` (`True`, `False`, `Conditional`).
    pub replacement: Option<String>,
    /// With [`LiveAction::Import`]: why (first) and what to know (the
    /// rest). Otherwise CloudFormation's property-level details, shown when
    /// the templates do not tell what changed (a parameter value).
    pub notes: Vec<String>,
}

/// A change set's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveAction {
    /// Add.
    Add,
    /// Modify (or another action CloudFormation reports on an existing resource).
    Modify,
    /// Remove.
    Remove,
    /// An existing resource `up` imports (adopts) before the change set.
    Import,
}

/// The noun of a type whose replacement or removal loses data (the types
/// are `cfn::names::STATEFUL_TYPES`), the word used in summaries.
#[must_use]
pub fn stateful_noun(resource_type: &str) -> Option<&'static str> {
    crate::cfn::names::stateful_type(resource_type).map(|t| t.noun)
}

/// Types CloudFormation "replaces" as their normal update: a new immutable
/// revision, which the service rolls out.
const REVISIONS: &[&str] = &["AWS::ECS::TaskDefinition"];

const ATTRIBUTES: &[&str] = &[
    "Condition",
    "DependsOn",
    "DeletionPolicy",
    "UpdateReplacePolicy",
];

fn resource<'a>(t: Option<&'a Value>, id: &str) -> Option<&'a Value> {
    t?.get("Resources")?.get(id)
}

fn type_of(r: &Value) -> String {
    r.get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn retained(r: &Value) -> Option<&'static str> {
    match r.get("DeletionPolicy").and_then(Value::as_str) {
        Some(p) if p.starts_with("Retain") => Some("DeletionPolicy: Retain keeps it"),
        Some("Snapshot") => Some("DeletionPolicy: Snapshot keeps a final snapshot"),
        _ => None,
    }
}

/// The change of one resource present in both templates, from the
/// templates alone (`None`: nothing that CloudFormation acts on changed).
fn modified(id: &str, old: &Value, new: &Value) -> Option<Change> {
    let kind = type_of(new);
    let mut leaves = Vec::new();
    for a in ATTRIBUTES {
        changes::diff(a, old.get(*a), new.get(*a), &mut leaves);
    }
    changes::diff(
        "",
        old.get("Properties"),
        new.get("Properties"),
        &mut leaves,
    );
    if type_of(old) != kind {
        return Some(Change {
            logical_id: id.to_owned(),
            resource_type: kind.clone(),
            action: Action::Replace,
            why: vec![format!("its type changes from {} to {kind}", type_of(old))],
            cloudformation_replacement: None,
            properties: leaves,
            notes: Vec::new(),
        });
    }
    if leaves.is_empty() {
        return None;
    }
    let p = replacement::predict(&kind, old.get("Properties"), new.get("Properties"));
    let (action, why) = verdict(&kind, &p);
    Some(Change {
        logical_id: id.to_owned(),
        resource_type: kind,
        action,
        why,
        cloudformation_replacement: None,
        properties: leaves,
        notes: Vec::new(),
    })
}

fn verdict(kind: &str, p: &Prediction) -> (Action, Vec<String>) {
    if !p.replace.is_empty() && REVISIONS.contains(&kind) {
        return (
            Action::Modify,
            vec![format!(
                "a new revision (CloudFormation replaces task definitions: {} create-only); the service rolls its tasks over to it",
                p.replace.join(", ")
            )],
        );
    }
    if !p.replace.is_empty() {
        return (
            Action::Replace,
            vec![format!("changes create-only {}", p.replace.join(", "))],
        );
    }
    if !p.may.is_empty() {
        let mut why = vec![format!("may replace: {}", p.may.join(", "))];
        why.extend(p.unknown.iter().cloned());
        return (Action::MayReplace, why);
    }
    (Action::Modify, Vec::new())
}

fn added(id: &str, new: &Value) -> Change {
    Change {
        logical_id: id.to_owned(),
        resource_type: type_of(new),
        action: Action::Add,
        why: Vec::new(),
        cloudformation_replacement: None,
        properties: Vec::new(),
        notes: Vec::new(),
    }
}

fn removed(id: &str, old: &Value) -> Change {
    Change {
        logical_id: id.to_owned(),
        resource_type: type_of(old),
        action: Action::Remove,
        why: retained(old).map(str::to_owned).into_iter().collect(),
        cloudformation_replacement: None,
        properties: Vec::new(),
        notes: Vec::new(),
    }
}

fn ids(t: Option<&Value>) -> Vec<String> {
    t.and_then(|t| t.get("Resources"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Compares two templates (`old` is `None` for a new environment).
#[must_use]
pub fn compare(old: Option<&Value>, new: &Value) -> Report {
    let mut all = ids(old);
    all.extend(ids(Some(new)));
    all.sort();
    all.dedup();
    let list = all
        .iter()
        .filter_map(|id| match (resource(old, id), resource(Some(new), id)) {
            (None, Some(n)) => Some(added(id, n)),
            (Some(o), None) => Some(removed(id, o)),
            (Some(o), Some(n)) => modified(id, o, n),
            (None, None) => None,
        })
        .collect();
    build(old, new, list)
}

/// The review of a change set: its resource changes, with the property
/// details and c2cfn's verdict from the templates (the deployed one and the
/// new one, parameters substituted by the caller), and CloudFormation's own
/// `Replacement` where it gives one. The more dangerous of the two wins.
#[must_use]
pub fn compare_live(old: Option<&Value>, new: &Value, live: &[LiveChange]) -> Report {
    let list = live
        .iter()
        .map(|c| {
            let id = c.logical_id.as_str();
            let mut change = match (c.action, resource(old, id), resource(Some(new), id)) {
                (LiveAction::Import, _, _) => Change {
                    resource_type: c.resource_type.clone(),
                    action: Action::Import,
                    why: c.notes.iter().take(1).cloned().collect(),
                    notes: c.notes.iter().skip(1).cloned().collect(),
                    ..added(id, &Value::Null)
                },
                (LiveAction::Add, _, n) => n.map_or_else(
                    || Change {
                        resource_type: c.resource_type.clone(),
                        ..added(id, &Value::Null)
                    },
                    |n| added(id, n),
                ),
                (LiveAction::Remove, o, _) => o.map_or_else(
                    || Change {
                        resource_type: c.resource_type.clone(),
                        ..removed(id, &Value::Null)
                    },
                    |o| removed(id, o),
                ),
                (LiveAction::Modify, Some(o), Some(n)) => modified(id, o, n).unwrap_or_else(|| Change {
                    why: vec!["the template is unchanged here: a parameter value or a resource it references changed".to_owned()],
                    action: Action::Modify,
                    ..added(id, n)
                }),
                (LiveAction::Modify, _, _) => Change {
                    resource_type: c.resource_type.clone(),
                    action: Action::MayReplace,
                    why: vec!["the deployed template could not be compared".to_owned()],
                    ..added(id, &Value::Null)
                },
            };
            if change.properties.is_empty() && c.action != LiveAction::Import {
                change.notes.extend(c.notes.iter().cloned());
            }
            if c.action == LiveAction::Modify {
                let theirs = match c.replacement.as_deref() {
                    Some("True") if REVISIONS.contains(&c.resource_type.as_str()) => Action::Modify,
                    Some("True") => Action::Replace,
                    Some("Conditional") => Action::MayReplace,
                    _ => Action::Modify,
                };
                if theirs < change.action {
                    change.action = theirs;
                }
                if let Some(r) = &c.replacement {
                    change.why.push(format!("CloudFormation: Replacement={r}"));
                }
                change.cloudformation_replacement.clone_from(&c.replacement);
            }
            change
        })
        .collect();
    build(old, new, list)
}

/// Properties that give a resource a fixed physical name.
const NAME_PROPERTIES: &[&str] = &[
    "TableName",
    "ReplicationGroupId",
    "RepositoryName",
    "LogGroupName",
    "BucketName",
    "DBInstanceIdentifier",
    "DBClusterIdentifier",
    "ClusterName",
];

/// What else a reviewer should know about a stateful replacement: the old
/// resource kept by `UpdateReplacePolicy: Retain`, and a fixed name, with
/// which CloudFormation refuses to replace the resource at all.
fn replacement_notes(new: Option<&Value>) -> String {
    let Some(r) = new else {
        return String::new();
    };
    let mut notes = String::new();
    if r.get("UpdateReplacePolicy")
        .and_then(Value::as_str)
        .is_some_and(|p| p.starts_with("Retain"))
    {
        notes.push_str("; UpdateReplacePolicy: Retain keeps the old one, outside the stack");
    }
    if let Some(name) = NAME_PROPERTIES
        .iter()
        .find(|n| r.get("Properties").and_then(|p| p.get(**n)).is_some())
    {
        let _ = std::fmt::Write::write_fmt(
            &mut notes,
            format_args!(
                "; with a fixed {name}, CloudFormation cannot replace it and the update fails unless the name changes too"
            ),
        );
    }
    notes
}

fn build(old: Option<&Value>, new: &Value, list: Vec<Change>) -> Report {
    let parts = Parts::of(&[new, old.unwrap_or(&Value::Null)]);
    let mut counts = Counts::default();
    let mut groups: Vec<(GroupId, Vec<Change>)> = Vec::new();
    let mut data_loss = Vec::new();
    for change in list {
        match change.action {
            Action::Replace => counts.replace += 1,
            Action::MayReplace => counts.may_replace += 1,
            Action::Remove => counts.remove += 1,
            Action::Modify => counts.modify += 1,
            Action::Import => counts.import += 1,
            Action::Add => counts.add += 1,
        }
        let g = parts.group(&change.logical_id, &change.resource_type);
        if let Some(noun) = stateful_noun(&change.resource_type) {
            let message = match change.action {
                Action::Replace => Some(format!(
                    "{noun} is REPLACED ({}): a new, empty {noun} takes its place",
                    change.why.join("; ")
                )),
                Action::MayReplace => Some(format!(
                    "{noun} may be REPLACED ({}): a new, empty {noun} would take its place",
                    change.why.join("; ")
                )),
                Action::Remove if change.why.is_empty() => Some(format!(
                    "{noun} is REMOVED and deleted with its data (no DeletionPolicy: Retain)"
                )),
                _ => None,
            };
            if let Some(mut message) = message {
                if matches!(change.action, Action::Replace | Action::MayReplace) {
                    message.push_str(&replacement_notes(resource(Some(new), &change.logical_id)));
                }
                data_loss.push(Finding {
                    group: g.label.clone(),
                    logical_id: change.logical_id.clone(),
                    resource_type: change.resource_type.clone(),
                    message,
                });
            }
        }
        match groups.iter_mut().find(|(id, _)| *id == g) {
            Some((_, v)) => v.push(change),
            None => groups.push((g, vec![change])),
        }
    }
    for (_, changes) in &mut groups {
        changes.sort_by(|a, b| {
            a.action
                .cmp(&b.action)
                .then_with(|| a.logical_id.cmp(&b.logical_id))
        });
    }
    groups.sort_by(|(a, ca), (b, cb)| {
        (a.kind == Kind::Other)
            .cmp(&(b.kind == Kind::Other))
            .then(ca[0].action.cmp(&cb[0].action))
            .then(a.cmp(b))
    });
    let security: Vec<Finding> = security::widenings(old, new)
        .into_iter()
        .map(|w| Finding {
            group: parts.part(&w.logical_id, &w.resource_type),
            logical_id: w.logical_id,
            resource_type: w.resource_type,
            message: w.message,
        })
        .collect();
    let groups: Vec<Group> = groups
        .into_iter()
        .map(|(id, changes)| Group {
            name: id.label,
            kind: id.kind,
            changes,
        })
        .collect();
    let summary = summary(&groups, &data_loss, &security);
    Report {
        summary,
        counts,
        data_loss,
        security,
        groups,
        replacement_table: replacement::source(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "2 services changed, 1 table REPLACED — data loss".
fn summary(groups: &[Group], data_loss: &[Finding], security: &[Finding]) -> String {
    if groups.is_empty() {
        return "no changes".to_owned();
    }
    let count = |k: Kind| groups.iter().filter(|g| g.kind == k).count();
    let mut parts = Vec::new();
    let services = count(Kind::Service);
    if services > 0 {
        parts.push(format!(
            "{} changed",
            plural(services, "service", "services")
        ));
    }
    let extensions = count(Kind::Extension);
    if extensions > 0 {
        parts.push(format!(
            "{} changed",
            plural(extensions, "extension", "extensions")
        ));
    }
    if count(Kind::Other) > 0 {
        parts.push("shared resources changed".to_owned());
    }
    let mut lost: Vec<(String, usize)> = Vec::new();
    for f in data_loss {
        let noun = stateful_noun(&f.resource_type).unwrap_or("resource");
        let verb = if f.message.contains("may be REPLACED") {
            "MAY BE REPLACED"
        } else if f.message.contains("REPLACED") {
            "REPLACED"
        } else {
            "REMOVED"
        };
        let key = format!("{noun}\u{0}{verb}");
        match lost.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => lost.push((key, 1)),
        }
    }
    for (key, n) in lost {
        let (noun, verb) = key.split_once('\u{0}').unwrap_or_default();
        let nouns = if noun.ends_with('s') || noun == "Redis" {
            noun.to_owned()
        } else {
            format!("{noun}s")
        };
        parts.push(format!("{} {verb}", plural(n, noun, &nouns)));
    }
    let replaced = groups
        .iter()
        .flat_map(|g| &g.changes)
        .filter(|c| c.action == Action::Replace && stateful_noun(&c.resource_type).is_none())
        .count();
    if replaced > 0 {
        parts.push(format!(
            "{} REPLACED",
            plural(replaced, "other resource", "other resources")
        ));
    }
    let mut line = parts.join(", ");
    if !data_loss.is_empty() {
        line.push_str(" — data loss");
    }
    if !security.is_empty() {
        let verb = if security.len() == 1 {
            "widens"
        } else {
            "widen"
        };
        let _ = std::fmt::Write::write_fmt(
            &mut line,
            format_args!(
                " — {} {verb} access",
                plural(security.len(), "change", "changes")
            ),
        );
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(key: &str) -> Value {
        json!({"Type": "AWS::DynamoDB::Table", "Metadata": {"c2cfn": {"x-aws-dynamodb": "players"}},
               "Properties": {"TableName": "p", "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
                              "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}]}})
    }

    #[test]
    fn a_key_change_replaces_the_table_and_loses_data() {
        let old = json!({"Resources": {"PlayersTable": table("id")}});
        let new = json!({"Resources": {"PlayersTable": table("player-id")}});
        let r = compare(Some(&old), &new);
        assert_eq!(
            r.summary,
            "1 extension changed, 1 table REPLACED — data loss"
        );
        assert_eq!(r.groups[0].changes[0].action, Action::Replace);
        assert_eq!(r.data_loss.len(), 1);
        assert_eq!(compare(Some(&old), &old).summary, "no changes");
    }

    #[test]
    fn removal_without_retain_loses_data_and_with_retain_does_not() {
        let old = json!({"Resources": {"PlayersTable": table("id")}});
        let new = json!({"Resources": {}});
        assert_eq!(compare(Some(&old), &new).data_loss.len(), 1);
        let mut kept = old.clone();
        kept["Resources"]["PlayersTable"]["DeletionPolicy"] = json!("Retain");
        let r = compare(Some(&kept), &new);
        assert!(r.data_loss.is_empty());
        assert_eq!(r.groups[0].changes[0].action, Action::Remove);
    }

    #[test]
    fn metadata_alone_is_no_change_and_groups_sort_by_danger_other_last() {
        let mut old = json!({"Resources": {"PlayersTable": table("id"), "Cluster": {"Type": "AWS::ECS::Cluster"}}});
        let mut new = old.clone();
        new["Resources"]["PlayersTable"]["Metadata"] =
            json!({"c2cfn": {"x-aws-dynamodb": "renamed"}});
        assert!(!compare(Some(&old), &new).has_changes());
        new["Resources"]["Cluster"]["Properties"] = json!({"ClusterName": "x"});
        new["Resources"]["PlayersTable"]["Properties"]["BillingMode"] = json!("PAY_PER_REQUEST");
        old["Resources"]["Q"] = json!({"Type": "AWS::Made::Up", "Properties": {"A": 1}});
        new["Resources"]["Q"] = json!({"Type": "AWS::Made::Up", "Properties": {"A": 2}});
        let r = compare(Some(&old), &new);
        let names: Vec<&str> = r.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "x-aws-dynamodb: renamed",
                "other resources (shared by the project)"
            ]
        );
        let other: Vec<Action> = r.groups[1].changes.iter().map(|c| c.action).collect();
        assert_eq!(other, [Action::Replace, Action::MayReplace]);
    }

    #[test]
    fn live_changes_add_cloudformations_replacement() {
        let old = json!({"Resources": {"PlayersTable": table("id")}});
        let live = [LiveChange {
            logical_id: "PlayersTable".into(),
            resource_type: "AWS::DynamoDB::Table".into(),
            action: LiveAction::Modify,
            replacement: Some("True".into()),
            notes: Vec::new(),
        }];
        let r = compare_live(Some(&old), &old, &live);
        let c = &r.groups[0].changes[0];
        assert_eq!(c.action, Action::Replace);
        assert_eq!(c.cloudformation_replacement.as_deref(), Some("True"));
        assert_eq!(r.data_loss.len(), 1);
    }
}
