//! Task size and deployment: Fargate CPU/memory, desired count, rolling
//! update percentages (Docker's rule), circuit breaker and auto scaling.

use crate::compose::extensions::Autoscaling;
use crate::compose::project::Service as ComposeService;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Scaling, Service};
use crate::source::Span;

use super::size;

pub(super) fn task_size(svc: &ComposeService, out: &mut Service, diags: &mut Diagnostics) {
    let deploy = svc.deploy.as_ref();
    let chosen = deploy.and_then(|d| d.limits.clone().or_else(|| d.reservations.clone()));
    let mut cpus = chosen.as_ref().and_then(|r| r.cpus.clone());
    let mut memory = chosen.as_ref().and_then(|r| r.memory.clone());
    // Legacy service-level `cpus` / `mem_limit` (compose v2 file format).
    if cpus.is_none()
        && let Some((span, node)) = svc.keys.get("cpus")
    {
        let value = node.to_json();
        let n = value
            .as_f64()
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()));
        cpus = n.map(|n| crate::compose::project::Spanned::new(n, *span));
    }
    if memory.is_none()
        && let Some((span, node)) = svc.keys.get("mem_limit")
    {
        let bytes = node
            .as_scalar()
            .and_then(|s| crate::compose::syntax::bytes(&s.text).ok());
        memory = bytes.map(|b| crate::compose::project::Spanned::new(b, *span));
    }
    let cpu_units = cpus.as_ref().map_or(0, |c| {
        // Docker: 1 CPU = 1000 units (nano-CPUs / 1e6).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let units = (c.value * 1000.0).round().max(0.0) as u64;
        units
    });
    let bytes = memory.as_ref().map_or(0, |m| m.value);
    if let Some((cpu, mem)) = size::fargate(cpu_units, bytes) {
        out.cpu = cpu;
        out.memory = mem;
    } else {
        let span = memory
            .as_ref()
            .and_then(|m| m.span)
            .or(cpus.as_ref().and_then(|c| c.span));
        diags.push(
            Diagnostic::error(format!("no Fargate task size fits service `{}`", svc.name))
                .at(span)
                .help("Fargate tasks have at most 16 vCPU and 120 GB; valid pairs are listed at docs/conversion.md#task-size"),
        );
        out.cpu = 256;
        out.memory = 512;
    }
}

