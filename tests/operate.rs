//! `exec`, `tunnel`, `logs` and the local environment end to end: the real
//! binary against the moto stand-in (tests/moto_launcher.py adds ExecuteCommand,
//! StartSession, runtime IDs and task public IPs), with `session-manager-plugin`,
//! `ssh` and `docker` replaced by scripts on PATH that record their arguments.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::support::moto::Moto;
use super::support::{code, show};
use super::support::{exe, path_with, recorder, stderr, stdout};

const PROJECT: &str = "name: optest
services:
  app:
    image: nginx
  worker:
    image: nginx
x-aws-dynamodb:
  tables:
    - players/player-id
";

pub(super) fn project(dir: &Path) {
    std::fs::write(dir.join("compose.yaml"), PROJECT).unwrap();
}

/// Deploys the project and runs one task of it (moto starts none for a service).
pub(super) fn deploy_and_run_task(moto: &Moto, dir: &Path, exec: bool) -> String {
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let subnets = moto.aws(&["ec2", "describe-subnets"]);
    let subnet = subnets["Subnets"][0]["SubnetId"]
        .as_str()
        .unwrap()
        .to_owned();
    moto.aws(&[
        "ecs",
        "register-task-definition",
        "--family",
        "optest-app-run",
        "--network-mode",
        "awsvpc",
        "--requires-compatibilities",
        "FARGATE",
        "--cpu",
        "256",
        "--memory",
        "512",
        "--container-definitions",
        r#"[{"name":"app","image":"nginx","memory":512}]"#,
    ]);
    let network = format!(
        r#"{{"awsvpcConfiguration":{{"subnets":["{subnet}"],"securityGroups":[],"assignPublicIp":"ENABLED"}}}}"#
    );
    let mut args = vec![
        "ecs",
        "run-task",
        "--cluster",
        "optest",
        "--task-definition",
        "optest-app-run",
        "--launch-type",
        "FARGATE",
        "--network-configuration",
        &network,
    ];
    if exec {
        args.push("--enable-execute-command");
    }
    let run = moto.aws(&args);
    let arn = run["tasks"][0]["taskArn"].as_str().unwrap();
    arn.rsplit('/').next().unwrap().to_owned()
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn exec_finds_the_task_and_hands_the_session_to_the_plugin() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir);
    let task = deploy_and_run_task(&moto, dir, true);
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    recorder(&bin, "session-manager-plugin");
    let record = dir.join("plugin.txt");

    let mut cmd = Command::new(exe());
    moto.env(&mut cmd);
    let out = cmd
        .args(["exec", "app", "--", "ls", "-l"])
        .current_dir(dir)
        .env("PATH", path_with(&bin))
        .env("C2CFN_RECORD_SESSION_MANAGER_PLUGIN", &record)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", show(&out));
    let args = lines(&record);
    assert_eq!(args.len(), 7, "six arguments and the end marker: {args:?}");
    let session: serde_json::Value = serde_json::from_str(&args[0]).unwrap();
    assert!(
        session["SessionId"]
            .as_str()
            .unwrap()
            .starts_with("ecs-execute-command-"),
        "{session}"
    );
    assert!(session["TokenValue"].is_string() && session["StreamUrl"].is_string());
    assert_eq!(args[1], "us-east-1");
    assert_eq!(args[2], "StartSession");
    assert_eq!(args[3], "");
    assert_eq!(
        args[4],
        format!(r#"{{"Target":"ecs:optest_{task}_{task}-0"}}"#)
    );
    assert_eq!(args[5], moto.endpoint);
    assert!(
        stderr(&out).contains("container app: ls -l"),
        "{}",
        show(&out)
    );

    // No plugin on PATH: the install hint.
    let mut cmd = Command::new(exe());
    moto.env(&mut cmd);
    let out = cmd
        .args(["exec", "app"])
        .current_dir(dir)
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stderr(&out).contains("(`session-manager-plugin`) is not installed"),
        "{}",
        show(&out)
    );

    // Several services and none named.
    let out = moto.c2cfn(dir, &["exec"]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(stderr(&out).contains("several services (app, worker)"));
}

#[test]
fn exec_disabled_says_how_to_enable_it() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    deploy_and_run_task(&moto, tmp.path(), false);
    let out = moto.c2cfn(tmp.path(), &["exec", "app"]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stderr(&out).contains("ECS Exec is not enabled on task"),
        "{}",
        show(&out)
    );
}

