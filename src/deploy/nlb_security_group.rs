//! A network load balancer takes security groups only when it is created.
//! A stack made by Docker's integration (or by a c2cfn older than the
//! load balancer's security group) has a network load balancer without one;
//! a new template that gives it one (`x-aws-tls` turns it on) cannot be
//! applied in place: ELB refuses to add the group, and replacing the load
//! balancer would change its DNS name. `up` and `diff` refuse such a change
//! before it is executed and say how to keep what the stack has.

use serde_json::Value;

use super::guard::TemplateView;

/// Network load balancers deployed without security groups to which the new
/// template adds some (logical IDs).
#[must_use]
pub fn added_to_existing(old: &TemplateView, new: &TemplateView) -> Vec<String> {
    let resources = |v: &TemplateView| {
        v.template
            .get("Resources")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (old, new) = (resources(old), resources(new));
    let is_nlb_groups = |r: &Value| {
        let props = r.get("Properties");
        let groups = props
            .and_then(|p| p.get("SecurityGroups"))
            .and_then(Value::as_array)
            .is_some_and(|g| !g.is_empty());
        let network = props.and_then(|p| p.get("Type")).and_then(Value::as_str) == Some("network");
        (network, groups)
    };
    new.iter()
        .filter(|(_, r)| {
            r.get("Type").and_then(Value::as_str)
                == Some("AWS::ElasticLoadBalancingV2::LoadBalancer")
        })
        .filter(|(id, r)| {
            let Some(before) = old.get(*id) else {
                return false;
            };
            let (was_network, had_groups) = is_nlb_groups(before);
            let (_, now_grouped) = is_nlb_groups(r);
            was_network && !had_groups && now_grouped
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// The refusal's message and hint.
#[must_use]
pub fn refusal(ids: &[String]) -> (String, String) {
    (
        format!(
            "refused: the network load balancer {} was created without a security group, and this template gives it one; AWS adds security groups to a network load balancer only when it is created, so the update would fail, and replacing it would change its DNS name.\nNothing was changed (the change set was deleted).",
            ids.join(", ")
        ),
        "to keep this load balancer, put `x-aws-loadbalancer_security_group: false` at the top level of the compose file (its container ports then stay open to 0.0.0.0/0, and render warns about it); to get the security group, deploy a new stack".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view(lb: Value) -> TemplateView {
        TemplateView {
            template: json!({"Resources": {"LoadBalancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": lb}}}),
            parameters: std::collections::BTreeMap::new(),
        }
    }

    #[test]
    fn only_a_network_load_balancer_gaining_groups_is_found() {
        let bare = view(json!({"Type": "network"}));
        let grouped = view(
            json!({"Type": "network", "SecurityGroups": [{"Ref": "LoadBalancerSecurityGroup"}]}),
        );
        assert_eq!(added_to_existing(&bare, &grouped), ["LoadBalancer"]);
        assert!(added_to_existing(&grouped, &grouped).is_empty());
        assert!(added_to_existing(&bare, &bare).is_empty());
        assert!(added_to_existing(&grouped, &bare).is_empty());
        let alb = view(json!({"Type": "application"}));
        let alb2 = view(json!({"Type": "application", "SecurityGroups": ["sg-1"]}));
        assert!(added_to_existing(&alb, &alb2).is_empty());
        let empty = TemplateView::default();
        assert!(added_to_existing(&empty, &grouped).is_empty());
    }
}
