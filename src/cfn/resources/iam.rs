//! Task execution roles and task roles.

use serde_json::{Value, json};

use super::service_tags;
use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::{Grant, GrantResource, JsonText, Service, Stack};

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
        || service.role.is_some()
        || !service.grants.is_empty()
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
                    "Resource": service
                        .secret_arns
                        .iter()
                        .map(|s| super::ecs::secret_ref(stack, s))
                        .collect::<Vec<_>>()
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
    let mut policies: Vec<Value> = Vec::new();
    if let Some(role) = &service.role {
        policies.push(json!({
            "PolicyDocument": document(role),
            "PolicyName": format!("{}Policy", logical_id::normalize(&service.name)),
        }));
    }
    for grant in &service.grants {
        policies.push(json!({
            "PolicyDocument": grant_document(grant),
            "PolicyName": grant_name(grant),
        }));
    }
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

/// The user's `x-aws-role` document, as written.
fn document(text: &JsonText) -> Value {
    // Lowering wrote the text from a JSON value, so it always reads back.
    serde_json::from_str(&text.0).unwrap_or(Value::Null)
}

/// The policy document of a grant: one statement allowing its actions on
/// its resources.
#[must_use]
pub fn grant_document(grant: &Grant) -> Value {
    let resources: Vec<Value> = grant.resources.iter().map(resource_arn).collect();
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": grant.actions,
            "Resource": resources
        }]
    })
}

/// The inline policy's name, after what the grant is on.
fn grant_name(grant: &Grant) -> &'static str {
    match grant.resources.first() {
        Some(GrantResource::Table(_) | GrantResource::TableIndexes(_)) | None => "DynamoDBTables",
    }
}

/// The ARN of a resource named in a grant.
fn resource_arn(resource: &GrantResource) -> Value {
    match resource {
        GrantResource::Table(name) => intrinsic::get_att(&super::dynamodb::table_id(name), "Arn"),
        GrantResource::TableIndexes(name) => intrinsic::sub(&format!(
            "${{{}.Arn}}/index/*",
            super::dynamodb::table_id(name)
        )),
    }
}
