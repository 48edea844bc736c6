//! `exec`, `tunnel`, `logs` and the local environment (`local`, and `up` /
//! `down` with an `ecs=false` env file): render the project, connect, and
//! hand over to [`crate::operate::flow`] or [`crate::local::run`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::args::{Command, ProjectArgs, RegionArgs};
use super::envfile::EnvFile;
use super::exit;
use super::pipeline::{self, Rendered};
use crate::cfn::Format;
use crate::deploy::Failure;
use crate::diagnostic::Diagnostics;
use crate::local::{self, LocalSettings, docker::DockerCli, dynamodb::LocalDynamoDb, run};
use crate::operate::flow::{self, Context, Follower, SshOptions, System};
use crate::operate::logs;
use crate::operate::sdk::Operate;
use crate::operate::ssh::{self, Forward};
use crate::source::SourceMap;

/// Test-only: create the local tables on this endpoint instead of DynamoDB
/// Local's port (docs/operate.md).
pub(super) const DYNAMODB_ENDPOINT_VAR: &str = "C2CFN_LOCAL_DYNAMODB_ENDPOINT";

/// True when the env files mark a local environment (`ecs=false`).
pub(super) fn is_local(project: &ProjectArgs) -> bool {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    project
        .env_files
        .iter()
        .filter_map(|p| EnvFile::read(p, &mut sources, &mut diags))
        .filter_map(|e| e.get("ecs").map(|v| v == "false"))
        .next_back()
        .unwrap_or(false)
}

fn report(err: &mut dyn Write, f: &Failure) -> i32 {
    let _ = writeln!(err, "error: {}", f.message);
    if let Some(h) = &f.hint {
        let _ = writeln!(err, "help: {h}");
    }
    f.code
}

fn render(project: &ProjectArgs, err: &mut dyn Write) -> Result<Rendered, i32> {
    let mut sources = SourceMap::new();
    pipeline::render(project, Format::Yaml, &mut sources, err)
}

