//! The one set of fakes the unit tests of deploy, operate and local share:
//! scripted answers for the AWS traits, recording the calls made. Each is
//! plain data a test fills in; none talks to AWS.

#[cfg(feature = "aws")]
use std::cell::RefCell;
#[cfg(feature = "aws")]
use std::collections::{BTreeMap, VecDeque};

use super::ApiResult;
#[cfg(feature = "aws")]
use super::{ApiError, ErrorKind};
#[cfg(feature = "aws")]
use crate::deploy::adopt::{LiveApi, LiveLogGroup, LiveReplicationGroup, LiveTable};
#[cfg(feature = "aws")]
use crate::deploy::api::{
    ChangeSetInfo, CloudFormationApi, NewChangeSet, StackEvent, StackInfo, StackResource,
};
#[cfg(feature = "aws")]
use crate::deploy::delete_data::DataApi;
#[cfg(feature = "aws")]
use crate::deploy::ecs::{EcsApi, ServiceState, TaskState};
#[cfg(feature = "aws")]
use crate::deploy::failure::TargetGroupHealth;
#[cfg(feature = "aws")]
use crate::deploy::registry::{Login, RegistryApi, Repository};
#[cfg(feature = "aws")]
use crate::deploy::service_report::HealthApi;
#[cfg(feature = "aws")]
use crate::deploy::template_store::TemplateStore;
use crate::local::tables::TableApi;
use crate::model::Table;
#[cfg(feature = "aws")]
use crate::operate::api::{LogApi, LogEvent, Resource, TaskApi};
#[cfg(feature = "aws")]
use crate::operate::session::Session;
#[cfg(feature = "aws")]
use crate::operate::target::Task;

/// What the scripted CloudFormation holds and answers.
#[cfg(feature = "aws")]
#[derive(Debug, Default)]
pub struct State {
    pub stack: Option<StackInfo>,
    /// Statuses applied by successive `describe_stack` calls.
    pub statuses: VecDeque<String>,
    pub template: String,
    /// Errors returned by successive `create_change_set` calls.
    pub create_errors: VecDeque<ApiError>,
    pub change_set: Option<ChangeSetInfo>,
    /// Newest first.
    pub events: Vec<StackEvent>,
    /// Status and events (oldest first) after execute / continue-rollback.
    pub after_execute: Option<(String, Vec<StackEvent>)>,
    pub resources: Vec<StackResource>,
    pub calls: Vec<String>,
    pub created: Vec<NewChangeSet>,
}

/// A scripted CloudFormation for the state-machine tests.
#[cfg(feature = "aws")]
#[derive(Debug, Default)]
pub struct FakeCfn(pub RefCell<State>);

/// A stack named `game` in `status`.
#[cfg(feature = "aws")]
#[must_use]
pub fn stack(status: &str) -> StackInfo {
    StackInfo {
        name: "game".into(),
        id: "arn:stack/game".into(),
        status: status.into(),
        ..StackInfo::default()
    }
}

/// Stack event number `n` (its timestamp too) of resource `id`.
#[cfg(feature = "aws")]
pub fn event(n: u32, id: &str, status: &str, reason: Option<&str>) -> StackEvent {
    StackEvent {
        id: format!("e{n}"),
        timestamp: i64::from(n),
        logical_id: id.into(),
        physical_id: String::new(),
        resource_type: if id == "game" {
            "AWS::CloudFormation::Stack".into()
        } else {
            "AWS::ECS::Service".into()
        },
        status: status.into(),
        reason: reason.map(str::to_owned),
    }
}

#[cfg(feature = "aws")]
impl FakeCfn {
    fn log(&self, call: &str) {
        self.0.borrow_mut().calls.push(call.to_owned());
    }
    /// The calls made, in order.
    pub fn calls(&self) -> Vec<String> {
        self.0.borrow().calls.clone()
    }
}

