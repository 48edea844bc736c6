//! Published ports → one load balancer with a listener and target group
//! per port, as Docker's integration did: an application load balancer when
//! every published port is HTTP (`x-aws-protocol: http|https`, or container
//! port 80/443 without it), a network load balancer otherwise.
//!
//! c2cfn additions: `x-aws-tls` serves a port over TLS (NLB) or HTTPS (ALB)
//! on a public port of its own with an ACM certificate, on the very listener
//! resource Docker generated, so it is interchangeable with the overlay teams
//! already use; and a published port may differ from the container port.

use std::collections::BTreeMap;

use crate::compose::Project;
use crate::compose::extensions::ProjectExtensions;
use crate::compose::project::Port;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Listener, LoadBalancer, LoadBalancerKind, Service};
use crate::source::Span;

/// Decides the load balancer and fills each service's listeners.
pub(super) fn load_balancer(
    project: &Project,
    top: &ProjectExtensions,
    services: &mut [Service],
    diags: &mut Diagnostics,
) -> Option<LoadBalancer> {
    let any_port = project.services.values().any(|s| !s.ports.is_empty());
    if !any_port {
        return None;
    }
    let all_http = project
        .services
        .values()
        .all(|s| s.ports.iter().all(|p| is_http(p, diags)));
    let kind = if all_http {
        LoadBalancerKind::Application
    } else {
        LoadBalancerKind::Network
    };
    if let Some(lb) = &top.loadbalancer
        && !lb.starts_with("arn:")
    {
        diags.push(
                Diagnostic::error(format!("`x-aws-loadbalancer` must be the load balancer's ARN, not `{lb}`"))
                    .at(project.extensions.spans.get("x-aws-loadbalancer").copied())
                    .help("c2cfn renders offline: give the full ARN (`aws elbv2 describe-load-balancers --names NAME`)"),
            );
    }
    let mut public: BTreeMap<(u16, &'static str), (String, Span)> = BTreeMap::new();
    for service in services.iter_mut() {
        let Some(svc) = project.services.get(&service.name) else {
            continue;
        };
        for port in &svc.ports {
            if let Some(mode) = &port.mode
                && mode == "host"
            {
                diags.push(
                    Diagnostic::warning(format!(
                        "`mode: host` of port {} is ignored on ECS",
                        port.target
                    ))
                    .at(port.span)
                    .help("ECS publishes ports through the load balancer"),
                );
            }
            if port
                .host_ip
                .as_deref()
                .is_some_and(|ip| ip != "0.0.0.0" && ip != "::")
            {
                diags.push(
                    Diagnostic::warning(format!("host IP of port {} is ignored on ECS", port.target))
                        .at(port.span)
                        .help("the load balancer listens on its own addresses; restrict access with the x-aws-cloudformation overlay on the ingress rule"),
                );
            }
            let protocol = port.protocol.to_ascii_uppercase();
            let published = port.published.unwrap_or(port.target);
            let (listener_protocol, target_protocol) = match kind {
                LoadBalancerKind::Application => ("HTTP".to_owned(), "HTTP".to_owned()),
                LoadBalancerKind::Network => (protocol.clone(), protocol.clone()),
            };
            let mut listener = Listener {
                compose_protocol: port.protocol.clone(),
                id_protocol: if port.protocol_defaulted {
                    String::new()
                } else {
                    port.protocol.clone()
                },
                target: port.target,
                published,
                protocol: listener_protocol,
                target_protocol,
                public_port: published,
                certificate: None,
                ssl_policy: None,
                health_check_path: None,
            };
            if let Some(tls) = service.tls.get(&port.target) {
                if protocol == "UDP" {
                    diags.push(
                        Diagnostic::error(format!(
                            "port {}/udp cannot be served over TLS",
                            port.target
                        ))
                        .at(port.span)
                        .help("TLS needs a TCP port"),
                    );
                }
                listener.protocol = match kind {
                    LoadBalancerKind::Application => "HTTPS".into(),
                    LoadBalancerKind::Network => "TLS".into(),
                };
                listener.public_port = tls.public_port;
                listener.certificate = Some(tls.certificate.clone());
                listener.ssl_policy = Some(tls.ssl_policy.clone());
            }
            let key = (
                listener.public_port,
                if protocol == "UDP" { "udp" } else { "tcp" },
            );
            if let Some((other, first)) = public.get(&key) {
                diags.push(
                    Diagnostic::error(format!(
                        "port {} is published by both `{other}` and `{}` on the one load balancer",
                        listener.public_port, service.name
                    ))
                    .at(port.span)
                    .also(Some(*first), "first published here")
                    .help("publish a different port, or serve one of them over TLS on another public port with `x-aws-tls`"),
                );
                continue;
            }
            public.insert(key, (service.name.clone(), port.span));
            service.listeners.push(listener);
        }
        for target in service.tls.keys() {
            if !svc.ports.iter().any(|p| p.target == *target) {
                diags.push(
                    Diagnostic::error(format!(
                        "`x-aws-tls` names port {target}, which `{}` does not publish",
                        svc.name
                    ))
                    .at(tls_entry(svc, *target).or(svc.keys.get("x-aws-tls").copied()))
                    .help("list the container port under `ports:` too"),
                );
            }
        }
    }
    Some(LoadBalancer {
        kind,
        existing: top.loadbalancer.clone(),
        security_group: false,
    })
}

/// Where the `x-aws-tls` entry for container port `target` was written.
fn tls_entry(svc: &crate::compose::project::Service, target: u16) -> Option<Span> {
    svc.extensions
        .tls
        .iter()
        .flatten()
        .find(|t| t.value.port == target)
        .and_then(|t| t.span)
}

/// Docker's rule for an HTTP port.
fn is_http(port: &Port, diags: &mut Diagnostics) -> bool {
    diags.extend(port.extensions.problems.clone());
    match port.extensions.protocol.as_deref() {
        Some(p) => p == "http" || p == "https",
        None => port.target == 80 || port.target == 443,
    }
}
