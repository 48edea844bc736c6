//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Render compose projects into one CloudFormation template for ECS on Fargate.
#[derive(Debug, Parser)]
#[command(name = "c2cfn", version, about, after_help = EXIT_CODES)]
pub struct Args {
    /// Project options before the command (also accepted after it).
    #[command(
        flatten,
        next_help_heading = "Project options (before or after the command)"
    )]
    pub project: ProjectFlags,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 ok (diff: nothing would change), 1 invalid input, refused or cancelled (nothing changed), 2 usage error, 3 diff: something would change, 4 cannot write output, 5 the CloudFormation operation failed, 6 diff --fail-on: a data-loss or security finding, 130 interrupted (the operation goes on).";

/// Where and as whom the deploy commands talk to AWS.
#[cfg(feature = "aws")]
#[derive(Debug, Clone, clap::Args, Default)]
pub struct AwsArgs {
    /// AWS shared-config profile (default: `aws_profile` in the env file, else the standard chain: AWS_PROFILE, ...). Named --aws-profile because --profile selects compose profiles.
    #[arg(long = "aws-profile", value_name = "PROFILE")]
    pub aws_profile: Option<String>,
    /// AWS region (default: `aws_region` in the env file, else AWS_REGION / AWS_DEFAULT_REGION / the profile's region).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Refuse instead of waiting when another operation is running on the stack.
    #[arg(long)]
    pub no_wait: bool,
}

/// The project options, accepted before the command (`c2cfn -f x.yml logs
/// -f app`, as `docker compose` writes them) and after it.
#[derive(Debug, Clone, clap::Args, Default)]
pub struct ProjectFlags {
    /// Compose file (repeatable; later files override earlier ones). Default: `app_compose` in the env file, COMPOSE_FILE, else compose.yaml & co. in this directory or above.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Project and stack name; overrides `app_cluster` (see README, "Precedence").
    #[arg(short = 'p', long = "project-name", value_name = "NAME")]
    pub project_name: Option<String>,
    /// Project directory (default: the first compose file's directory).
    #[arg(long, value_name = "DIR")]
    pub project_directory: Option<PathBuf>,
    /// Environment file (`key=value` lines): interpolation variables and c2cfn settings such as `app_cluster` and `app_compose`.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Enable a profile (repeatable; also COMPOSE_PROFILES).
    #[arg(long = "profile", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

/// The project options of `logs`, where `-f` means `--follow` (as in
/// `docker compose logs -f`): the compose file is `--file` there, or `-f`
/// before the command.
#[cfg(feature = "aws")]
#[derive(Debug, Clone, clap::Args, Default)]
pub struct LogsProjectFlags {
    /// Compose file (repeatable); `-f` before the command.
    #[arg(long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Project and stack name; overrides `app_cluster`.
    #[arg(short = 'p', long = "project-name", value_name = "NAME")]
    pub project_name: Option<String>,
    /// Project directory (default: the first compose file's directory).
    #[arg(long, value_name = "DIR")]
    pub project_directory: Option<PathBuf>,
    /// Environment file (`key=value` lines), e.g. develop.env.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Enable a profile (repeatable; also COMPOSE_PROFILES).
    #[arg(long = "profile", value_name = "PROFILE")]
    pub profiles: Vec<String>,
}

#[cfg(feature = "aws")]
impl From<&LogsProjectFlags> for ProjectFlags {
    fn from(f: &LogsProjectFlags) -> Self {
        Self {
            files: f.files.clone(),
            project_name: f.project_name.clone(),
            project_directory: f.project_directory.clone(),
            env_files: f.env_files.clone(),
            profiles: f.profiles.clone(),
            strict: false,
        }
    }
}

/// The project options of one run: those before the command merged with
/// those after it, plus the compose files `render` and `config` take as
/// positional arguments.
#[derive(Debug, Clone, Default)]
pub struct ProjectArgs {
    /// Compose files given as positional arguments (`render`, `config`).
    pub positional: Vec<PathBuf>,
    /// `-f` files: those before the command, then those after it.
    pub files: Vec<PathBuf>,
    /// `-p`.
    pub project_name: Option<String>,
    /// `--project-directory`.
    pub project_directory: Option<PathBuf>,
    /// `--env-file` files, in order.
    pub env_files: Vec<PathBuf>,
    /// `--profile`.
    pub profiles: Vec<String>,
    /// `--strict`.
    pub strict: bool,
}

impl ProjectArgs {
    /// Merges the options before the command (`global`) with those after
    /// it: lists are concatenated; a single value given in both places must
    /// be the same.
    pub fn merge(global: &ProjectFlags, local: &ProjectFlags) -> Result<Self, String> {
        let one = |flag: &str, a: Option<String>, b: Option<String>| match (a, b) {
            (Some(a), Some(b)) if a != b => Err(format!(
                "{flag} is given twice with different values (`{a}` before the command, `{b}` after it)"
            )),
            (a, b) => Ok(b.or(a)),
        };
        let dir = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        Ok(Self {
            positional: Vec::new(),
            files: global.files.iter().chain(&local.files).cloned().collect(),
            project_name: one(
                "-p/--project-name",
                global.project_name.clone(),
                local.project_name.clone(),
            )?,
            project_directory: one(
                "--project-directory",
                dir(&global.project_directory),
                dir(&local.project_directory),
            )?
            .map(PathBuf::from),
            env_files: global
                .env_files
                .iter()
                .chain(&local.env_files)
                .cloned()
                .collect(),
            profiles: global
                .profiles
                .iter()
                .chain(&local.profiles)
                .cloned()
                .collect(),
            strict: global.strict || local.strict,
        })
    }
}

/// Where and as whom `exec`, `tunnel` and `logs` talk to AWS.
#[cfg(feature = "aws")]
#[derive(Debug, Clone, clap::Args, Default)]
pub struct RegionArgs {
    /// AWS shared-config profile (default: `aws_profile` in the env file, else the standard chain).
    #[arg(long = "aws-profile", value_name = "PROFILE")]
    pub aws_profile: Option<String>,
    /// AWS region (default: `aws_region` in the env file, else AWS_REGION / the profile's region).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

/// Output format of `render` and `config`.
#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// YAML (default).
    #[default]
    Yaml,
    /// JSON.
    Json,
}

/// Output format of `diff` (live and `--against`).
#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum DiffFormat {
    /// For a terminal (default).
    #[default]
    Text,
    /// For a pull-request comment.
    Markdown,
    /// For scripts.
    Json,
}

