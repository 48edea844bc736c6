//! Adopting existing resources end to end: tables made with the AWS CLI
//! (as a team's bash scripts made them, with items) are imported by `up`
//! through an IMPORT change set on the stand-in (tests/moto_launcher.py,
//! `patch_import`), never created again; their items stay. Also the
//! key-change path (`copy-table`) and the ECR image check before deploying.

use std::path::Path;

use serde_json::Value;

use super::support::moto::Moto;
use super::support::{code, show};
use super::support::{stderr, stdout};

/// The game backend's four tables, as the seed scripts name them.
const PROJECT: &str = "name: ccg
services:
  app:
    image: nginx
x-aws-dynamodb:
  tables:
    - collection/player-id/card-id
    - decks/player-id
    - PLAYERS
    - name: packs
      hash: player-id
      range: pack-id
      ttl: expires-at
  services: [app]
";

fn write_project(dir: &Path, players: &str) {
    std::fs::write(
        dir.join("compose.yaml"),
        PROJECT.replace("PLAYERS", players),
    )
    .expect("write compose.yaml");
    std::fs::write(dir.join("develop.env"), "app_cluster=ccg-develop\n").expect("write env");
}

fn create_table(moto: &Moto, name: &str, keys: &[&str]) {
    let mut defs = Vec::new();
    let mut schema = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        defs.push(format!("AttributeName={k},AttributeType=S"));
        let kind = if i == 0 { "HASH" } else { "RANGE" };
        schema.push(format!("AttributeName={k},KeyType={kind}"));
    }
    let mut args = vec!["dynamodb", "create-table", "--table-name", name];
    args.push("--attribute-definitions");
    args.extend(defs.iter().map(String::as_str));
    args.push("--key-schema");
    args.extend(schema.iter().map(String::as_str));
    args.extend(["--billing-mode", "PAY_PER_REQUEST"]);
    moto.aws(&args);
}

fn put(moto: &Moto, table: &str, item: &str) {
    moto.aws(&[
        "dynamodb",
        "put-item",
        "--table-name",
        table,
        "--item",
        item,
    ]);
}

