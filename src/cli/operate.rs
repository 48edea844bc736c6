//! `exec`, `tunnel`, `logs` and the local environment (`local`, and `up` /
//! `down` with an `ecs=false` env file): render the project, connect, and
//! hand over to [`crate::operate::flow`] or [`crate::local::run`].

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::args::{Command, ProjectArgs, RegionArgs};
use super::exit;
use super::pipeline::{self, Rendered};
use super::stack::{self, Operating};
use crate::aws::Clients as Operate;
use crate::aws::dynamodb::DynamoDb;
use crate::deploy::Failure;
use crate::diagnostic::Diagnostics;
use crate::local::setup::{ecr_logins, setup as local_setup};
use crate::local::{docker::DockerCli, run};
use crate::operate::flow::{self, Context, SshOptions, System};
use crate::operate::follow::{self, Logs};
use crate::render::{ClusterRef, names};
use crate::settings::Settings as Resolved;
use crate::source::SourceMap;

/// True when `ecs` resolves to `false` (a local environment), through the
/// same precedence as every setting (shell over env files).
pub(super) fn is_local(project: &ProjectArgs) -> bool {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    !pipeline::read_settings(project, &mut sources, &mut diags).is_ecs()
}

fn report(err: &mut dyn Write, f: &Failure) -> i32 {
    let _ = writeln!(err, "error: {}", f.message);
    if let Some(h) = &f.hint {
        let _ = writeln!(err, "help: {h}");
    }
    exit::of(f)
}

/// Renders a local environment (the AWS-only checks skipped).
fn render(project: &ProjectArgs, err: &mut dyn Write) -> Result<Rendered, i32> {
    pipeline::render_local(project, err)
}

