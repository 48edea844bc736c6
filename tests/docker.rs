//! Docker's own input renders with the logical IDs and types Docker's ECS
//! integration produced, so stacks it created update in place.

#[cfg(feature = "external-tools")]
use std::collections::BTreeMap;

use crate::support::render_value;
#[cfg(feature = "external-tools")]
use crate::support::shared;

#[cfg(feature = "external-tools")]
fn ids_and_types(template: &serde_json::Value) -> BTreeMap<String, String> {
    template["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .map(|(k, v)| (k.clone(), v["Type"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

#[cfg(feature = "external-tools")]
#[test]
fn simple_single_service_keeps_dockers_logical_ids_and_types() {
    let golden_text = std::fs::read_to_string(
        shared().join("docker-ecs/simple-cloudformation-conversion.golden"),
    )
    .expect("../shared/reference/docker-ecs is readable");
    let golden: serde_json::Value = serde_norway::from_str(&golden_text).expect("golden is YAML");
    let ours = render_value(&["compose/docker-simple/compose.yaml"]);
    let docker = ids_and_types(&golden);
    let mine = ids_and_types(&ours);
    for (id, kind) in &docker {
        assert_eq!(
            mine.get(id),
            Some(kind),
            "Docker's resource {id} ({kind}) must be rendered with the same ID and type"
        );
    }
    // What c2cfn adds on top is only the task role for ECS Exec.
    let extra: Vec<&String> = mine.keys().filter(|k| !docker.contains_key(*k)).collect();
    assert_eq!(extra, ["SimpleTaskRole"]);
}

#[cfg(feature = "external-tools")]
#[test]
fn dockers_properties_that_force_replacement_are_unchanged() {
    let golden_text = std::fs::read_to_string(
        shared().join("docker-ecs/simple-cloudformation-conversion.golden"),
    )
    .unwrap();
    let golden: serde_json::Value = serde_norway::from_str(&golden_text).unwrap();
    let ours = render_value(&[
        "compose/docker-simple/compose.yaml",
        "-p",
        "TestSimpleConvert".to_lowercase().as_str(),
    ]);
    let r = |t: &serde_json::Value, id: &str, p: &str| t["Resources"][id]["Properties"][p].clone();
    // Changing these replaces the resource in CloudFormation.
    assert_eq!(
        r(&ours, "SimpleTCP80TargetGroup", "Port"),
        r(&golden, "SimpleTCP80TargetGroup", "Port")
    );
    assert_eq!(
        r(&ours, "SimpleTCP80TargetGroup", "Protocol"),
        r(&golden, "SimpleTCP80TargetGroup", "Protocol")
    );
    assert_eq!(
        r(&ours, "SimpleTCP80TargetGroup", "TargetType"),
        r(&golden, "SimpleTCP80TargetGroup", "TargetType")
    );
    assert_eq!(
        r(&ours, "LoadBalancer", "Scheme"),
        r(&golden, "LoadBalancer", "Scheme")
    );
    assert_eq!(
        r(&ours, "LoadBalancer", "Type"),
        r(&golden, "LoadBalancer", "Type")
    );
    assert_eq!(
        r(&ours, "SimpleServiceDiscoveryEntry", "Name"),
        r(&golden, "SimpleServiceDiscoveryEntry", "Name")
    );
    assert_eq!(
        r(&ours, "Default80Ingress", "IpProtocol"),
        r(&golden, "Default80Ingress", "IpProtocol")
    );
    assert_eq!(
        r(&ours, "SimpleService", "LaunchType"),
        r(&golden, "SimpleService", "LaunchType")
    );
    assert_eq!(
        ours["Resources"]["SimpleService"]["DependsOn"],
        golden["Resources"]["SimpleService"]["DependsOn"]
    );
}

#[cfg(feature = "external-tools")]
#[test]
fn invalid_network_mode_is_rejected_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        shared().join("docker-ecs/invalid_network_mode.yaml"),
        dir.path().join("compose.yaml"),
    )
    .unwrap();
    let out = crate::support::c2cfn(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(1));
    let err = crate::support::stderr(&out);
    assert!(err.contains("network_mode: bridge"), "{err}");
    assert!(err.contains("compose.yaml:4:"), "{err}");
}

#[test]
fn multi_port_input_uses_a_network_load_balancer() {
    let t = render_value(&["compose/docker-multi-port-secrets/compose.yaml"]);
    assert_eq!(
        t["Resources"]["LoadBalancer"]["Properties"]["Type"],
        "network"
    );
    for id in [
        "WordsTCP8080Listener",
        "WebTCP80Listener",
        "WebsecretsTCP90Listener",
        "Sentencesmysecret1Secret",
    ] {
        assert!(t["Resources"].get(id).is_some(), "{id} missing");
    }
    // The secret's content is a NoEcho parameter, never the file's text.
    let text = serde_json::to_string(&t).unwrap();
    assert!(!text.contains("not-a-real-secret"));
    assert_eq!(t["Parameters"]["Mysecret1SecretValue"]["NoEcho"], true);
}

#[test]
fn explicit_names_are_used_as_docker_used_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token.txt"), "t").unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "name: shop\nservices:\n  web:\n    image: nginx\n    secrets: [token]\n    volumes: [data:/data]\n    networks: [front]\n\
         secrets:\n  token:\n    file: ./token.txt\n    name: shared-token\n\
         volumes:\n  data:\n    name: shop-uploads\n\
         networks:\n  front:\n    name: shop-front\n",
    )
    .unwrap();
    let out = crate::support::c2cfn(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let t: serde_json::Value = serde_norway::from_str(&crate::support::stdout(&out)).unwrap();
    // Docker derived the secret's logical ID from its full name.
    assert_eq!(
        t["Resources"]["SharedtokenSecret"]["Type"],
        "AWS::SecretsManager::Secret"
    );
    let tags =
        serde_json::to_string(&t["Resources"]["DataFilesystem"]["Properties"]["FileSystemTags"])
            .unwrap();
    assert!(tags.contains("shop-uploads"), "{tags}");
    let tags =
        serde_json::to_string(&t["Resources"]["FrontNetwork"]["Properties"]["Tags"]).unwrap();
    assert!(tags.contains("shop-front"), "{tags}");
}
