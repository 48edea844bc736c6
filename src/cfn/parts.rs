//! Which part of the project each resource of a c2cfn template comes from:
//! a compose service (by name), or an extension or shared piece (`tables`,
//! `redis`, `dns`, `volumes`, `secrets`, `networks`, `stack`). Read from the
//! template alone (logical IDs, types and Docker's `com.docker.compose.*`
//! tags), so that a deployed template is grouped the same way as a new one.
//! Used by the change-set preview (`up`, `diff`).

use serde_json::Value;

use super::resources::elasticache::CLIENT_GROUP;

/// The parts of a template, after its services.
pub const EXTENSIONS: [&str; 7] = [
    "tables", "redis", "dns", "volumes", "secrets", "networks", "stack",
];

const SERVICE_TAG: &str = "com.docker.compose.service";
const NETWORK_TAG: &str = "com.docker.compose.network";
const REDIS_IDS: [&str; 4] = [
    "Redis",
    "RedisSubnetGroup",
    "RedisSecurityGroup",
    CLIENT_GROUP,
];

/// What is known of one or more templates' services and tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    /// `(logical-ID prefix, compose service name)`, by name.
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
    /// Learns the services and tables of `templates` (e.g. the deployed and
    /// the new one, so that removed resources are placed too).
    #[must_use]
    pub fn of(templates: &[&Value]) -> Self {
        let mut parts = Self::default();
        for template in templates {
            let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
                continue;
            };
            for (id, resource) in resources {
                let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
                if let Some(service) = tag(resource, SERVICE_TAG) {
                    parts.tagged.push((id.clone(), service.to_owned()));
                    if kind == "AWS::ECS::Service"
                        && let Some(prefix) = id.strip_suffix("Service")
                        && !parts.services.iter().any(|(p, _)| p == prefix)
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
        parts.services.sort_by(|a, b| a.1.cmp(&b.1));
        parts
    }

    /// The compose services, by name.
    #[must_use]
    pub fn services(&self) -> Vec<&str> {
        self.services.iter().map(|(_, n)| n.as_str()).collect()
    }

    /// The part `logical_id` (of type `resource_type`) belongs to.
    #[must_use]
    pub fn part(&self, logical_id: &str, resource_type: &str) -> String {
        let starts = |prefix: &str| {
            logical_id.strip_prefix(prefix).is_some_and(|rest| {
                rest.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
        };
        if REDIS_IDS.contains(&logical_id) || resource_type.starts_with("AWS::ElastiCache::") {
            return "redis".into();
        }
        if resource_type == "AWS::DynamoDB::Table"
            || (resource_type.starts_with("AWS::ApplicationAutoScaling::")
                && self.tables.iter().any(|t| starts(t)))
        {
            return "tables".into();
        }
        if let Some((_, service)) = self.tagged.iter().find(|(id, _)| id == logical_id) {
            return service.clone();
        }
        if let Some((_, service)) = self
            .services
            .iter()
            .filter(|(prefix, _)| starts(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
        {
            return service.clone();
        }
        let part = if resource_type.starts_with("AWS::Route53::") {
            "dns"
        } else if resource_type.starts_with("AWS::EFS::") {
            "volumes"
        } else if resource_type.starts_with("AWS::SecretsManager::") {
            "secrets"
        } else if self.networks.iter().any(|n| n == logical_id)
            || resource_type.starts_with("AWS::EC2::SecurityGroup")
        {
            "networks"
        } else {
            "stack"
        };
        part.into()
    }

    /// Where `part` comes in a listing: services first (by name),
    /// then [`EXTENSIONS`] in that order.
    #[must_use]
    pub fn rank(&self, part: &str) -> usize {
        self.services
            .iter()
            .position(|(_, n)| n == part)
            .or_else(|| {
                EXTENSIONS
                    .iter()
                    .position(|e| *e == part)
                    .map(|i| self.services.len() + i)
            })
            .unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Parts;

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
    fn resources_go_to_their_service_or_extension() {
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
        assert_eq!(part("AppleTable"), "tables");
        assert_eq!(part("AppleTableReadScalableTarget"), "tables");
        assert_eq!(part("AppScalableTarget"), "app");
        assert_eq!(part("Redis"), "redis");
        assert_eq!(part("RedisClientSecurityGroup"), "redis");
        assert_eq!(part("DefaultNetwork"), "networks");
        assert_eq!(part("Default80Ingress"), "networks");
        assert_eq!(part("PlayRecord"), "dns");
        assert_eq!(part("DataFilesystem"), "volumes");
        assert_eq!(part("Cluster"), "stack");
        assert!(parts.rank("app") < parts.rank("app-admin"));
        assert!(parts.rank("app-admin") < parts.rank("tables"));
        assert!(parts.rank("dns") < parts.rank("stack"));
    }

    #[test]
    fn a_removed_service_is_known_from_the_deployed_template() {
        let old = template();
        let new = serde_json::json!({"Resources": {}});
        let parts = Parts::of(&[&new, &old]);
        assert_eq!(
            parts.part("AppTCP80Listener", "AWS::ElasticLoadBalancingV2::Listener"),
            "app"
        );
    }
}