/// `c2cfn local [--with-app]` and `c2cfn up` with `ecs=false`.
pub(super) fn local(
    project: &ProjectArgs,
    services: &[String],
    deps_only: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let command = if deps_only { "local" } else { "up" };
    let rendered = match render(project, err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let known: Vec<String> = rendered.project.services.keys().cloned().collect();
    if let Err(f) = super::services::check(services, &known, command) {
        return report(err, &f);
    }
    let (plan, options) = local_setup(&rendered, command, services, deps_only);
    // Called by run::up once docker has answered: no AWS call for a run
    // that cannot start.
    let mut logins = |err: &mut dyn Write| ecr_logins(&rendered, services, command, err);
    let region = plan
        .host_environment
        .get("AWS_REGION")
        .cloned()
        .unwrap_or_else(|| "us-east-1".to_owned());
    let mut tables =
        |endpoint: &str| -> run::OpenTables<DynamoDb> { Ok(DynamoDb::local(endpoint, &region)) };
    match run::up(
        &plan,
        &options,
        &mut DockerCli,
        &mut logins,
        &mut tables,
        out,
        err,
    ) {
        Ok(()) => exit::OK,
        Err(e) => report(err, &local_failure(command, &e)),
    }
}

/// A failure of the local environment, naming the command the user ran.
fn local_failure(command: &str, e: &run::LocalError) -> Failure {
    let e = e.to_string();
    let message = if e.starts_with("c2cfn ") {
        e
    } else {
        format!("c2cfn {command}: {e}")
    };
    Failure::refused(message, "see docs/operate.md, \"The local environment\"")
}

/// `c2cfn down` with `ecs=false`.
pub(super) fn local_down(project: &ProjectArgs, err: &mut dyn Write) -> i32 {
    let op = match stack::operating(project, "down", err) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let result = match &op.rendered {
        Some(rendered) => {
            let (plan, options) = local_setup(rendered, "down", &[], false);
            run::down(&plan, &options, &mut DockerCli, err)
        }
        // The compose file does not load: compose stops a project by name.
        None => run::down_by_name(&op.stack, &mut DockerCli, err),
    };
    match result {
        Ok(()) => exit::OK,
        Err(e) => report(err, &local_failure("down", &e)),
    }
}

/// `exec`, `tunnel` and `logs`.
pub(super) fn execute(
    command: &Command,
    project: &ProjectArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let op = match stack::operating(project, command.name(), err) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if let Command::Tunnel {
        service, forwards, ..
    } = command
        && !op.resolved.is_ecs()
    {
        let Some(rendered) = &op.rendered else {
            return report(
                err,
                &Failure::refused(
                    "local environment: the compose file could not be read, and it says which ports the containers publish",
                    "fix the compose file (`c2cfn config` shows the problems)",
                ),
            );
        };
        return match local_tunnel(rendered, service.as_deref(), forwards, out) {
            Ok(()) => exit::OK,
            Err(f) => report(err, &f),
        };
    }
    let runtime = match super::runtime(err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match runtime.block_on(run(command, &op, out, err)) {
        Ok(code) => code,
        Err(f) => report(err, &f),
    }
}

/// The services and the `Metadata.Cluster` of the project: from the
/// rendered project, else from the deployed template.
async fn project_services(
    op: &Operating,
    api: &Operate,
) -> Result<(Vec<String>, Option<String>), Failure> {
    if let Some(rendered) = &op.rendered {
        let names = rendered
            .stack
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let cluster = match &rendered.contract.cluster {
            ClusterRef::Existing(c) => Some(c.clone()),
            ClusterRef::Created(_) => None,
        };
        return Ok((names, cluster));
    }
    let template = crate::operate::target::deployed_template(&api.cloudformation, &op.stack)
        .await
        .map_err(|e| Failure::api("cannot read the deployed template (GetTemplate)", &e))?
        .ok_or_else(|| {
            Failure::refused(
                format!("stack {} does not exist in region {}", op.stack, api.region),
                "`c2cfn up` deploys it; check --region, -p and the env file's `app_cluster`",
            )
        })?;
    Ok((
        crate::operate::target::deployed_services(&template),
        names::deployed_cluster(&template),
    ))
}

/// A local environment: the containers publish their ports; say where.
fn local_tunnel(
    rendered: &Rendered,
    named: Option<&str>,
    given: &[String],
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let forwards = follow::forwards(given, &rendered.contract.tunnel_ports)?;
    let (service, ports) = crate::local::tunnel::published(&rendered.project, named, &forwards)?;
    for p in ports {
        let _ = writeln!(
            out,
            "{service} port {}: connect to 127.0.0.1:{} (local container, no tunnel needed)",
            p.container, p.host
        );
    }
    Ok(())
}

async fn connect(
    resolved: &Resolved,
    aws: &RegionArgs,
) -> Result<(Operate, Option<String>), Failure> {
    let resolved = resolved
        .clone()
        .with_flag("aws_profile", "--aws-profile", aws.aws_profile.as_deref())
        .with_flag("aws_region", "--region", aws.region.as_deref());
    let profile = resolved.get("aws_profile");
    let region = resolved.get("aws_region");
    let api = Operate::connect(profile.as_deref(), region.as_deref())
        .await
        .map_err(|e| {
            Failure::refused(
                e.to_string(),
                "see docs/deploy.md, \"Credentials and region\"",
            )
        })?;
    Ok((api, profile))
}

async fn context(
    op: &Operating,
    api: &Operate,
    profile: Option<String>,
) -> Result<Context, Failure> {
    let (services, metadata_cluster) = project_services(op, api).await?;
    Ok(Context {
        stack: op.stack.clone(),
        region: api.region.clone(),
        profile,
        ssm_endpoint: api.ssm_endpoint(),
        metadata_cluster,
        services,
    })
}

/// `exec` and `tunnel`: connects, reads the project's services and finds
/// the running task of `service` to work on.
async fn located(
    op: &Operating,
    aws: &RegionArgs,
    service: Option<&String>,
    task: Option<&str>,
    command: &str,
) -> Result<(Operate, Context, flow::Located), Failure> {
    let (api, profile) = connect(&op.resolved, aws).await?;
    let ctx = context(op, &api, profile).await?;
    if let Some(s) = service {
        super::services::check(std::slice::from_ref(s), &ctx.services, command)?;
    }
    let at = flow::locate(
        &api.cloudformation,
        &api.ecs,
        &api.ec2,
        &ctx,
        service.map(String::as_str),
        task,
    )
    .await?;
    Ok((api, ctx, at))
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

async fn run(
    command: &Command,
    op: &Operating,
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
            let (api, ctx, at) =
                located(op, aws, service.as_ref(), task.as_deref(), "exec").await?;
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
                &api.ecs,
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
            let defaults = op.resolved.typed().tunnel_ports.map(|s| s.value);
            let forwards = follow::forwards(given, defaults.as_deref().unwrap_or_default())?;
            let (api, ctx, at) =
                located(op, aws, service.as_ref(), task.as_deref(), "tunnel").await?;
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
                    &api.ssm,
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
            let start = follow::since_ms(since.as_deref(), now_ms())?;
            let (api, _) = connect(&op.resolved, aws).await?;
            let (known, _) = project_services(op, &api).await?;
            super::services::check(services, &known, "logs")?;
            let wanted = if services.is_empty() {
                known
            } else {
                services.clone()
            };
            let poll = std::env::var("C2CFN_POLL_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(Duration::from_secs(2), Duration::from_millis);
            let logs = Logs {
                stack: &op.stack,
                services: &wanted,
                tail: *tail,
                follow: *follow,
                poll,
            };
            follow::logs(&api.logs, &logs, start, now_ms(), ctrl_c(), out).await?;
            Ok(exit::OK)
        }
        _ => Ok(exit::USAGE),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
