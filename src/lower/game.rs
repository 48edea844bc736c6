//! The game-backend layer: `x-aws-dynamodb`, `x-aws-elasticache` and
//! `x-aws-route53` → tables with auto scaling, a Redis replication group and
//! alias records, plus the grants and environment the listed services need.

use serde_json::{Value, json};

use super::Settings;
use crate::cfn::intrinsic;
use crate::compose::Project;
use crate::compose::extensions::ProjectExtensions;
use crate::compose::game::{
    DynamoDb, ElastiCache, Route53, TableScaling as ScalingSpec, TableSpec,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Cache, DnsRecord, Stack, Table, TableScaling};
use crate::source::Span;

/// The Redis engine version when `x-aws-elasticache` names none.
pub(crate) const REDIS_ENGINE_VERSION: &str = "7.1";

/// Logical ID of the Redis replication group.
pub(crate) const REDIS_ID: &str = "Redis";

/// Lowers the three extensions into `stack`; in a local environment the
/// problems of Route 53 (which does not run locally) go to `aws_only`.
pub(super) fn lower(
    project: &Project,
    top: &ProjectExtensions,
    settings: &Settings,
    stack: &mut Stack,
    diags: &mut Diagnostics,
    aws_only: &mut Diagnostics,
) {
    let prefix = settings
        .prefix
        .clone()
        .unwrap_or_else(|| project.name.clone());
    if let Some(db) = &top.dynamodb {
        dynamodb(project, db, &prefix, stack, diags);
    }
    if let Some(cache) = &top.elasticache {
        elasticache(project, cache, &prefix, stack, diags);
    }
    if let Some(dns) = &top.route53 {
        let dns_diags = if settings.local { aws_only } else { diags };
        route53(project, dns, &prefix, stack, dns_diags);
    }
}

fn span(project: &Project, key: &str) -> Option<Span> {
    project.extensions.get(key).map(|n| n.span)
}

fn check_services(project: &Project, key: &str, services: &[String], diags: &mut Diagnostics) {
    for s in services {
        if !project.services.contains_key(s) {
            diags.push(
                Diagnostic::error(format!("`{key}` lists unknown service `{s}`"))
                    .at(span(project, key))
                    .help(super::known_services(project)),
            );
        }
    }
}

fn dynamodb(
    project: &Project,
    db: &DynamoDb,
    prefix: &str,
    stack: &mut Stack,
    diags: &mut Diagnostics,
) {
    let at = span(project, "x-aws-dynamodb");
    check_services(project, "x-aws-dynamodb", &db.services, diags);
    let shared = db.autoscaling.clone().unwrap_or_default();
    for spec in &db.tables {
        let Some(table) = table(spec, prefix, &shared, at, diags) else {
            continue;
        };
        if stack.tables.iter().any(|t| t.name == table.name) {
            diags.push(
                Diagnostic::error(format!("table `{}` is declared twice", table.name))
                    .at(at)
                    .help("give each table its own name"),
            );
            continue;
        }
        stack.tables.push(table);
    }
    if stack.tables.is_empty() {
        return;
    }
    let arns: Vec<Value> = stack
        .tables
        .iter()
        .flat_map(|t| {
            let id = crate::cfn::resources::dynamodb::table_id(&t.name);
            [
                intrinsic::get_att(&id, "Arn"),
                intrinsic::sub(&format!("${{{id}.Arn}}/index/*")),
            ]
        })
        .collect();
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": [
                "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
                "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem",
                "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"
            ],
            "Resource": arns
        }]
    });
    for service in &mut stack.services {
        if !db.services.contains(&service.name) {
            continue;
        }
        service
            .role_policies
            .push(("DynamoDBTables".to_owned(), policy.clone()));
        if let Some(main) = service.containers.last_mut() {
            main.environment
                .insert("DYNAMODB_PREFIX".into(), Value::from(format!("{prefix}-")));
            for t in &stack.tables {
                main.environment.insert(
                    table_variable(&t.name),
                    Value::from(t.physical_name.clone()),
                );
            }
        }
    }
}

/// The variable carrying a table's physical name: `collection-v2` →
/// `DYNAMODB_TABLE_COLLECTION_V2` (the cloud and the local environment agree).
pub(crate) fn table_variable(name: &str) -> String {
    let suffix: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("DYNAMODB_TABLE_{suffix}")
}

