//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Render compose projects into one CloudFormation template for ECS on Fargate.
#[derive(Debug, Parser)]
#[command(name = "c2cfn", version, about, after_help = EXIT_CODES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 ok (diff: nothing would change), 1 invalid input, refused or cancelled (nothing changed), 2 usage error, 3 diff: something would change, 4 cannot write output, 5 the CloudFormation operation failed, 130 interrupted (the operation goes on).";

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

/// Options shared by every command that loads a project.
#[derive(Debug, Clone, clap::Args, Default)]
pub struct ProjectArgs {
    /// Compose files (also `-f`); default: COMPOSE_FILE, else compose.yaml & co. in this directory or above.
    #[arg(value_name = "FILE")]
    pub positional: Vec<PathBuf>,
    /// Compose file (repeatable; later files override earlier ones).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Project name (default: COMPOSE_PROJECT_NAME, `name:` in the file, or the directory name).
    #[arg(short = 'p', long = "project-name")]
    pub project_name: Option<String>,
    /// Project directory (default: the first compose file's directory).
    #[arg(long)]
    pub project_directory: Option<PathBuf>,
    /// Environment file (`key=value` lines): interpolation variables and c2cfn settings such as `app_cluster` and `app_compose`.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Enable a profile (repeatable; also COMPOSE_PROFILES).
    #[arg(long = "profile")]
    pub profiles: Vec<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

/// Project options of `exec`, `tunnel` and `logs`, whose positional
/// arguments are service names (compose files only through `-f`).
#[cfg(feature = "aws")]
#[derive(Debug, Clone, clap::Args, Default)]
pub struct ServiceProjectArgs {
    /// Compose file (repeatable; later files override earlier ones).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Project name (default: COMPOSE_PROJECT_NAME, `name:` in the file, or the directory name).
    #[arg(short = 'p', long = "project-name")]
    pub project_name: Option<String>,
    /// Project directory (default: the first compose file's directory).
    #[arg(long)]
    pub project_directory: Option<PathBuf>,
    /// Environment file (`key=value` lines), e.g. develop.env.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Enable a profile (repeatable; also COMPOSE_PROFILES).
    #[arg(long = "profile")]
    pub profiles: Vec<String>,
}

#[cfg(feature = "aws")]
impl ServiceProjectArgs {
    /// The same options as [`ProjectArgs`].
    #[must_use]
    pub fn project(&self) -> ProjectArgs {
        ProjectArgs {
            positional: Vec::new(),
            files: self.files.clone(),
            project_name: self.project_name.clone(),
            project_directory: self.project_directory.clone(),
            env_files: self.env_files.clone(),
            profiles: self.profiles.clone(),
            strict: false,
        }
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

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the CloudFormation template for a compose project.
    Render {
        /// Project options.
        #[command(flatten)]
        project: ProjectArgs,
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
        /// Project options.
        #[command(flatten)]
        project: ProjectArgs,
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
        project: ProjectArgs,
        /// AWS options.
        #[command(flatten)]
        aws: AwsArgs,
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
    },
    #[cfg(feature = "aws")]
    /// Show what `up` would change (change set preview), then delete the change set. Exit 0: nothing; 3: something would change.
    Diff {
        /// Project options.
        #[command(flatten)]
        project: ProjectArgs,
        /// AWS options.
        #[command(flatten)]
        aws: AwsArgs,
        /// Image of a service built from source: SERVICE=URI (repeatable); skips its build.
        #[arg(long = "image", value_name = "SERVICE=URI")]
        images: Vec<String>,
        /// S3 bucket for templates over 51,200 bytes (default: c2cfn-templates-<account>-<region>, created on demand).
        #[arg(long = "s3-bucket", value_name = "BUCKET")]
        s3_bucket: Option<String>,
        /// Print the change set as JSON on standard output (docs/deploy.md); errors too, as `{"error": …}`.
        #[arg(long)]
        json: bool,
    },
    #[cfg(feature = "aws")]
    /// Delete the stack; tables, EFS file systems and Redis snapshots are kept (and listed).
    Down {
        /// Project options.
        #[command(flatten)]
        project: ProjectArgs,
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
    /// Build and push the images of services with `build:` to ECR (`<stack>/<service>`), pinned by digest; or copy an image into ECR with --copy/--to. Positional arguments that are not files name the services to push (default: all with `build:`).
    Push {
        /// Project options (positional: compose files and SERVICE names).
        #[command(flatten)]
        project: ProjectArgs,
        /// AWS options (no --no-wait: push starts no stack operation).
        #[command(flatten)]
        aws: RegionArgs,
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
    /// Open a shell (or run a command) in a running task of a service through ECS Exec.
    Exec {
        /// Project options.
        #[command(flatten)]
        project: ServiceProjectArgs,
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
        project: ServiceProjectArgs,
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
        /// Project options.
        #[command(flatten)]
        project: ServiceProjectArgs,
        /// AWS options.
        #[command(flatten)]
        aws: RegionArgs,
        /// Services (default: all).
        services: Vec<String>,
        /// Keep printing new lines (Ctrl-C stops).
        #[arg(long)]
        follow: bool,
        /// Only lines newer than this: 30s, 10m, 2h, 1d.
        #[arg(long, value_name = "DURATION")]
        since: Option<String>,
        /// Only the last N lines of each container.
        #[arg(long, value_name = "N")]
        tail: Option<usize>,
    },
    #[cfg(feature = "aws")]
    /// Run the project's dependencies on this machine (DynamoDB Local, Redis) and print the variables to run the app against them.
    Local {
        /// Project options.
        #[command(flatten)]
        project: ProjectArgs,
        /// Also run the app's own services, as `up` does with an `ecs=false` env file.
        #[arg(long)]
        with_app: bool,
    },
    #[cfg(feature = "aws")]
    /// Show the stack's status, outputs and resources.
    Ps {
        /// Project options.
        #[command(flatten)]
        project: ProjectArgs,
        /// AWS options (no --no-wait: ps only reads).
        #[command(flatten)]
        aws: RegionArgs,
        /// Print JSON (docs/deploy.md); errors too, as `{"error": …}`.
        #[arg(long)]
        json: bool,
    },
}
