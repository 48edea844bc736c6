//! The flows of `exec`, `tunnel` and `logs`: find the task, open sessions,
//! run the Session Manager plugin or `ssh`, clean up. AWS is reached through
//! the service traits of [`crate::aws`] (CloudFormation, ECS, EC2, SSM,
//! CloudWatch Logs), other programs through [`Programs`], so every command
//! line is asserted exactly by the tests below.

use std::collections::HashSet;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use super::logs::{self, Event};
use super::session::{self, MISSING_PLUGIN, PLUGIN};
use super::ssh::{self, Forward};
use super::target::{self, TargetError, Task};
use crate::aws::cloudformation::CloudFormationApi;
use crate::aws::ec2::Ec2Api;
use crate::aws::ecs::EcsApi;
use crate::aws::logs::{LogEvent, LogsApi};
use crate::aws::ssm::SsmApi;
use crate::aws::{ApiError, ApiResult};
use crate::cfn::logical_id;
use crate::deploy::Failure;

/// A program started in the background (a plugin session, `ssh`).
pub trait Child {
    /// True once it has exited.
    fn exited(&mut self) -> bool;
    /// Stops it (if still running) and reaps it.
    fn stop(&mut self);
}

/// Runs other programs: in the foreground with the terminal, or in the
/// background.
pub trait Programs {
    /// Runs `program args…` with the terminal; returns its exit status.
    fn run(&mut self, program: &str, args: &[String]) -> std::io::Result<ExitStatus>;
    /// Starts `program args…` in the background.
    fn spawn(&mut self, program: &str, args: &[String]) -> std::io::Result<Box<dyn Child>>;
}

/// The real programs, through `std::process`.
#[derive(Debug, Default)]
pub struct System;

struct SystemChild(std::process::Child);

