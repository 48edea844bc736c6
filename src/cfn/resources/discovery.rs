//! Cloud Map: one private namespace `<project>.local`, one entry per service.

use serde_json::json;

use super::vpc;
use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::Stack;

/// `CloudMap` and `<Service>ServiceDiscoveryEntry`.
pub fn emit(stack: &Stack, template: &mut Template) {
    template.add(
        "CloudMap",
        Resource::new(
            "AWS::ServiceDiscovery::PrivateDnsNamespace",
            json!({
                "Description": format!("Service Map for Docker Compose project {}", stack.project),
                "Name": format!("{}.local", stack.project),
                "Vpc": vpc(stack),
            }),
        ),
    );
    for service in &stack.services {
        template.add(
            logical_id::discovery_entry(&service.name),
            Resource::new(
                "AWS::ServiceDiscovery::Service",
                json!({
                    "Description": format!("\"{}\" service discovery entry in Cloud Map", service.name),
                    "DnsConfig": {
                        "DnsRecords": [{"TTL": 60, "Type": "A"}],
                        "RoutingPolicy": "MULTIVALUE"
                    },
                    "HealthCheckCustomConfig": {"FailureThreshold": 1},
                    "Name": service.name,
                    "NamespaceId": intrinsic::reference("CloudMap"),
                }),
            ),
        );
    }
}