fn table(
    spec: &TableSpec,
    prefix: &str,
    shared: &ScalingSpec,
    at: Option<Span>,
    diags: &mut Diagnostics,
) -> Option<Table> {
    let long = match spec {
        TableSpec::Short(text) => {
            let parts: Vec<&str> = text.split('/').collect();
            if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
                diags.push(
                    Diagnostic::error(format!("table `{text}` is not `name/hash-key[/range-key]`"))
                        .at(at)
                        .help("for example `collection/player-id/card-id`, or the long form with `name:`, `hash:` and `range:`"),
                );
                return None;
            }
            crate::compose::game::Table {
                name: parts[0].to_owned(),
                hash: parts[1].to_owned(),
                range: parts.get(2).map(|s| (*s).to_owned()),
                ..Default::default()
            }
        }
        TableSpec::Long(t) => t.clone(),
    };
    let physical_name = format!("{prefix}-{}", long.name);
    let valid_name = |s: &str| {
        (3..=255).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if !valid_name(&physical_name) {
        diags.push(
            Diagnostic::error(format!(
                "`{physical_name}` is not a valid DynamoDB table name"
            ))
            .at(at)
            .help("table names are 3–255 characters of letters, digits, `_`, `-` and `.`"),
        );
    }
    let mut key_type = |t: &Option<String>, what: &str| -> String {
        let t = t.clone().unwrap_or_else(|| "S".into());
        if !matches!(t.as_str(), "S" | "N" | "B") {
            diags.push(
                Diagnostic::error(format!(
                    "{what} type of table `{}` must be S, N or B, not `{t}`",
                    long.name
                ))
                .at(at)
                .help("S = string, N = number, B = binary"),
            );
        }
        t
    };
    let hash = (long.hash.clone(), key_type(&long.hash_type, "hash key"));
    let range = long
        .range
        .clone()
        .map(|r| (r, key_type(&long.range_type, "range key")));
    if range.as_ref().is_some_and(|r| r.0 == hash.0) {
        diags.push(
            Diagnostic::error(format!(
                "table `{}` uses `{}` as both hash and range key",
                long.name, hash.0
            ))
            .at(at)
            .help("the range key must be another attribute"),
        );
    }
    let on_demand = match long.billing.as_deref() {
        None | Some("provisioned") => false,
        Some("on_demand" | "on-demand" | "PAY_PER_REQUEST") => true,
        Some(other) => {
            diags.push(
                Diagnostic::error(format!(
                    "billing `{other}` of table `{}` is unknown",
                    long.name
                ))
                .at(at)
                .help("use `provisioned` (auto scaled) or `on_demand`"),
            );
            false
        }
    };
    let s = long.autoscaling.clone().unwrap_or_else(|| shared.clone());
    let scaling = TableScaling {
        min: s.min.or(shared.min).unwrap_or(1),
        max: s.max.or(shared.max).unwrap_or(100),
        target: s.target.or(shared.target).unwrap_or(70),
        scale_in_cooldown: s
            .scale_in_cooldown
            .or(shared.scale_in_cooldown)
            .unwrap_or(60),
        scale_out_cooldown: s
            .scale_out_cooldown
            .or(shared.scale_out_cooldown)
            .unwrap_or(60),
    };
    if scaling.min == 0 || scaling.max < scaling.min || !(20..=90).contains(&scaling.target) {
        diags.push(
            Diagnostic::error(format!(
                "auto scaling of table `{}` needs 1 ≤ min ≤ max and a target between 20 and 90 %",
                long.name
            ))
            .at(at)
            .help("the defaults are min 1, max 100, target 70"),
        );
    }
    Some(Table {
        name: long.name.clone(),
        physical_name,
        hash,
        range,
        read: long.read.unwrap_or(scaling.min),
        write: long.write.unwrap_or(scaling.min),
        scaling: (!on_demand).then_some(scaling),
        ttl: long.ttl.clone(),
        pitr: long.pitr.unwrap_or(true),
    })
}

