use serde_json::json;

use super::*;
use crate::aws::ApiError;
use crate::aws::cloudformation::StackResource;
use crate::aws::elasticache::LiveReplicationGroup;
use crate::aws::fake::{Aws, FakeCfn, stack};
use crate::aws::testing::block;

/// [`in_stack`] then [`super::detect`], as `up` runs them.
async fn detect(
    cfn: &FakeCfn,
    aws: &Aws,
    stack: &str,
    template: &Value,
) -> Result<Vec<Adoption>, Failure> {
    let in_stack = in_stack(cfn, stack).await?;
    let live = Live {
        dynamodb: &aws.dynamodb,
        logs: &aws.logs,
        elasticache: &aws.elasticache,
    };
    super::detect(cfn, live, &in_stack, stack, template).await
}

fn template() -> Value {
    json!({"Resources": {
        "PlayersTable": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {
            "TableName": "game-players",
            "AttributeDefinitions": [{"AttributeName": "player-id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "player-id", "KeyType": "HASH"}],
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
            "Tags": [{"Key": "com.docker.compose.project", "Value": "game"}]
        }},
        "LogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/docker-compose/game"}},
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}}
    }})
}

fn players() -> LiveTable {
    LiveTable {
        status: "ACTIVE".into(),
        keys: vec![("player-id".into(), "HASH".into())],
        attributes: vec![("player-id".into(), "S".into())],
        billing: "PAY_PER_REQUEST".into(),
        items: 42,
        tags: vec![("team".into(), "backend".into())],
        ..LiveTable::default()
    }
}

