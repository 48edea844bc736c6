//! Why a deploy failed, past CloudFormation's root cause: what ECS, the
//! load balancer and the container's log know. A pure function from the
//! recorded answers ([`Evidence`]) to one report (text, or JSON through
//! serde), so every cause is snapshot-tested from recorded responses
//! (`snapshots/failure__*.snap`); `service_report.rs` gathers the evidence.
//!
//! Causes named: CannotPullContainerError (image or registry),
//! ResourceInitializationError (a secret or log group the task cannot
//! reach), OutOfMemoryError, an essential container that exited (its exit
//! code and last log lines), and load balancer health checks
//! (Target.FailedHealthChecks, Target.Timeout, ...) with the settings in
//! force.

use std::fmt::Write as _;

use serde::Serialize;

pub use crate::aws::elbv2::{HealthCheck, TargetGroupHealth, TargetState};

/// Everything known about the failed services.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// One entry per failed (or unstable) service.
    pub services: Vec<ServiceEvidence>,
}

/// What is known about one ECS service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceEvidence {
    /// Logical ID in the stack.
    pub logical_id: String,
    /// ECS service name.
    pub name: String,
    /// Desired, running and pending task counts.
    pub desired: i32,
    /// Running tasks.
    pub running: i32,
    /// Pending tasks.
    pub pending: i32,
    /// Latest service events, newest first: (Unix seconds, message).
    pub events: Vec<(i64, String)>,
    /// Stopped tasks, newest first.
    pub stopped: Vec<StoppedTask>,
    /// The service's target groups and their targets' health.
    pub target_groups: Vec<TargetGroupHealth>,
    /// The last log lines of containers that failed.
    pub logs: Vec<ContainerLog>,
}

/// A stopped task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoppedTask {
    /// Task ID.
    pub id: String,
    /// ECS's `stoppedReason`.
    pub reason: Option<String>,
    /// Its containers.
    pub containers: Vec<ContainerExit>,
}

/// How a container ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerExit {
    /// Container name.
    pub name: String,
    /// Exit code, when it ran.
    pub exit_code: Option<i32>,
    /// ECS's reason (`OutOfMemoryError: ...`, `CannotPullContainerError: ...`).
    pub reason: Option<String>,
}

/// The last lines a container logged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerLog {
    /// Task ID.
    pub task: String,
    /// Container name.
    pub container: String,
    /// Its last lines, oldest first.
    pub lines: Vec<String>,
}

/// Lines of service events shown.
const EVENTS_SHOWN: usize = 5;

/// What a stop reason or a container reason means, and what to do.
#[must_use]
pub fn explain_stop(reason: &str, exit_code: Option<i32>) -> Option<String> {
    let text = if reason.contains("CannotPullContainerError") {
        "the image could not be pulled: check that the image and tag exist (`aws ecr describe-images`, or `c2cfn push` for `build:` services) and that the task reaches the registry (a public IP or VPC endpoints)"
    } else if reason.contains("ResourceInitializationError") {
        "the task could not be prepared before its containers started: a secret it cannot read (the execution role needs secretsmanager:GetSecretValue on it, and the secret must exist), or no route to Secrets Manager, ECR or CloudWatch Logs"
    } else if reason.contains("OutOfMemory") {
        "the container used more memory than its limit: raise `deploy.resources.limits.memory`, or find the leak in its log"
    } else if reason.contains("Essential container in task exited") {
        return Some(match exit_code {
            Some(0) => "an essential container exited normally (code 0): a service's main process must keep running".to_owned(),
            Some(137) => "an essential container was killed (code 137: SIGKILL, often out of memory or a failed stop)".to_owned(),
            Some(c) => format!("an essential container exited with code {c}: its last log lines below say why"),
            None => "an essential container exited: its last log lines below say why".to_owned(),
        });
    } else if reason.contains("failed container health checks") {
        "the container's own `healthcheck:` failed: check its command and `start_period`"
    } else if reason.contains("failed ELB health checks")
        || reason.contains("Task failed ELB health checks")
    {
        "the load balancer's health check failed: see the targets below"
    } else {
        return None;
    };
    Some(text.to_owned())
}

