//! The CloudFormation template as data.
//!
//! Every map is a `BTreeMap` (serde_json's default), so keys come out sorted
//! at every level: identical bytes on every run, and the same order Docker's
//! integration produced, which keeps diffs against its templates small.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// One resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// `Type`, e.g. `AWS::ECS::Service`.
    pub kind: String,
    /// `Properties`.
    pub properties: Map<String, Value>,
    /// `DependsOn`, sorted and unique.
    pub depends_on: Vec<String>,
    /// `Condition`.
    pub condition: Option<String>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<String>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<String>,
    /// `Metadata` (where the resource comes from, see `source.rs`).
    pub metadata: Map<String, Value>,
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
            metadata: Map::new(),
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

    /// The resource as a JSON object, keys in CloudFormation's names.
    #[must_use]
    pub fn into_value(self) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), Value::from(self.kind));
        if !self.properties.is_empty() {
            m.insert("Properties".into(), Value::Object(self.properties));
        }
        if !self.depends_on.is_empty() {
            m.insert("DependsOn".into(), Value::from(self.depends_on));
        }
        let optional = [
            ("Condition", self.condition),
            ("DeletionPolicy", self.deletion_policy),
            ("UpdateReplacePolicy", self.update_replace_policy),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                m.insert(key.into(), Value::from(v));
            }
        }
        if !self.metadata.is_empty() {
            m.insert("Metadata".into(), Value::Object(self.metadata));
        }
        Value::Object(m)
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
    /// Logical IDs that two different resources were added under: two
    /// declared things whose names normalise alike (reported as errors).
    pub clashes: Vec<String>,
}

impl Template {
    /// Adds a resource. `lower` rejects declared things whose IDs clash, with
    /// their locations; any clash left (two kinds of things whose IDs meet)
    /// is recorded in `clashes` rather than silently keeping one of them.
    pub fn add(&mut self, id: impl Into<String>, resource: Resource) {
        let id = id.into();
        if let Some(existing) = self.resources.get(&id)
            && *existing != resource
            && !self.clashes.contains(&id)
        {
            self.clashes.push(id.clone());
        }
        self.resources.insert(id, resource);
    }

    /// The template as one JSON value with sorted keys (consumes the
    /// template: resources are moved, not copied).
    #[must_use]
    pub fn into_value(self) -> Value {
        let mut root = Map::new();
        root.insert("AWSTemplateFormatVersion".into(), Value::from("2010-09-09"));
        if let Some(d) = self.description {
            root.insert("Description".into(), Value::from(d));
        }
        let sections = [
            ("Metadata", self.metadata),
            ("Parameters", self.parameters),
            ("Conditions", self.conditions),
            ("Outputs", self.outputs),
        ];
        for (name, section) in sections {
            if !section.is_empty() {
                root.insert(name.into(), Value::Object(section.into_iter().collect()));
            }
        }
        let resources: Map<String, Value> = self
            .resources
            .into_iter()
            .map(|(k, r)| (k, r.into_value()))
            .collect();
        root.insert("Resources".into(), Value::Object(resources));
        Value::Object(root)
    }
}
