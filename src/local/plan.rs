//! What the local environment consists of, decided from the lowered stack.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::cfn::names;
use crate::model::{EnvValue, Stack, Table};

/// A table to create, with its physical name (`cfn::names::table_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTable {
    /// The name it has in the cloud too.
    pub physical_name: String,
    /// The declared table.
    pub table: Table,
}

/// DynamoDB Local's image and where it keeps its data in the container.
pub const DYNAMODB_IMAGE: &str = "amazon/dynamodb-local:latest";
const DYNAMODB_DATA: &str = "/home/dynamodblocal/data";
/// The Redis image for the engine version the cloud runs
/// (`x-aws-elasticache`'s `engine_version`): `redis:<major.minor>-alpine`.
/// ElastiCache 7.1 has no open-source release of its own: AWS documents it
/// as compatible with Redis OSS 7.0, so it runs as `redis:7.0-alpine`.
#[must_use]
pub fn redis_image(engine_version: &str) -> String {
    let mut parts = engine_version.split('.');
    let major = parts.next().unwrap_or("7");
    let minor = parts.next().unwrap_or("0");
    let version = match (major, minor) {
        ("7", "1") => "7.0".to_owned(),
        (major, minor) => format!("{major}.{minor}"),
    };
    format!("redis:{version}-alpine")
}

/// Settings of a local environment (from the environment file).
#[derive(Debug, Clone)]
pub struct LocalSettings {
    /// Host port of DynamoDB Local (`dynamodb_port`, default 8000).
    pub dynamodb_port: u16,
    /// Host port of Redis (`redis_port`, default 6379).
    pub redis_port: u16,
    /// Folder holding the generated compose file and the data (kept by `down`).
    pub state_dir: PathBuf,
    /// Region the app's SDK is told (`aws_region`, default `us-east-1`).
    pub region: String,
}

/// The local environment to run.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPlan {
    /// `docker compose` project name (the local environment's `app_cluster`).
    pub compose_project: String,
    /// The generated compose file: dependencies, plus environment and
    /// `depends_on` for the app's services (an override of the user's files).
    pub compose: Value,
    /// The same file for the dependencies alone (`c2cfn local`).
    pub dependencies: Value,
    /// Where the generated file is written.
    pub compose_path: PathBuf,
    /// Tables to create on DynamoDB Local.
    pub tables: Vec<LocalTable>,
    /// Ports to wait for on 127.0.0.1 before creating tables.
    pub ports: Vec<u16>,
    /// Variables to run the app outside Docker against the local dependencies.
    pub host_environment: BTreeMap<String, String>,
}

