//! Which part of the project each resource of a c2cfn template comes from:
//! a compose service, or an extension or top-level element
//! (`x-aws-dynamodb: players`, `x-aws-elasticache`, `volume: data`, …), or
//! nothing in particular (the cluster, the load balancer: "other"). The one
//! grouping of c2cfn, used by `up`'s preview, the live `diff`, the offline
//! `diff --against` ([`crate::review`]) and `ps`.
//!
//! The renderer records the owner in the resource's `Metadata`
//! (`c2cfn: {service: app}`, `c2cfn: {x-aws-dynamodb: players}`, see
//! `cfn/source.rs`), and that comes first, from the new template and then
//! from the deployed one. A template rendered before c2cfn wrote it (or by
//! Docker's integration) is grouped from the template alone: Docker's
//! `com.docker.compose.*` tags, logical-ID prefixes (`App…` → `app`, the
//! longest prefix winning) and resource types, so that a deployed template
//! is grouped like a new one and a removed service is still named.

use std::collections::BTreeMap;

use serde_json::Value;

use super::resources::elasticache::CLIENT_GROUP;

/// The metadata key c2cfn writes.
pub const METADATA_KEY: &str = "c2cfn";

const SERVICE_TAG: &str = "com.docker.compose.service";
const NETWORK_TAG: &str = "com.docker.compose.network";
const REDIS_IDS: [&str; 4] = [
    "Redis",
    "RedisSubnetGroup",
    "RedisSecurityGroup",
    CLIENT_GROUP,
];

/// What kind of thing a group is (for summaries and order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId {
    /// Kind (orders `Other` last).
    pub kind: Kind,
    /// The label: `app`, `x-aws-dynamodb: players`, `volume: data`.
    pub label: String,
}

impl GroupId {
    fn service(name: &str) -> Self {
        Self {
            kind: Kind::Service,
            label: name.to_owned(),
        }
    }

    fn extension(label: &str) -> Self {
        Self {
            kind: Kind::Extension,
            label: label.to_owned(),
        }
    }

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
        return Some(GroupId::service(s));
    }
    for key in ["volume", "secret", "network"] {
        if let Some(s) = meta.get(key).and_then(Value::as_str) {
            return Some(GroupId::extension(&format!("{key}: {s}")));
        }
    }
    meta.iter()
        .find(|(k, _)| k.starts_with("x-"))
        .map(|(k, v)| match v.as_str() {
            Some(name) if !name.is_empty() => GroupId::extension(&format!("{k}: {name}")),
            _ => GroupId::extension(k),
        })
}

/// What is known of one or more templates' resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    /// Groups recorded in metadata, by logical ID (the first template
    /// that records one wins).
    recorded: BTreeMap<String, GroupId>,
    /// `(logical-ID prefix, compose service name)`, longest prefix first.
    services: Vec<(String, String)>,
    /// Logical IDs of DynamoDB tables.
    tables: Vec<String>,
    /// `(logical ID, service)` of resources tagged with their service.
    tagged: Vec<(String, String)>,
    /// Logical IDs tagged with a compose network.
    networks: Vec<String>,
}

fn tag<'a>(resource: &'a Value, key: &str) -> Option<&'a str> {
    resource
        .pointer("/Properties/Tags")?
        .as_array()?
        .iter()
        .find(|t| t.get("Key").and_then(Value::as_str) == Some(key))?
        .get("Value")?
        .as_str()
}

