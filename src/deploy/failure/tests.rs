//! One snapshot per cause: recorded ECS, ELB and CloudWatch Logs answers
//! (the messages as AWS words them) go through the same gathering as a real
//! failed deploy (`service_report::gather`) into the report.

use std::collections::BTreeMap;

use super::super::service_report::{failed_services, gather};
use super::*;
use crate::aws::cloudformation::StackResource;
use crate::aws::ecs::{ServiceState, TaskState};
use crate::aws::fake::{FakeCfn, FakeEcs, FakeElb, FakeLogs, event};

const SERVICE: &str =
    "arn:aws:ecs:eu-west-1:123456789012:service/ccg-develop-Cluster-x1/ccg-develop-AppService-y2";
const TG: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ccg-d-AppTCP80TargetGroup/5e1f";

/// Recorded answers of one failure.
#[derive(Default)]
struct Recorded {
    events: Vec<(i64, String)>,
    stopped: Vec<TaskState>,
    target_groups: Vec<TargetGroupHealth>,
    logs: BTreeMap<(String, String), Vec<String>>,
}

fn stack() -> FakeCfn {
    let cfn = FakeCfn::default();
    let mut failed = event(
        9,
        "AppService",
        "CREATE_FAILED",
        Some(
            "Resource handler returned message: \"Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.\"",
        ),
    );
    failed.physical_id = SERVICE.into();
    {
        let mut s = cfn.0.borrow_mut();
        s.events = vec![
            event(
                10,
                "ccg-develop",
                "ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to create: [AppService]."),
            ),
            failed,
            event(
                1,
                "ccg-develop",
                "CREATE_IN_PROGRESS",
                Some("User Initiated"),
            ),
        ];
        s.resources = vec![
            StackResource {
                logical_id: "Cluster".into(),
                physical_id: "ccg-develop-Cluster-x1".into(),
                resource_type: "AWS::ECS::Cluster".into(),
                status: "CREATE_COMPLETE".into(),
            },
            StackResource {
                logical_id: "LogGroup".into(),
                physical_id: "/docker-compose/ccg-develop".into(),
                resource_type: "AWS::Logs::LogGroup".into(),
                status: "CREATE_COMPLETE".into(),
            },
        ];
    }
    cfn
}

fn task(id: &str, reason: &str, containers: &[(&str, Option<i32>, Option<&str>)]) -> TaskState {
    TaskState {
        id: id.into(),
        last_status: "STOPPED".into(),
        stopped_reason: Some(reason.into()),
        containers: containers
            .iter()
            .map(|(n, c, r)| ((*n).to_owned(), *c, r.map(str::to_owned)))
            .collect(),
    }
}

fn health_check() -> HealthCheck {
    HealthCheck {
        protocol: "HTTP".into(),
        port: "traffic-port".into(),
        path: Some("/health".into()),
        interval: 30,
        timeout: 5,
        healthy_threshold: 5,
        unhealthy_threshold: 2,
        matcher: Some("200-399".into()),
    }
}

fn render(recorded: &Recorded) -> String {
    let cfn = stack();
    let ecs = FakeEcs {
        service: ServiceState {
            name: "ccg-develop-AppService-y2".into(),
            status: "ACTIVE".into(),
            desired: 1,
            events: recorded.events.clone(),
            ..ServiceState::default()
        },
        stopped: recorded.stopped.clone(),
        target_groups: if recorded.target_groups.is_empty() {
            Vec::new()
        } else {
            vec![TG.to_owned()]
        },
        ..FakeEcs::default()
    };
    let elb = FakeElb {
        target_group: recorded.target_groups.first().cloned(),
    };
    let logs = FakeLogs {
        lines: recorded.logs.clone(),
        ..FakeLogs::default()
    };
    let text = crate::aws::testing::block(async {
        let events = cfn.0.borrow().events.clone();
        let failed = failed_services("ccg-develop", &events);
        assert_eq!(failed.len(), 1, "the failed service is found");
        gather(&cfn, &ecs, &elb, &logs, "ccg-develop", &failed).await
    });
    assert!(
        logs.read
            .borrow()
            .iter()
            .all(|g| g == "/docker-compose/ccg-develop")
    );
    report(&text)
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("failure__{name}"), text));
}

#[test]
fn cannot_pull_the_image() {
    let r = Recorded {
        events: vec![(
            1_764_750_000,
            "(service ccg-develop-AppService-y2) has started 1 tasks: (task 7f3e).".into(),
        )],
        stopped: vec![task(
            "7f3e",
            "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:v9: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:v9: not found",
            &[(
                "app",
                None,
                Some(
                    "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:v9: not found",
                ),
            )],
        )],
        ..Recorded::default()
    };
    let text = render(&r);
    assert!(
        text.contains("cause: the image could not be pulled"),
        "{text}"
    );
    snapshot("cannot_pull_container", &text);
}

#[test]
fn a_secret_it_cannot_read() {
    let r = Recorded {
        stopped: vec![task(
            "91ac",
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:ccg/db-password-AbCdEf from secrets manager: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ccg-develop-AppTaskExecutionRole/91ac is not authorized to perform: secretsmanager:GetSecretValue",
            &[("app", None, None)],
        )],
        ..Recorded::default()
    };
    let text = render(&r);
    assert!(text.contains("a secret it cannot read"), "{text}");
    snapshot("resource_initialization_error", &text);
}

