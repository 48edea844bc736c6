//! `c2cfn ps`: the stack's status, outputs, ECS services (counts and tasks,
//! see [`super::service_status`]) and resources, as text or JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Failure;
use super::api::CloudFormationApi;
use super::ecs::EcsApi;
use super::service_status;
use super::ui::Style;

/// Reads the stack; `None` when it does not exist.
pub async fn read<C: CloudFormationApi, E: EcsApi>(
    cfn: &C,
    ecs: &E,
    stack: &str,
) -> Result<Option<Value>, Failure> {
    let Some(info) = cfn
        .describe_stack(stack)
        .await
        .map_err(|e| Failure::api("cannot read the stack", &e))?
    else {
        return Ok(None);
    };
    let resources = cfn.list_stack_resources(stack).await.unwrap_or_default();
    let (services, services_error) = service_status::read(ecs, &resources).await;
    Ok(Some(json!({
        "stack": info.name,
        "id": info.id,
        "status": info.status,
        "reason": info.reason,
        "outputs": info.outputs.iter().map(|o| json!({"key": o.key, "value": o.value, "description": o.description})).collect::<Vec<_>>(),
        "services": services,
        "services_error": services_error,
        "resources": resources.iter().filter(|r| !r.logical_id.is_empty()).map(|r| json!({
            "logical_id": r.logical_id, "type": r.resource_type, "physical_id": r.physical_id, "status": r.status,
        })).collect::<Vec<_>>(),
    })))
}

/// The text form of [`read`]'s value.
#[must_use]
pub fn text(v: &Value, style: Style) -> String {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut out = format!("Stack {}: {}", s("stack"), style.status(s("status")));
    if !s("reason").is_empty() {
        let _ = write!(out, " ({})", s("reason"));
    }
    out.push('\n');
    let list = |k: &str| {
        v.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let outputs = list("outputs");
    if !outputs.is_empty() {
        out.push_str("Outputs:\n");
        for o in outputs {
            let f = |k: &str| {
                o.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let _ = writeln!(out, "  {} = {}", f("key"), f("value"));
        }
    }
    out.push_str(&service_status::text(&list("services")));
    if !s("services_error").is_empty() {
        let _ = writeln!(out, "  (ECS: {})", s("services_error"));
    }
    let resources = list("resources");
    let _ = writeln!(out, "Resources ({}):", resources.len());
    for r in resources {
        let f = |k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let _ = writeln!(
            out,
            "  {:<32} {:<44} {:<20} {}",
            f("logical_id"),
            f("type"),
            style.status(&f("status")),
            f("physical_id")
        );
    }
    out
}
