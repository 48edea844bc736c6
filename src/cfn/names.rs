//! The names the template gives things, and where others look them up.
//!
//! `cfn` alone decides logical IDs (`logical_id.rs` and the resource
//! files) and the physical names of what the stack creates. What `deploy`,
//! `operate`, `local` and `review` need to know about them lives here: the
//! cluster, the log group, the tables, the Redis replication group, the
//! stateful resource types. [`check`] reports, where the names are made, a
//! physical name AWS would refuse and two declared things that get one name
//! (which would silently become one resource).

use serde_json::Value;

use super::logical_id;
use super::resources::{dynamodb, efs, route53, secrets};
use crate::diagnostic::{Claims, Diagnostic, Diagnostics};
use crate::model::{Cache, Stack, Table};

/// Logical ID of the ECS cluster the stack creates.
pub const CLUSTER_ID: &str = "Cluster";

/// Logical ID of the project's log group.
pub const LOG_GROUP_ID: &str = "LogGroup";

/// Logical ID of the Redis replication group.
pub const REDIS_ID: &str = "Redis";

/// Where the template records an existing cluster (`x-aws-cluster`): the
/// template's `Metadata` key.
const CLUSTER_METADATA: &str = "Cluster";

/// The physical name of the cluster the stack creates: the project (or
/// `app_cluster`) name.
#[must_use]
pub fn cluster_name(project: &str) -> String {
    project.to_owned()
}

/// The existing cluster (name or ARN) a template runs on, as recorded in its
/// `Metadata` (`x-aws-cluster`); None when the stack creates its own.
#[must_use]
pub fn existing_cluster(template: &Value) -> Option<String> {
    template
        .get("Metadata")
        .and_then(|m| m.get(CLUSTER_METADATA))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The value the template records for an existing cluster.
pub(crate) fn cluster_metadata(arn: &str) -> (String, Value) {
    (CLUSTER_METADATA.to_owned(), Value::from(arn.to_owned()))
}

/// The log group of a project (stack) as Docker named it:
/// `/docker-compose/<project>`.
#[must_use]
pub fn log_group(project: &str) -> String {
    format!("/docker-compose/{project}")
}

/// The `awslogs-stream-prefix` of a project's containers: the project.
#[must_use]
pub fn awslogs_stream_prefix(project: &str) -> String {
    project.to_owned()
}

/// The prefix of a container's log streams in the project's log group
/// (`<awslogs-stream-prefix>/<container>/`, then the task ID).
#[must_use]
pub fn log_stream_prefix(project: &str, container: &str) -> String {
    format!("{}/{container}/", awslogs_stream_prefix(project))
}

/// What the physical names of a stack's tables start with: `<stack>-`
/// (`DYNAMODB_PREFIX` in the services that use them). `stack` is the
/// model's `project`: `app_cluster`, else the project name.
#[must_use]
pub fn table_prefix(stack: &str) -> String {
    format!("{stack}-")
}

/// The physical name of a table: its `table_name:` as written, else
/// `<stack>-<name>`.
#[must_use]
pub fn table_name(stack: &str, table: &Table) -> String {
    table
        .table_name
        .clone()
        .unwrap_or_else(|| format!("{}{}", table_prefix(stack), table.name))
}

/// The physical name of the table `name` (a compose name), if the stack
/// has it.
#[must_use]
pub fn table_name_of(stack: &Stack, name: &str) -> Option<String> {
    stack
        .tables
        .iter()
        .find(|t| t.name == name)
        .map(|t| table_name(&stack.project, t))
}

/// DynamoDB's rule for table names: 3–255 letters, digits, `_`, `-`, `.`.
fn valid_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The Redis replication group's ID: `replication_group_id:` as written,
/// else derived from the stack ([`derived_redis_id`]).
#[must_use]
pub fn redis_id(stack: &str, cache: &Cache) -> String {
    cache
        .given_id
        .as_ref()
        .map_or_else(|| derived_redis_id(stack), |(id, _)| id.clone())
}

/// `<stack>-redis` as an ElastiCache ID: lower-case letters, digits and
/// single hyphens, starting with a letter and not ending with a hyphen.
/// Never truncated (too long is an error of [`check`]: truncating could give
/// develop and main the same group).
fn derived_redis_id(stack: &str) -> String {
    let mut id: String = format!("{stack}-redis")
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while id.contains("--") {
        id = id.replace("--", "-");
    }
    if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id.insert_str(0, "r-");
    }
    id.trim_end_matches('-').to_owned()
}

/// ElastiCache's limit on replication group IDs.
const MAX_REDIS_ID: usize = 40;