#[test]
fn out_of_memory() {
    let r = Recorded {
        stopped: vec![task(
            "c0de",
            "Essential container in task exited",
            &[(
                "app",
                Some(137),
                Some("OutOfMemoryError: Container killed due to memory usage"),
            )],
        )],
        logs: BTreeMap::from([(
            ("app".to_owned(), "c0de".to_owned()),
            vec![
                "loading 4 GB of card art into memory".to_owned(),
                "allocating decks cache".to_owned(),
            ],
        )]),
        ..Recorded::default()
    };
    let text = render(&r);
    assert!(text.contains("more memory than its limit"), "{text}");
    assert!(text.contains("| allocating decks cache"), "{text}");
    snapshot("out_of_memory", &text);
}

#[test]
fn an_essential_container_exited() {
    let lines: Vec<String> = (1..=25)
        .map(|i| format!("boot step {i}"))
        .chain(["Error: REDIS_HOST is not set".to_owned()])
        .collect();
    let r = Recorded {
        events: vec![
            (
                1_764_750_060,
                "(service ccg-develop-AppService-y2) deployment failed: tasks failed to start."
                    .into(),
            ),
            (
                1_764_750_000,
                "(service ccg-develop-AppService-y2) has started 1 tasks: (task 5b5b).".into(),
            ),
        ],
        stopped: vec![task(
            "5b5b",
            "Essential container in task exited",
            &[("app", Some(1), None)],
        )],
        logs: BTreeMap::from([(("app".to_owned(), "5b5b".to_owned()), lines)]),
        ..Recorded::default()
    };
    let text = render(&r);
    assert!(text.contains("exited with code 1"), "{text}");
    assert!(
        !text.contains("| boot step 6\n"),
        "only the last 20 lines: {text}"
    );
    assert!(text.contains("| Error: REDIS_HOST is not set"), "{text}");
    snapshot("essential_container_exited", &text);
}

#[test]
fn failed_health_checks() {
    let r = Recorded {
        events: vec![(1_764_750_100, "(service ccg-develop-AppService-y2) (task 3d3d) failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ccg-d-AppTCP80TargetGroup/5e1f)".into())],
        stopped: vec![task(
            "3d3d",
            "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ccg-d-AppTCP80TargetGroup/5e1f)",
            &[("app", Some(143), None)],
        )],
        target_groups: vec![TargetGroupHealth {
            name: "ccg-d-AppTCP80TargetGroup".into(),
            check: health_check(),
            targets: vec![
                TargetState {
                    target: "172.31.7.19:80".into(),
                    state: "unhealthy".into(),
                    reason: Some("Target.FailedHealthChecks".into()),
                    description: Some("Health checks failed".into()),
                },
                TargetState {
                    target: "172.31.7.21:80".into(),
                    state: "unhealthy".into(),
                    reason: Some("Target.ResponseCodeMismatch".into()),
                    description: Some("Health checks failed with these codes: [404]".into()),
                },
            ],
        }],
        ..Recorded::default()
    };
    let text = render(&r);
    assert!(
        text.contains("health check HTTP /health on the traffic port, every 30s, timeout 5s"),
        "{text}"
    );
    snapshot("target_failed_health_checks", &text);
}

#[test]
fn health_check_timeout() {
    let r = Recorded {
        stopped: vec![task(
            "4e4e",
            "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ccg-d-AppTCP80TargetGroup/5e1f)",
            &[("app", Some(143), None)],
        )],
        target_groups: vec![TargetGroupHealth {
            name: "ccg-d-AppTCP80TargetGroup".into(),
            check: HealthCheck {
                protocol: "TCP".into(),
                path: None,
                matcher: None,
                ..health_check()
            },
            targets: vec![TargetState {
                target: "172.31.7.20:80".into(),
                state: "unhealthy".into(),
                reason: Some("Target.Timeout".into()),
                description: Some("Request timed out".into()),
            }],
        }],
        ..Recorded::default()
    };
    let text = render(&r);
    assert!(
        text.contains("Target.Timeout (Request timed out)"),
        "{text}"
    );
    snapshot("target_timeout", &text);
}

#[test]
fn the_json_form_carries_the_same_evidence() {
    let evidence = Evidence {
        services: vec![ServiceEvidence {
            logical_id: "AppService".into(),
            stopped: vec![StoppedTask {
                id: "7f3e".into(),
                reason: Some("CannotPullContainerError: x".into()),
                containers: Vec::new(),
            }],
            ..ServiceEvidence::default()
        }],
    };
    let v = serde_json::to_value(&evidence).expect("JSON");
    assert_eq!(
        v["services"][0]["stopped"][0]["reason"],
        "CannotPullContainerError: x"
    );
    assert_eq!(v["services"][0]["logical_id"], "AppService");
}

#[test]
fn unknown_reasons_are_shown_without_a_guess() {
    assert_eq!(
        explain_stop("Scaling activity initiated by deployment", None),
        None
    );
    assert_eq!(explain_target("Target.NotRegistered"), None);
    assert!(
        explain_stop("Essential container in task exited", Some(0))
            .is_some_and(|s| s.contains("code 0"))
    );
}
