//! `up`, `diff`, `down` and `ps` end to end: the real binary against the
//! local AWS stand-in (moto through tests/moto_launcher.py, one server per
//! test on a free 127.0.0.1 port, `support::moto`). Built with the
//! `external-tools` feature: scripts/test exports the tools; without them
//! these tests fail with a message saying so.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::support::moto::Moto;
use super::support::{code, root, shared, show, stderr, stdout};

#[test]
fn create_then_no_changes_then_diff_then_ps() {
    let moto = Moto::start();
    let dir = root().join("compose/docker-simple");
    let up = moto.c2cfn(&dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let out = stdout(&up);
    assert!(
        out.starts_with("c2cfn up: account 123456789012, region us-east-1, stack testsimpleconvert, env file none"),
        "{out}"
    );
    // The review's presentation (as `diff --against`): the summary first,
    // then widened access, then the groups, shared resources last.
    assert!(
        out.contains("Create stack testsimpleconvert: 14 changes\n1 service changed, 1 extension changed, shared resources changed — 5 changes widen access\nresources: 14 added\n"),
        "the summary first: {out}"
    );
    assert!(
        out.contains("\nother resources (shared by the project)\n  +  add CloudMap                     ServiceDiscovery::PrivateDnsNamespace\n  +  add Cluster "),
        "grouped, the ID column as wide as the longest ID: {out}"
    );
    assert!(out.contains("CREATE_COMPLETE"), "{out}");
    assert_eq!(moto.stack_status("testsimpleconvert"), "CREATE_COMPLETE");

    let again = moto.c2cfn(&dir, &["up", "-y"]);
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert!(stdout(&again).contains("No changes"), "{}", show(&again));
    let change_sets = moto.aws(&[
        "cloudformation",
        "list-change-sets",
        "--stack-name",
        "testsimpleconvert",
    ]);
    let live: Vec<&Value> = change_sets["Summaries"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s["Status"] != "DELETE_COMPLETE")
                .collect()
        })
        .unwrap_or_default();
    assert!(
        live.iter()
            .all(|s| s["ExecutionStatus"] == "EXECUTE_COMPLETE"),
        "the empty change set is deleted: {live:?}"
    );

    let diff = moto.c2cfn(&dir, &["diff"]);
    assert_eq!(code(&diff), 0, "{}", show(&diff));

    let ps = moto.c2cfn(&dir, &["ps", "--json"]);
    assert_eq!(code(&ps), 0, "{}", show(&ps));
    let v: Value = serde_json::from_str(&stdout(&ps)).expect("ps --json");
    assert_eq!(v["status"], "CREATE_COMPLETE");
    assert!(v["outputs"][0]["key"] == "LoadBalancerDNS", "{v}");
}

#[test]
fn without_a_terminal_and_without_yes_nothing_is_created() {
    let moto = Moto::start();
    let out = moto.c2cfn(&root().join("compose/docker-simple"), &["up"]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(stderr(&out).contains("pass -y/--yes"), "{}", show(&out));
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    assert_eq!(
        stacks["StackSummaries"].as_array().map_or(0, Vec::len),
        0,
        "{stacks}"
    );
}

const PROJECT: &str = "name: tabletest
services:
  app:
    image: nginx
    environment:
      FOO: \"VALUE\"
x-aws-dynamodb:
  tables:
    - KEYS
";

fn write_project(dir: &Path, value: &str, keys: &str) {
    let text = PROJECT.replace("VALUE", value).replace("KEYS", keys);
    std::fs::write(dir.join("compose.yaml"), text).expect("write compose.yaml");
}

/// A temporary project with the table `players/player-id` (`VALUE=1`),
/// deployed with `up -y` to `moto`.
fn deployed_table_project(moto: &Moto) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_project(tmp.path(), "1", "players/player-id");
    let up = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    tmp
}

