//! The local AWS stand-in (tests/moto_launcher.py) fails when AWS would:
//! the types c2cfn emits are created through moto's own backends and show
//! up in their describe calls, `GetAtt` answers from what was created, and a
//! type that does not exist fails the deploy instead of being skipped.

use serde_json::Value;

use super::support::moto::Moto;
use super::support::{code, show};
use super::support::{copy_dir, root, stderr, write};

/// Copies tests/fixtures/game-multi into a temporary project.
fn game_multi() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&root().join("tests/fixtures/game-multi"), tmp.path());
    tmp
}

fn physical_id(moto: &Moto, stack: &str, logical: &str) -> String {
    let v = moto.aws(&[
        "cloudformation",
        "describe-stack-resource",
        "--stack-name",
        stack,
        "--logical-resource-id",
        logical,
    ]);
    v["StackResourceDetail"]["PhysicalResourceId"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn environment(moto: &Moto, family: &str) -> Vec<(String, String)> {
    let td = moto.aws(&[
        "ecs",
        "describe-task-definition",
        "--task-definition",
        family,
    ]);
    td["taskDefinition"]["containerDefinitions"]
        .as_array()
        .expect("containers")
        .iter()
        .flat_map(|c| c["environment"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_owned(),
                e["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

#[test]
fn what_the_template_declares_exists_after_up_and_is_gone_after_down() {
    let moto = Moto::start();
    let tmp = game_multi();
    let dir = tmp.path();
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    assert_eq!(moto.stack_status("arena"), "CREATE_COMPLETE");

    // ElastiCache: the replication group as declared (2 nodes: Multi-AZ).
    let groups = moto.aws(&["elasticache", "describe-replication-groups"]);
    assert_eq!(len(&groups["ReplicationGroups"]), 1, "{groups}");
    let g = &groups["ReplicationGroups"][0];
    assert_eq!(g["ReplicationGroupId"], "arena-redis");
    assert_eq!(len(&g["MemberClusters"]), 2, "{g}");
    assert_eq!(g["MultiAZ"], "enabled");
    assert_eq!(g["AutomaticFailover"], "enabled");
    assert_eq!(g["AtRestEncryptionEnabled"], true);
    assert!(
        g["SnapshotRetentionLimit"].as_u64().unwrap_or_default() >= 1,
        "{g}"
    );
    let endpoint = g["NodeGroups"][0]["PrimaryEndpoint"]["Address"]
        .as_str()
        .expect("primary endpoint")
        .to_owned();
    let subnets = moto.aws(&["elasticache", "describe-cache-subnet-groups"]);
    assert_eq!(len(&subnets["CacheSubnetGroups"]), 1, "{subnets}");
    assert_eq!(
        len(&subnets["CacheSubnetGroups"][0]["Subnets"]),
        2,
        "{subnets}"
    );

    // GetAtt answers from the created group, in the environment and outputs.
    let env = environment(&moto, "arena-app");
    let get = |name: &str| env.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert_eq!(get("REDIS_HOST"), Some(endpoint.clone()));
    assert_eq!(get("REDIS_PORT").as_deref(), Some("6379"));
    let stacks = moto.aws(&["cloudformation", "describe-stacks", "--stack-name", "arena"]);
    let output = stacks["Stacks"][0]["Outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .find(|o| o["OutputKey"] == "RedisEndpoint")
        .expect("RedisEndpoint output")
        .clone();
    assert_eq!(output["OutputValue"], endpoint.as_str());

    // Only the listed services join the Redis client group.
    let client = physical_id(&moto, "arena", "RedisClientSecurityGroup");
    assert!(client.starts_with("sg-"), "{client}");
    let cluster = physical_id(&moto, "arena", "Cluster");
    for (service, redis) in [
        ("app", true),
        ("matchmaker", true),
        ("stats", false),
        ("admin", false),
        ("ledger", false),
    ] {
        let arn = physical_id(&moto, "arena", &format!("{}Service", capitalised(service)));
        let s = moto.aws(&[
            "ecs",
            "describe-services",
            "--cluster",
            &cluster,
            "--services",
            &arn,
        ]);
        let groups =
            s["services"][0]["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
                .to_string();
        assert_eq!(groups.contains(&client), redis, "{service}: {groups}");
    }

    // Application Auto Scaling: read and write for both tables, and the
    // `stats` service (registered only because its ECS service exists).
    let tables = moto.aws(&[
        "application-autoscaling",
        "describe-scalable-targets",
        "--service-namespace",
        "dynamodb",
    ]);
    assert_eq!(len(&tables["ScalableTargets"]), 4, "{tables}");
    for t in tables["ScalableTargets"].as_array().unwrap() {
        assert_eq!(t["MinCapacity"], 1);
        assert_eq!(t["MaxCapacity"], 100);
    }
    let policies = moto.aws(&[
        "application-autoscaling",
        "describe-scaling-policies",
        "--service-namespace",
        "dynamodb",
    ]);
    assert_eq!(len(&policies["ScalingPolicies"]), 4, "{policies}");
    let ecs = moto.aws(&[
        "application-autoscaling",
        "describe-scalable-targets",
        "--service-namespace",
        "ecs",
    ]);
    assert_eq!(len(&ecs["ScalableTargets"]), 1, "{ecs}");
    let stats = physical_id(&moto, "arena", "StatsService");
    let stats_name = stats.rsplit('/').next().unwrap_or_default();
    assert_eq!(
        ecs["ScalableTargets"][0]["ResourceId"],
        format!("service/{cluster}/{stats_name}")
    );
    assert_eq!(ecs["ScalableTargets"][0]["MaxCapacity"], 4);

    // Cloud Map: the namespace and one entry per service.
    let namespaces = moto.aws(&["servicediscovery", "list-namespaces"]);
    let names: Vec<&str> = namespaces["Namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["Name"].as_str())
        .collect();
    assert_eq!(names, ["arena.local"]);
    let services = moto.aws(&["servicediscovery", "list-services"]);
    let mut names: Vec<&str> = services["Services"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["admin", "app", "ledger", "matchmaker", "stats"]);

    // Secrets Manager: the file's content, passed as the NoEcho parameter.
    let arn = physical_id(&moto, "arena", "ArenaadmintokenSecret");
    assert!(arn.starts_with("arn:aws:secretsmanager:"), "{arn}");
    let value = moto.aws(&["secretsmanager", "get-secret-value", "--secret-id", &arn]);
    assert_eq!(value["SecretString"], "not-a-real-token");

    // down deletes them (the tables are kept, as documented).
    let down = moto.c2cfn(dir, &["down", "-y"]);
    assert_eq!(code(&down), 0, "{}", show(&down));
    let groups = moto.aws(&["elasticache", "describe-replication-groups"]);
    assert_eq!(len(&groups["ReplicationGroups"]), 0, "{groups}");
    let services = moto.aws(&["servicediscovery", "list-services"]);
    assert_eq!(len(&services["Services"]), 0, "{services}");
    let tables = moto.aws(&[
        "application-autoscaling",
        "describe-scalable-targets",
        "--service-namespace",
        "dynamodb",
    ]);
    assert_eq!(len(&tables["ScalableTargets"]), 0, "{tables}");
    let secrets = moto.aws(&["secretsmanager", "list-secrets"]);
    assert_eq!(len(&secrets["SecretList"]), 0, "{secrets}");
}

#[test]
fn a_misspelt_resource_type_fails_the_deploy_as_cloudformation_would() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        &tmp.path().join("compose.yaml"),
        "name: typo\nservices:\n  app:\n    image: nginx\n\
         x-aws-cloudformation:\n  Resources:\n    Alerts:\n      Type: AWS::SNS::Topik\n",
    );
    let up = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&up), 1, "{}", show(&up));
    assert!(
        stderr(&up).contains("Unrecognized resource types: [AWS::SNS::Topik]"),
        "{}",
        show(&up)
    );
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    let live: Vec<&Value> = stacks["StackSummaries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["StackStatus"] != "DELETE_COMPLETE")
        .collect();
    assert!(live.is_empty(), "nothing was created: {stacks}");

    // A real type the stand-in does not model is refused too, not faked.
    write(
        &tmp.path().join("compose.yaml"),
        "name: unmodelled\nservices:\n  app:\n    image: nginx\n\
         x-aws-cloudformation:\n  Resources:\n    Pipe:\n      Type: AWS::Pipes::Pipe\n      Properties: {RoleArn: arn:aws:iam::123456789012:role/p, Source: s, Target: t}\n",
    );
    let up = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&up), 1, "{}", show(&up));
    assert!(
        stderr(&up).contains("does not model resource types [AWS::Pipes::Pipe]"),
        "{}",
        show(&up)
    );
}

#[test]
fn an_attribute_aws_does_not_have_fails_the_deploy() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        &tmp.path().join("compose.yaml"),
        "name: badatt\nservices:\n  app:\n    image: nginx\n\
         x-aws-elasticache:\n  redis:\n    services: [app]\n\
         x-aws-cloudformation:\n  Outputs:\n    Wrong:\n      Value: {\"Fn::GetAtt\": [Redis, PrimaryEndPoint.Adress]}\n",
    );
    let up = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_ne!(code(&up), 0, "{}", show(&up));
}

#[test]
fn up_refuses_to_add_a_security_group_to_a_deployed_network_load_balancer() {
    let moto = Moto::start();
    let cert = moto.aws(&[
        "acm",
        "request-certificate",
        "--domain-name",
        "*.example.com",
    ]);
    let cert = cert["CertificateArn"]
        .as_str()
        .expect("certificate")
        .to_owned();
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = |keep: bool| {
        format!(
            "name: legacy\n{}services:\n  app:\n    image: nginx\n    ports: [\"4000:4000\"]\n    x-aws-tls:\n      - {{port: 4000, certificate: {cert}}}\n",
            if keep {
                "x-aws-loadbalancer_security_group: false\n"
            } else {
                ""
            }
        )
    };
    // As a stack made by Docker's integration (or an older c2cfn) has it.
    write(&tmp.path().join("compose.yaml"), &project(true));
    let up = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    assert!(stderr(&up).contains("can be bypassed"), "{}", show(&up));
    let before = moto.aws(&["elbv2", "describe-load-balancers"]);

    write(&tmp.path().join("compose.yaml"), &project(false));
    let refused = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&refused), 1, "{}", show(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("was created without a security group"),
        "{err}"
    );
    assert!(
        err.contains("x-aws-loadbalancer_security_group: false"),
        "{err}"
    );
    assert_eq!(
        moto.aws(&["elbv2", "describe-load-balancers"]),
        before,
        "nothing changed"
    );
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}