#[cfg(feature = "aws")]
impl CloudFormationApi for FakeCfn {
    async fn describe_stack(&self, _: &str) -> ApiResult<Option<StackInfo>> {
        let mut s = self.0.borrow_mut();
        if let Some(status) = s.statuses.pop_front()
            && let Some(st) = s.stack.as_mut()
        {
            st.status = status;
        }
        Ok(s.stack.clone())
    }
    async fn create_change_set(&self, cs: &NewChangeSet) -> ApiResult<String> {
        self.log(&format!("create_change_set {:?}", cs.kind));
        let mut s = self.0.borrow_mut();
        s.created.push(cs.clone());
        if let Some(e) = s.create_errors.pop_front() {
            return Err(e);
        }
        if s.stack.is_none() {
            s.stack = Some(stack("REVIEW_IN_PROGRESS"));
        }
        Ok("cs-1".into())
    }
    async fn describe_change_set(&self, _: &str, _: &str) -> ApiResult<ChangeSetInfo> {
        self.0
            .borrow()
            .change_set
            .clone()
            .ok_or_else(|| ApiError::new("ChangeSetNotFound", "no change set"))
    }
    async fn execute_change_set(&self, _: &str, _: &str) -> ApiResult<()> {
        self.log("execute_change_set");
        self.apply_after();
        Ok(())
    }
    async fn delete_change_set(&self, _: &str, _: &str) -> ApiResult<()> {
        self.log("delete_change_set");
        Ok(())
    }
    async fn describe_stack_events(&self, _: &str) -> ApiResult<Vec<StackEvent>> {
        Ok(self.0.borrow().events.clone())
    }
    async fn get_template(&self, _: &str) -> ApiResult<String> {
        Ok(self.0.borrow().template.clone())
    }
    async fn list_stack_resources(&self, _: &str) -> ApiResult<Vec<StackResource>> {
        Ok(self.0.borrow().resources.clone())
    }
    async fn delete_stack(&self, _: &str) -> ApiResult<()> {
        self.log("delete_stack");
        self.0.borrow_mut().stack = None;
        Ok(())
    }
    async fn continue_update_rollback(&self, _: &str) -> ApiResult<()> {
        self.log("continue_update_rollback");
        self.apply_after();
        Ok(())
    }
}

#[cfg(feature = "aws")]
impl FakeCfn {
    fn apply_after(&self) {
        let mut s = self.0.borrow_mut();
        if let Some((status, events)) = s.after_execute.take() {
            for e in events {
                s.events.insert(0, e);
            }
            if let Some(st) = s.stack.as_mut() {
                st.status = status;
            }
        }
    }
}

/// A scripted ECS: every service asked for answers as `service` (with the
/// ARN asked for); tasks come from `running` and `stopped`.
#[cfg(feature = "aws")]
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
    /// The calls made.
    pub calls: RefCell<Vec<String>>,
}

#[cfg(feature = "aws")]
impl EcsApi for FakeEcs {
    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Vec<ServiceState>> {
        self.calls
            .borrow_mut()
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
            .borrow_mut()
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
}

/// Scripted target groups and log lines (why a deploy failed).
#[cfg(feature = "aws")]
#[derive(Debug, Default)]
pub struct FakeHealth {
    /// The answer for any target group (none: TargetGroupNotFound).
    pub target_group: Option<TargetGroupHealth>,
    /// Log lines by (container, task), oldest first.
    pub logs: BTreeMap<(String, String), Vec<String>>,
    /// The log groups read.
    pub groups: RefCell<Vec<String>>,
}

#[cfg(feature = "aws")]
impl HealthApi for FakeHealth {
    async fn target_group(&self, arn: &str) -> ApiResult<TargetGroupHealth> {
        self.target_group
            .clone()
            .ok_or_else(|| ApiError::of_kind(ErrorKind::NotFound, "TargetGroupNotFound", arn))
    }

