//! `up --json` end to end against the stand-in: standard output is one JSON
//! document (the plan, the imports, the result, the error), the text goes to
//! standard error (docs/deploy.md, "`up --json`").

use serde_json::Value;

use super::support::moto::Moto;
use super::support::{code, show};
use super::support::{stderr, stdout};

fn document(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", show(o)))
}

#[test]
fn up_json_prints_the_plan_the_imports_and_the_result() {
    let moto = Moto::start();
    moto.aws(&[
        "logs",
        "create-log-group",
        "--log-group-name",
        "/docker-compose/jsonup",
    ]);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(
        dir.join("compose.yaml"),
        "name: jsonup\nservices:\n  app:\n    image: nginx\n    ports: [\"80:80\"]\nx-aws-cloudformation:\n  Resources:\n    LogGroup:\n      DeletionPolicy: Retain\n",
    )
    .expect("write");
    let up = moto.c2cfn(dir, &["up", "-y", "--json"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let v = document(&up);
    assert_eq!(v["plan"]["stack"], "jsonup", "{v}");
    assert_eq!(v["plan"]["action"], "create", "{v}");
    // The plan is the review's JSON (`diff --json`): groups of changes.
    let changes: Vec<Value> = v["plan"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["changes"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| c["logical_id"] == "AppService" && c["action"] == "add"),
        "{v}"
    );
    assert!(
        changes
            .iter()
            .filter(|c| c["logical_id"] == "LogGroup")
            .all(|c| c["action"] == "import"),
        "an import is not an add: {v}"
    );
    assert_eq!(v["imports"][0]["logical_id"], "LogGroup", "{v}");
    assert_eq!(v["imports"][0]["name"], "/docker-compose/jsonup", "{v}");
    assert_eq!(
        v["imports"][0]["changes"][0], "retention in days: none -> 30",
        "{v}"
    );
    assert_eq!(v["result"]["status"], "UPDATE_COMPLETE", "{v}");
    assert!(
        v["result"]["outputs"]
            .as_object()
            .is_some_and(|o| !o.is_empty()),
        "{v}"
    );
    assert_eq!(v["error"], Value::Null, "{v}");
    // The text is on standard error.
    assert!(stderr(&up).contains("(IMPORT change set)"), "{}", show(&up));

    let again = moto.c2cfn(dir, &["up", "-y", "--json"]);
    assert_eq!(code(&again), 0, "{}", show(&again));
    let v = document(&again);
    assert_eq!(v["plan"]["action"], "none", "{v}");
    assert_eq!(v["result"]["status"], "no_changes", "{v}");
}

#[test]
fn up_json_on_failure_carries_the_plan_and_the_error() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // An attribute Redis does not have: the stand-in fails the execute (and
    // then answers the watch with an error: exit 1 after the plan).
    std::fs::write(
        dir.join("compose.yaml"),
        "name: jsonfail\nservices:\n  app:\n    image: nginx\n\
         x-aws-elasticache:\n  redis:\n    services: [app]\n\
         x-aws-cloudformation:\n  Outputs:\n    Wrong:\n      Value: {\"Fn::GetAtt\": [Redis, PrimaryEndPoint.Adress]}\n",
    )
    .expect("write");
    let up = moto.c2cfn(dir, &["up", "-y", "--json"]);
    assert_ne!(code(&up), 0, "{}", show(&up));
    let v = document(&up);
    assert_eq!(v["plan"]["action"], "create", "{v}");
    assert_eq!(v["error"]["exit_code"], code(&up), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    assert!(v["error"]["hint"].is_string(), "{v}");
    // The same message is on standard error for people.
    let message = v["error"]["message"].as_str().unwrap_or_default();
    let first = message.lines().next().unwrap_or_default();
    assert!(stderr(&up).contains(first), "{}", show(&up));
}

#[test]
fn up_json_before_any_plan_is_the_error_alone() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("compose.yaml"),
        "name: jsonbad\nservices:\n  app:\n    image: nginx\n    ports: [\"eighty\"]\n",
    )
    .expect("write");
    let up = moto.c2cfn(tmp.path(), &["up", "-y", "--json"]);
    assert_eq!(code(&up), 1, "{}", show(&up));
    let v = document(&up);
    assert_eq!(v.as_object().map(serde_json::Map::len), Some(1), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("compose.yaml:5")),
        "{v}"
    );
}
