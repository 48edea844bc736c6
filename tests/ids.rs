//! Docker's logical IDs for every input shape. Each test starts from a
//! compose file shaped as a Docker user wrote it and asserts the exact IDs
//! Docker's converter (compose-cli `ecs/`, on compose-go v1.0.8) gave it:
//! `normalizeResourceName` (drop every character outside `[A-Za-z0-9]`,
//! upper-case the first letter) + a fixed suffix. Getting one wrong replaces
//! the resource on a migrated stack and silently detaches the overlays that
//! patched it.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{c2cfn, project, stderr, stdout};

/// Renders `compose` (written to a scratch project with a `pw.txt` secret
/// file) and returns the template.
fn render(compose: &str) -> Value {
    let dir = project(&[("compose.yaml", compose), ("pw.txt", "secret")]);
    let out = c2cfn(dir.path(), &["render", "-f", "compose.yaml"]);
    assert!(out.status.success(), "render failed:\n{}", stderr(&out));
    serde_norway::from_str(&stdout(&out)).expect("the template is YAML")
}

fn ids(template: &Value) -> BTreeSet<String> {
    template["Resources"]
        .as_object()
        .expect("Resources")
        .keys()
        .cloned()
        .collect()
}

#[track_caller]
fn has(template: &Value, expected: &[&str]) {
    let ids = ids(template);
    for id in expected {
        assert!(ids.contains(*id), "expected logical ID {id}; got {ids:?}");
    }
}

#[track_caller]
fn lacks(template: &Value, unexpected: &[&str]) {
    let ids = ids(template);
    for id in unexpected {
        assert!(
            !ids.contains(*id),
            "unexpected logical ID {id}; got {ids:?}"
        );
    }
}

fn with_suffix(template: &Value, suffix: &str) -> Vec<String> {
    ids(template)
        .into_iter()
        .filter(|id| id.ends_with(suffix))
        .collect()
}

/// Short syntax: compose-go parsed it with Docker's port parser, which always
/// yields a protocol (`tcp` unless `/udp`), so the IDs carry `TCP`/`UDP`.
#[test]
fn short_syntax_ports_carry_the_protocol() {
    let t = render(
        "name: demo\nservices:\n  web:\n    image: nginx\n    ports:\n      - \"80:80\"\n      - \"8080\"\n",
    );
    has(
        &t,
        &[
            "WebTCP80Listener",
            "WebTCP80TargetGroup",
            // Only the container port: Docker set published = target.
            "WebTCP8080Listener",
            "WebTCP8080TargetGroup",
            "Default80Ingress",
            "Default8080Ingress",
        ],
    );
    let t = render(
        "name: demo\nservices:\n  dns:\n    image: coredns/coredns\n    ports:\n      - \"53:53/udp\"\n",
    );
    has(
        &t,
        &[
            "DnsUDP53Listener",
            "DnsUDP53TargetGroup",
            "Default53Ingress",
        ],
    );
    assert_eq!(
        t["Resources"]["DnsUDP53Listener"]["Properties"]["Protocol"],
        "UDP"
    );
}

/// A port range expands into one port each, as compose-go expanded it.
#[test]
fn short_syntax_ranges_expand() {
    let t = render(
        "name: demo\nservices:\n  game:\n    image: nginx\n    ports:\n      - \"7000-7001:7000-7001\"\n",
    );
    assert_eq!(
        with_suffix(&t, "Listener"),
        ["GameTCP7000Listener", "GameTCP7001Listener"]
    );
}

/// Long syntax: compose-go kept `protocol` as written, empty when absent,
/// and Docker formatted it upper-cased into the ID: no protocol at all.
#[test]
fn long_syntax_ports_without_protocol_have_none_in_their_ids() {
    let t = render(
        "name: demo\nservices:\n  web:\n    image: nginx\n    ports:\n      - target: 80\n        published: 80\n      - target: 8080\n        x-aws-protocol: http\n",
    );
    has(
        &t,
        &[
            "Web80Listener",
            "Web80TargetGroup",
            "Web8080Listener",
            "Web8080TargetGroup",
            "Default80Ingress",
            "Default8080Ingress",
        ],
    );
    lacks(&t, &["WebTCP80Listener", "WebTCP8080TargetGroup"]);
    // The rule is about names only: the ingress still opens TCP alone.
    assert_eq!(
        t["Resources"]["Default80Ingress"]["Properties"]["IpProtocol"],
        "TCP"
    );
}

