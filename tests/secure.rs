//! Secure by default, including what overlays produce: TLS policies, a
//! load balancer that cannot be bypassed, SSH only when asked for, log
//! retention, health-checked DNS aliases. Every rendered template here is
//! also run through cfn-lint (with the `external-tools` feature).

use serde_json::Value;

use crate::support::{c2cfn, project, root, stderr, stdout};

/// Renders `compose` (written to a temporary project) and lints the result;
/// returns the template and standard error.
fn render(compose: &str) -> (Value, String) {
    let dir = project(&[("compose.yaml", compose)]);
    let out = c2cfn(dir.path(), &["render", "-o", "template.yaml"]);
    assert!(out.status.success(), "render failed: {}", stderr(&out));
    // The security checks below need no tool; cfn-lint runs with `external-tools`.
    #[cfg(feature = "external-tools")]
    crate::support::cfn_lint(dir.path(), &["template.yaml".into()]);
    let text = std::fs::read_to_string(dir.path().join("template.yaml")).unwrap();
    (serde_norway::from_str(&text).unwrap(), stderr(&out))
}

/// Every `AWS::EC2::SecurityGroupIngress` and inline rule that opens `port`
/// to the whole internet.
fn open_to_world(t: &Value, port: u64) -> Vec<String> {
    let mut found = Vec::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        let rules: Vec<&Value> = match r["Type"].as_str().unwrap() {
            "AWS::EC2::SecurityGroupIngress" => vec![&r["Properties"]],
            "AWS::EC2::SecurityGroup" => r["Properties"]["SecurityGroupIngress"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => continue,
        };
        for rule in rules {
            let world = rule["CidrIp"] == "0.0.0.0/0" || rule["CidrIpv6"] == "::/0";
            let covers = rule["IpProtocol"] == "-1"
                || (rule["FromPort"].as_u64() <= Some(port)
                    && rule["ToPort"].as_u64() >= Some(port));
            if world && covers && found.last() != Some(id) {
                found.push(id.clone());
            }
        }
    }
    found
}

