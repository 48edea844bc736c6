//! Changes that widen access: IAM statements whose actions or resources
//! grow, security-group ingress that opens new ports or sources, listeners
//! that become public or lose TLS, and secrets newly passed as plain
//! environment variables.

use std::collections::BTreeSet;

use serde_json::Value;

use super::changes::show;

/// One widening, on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widening {
    /// The resource that carries it.
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// What widens, in words.
    pub message: String,
}

fn resources(t: Option<&Value>) -> Vec<(&String, &Value)> {
    t.and_then(|t| t.get("Resources"))
        .and_then(Value::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

fn kind(r: &Value) -> &str {
    r.get("Type").and_then(Value::as_str).unwrap_or_default()
}

fn props(r: &Value) -> Option<&Value> {
    r.get("Properties")
}

fn one_or_many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
}

fn text(v: &Value) -> String {
    show(v, 200).0
}

/// Every widening from `old` to `new`.
#[must_use]
pub fn widenings(old: Option<&Value>, new: &Value) -> Vec<Widening> {
    let mut out = Vec::new();
    iam(old, new, &mut out);
    ingress(old, new, &mut out);
    listeners(old, new, &mut out);
    plain_secrets(old, new, &mut out);
    out
}

fn lookup<'a>(t: Option<&'a Value>, id: &str) -> Option<&'a Value> {
    t?.get("Resources")?.get(id)
}

// --- IAM ---------------------------------------------------------------

/// Allowed actions and resources of an IAM resource's statements, and its
/// managed policies.
fn grants(r: &Value) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
    let mut docs: Vec<&Value> = Vec::new();
    let p = props(r);
    if let Some(d) = p.and_then(|p| p.get("PolicyDocument")) {
        docs.push(d);
    }
    for policy in one_or_many(p.and_then(|p| p.get("Policies"))) {
        if let Some(d) = policy.get("PolicyDocument") {
            docs.push(d);
        }
    }
    let (mut actions, mut targets) = (BTreeSet::new(), BTreeSet::new());
    for doc in docs {
        for s in one_or_many(doc.get("Statement")) {
            if s.get("Effect").and_then(Value::as_str) == Some("Deny") {
                continue;
            }
            actions.extend(
                one_or_many(s.get("Action"))
                    .into_iter()
                    .map(|a| text(a).to_ascii_lowercase()),
            );
            targets.extend(one_or_many(s.get("Resource")).into_iter().map(text));
        }
    }
    let managed = one_or_many(p.and_then(|p| p.get("ManagedPolicyArns")))
        .into_iter()
        .map(text)
        .collect();
    (actions, targets, managed)
}

