//! Adopting an ElastiCache replication group a script made (declared with
//! `replication_group_id:`). CloudFormation replaces a group to change its
//! engine, subnet group, port or encryption at rest, and cannot replace a
//! group that has a name; c2cfn also refuses a different node type or node
//! count, which would resize the live group in the update after the import
//! (minutes of failover, possibly lost writes). Every such difference is
//! refused before anything changes; the rest (description, snapshot
//! retention, security groups, tags, an engine upgrade) is listed as what
//! the update changes.

use serde_json::{Map, Value, json};

use crate::aws::elasticache::LiveReplicationGroup;

use super::{Adoption, Found, Problem, REPLICATION_GROUP, resource_as_is, short, user_tags};

/// `7.1` → (7, 1); a part that is not a number counts as 0.
fn version(v: &str) -> (u32, u32) {
    let mut parts = v.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn boolean(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn number(v: Option<&Value>) -> Option<i64> {
    match v {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

fn overlay(logical_id: &str, property: &str, value: &str) -> String {
    format!(
        "declare what the group has with an overlay:\n      x-aws-cloudformation:\n        Resources:\n          {logical_id}:\n            Properties:\n              {property}: {value}"
    )
}

pub(super) fn adoption(
    logical_id: &str,
    name: &str,
    resource: &Value,
    live: &LiveReplicationGroup,
) -> Found {
    let props = resource.get("Properties").cloned().unwrap_or(Value::Null);
    let text = |k: &str| props.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut problems = Vec::new();
    let mut differ = |what: String, way_out: String| problems.push(Problem { what, way_out });
    let keep_out = "or keep this group out of the stack: leave `replication_group_id` out (c2cfn then creates `<app_cluster>-redis`)";

    if live.status != "available" {
        differ(
            format!("replication group {name} is {}, not available", live.status),
            "wait until it is available (`aws elasticache describe-replication-groups`) and run the command again".to_owned(),
        );
    }
    if live.shards > 1 {
        differ(
            format!(
                "replication group {name} runs in cluster mode ({} shards); c2cfn declares one shard, so CloudFormation would replace it",
                live.shards
            ),
            format!("keep it out of the stack: {keep_out}"),
        );
    }
    let engine = text("Engine").unwrap_or_else(|| "redis".to_owned());
    if !engine.eq_ignore_ascii_case(&live.engine) {
        differ(
            format!(
                "replication group {name} runs engine {}, the template declares {engine}; changing the engine replaces the group",
                live.engine
            ),
            keep_out.to_owned(),
        );
    }
    if let Some(node_type) = text("CacheNodeType")
        && node_type != live.node_type
    {
        differ(
            format!(
                "replication group {name} has node type {}, the template declares {node_type}; the update would resize the live group",
                live.node_type
            ),
            format!(
                "declare the node type it has: `node_type: {}` in x-aws-elasticache.redis (or `redis_node_type={}` in the env file); resize later on purpose",
                live.node_type, live.node_type
            ),
        );
    }
    if let Some(nodes) = number(props.get("NumCacheClusters"))
        && nodes != i64::from(live.nodes)
    {
        differ(
            format!(
                "replication group {name} has {} node(s), the template declares {nodes}; the update would add or remove nodes of the live group",
                live.nodes
            ),
            format!(
                "declare the count it has: `nodes: {}` in x-aws-elasticache.redis (or `redis_nodes={}` in the env file)",
                live.nodes, live.nodes
            ),
        );
    }
    let at_rest = boolean(props.get("AtRestEncryptionEnabled"));
    if at_rest != live.at_rest_encryption {
        differ(
            format!(
                "replication group {name} has encryption at rest {}, the template {}; changing it replaces the group",
                if live.at_rest_encryption { "on" } else { "off" },
                if at_rest {
                    "turns it on"
                } else {
                    "turns it off"
                }
            ),
            overlay(
                logical_id,
                "AtRestEncryptionEnabled",
                &live.at_rest_encryption.to_string(),
            ),
        );
    }
    let transit = boolean(props.get("TransitEncryptionEnabled"));
    if transit != live.transit_encryption {
        differ(
            format!(
                "replication group {name} has encryption in transit {}, the template {}; its clients would lose their connections",
                if live.transit_encryption { "on" } else { "off" },
                if transit {
                    "turns it on"
                } else {
                    "turns it off"
                }
            ),
            overlay(
                logical_id,
                "TransitEncryptionEnabled",
                &live.transit_encryption.to_string(),
            ),
        );
    }
    let port = number(props.get("Port")).unwrap_or(6379);
    if port != i64::from(live.port) {
        differ(
            format!(
                "replication group {name} listens on port {}, the template declares {port}; changing the port replaces the group",
                live.port
            ),
            overlay(logical_id, "Port", &live.port.to_string()),
        );
    }
    if text("CacheSubnetGroupName").as_deref() != Some(live.subnet_group.as_str()) {
        let declared = match props.get("CacheSubnetGroupName") {
            Some(Value::Object(o)) if o.contains_key("Ref") => format!(
                "the template puts it in {} (a new subnet group)",
                short(o.get("Ref"))
            ),
            other => format!("the template declares {}", short(other)),
        };
        differ(
            format!(
                "replication group {name} is in cache subnet group {}, {declared}; changing the subnet group replaces the group",
                live.subnet_group
            ),
            overlay(logical_id, "CacheSubnetGroupName", &live.subnet_group),
        );
    }
    let want_version = text("EngineVersion").unwrap_or_default();
    if !want_version.is_empty() && version(&want_version) < version(&live.engine_version) {
        differ(
            format!(
                "replication group {name} runs {} {}, the template declares {want_version}; ElastiCache cannot downgrade",
                live.engine, live.engine_version
            ),
            format!(
                "declare the version it runs: `engine_version: \"{}\"` in x-aws-elasticache.redis",
                live.engine_version
            ),
        );
    }

    let mut as_is = Map::new();
    as_is.insert("ReplicationGroupId".into(), json!(name));
    as_is.insert(
        "ReplicationGroupDescription".into(),
        json!(live.description),
    );
    as_is.insert("Engine".into(), json!(live.engine));
    as_is.insert("EngineVersion".into(), json!(live.engine_version));
    as_is.insert("CacheNodeType".into(), json!(live.node_type));
    as_is.insert("NumCacheClusters".into(), json!(live.nodes));
    as_is.insert("CacheSubnetGroupName".into(), json!(live.subnet_group));
    as_is.insert("SecurityGroupIds".into(), json!(live.security_groups));
    as_is.insert("Port".into(), json!(live.port));
    as_is.insert(
        "AtRestEncryptionEnabled".into(),
        json!(live.at_rest_encryption),
    );
    as_is.insert(
        "TransitEncryptionEnabled".into(),
        json!(live.transit_encryption),
    );
    as_is.insert(
        "AutomaticFailoverEnabled".into(),
        json!(live.automatic_failover),
    );
    as_is.insert("MultiAZEnabled".into(), json!(live.multi_az));
    as_is.insert(
        "SnapshotRetentionLimit".into(),
        json!(live.snapshot_retention),
    );
    let tags = user_tags(&live.tags);
    if !tags.is_empty() {
        as_is.insert("Tags".into(), Value::Array(tags));
    }

    let mut changes = Vec::new();
    if !want_version.is_empty() && version(&want_version) > version(&live.engine_version) {
        changes.push(format!(
            "engine version: {} -> {want_version} (an upgrade)",
            live.engine_version
        ));
    }
    if text("ReplicationGroupDescription").is_some_and(|d| d != live.description) {
        changes.push(format!(
            "description: {} -> {}",
            live.description,
            text("ReplicationGroupDescription").unwrap_or_default()
        ));
    }
    if boolean(props.get("AutomaticFailoverEnabled")) != live.automatic_failover {
        changes.push(format!(
            "automatic failover: {} -> {}",
            live.automatic_failover,
            boolean(props.get("AutomaticFailoverEnabled"))
        ));
    }
    if boolean(props.get("MultiAZEnabled")) != live.multi_az {
        changes.push(format!(
            "Multi-AZ: {} -> {}",
            live.multi_az,
            boolean(props.get("MultiAZEnabled"))
        ));
    }
    if let Some(days) = number(props.get("SnapshotRetentionLimit"))
        && days != i64::from(live.snapshot_retention)
    {
        changes.push(format!(
            "snapshot retention in days: {} -> {days}",
            live.snapshot_retention
        ));
    }
    if let Some(groups) = props.get("SecurityGroupIds")
        && groups != &json!(live.security_groups)
    {
        changes.push(format!(
            "security groups: {} -> {} (c2cfn's Redis group: port 6379 from the declared services only)",
            if live.security_groups.is_empty() {
                "none".to_owned()
            } else {
                live.security_groups.join(", ")
            },
            short(Some(groups))
        ));
    }
    if as_is.get("Tags") != props.get("Tags") {
        changes.push(format!(
            "tags: {} -> {}",
            short(as_is.get("Tags")),
            short(props.get("Tags"))
        ));
    }
    let adoption = Adoption {
        logical_id: logical_id.to_owned(),
        resource_type: REPLICATION_GROUP.to_owned(),
        key: "ReplicationGroupId".into(),
        name: name.to_owned(),
        as_is: resource_as_is(REPLICATION_GROUP, as_is),
        keeps: vec![format!(
            "its data ({} {} node(s) of {}{})",
            live.engine,
            live.nodes,
            live.node_type,
            live.endpoint
                .as_ref()
                .map(|e| format!(", endpoint {e}"))
                .unwrap_or_default()
        )],
        changes,
    };
    (adoption, problems, live.tags.clone())
}
