//! [`EcsApi`] over the AWS SDK's ECS client.

use aws_sdk_ecs::types::DesiredStatus;

use super::api::ApiResult;
use super::ecs::{EcsApi, ServiceState, TaskState, task_id};
use super::sdk::error;

/// ECS through the SDK.
#[derive(Debug, Clone)]
pub struct SdkEcs(pub(super) aws_sdk_ecs::Client);

/// DescribeTasks takes at most 100 tasks per call.
const DESCRIBE_TASKS_MAX: usize = 100;

impl EcsApi for SdkEcs {
    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Vec<ServiceState>> {
        let mut all = Vec::new();
        // DescribeServices takes at most 10 services per call.
        for chunk in services.chunks(10) {
            let out = self
                .0
                .describe_services()
                .cluster(cluster)
                .set_services(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(error)?;
            all.extend(out.services().iter().map(|s| {
                ServiceState {
                    arn: s.service_arn().unwrap_or_default().to_owned(),
                    name: s.service_name().unwrap_or_default().to_owned(),
                    status: s.status().unwrap_or_default().to_owned(),
                    desired: s.desired_count(),
                    running: s.running_count(),
                    pending: s.pending_count(),
                    events: s
                        .events()
                        .iter()
                        .map(|e| {
                            (
                                e.created_at().map_or(0, aws_smithy_types::DateTime::secs),
                                e.message().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect(),
                }
            }));
        }
        Ok(all)
    }

    async fn target_groups(&self, cluster: &str, service: &str) -> ApiResult<Vec<String>> {
        let out = self
            .0
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .services()
            .iter()
            .flat_map(aws_sdk_ecs::types::Service::load_balancers)
            .filter_map(|lb| lb.target_group_arn().map(str::to_owned))
            .collect())
    }

    async fn tasks(
        &self,
        cluster: &str,
        service: &str,
        stopped: bool,
    ) -> ApiResult<Vec<TaskState>> {
        let status = if stopped {
            DesiredStatus::Stopped
        } else {
            DesiredStatus::Running
        };
        let listed = self
            .0
            .list_tasks()
            .cluster(cluster)
            .service_name(task_id(service))
            .desired_status(status)
            .send()
            .await
            .map_err(error)?;
        let arns: Vec<String> = listed.task_arns().to_vec();
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        let mut tasks = Vec::new();
        for chunk in arns.chunks(DESCRIBE_TASKS_MAX) {
            let out = self
                .0
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(error)?;
            tasks.extend(out.tasks().iter().map(|t| {
                TaskState {
                    id: task_id(t.task_arn().unwrap_or_default()).to_owned(),
                    last_status: t.last_status().unwrap_or_default().to_owned(),
                    stopped_reason: t.stopped_reason().map(str::to_owned),
                    containers: t
                        .containers()
                        .iter()
                        .filter(|c| c.exit_code().is_some() || c.reason().is_some())
                        .map(|c| {
                            (
                                c.name().unwrap_or_default().to_owned(),
                                c.exit_code(),
                                c.reason().map(str::to_owned),
                            )
                        })
                        .collect(),
                }
            }));
        }
        Ok(tasks)
    }
}
