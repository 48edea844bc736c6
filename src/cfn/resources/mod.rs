//! One file per AWS service family; each exposes pure functions from the
//! model to `(logical ID, Resource)` pairs added to the template.

pub mod discovery;
pub mod dynamodb;
pub mod ec2;
pub mod ecs;
pub mod efs;
pub mod elasticache;
pub mod elb;
pub mod iam;
pub mod logs;
pub mod route53;
pub mod scaling;
pub mod secrets;

use serde_json::Value;

use super::intrinsic;
use crate::model::{Placement, Stack};

/// Docker's label keys, used as tags.
pub const PROJECT_TAG: &str = "com.docker.compose.project";
/// Service tag key.
pub const SERVICE_TAG: &str = "com.docker.compose.service";
/// Network tag key.
pub const NETWORK_TAG: &str = "com.docker.compose.network";
/// Volume tag key.
pub const VOLUME_TAG: &str = "com.docker.compose.volume";

/// Parameter names when the VPC and subnets are resolved at deploy time
/// (Docker's own names from when its templates had parameters).
pub const VPC_PARAMETER: &str = "ParameterVPCId";
/// First subnet parameter.
pub const SUBNET1_PARAMETER: &str = "ParameterSubnet1Id";
/// Second subnet parameter.
pub const SUBNET2_PARAMETER: &str = "ParameterSubnet2Id";

/// The VPC ID as a template value.
#[must_use]
pub fn vpc(stack: &Stack) -> Value {
    match &stack.vpc {
        Placement::Pinned(v) => Value::from(v.first().cloned().unwrap_or_default()),
        Placement::Parameter => intrinsic::reference(VPC_PARAMETER),
    }
}

/// The subnets as `(logical-ID suffix, value)` pairs.
#[must_use]
pub fn subnets(stack: &Stack) -> Vec<(String, Value)> {
    match &stack.subnets {
        Placement::Pinned(ids) => ids
            .iter()
            .map(|id| (super::logical_id::normalize(id), Value::from(id.clone())))
            .collect(),
        Placement::Parameter => vec![
            (
                "Subnet1".to_owned(),
                intrinsic::reference(SUBNET1_PARAMETER),
            ),
            (
                "Subnet2".to_owned(),
                intrinsic::reference(SUBNET2_PARAMETER),
            ),
        ],
    }
}

/// The subnet values alone.
#[must_use]
pub fn subnet_values(stack: &Stack) -> Vec<Value> {
    subnets(stack).into_iter().map(|(_, v)| v).collect()
}

/// `com.docker.compose.project` tag list.
#[must_use]
pub fn project_tags(stack: &Stack) -> Value {
    intrinsic::tags(&[(PROJECT_TAG, &stack.project)])
}

/// Project and service tags.
#[must_use]
pub fn service_tags(stack: &Stack, service: &str) -> Value {
    intrinsic::tags(&[(PROJECT_TAG, &stack.project), (SERVICE_TAG, service)])
}
