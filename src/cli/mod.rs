//! The command line: parses arguments, runs one command, renders problems,
//! and maps the outcome to a documented exit code. The library stages never
//! see clap types.

mod args;
#[cfg(feature = "aws")]
mod deploy;
#[cfg(feature = "aws")]
mod operate;
mod pipeline;
mod review;
#[cfg(feature = "aws")]
mod services;
#[cfg(feature = "aws")]
mod stack;

use std::ffi::OsString;
use std::io::Write as _;

use clap::Parser as _;

pub use args::{Args, Command};

/// Exit codes (also in README.md and `c2cfn --help`).
pub mod exit {
    /// Success; `render --check`: the file is up to date; `diff`: nothing would change.
    pub const OK: i32 = 0;
    /// Invalid input (compose file, env file, extension), or `render --check` found a stale file.
    pub const INVALID: i32 = 1;
    /// Usage error: unknown flag, missing argument.
    pub const USAGE: i32 = 2;
    /// `diff`: something would change.
    pub const HAS_CHANGES: i32 = 3;
    /// An I/O failure writing output.
    pub const IO: i32 = 4;
    /// The CloudFormation operation ran and failed (rolled back, delete failed).
    pub const DEPLOY_FAILED: i32 = 5;
    /// `diff --against --fail-on`: the review found data loss or access widening.
    pub const FINDINGS: i32 = 6;
    /// Ctrl-C: c2cfn stopped watching; the operation goes on in CloudFormation.
    pub const INTERRUPTED: i32 = 130;

    /// The exit code of a command that stopped: the one place a
    /// [`Failure`](crate::deploy::Failure) becomes a number.
    #[cfg(feature = "aws")]
    #[must_use]
    pub fn of(f: &crate::deploy::Failure) -> i32 {
        use crate::deploy::Stop;
        match f.stop {
            Stop::Refused => INVALID,
            Stop::Usage => USAGE,
            Stop::Io => IO,
            Stop::Failed => DEPLOY_FAILED,
            Stop::Interrupted => INTERRUPTED,
        }
    }

    /// The stop an exit code of the render pipeline stands for.
    #[cfg(feature = "aws")]
    #[must_use]
    pub fn stop(code: i32) -> crate::deploy::Stop {
        use crate::deploy::Stop;
        match code {
            USAGE => Stop::Usage,
            IO => Stop::Io,
            DEPLOY_FAILED => Stop::Failed,
            INTERRUPTED => Stop::Interrupted,
            _ => Stop::Refused,
        }
    }
}

/// The single-threaded async runtime the AWS commands run on.
#[cfg(feature = "aws")]
fn runtime(err: &mut dyn std::io::Write) -> Result<tokio::runtime::Runtime, i32> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            let _ = writeln!(err, "error: cannot start the async runtime: {e}");
            exit::INVALID
        })
}

/// Runs c2cfn with `args` (including the program name); returns the exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return code;
        }
    };
    // Unlocked handles: each write takes the lock for that write only, so
    // no lock is held while waiting for anything. Holding `stderr().lock()`
    // for the whole command deadlocked `up` at a terminal against the
    // progress line's drawing thread (issue 8).
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let code = pipeline::execute(&args, &mut stdout, &mut stderr);
    let _ = stdout.flush();
    code
}
