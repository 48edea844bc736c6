//! Choosing what to operate on: a service of the stack, one of its running
//! tasks, a container of that task.

use std::fmt::Write as _;

/// A running task as ECS describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Task ID (the last part of its ARN).
    pub id: String,
    /// Containers: (name, runtime ID) — the runtime ID addresses ECS Exec.
    pub containers: Vec<(String, String)>,
    /// Public IPv4 address of its network interface, if any.
    pub public_ip: Option<String>,
    /// Private IPv4 address.
    pub private_ip: Option<String>,
    /// True when ECS Exec is enabled on the task.
    pub exec_enabled: bool,
}

/// Why no target could be chosen, with what the user can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Several services and none named.
    #[error("the stack has several services ({0}); name one")]
    WhichService(String),
    /// A named service that does not exist.
    #[error("no service `{name}` in this project; services: {known}")]
    UnknownService {
        /// What was asked for.
        name: String,
        /// What exists.
        known: String,
    },
    /// No running task.
    #[error(
        "service `{0}` has no running task; `c2cfn ps` shows its state and the last stop reasons"
    )]
    NoTask(String),
    /// `--task` matched nothing or several.
    #[error("{0}")]
    Task(String),
    /// `--container` names no container of the task.
    #[error("task {task} has no container `{name}`; containers: {known}")]
    UnknownContainer {
        /// Task ID.
        task: String,
        /// What was asked for.
        name: String,
        /// What exists.
        known: String,
    },
    /// ECS Exec is off.
    #[error(
        "ECS Exec is not enabled on task {0}; it is on by default: remove `x-aws-exec: false` from the service and run `c2cfn up` (new tasks get it)"
    )]
    ExecDisabled(String),
}

/// The service to use: the one named, or the only one.
pub fn service<'a>(services: &'a [String], named: Option<&str>) -> Result<&'a str, TargetError> {
    match named {
        Some(n) => services
            .iter()
            .find(|s| *s == n)
            .map(String::as_str)
            .ok_or_else(|| TargetError::UnknownService {
                name: n.to_owned(),
                known: services.join(", "),
            }),
        None => match services {
            [only] => Ok(only),
            _ => Err(TargetError::WhichService(services.join(", "))),
        },
    }
}

/// The task to use: the one whose ID starts with `prefix`, or the first.
pub fn task<'a>(
    service: &str,
    tasks: &'a [Task],
    prefix: Option<&str>,
) -> Result<&'a Task, TargetError> {
    if tasks.is_empty() {
        return Err(TargetError::NoTask(service.to_owned()));
    }
    let Some(prefix) = prefix else {
        return Ok(&tasks[0]);
    };
    let matching: Vec<&Task> = tasks.iter().filter(|t| t.id.starts_with(prefix)).collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(TargetError::Task(format!(
            "no running task of `{service}` starts with `{prefix}`; running: {}",
            ids(tasks)
        ))),
        _ => Err(TargetError::Task(format!(
            "`{prefix}` matches several tasks of `{service}`: {}; give more characters",
            ids(&matching.into_iter().cloned().collect::<Vec<_>>())
        ))),
    }
}

/// The container to use: the one named, else the service's own (named like
/// the service), else the first that is not one of c2cfn's init containers.
pub fn container<'a>(
    task: &'a Task,
    service: &str,
    named: Option<&str>,
) -> Result<&'a (String, String), TargetError> {
    let wanted = named.unwrap_or(service);
    task.containers
        .iter()
        .find(|(n, _)| n == wanted)
        .or_else(|| {
            named
                .is_none()
                .then(|| {
                    task.containers
                        .iter()
                        .find(|(n, _)| !n.ends_with("_InitContainer"))
                })
                .flatten()
        })
        .ok_or_else(|| TargetError::UnknownContainer {
            task: task.id.clone(),
            name: wanted.to_owned(),
            known: task
                .containers
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn ids(tasks: &[Task]) -> String {
    let mut out = String::new();
    for (i, t) in tasks.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}", short(&t.id));
    }
    out
}

