//! CloudFormation's hard limits, checked before anything is written or sent.

use serde_json::Value;

use super::logical_id;
use crate::diagnostic::Diagnostic;

/// Resources per template.
pub const MAX_RESOURCES: usize = 500;
/// Template body size for S3-hosted templates.
pub const MAX_BODY_BYTES: usize = 1_000_000;
/// Inline template body (larger ones go through S3 at deploy time).
pub const MAX_INLINE_BYTES: usize = 51_200;
/// Parameters per template.
pub const MAX_PARAMETERS: usize = 200;
/// Outputs per template.
pub const MAX_OUTPUTS: usize = 200;

/// Name properties with a length limit: (resource type, property, maximum).
/// Only literal strings are checked; intrinsics resolve at deploy time.
const NAME_LIMITS: &[(&str, &str, usize)] = &[
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name", 32),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name", 32),
    ("AWS::ECS::Cluster", "ClusterName", 255),
    ("AWS::ECS::Service", "ServiceName", 255),
    ("AWS::ECS::TaskDefinition", "Family", 255),
    ("AWS::IAM::Role", "RoleName", 64),
    ("AWS::DynamoDB::Table", "TableName", 255),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "ReplicationGroupId",
        40,
    ),
    ("AWS::Logs::LogGroup", "LogGroupName", 512),
    ("AWS::EC2::SecurityGroup", "GroupName", 255),
    ("AWS::EC2::SecurityGroup", "GroupDescription", 255),
    ("AWS::SecretsManager::Secret", "Name", 512),
    ("AWS::ServiceDiscovery::Service", "Name", 127),
];

fn check_names(resources: &serde_json::Map<String, Value>, problems: &mut Vec<Diagnostic>) {
    for (id, resource) in resources {
        let kind = resource
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for (limited, property, max) in NAME_LIMITS {
            if *limited != kind {
                continue;
            }
            let Some(name) = resource
                .pointer(&format!("/Properties/{property}"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let len = name.chars().count();
            if len > *max {
                problems.push(
                    Diagnostic::error(format!(
                        "{property} of `{id}` is {len} characters, {kind} allows {max}: `{name}`"
                    ))
                    .help("shorten the compose name it comes from (project, app_cluster, service or volume), or the value set by the x-aws-cloudformation overlay"),
                );
            }
        }
    }
}

/// Checks a rendered template value and its text; returns every violation.
#[must_use]
pub fn check(template: &Value, text: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let count = |section: &str| {
        template
            .get(section)
            .and_then(Value::as_object)
            .map_or(0, serde_json::Map::len)
    };
    let resources = count("Resources");
    if resources > MAX_RESOURCES {
        problems.push(
            Diagnostic::error(format!(
                "the template has {resources} resources, CloudFormation allows {MAX_RESOURCES}"
            ))
            .help("split the project into several stacks (several compose projects), or remove resources with the x-aws-cloudformation overlay"),
        );
    }
    for (section, max) in [("Parameters", MAX_PARAMETERS), ("Outputs", MAX_OUTPUTS)] {
        let n = count(section);
        if n > max {
            problems.push(Diagnostic::error(format!(
                "the template has {n} {section}, CloudFormation allows {max}"
            )));
        }
    }
    if text.len() > MAX_BODY_BYTES {
        problems.push(
            Diagnostic::error(format!(
                "the template is {} bytes, CloudFormation accepts at most {MAX_BODY_BYTES} bytes",
                text.len()
            ))
            .help("render as JSON (--format json) is not smaller; split the project into several stacks"),
        );
    }
    for section in ["Resources", "Parameters", "Outputs", "Conditions"] {
        if let Some(map) = template.get(section).and_then(Value::as_object) {
            for id in map.keys() {
                if !logical_id::is_valid(id) {
                    problems.push(
                        Diagnostic::error(format!(
                            "`{id}` in {section} is not a valid logical ID"
                        ))
                        .help("logical IDs are 1 to 255 letters and digits; rename the compose service, network or volume it comes from, or fix the x-aws-cloudformation overlay"),
                    );
                }
            }
        }
    }
    if let Some(map) = template.get("Resources").and_then(Value::as_object) {
        check_names(map, &mut problems);
        for (id, resource) in map {
            if resource.get("Type").and_then(Value::as_str).is_none() {
                problems.push(
                    Diagnostic::error(format!("resource `{id}` has no Type")).help(
                        "an x-aws-cloudformation overlay that adds a resource must give its Type",
                    ),
                );
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_over_their_limit_are_errors() {
        let t = json!({"Resources": {
            "AppTG": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Name": "x".repeat(33)}},
            "Ok": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Name": "x".repeat(32)}},
            "Redis": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {"ReplicationGroupId": {"Ref": "X"}}},
        }});
        let problems = check(&t, "");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .message
                .starts_with("Name of `AppTG` is 33 characters")
        );
    }

    #[test]
    fn resource_count_and_logical_ids() {
        let mut resources = serde_json::Map::new();
        for i in 0..=MAX_RESOURCES {
            resources.insert(format!("R{i}"), json!({"Type": "AWS::SNS::Topic"}));
        }
        resources.insert("Bad-Id".into(), json!({"Type": "AWS::SNS::Topic"}));
        resources.insert("NoType".into(), json!({}));
        let problems = check(&json!({"Resources": resources}), "");
        let messages: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains("503 resources")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("`Bad-Id` in Resources")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("`NoType` has no Type")),
            "{messages:?}"
        );
        assert!(
            check(&json!({}), &"x".repeat(MAX_BODY_BYTES + 1))
                .iter()
                .any(|d| d.message.contains("bytes"))
        );
    }
}
