//! The model → the template: parameters, conditions, every resource family
//! and the outputs users read after a deploy.

use serde_json::json;

use super::resources::{self, SUBNET1_PARAMETER, SUBNET2_PARAMETER, VPC_PARAMETER};
use super::{Template, intrinsic, logical_id, source};
use crate::cfn::logical_id::image_parameter;
use crate::model::{Placement, Stack};

/// Builds the template for a stack (the overlay is applied by the caller
/// on the rendered value).
#[must_use]
pub fn emit(stack: &Stack) -> Template {
    let mut t = Template {
        description: Some(format!(
            "ECS on Fargate for compose project {} (rendered by c2cfn)",
            stack.project
        )),
        ..Template::default()
    };
    if stack.vpc == Placement::Parameter {
        t.parameters.insert(
            VPC_PARAMETER.into(),
            json!({"Description": "VPC to deploy into (c2cfn up: the default VPC unless x-aws-vpc pins one)", "Type": "AWS::EC2::VPC::Id"}),
        );
    }
    if stack.subnets == Placement::Parameter {
        for (name, n) in [(SUBNET1_PARAMETER, 1), (SUBNET2_PARAMETER, 2)] {
            t.parameters.insert(
                name.into(),
                json!({"Description": format!("Subnet {n} of the VPC, in its own availability zone (c2cfn up looks it up)"), "Type": "AWS::EC2::Subnet::Id"}),
            );
        }
    }
    for service in stack.services.iter().filter(|s| s.built) {
        t.parameters.insert(
            image_parameter(&service.name),
            json!({
                "Description": format!("Image of service {} (c2cfn up builds it, pushes it to ECR and pins its digest)", service.name),
                "Type": "String"
            }),
        );
    }
    if !stack.services.is_empty() {
        t.conditions.insert(
            resources::ecs::US_EAST_1.into(),
            json!({"Fn::Equals": [intrinsic::reference("AWS::Region"), "us-east-1"]}),
        );
    }
    resources::ecs::emit_cluster(stack, &mut t);
    let before = source::seen(&t);
    resources::ec2::emit(stack, &mut t);
    let networks: Vec<_> = stack
        .networks
        .iter()
        .map(|n| (logical_id::normalize(&n.name), "network", n.name.clone()))
        .collect();
    source::claim_by_prefix(&mut t, &before, &networks);
    resources::logs::emit(stack, &mut t);
    let before = source::seen(&t);
    resources::discovery::emit(stack, &mut t);
    source::claim_by_prefix(&mut t, &before, &source::services(stack));
    let before = source::seen(&t);
    resources::secrets::emit(stack, &mut t);
    let secrets: Vec<_> = stack
        .secrets
        .iter()
        .map(|s| (logical_id::secret(&s.full_name), "secret", s.name.clone()))
        .collect();
    source::claim_by_prefix(&mut t, &before, &secrets);
    let before = source::seen(&t);
    resources::efs::emit(stack, &mut t);
    let volumes: Vec<_> = stack
        .file_systems
        .iter()
        .map(|f| (logical_id::normalize(&f.name), "volume", f.name.clone()))
        .collect();
    source::claim_by_prefix(&mut t, &before, &volumes);
    let before = source::seen(&t);
    resources::elb::emit(stack, &mut t);
    source::claim_by_prefix(&mut t, &before, &source::services(stack));
    for service in &stack.services {
        let before = source::seen(&t);
        let mut extra = resources::elasticache::client_groups(stack, &service.name);
        extra.extend(resources::ec2::ssh_groups(service));
        resources::iam::emit(stack, service, &mut t);
        resources::ecs::emit_service(stack, service, &extra, &mut t);
        resources::scaling::emit(stack, service, &mut t);
        source::claim_all(&mut t, &before, "service", &service.name);
    }
    let before = source::seen(&t);
    resources::dynamodb::emit(stack, &mut t);
    let tables: Vec<_> = stack
        .tables
        .iter()
        .map(|d| {
            (
                resources::dynamodb::table_id(&d.name),
                "x-aws-dynamodb",
                d.name.clone(),
            )
        })
        .collect();
    source::claim_by_prefix(&mut t, &before, &tables);
    let before = source::seen(&t);
    resources::elasticache::emit(stack, &mut t);
    source::claim_all(&mut t, &before, "x-aws-elasticache", "redis");
    let before = source::seen(&t);
    resources::route53::emit(stack, &mut t);
    let records: Vec<_> = stack
        .records
        .iter()
        .map(|r| {
            let name = r.name.trim_end_matches('.');
            (
                logical_id::normalize(name),
                "x-aws-route53",
                name.to_owned(),
            )
        })
        .collect();
    source::claim_by_prefix(&mut t, &before, &records);
    outputs(stack, &mut t);
    t
}

fn outputs(stack: &Stack, t: &mut Template) {
    if stack
        .load_balancer
        .as_ref()
        .is_some_and(|lb| lb.existing.is_none())
    {
        t.outputs.insert(
            "LoadBalancerDNS".into(),
            json!({"Description": "Public DNS name of the load balancer", "Value": intrinsic::get_att(logical_id::LOAD_BALANCER, "DNSName")}),
        );
    }
    for r in &stack.records {
        let host = r.name.trim_end_matches('.');
        let id = format!("{}Url", super::logical_id::normalize(host));
        let mut listeners: Vec<(u16, &str)> = stack
            .services
            .iter()
            .filter(|s| s.name == r.service)
            .flat_map(|s| &s.listeners)
            .map(|l| (l.public_port, l.protocol.as_str()))
            .collect();
        listeners.sort_unstable();
        if listeners.is_empty() {
            t.outputs.insert(
                id,
                json!({"Description": format!("DNS name of service {}", r.service), "Value": host}),
            );
            continue;
        }
        // The first listener's URL under `<Name>Url`, the others under
        // `<Name>Url<port>`: each with its scheme and port.
        for (i, (port, protocol)) in listeners.into_iter().enumerate() {
            let scheme = match protocol {
                "HTTPS" | "TLS" => "https",
                "HTTP" => "http",
                other => &other.to_ascii_lowercase(),
            };
            let key = if i == 0 {
                id.clone()
            } else {
                format!("{id}{port}")
            };
            t.outputs.insert(
                key,
                json!({
                    "Description": format!("URL of service {} (listener {port}/{protocol})", r.service),
                    "Value": format!("{scheme}://{host}:{port}"),
                }),
            );
        }
    }
    if stack.cache.is_some() {
        t.outputs.insert(
            "RedisEndpoint".into(),
            json!({"Description": "Redis primary endpoint", "Value": intrinsic::get_att(super::names::REDIS_ID, "PrimaryEndPoint.Address")}),
        );
    }
}
