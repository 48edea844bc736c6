//! The game-backend layer: `x-aws-dynamodb`, `x-aws-elasticache` and
//! `x-aws-route53` → tables with auto scaling, a Redis replication group and
//! alias records, plus the grants and environment the listed services need.

use serde_json::Value;

use super::Settings;
use crate::compose::Project;
use crate::compose::extensions::ProjectExtensions;
use crate::compose::game::{
    DynamoDb, ElastiCache, Route53, TableScaling as ScalingSpec, TableSpec,
};
use crate::compose::project::Spanned;
use crate::diagnostic::{Claims, Diagnostic, Diagnostics};
use crate::model::{
    Cache, DnsRecord, EnvValue, Grant, GrantResource, Stack, Table, TableScaling, naming,
};
use crate::source::Span;

/// The Redis engine version when `x-aws-elasticache` names none.
pub(crate) const REDIS_ENGINE_VERSION: &str = "7.1";

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
    if let Some(db) = &top.dynamodb {
        dynamodb(project, db, stack, diags);
    }
    if let Some(cache) = &top.elasticache {
        elasticache(project, cache, stack, diags);
    }
    if let Some(dns) = &top.route53 {
        let dns_diags = if settings.local { aws_only } else { diags };
        let overlay = project.overlay.as_ref().map(|o| &o.value);
        // The label the help messages suggest: the stack's name.
        let label = stack.project.clone();
        route53(project, dns, overlay, &label, stack, dns_diags);
    }
}

fn span(project: &Project, key: &str) -> Option<Span> {
    project.extensions.spans.get(key).copied()
}

/// Each listed service must exist; the error points at the name.
fn check_services(
    project: &Project,
    key: &str,
    services: &[Spanned<String>],
    diags: &mut Diagnostics,
) {
    for s in services {
        if !project.services.contains_key(&s.value) {
            diags.push(
                Diagnostic::error(format!("`{key}` lists unknown service `{}`", s.value))
                    .at(s.span.or_else(|| span(project, key)))
                    .help(super::known_services(project)),
            );
        }
    }
}

fn names(services: &[Spanned<String>]) -> Vec<String> {
    services.iter().map(|s| s.value.clone()).collect()
}

fn dynamodb(project: &Project, db: &DynamoDb, stack: &mut Stack, diags: &mut Diagnostics) {
    let at = span(project, "x-aws-dynamodb");
    check_services(project, "x-aws-dynamodb", &db.services, diags);
    let shared = db.autoscaling.as_ref();
    if let Some(s) = shared {
        check_scaling(&s.value, "the shared table auto scaling", s.span, diags);
    }
    let mut declared: Vec<(String, Option<Span>)> = Vec::new();
    // Tables whose logical IDs clash are found where IDs are made
    // (`cfn/names.rs`); the variables carrying their names are lowering's.
    let mut variables = Claims::new("environment variable");
    for spec in &db.tables {
        let Some(mut table) = table(spec, shared, diags) else {
            continue;
        };
        let here = match &spec.value {
            TableSpec::Long(t) => t.name.span,
            TableSpec::Short(_) => spec.span,
        }
        .or(at);
        if let Some((_, first)) = declared.iter().find(|(n, _)| *n == table.name) {
            diags.push(
                Diagnostic::error(format!("table `{}` is declared twice", table.name))
                    .at(here)
                    .also(*first, "first declared here")
                    .help("give each table its own name"),
            );
            continue;
        }
        declared.push((table.name.clone(), here));
        table.span = here;
        let unique = variables.claim(
            &table_variable(&table.name),
            "table",
            &table.name,
            here,
            diags,
        );
        if unique {
            stack.tables.push(table);
        }
    }
    if stack.tables.is_empty() {
        return;
    }
    let services = names(&db.services);
    let grant = Grant {
        actions: TABLE_ACTIONS.iter().map(|a| (*a).to_owned()).collect(),
        resources: stack
            .tables
            .iter()
            .flat_map(|t| {
                [
                    GrantResource::Table(t.name.clone()),
                    GrantResource::TableIndexes(t.name.clone()),
                ]
            })
            .collect(),
    };
    for service in &mut stack.services {
        if !services.contains(&service.name) {
            continue;
        }
        service.grants.push(grant.clone());
        if let Some(main) = service.containers.last_mut() {
            main.environment
                .insert("DYNAMODB_PREFIX".into(), EnvValue::TablePrefix);
            for t in &stack.tables {
                main.environment
                    .insert(table_variable(&t.name), EnvValue::TableName(t.name.clone()));
            }
        }
    }
}

