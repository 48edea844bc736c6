//! docs/conversion.md and the conversion table cover every service key of
//! the official Compose schema.

use crate::support::{root, shared};

#[test]
fn every_compose_service_key_is_classified_and_documented() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("compose-spec/compose-spec.json"))
            .expect("compose schema in ../shared"),
    )
    .unwrap();
    let keys: Vec<&String> = schema["definitions"]["service"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert!(keys.len() > 80);
    let doc = std::fs::read_to_string(root().join("docs/conversion.md")).unwrap();
    let mut missing = Vec::new();
    for key in keys {
        if c2cfn::lower::keys::support(key).is_none() {
            missing.push(format!("{key} (conversion table)"));
        }
        if !doc.contains(&format!("| `{key}` |")) {
            missing.push(format!("{key} (docs/conversion.md)"));
        }
    }
    assert!(missing.is_empty(), "unclassified compose keys: {missing:?}");
    for ext in [
        "x-aws-cluster",
        "x-aws-vpc",
        "x-aws-securitygroup",
        "x-aws-loadbalancer",
        "x-aws-protocol",
        "x-aws-pull_credentials",
        "x-aws-keys",
        "x-aws-min_percent",
        "x-aws-max_percent",
        "x-aws-logs_retention",
        "x-aws-role",
        "x-aws-policies",
        "x-aws-autoscaling",
        "x-aws-cloudformation",
        "x-aws-dynamodb",
        "x-aws-elasticache",
        "x-aws-route53",
        "x-aws-tls",
        "x-aws-exec",
    ] {
        assert!(
            doc.contains(&format!("`{ext}`")),
            "{ext} missing from docs/conversion.md"
        );
    }
}