impl Child for SystemChild {
    fn exited(&mut self) -> bool {
        !matches!(self.0.try_wait(), Ok(None))
    }
    fn stop(&mut self) {
        // Ctrl-C reached the children too (same process group): give them a
        // moment to close their sessions, then end them.
        for _ in 0..20 {
            if self.exited() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Programs for System {
    fn run(&mut self, program: &str, args: &[String]) -> std::io::Result<ExitStatus> {
        std::process::Command::new(program).args(args).status()
    }
    fn spawn(&mut self, program: &str, args: &[String]) -> std::io::Result<Box<dyn Child>> {
        let child = std::process::Command::new(program).args(args).spawn()?;
        Ok(Box::new(SystemChild(child)))
    }
}

/// Where the stack runs and how the plugin reaches SSM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Stack name.
    pub stack: String,
    /// Region.
    pub region: String,
    /// `--aws-profile` / `aws_profile` (passed to the plugin).
    pub profile: Option<String>,
    /// SSM endpoint passed to the plugin.
    pub ssm_endpoint: String,
    /// `Metadata.Cluster` of the template (`x-aws-cluster`), if any.
    pub metadata_cluster: Option<String>,
    /// The compose services, in order.
    pub services: Vec<String>,
}

/// The task chosen for a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Cluster name.
    pub cluster: String,
    /// Compose service name.
    pub service: String,
    /// The task.
    pub task: Task,
}

fn api_failure(what: &str, e: &ApiError) -> Failure {
    let mut f = Failure::api(what, e);
    f.hint = Some(
        "check the AWS credentials and region (--aws-profile, --region, the env file); `c2cfn ps` shows the stack".into(),
    );
    f
}

fn target_failure(e: &TargetError) -> Failure {
    let hint = match e {
        TargetError::WhichService(_) | TargetError::UnknownService { .. } => {
            "name the service as the first argument"
        }
        TargetError::NoTask(_) => "wait for the service to start tasks, or check `c2cfn ps`",
        TargetError::Task(_) => "`--task PREFIX` picks a task by the start of its ID",
        TargetError::UnknownContainer { .. } => "`--container NAME` picks one of those",
        TargetError::ExecDisabled(_) => "tasks started after `c2cfn up` have it",
    };
    Failure::refused(e.to_string(), hint)
}

/// The running tasks of a service: ECS's `ListTasks` + `DescribeTasks`
/// (IDs, container runtime IDs, ENI, exec flag), then EC2's
/// `DescribeNetworkInterfaces` for each ENI (public IP).
pub async fn tasks(
    ecs: &impl EcsApi,
    ec2: &impl Ec2Api,
    cluster: &str,
    service: &str,
) -> ApiResult<Vec<Task>> {
    let mut tasks = Vec::new();
    for t in ecs.running_tasks(cluster, service).await? {
        let public_ip = match &t.eni {
            Some(eni) => ec2.public_ip(eni).await?,
            None => None,
        };
        tasks.push(Task {
            id: t.id,
            containers: t.containers,
            public_ip,
            private_ip: t.private_ip,
            exec_enabled: t.exec_enabled,
        });
    }
    Ok(tasks)
}

/// Finds the cluster, the ECS service and a running task of `named`.
pub async fn locate(
    cfn: &impl CloudFormationApi,
    ecs: &impl EcsApi,
    ec2: &impl Ec2Api,
    ctx: &Context,
    named: Option<&str>,
    task_prefix: Option<&str>,
) -> Result<Located, Failure> {
    let service = target::service(&ctx.services, named)
        .map_err(|e| target_failure(&e))?
        .to_owned();
    let resources = match cfn.list_stack_resources(&ctx.stack).await {
        Ok(r) => r,
        Err(e) if e.is_not_found() => {
            return Err(Failure::refused(
                format!(
                    "stack {} does not exist in region {}",
                    ctx.stack, ctx.region
                ),
                "`c2cfn up` deploys it; check --region and the env file's `app_cluster`",
            ));
        }
        Err(e) => return Err(api_failure("cannot list the stack's resources", &e)),
    };
    let physical = |logical: &str| {
        resources
            .iter()
            .find(|r| r.logical_id == logical)
            .map(|r| r.physical_id.clone())
            .filter(|p| !p.is_empty())
    };
    let cluster = ctx
        .metadata_cluster
        .clone()
        .or_else(|| physical(crate::cfn::names::CLUSTER_ID))
        .ok_or_else(|| {
            Failure::refused(
                format!("stack {} has no ECS cluster", ctx.stack),
                "the stack is not one c2cfn deployed, or its creation failed; see `c2cfn ps`",
            )
        })?;
    let cluster = cluster.rsplit('/').next().unwrap_or(&cluster).to_owned();
    let ecs_service = physical(&logical_id::service(&service)).ok_or_else(|| {
        Failure::refused(
            format!("stack {} has no ECS service for `{service}`", ctx.stack),
            "deploy the current project with `c2cfn up` first",
        )
    })?;
    // The physical ID is the service ARN; ListTasks takes its name.
    let ecs_service = ecs_service.rsplit('/').next().unwrap_or(&ecs_service);
    let tasks = tasks(ecs, ec2, &cluster, ecs_service)
        .await
        .map_err(|e| api_failure("cannot list the service's tasks", &e))?;
    let task = target::task(&service, &tasks, task_prefix)
        .map_err(|e| target_failure(&e))?
        .clone();
    Ok(Located {
        cluster,
        service,
        task,
    })
}

fn plugin_failure(e: &std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::NotFound {
        Failure::refused(MISSING_PLUGIN, "then run the command again")
    } else {
        Failure::refused(
            format!("cannot run `{PLUGIN}`: {e}"),
            "check the plugin installation",
        )
    }
}

/// `c2cfn exec`: ExecuteCommand, then the plugin in the foreground; returns
/// the plugin's exit code.
pub async fn exec(
    ecs: &impl EcsApi,
    programs: &mut dyn Programs,
    ctx: &Context,
    at: &Located,
    container: Option<&str>,
    command: &str,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let (name, runtime) =
        target::container(&at.task, &at.service, container).map_err(|e| target_failure(&e))?;
    if !at.task.exec_enabled {
        return Err(target_failure(&TargetError::ExecDisabled(
            at.task.id.clone(),
        )));
    }
    let session = ecs
        .execute_command(&at.cluster, &at.task.id, name, command)
        .await
        .map_err(|e| {
            if e.message.contains("execute command") && e.message.contains("enabled") {
                target_failure(&TargetError::ExecDisabled(at.task.id.clone()))
            } else {
                api_failure("ECS ExecuteCommand failed", &e)
            }
        })?;
    let _ = writeln!(
        err,
        "c2cfn exec: {} task {} container {name}: {command}",
        at.service,
        target::short(&at.task.id)
    );
    let target = session::ecs_target(&at.cluster, &at.task.id, runtime);
    let args = session::plugin_args(
        &session,
        &ctx.region,
        ctx.profile.as_deref(),
        &session::exec_request(&target),
        &ctx.ssm_endpoint,
    );
    let status = programs
        .run(PLUGIN, &args)
        .map_err(|e| plugin_failure(&e))?;
    Ok(status.code().unwrap_or(1))
}

/// Waits until `stop` resolves (Ctrl-C: `None`) or a child exits (its index).
pub async fn wait(
    children: &mut [Box<dyn Child>],
    stop: impl Future<Output = ()>,
) -> Option<usize> {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return None,
            () = tokio::time::sleep(Duration::from_millis(200)) => {
                if let Some(i) = children.iter_mut().position(|c| c.exited()) {
                    return Some(i);
                }
            }
        }
    }
}

