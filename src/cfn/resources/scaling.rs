//! Service auto scaling (Docker's `x-aws-autoscaling`).

use serde_json::json;

use super::service_tags;
use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::{Service, Stack};

/// `<Svc>AutoScalingRole`, `<Svc>ScalableTarget`, `<Svc>ScalingPolicy`.
pub fn emit(stack: &Stack, service: &Service, template: &mut Template) {
    let Some(s) = &service.scaling else { return };
    let base = logical_id::normalize(&service.name);
    let role = format!("{base}AutoScalingRole");
    let target = format!("{base}ScalableTarget");
    let policy = format!("{base}ScalingPolicy");
    let svc_id = logical_id::service(&service.name);
    template.add(
        role.clone(),
        Resource::new(
            "AWS::IAM::Role",
            json!({
                "AssumeRolePolicyDocument": super::iam::assume_role("application-autoscaling.amazonaws.com"),
                "Path": "/",
                "Policies": [{
                    "PolicyDocument": {
                        "Statement": [{
                            "Action": ["application-autoscaling:*", "ecs:DescribeServices", "ecs:UpdateService", "cloudwatch:GetMetricStatistics"],
                            "Effect": "Allow",
                            "Resource": [intrinsic::reference(&svc_id)]
                        }]
                    },
                    "PolicyName": "service-autoscaling"
                }],
                "Tags": service_tags(stack, &service.name),
            }),
        ),
    );
    template.add(
        target.clone(),
        Resource::new(
            "AWS::ApplicationAutoScaling::ScalableTarget",
            json!({
                "MaxCapacity": s.max,
                "MinCapacity": s.min,
                "ResourceId": intrinsic::join("/", vec![json!("service"), super::ecs::cluster_name(stack), intrinsic::get_att(&svc_id, "Name")]),
                "RoleARN": intrinsic::get_att(&role, "Arn"),
                "ScalableDimension": "ecs:service:DesiredCount",
                "ServiceNamespace": "ecs",
            }),
        )
        .depends_on([svc_id]),
    );
    let (metric, value) = match (s.cpu, s.memory) {
        (_, Some(m)) => ("ECSServiceAverageMemoryUtilization", m),
        (Some(c), None) => ("ECSServiceAverageCPUUtilization", c),
        (None, None) => ("ECSServiceAverageCPUUtilization", 75),
    };
    template.add(
        policy.clone(),
        target_tracking_policy(&policy, &target, metric, value, (60, 60)),
    );
}

/// A target-tracking `ScalingPolicy` named `name` on a predefined `metric`
/// of the scalable target `target`, with (scale-in, scale-out) cooldowns in
/// seconds. Shared by service and table auto scaling.
#[must_use]
pub fn target_tracking_policy(
    name: &str,
    target: &str,
    metric: &str,
    value: u32,
    (scale_in, scale_out): (u32, u32),
) -> Resource {
    Resource::new(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        json!({
            "PolicyName": name,
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": intrinsic::reference(target),
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                "ScaleInCooldown": scale_in,
                "ScaleOutCooldown": scale_out,
                "TargetValue": value,
            }
        }),
    )
}