/// Findings that make `diff` exit 6.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// A stateful resource replaced, or removed without `Retain`.
    DataLoss,
    /// IAM, ingress, listeners or secrets widen access.
    Security,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the CloudFormation template for a compose project.
    Render {
        /// Compose files (as -f).
        #[arg(id = "compose_files", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
        /// Write the template to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: Option<PathBuf>,
        /// Do not write: exit 1 with a diff when the file at -o is not what would be rendered.
        #[arg(long, requires = "output")]
        check: bool,
    },
    /// Print the resolved compose project (as `docker compose config` does) with c2cfn's settings.
    Config {
        /// Compose files (as -f).
        #[arg(id = "compose_files", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Print the JSON Schema of every c2cfn compose extension (for editors).
    Schema,
    #[cfg(feature = "aws")]
    /// Deploy the project: change set, preview, data-loss guard, confirmation, progress.
    Up {
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// AWS options.
        #[command(flatten)]
        aws: AwsArgs,
        /// Services whose images are built and pushed (default: every service with `build:`; the others keep the image already in ECR). With `ecs=false`: the services `docker compose up` starts.
        #[arg(value_name = "SERVICE")]
        services: Vec<String>,
        /// Answer yes to every confirmation (required without a terminal, e.g. in CI).
        #[arg(short = 'y', long)]
        yes: bool,
        /// Allow a change that replaces or deletes a stateful resource (table, Redis, EFS, ECR repository).
        #[arg(long)]
        allow_data_loss: bool,
        /// Image of a service built from source: SERVICE=URI (repeatable); skips its build.
        #[arg(long = "image", value_name = "SERVICE=URI")]
        images: Vec<String>,
        /// S3 bucket for templates over 51,200 bytes (default: c2cfn-templates-<account>-<region>, created on demand).
        #[arg(long = "s3-bucket", value_name = "BUCKET")]
        s3_bucket: Option<String>,
        /// Print the plan, the result and, on failure, the failure summary as one JSON document on standard output (progress goes to standard error).
        #[arg(long)]
        json: bool,
    },
    /// Show what `up` would change (change set preview), then delete the change set; with --against BASE, offline: compare a committed template (file or git revision) with a new render. Exit 0: nothing; 3: something would change; 6: --fail-on matched.
    Diff {
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// AWS options.
        #[cfg(feature = "aws")]
        #[command(flatten)]
        aws: AwsArgs,
        /// Image of a service built from source: SERVICE=URI (repeatable); skips its build.
        #[cfg(feature = "aws")]
        #[arg(long = "image", value_name = "SERVICE=URI")]
        images: Vec<String>,
        /// S3 bucket for templates over 51,200 bytes (default: c2cfn-templates-<account>-<region>, created on demand).
        #[cfg(feature = "aws")]
        #[arg(long = "s3-bucket", value_name = "BUCKET")]
        s3_bucket: Option<String>,
        /// Offline review, no AWS call: compare with this template file, or with the -o file as it is at this git revision (e.g. origin/main).
        #[arg(long, value_name = "FILE|REVISION")]
        against: Option<String>,
        /// With --against: the template's path, as given to `render -o` (needed for a git revision).
        #[arg(
            short = 'o',
            long = "output",
            value_name = "PATH",
            requires = "against"
        )]
        output: Option<PathBuf>,
        /// text (terminal), markdown (pull-request comment) or json.
        #[arg(long, value_enum, default_value_t)]
        format: DiffFormat,
        /// Exit 6 when the review finds this (repeatable): data-loss, security.
        #[arg(long = "fail-on", value_enum, value_name = "FINDING")]
        fail_on: Vec<FailOn>,
        /// The same as --format json (docs/deploy.md); errors too, as `{"error": …}`.
        #[cfg(feature = "aws")]
        #[arg(long, conflicts_with = "against")]
        json: bool,
    },
    #[cfg(feature = "aws")]
    /// Delete the stack; tables, EFS file systems and Redis snapshots are kept (and listed).
    Down {
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// AWS options.
        #[command(flatten)]
        aws: AwsArgs,
        /// Answer yes to the confirmations.
        #[arg(short = 'y', long)]
        yes: bool,
        /// After the stack is gone, also delete the data it kept (tables, EFS file systems, Redis final snapshots), after a second confirmation listing them (or -y).
        #[arg(long)]
        delete_data: bool,
    },
    #[cfg(feature = "aws")]
    /// Build and push the images of services with `build:` to ECR (`<stack>/<service>`), pinned by digest; or copy an image into ECR with --copy/--to.
    Push {
        /// Project options (positional: compose files and SERVICE names).
        #[command(flatten)]
        project: ProjectFlags,
        /// AWS options (no --no-wait: push starts no stack operation).
        #[command(flatten)]
        aws: RegionArgs,
        /// Services to push (default: every service with `build:`).
        #[arg(value_name = "SERVICE")]
        services: Vec<String>,
        /// Copy this image (e.g. a public one) into ECR instead of building: pull, tag, push.
        #[arg(long, value_name = "IMAGE", requires = "to")]
        copy: Option<String>,
        /// The ECR repository of --copy: NAME[:TAG] (created when missing; the tag defaults to the source's).
        #[arg(long, value_name = "REPO[:TAG]", requires = "copy")]
        to: Option<String>,
        /// Platform pulled by --copy.
        #[arg(long, value_name = "PLATFORM", default_value = "linux/amd64")]
        platform: String,
    },
    #[cfg(feature = "aws")]
    /// Copy every item of one DynamoDB table into another (the path for a changed table key: declare the new key under a new table name, `up`, then copy). Items are put, so running it again is safe.
    CopyTable {
        /// AWS options.
        #[command(flatten)]
        aws: RegionArgs,
        /// The table to read (e.g. the old `ccg-develop-players`).
        source: String,
        /// The table to write (e.g. the new `ccg-develop-players-v2`).
        dest: String,
    },
    #[cfg(feature = "aws")]
    /// Open a shell (or run a command) in a running task of a service through ECS Exec.
    Exec {
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// AWS options.
        #[command(flatten)]
        aws: RegionArgs,
        /// The compose service (default: the only one).
        service: Option<String>,
        /// Container of the task (default: the service's own).
        #[arg(long, value_name = "NAME")]
        container: Option<String>,
        /// The task whose ID starts with PREFIX (default: the first running one).
        #[arg(long = "task", value_name = "PREFIX")]
        task: Option<String>,
        /// The command (after `--`; default /bin/sh).
        #[arg(last = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    #[cfg(feature = "aws")]
    /// Forward local ports to a running task (Session Manager, or ssh with --ssh); Ctrl-C closes them.
    Tunnel {
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// AWS options.
        #[command(flatten)]
        aws: RegionArgs,
        /// The compose service (default: the only one).
        service: Option<String>,
        /// LOCAL:REMOTE, e.g. 5000:4005 (repeatable; default: `tunnel_ports` in the env file).
        #[arg(short = 'L', value_name = "LOCAL:REMOTE")]
        forwards: Vec<String>,
        /// Container of the task (default: the service's own).
        #[arg(long, value_name = "NAME")]
        container: Option<String>,
        /// The task whose ID starts with PREFIX.
        #[arg(long = "task", value_name = "PREFIX")]
        task: Option<String>,
        /// Tunnel with `ssh -N -L` to the task's public IP (needs an SSH server in the container).
        #[arg(long)]
        ssh: bool,
        /// Remote user for --ssh.
        #[arg(long, value_name = "USER", default_value = "root", requires = "ssh")]
        ssh_user: String,
        /// Private key for --ssh (`ssh -i`).
        #[arg(long, value_name = "PATH", requires = "ssh")]
        ssh_key: Option<PathBuf>,
        /// ssh_config file that gets a Host entry while the tunnel runs (default ~/.ssh/config).
        #[arg(long, value_name = "PATH", requires = "ssh")]
        ssh_config: Option<PathBuf>,
    },
    #[cfg(feature = "aws")]
    /// Print the services' CloudWatch logs, interleaved in time order.
    Logs {
        /// Project options (`-f` is --follow here; the compose file is --file, or -f before the command).
        #[command(flatten)]
        project: LogsProjectFlags,
        /// AWS options.
        #[command(flatten)]
        aws: RegionArgs,
        /// Services (default: all).
        #[arg(value_name = "SERVICE")]
        services: Vec<String>,
        /// Keep printing new lines (Ctrl-C stops).
        #[arg(short = 'f', long)]
        follow: bool,
        /// Only lines newer than this: 30s, 10m, 2h, 1d.
        #[arg(long, value_name = "DURATION")]
        since: Option<String>,
        /// Only the last N lines of each container.
        #[arg(short = 'n', long, value_name = "N")]
        tail: Option<usize>,
    },
    #[cfg(feature = "aws")]
    /// Run the project's dependencies on this machine (DynamoDB Local, Redis) and print the variables to run the app against them.
    Local {
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// Also run the app's own services, as `up` does with an `ecs=false` env file.
        #[arg(long)]
        with_app: bool,
    },
    #[cfg(feature = "aws")]
    /// Show the stack's status, outputs and resources.
    Ps {
        /// Project options.
        #[command(flatten)]
        project: ProjectFlags,
        /// AWS options (no --no-wait: ps only reads).
        #[command(flatten)]
        aws: RegionArgs,
        /// Only these services (default: all).
        #[arg(value_name = "SERVICE")]
        services: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

impl Command {
    /// The command's name, as the user typed it (for messages).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Render { .. } => "render",
            Self::Config { .. } => "config",
            Self::Schema => "schema",
            #[cfg(feature = "aws")]
            Self::Up { .. } => "up",
            Self::Diff { .. } => "diff",
            #[cfg(feature = "aws")]
            Self::CopyTable { .. } => "copy-table",
            #[cfg(feature = "aws")]
            Self::Down { .. } => "down",
            #[cfg(feature = "aws")]
            Self::Push { .. } => "push",
            #[cfg(feature = "aws")]
            Self::Exec { .. } => "exec",
            #[cfg(feature = "aws")]
            Self::Tunnel { .. } => "tunnel",
            #[cfg(feature = "aws")]
            Self::Logs { .. } => "logs",
            #[cfg(feature = "aws")]
            Self::Local { .. } => "local",
            #[cfg(feature = "aws")]
            Self::Ps { .. } => "ps",
        }
    }
}