#[test]
fn an_existing_table_outside_the_stack_is_adopted_as_it_is() {
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    live.dynamodb
        .tables
        .insert("game-players".into(), players());
    let found = block(detect(&cfn, &live, "game", &template())).expect("adoptable");
    assert_eq!(found.len(), 1);
    let a = &found[0];
    assert_eq!(a.logical_id, "PlayersTable");
    assert_eq!(a.name, "game-players");
    assert_eq!(
        a.to_import(),
        ResourceToImport {
            resource_type: "AWS::DynamoDB::Table".into(),
            logical_id: "PlayersTable".into(),
            identifier: vec![("TableName".into(), "game-players".into())],
        }
    );
    // Imported as it is live, so CloudFormation's record matches it; the
    // update that follows makes it what the template declares.
    assert_eq!(
        a.as_is,
        json!({"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": {
            "TableName": "game-players",
            "AttributeDefinitions": [{"AttributeName": "player-id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "player-id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": false},
            "Tags": [{"Key": "team", "Value": "backend"}]
        }})
    );
    assert_eq!(
        a.changes,
        [
            "billing mode: PAY_PER_REQUEST -> PROVISIONED",
            "provisioned capacity: none -> ReadCapacityUnits=1, WriteCapacityUnits=1",
            "point-in-time recovery: false -> true",
            "tags: team=backend -> com.docker.compose.project=game",
        ]
    );
    assert_eq!(a.keeps[0], "items (about 42, DynamoDB's count)");
    // The log group did not exist: looked up, nothing to adopt.
    assert_eq!(
        live.calls.borrow().as_slice(),
        ["group /docker-compose/game", "table game-players"]
    );
}

#[test]
fn resources_already_in_the_stack_are_not_looked_up() {
    let cfn = FakeCfn::default();
    cfn.0.borrow_mut().resources = vec![StackResource {
        logical_id: "PlayersTable".into(),
        physical_id: "game-players".into(),
        resource_type: "AWS::DynamoDB::Table".into(),
        status: "UPDATE_COMPLETE".into(),
    }];
    let live = Aws::default();
    let found = block(detect(&cfn, &live, "game", &template())).expect("nothing to adopt");
    assert!(found.is_empty());
    assert_eq!(
        live.calls.borrow().as_slice(),
        ["group /docker-compose/game"]
    );
}

#[test]
fn a_different_key_schema_is_refused_naming_both_keys_and_the_way_out() {
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    let mut t = players();
    t.keys.push(("match-id".into(), "RANGE".into()));
    t.attributes.push(("match-id".into(), "N".into()));
    live.dynamodb.tables.insert("game-players".into(), t);
    let f = block(detect(&cfn, &live, "game", &template())).expect_err("refused");
    assert_eq!(f.stop, crate::deploy::Stop::Refused);
    assert!(
        f.message.contains("table game-players exists with key player-id (HASH, S) + match-id (RANGE, N), the template declares player-id (HASH, S)"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("cannot replace a table with a custom name"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("Changing a table's key"),
        "{}",
        f.message
    );
    assert!(f.message.ends_with("Nothing was changed."), "{}", f.message);
}

#[test]
fn a_key_attribute_of_another_type_is_refused() {
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    let mut t = players();
    t.attributes = vec![("player-id".into(), "N".into())];
    live.dynamodb.tables.insert("game-players".into(), t);
    let f = block(detect(&cfn, &live, "game", &template())).expect_err("refused");
    assert!(f.message.contains("player-id (HASH, N)"), "{}", f.message);
}

#[test]
fn indexes_status_owner_and_deletion_policy_are_all_reported_at_once() {
    let cfn = FakeCfn::default();
    cfn.0.borrow_mut().stack = Some(stack("UPDATE_COMPLETE"));
    let mut live = Aws::default();
    let mut t = players();
    t.global_indexes = vec!["by-name".into()];
    t.local_indexes = vec!["by-date".into()];
    t.status = "UPDATING".into();
    t.tags
        .push(("aws:cloudformation:stack-name".into(), "other".into()));
    live.dynamodb.tables.insert("game-players".into(), t);
    live.logs
        .groups
        .insert("/docker-compose/game".into(), LiveLogGroup::default());
    let f = block(detect(&cfn, &live, "game", &template())).expect_err("refused");
    for part in [
        "global secondary index(es) by-name",
        "local secondary index(es) by-date",
        "is UPDATING, not ACTIVE",
        "game-players belongs to stack other",
        "LogGroup (AWS::Logs::LogGroup): /docker-compose/game: the template's LogGroup has no `DeletionPolicy: Retain`",
        "          LogGroup:\n            DeletionPolicy: Retain",
    ] {
        assert!(f.message.contains(part), "{part}\n{}", f.message);
    }
}

#[test]
fn a_stale_owner_tag_of_this_stack_is_no_obstacle() {
    // After `down`, a kept table still carries the old stack's tags.
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    let mut t = players();
    t.tags
        .push(("aws:cloudformation:stack-name".into(), "game".into()));
    live.dynamodb.tables.insert("game-players".into(), t);
    let found = block(detect(&cfn, &live, "game", &template())).expect("adoptable");
    assert_eq!(found.len(), 1);
    // aws: tags are CloudFormation's, never part of the template.
    assert_eq!(
        found[0].as_is["Properties"]["Tags"],
        json!([{"Key": "team", "Value": "backend"}])
    );
}

#[test]
fn a_log_group_with_retain_is_adopted() {
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    live.logs.groups.insert(
        "/docker-compose/game".into(),
        LiveLogGroup {
            retention: Some(7),
            tags: Vec::new(),
        },
    );
    let mut t = template();
    t["Resources"]["LogGroup"]["DeletionPolicy"] = json!("Retain");
    let found = block(detect(&cfn, &live, "game", &t)).expect("adoptable");
    assert_eq!(found[0].logical_id, "LogGroup");
    assert_eq!(found[0].changes, ["retention in days: 7 -> none"]);
}

#[test]
fn a_failed_look_up_stops_before_anything_changes() {
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    live.dynamodb.errors.insert(
        "broken".into(),
        ApiError::new("AccessDeniedException", "no dynamodb:DescribeTable"),
    );
    let mut t = template();
    t["Resources"]["PlayersTable"]["Properties"]["TableName"] = json!("broken");
    let f = block(detect(&cfn, &live, "game", &t)).expect_err("refused");
    assert!(
        f.message.contains("cannot look up DynamoDB table broken"),
        "{}",
        f.message
    );
    assert!(cfn.calls().is_empty());
}

#[test]
fn the_import_template_adds_the_resources_as_they_are_to_the_deployed_one() {
    let a = Adoption {
        logical_id: "PlayersTable".into(),
        resource_type: TABLE.into(),
        key: "TableName".into(),
        name: "game-players".into(),
        as_is: json!({"Type": TABLE}),
        keeps: vec!["items".into()],
        changes: Vec::new(),
    };
    let deployed = json!({"Resources": {"Cluster": {"Type": "AWS::ECS::Cluster"}}, "Outputs": {"X": {"Value": "1"}}});
    assert_eq!(
        import_template(Some(&deployed), std::slice::from_ref(&a)),
        json!({"Resources": {"Cluster": {"Type": "AWS::ECS::Cluster"}, "PlayersTable": {"Type": TABLE}}, "Outputs": {"X": {"Value": "1"}}})
    );
    assert_eq!(
        import_template(None, std::slice::from_ref(&a)),
        json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"PlayersTable": {"Type": TABLE}}})
    );
    // In the preview, an import is an action of its resource's group.
    let new = super::super::guard::TemplateView::parse(
        r#"{"Resources": {"PlayersTable": {"Type": "AWS::DynamoDB::Table", "Metadata": {"c2cfn": {"x-aws-dynamodb": "players"}}}}}"#,
        std::collections::BTreeMap::new(),
    )
    .unwrap();
    let report = super::super::live_review::report(&[], &[a], None, &new);
    let text = crate::review::present::text(&report, &crate::review::present::Context::default());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[4..],
        [
            "x-aws-dynamodb: players",
            "  <- import PlayersTable  DynamoDB::Table  (exists: game-players; imported, not created)",
            "       keeps: items",
            "       then changes: nothing",
        ],
        "{text}"
    );
}