/// What a target health reason means.
#[must_use]
pub fn explain_target(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "Target.FailedHealthChecks" => {
            "the container answers the health check with a failure: check the health check's path, port and success codes (above) against what the app serves, and its `start_period` against how long it takes to start"
        }
        "Target.Timeout" => {
            "no answer within the timeout: the container does not listen on that port, starts too slowly, or a security group blocks the load balancer"
        }
        "Target.ResponseCodeMismatch" => {
            "the health check got an HTTP code outside its success codes (above): serve that path, or change the health check"
        }
        "Target.HealthCheckDisabled" => "the health check is disabled",
        "Elb.InitialHealthChecking" => "the first health checks are still running",
        "Target.DeregistrationInProgress" => "the target is being deregistered (a stopped task)",
        _ => return None,
    })
}

fn container_cause(task: &StoppedTask) -> Option<String> {
    for c in &task.containers {
        if let Some(r) = &c.reason
            && let Some(why) = explain_stop(r, c.exit_code)
        {
            return Some(why);
        }
    }
    let essential = task
        .containers
        .iter()
        .find(|c| c.exit_code.is_some_and(|e| e != 0));
    explain_stop(task.reason.as_deref()?, essential.and_then(|c| c.exit_code))
}

fn check_line(c: &HealthCheck) -> String {
    let mut s = format!("{} ", c.protocol);
    if let Some(p) = &c.path {
        let _ = write!(s, "{p} ");
    }
    let port = if c.port == "traffic-port" {
        "the traffic port".to_owned()
    } else {
        format!("port {}", c.port)
    };
    let _ = write!(
        s,
        "on {port}, every {}s, timeout {}s, healthy after {}, unhealthy after {}",
        c.interval, c.timeout, c.healthy_threshold, c.unhealthy_threshold
    );
    if let Some(m) = &c.matcher {
        let _ = write!(s, ", success codes {m}");
    }
    s
}

/// The report, as text (empty when there is nothing to say).
#[must_use]
pub fn report(evidence: &Evidence) -> String {
    let mut out = String::new();
    for s in &evidence.services {
        let _ = writeln!(
            out,
            "ECS service {} ({}): desired {}, running {}, pending {}",
            s.logical_id, s.name, s.desired, s.running, s.pending
        );
        if !s.stopped.is_empty() {
            let _ = writeln!(out, "  stopped tasks:");
        }
        for t in &s.stopped {
            let _ = writeln!(
                out,
                "    {}: {}",
                t.id,
                t.reason.as_deref().unwrap_or("stopped")
            );
            for c in &t.containers {
                let mut line = format!("      container {}", c.name);
                match c.exit_code {
                    Some(code) => {
                        let _ = write!(line, ": exit code {code}");
                    }
                    None => line.push_str(": did not run"),
                }
                if let Some(r) = &c.reason {
                    let _ = write!(line, " ({r})");
                }
                let _ = writeln!(out, "{line}");
            }
            if let Some(why) = container_cause(t) {
                let _ = writeln!(out, "      cause: {why}");
            }
        }
        for g in &s.target_groups {
            let _ = writeln!(
                out,
                "  load balancer target group {} (health check {}):",
                g.name,
                check_line(&g.check)
            );
            if g.targets.is_empty() {
                let _ = writeln!(
                    out,
                    "    no targets registered (no task got as far as running)"
                );
            }
            for t in &g.targets {
                let mut line = format!("    {} {}", t.target, t.state);
                if let Some(r) = &t.reason {
                    let _ = write!(line, ": {r}");
                }
                if let Some(d) = &t.description {
                    let _ = write!(line, " ({d})");
                }
                let _ = writeln!(out, "{line}");
                if let Some(why) = t.reason.as_deref().and_then(explain_target) {
                    let _ = writeln!(out, "      cause: {why}");
                }
            }
        }
        for l in &s.logs {
            let _ = writeln!(
                out,
                "  last {} log line(s) of container {} in task {}:",
                l.lines.len(),
                l.container,
                l.task
            );
            for line in &l.lines {
                let _ = writeln!(out, "    | {line}");
            }
        }
        if !s.events.is_empty() {
            let _ = writeln!(out, "  latest service events:");
            for (at, message) in s.events.iter().take(EVENTS_SHOWN) {
                let _ = writeln!(out, "    {}  {message}", super::ui::clock(*at));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
