//! The local environment: the generated compose file (snapshot, and valid
//! against the official Compose schema) and the host variables.

use c2cfn::local::{LocalSettings, plan};

use crate::support::{root, settings};
#[cfg(feature = "external-tools")]
use crate::support::{shared, tool};

fn local_plan() -> c2cfn::local::LocalPlan {
    let dir = root().join("compose/game-backend");
    let request = c2cfn::Request {
        files: vec![dir.join("app-compose.yml")],
        env_files: vec![dir.join("local.env")],
        cwd: dir,
        local: true,
        ..c2cfn::Request::default()
    };
    let rendered = c2cfn::render(&request).expect("the example renders");
    assert_eq!(rendered.contract.stack, "ccg-local");
    plan(
        &rendered.stack,
        &LocalSettings {
            dynamodb_port: 8000,
            redis_port: 6379,
            state_dir: "/project/.c2cfn/ccg-local".into(),
            region: "us-east-1".into(),
        },
    )
}

#[test]
fn the_generated_compose_file_is_snapshotted() {
    let p = local_plan();
    let yaml = c2cfn::cfn::render(&p.compose, c2cfn::cfn::Format::Yaml);
    settings().bind(|| insta::assert_snapshot!("local_compose_game_backend", yaml));
    assert_eq!(
        p.compose_project,
        "ccg-local-local".replace("-local-local", "-local")
    );
    assert_eq!(p.ports, [8000, 6379]);
    let names: Vec<&str> = p.tables.iter().map(|t| t.physical_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ccg-local-collection",
            "ccg-local-decks",
            "ccg-local-players",
            "ccg-local-packs"
        ]
    );
}

#[cfg(feature = "external-tools")]
#[test]
fn the_generated_compose_file_is_valid_compose() {
    let python = tool("C2CFN_PYTHON", "the Python of .venv/, with jsonschema");
    let p = local_plan();
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("doc.json");
    std::fs::write(&doc, serde_json::to_string(&p.compose).unwrap()).unwrap();
    let schema = shared().join("compose-spec/compose-spec.json");
    // jsonschema comes with cfn-lint in the test virtualenv.
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             jsonschema.validate(json.load(open(sys.argv[2])), schema)",
        ])
        .arg(&schema)
        .arg(&doc)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn host_variables_match_the_cloud_names() {
    let p = local_plan();
    let env = &p.host_environment;
    assert_eq!(env["DYNAMODB_PREFIX"], "ccg-local-");
    assert_eq!(env["DYNAMODB_TABLE_COLLECTION"], "ccg-local-collection");
    assert_eq!(env["AWS_ENDPOINT_URL_DYNAMODB"], "http://127.0.0.1:8000");
    assert_eq!(env["REDIS_HOST"], "127.0.0.1");
    assert_eq!(env["REDIS_PORT"], "6379");
}
