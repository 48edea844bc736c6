//! The Redis replication group, its subnet group and security groups.

use serde_json::{Value, json};

use super::{project_tags, subnet_values, vpc};
use crate::cfn::names::REDIS_ID;
use crate::cfn::{Resource, Template, intrinsic, names};
use crate::model::Stack;

/// Security group attached to the services allowed to reach Redis.
pub const CLIENT_GROUP: &str = "RedisClientSecurityGroup";
const SERVER_GROUP: &str = "RedisSecurityGroup";
const SUBNET_GROUP: &str = "RedisSubnetGroup";

/// The extra security groups a service joins (Redis clients).
#[must_use]
pub fn client_groups(stack: &Stack, service: &str) -> Vec<Value> {
    match &stack.cache {
        Some(c) if c.services.iter().any(|s| s == service) => {
            vec![intrinsic::reference(CLIENT_GROUP)]
        }
        _ => Vec::new(),
    }
}

/// `Redis`, `RedisSubnetGroup`, `RedisSecurityGroup`, `RedisClientSecurityGroup`.
pub fn emit(stack: &Stack, template: &mut Template) {
    let Some(cache) = &stack.cache else { return };
    template.add(
        SUBNET_GROUP,
        Resource::new(
            "AWS::ElastiCache::SubnetGroup",
            json!({"Description": format!("{} Redis subnets", stack.project), "SubnetIds": subnet_values(stack)}),
        ),
    );
    template.add(
        CLIENT_GROUP,
        Resource::new(
            "AWS::EC2::SecurityGroup",
            json!({
                "GroupDescription": format!("{} services allowed to reach Redis", stack.project),
                "Tags": project_tags(stack),
                "VpcId": vpc(stack),
            }),
        ),
    );
    template.add(
        SERVER_GROUP,
        Resource::new(
            "AWS::EC2::SecurityGroup",
            json!({
                "GroupDescription": format!("{} Redis: port 6379 from its clients only", stack.project),
                "SecurityGroupIngress": [{
                    "Description": format!("Redis from {}", cache.services.join(", ")),
                    "FromPort": 6379,
                    "IpProtocol": "tcp",
                    "SourceSecurityGroupId": intrinsic::reference(CLIENT_GROUP),
                    "ToPort": 6379
                }],
                "Tags": project_tags(stack),
                "VpcId": vpc(stack),
            }),
        ),
    );
    let multi_az = cache.nodes >= 2;
    template.add(
        REDIS_ID,
        Resource::new(
            "AWS::ElastiCache::ReplicationGroup",
            json!({
                "AtRestEncryptionEnabled": true,
                "AutomaticFailoverEnabled": multi_az,
                "CacheNodeType": cache.node_type,
                "CacheSubnetGroupName": intrinsic::reference(SUBNET_GROUP),
                "Engine": "redis",
                "EngineVersion": cache.engine_version,
                "MultiAZEnabled": multi_az,
                "NumCacheClusters": cache.nodes,
                "Port": 6379,
                "ReplicationGroupDescription": format!("{} Redis", stack.project),
                "ReplicationGroupId": names::redis_id(&stack.project, cache),
                "SecurityGroupIds": [intrinsic::reference(SERVER_GROUP)],
                "SnapshotRetentionLimit": cache.snapshot_retention,
                "Tags": project_tags(stack),
            }),
        )
        .retain("Snapshot"),
    );
}
