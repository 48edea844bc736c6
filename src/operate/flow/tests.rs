//! The flows against a scripted AWS and recorded programs.

use std::cell::RefCell;
use std::os::unix::process::ExitStatusExt as _;
use std::rc::Rc;

use super::*;
use crate::aws::cloudformation::StackResource;
use crate::aws::ecs::TaskDetail;
use crate::aws::fake::Aws as FakeAws;

#[derive(Default)]
struct ChildState {
    exited: bool,
    stopped: bool,
}

struct FakeChild(Rc<RefCell<ChildState>>);

impl Child for FakeChild {
    fn exited(&mut self) -> bool {
        self.0.borrow().exited
    }
    fn stop(&mut self) {
        self.0.borrow_mut().stopped = true;
    }
}

#[derive(Default)]
struct FakePrograms {
    missing: bool,
    /// (program, args) of every run or spawn.
    lines: Vec<(String, Vec<String>)>,
    children: Vec<Rc<RefCell<ChildState>>>,
    /// Index of a spawned child that exits by itself.
    exits: Option<usize>,
    /// A file whose content is captured at each spawn.
    watch: Option<PathBuf>,
    seen: Vec<String>,
}

impl Programs for FakePrograms {
    fn run(&mut self, program: &str, args: &[String]) -> std::io::Result<ExitStatus> {
        if self.missing {
            return Err(std::io::ErrorKind::NotFound.into());
        }
        self.lines.push((program.into(), args.to_vec()));
        Ok(ExitStatus::from_raw(0))
    }
    fn spawn(&mut self, program: &str, args: &[String]) -> std::io::Result<Box<dyn Child>> {
        if self.missing {
            return Err(std::io::ErrorKind::NotFound.into());
        }
        self.lines.push((program.into(), args.to_vec()));
        if let Some(w) = &self.watch {
            self.seen
                .push(std::fs::read_to_string(w).unwrap_or_default());
        }
        let state = Rc::new(RefCell::new(ChildState {
            exited: self.exits == Some(self.children.len()),
            stopped: false,
        }));
        self.children.push(state.clone());
        Ok(Box::new(FakeChild(state)))
    }
}

fn task(exec: bool, ip: Option<&str>) -> Task {
    Task {
        id: "3f2a9c1b00004d1e8a7b".into(),
        containers: vec![
            (
                "App_ResolvConf_InitContainer".into(),
                "3f2a9c1b00004d1e8a7b-0".into(),
            ),
            ("app".into(), "3f2a9c1b00004d1e8a7b-1".into()),
        ],
        public_ip: ip.map(str::to_owned),
        private_ip: Some("10.0.1.5".into()),
        exec_enabled: exec,
    }
}

fn resource(logical_id: &str, physical_id: &str) -> StackResource {
    StackResource {
        logical_id: logical_id.into(),
        physical_id: physical_id.into(),
        resource_type: String::new(),
        status: "CREATE_COMPLETE".into(),
    }
}

/// The stack's cluster and service, and `tasks` running (a public IP is
/// that of the task's network interface).
fn aws(tasks: Vec<Task>) -> FakeAws {
    let mut api = FakeAws::default();
    api.cloudformation.0.borrow_mut().resources = vec![
        resource("Cluster", "ccg-develop"),
        resource(
            "AppService",
            "arn:aws:ecs:eu-west-1:123456789012:service/ccg-develop/ccg-develop-AppService-Xyz",
        ),
    ];
    for t in tasks {
        let eni = t.public_ip.as_ref().map(|ip| {
            let eni = format!("eni-{}", t.id);
            api.ec2.public_ips.insert(eni.clone(), ip.clone());
            eni
        });
        api.ecs.running_tasks.push(TaskDetail {
            id: t.id,
            containers: t.containers,
            eni,
            private_ip: t.private_ip,
            exec_enabled: t.exec_enabled,
        });
    }
    api
}

/// The flows with the services of one fake account.
async fn locate(
    api: &FakeAws,
    ctx: &Context,
    named: Option<&str>,
    task_prefix: Option<&str>,
) -> Result<Located, Failure> {
    super::locate(
        &api.cloudformation,
        &api.ecs,
        &api.ec2,
        ctx,
        named,
        task_prefix,
    )
    .await
}