    async fn last_lines(
        &self,
        group: &str,
        container: &str,
        task: &str,
        n: usize,
    ) -> ApiResult<Vec<String>> {
        self.groups.borrow_mut().push(group.to_owned());
        let lines = self
            .logs
            .get(&(container.to_owned(), task.to_owned()))
            .cloned()
            .unwrap_or_default();
        Ok(lines.into_iter().rev().take(n).rev().collect())
    }
}

/// A scripted AWS for `exec`, `tunnel` and `logs`: the stack's resources,
/// the running tasks, log streams and events; calls are recorded.
#[cfg(feature = "aws")]
#[derive(Debug, Default)]
pub struct FakeOperate {
    /// The stack's resources (`None`: no stack).
    pub resources: Option<Vec<Resource>>,
    /// The running tasks.
    pub tasks: Vec<Task>,
    /// When set, ExecuteCommand fails with it.
    pub exec_error: Option<ApiError>,
    /// The calls made.
    pub calls: RefCell<Vec<String>>,
    /// The log streams.
    pub streams: Vec<String>,
    /// The log events.
    pub events: Vec<LogEvent>,
}

/// A Session Manager session with ID `id`.
#[cfg(feature = "aws")]
#[must_use]
pub fn session(id: &str) -> Session {
    Session {
        session_id: id.into(),
        stream_url: format!("wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/{id}"),
        token: format!("tok-{id}"),
    }
}

#[cfg(feature = "aws")]
impl TaskApi for FakeOperate {
    async fn stack_resources(&self, stack: &str) -> ApiResult<Option<Vec<Resource>>> {
        self.calls.borrow_mut().push(format!("resources {stack}"));
        Ok(self.resources.clone())
    }
    async fn tasks(&self, cluster: &str, service: &str) -> ApiResult<Vec<Task>> {
        self.calls
            .borrow_mut()
            .push(format!("tasks {cluster} {service}"));
        Ok(self.tasks.clone())
    }
    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> ApiResult<Session> {
        self.calls
            .borrow_mut()
            .push(format!("exec {cluster} {task} {container} {command}"));
        match &self.exec_error {
            Some(e) => Err(e.clone()),
            None => Ok(session("ecs-execute-command-1")),
        }
    }
    async fn start_port_forward(
        &self,
        target: &str,
        remote: u16,
        local: u16,
    ) -> ApiResult<Session> {
        self.calls
            .borrow_mut()
            .push(format!("start-session {target} {remote} {local}"));
        Ok(session(&format!("pf-{local}")))
    }
}

#[cfg(feature = "aws")]
impl LogApi for FakeOperate {
    async fn streams(&self, group: &str, prefix: &str) -> ApiResult<Vec<String>> {
        self.calls
            .borrow_mut()
            .push(format!("streams {group} {prefix}"));
        Ok(self
            .streams
            .iter()
            .filter(|s| s.starts_with(prefix))
            .cloned()
            .collect())
    }
    async fn events(
        &self,
        _group: &str,
        streams: &[String],
        start_ms: Option<i64>,
    ) -> ApiResult<Vec<LogEvent>> {
        Ok(self
            .events
            .iter()
            .filter(|e| streams.contains(&e.event.stream))
            .filter(|e| start_ms.is_none_or(|s| e.event.timestamp >= s))
            .cloned()
            .collect())
    }
}

/// Existing tables and log groups (adoption); a name in `errors` fails
/// with its error. Look-ups are recorded.
#[cfg(feature = "aws")]
#[derive(Debug, Default)]
pub struct FakeLive {
    /// Tables by name.
    pub tables: BTreeMap<String, LiveTable>,
    /// Log groups by name.
    pub groups: BTreeMap<String, LiveLogGroup>,
    /// Replication groups by ID.
    pub redis: BTreeMap<String, LiveReplicationGroup>,
    /// Names whose look-up fails.
    pub errors: BTreeMap<String, ApiError>,
    /// The look-ups made (`table NAME`, `group NAME`).
    pub asked: RefCell<Vec<String>>,
}

#[cfg(feature = "aws")]
impl LiveApi for FakeLive {
    async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>> {
        self.asked.borrow_mut().push(format!("table {name}"));
        if let Some(e) = self.errors.get(name) {
            return Err(e.clone());
        }
        Ok(self.tables.get(name).cloned())
    }

    async fn log_group(&self, name: &str) -> ApiResult<Option<LiveLogGroup>> {
        self.asked.borrow_mut().push(format!("group {name}"));
        if let Some(e) = self.errors.get(name) {
            return Err(e.clone());
        }
        Ok(self.groups.get(name).cloned())
    }