/// The first 8 characters of a task ID, as `c2cfn ps` and `logs` show it.
#[must_use]
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: &str) -> Task {
        Task {
            id: id.into(),
            containers: vec![
                ("App_ResolvConf_InitContainer".into(), "r0".into()),
                ("app".into(), "r1".into()),
            ],
            public_ip: Some("203.0.113.7".into()),
            private_ip: Some("10.0.1.5".into()),
            exec_enabled: true,
        }
    }

    #[test]
    fn services() {
        let s = vec!["app".to_owned()];
        assert_eq!(service(&s, None), Ok("app"));
        let two = vec!["app".to_owned(), "worker".to_owned()];
        assert_eq!(
            service(&two, None),
            Err(TargetError::WhichService("app, worker".into()))
        );
        assert!(matches!(
            service(&two, Some("db")),
            Err(TargetError::UnknownService { .. })
        ));
    }

    #[test]
    fn tasks_by_prefix() {
        let tasks = vec![t("3f2a9c1b0000"), t("3f77aaaa0000"), t("9abc00000000")];
        assert_eq!(task("app", &tasks, None).unwrap().id, "3f2a9c1b0000");
        assert_eq!(task("app", &tasks, Some("9")).unwrap().id, "9abc00000000");
        let err = task("app", &tasks, Some("3f")).unwrap_err().to_string();
        assert!(
            err.contains("matches several tasks") && err.contains("3f2a9c1b, 3f77aaaa"),
            "{err}"
        );
        assert!(
            task("app", &tasks, Some("x"))
                .unwrap_err()
                .to_string()
                .contains("running: 3f2a9c1b")
        );
        assert_eq!(
            task("app", &[], None),
            Err(TargetError::NoTask("app".into()))
        );
    }

    #[test]
    fn containers() {
        let task = t("3f2a9c1b0000");
        assert_eq!(container(&task, "app", None).unwrap().1, "r1");
        assert!(container(&task, "app", Some("sidecar")).is_err());
        // A service whose container is named differently: the first real one.
        assert_eq!(container(&task, "web", None).unwrap().0, "app");
    }
}

/// The deployed stack's template (`GetTemplate`, as parsed YAML or JSON);
/// `None` when the stack does not exist.
#[cfg(feature = "aws")]
pub async fn deployed_template(
    api: &impl crate::aws::cloudformation::CloudFormationApi,
    stack: &str,
) -> crate::aws::ApiResult<Option<serde_json::Value>> {
    let body = match api.get_template(stack).await {
        Ok(body) => body,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    serde_norway::from_str(&body).map(Some).map_err(|e| {
        crate::aws::ApiError::of_kind(
            crate::aws::ErrorKind::Validation,
            "InvalidTemplate",
            format!("the deployed template is not YAML or JSON: {e}"),
        )
    })
}

/// The compose services of a deployed template: the `AWS::ECS::Service`
/// resources' `com.docker.compose.service` tags (what `exec`, `tunnel` and
/// `logs` use when the compose file cannot be read), sorted.
#[must_use]
pub fn deployed_services(template: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = template
        .get("Resources")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter(|r| r.get("Type").and_then(serde_json::Value::as_str) == Some("AWS::ECS::Service"))
        .filter_map(|r| {
            r.pointer("/Properties/Tags")?
                .as_array()?
                .iter()
                .find(|t| {
                    t.get("Key").and_then(serde_json::Value::as_str)
                        == Some("com.docker.compose.service")
                })?
                .get("Value")?
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod deployed_tests {
    use super::*;

    #[test]
    fn services_come_from_the_ecs_services_tags() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("templates/docker-multi-port-secrets.yaml"),
        )
        .unwrap();
        let template: serde_json::Value = serde_norway::from_str(&text).unwrap();
        assert_eq!(
            deployed_services(&template),
            ["db", "web", "websecrets", "words"]
        );
        assert!(deployed_services(&serde_json::json!({})).is_empty());
    }
}