pub(super) fn deployment(svc: &ComposeService, out: &mut Service, diags: &mut Diagnostics) {
    out.desired_count = 1;
    out.min_percent = 100;
    out.max_percent = 200;
    // A deliberate difference from Docker (docs/conversion.md): a broken
    // image fails the deploy in minutes and rolls back.
    out.circuit_breaker = true;
    out.rollback = true;
    if let Some((_, node)) = svc.keys.get("scale")
        && let Some(n) = node.to_json().as_u64()
    {
        out.desired_count = n;
    }
    let Some(deploy) = &svc.deploy else { return };
    if let Some(r) = &deploy.replicas {
        out.desired_count = r.value;
    }
    if let Some(mode) = &deploy.mode
        && mode.value == "global"
    {
        diags.push(
            Diagnostic::error("`deploy.mode: global` has no meaning on Fargate")
                .at(mode.span)
                .help("use `mode: replicated` with `replicas:`"),
        );
    }
    for (key, span) in &deploy.keys {
        let top = key.split('.').next().unwrap_or_default();
        let ignored = matches!(
            top,
            "endpoint_mode" | "labels" | "restart_policy" | "rollback_config" | "placement"
        ) || matches!(
            key.as_str(),
            "update_config.delay"
                | "update_config.monitor"
                | "update_config.max_failure_ratio"
                | "resources.limits.pids"
                | "resources.reservations.generic_resources"
        );
        if ignored {
            diags.push(
                Diagnostic::warning(format!("`deploy.{key}` of service `{}` is ignored on ECS", svc.name))
                    .at(*span)
                    .help("ECS restarts failed tasks itself and places Fargate tasks across the stack's subnets"),
            );
        }
    }
    let Some(update) = &deploy.update_config else {
        return;
    };
    let mut ext_percent = |key: &str| -> Option<(u32, Option<Span>)> {
        let node = update.extensions.get(key)?;
        if let Some(n) = node.to_json().as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some((n, Some(node.span)))
        } else {
            diags.push(
                Diagnostic::error(format!("`{key}` must be a whole percentage"))
                    .at(node.span)
                    .help("for example `x-aws-min_percent: 50`"),
            );
            None
        }
    };
    let min = ext_percent("x-aws-min_percent");
    let max = ext_percent("x-aws-max_percent");
    if let (Some(p), true) = (&update.parallelism, min.is_none() || max.is_none()) {
        let Some(replicas) = &deploy.replicas else {
            diags.push(
                Diagnostic::error("`update_config.parallelism` needs `deploy.replicas`")
                    .at(p.span)
                    .help("ECS rolls out by percentage of the desired count: set `replicas:`"),
            );
            return;
        };
        if replicas.value == 0 || replicas.value < p.value {
            diags.push(
                Diagnostic::error(format!(
                    "`deploy.replicas` ({}) must be at least `update_config.parallelism` ({})",
                    replicas.value, p.value
                ))
                .at(p.span)
                .also(replicas.span, "replicas set here")
                .help("lower `parallelism` or raise `replicas`"),
            );
            return;
        }
        let r = replicas.value;
        out.min_percent = u32::try_from((r - p.value) * 100 / r).unwrap_or(0);
        out.max_percent = u32::try_from((r + p.value) * 100 / r).unwrap_or(200);
    }
    if let Some((n, _)) = min {
        out.min_percent = n;
    }
    if let Some((n, _)) = max {
        out.max_percent = n;
    }
    if let Some(order) = &update.order
        && order.value == "stop-first"
        && update.extensions.get("x-aws-min_percent").is_none()
        && update.parallelism.is_none()
    {
        out.min_percent = 0;
        out.max_percent = 100;
    }
    if let Some(action) = &update.failure_action {
        match action.value.as_str() {
            "rollback" => (out.circuit_breaker, out.rollback) = (true, true),
            "pause" => (out.circuit_breaker, out.rollback) = (true, false),
            "continue" => (out.circuit_breaker, out.rollback) = (false, false),
            other => diags.push(
                Diagnostic::error(format!(
                    "`failure_action: {other}` is not one of rollback, pause, continue"
                ))
                .at(action.span)
                .help("rollback (default): the ECS circuit breaker stops and rolls back a failing deployment; pause: it stops without rolling back; continue: no circuit breaker (Docker's ECS behaviour)"),
            ),
        }
    }
}

/// Docker read `x-aws-autoscaling` under `deploy`; c2cfn also accepts it on the service.
pub(super) fn deploy_autoscaling(
    svc: &ComposeService,
    diags: &mut Diagnostics,
) -> Option<Autoscaling> {
    let deploy = svc.deploy.as_ref()?;
    let node = deploy.extensions.get("x-aws-autoscaling")?;
    match serde_json::from_value::<Autoscaling>(node.to_json()) {
        Ok(a) => Some(a),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("invalid `x-aws-autoscaling`: {e}"))
                    .at(node.span)
                    .help("write `x-aws-autoscaling: {min: 1, max: 10, cpu: 75}` (cpu or memory, in percent)"),
            );
            None
        }
    }
}

pub(super) fn scaling(
    svc: &ComposeService,
    a: &Autoscaling,
    diags: &mut Diagnostics,
) -> Option<Scaling> {
    let span = svc.keys.get("deploy").map(|(s, _)| *s).or(Some(svc.span));
    if a.cpu.is_some() && a.memory.is_some() {
        diags.push(
            Diagnostic::error(format!(
                "`x-aws-autoscaling` of `{}` sets both cpu and memory targets",
                svc.name
            ))
            .at(span)
            .help("scale on one metric: keep either `cpu:` or `memory:`"),
        );
        return None;
    }
    let min = a.min.unwrap_or(1);
    if a.max == 0 || a.max < min {
        diags.push(
            Diagnostic::error(format!(
                "`x-aws-autoscaling` of `{}` needs `max` ≥ `min` and > 0",
                svc.name
            ))
            .at(span)
            .help("for example `min: 1, max: 10`"),
        );
        return None;
    }
    Some(Scaling {
        min,
        max: a.max,
        cpu: a.cpu.or(if a.memory.is_none() { Some(75) } else { None }),
        memory: a.memory,
    })
}