    async fn replication_group(&self, id: &str) -> ApiResult<Option<LiveReplicationGroup>> {
        self.asked.borrow_mut().push(format!("redis {id}"));
        if let Some(e) = self.errors.get(id) {
            return Err(e.clone());
        }
        Ok(self.redis.get(id).cloned())
    }
}

/// S3 for templates: buckets are made, uploads recorded; `deny` refuses.
#[cfg(feature = "aws")]
#[derive(Debug, Default)]
pub struct FakeS3 {
    /// The calls made.
    pub calls: RefCell<Vec<String>>,
    /// Every bucket is refused (AccessDenied).
    pub deny: bool,
}

#[cfg(feature = "aws")]
impl TemplateStore for FakeS3 {
    async fn ensure_bucket(&self, bucket: &str, region: &str) -> ApiResult<bool> {
        self.calls
            .borrow_mut()
            .push(format!("ensure {bucket} {region}"));
        if self.deny {
            return Err(ApiError::new("AccessDenied", "Access Denied"));
        }
        Ok(true)
    }
    async fn upload(&self, bucket: &str, key: &str, body: &str) -> ApiResult<()> {
        self.calls
            .borrow_mut()
            .push(format!("upload {bucket} {key} {}", body.len()));
        Ok(())
    }
}

/// Deletes of kept data (`down --delete-data`), recorded; each Redis group has one snapshot `GROUP-final`.
#[cfg(feature = "aws")]
#[derive(Debug, Default)]
pub struct FakeData {
    /// The calls made.
    pub calls: RefCell<Vec<String>>,
    /// Table deletes are refused (AccessDeniedException).
    pub deny_tables: bool,
}

#[cfg(feature = "aws")]
impl DataApi for FakeData {
    async fn delete_table(&self, name: &str) -> ApiResult<()> {
        self.calls.borrow_mut().push(format!("delete-table {name}"));
        if self.deny_tables {
            return Err(ApiError::new("AccessDeniedException", "not allowed"));
        }
        Ok(())
    }
    async fn delete_file_system(&self, id: &str) -> ApiResult<()> {
        self.calls
            .borrow_mut()
            .push(format!("delete-file-system {id}"));
        Ok(())
    }
    async fn redis_snapshots(&self, group: &str) -> ApiResult<Vec<String>> {
        self.calls
            .borrow_mut()
            .push(format!("describe-snapshots {group}"));
        Ok(vec![format!("{group}-final")])
    }
    async fn delete_snapshot(&self, name: &str) -> ApiResult<()> {
        self.calls
            .borrow_mut()
            .push(format!("delete-snapshot {name}"));
        Ok(())
    }
}

/// ECR: repositories in `existing` exist, others are created; images have digest `sha256:abc` unless `no_digest`; repository `broken` is refused.
#[cfg(feature = "aws")]
#[derive(Debug, Default)]
pub struct FakeEcr {
    /// The repositories that exist.
    pub existing: Vec<String>,
    /// The calls made.
    pub calls: RefCell<Vec<String>>,
    /// No image has a digest.
    pub no_digest: bool,
}

#[cfg(feature = "aws")]
impl RegistryApi for FakeEcr {
    async fn ensure_repository(&self, name: &str, project: &str) -> ApiResult<Repository> {
        self.calls
            .borrow_mut()
            .push(format!("ensure {name} {project}"));
        Ok(Repository {
            uri: format!("1.dkr.ecr.r.amazonaws.com/{name}"),
            created: !self.existing.iter().any(|e| e == name),
        })
    }
    async fn find_repository(&self, name: &str) -> ApiResult<Option<Repository>> {
        Ok(self.existing.iter().any(|e| e == name).then(|| Repository {
            uri: format!("1.dkr.ecr.r.amazonaws.com/{name}"),
            created: false,
        }))
    }
    async fn login(&self) -> ApiResult<Login> {
        self.calls.borrow_mut().push("login".into());
        Ok(Login {
            user: "AWS".into(),
            password: "s3cret".into(),
            endpoint: "https://1.dkr.ecr.r.amazonaws.com".into(),
        })
    }
    async fn image_digest(&self, repository: &str, tag: &str) -> ApiResult<Option<String>> {
        self.calls
            .borrow_mut()
            .push(format!("digest {repository}:{tag}"));
        if repository == "broken" {
            return Err(ApiError::new("AccessDenied", "no"));
        }
        Ok((!self.no_digest).then(|| "sha256:abc".to_owned()))
    }
}

/// DynamoDB (Local) tables: `tables` exist; created ones are added and
/// recorded.
#[derive(Debug, Default)]
pub struct FakeTables {
    /// The existing tables.
    pub tables: Vec<String>,
    /// The tables created, in order.
    pub created: Vec<String>,
}

impl TableApi for FakeTables {
    fn list_tables(&mut self) -> ApiResult<Vec<String>> {
        Ok(self.tables.clone())
    }

    fn create_table(&mut self, name: &str, _table: &Table) -> ApiResult<()> {
        self.tables.push(name.to_owned());
        self.created.push(name.to_owned());
        Ok(())
    }
}
