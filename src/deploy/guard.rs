//! The data-loss guard, and c2cfn's own knowledge of which property changes
//! force CloudFormation to replace a resource.
//!
//! A change set that would remove or replace a stateful resource is refused
//! unless `--allow-data-loss` is given. "Replace" is decided from
//! CloudFormation's `Replacement` field AND from comparing the deployed
//! template with the new one over the properties below, because not every
//! endpoint reports `Replacement` (the local stand-in never does).
//!
//! Stateful: the types of `cfn::names::STATEFUL_TYPES` marked `guarded`,
//! DynamoDB tables, ElastiCache replication groups, EFS file systems and
//! ECR repositories. Secrets Manager secrets that c2cfn creates
//! are not: their value is passed again from its file at every deploy.

use std::collections::BTreeMap;

use serde_json::Value;

use super::api::{Action, Replacement, ResourceChange};

/// Properties whose change makes CloudFormation replace the resource
/// (CloudFormation's resource reference, "Update requires: Replacement"),
/// for the stateful types and the shared infrastructure c2cfn renders.
/// DynamoDB key attribute types are compared separately ([`table_keys`]).
const REPLACING: &[(&str, &[&str])] = &[
    (
        "AWS::DynamoDB::Table",
        &["TableName", "KeySchema", "LocalSecondaryIndexes"],
    ),
    (
        "AWS::ElastiCache::ReplicationGroup",
        &[
            "ReplicationGroupId",
            "Engine",
            "CacheSubnetGroupName",
            "AtRestEncryptionEnabled",
            "KmsKeyId",
            "Port",
            "SnapshotArns",
            "SnapshotName",
        ],
    ),
    (
        "AWS::EFS::FileSystem",
        &[
            "PerformanceMode",
            "Encrypted",
            "KmsKeyId",
            "AvailabilityZoneName",
        ],
    ),
    ("AWS::ECR::Repository", &["RepositoryName"]),
    ("AWS::ECS::Cluster", &["ClusterName"]),
    (
        "AWS::EC2::SecurityGroup",
        &["GroupDescription", "GroupName", "VpcId"],
    ),
    ("AWS::Logs::LogGroup", &["LogGroupName"]),
    (
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
        &["Name", "Vpc"],
    ),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        &["Name", "Scheme"],
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        &["Name", "Port", "Protocol", "TargetType", "VpcId"],
    ),
];

/// Whether the guard protects a type's data (`cfn::names::STATEFUL_TYPES`).
#[must_use]
pub fn is_stateful(resource_type: &str) -> bool {
    crate::cfn::names::stateful_type(resource_type).is_some_and(|t| t.guarded)
}

/// A parsed template with its parameter values, for comparing resources.
#[derive(Debug, Clone, Default)]
pub struct TemplateView {
    /// The template as a JSON value.
    pub template: Value,
    /// Parameter values (`Ref` to these is replaced by the value).
    pub parameters: BTreeMap<String, String>,
}

impl TemplateView {
    /// Parses a template (JSON or YAML); `None` when it cannot be read.
    #[must_use]
    pub fn parse(text: &str, parameters: BTreeMap<String, String>) -> Option<Self> {
        let template: Value = serde_json::from_str(text)
            .ok()
            .or_else(|| serde_norway::from_str(text).ok())?;
        template.get("Resources")?.as_object()?;
        Some(Self {
            template,
            parameters,
        })
    }

    fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.template.get("Resources")?.get(logical_id)
    }

    /// A property with `Ref`s to known parameters replaced by their values.
    fn property(&self, logical_id: &str, name: &str) -> Option<Value> {
        let v = self.resource(logical_id)?.get("Properties")?.get(name)?;
        Some(resolve(v, &self.parameters))
    }

    /// The template with `Ref`s to known parameters replaced by their
    /// values (what [`crate::review::compare_live`] compares).
    #[must_use]
    pub fn resolved(&self) -> Value {
        resolve(&self.template, &self.parameters)
    }

    /// The resource's `DeletionPolicy`.
    #[must_use]
    pub fn deletion_policy(&self, logical_id: &str) -> Option<&str> {
        self.resource(logical_id)?.get("DeletionPolicy")?.as_str()
    }

    /// `(logical ID, type)` of every resource.
    #[must_use]
    pub fn resources(&self) -> Vec<(String, String)> {
        self.template
            .get("Resources")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let t = v.get("Type").and_then(Value::as_str).unwrap_or_default();
                        (k.clone(), t.to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn resolve(v: &Value, parameters: &BTreeMap<String, String>) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 => {
            if let Some(Value::String(p)) = m.get("Ref")
                && let Some(value) = parameters.get(p)
            {
                return Value::String(value.clone());
            }
            Value::Object(
                m.iter()
                    .map(|(k, x)| (k.clone(), resolve(x, parameters)))
                    .collect(),
            )
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), resolve(x, parameters)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| resolve(x, parameters)).collect()),
        other => other.clone(),
    }
}

