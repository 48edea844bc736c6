//! Docker Compose habits (issue 8): project flags before the command,
//! services as positional arguments, one precedence order for settings,
//! operating commands that go on from the deployed stack, and the local
//! environment of the shipped example up to Docker — with `docker` replaced
//! by a script on PATH that records its command lines (no daemon exists).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

#[cfg(feature = "external-tools")]
use super::support::moto::Moto;
use super::support::{c2cfn, code, exe, executable, root, show, stderr, stdout, write};

/// Renders with `vars` set in the shell; parses the template.
fn render_with(args: &[&str], vars: &[(&str, &str)]) -> Value {
    let out = Command::new(exe())
        .arg("render")
        .args(args)
        .current_dir(root())
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("app_cluster")
        .env_remove("docker_tag")
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", show(&out));
    serde_norway::from_str(&stdout(&out)).unwrap()
}

/// The cluster name, the `GAME_ENV` variable and the app's image.
fn names(t: &Value) -> (String, String, String) {
    let cluster = t["Resources"]["Cluster"]["Properties"]["ClusterName"]
        .as_str()
        .unwrap()
        .to_owned();
    let app = &t["Resources"]["AppTaskDefinition"]["Properties"]["ContainerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Name"] == "app")
        .unwrap()
        .clone();
    let game_env = app["Environment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["Name"] == "GAME_ENV")
        .unwrap()["Value"]
        .as_str()
        .unwrap()
        .to_owned();
    (cluster, game_env, app["Image"].as_str().unwrap().to_owned())
}

#[test]
fn shell_env_file_and_p_follow_one_order_everywhere() {
    let env = "compose/game-backend/develop.env";
    let image = |tag: &str| format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:{tag}");
    // The env file alone.
    let t = render_with(&["--env-file", env], &[]);
    assert_eq!(
        names(&t),
        ("ccg-develop".into(), "ccg-develop".into(), image("latest"))
    );
    // The shell wins over the env file, for the stack name as for
    // interpolation (it used to change GAME_ENV only).
    let t = render_with(
        &["--env-file", env],
        &[("app_cluster", "ccg-shell"), ("docker_tag", "v7")],
    );
    assert_eq!(
        names(&t),
        ("ccg-shell".into(), "ccg-shell".into(), image("v7"))
    );
    assert_eq!(
        t["Resources"]["PlayersTable"]["Properties"]["TableName"],
        "ccg-shell-players"
    );
    // -p wins over both (it used to be ignored when app_cluster was set),
    // before or after the command.
    for args in [
        &["--env-file", env, "-p", "ccg-flag"][..],
        &["-p", "ccg-flag", "--env-file", env],
    ] {
        let t = render_with(args, &[("app_cluster", "ccg-shell")]);
        assert_eq!(names(&t).0, "ccg-flag");
        assert_eq!(names(&t).1, "ccg-flag");
    }
    // An invalid value from the shell is named with where it came from.
    let out = Command::new(exe())
        .args(["render", "--env-file", env])
        .current_dir(root())
        .env("app_cluster", "9 bad")
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stderr(&out)
            .contains("`app_cluster=9 bad` (from the shell environment) is not a valid stack name"),
        "{}",
        show(&out)
    );
}

#[test]
fn project_flags_go_before_the_command() {
    // `c2cfn -f FILE --env-file ENV render` as `docker compose -f FILE config`.
    let before = c2cfn(
        &root(),
        &[
            "-f",
            "compose/game-backend/app-compose.yml",
            "--env-file",
            "compose/game-backend/develop.env",
            "render",
        ],
    );
    assert_eq!(code(&before), 0, "{}", show(&before));
    let after = c2cfn(
        &root(),
        &["render", "--env-file", "compose/game-backend/develop.env"],
    );
    assert_eq!(stdout(&before), stdout(&after));
    let twice = c2cfn(&root(), &["-p", "a", "render", "-p", "b"]);
    assert_eq!(code(&twice), 2, "{}", show(&twice));
    assert!(stderr(&twice).contains("-p/--project-name is given twice"));
}

#[test]
fn a_file_is_not_a_service() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        &dir.join("compose.yaml"),
        "name: fs\nservices:\n  app:\n    image: nginx\n",
    );
    write(&dir.join("develop.env"), "app_cluster=fs-develop\n");
    for (args, flag) in [
        (&["ps", "compose.yaml"][..], "-f compose.yaml ps"),
        (&["up", "-y", "compose.yaml"], "-f compose.yaml up"),
        (&["push", "develop.env"], "--env-file develop.env push"),
    ] {
        let out = c2cfn(dir, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", show(&out));
        let err = stderr(&out);
        assert!(err.contains("is a file, but `c2cfn"), "{err}");
        assert!(err.contains(&format!("`c2cfn {flag}`")), "{err}");
    }
    let out = c2cfn(dir, &["ps", "web"]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stderr(&out).contains("the project has no service `web`\nhelp: its services: app"),
        "{}",
        show(&out)
    );
}