/// Plans the local environment of `stack`.
#[must_use]
pub fn plan(stack: &Stack, settings: &LocalSettings) -> LocalPlan {
    let mut deps = Map::new();
    let mut ports = Vec::new();
    let mut inside = BTreeMap::new();
    let mut host = BTreeMap::new();
    let data = |name: &str| settings.state_dir.join(name).display().to_string();
    if !stack.tables.is_empty() {
        deps.insert(
            "dynamodb".into(),
            json!({
                "image": DYNAMODB_IMAGE,
                "command": ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", DYNAMODB_DATA],
                "working_dir": "/home/dynamodblocal",
                // The image's user cannot write to a freshly created bind mount.
                "user": "root",
                "ports": [format!("127.0.0.1:{}:8000", settings.dynamodb_port)],
                "volumes": [{"type": "bind", "source": data("dynamodb"), "target": DYNAMODB_DATA, "bind": {"create_host_path": true}}],
            }),
        );
        ports.push(settings.dynamodb_port);
        inside.insert(
            "AWS_ENDPOINT_URL_DYNAMODB",
            "http://dynamodb:8000".to_owned(),
        );
        inside.insert("DYNAMODB_ENDPOINT", "http://dynamodb:8000".to_owned());
        let local = format!("http://127.0.0.1:{}", settings.dynamodb_port);
        host.insert("AWS_ENDPOINT_URL_DYNAMODB".to_owned(), local.clone());
        host.insert("DYNAMODB_ENDPOINT".to_owned(), local);
        for (k, v) in [
            ("AWS_ACCESS_KEY_ID", "local"),
            ("AWS_SECRET_ACCESS_KEY", "local"),
        ] {
            inside.insert(k, v.to_owned());
            host.insert(k.to_owned(), v.to_owned());
        }
        inside.insert("AWS_REGION", settings.region.clone());
        host.insert("AWS_REGION".to_owned(), settings.region.clone());
        host.insert(
            "DYNAMODB_PREFIX".to_owned(),
            names::table_prefix(&stack.project),
        );
        for t in &stack.tables {
            host.insert(
                crate::lower::game::table_variable(&t.name),
                names::table_name(&stack.project, t),
            );
        }
    }
    if let Some(cache) = &stack.cache {
        deps.insert(
            "redis".into(),
            json!({
                "image": redis_image(&cache.engine_version),
                "command": ["redis-server", "--appendonly", "yes"],
                "ports": [format!("127.0.0.1:{}:6379", settings.redis_port)],
                "volumes": [{"type": "bind", "source": data("redis"), "target": "/data", "bind": {"create_host_path": true}}],
                "healthcheck": {"test": ["CMD", "redis-cli", "ping"], "interval": "2s", "timeout": "2s", "retries": 15},
            }),
        );
        ports.push(settings.redis_port);
        host.insert("REDIS_HOST".to_owned(), "127.0.0.1".to_owned());
        host.insert("REDIS_PORT".to_owned(), settings.redis_port.to_string());
    }
    let compose_project = stack_prefix(stack).to_owned();
    let dependencies = json!({"name": compose_project, "services": Value::Object(deps.clone())});
    let mut all = deps;
    for service in &stack.services {
        let Some(main) = service.containers.last() else {
            continue;
        };
        let uses_tables = main.environment.contains_key("DYNAMODB_PREFIX");
        let uses_redis = main.environment.contains_key("REDIS_HOST");
        if !uses_tables && !uses_redis {
            continue;
        }
        let mut env = Map::new();
        let mut depends = Vec::new();
        if uses_tables {
            for (k, v) in &inside {
                env.insert((*k).to_owned(), Value::from(v.clone()));
            }
            // The same values as in the cloud, where they are literals.
            for (k, v) in &main.environment {
                let value = match v {
                    EnvValue::Literal(text) => Some(text.clone()),
                    EnvValue::TableName(name) => names::table_name_of(stack, name),
                    EnvValue::TablePrefix => Some(names::table_prefix(&stack.project)),
                    EnvValue::RedisHost | EnvValue::RedisPort => None,
                };
                if let Some(value) = value.filter(|_| k.starts_with("DYNAMODB_")) {
                    env.insert(k.clone(), Value::from(value));
                }
            }
            depends.push("dynamodb");
        }
        if uses_redis {
            env.insert("REDIS_HOST".into(), Value::from("redis"));
            env.insert("REDIS_PORT".into(), Value::from("6379"));
            depends.push("redis");
        }
        all.insert(
            service.name.clone(),
            json!({"environment": env, "depends_on": depends}),
        );
    }
    LocalPlan {
        compose: json!({"name": compose_project, "services": Value::Object(all)}),
        dependencies,
        compose_path: settings.state_dir.join("compose.local.yaml"),
        compose_project,
        tables: stack
            .tables
            .iter()
            .map(|t| LocalTable {
                physical_name: names::table_name(&stack.project, t),
                table: t.clone(),
            })
            .collect(),
        ports,
        host_environment: host,
    }
}

/// The prefix of physical names: the stack's project (`app_cluster`).
fn stack_prefix(stack: &Stack) -> &str {
    &stack.project
}

/// The default state folder: `.c2cfn/<name>` beside the environment file.
#[must_use]
pub fn default_state_dir(env_file_dir: &Path, name: &str) -> PathBuf {
    env_file_dir.join(".c2cfn").join(name)
}

#[cfg(test)]
mod tests {
    use super::redis_image;

    #[test]
    fn the_local_redis_is_the_cloud_engine_version() {
        assert_eq!(redis_image("7.1"), "redis:7.0-alpine");
        assert_eq!(redis_image("7.0"), "redis:7.0-alpine");
        assert_eq!(redis_image("6.2"), "redis:6.2-alpine");
        assert_eq!(redis_image("6.x"), "redis:6.x-alpine");
        assert_eq!(
            redis_image(crate::lower::game::REDIS_ENGINE_VERSION),
            "redis:7.0-alpine"
        );
    }
}
