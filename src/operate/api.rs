//! What `exec`, `tunnel` and `logs` need from AWS, as two narrow traits over
//! plain data: the flows (`flow.rs`) are tested against fakes and run against
//! the SDK (`crate::aws`). No SDK type crosses this boundary.

use crate::deploy::api::ApiResult;

use super::logs::Event;
use super::session::Session;
use super::target::Task;

/// One resource of the deployed stack: logical ID → physical ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Logical ID (`Cluster`, `AppService`).
    pub logical_id: String,
    /// Physical ID (the cluster's name, the service's ARN).
    pub physical_id: String,
}

/// CloudFormation, ECS, EC2 and SSM calls of `exec` and `tunnel`.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait TaskApi {
    /// `ListStackResources`; `None` when the stack does not exist.
    async fn stack_resources(&self, stack: &str) -> ApiResult<Option<Vec<Resource>>>;
    /// The running tasks of a service: `ListTasks` + `DescribeTasks` (IDs,
    /// container runtime IDs, ENI, exec flag) + `DescribeNetworkInterfaces`
    /// (public IP).
    async fn tasks(&self, cluster: &str, service: &str) -> ApiResult<Vec<Task>>;
    /// `ecs:ExecuteCommand` (interactive).
    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> ApiResult<Session>;
    /// `ssm:StartSession` with `AWS-StartPortForwardingSession`.
    async fn start_port_forward(&self, target: &str, remote: u16, local: u16)
    -> ApiResult<Session>;
}

/// One CloudWatch Logs event with its ID (to drop repeats while following).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// `eventId`.
    pub id: String,
    /// The event.
    pub event: Event,
}

/// CloudWatch Logs calls of `logs`.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait LogApi {
    /// Names of the streams of `group` starting with `prefix` (`DescribeLogStreams`, every page).
    async fn streams(&self, group: &str, prefix: &str) -> ApiResult<Vec<String>>;
    /// Events of `streams` at or after `start_ms` (`FilterLogEvents`, every page).
    async fn events(
        &self,
        group: &str,
        streams: &[String],
        start_ms: Option<i64>,
    ) -> ApiResult<Vec<LogEvent>>;
}