async fn fetch_logs(
    api: &FakeAws,
    stack: &str,
    services: &[String],
    start_ms: Option<i64>,
) -> Result<Vec<LogEvent>, Failure> {
    super::fetch_logs(&api.logs, stack, services, start_ms).await
}

fn ctx() -> Context {
    Context {
        stack: "ccg-develop".into(),
        region: "eu-west-1".into(),
        profile: Some("develop".into()),
        ssm_endpoint: "https://ssm.eu-west-1.amazonaws.com".into(),
        metadata_cluster: None,
        services: vec!["app".into()],
    }
}

use crate::aws::testing::block as run;

/// Locates the task of `ctx()` and runs `exec` in it.
fn exec_in(
    api: &FakeAws,
    programs: &mut dyn Programs,
    container: Option<&str>,
    command: &str,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    run(async {
        let at = locate(api, &ctx(), None, None).await?;
        exec(&api.ecs, programs, &ctx(), &at, container, command, err).await
    })
}

#[test]
fn exec_runs_the_plugin_with_the_six_arguments() {
    let api = aws(vec![task(true, None)]);
    let mut programs = FakePrograms::default();
    let mut err = Vec::new();
    let code = exec_in(&api, &mut programs, None, "/bin/sh", &mut err).unwrap();
    assert_eq!(code, 0);
    assert_eq!(
        api.calls.borrow().as_slice(),
        [
            "resources ccg-develop",
            "tasks ccg-develop ccg-develop-AppService-Xyz",
            "exec ccg-develop 3f2a9c1b00004d1e8a7b app /bin/sh",
        ]
    );
    assert_eq!(programs.lines.len(), 1);
    let (program, args) = &programs.lines[0];
    assert_eq!(program, "session-manager-plugin");
    assert_eq!(
        args,
        &[
            r#"{"SessionId":"ecs-execute-command-1","StreamUrl":"wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/ecs-execute-command-1","TokenValue":"tok-ecs-execute-command-1"}"#,
            "eu-west-1",
            "StartSession",
            "develop",
            r#"{"Target":"ecs:ccg-develop_3f2a9c1b00004d1e8a7b_3f2a9c1b00004d1e8a7b-1"}"#,
            "https://ssm.eu-west-1.amazonaws.com",
        ]
    );
    assert!(String::from_utf8_lossy(&err).contains("app task 3f2a9c1b container app: /bin/sh"));
}