mod flow {
    use super::super::super::plan::Outcome;
    use super::super::super::testing::deployer;
    use super::super::super::ui::Scripted;
    use super::*;
    use crate::aws::cloudformation::{
        Action, ChangeSetInfo, ChangeSetType, Replacement, ResourceChange,
    };
    use crate::aws::fake::{FakeCfn, event};

    fn add(id: &str, kind: &str) -> ResourceChange {
        ResourceChange {
            action: Action::Add,
            logical_id: id.into(),
            resource_type: kind.into(),
            physical_id: None,
            replacement: Replacement::Unknown,
            details: Vec::new(),
        }
    }

    fn adoption() -> Adoption {
        Adoption {
            logical_id: "PlayersTable".into(),
            resource_type: TABLE.into(),
            key: "TableName".into(),
            name: "game-players".into(),
            as_is: json!({"Type": TABLE, "DeletionPolicy": "Retain", "Properties": {"TableName": "game-players"}}),
            keeps: vec!["items (about 3, DynamoDB's count)".into()],
            changes: vec!["billing mode: PAY_PER_REQUEST -> PROVISIONED".into()],
        }
    }

    fn run(answers: &[bool], execute: bool) -> (Result<Outcome, Failure>, String, FakeCfn) {
        let cfn = FakeCfn::default();
        {
            let mut s = cfn.0.borrow_mut();
            s.change_set = Some(ChangeSetInfo {
                status: "CREATE_COMPLETE".into(),
                reason: None,
                changes: vec![
                    add("PlayersTable", TABLE),
                    add("Cluster", "AWS::ECS::Cluster"),
                ],
            });
            let mut imported = event(2, "PlayersTable", "IMPORT_COMPLETE", None);
            imported.resource_type = TABLE.into();
            s.after_execute = Some((
                "IMPORT_COMPLETE".into(),
                vec![
                    event(1, "game", "IMPORT_IN_PROGRESS", Some("User Initiated")),
                    imported,
                ],
            ));
        }
        let mut out = Vec::new();
        let mut prompt = Scripted {
            answers: answers.to_vec(),
            asked: Vec::new(),
        };
        let template = r#"{"Resources": {"PlayersTable": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {"TableName": "game-players"}}, "Cluster": {"Type": "AWS::ECS::Cluster"}}}"#;
        let result = {
            let checkpoint = crate::deploy::interrupt::Checkpoint::default();
            let mut d = deployer(&cfn, &mut out, &mut prompt, &checkpoint);
            block(d.run_adopting(template, &[], execute, &[adoption()]))
        };
        (result, String::from_utf8_lossy(&out).into_owned(), cfn)
    }