/// What a service listed in `x-aws-dynamodb` may do with the tables and
/// their indexes.
const TABLE_ACTIONS: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
];

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
    spec: &Spanned<TableSpec>,
    shared: Option<&Spanned<ScalingSpec>>,
    diags: &mut Diagnostics,
) -> Option<Table> {
    let at = spec.span;
    let long = match &spec.value {
        TableSpec::Short(text) => {
            let parts: Vec<&str> = text.split('/').collect();
            if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
                let (message, help) = if parts.len() == 1 && !text.is_empty() {
                    (
                        format!("table `{text}` needs a hash key"),
                        format!(
                            "write `{text}/<hash-key>` or `{text}/<hash-key>/<range-key>`, or the long form with `name:` and `hash:`"
                        ),
                    )
                } else {
                    (
                        format!("table `{text}` is not `name/hash-key[/range-key]`"),
                        "for example `collection/player-id/card-id`, or the long form with `name:`, `hash:` and `range:`".to_owned(),
                    )
                };
                diags.push(Diagnostic::error(message).at(at).help(help));
                return None;
            }
            let part = |i: usize| Spanned::new(parts[i].to_owned(), at);
            crate::compose::game::Table {
                name: part(0),
                table_name: None,
                hash: part(1),
                range: (parts.len() == 3).then(|| part(2)),
                hash_type: None,
                range_type: None,
                billing: None,
                read: None,
                write: None,
                ttl: None,
                pitr: None,
                autoscaling: None,
            }
        }
        TableSpec::Long(t) => t.clone(),
    };
    let name = long.name.value.clone();
    // The physical name (`table_name:`, else derived from the stack) is
    // made and checked in `cfn/names.rs`.
    if long.hash.value.is_empty() {
        diags.push(
            Diagnostic::error(format!("table `{name}` needs a hash key"))
                .at(long.hash.span.or(at))
                .help("name the partition key attribute: `hash: player-id`"),
        );
    }
    let mut key_type = |t: Option<&Spanned<String>>, what: &str| -> String {
        let Some(t) = t else { return "S".into() };
        if !matches!(t.value.as_str(), "S" | "N" | "B") {
            diags.push(
                Diagnostic::error(format!(
                    "the {what} type of table `{name}` must be S, N or B, not `{}`",
                    t.value
                ))
                .at(t.span.or(at))
                .help("S = string, N = number, B = binary"),
            );
        }
        t.value.clone()
    };
    let hash = (
        long.hash.value.clone(),
        key_type(long.hash_type.as_ref(), "hash key"),
    );
    let range = long.range.as_ref().map(|r| {
        (
            r.value.clone(),
            key_type(long.range_type.as_ref(), "range key"),
        )
    });
    if let (Some(r), Some((range_name, _))) = (&long.range, &range)
        && *range_name == hash.0
    {
        diags.push(
            Diagnostic::error(format!(
                "table `{name}` uses `{}` as both hash and range key",
                hash.0
            ))
            .at(r.span.or(at))
            .also(long.hash.span.filter(|s| Some(*s) != r.span), "hash key")
            .help("the range key must be another attribute"),
        );
    }
    if long.range_type.is_some() && long.range.is_none() {
        diags.push(
            Diagnostic::error(format!(
                "table `{name}` has a `range_type` but no range key"
            ))
            .at(long.range_type.as_ref().and_then(|t| t.span).or(at))
            .help("add `range: <attribute>` or remove `range_type`"),
        );
    }
    let on_demand = match long.billing.as_ref() {
        None => false,
        Some(b) => match b.value.as_str() {
            "provisioned" => false,
            "on_demand" | "on-demand" | "PAY_PER_REQUEST" => true,
            other => {
                diags.push(
                    Diagnostic::error(format!("billing `{other}` of table `{name}` is unknown"))
                        .at(b.span.or(at))
                        .help("use `provisioned` (auto scaled) or `on_demand`"),
                );
                false
            }
        },
    };
    let own = long.autoscaling.as_ref();
    if let Some(s) = own {
        check_scaling(
            &s.value,
            &format!("the auto scaling of table `{name}`"),
            s.span,
            diags,
        );
    }
    let pick = |f: fn(&ScalingSpec) -> Option<u32>, default: u32| {
        own.and_then(|s| f(&s.value))
            .or_else(|| shared.and_then(|s| f(&s.value)))
            .unwrap_or(default)
    };
    let scaling = TableScaling {
        min: pick(|s| s.min.as_ref().map(|v| v.value), 1),
        max: pick(|s| s.max.as_ref().map(|v| v.value), 100),
        target: pick(|s| s.target.as_ref().map(|v| v.value), 70),
        scale_in_cooldown: pick(|s| s.scale_in_cooldown, 60),
        scale_out_cooldown: pick(|s| s.scale_out_cooldown, 60),
    };
    // Each block was checked on its own; a table whose min and max come
    // from different blocks (or a default) is checked here.
    let from = |f: fn(&ScalingSpec) -> bool| {
        own.filter(|s| f(&s.value))
            .or_else(|| shared.filter(|s| f(&s.value)))
    };
    let min_from = from(|s| s.min.is_some());
    let max_from = from(|s| s.max.is_some());
    let same_block = matches!((min_from, max_from), (Some(a), Some(b)) if std::ptr::eq(a, b));
    if scaling.max < scaling.min && !same_block {
        let (at_min, at_max) = (
            min_from.and_then(|s| s.value.min.as_ref().and_then(|m| m.span)),
            max_from.and_then(|s| s.value.max.as_ref().and_then(|m| m.span)),
        );
        diags.push(
            Diagnostic::error(format!(
                "table `{name}`: min {} is above max {}{}",
                scaling.min,
                scaling.max,
                if max_from.is_none() {
                    " (the default)"
                } else {
                    ""
                }
            ))
            .at(at_min.or(at_max).or(at))
            .also(at_max.filter(|_| at_min.is_some()), "max")
            .help("set `max` next to `min` in the same `autoscaling` block"),
        );
    }
    Some(Table {
        name,
        span: None,
        table_name: long.table_name.clone(),
        hash,
        range,
        read: long.read.unwrap_or(scaling.min),
        write: long.write.unwrap_or(scaling.min),
        scaling: (!on_demand).then_some(scaling),
        ttl: long.ttl.clone(),
        pitr: long.pitr.unwrap_or(true),
    })
}

