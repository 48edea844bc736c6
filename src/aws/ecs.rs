//! ECS: the [`EcsApi`] trait (services, tasks and their stop reasons for
//! `ps` and a failed deploy; running tasks and ECS Exec for `exec` and
//! `tunnel`) and its implementation over the SDK. `ListTasks` and
//! `DescribeTasks` are written once here and serve both.

use aws_sdk_ecs::types::{DesiredStatus, Task};

use super::ssm::{Session, session};
use super::{ApiResult, sdk_error as error};

/// One ECS service as `DescribeServices` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceState {
    /// The service ARN.
    pub arn: String,
    /// The service name.
    pub name: String,
    /// `ACTIVE`, `DRAINING`, `INACTIVE`.
    pub status: String,
    /// Desired task count.
    pub desired: i32,
    /// Running task count.
    pub running: i32,
    /// Pending task count.
    pub pending: i32,
    /// The latest service events, newest first: (Unix seconds, message).
    pub events: Vec<(i64, String)>,
}

/// One task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskState {
    /// The task ID (the last part of its ARN).
    pub id: String,
    /// `RUNNING`, `STOPPED`, ...
    pub last_status: String,
    /// Why it stopped, when it did.
    pub stopped_reason: Option<String>,
    /// Per container: name, exit code, reason (only containers that say something).
    pub containers: Vec<(String, Option<i32>, Option<String>)>,
}

/// A running task as `exec` and `tunnel` need it (`DescribeTasks`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDetail {
    /// Task ID (the last part of its ARN).
    pub id: String,
    /// Containers: (name, runtime ID).
    pub containers: Vec<(String, String)>,
    /// The task's network interface, when it has one.
    pub eni: Option<String>,
    /// Its private IPv4 address.
    pub private_ip: Option<String>,
    /// ECS Exec is on.
    pub exec_enabled: bool,
}

/// The ECS calls of `ps` and of a failed deploy's report (services, tasks,
/// target groups), and of `exec` and `tunnel` (running tasks, ECS Exec).
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait EcsApi {
    /// `DescribeServices` for services (ARNs or names) of one cluster.
    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Vec<ServiceState>>;
    /// `ListTasks` (running, or `stopped`) and `DescribeTasks` for a service.
    async fn tasks(&self, cluster: &str, service: &str, stopped: bool)
    -> ApiResult<Vec<TaskState>>;
    /// The target group ARNs of a service's load balancers
    /// (`DescribeServices`); none by default.
    async fn target_groups(&self, cluster: &str, service: &str) -> ApiResult<Vec<String>> {
        let _ = (cluster, service);
        Ok(Vec::new())
    }
    /// The running tasks of a service (`ListTasks` + `DescribeTasks`),
    /// sorted by ID.
    async fn running_tasks(&self, cluster: &str, service: &str) -> ApiResult<Vec<TaskDetail>>;
    /// `ecs:ExecuteCommand` (interactive).
    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> ApiResult<Session>;
}

/// The ID of a task ARN (its last part).
#[must_use]
pub fn task_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// ECS through the SDK.
#[derive(Debug, Clone)]
pub struct Ecs(pub(super) aws_sdk_ecs::Client);

/// DescribeTasks takes at most 100 tasks per call.
const DESCRIBE_TASKS_MAX: usize = 100;
/// DescribeServices takes at most 10 services per call.
const DESCRIBE_SERVICES_MAX: usize = 10;

impl Ecs {
    /// `ListTasks` for a service, every page.
    async fn task_arns(
        &self,
        cluster: &str,
        service: &str,
        status: DesiredStatus,
    ) -> ApiResult<Vec<String>> {
        let pages = self
            .0
            .list_tasks()
            .cluster(cluster)
            .service_name(service)
            .desired_status(status)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(error)?;
        Ok(pages
            .iter()
            .flat_map(|p| p.task_arns().iter().cloned())
            .collect())
    }

    /// `DescribeTasks`, 100 at a time.
    async fn describe_tasks(&self, cluster: &str, arns: &[String]) -> ApiResult<Vec<Task>> {
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
            tasks.extend(out.tasks.unwrap_or_default());
        }
        Ok(tasks)
    }
}

impl EcsApi for Ecs {
    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Vec<ServiceState>> {
        let mut all = Vec::new();
        for chunk in services.chunks(DESCRIBE_SERVICES_MAX) {
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
        let arns = self.task_arns(cluster, task_id(service), status).await?;
        Ok(self
            .describe_tasks(cluster, &arns)
            .await?
            .iter()
            .map(|t| TaskState {
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
            })
            .collect())
    }

    async fn running_tasks(&self, cluster: &str, service: &str) -> ApiResult<Vec<TaskDetail>> {
        let arns = self
            .task_arns(cluster, service, DesiredStatus::Running)
            .await?;
        let mut tasks: Vec<TaskDetail> = self
            .describe_tasks(cluster, &arns)
            .await?
            .iter()
            .map(|t| {
                let details: Vec<(&str, &str)> = t
                    .attachments()
                    .iter()
                    .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
                    .flat_map(aws_sdk_ecs::types::Attachment::details)
                    .filter_map(|d| Some((d.name()?, d.value()?)))
                    .collect();
                let detail = |name: &str| {
                    details
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| (*v).to_owned())
                };
                TaskDetail {
                    id: task_id(t.task_arn().unwrap_or_default()).to_owned(),
                    containers: t
                        .containers()
                        .iter()
                        .map(|c| {
                            (
                                c.name().unwrap_or_default().to_owned(),
                                c.runtime_id().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect(),
                    eni: detail("networkInterfaceId"),
                    private_ip: detail("privateIPv4Address"),
                    exec_enabled: t.enable_execute_command(),
                }
            })
            .collect();
        tasks.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(tasks)
    }

    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> ApiResult<Session> {
        let out = self
            .0
            .execute_command()
            .cluster(cluster)
            .task(task)
            .container(container)
            .command(command)
            .interactive(true)
            .send()
            .await
            .map_err(error)?;
        let s = out.session();
        session(
            s.and_then(|s| s.session_id()),
            s.and_then(|s| s.stream_url()),
            s.and_then(|s| s.token_value()),
        )
    }
}