#[cfg(feature = "external-tools")]
const PROJECT: &str =
    "name: hab\nservices:\n  app:\n    image: nginx\n  worker:\n    image: nginx\n";

#[cfg(feature = "external-tools")]
#[test]
fn operating_commands_go_on_from_the_deployed_stack() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&dir.join("compose.yaml"), PROJECT);
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let group = "/docker-compose/hab";
    moto.aws(&[
        "logs",
        "create-log-stream",
        "--log-group-name",
        group,
        "--log-stream-name",
        "hab/app/aaaa1111bbbb2222",
    ]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    moto.aws(&[
        "logs",
        "put-log-events",
        "--log-group-name",
        group,
        "--log-stream-name",
        "hab/app/aaaa1111bbbb2222",
        "--log-events",
        &format!(
            r#"[{{"timestamp": {}, "message": "first"}}, {{"timestamp": {}, "message": "second"}}]"#,
            now - 2000,
            now - 1000
        ),
    ]);
    // The project flags before the command, `-n` for --tail.
    let logs = moto.c2cfn(dir, &["-f", "compose.yaml", "logs", "-n", "1", "app"]);
    assert_eq!(code(&logs), 0, "{}", show(&logs));
    assert_eq!(stdout(&logs), "app (aaaa1111) | second\n");

    // Mid-edit: the compose file no longer loads.
    write(
        &dir.join("compose.yaml"),
        "name: hab\nservices:\n  app:\n    image: [\n",
    );
    let logs = moto.c2cfn(dir, &["-p", "hab", "logs", "app"]);
    assert_eq!(code(&logs), 0, "{}", show(&logs));
    assert_eq!(
        stdout(&logs),
        "app (aaaa1111) | first\napp (aaaa1111) | second\n"
    );
    assert!(
        stderr(&logs).starts_with("warning: c2cfn logs: the compose file was not read ("),
        "{}",
        show(&logs)
    );
    assert!(
        stderr(&logs).contains("going on from the deployed stack hab"),
        "{}",
        show(&logs)
    );
    // The services come from the deployed template.
    let logs = moto.c2cfn(dir, &["-p", "hab", "logs", "nosuch"]);
    assert_eq!(code(&logs), 1, "{}", show(&logs));
    assert!(
        stderr(&logs).contains("no service `nosuch`\nhelp: its services: app, worker"),
        "{}",
        show(&logs)
    );
    let exec = moto.c2cfn(dir, &["exec", "-p", "hab", "worker"]);
    assert!(
        stderr(&exec).contains("service `worker` has no running task"),
        "{}",
        show(&exec)
    );
    let ps = moto.c2cfn(dir, &["ps", "-p", "hab", "--json"]);
    assert_eq!(code(&ps), 0, "{}", show(&ps));
    let status: Value = serde_json::from_str(&stdout(&ps)).unwrap();
    assert_eq!(status["stack"], "hab");
    assert!(stderr(&ps).contains("warning: c2cfn ps: the compose file was not read"));
    // Without -p (or app_cluster), the name is in the unreadable file.
    let ps = moto.c2cfn(dir, &["ps"]);
    assert_eq!(code(&ps), 1, "{}", show(&ps));
    assert!(
        stderr(&ps).contains("help: name the stack with -p NAME"),
        "{}",
        show(&ps)
    );
    let down = moto.c2cfn(dir, &["-p", "hab", "down", "-y"]);
    assert_eq!(code(&down), 0, "{}", show(&down));
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    let live: Vec<&Value> = stacks["StackSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["StackName"] == "hab" && s["StackStatus"] != "DELETE_COMPLETE")
        .collect();
    assert!(live.is_empty(), "{live:?}");
}

/// A `docker` that records each call (arguments one per line, then `--`)
/// in `$C2CFN_RECORD`, its standard input of `login` in
/// `$C2CFN_RECORD.stdin`; `compose version` fails as a CLI without the
/// plugin does when `$C2CFN_NO_PLUGIN` is set; `compose … up` fails as it
/// does without a daemon. Shell builtins only: PATH holds nothing else.
const FAKE_DOCKER: &str = r#"#!/bin/sh
for a in "$@"; do printf '%s\n' "$a" >> "$C2CFN_RECORD"; done
echo -- >> "$C2CFN_RECORD"
if [ "$1 $2" = "compose version" ]; then
  if [ -n "$C2CFN_NO_PLUGIN" ]; then echo "unknown shorthand flag: 'p' in -p" >&2; exit 1; fi
  echo "Docker Compose version v2.29.1"; exit 0
fi
if [ "$1" = login ]; then IFS= read -r pw; printf '%s' "$pw" > "$C2CFN_RECORD.stdin"; echo "Login Succeeded"; exit 0; fi
echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
exit 1
"#;

struct Local {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    bin: PathBuf,
    record: PathBuf,
}

impl Local {
    /// The shipped game backend with its local.env, copied.
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("game-backend");
        std::fs::create_dir(&dir).unwrap();
        for f in ["app-compose.yml", "local.env"] {
            std::fs::copy(root().join("compose/game-backend").join(f), dir.join(f)).unwrap();
        }
        let bin = tmp.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let record = tmp.path().join("docker.txt");
        Self {
            _tmp: tmp,
            dir,
            bin,
            record,
        }
    }

    /// `up --env-file local.env`; `aws` sets or removes AWS variables
    /// (`Moto::vars`), `vars` sets others.
    fn up(&self, aws: &[(&str, Option<String>)], vars: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(exe());
        for (k, v) in aws {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.args(["up", "--env-file", "local.env"])
            .current_dir(&self.dir)
            // Only the fake (or no) docker: nothing else is needed first.
            .env("PATH", &self.bin)
            .env("C2CFN_RECORD", &self.record)
            .env("C2CFN_LOCAL_WAIT_SECS", "1")
            .env_remove("COMPOSE_FILE")
            .env_remove("COMPOSE_PROJECT_NAME")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.record)
            .unwrap_or_default()
            .split("--\n")
            .filter(|c| !c.is_empty())
            .map(|c| c.lines().collect::<Vec<_>>().join(" "))
            .collect()
    }
}

