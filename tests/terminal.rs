//! The terminal as a person uses it: the real binary in a pseudo-terminal
//! (portable-pty) against the moto stand-in, keys typed into it (answers,
//! Ctrl-C), and its output fed to a terminal emulator (vt100) to read the
//! screen a person would see. `--slow N` makes the stand-in's stack
//! operations last N seconds (tests/moto_launcher.py, patch g), so that the
//! live line can be watched and interrupted.
//!
//! Every wait has a deadline: a command that hangs fails its test with the
//! screen so far, and is killed (also when a test fails for another reason).

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use serde_json::Value;

use super::operate::{deploy_and_run_task, project};
use super::support::moto::{Moto, aws_cli};
use super::support::{exe, path_with, recorder, root};

/// How long any one step may take before the test fails.
const STEP: Duration = Duration::from_secs(90);
/// Ctrl-C as the terminal sends it.
const CTRL_C: &str = "\x03";

/// A private copy of the binary, made once: the tests below run it many
/// times over minutes, and a shared target folder (several checkouts
/// building into one) must not swap it between two of them.
/// `C2CFN_TEST_BINARY=PATH` tests that binary instead (e.g. a release build,
/// or a copy taken right after the build).
fn binary() -> &'static Path {
    static COPY: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    let (_, path) = COPY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c2cfn");
        let source = std::env::var_os("C2CFN_TEST_BINARY")
            .map_or_else(|| exe().to_path_buf(), std::path::PathBuf::from);
        std::fs::copy(&source, &path).expect("copy the binary");
        (dir, path)
    });
    path
}

/// c2cfn running in a pseudo-terminal.
struct Term {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn std::io::Write + Send>,
    _master: Box<dyn MasterPty + Send>,
    raw: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    cols: u16,
    what: String,
    /// How much of the output `expect` has consumed (bytes).
    seen: usize,
}