    #[test]
    fn up_previews_an_import_then_imports_then_updates() {
        let (result, out, cfn) = run(&[true], true);
        assert_eq!(result, Ok(Outcome::Deployed), "{out}");
        assert!(out.contains("Create stack game: 2 changes\n"), "{out}");
        assert!(out.contains("resources: 1 imported, 1 added"), "{out}");
        assert!(
            out.contains("  +  add    Cluster       ECS::Cluster"),
            "{out}"
        );
        // The import is an action in its resource's group.
        assert!(
            out.contains("\nx-aws-dynamodb\n  <- import PlayersTable  DynamoDB::Table  (exists: game-players; imported, not created)\n       keeps: items"),
            "{out}"
        );
        assert!(!out.contains("add    PlayersTable"), "{out}");
        assert!(
            out.contains(
                "Importing game-players (PlayersTable) into stack game (IMPORT change set)."
            ),
            "{out}"
        );
        let created = cfn.0.borrow().created.clone();
        let kinds: Vec<ChangeSetType> = created.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                ChangeSetType::Create,
                ChangeSetType::Import,
                ChangeSetType::Update
            ]
        );
        let import = &created[1];
        assert_eq!(import.imports, [adoption().to_import()]);
        let body: Value = serde_json::from_str(&import.template_body).expect("JSON");
        assert_eq!(body["Resources"]["PlayersTable"], adoption().as_is);
        assert!(
            body["Resources"].get("Cluster").is_none(),
            "an import creates nothing"
        );
        assert_eq!(
            cfn.calls(),
            [
                "create_change_set Create",
                "delete_change_set",
                "delete_stack",
                "create_change_set Import",
                "execute_change_set",
                "create_change_set Update",
                "execute_change_set",
            ]
        );
    }

    #[test]
    fn diff_and_a_declined_up_import_nothing() {
        let (result, out, cfn) = run(&[], false);
        assert_eq!(result, Ok(Outcome::WouldChange), "{out}");
        assert!(out.contains("  <- import PlayersTable "), "{out}");
        let (declined, _, cfn2) = run(&[false], true);
        assert!(declined.is_err());
        for calls in [cfn.calls(), cfn2.calls()] {
            assert!(
                !calls
                    .iter()
                    .any(|c| c.contains("Import") || c == "execute_change_set"),
                "{calls:?}"
            );
        }
    }
}

fn redis_template(subnet_group: Value) -> Value {
    json!({"Resources": {
        "Redis": {"Type": "AWS::ElastiCache::ReplicationGroup", "DeletionPolicy": "Snapshot", "Properties": {
            "AtRestEncryptionEnabled": true,
            "AutomaticFailoverEnabled": false,
            "CacheNodeType": "cache.t3.micro",
            "CacheSubnetGroupName": subnet_group,
            "Engine": "redis",
            "EngineVersion": "7.1",
            "MultiAZEnabled": false,
            "NumCacheClusters": 1,
            "Port": 6379,
            "ReplicationGroupDescription": "game Redis",
            "ReplicationGroupId": "legacy-redis",
            "SecurityGroupIds": [{"Ref": "RedisSecurityGroup"}],
            "SnapshotRetentionLimit": 1
        }}
    }})
}

fn legacy_redis() -> LiveReplicationGroup {
    LiveReplicationGroup {
        status: "available".into(),
        description: "made by deploy.sh".into(),
        engine: "redis".into(),
        engine_version: "7.0".into(),
        node_type: "cache.t3.micro".into(),
        nodes: 1,
        shards: 1,
        subnet_group: "legacy-subnets".into(),
        security_groups: vec!["sg-1".into()],
        port: 6379,
        at_rest_encryption: true,
        endpoint: Some("legacy-redis.abc.cache.amazonaws.com".into()),
        ..LiveReplicationGroup::default()
    }
}

#[test]
fn a_matching_replication_group_is_adopted_with_its_snapshot_policy() {
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    live.elasticache
        .redis
        .insert("legacy-redis".into(), legacy_redis());
    let found = block(detect(
        &cfn,
        &live,
        "game",
        &redis_template(json!("legacy-subnets")),
    ))
    .expect("adoptable");
    assert_eq!(found.len(), 1);
    let a = &found[0];
    assert_eq!(a.resource_type, "AWS::ElastiCache::ReplicationGroup");
    assert_eq!(
        a.to_import().identifier,
        vec![("ReplicationGroupId".to_owned(), "legacy-redis".to_owned())]
    );
    assert_eq!(
        a.keeps,
        [
            "its data (redis 1 node(s) of cache.t3.micro, endpoint legacy-redis.abc.cache.amazonaws.com)"
        ]
    );
    assert!(
        a.changes
            .contains(&"engine version: 7.0 -> 7.1 (an upgrade)".to_owned()),
        "{:?}",
        a.changes
    );
    assert!(
        a.changes
            .contains(&"snapshot retention in days: 0 -> 1".to_owned()),
        "{:?}",
        a.changes
    );
    assert_eq!(
        a.as_is["Properties"]["CacheSubnetGroupName"],
        "legacy-subnets"
    );
    assert_eq!(a.as_is["Properties"]["SecurityGroupIds"], json!(["sg-1"]));
    assert_eq!(a.as_is["DeletionPolicy"], "Retain");
}

