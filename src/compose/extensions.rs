//! Typed `x-aws-*` extensions: Docker's ECS extensions and c2cfn's own.
//!
//! Each extension is deserialised from its YAML node on its own, so an error
//! points at the extension (or, through the serde path, at the exact field)
//! the user wrote. The same types produce `c2cfn schema` (schemars), so the
//! editor completion and the checks can never disagree.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::yaml::{Kind, Node};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::Span;

/// Top-level `x-aws-*` keys of a compose file.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectExtensions {
    /// Name or ARN of an existing ECS cluster to deploy into (no `Cluster` resource is created).
    #[serde(rename = "x-aws-cluster", skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// ID or ARN of the VPC to deploy into (default: the account's default VPC, looked up at deploy time).
    #[serde(rename = "x-aws-vpc", skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// c2cfn: subnet IDs to use (default: the VPC's subnets, looked up at deploy time).
    #[serde(rename = "x-aws-subnets", skip_serializing_if = "Option::is_none")]
    pub subnets: Option<Vec<String>>,
    /// Name or ARN of an existing load balancer to use instead of creating one.
    #[serde(rename = "x-aws-loadbalancer", skip_serializing_if = "Option::is_none")]
    pub loadbalancer: Option<String>,
    /// Days to keep logs in the project's log group (CloudWatch's allowed values; default 30, `0` keeps them forever).
    #[serde(
        rename = "x-aws-logs_retention",
        skip_serializing_if = "Option::is_none"
    )]
    pub logs_retention: Option<u32>,
    /// A CloudFormation fragment merged over the generated template: mappings merge, other values replace, `null` deletes.
    #[serde(
        rename = "x-aws-cloudformation",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(schema_with = "any_object")]
    pub cloudformation: Option<Value>,
    /// c2cfn: DynamoDB tables with auto scaling, and the services that use them.
    #[serde(rename = "x-aws-dynamodb", skip_serializing_if = "Option::is_none")]
    pub dynamodb: Option<super::game::DynamoDb>,
    /// c2cfn: an ElastiCache Redis replication group.
    #[serde(rename = "x-aws-elasticache", skip_serializing_if = "Option::is_none")]
    pub elasticache: Option<super::game::ElastiCache>,
    /// c2cfn: Route 53 alias records pointing at the load balancer.
    #[serde(rename = "x-aws-route53", skip_serializing_if = "Option::is_none")]
    pub route53: Option<super::game::Route53>,
    /// c2cfn: give the network load balancer a security group and admit only it to the container ports (default: when it terminates TLS); `false` keeps a load balancer created without one (a stack made by Docker's integration).
    #[serde(
        rename = "x-aws-loadbalancer_security_group",
        skip_serializing_if = "Option::is_none"
    )]
    pub loadbalancer_security_group: Option<bool>,
}

/// Service-level `x-aws-*` keys.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceExtensions {
    /// ARN of a Secrets Manager secret holding registry credentials for a private image.
    #[serde(
        rename = "x-aws-pull_credentials",
        skip_serializing_if = "Option::is_none"
    )]
    pub pull_credentials: Option<String>,
    /// ECS deployment `MinimumHealthyPercent` (overrides `deploy.update_config`).
    #[serde(rename = "x-aws-min_percent", skip_serializing_if = "Option::is_none")]
    pub min_percent: Option<u32>,
    /// ECS deployment `MaximumPercent` (overrides `deploy.update_config`).
    #[serde(rename = "x-aws-max_percent", skip_serializing_if = "Option::is_none")]
    pub max_percent: Option<u32>,
    /// An IAM policy document (or a list of statements) granted to the service's task role.
    #[serde(rename = "x-aws-role", skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "any_object")]
    pub role: Option<Value>,
    /// Managed policy ARNs attached to the service's task role.
    #[serde(rename = "x-aws-policies", skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
    /// Service auto scaling on CPU or memory utilisation.
    #[serde(rename = "x-aws-autoscaling", skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    /// c2cfn: ECS Exec (`c2cfn exec`, `c2cfn tunnel`); on by default.
    #[serde(rename = "x-aws-exec", skip_serializing_if = "Option::is_none")]
    pub exec: Option<bool>,
    /// c2cfn: serve published ports over TLS: container port → public port and certificate.
    #[serde(rename = "x-aws-tls", skip_serializing_if = "Option::is_none")]
    pub tls: Option<Vec<Tls>>,
    /// c2cfn: give tasks a public IP (Docker's behaviour, the default); `false` for private subnets with a NAT.
    #[serde(
        rename = "x-aws-assign_public_ip",
        skip_serializing_if = "Option::is_none"
    )]
    pub assign_public_ip: Option<bool>,
    /// c2cfn: open the task's SSH port (for `c2cfn tunnel --ssh`) to the listed address ranges; closed unless given.
    #[serde(rename = "x-aws-ssh", skip_serializing_if = "Option::is_none")]
    pub ssh: Option<Ssh>,
}

