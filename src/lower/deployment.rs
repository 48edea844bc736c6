//! Task size and deployment: Fargate CPU/memory, desired count, rolling
//! update percentages (Docker's rule), circuit breaker and auto scaling.

use crate::compose::extensions::Autoscaling;
use crate::compose::project::{Legacy, Service as ComposeService, Spanned};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Scaling, Service};

use super::size;

pub(super) fn task_size(svc: &ComposeService, out: &mut Service, diags: &mut Diagnostics) {
    let deploy = svc.deploy.as_ref();
    let chosen = deploy.and_then(|d| d.limits.clone().or_else(|| d.reservations.clone()));
    let mut cpus = chosen.as_ref().and_then(|r| r.cpus.clone());
    let mut memory = chosen.as_ref().and_then(|r| r.memory.clone());
    // Legacy service-level `cpus` / `mem_limit` (compose v2 file format).
    // A value that is not a number or a size is an error at the value,
    // never dropped silently (the loader has checked the YAML types).
    if cpus.is_none() {
        cpus = legacy(svc.cpus.as_ref(), diags);
    }
    if memory.is_none() {
        memory = legacy(svc.mem_limit.as_ref(), diags);
    }
    // Docker's rule is "limits, else reservations": a legacy
    // `mem_reservation` alone sizes the task too (its errors are reported
    // where it becomes the container's MemoryReservation).
    if memory.is_none()
        && let Some(Legacy {
            key,
            value: Ok(bytes),
            ..
        }) = &svc.mem_reservation
    {
        memory = Some(Spanned::new(*bytes, *key));
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
    if let Some(scale) = legacy(svc.scale.as_ref(), diags) {
        out.desired_count = scale.value;
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
    diags.extend(update.extensions.problems.clone());
    let min = update.extensions.min_percent.as_ref();
    let max = update.extensions.max_percent.as_ref();
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
    if let Some(n) = min {
        out.min_percent = n.value;
    }
    if let Some(n) = max {
        out.max_percent = n.value;
    }
    if let Some(order) = &update.order
        && order.value == "stop-first"
        && !update.extensions.keys.contains_key("x-aws-min_percent")
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
    diags.extend(deploy.extensions.problems.clone());
    deploy.extensions.autoscaling.clone()
}

/// A legacy key's value (`cpus`, `mem_limit`, `scale`) spanned by its key;
/// its error is reported here, where the value is used.
fn legacy<T: Copy>(value: Option<&Legacy<T>>, diags: &mut Diagnostics) -> Option<Spanned<T>> {
    match &value?.value {
        Ok(v) => Some(Spanned::new(*v, value?.key)),
        Err(e) => {
            diags.push(e.clone());
            None
        }
    }
}

pub(super) fn scaling(
    svc: &ComposeService,
    a: &Autoscaling,
    diags: &mut Diagnostics,
) -> Option<Scaling> {
    let span = svc.keys.get("deploy").copied().or(Some(svc.span));
    if let (Some(cpu), Some(memory)) = (&a.cpu, &a.memory) {
        diags.push(
            Diagnostic::error(format!(
                "`x-aws-autoscaling` of `{}` sets both cpu and memory targets",
                svc.name
            ))
            .at(memory.span.or(span))
            .also(cpu.span, "cpu target")
            .help("scale on one metric: keep either `cpu:` or `memory:`"),
        );
        return None;
    }
    let min = a.min.as_ref().map_or(1, |m| m.value);
    if a.max.value == 0 {
        diags.push(
            Diagnostic::error(format!(
                "`x-aws-autoscaling` of `{}`: max must be at least 1",
                svc.name
            ))
            .at(a.max.span.or(span))
            .help("for example `min: 1, max: 10`"),
        );
        return None;
    }
    if a.max.value < min {
        diags.push(
            Diagnostic::error(format!(
                "`x-aws-autoscaling` of `{}`: min {min} is above max {}",
                svc.name, a.max.value
            ))
            .at(a.min.as_ref().and_then(|m| m.span).or(span))
            .also(a.max.span, "max")
            .help("lower `min` or raise `max`"),
        );
        return None;
    }
    Some(Scaling {
        min,
        max: a.max.value,
        cpu: a
            .cpu
            .as_ref()
            .map(|c| c.value)
            .or(if a.memory.is_none() { Some(75) } else { None }),
        memory: a.memory.as_ref().map(|m| m.value),
    })
}