impl Parts {
    /// Learns the resources of `templates`, the new one first (its
    /// metadata wins), then the deployed one, so that removed resources
    /// are placed too.
    #[must_use]
    pub fn of(templates: &[&Value]) -> Self {
        let mut parts = Self::default();
        for template in templates {
            let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
                continue;
            };
            for (id, resource) in resources {
                if let Some(g) = from_metadata(resource) {
                    parts
                        .recorded
                        .entry(id.clone())
                        .or_insert_with(|| g.clone());
                    if g.kind == Kind::Service
                        && let Some(prefix) = id.strip_suffix("Service")
                        && resource.get("Type").and_then(Value::as_str) == Some("AWS::ECS::Service")
                    {
                        parts.services.push((prefix.to_owned(), g.label.clone()));
                    }
                }
                let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
                if let Some(service) = tag(resource, SERVICE_TAG) {
                    parts.tagged.push((id.clone(), service.to_owned()));
                    if kind == "AWS::ECS::Service"
                        && let Some(prefix) = id.strip_suffix("Service")
                    {
                        parts.services.push((prefix.to_owned(), service.to_owned()));
                    }
                }
                if tag(resource, NETWORK_TAG).is_some() {
                    parts.networks.push(id.clone());
                }
                if kind == "AWS::DynamoDB::Table" && !parts.tables.contains(id) {
                    parts.tables.push(id.clone());
                }
            }
        }
        // Longest prefix first, so `AppAdmin…` is not taken for `App…`.
        parts
            .services
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        parts.services.dedup_by(|a, b| a.0 == b.0);
        parts
    }

    /// The compose services, by name.
    #[must_use]
    pub fn services(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.services.iter().map(|(_, n)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The group of `logical_id` (of type `resource_type`).
    #[must_use]
    pub fn group(&self, logical_id: &str, resource_type: &str) -> GroupId {
        if let Some(g) = self.recorded.get(logical_id) {
            return g.clone();
        }
        let starts = |prefix: &str| {
            logical_id.strip_prefix(prefix).is_some_and(|rest| {
                rest.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
        };
        if REDIS_IDS.contains(&logical_id) || resource_type.starts_with("AWS::ElastiCache::") {
            return GroupId::extension("x-aws-elasticache");
        }
        if resource_type == "AWS::DynamoDB::Table"
            || (resource_type.starts_with("AWS::ApplicationAutoScaling::")
                && self.tables.iter().any(|t| starts(t)))
        {
            // The table's own scaling goes with it, when it names it.
            if let Some(g) = self
                .tables
                .iter()
                .filter(|t| t.as_str() != logical_id && starts(t))
                .max_by_key(|t| t.len())
                .and_then(|t| self.recorded.get(t))
            {
                return g.clone();
            }
            return GroupId::extension("x-aws-dynamodb");
        }
        if let Some((_, service)) = self.tagged.iter().find(|(id, _)| id == logical_id) {
            return GroupId::service(service);
        }
        if let Some((_, service)) = self.services.iter().find(|(prefix, _)| starts(prefix)) {
            return GroupId::service(service);
        }
        if resource_type.starts_with("AWS::Route53::") {
            GroupId::extension("x-aws-route53")
        } else if resource_type.starts_with("AWS::EFS::") {
            GroupId::extension("volumes")
        } else if resource_type.starts_with("AWS::SecretsManager::") {
            GroupId::extension("secrets")
        } else if self.networks.iter().any(|n| n == logical_id)
            || resource_type.starts_with("AWS::EC2::SecurityGroup")
        {
            GroupId::extension("networks")
        } else {
            GroupId::other()
        }
    }

    /// The label of [`Self::group`]: a service's name, an extension's label.
    #[must_use]
    pub fn part(&self, logical_id: &str, resource_type: &str) -> String {
        self.group(logical_id, resource_type).label
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Kind, Parts};

    fn template() -> serde_json::Value {
        let service = |name: &str| {
            json!({"Type": "AWS::ECS::Service", "Properties": {"Tags": [
                {"Key": "com.docker.compose.project", "Value": "game"},
                {"Key": "com.docker.compose.service", "Value": name}]}})
        };
        json!({"Resources": {
            "AppService": service("app"),
            "AppAdminService": service("app-admin"),
            "AppTCP80Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener"},
            "AppAdminTaskRole": {"Type": "AWS::IAM::Role"},
            "AppleTable": {"Type": "AWS::DynamoDB::Table"},
            "AppleTableReadScalableTarget": {"Type": "AWS::ApplicationAutoScaling::ScalableTarget"},
            "AppScalableTarget": {"Type": "AWS::ApplicationAutoScaling::ScalableTarget"},
            "Redis": {"Type": "AWS::ElastiCache::ReplicationGroup"},
            "RedisClientSecurityGroup": {"Type": "AWS::EC2::SecurityGroup"},
            "DefaultNetwork": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"Tags": [
                {"Key": "com.docker.compose.network", "Value": "game_default"}]}},
            "Default80Ingress": {"Type": "AWS::EC2::SecurityGroupIngress"},
            "PlayRecord": {"Type": "AWS::Route53::RecordSet"},
            "DataFilesystem": {"Type": "AWS::EFS::FileSystem"},
            "Cluster": {"Type": "AWS::ECS::Cluster"},
        }})
    }

    #[test]
    fn without_metadata_resources_go_to_their_service_or_extension() {
        let t = template();
        let parts = Parts::of(&[&t]);
        assert_eq!(parts.services(), ["app", "app-admin"]);
        let part = |id: &str| {
            let ty = t["Resources"][id]["Type"].as_str().unwrap();
            parts.part(id, ty)
        };
        assert_eq!(part("AppTCP80Listener"), "app");
        // The longest service prefix wins; a table whose name starts like a
        // service's is still a table.
        assert_eq!(part("AppAdminTaskRole"), "app-admin");
        assert_eq!(part("AppleTable"), "x-aws-dynamodb");
        assert_eq!(part("AppleTableReadScalableTarget"), "x-aws-dynamodb");
        assert_eq!(part("AppScalableTarget"), "app");
        assert_eq!(part("Redis"), "x-aws-elasticache");
        assert_eq!(part("RedisClientSecurityGroup"), "x-aws-elasticache");
        assert_eq!(part("DefaultNetwork"), "networks");
        assert_eq!(part("Default80Ingress"), "networks");
        assert_eq!(part("PlayRecord"), "x-aws-route53");
        assert_eq!(part("DataFilesystem"), "volumes");
        assert_eq!(
            parts.group("Cluster", "AWS::ECS::Cluster").kind,
            Kind::Other
        );
        assert_eq!(
            parts.group("Application", "AWS::ECS::Cluster").kind,
            Kind::Other
        );
    }

    #[test]
    fn metadata_first_from_the_new_template_then_the_deployed_one() {
        let old = template();
        let new = json!({"Resources": {
            "AppleTable": {"Type": "AWS::DynamoDB::Table", "Metadata": {"c2cfn": {"x-aws-dynamodb": "apples"}}},
            "Worker": {"Type": "AWS::IAM::Role", "Metadata": {"c2cfn": {"service": "worker"}}},
        }});
        let parts = Parts::of(&[&new, &old]);
        assert_eq!(
            parts.part("AppleTable", "AWS::DynamoDB::Table"),
            "x-aws-dynamodb: apples"
        );
        assert_eq!(
            parts.part(
                "AppleTableReadScalableTarget",
                "AWS::ApplicationAutoScaling::ScalableTarget"
            ),
            "x-aws-dynamodb: apples",
            "a table's scaling goes with its table"
        );
        assert_eq!(parts.part("Worker", "AWS::IAM::Role"), "worker");
        // A removed service is known from the deployed template.
        assert_eq!(
            parts.part("AppTCP80Listener", "AWS::ElasticLoadBalancingV2::Listener"),
            "app"
        );
    }
}
