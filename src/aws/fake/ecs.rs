//! The fake ECS: scripted services and tasks, ECS Exec.

use super::{Calls, session};
use crate::aws::ecs::{EcsApi, ServiceState, TaskDetail, TaskState};
use crate::aws::ssm::Session;
use crate::aws::{ApiError, ApiResult};

/// A scripted ECS: every service asked for answers as `service` (with the
/// ARN asked for); tasks come from `running` and `stopped`.
#[derive(Debug, Default)]
pub struct FakeEcs {
    /// The answer for each service (its ARN is replaced by the one asked).
    pub service: ServiceState,
    /// The running tasks of any service.
    pub running: Vec<TaskState>,
    /// The stopped tasks of any service.
    pub stopped: Vec<TaskState>,
    /// The target groups of any service.
    pub target_groups: Vec<String>,
    /// When set, only this cluster exists (others: ClusterNotFoundException).
    pub cluster: Option<String>,
    /// When set, `DescribeServices` fails with it.
    pub describe_error: Option<ApiError>,
    /// When set, `ListTasks` fails with it.
    pub tasks_error: Option<ApiError>,
    /// The running tasks `exec` and `tunnel` see.
    pub running_tasks: Vec<TaskDetail>,
    /// When set, ExecuteCommand fails with it.
    pub exec_error: Option<ApiError>,
    /// The calls made.
    pub calls: Calls,
}

impl EcsApi for FakeEcs {
    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Vec<ServiceState>> {
        self.calls
            .push(format!("describe {cluster} {}", services.join(",")));
        if self.cluster.as_deref().is_some_and(|c| c != cluster) {
            return Err(ApiError::new("ClusterNotFoundException", cluster));
        }
        if let Some(e) = &self.describe_error {
            return Err(e.clone());
        }
        Ok(services
            .iter()
            .take(1)
            .map(|arn| ServiceState {
                arn: arn.clone(),
                ..self.service.clone()
            })
            .collect())
    }

    async fn tasks(
        &self,
        cluster: &str,
        service: &str,
        stopped: bool,
    ) -> ApiResult<Vec<TaskState>> {
        self.calls
            .push(format!("tasks {cluster} {service} stopped={stopped}"));
        if let Some(e) = &self.tasks_error {
            return Err(e.clone());
        }
        Ok(if stopped {
            self.stopped.clone()
        } else {
            self.running.clone()
        })
    }

    async fn target_groups(&self, _: &str, _: &str) -> ApiResult<Vec<String>> {
        Ok(self.target_groups.clone())
    }

    async fn running_tasks(&self, cluster: &str, service: &str) -> ApiResult<Vec<TaskDetail>> {
        self.calls.push(format!("tasks {cluster} {service}"));
        Ok(self.running_tasks.clone())
    }

    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> ApiResult<Session> {
        self.calls
            .push(format!("exec {cluster} {task} {container} {command}"));
        match &self.exec_error {
            Some(e) => Err(e.clone()),
            None => Ok(session("ecs-execute-command-1")),
        }
    }
}