fn player_names(moto: &Moto) -> Vec<String> {
    let v = moto.aws(&["dynamodb", "scan", "--table-name", "ccg-develop-players"]);
    let mut names: Vec<String> = v["Items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"]["S"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names
}

fn stack_tables(moto: &Moto) -> Vec<String> {
    let v = moto.aws(&[
        "cloudformation",
        "list-stack-resources",
        "--stack-name",
        "ccg-develop",
    ]);
    let mut tables: Vec<String> = v["StackResourceSummaries"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["ResourceType"] == "AWS::DynamoDB::Table")
        .map(|r| {
            format!(
                "{}={}",
                r["LogicalResourceId"].as_str().unwrap_or_default(),
                r["PhysicalResourceId"].as_str().unwrap_or_default()
            )
        })
        .collect();
    tables.sort();
    tables
}

fn seed(moto: &Moto) {
    create_table(moto, "ccg-develop-collection", &["player-id", "card-id"]);
    create_table(moto, "ccg-develop-decks", &["player-id"]);
    create_table(moto, "ccg-develop-players", &["player-id"]);
    create_table(moto, "ccg-develop-packs", &["player-id", "pack-id"]);
    put(
        moto,
        "ccg-develop-players",
        r#"{"player-id":{"S":"p1"},"name":{"S":"Ada"}}"#,
    );
    put(
        moto,
        "ccg-develop-players",
        r#"{"player-id":{"S":"p2"},"name":{"S":"Bo"}}"#,
    );
    put(
        moto,
        "ccg-develop-collection",
        r#"{"player-id":{"S":"p1"},"card-id":{"S":"c7"}}"#,
    );
    put(
        moto,
        "ccg-develop-decks",
        r#"{"player-id":{"S":"p1"},"deck":{"S":"red"}}"#,
    );
    put(
        moto,
        "ccg-develop-packs",
        r#"{"player-id":{"S":"p1"},"pack-id":{"S":"k1"}}"#,
    );
}

const ALL_FOUR: [&str; 4] = [
    "CollectionTable=ccg-develop-collection",
    "DecksTable=ccg-develop-decks",
    "PacksTable=ccg-develop-packs",
    "PlayersTable=ccg-develop-players",
];

#[test]
fn tables_made_with_the_cli_are_adopted_with_their_items_and_again_after_down() {
    let moto = Moto::start();
    seed(&moto);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write_project(dir, "players/player-id");

    // diff shows the imports and changes nothing.
    let diff = moto.c2cfn(dir, &["diff", "--env-file", "develop.env"]);
    assert_eq!(code(&diff), 3, "{}", show(&diff));
    let out = stdout(&diff);
    for id in [
        "CollectionTable",
        "DecksTable",
        "PacksTable",
        "PlayersTable",
    ] {
        // An import action in its table's group, in the review's columns.
        assert!(
            out.lines().any(|l| l.starts_with("  <- import ")
                && l.contains(&format!(" {id} "))
                && l.contains("  DynamoDB::Table  (exists: ")),
            "{out}"
        );
        assert!(
            !out.lines()
                .any(|l| l.starts_with("  +  ") && l.contains(&format!(" {id} "))),
            "{out}"
        );
    }
    assert!(
        out.contains("keeps: items (about 2, DynamoDB's count); key player-id (HASH, S)"),
        "{out}"
    );
    assert!(
        out.contains("then changes: billing mode: PAY_PER_REQUEST -> PROVISIONED"),
        "{out}"
    );
    assert!(
        out.contains("TTL: none -> AttributeName=expires-at, Enabled=true"),
        "{out}"
    );
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    assert!(
        stacks["StackSummaries"]
            .as_array()
            .is_none_or(|s| s.iter().all(|s| s["StackStatus"] == "DELETE_COMPLETE")),
        "diff leaves no stack: {stacks}"
    );

    // up imports the four tables, then creates the rest.
    let up = moto.c2cfn(dir, &["up", "-y", "--env-file", "develop.env"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let out = stdout(&up);
    assert!(out.contains("(IMPORT change set)"), "{out}");
    assert!(out.contains("IMPORT_COMPLETE     PlayersTable"), "{out}");
    assert!(out.contains("Stack ccg-develop: UPDATE_COMPLETE"), "{out}");
    assert_eq!(stack_tables(&moto), ALL_FOUR);
    assert_eq!(player_names(&moto), ["Ada", "Bo"]);
    let table = moto.aws(&[
        "dynamodb",
        "describe-table",
        "--table-name",
        "ccg-develop-players",
    ]);
    assert_eq!(
        table["Table"]["BillingModeSummary"]["BillingMode"],
        "PROVISIONED"
    );

    // A second up: nothing to import, nothing to change.
    let again = moto.c2cfn(dir, &["up", "-y", "--env-file", "develop.env"]);
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert!(
        stdout(&again).contains("No changes: stack ccg-develop is up to date."),
        "{}",
        show(&again)
    );
    assert!(!stdout(&again).contains("import"), "{}", show(&again));

    // down keeps the tables; the next up adopts them back.
    let down = moto.c2cfn(dir, &["down", "-y", "--env-file", "develop.env"]);
    assert_eq!(code(&down), 0, "{}", show(&down));
    assert_eq!(player_names(&moto), ["Ada", "Bo"]);
    let back = moto.c2cfn(dir, &["up", "-y", "--env-file", "develop.env"]);
    assert_eq!(code(&back), 0, "{}", show(&back));
    assert!(
        stdout(&back).contains("  <- import PlayersTable "),
        "{}",
        show(&back)
    );
    assert_eq!(stack_tables(&moto), ALL_FOUR);
    assert_eq!(player_names(&moto), ["Ada", "Bo"]);
}

#[test]
fn an_existing_table_with_another_key_is_refused_and_nothing_changes() {
    let moto = Moto::start();
    seed(&moto);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // The compose file gives players a sort key the live table does not have.
    write_project(dir, "players/player-id/season");
    let up = moto.c2cfn(dir, &["up", "-y", "--env-file", "develop.env"]);
    assert_eq!(code(&up), 1, "{}", show(&up));
    let err = stderr(&up);
    assert!(
        err.contains("table ccg-develop-players exists with key player-id (HASH, S), the template declares player-id (HASH, S) + season (RANGE, S)"),
        "{err}"
    );
    assert!(
        err.contains("way out: declare the key the table has"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed."), "{err}");
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    assert!(
        stacks["StackSummaries"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "no stack was made: {stacks}"
    );
    assert_eq!(player_names(&moto), ["Ada", "Bo"]);
    let tables = moto.aws(&["dynamodb", "list-tables"]);
    assert_eq!(tables["TableNames"].as_array().map_or(0, Vec::len), 4);
}

#[test]
fn a_key_change_goes_through_a_new_table_and_copy_table() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write_project(dir, "players/player-id");
    let up = moto.c2cfn(dir, &["up", "-y", "--env-file", "develop.env"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    for (id, season) in [("p1", "s1"), ("p2", "s2"), ("p3", "s1")] {
        put(
            &moto,
            "ccg-develop-players",
            &format!(
                r#"{{"player-id":{{"S":"{id}"}},"season":{{"S":"{season}"}},"name":{{"S":"n-{id}"}}}}"#
            ),
        );
    }

    // Changing the key in place is refused with advice that works.
    write_project(dir, "players/player-id/season");
    let refused = moto.c2cfn(dir, &["up", "-y", "--env-file", "develop.env"]);
    assert_eq!(code(&refused), 1, "{}", show(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("CloudFormation cannot replace a table that has a name"),
        "{err}"
    );
    assert!(err.contains("c2cfn copy-table"), "{err}");

    // The documented path: the new key under a new name, next to the old table.
    write_project(
        dir,
        "players/player-id\n    - name: players-v2\n      hash: player-id\n      range: season",
    );
    let up = moto.c2cfn(dir, &["up", "-y", "--env-file", "develop.env"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    assert!(stdout(&up).contains("+  Playersv2Table"), "{}", show(&up));
    let copy = moto.c2cfn(
        dir,
        &[
            "copy-table",
            "ccg-develop-players",
            "ccg-develop-players-v2",
        ],
    );
    assert_eq!(code(&copy), 0, "{}", show(&copy));
    assert!(
        stdout(&copy)
            .contains("Copied 3 item(s) from ccg-develop-players to ccg-develop-players-v2."),
        "{}",
        show(&copy)
    );
    let v = moto.aws(&["dynamodb", "scan", "--table-name", "ccg-develop-players-v2"]);
    assert_eq!(v["Count"], 3, "{v}");
    // The old table still has its items.
    assert_eq!(
        moto.aws(&["dynamodb", "scan", "--table-name", "ccg-develop-players"])["Count"],
        3
    );
    // Running it again is safe (puts overwrite the same items).
    let again = moto.c2cfn(
        dir,
        &[
            "copy-table",
            "ccg-develop-players",
            "ccg-develop-players-v2",
        ],
    );
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert_eq!(
        moto.aws(&["dynamodb", "scan", "--table-name", "ccg-develop-players-v2"])["Count"],
        3
    );
}

/// A pre-deploy check (docs/deploy.md): an `image:` of this account's ECR
/// whose tag is not there is refused before any stack exists.
#[test]
fn an_ecr_image_without_its_tag_is_refused_before_deploying() {
    let moto = Moto::start();
    moto.aws(&["ecr", "create-repository", "--repository-name", "ccg/app"]);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(
        dir.join("compose.yaml"),
        "name: imgcheck\nservices:\n  app:\n    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/ccg/app:v9\n",
    )
    .expect("write");
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 1, "{}", show(&up));
    let err = stderr(&up);
    assert!(
        err.contains("container app: 123456789012.dkr.ecr.us-east-1.amazonaws.com/ccg/app:v9 (repository ccg/app has no tag v9)"),
        "{err}"
    );
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    assert!(
        stacks["StackSummaries"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{stacks}"
    );
}

/// `table_name:` declares the exact name of a table made without the
/// `app_cluster` prefix; `up` adopts it as it is.
#[test]
fn an_exact_table_name_adopts_a_table_without_the_prefix() {
    let moto = Moto::start();
    create_table(&moto, "legacy_players", &["player-id"]);
    put(
        &moto,
        "legacy_players",
        r#"{"player-id":{"S":"p9"},"name":{"S":"Cy"}}"#,
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(
        dir.join("compose.yaml"),
        "name: legacy\nservices:\n  app:\n    image: nginx\nx-aws-dynamodb:\n  tables:\n    - name: players\n      hash: player-id\n      table_name: legacy_players\n  services: [app]\n",
    )
    .expect("write");
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    assert!(
        stdout(&up).contains("\nx-aws-dynamodb: players\n  <- import PlayersTable ")
            && stdout(&up).contains(" DynamoDB::Table  (exists: legacy_players;"),
        "{}",
        show(&up)
    );
    let v = moto.aws(&["dynamodb", "scan", "--table-name", "legacy_players"]);
    assert_eq!(v["Items"][0]["name"]["S"], "Cy", "{v}");
    let tables = moto.aws(&["dynamodb", "list-tables"]);
    assert_eq!(tables["TableNames"], serde_json::json!(["legacy_players"]));
}

/// A log group made with the AWS CLI (with a stream and an event) is adopted
/// by `up` once the template retains it; a second `up` has nothing to do.
/// Without `DeletionPolicy: Retain` it is refused before anything changes.
#[test]
fn a_log_group_made_with_the_cli_is_adopted_and_kept() {
    let moto = Moto::start();
    let group = "/docker-compose/logadopt";
    moto.aws(&["logs", "create-log-group", "--log-group-name", group]);
    moto.aws(&[
        "logs",
        "put-retention-policy",
        "--log-group-name",
        group,
        "--retention-in-days",
        "7",
    ]);
    moto.aws(&[
        "logs",
        "create-log-stream",
        "--log-group-name",
        group,
        "--log-stream-name",
        "old/app/1",
    ]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    moto.aws(&[
        "logs",
        "put-log-events",
        "--log-group-name",
        group,
        "--log-stream-name",
        "old/app/1",
        "--log-events",
        &format!("timestamp={now},message=from the bash era"),
    ]);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let base = "name: logadopt\nservices:\n  app:\n    image: nginx\n";

    // Docker's rendering has no DeletionPolicy on the log group: refused.
    std::fs::write(dir.join("compose.yaml"), base).expect("write");
    let refused = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&refused), 1, "{}", show(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("LogGroup (AWS::Logs::LogGroup): /docker-compose/logadopt: the template's LogGroup has no `DeletionPolicy: Retain`"),
        "{err}"
    );
    assert!(err.contains("DeletionPolicy: Retain"), "{err}");
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    assert!(
        stacks["StackSummaries"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{stacks}"
    );

    // With the overlay the message gives, up adopts it.
    std::fs::write(
        dir.join("compose.yaml"),
        format!(
            "{base}x-aws-cloudformation:\n  Resources:\n    LogGroup:\n      DeletionPolicy: Retain\n"
        ),
    )
    .expect("write");
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let out = stdout(&up);
    // An import action in the review's columns, in the resource's group.
    assert!(
        out.lines().any(|l| l.starts_with("  <- import LogGroup ")
            && l.contains(
                " Logs::LogGroup  (exists: /docker-compose/logadopt; imported, not created)"
            )),
        "{out}"
    );
    assert!(out.contains("keeps: its log streams and events"), "{out}");
    assert!(
        out.contains("then changes: retention in days: 7 -> 30"),
        "{out}"
    );
    assert!(out.contains("(IMPORT change set)"), "{out}");
    let resources = moto.aws(&[
        "cloudformation",
        "list-stack-resources",
        "--stack-name",
        "logadopt",
    ]);
    assert!(
        resources["StackResourceSummaries"]
            .as_array()
            .expect("resources")
            .iter()
            .any(|r| r["LogicalResourceId"] == "LogGroup" && r["PhysicalResourceId"] == group),
        "{resources}"
    );
    let groups = moto.aws(&[
        "logs",
        "describe-log-groups",
        "--log-group-name-prefix",
        group,
    ]);
    assert_eq!(groups["logGroups"][0]["retentionInDays"], 30, "{groups}");
    let events = moto.aws(&[
        "logs",
        "get-log-events",
        "--log-group-name",
        group,
        "--log-stream-name",
        "old/app/1",
    ]);
    assert_eq!(events["events"][0]["message"], "from the bash era");

    let again = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert!(
        stdout(&again).contains("No changes: stack logadopt is up to date."),
        "{}",
        show(&again)
    );
    assert!(!stdout(&again).contains("import"), "{}", show(&again));
}

fn legacy_redis(moto: &Moto) {
    let subnets = moto.aws(&["ec2", "describe-subnets"]);
    let ids: Vec<&str> = subnets["Subnets"]
        .as_array()
        .expect("subnets")
        .iter()
        .filter_map(|s| s["SubnetId"].as_str())
        .take(2)
        .collect();
    let mut args = vec![
        "elasticache",
        "create-cache-subnet-group",
        "--cache-subnet-group-name",
        "legacy-subnets",
        "--cache-subnet-group-description",
        "made by deploy.sh",
        "--subnet-ids",
    ];
    args.extend(ids);
    moto.aws(&args);
    moto.aws(&[
        "elasticache",
        "create-replication-group",
        "--replication-group-id",
        "legacy-redis",
        "--replication-group-description",
        "made by deploy.sh",
        "--engine",
        "redis",
        "--engine-version",
        "7.1",
        "--cache-node-type",
        "cache.t3.micro",
        "--num-cache-clusters",
        "1",
        "--cache-subnet-group-name",
        "legacy-subnets",
        "--at-rest-encryption-enabled",
    ]);
}

fn redis_project(dir: &Path, node_type: &str, overlay: bool) {
    let mut text = format!(
        "name: legacy\nservices:\n  app:\n    image: nginx\nx-aws-elasticache:\n  redis:\n    replication_group_id: legacy-redis\n    node_type: {node_type}\n    services: [app]\n"
    );
    if overlay {
        text.push_str("x-aws-cloudformation:\n  Resources:\n    Redis:\n      Properties:\n        CacheSubnetGroupName: legacy-subnets\n");
    }
    std::fs::write(dir.join("compose.yaml"), text).expect("write");
}

fn groups(moto: &Moto) -> Value {
    let v = moto.aws(&["elasticache", "describe-replication-groups"]);
    v["ReplicationGroups"].clone()
}

/// `replication_group_id:` names a group a script made; `up` adopts it
/// when the template matches it, and refuses (nothing changed) when not.
#[test]
fn a_replication_group_made_with_the_cli_is_adopted_when_it_matches() {
    let moto = Moto::start();
    legacy_redis(&moto);
    let before = groups(&moto);
    assert_eq!(before.as_array().map(Vec::len), Some(1), "{before}");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();

    // Another node type, and c2cfn's own subnet group: refused, nothing changes.
    redis_project(dir, "cache.t3.small", false);
    let refused = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&refused), 1, "{}", show(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("Redis (AWS::ElastiCache::ReplicationGroup): replication group legacy-redis has node type cache.t3.micro, the template declares cache.t3.small"),
        "{err}"
    );
    assert!(
        err.contains("replication group legacy-redis is in cache subnet group legacy-subnets, the template puts it in RedisSubnetGroup (a new subnet group)"),
        "{err}"
    );
    assert!(
        err.contains("CacheSubnetGroupName: legacy-subnets"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed."), "{err}");
    assert_eq!(groups(&moto), before, "the group is untouched");
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    assert!(
        stacks["StackSummaries"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{stacks}"
    );

    // Declared as it is: adopted, not created again.
    redis_project(dir, "cache.t3.micro", true);
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    let out = stdout(&up);
    assert!(
        out.lines().any(|l| l.starts_with("  <- import Redis ")
            && l.contains(
                " ElastiCache::ReplicationGroup  (exists: legacy-redis; imported, not created)"
            )),
        "{out}"
    );
    assert!(
        out.contains("keeps: its data (redis 1 node(s) of cache.t3.micro"),
        "{out}"
    );
    assert!(out.contains("(IMPORT change set)"), "{out}");
    let after = groups(&moto);
    assert_eq!(after.as_array().map(Vec::len), Some(1), "{after}");
    assert_eq!(after[0]["ReplicationGroupId"], "legacy-redis");
    let resources = moto.aws(&[
        "cloudformation",
        "list-stack-resources",
        "--stack-name",
        "legacy",
    ]);
    assert!(
        resources["StackResourceSummaries"]
            .as_array()
            .expect("resources")
            .iter()
            .any(|r| r["LogicalResourceId"] == "Redis"
                && r["PhysicalResourceId"] == "legacy-redis"),
        "{resources}"
    );

    let again = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert!(
        stdout(&again).contains("No changes: stack legacy is up to date."),
        "{}",
        show(&again)
    );
}