fn local_setup(rendered: &Rendered, deps_only: bool) -> (local::LocalPlan, run::Options) {
    let port = |key: &str, default: u16| {
        rendered
            .env(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let base = rendered
        .env_files
        .last()
        .and_then(|e| e.path.parent().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let base = std::path::absolute(&base).unwrap_or(base);
    let settings = LocalSettings {
        dynamodb_port: port("dynamodb_port", 8000),
        redis_port: port("redis_port", 6379),
        state_dir: local::plan::default_state_dir(&base, &rendered.stack_name()),
        region: rendered
            .env("aws_region")
            .unwrap_or_else(|| "us-east-1".to_owned()),
    };
    let plan = local::plan(&rendered.stack, &settings);
    let wait = std::env::var("C2CFN_LOCAL_WAIT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(60), Duration::from_secs);
    let options = run::Options {
        user_files: rendered
            .compose_files
            .iter()
            .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
            .collect(),
        deps_only,
        wait,
        dynamodb_endpoint: std::env::var(DYNAMODB_ENDPOINT_VAR)
            .ok()
            .filter(|v| !v.is_empty()),
    };
    (plan, options)
}

/// `c2cfn local [--with-app]` and `c2cfn up` with `ecs=false`.
pub(super) fn local(
    project: &ProjectArgs,
    deps_only: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let rendered = match render(project, err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let (plan, options) = local_setup(&rendered, deps_only);
    let region = plan
        .host_environment
        .get("AWS_REGION")
        .cloned()
        .unwrap_or_else(|| "us-east-1".to_owned());
    let mut tables = |endpoint: &str| -> run::OpenTables {
        Ok(Box::new(LocalDynamoDb::new(endpoint, &region)?))
    };
    match run::up(&plan, &options, &mut DockerCli, &mut tables, out, err) {
        Ok(()) => exit::OK,
        Err(e) => report(
            err,
            &Failure::refused(e, "see docs/operate.md, \"The local environment\""),
        ),
    }
}

/// `c2cfn down` with `ecs=false`.
pub(super) fn local_down(project: &ProjectArgs, err: &mut dyn Write) -> i32 {
    let rendered = match render(project, err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let (plan, options) = local_setup(&rendered, false);
    match run::down(&plan, &options, &mut DockerCli, err) {
        Ok(()) => exit::OK,
        Err(e) => report(
            err,
            &Failure::refused(e, "see docs/operate.md, \"The local environment\""),
        ),
    }
}

/// `exec`, `tunnel` and `logs`.
pub(super) fn execute(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let project = match command {
        Command::Exec { project, .. }
        | Command::Tunnel { project, .. }
        | Command::Logs { project, .. } => project.project(),
        _ => return exit::USAGE,
    };
    let rendered = match render(&project, err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if let Command::Tunnel {
        service, forwards, ..
    } = command
        && rendered.env("ecs").as_deref() == Some("false")
    {
        return match local_tunnel(&rendered, service.as_deref(), forwards, out) {
            Ok(()) => exit::OK,
            Err(f) => report(err, &f),
        };
    }
    let runtime = match super::runtime(err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match runtime.block_on(run(command, &rendered, out, err)) {
        Ok(code) => code,
        Err(f) => report(err, &f),
    }
}

fn forwards(rendered: &Rendered, given: &[String]) -> Result<Vec<Forward>, Failure> {
    let texts: Vec<String> = if given.is_empty() {
        rendered
            .env("tunnel_ports")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    } else {
        given.to_vec()
    };
    if texts.is_empty() {
        return Err(Failure::refused(
            "no ports to forward",
            "pass -L LOCAL:REMOTE (e.g. -L 5000:4005) or set `tunnel_ports=5000:4005,5001:4006` in the env file",
        ));
    }
    texts
        .iter()
        .map(|t| {
            ssh::parse_forward(t)
                .map_err(|e| Failure::refused(e, "write LOCAL:REMOTE, e.g. 5000:4005"))
        })
        .collect()
}

fn service_names(rendered: &Rendered) -> Vec<String> {
    rendered
        .stack
        .services
        .iter()
        .map(|s| s.name.clone())
        .collect()
}

/// A local environment: the containers publish their ports; say where.
fn local_tunnel(
    rendered: &Rendered,
    named: Option<&str>,
    given: &[String],
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let services: Vec<String> = rendered.project.services.keys().cloned().collect();
    let service = crate::operate::target::service(&services, named)
        .map_err(|e| Failure::refused(e.to_string(), "name the service as the first argument"))?;
    let ports = &rendered.project.services[service].ports;
    for f in forwards(rendered, given)? {
        let published = ports
            .iter()
            .find(|p| p.target == f.remote)
            .and_then(|p| p.published);
        let Some(published) = published else {
            return Err(Failure::refused(
                format!(
                    "local environment: service `{service}` publishes no host port for container port {}",
                    f.remote
                ),
                format!(
                    "add `ports: [\"127.0.0.1:{}:{}\"]` to `{service}` (a local override file is enough) and run `c2cfn up` again",
                    f.local, f.remote
                ),
            ));
        };
        let _ = writeln!(
            out,
            "{service} port {}: connect to 127.0.0.1:{published} (local container, no tunnel needed)",
            f.remote
        );
    }
    Ok(())
}

async fn connect(
    rendered: &Rendered,
    aws: &RegionArgs,
) -> Result<(Operate, Option<String>), Failure> {
    let profile = aws
        .aws_profile
        .clone()
        .or_else(|| rendered.env("aws_profile"));
    let region = aws.region.clone().or_else(|| rendered.env("aws_region"));
    let api = Operate::connect(profile.as_deref(), region.as_deref())
        .await
        .map_err(|e| Failure::refused(e, "see docs/deploy.md, \"Credentials and region\""))?;
    Ok((api, profile))
}

fn context(rendered: &Rendered, api: &Operate, profile: Option<String>) -> Context {
    Context {
        stack: rendered.stack_name(),
        region: api.region.clone(),
        profile,
        ssm_endpoint: api.ssm_endpoint(),
        metadata_cluster: rendered
            .value
            .pointer("/Metadata/Cluster")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        services: service_names(rendered),
    }
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

async fn run(
    command: &Command,
    rendered: &Rendered,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    match command {
        Command::Exec {
            aws,
            service,
            container,
            task,
            command,
            ..
        } => {
            let (api, profile) = connect(rendered, aws).await?;
            let ctx = context(rendered, &api, profile);
            let at = flow::locate(&api, &ctx, service.as_deref(), task.as_deref()).await?;
            let command = if command.is_empty() {
                "/bin/sh".to_owned()
            } else {
                command.join(" ")
            };
            // Ctrl-C belongs to the remote shell: the plugin forwards it, and
            // c2cfn must outlive it (as the AWS CLI ignores SIGINT).
            #[cfg(unix)]
            let _sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
            flow::exec(
                &api,
                &mut System,
                &ctx,
                &at,
                container.as_deref(),
                &command,
                err,
            )
            .await
        }
        Command::Tunnel {
            aws,
            service,
            forwards: given,
            container,
            task,
            ssh,
            ssh_user,
            ssh_key,
            ssh_config,
            ..
        } => {
            let forwards = forwards(rendered, given)?;
            let (api, profile) = connect(rendered, aws).await?;
            let ctx = context(rendered, &api, profile);
            let at = flow::locate(&api, &ctx, service.as_deref(), task.as_deref()).await?;
            if *ssh {
                let config = match ssh_config {
                    Some(p) => p.clone(),
                    None => std::env::var_os("HOME")
                        .map(PathBuf::from)
                        .ok_or_else(|| {
                            Failure::refused("HOME is not set", "pass --ssh-config PATH")
                        })?
                        .join(".ssh/config"),
                };
                let options = SshOptions {
                    user: ssh_user.clone(),
                    key: ssh_key.clone(),
                    config,
                };
                flow::tunnel_ssh(&mut System, &ctx, &at, &options, &forwards, ctrl_c(), err).await
            } else {
                flow::tunnel_ssm(
                    &api,
                    &mut System,
                    &ctx,
                    &at,
                    container.as_deref(),
                    &forwards,
                    ctrl_c(),
                    err,
                )
                .await
            }
        }
        Command::Logs {
            aws,
            services,
            follow,
            since,
            tail,
            ..
        } => {
            let known = service_names(rendered);
            let wanted: Vec<String> = if services.is_empty() {
                known
            } else {
                for s in services {
                    crate::operate::target::service(&known, Some(s)).map_err(|e| {
                        Failure::refused(e.to_string(), "name services of the project")
                    })?;
                }
                services.clone()
            };
            let start = match since {
                Some(s) => {
                    let d = logs::parse_since(s)
                        .map_err(|e| Failure::refused(e, "e.g. --since 10m"))?;
                    Some(now_ms() - i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                }
                None => None,
            };
            let (api, _) = connect(rendered, aws).await?;
            let stack = rendered.stack_name();
            let events = flow::fetch_logs(&api, &stack, &wanted, start).await?;
            let mut follower = Follower::default();
            let fresh = follower.fresh(events);
            let first = logs::interleave(fresh, *tail);
            let mut width = 0;
            flow::print_events(out, &first, &mut width);
            let _ = out.flush();
            if !*follow {
                return Ok(exit::OK);
            }
            let poll = std::env::var("C2CFN_POLL_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(Duration::from_secs(2), Duration::from_millis);
            let mut since_ms = follower.last.or(start).unwrap_or_else(now_ms);
            loop {
                tokio::select! {
                    () = ctrl_c() => return Ok(exit::OK),
                    () = tokio::time::sleep(poll) => {}
                }
                let events = flow::fetch_logs(&api, &stack, &wanted, Some(since_ms)).await?;
                let fresh = follower.fresh(events);
                flow::print_events(out, &fresh, &mut width);
                let _ = out.flush();
                since_ms = follower.last.unwrap_or(since_ms);
            }
        }
        _ => Ok(exit::USAGE),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