#[test]
fn update_table_guard_and_down_keeping_the_table() {
    let moto = Moto::start();
    let tmp = deployed_table_project(&moto);
    let dir = tmp.path();

    // An environment change: a modify, applied.
    write_project(dir, "2", "players/player-id");
    let diff = moto.c2cfn(dir, &["diff"]);
    assert_eq!(code(&diff), 3, "{}", show(&diff));
    assert!(
        stdout(&diff).contains("  ~  modify AppTaskDefinition "),
        "{}",
        show(&diff)
    );
    assert!(
        stdout(&diff).contains("+          - Name: FOO\n+            Value: '2'")
            || stdout(&diff).contains("Value: '2'"),
        "{}",
        show(&diff)
    );
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    assert!(stdout(&up).contains("UPDATE_COMPLETE"), "{}", show(&up));
    let template = moto.aws(&[
        "cloudformation",
        "get-template",
        "--stack-name",
        "tabletest",
    ]);
    let before = template["TemplateBody"].to_string();

    // A new sort key replaces the table: refused, stack untouched.
    write_project(dir, "2", "players/player-id/match-id");
    let refused = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&refused), 1, "{}", show(&refused));
    assert!(
        stdout(&refused)
            .lines()
            .any(|l| l.starts_with("  !! REPLACE PlayersTable ")
                && l.contains(" DynamoDB::Table  (changes create-only KeySchema")),
        "{}",
        show(&refused)
    );
    assert!(
        stderr(&refused).contains("would lose data"),
        "{}",
        show(&refused)
    );
    assert!(
        stderr(&refused).contains("--allow-data-loss"),
        "{}",
        show(&refused)
    );
    // --allow-data-loss cannot help: CloudFormation cannot replace a named table.
    assert!(
        stderr(&refused).contains("copy-table"),
        "{}",
        show(&refused)
    );
    assert_eq!(moto.stack_status("tabletest"), "UPDATE_COMPLETE");
    let after = moto.aws(&[
        "cloudformation",
        "get-template",
        "--stack-name",
        "tabletest",
    ]);
    assert_eq!(
        after["TemplateBody"].to_string(),
        before,
        "the deployed template is unchanged"
    );
    let diff = moto.c2cfn(dir, &["diff"]);
    assert_eq!(code(&diff), 1, "diff reports the refusal: {}", show(&diff));

    // down keeps the table and says how to delete it.
    let down = moto.c2cfn(dir, &["down", "-y"]);
    assert_eq!(code(&down), 0, "{}", show(&down));
    let out = stdout(&down);
    assert!(out.contains("Stack tabletest deleted."), "{out}");
    assert!(
        out.contains("aws dynamodb delete-table --region us-east-1 --table-name tabletest-players"),
        "{out}"
    );
    let table = moto.aws(&[
        "dynamodb",
        "describe-table",
        "--table-name",
        "tabletest-players",
    ]);
    assert_eq!(table["Table"]["TableName"], "tabletest-players");
    let ps = moto.c2cfn(dir, &["ps"]);
    assert_eq!(code(&ps), 1, "{}", show(&ps));
}

