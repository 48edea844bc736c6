//! The model → the template: parameters, conditions, every resource family
//! and the outputs users read after a deploy.

use serde_json::json;

use super::resources::{self, SUBNET1_PARAMETER, SUBNET2_PARAMETER, VPC_PARAMETER};
use super::{Template, intrinsic};
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
    resources::ec2::emit(stack, &mut t);
    resources::logs::emit(stack, &mut t);
    resources::discovery::emit(stack, &mut t);
    resources::secrets::emit(stack, &mut t);
    resources::efs::emit(stack, &mut t);
    resources::elb::emit(stack, &mut t);
    for service in &stack.services {
        let mut extra = resources::elasticache::client_groups(stack, &service.name);
        extra.extend(resources::ec2::ssh_groups(service));
        resources::iam::emit(stack, service, &mut t);
        resources::ecs::emit_service(stack, service, &extra, &mut t);
        resources::scaling::emit(stack, service, &mut t);
    }
    resources::dynamodb::emit(stack, &mut t);
    resources::elasticache::emit(stack, &mut t);
    resources::route53::emit(stack, &mut t);
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
            json!({"Description": "Public DNS name of the load balancer", "Value": intrinsic::get_att("LoadBalancer", "DNSName")}),
        );
    }
    for r in &stack.records {
        let id = format!(
            "{}Url",
            super::logical_id::normalize(r.name.trim_end_matches('.'))
        );
        t.outputs.insert(id, json!({"Description": format!("DNS name of service {}", r.service), "Value": r.name.trim_end_matches('.')}));
    }
    if stack.cache.is_some() {
        t.outputs.insert(
            "RedisEndpoint".into(),
            json!({"Description": "Redis primary endpoint", "Value": intrinsic::get_att(crate::lower::game::REDIS_ID, "PrimaryEndPoint.Address")}),
        );
    }
    for (k, v) in &stack.outputs {
        t.outputs.insert(k.clone(), v.clone());
    }
}