#[test]
fn a_replication_group_that_differs_is_refused_naming_each_difference() {
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    live.elasticache.redis.insert(
        "legacy-redis".into(),
        LiveReplicationGroup {
            node_type: "cache.r7g.large".into(),
            nodes: 2,
            at_rest_encryption: false,
            engine_version: "7.2".into(),
            ..legacy_redis()
        },
    );
    let f = block(detect(
        &cfn,
        &live,
        "game",
        &redis_template(json!({"Ref": "RedisSubnetGroup"})),
    ))
    .expect_err("refused");
    let m = &f.message;
    assert!(m.contains("replication group legacy-redis has node type cache.r7g.large, the template declares cache.t3.micro; the update would resize the live group"), "{m}");
    assert!(
        m.contains("declare the node type it has: `node_type: cache.r7g.large`"),
        "{m}"
    );
    assert!(
        m.contains("replication group legacy-redis has 2 node(s), the template declares 1"),
        "{m}"
    );
    assert!(
        m.contains(
            "has encryption at rest off, the template turns it on; changing it replaces the group"
        ),
        "{m}"
    );
    assert!(m.contains("is in cache subnet group legacy-subnets, the template puts it in RedisSubnetGroup (a new subnet group); changing the subnet group replaces the group"), "{m}");
    assert!(
        m.contains("              CacheSubnetGroupName: legacy-subnets"),
        "{m}"
    );
    assert!(
        m.contains("runs redis 7.2, the template declares 7.1; ElastiCache cannot downgrade"),
        "{m}"
    );
    assert!(m.ends_with("Nothing was changed."), "{m}");
}

#[test]
fn a_replication_group_without_a_retaining_policy_is_refused() {
    let cfn = FakeCfn::default();
    let mut live = Aws::default();
    live.elasticache
        .redis
        .insert("legacy-redis".into(), legacy_redis());
    let mut t = redis_template(json!("legacy-subnets"));
    t["Resources"]["Redis"]
        .as_object_mut()
        .expect("object")
        .remove("DeletionPolicy");
    let f = block(detect(&cfn, &live, "game", &t)).expect_err("refused");
    assert!(
        f.message
            .contains("the template's Redis has no `DeletionPolicy: Retain`"),
        "{}",
        f.message
    );
}

/// `up` and `diff` list the stack's resources once: the record check and
/// adoption both read that one answer (a record and a table the stack has
/// are neither refused nor adopted).
#[test]
fn the_stacks_resources_are_listed_once_for_the_record_check_and_adoption() {
    let mut aws = Aws::default();
    let in_stack_resource = |logical_id: &str, physical_id: &str, kind: &str| StackResource {
        logical_id: logical_id.into(),
        physical_id: physical_id.into(),
        resource_type: kind.into(),
        status: "UPDATE_COMPLETE".into(),
    };
    aws.cloudformation.0.borrow_mut().resources = vec![
        in_stack_resource("PlayersTable", "game-players", "AWS::DynamoDB::Table"),
        in_stack_resource("Record", "api.tinka.games", "AWS::Route53::RecordSet"),
    ];
    aws.route53.zones.push(crate::aws::route53::Zone {
        id: "/hostedzone/Z1".into(),
        name: "tinka.games.".into(),
        private: false,
    });
    aws.route53.records.push((
        "/hostedzone/Z1".into(),
        "api.tinka.games.".into(),
        "A".into(),
    ));
    aws.dynamodb.tables.insert("game-players".into(), players());
    let mut t = template();
    t["Resources"]["Record"] = json!({"Type": "AWS::Route53::RecordSet", "Properties": {
        "HostedZoneName": "tinka.games.", "Name": "api.tinka.games.", "Type": "A"
    }});
    let found = block(async {
        let in_stack = in_stack(&aws.cloudformation, "game").await?;
        crate::deploy::precheck::dns::check(&aws.route53, &aws.acm, "eu-west-1", &t, &in_stack)
            .await?;
        let live = Live {
            dynamodb: &aws.dynamodb,
            logs: &aws.logs,
            elasticache: &aws.elasticache,
        };
        super::detect(&aws.cloudformation, live, &in_stack, "game", &t).await
    })
    .expect("nothing refused");
    assert!(found.is_empty(), "{found:?}");
    let listed: Vec<String> = aws
        .calls
        .borrow()
        .iter()
        .filter(|c| c.starts_with("resources "))
        .cloned()
        .collect();
    assert_eq!(listed, ["resources game"]);
}
