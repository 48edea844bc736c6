//! The editor surface: `c2cfn schema`, checked by a JSON Schema validator
//! we did not write (Python `jsonschema`, Draft 2020-12, from
//! tests/requirements.txt), against every compose file in `compose/` as an
//! editor sees it: before interpolation.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{c2cfn, root, stdout, tool};

const VALIDATE: &str = "import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
def leaves(e):
    return [x for c in e.context for x in leaves(c)] if e.context else [e]
bad = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(yaml.safe_load(open(path))):
        bad += 1
        for leaf in leaves(e):
            print(path + ': /' + '/'.join(map(str, leaf.absolute_path)) + ': ' + leaf.message)
sys.exit(1 if bad else 0)
";

/// Validates `files`; the exit status and what the validator said.
fn validate(files: &[PathBuf]) -> (bool, String) {
    let python = tool("C2CFN_PYTHON", "the Python of .venv/, with jsonschema");
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("c2cfn.schema.json");
    let out = c2cfn(&root(), &["schema"]);
    assert!(out.status.success());
    std::fs::write(&schema, stdout(&out)).unwrap();
    let out = Command::new(python)
        .args(["-c", VALIDATE])
        .arg(&schema)
        .args(files)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

fn compose_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            compose_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            found.push(path);
        }
    }
}

#[test]
fn every_shipped_compose_file_is_valid_against_the_schema() {
    let mut files = Vec::new();
    compose_files(&root().join("compose"), &mut files);
    files.sort();
    assert!(files.len() >= 9, "{files:?}");
    assert!(
        files.iter().any(|f| std::fs::read_to_string(f)
            .unwrap()
            .contains("nodes: ${redis_nodes")),
        "the game backend interpolates a number"
    );
    let (ok, said) = validate(&files);
    assert!(ok, "{said}");
}

#[test]
fn interpolation_is_accepted_where_numbers_and_booleans_go_and_nothing_else_is() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.yaml");
    std::fs::write(
        &good,
        "services:\n  app:\n    image: nginx\n    x-aws-exec: ${exec}\n    x-aws-min_percent: $min\n\
         x-aws-elasticache:\n  redis:\n    nodes: ${redis_nodes:-1}\n    snapshot_retention: 3\n\
         x-aws-dynamodb:\n  tables:\n    - name: t\n      hash: id\n      pitr: ${pitr}\n      read: 5\n",
    )
    .unwrap();
    let (ok, said) = validate(std::slice::from_ref(&good));
    assert!(ok, "{said}");
    for (name, text, path) in [
        (
            "word",
            "x-aws-elasticache:\n  redis:\n    nodes: many\n",
            "/x-aws-elasticache/redis/nodes",
        ),
        (
            "list",
            "x-aws-elasticache:\n  redis:\n    nodes: [1]\n",
            "/x-aws-elasticache/redis/nodes",
        ),
        (
            "bool",
            "services:\n  app:\n    x-aws-exec: sometimes\n",
            "/services/app/x-aws-exec",
        ),
        (
            "unknown",
            "x-aws-elasticache:\n  redis:\n    node: 1\n",
            "/x-aws-elasticache/redis",
        ),
    ] {
        let bad = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&bad, text).unwrap();
        let (ok, said) = validate(&[bad]);
        assert!(!ok, "{name} must be rejected");
        assert!(said.contains(path), "{name}: {said}");
    }
}
