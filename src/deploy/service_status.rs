//! `ps`'s view of the stack's ECS services: desired, running and pending
//! counts and the running tasks' IDs (DescribeServices, ListTasks,
//! DescribeTasks). ECS being unreadable does not fail `ps`: the stack's own
//! status is still shown, with the ECS error.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::ecs::cluster_of;
use crate::aws::cloudformation::StackResource;
use crate::aws::ecs::EcsApi;

/// How many stopped tasks `ps` shows per service.
const STOPPED_SHOWN: usize = 3;

/// The stack's ECS services as JSON: `(services, error)`.
pub async fn read<E: EcsApi>(ecs: &E, resources: &[StackResource]) -> (Vec<Value>, Option<String>) {
    let stack_cluster = resources
        .iter()
        .find(|r| r.resource_type == "AWS::ECS::Cluster")
        .map(|r| r.physical_id.clone());
    let mut out = Vec::new();
    let mut error = None;
    for r in resources
        .iter()
        .filter(|r| r.resource_type == "AWS::ECS::Service" && !r.physical_id.is_empty())
    {
        let Some(cluster) = cluster_of(&r.physical_id)
            .map(str::to_owned)
            .or_else(|| stack_cluster.clone())
        else {
            continue;
        };
        let found = match ecs
            .describe_services(&cluster, std::slice::from_ref(&r.physical_id))
            .await
        {
            Ok(found) => found,
            Err(e) => {
                error = Some(format!("cannot read ECS service {}: {e}", r.logical_id));
                continue;
            }
        };
        let Some(s) = found.into_iter().next() else {
            continue;
        };
        let tasks: Vec<String> = match ecs.tasks(&cluster, &r.physical_id, false).await {
            Ok(t) => t.into_iter().map(|t| t.id).collect(),
            Err(e) => {
                error = Some(format!("cannot list the tasks of {}: {e}", r.logical_id));
                Vec::new()
            }
        };
        // Why the latest tasks stopped (crash, health check, image pull),
        // as `exec`'s hint promises: the newest few.
        let stopped: Vec<Value> = ecs
            .tasks(&cluster, &r.physical_id, true)
            .await
            .unwrap_or_default()
            .into_iter()
            .take(STOPPED_SHOWN)
            .map(|t| {
                json!({
                    "task": t.id,
                    "reason": t.stopped_reason,
                    "containers": t.containers.iter().map(|(name, code, reason)| json!({
                        "name": name, "exit_code": code, "reason": reason,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        out.push(json!({
            "stopped": stopped,
            "logical_id": r.logical_id,
            "name": s.name,
            "cluster": cluster,
            "status": s.status,
            "desired": s.desired,
            "running": s.running,
            "pending": s.pending,
            "tasks": tasks,
        }));
    }
    (out, error)
}

/// The text form, one line per service.
#[must_use]
pub fn text(services: &[Value]) -> String {
    let mut out = String::new();
    if services.is_empty() {
        return out;
    }
    let _ = writeln!(out, "Services ({}):", services.len());
    for s in services {
        let f = |k: &str| {
            s.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let n = |k: &str| s.get(k).and_then(Value::as_i64).unwrap_or_default();
        let tasks: Vec<&str> = s
            .get("tasks")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<32} {:<8} desired {} running {} pending {}  tasks: {}",
            f("logical_id"),
            f("status"),
            n("desired"),
            n("running"),
            n("pending"),
            if tasks.is_empty() {
                "none".to_owned()
            } else {
                tasks.join(", ")
            }
        );
        for t in s
            .get("stopped")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let f = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or_default();
            let mut line = format!(
                "    stopped {}: {}",
                f("task"),
                if f("reason").is_empty() {
                    "no reason given"
                } else {
                    f("reason")
                }
            );
            for c in t
                .get("containers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
                let _ = write!(line, "; {name}");
                if let Some(code) = c.get("exit_code").and_then(Value::as_i64) {
                    let _ = write!(line, " exit {code}");
                }
                if let Some(reason) = c.get("reason").and_then(Value::as_str) {
                    let _ = write!(line, ": {reason}");
                }
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ApiError;
    use crate::aws::ecs::{ServiceState, TaskState};
    use crate::aws::fake::FakeEcs;
    use crate::aws::testing::block;

    fn fake_ecs(fail_tasks: bool) -> FakeEcs {
        FakeEcs {
            service: ServiceState {
                name: "game-Api".into(),
                status: "ACTIVE".into(),
                desired: 2,
                running: 1,
                pending: 1,
                ..ServiceState::default()
            },
            running: vec![TaskState {
                id: "t1".into(),
                last_status: "RUNNING".into(),
                ..TaskState::default()
            }],
            stopped: vec![TaskState {
                id: "t0".into(),
                last_status: "STOPPED".into(),
                stopped_reason: Some("Essential container in task exited".into()),
                containers: vec![("app".into(), Some(1), None)],
            }],
            cluster: Some("c".into()),
            tasks_error: fail_tasks.then(|| ApiError::new("AccessDenied", "no")),
            ..FakeEcs::default()
        }
    }

    fn resource(id: &str, kind: &str, physical: &str) -> StackResource {
        StackResource {
            logical_id: id.into(),
            physical_id: physical.into(),
            resource_type: kind.into(),
            status: "CREATE_COMPLETE".into(),
        }
    }

    #[test]
    fn counts_and_tasks_per_service() {
        let resources = [
            resource("Cluster", "AWS::ECS::Cluster", "c"),
            resource(
                "ApiService",
                "AWS::ECS::Service",
                "arn:aws:ecs:r:1:service/c/game-Api",
            ),
            resource("", "", ""),
        ];
        let (services, error) = block(read(&fake_ecs(false), &resources));
        assert_eq!(error, None);
        assert_eq!(
            services,
            [
                json!({"logical_id": "ApiService", "name": "game-Api", "cluster": "c", "status": "ACTIVE",
                    "desired": 2, "running": 1, "pending": 1, "tasks": ["t1"],
                    "stopped": [{"task": "t0", "reason": "Essential container in task exited",
                        "containers": [{"name": "app", "exit_code": 1, "reason": null}]}]})
            ]
        );
        assert_eq!(
            text(&services),
            "Services (1):\n  ApiService                       ACTIVE   desired 2 running 1 pending 1  tasks: t1\n    stopped t0: Essential container in task exited; app exit 1\n"
        );
    }

    #[test]
    fn ecs_errors_are_reported_not_fatal() {
        let resources = [
            resource("Cluster", "AWS::ECS::Cluster", "other"),
            resource(
                "ApiService",
                "AWS::ECS::Service",
                "arn:aws:ecs:r:1:service/game-Api",
            ),
        ];
        let (services, error) = block(read(&fake_ecs(false), &resources));
        assert!(services.is_empty());
        assert!(
            error
                .unwrap_or_default()
                .contains("ClusterNotFoundException")
        );

        let resources = [resource(
            "ApiService",
            "AWS::ECS::Service",
            "arn:aws:ecs:r:1:service/c/x",
        )];
        let (services, error) = block(read(&fake_ecs(true), &resources));
        assert_eq!(services[0]["tasks"], json!([]));
        assert!(error.unwrap_or_default().contains("AccessDenied"));
    }
}
