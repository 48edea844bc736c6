//! `up`, `diff`, `down` and `ps`: render the project with the same pipeline
//! as `render`, connect to AWS, say where, resolve parameters, and hand over
//! to [`crate::deploy`]. Maps the outcome to an exit code.

use std::io::{IsTerminal as _, Write};
use std::time::Duration;

use super::args::{AwsArgs, Command, DiffFormat, FailOn, ProjectArgs, RegionArgs};
use super::exit;
use super::pipeline::{self, Rendered};
use crate::aws::Clients as Aws;
use crate::aws::cloudformation::CloudFormation as SdkCloudFormation;
use crate::cfn::Format;
use crate::deploy::adopt;
use crate::deploy::copy_table;
use crate::deploy::delete_data;
use crate::deploy::docker::DockerCli;
use crate::deploy::down::Kept;
use crate::deploy::events::Display;
use crate::deploy::failure;
use crate::deploy::inputs;
use crate::deploy::interrupt::{self, Checkpoint};
use crate::deploy::params;
use crate::deploy::plan::{Deployer, Options, Outcome};
use crate::deploy::precheck;
use crate::deploy::push::Pusher;
use crate::deploy::service_report;
use crate::deploy::template_store::{self, Staging};
use crate::deploy::ui::{self, Style, TerminalPrompt};
use crate::deploy::{Failure, Stop, status};
use crate::settings::Settings as Resolved;

/// What Ctrl-C needs to clean up: the CloudFormation client and the stack,
/// once connected.
type Cleanup = std::cell::OnceCell<(SdkCloudFormation, String)>;