/// Why a user-given replication group ID is not one ElastiCache accepts.
fn invalid_redis_id(id: &str) -> Option<&'static str> {
    if id.is_empty() || id.len() > MAX_REDIS_ID {
        Some("it must have 1 to 40 characters")
    } else if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("it must start with a lower-case letter")
    } else if !id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("it may hold only lower-case letters, digits and hyphens")
    } else if id.contains("--") || id.ends_with('-') {
        Some("it may not hold two hyphens in a row nor end with one")
    } else {
        None
    }
}

/// A resource type that holds data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatefulType {
    /// The CloudFormation type.
    pub resource_type: &'static str,
    /// What a person calls one ("table", "file system").
    pub noun: &'static str,
    /// The data-loss guard of `up` refuses to replace or remove it without
    /// `--allow-data-loss` (what c2cfn itself renders and cannot recreate;
    /// the others are only pointed out by `diff --against`).
    pub guarded: bool,
}

/// Every resource type whose replacement or removal loses data.
pub const STATEFUL_TYPES: &[StatefulType] = &[
    stateful("AWS::DynamoDB::Table", "table", true),
    stateful("AWS::ElastiCache::ReplicationGroup", "Redis", true),
    stateful("AWS::ElastiCache::CacheCluster", "cache cluster", false),
    stateful("AWS::EFS::FileSystem", "file system", true),
    stateful("AWS::ECR::Repository", "repository", true),
    stateful("AWS::Logs::LogGroup", "log group", false),
    stateful("AWS::S3::Bucket", "bucket", false),
    stateful("AWS::RDS::DBInstance", "database", false),
    stateful("AWS::RDS::DBCluster", "database", false),
];

const fn stateful(resource_type: &'static str, noun: &'static str, guarded: bool) -> StatefulType {
    StatefulType {
        resource_type,
        noun,
        guarded,
    }
}

/// The stateful type of `resource_type`, if it holds data.
#[must_use]
pub fn stateful_type(resource_type: &str) -> Option<&'static StatefulType> {
    STATEFUL_TYPES
        .iter()
        .find(|t| t.resource_type == resource_type)
}

/// The names the stack's things get, checked: a table name or Redis ID that
/// AWS would refuse is an error where the table or the extension is
/// written; services, networks, volumes, secrets, tables and DNS records
/// whose logical IDs (or the physical names c2cfn derives from them) would
/// clash (one of each pair would silently not be deployed) are an error at
/// the second, naming the first.
#[must_use]
pub fn check(stack: &Stack) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let Some(cache) = &stack.cache {
        check_redis_id(&stack.project, cache, &mut diags);
    }
    let mut services = Claims::new("logical ID");
    let mut dns = Claims::new("Cloud Map DNS name");
    for service in &stack.services {
        let name = &service.name;
        // Other services reach this one at `<name>.<project>.local`, and DNS
        // names ignore case: `web` and `WEB` would be one Cloud Map entry.
        if services.claim(
            &logical_id::service(name),
            "service",
            name,
            service.span,
            &mut diags,
        ) {
            dns.claim(
                &name.to_ascii_lowercase(),
                "service",
                name,
                service.span,
                &mut diags,
            );
        }
    }
    let mut networks = Claims::new("logical ID");
    for net in stack.networks.iter().filter(|n| n.existing.is_none()) {
        networks.claim(
            &logical_id::network(&net.name),
            "network",
            &net.name,
            net.span,
            &mut diags,
        );
    }
    let mut volumes = Claims::new("logical ID");
    for fs in stack.file_systems.iter().filter(|f| f.existing.is_none()) {
        volumes.claim(
            &efs::file_system_id(&fs.name),
            "volume",
            &fs.name,
            fs.span,
            &mut diags,
        );
    }
    let mut secret_ids = Claims::new("logical ID");
    let mut parameters = Claims::new("template parameter");
    for secret in stack.secrets.iter().filter(|s| s.existing.is_none()) {
        let unique = secret_ids.claim(
            &logical_id::secret(&secret.full_name),
            "secret",
            &secret.name,
            secret.span,
            &mut diags,
        );
        if unique {
            parameters.claim(
                &secrets::value_parameter(&secret.name),
                "secret",
                &secret.name,
                secret.span,
                &mut diags,
            );
        }
    }
    let mut tables = Claims::new("logical ID");
    for table in &stack.tables {
        let physical = table_name(&stack.project, table);
        if !valid_table_name(&physical) {
            diags.push(
                Diagnostic::error(format!("`{physical}` is not a valid DynamoDB table name"))
                    .at(table.span)
                    .help("table names are 3–255 characters of letters, digits, `_`, `-` and `.`"),
            );
        }
        tables.claim(
            &dynamodb::table_id(&table.name),
            "table",
            &table.name,
            table.span,
            &mut diags,
        );
    }
    let mut records = Claims::new("logical ID");
    for record in &stack.records {
        records.claim(
            &route53::record_id(&record.name),
            "record",
            &record.written,
            record.span,
            &mut diags,
        );
    }
    diags
}