/// A table's keys as `(attribute, HASH|RANGE, attribute type)`.
fn table_keys(view: &TemplateView, logical_id: &str) -> Vec<(String, String, String)> {
    let schema = view
        .property(logical_id, "KeySchema")
        .unwrap_or(Value::Null);
    let defs = view
        .property(logical_id, "AttributeDefinitions")
        .unwrap_or(Value::Null);
    let type_of = |name: &str| {
        defs.as_array()
            .into_iter()
            .flatten()
            .find(|d| d.get("AttributeName").and_then(Value::as_str) == Some(name))
            .and_then(|d| d.get("AttributeType").and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned()
    };
    schema
        .as_array()
        .into_iter()
        .flatten()
        .map(|k| {
            let name = k
                .get("AttributeName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let kind = k.get("KeyType").and_then(Value::as_str).unwrap_or_default();
            (name.to_owned(), kind.to_owned(), type_of(name))
        })
        .collect()
}

/// The replacement-forcing properties that differ between the deployed and
/// the new definition of one resource (empty when none, or when c2cfn does
/// not know the type).
#[must_use]
pub fn replacing_changes(
    resource_type: &str,
    logical_id: &str,
    old: &TemplateView,
    new: &TemplateView,
) -> Vec<String> {
    let Some((_, props)) = REPLACING.iter().find(|(t, _)| *t == resource_type) else {
        return Vec::new();
    };
    let old_type = old
        .resource(logical_id)
        .and_then(|r| r.get("Type"))
        .and_then(Value::as_str);
    if old_type.is_some_and(|t| t != resource_type) {
        return vec!["Type".to_owned()];
    }
    let mut changed: Vec<String> = props
        .iter()
        .filter(|p| old.property(logical_id, p) != new.property(logical_id, p))
        .map(|p| (*p).to_owned())
        .collect();
    if resource_type == "AWS::DynamoDB::Table"
        && !changed.iter().any(|p| p == "KeySchema")
        && table_keys(old, logical_id) != table_keys(new, logical_id)
    {
        changed.push("AttributeDefinitions (type of a key attribute)".to_owned());
    }
    changed
}

/// What a change does to a resource, as the preview and the guard see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A new resource.
    Add,
    /// Updated in place.
    Modify,
    /// Replaced: `why` names CloudFormation's verdict and/or the properties.
    Replace {
        /// Why.
        why: String,
    },
    /// CloudFormation says it might be replaced.
    MayReplace,
    /// Leaves the stack (`retained`: its DeletionPolicy keeps it).
    Remove {
        /// `Retain` (or `RetainExceptOnCreate`): the resource is kept.
        retained: bool,
    },
}

/// Decides a change's verdict from CloudFormation and c2cfn's knowledge.
#[must_use]
pub fn verdict(change: &ResourceChange, old: Option<&TemplateView>, new: &TemplateView) -> Verdict {
    match change.action {
        Action::Add => Verdict::Add,
        Action::Remove => Verdict::Remove {
            retained: old
                .and_then(|o| o.deletion_policy(&change.logical_id))
                .is_some_and(|p| p.starts_with("Retain")),
        },
        Action::Modify | Action::Other => {
            let ours = old
                .map(|o| replacing_changes(&change.resource_type, &change.logical_id, o, new))
                .unwrap_or_default();
            let mut why = Vec::new();
            if change.replacement == Replacement::True {
                why.push("CloudFormation: Replacement=True".to_owned());
            }
            if !ours.is_empty() {
                why.push(format!("changed: {}", ours.join(", ")));
            }
            if !why.is_empty() {
                Verdict::Replace {
                    why: why.join("; "),
                }
            } else if change.replacement == Replacement::Conditional {
                Verdict::MayReplace
            } else if old.is_none() && is_stateful(&change.resource_type) {
                // The deployed template could not be read: assume the worst.
                Verdict::Replace {
                    why: "the deployed template could not be read to rule out a replacement"
                        .to_owned(),
                }
            } else {
                Verdict::Modify
            }
        }
    }
}

/// One refused change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Logical ID.
    pub logical_id: String,
    /// Type.
    pub resource_type: String,
    /// "replaced (...)" or "removed".
    pub what: String,
}

/// The stateful resources the change set would replace or delete.
#[must_use]
pub fn check(
    changes: &[ResourceChange],
    old: Option<&TemplateView>,
    new: &TemplateView,
) -> Vec<Finding> {
    changes
        .iter()
        .filter(|c| is_stateful(&c.resource_type))
        .filter_map(|c| {
            let what = match verdict(c, old, new) {
                Verdict::Replace { why } => {
                    format!("replaced ({why}): a new, empty one is created")
                }
                Verdict::MayReplace => {
                    "possibly replaced (CloudFormation: Replacement=Conditional)".to_owned()
                }
                Verdict::Remove { retained: false } => {
                    "deleted with its data (removed from the template, no DeletionPolicy: Retain)"
                        .to_owned()
                }
                _ => return None,
            };
            Some(Finding {
                logical_id: c.logical_id.clone(),
                resource_type: c.resource_type.clone(),
                what,
            })
        })
        .collect()
}
