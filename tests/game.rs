//! The game-backend layer, checked on the rendered templates.

use serde_json::Value;

use crate::support::render_value;

fn resources_of(t: &Value, kind: &str) -> Vec<(String, Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(k, r)| (k.clone(), r.clone()))
        .collect()
}

fn develop() -> Value {
    render_value(&["--env-file", "compose/game-backend/develop.env"])
}

#[test]
fn tables_have_key_schemas_and_keep_their_data() {
    let t = develop();
    let c = &t["Resources"]["CollectionTable"];
    assert_eq!(c["Properties"]["TableName"], "ccg-develop-collection");
    assert_eq!(
        c["Properties"]["KeySchema"][0]["AttributeName"],
        "player-id"
    );
    assert_eq!(c["Properties"]["KeySchema"][1]["KeyType"], "RANGE");
    assert_eq!(c["Properties"]["KeySchema"][1]["AttributeName"], "card-id");
    assert_eq!(c["DeletionPolicy"], "Retain");
    assert_eq!(c["UpdateReplacePolicy"], "Retain");
    let d = &t["Resources"]["DecksTable"]["Properties"];
    assert_eq!(d["KeySchema"].as_array().unwrap().len(), 1);
    assert_eq!(
        t["Resources"]["PacksTable"]["Properties"]["TimeToLiveSpecification"]["AttributeName"],
        "expires-at"
    );
}

#[test]
fn four_provisioned_tables_get_eight_targets_and_policies() {
    let t = develop();
    let targets = resources_of(&t, "AWS::ApplicationAutoScaling::ScalableTarget");
    let policies = resources_of(&t, "AWS::ApplicationAutoScaling::ScalingPolicy");
    assert_eq!(targets.len(), 8);
    assert_eq!(policies.len(), 8);
    for (_, p) in &policies {
        let c = &p["Properties"]["TargetTrackingScalingPolicyConfiguration"];
        assert_eq!(c["TargetValue"], 70);
        assert_eq!(c["ScaleInCooldown"], 60);
        assert_eq!(c["ScaleOutCooldown"], 60);
    }
    for (_, s) in &targets {
        assert_eq!(s["Properties"]["MinCapacity"], 1);
        assert_eq!(s["Properties"]["MaxCapacity"], 100);
    }
}

#[test]
fn redis_is_multi_az_from_two_nodes() {
    let dev = develop();
    let main = render_value(&["--env-file", "compose/game-backend/main.env"]);
    let d = &dev["Resources"]["Redis"]["Properties"];
    let m = &main["Resources"]["Redis"]["Properties"];
    assert_eq!(d["NumCacheClusters"], 1);
    assert_eq!(d["MultiAZEnabled"], false);
    assert_eq!(d["AutomaticFailoverEnabled"], false);
    assert_eq!(m["NumCacheClusters"], 2);
    assert_eq!(m["MultiAZEnabled"], true);
    assert_eq!(m["AutomaticFailoverEnabled"], true);
    assert_eq!(m["CacheNodeType"], "cache.m7g.large");
    assert!(d["SnapshotRetentionLimit"].as_u64().unwrap() >= 1);
    assert_eq!(dev["Resources"]["Redis"]["DeletionPolicy"], "Snapshot");
}

/// Services of tests/fixtures/game-multi and what each may reach.
const MULTI: &[(&str, bool, bool)] = &[
    // (service, Redis, tables)
    ("app", true, true),
    ("matchmaker", true, false),
    ("stats", false, true),
    ("admin", false, false),
    ("ledger", false, false),
];

fn multi() -> Value {
    render_value(&["tests/fixtures/game-multi/compose.yaml"])
}

