//! The local AWS stand-in: moto through tests/moto_launcher.py, one server
//! per test on a free 127.0.0.1 port, and the AWS CLI pointed at it. The
//! tools come from scripts/test (`C2CFN_PYTHON`, `C2CFN_MOTO_LAUNCHER`,
//! `C2CFN_AWS_CLI`); a test that needs them fails (never skips) without
//! them.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::{command, stderr, stdout, tool};

/// A moto server, killed when dropped.
pub(crate) struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) endpoint: String,
}

impl Moto {
    /// Starts the stand-in; the tools come from scripts/test, and a test
    /// that needs them fails (never skips) without them.
    pub(crate) fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts the stand-in with extra launcher arguments (e.g. `--slow 3`).
    ///
    /// A launcher that exits before announcing its port (for example when
    /// the free port it picked was taken before moto bound it) is started
    /// again, up to three times; the panic after the last attempt carries
    /// what each attempt wrote to standard error.
    pub(crate) fn start_with(extra: &[&str]) -> Self {
        let mut failures = Vec::new();
        for attempt in 1..=3 {
            match Self::launch(extra) {
                Ok(moto) => return moto,
                Err(tail) => failures.push(format!("attempt {attempt}:\n{tail}")),
            }
        }
        panic!(
            "the moto launcher exited without announcing its port\n{}",
            failures.join("\n")
        );
    }

    /// One launch: the stand-in, or the last lines of its standard error.
    fn launch(extra: &[&str]) -> Result<Self, String> {
        let python = tool("C2CFN_PYTHON", "the Python of .venv/, with moto");
        let launcher = tool("C2CFN_MOTO_LAUNCHER", "tests/moto_launcher.py");
        let mut child = Command::new(python)
            .arg(launcher)
            .args(["--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the moto launcher starts");
        let stdout = child.stdout.take().expect("piped stdout");
        // moto logs every request to standard error: the pipe is drained
        // for the server's whole life, and its last lines kept for a
        // launch that fails.
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let errors = child.stderr.take().expect("piped stderr");
        let kept = Arc::clone(&tail);
        let drain = std::thread::spawn(move || {
            for line in BufReader::new(errors).lines().map_while(Result::ok) {
                let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
                if kept.len() == 40 {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        });
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(port) = line.strip_prefix("C2CFN_MOTO_PORT=") {
                return Ok(Self {
                    child,
                    endpoint: format!("http://127.0.0.1:{port}"),
                });
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        let _ = drain.join();
        let kept = tail.lock().unwrap_or_else(PoisonError::into_inner);
        Err(kept.iter().cloned().collect::<Vec<_>>().join("\n"))
    }

    /// The variables that point AWS clients at the stand-in (`None`: unset).
    pub(crate) fn vars(&self) -> Vec<(&'static str, Option<String>)> {
        let set = |k, v: &str| (k, Some(v.to_owned()));
        vec![
            set("AWS_ENDPOINT_URL", &self.endpoint),
            set("AWS_ACCESS_KEY_ID", "test"),
            set("AWS_SECRET_ACCESS_KEY", "test"),
            set("AWS_REGION", "us-east-1"),
            set("AWS_CONFIG_FILE", "/nonexistent/c2cfn-test"),
            set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c2cfn-test"),
            ("AWS_PROFILE", None),
            ("AWS_DEFAULT_REGION", None),
            set("NO_PROXY", "127.0.0.1"),
            set("no_proxy", "127.0.0.1"),
        ]
    }

    pub(crate) fn env(&self, cmd: &mut Command) {
        for (k, v) in self.vars() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
    }

    /// Runs c2cfn in `dir` (no terminal on standard input).
    pub(crate) fn c2cfn(&self, dir: &Path, args: &[&str]) -> Output {
        self.c2cfn_with(dir, args, &[])
    }

    /// Runs c2cfn in `dir` with extra environment variables.
    pub(crate) fn c2cfn_with(&self, dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut cmd = command(dir);
        self.env(&mut cmd);
        cmd.envs(vars.iter().copied());
        cmd.args(args)
            .env("C2CFN_POLL_MS", "200")
            .env("NO_COLOR", "1")
            .env("CI", "true")
            .stdin(Stdio::null())
            .output()
            .expect("c2cfn runs")
    }

    /// Runs the pip-installed AWS CLI against the stand-in; parses its JSON.
    pub(crate) fn aws(&self, args: &[&str]) -> Value {
        let mut cmd = Command::new(aws_cli());
        self.env(&mut cmd);
        let out = cmd
            .args([
                "--endpoint-url",
                &self.endpoint,
                "--region",
                "us-east-1",
                "--output",
                "json",
            ])
            .args(args)
            .output()
            .expect("aws runs");
        assert!(out.status.success(), "aws {args:?}: {}", stderr(&out));
        let text = stdout(&out);
        if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("aws prints JSON")
        }
    }

    pub(crate) fn stack_status(&self, stack: &str) -> String {
        let v = self.aws(&["cloudformation", "describe-stacks", "--stack-name", stack]);
        v["Stacks"][0]["StackStatus"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The AWS CLI of .venv/.
pub(crate) fn aws_cli() -> std::path::PathBuf {
    tool("C2CFN_AWS_CLI", "the AWS CLI of .venv/")
}
