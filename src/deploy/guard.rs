//! The data-loss guard.
//!
//! A change set that would remove or replace a stateful resource is refused
//! unless `--allow-data-loss` is given. "Replace" comes from the change
//! set's review ([`super::live_review`]): CloudFormation's `Replacement`
//! field AND the deployed template compared with the new one through the
//! replacement table generated from the provider schemas
//! ([`crate::review::replacement`]), because not every endpoint reports
//! `Replacement` (the local stand-in never does). A type or property the
//! table does not know "may replace", and is refused too.
//!
//! Stateful: the types of `cfn::names::STATEFUL_TYPES` marked `guarded`,
//! DynamoDB tables, ElastiCache replication groups, EFS file systems and
//! ECR repositories. Secrets Manager secrets that c2cfn creates
//! are not: their value is passed again from its file at every deploy.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::review::{Action as Verdict, Report};

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

/// The stateful resources the change set would replace or delete, from
/// its review ([`super::live_review::report`]: CloudFormation's
/// `Replacement` and the replacement table, a type or property the table
/// does not know counting as "may replace"); `old` is the deployed
/// template, whose `DeletionPolicy` decides whether a removal keeps the
/// resource.
#[must_use]
pub fn check(report: &Report, old: Option<&TemplateView>) -> Vec<Finding> {
    report
        .groups
        .iter()
        .flat_map(|g| &g.changes)
        .filter(|c| is_stateful(&c.resource_type))
        .filter_map(|c| {
            let why = || {
                c.why
                    .iter()
                    .filter(|w| !w.starts_with("CloudFormation: Replacement=False"))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let what = match c.action {
                Verdict::Replace => format!("replaced ({}): a new, empty one is created", why()),
                Verdict::MayReplace => format!("possibly replaced ({})", why()),
                Verdict::Remove
                    if !old
                        .and_then(|o| o.deletion_policy(&c.logical_id))
                        .is_some_and(|p| p.starts_with("Retain")) =>
                {
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
