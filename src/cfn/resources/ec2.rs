//! Security groups: one per compose network, self ingress, published ports.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{NETWORK_TAG, PROJECT_TAG, vpc};
use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::Stack;

/// The security group of a network as a template value.
#[must_use]
pub fn group(stack: &Stack, network: &str) -> Value {
    match stack
        .networks
        .iter()
        .find(|n| n.name == network)
        .and_then(|n| n.existing.clone())
    {
        Some(id) => Value::from(id),
        None => intrinsic::reference(&logical_id::network(network)),
    }
}

/// `<Net>Network`, `<Net>NetworkIngress` and `<Net><port>Ingress`.
pub fn emit(stack: &Stack, template: &mut Template) {
    for net in &stack.networks {
        if net.existing.is_some() {
            continue;
        }
        let id = logical_id::network(&net.name);
        template.add(
            id.clone(),
            Resource::new(
                "AWS::EC2::SecurityGroup",
                json!({
                    "GroupDescription": format!("{} Security Group for {} network", stack.project, net.name),
                    "Tags": intrinsic::tags(&[(PROJECT_TAG, &stack.project), (NETWORK_TAG, &net.full_name)]),
                    "VpcId": vpc(stack),
                }),
            ),
        );
        template.add(
            logical_id::network_ingress(&net.name),
            Resource::new(
                "AWS::EC2::SecurityGroupIngress",
                json!({
                    "Description": format!("Allow communication within network {}", net.name),
                    "GroupId": intrinsic::reference(&id),
                    "IpProtocol": "-1",
                    "SourceSecurityGroupId": intrinsic::reference(&id),
                }),
            ),
        );
    }
    // Docker named the rule after the network and container port only, so
    // two services publishing one container port share the rule, and a port
    // published as TCP and UDP would lose one of them: the second protocol
    // gets `<Net><port><PROTO>Ingress`.
    let mut opened: BTreeSet<(&str, u16, String)> = BTreeSet::new();
    let mut named: BTreeSet<(&str, u16)> = BTreeSet::new();
    for service in &stack.services {
        for listener in &service.listeners {
            for net in &service.networks {
                let protocol = listener.compose_protocol.to_ascii_uppercase();
                if !opened.insert((net, listener.target, protocol.clone())) {
                    continue;
                }
                let id = if named.insert((net, listener.target)) {
                    logical_id::port_ingress(net, listener.target)
                } else {
                    format!(
                        "{}{}{protocol}Ingress",
                        logical_id::normalize(net),
                        listener.target
                    )
                };
                // Traffic from the load balancer reaches the container port.
                template.add(
                    id,
                    Resource::new(
                        "AWS::EC2::SecurityGroupIngress",
                        json!({
                            "CidrIp": "0.0.0.0/0",
                            "Description": format!("{}:{}/{} on {} network", service.name, listener.target, listener.compose_protocol, net),
                            "FromPort": listener.target,
                            "GroupId": group(stack, net),
                            "IpProtocol": if protocol.is_empty() { "-1".to_owned() } else { protocol },
                            "ToPort": listener.target,
                        }),
                    ),
                );
            }
        }
    }
}