/// One auto scaling block: 1 ≤ min ≤ max, target 20–90 %. Errors point at
/// the number at fault (the min/max pair: min, with max as a second label).
fn check_scaling(s: &ScalingSpec, what: &str, at: Option<Span>, diags: &mut Diagnostics) {
    if let Some(min) = &s.min
        && min.value == 0
    {
        diags.push(
            Diagnostic::error(format!("{what}: min must be at least 1"))
                .at(min.span.or(at))
                .help("DynamoDB needs at least one capacity unit; the default is 1"),
        );
    }
    if let (Some(min), Some(max)) = (&s.min, &s.max)
        && max.value < min.value
    {
        diags.push(
            Diagnostic::error(format!(
                "{what}: min {} is above max {}",
                min.value, max.value
            ))
            .at(min.span.or(at))
            .also(max.span, "max")
            .help("lower `min` or raise `max`"),
        );
    } else if let (None, Some(max)) = (&s.min, &s.max)
        && max.value == 0
    {
        diags.push(
            Diagnostic::error(format!("{what}: max must be at least 1"))
                .at(max.span.or(at))
                .help("the default is max 100"),
        );
    }
    if let Some(target) = &s.target
        && !(20..=90).contains(&target.value)
    {
        diags.push(
            Diagnostic::error(format!(
                "{what}: target {} % is outside 20–90 %",
                target.value
            ))
            .at(target.span.or(at))
            .help("DynamoDB tracks a utilisation between 20 and 90 percent; the default is 70"),
        );
    }
}

