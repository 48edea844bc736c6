//! The CloudFormation template as data.
//!
//! Every map is a `BTreeMap` (serde_json's default), so keys come out sorted
//! at every level: identical bytes on every run, and the same order Docker's
//! integration produced, which keeps diffs against its templates small.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// One resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// `Type`, e.g. `AWS::ECS::Service`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// `Properties`.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
    /// `DependsOn`, sorted and unique.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// `Condition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `DeletionPolicy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<String>,
    /// `UpdateReplacePolicy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_replace_policy: Option<String>,
}

impl Resource {
    /// A resource of `kind` with `properties` (a JSON object; anything else is
    /// treated as no properties).
    #[must_use]
    pub fn new(kind: &str, properties: Value) -> Self {
        let properties = match properties {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Self {
            kind: kind.to_owned(),
            properties,
            depends_on: Vec::new(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
        }
    }

    /// Adds `DependsOn` entries.
    #[must_use]
    pub fn depends_on<I: IntoIterator<Item = String>>(mut self, ids: I) -> Self {
        self.depends_on.extend(ids);
        self.depends_on.sort();
        self.depends_on.dedup();
        self
    }

    /// Sets `Condition`.
    #[must_use]
    pub fn when(mut self, condition: &str) -> Self {
        self.condition = Some(condition.to_owned());
        self
    }

    /// Keeps the resource's data when it is deleted or replaced.
    #[must_use]
    pub fn retain(mut self, policy: &str) -> Self {
        self.deletion_policy = Some(policy.to_owned());
        self.update_replace_policy = Some(policy.to_owned());
        self
    }
}

/// A whole template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Template {
    /// `Description`.
    pub description: Option<String>,
    /// `Metadata`.
    pub metadata: BTreeMap<String, Value>,
    /// `Parameters`.
    pub parameters: BTreeMap<String, Value>,
    /// `Conditions`.
    pub conditions: BTreeMap<String, Value>,
    /// `Resources`.
    pub resources: BTreeMap<String, Resource>,
    /// `Outputs`.
    pub outputs: BTreeMap<String, Value>,
}

impl Template {
    /// Adds a resource; the caller guarantees unique IDs (they derive from
    /// unique compose names), so a clash is a bug reported by `limits`.
    pub fn add(&mut self, id: impl Into<String>, resource: Resource) {
        self.resources.insert(id.into(), resource);
    }

    /// The template as one JSON value with sorted keys.
    #[must_use]
    pub fn to_value(&self) -> Value {
        let mut root = Map::new();
        root.insert("AWSTemplateFormatVersion".into(), Value::from("2010-09-09"));
        if let Some(d) = &self.description {
            root.insert("Description".into(), Value::from(d.clone()));
        }
        let sections: [(&str, Value); 4] = [
            ("Metadata", to_object(&self.metadata)),
            ("Parameters", to_object(&self.parameters)),
            ("Conditions", to_object(&self.conditions)),
            ("Outputs", to_object(&self.outputs)),
        ];
        for (name, value) in sections {
            if value.as_object().is_some_and(|m| !m.is_empty()) {
                root.insert(name.into(), value);
            }
        }
        let resources: Map<String, Value> = self
            .resources
            .iter()
            .map(|(k, r)| (k.clone(), serde_json::to_value(r).unwrap_or(Value::Null)))
            .collect();
        root.insert("Resources".into(), Value::Object(resources));
        Value::Object(root)
    }
}

fn to_object(map: &BTreeMap<String, Value>) -> Value {
    Value::Object(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}
