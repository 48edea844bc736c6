//! After a failed deploy in which an `AWS::ECS::Service` failed or did not
//! stabilise: that service's counts, its latest service events and the
//! stop reasons of its stopped tasks, so the user sees why the containers
//! did not come up (image pull, health check, exit code) without opening
//! the console.

use super::ecs::cluster_of;
use super::failure::{self, ContainerExit, ContainerLog, Evidence, ServiceEvidence, StoppedTask};
use crate::aws::cloudformation::{CloudFormationApi, StackEvent};
use crate::aws::ecs::EcsApi;
use crate::aws::elbv2::ElbApi;
use crate::aws::logs::LogsApi;

const SERVICE: &str = "AWS::ECS::Service";
/// Service events and stopped tasks shown per service.
const SHOWN: usize = 5;

/// The events of the latest operation (newest first, up to the stack's
/// "User Initiated" event).
fn latest_operation<'a>(stack: &str, newest_first: &'a [StackEvent]) -> &'a [StackEvent] {
    let end = newest_first
        .iter()
        .position(|e| {
            e.logical_id == stack
                && e.resource_type == "AWS::CloudFormation::Stack"
                && e.status.ends_with("_IN_PROGRESS")
                && e.reason
                    .as_deref()
                    .is_some_and(|r| r.contains("User Initiated"))
        })
        .map_or(newest_first.len(), |i| i + 1);
    &newest_first[..end]
}

/// ECS services that failed in the latest operation: (logical ID, physical ID).
#[must_use]
pub fn failed_services(stack: &str, newest_first: &[StackEvent]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for e in latest_operation(stack, newest_first) {
        let cascade = e
            .reason
            .as_deref()
            .is_some_and(|r| r.to_ascii_lowercase().contains("cancelled"));
        if e.resource_type == SERVICE
            && e.status.ends_with("_FAILED")
            && !cascade
            && !e.physical_id.is_empty()
            && !found.iter().any(|(l, _)| *l == e.logical_id)
        {
            found.push((e.logical_id.clone(), e.physical_id.clone()));
        }
    }
    found
}

/// Log lines shown per failed container.
const LOG_LINES: usize = 20;

/// The report for every failed ECS service; `None` when there is none or
/// ECS cannot be read (the CloudFormation root cause is shown anyway).
pub async fn report<C: CloudFormationApi, E: EcsApi, B: ElbApi, L: LogsApi>(
    cfn: &C,
    ecs: &E,
    elb: &B,
    logs: &L,
    stack: &str,
) -> Option<String> {
    let evidence = failed(cfn, ecs, elb, logs, stack).await?;
    let text = failure::report(&evidence);
    (!text.is_empty()).then_some(text)
}

/// What [`report`] shows, as data (`up --json`): the evidence about every
/// ECS service that failed in the latest operation; `None` when there is
/// none or the stack's events cannot be read.
pub async fn failed<C: CloudFormationApi, E: EcsApi, B: ElbApi, L: LogsApi>(
    cfn: &C,
    ecs: &E,
    elb: &B,
    logs: &L,
    stack: &str,
) -> Option<Evidence> {
    let events = cfn.describe_stack_events(stack).await.ok()?;
    let failed = failed_services(stack, &events);
    if failed.is_empty() {
        return None;
    }
    Some(gather(cfn, ecs, elb, logs, stack, &failed).await)
}

/// For `ps`: the evidence about the stack's ECS services that run fewer
/// tasks than desired or have unhealthy targets (empty when all is well).
pub async fn troubled<C: CloudFormationApi, E: EcsApi, B: ElbApi, L: LogsApi>(
    cfn: &C,
    ecs: &E,
    elb: &B,
    logs: &L,
    stack: &str,
) -> Evidence {
    let services: Vec<(String, String)> = cfn
        .list_stack_resources(stack)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.resource_type == SERVICE && !r.physical_id.is_empty())
        .map(|r| (r.logical_id, r.physical_id))
        .collect();
    let mut evidence = gather(cfn, ecs, elb, logs, stack, &services).await;
    evidence.services.retain(|s| {
        s.running < s.desired
            || s.target_groups
                .iter()
                .any(|g| g.targets.iter().any(|t| t.state == "unhealthy"))
    });
    evidence
}

