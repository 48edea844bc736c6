//! Which compose service or c2cfn extension a resource comes from.
//!
//! The renderer records it in the resource's `Metadata`
//! (`c2cfn: {service: app}`, `c2cfn: {x-aws-dynamodb: players}`, see
//! `cfn/source.rs`). A template rendered before c2cfn wrote that (or by
//! Docker's integration) is grouped by logical-ID prefix: Docker named every
//! resource of service `app` `App...`, and the service itself carries the
//! tag `com.docker.compose.service`.

use serde_json::Value;

/// The metadata key c2cfn writes.
pub const METADATA_KEY: &str = "c2cfn";

/// What kind of thing a group is (for the summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A compose service.
    Service,
    /// A c2cfn/Docker extension (`x-aws-*`) or a top-level compose element
    /// (volume, secret, network).
    Extension,
    /// Shared infrastructure or an unknown resource: listed last.
    Other,
}

/// A group's identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupId {
    /// Kind (orders `Other` last).
    pub kind: Kind,
    /// The label: `app`, `x-aws-dynamodb: players`, `volume: data`.
    pub label: String,
}

impl GroupId {
    fn other() -> Self {
        Self {
            kind: Kind::Other,
            label: "other resources (shared by the project)".to_owned(),
        }
    }
}

/// The group recorded in a resource's metadata.
#[must_use]
pub fn from_metadata(resource: &Value) -> Option<GroupId> {
    let meta = resource.get("Metadata")?.get(METADATA_KEY)?.as_object()?;
    if let Some(s) = meta.get("service").and_then(Value::as_str) {
        return Some(GroupId {
            kind: Kind::Service,
            label: s.to_owned(),
        });
    }
    for key in ["volume", "secret", "network"] {
        if let Some(s) = meta.get(key).and_then(Value::as_str) {
            return Some(GroupId {
                kind: Kind::Extension,
                label: format!("{key}: {s}"),
            });
        }
    }
    meta.iter()
        .find(|(k, _)| k.starts_with("x-"))
        .map(|(k, v)| GroupId {
            kind: Kind::Extension,
            label: match v.as_str() {
                Some(name) if !name.is_empty() => format!("{k}: {name}"),
                _ => k.clone(),
            },
        })
}

/// Logical-ID prefixes of the compose services named in a template (from
/// metadata, and from the `com.docker.compose.service` tag of ECS services).
fn service_prefixes(template: &Value, out: &mut Vec<(String, String)>) {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return;
    };
    for (id, r) in resources {
        let tagged = r
            .get("Properties")
            .and_then(|p| p.get("Tags"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|t| t.get("Key").and_then(Value::as_str) == Some("com.docker.compose.service"))
            .and_then(|t| t.get("Value").and_then(Value::as_str));
        if r.get("Type").and_then(Value::as_str) == Some("AWS::ECS::Service")
            && let (Some(name), Some(prefix)) = (tagged, id.strip_suffix("Service"))
        {
            out.push((prefix.to_owned(), name.to_owned()));
        }
    }
}

/// Groups resources of two templates.
pub struct Grouper<'a> {
    old: Option<&'a Value>,
    new: &'a Value,
    prefixes: Vec<(String, String)>,
}

impl<'a> Grouper<'a> {
    /// Learns the services of both templates.
    #[must_use]
    pub fn new(old: Option<&'a Value>, new: &'a Value) -> Self {
        let mut prefixes = Vec::new();
        for t in old.into_iter().chain(Some(new)) {
            service_prefixes(t, &mut prefixes);
        }
        // Longest prefix first, so `AppWorker` is not taken for `App`.
        prefixes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        prefixes.dedup();
        Self { old, new, prefixes }
    }

    /// The group of `logical_id`.
    #[must_use]
    pub fn group(&self, logical_id: &str) -> GroupId {
        let get = |t: &Value| t.get("Resources").and_then(|r| r.get(logical_id)).cloned();
        if let Some(g) = get(self.new)
            .as_ref()
            .and_then(from_metadata)
            .or_else(|| self.old.and_then(get).as_ref().and_then(from_metadata))
        {
            return g;
        }
        self.prefixes
            .iter()
            .find(|(prefix, _)| {
                logical_id
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            })
            .map_or_else(GroupId::other, |(_, name)| GroupId {
                kind: Kind::Service,
                label: name.clone(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_first_then_docker_prefixes() {
        let old = json!({"Resources": {
            "AppService": {"Type": "AWS::ECS::Service", "Properties": {"Tags": [{"Key": "com.docker.compose.service", "Value": "app"}]}},
            "AppTCP80Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener"},
            "Cluster": {"Type": "AWS::ECS::Cluster"},
        }});
        let new = json!({"Resources": {
            "PlayersTable": {"Type": "AWS::DynamoDB::Table", "Metadata": {"c2cfn": {"x-aws-dynamodb": "players"}}},
        }});
        let g = Grouper::new(Some(&old), &new);
        assert_eq!(g.group("AppTCP80Listener").label, "app");
        assert_eq!(g.group("PlayersTable").label, "x-aws-dynamodb: players");
        assert_eq!(g.group("Cluster").kind, Kind::Other);
        assert_eq!(g.group("Application").kind, Kind::Other);
    }
}