/// Starts c2cfn, waits until `ready` holds, sends SIGINT, returns its output.
fn interrupt_when(mut cmd: Command, ready: impl Fn() -> bool) -> std::process::Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ready(), "the tunnel never opened");
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait_with_output().unwrap()
}

#[test]
fn tunnels_open_and_close_cleanly_on_ctrl_c() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir);
    let task = deploy_and_run_task(&moto, dir, true);
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    recorder(&bin, "session-manager-plugin");
    recorder(&bin, "ssh");
    std::fs::write(dir.join("dev.env"), "tunnel_ports=5000:4005,5001:4006\n").unwrap();

    // Session Manager: one plugin per forward (the env file's defaults).
    let record = dir.join("plugin.txt");
    let mut cmd = Command::new(exe());
    moto.env(&mut cmd);
    cmd.args(["tunnel", "app", "--env-file", "dev.env"])
        .current_dir(dir)
        .env("PATH", path_with(&bin))
        .env("C2CFN_SLEEP", "1")
        .env("C2CFN_RECORD_SESSION_MANAGER_PLUGIN", &record);
    let out = interrupt_when(cmd, || {
        lines(&record).iter().filter(|l| *l == "--").count() == 2
    });
    assert_eq!(code(&out), 0, "{}", show(&out));
    let args = lines(&record);
    let requests: Vec<&String> = args.iter().filter(|l| l.contains("DocumentName")).collect();
    let target = format!("ecs:optest_{task}_{task}-0");
    let mut wanted = vec![
        format!(
            r#"{{"DocumentName":"AWS-StartPortForwardingSession","Parameters":{{"localPortNumber":["5000"],"portNumber":["4005"]}},"Target":"{target}"}}"#
        ),
        format!(
            r#"{{"DocumentName":"AWS-StartPortForwardingSession","Parameters":{{"localPortNumber":["5001"],"portNumber":["4006"]}},"Target":"{target}"}}"#
        ),
    ];
    let mut got: Vec<String> = requests.into_iter().cloned().collect();
    got.sort();
    wanted.sort();
    assert_eq!(got, wanted);
    assert!(
        stderr(&out).contains("c2cfn tunnel: closed."),
        "{}",
        show(&out)
    );

    // ssh: the task ENI's public IP, and an ssh_config entry removed on Ctrl-C.
    let eni_ip = {
        let t = moto.aws(&[
            "ecs",
            "describe-tasks",
            "--cluster",
            "optest",
            "--tasks",
            &task,
        ]);
        let eni = t["tasks"][0]["attachments"][0]["details"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "networkInterfaceId")
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_owned();
        let n = moto.aws(&[
            "ec2",
            "describe-network-interfaces",
            "--network-interface-ids",
            &eni,
        ]);
        n["NetworkInterfaces"][0]["Association"]["PublicIp"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let config = dir.join("ssh_config");
    std::fs::write(&config, "Host github.com\n  User git\n").unwrap();
    let record = dir.join("ssh.txt");
    let mut cmd = Command::new(exe());
    moto.env(&mut cmd);
    cmd.args([
        "tunnel",
        "app",
        "-L",
        "5000:4005",
        "--ssh",
        "--ssh-key",
        "/k/game",
    ])
    .arg("--ssh-config")
    .arg(&config)
    .current_dir(dir)
    .env("PATH", path_with(&bin))
    .env("C2CFN_SLEEP", "1")
    .env("C2CFN_RECORD_SSH", &record);
    let config_seen = std::cell::RefCell::new(String::new());
    let out = interrupt_when(cmd, || {
        let done = lines(&record).contains(&"--".to_owned());
        if done {
            *config_seen.borrow_mut() = std::fs::read_to_string(&config).unwrap();
        }
        done
    });
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_eq!(
        lines(&record).join(" "),
        format!(
            "-N -o ExitOnForwardFailure=yes -i /k/game -L 127.0.0.1:5000:127.0.0.1:4005 root@{eni_ip} --"
        )
    );
    assert!(
        config_seen.borrow().contains(&format!(
            "Host optest-app\n  HostName {eni_ip}\n  User root\n"
        )),
        "{}",
        config_seen.borrow()
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "Host github.com\n  User git\n",
        "the entry is removed on Ctrl-C: {}",
        show(&out)
    );
}

#[test]
fn logs_of_two_services_are_interleaved() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir);
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let group = "/docker-compose/optest";
    let put = |stream: &str, events: &[(i64, &str)]| {
        moto.aws(&[
            "logs",
            "create-log-stream",
            "--log-group-name",
            group,
            "--log-stream-name",
            stream,
        ]);
        let list: Vec<serde_json::Value> = events
            .iter()
            .map(|(t, m)| serde_json::json!({"timestamp": now - 60_000 + t, "message": m}))
            .collect();
        moto.aws(&[
            "logs",
            "put-log-events",
            "--log-group-name",
            group,
            "--log-stream-name",
            stream,
            "--log-events",
            &serde_json::Value::from(list).to_string(),
        ]);
    };
    put(
        "optest/app/aaaa1111bbbb2222",
        &[(1, "app one"), (3, "app three")],
    );
    put(
        "optest/worker/cccc3333dddd4444",
        &[(2, "worker two"), (4, "worker four")],
    );
    let out = moto.c2cfn(dir, &["logs", "--since", "10m"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_eq!(
        stdout(&out),
        "app (aaaa1111)    | app one\n\
         worker (cccc3333) | worker two\n\
         app (aaaa1111)    | app three\n\
         worker (cccc3333) | worker four\n"
    );
    let out = moto.c2cfn(dir, &["logs", "worker", "--tail", "1"]);
    assert_eq!(
        stdout(&out),
        "worker (cccc3333) | worker four\n",
        "{}",
        show(&out)
    );
}

#[test]
fn the_local_environment_runs_compose_and_creates_tables_once() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir);
    std::fs::write(
        dir.join("local.env"),
        "app_cluster=optest-local\napp_compose=compose.yaml\necs=false\n",
    )
    .unwrap();
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    recorder(&bin, "docker");
    let record = dir.join("docker.txt");
    let run = |args: &[&str]| {
        let mut cmd = Command::new(exe());
        moto.env(&mut cmd);
        cmd.args(args)
            .current_dir(dir)
            .env("PATH", path_with(&bin))
            .env("C2CFN_RECORD_DOCKER", &record)
            .env("C2CFN_LOCAL_DYNAMODB_ENDPOINT", &moto.endpoint)
            .env_remove("COMPOSE_FILE")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let state: PathBuf = dir.join(".c2cfn/optest-local");
    let first = run(&["up", "--env-file", "local.env"]);
    assert_eq!(code(&first), 0, "{}", show(&first));
    assert!(
        stderr(&first).contains("created table optest-local-players"),
        "{}",
        show(&first)
    );
    assert!(
        stdout(&first).contains("export DYNAMODB_PREFIX=optest-local-\n"),
        "{}",
        show(&first)
    );
    assert_eq!(
        lines(&record).join(" "),
        format!(
            "compose version -- compose -p optest-local -f {} -f {} up -d --wait --build --",
            dir.join("compose.yaml").display(),
            state.join("compose.local.yaml").display()
        )
    );
    let second = run(&["up", "--env-file", "local.env"]);
    assert_eq!(code(&second), 0, "{}", show(&second));
    assert!(
        stderr(&second).contains("table optest-local-players exists"),
        "{}",
        show(&second)
    );
    let tables = moto.aws(&["dynamodb", "list-tables"]);
    assert_eq!(
        tables["TableNames"],
        serde_json::json!(["optest-local-players"])
    );

    std::fs::remove_file(&record).unwrap();
    let deps = run(&["local", "--env-file", "local.env"]);
    assert_eq!(code(&deps), 0, "{}", show(&deps));
    assert_eq!(
        lines(&record).join(" "),
        format!(
            "compose version -- compose -p optest-local -f {} up -d --wait --",
            state.join("compose.deps.yaml").display()
        )
    );

    std::fs::remove_file(&record).unwrap();
    let down = run(&["down", "--env-file", "local.env"]);
    assert_eq!(code(&down), 0, "{}", show(&down));
    assert!(
        lines(&record)
            .join(" ")
            .ends_with("compose.local.yaml down --")
    );
    assert!(stderr(&down).contains("data (tables, Redis) is kept"));

    // The local environment forwards nothing: it says where to connect.
    std::fs::write(
        dir.join("local.env"),
        "app_cluster=optest-local\napp_compose=compose.yaml\necs=false\ntunnel_ports=5000:4005\n",
    )
    .unwrap();
    let t = run(&["tunnel", "app", "--env-file", "local.env"]);
    assert_eq!(code(&t), 1, "{}", show(&t));
    assert!(
        stderr(&t).contains("publishes no host port for container port 4005"),
        "{}",
        show(&t)
    );
}
