//! Where each resource comes from, written into its `Metadata`:
//!
//! ```yaml
//! Metadata:
//!   c2cfn:
//!     service: app            # or x-aws-dynamodb: players, volume: data, ...
//! ```
//!
//! so a reviewer can go from a resource to the compose service or extension
//! that made it, and `c2cfn diff --against` can group changes by it. The
//! pointer is the compose name, not a file and line: a line number would
//! change the metadata of every resource below an edit, and the template
//! must stay byte-identical for an unchanged project. Shared resources (the
//! cluster, the load balancer, the log group) get no metadata.
//!
//! A listener is named after the container port (Docker's rule); when it
//! listens on another public port (TLS on 443 in front of port 80), its
//! metadata says so (`listens: 443/TLS -> container port 80`).
//!
//! Metadata never makes CloudFormation update or replace a resource by
//! itself, so adding it keeps the promise that stacks created by Docker's
//! integration are updated in place.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::Template;
use super::logical_id;
use crate::model::Stack;

/// The metadata key.
pub const KEY: &str = "c2cfn";

/// The resource IDs present now, to find what a family of resources added.
#[must_use]
pub fn seen(t: &Template) -> BTreeSet<String> {
    t.resources.keys().cloned().collect()
}

fn record(t: &mut Template, id: &str, key: &str, name: &str) {
    if let Some(r) = t.resources.get_mut(id) {
        let entry = r
            .metadata
            .entry(KEY)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(key.to_owned(), Value::from(name));
        }
    }
}

/// Attributes the resources added since `before` to the owner whose
/// logical-ID prefix they start with (the longest prefix wins); resources
/// that match none stay unattributed (shared).
pub fn claim_by_prefix(
    t: &mut Template,
    before: &BTreeSet<String>,
    owners: &[(String, &str, String)],
) {
    let added: Vec<String> = t
        .resources
        .keys()
        .filter(|k| !before.contains(*k))
        .cloned()
        .collect();
    for id in added {
        let owner = owners
            .iter()
            .filter(|(prefix, _, _)| {
                id.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with(|c: char| !c.is_ascii_lowercase())
                })
            })
            .max_by_key(|(prefix, _, _)| prefix.len());
        if let Some((_, key, name)) = owner {
            record(t, &id, key, name);
        }
    }
}

/// Attributes every resource added since `before` to one owner.
pub fn claim_all(t: &mut Template, before: &BTreeSet<String>, key: &str, name: &str) {
    let added: Vec<String> = t
        .resources
        .keys()
        .filter(|k| !before.contains(*k))
        .cloned()
        .collect();
    for id in added {
        record(t, &id, key, name);
    }
}

/// Owners by logical-ID prefix: services.
#[must_use]
pub fn services(stack: &Stack) -> Vec<(String, &'static str, String)> {
    stack
        .services
        .iter()
        .map(|s| (logical_id::normalize(&s.name), "service", s.name.clone()))
        .collect()
}

/// Says what a listener listens on when its logical ID names another port
/// (Docker named listeners after the container port). Runs on the final
/// template value, so a listener the overlay moves to 443 says so too.
pub fn describe_listeners(value: &mut Value) {
    let Some(resources) = value.get_mut("Resources").and_then(Value::as_object_mut) else {
        return;
    };
    for (id, r) in resources.iter_mut() {
        if r.get("Type").and_then(Value::as_str) != Some("AWS::ElasticLoadBalancingV2::Listener") {
            continue;
        }
        let Some(stem) = id.strip_suffix("Listener") else {
            continue;
        };
        let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let Ok(named) = stem[stem.len() - digits..].parse::<u64>() else {
            continue;
        };
        let props = r.get("Properties");
        let Some(port) = props.and_then(|p| p.get("Port")).and_then(Value::as_u64) else {
            continue;
        };
        if port == named {
            continue;
        }
        let protocol = props
            .and_then(|p| p.get("Protocol"))
            .and_then(Value::as_str)
            .unwrap_or("TCP");
        let text = format!("public port {port}/{protocol}, forwarding to container port {named}");
        let Some(r) = r.as_object_mut() else { continue };
        let meta = r
            .entry("Metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = meta
            && let Value::Object(c) = m.entry(KEY).or_insert_with(|| Value::Object(Map::new()))
        {
            c.insert("listens".into(), Value::from(text));
        }
    }
}

/// The logical IDs of a rendered template value.
#[must_use]
pub fn resource_ids(value: &Value) -> BTreeSet<String> {
    value
        .get("Resources")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Marks the resources the `x-aws-cloudformation` overlay added (those not
/// in `rendered`) as coming from it, unless the overlay wrote their c2cfn
/// metadata itself.
pub fn claim_overlay(value: &mut Value, rendered: &BTreeSet<String>) {
    let Some(resources) = value.get_mut("Resources").and_then(Value::as_object_mut) else {
        return;
    };
    for (id, r) in resources.iter_mut() {
        if rendered.contains(id) {
            continue;
        }
        let Some(r) = r.as_object_mut() else { continue };
        let meta = r
            .entry("Metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = meta {
            m.entry(KEY).or_insert_with(|| {
                let mut owner = Map::new();
                owner.insert("x-aws-cloudformation".into(), Value::Bool(true));
                Value::Object(owner)
            });
        }
    }
}
