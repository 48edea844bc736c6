//! What `ps` and a failed deploy need from ECS, as a small trait over plain
//! data (`crate::aws::ecs` is the SDK implementation): a service's counts and
//! latest events, and its tasks (running or stopped, with why they stopped).

use super::api::ApiResult;

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

/// The ECS calls of `ps` and of a failed deploy's report.
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
}

/// The cluster of a service ARN (`arn:…:service/CLUSTER/NAME`); `None` for
/// the old ARN format without it.
#[must_use]
pub fn cluster_of(service_arn: &str) -> Option<&str> {
    let path = service_arn.split_once(":service/")?.1;
    let (cluster, _) = path.split_once('/')?;
    Some(cluster)
}

/// The ID of a task ARN (its last part).
#[must_use]
pub fn task_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        assert_eq!(
            cluster_of("arn:aws:ecs:eu-west-1:1:service/game-Cluster-X/game-Api-Y"),
            Some("game-Cluster-X")
        );
        assert_eq!(cluster_of("arn:aws:ecs:eu-west-1:1:service/old"), None);
        assert_eq!(cluster_of("not an arn"), None);
        assert_eq!(task_id("arn:aws:ecs:r:1:task/c/0123abc"), "0123abc");
    }
}