fn stop_all(children: &mut [Box<dyn Child>]) {
    for c in children {
        c.stop();
    }
}

/// `c2cfn tunnel` through Session Manager: one StartSession and one plugin
/// per forward, all stopped on Ctrl-C or when one ends.
#[allow(clippy::too_many_arguments)] // the flow's inputs, each of another kind
pub async fn tunnel_ssm(
    ssm: &impl SsmApi,
    programs: &mut dyn Programs,
    ctx: &Context,
    at: &Located,
    container: Option<&str>,
    forwards: &[Forward],
    stop: impl Future<Output = ()>,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let (name, runtime) =
        target::container(&at.task, &at.service, container).map_err(|e| target_failure(&e))?;
    if !at.task.exec_enabled {
        return Err(target_failure(&TargetError::ExecDisabled(
            at.task.id.clone(),
        )));
    }
    let target = session::ecs_target(&at.cluster, &at.task.id, runtime);
    let mut children: Vec<Box<dyn Child>> = Vec::new();
    for f in forwards {
        let started = async {
            let session = ssm
                .start_port_forward(&target, f.remote, f.local)
                .await
                .map_err(|e| api_failure("SSM StartSession failed", &e))?;
            let args = session::plugin_args(
                &session,
                &ctx.region,
                ctx.profile.as_deref(),
                &session::port_forward_request(&target, f.remote, f.local),
                &ctx.ssm_endpoint,
            );
            programs
                .spawn(PLUGIN, &args)
                .map_err(|e| plugin_failure(&e))
        }
        .await;
        match started {
            Ok(child) => children.push(child),
            Err(e) => {
                stop_all(&mut children);
                return Err(e);
            }
        }
        let _ = writeln!(
            err,
            "c2cfn tunnel: 127.0.0.1:{} -> {} task {} container {name} port {}",
            f.local,
            at.service,
            target::short(&at.task.id),
            f.remote
        );
    }
    let _ = writeln!(err, "Press Ctrl-C to close the tunnels.");
    let ended = wait(&mut children, stop).await;
    stop_all(&mut children);
    Ok(ended_code(ended, forwards, err))
}

fn ended_code(ended: Option<usize>, forwards: &[Forward], err: &mut dyn Write) -> i32 {
    match ended {
        None => {
            let _ = writeln!(err, "c2cfn tunnel: closed.");
            0
        }
        Some(i) => {
            let f = forwards.get(i).copied();
            let what = f.map_or_else(String::new, |f| format!(" {}:{}", f.local, f.remote));
            let _ = writeln!(
                err,
                "error: the tunnel{what} ended by itself; the others were closed"
            );
            1
        }
    }
}

/// `--ssh` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshOptions {
    /// Remote user.
    pub user: String,
    /// `-i` key.
    pub key: Option<PathBuf>,
    /// The ssh_config file to add the entry to.
    pub config: PathBuf,
}

fn edit_config(path: &Path, edit: impl FnOnce(&str) -> String) -> Result<(), Failure> {
    let current = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Failure::refused(
                format!("cannot read {}: {e}", path.display()),
                "pass another file with --ssh-config",
            ));
        }
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(path, edit(&current)).map_err(|e| {
        Failure::refused(
            format!("cannot write {}: {e}", path.display()),
            "pass another file with --ssh-config",
        )
    })
}

/// The ssh_config alias of a service: `<stack>-<service>`.
#[must_use]
pub fn alias(stack: &str, service: &str) -> String {
    format!("{stack}-{service}")
}

