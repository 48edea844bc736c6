//! The names the template gives things, and where others look them up.
//!
//! `cfn` alone decides logical IDs (`logical_id.rs` and the resource
//! files) and the physical names of what the stack creates. What `deploy`,
//! `operate` and `review` need to know about them lives here: the cluster,
//! the log group, the stateful resource types. And because two declared
//! things that get one name would silently become one resource, [`check`]
//! finds every such pair where the names are made.

use serde_json::Value;

use super::logical_id;
use super::resources::{dynamodb, efs, route53, secrets};
use crate::diagnostic::{Claims, Diagnostics};
use crate::model::Stack;

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

/// Services, networks, volumes, secrets, tables and DNS records whose
/// logical IDs (or the physical names c2cfn derives from them) would clash:
/// one of each pair would silently not be deployed. Each pair is an error
/// at the second, naming the first.
#[must_use]
pub fn check(stack: &Stack) -> Diagnostics {
    let mut diags = Diagnostics::new();
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

    fn table(name: &str, physical_name: &str) -> Table {
        Table {
            name: name.into(),
            span: None,
            physical_name: physical_name.into(),
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
            tables: vec![table("player-stats", "g-1"), table("playerstats", "g-2")],
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
            tables: vec![table("players", "game-players")],
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
