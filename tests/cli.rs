//! The binary as users run it: help, exit codes, output files, `--check`,
//! `config`, `schema` and environment-file errors.

use crate::support::{c2cfn, root, settings, stderr, stdout};

#[test]
fn help_and_usage_errors() {
    let out = c2cfn(&root(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("Exit codes: 0 ok (diff: nothing would change), 1 invalid input")
    );
    let out = c2cfn(&root(), &["render", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = c2cfn(&root(), &["render", "--check"]);
    assert_eq!(out.status.code(), Some(2), "--check needs -o");
}

#[test]
fn output_file_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.yaml");
    let p = path.to_str().unwrap();
    let out = c2cfn(
        &root(),
        &["render", "compose/docker-simple/compose.yaml", "-o", p],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = c2cfn(
        &root(),
        &[
            "render",
            "compose/docker-simple/compose.yaml",
            "-o",
            p,
            "--check",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("DesiredCount: 1", "DesiredCount: 3");
    std::fs::write(&path, text).unwrap();
    let out = c2cfn(
        &root(),
        &[
            "render",
            "compose/docker-simple/compose.yaml",
            "-o",
            p,
            "--check",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("-      DesiredCount: 3") && err.contains("+      DesiredCount: 1"),
        "{err}"
    );
}

#[test]
fn output_folders_are_created() {
    // The README's own example, in a checkout without templates/.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("templates/develop/t.yaml");
    let out = c2cfn(
        &root(),
        &[
            "render",
            "compose/docker-simple/compose.yaml",
            "-o",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("AWSTemplateFormatVersion")
    );
    // A folder that cannot be made is an output failure (4), said plainly.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let out = c2cfn(
        &root(),
        &[
            "render",
            "compose/docker-simple/compose.yaml",
            "-o",
            blocker.join("t.yaml").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: cannot write"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_output_is_the_same_template() {
    let yaml = stdout(&c2cfn(
        &root(),
        &["render", "compose/web-db-cache/compose.yaml"],
    ));
    let json = stdout(&c2cfn(
        &root(),
        &[
            "render",
            "compose/web-db-cache/compose.yaml",
            "--format",
            "json",
        ],
    ));
    let a: serde_json::Value = serde_norway::from_str(&yaml).unwrap();
    let b: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(a, b);
}

#[test]
fn schema_is_snapshotted() {
    let out = c2cfn(&root(), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for key in [
        "x-aws-cluster",
        "x-aws-vpc",
        "x-aws-loadbalancer",
        "x-aws-logs_retention",
        "x-aws-cloudformation",
        "x-aws-dynamodb",
        "x-aws-elasticache",
        "x-aws-route53",
    ] {
        assert!(
            value["properties"].get(key).is_some(),
            "{key} missing from the schema"
        );
    }
    settings().bind(|| insta::assert_snapshot!("schema", stdout(&out)));
}

#[test]
fn config_shows_the_resolved_project() {
    let out = c2cfn(&root().join("compose/multi-file"), &["config"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    // .env, the override file and extends are all applied.
    assert!(text.contains("LOG_LEVEL: debug"), "{text}");
    assert!(
        text.contains("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2024.11.1"),
        "{text}"
    );
    assert!(
        !text.contains("worker"),
        "profiled service must be left out: {text}"
    );
    settings().bind(|| insta::assert_snapshot!("config_multi_file", text));
    let game = c2cfn(
        &root(),
        &["config", "--env-file", "compose/game-backend/develop.env"],
    );
    settings().bind(|| insta::assert_snapshot!("config_game_backend_develop", stdout(&game)));
}

#[test]
fn profiles_enable_services() {
    let out = c2cfn(
        &root().join("compose/multi-file"),
        &["render", "--profile", "workers"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("WorkerService:"));
}

#[test]
fn env_file_values_are_validated_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.yml"),
        "services:\n  app:\n    image: nginx\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.env"),
        "# develop\napp_cluster=ccg-develop\napp_compose=app.yml\nredis_nodes=two\nredis_node=1\n",
    )
    .unwrap();
    let out = c2cfn(dir.path(), &["render", "--env-file", "bad.env"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad.env:4:13"), "{err}");
    assert!(
        err.contains("`redis_nodes=two` is not a node count"),
        "{err}"
    );
    assert!(
        err.contains("`redis_node` looks like a misspelling of `redis_nodes`"),
        "{err}"
    );
}

#[test]
fn app_compose_and_app_cluster_select_the_environment() {
    let t = crate::support::render_value(&["--env-file", "compose/game-backend/main.env"]);
    assert_eq!(
        t["Resources"]["Cluster"]["Properties"]["ClusterName"],
        "ccg-main"
    );
    assert_eq!(
        t["Resources"]["LogGroup"]["Properties"]["LogGroupName"],
        "/docker-compose/ccg-main"
    );
    let image =
        t["Resources"]["AppTaskDefinition"]["Properties"]["ContainerDefinitions"][1]["Image"]
            .as_str()
            .unwrap()
            .to_owned();
    assert!(image.ends_with(":2026.11.20"), "{image}");
}

#[test]
fn built_images_are_announced() {
    let out = c2cfn(&root(), &["render", "compose/efs-autoscaling/compose.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("note: service `app` has no image: `c2cfn up` builds it and pushes it to ECR repository `uploads/app`"));
    assert!(stdout(&out).contains("AppImage:"));
}

#[test]
fn config_shows_what_render_rejects() {
    // `config` is for debugging the resolved project, as `docker compose
    // config` is: ECS checks belong to `render`.
    let out = c2cfn(
        &root(),
        &[
            "config",
            "-p",
            "x",
            "-f",
            "tests/invalid/err_bind_mount.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("type: bind"));
    let out = c2cfn(
        &root(),
        &[
            "render",
            "-p",
            "x",
            "-f",
            "tests/invalid/err_bind_mount.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_empty_env_value_is_pointed_at_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  app:\n    image: nginx\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("e.env"),
        "app_cluster=x\ncertificate_arn=\nredis_nodes=1\n",
    )
    .unwrap();
    let out = c2cfn(dir.path(), &["render", "--env-file", "e.env"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("e.env:2:17"), "{err}");
    assert!(
        !err.contains("redis_nodes=1"),
        "the label must not run into the next line:\n{err}"
    );
}

#[cfg(feature = "aws")]
#[test]
fn up_json_refuses_a_local_environment_before_running_it() {
    let out = c2cfn(
        &root(),
        &[
            "up",
            "--json",
            "--env-file",
            "compose/game-backend/local.env",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("this environment file is a local environment (`ecs=false`)"),
        "{}",
        stderr(&out)
    );
    // Standard output is the JSON error alone; docker compose never ran.
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(v["error"]["exit_code"], 1, "{v}");
    assert!(
        !stderr(&out).contains("docker compose version"),
        "{}",
        stderr(&out)
    );
}

#[cfg(feature = "aws")]
#[test]
fn aws_commands_refuse_a_local_environment() {
    for command in ["ps", "diff", "push", "logs", "exec"] {
        let out = c2cfn(
            &root(),
            &[command, "--env-file", "compose/game-backend/local.env"],
        );
        // The command line is well formed; the env file does not fit the
        // command: refused input (1), not a usage error (2).
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("local environment (`ecs=false`)"),
            "{command}"
        );
    }
}