fn elasticache(
    project: &Project,
    cache: &ElastiCache,
    prefix: &str,
    stack: &mut Stack,
    diags: &mut Diagnostics,
) {
    let at = span(project, "x-aws-elasticache");
    let redis = &cache.redis;
    check_services(project, "x-aws-elasticache", &redis.services, diags);
    let nodes = redis.nodes.unwrap_or(1);
    if !(1..=6).contains(&nodes) {
        diags.push(
            Diagnostic::error(format!("a Redis replication group has 1 to 6 nodes, not {nodes}"))
                .at(at)
                .help("set `redis_nodes` in the environment file to 1 (develop) or 2+ (production, Multi-AZ)"),
        );
    }
    let node_type = redis
        .node_type
        .clone()
        .unwrap_or_else(|| "cache.t3.micro".into());
    if !node_type.starts_with("cache.") {
        diags.push(
            Diagnostic::error(format!("`{node_type}` is not an ElastiCache node type"))
                .at(at)
                .help("node types look like `cache.t3.micro` or `cache.r7g.large`"),
        );
    }
    let retention = redis.snapshot_retention.unwrap_or(1);
    if retention == 0 {
        diags.push(
            Diagnostic::error("Redis snapshots must be kept at least one day")
                .at(at)
                .help("player data is never left without a snapshot: use `snapshot_retention: 1` or more"),
        );
    }
    let id = redis_id(prefix);
    if id.len() > MAX_REDIS_ID {
        // Truncating could give develop and main the same group.
        diags.push(
            Diagnostic::error(format!(
                "the Redis replication group ID `{id}` is longer than ElastiCache's {MAX_REDIS_ID} characters"
            ))
            .at(at)
            .help("shorten `app_cluster` (or the project name): the ID is `<app_cluster>-redis`"),
        );
    }
    stack.cache = Some(Cache {
        id,
        node_type,
        nodes,
        engine_version: redis
            .engine_version
            .clone()
            .unwrap_or_else(|| REDIS_ENGINE_VERSION.into()),
        snapshot_retention: retention.max(1),
        services: redis.services.clone(),
    });
    for service in &mut stack.services {
        if !redis.services.contains(&service.name) {
            continue;
        }
        if let Some(main) = service.containers.last_mut() {
            main.environment.insert(
                "REDIS_HOST".into(),
                intrinsic::get_att(REDIS_ID, "PrimaryEndPoint.Address"),
            );
            main.environment.insert(
                "REDIS_PORT".into(),
                intrinsic::get_att(REDIS_ID, "PrimaryEndPoint.Port"),
            );
        }
    }
}

/// ElastiCache IDs: lower case letters, digits and single hyphens, starting
/// with a letter and not ending with a hyphen (length checked by the caller).
fn redis_id(prefix: &str) -> String {
    let mut id: String = format!("{prefix}-redis")
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

fn route53(
    project: &Project,
    dns: &Route53,
    prefix: &str,
    stack: &mut Stack,
    diags: &mut Diagnostics,
) {
    let at = span(project, "x-aws-route53");
    let zone = dns.zone.trim_end_matches('.').to_owned();
    let zone_is_id = zone.starts_with('Z')
        && !zone.contains('.')
        && zone.chars().all(|c| c.is_ascii_alphanumeric());
    let ipv6 = stack
        .overlay
        .as_ref()
        .and_then(|o| o.pointer("/Resources/LoadBalancer/Properties/IpAddressType"))
        .and_then(Value::as_str)
        == Some("dualstack");
    for record in &dns.records {
        let Some(service) = stack.services.iter().find(|s| s.name == record.service) else {
            diags.push(
                Diagnostic::error(format!(
                    "record `{}` points at unknown service `{}`",
                    record.name, record.service
                ))
                .at(at)
                .help("name a service of this project that publishes ports"),
            );
            continue;
        };
        if service.listeners.is_empty() {
            diags.push(
                Diagnostic::error(format!(
                    "record `{}` points at `{}`, which publishes no port",
                    record.name, record.service
                ))
                .at(at)
                .help("only services behind the load balancer can have a DNS name: add `ports:`"),
            );
            continue;
        }
        if stack
            .load_balancer
            .as_ref()
            .is_some_and(|lb| lb.existing.is_some())
        {
            diags.push(
                Diagnostic::error("Route 53 records need the load balancer c2cfn creates")
                    .at(at)
                    .help("with `x-aws-loadbalancer`, manage the DNS records of that load balancer where it is defined"),
            );
            continue;
        }
        let label = record.name.trim_end_matches('.');
        let name = if zone_is_id || label.ends_with(&zone) || label.contains('.') {
            label.to_owned()
        } else {
            format!("{label}.{zone}")
        };
        if name.is_empty() || name.split('.').any(|l| l.is_empty() || l.len() > 63) {
            diags.push(
                Diagnostic::error(format!("`{name}` is not a valid DNS name"))
                    .at(at)
                    .help(format!(
                        "record names are labels of 1–63 characters, e.g. `{prefix}`"
                    )),
            );
            continue;
        }
        stack.records.push(DnsRecord {
            name: format!("{name}."),
            zone: if zone_is_id {
                zone.clone()
            } else {
                format!("{zone}.")
            },
            zone_is_id,
            service: record.service.clone(),
            ipv6,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::redis_id;

    #[test]
    fn redis_ids_are_valid() {
        assert_eq!(redis_id("ccg-develop"), "ccg-develop-redis");
        assert_eq!(redis_id("CCG_Main"), "ccg-main-redis");
        assert_eq!(redis_id("1game"), "r-1game-redis");
        assert_eq!(
            redis_id(&"x".repeat(60)).len(),
            66,
            "never truncated: too long is an error"
        );
        assert!(!redis_id("game-").ends_with('-'));
    }
}