/// What ECS, the load balancer and the logs know about `services`
/// ((logical ID, service ARN) pairs); what cannot be read is left out.
pub async fn gather<C: CloudFormationApi, E: EcsApi, B: ElbApi, L: LogsApi>(
    cfn: &C,
    ecs: &E,
    elb: &B,
    logs: &L,
    stack: &str,
    services: &[(String, String)],
) -> Evidence {
    let resources = cfn.list_stack_resources(stack).await.unwrap_or_default();
    // Services in the old ARN format do not name their cluster.
    let stack_cluster = resources
        .iter()
        .find(|r| r.resource_type == "AWS::ECS::Cluster")
        .map(|r| r.physical_id.clone());
    let log_group = resources
        .iter()
        .find(|r| r.resource_type == "AWS::Logs::LogGroup")
        .map(|r| r.physical_id.clone());
    let mut evidence = Evidence::default();
    for (logical, physical) in services {
        let Some(cluster) = cluster_of(physical)
            .map(str::to_owned)
            .or_else(|| stack_cluster.clone())
        else {
            continue;
        };
        let found = ecs
            .describe_services(&cluster, std::slice::from_ref(physical))
            .await
            .unwrap_or_default();
        let Some(service) = found.first() else {
            continue;
        };
        let mut s = ServiceEvidence {
            logical_id: logical.clone(),
            name: service.name.clone(),
            desired: service.desired,
            running: service.running,
            pending: service.pending,
            events: service.events.clone(),
            ..ServiceEvidence::default()
        };
        let stopped = ecs
            .tasks(&cluster, physical, true)
            .await
            .unwrap_or_default();
        for task in stopped.iter().take(SHOWN) {
            s.stopped.push(StoppedTask {
                id: task.id.clone(),
                reason: task.stopped_reason.clone(),
                containers: task
                    .containers
                    .iter()
                    .map(|(name, exit_code, reason)| ContainerExit {
                        name: name.clone(),
                        exit_code: *exit_code,
                        reason: reason.clone(),
                    })
                    .collect(),
            });
        }
        // The last lines of the newest task's containers that ran and failed.
        if let (Some(group), Some(task)) = (&log_group, s.stopped.first()) {
            for c in task
                .containers
                .iter()
                .filter(|c| c.exit_code.is_some_and(|e| e != 0))
            {
                if let Ok(lines) = logs.last_lines(group, &c.name, &task.id, LOG_LINES).await
                    && !lines.is_empty()
                {
                    s.logs.push(ContainerLog {
                        task: task.id.clone(),
                        container: c.name.clone(),
                        lines,
                    });
                }
            }
        }
        for arn in ecs
            .target_groups(&cluster, physical)
            .await
            .unwrap_or_default()
        {
            if let Ok(g) = elb.target_group(&arn).await {
                s.target_groups.push(g);
            }
        }
        evidence.services.push(s);
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ApiError;
    use crate::aws::cloudformation::StackResource;
    use crate::aws::ecs::{ServiceState, TaskState};
    use crate::aws::fake::{FakeCfn, FakeEcs, FakeElb, FakeLogs, event};
    use crate::aws::testing::block;

    fn fake_ecs(broken: bool) -> FakeEcs {
        FakeEcs {
            service: ServiceState {
                name: "game-Api-1".into(),
                status: "ACTIVE".into(),
                desired: 2,
                running: 0,
                pending: 1,
                events: (0..7).map(|i| (3600 - i, format!("event {i}"))).collect(),
                ..ServiceState::default()
            },
            running: vec![stopped_task()],
            stopped: vec![stopped_task()],
            describe_error: broken.then(|| ApiError::new("AccessDenied", "no")),
            ..FakeEcs::default()
        }
    }

    /// The report with no target group and no log lines.
    fn report_of(cfn: &FakeCfn, ecs: &FakeEcs) -> Option<String> {
        block(report(
            cfn,
            ecs,
            &FakeElb::default(),
            &FakeLogs::default(),
            "game",
        ))
    }

    fn stopped_task() -> TaskState {
        TaskState {
            id: "0a1b".into(),
            last_status: "STOPPED".into(),
            stopped_reason: Some("Essential container in task exited".into()),
            containers: vec![("api".into(), Some(1), None)],
        }
    }

    fn failing_events() -> Vec<StackEvent> {
        let mut older = event(1, "Api", "CREATE_FAILED", Some("an older failure"));
        older.physical_id = "arn:aws:ecs:r:1:service/c/old".into();
        let mut failed = event(
            5,
            "Api",
            "CREATE_FAILED",
            Some("Resource handler returned message: \"Service did not stabilize\""),
        );
        failed.physical_id = "arn:aws:ecs:r:1:service/game-Cluster/game-Api-1".into();
        let mut cascade = event(
            6,
            "Worker",
            "CREATE_FAILED",
            Some("Resource creation cancelled"),
        );
        cascade.physical_id = "arn:aws:ecs:r:1:service/game-Cluster/game-Worker-1".into();
        // Newest first, as DescribeStackEvents returns them.
        vec![
            event(
                7,
                "game",
                "ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed"),
            ),
            cascade,
            failed,
            event(3, "game", "CREATE_IN_PROGRESS", Some("User Initiated")),
            older,
        ]
    }

    #[test]
    fn only_the_latest_operations_real_failures_count() {
        assert_eq!(
            failed_services("game", &failing_events()),
            [(
                "Api".to_owned(),
                "arn:aws:ecs:r:1:service/game-Cluster/game-Api-1".to_owned()
            )]
        );
    }

    #[test]
    fn the_report_shows_counts_events_and_stop_reasons() {
        let cfn = FakeCfn::default();
        cfn.0.borrow_mut().events = failing_events();
        let ecs = fake_ecs(false);
        let text = report_of(&cfn, &ecs).expect("a report");
        assert_eq!(
            text,
            "ECS service Api (game-Api-1): desired 2, running 0, pending 1\n  stopped tasks:\n    0a1b: Essential container in task exited\n      container api: exit code 1\n      cause: an essential container exited with code 1: its last log lines below say why\n  latest service events:\n    01:00:00Z  event 0\n    00:59:59Z  event 1\n    00:59:58Z  event 2\n    00:59:57Z  event 3\n    00:59:56Z  event 4\n"
        );
        assert_eq!(
            ecs.calls.borrow().as_slice(),
            [
                "describe game-Cluster arn:aws:ecs:r:1:service/game-Cluster/game-Api-1",
                "tasks game-Cluster arn:aws:ecs:r:1:service/game-Cluster/game-Api-1 stopped=true"
            ]
        );
    }

    #[test]
    fn old_arns_use_the_stacks_cluster() {
        let cfn = FakeCfn::default();
        let mut e = event(5, "Api", "UPDATE_FAILED", Some("did not stabilize"));
        e.physical_id = "arn:aws:ecs:r:1:service/game-Api-1".into();
        cfn.0.borrow_mut().events = vec![e];
        cfn.0.borrow_mut().resources = vec![StackResource {
            logical_id: "Cluster".into(),
            physical_id: "game-Cluster".into(),
            resource_type: "AWS::ECS::Cluster".into(),
            status: "CREATE_COMPLETE".into(),
        }];
        let ecs = fake_ecs(false);
        assert!(report_of(&cfn, &ecs).is_some());
        assert!(ecs.calls.borrow()[0].starts_with("describe game-Cluster "));
    }

    #[test]
    fn nothing_when_no_service_failed_or_ecs_cannot_be_read() {
        let cfn = FakeCfn::default();
        cfn.0.borrow_mut().events = vec![event(1, "Table", "CREATE_FAILED", Some("x"))];
        let ecs = fake_ecs(false);
        assert_eq!(report_of(&cfn, &ecs), None);
        assert!(ecs.calls.borrow().is_empty());

        cfn.0.borrow_mut().events = failing_events();
        let broken = fake_ecs(true);
        assert_eq!(report_of(&cfn, &broken), None);
    }
}