/// `c2cfn tunnel --ssh`: `ssh -N -L…` to the task's public IP, with an
/// ssh_config entry that exists while the tunnel runs.
pub async fn tunnel_ssh(
    programs: &mut dyn Programs,
    ctx: &Context,
    at: &Located,
    options: &SshOptions,
    forwards: &[Forward],
    stop: impl Future<Output = ()>,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let Some(ip) = at.task.public_ip.clone() else {
        return Err(Failure::refused(
            format!(
                "task {} of `{}` has no public IP (private IP {})",
                target::short(&at.task.id),
                at.service,
                at.task.private_ip.as_deref().unwrap_or("unknown")
            ),
            "use the default mode (no --ssh): Session Manager needs no public IP",
        ));
    };
    let alias = alias(&ctx.stack, &at.service);
    let key = options.key.as_deref();
    edit_config(&options.config, |c| {
        ssh::add_host(c, &alias, &ip, &options.user, key)
    })?;
    let _ = writeln!(
        err,
        "c2cfn tunnel: Host {alias} ({ip}) added to {} until the tunnel closes (Emacs TRAMP: /ssh:{alias}:/)",
        options.config.display()
    );
    let args = ssh::command(&ip, &options.user, key, forwards);
    let result = match programs.spawn("ssh", &args) {
        Ok(child) => {
            for f in forwards {
                let _ = writeln!(
                    err,
                    "c2cfn tunnel: 127.0.0.1:{} -> {ip} port {}",
                    f.local, f.remote
                );
            }
            let _ = writeln!(err, "Press Ctrl-C to close the tunnel.");
            let mut children = vec![child];
            let ended = wait(&mut children, stop).await;
            stop_all(&mut children);
            Ok(ended_code(ended.map(|_| usize::MAX), forwards, err))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Failure::refused(
            "the `ssh` command was not found",
            "install an OpenSSH client, or use the default mode (no --ssh)",
        )),
        Err(e) => Err(Failure::refused(
            format!("cannot run `ssh`: {e}"),
            "check the OpenSSH client",
        )),
    };
    // Removed whatever happened, keeping edits made meanwhile.
    let removed = edit_config(&options.config, |c| ssh::remove_host(c, &alias));
    if removed.is_ok() {
        let _ = writeln!(
            err,
            "c2cfn tunnel: Host {alias} removed from {}",
            options.config.display()
        );
    }
    let code = result?;
    removed?;
    Ok(code)
}

/// The stream prefix of a service's container: `<stack>/<service>/`.
#[must_use]
pub fn stream_prefix(stack: &str, service: &str) -> String {
    crate::cfn::names::log_stream_prefix(stack, service)
}

/// The log group of a stack (`cfn::names::log_group`).
#[must_use]
pub fn log_group(stack: &str) -> String {
    crate::cfn::names::log_group(stack)
}

/// Fetches the events of `services` since `start_ms`, in time order.
pub async fn fetch_logs(
    logs: &impl LogsApi,
    stack: &str,
    services: &[String],
    start_ms: Option<i64>,
) -> Result<Vec<LogEvent>, Failure> {
    let group = log_group(stack);
    let mut streams = Vec::new();
    for s in services {
        let found = logs
            .streams(&group, &stream_prefix(stack, s))
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    Failure::refused(
                        format!("log group {group} does not exist"),
                        "`c2cfn up` creates it with the stack; check --region and `app_cluster`",
                    )
                } else {
                    api_failure("cannot list the log streams", &e)
                }
            })?;
        streams.extend(found);
    }
    if streams.is_empty() {
        return Ok(Vec::new());
    }
    let mut events = logs
        .events(&group, &streams, start_ms)
        .await
        .map_err(|e| api_failure("cannot read the log events", &e))?;
    events.sort_by(|a, b| {
        (a.event.timestamp, &a.event.stream).cmp(&(b.event.timestamp, &b.event.stream))
    });
    Ok(events)
}

/// What `--follow` has already printed: the newest timestamp and the IDs of
/// the events at it (the next poll starts there and drops repeats).
#[derive(Debug, Default)]
pub struct Follower {
    /// Newest timestamp seen.
    pub last: Option<i64>,
    seen: HashSet<String>,
}

impl Follower {
    /// Keeps the events not printed yet, and remembers them.
    pub fn fresh(&mut self, events: Vec<LogEvent>) -> Vec<Event> {
        let mut out = Vec::new();
        for e in events {
            if self.last.is_some_and(|l| e.event.timestamp < l) || self.seen.contains(&e.id) {
                continue;
            }
            if self.last.is_none_or(|l| e.event.timestamp > l) {
                self.last = Some(e.event.timestamp);
                self.seen.clear();
            }
            self.seen.insert(e.id.clone());
            out.push(e.event);
        }
        out
    }
}

/// Writes events with `docker compose logs`-style prefixes.
pub fn print_events(out: &mut dyn Write, events: &[Event], width: &mut usize) {
    for e in events {
        *width = (*width).max(logs::prefix(&e.stream).len());
    }
    for e in events {
        let _ = writeln!(out, "{}", logs::format(e, *width));
    }
}

#[cfg(test)]
mod tests;