/// Runs a deploy command; returns the exit code.
pub(super) fn execute(
    command: &Command,
    project: &ProjectArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let runtime = match super::runtime(err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let checkpoint = Checkpoint::default();
    let cleanup = Cleanup::new();
    let mut document = serde_json::Map::new();
    let result = runtime.block_on(async {
        let finished = tokio::select! {
            r = run(command, project, out, err, &checkpoint, &cleanup, &mut document) => Some(r),
            _ = tokio::signal::ctrl_c() => None,
        };
        // The run (and its progress line, cleared on drop) is gone here.
        if let Some(r) = finished {
            r
        } else {
            if ui::asking() {
                // The cursor is after the question and the echoed ^C.
                let _ = writeln!(out);
            }
            let stage = checkpoint.get();
            let (cfn, stack) = cleanup
                .get()
                .map_or((None, ""), |(c, s)| (Some(c), s.as_str()));
            Err(interrupt::interrupted(&stage, cfn, stack).await)
        }
    });
    let _ = out.flush();
    match result {
        Ok(code) => {
            if matches!(command, Command::Up { json: true, .. }) {
                document.insert("error".into(), serde_json::Value::Null);
                let text = serde_json::to_string_pretty(&document).unwrap_or_default();
                let _ = writeln!(out, "{text}");
            }
            code
        }
        Err(f) => {
            if matches!(command, Command::Up { json: true, .. }) {
                // One document: what was planned and done, then the error.
                let error = serde_json::json!({"message": f.message, "hint": f.hint, "exit_code": exit::of(&f)});
                document.insert("error".into(), error);
                let text = serde_json::to_string_pretty(&document).unwrap_or_default();
                let _ = writeln!(out, "{text}");
            } else if wants_json(command) {
                let _ = writeln!(out, "{}", error_json(&f));
            }
            let width = display().width;
            let _ = writeln!(err, "{}", ui::fit(&format!("error: {}", f.message), width));
            if let Some(h) = &f.hint {
                let _ = writeln!(err, "{}", ui::fit(&format!("help: {h}"), width));
            }
            exit::of(&f)
        }
    }
}

/// `ps --json`, `diff --json`, `diff --format json` or `up --json`.
fn wants_json(command: &Command) -> bool {
    matches!(
        command,
        Command::Ps { json: true, .. }
            | Command::Diff { json: true, .. }
            | Command::Diff {
                format: DiffFormat::Json,
                ..
            }
            | Command::Up { json: true, .. }
    )
}

/// The live `diff`'s presentation (`up`'s is text).
fn diff_format(command: &Command) -> crate::review::present::Format {
    use crate::review::present::Format as F;
    match command {
        Command::Diff { json: true, .. } => F::Json,
        Command::Diff { format, .. } => match format {
            DiffFormat::Text => F::Text,
            DiffFormat::Markdown => F::Markdown,
            DiffFormat::Json => F::Json,
        },
        _ => F::Text,
    }
}

/// An error under `--json`, on standard output (docs/deploy.md):
/// `{"error": {"message", "hint", "exit_code"}}`; the same text goes to
/// standard error for people.
fn error_json(f: &Failure) -> String {
    let value = serde_json::json!({
        "error": {"message": f.message, "hint": f.hint, "exit_code": exit::of(f)}
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn display() -> Display {
    let poll = std::env::var("C2CFN_POLL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis);
    let terminal = std::io::stdout().is_terminal();
    Display {
        style: Style::detect(),
        live: terminal && std::env::var_os("CI").is_none() && !ui::dumb_terminal(),
        poll,
        width: terminal.then(ui::width).flatten(),
    }
}

async fn run(
    command: &Command,
    project: &ProjectArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    checkpoint: &Checkpoint,
    cleanup: &Cleanup,
    document: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<i32, Failure> {
    let reading = |aws: &RegionArgs| AwsArgs {
        aws_profile: aws.aws_profile.clone(),
        region: aws.region.clone(),
        no_wait: false,
    };
    let (aws_args, verb) = match command {
        Command::Up { aws, .. } => (aws.clone(), "up"),
        Command::Diff { aws, .. } => (aws.clone(), "diff"),
        Command::Down { aws, .. } => (aws.clone(), "down"),
        Command::Ps { aws, .. } => (reading(aws), "ps"),
        Command::Push {
            aws,
            copy: Some(source),
            to: Some(to),
            platform,
            ..
        } => return copy(&reading(aws), source, to, platform, out).await,
        Command::Push { aws, .. } => (reading(aws), "push"),
        Command::CopyTable { aws, source, dest } => {
            return copy_table(aws, source, dest, out).await;
        }
        _ => return Ok(exit::USAGE),
    };
    let aws_args = &aws_args;
    let json = wants_json(command);
    // Standard output holds the report alone (JSON or Markdown).
    let quiet = json || diff_format(command) != crate::review::present::Format::Text;
    // `ps` and `down` need only the stack's name: a compose file that does
    // not load does not stop them.
    let (rendered, resolved, stack) = if matches!(verb, "ps" | "down") {
        let op = match super::stack::operating(project, verb, err) {
            Ok(o) => o,
            Err(code) => return Ok(code),
        };
        if let Command::Ps { services, .. } = command {
            match &op.rendered {
                Some(r) => {
                    let known: Vec<String> = r.project.services.keys().cloned().collect();
                    super::services::check(services, &known, verb)?;
                }
                None => super::services::check_files(services, verb)?,
            }
        }
        (op.rendered, op.resolved, op.stack)
    } else {
        // Under --json the diagnostics also go into the JSON error.
        let mut diagnostics = Vec::new();
        let rendered = match pipeline::render(
            project,
            Format::Yaml,
            if json { &mut diagnostics } else { &mut *err },
        ) {
            Ok(r) => {
                let _ = err.write_all(&diagnostics);
                r
            }
            Err(code) if json => {
                let text = String::from_utf8_lossy(&diagnostics).into_owned();
                let _ = err.write_all(&diagnostics);
                return Err(Failure {
                    message: format!("the project is invalid:\n{}", text.trim_end()),
                    hint: Some("fix the problems above; `c2cfn render` shows them too".into()),
                    stop: exit::stop(code),
                });
            }
            Err(code) => return Ok(code),
        };
        let known: Vec<String> = rendered.project.services.keys().cloned().collect();
        super::services::check(&command_services(command), &known, verb)?;
        let resolved = rendered.settings.clone();
        let stack = rendered.contract.stack.clone();
        (Some(rendered), resolved, stack)
    };
    let yes = match command {
        Command::Up { yes, .. } | Command::Down { yes, .. } => Some(*yes),
        _ => None,
    };
    // No terminal and no -y: say so before anything is asked of AWS.
    let mut prompt = TerminalPrompt {
        yes: yes.unwrap_or(false),
        stderr: json,
    };
    if yes.is_some() {
        prompt
            .check()
            .map_err(|e| Failure::refused(e.to_string(), "nothing was changed"))?;
    }
    let aws = connect(&resolved, aws_args).await?;
    let _ = cleanup.set((aws.cloudformation.clone(), stack.clone()));
    let mut account = String::new();
    if verb != "ps" {
        account = inputs::check_account(
            aws.account().await,
            resolved.typed().aws_account_id.map(|s| s.value).as_deref(),
        )?;
        let env = env_file_label(project);
        let where_ = format!(
            "c2cfn {verb}: account {account}, region {}, stack {stack}, env file {env}",
            aws.region
        );
        if !quiet {
            let _ = writeln!(out, "{}", ui::fit(&where_, display().width));
        }
    }
    if let (Command::Push { services, .. }, Some(rendered)) = (command, &rendered) {
        return push(rendered, &aws, services, out).await;
    }
    let display = display();
    let options = Options {
        allow_data_loss: matches!(
            command,
            Command::Up {
                allow_data_loss: true,
                ..
            }
        ),
        no_wait: aws_args.no_wait,
        format: diff_format(command),
        fail_on_data_loss: matches!(command, Command::Diff { fail_on, .. } if fail_on.contains(&FailOn::DataLoss)),
        fail_on_security: matches!(command, Command::Diff { fail_on, .. } if fail_on.contains(&FailOn::Security)),
    };
    let s3_bucket = match command {
        Command::Up { s3_bucket, .. } | Command::Diff { s3_bucket, .. } => s3_bucket.as_deref(),
        _ => None,
    };
    let up_json = json && verb == "up";
    // `up --json`: standard output is kept for the document; the rest
    // (preview, progress, notes) goes to standard error.
    let (out, err): (&mut dyn Write, &mut dyn Write) = if up_json {
        (&mut *err, &mut *out)
    } else {
        (&mut *out, &mut *err)
    };
    let mut deployer = Deployer {
        cfn: &aws.cloudformation,
        stack: &stack,
        out,
        prompt: &mut prompt,
        display,
        options,
        template_url: None,
        checkpoint,
        record: up_json.then_some(&mut *document),
    };
    match (command, &rendered) {
        (Command::Up { images, .. } | Command::Diff { images, .. }, Some(rendered)) => {
            let mut inputs = inputs::inputs(&rendered.contract, images)?;
            // Listed once: the record check and adoption both read it.
            let in_stack = adopt::in_stack(&aws.cloudformation, &stack).await?;
            precheck::dns::check(
                &aws.route53,
                &aws.acm,
                &aws.region,
                &rendered.value,
                &in_stack,
            )
            .await?;
            // Notes on images and staging: on stderr when standard output
            // holds a report or JSON alone (under `up --json` that is
            // `deployer.out`).
            let notes: &mut dyn Write = if quiet && !up_json {
                &mut *err
            } else {
                &mut *deployer.out
            };
            inputs::resolve_images(
                &rendered.contract,
                &aws,
                &mut inputs.given_images,
                verb == "up",
                &command_services(command),
                &mut *notes,
            )
            .await?;
            let parameters = params::resolve(&inputs, &aws.ec2, &|k| std::env::var(k).ok()).await?;
            let staging = Staging {
                bucket: s3_bucket,
                account: &account,
                region: &aws.region,
                stack: &stack,
                stamp: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            };
            deployer.template_url =
                template_store::stage(&aws.s3, &staging, &rendered.text, notes).await?;
            let execute = verb == "up";
            precheck::check_images(&aws.ecr, &account, &aws.region, &rendered.value).await?;
            let live = adopt::Live {
                dynamodb: &aws.dynamodb,
                logs: &aws.logs,
                elasticache: &aws.elasticache,
            };
            let adoptions = adopt::detect(
                &aws.cloudformation,
                live,
                &in_stack,
                &stack,
                &rendered.value,
            )
            .await?;
            let outcome = match deployer
                .run_adopting(&rendered.text, &parameters, execute, &adoptions)
                .await
            {
                Ok(o) => o,
                Err(mut f) => {
                    if f.stop == Stop::Failed
                        && let Some(evidence) = service_report::failed(
                            &aws.cloudformation,
                            &aws.ecs,
                            &aws.elb,
                            &aws.logs,
                            &stack,
                        )
                        .await
                    {
                        let services = failure::report(&evidence);
                        if !services.is_empty() {
                            f.message.push('\n');
                            f.message.push_str(&services);
                        }
                        if let Some(r) = deployer.record.as_deref_mut() {
                            r.insert(
                                "diagnosis".into(),
                                serde_json::to_value(&evidence).unwrap_or_default(),
                            );
                        }
                    }
                    return Err(f);
                }
            };
            match outcome {
                Outcome::WouldChange => Ok(exit::HAS_CHANGES),
                Outcome::Findings {
                    data_loss,
                    security,
                } => {
                    let found: Vec<&str> =
                        [(data_loss, "data loss"), (security, "access widening")]
                            .iter()
                            .filter(|(f, _)| *f)
                            .map(|(_, w)| *w)
                            .collect();
                    let _ = writeln!(
                        err,
                        "error: the change has {} (--fail-on); exit {}; nothing was changed (the change set was deleted)",
                        found.join(" and "),
                        exit::FINDINGS
                    );
                    Ok(exit::FINDINGS)
                }
                Outcome::NoChanges | Outcome::Deployed => Ok(exit::OK),
            }
        }
        (Command::Down { delete_data, .. }, _) => {
            let kept = deployer.down().await?;
            report_kept(deployer.out, &kept, &aws.region);
            if *delete_data {
                delete_data::delete_kept(
                    &aws.dynamodb,
                    &aws.efs,
                    &aws.elasticache,
                    &kept,
                    deployer.prompt,
                    deployer.out,
                )
                .await?;
            }
            Ok(exit::OK)
        }
        (Command::Ps { json, services, .. }, _) => {
            let Some(mut value) = status::read(&aws.cloudformation, &aws.ecs, &stack).await? else {
                return Err(Failure::refused(
                    format!("stack {stack} does not exist in region {}", aws.region),
                    "`c2cfn up` creates it; check --region and the env file's `app_cluster`",
                ));
            };
            if !services.is_empty() {
                only_services(&mut value, services);
            }
            // Why services do not run as desired (docs/deploy.md, "When a deploy fails").
            let mut troubled = service_report::troubled(
                &aws.cloudformation,
                &aws.ecs,
                &aws.elb,
                &aws.logs,
                &stack,
            )
            .await;
            if !services.is_empty() {
                let wanted: Vec<String> = services
                    .iter()
                    .map(|s| crate::cfn::logical_id::service(s))
                    .collect();
                troubled.services.retain(|t| wanted.contains(&t.logical_id));
            }
            value["diagnosis"] = serde_json::to_value(&troubled).unwrap_or_default();
            let text = if *json {
                format!(
                    "{}\n",
                    serde_json::to_string_pretty(&value).unwrap_or_default()
                )
            } else {
                let why = failure::report(&troubled);
                let heading = if why.is_empty() {
                    ""
                } else {
                    "Services not running as desired (stopped tasks, target health, last log lines):\n"
                };
                format!("{}{heading}{why}", status::text(&value, display.style))
            };
            let _ = write!(deployer.out, "{text}");
            Ok(exit::OK)
        }
        _ => Ok(exit::USAGE),
    }
}

/// `c2cfn push [SERVICE...]`: build, push, print the pinned images.
async fn push(
    rendered: &Rendered,
    aws: &Aws,
    only: &[String],
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let pushed = inputs::push(&rendered.contract, aws, only, out).await?;
    if pushed.is_empty() {
        let _ = writeln!(
            out,
            "No service is built from source (`build:`); nothing to push."
        );
    } else {
        let _ = writeln!(
            out,
            "Pushed {} image(s); `c2cfn up` deploys them by digest.",
            pushed.len()
        );
    }
    Ok(exit::OK)
}

/// `c2cfn push --copy IMAGE --to REPO[:TAG]`: no project needed.
async fn copy(
    args: &AwsArgs,
    source: &str,
    to: &str,
    platform: &str,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let aws = Aws::connect(args.aws_profile.as_deref(), args.region.as_deref())
        .await
        .map_err(|e| {
            Failure::refused(
                e.to_string(),
                "see docs/deploy.md, \"Credentials and region\"",
            )
        })?;
    let mut docker = DockerCli;
    let pushed = Pusher::new(&aws.ecr, &mut docker, out, "", "", "latest")
        .copy(source, to, platform)
        .await?;
    let _ = writeln!(
        out,
        "Copied {source} to {}; use it in the compose file as `image: {}`.",
        pushed.tagged, pushed.pinned
    );
    Ok(exit::OK)
}

/// `c2cfn copy-table SOURCE DEST`: no project needed.
async fn copy_table(
    args: &RegionArgs,
    source: &str,
    dest: &str,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let aws = Aws::connect(args.aws_profile.as_deref(), args.region.as_deref())
        .await
        .map_err(|e| {
            Failure::refused(
                e.to_string(),
                "see docs/deploy.md, \"Credentials and region\"",
            )
        })?;
    copy_table::copy(&aws.dynamodb, source, dest, out, Duration::from_millis(100)).await?;
    Ok(exit::OK)
}

fn env_file_label(project: &ProjectArgs) -> String {
    if project.env_files.is_empty() {
        "none".to_owned()
    } else {
        project
            .env_files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The positional services of `up` and `push`.
fn command_services(command: &Command) -> Vec<String> {
    match command {
        Command::Up { services, .. } | Command::Push { services, .. } => services.clone(),
        _ => Vec::new(),
    }
}

/// `ps SERVICE...`: keeps those services (by their ECS service's logical
/// ID) in the status.
fn only_services(value: &mut serde_json::Value, services: &[String]) {
    let wanted: Vec<String> = services
        .iter()
        .map(|s| crate::cfn::logical_id::service(s))
        .collect();
    if let Some(list) = value
        .get_mut("services")
        .and_then(serde_json::Value::as_array_mut)
    {
        list.retain(|s| {
            s.get("logical_id")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|n| wanted.iter().any(|w| w == n))
        });
    }
}

async fn connect(resolved: &Resolved, args: &AwsArgs) -> Result<Aws, Failure> {
    let resolved = resolved
        .clone()
        .with_flag("aws_profile", "--aws-profile", args.aws_profile.as_deref())
        .with_flag("aws_region", "--region", args.region.as_deref());
    let profile = resolved.get("aws_profile");
    let region = resolved.get("aws_region");
    Aws::connect(profile.as_deref(), region.as_deref())
        .await
        .map_err(|e| {
            Failure::refused(
                e.to_string(),
                "see docs/deploy.md, \"Credentials and region\"",
            )
        })
}

fn report_kept(out: &mut dyn Write, kept: &[Kept], region: &str) {
    if kept.is_empty() {
        return;
    }
    let width = display().width;
    let _ = writeln!(
        out,
        "{}",
        ui::fit(
            "Kept (DeletionPolicy), with the data in them; delete them yourself when you are sure:",
            width
        )
    );
    for k in kept {
        let text = format!(
            "  {} ({}): {}",
            k.logical_id,
            k.resource_type,
            k.describe(region)
        );
        for line in text.lines() {
            // Commands stay whole, to be copied; prose fits the terminal.
            let command = ["delete:", "list:"]
                .iter()
                .any(|p| line.trim_start().starts_with(p));
            let line = if command {
                line.to_owned()
            } else {
                ui::fit(line, width)
            };
            let _ = writeln!(out, "{line}");
        }
    }
}
