//! The `docker` CLI, behind a trait: the real one runs the program, tests
//! record the exact command lines (and what went to standard input). The
//! image step of `push`/`up` and the local environment both use it.

use std::io::Write as _;
use std::process::{Command, ExitStatus, Stdio};

/// What `docker build` needs for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    /// The build context (absolute, or a URL).
    pub context: String,
    /// `-f`: the Dockerfile, relative to the context as in compose.
    pub dockerfile: Option<String>,
    /// `--build-arg`: name and value (no value: docker takes it from the environment).
    pub args: Vec<(String, Option<String>)>,
    /// `--target`.
    pub target: Option<String>,
    /// `--platform`: `linux/amd64` or `linux/arm64`.
    pub platform: String,
}

/// `linux/arm64` when the service's `platform` names arm64, else `linux/amd64`
/// (the two CPU architectures Fargate runs).
#[must_use]
pub fn fargate_platform(platform: Option<&str>) -> String {
    match platform {
        Some(p) if p.contains("arm64") || p.contains("aarch64") => "linux/arm64".to_owned(),
        _ => "linux/amd64".to_owned(),
    }
}

/// Runs `docker` with arguments (output to the terminal).
pub trait Docker {
    /// Whether a `docker` executable can be found at all.
    fn available(&self) -> bool;
    /// Runs `docker ARGS...`, writing `stdin` (when given) to its standard
    /// input; returns its exit status.
    fn run(&mut self, args: &[String], stdin: Option<&str>) -> std::io::Result<ExitStatus>;
    /// Runs `docker ARGS...` quietly, for a check: its exit status and
    /// what it printed (standard output, then standard error).
    fn probe(&mut self, args: &[String]) -> std::io::Result<(ExitStatus, String)> {
        self.run(args, None).map(|s| (s, String::new()))
    }
}

/// The real `docker` CLI, found on `PATH`.
#[derive(Debug, Default)]
pub struct DockerCli;

impl Docker for DockerCli {
    fn available(&self) -> bool {
        has_program("docker")
    }

    fn run(&mut self, args: &[String], stdin: Option<&str>) -> std::io::Result<ExitStatus> {
        let mut command = Command::new("docker");
        command.args(args);
        let Some(input) = stdin else {
            return command.stdin(Stdio::null()).status();
        };
        let mut child = command.stdin(Stdio::piped()).spawn()?;
        if let Some(mut pipe) = child.stdin.take() {
            pipe.write_all(input.as_bytes())?;
        }
        child.wait()
    }

    fn probe(&mut self, args: &[String]) -> std::io::Result<(ExitStatus, String)> {
        let out = Command::new("docker")
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok((out.status, text))
    }
}

/// Why a docker command failed, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// The CLI is not installed.
    #[error(
        "the `docker` command was not found on PATH; install Docker Desktop (macOS, Windows) or Docker Engine with the compose plugin (Linux: https://docs.docker.com/engine/install/)"
    )]
    Missing,
    /// It ran and failed.
    #[error("`docker {command}` failed ({status}); its output above says why")]
    Failed {
        /// The arguments, joined (never a password: it goes on stdin).
        command: String,
        /// The exit status.
        status: ExitStatus,
    },
    /// It could not be started.
    #[error("cannot run `docker`: {0}")]
    Io(#[source] std::io::Error),
    /// The CLI is there, but the Docker daemon (engine) does not answer.
    #[error(
        "docker does not answer: `docker version --format {{{{.Server.Version}}}}` failed{said}, so no image can be built"
    )]
    NoDaemon {
        /// What docker said, as ` (…)`, or empty.
        said: String,
    },
    /// The CLI answers, but not `docker compose` (Compose v2).
    #[error(
        "Docker's compose plugin is missing: `docker compose version` failed{said}. Install it: Docker Desktop includes it; on Linux install the `docker-compose-plugin` package from Docker's repository (https://docs.docker.com/compose/install/linux/){v1}"
    )]
    NoCompose {
        /// What docker said, as ` (…)`, or empty.
        said: String,
        /// A note when only the old `docker-compose` (v1) is installed.
        v1: String,
    },
}

/// Checks that the `docker` CLI and its compose plugin answer (`docker
/// compose version`), before anything is written or started; returns the
/// compose version line.
pub fn check_compose(docker: &mut dyn Docker) -> Result<String, DockerError> {
    let args = ["compose", "version"].map(str::to_owned);
    match docker.probe(&args) {
        Ok((status, text)) if status.success() => Ok(text.trim().to_owned()),
        Ok((_, text)) => {
            let first = text.lines().map(str::trim).find(|l| !l.is_empty());
            Err(DockerError::NoCompose {
                said: first
                    .map(|l| format!(" (docker said: {l})"))
                    .unwrap_or_default(),
                v1: if has_program("docker-compose") {
                    ". The `docker-compose` program (Compose v1) is not used: c2cfn runs `docker compose`".to_owned()
                } else {
                    String::new()
                },
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DockerError::Missing),
        Err(e) => Err(DockerError::Io(e)),
    }
}

/// `docker version --format {{.Server.Version}}`: fails when the daemon
/// does not answer (not started, no permission on its socket, a remote
/// `DOCKER_HOST` that is down).
#[must_use]
pub fn server_version() -> Vec<String> {
    ["version", "--format", "{{.Server.Version}}"]
        .map(str::to_owned)
        .to_vec()
}

/// Checks that the Docker daemon answers before anything is built or
/// created: runs [`server_version`]; returns the engine's version.
pub fn check_daemon(docker: &mut dyn Docker) -> Result<String, DockerError> {
    if !docker.available() {
        return Err(DockerError::Missing);
    }
    match docker.probe(&server_version()) {
        Ok((status, text)) if status.success() => Ok(text.trim().to_owned()),
        Ok((_, text)) => {
            let first = text.lines().map(str::trim).find(|l| !l.is_empty());
            Err(DockerError::NoDaemon {
                said: first
                    .map(|l| format!(" (docker said: {l})"))
                    .unwrap_or_default(),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DockerError::Missing),
        Err(e) => Err(DockerError::Io(e)),
    }
}

/// Whether `name` is an executable file on PATH.
fn has_program(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

/// Runs one command, mapping failures to [`DockerError`].
pub fn run(
    docker: &mut dyn Docker,
    args: &[String],
    stdin: Option<&str>,
) -> Result<(), DockerError> {
    match docker.run(args, stdin) {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(DockerError::Failed {
            command: args.join(" "),
            status,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DockerError::Missing),
        Err(e) => Err(DockerError::Io(e)),
    }
}