#[test]
fn exec_errors_say_what_to_do() {
    // No plugin.
    let api = aws(vec![task(true, None)]);
    let mut programs = FakePrograms {
        missing: true,
        ..FakePrograms::default()
    };
    let e = exec_in(&api, &mut programs, None, "/bin/sh", &mut Vec::new()).unwrap_err();
    assert_eq!(e.message, MISSING_PLUGIN);

    // Exec disabled on the task: no ExecuteCommand call at all.
    let api = aws(vec![task(false, None)]);
    let e = exec_in(
        &api,
        &mut FakePrograms::default(),
        None,
        "/bin/sh",
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        TargetError::ExecDisabled("3f2a9c1b00004d1e8a7b".into()).to_string()
    );
    assert!(!api.calls.borrow().iter().any(|c| c.starts_with("exec")));

    // ECS refusing for the same reason says the same.
    let mut api = aws(vec![task(true, None)]);
    api.ecs.exec_error = Some(ApiError::new(
        "InvalidParameterException",
        "The execute command failed because execute command was not enabled when the task was run",
    ));
    let e = exec_in(
        &api,
        &mut FakePrograms::default(),
        None,
        "/bin/sh",
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(e.message.contains("ECS Exec is not enabled"), "{e:?}");

    // An unknown container lists the task's containers.
    let api = aws(vec![task(true, None)]);
    let e = exec_in(
        &api,
        &mut FakePrograms::default(),
        Some("db"),
        "ls",
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("containers: App_ResolvConf_InitContainer, app"),
        "{e:?}"
    );
}

#[test]
fn locating_fails_clearly() {
    let api = aws(vec![]);
    let e = run(locate(&api, &ctx(), None, None)).unwrap_err();
    assert!(e.message.contains("has no running task"), "{e:?}");

    let mut two = ctx();
    two.services.push("worker".into());
    let e = run(locate(&api, &two, None, None)).unwrap_err();
    assert_eq!(
        e.message,
        "the stack has several services (app, worker); name one"
    );

    api.cloudformation.0.borrow_mut().missing = true;
    let e = run(locate(&api, &ctx(), None, None)).unwrap_err();
    assert_eq!(
        e.message,
        "stack ccg-develop does not exist in region eu-west-1"
    );

    // x-aws-cluster: the template's Metadata.Cluster (an ARN) wins.
    let api = aws(vec![task(true, None)]);
    let mut c = ctx();
    c.metadata_cluster = Some("arn:aws:ecs:eu-west-1:123456789012:cluster/shared".into());
    let at = run(locate(&api, &c, Some("app"), Some("3f2a"))).unwrap();
    assert_eq!(at.cluster, "shared");
}

#[test]
fn ssm_tunnels_one_plugin_per_forward_all_closed_on_ctrl_c() {
    let api = aws(vec![task(true, None)]);
    let mut programs = FakePrograms::default();
    let forwards = [
        ssh::parse_forward("5000:4005").unwrap(),
        ssh::parse_forward("5001:4006").unwrap(),
    ];
    let code = run(async {
        let at = locate(&api, &ctx(), None, None).await?;
        tunnel_ssm(
            &api.ssm,
            &mut programs,
            &ctx(),
            &at,
            None,
            &forwards,
            std::future::ready(()),
            &mut Vec::new(),
        )
        .await
    })
    .unwrap();
    assert_eq!(code, 0);
    let target = "ecs:ccg-develop_3f2a9c1b00004d1e8a7b_3f2a9c1b00004d1e8a7b-1";
    assert!(
        api.calls
            .borrow()
            .contains(&format!("start-session {target} 4005 5000"))
    );
    assert!(
        api.calls
            .borrow()
            .contains(&format!("start-session {target} 4006 5001"))
    );
    assert_eq!(programs.lines.len(), 2);
    assert_eq!(programs.lines[1].0, "session-manager-plugin");
    assert_eq!(
        programs.lines[1].1[4],
        format!(
            r#"{{"DocumentName":"AWS-StartPortForwardingSession","Parameters":{{"localPortNumber":["5001"],"portNumber":["4006"]}},"Target":"{target}"}}"#
        )
    );
    assert_eq!(programs.lines[1].1[3], "develop");
    assert!(programs.children.iter().all(|c| c.borrow().stopped));
}

#[test]
fn a_tunnel_that_ends_closes_the_others() {
    let api = aws(vec![task(true, None)]);
    let mut programs = FakePrograms {
        exits: Some(1),
        ..FakePrograms::default()
    };
    let forwards = [
        ssh::parse_forward("5000:4005").unwrap(),
        ssh::parse_forward("5001:4006").unwrap(),
    ];
    let mut err = Vec::new();
    let code = run(async {
        let at = locate(&api, &ctx(), None, None).await?;
        tunnel_ssm(
            &api.ssm,
            &mut programs,
            &ctx(),
            &at,
            None,
            &forwards,
            std::future::pending(),
            &mut err,
        )
        .await
    })
    .unwrap();
    assert_eq!(code, 1);
    assert!(programs.children.iter().all(|c| c.borrow().stopped));
    assert!(String::from_utf8_lossy(&err).contains("the tunnel 5001:4006 ended by itself"));
}

#[test]
fn ssh_tunnel_writes_the_config_entry_and_removes_it_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ssh/config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let original = "Host github.com\n  User git\n";
    std::fs::write(&config, original).unwrap();
    let api = aws(vec![task(true, Some("203.0.113.7"))]);
    let mut programs = FakePrograms {
        watch: Some(config.clone()),
        ..FakePrograms::default()
    };
    let options = SshOptions {
        user: "root".into(),
        key: Some("/home/me/.ssh/game".into()),
        config: config.clone(),
    };
    let forwards = [
        ssh::parse_forward("5000:4005").unwrap(),
        ssh::parse_forward("5001:4006").unwrap(),
    ];
    let mut err = Vec::new();
    let code = run(async {
        let at = locate(&api, &ctx(), None, None).await?;
        tunnel_ssh(
            &mut programs,
            &ctx(),
            &at,
            &options,
            &forwards,
            std::future::ready(()),
            &mut err,
        )
        .await
    })
    .unwrap();
    assert_eq!(code, 0);
    assert_eq!(
        programs.lines,
        [(
            "ssh".to_owned(),
            "-N -o ExitOnForwardFailure=yes -i /home/me/.ssh/game -L 127.0.0.1:5000:127.0.0.1:4005 -L 127.0.0.1:5001:127.0.0.1:4006 root@203.0.113.7"
                .split(' ')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        )]
    );
    // While ssh ran, the entry was there; after Ctrl-C it is gone.
    assert!(
        programs.seen[0].contains("Host ccg-develop-app\n  HostName 203.0.113.7\n  User root\n  IdentityFile /home/me/.ssh/game\n"),
        "{}",
        programs.seen[0]
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
    assert!(programs.children[0].borrow().stopped);
    assert!(String::from_utf8_lossy(&err).contains("Host ccg-develop-app removed"));
}

#[test]
fn ssh_tunnel_needs_a_public_ip_and_ssh() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let options = SshOptions {
        user: "root".into(),
        key: None,
        config: config.clone(),
    };
    let forwards = [ssh::parse_forward("5000:4005").unwrap()];
    let api = aws(vec![task(true, None)]);
    let e = run(async {
        let at = locate(&api, &ctx(), None, None).await?;
        tunnel_ssh(
            &mut FakePrograms::default(),
            &ctx(),
            &at,
            &options,
            &forwards,
            std::future::ready(()),
            &mut Vec::new(),
        )
        .await
    })
    .unwrap_err();
    assert!(
        e.message.contains("has no public IP (private IP 10.0.1.5)"),
        "{e:?}"
    );
    assert!(!config.exists());

    // No ssh client: the entry written a moment before is removed again.
    let api = aws(vec![task(true, Some("203.0.113.7"))]);
    let e = run(async {
        let at = locate(&api, &ctx(), None, None).await?;
        tunnel_ssh(
            &mut FakePrograms {
                missing: true,
                ..FakePrograms::default()
            },
            &ctx(),
            &at,
            &options,
            &forwards,
            std::future::ready(()),
            &mut Vec::new(),
        )
        .await
    })
    .unwrap_err();
    assert!(e.message.contains("`ssh` command was not found"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "");
}

fn ev(id: &str, ts: i64, stream: &str, m: &str) -> LogEvent {
    LogEvent {
        id: id.into(),
        event: Event {
            timestamp: ts,
            stream: stream.into(),
            message: m.into(),
        },
    }
}

#[test]
fn logs_are_read_per_service_and_interleaved() {
    let mut api = FakeAws::default();
    api.logs.streams = vec![
        "ccg-develop/app/3f2a9c1b0000".into(),
        "ccg-develop/worker/9abc00001111".into(),
        "ccg-develop/App_ResolvConf_InitContainer/3f2a9c1b0000".into(),
    ];
    api.logs.events = vec![
        ev("1", 20, "ccg-develop/worker/9abc00001111", "w"),
        ev("2", 10, "ccg-develop/app/3f2a9c1b0000", "a"),
        ev(
            "3",
            30,
            "ccg-develop/App_ResolvConf_InitContainer/3f2a9c1b0000",
            "init",
        ),
    ];
    let services = vec!["app".to_owned(), "worker".to_owned()];
    let events = run(fetch_logs(&api, "ccg-develop", &services, None)).unwrap();
    let mut out = Vec::new();
    let mut width = 0;
    print_events(
        &mut out,
        &events.into_iter().map(|e| e.event).collect::<Vec<_>>(),
        &mut width,
    );
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "app (3f2a9c1b)    | a\nworker (9abc0000) | w\n"
    );
    assert!(
        api.calls
            .borrow()
            .contains(&"streams /docker-compose/ccg-develop ccg-develop/app/".to_owned())
    );
}

#[test]
fn following_drops_what_was_printed() {
    let mut f = Follower::default();
    let first = f.fresh(vec![ev("a", 1, "s", "one"), ev("b", 2, "s", "two")]);
    assert_eq!(first.len(), 2);
    assert_eq!(f.last, Some(2));
    // The next poll starts at the last timestamp: `b` comes again, `c` is new.
    let next = f.fresh(vec![
        ev("b", 2, "s", "two"),
        ev("c", 2, "t", "two too"),
        ev("d", 5, "s", "five"),
    ]);
    let messages: Vec<&str> = next.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["two too", "five"]);
    assert!(f.fresh(vec![ev("d", 5, "s", "five")]).is_empty());
}