impl Args {
    /// The project options of this run (before and after the command).
    pub fn project(&self) -> Result<ProjectArgs, String> {
        let (local, positional): (ProjectFlags, &[PathBuf]) = match &self.command {
            Command::Render { files, project, .. } | Command::Config { files, project, .. } => {
                (project.clone(), files)
            }
            Command::Schema => (ProjectFlags::default(), &[]),
            #[cfg(feature = "aws")]
            Command::CopyTable { .. } => (ProjectFlags::default(), &[]),
            Command::Diff { project, .. } => (project.clone(), &[]),
            #[cfg(feature = "aws")]
            Command::Up { project, .. }
            | Command::Down { project, .. }
            | Command::Push { project, .. }
            | Command::Exec { project, .. }
            | Command::Tunnel { project, .. }
            | Command::Local { project, .. }
            | Command::Ps { project, .. } => (project.clone(), &[]),
            #[cfg(feature = "aws")]
            Command::Logs { project, .. } => (ProjectFlags::from(project), &[]),
        };
        let mut merged = ProjectArgs::merge(&self.project, &local)?;
        merged.positional = positional.to_vec();
        Ok(merged)
    }

    /// The services named as positional arguments (`ps`, `up`, `logs`,
    /// `exec`, `tunnel`, `push`).
    #[must_use]
    pub fn services(&self) -> Vec<String> {
        match &self.command {
            #[cfg(feature = "aws")]
            Command::Up { services, .. }
            | Command::Push { services, .. }
            | Command::Logs { services, .. }
            | Command::Ps { services, .. } => services.clone(),
            #[cfg(feature = "aws")]
            Command::Exec { service, .. } | Command::Tunnel { service, .. } => {
                service.iter().cloned().collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("c2cfn").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        Args::command().debug_assert();
    }

    #[test]
    fn project_flags_go_before_or_after_the_command() {
        let a = parse(&[
            "-f",
            "a.yml",
            "--env-file",
            "x.env",
            "render",
            "-f",
            "b.yml",
        ]);
        let p = a.project().unwrap();
        assert_eq!(p.files, [PathBuf::from("a.yml"), PathBuf::from("b.yml")]);
        assert_eq!(p.env_files, [PathBuf::from("x.env")]);
        let a = parse(&["render", "c.yml", "-p", "x", "--profile", "dev"]);
        let p = a.project().unwrap();
        assert_eq!(p.positional, [PathBuf::from("c.yml")]);
        assert_eq!(p.project_name.as_deref(), Some("x"));
        assert_eq!(p.profiles, ["dev"]);
        let a = parse(&["-p", "x", "--project-directory", "d", "config", "-p", "x"]);
        assert_eq!(
            a.project().unwrap().project_directory,
            Some(PathBuf::from("d"))
        );
        let e = parse(&["-p", "x", "render", "-p", "y"])
            .project()
            .unwrap_err();
        assert!(e.contains("`x` before the command, `y` after it"), "{e}");
    }

    #[cfg(feature = "aws")]
    #[test]
    fn logs_f_is_follow_after_the_command_and_file_before_it() {
        let a = parse(&["-f", "x.yml", "logs", "-f", "app", "-n", "5"]);
        let Command::Logs {
            follow,
            tail,
            services,
            ..
        } = &a.command
        else {
            panic!("not logs");
        };
        assert!(*follow);
        assert_eq!(*tail, Some(5));
        assert_eq!(services, &["app"]);
        assert_eq!(a.project().unwrap().files, [PathBuf::from("x.yml")]);
        let a = parse(&["logs", "--file", "y.yml", "--follow", "--tail", "2"]);
        assert_eq!(a.project().unwrap().files, [PathBuf::from("y.yml")]);
    }

    #[cfg(feature = "aws")]
    #[test]
    fn services_are_positional() {
        for (args, want) in [
            (&["ps", "app", "worker"][..], &["app", "worker"][..]),
            (&["up", "-y", "app"], &["app"]),
            (&["push", "app"], &["app"]),
            (&["exec", "app"], &["app"]),
            (&["tunnel", "app", "-L", "1:2"], &["app"]),
            (&["-p", "s", "logs", "app"], &["app"]),
        ] {
            assert_eq!(parse(args).services(), want, "{args:?}");
        }
    }
}