#[test]
fn long_syntax_ports_with_protocol_keep_it() {
    let t = render(
        "name: demo\nservices:\n  web:\n    image: nginx\n    ports:\n      - target: 5000\n        protocol: tcp\n      - target: 5001\n        protocol: UDP\n",
    );
    has(
        &t,
        &[
            "WebTCP5000Listener",
            "WebTCP5000TargetGroup",
            "WebUDP5001Listener",
            "WebUDP5001TargetGroup",
        ],
    );
}

/// The target group is named after the published port, the listener after
/// the container port (Docker's format strings; Docker itself required the
/// two to be equal, c2cfn lets them differ and keeps the rule).
#[test]
fn target_group_takes_the_published_port_listener_the_target_port() {
    let t = render(
        "name: demo\nservices:\n  api:\n    image: nginx\n    ports:\n      - \"8081:80\"\n      - target: 9000\n        published: 9001\n",
    );
    has(
        &t,
        &[
            "ApiTCP8081TargetGroup",
            "ApiTCP80Listener",
            "Api9001TargetGroup",
            "Api9000Listener",
            "Default80Ingress",
            "Default9000Ingress",
        ],
    );
    lacks(&t, &["ApiTCP80TargetGroup", "ApiTCP8081Listener"]);
}

/// Every service-derived ID uses the normalized name; physical names and
/// the Cloud Map entry keep the compose name as written.
#[test]
fn service_names_with_dashes_and_underscores() {
    let t = render(
        "name: demo\nservices:\n  my-web_app:\n    image: nginx\n    ports: [\"80:80\"]\n    secrets: [db_password]\n    x-aws-role:\n      Statement: []\n    deploy:\n      x-aws-autoscaling: {max: 3, cpu: 50}\n    depends_on: [_worker]\n  _worker:\n    image: busybox\nsecrets:\n  db_password:\n    file: ./pw.txt\n",
    );
    has(
        &t,
        &[
            "MywebappService",
            "MywebappTaskDefinition",
            "MywebappTaskExecutionRole",
            "MywebappTaskRole",
            "MywebappServiceDiscoveryEntry",
            "MywebappTCP80Listener",
            "MywebappTCP80TargetGroup",
            "MywebappAutoScalingRole",
            "MywebappScalableTarget",
            "MywebappScalingPolicy",
            "WorkerService",
            "WorkerTaskDefinition",
        ],
    );
    let r = &t["Resources"];
    assert_eq!(
        r["MywebappServiceDiscoveryEntry"]["Properties"]["Name"],
        "my-web_app"
    );
    assert_eq!(
        r["MywebappTaskDefinition"]["Properties"]["Family"],
        "demo-my-web_app"
    );
    let names: Vec<&str> = r["MywebappTaskDefinition"]["Properties"]["ContainerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["Name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Mywebapp_Secrets_InitContainer",
            "Mywebapp_ResolvConf_InitContainer",
            "my-web_app"
        ]
    );
    assert_eq!(
        r["MywebappScalingPolicy"]["Properties"]["PolicyName"],
        "MywebappScalingPolicy"
    );
    let policy_names = |role: &str| -> Vec<String> {
        r[role]["Properties"]["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["PolicyName"].as_str().unwrap().to_owned())
            .collect()
    };
    // Docker named the secrets grant after the raw service name.
    assert_eq!(
        policy_names("MywebappTaskExecutionRole"),
        ["my-web_appGrantAccessToSecrets"]
    );
    assert!(policy_names("MywebappTaskRole").contains(&"MywebappPolicy".to_owned()));
    let depends: Vec<&str> = r["MywebappService"]["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(depends, ["MywebappTCP80Listener", "WorkerService"]);
}

/// Networks: `<Net>Network`, `<Net>NetworkIngress`, and `<Net><target>Ingress`
/// per published port and network of the service; an external network
/// (an existing security group) creates none of them.
#[test]
fn networks_security_groups_and_ingress() {
    let t = render(
        "name: demo\nservices:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n    networks: [front-tier, back_tier, shared]\nnetworks:\n  front-tier: {}\n  back_tier:\n    internal: true\n  shared:\n    external: true\n    name: sg-0123456789abcdef0\n",
    );
    has(
        &t,
        &[
            "FronttierNetwork",
            "FronttierNetworkIngress",
            "Fronttier80Ingress",
            "BacktierNetwork",
            "BacktierNetworkIngress",
            "Backtier80Ingress",
            "Shared80Ingress",
        ],
    );
    lacks(&t, &["SharedNetwork", "SharedNetworkIngress"]);
    assert_eq!(
        t["Resources"]["Shared80Ingress"]["Properties"]["GroupId"],
        "sg-0123456789abcdef0"
    );
    // A service with no `networks:` is on `default`.
    let t = render("name: demo\nservices:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n");
    has(
        &t,
        &[
            "DefaultNetwork",
            "DefaultNetworkIngress",
            "Default80Ingress",
        ],
    );
}

/// Volumes: `<Vol>Filesystem`, `<Vol>AccessPoint`, and one
/// `<Vol>NFSMountTargetOn<Subnet>` per subnet, the subnet normalized like
/// any name (`subnet-0a1b` → `Subnet0a1b`; `Subnet1`/`Subnet2` when the
/// subnets are parameters); the service depends on the mount targets and
/// its task role gets `<Svc><Vol>VolumeMountPolicy`.
#[test]
fn volumes_file_systems_access_points_mount_targets() {
    let compose = "name: demo\nservices:\n  db:\n    image: postgres\n    volumes:\n      - db-data:/var/lib/postgresql/data\nvolumes:\n  db-data: {}\n";
    let t = render(compose);
    has(
        &t,
        &[
            "DbdataFilesystem",
            "DbdataAccessPoint",
            "DbdataNFSMountTargetOnSubnet1",
            "DbdataNFSMountTargetOnSubnet2",
        ],
    );
    let r = &t["Resources"];
    let depends: Vec<&str> = r["DbService"]["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        depends,
        [
            "DbdataNFSMountTargetOnSubnet1",
            "DbdataNFSMountTargetOnSubnet2"
        ]
    );
    let policies = r["DbTaskRole"]["Properties"]["Policies"]
        .as_array()
        .unwrap();
    assert!(
        policies
            .iter()
            .any(|p| p["PolicyName"] == "DbDbdataVolumeMountPolicy")
    );
    assert_eq!(
        r["DbTaskDefinition"]["Properties"]["Volumes"][0]["Name"],
        "db-data"
    );
    let pinned =
        format!("{compose}x-aws-vpc: vpc-123\nx-aws-subnets: [subnet-0a1b, subnet-2c3d]\n");
    let t = render(&pinned);
    has(
        &t,
        &[
            "DbdataNFSMountTargetOnSubnet0a1b",
            "DbdataNFSMountTargetOnSubnet2c3d",
        ],
    );
}

/// Secrets: `<FullName>Secret`, the full name being `name:` when given and
/// `<project>_<key>` otherwise (compose-go's rule); external secrets create
/// nothing.
#[test]
fn secrets_are_named_after_their_full_name() {
    let t = render(
        "name: demo\nservices:\n  web:\n    image: nginx\n    secrets: [db_password, renamed, api-key]\nsecrets:\n  db_password:\n    file: ./pw.txt\n  renamed:\n    name: prod-db-pw\n    file: ./pw.txt\n  api-key:\n    external: true\n    name: arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-key\n",
    );
    has(&t, &["DemodbpasswordSecret", "ProddbpwSecret"]);
    lacks(
        &t,
        &[
            "DbpasswordSecret",
            "RenamedSecret",
            "ApikeySecret",
            "DemoapikeySecret",
        ],
    );
}

/// Project-wide resources have fixed IDs; their names follow the project.
#[test]
fn project_wide_resources() {
    let t = render("name: my_game\nservices:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n");
    has(&t, &["Cluster", "CloudMap", "LogGroup", "LoadBalancer"]);
    let r = &t["Resources"];
    assert_eq!(
        r["LogGroup"]["Properties"]["LogGroupName"],
        "/docker-compose/my_game"
    );
    assert_eq!(r["CloudMap"]["Properties"]["Name"], "my_game.local");
    assert_eq!(r["Cluster"]["Properties"]["ClusterName"], "my_game");
}

/// Docker named the ingress rule after network and container port only:
/// two services publishing one container port share it (Docker wrote the
/// same rule twice), and a port published over both TCP and UDP keeps both
/// rules — the second protocol as `<Net><port><PROTO>Ingress`, where
/// Docker's second rule silently replaced the first.
#[test]
fn ingress_rules_shared_by_port_and_split_by_protocol() {
    let t = render(
        "name: demo\nservices:\n  dns:\n    image: coredns/coredns\n    ports: [\"53:53/udp\", \"53:53\"]\n  other:\n    image: nginx\n    ports: [\"8053:53\"]\n",
    );
    assert_eq!(
        with_suffix(&t, "Ingress"),
        [
            "Default53Ingress",
            "Default53TCPIngress",
            "DefaultNetworkIngress"
        ]
    );
    let r = &t["Resources"];
    assert_eq!(r["Default53Ingress"]["Properties"]["IpProtocol"], "UDP");
    assert_eq!(r["Default53TCPIngress"]["Properties"]["IpProtocol"], "TCP");
    has(
        &t,
        &[
            "DnsUDP53Listener",
            "DnsTCP53Listener",
            "OtherTCP8053TargetGroup",
            "OtherTCP53Listener",
        ],
    );
}
