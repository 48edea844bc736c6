//! `deploy`: replicas, resources, update_config, with every key recorded.

use indexmap::IndexMap;

use super::read::{expect_map, key_values, number, string, text, unknown_key};
use crate::compose::extensions;
use crate::compose::project::{Deploy, Resources, Spanned, UpdateConfig};
use crate::compose::syntax;
use crate::compose::yaml::Node;
use crate::diagnostic::{Diagnostic, Diagnostics};

pub(super) fn resources(
    node: &Node,
    prefix: &str,
    keys: &mut IndexMap<String, crate::source::Span>,
    diags: &mut Diagnostics,
) -> Option<Resources> {
    let m = expect_map(node, "`deploy.resources`", diags)?;
    let mut r = Resources::default();
    for (k, e) in m {
        keys.insert(format!("{prefix}.{k}"), e.key_span);
        match k.as_str() {
            "cpus" => {
                let t = text(&e.value).unwrap_or_default();
                match t.parse::<f64>() {
                    Ok(c) if c > 0.0 => r.cpus = Some(Spanned::new(c, e.value.span)),
                    _ => diags.push(
                        Diagnostic::error(format!("`cpus: {t}` is not a number of CPUs"))
                            .at(e.value.span)
                            .help("for example `cpus: '0.5'`"),
                    ),
                }
            }
            "memory" => match syntax::bytes(&text(&e.value).unwrap_or_default()) {
                Ok(b) => r.memory = Some(Spanned::new(b, e.value.span)),
                Err(msg) => diags.push(
                    Diagnostic::error(format!("`memory`: {msg}"))
                        .at(e.value.span)
                        .help("sizes look like `512M` or `2G`"),
                ),
            },
            "devices" => {
                for d in e.value.as_seq().unwrap_or_default() {
                    let gpu = d
                        .as_map()
                        .and_then(|dm| dm.get("capabilities"))
                        .is_some_and(|c| {
                            c.value
                                .as_seq()
                                .unwrap_or_default()
                                .iter()
                                .any(|x| text(x).as_deref() == Some("gpu"))
                        });
                    if gpu {
                        r.gpus = Some(Spanned::new(1, d.span));
                    }
                }
            }
            _ => {}
        }
    }
    Some(r)
}

pub(super) fn deploy(node: &Node, diags: &mut Diagnostics) -> Option<Deploy> {
    let m = expect_map(node, "`deploy`", diags)?;
    let mut d = Deploy {
        extensions: extensions::deploy(&super::definitions::x_entries(m)),
        ..Deploy::default()
    };
    for (k, e) in m {
        let v = &e.value;
        if k.starts_with("x-") {
            continue;
        }
        d.keys.insert(k.clone(), e.key_span);
        match k.as_str() {
            "mode" => d.mode = string(v, "deploy.mode", diags),
            "replicas" => {
                d.replicas = number(v, "deploy.replicas", diags).map(|n| Spanned::new(n, v.span));
            }
            "labels" => {
                d.labels = key_values(v, "deploy.labels", diags)
                    .into_iter()
                    .map(|(k, x)| (k, x.value.unwrap_or_default()))
                    .collect();
            }
            "placement" => d.placement = Some(e.key_span),
            "restart_policy" => {
                d.restart_condition = v
                    .as_map()
                    .and_then(|rm| rm.get("condition"))
                    .and_then(|c| string(&c.value, "condition", diags));
            }
            "resources" => {
                if let Some(rm) = expect_map(v, "`deploy.resources`", diags) {
                    for (rk, re) in rm {
                        d.keys.insert(format!("resources.{rk}"), re.key_span);
                        match rk.as_str() {
                            "limits" => {
                                d.limits =
                                    resources(&re.value, "resources.limits", &mut d.keys, diags);
                            }
                            "reservations" => {
                                d.reservations = resources(
                                    &re.value,
                                    "resources.reservations",
                                    &mut d.keys,
                                    diags,
                                );
                            }
                            other => diags.push(unknown_key(
                                other,
                                re.key_span,
                                "deploy.resources",
                                &["limits", "reservations"],
                            )),
                        }
                    }
                }
            }
            "update_config" => {
                let mut u = UpdateConfig::default();
                if let Some(um) = expect_map(v, "`deploy.update_config`", diags) {
                    u.extensions = extensions::update_config(&super::definitions::x_entries(um));
                    for (uk, ue) in um {
                        if uk.starts_with("x-") {
                            continue;
                        }
                        d.keys.insert(format!("update_config.{uk}"), ue.key_span);
                        match uk.as_str() {
                            "parallelism" => {
                                u.parallelism = number(&ue.value, "parallelism", diags)
                                    .map(|n| Spanned::new(n, ue.value.span));
                            }
                            "order" => u.order = string(&ue.value, "order", diags),
                            "failure_action" => {
                                u.failure_action = string(&ue.value, "failure_action", diags);
                            }
                            _ => {}
                        }
                    }
                }
                d.update_config = Some(u);
            }
            "endpoint_mode" | "rollback_config" => {}
            other => diags.push(unknown_key(
                other,
                e.key_span,
                "deploy",
                &[
                    "mode",
                    "replicas",
                    "labels",
                    "placement",
                    "restart_policy",
                    "resources",
                    "update_config",
                    "endpoint_mode",
                    "rollback_config",
                ],
            )),
        }
    }
    Some(d)
}
