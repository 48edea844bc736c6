//! Elastic Load Balancing v2: the [`ElbApi`] trait (a target group's health
//! check and targets, why a deploy failed) and its implementation over the
//! SDK.

use serde::Serialize;

use super::{ApiError, ApiResult, ErrorKind, sdk_error as error};

/// A target group's health check and targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TargetGroupHealth {
    /// Target group name.
    pub name: String,
    /// The health check in force.
    pub check: HealthCheck,
    /// Each target's state.
    pub targets: Vec<TargetState>,
}

/// A target group's health-check settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HealthCheck {
    /// `HTTP`, `HTTPS`, `TCP`.
    pub protocol: String,
    /// `traffic-port` or a number.
    pub port: String,
    /// HTTP path.
    pub path: Option<String>,
    /// Seconds between checks.
    pub interval: i32,
    /// Seconds before a check times out.
    pub timeout: i32,
    /// Successes before healthy.
    pub healthy_threshold: i32,
    /// Failures before unhealthy.
    pub unhealthy_threshold: i32,
    /// HTTP codes that count as healthy.
    pub matcher: Option<String>,
}

/// One target's health.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TargetState {
    /// `ip:port`.
    pub target: String,
    /// `healthy`, `unhealthy`, `initial`, `draining`, ...
    pub state: String,
    /// `Target.FailedHealthChecks`, `Target.Timeout`, ...
    pub reason: Option<String>,
    /// The load balancer's description.
    pub description: Option<String>,
}

/// The ELBv2 calls of a failed deploy's report and `ps`.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait ElbApi {
    /// `DescribeTargetGroups` and `DescribeTargetHealth` of one target group.
    async fn target_group(&self, arn: &str) -> ApiResult<TargetGroupHealth>;
}

/// ELBv2 through the SDK.
#[derive(Debug, Clone)]
pub struct Elb(pub(super) aws_sdk_elasticloadbalancingv2::Client);

impl ElbApi for Elb {
    async fn target_group(&self, arn: &str) -> ApiResult<TargetGroupHealth> {
        let groups = self
            .0
            .describe_target_groups()
            .target_group_arns(arn)
            .send()
            .await
            .map_err(error)?;
        let Some(g) = groups.target_groups().first() else {
            return Err(ApiError::of_kind(
                ErrorKind::NotFound,
                "TargetGroupNotFound",
                arn,
            ));
        };
        let mut health = TargetGroupHealth {
            name: g.target_group_name().unwrap_or_default().to_owned(),
            check: HealthCheck {
                protocol: g
                    .health_check_protocol()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
                port: g.health_check_port().unwrap_or("traffic-port").to_owned(),
                path: g.health_check_path().map(str::to_owned),
                interval: g.health_check_interval_seconds().unwrap_or_default(),
                timeout: g.health_check_timeout_seconds().unwrap_or_default(),
                healthy_threshold: g.healthy_threshold_count().unwrap_or_default(),
                unhealthy_threshold: g.unhealthy_threshold_count().unwrap_or_default(),
                matcher: g
                    .matcher()
                    .and_then(|m| m.http_code().or(m.grpc_code()))
                    .map(str::to_owned),
            },
            targets: Vec::new(),
        };
        let targets = self
            .0
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await
            .map_err(error)?;
        for d in targets.target_health_descriptions() {
            let target = d.target().map_or_else(String::new, |t| {
                format!(
                    "{}:{}",
                    t.id().unwrap_or_default(),
                    t.port().map_or_else(String::new, |p| p.to_string())
                )
            });
            let h = d.target_health();
            health.targets.push(TargetState {
                target,
                state: h
                    .and_then(|h| h.state())
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                reason: h.and_then(|h| h.reason()).map(|r| r.as_str().to_owned()),
                description: h.and_then(|h| h.description()).map(str::to_owned),
            });
        }
        Ok(health)
    }
}