#[test]
fn a_stack_made_by_dockers_integration_is_updated_in_place() {
    let moto = Moto::start();
    let vpcs = moto.aws(&[
        "ec2",
        "describe-vpcs",
        "--filters",
        "Name=is-default,Values=true",
    ]);
    let vpc = vpcs["Vpcs"][0]["VpcId"]
        .as_str()
        .expect("default VPC")
        .to_owned();
    let subnets = moto.aws(&[
        "ec2",
        "describe-subnets",
        "--filters",
        &format!("Name=vpc-id,Values={vpc}"),
    ]);
    let mut by_az: Vec<(String, String)> = subnets["Subnets"]
        .as_array()
        .expect("subnets")
        .iter()
        .map(|s| {
            (
                s["AvailabilityZone"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                s["SubnetId"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    by_az.sort();
    // Docker's golden file with the stand-in's network, and the project name
    // as compose normalises it (Docker's test harness used `TestSimpleConvert`;
    // compose v2, which Docker's integration ran in, lower-cases it).
    let golden = std::fs::read_to_string(
        shared().join("docker-ecs/simple-cloudformation-conversion.golden"),
    )
    .expect("Docker's golden template");
    let template = golden
        .replace("vpc-123", &vpc)
        .replace("subnet1", &by_az[0].1)
        .replace("subnet2", &by_az[1].1)
        .replace("TestSimpleConvert", "testsimpleconvert");
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("docker.yaml");
    std::fs::write(&file, template).expect("write");
    moto.aws(&[
        "cloudformation",
        "create-stack",
        "--stack-name",
        "testsimpleconvert",
        "--template-body",
        &format!("file://{}", file.display()),
        "--capabilities",
        "CAPABILITY_IAM",
    ]);
    for _ in 0..100 {
        if moto.stack_status("testsimpleconvert") != "CREATE_IN_PROGRESS" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(moto.stack_status("testsimpleconvert"), "CREATE_COMPLETE");

    // Docker named the stack after the project, as c2cfn does. `diff` (the
    // same change set and preview as `up`): executing it fails in moto 5.2.5,
    // which cannot update a LoadBalancer and then answers HTTP 500 to
    // DescribeStacks (docs/deploy.md, "What the local stand-in cannot show").
    let up = moto.c2cfn(&root().join("compose/docker-simple"), &["diff"]);
    let out = stdout(&up);
    let changes: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .collect();
    for line in &changes {
        assert!(
            !line.contains("REPLACE") && !line.contains("to remove") && !line.starts_with("  - "),
            "Docker's resources stay: {line}\n{}",
            show(&up)
        );
    }
    assert!(
        changes.iter().any(|l| l.starts_with("  ~  ")),
        "{}",
        show(&up)
    );
    assert_eq!(code(&up), 3, "{}", show(&up));
}

#[test]
fn a_template_over_51200_bytes_goes_through_s3() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("name: big\nservices:\n");
    for i in 0..40 {
        let _ = write!(
            text,
            "  worker{i}:\n    image: nginx\n    environment:\n      ROLE: worker-{i}\n"
        );
    }
    std::fs::write(tmp.path().join("compose.yaml"), text).expect("write compose.yaml");
    let up = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let out = stdout(&up);
    let bucket = "c2cfn-templates-123456789012-us-east-1";
    assert!(
        out.contains(&format!("Created S3 bucket {bucket}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("uploaded to s3://{bucket}/c2cfn/big/")),
        "{out}"
    );
    assert_eq!(moto.stack_status("big"), "CREATE_COMPLETE");
    let block = moto.aws(&["s3api", "get-public-access-block", "--bucket", bucket]);
    assert_eq!(
        block["PublicAccessBlockConfiguration"],
        serde_json::json!({"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true})
    );
    let enc = moto.aws(&["s3api", "get-bucket-encryption", "--bucket", bucket]);
    assert_eq!(
        enc["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "AES256"
    );
    let objects = moto.aws(&["s3api", "list-objects-v2", "--bucket", bucket]);
    let size = objects["Contents"][0]["Size"].as_u64().unwrap_or_default();
    assert!(
        size > 51_200,
        "the uploaded template is the large one: {size}"
    );

    // A second run reuses the bucket and finds nothing to change.
    let again = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert!(
        !stdout(&again).contains("Created S3 bucket"),
        "{}",
        show(&again)
    );
    assert!(stdout(&again).contains("No changes"), "{}", show(&again));
}

#[test]
fn down_with_delete_data_deletes_the_kept_table_too() {
    let moto = Moto::start();
    let tmp = deployed_table_project(&moto);
    let dir = tmp.path();

    let down = moto.c2cfn(dir, &["down", "-y", "--delete-data"]);
    assert_eq!(code(&down), 0, "{}", show(&down));
    let out = stdout(&down);
    assert!(out.contains("Stack tabletest deleted."), "{out}");
    assert!(
        out.contains(
            "--delete-data will permanently delete:\n  - DynamoDB table tabletest-players\nThis cannot be undone. Delete this data now? (y/N) yes (--yes)"
        ),
        "{out}"
    );
    assert!(
        out.contains("Deleted DynamoDB table tabletest-players."),
        "{out}"
    );
    let tables = moto.aws(&["dynamodb", "list-tables"]);
    assert_eq!(tables["TableNames"], serde_json::json!([]), "{tables}");
}

/// The live `diff` in its three formats: the review's presentation of the
/// change set (as `diff --against`), with its exit codes.
#[test]
fn live_diff_in_each_format_with_a_replacement_and_data_loss() {
    let moto = Moto::start();
    let tmp = deployed_table_project(&moto);
    let dir = tmp.path();
    let deployed = moto.stack_status("tabletest");

    // Nothing changes: exit 0 in every format.
    let same = moto.c2cfn(dir, &["diff", "--format", "markdown"]);
    assert_eq!(code(&same), 0, "{}", show(&same));
    assert_eq!(
        stdout(&same).lines().next(),
        Some("✅ **no changes**"),
        "{}",
        show(&same)
    );
    let same = moto.c2cfn(dir, &["diff", "--format", "json"]);
    assert_eq!(code(&same), 0, "{}", show(&same));
    let v: Value = serde_json::from_str(&stdout(&same)).expect("only JSON on stdout");
    assert_eq!(
        (v["action"].as_str(), v["summary"].as_str()),
        (Some("none"), Some("no changes")),
        "{v}"
    );

    // An environment change: the task definition's new revision, a modify.
    write_project(dir, "2", "players/player-id");
    let json = moto.c2cfn(dir, &["diff", "--format", "json", "--fail-on", "data-loss"]);
    assert_eq!(code(&json), 3, "{}", show(&json));
    let v: Value = serde_json::from_str(&stdout(&json)).expect("only JSON on stdout");
    assert_eq!(v["stack"], "tabletest", "{v}");
    assert_eq!(v["action"], "update", "{v}");
    assert_eq!(v["data_loss"], serde_json::json!([]), "{v}");
    assert_eq!(v["groups"][0]["name"], "app", "{v}");
    let task = &v["groups"][0]["changes"][0];
    assert_eq!(task["logical_id"], "AppTaskDefinition", "{v}");
    assert_eq!(task["action"], "modify", "{v}");
    assert!(
        task["properties"].to_string().contains("FOO"),
        "the changed variable is named: {v}"
    );
    let md = moto.c2cfn(dir, &["diff", "--format", "markdown"]);
    assert_eq!(code(&md), 3, "{}", show(&md));
    let text = stdout(&md);
    assert!(text.starts_with("📝 **1 service changed**\n"), "{text}");
    assert!(
        text.contains("<details><summary><b>app</b> — 1 modify</summary>"),
        "{text}"
    );
    assert!(text.contains("- **modify** `AppTaskDefinition`"), "{text}");

    // A new sort key replaces the table: the replacement and the data loss
    // lead the report, in every format.
    write_project(dir, "2", "players/player-id/match-id");
    let plain = moto.c2cfn(dir, &["diff"]);
    assert_eq!(code(&plain), 1, "the guard refuses: {}", show(&plain));
    let out = stdout(&plain);
    assert!(
        out.contains("\nDATA LOSS\n  !! PlayersTable (AWS::DynamoDB::Table, x-aws-dynamodb: players): table is REPLACED (changes create-only KeySchema)"),
        "{out}"
    );
    assert!(
        out.contains("\nx-aws-dynamodb: players\n  !! REPLACE PlayersTable "),
        "{out}"
    );
    let md = moto.c2cfn(
        dir,
        &["diff", "--format", "markdown", "--fail-on", "data-loss"],
    );
    assert_eq!(code(&md), 6, "{}", show(&md));
    let text = stdout(&md);
    assert!(
        text.starts_with(
            "🛑 **1 service changed, 1 extension changed, 1 table REPLACED — data loss**\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("> [!CAUTION]\n> **Data loss**\n> - `PlayersTable`"),
        "{text}"
    );
    assert!(
        text.contains(
            "<details open><summary><b>x-aws-dynamodb: players</b> — 1 REPLACE</summary>"
        ),
        "{text}"
    );
    assert!(
        !text.contains("c2cfn diff: account"),
        "the Markdown alone: {text}"
    );
    assert!(
        stderr(&md).contains("data loss (--fail-on); exit 6"),
        "{}",
        show(&md)
    );
    let json = moto.c2cfn(dir, &["diff", "--json", "--fail-on", "data-loss"]);
    assert_eq!(code(&json), 6, "{}", show(&json));
    let v: Value = serde_json::from_str(&stdout(&json)).expect("only JSON on stdout");
    assert_eq!(v["data_loss"][0]["logical_id"], "PlayersTable", "{v}");
    assert_eq!(v["counts"]["replace"], 1, "{v}");
    let table = &v["groups"][0]["changes"][0];
    assert_eq!(
        (table["logical_id"].as_str(), table["action"].as_str()),
        (Some("PlayersTable"), Some("replace")),
        "{v}"
    );

    // Nothing was changed and no change set is left.
    assert_eq!(moto.stack_status("tabletest"), deployed);
    let sets = moto.aws(&[
        "cloudformation",
        "list-change-sets",
        "--stack-name",
        "tabletest",
    ]);
    assert!(
        sets["Summaries"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|s| s["ExecutionStatus"] == "EXECUTE_COMPLETE" || s["Status"] == "DELETE_COMPLETE"),
        "{sets}"
    );
}

#[test]
fn diff_json_and_json_errors_for_scripts() {
    let moto = Moto::start();
    let dir = root().join("compose/docker-simple");
    let diff = moto.c2cfn(&dir, &["diff", "--json"]);
    assert_eq!(code(&diff), 3, "{}", show(&diff));
    let v: Value = serde_json::from_str(&stdout(&diff)).expect("only JSON on stdout");
    assert_eq!(v["stack"], "testsimpleconvert");
    assert_eq!(v["action"], "create");
    // The review's JSON (as `diff --against --format json`).
    assert_eq!(v["counts"]["add"], 14, "{v}");
    assert_eq!(v["groups"][0]["name"], "simple", "{v}");
    assert_eq!(v["groups"][0]["kind"], "service", "{v}");
    let service = v["groups"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logical_id"] == "SimpleService")
        .expect("the service");
    assert_eq!(service["action"], "add");
    assert_eq!(service["type"], "AWS::ECS::Service");
    assert!(
        moto.aws(&["cloudformation", "list-stacks"])["StackSummaries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["StackStatus"] == "DELETE_COMPLETE"),
        "diff leaves nothing"
    );

    // Errors: JSON on stdout (same exit code), the text on stderr too.
    let ps = moto.c2cfn(&dir, &["ps", "--json"]);
    assert_eq!(code(&ps), 1, "{}", show(&ps));
    let v: Value = serde_json::from_str(&stdout(&ps)).expect("a JSON error");
    assert_eq!(v["error"]["exit_code"], 1);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("stack testsimpleconvert does not exist"),
        "{v}"
    );
    assert!(v["error"]["hint"].is_string(), "{v}");
    assert!(stderr(&ps).contains("error: stack testsimpleconvert does not exist"));

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("compose.yaml"),
        "services:\n  app:\n    image: nginx\n    ports: [\"99999:80\"]\n",
    )
    .unwrap();
    let bad = moto.c2cfn(tmp.path(), &["diff", "--json"]);
    assert_eq!(code(&bad), 1, "{}", show(&bad));
    let v: Value = serde_json::from_str(&stdout(&bad)).expect("a JSON error");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("compose.yaml:4:"), "{message}");
}