/// `x-aws-ssh`: who may reach the task's SSH server directly.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ssh {
    /// The container's SSH port (default: 22).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// IPv4 or IPv6 address ranges allowed in, e.g. `[203.0.113.7/32]`.
    pub cidr: Vec<String>,
}

/// `x-aws-autoscaling`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    /// Fewest tasks (default: `deploy.replicas`, else 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// Most tasks.
    pub max: u32,
    /// Target average CPU utilisation, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// Target average memory utilisation, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
}

/// One `x-aws-tls` entry.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// The container port (one of the service's `ports`).
    pub port: u16,
    /// The public port clients connect to (default: 443).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<u16>,
    /// ACM certificate ARN, or `${certificate_arn}` from the environment file.
    pub certificate: String,
    /// TLS policy of the listener (default: `ELBSecurityPolicy-TLS13-1-2-2021-06`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
}

/// Secret-level `x-aws-keys`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretExtensions {
    /// Keys of a JSON secret to expose as separate files (`*` for all).
    #[serde(rename = "x-aws-keys", skip_serializing_if = "Option::is_none")]
    pub keys: Option<StringOrList>,
}

/// Network-level `x-aws-securitygroup` (Docker's older spelling of `external` + `name`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkExtensions {
    /// ID of an existing security group to use for this network.
    #[serde(
        rename = "x-aws-securitygroup",
        skip_serializing_if = "Option::is_none"
    )]
    pub securitygroup: Option<String>,
}

/// Port-level `x-aws-protocol`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortExtensions {
    /// `http`/`https` ask for an application load balancer, as in Docker's integration.
    #[serde(rename = "x-aws-protocol", skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// A string or a list of strings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum StringOrList {
    /// One.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl StringOrList {
    /// As a list.
    #[must_use]
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s.clone()],
            Self::Many(v) => v.clone(),
        }
    }
}

fn any_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object" })
}

/// Deserialises the `x-aws-*` entries of `extensions` (other `x-*` keys are
/// the user's own and are left alone) into `T`. Errors point at the key or
/// the field that is wrong.
pub fn parse<T>(
    extensions: &IndexMap<String, Node>,
    key_spans: &dyn Fn(&str) -> Option<Span>,
    fallback: Span,
    diags: &mut Diagnostics,
) -> T
where
    T: for<'de> Deserialize<'de> + Default,
{
    let mut object = serde_json::Map::new();
    let mut nodes: IndexMap<&str, &Node> = IndexMap::new();
    for (key, node) in extensions {
        if key.starts_with("x-aws-") {
            object.insert(key.clone(), node.to_json());
            nodes.insert(key, node);
        }
    }
    if object.is_empty() {
        return T::default();
    }
    let value = Value::Object(object);
    match serde_path_to_error::deserialize::<_, T>(&value) {
        Ok(v) => v,
        Err(err) => {
            let path: Vec<String> = err
                .path()
                .iter()
                .map(|seg| match seg {
                    serde_path_to_error::Segment::Map { key } => key.clone(),
                    serde_path_to_error::Segment::Seq { index } => index.to_string(),
                    _ => String::new(),
                })
                .collect();
            let inner = err.into_inner().to_string();
            let top = path.first().cloned().unwrap_or_default();
            let span = nodes
                .get(top.as_str())
                .map(|n| locate(n, &path[1..]))
                .or_else(|| key_spans(&top))
                .or_else(|| unknown_key_span(&inner, key_spans))
                .unwrap_or(fallback);
            let (message, help) = explain(&inner);
            diags.push(Diagnostic::error(message).at(span).help(help));
            T::default()
        }
    }
}