fn list(items: &[&String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn iam(old: Option<&Value>, new: &Value, out: &mut Vec<Widening>) {
    const TYPES: &[&str] = &[
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
    ];
    for (id, r) in resources(Some(new)) {
        if !TYPES.contains(&kind(r)) {
            continue;
        }
        let (actions, targets, managed) = grants(r);
        let (old_actions, old_targets, old_managed) = lookup(old, id)
            .filter(|o| TYPES.contains(&kind(o)))
            .map(grants)
            .unwrap_or_default();
        let new_actions: Vec<&String> = actions.difference(&old_actions).collect();
        let new_targets: Vec<&String> = targets.difference(&old_targets).collect();
        let new_managed: Vec<&String> = managed.difference(&old_managed).collect();
        let mut parts = Vec::new();
        if !new_actions.is_empty() {
            parts.push(format!("new actions {}", list(&new_actions)));
        }
        if !new_targets.is_empty() {
            parts.push(format!("on new resources {}", list(&new_targets)));
        }
        if !new_managed.is_empty() {
            parts.push(format!("new managed policies {}", list(&new_managed)));
        }
        if !parts.is_empty() {
            let noun = match kind(r) {
                "AWS::IAM::Role" => "role",
                "AWS::IAM::Policy" => "policy",
                _ => "managed policy",
            };
            let verb = if lookup(old, id).is_some() {
                format!("{noun} grants")
            } else {
                format!("new {noun} grants")
            };
            out.push(Widening {
                logical_id: id.clone(),
                resource_type: kind(r).to_owned(),
                message: format!("IAM {verb} {}", parts.join("; ")),
            });
        }
    }
}

// --- Security-group ingress ----------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rule {
    group: String,
    ports: String,
    source: String,
}

fn rule_of(group: String, p: &Value) -> Rule {
    let protocol = p
        .get("IpProtocol")
        .map_or_else(|| "-1".to_owned(), text)
        .to_ascii_lowercase();
    let from = p.get("FromPort").map(text);
    let to = p.get("ToPort").map(text);
    let ports = match (protocol.as_str(), from, to) {
        ("-1", _, _) => "all traffic".to_owned(),
        (proto, Some(f), Some(t)) if f == t => format!("{proto} {f}"),
        (proto, Some(f), Some(t)) => format!("{proto} {f}-{t}"),
        (proto, _, _) => format!("{proto} (all ports)"),
    };
    let source = [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourcePrefixListId",
        "SourceSecurityGroupName",
    ]
    .iter()
    .find_map(|k| p.get(*k).map(text))
    .unwrap_or_else(|| "anywhere".to_owned());
    Rule {
        group,
        ports,
        source,
    }
}

/// Every ingress rule of a template, with the resource that carries it.
fn rules(t: Option<&Value>) -> Vec<(Rule, String, String)> {
    let mut out = Vec::new();
    for (id, r) in resources(t) {
        match kind(r) {
            "AWS::EC2::SecurityGroupIngress" => {
                if let Some(p) = props(r) {
                    let group = p
                        .get("GroupId")
                        .or_else(|| p.get("GroupName"))
                        .map_or_else(|| "?".to_owned(), text);
                    out.push((rule_of(group, p), id.clone(), kind(r).to_owned()));
                }
            }
            "AWS::EC2::SecurityGroup" => {
                for p in one_or_many(props(r).and_then(|p| p.get("SecurityGroupIngress"))) {
                    out.push((
                        rule_of(format!("!Ref {id}"), p),
                        id.clone(),
                        kind(r).to_owned(),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

fn ingress(old: Option<&Value>, new: &Value, out: &mut Vec<Widening>) {
    let before = rules(old);
    for (rule, id, t) in rules(Some(new)) {
        if before.iter().any(|(r, _, _)| *r == rule) {
            continue;
        }
        let port_was_open = before
            .iter()
            .any(|(r, _, _)| r.group == rule.group && r.ports == rule.ports);
        let what = if port_was_open {
            "a new source"
        } else {
            "a new port"
        };
        out.push(Widening {
            logical_id: id,
            resource_type: t,
            message: format!(
                "ingress opens {what}: {} from {} (security group {})",
                rule.ports, rule.source, rule.group
            ),
        });
    }
}

// --- Listeners ---------------------------------------------------------

fn is_public(lb: Option<&Value>) -> Option<bool> {
    let lb = lb?;
    Some(
        props(lb)
            .and_then(|p| p.get("Scheme"))
            .and_then(Value::as_str)
            .is_none_or(|s| s == "internet-facing"),
    )
}

fn has_tls(listener: &Value) -> bool {
    props(listener)
        .and_then(|p| p.get("Protocol"))
        .and_then(Value::as_str)
        .is_some_and(|p| p == "HTTPS" || p == "TLS")
}

fn lb_of<'a>(t: Option<&'a Value>, listener: &Value) -> Option<&'a Value> {
    let arn = props(listener)?.get("LoadBalancerArn")?;
    let id = arn.get("Ref").and_then(Value::as_str)?;
    lookup(t, id)
}

fn listeners(old: Option<&Value>, new: &Value, out: &mut Vec<Widening>) {
    for (id, r) in resources(Some(new)) {
        match kind(r) {
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                let was = lookup(old, id).and_then(|o| is_public(Some(o)));
                if is_public(Some(r)) == Some(true) && was == Some(false) {
                    out.push(Widening {
                        logical_id: id.clone(),
                        resource_type: kind(r).to_owned(),
                        message: "load balancer becomes public (internet-facing)".to_owned(),
                    });
                }
            }
            "AWS::ElasticLoadBalancingV2::Listener" => {
                let port = props(r)
                    .and_then(|p| p.get("Port"))
                    .map_or_else(|| "?".to_owned(), text);
                let protocol = props(r)
                    .and_then(|p| p.get("Protocol"))
                    .map_or_else(|| "?".to_owned(), text);
                let public = is_public(lb_of(Some(new), r)).unwrap_or(true);
                match lookup(old, id) {
                    Some(o) if has_tls(o) && !has_tls(r) => out.push(Widening {
                        logical_id: id.clone(),
                        resource_type: kind(r).to_owned(),
                        message: format!("listener on port {port} loses TLS (now {protocol})"),
                    }),
                    Some(o) if public && is_public(lb_of(old, o)) == Some(false) => {
                        out.push(Widening {
                            logical_id: id.clone(),
                            resource_type: kind(r).to_owned(),
                            message: format!("listener on port {port} ({protocol}) becomes public"),
                        });
                    }
                    None if public => {
                        let tls = if has_tls(r) { "" } else { ", no TLS" };
                        out.push(Widening {
                            logical_id: id.clone(),
                            resource_type: kind(r).to_owned(),
                            message: format!(
                                "new public listener on port {port} ({protocol}{tls})"
                            ),
                        });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

// --- Secrets as plain environment variables ----------------------------

fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase().replace(['-', '.'], "_");
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "API_KEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|w| n.contains(w))
}

fn names(container: &Value, key: &str) -> BTreeSet<String> {
    one_or_many(container.get(key))
        .into_iter()
        .filter_map(|e| e.get("Name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn secret_valued(new: &Value, value: Option<&Value>) -> bool {
    let Some(v) = value else { return false };
    let s = v.to_string();
    if s.contains("{{resolve:secretsmanager") || s.contains("{{resolve:ssm-secure") {
        return true;
    }
    v.get("Ref").and_then(Value::as_str).is_some_and(|id| {
        lookup(Some(new), id).is_some_and(|r| kind(r) == "AWS::SecretsManager::Secret")
            || new
                .get("Parameters")
                .and_then(|p| p.get(id))
                .and_then(|p| p.get("NoEcho"))
                .is_some_and(|n| n == &Value::Bool(true) || n == "true")
    })
}

fn plain_secrets(old: Option<&Value>, new: &Value, out: &mut Vec<Widening>) {
    for (id, r) in resources(Some(new)) {
        if kind(r) != "AWS::ECS::TaskDefinition" {
            continue;
        }
        let old_containers = lookup(old, id)
            .and_then(props)
            .map(|p| one_or_many(p.get("ContainerDefinitions")))
            .unwrap_or_default();
        for c in one_or_many(props(r).and_then(|p| p.get("ContainerDefinitions"))) {
            let cname = c.get("Name").and_then(Value::as_str).unwrap_or_default();
            let before = old_containers
                .iter()
                .find(|o| o.get("Name").and_then(Value::as_str) == Some(cname));
            let old_env: Vec<&Value> = before
                .map(|b| one_or_many(b.get("Environment")))
                .unwrap_or_default();
            let old_secrets = before.map(|b| names(b, "Secrets")).unwrap_or_default();
            for e in one_or_many(c.get("Environment")) {
                let Some(name) = e.get("Name").and_then(Value::as_str) else {
                    continue;
                };
                if old_env.contains(&e) {
                    continue;
                }
                let why = if old_secrets.contains(name) {
                    Some("was a secret (`Secrets`), now a plain environment variable")
                } else if secret_valued(new, e.get("Value")) {
                    Some("its value is a secret, now visible in the task definition")
                } else if looks_secret(name) {
                    Some(
                        "its name says it is a secret; its value is in plain text in the task definition",
                    )
                } else {
                    None
                };
                if let Some(why) = why {
                    out.push(Widening {
                        logical_id: id.clone(),
                        resource_type: kind(r).to_owned(),
                        message: format!("container `{cname}` environment `{name}`: {why}"),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(old: &Value, new: &Value) -> Vec<String> {
        widenings(Some(old), new)
            .into_iter()
            .map(|w| format!("{}: {}", w.logical_id, w.message))
            .collect()
    }

    #[test]
    fn iam_actions_and_resources_that_grow() {
        let role = |actions: Value, res: Value| {
            json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": res}]}}]}}}})
        };
        let old = role(json!(["dynamodb:GetItem"]), json!("arn:t"));
        assert!(messages(&old, &old).is_empty());
        let new = role(
            json!(["dynamodb:GetItem", "dynamodb:DeleteTable"]),
            json!(["arn:t", "*"]),
        );
        assert_eq!(
            messages(&old, &new),
            ["R: IAM role grants new actions `dynamodb:deletetable`; on new resources `*`"]
        );
        // Narrowing is not widening.
        assert!(messages(&new, &old).is_empty());
    }

    #[test]
    fn ingress_ports_and_sources() {
        let sg = |rules: Value| json!({"Resources": rules});
        let one = |port: u16, cidr: &str| {
            json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Ref": "DefaultNetwork"}, "IpProtocol": "TCP", "FromPort": port, "ToPort": port, "CidrIp": cidr}})
        };
        let old = sg(json!({"Default80Ingress": one(80, "0.0.0.0/0")}));
        let new = sg(
            json!({"Default80Ingress": one(80, "0.0.0.0/0"), "Default8080Ingress": one(8080, "0.0.0.0/0")}),
        );
        assert_eq!(
            messages(&old, &new),
            [
                "Default8080Ingress: ingress opens a new port: tcp 8080 from 0.0.0.0/0 (security group !Ref DefaultNetwork)"
            ]
        );
        let narrow = sg(json!({"Default80Ingress": one(80, "10.0.0.0/8")}));
        assert_eq!(
            messages(&narrow, &old),
            [
                "Default80Ingress: ingress opens a new source: tcp 80 from 0.0.0.0/0 (security group !Ref DefaultNetwork)"
            ]
        );
    }

    #[test]
    fn listeners_losing_tls_or_going_public() {
        let t = |scheme: &str, proto: &str| {
            json!({"Resources": {
            "LoadBalancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": scheme}},
            "L": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "LoadBalancer"}, "Port": 443, "Protocol": proto}}}})
        };
        assert_eq!(
            messages(
                &t("internet-facing", "HTTPS"),
                &t("internet-facing", "HTTP")
            ),
            ["L: listener on port 443 loses TLS (now HTTP)"]
        );
        assert_eq!(
            messages(&t("internal", "HTTPS"), &t("internet-facing", "HTTPS")),
            [
                "L: listener on port 443 (HTTPS) becomes public",
                "LoadBalancer: load balancer becomes public (internet-facing)"
            ]
        );
    }

    #[test]
    fn secrets_in_plain_environment() {
        let td = |env: Value, secrets: Value| {
            json!({"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "ContainerDefinitions": [{"Name": "app", "Environment": env, "Secrets": secrets}]}}}})
        };
        let old = td(
            json!([{"Name": "MODE", "Value": "x"}]),
            json!([{"Name": "DB_PASS", "ValueFrom": "arn"}]),
        );
        let new = td(
            json!([{"Name": "MODE", "Value": "x"}, {"Name": "DB_PASS", "Value": "hunter2"}, {"Name": "API_TOKEN", "Value": "t"}, {"Name": "PORT", "Value": "80"}]),
            json!([]),
        );
        assert_eq!(
            messages(&old, &new),
            [
                "T: container `app` environment `DB_PASS`: was a secret (`Secrets`), now a plain environment variable",
                "T: container `app` environment `API_TOKEN`: its name says it is a secret; its value is in plain text in the task definition",
            ]
        );
    }
}
