//! `exec`, `tunnel`, `logs` and the local environment (`local`, and `up` /
//! `down` with an `ecs=false` env file): render the project, connect, and
//! hand over to [`crate::operate::flow`] or [`crate::local::run`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::args::{Command, ProjectArgs, RegionArgs};
use super::exit;
use super::pipeline::{self, Rendered};
use super::settings::Settings as Resolved;
use super::stack::{self, Operating};
use crate::aws::Clients as Operate;
use crate::aws::dynamodb::BlockingDynamoDb;
use crate::deploy::Failure;
use crate::diagnostic::Diagnostics;
use crate::local::{self, LocalSettings, docker::DockerCli, run};
use crate::operate::flow::{self, Context, Follower, SshOptions, System};
use crate::operate::logs;
use crate::operate::ssh::{self, Forward};
use crate::source::SourceMap;

/// Test-only: create the local tables on this endpoint instead of DynamoDB
/// Local's port (docs/operate.md).
pub(super) const DYNAMODB_ENDPOINT_VAR: &str = "C2CFN_LOCAL_DYNAMODB_ENDPOINT";

/// True when `ecs` resolves to `false` (a local environment), through the
/// same precedence as every setting (shell over env files).
pub(super) fn is_local(project: &ProjectArgs) -> bool {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let (_, resolved) = pipeline::read_settings(project, &mut sources, &mut diags);
    !resolved.is_ecs()
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
    let mut sources = SourceMap::new();
    pipeline::render_local(project, &mut sources, err)
}

fn local_setup(
    rendered: &Rendered,
    command: &str,
    services: &[String],
    deps_only: bool,
) -> (local::LocalPlan, run::Options) {
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
        command: command.to_owned(),
        user_files: rendered
            .compose_files
            .iter()
            .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
            .collect(),
        deps_only,
        services: services.to_vec(),
        wait,
        dynamodb_endpoint: std::env::var(DYNAMODB_ENDPOINT_VAR)
            .ok()
            .filter(|v| !v.is_empty()),
    };
    (plan, options)
}

/// The ECR registries the app's images come from (`image:` of services
/// not built from source), with their regions.
fn ecr_registries(rendered: &Rendered, services: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, service) in &rendered.project.services {
        if !services.is_empty() && !services.contains(name) {
            continue;
        }
        let Some(image) = service.image.as_ref().map(|i| i.value.as_str()) else {
            continue;
        };
        let host = image.split('/').next().unwrap_or_default();
        // ACCOUNT.dkr.ecr.REGION.amazonaws.com
        let parts: Vec<&str> = host.split('.').collect();
        if image.contains('/')
            && parts.len() >= 6
            && parts[1] == "dkr"
            && parts[2] == "ecr"
            && host.ends_with(".amazonaws.com")
            && !out.iter().any(|(h, _)| h == host)
        {
            out.push((host.to_owned(), parts[3].to_owned()));
        }
    }
    out
}

/// `docker login` credentials for each ECR registry of the app (AWS
/// credentials as for the deploy commands); a registry that cannot be
/// reached gets a warning: docker compose then pulls only if an earlier
/// login or a local copy of the image allows it.
fn ecr_logins(
    rendered: &Rendered,
    services: &[String],
    command: &str,
    err: &mut dyn Write,
) -> Vec<run::RegistryLogin> {
    let registries = ecr_registries(rendered, services);
    if registries.is_empty() {
        return Vec::new();
    }
    let Ok(runtime) = super::runtime(err) else {
        return Vec::new();
    };
    let profile = rendered.env("aws_profile");
    let mut logins = Vec::new();
    for (host, region) in registries {
        let login = runtime.block_on(async {
            let aws = crate::aws::Clients::connect(profile.as_deref(), Some(&region))
                .await
                .map_err(|e| e.to_string())?;
            crate::deploy::registry::RegistryApi::login(&aws.ecr)
                .await
                .map_err(|e| e.to_string())
        });
        match login {
            Ok(l) => logins.push(run::RegistryLogin {
                endpoint: format!("https://{host}"),
                user: l.user,
                password: l.password,
            }),
            Err(e) => {
                let _ = writeln!(
                    err,
                    "warning: c2cfn {command}: cannot log in to ECR registry {host}: {e}\nhelp: the app's image comes from there; set AWS credentials (`aws_profile` in the env file, AWS_PROFILE) or pull it yourself"
                );
            }
        }
    }
    logins
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
    let mut tables = |endpoint: &str| -> run::OpenTables {
        Ok(Box::new(
            BlockingDynamoDb::local(endpoint, &region).map_err(run::LocalError::Runtime)?,
        ))
    };
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

fn forwards(resolved: &Resolved, given: &[String]) -> Result<Vec<Forward>, Failure> {
    let texts: Vec<String> = if given.is_empty() {
        resolved
            .get("tunnel_ports")
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
                .map_err(|e| Failure::refused(e.to_string(), "write LOCAL:REMOTE, e.g. 5000:4005"))
        })
        .collect()
}

/// The services and the `Metadata.Cluster` of the project: from the
/// rendered project, else from the deployed template.
async fn project_services(
    op: &Operating,
    api: &Operate,
) -> Result<(Vec<String>, Option<String>), Failure> {
    let cluster = |template: &serde_json::Value| {
        template
            .pointer("/Metadata/Cluster")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    if let Some(rendered) = &op.rendered {
        let names = rendered
            .stack
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect();
        return Ok((names, cluster(&rendered.value)));
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
        cluster(&template),
    ))
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
    for f in forwards(&rendered.resolved, given)? {
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
            let (api, profile) = connect(&op.resolved, aws).await?;
            let ctx = context(op, &api, profile).await?;
            if let Some(s) = service {
                super::services::check(std::slice::from_ref(s), &ctx.services, "exec")?;
            }
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
            let forwards = forwards(&op.resolved, given)?;
            let (api, profile) = connect(&op.resolved, aws).await?;
            let ctx = context(op, &api, profile).await?;
            if let Some(s) = service {
                super::services::check(std::slice::from_ref(s), &ctx.services, "tunnel")?;
            }
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
            let start = match since {
                Some(s) => {
                    let d = logs::parse_since(s)
                        .map_err(|e| Failure::refused(e.to_string(), "e.g. --since 10m"))?;
                    Some(now_ms() - i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                }
                None => None,
            };
            let (api, _) = connect(&op.resolved, aws).await?;
            let (known, _) = project_services(op, &api).await?;
            super::services::check(services, &known, "logs")?;
            let wanted = if services.is_empty() {
                known
            } else {
                services.clone()
            };
            let stack = op.stack.clone();
            let events = flow::fetch_logs(&api.logs, &stack, &wanted, start).await?;
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
                let events = flow::fetch_logs(&api.logs, &stack, &wanted, Some(since_ms)).await?;
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
