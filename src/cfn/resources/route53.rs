//! Route 53 alias records pointing at the load balancer.

use serde_json::json;

use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::Stack;

/// `<Name>Record` of a record's fully qualified name.
#[must_use]
pub fn record_id(name: &str) -> String {
    format!(
        "{}Record",
        logical_id::normalize(name.trim_end_matches('.'))
    )
}

/// `<Name>Record` (and `<Name>AAAARecord` for a dual-stack load balancer).
pub fn emit(stack: &Stack, template: &mut Template) {
    for r in &stack.records {
        let base = logical_id::normalize(r.name.trim_end_matches('.'));
        let mut types = vec![("A", record_id(&r.name))];
        if r.ipv6 {
            types.push(("AAAA", format!("{base}AAAARecord")));
        }
        for (kind, id) in types {
            let mut props = json!({
                "AliasTarget": {
                    "DNSName": intrinsic::get_att(logical_id::LOAD_BALANCER, "DNSName"),
                    // As the teams' scripts did: Route 53 answers only while
                    // the load balancer has healthy targets.
                    "EvaluateTargetHealth": true,
                    "HostedZoneId": intrinsic::get_att(logical_id::LOAD_BALANCER, "CanonicalHostedZoneID"),
                },
                "Comment": format!("{} service {}", stack.project, r.service),
                "Name": r.name,
                "Type": kind,
            });
            if r.zone_is_id {
                props["HostedZoneId"] = json!(r.zone);
            } else {
                props["HostedZoneName"] = json!(r.zone);
            }
            template.add(id, Resource::new("AWS::Route53::RecordSet", props));
        }
    }
}