fn elasticache(project: &Project, cache: &ElastiCache, stack: &mut Stack, diags: &mut Diagnostics) {
    let at = span(project, "x-aws-elasticache");
    let redis = &cache.redis;
    check_services(project, "x-aws-elasticache", &redis.services, diags);
    let nodes = redis.nodes.as_ref().map_or(1, |n| n.value);
    if !(1..=6).contains(&nodes) {
        diags.push(
            Diagnostic::error(format!("a Redis replication group has 1 to 6 nodes, not {nodes}"))
                .at(redis.nodes.as_ref().and_then(|n| n.span).or(at))
                .help("set `redis_nodes` in the environment file to 1 (develop) or 2+ (production, Multi-AZ)"),
        );
    }
    let node_type = redis
        .node_type
        .as_ref()
        .map_or_else(|| "cache.t3.micro".into(), |t| t.value.clone());
    if !node_type.starts_with("cache.") {
        diags.push(
            Diagnostic::error(format!("`{node_type}` is not an ElastiCache node type"))
                .at(redis.node_type.as_ref().and_then(|t| t.span).or(at))
                .help("node types look like `cache.t3.micro` or `cache.r7g.large`"),
        );
    }
    let retention = redis.snapshot_retention.as_ref().map_or(1, |r| r.value);
    if retention == 0 {
        diags.push(
            Diagnostic::error("Redis snapshots must be kept at least one day")
                .at(redis.snapshot_retention.as_ref().and_then(|r| r.span).or(at))
                .help("player data is never left without a snapshot: use `snapshot_retention: 1` or more"),
        );
    }
    // The replication group's ID (given, else derived from the stack) is
    // made and checked in `cfn/names.rs`.
    stack.cache = Some(Cache {
        span: at,
        given_id: redis
            .replication_group_id
            .as_ref()
            .map(|id| (id.value.clone(), id.span)),
        node_type,
        nodes,
        engine_version: redis
            .engine_version
            .clone()
            .unwrap_or_else(|| REDIS_ENGINE_VERSION.into()),
        snapshot_retention: retention.max(1),
        services: names(&redis.services),
    });
    for service in &mut stack.services {
        if !redis.services.iter().any(|s| s.value == service.name) {
            continue;
        }
        if let Some(main) = service.containers.last_mut() {
            main.environment
                .insert("REDIS_HOST".into(), EnvValue::RedisHost);
            main.environment
                .insert("REDIS_PORT".into(), EnvValue::RedisPort);
        }
    }
}