#[test]
fn the_shipped_local_environment_without_docker_says_what_to_install() {
    let local = Local::new();
    let out = local.up(&[], &[]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: c2cfn up runs the local environment with `docker compose`, and the `docker` command was not found on PATH; install Docker Desktop (macOS, Windows) or Docker Engine with the compose plugin"),
        "{err}"
    );
    assert!(
        !err.contains("ACM certificate"),
        "ecs=false skips AWS-only checks: {err}"
    );
    assert!(
        !local.dir.join(".c2cfn").exists(),
        "nothing is written first"
    );

    executable(&local.bin.join("docker"), FAKE_DOCKER);
    let out = local.up(&[], &[("C2CFN_NO_PLUGIN", "1")]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: c2cfn up runs the local environment with `docker compose`, and Docker's compose plugin is missing: `docker compose version` failed (docker said: unknown shorthand flag: 'p' in -p). Install it: Docker Desktop includes it; on Linux install the `docker-compose-plugin` package"),
        "{err}"
    );
    assert_eq!(local.calls(), ["compose version"], "nothing else ran");
    assert!(
        !local.dir.join(".c2cfn").exists(),
        "nothing is written first"
    );
}

#[cfg(feature = "external-tools")]
#[test]
fn the_shipped_local_environment_gets_as_far_as_docker() {
    let moto = Moto::start();
    let local = Local::new();
    executable(&local.bin.join("docker"), FAKE_DOCKER);
    let out = local.up(&moto.vars(), &[]);
    assert_eq!(
        code(&out),
        1,
        "compose up fails without a daemon: {}",
        show(&out)
    );
    let state = local.dir.join(".c2cfn/ccg-local");
    let registry = "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    assert_eq!(
        local.calls(),
        [
            "compose version".to_owned(),
            format!("login --username AWS --password-stdin {registry}"),
            format!(
                "compose -p ccg-local -f {} -f {} up -d --wait --build",
                local.dir.join("app-compose.yml").display(),
                state.join("compose.local.yaml").display()
            ),
        ],
        "{}",
        show(&out)
    );
    let password = std::fs::read_to_string(local.record.with_extension("txt.stdin")).unwrap();
    assert!(
        !password.trim().is_empty(),
        "the ECR password goes on standard input"
    );
    let err = stderr(&out);
    assert!(
        err.contains("c2cfn up: docker compose -p ccg-local"),
        "messages name the command the user ran: {err}"
    );
    assert!(
        err.contains("Cannot connect to the Docker daemon") || err.contains("failed"),
        "{err}"
    );
    // The generated file runs the Redis the cloud runs; `.c2cfn/` ignores itself.
    let generated = std::fs::read_to_string(state.join("compose.local.yaml")).unwrap();
    assert!(generated.contains("image: redis:7.0-alpine"), "{generated}");
    assert!(
        std::fs::read_to_string(local.dir.join(".c2cfn/.gitignore"))
            .unwrap()
            .lines()
            .any(|l| l == "*")
    );
}
