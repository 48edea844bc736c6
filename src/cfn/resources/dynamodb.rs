//! DynamoDB tables and their read/write auto scaling.

use serde_json::{Value, json};

use super::project_tags;
use crate::cfn::{Resource, Template, intrinsic, logical_id, names};
use crate::model::{Stack, Table};

/// `<Name>Table`.
#[must_use]
pub fn table_id(name: &str) -> String {
    format!("{}Table", logical_id::normalize(name))
}

/// Every table (kept on delete and on replacement: player data), with a
/// scalable target and a target-tracking policy for reads and for writes.
pub fn emit(stack: &Stack, template: &mut Template) {
    for t in &stack.tables {
        let id = table_id(&t.name);
        template.add(id.clone(), table(stack, t).retain("Retain"));
        let Some(s) = &t.scaling else { continue };
        for (dimension, metric) in [
            ("Read", "DynamoDBReadCapacityUtilization"),
            ("Write", "DynamoDBWriteCapacityUtilization"),
        ] {
            let target = format!("{id}{dimension}ScalableTarget");
            template.add(
                target.clone(),
                Resource::new(
                    "AWS::ApplicationAutoScaling::ScalableTarget",
                    json!({
                        "MaxCapacity": s.max,
                        "MinCapacity": s.min,
                        "ResourceId": intrinsic::sub(&format!("table/${{{id}}}")),
                        "ScalableDimension": format!("dynamodb:table:{dimension}CapacityUnits"),
                        "ServiceNamespace": "dynamodb",
                    }),
                ),
            );
            let policy = format!("{id}{dimension}ScalingPolicy");
            template.add(
                policy.clone(),
                super::scaling::target_tracking_policy(
                    &policy,
                    &target,
                    metric,
                    s.target,
                    (s.scale_in_cooldown, s.scale_out_cooldown),
                ),
            );
        }
    }
}

fn table(stack: &Stack, t: &Table) -> Resource {
    let mut attributes = vec![json!({"AttributeName": t.hash.0, "AttributeType": t.hash.1})];
    let mut keys = vec![json!({"AttributeName": t.hash.0, "KeyType": "HASH"})];
    if let Some((name, kind)) = &t.range {
        attributes.push(json!({"AttributeName": name, "AttributeType": kind}));
        keys.push(json!({"AttributeName": name, "KeyType": "RANGE"}));
    }
    let mut props = json!({
        "AttributeDefinitions": attributes,
        "KeySchema": keys,
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": t.pitr},
        "TableName": names::table_name(&stack.project, t),
        "Tags": project_tags(stack),
    });
    if t.scaling.is_some() {
        props["BillingMode"] = Value::from("PROVISIONED");
        props["ProvisionedThroughput"] =
            json!({"ReadCapacityUnits": t.read, "WriteCapacityUnits": t.write});
    } else {
        props["BillingMode"] = Value::from("PAY_PER_REQUEST");
    }
    if let Some(attr) = &t.ttl {
        props["TimeToLiveSpecification"] = json!({"AttributeName": attr, "Enabled": true});
    }
    Resource::new("AWS::DynamoDB::Table", props)
}