fn env_names(t: &Value, service: &str) -> Vec<String> {
    let id = format!("{}TaskDefinition", capitalised(service));
    t["Resources"][id]["Properties"]["ContainerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["Environment"].as_array().cloned().unwrap_or_default())
        .map(|e| e["Name"].as_str().unwrap().to_owned())
        .collect()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

#[test]
fn redis_admits_only_listed_services() {
    let t = multi();
    let ingress = &t["Resources"]["RedisSecurityGroup"]["Properties"]["SecurityGroupIngress"];
    assert_eq!(ingress.as_array().unwrap().len(), 1);
    assert_eq!(ingress[0]["FromPort"], 6379);
    assert_eq!(
        ingress[0]["SourceSecurityGroupId"]["Ref"],
        "RedisClientSecurityGroup"
    );
    // No other rule opens the Redis group.
    for (id, r) in resources_of(&t, "AWS::EC2::SecurityGroupIngress") {
        assert_ne!(
            r["Properties"]["GroupId"]["Ref"], "RedisSecurityGroup",
            "{id}"
        );
    }
    assert_eq!(
        t["Resources"]["Redis"]["Properties"]["SecurityGroupIds"],
        serde_json::json!([{"Ref": "RedisSecurityGroup"}])
    );
    for (service, redis, _) in MULTI {
        let groups = t["Resources"][format!("{}Service", capitalised(service))]["Properties"]
            ["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
            .to_string();
        assert_eq!(
            groups.contains("RedisClientSecurityGroup"),
            *redis,
            "{service} joins the Redis client group: {groups}"
        );
        assert_eq!(
            env_names(&t, service)
                .iter()
                .any(|n| n.starts_with("REDIS_")),
            *redis,
            "{service} gets the Redis address"
        );
        // The only way into the Redis group is the client group.
        assert!(
            !groups.contains("\"RedisSecurityGroup\""),
            "{service}: {groups}"
        );
    }
}

#[test]
fn services_get_scoped_iam_and_environment() {
    let t = multi();
    for (service, _, tables) in MULTI {
        let role = &t["Resources"][format!("{}TaskRole", capitalised(service))];
        let text = role.to_string();
        let grant = role["Properties"]["Policies"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["PolicyName"] == "DynamoDBTables");
        assert_eq!(
            grant.is_some(),
            *tables,
            "{service} has the table grant: {text}"
        );
        assert_eq!(
            text.contains("dynamodb"),
            *tables,
            "{service}'s role mentions DynamoDB: {text}"
        );
        if let Some(grant) = grant {
            let resources = grant["PolicyDocument"]["Statement"][0]["Resource"]
                .as_array()
                .unwrap();
            assert_eq!(
                resources.len(),
                4,
                "each table and its indexes, nothing else"
            );
            assert!(!serde_json::to_string(resources).unwrap().contains("\"*\""));
        }
        assert_eq!(
            env_names(&t, service)
                .iter()
                .any(|n| n.starts_with("DYNAMODB_")),
            *tables,
            "{service} gets the table names"
        );
    }

    // The develop environment: values, and ECS Exec.
    let t = develop();
    let role = &t["Resources"]["AppTaskRole"]["Properties"]["Policies"];
    let exec = role
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["PolicyName"] == "EcsExec")
        .expect("ECS Exec grant");
    assert!(
        serde_json::to_string(exec)
            .unwrap()
            .contains("ssmmessages:OpenDataChannel")
    );
    assert_eq!(
        t["Resources"]["AppService"]["Properties"]["EnableExecuteCommand"],
        true
    );
    let env = &t["Resources"]["AppTaskDefinition"]["Properties"]["ContainerDefinitions"][1]["Environment"];
    let get = |n: &str| {
        env.as_array()
            .unwrap()
            .iter()
            .find(|e| e["Name"] == n)
            .map(|e| e["Value"].clone())
    };
    assert_eq!(get("DYNAMODB_PREFIX"), Some(Value::from("ccg-develop-")));
    assert_eq!(
        get("REDIS_HOST").unwrap()["Fn::GetAtt"][1],
        "PrimaryEndPoint.Address"
    );
    assert_eq!(
        get("REDIS_PORT").unwrap()["Fn::GetAtt"][1],
        "PrimaryEndPoint.Port"
    );
    assert_eq!(
        get("DYNAMODB_TABLE_COLLECTION"),
        Some(Value::from("ccg-develop-collection"))
    );
}

#[test]
fn route53_alias_points_at_the_load_balancer() {
    let t = develop();
    let r = &t["Resources"]["CcgdeveloptinkagamesRecord"]["Properties"];
    assert_eq!(r["Name"], "ccg-develop.tinka.games.");
    assert_eq!(r["HostedZoneName"], "tinka.games.");
    assert_eq!(r["Type"], "A");
    assert_eq!(r["AliasTarget"]["DNSName"]["Fn::GetAtt"][0], "LoadBalancer");
    assert_eq!(r["AliasTarget"]["EvaluateTargetHealth"], true);
}

#[test]
fn first_class_tls_matches_the_teams_overlay() {
    let t = develop();
    let l80 = &t["Resources"]["AppTCP80Listener"]["Properties"];
    assert_eq!(l80["Port"], 443);
    assert_eq!(l80["Protocol"], "TLS");
    assert!(
        l80["Certificates"][0]["CertificateArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:acm:")
    );
    let l4000 = &t["Resources"]["AppTCP4000Listener"]["Properties"];
    assert_eq!(l4000["Port"], 4430);
    assert_eq!(l4000["Protocol"], "TLS");
    // The target groups still reach the container ports over TCP.
    assert_eq!(
        t["Resources"]["AppTCP80TargetGroup"]["Properties"]["Port"],
        80
    );
    assert_eq!(
        t["Resources"]["AppTCP80TargetGroup"]["Properties"]["Protocol"],
        "TCP"
    );
}

#[test]
fn overlay_merges_replaces_and_deletes() {
    let t = render_value(&["compose/overlay/compose.yaml"]);
    let l = &t["Resources"]["FrontTCP80Listener"]["Properties"];
    assert_eq!(l["Port"], 443);
    assert_eq!(l["Protocol"], "TLS");
    assert_eq!(
        l["LoadBalancerArn"]["Ref"], "LoadBalancer",
        "untouched keys are kept"
    );
    assert_eq!(
        t["Resources"]["FrontTCP5000TargetGroup"]["Properties"]["HealthCheckIntervalSeconds"],
        10
    );
    assert!(t["Outputs"].get("Certificate").is_some());
    // Pinned VPC and subnets: no parameters, literal IDs.
    assert!(t.get("Parameters").is_none());
    assert_eq!(
        t["Resources"]["DefaultNetwork"]["Properties"]["VpcId"],
        "vpc-0123456789abcdef0"
    );
}

#[test]
fn the_teams_existing_overlay_still_works_and_matches_x_aws_tls() {
    // The overlay these teams already have, kept verbatim (no `SslPolicy`):
    // both generated TCP listeners become TLS listeners with an ACM
    // certificate, and get the policy x-aws-tls uses, with a note.
    let original = std::fs::read_to_string(
        crate::support::root().join("compose/game-backend/app-compose.yml"),
    )
    .unwrap();
    let start = original
        .find("    x-aws-tls:")
        .expect("the example uses x-aws-tls");
    let end = original.find("\nx-aws-dynamodb:").unwrap();
    let without_tls = format!("{}{}", &original[..start], &original[end + 1..]);
    let overlay = r"
x-aws-cloudformation:
  Resources:
    AppTCP80Listener:
      Properties:
        Certificates:
          - CertificateArn: ${certificate_arn}
        Protocol: TLS
        Port: 443
    AppTCP4000Listener:
      Properties:
        Certificates:
          - CertificateArn: ${certificate_arn}
        Protocol: TLS
        Port: 4430
";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app-compose.yml");
    std::fs::write(&file, format!("{without_tls}{overlay}")).unwrap();
    let env = crate::support::root().join("compose/game-backend/develop.env");
    let out = crate::support::c2cfn(
        &crate::support::root(),
        &[
            "render",
            "-f",
            file.to_str().unwrap(),
            "--env-file",
            env.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let with_overlay: Value = serde_norway::from_str(&crate::support::stdout(&out)).unwrap();
    let notes = crate::support::stderr(&out);
    for id in ["AppTCP80Listener", "AppTCP4000Listener"] {
        assert!(
            notes.contains(&format!("note: listener {id} serves TLS without an `SslPolicy`: it gets ELBSecurityPolicy-TLS13-1-2-2021-06")),
            "{notes}"
        );
    }
    let first_class = develop();
    for id in [
        "AppTCP80Listener",
        "AppTCP4000Listener",
        "AppTCP80TargetGroup",
        "AppTCP4000TargetGroup",
        "AppService",
        "LoadBalancer",
        "LoadBalancerSecurityGroup",
        "Default80Ingress",
        "Default4000Ingress",
    ] {
        assert!(first_class["Resources"].get(id).is_some(), "{id}");
        assert_eq!(
            with_overlay["Resources"][id], first_class["Resources"][id],
            "{id} differs between the overlay and x-aws-tls"
        );
    }
}

/// A record is placed in its zone: a label joins the zone, a full name (any
/// case) inside the zone or the zone apex is kept; with a hosted-zone ID the
/// record is written in full and addressed by `HostedZoneId`.
#[test]
fn route53_names_stay_inside_their_zone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("compose.yaml");
    let render = |zone: &str, names: &[&str]| -> Value {
        let mut records = String::new();
        for n in names {
            records.push_str("    - name: ");
            records.push_str(n);
            records.push_str("\n      service: web\n");
        }
        std::fs::write(
            &file,
            format!("name: demo\nservices:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\nx-aws-route53:\n  zone: {zone}\n  records:\n{records}"),
        )
        .unwrap();
        render_value(&["-f", file.to_str().unwrap()])
    };
    let t = render("example.com", &["play", "API.Example.com", "example.com"]);
    let names: Vec<(String, Value)> = resources_of(&t, "AWS::Route53::RecordSet");
    let names: Vec<(&str, &str)> = names
        .iter()
        .map(|(id, r)| (id.as_str(), r["Properties"]["Name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("APIExamplecomRecord", "API.Example.com."),
            ("ExamplecomRecord", "example.com."),
            ("PlayexamplecomRecord", "play.example.com."),
        ]
    );
    let t = render("Z0123456789ABCDEFGHIJ", &["play.example.com"]);
    let r = &t["Resources"]["PlayexamplecomRecord"]["Properties"];
    assert_eq!(r["Name"], "play.example.com.");
    assert_eq!(r["HostedZoneId"], "Z0123456789ABCDEFGHIJ");
    assert!(r.get("HostedZoneName").is_none());
}
