//! Compose networks → security groups (Docker: one per network, members
//! may talk to each other on every port).

use crate::compose::Project;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Network;

/// One [`Network`] per compose network, in declaration order.
pub(super) fn lower(project: &Project, prefix: &str, diags: &mut Diagnostics) -> Vec<Network> {
    let mut out = Vec::new();
    for (name, net) in &project.networks {
        diags.extend(net.extensions.problems.clone());
        let mut existing = None;
        if let Some(sg) = net.extensions.securitygroup.clone() {
            diags.push(
                Diagnostic::warning(format!(
                    "`x-aws-securitygroup` on network `{name}` is Docker's older spelling"
                ))
                .at(net.extensions.spans.get("x-aws-securitygroup").copied())
                .help("write `external: true` and `name: <security group id>` instead"),
            );
            existing = Some(sg);
        } else if net.external {
            existing = Some(net.name.clone().unwrap_or_else(|| name.clone()));
        }
        if let Some(sg) = &existing
            && !sg.starts_with("sg-")
        {
            diags.push(
                    Diagnostic::error(format!("external network `{name}` must name a security group ID, not `{sg}`"))
                        .at(net.span)
                        .help("on ECS an external network is an existing security group: `name: sg-0123456789abcdef0`"),
                );
        }
        for (key, span) in &net.keys {
            if matches!(
                key.as_str(),
                "driver"
                    | "driver_opts"
                    | "ipam"
                    | "attachable"
                    | "enable_ipv6"
                    | "labels"
                    | "enable_ipv4"
            ) {
                diags.push(
                    Diagnostic::warning(format!("`{key}` of network `{name}` is ignored on ECS"))
                        .at(*span)
                        .help("an ECS network is a security group; only `external`, `name` and `internal` apply"),
                );
            }
        }
        out.push(Network {
            span: None,
            name: name.clone(),
            full_name: net
                .name
                .clone()
                .unwrap_or_else(|| format!("{prefix}_{name}")),
            existing,
            internal: net.internal,
        });
    }
    out
}