impl Term {
    /// Starts `c2cfn ARGS` in `dir` at a `cols`-column terminal (TERM
    /// xterm-256color, colour allowed, no CI), pointed at `moto`; `env`
    /// adds or overrides variables.
    fn start(moto: &Moto, dir: &Path, args: &[&str], env: &[(&str, &str)], cols: u16) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(binary());
        cmd.args(args);
        cmd.cwd(dir);
        for (k, v) in moto.vars() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            }
        }
        for k in [
            "CI",
            "NO_COLOR",
            "COMPOSE_FILE",
            "COMPOSE_PROJECT_NAME",
            "COMPOSE_PROFILES",
        ] {
            cmd.env_remove(k);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("C2CFN_POLL_MS", "200");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("c2cfn starts in the pseudo-terminal");
        // Only the child holds the terminal's other end now: its exit ends
        // the reader.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let raw = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&raw);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("output").extend_from_slice(&buf[..n]);
            }
        });
        Self {
            child,
            writer,
            _master: pair.master,
            raw,
            reader: Some(reader),
            cols,
            what: format!("c2cfn {}", args.join(" ")),
            seen: 0,
        }
    }

    /// Everything written to the terminal so far, bytes as text.
    fn raw(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().expect("output")).into_owned()
    }

    /// The emulator's view of the output: what a person reads (rows as
    /// shown, a wrapped row marked with `⏎` at its end).
    fn screen(&self) -> String {
        let bytes = self.raw.lock().expect("output").clone();
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("a size");
        let mut parser = vt100::Parser::new(size(2000), size(self.cols), 0);
        parser.process(&bytes);
        let screen = parser.screen();
        let rows: Vec<String> = screen.rows(0, self.cols).collect();
        let last = rows
            .iter()
            .rposition(|r| !r.trim().is_empty())
            .map_or(0, |i| i + 1);
        rows[..last]
            .iter()
            .enumerate()
            .map(|(i, r)| {
                // Broken: text runs into the last column and on into the next
                // row (indicatif pads its lines with spaces to the width and
                // lets them wrap; that breaks nothing).
                let row = u16::try_from(i).expect("row");
                let broken = screen.row_wrapped(row)
                    && screen
                        .cell(row, self.cols - 1)
                        .is_some_and(|c| !c.contents().trim().is_empty());
                format!("{}{}", r.trim_end(), if broken { "⏎" } else { "" })
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Fails the test with what the terminal shows (the child is killed on drop).
    fn fail(&self, why: &str) -> ! {
        panic!(
            "{}: {why}\n--- screen ---\n{}\n--- raw ---\n{:?}",
            self.what,
            self.screen(),
            self.raw()
        );
    }

    /// Waits until `needle` appears after what was already consumed.
    fn expect(&mut self, needle: &str) {
        let deadline = Instant::now() + STEP;
        loop {
            {
                let raw = self.raw.lock().expect("output");
                if let Some(i) = raw[self.seen.min(raw.len())..]
                    .windows(needle.len())
                    .position(|w| w == needle.as_bytes())
                {
                    self.seen += i + needle.len();
                    return;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("no {needle:?} within {STEP:?}"));
            }
            if matches!(self.child.try_wait(), Ok(Some(_))) && self.reader_done() {
                let raw = self.raw();
                if !raw[self.seen.min(raw.len())..].contains(needle) {
                    self.fail(&format!("ended without printing {needle:?}"));
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn reader_done(&self) -> bool {
        self.reader.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Types `keys`.
    fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .and_then(|()| self.writer.flush())
            .unwrap_or_else(|e| self.fail(&format!("cannot type {keys:?}: {e}")));
    }

    /// Waits for the exit code (and for all output to be read).
    fn finish(&mut self) -> u32 {
        let deadline = Instant::now() + STEP;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    while !self.reader_done() && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    if let Some(r) = self.reader.take() {
                        let _ = r.join();
                    }
                    if let Some(signal) = status.signal() {
                        self.fail(&format!("killed by {signal}"));
                    }
                    return status.exit_code();
                }
                Ok(None) if Instant::now() > deadline => {
                    self.fail(&format!("still running after {STEP:?} (a hang)"))
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => self.fail(&format!("cannot wait: {e}")),
            }
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The AWS CLI against the stand-in in `region`; `None` when it fails
/// (e.g. the stack does not exist).
fn aws(moto: &Moto, region: &str, args: &[&str]) -> Option<Value> {
    let cli = aws_cli();
    let mut cmd = Command::new(cli);
    moto.env(&mut cmd);
    let out = cmd
        .args(["--region", region, "--output", "json"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("aws runs");
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).unwrap_or(Value::Null))
}

/// The stack's status, `None` when it does not exist (or is deleted).
fn stack_status(moto: &Moto, region: &str, stack: &str) -> Option<String> {
    let v = aws(
        moto,
        region,
        &["cloudformation", "describe-stacks", "--stack-name", stack],
    )?;
    v["Stacks"][0]["StackStatus"]
        .as_str()
        .filter(|s| *s != "DELETE_COMPLETE")
        .map(str::to_owned)
}

/// Change sets of `stack` that still exist.
fn change_sets(moto: &Moto, region: &str, stack: &str) -> Vec<Value> {
    aws(
        moto,
        region,
        &["cloudformation", "list-change-sets", "--stack-name", stack],
    )
    .and_then(|v| v["Summaries"].as_array().cloned())
    .unwrap_or_default()
}

/// The distinct live-line messages drawn (`N/M done`), in order.
fn live_counts(raw: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for (i, _) in raw.match_indices(" done, ") {
        let start = raw[..i].rfind(' ').map_or(0, |s| s + 1);
        let count = &raw[start..i];
        if count.contains('/') && seen.last().is_none_or(|l| l != count) {
            seen.push(count.to_owned());
        }
    }
    seen
}

/// No row of the screen is wider than the terminal, except lines a person
/// copies whole (AWS CLI commands, `Output = value`), which are never cut.
fn no_wrapped_rows(t: &Term) {
    let screen = t.screen();
    let copied = |row: &str| {
        row.trim_start().starts_with("delete: aws ")
            || row.trim_start().starts_with("list:   aws ")
            || (row.starts_with("  ") && row.contains(" = "))
    };
    let wrapped: Vec<&str> = screen
        .lines()
        .filter(|r| r.ends_with('⏎') && !copied(r))
        .collect();
    assert!(
        wrapped.is_empty(),
        "rows wider than {} columns: {wrapped:?}\n{screen}\n--- raw ---\n{:?}",
        t.cols,
        t.raw()
    );
}

/// Whether `raw` holds an SGR (colour or bold) escape sequence.
fn has_colour(raw: &str) -> bool {
    raw.match_indices("\x1b[").any(|(i, _)| {
        raw[i + 2..]
            .chars()
            .find(|c| !c.is_ascii_digit() && *c != ';')
            == Some('m')
    })
}

/// What compose/game-backend expects the account to have: the hosted zone
/// of its `x-aws-route53` record, its app image in ECR (`up` checks it
/// before deploying), and an ACM certificate for `x-aws-tls`
/// (the env file's ARN names a real account's; this one is given to c2cfn
/// as the shell's `certificate_arn`, which wins over the env file's).
fn certificate(moto: &Moto) -> String {
    aws(
        moto,
        GAME_REGION,
        &[
            "route53",
            "create-hosted-zone",
            "--name",
            "tinka.games",
            "--caller-reference",
            "c2cfn-terminal-test",
        ],
    )
    .expect("the stand-in creates the hosted zone");
    aws(
        moto,
        GAME_REGION,
        &["ecr", "create-repository", "--repository-name", "ccg/app"],
    )
    .expect("the stand-in creates the repository");
    let manifest = r#"{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2, "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}, "layers": []}"#;
    aws(
        moto,
        GAME_REGION,
        &[
            "ecr",
            "put-image",
            "--repository-name",
            "ccg/app",
            "--image-tag",
            "latest",
            "--image-manifest",
            manifest,
        ],
    )
    .expect("the stand-in stores the app image");
    let v = aws(
        moto,
        GAME_REGION,
        &[
            "acm",
            "request-certificate",
            "--domain-name",
            "*.tinka.games",
        ],
    )
    .expect("the stand-in issues a certificate");
    v["CertificateArn"].as_str().expect("an ARN").to_owned()
}

const GAME: &str = "compose/game-backend";
const GAME_REGION: &str = "eu-west-1";
const GAME_STACK: &str = "ccg-develop";

#[test]
fn up_and_down_answered_at_a_terminal() {
    let moto = Moto::start_with(&["--slow", "2"]);
    let dir = root().join(GAME);
    let cert = certificate(&moto);
    let env = [("certificate_arn", cert.as_str())];
    let up = ["up", "--env-file", "develop.env"];

    // `n`: the change set and the empty stack it made are deleted.
    let mut t = Term::start(&moto, &dir, &up, &env, 80);
    t.expect("Apply these changes to stack ccg-develop? (y/N) ");
    t.send("n\r");
    assert_eq!(t.finish(), 1, "{}", t.screen());
    assert!(
        t.screen()
            .contains("error: cancelled; nothing was changed (the change set was deleted)"),
        "{}",
        t.screen()
    );
    assert_eq!(stack_status(&moto, GAME_REGION, GAME_STACK), None);
    assert!(change_sets(&moto, GAME_REGION, GAME_STACK).is_empty());

    // `y`: the live line appears, counts up, and is gone at the end.
    let mut t = Term::start(&moto, &dir, &up, &env, 80);
    t.expect("(y/N) ");
    t.send("y\r");
    t.expect("Executing change set");
    t.expect(" done, ");
    assert_eq!(t.finish(), 0, "{}", t.screen());
    let screen = t.screen();
    println!("--- c2cfn up --env-file develop.env at 80 columns ---\n{screen}\n---");
    let counts = live_counts(&t.raw());
    assert!(
        counts.len() >= 2,
        "the live line updates: {counts:?}\n{screen}"
    );
    assert!(
        screen.contains("Stack ccg-develop: CREATE_COMPLETE in"),
        "{screen}"
    );
    assert!(
        !screen.contains(" done, "),
        "the live line is cleared:\n{screen}"
    );
    assert!(
        screen.contains("Create stack ccg-develop: ")
            && screen.contains("\nx-aws-dynamodb: players\n"),
        "the grouped preview:\n{screen}"
    );
    no_wrapped_rows(&t);
    assert!(has_colour(&t.raw()), "a colour terminal gets colour");
    assert_eq!(
        stack_status(&moto, GAME_REGION, GAME_STACK).as_deref(),
        Some("CREATE_COMPLETE")
    );

    // `down`, `n`: nothing deleted; `y`: gone, tables listed as kept.
    let down = ["down", "--env-file", "develop.env"];
    let mut t = Term::start(&moto, &dir, &down, &env, 80);
    t.expect("Delete stack ccg-develop? (y/N) ");
    t.send("n\r");
    assert_eq!(t.finish(), 1, "{}", t.screen());
    assert!(t.screen().contains("error: cancelled; nothing was deleted"));
    assert_eq!(
        stack_status(&moto, GAME_REGION, GAME_STACK).as_deref(),
        Some("CREATE_COMPLETE")
    );
    let mut t = Term::start(&moto, &dir, &down, &env, 80);
    t.expect("(y/N) ");
    t.send("y\r");
    t.expect(" done, ");
    assert_eq!(t.finish(), 0, "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains("Stack ccg-develop deleted."), "{screen}");
    assert!(screen.contains("DynamoDB table"), "{screen}");
    assert!(
        !screen.contains(" done, "),
        "the live line is cleared:\n{screen}"
    );
    no_wrapped_rows(&t);
    assert_eq!(stack_status(&moto, GAME_REGION, GAME_STACK), None);
}

#[test]
fn diff_at_a_terminal_asks_nothing_and_leaves_nothing() {
    let moto = Moto::start();
    let dir = root().join(GAME);
    let cert = certificate(&moto);
    let mut t = Term::start(
        &moto,
        &dir,
        &["diff", "--env-file", "develop.env"],
        &[("certificate_arn", &cert)],
        80,
    );
    t.expect("Create stack ccg-develop:");
    // A key typed by habit changes nothing: diff never asks.
    t.send("y\r");
    assert_eq!(t.finish(), 3, "{}", t.screen());
    assert!(!t.screen().contains("(y/N)"), "{}", t.screen());
    no_wrapped_rows(&t);
    assert_eq!(stack_status(&moto, GAME_REGION, GAME_STACK), None);
    assert!(change_sets(&moto, GAME_REGION, GAME_STACK).is_empty());
}

#[test]
fn ctrl_c_at_the_prompt_deletes_the_change_set() {
    let moto = Moto::start();
    let dir = root().join(GAME);
    let cert = certificate(&moto);
    let mut t = Term::start(
        &moto,
        &dir,
        &["up", "--env-file", "develop.env"],
        &[("certificate_arn", &cert)],
        80,
    );
    t.expect("(y/N) ");
    t.send(CTRL_C);
    assert_eq!(t.finish(), 130, "{}", t.screen());
    let screen = t.screen();
    assert!(
        screen
            .replace("\n  ", " ")
            .contains("error: interrupted: nothing was changed (the change set was deleted)"),
        "{screen}"
    );
    assert!(
        screen.lines().any(|l| l.starts_with("error: interrupted")),
        "the message starts on its own line:\n{screen}"
    );
    assert_eq!(stack_status(&moto, GAME_REGION, GAME_STACK), None);
    assert!(change_sets(&moto, GAME_REGION, GAME_STACK).is_empty());
}

#[test]
fn ctrl_c_while_watching_exits_130_and_the_deployment_goes_on() {
    let moto = Moto::start_with(&["--slow", "6"]);
    let dir = root().join("compose/docker-simple");
    let mut t = Term::start(&moto, &dir, &["up", "-y"], &[], 100);
    t.expect("Executing change set");
    t.expect(" done, ");
    t.send(CTRL_C);
    let started = Instant::now();
    assert_eq!(t.finish(), 130, "{}", t.screen());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "Ctrl-C ends the watch at once, not when the stack settles"
    );
    let screen = t.screen();
    let flat = screen.replace("\n  ", " ");
    assert!(
        flat.contains(
            "error: interrupted: c2cfn stopped watching. Nothing was cancelled or deleted: the stack operation goes on in CloudFormation."
        ),
        "{screen}"
    );
    assert!(screen.contains("help: `c2cfn ps`"), "{screen}");
    assert!(
        !screen.contains(" done, "),
        "the live line is cleared:\n{screen}\n{:?}",
        t.raw()
    );
    assert_eq!(
        stack_status(&moto, "us-east-1", "testsimpleconvert").as_deref(),
        Some("CREATE_IN_PROGRESS"),
        "interrupted mid-way"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while stack_status(&moto, "us-east-1", "testsimpleconvert").as_deref()
        != Some("CREATE_COMPLETE")
    {
        assert!(
            Instant::now() < deadline,
            "the deployment went on and completed"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn no_colour_and_dumb_terminals_get_plain_readable_output() {
    let moto = Moto::start_with(&["--slow", "1"]);
    let dir = root().join(GAME);
    let cert = certificate(&moto);

    // NO_COLOR: the live line still draws, without colour.
    let mut t = Term::start(
        &moto,
        &dir,
        &["up", "--env-file", "develop.env", "-y"],
        &[("NO_COLOR", "1"), ("certificate_arn", &cert)],
        80,
    );
    assert_eq!(t.finish(), 0, "{}", t.screen());
    assert!(!has_colour(&t.raw()), "NO_COLOR: no colour:\n{:?}", t.raw());
    assert!(t.raw().contains(" done, "), "the live line is drawn");
    no_wrapped_rows(&t);

    // TERM=dumb: no escape sequence at all; the events are log lines.
    let mut t = Term::start(
        &moto,
        &dir,
        &["down", "--env-file", "develop.env", "-y"],
        &[("TERM", "dumb"), ("certificate_arn", &cert)],
        80,
    );
    assert_eq!(t.finish(), 0, "{}", t.screen());
    let raw = t.raw();
    assert!(
        !raw.contains('\x1b'),
        "TERM=dumb: no escape sequence:\n{raw:?}"
    );
    assert!(!raw.contains(" done, "), "no live line:\n{raw}");
    assert!(
        raw.lines()
            .any(|l| l.ends_with("Z  DELETE_IN_PROGRESS  ccg-develop  User Initiated")),
        "events as lines:\n{raw:?}"
    );
    assert!(raw.contains("Stack ccg-develop deleted."), "{raw}");
    no_wrapped_rows(&t);
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("time")
            .as_millis(),
    )
    .expect("ms")
}

#[test]
fn logs_follow_and_a_tunnel_end_cleanly_on_ctrl_c() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    project(dir);
    deploy_and_run_task(&moto, dir, true);

    let group = "/docker-compose/optest";
    let stream = "optest/app/aaaa1111bbbb2222";
    moto.aws(&[
        "logs",
        "create-log-stream",
        "--log-group-name",
        group,
        "--log-stream-name",
        stream,
    ]);
    let put = |message: &str| {
        let events = serde_json::json!([{"timestamp": now_ms(), "message": message}]);
        moto.aws(&[
            "logs",
            "put-log-events",
            "--log-group-name",
            group,
            "--log-stream-name",
            stream,
            "--log-events",
            &events.to_string(),
        ]);
    };
    put("first line");
    let mut t = Term::start(&moto, dir, &["logs", "--follow"], &[], 80);
    t.expect("app (aaaa1111) | first line");
    put("second line");
    t.expect("app (aaaa1111) | second line");
    t.send(CTRL_C);
    assert_eq!(t.finish(), 0, "{}", t.screen());
    assert!(!t.screen().contains("error"), "{}", t.screen());

    // A tunnel through the recorded session-manager-plugin (it stays open).
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).expect("bin");
    recorder(&bin, "session-manager-plugin");
    let record = dir.join("plugin.txt");
    let path = path_with(&bin);
    let record_text = record.display().to_string();
    let mut t = Term::start(
        &moto,
        dir,
        &["tunnel", "app", "-L", "5000:4005"],
        &[
            ("PATH", &path),
            ("C2CFN_SLEEP", "1"),
            ("C2CFN_RECORD_SESSION_MANAGER_PLUGIN", &record_text),
        ],
        80,
    );
    t.expect("c2cfn tunnel: 127.0.0.1:5000 -> ");
    t.send(CTRL_C);
    assert_eq!(t.finish(), 0, "{}", t.screen());
    assert!(
        t.screen().contains("c2cfn tunnel: closed."),
        "{}",
        t.screen()
    );

    // exec: the session belongs to the plugin, which gets the terminal.
    let mut t = Term::start(
        &moto,
        dir,
        &["exec", "app", "--", "ls"],
        &[
            ("PATH", &path),
            ("C2CFN_RECORD_SESSION_MANAGER_PLUGIN", &record_text),
        ],
        80,
    );
    assert_eq!(t.finish(), 0, "{}", t.screen());
    assert!(t.screen().contains("c2cfn exec: "), "{}", t.screen());
}
