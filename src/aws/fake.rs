//! The one set of fakes the unit tests of deploy, operate and local share:
//! one scripted fake per AWS service trait, recording the calls made, and
//! [`Aws`], the bundle of all of them (as [`super::Clients`] bundles the
//! real clients) whose fakes record into one shared [`Calls`] log, so a test
//! sees the order of calls across services. Each is plain data a test fills
//! in; none talks to AWS.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use super::acm::{AcmApi, Certificate};
use super::cloudformation::{
    ChangeSetInfo, CloudFormationApi, NewChangeSet, StackEvent, StackInfo, StackResource,
};
use super::dynamodb::{DynamoDbApi, LiveTable};
use super::ec2::{DefaultNetwork, Ec2Api};
use super::ecr::{EcrApi, Login, Repository};
use super::ecs::{EcsApi, ServiceState, TaskDetail, TaskState};
use super::efs::EfsApi;
use super::elasticache::{ElastiCacheApi, LiveReplicationGroup};
use super::elbv2::{ElbApi, TargetGroupHealth};
use super::logs::{LiveLogGroup, LogEvent, LogsApi};
use super::route53::{Route53Api, Zone};
use super::s3::S3Api;
use super::ssm::{Session, SsmApi};
use super::{ApiError, ApiResult, ErrorKind};
use crate::model::Table;

/// A log of calls, shared by the fakes of one [`Aws`] (a clone records into
/// the same log). Read it as a `RefCell<Vec<String>>`.
#[derive(Debug, Default, Clone)]
pub struct Calls(Rc<RefCell<Vec<String>>>);

impl Calls {
    /// Records one call.
    pub fn push(&self, call: String) {
        self.0.borrow_mut().push(call);
    }
}

impl std::ops::Deref for Calls {
    type Target = RefCell<Vec<String>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// One fake per service, as [`super::Clients`] holds the clients; every
/// fake records into `calls`.
#[derive(Debug)]
pub struct Aws {
    /// CloudFormation (records `ListStackResources` only).
    pub cloudformation: FakeCfn,
    /// Route 53.
    pub route53: FakeRoute53,
    /// ACM.
    pub acm: FakeAcm,
    /// EC2.
    pub ec2: FakeEc2,
    /// ECR.
    pub ecr: FakeEcr,
    /// ECS.
    pub ecs: FakeEcs,
    /// CloudWatch Logs.
    pub logs: FakeLogs,
    /// DynamoDB.
    pub dynamodb: FakeDynamoDb,
    /// EFS.
    pub efs: FakeEfs,
    /// ElastiCache.
    pub elasticache: FakeElastiCache,
    /// ELBv2.
    pub elb: FakeElb,
    /// S3.
    pub s3: FakeS3,
    /// SSM.
    pub ssm: FakeSsm,
    /// The calls of every fake above, in order.
    pub calls: Calls,
}

impl Default for Aws {
    fn default() -> Self {
        let calls = Calls::default();
        let cloudformation = FakeCfn::default();
        cloudformation.0.borrow_mut().log = calls.clone();
        Self {
            cloudformation,
            route53: FakeRoute53::default(),
            acm: FakeAcm::default(),
            ec2: FakeEc2::default(),
            ecr: FakeEcr {
                calls: calls.clone(),
                ..FakeEcr::default()
            },
            ecs: FakeEcs {
                calls: calls.clone(),
                ..FakeEcs::default()
            },
            logs: FakeLogs {
                calls: calls.clone(),
                ..FakeLogs::default()
            },
            dynamodb: FakeDynamoDb {
                calls: calls.clone(),
                ..FakeDynamoDb::default()
            },
            efs: FakeEfs {
                calls: calls.clone(),
            },
            elasticache: FakeElastiCache {
                calls: calls.clone(),
                ..FakeElastiCache::default()
            },
            elb: FakeElb::default(),
            s3: FakeS3 {
                calls: calls.clone(),
                ..FakeS3::default()
            },
            ssm: FakeSsm {
                calls: calls.clone(),
            },
            calls,
        }
    }
}

/// What the scripted CloudFormation holds and answers.
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
    /// `ListStackResources` answers that the stack does not exist.
    pub missing: bool,
    /// The changes made (`create_change_set Update`, `execute_change_set`, ...).
    pub calls: Vec<String>,
    /// Where `ListStackResources` is recorded (`resources STACK`), apart
    /// from `calls`; shared with the other fakes in [`Aws`].
    pub log: Calls,
    pub created: Vec<NewChangeSet>,
}

