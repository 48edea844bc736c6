//! Security groups: one per compose network, self ingress, published ports.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{NETWORK_TAG, PROJECT_TAG, vpc};
use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::{Listener, LoadBalancerKind, Service, SshAccess, Stack};

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
                let (port, source) = listener_ingress(stack, listener);
                let protocol = listener.compose_protocol.to_ascii_uppercase();
                if !opened.insert((net, port, protocol.clone())) {
                    continue;
                }
                let id = if named.insert((net, port)) {
                    logical_id::port_ingress(net, port)
                } else {
                    format!("{}{port}{protocol}Ingress", logical_id::normalize(net))
                };
                let mut props = json!({
                    "Description": format!("{}:{}/{} on {} network", service.name, port, listener.compose_protocol, net),
                    "FromPort": port,
                    "GroupId": group(stack, net),
                    "IpProtocol": if protocol.is_empty() { "-1".to_owned() } else { protocol },
                    "ToPort": port,
                });
                props[source.0] = source.1;
                // Traffic from the load balancer reaches the container port.
                template.add(id, Resource::new("AWS::EC2::SecurityGroupIngress", props));
            }
        }
        if let Some(ssh) = &service.ssh {
            template.add(
                ssh_group_id(&service.name),
                ssh_group(stack, &service.name, ssh),
            );
        }
    }
}

/// The port a network's ingress rule opens for a listener, and from where.
/// - A network load balancer with its own group: the container port, from
///   that group only (TLS it terminates cannot be bypassed).
/// - An application load balancer c2cfn creates: it shares the networks'
///   groups, whose self rule already lets it reach the container port, so
///   only the listener port is open to the world (for Docker's inputs,
///   where the two are equal, this is Docker's rule).
/// - Otherwise (a network load balancer without a group, which keeps the
///   client's address for UDP, or an existing load balancer): Docker's rule,
///   the container port from anywhere.
fn listener_ingress(stack: &Stack, listener: &Listener) -> (u16, (&'static str, Value)) {
    let lb = stack.load_balancer.as_ref();
    match lb {
        Some(lb) if lb.existing.is_none() && lb.security_group => (
            listener.target,
            (
                "SourceSecurityGroupId",
                intrinsic::reference(super::elb::SECURITY_GROUP),
            ),
        ),
        Some(lb) if lb.existing.is_none() && lb.kind == LoadBalancerKind::Application => {
            (listener.public_port, ("CidrIp", Value::from("0.0.0.0/0")))
        }
        _ => (listener.target, ("CidrIp", Value::from("0.0.0.0/0"))),
    }
}

/// `<Svc>SshSecurityGroup`.
#[must_use]
pub fn ssh_group_id(service: &str) -> String {
    format!("{}SshSecurityGroup", logical_id::normalize(service))
}

/// The extra security groups a service joins for `x-aws-ssh`.
#[must_use]
pub fn ssh_groups(service: &Service) -> Vec<Value> {
    service
        .ssh
        .iter()
        .map(|_| intrinsic::reference(&ssh_group_id(&service.name)))
        .collect()
}

fn ssh_group(stack: &Stack, service: &str, ssh: &SshAccess) -> Resource {
    let ingress: Vec<Value> = ssh
        .cidrs
        .iter()
        .map(|cidr| {
            let key = if cidr.contains(':') {
                "CidrIpv6"
            } else {
                "CidrIp"
            };
            json!({
                key: cidr,
                "Description": format!("SSH to {service} (x-aws-ssh)"),
                "FromPort": ssh.port,
                "IpProtocol": "tcp",
                "ToPort": ssh.port,
            })
        })
        .collect();
    Resource::new(
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": format!("{} service {}: SSH port {} (x-aws-ssh)", stack.project, service, ssh.port),
            "SecurityGroupIngress": ingress,
            "Tags": super::service_tags(stack, service),
            "VpcId": vpc(stack),
        }),
    )
}
