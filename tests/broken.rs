//! What would deploy broken is refused at render time, and what is fine is
//! still rendered: image references, overlay entries.

use serde_json::Value;

use crate::support::{c2cfn, project, stderr, stdout};

/// Renders `compose` in a scratch directory: the exit code, the template
/// (when rendered) and standard error.
fn render(compose: &str) -> (Option<i32>, Option<Value>, String) {
    let dir = project(&[("compose.yaml", compose)]);
    let out = c2cfn(dir.path(), &["render", "-f", "compose.yaml", "-p", "demo"]);
    let template = out
        .status
        .success()
        .then(|| serde_norway::from_str(&stdout(&out)).expect("the template is YAML"));
    (out.status.code(), template, stderr(&out))
}

#[test]
fn image_references_with_an_empty_part_are_refused() {
    for (image, problem) in [
        ("", "is empty"),
        ("app:", "has an empty tag"),
        ("registry.example.com:5000/game/app:", "has an empty tag"),
        ("app@", "has an empty digest"),
        ("/app:1", "has an empty name component"),
        ("game//app:1", "has an empty name component"),
    ] {
        let (code, _, err) = render(&format!("services:\n  app:\n    image: \"{image}\"\n"));
        assert_eq!(code, Some(1), "{image}: {err}");
        assert!(
            err.contains(problem),
            "{image}: expected `{problem}` in:\n{err}"
        );
        assert!(
            err.contains("compose.yaml:3:12"),
            "{image}: located at the value:\n{err}"
        );
    }
    for image in [
        "nginx",
        "nginx:1.27",
        "registry.example.com:5000/game/app",
        "registry.example.com:5000/game/app:v2",
        "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let (code, t, err) = render(&format!("services:\n  app:\n    image: \"{image}\"\n"));
        assert_eq!(code, Some(0), "{image}: {err}");
        let containers =
            &t.unwrap()["Resources"]["AppTaskDefinition"]["Properties"]["ContainerDefinitions"];
        assert!(
            containers
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["Image"] == image),
            "{image} is rendered as written"
        );
    }
}

#[test]
fn overlay_entries_that_name_generated_resources_still_apply() {
    let (code, t, err) = render(
        "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\nx-aws-cloudformation:\n  Resources:\n    LogGroup: null\n    WebTCP80TargetGroup:\n      Properties:\n        HealthCheckIntervalSeconds: 10\n    Topic:\n      Type: AWS::SNS::Topic\n  Outputs:\n    LoadBalancerDNS: null\n",
    );
    assert_eq!(code, Some(0), "{err}");
    let t = t.unwrap();
    let r = &t["Resources"];
    assert!(r.get("LogGroup").is_none());
    assert_eq!(
        r["WebTCP80TargetGroup"]["Properties"]["HealthCheckIntervalSeconds"],
        10
    );
    assert_eq!(r["Topic"]["Type"], "AWS::SNS::Topic");
    assert!(
        t.get("Outputs")
            .and_then(|o| o.get("LoadBalancerDNS"))
            .is_none()
    );
}

#[test]
fn every_colliding_pair_is_reported_in_one_run() {
    let (code, _, err) = render(
        "services:\n  game-server:\n    image: nginx\n  gameserver:\n    image: nginx\nvolumes:\n  db-data: {}\n  db_data: {}\nx-aws-dynamodb:\n  tables: [player-stats/id, playerstats/id]\n",
    );
    assert_eq!(code, Some(1));
    for pair in [
        "services `game-server` and `gameserver`",
        "tables `player-stats` and `playerstats`",
        "volumes `db-data` and `db_data`",
    ] {
        assert!(err.contains(pair), "expected {pair} in:\n{err}");
    }
}