/// A scripted CloudFormation for the state-machine tests.
#[derive(Debug, Default)]
pub struct FakeCfn(pub RefCell<State>);

/// A stack named `game` in `status`.
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

impl FakeCfn {
    fn log(&self, call: &str) {
        self.0.borrow_mut().calls.push(call.to_owned());
    }
    /// The calls made, in order.
    pub fn calls(&self) -> Vec<String> {
        self.0.borrow().calls.clone()
    }
}

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
    async fn list_stack_resources(&self, stack: &str) -> ApiResult<Vec<StackResource>> {
        let s = self.0.borrow();
        s.log.push(format!("resources {stack}"));
        if s.missing {
            return Err(ApiError::of_kind(
                ErrorKind::NotFound,
                "ValidationError",
                format!("Stack with id {stack} does not exist"),
            ));
        }
        Ok(s.resources.clone())
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

/// Scripted target groups (why a deploy failed).
#[derive(Debug, Default)]
pub struct FakeElb {
    /// The answer for any target group (none: TargetGroupNotFound).
    pub target_group: Option<TargetGroupHealth>,
}

impl ElbApi for FakeElb {
    async fn target_group(&self, arn: &str) -> ApiResult<TargetGroupHealth> {
        self.target_group
            .clone()
            .ok_or_else(|| ApiError::of_kind(ErrorKind::NotFound, "TargetGroupNotFound", arn))
    }
}

/// Scripted CloudWatch Logs: log groups (adoption; a name in `errors`
/// fails with its error), a container's last lines, streams and events.
#[derive(Debug, Default)]
pub struct FakeLogs {
    /// Log groups by name.
    pub groups: BTreeMap<String, LiveLogGroup>,
    /// Names whose look-up fails.
    pub errors: BTreeMap<String, ApiError>,
    /// Log lines by (container, task), oldest first.
    pub lines: BTreeMap<(String, String), Vec<String>>,
    /// The log groups whose last lines were read.
    pub read: RefCell<Vec<String>>,
    /// The log streams.
    pub streams: Vec<String>,
    /// The log events.
    pub events: Vec<LogEvent>,
    /// The calls made (`group NAME`, `streams GROUP PREFIX`).
    pub calls: Calls,
}

impl LogsApi for FakeLogs {
    async fn log_group(&self, name: &str) -> ApiResult<Option<LiveLogGroup>> {
        self.calls.push(format!("group {name}"));
        if let Some(e) = self.errors.get(name) {
            return Err(e.clone());
        }
        Ok(self.groups.get(name).cloned())
    }

    async fn last_lines(
        &self,
        group: &str,
        container: &str,
        task: &str,
        n: usize,
    ) -> ApiResult<Vec<String>> {
        self.read.borrow_mut().push(group.to_owned());
        let lines = self
            .lines
            .get(&(container.to_owned(), task.to_owned()))
            .cloned()
            .unwrap_or_default();
        Ok(lines.into_iter().rev().take(n).rev().collect())
    }

    async fn streams(&self, group: &str, prefix: &str) -> ApiResult<Vec<String>> {
        self.calls.push(format!("streams {group} {prefix}"));
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

/// A Session Manager session with ID `id`.
#[must_use]
pub fn session(id: &str) -> Session {
    Session {
        session_id: id.into(),
        stream_url: format!("wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/{id}"),
        token: format!("tok-{id}"),
    }
}

/// SSM: every port forward starts (session `pf-LOCAL`); recorded.
#[derive(Debug, Default)]
pub struct FakeSsm {
    /// The calls made (`start-session TARGET REMOTE LOCAL`).
    pub calls: Calls,
}

impl SsmApi for FakeSsm {
    async fn start_port_forward(
        &self,
        target: &str,
        remote: u16,
        local: u16,
    ) -> ApiResult<Session> {
        self.calls
            .push(format!("start-session {target} {remote} {local}"));
        Ok(session(&format!("pf-{local}")))
    }
}

/// EC2: the default network (none: NoDefaultVpc) and public IPs by network
/// interface.
#[derive(Debug, Default)]
pub struct FakeEc2 {
    /// The default VPC and subnets.
    pub network: Option<DefaultNetwork>,
    /// Public IPs by ENI ID.
    pub public_ips: BTreeMap<String, String>,
}

impl Ec2Api for FakeEc2 {
    async fn default_network(&self) -> ApiResult<DefaultNetwork> {
        self.network
            .clone()
            .ok_or_else(|| ApiError::new("NoDefaultVpc", "no default VPC"))
    }

    async fn public_ip(&self, eni: &str) -> ApiResult<Option<String>> {
        Ok(self.public_ips.get(eni).cloned())
    }
}

/// An item of [`FakeDynamoDb`]: attribute → value.
pub type Item = BTreeMap<String, String>;

/// Scripted DynamoDB: existing tables (adoption, `copy-table`; a name in
/// `errors` fails with its error), deletes (`down --delete-data`), the
/// local environment's `ListTables`/`CreateTable`, and `copy-table`'s
/// Scan pages of 30 and BatchWriteItem.
#[derive(Debug, Default)]
pub struct FakeDynamoDb {
    /// Tables by name.
    pub tables: BTreeMap<String, LiveTable>,
    /// Names whose look-up fails.
    pub errors: BTreeMap<String, ApiError>,
    /// Table deletes are refused (AccessDeniedException).
    pub deny_deletes: bool,
    /// What `ListTables` answers (`CreateTable` adds to it).
    pub names: RefCell<Vec<String>>,
    /// The tables created, in order.
    pub created: RefCell<Vec<String>>,
    /// The items any Scan reads (the start key is the index).
    pub items: Vec<Item>,
    /// The items written.
    pub written: RefCell<Vec<Item>>,
    /// Unprocessed answers: how many of the next batch to refuse.
    pub refuse: RefCell<Vec<usize>>,
    /// The size of each BatchWriteItem.
    pub batches: RefCell<Vec<usize>>,
    /// The calls made (`table NAME`, `delete-table NAME`).
    pub calls: Calls,
}

impl DynamoDbApi for FakeDynamoDb {
    type Item = Item;

    async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>> {
        self.calls.push(format!("table {name}"));
        if let Some(e) = self.errors.get(name) {
            return Err(e.clone());
        }
        Ok(self.tables.get(name).cloned())
    }

    async fn delete_table(&self, name: &str) -> ApiResult<()> {
        self.calls.push(format!("delete-table {name}"));
        if self.deny_deletes {
            return Err(ApiError::new("AccessDeniedException", "not allowed"));
        }
        Ok(())
    }

    async fn list_tables(&self) -> ApiResult<Vec<String>> {
        Ok(self.names.borrow().clone())
    }

    async fn create_table(&self, table: &Table) -> ApiResult<()> {
        self.names.borrow_mut().push(table.physical_name.clone());
        self.created.borrow_mut().push(table.physical_name.clone());
        Ok(())
    }

    async fn scan(&self, _: &str, start: Option<Item>) -> ApiResult<(Vec<Item>, Option<Item>)> {
        let from: usize = start.map_or(0, |s| s["i"].parse().unwrap_or(0));
        let to = (from + 30).min(self.items.len());
        let next = (to < self.items.len()).then(|| Item::from([("i".into(), to.to_string())]));
        Ok((self.items[from..to].to_vec(), next))
    }

    async fn put_batch(&self, _: &str, items: Vec<Item>) -> ApiResult<Vec<Item>> {
        assert!(items.len() <= 25, "BatchWriteItem takes at most 25 items");
        self.batches.borrow_mut().push(items.len());
        let refuse = self.refuse.borrow_mut().pop().unwrap_or(0).min(items.len());
        let (done, left) = items.split_at(items.len() - refuse);
        self.written.borrow_mut().extend(done.iter().cloned());
        Ok(left.to_vec())
    }

    fn has(item: &Item, attribute: &str) -> bool {
        item.contains_key(attribute)
    }
}

/// EFS: deletes recorded.
#[derive(Debug, Default)]
pub struct FakeEfs {
    /// The calls made (`delete-file-system ID`).
    pub calls: Calls,
}

impl EfsApi for FakeEfs {
    async fn delete_file_system(&self, id: &str) -> ApiResult<()> {
        self.calls.push(format!("delete-file-system {id}"));
        Ok(())
    }
}

/// ElastiCache: replication groups (adoption; an ID in `errors` fails with
/// its error); each group has one snapshot `GROUP-final`; deletes recorded.
#[derive(Debug, Default)]
pub struct FakeElastiCache {
    /// Replication groups by ID.
    pub redis: BTreeMap<String, LiveReplicationGroup>,
    /// IDs whose look-up fails.
    pub errors: BTreeMap<String, ApiError>,
    /// The calls made (`redis ID`, `describe-snapshots GROUP`, `delete-snapshot NAME`).
    pub calls: Calls,
}

impl ElastiCacheApi for FakeElastiCache {
    async fn replication_group(&self, id: &str) -> ApiResult<Option<LiveReplicationGroup>> {
        self.calls.push(format!("redis {id}"));
        if let Some(e) = self.errors.get(id) {
            return Err(e.clone());
        }
        Ok(self.redis.get(id).cloned())
    }

    async fn snapshots(&self, group: &str) -> ApiResult<Vec<String>> {
        self.calls.push(format!("describe-snapshots {group}"));
        Ok(vec![format!("{group}-final")])
    }

    async fn delete_snapshot(&self, name: &str) -> ApiResult<()> {
        self.calls.push(format!("delete-snapshot {name}"));
        Ok(())
    }
}

/// S3 for templates: buckets are made, uploads recorded; `deny` refuses.
#[derive(Debug, Default)]
pub struct FakeS3 {
    /// The calls made.
    pub calls: Calls,
    /// Every bucket is refused (AccessDenied).
    pub deny: bool,
}

impl S3Api for FakeS3 {
    async fn ensure_bucket(&self, bucket: &str, region: &str) -> ApiResult<bool> {
        self.calls.push(format!("ensure {bucket} {region}"));
        if self.deny {
            return Err(ApiError::new("AccessDenied", "Access Denied"));
        }
        Ok(true)
    }
    async fn upload(&self, bucket: &str, key: &str, body: &str) -> ApiResult<()> {
        self.calls
            .push(format!("upload {bucket} {key} {}", body.len()));
        Ok(())
    }
}

/// ECR: repositories in `existing` exist, others are created; images have
/// digest `sha256:abc` unless `no_digest` (with `tags`: only those
/// repository tags have one); repository `broken` is refused.
#[derive(Debug, Default)]
pub struct FakeEcr {
    /// The repositories that exist.
    pub existing: Vec<String>,
    /// When set, the only (repository, tag) pairs that have an image.
    pub tags: Option<Vec<(String, String)>>,
    /// The calls made.
    pub calls: Calls,
    /// No image has a digest.
    pub no_digest: bool,
}

impl EcrApi for FakeEcr {
    async fn ensure_repository(&self, name: &str, project: &str) -> ApiResult<Repository> {
        self.calls.push(format!("ensure {name} {project}"));
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
        self.calls.push("login".into());
        Ok(Login {
            user: "AWS".into(),
            password: "s3cret".into(),
            endpoint: "https://1.dkr.ecr.r.amazonaws.com".into(),
        })
    }
    async fn image_digest(&self, repository: &str, tag: &str) -> ApiResult<Option<String>> {
        self.calls.push(format!("digest {repository}:{tag}"));
        if repository == "broken" {
            return Err(ApiError::new("AccessDenied", "no"));
        }
        let tagged = self
            .tags
            .as_ref()
            .is_none_or(|t| t.iter().any(|(r, g)| r == repository && g == tag));
        Ok((tagged && !self.no_digest).then(|| "sha256:abc".to_owned()))
    }
}

/// Route 53: hosted zones and record sets as an account has them.
#[derive(Debug, Default)]
pub struct FakeRoute53 {
    /// The hosted zones.
    pub zones: Vec<Zone>,
    /// Record sets: (zone ID, name with its trailing dot, type).
    pub records: Vec<(String, String, String)>,
}

impl Route53Api for FakeRoute53 {
    async fn zones_named(&self, name: &str) -> ApiResult<Vec<Zone>> {
        Ok(self
            .zones
            .iter()
            .filter(|z| z.name == name)
            .cloned()
            .collect())
    }
    async fn zone(&self, id: &str) -> ApiResult<Option<Zone>> {
        Ok(self
            .zones
            .iter()
            .find(|z| z.id.trim_start_matches("/hostedzone/") == id)
            .cloned())
    }
    async fn record_exists(&self, zone_id: &str, name: &str, kind: &str) -> ApiResult<bool> {
        Ok(self
            .records
            .iter()
            .any(|(z, n, k)| z == zone_id && n == name && k == kind))
    }
}

/// ACM: certificates by ARN.
#[derive(Debug, Default)]
pub struct FakeAcm {
    /// (ARN, certificate).
    pub certificates: Vec<(String, Certificate)>,
}

impl AcmApi for FakeAcm {
    async fn certificate(&self, arn: &str) -> ApiResult<Option<Certificate>> {
        Ok(self
            .certificates
            .iter()
            .find(|(a, _)| a == arn)
            .map(|(_, c)| c.clone()))
    }
}
