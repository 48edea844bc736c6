//! Task execution roles and task roles.

use serde_json::{Value, json};

use super::service_tags;
use crate::cfn::{Resource, Template, logical_id};
use crate::model::{Service, Stack};

const EXECUTION_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const ECR_READ_ONLY: &str = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly";

/// An assume-role document for an AWS service principal (Docker's shape,
/// without its empty `Condition`, which said nothing).
#[must_use]
pub fn assume_role(principal: &str) -> Value {
    json!({
        "Statement": [{
            "Action": ["sts:AssumeRole"],
            "Effect": "Allow",
            "Principal": {"Service": principal}
        }],
        "Version": "2012-10-17"
    })
}

/// The statement ECS Exec needs on the task role.
#[must_use]
pub fn exec_policy() -> Value {
    json!({
        "Statement": [{
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel"
            ],
            "Effect": "Allow",
            "Resource": "*"
        }],
        "Version": "2012-10-17"
    })
}

/// Does the service get a task role? (Docker: only with policies; c2cfn:
/// also for ECS Exec, EFS and game-backend grants.)
#[must_use]
pub fn has_task_role(service: &Service) -> bool {
    service.exec
        || !service.role_policies.is_empty()
        || !service.managed_policies.is_empty()
        || !service.volume_names.is_empty()
}

/// `<Svc>TaskExecutionRole` and, when needed, `<Svc>TaskRole`.
pub fn emit(stack: &Stack, service: &Service, template: &mut Template) {
    let mut execution = json!({
        "AssumeRolePolicyDocument": assume_role("ecs-tasks.amazonaws.com"),
        "ManagedPolicyArns": [EXECUTION_POLICY, ECR_READ_ONLY],
        "Tags": service_tags(stack, &service.name),
    });
    if !service.secret_arns.is_empty() {
        execution["Policies"] = json!([{
            "PolicyDocument": {
                "Statement": [{
                    "Action": ["secretsmanager:GetSecretValue", "ssm:GetParameters", "kms:Decrypt"],
                    "Effect": "Allow",
                    "Resource": service.secret_arns
                }]
            },
            "PolicyName": format!("{}GrantAccessToSecrets", service.name)
        }]);
    }
    template.add(
        logical_id::execution_role(&service.name),
        Resource::new("AWS::IAM::Role", execution),
    );
    if !has_task_role(service) {
        return;
    }
    let mut policies: Vec<Value> = service
        .role_policies
        .iter()
        .map(|(name, doc)| json!({"PolicyDocument": doc, "PolicyName": name}))
        .collect();
    for volume in &service.volume_names {
        policies.push(json!({
            "PolicyDocument": super::efs::mount_policy(stack, volume),
            "PolicyName": format!("{}{}VolumeMountPolicy", logical_id::normalize(&service.name), logical_id::normalize(volume)),
        }));
    }
    if service.exec {
        policies.push(json!({"PolicyDocument": exec_policy(), "PolicyName": "EcsExec"}));
    }
    let mut role = json!({
        "AssumeRolePolicyDocument": assume_role("ecs-tasks.amazonaws.com"),
        "Policies": policies,
        "Tags": service_tags(stack, &service.name),
    });
    if !service.managed_policies.is_empty() {
        role["ManagedPolicyArns"] = json!(service.managed_policies);
    }
    template.add(
        logical_id::task_role(&service.name),
        Resource::new("AWS::IAM::Role", role),
    );
}