const TLS_GAME: &str = "name: tlsgame
services:
  app:
    image: nginx
    ports: [\"80:80\", \"4000:4000\"]
    x-aws-tls:
      - {port: 80, published: 443, certificate: arn:aws:acm:us-east-1:123456789012:certificate/abc}
      - {port: 4000, published: 4430, certificate: arn:aws:acm:us-east-1:123456789012:certificate/abc}
  worker:
    image: nginx
";

#[test]
fn tls_on_a_network_load_balancer_cannot_be_bypassed() {
    let (t, err) = render(TLS_GAME);
    let r = &t["Resources"];
    let sg = &r["LoadBalancerSecurityGroup"];
    assert_eq!(sg["Type"], "AWS::EC2::SecurityGroup");
    assert_eq!(
        r["LoadBalancer"]["Properties"]["SecurityGroups"],
        serde_json::json!([{"Ref": "LoadBalancerSecurityGroup"}])
    );
    // The load balancer is open on its TLS ports only.
    let mut ports: Vec<u64> = sg["Properties"]["SecurityGroupIngress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["FromPort"].as_u64().unwrap())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports, [443, 4430]);
    // The plaintext container ports admit only the load balancer.
    for (id, port) in [("Default80Ingress", 80), ("Default4000Ingress", 4000)] {
        let p = &r[id]["Properties"];
        assert_eq!(p["FromPort"], port);
        assert_eq!(
            p["SourceSecurityGroupId"]["Ref"],
            "LoadBalancerSecurityGroup"
        );
        assert!(p.get("CidrIp").is_none(), "{id}: {p}");
        assert!(
            open_to_world(&t, port).is_empty(),
            "{port} is open: {:?}",
            open_to_world(&t, port)
        );
    }
    assert_eq!(open_to_world(&t, 443), ["LoadBalancerSecurityGroup"]);
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn a_docker_made_stack_keeps_its_load_balancer_and_is_warned_once() {
    let compose = format!("x-aws-loadbalancer_security_group: false\n{TLS_GAME}");
    let (t, err) = render(&compose);
    let r = &t["Resources"];
    assert!(r.get("LoadBalancerSecurityGroup").is_none());
    assert!(
        r["LoadBalancer"]["Properties"]
            .get("SecurityGroups")
            .is_none()
    );
    assert_eq!(r["Default80Ingress"]["Properties"]["CidrIp"], "0.0.0.0/0");
    assert_eq!(
        err.matches("TLS terminated at the load balancer can be bypassed")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("app:80, app:4000"), "{err}");
    assert!(
        err.contains("compose.yaml:1:"),
        "the warning points at the key: {err}"
    );
}

#[test]
fn without_tls_dockers_network_load_balancer_is_unchanged() {
    // Nothing to bypass: Docker's shape, so Docker's stacks update in place.
    let t = crate::support::render_value(&["compose/docker-multi-port-secrets/compose.yaml"]);
    assert!(t["Resources"].get("LoadBalancerSecurityGroup").is_none());
    assert!(
        t["Resources"]["LoadBalancer"]["Properties"]
            .get("SecurityGroups")
            .is_none()
    );
    // ... unless asked for.
    let (t, _) = render(
        "x-aws-loadbalancer_security_group: true\nservices:\n  db:\n    image: postgres\n    ports: [\"5432:5432\"]\n",
    );
    assert_eq!(
        t["Resources"]["Default5432Ingress"]["Properties"]["SourceSecurityGroupId"]["Ref"],
        "LoadBalancerSecurityGroup"
    );
}

#[test]
fn https_on_an_application_load_balancer_opens_only_the_listener_port() {
    let (t, _) = render(
        "name: web\nservices:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n    x-aws-tls:\n      - {port: 80, certificate: arn:aws:acm:us-east-1:123456789012:certificate/abc}\n",
    );
    assert_eq!(
        t["Resources"]["LoadBalancer"]["Properties"]["Type"],
        "application"
    );
    assert_eq!(
        t["Resources"]["WebTCP80Listener"]["Properties"]["Protocol"],
        "HTTPS"
    );
    assert_eq!(open_to_world(&t, 443), ["Default443Ingress"]);
    assert!(
        open_to_world(&t, 80).is_empty(),
        "{:?}",
        open_to_world(&t, 80)
    );
    // The load balancer shares the network's group, whose own rule admits it.
    assert_eq!(
        t["Resources"]["DefaultNetworkIngress"]["Properties"]["SourceSecurityGroupId"]["Ref"],
        "DefaultNetwork"
    );
}

#[test]
fn an_overlay_tls_listener_gets_the_modern_policy_with_a_note() {
    let out = c2cfn(&root(), &["render", "compose/overlay/compose.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let t: Value = serde_norway::from_str(&stdout(&out)).unwrap();
    let l = &t["Resources"]["FrontTCP80Listener"]["Properties"];
    assert_eq!(l["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
    assert_eq!(
        stderr(&out)
            .matches("note: listener FrontTCP80Listener serves TLS without an `SslPolicy`")
            .count(),
        1,
        "{}",
        stderr(&out)
    );
    // The overlay made it TLS on 443: the load balancer's group opens 443,
    // and the container port admits only the load balancer.
    assert_eq!(open_to_world(&t, 443), ["LoadBalancerSecurityGroup"]);
    assert!(open_to_world(&t, 80).is_empty());
    // A policy the overlay names is kept, and no note is printed.
    let (t, err) = render(
        "services:\n  a:\n    image: nginx\n    ports: [\"7000:7000\"]\n\
         x-aws-cloudformation:\n  Resources:\n    ATCP7000Listener:\n      Properties:\n        Protocol: TLS\n        SslPolicy: ELBSecurityPolicy-TLS13-1-3-2021-06\n        Certificates: [{CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc}]\n",
    );
    assert_eq!(
        t["Resources"]["ATCP7000Listener"]["Properties"]["SslPolicy"],
        "ELBSecurityPolicy-TLS13-1-3-2021-06"
    );
    assert!(!err.contains("note: listener"), "{err}");
}

#[test]
fn ssh_is_closed_unless_asked_for() {
    let (t, _) = render(TLS_GAME);
    assert!(open_to_world(&t, 22).is_empty());
    assert!(
        !serde_json::to_string(&t)
            .unwrap()
            .contains("SshSecurityGroup"),
        "no SSH group without x-aws-ssh"
    );
    let compose = TLS_GAME.replace(
        "  worker:\n",
        "    x-aws-ssh: {cidr: [203.0.113.7/32, \"2001:db8::/48\"]}\n  worker:\n",
    );
    let (t, _) = render(&compose);
    let sg = &t["Resources"]["AppSshSecurityGroup"]["Properties"]["SecurityGroupIngress"];
    assert_eq!(sg[0]["CidrIp"], "203.0.113.7/32");
    assert_eq!(sg[0]["FromPort"], 22);
    assert_eq!(sg[1]["CidrIpv6"], "2001:db8::/48");
    assert!(open_to_world(&t, 22).is_empty());
    let groups = |svc: &str| {
        t["Resources"][format!("{svc}Service")]["Properties"]["NetworkConfiguration"]
            ["AwsvpcConfiguration"]["SecurityGroups"]
            .to_string()
    };
    assert!(groups("App").contains("AppSshSecurityGroup"));
    assert!(!groups("Worker").contains("SshSecurityGroup"));
}

#[test]
fn a_bad_ssh_range_is_an_error_at_its_service() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  app:\n    image: nginx\n    x-aws-ssh: {cidr: [example.com]}\n",
    )
    .unwrap();
    let out = c2cfn(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("`example.com` in `x-aws-ssh` of `app` is not an address range"),
        "{err}"
    );
    assert!(err.contains("compose.yaml:4:"), "{err}");
}

#[test]
fn log_groups_keep_logs_30_days_unless_configured() {
    let base = "services:\n  app:\n    image: nginx\n";
    let (t, _) = render(base);
    assert_eq!(
        t["Resources"]["LogGroup"]["Properties"]["RetentionInDays"],
        30
    );
    let (t, _) = render(&format!("x-aws-logs_retention: 7\n{base}"));
    assert_eq!(
        t["Resources"]["LogGroup"]["Properties"]["RetentionInDays"],
        7
    );
    let (t, _) = render(&format!("x-aws-logs_retention: 0\n{base}"));
    assert!(
        t["Resources"]["LogGroup"]["Properties"]
            .get("RetentionInDays")
            .is_none(),
        "0 keeps logs forever"
    );
}

#[test]
fn dns_aliases_evaluate_target_health() {
    let t = crate::support::render_value(&["--env-file", "compose/game-backend/develop.env"]);
    let records: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Route53::RecordSet")
        .collect();
    assert!(!records.is_empty());
    for r in records {
        assert_eq!(r["Properties"]["AliasTarget"]["EvaluateTargetHealth"], true);
    }
}
