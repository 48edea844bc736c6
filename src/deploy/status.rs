//! `c2cfn ps`: the stack's status, outputs, ECS services (counts and tasks,
//! see [`super::service_status`]) and resources, as text or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::guard::TemplateView;

use super::Failure;
use super::service_status;
use super::ui::Style;
use crate::aws::cloudformation::CloudFormationApi;
use crate::aws::ecs::EcsApi;

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
    let template = cfn
        .get_template(stack)
        .await
        .ok()
        .and_then(|t| TemplateView::parse(&t, BTreeMap::new()))
        .map(|v| v.template)
        .unwrap_or_default();
    let outputs: Vec<(String, String)> = info
        .outputs
        .iter()
        .map(|o| (o.key.clone(), o.value.clone()))
        .collect();
    Ok(Some(json!({
        "stack": info.name,
        "id": info.id,
        "status": info.status,
        "reason": info.reason,
        "urls": urls(&template, &outputs),
        "outputs": info.outputs.iter().map(|o| json!({"key": o.key, "value": o.value, "description": o.description})).collect::<Vec<_>>(),
        "services": services,
        "services_error": services_error,
        "resources": resources.iter().filter(|r| !r.logical_id.is_empty()).map(|r| json!({
            "logical_id": r.logical_id, "type": r.resource_type, "physical_id": r.physical_id, "status": r.status,
        })).collect::<Vec<_>>(),
    })))
}

/// The URLs the stack serves: one per load-balancer listener, with its
/// scheme and port (`https://game.example.com:4430`), on the DNS name of a
/// Route 53 record aliasing the load balancer when there is one, else the
/// load balancer's own (the `LoadBalancerDNS` output); each with the compose
/// service behind it ([`crate::cfn::parts`]).
#[must_use]
pub fn urls(template: &Value, outputs: &[(String, String)]) -> Vec<Value> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let record = resources
        .values()
        .filter(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::Route53::RecordSet"))
        .find_map(|r| r.pointer("/Properties/Name").and_then(Value::as_str))
        .map(|n| n.trim_end_matches('.').to_owned());
    let output = |key: &str| {
        outputs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let Some(host) = record.or_else(|| output("LoadBalancerDNS")) else {
        return Vec::new();
    };
    let parts = crate::cfn::parts::Parts::of(&[template]);
    resources
        .iter()
        .filter(|(_, r)| {
            r.get("Type").and_then(Value::as_str) == Some("AWS::ElasticLoadBalancingV2::Listener")
        })
        .filter_map(|(id, r)| {
            let port = r.pointer("/Properties/Port").and_then(|p| {
                p.as_u64()
                    .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            })?;
            let protocol = r
                .pointer("/Properties/Protocol")
                .and_then(Value::as_str)
                .unwrap_or("TCP");
            let (scheme, default) = match protocol {
                "HTTP" => ("http", 80),
                "HTTPS" | "TLS" => ("https", 443),
                "UDP" | "TCP_UDP" => ("udp", 0),
                _ => ("tcp", 0),
            };
            let url = if port == default {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}:{port}")
            };
            Some(json!({
                "url": url,
                "protocol": protocol,
                "port": port,
                "service": parts.part(id, "AWS::ElasticLoadBalancingV2::Listener"),
            }))
        })
        .collect()
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
    let urls = list("urls");
    if !urls.is_empty() {
        out.push_str("URLs:\n");
        for u in &urls {
            let f = |k: &str| u.get(k).and_then(Value::as_str).unwrap_or_default();
            let _ = writeln!(out, "  {}  ({}, {})", f("url"), f("service"), f("protocol"));
        }
    }
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
