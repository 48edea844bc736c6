//! [`HealthApi`] over the AWS SDK: Elastic Load Balancing v2 (target groups
//! and their targets' health) and CloudWatch Logs (a container's last
//! lines), for the report of a failed deploy.

use super::api::{ApiError, ApiResult};
use super::failure::{HealthCheck, TargetGroupHealth, TargetState};
use super::sdk::error;
use super::service_report::HealthApi;

/// The clients the failure report reads.
#[derive(Debug, Clone)]
pub struct SdkHealth {
    pub(super) elb: aws_sdk_elasticloadbalancingv2::Client,
    pub(super) logs: aws_sdk_cloudwatchlogs::Client,
}

impl HealthApi for SdkHealth {
    async fn target_group(&self, arn: &str) -> ApiResult<TargetGroupHealth> {
        let groups = self
            .elb
            .describe_target_groups()
            .target_group_arns(arn)
            .send()
            .await
            .map_err(error)?;
        let Some(g) = groups.target_groups().first() else {
            return Err(ApiError::new("TargetGroupNotFound", arn));
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
            .elb
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

    async fn last_lines(
        &self,
        group: &str,
        container: &str,
        task: &str,
        n: usize,
    ) -> ApiResult<Vec<String>> {
        let suffix = format!("/{container}/{task}");
        let streams = self
            .logs
            .describe_log_streams()
            .log_group_name(group)
            .order_by(aws_sdk_cloudwatchlogs::types::OrderBy::LastEventTime)
            .descending(true)
            .limit(50)
            .send()
            .await
            .map_err(error)?;
        let Some(stream) = streams
            .log_streams()
            .iter()
            .filter_map(|s| s.log_stream_name())
            .find(|name| name.ends_with(&suffix))
        else {
            return Ok(Vec::new());
        };
        let events = self
            .logs
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .start_from_head(false)
            .limit(i32::try_from(n).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(error)?;
        Ok(events
            .events()
            .iter()
            .filter_map(|e| e.message().map(|m| m.trim_end().to_owned()))
            .collect())
    }
}
