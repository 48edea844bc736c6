//! What the internet can reach: TLS terminated at the load balancer must
//! not be bypassed, and SSH is open only when asked for.
//!
//! - A listener that the `x-aws-cloudformation` overlay turns into TLS or
//!   HTTPS (the teams' Docker-era way of serving TLS) is known here, with
//!   the public port the overlay gives it, so that it is secured exactly
//!   like an `x-aws-tls` listener.
//! - A network load balancer that terminates TLS gets its own security
//!   group, and the container ports admit only that group, so a client
//!   cannot reach the plaintext port on a task's public IP. A network load
//!   balancer takes security groups only when it is created: a stack made
//!   by Docker's integration (or an older c2cfn) keeps its load balancer
//!   with `x-aws-loadbalancer_security_group: false`, and is warned once.
//!   Without TLS nothing can be bypassed, so Docker's own inputs render as
//!   Docker rendered them (its stacks update in place).
//! - `x-aws-ssh` opens a service's SSH port to the given ranges only.

use std::net::IpAddr;

use serde_json::Value;

use crate::compose::Project;
use crate::compose::extensions::{ProjectExtensions, Ssh};
use crate::compose::project::{Service as ComposeService, Spanned};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{LoadBalancerKind, SshAccess, Stack, naming};

/// The top-level key that opts in or out of the load balancer's security group.
pub(super) const LB_SECURITY_GROUP_KEY: &str = "x-aws-loadbalancer_security_group";

/// Applies the overlay's listener protocol and port to the model, then
/// decides the load balancer's security group.
pub(super) fn decide(
    project: &Project,
    top: &ProjectExtensions,
    stack: &mut Stack,
    diags: &mut Diagnostics,
) {
    if let Some(overlay) = &project.overlay {
        apply_overlay_listeners(&overlay.value, stack.services.as_mut_slice());
    }
    let key_span = super::top_span(project, LB_SECURITY_GROUP_KEY);
    let Some(lb) = stack.load_balancer.as_mut() else {
        if top.loadbalancer_security_group.is_some() {
            diags.push(
                Diagnostic::warning(format!(
                    "`{LB_SECURITY_GROUP_KEY}` has no effect: no service publishes a port"
                ))
                .at(key_span)
                .help("remove the key, or publish a port with `ports:`"),
            );
        }
        return;
    };
    let tls: Vec<(String, u16)> = stack
        .services
        .iter()
        .flat_map(|s| {
            s.listeners
                .iter()
                .filter(|l| l.terminates_tls())
                .map(|l| (s.name.clone(), l.target))
        })
        .collect();
    if lb.existing.is_some() || lb.kind == LoadBalancerKind::Application {
        // An ALB always has security groups (the networks'): the container
        // ports are then reached through the network's own rule, and only
        // the listener ports are open to the world (cfn/resources/ec2.rs).
        // An existing load balancer's groups are not c2cfn's to change.
        if top.loadbalancer_security_group.is_some() {
            let why = if lb.existing.is_some() {
                "`x-aws-loadbalancer` names an existing load balancer, whose security groups c2cfn does not manage"
            } else {
                "an application load balancer always has security groups (the networks'), and only its listener ports are open"
            };
            diags.push(
                Diagnostic::warning(format!(
                    "`{LB_SECURITY_GROUP_KEY}` only applies to a network load balancer c2cfn creates"
                ))
                .at(key_span)
                .help(format!("{why}; remove the key")),
            );
        }
        return;
    }
    lb.security_group = top.loadbalancer_security_group.unwrap_or(!tls.is_empty());
    if !lb.security_group && !tls.is_empty() {
        let ports: Vec<String> = tls
            .iter()
            .map(|(service, port)| format!("{service}:{port}"))
            .collect();
        diags.push(
            Diagnostic::warning(format!(
                "TLS terminated at the load balancer can be bypassed: container port(s) {} stay open to 0.0.0.0/0",
                ports.join(", ")
            ))
            .at(key_span)
            .label("keeps the load balancer without a security group")
            .help(
                "this keeps a stack made by Docker's integration in place: a network load balancer takes a security group only when it is created, so adding one replaces it and changes its DNS name; on a new stack remove the key, and the container ports admit only the load balancer",
            ),
        );
    }
}

/// A generated listener the overlay makes TLS/HTTPS (or moves to another
/// port) is recorded as such, so the security group opens the right port.
fn apply_overlay_listeners(overlay: &Value, services: &mut [crate::model::Service]) {
    for service in services {
        for l in &mut service.listeners {
            let id = naming::listener(&service.name, &l.compose_protocol, l.target);
            let Some(props) = overlay
                .get("Resources")
                .and_then(|r| r.get(&id))
                .and_then(|r| r.get("Properties"))
            else {
                continue;
            };
            if let Some(protocol) = props.get("Protocol").and_then(Value::as_str) {
                l.protocol = protocol.to_ascii_uppercase();
            }
            let port = props.get("Port").and_then(|p| {
                p.as_u64()
                    .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            });
            if let Some(port) = port.and_then(|p| u16::try_from(p).ok()) {
                l.public_port = port;
            }
        }
    }
}

/// `x-aws-ssh`: the port and the validated address ranges.
pub(super) fn ssh(
    svc: &ComposeService,
    ssh: Option<&Ssh>,
    diags: &mut Diagnostics,
) -> Option<SshAccess> {
    let ssh = ssh?;
    let span = svc.keys.get("x-aws-ssh").copied();
    if ssh.cidr.value.is_empty() {
        diags.push(
            Diagnostic::error(format!("`x-aws-ssh` of `{}` lists no address range", svc.name))
                .at(ssh.cidr.span.or(span))
                .help("name who may connect, e.g. `cidr: [203.0.113.7/32]`, or remove `x-aws-ssh` to keep SSH closed"),
        );
    }
    for Spanned {
        value: cidr,
        span: at,
    } in &ssh.cidr.value
    {
        if !is_cidr(cidr) {
            diags.push(
                Diagnostic::error(format!(
                    "`{cidr}` in `x-aws-ssh` of `{}` is not an address range",
                    svc.name
                ))
                .at(at.or(span))
                .help("write an IPv4 or IPv6 range with its prefix length, e.g. `203.0.113.7/32` or `2001:db8::/48`"),
            );
        }
    }
    Some(SshAccess {
        port: ssh.port.unwrap_or(22),
        cidrs: ssh.cidr.value.iter().map(|c| c.value.clone()).collect(),
    })
}

fn is_cidr(text: &str) -> bool {
    let Some((addr, bits)) = text.split_once('/') else {
        return false;
    };
    let (Ok(addr), Ok(bits)) = (addr.parse::<IpAddr>(), bits.parse::<u8>()) else {
        return false;
    };
    bits <= if addr.is_ipv4() { 32 } else { 128 }
}

#[cfg(test)]
mod tests {
    use super::is_cidr;

    #[test]
    fn cidrs() {
        assert!(is_cidr("203.0.113.7/32"));
        assert!(is_cidr("0.0.0.0/0"));
        assert!(is_cidr("2001:db8::/48"));
        assert!(!is_cidr("203.0.113.7"));
        assert!(!is_cidr("203.0.113.7/33"));
        assert!(!is_cidr("example.com/24"));
    }
}