/// The replication group ID: a given one must be one ElastiCache accepts,
/// a derived one must fit its 40 characters.
fn check_redis_id(stack: &str, cache: &Cache, diags: &mut Diagnostics) {
    if let Some((id, at)) = &cache.given_id {
        if let Some(problem) = invalid_redis_id(id) {
            diags.push(
                Diagnostic::error(format!(
                    "`{id}` is not a valid replication group ID: {problem}"
                ))
                .at(at.or(cache.span))
                .help("ElastiCache IDs are 1 to 40 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen; give the ID exactly as `aws elasticache describe-replication-groups` shows it"),
            );
        }
        return;
    }
    let id = derived_redis_id(stack);
    if id.len() > MAX_REDIS_ID {
        diags.push(
            Diagnostic::error(format!(
                "the Redis replication group ID `{id}` is longer than ElastiCache's {MAX_REDIS_ID} characters"
            ))
            .at(cache.span)
            .help("shorten `app_cluster` (or the project name): the ID is `<app_cluster>-redis`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cfn::resources::{ecs, iam};
    use crate::model::{EnvValue, Grant, GrantResource, Image, Secret, SecretRef, Service, Table};
    use crate::source::Span;

    fn messages(diags: &Diagnostics) -> Vec<String> {
        diags.items().iter().map(|d| d.message.clone()).collect()
    }

    fn service(name: &str, at: usize) -> Service {
        Service {
            name: name.into(),
            span: Some(Span::new(0, at, at + name.len())),
            ..Service::default()
        }
    }

    fn table(name: &str, table_name: Option<&str>) -> Table {
        Table {
            name: name.into(),
            span: Some(Span::new(0, 100, 100 + name.len())),
            table_name: table_name.map(str::to_owned),
            hash: ("id".into(), "S".into()),
            range: None,
            scaling: None,
            read: 1,
            write: 1,
            ttl: None,
            pitr: true,
        }
    }

    #[test]
    fn names_that_become_one_logical_id_are_errors_at_the_second() {
        let stack = Stack {
            services: vec![
                service("game-server", 10),
                service("gameserver", 40),
                service("web", 60),
                service("WEB", 70),
            ],
            tables: vec![table("player-stats", None), table("playerstats", None)],
            ..Stack::default()
        };
        let diags = check(&stack);
        assert_eq!(
            messages(&diags),
            [
                "services `game-server` and `gameserver` both map to the logical ID `GameserverService`",
                "services `web` and `WEB` both map to the Cloud Map DNS name `web`",
                "tables `player-stats` and `playerstats` both map to the logical ID `PlayerstatsTable`",
            ]
        );
        let first = &diags.items()[0];
        assert_eq!(first.span, Some(Span::new(0, 40, 50)));
    }

    #[test]
    fn references_become_intrinsics_and_physical_names_here() {
        let stack = Stack {
            project: "game".into(),
            tables: vec![table("players", None)],
            secrets: vec![Secret {
                name: "db".into(),
                span: None,
                full_name: "game_db".into(),
                existing: None,
                keys: Vec::new(),
            }],
            ..Stack::default()
        };
        assert_eq!(
            ecs::image(&Image::Built {
                service: "my-app".into()
            }),
            json!({"Ref": "MyappImage"})
        );
        assert_eq!(ecs::image(&Image::Given("nginx".into())), json!("nginx"));
        assert_eq!(
            ecs::env_value(&stack, &EnvValue::RedisHost),
            json!({"Fn::GetAtt": [REDIS_ID, "PrimaryEndPoint.Address"]})
        );
        assert_eq!(
            ecs::env_value(&stack, &EnvValue::TableName("players".into())),
            json!("game-players")
        );
        assert_eq!(
            ecs::secret_ref(&stack, &SecretRef::Stack("db".into())),
            json!({"Ref": "GamedbSecret"})
        );
        assert_eq!(
            ecs::secret_ref(&stack, &SecretRef::Existing("arn:x".into())),
            json!("arn:x")
        );
        let grant = Grant {
            actions: vec!["dynamodb:GetItem".into()],
            resources: vec![
                GrantResource::Table("players".into()),
                GrantResource::TableIndexes("players".into()),
            ],
        };
        assert_eq!(
            iam::grant_document(&grant),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem"],
                "Resource": [{"Fn::GetAtt": ["PlayersTable", "Arn"]}, {"Fn::Sub": "${PlayersTable.Arn}/index/*"}]}]})
        );
    }

    #[test]
    fn tables_are_named_after_the_stack_unless_named_exactly() {
        let stack = Stack {
            project: "ccg-develop".into(),
            tables: vec![table("players", None), table("decks", Some("legacy_decks"))],
            ..Stack::default()
        };
        assert_eq!(table_prefix("ccg-develop"), "ccg-develop-");
        assert_eq!(
            table_name_of(&stack, "players").as_deref(),
            Some("ccg-develop-players")
        );
        assert_eq!(
            table_name_of(&stack, "decks").as_deref(),
            Some("legacy_decks")
        );
        assert_eq!(table_name_of(&stack, "nothing"), None);
        assert!(check(&stack).is_empty());
    }

    #[test]
    fn a_table_name_dynamodb_refuses_is_an_error_at_the_table() {
        let stack = Stack {
            project: "g".into(),
            tables: vec![
                table("x", Some("no spaces")),
                table("y", Some("ab")),
                table(&"z".repeat(254), None),
                table("ok", Some("a.b_c-d")),
            ],
            ..Stack::default()
        };
        let diags = check(&stack);
        assert_eq!(
            messages(&diags),
            [
                "`no spaces` is not a valid DynamoDB table name".to_owned(),
                "`ab` is not a valid DynamoDB table name".to_owned(),
                format!("`g-{}` is not a valid DynamoDB table name", "z".repeat(254)),
            ]
        );
        assert_eq!(diags.items()[0].span, Some(Span::new(0, 100, 101)));
    }

    fn cache(given: Option<&str>) -> Cache {
        Cache {
            span: Some(Span::new(0, 5, 9)),
            given_id: given.map(|id| (id.to_owned(), Some(Span::new(0, 20, 20 + id.len())))),
            node_type: "cache.t3.micro".into(),
            nodes: 1,
            engine_version: "7.1".into(),
            snapshot_retention: 1,
            services: Vec::new(),
        }
    }

    #[test]
    fn redis_ids_are_derived_from_the_stack_and_never_truncated() {
        assert_eq!(derived_redis_id("ccg-develop"), "ccg-develop-redis");
        assert_eq!(derived_redis_id("CCG_Main"), "ccg-main-redis");
        assert_eq!(derived_redis_id("1game"), "r-1game-redis");
        assert_eq!(derived_redis_id(&"x".repeat(60)).len(), 66);
        assert!(!derived_redis_id("game-").ends_with('-'));
        assert_eq!(redis_id("g", &cache(None)), "g-redis");
        assert_eq!(redis_id("g", &cache(Some("legacy"))), "legacy");
        let long = Stack {
            project: "x".repeat(40),
            cache: Some(cache(None)),
            ..Stack::default()
        };
        let diags = check(&long);
        assert_eq!(diags.items().len(), 1);
        assert_eq!(diags.items()[0].span, Some(Span::new(0, 5, 9)));
    }

    #[test]
    fn given_redis_ids_are_checked() {
        assert_eq!(invalid_redis_id("legacy-redis"), None);
        for bad in ["Legacy", "1redis", "a--b", "a-", &"a".repeat(41), "a_b", ""] {
            assert!(invalid_redis_id(bad).is_some(), "{bad}");
        }
        let stack = Stack {
            cache: Some(cache(Some("a--b"))),
            ..Stack::default()
        };
        let diags = check(&stack);
        assert_eq!(
            messages(&diags),
            [
                "`a--b` is not a valid replication group ID: it may not hold two hyphens in a row nor end with one"
            ]
        );
        assert_eq!(diags.items()[0].span, Some(Span::new(0, 20, 24)));
    }

    #[test]
    fn the_cluster_and_the_log_group_are_found_here() {
        assert_eq!(log_group("ccg-develop"), "/docker-compose/ccg-develop");
        assert_eq!(log_stream_prefix("ccg", "app"), "ccg/app/");
        assert_eq!(
            existing_cluster(&json!({"Metadata": {"Cluster": "arn:aws:ecs:x:1:cluster/c"}})),
            Some("arn:aws:ecs:x:1:cluster/c".into())
        );
        assert_eq!(existing_cluster(&json!({"Resources": {}})), None);
        assert!(stateful_type("AWS::DynamoDB::Table").is_some_and(|t| t.guarded));
        assert!(stateful_type("AWS::Logs::LogGroup").is_some_and(|t| !t.guarded));
        assert!(stateful_type("AWS::ECS::Service").is_none());
    }
}
