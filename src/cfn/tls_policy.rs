//! Every TLS or HTTPS listener gets a TLS policy. `x-aws-tls` sets one; a
//! listener that the `x-aws-cloudformation` overlay turns into TLS/HTTPS (or
//! adds) without `SslPolicy` would otherwise get the load balancer's default,
//! which still accepts TLS 1.0. This pass runs after the overlay and gives
//! such a listener the policy `x-aws-tls` uses; the caller prints the notes.

use serde_json::Value;

use crate::model::DEFAULT_SSL_POLICY;

/// Sets `SslPolicy` on every TLS/HTTPS listener without one; returns one
/// note per listener changed.
pub fn default_ssl_policies(template: &mut Value) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(resources) = template.get_mut("Resources").and_then(Value::as_object_mut) else {
        return notes;
    };
    for (id, resource) in resources {
        if resource.get("Type").and_then(Value::as_str)
            != Some("AWS::ElasticLoadBalancingV2::Listener")
        {
            continue;
        }
        let Some(props) = resource
            .get_mut("Properties")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let secure = props
            .get("Protocol")
            .and_then(Value::as_str)
            .is_some_and(|p| p.eq_ignore_ascii_case("TLS") || p.eq_ignore_ascii_case("HTTPS"));
        if secure && !props.contains_key("SslPolicy") {
            props.insert("SslPolicy".into(), Value::from(DEFAULT_SSL_POLICY));
            notes.push(format!(
                "listener {id} serves TLS without an `SslPolicy`: it gets {DEFAULT_SSL_POLICY} (TLS 1.2 and 1.3), as `x-aws-tls` does; name another `SslPolicy` in the overlay to change it"
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_tls_listeners_without_a_policy_change() {
        let mut t = json!({"Resources": {
            "A": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"Protocol": "TLS", "Port": 443}},
            "B": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"Protocol": "HTTPS", "SslPolicy": "Mine"}},
            "C": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"Protocol": "TCP"}},
            "D": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"Protocol": "TLS"}},
        }});
        let notes = default_ssl_policies(&mut t);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].starts_with("listener A "), "{notes:?}");
        assert_eq!(
            t["Resources"]["A"]["Properties"]["SslPolicy"],
            DEFAULT_SSL_POLICY
        );
        assert_eq!(t["Resources"]["B"]["Properties"]["SslPolicy"], "Mine");
        assert!(t["Resources"]["C"]["Properties"].get("SslPolicy").is_none());
        assert!(t["Resources"]["D"]["Properties"].get("SslPolicy").is_none());
    }
}