fn route53(
    project: &Project,
    dns: &Route53,
    overlay: Option<&Value>,
    prefix: &str,
    stack: &mut Stack,
    diags: &mut Diagnostics,
) {
    let at = span(project, "x-aws-route53");
    let zone = dns.zone.value.trim_end_matches('.').to_owned();
    if zone.is_empty() {
        diags.push(
            Diagnostic::error("the hosted zone of `x-aws-route53` is empty")
                .at(dns.zone.span.or(at))
                .help("give the zone's domain name (`zone: example.com`); if it comes from a variable, set that variable"),
        );
        return;
    }
    let zone_is_id = zone.starts_with('Z')
        && !zone.contains('.')
        && zone.chars().all(|c| c.is_ascii_alphanumeric());
    // A dual-stack load balancer (made so by the overlay) gets AAAA records.
    let ipv6 = overlay
        .and_then(|o| o.get("Resources"))
        .and_then(|r| r.get(naming::LOAD_BALANCER))
        .and_then(|lb| lb.pointer("/Properties/IpAddressType"))
        .and_then(Value::as_str)
        == Some("dualstack");
    let top = at;
    // Records whose logical IDs clash are found where IDs are made
    // (`cfn/names.rs`); the DNS names themselves are lowering's.
    let mut names = Claims::new("DNS name");
    for spanned in &dns.records {
        let record = &spanned.value;
        let at = spanned.span.or(at);
        let name_at = record.name.span.or(at);
        let Some(service) = stack
            .services
            .iter()
            .find(|s| s.name == record.service.value)
        else {
            diags.push(
                Diagnostic::error(format!(
                    "record `{}` points at unknown service `{}`",
                    record.name.value, record.service.value
                ))
                .at(record.service.span.or(at))
                .help("name a service of this project that publishes ports"),
            );
            continue;
        };
        if service.listeners.is_empty() {
            diags.push(
                Diagnostic::error(format!(
                    "record `{}` points at `{}`, which publishes no port",
                    record.name.value, record.service.value
                ))
                .at(record.service.span.or(at))
                .help("only services behind the load balancer can have a DNS name: add `ports:`"),
            );
            continue;
        }
        if stack
            .load_balancer
            .as_ref()
            .is_some_and(|lb| lb.existing.is_some())
        {
            // Once for the extension, not once per record.
            diags.push(
                Diagnostic::error("Route 53 records need the load balancer c2cfn creates")
                    .at(top)
                    .help("with `x-aws-loadbalancer`, manage the DNS records of that load balancer where it is defined"),
            );
            return;
        }
        let Some(name) = record_name(
            &record.name.value,
            &zone,
            zone_is_id,
            prefix,
            name_at,
            diags,
        ) else {
            continue;
        };
        let unique = names.claim(
            &name.to_ascii_lowercase(),
            "record",
            &record.name.value,
            name_at,
            diags,
        );
        if !unique {
            continue;
        }
        stack.records.push(DnsRecord {
            name: format!("{name}."),
            span: name_at,
            written: record.name.value.clone(),
            zone: if zone_is_id {
                zone.clone()
            } else {
                format!("{zone}.")
            },
            zone_is_id,
            service: record.service.value.clone(),
            ipv6,
        });
    }
}

/// The fully qualified name of a record (without the trailing dot): a label
/// is placed in the zone, a full name must lie inside it. With a hosted-zone
/// ID the zone's domain is unknown offline, so the name must be written in
/// full. Every label must be 1–63 characters: an interpolation that left one
/// empty is an error, not a record at the wrong place.
fn record_name(
    written: &str,
    zone: &str,
    zone_is_id: bool,
    prefix: &str,
    at: Option<Span>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let label = written.trim_end_matches('.');
    if label.is_empty() {
        diags.push(
            Diagnostic::error("the record name is empty")
                .at(at)
                .help(format!(
                    "give a label such as `{prefix}`; if the name comes from a variable (`${{app_cluster}}`), set it in the environment file"
                )),
        );
        return None;
    }
    let lower = label.to_ascii_lowercase();
    let zone_lower = zone.to_ascii_lowercase();
    let name = if zone_is_id {
        if !label.contains('.') {
            diags.push(
                Diagnostic::error(format!(
                    "record `{label}` is a bare label, but zone `{zone}` is a hosted-zone ID"
                ))
                .at(at)
                .help(format!(
                    "c2cfn renders offline and cannot look up the zone's domain: write the full name (`{label}.example.com`), or give the zone's domain name as `zone:`"
                )),
            );
            return None;
        }
        label.to_owned()
    } else if lower == zone_lower || lower.ends_with(&format!(".{zone_lower}")) {
        label.to_owned()
    } else if label.contains('.') {
        let first = label.split('.').next().unwrap_or(label);
        diags.push(
            Diagnostic::error(format!("record `{label}` is outside zone `{zone}`"))
                .at(at)
                .help(format!(
                    "write a label (`{first}` becomes `{first}.{zone}`) or a full name ending in `.{zone}`"
                )),
        );
        return None;
    } else {
        format!("{label}.{zone}")
    };
    if name.split('.').any(|l| l.is_empty() || l.len() > 63) {
        diags.push(
            Diagnostic::error(format!("`{name}` is not a valid DNS name"))
                .at(at)
                .help(format!(
                    "record names are labels of 1–63 characters separated by dots, e.g. `{prefix}`; an empty label often means a variable was not set"
                )),
        );
        return None;
    }
    Some(name)
}
