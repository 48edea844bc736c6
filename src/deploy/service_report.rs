//! After a failed deploy in which an `AWS::ECS::Service` failed or did not
//! stabilise: that service's counts, its latest service events and the
//! stop reasons of its stopped tasks, so the user sees why the containers
//! did not come up (image pull, health check, exit code) without opening
//! the console.

use std::fmt::Write as _;

use super::api::{CloudFormationApi, StackEvent};
use super::ecs::{EcsApi, cluster_of};
use super::ui::clock;

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

/// The report for every failed ECS service; `None` when there is none or
/// ECS cannot be read (the CloudFormation root cause is shown anyway).
pub async fn report<C: CloudFormationApi, E: EcsApi>(
    cfn: &C,
    ecs: &E,
    stack: &str,
) -> Option<String> {
    let events = cfn.describe_stack_events(stack).await.ok()?;
    let failed = failed_services(stack, &events);
    if failed.is_empty() {
        return None;
    }
    // Services in the old ARN format do not name their cluster.
    let stack_cluster = cfn.list_stack_resources(stack).await.ok().and_then(|rs| {
        rs.into_iter()
            .find(|r| r.resource_type == "AWS::ECS::Cluster")
            .map(|r| r.physical_id)
    });
    let mut out = String::new();
    for (logical, physical) in failed {
        let Some(cluster) = cluster_of(&physical)
            .map(str::to_owned)
            .or_else(|| stack_cluster.clone())
        else {
            continue;
        };
        let services = ecs
            .describe_services(&cluster, std::slice::from_ref(&physical))
            .await
            .unwrap_or_default();
        let Some(service) = services.first() else {
            continue;
        };
        let _ = writeln!(
            out,
            "ECS service {logical} ({}): desired {}, running {}, pending {}",
            service.name, service.desired, service.running, service.pending
        );
        if !service.events.is_empty() {
            let _ = writeln!(out, "  latest service events:");
            for (at, message) in service.events.iter().take(SHOWN) {
                let _ = writeln!(out, "    {}  {message}", clock(*at));
            }
        }
        let stopped = ecs
            .tasks(&cluster, &physical, true)
            .await
            .unwrap_or_default();
        if !stopped.is_empty() {
            let _ = writeln!(out, "  stopped tasks:");
            for task in stopped.iter().take(SHOWN) {
                let mut line = format!(
                    "    {}: {}",
                    task.id,
                    task.stopped_reason.as_deref().unwrap_or("stopped")
                );
                for (name, exit, reason) in &task.containers {
                    let _ = write!(line, "; container {name}");
                    if let Some(code) = exit {
                        let _ = write!(line, " exited {code}");
                    }
                    if let Some(r) = reason {
                        let _ = write!(line, " ({r})");
                    }
                }
                let _ = writeln!(out, "{line}");
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::super::api::{ApiError, ApiResult, StackResource};
    use super::super::ecs::{ServiceState, TaskState};
    use super::super::fake::{FakeCfn, event};
    use super::*;

    #[derive(Default)]
    struct FakeEcs {
        calls: RefCell<Vec<String>>,
        broken: bool,
    }

    impl EcsApi for FakeEcs {
        async fn describe_services(
            &self,
            cluster: &str,
            services: &[String],
        ) -> ApiResult<Vec<ServiceState>> {
            self.calls
                .borrow_mut()
                .push(format!("describe {cluster} {}", services.join(",")));
            if self.broken {
                return Err(ApiError::new("AccessDenied", "no"));
            }
            Ok(vec![ServiceState {
                arn: services[0].clone(),
                name: "game-Api-1".into(),
                status: "ACTIVE".into(),
                desired: 2,
                running: 0,
                pending: 1,
                events: (0..7).map(|i| (3600 - i, format!("event {i}"))).collect(),
            }])
        }
        async fn tasks(
            &self,
            cluster: &str,
            service: &str,
            stopped: bool,
        ) -> ApiResult<Vec<TaskState>> {
            self.calls
                .borrow_mut()
                .push(format!("tasks {cluster} {service} stopped={stopped}"));
            Ok(vec![TaskState {
                id: "0a1b".into(),
                last_status: "STOPPED".into(),
                stopped_reason: Some("Essential container in task exited".into()),
                containers: vec![("api".into(), Some(1), None)],
            }])
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

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
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
        let ecs = FakeEcs::default();
        let text = block(report(&cfn, &ecs, "game")).expect("a report");
        assert_eq!(
            text,
            "ECS service Api (game-Api-1): desired 2, running 0, pending 1\n  latest service events:\n    01:00:00Z  event 0\n    00:59:59Z  event 1\n    00:59:58Z  event 2\n    00:59:57Z  event 3\n    00:59:56Z  event 4\n  stopped tasks:\n    0a1b: Essential container in task exited; container api exited 1\n"
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
        let ecs = FakeEcs::default();
        assert!(block(report(&cfn, &ecs, "game")).is_some());
        assert!(ecs.calls.borrow()[0].starts_with("describe game-Cluster "));
    }

    #[test]
    fn nothing_when_no_service_failed_or_ecs_cannot_be_read() {
        let cfn = FakeCfn::default();
        cfn.0.borrow_mut().events = vec![event(1, "Table", "CREATE_FAILED", Some("x"))];
        let ecs = FakeEcs::default();
        assert_eq!(block(report(&cfn, &ecs, "game")), None);
        assert!(ecs.calls.borrow().is_empty());

        cfn.0.borrow_mut().events = failing_events();
        let broken = FakeEcs {
            broken: true,
            ..FakeEcs::default()
        };
        assert_eq!(block(report(&cfn, &broken, "game")), None);
    }
}