/// Follows a serde path into the node tree to the most precise span.
fn locate(node: &Node, path: &[String]) -> Span {
    let Some((first, rest)) = path.split_first() else {
        return node.span;
    };
    match &node.kind {
        Kind::Map(map) => match map.get(first) {
            Some(e) if rest.is_empty() => e.value.span,
            Some(e) => locate(&e.value, rest),
            None => node.span,
        },
        Kind::Seq(items) => match first.parse::<usize>().ok().and_then(|i| items.get(i)) {
            Some(item) => locate(item, rest),
            None => node.span,
        },
        Kind::Scalar(_) => node.span,
    }
}

fn unknown_key_span(message: &str, key_spans: &dyn Fn(&str) -> Option<Span>) -> Option<Span> {
    let name = message.strip_prefix("unknown field `")?.split('`').next()?;
    key_spans(name)
}

fn explain(serde_message: &str) -> (String, String) {
    if let Some(rest) = serde_message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let expected = rest.split("expected ").nth(1).unwrap_or("");
        return (
            format!("unknown extension key `{name}`"),
            format!("valid keys here: {expected}; see `c2cfn schema` and docs/conversion.md"),
        );
    }
    (
        format!("invalid extension value: {serde_message}"),
        "see `c2cfn schema` and docs/conversion.md for the expected shape".to_owned(),
    )
}

/// The JSON Schema of every c2cfn extension, shaped as a compose file so an
/// editor can validate and complete the `x-aws-*` keys in place.
#[must_use]
pub fn schema() -> Value {
    let project =
        serde_json::to_value(schemars::schema_for!(ProjectExtensions)).unwrap_or(Value::Null);
    let service =
        serde_json::to_value(schemars::schema_for!(ServiceExtensions)).unwrap_or(Value::Null);
    let secret =
        serde_json::to_value(schemars::schema_for!(SecretExtensions)).unwrap_or(Value::Null);
    let network =
        serde_json::to_value(schemars::schema_for!(NetworkExtensions)).unwrap_or(Value::Null);
    let props = project
        .get("properties")
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    let mut properties = serde_json::json!({
        "services": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": service.get("properties").cloned().unwrap_or_default(),
                "additionalProperties": true
            }
        },
        "secrets": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": secret.get("properties").cloned().unwrap_or_default(),
                "additionalProperties": true
            }
        },
        "networks": {
            "type": "object",
            "additionalProperties": {
                "anyOf": [{"type": "null"}, {
                    "type": "object",
                    "properties": network.get("properties").cloned().unwrap_or_default(),
                    "additionalProperties": true
                }]
            }
        }
    });
    if let (Value::Object(all), Value::Object(top)) = (&mut properties, props) {
        all.extend(top);
    }
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "c2cfn compose extensions",
        "description": "The x-aws-* keys c2cfn understands in a compose file; everything else is the Compose specification.",
        "type": "object",
        "properties": properties,
        "$defs": merge_defs(&[&project, &service, &secret, &network]),
        "additionalProperties": true
    })
}

fn merge_defs(schemas: &[&Value]) -> Value {
    let mut defs = serde_json::Map::new();
    for s in schemas {
        if let Some(Value::Object(d)) = s.get("$defs") {
            defs.extend(d.clone());
        }
    }
    Value::Object(defs)
}
