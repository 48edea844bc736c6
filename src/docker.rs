//! The `docker` CLI, behind a trait: the real one runs the program, tests
//! record the exact command lines (and what went to standard input). The
//! image step of `push`/`up` and the local environment both use it.

use std::io::Write as _;
use std::process::{Command, ExitStatus, Stdio};

/// Runs `docker` with arguments (output to the terminal).
pub trait Docker {
    /// Whether a `docker` executable can be found at all.
    fn available(&self) -> bool;
    /// Runs `docker ARGS...`, writing `stdin` (when given) to its standard
    /// input; returns its exit status.
    fn run(&mut self, args: &[String], stdin: Option<&str>) -> std::io::Result<ExitStatus>;
}

/// The real `docker` CLI, found on `PATH`.
#[derive(Debug, Default)]
pub struct DockerCli;

impl Docker for DockerCli {
    fn available(&self) -> bool {
        std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join("docker").is_file())
        })
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
}

/// Why a docker command failed, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// The CLI is not installed.
    #[error(
        "the `docker` command was not found on PATH; install Docker (Docker Desktop, or Docker Engine with the compose plugin)"
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
