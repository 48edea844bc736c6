//! The load balancer, and a listener and target group per published port.

use serde_json::{Map, Value, json};

use super::{project_tags, subnet_values, vpc};
use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::{LoadBalancerKind, Stack};

/// The network load balancer's own security group (`security_group`).
pub const SECURITY_GROUP: &str = "LoadBalancerSecurityGroup";

/// `LoadBalancer` (unless `x-aws-loadbalancer`), `<Svc><PROTO><port>Listener`
/// and `<Svc><PROTO><port>TargetGroup`.
pub fn emit(stack: &Stack, template: &mut Template) {
    let Some(lb) = &stack.load_balancer else {
        return;
    };
    let lb_arn = if let Some(arn) = &lb.existing {
        Value::from(arn.clone())
    } else {
        let mut props = Map::new();
        props.insert("Scheme".into(), Value::from("internet-facing"));
        props.insert("Subnets".into(), Value::Array(subnet_values(stack)));
        props.insert("Tags".into(), project_tags(stack));
        match lb.kind {
            LoadBalancerKind::Application => {
                let groups: Vec<Value> = stack
                    .networks
                    .iter()
                    .filter(|n| !n.internal)
                    .map(|n| super::ec2::group(stack, &n.name))
                    .collect();
                props.insert("SecurityGroups".into(), Value::Array(groups));
                props.insert("Type".into(), Value::from("application"));
            }
            LoadBalancerKind::Network => {
                props.insert(
                    "LoadBalancerAttributes".into(),
                    json!([{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}]),
                );
                if lb.security_group {
                    props.insert(
                        "SecurityGroups".into(),
                        json!([intrinsic::reference(SECURITY_GROUP)]),
                    );
                    template.add(SECURITY_GROUP, security_group(stack));
                }
                props.insert("Type".into(), Value::from("network"));
            }
        }
        template.add(
            logical_id::LOAD_BALANCER,
            Resource::new(
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                Value::Object(props),
            ),
        );
        intrinsic::reference(logical_id::LOAD_BALANCER)
    };
    for service in &stack.services {
        for l in &service.listeners {
            let tg = logical_id::target_group(&service.name, &l.id_protocol, l.published);
            template.add(
                tg.clone(),
                Resource::new(
                    "AWS::ElasticLoadBalancingV2::TargetGroup",
                    json!({
                        "Port": l.target,
                        "Protocol": l.target_protocol,
                        "Tags": project_tags(stack),
                        "TargetType": "ip",
                        "VpcId": vpc(stack),
                    }),
                ),
            );
            let mut props = Map::new();
            props.insert(
                "DefaultActions".into(),
                json!([{
                    "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": intrinsic::reference(&tg)}]},
                    "Type": "forward"
                }]),
            );
            props.insert("LoadBalancerArn".into(), lb_arn.clone());
            props.insert("Port".into(), Value::from(l.public_port));
            props.insert("Protocol".into(), Value::from(l.protocol.clone()));
            if let Some(cert) = &l.certificate {
                props.insert("Certificates".into(), json!([{"CertificateArn": cert}]));
            }
            if let Some(policy) = &l.ssl_policy {
                props.insert("SslPolicy".into(), Value::from(policy.clone()));
            }
            template.add(
                logical_id::listener(&service.name, &l.id_protocol, l.target),
                Resource::new(
                    "AWS::ElasticLoadBalancingV2::Listener",
                    Value::Object(props),
                ),
            );
        }
    }
}

/// `LoadBalancerSecurityGroup`: every listener port, from anywhere (IPv4 and
/// IPv6, so a dual-stack overlay keeps working); the container ports admit
/// only this group (`ec2.rs`).
fn security_group(stack: &Stack) -> Resource {
    let mut ingress = Vec::new();
    for service in &stack.services {
        for l in &service.listeners {
            let protocol = if l.compose_protocol.eq_ignore_ascii_case("udp") {
                "udp"
            } else {
                "tcp"
            };
            for (key, range) in [("CidrIp", "0.0.0.0/0"), ("CidrIpv6", "::/0")] {
                ingress.push(json!({
                    key: range,
                    "Description": format!("{} listener {}/{protocol}", service.name, l.public_port),
                    "FromPort": l.public_port,
                    "IpProtocol": protocol,
                    "ToPort": l.public_port,
                }));
            }
        }
    }
    Resource::new(
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": format!("{} load balancer: its listener ports, from anywhere", stack.project),
            "SecurityGroupIngress": ingress,
            "Tags": project_tags(stack),
            "VpcId": vpc(stack),
        }),
    )
}
