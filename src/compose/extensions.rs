//! Typed `x-aws-*` extensions: Docker's ECS extensions and c2cfn's own.
//!
//! Each extension is typed straight from its span-carrying YAML node
//! (`node_de`), never through JSON, so every value keeps its span and an
//! error points at the exact value or key the user wrote. The same types
//! produce `c2cfn schema` (schemars), so the editor completion and the
//! checks can never disagree.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::node_de;
use super::project::{Extensions, Overlay, Spanned, pointer};
use super::yaml::{Entry, Kind, Node};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::Span;

/// Top-level `x-aws-*` keys of a compose file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
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
    #[serde(
        rename = "x-aws-role",
        default,
        deserialize_with = "policy",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(schema_with = "policy_schema")]
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
    pub tls: Option<Vec<Spanned<Tls>>>,
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
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ssh {
    /// The container's SSH port (default: 22).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// IPv4 or IPv6 address ranges allowed in, e.g. `[203.0.113.7/32]`.
    pub cidr: Spanned<Vec<Spanned<String>>>,
}

/// `x-aws-autoscaling`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    /// Fewest tasks (default: `deploy.replicas`, else 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Spanned<u32>>,
    /// Most tasks.
    pub max: Spanned<u32>,
    /// Target average CPU utilisation, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Spanned<u32>>,
    /// Target average memory utilisation, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Spanned<u32>>,
}

/// One `x-aws-tls` entry.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// The container port (one of the service's `ports`).
    pub port: u16,
    /// The public port clients connect to (default: 443).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<u16>,
    /// ACM certificate ARN, or `${certificate_arn}` from the environment file.
    pub certificate: Spanned<String>,
    /// TLS policy of the listener (default: `ELBSecurityPolicy-TLS13-1-2-2021-06`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
}

/// `x-aws-autoscaling` under `deploy`, where Docker's integration read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeployExtensions {
    /// `x-aws-autoscaling`.
    #[serde(rename = "x-aws-autoscaling", skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
}

/// `x-aws-min_percent` / `x-aws-max_percent` under `deploy.update_config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateExtensions {
    /// ECS deployment `MinimumHealthyPercent`.
    #[serde(rename = "x-aws-min_percent", skip_serializing_if = "Option::is_none")]
    pub min_percent: Option<Spanned<u32>>,
    /// ECS deployment `MaximumPercent`.
    #[serde(rename = "x-aws-max_percent", skip_serializing_if = "Option::is_none")]
    pub max_percent: Option<Spanned<u32>>,
}

/// Secret-level `x-aws-keys`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretExtensions {
    /// Keys of a JSON secret to expose as separate files (`*` for all).
    #[serde(rename = "x-aws-keys", skip_serializing_if = "Option::is_none")]
    pub keys: Option<StringOrList>,
}

/// Network-level `x-aws-securitygroup` (Docker's older spelling of `external` + `name`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortExtensions {
    /// `http`/`https` ask for an application load balancer, as in Docker's integration.
    #[serde(rename = "x-aws-protocol", skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// A string or a list of strings.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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

impl<'de> Deserialize<'de> for StringOrList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StringOrList;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<StringOrList, E> {
                Ok(StringOrList::One(v.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<StringOrList, A::Error> {
                let mut all = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    all.push(s);
                }
                Ok(StringOrList::Many(all))
            }
        }
        d.deserialize_any(V)
    }
}

fn any_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": ["object", "null"] })
}

fn policy_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": ["object", "array", "null"] })
}

/// `x-aws-role`: a policy document (a mapping) or a list of statements.
fn policy<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v @ (Value::Object(_) | Value::Array(_)) => Ok(Some(v)),
        _ => Err(serde::de::Error::custom(
            "`x-aws-role` must be a policy document (a mapping with `Statement`) or a list of statements",
        )),
    }
}

/// Records the `x-*` entries of a mapping and types its `x-aws-*` keys as
/// `T` (see [`parse`]); the errors are kept in [`Extensions::problems`].
/// An unknown key is reported at the key, an error without a place of its
/// own at `fallback`.
pub(crate) fn typed<T>(entries: &[(&String, &Entry)], fallback: Option<Span>) -> Extensions<T>
where
    T: serde::de::DeserializeOwned + Default,
{
    let mut ext: Extensions<T> = untyped(entries);
    let nodes: Vec<(&str, Option<Span>, &Node)> = entries
        .iter()
        .map(|(k, e)| (k.as_str(), Some(e.key_span), &e.value))
        .collect();
    ext.value = parse(nodes, fallback, &mut ext.problems);
    ext
}

/// Records where the `x-*` entries of a mapping were written, typing none.
pub(crate) fn untyped<T: Default>(entries: &[(&String, &Entry)]) -> Extensions<T> {
    let mut ext = Extensions::<T>::default();
    for (k, e) in entries {
        ext.keys.insert((*k).clone(), e.key_span);
        ext.spans.insert((*k).clone(), e.value.span);
    }
    ext
}

/// `x-aws-autoscaling` under `deploy`.
pub(crate) fn deploy(entries: &[(&String, &Entry)]) -> Extensions<DeployExtensions> {
    let mut ext: Extensions<DeployExtensions> = untyped(entries);
    if let Some((_, e)) = entries.iter().find(|(k, _)| *k == "x-aws-autoscaling") {
        match node_de::from_node::<Autoscaling>(&e.value, "x-aws-autoscaling") {
            Ok(a) => ext.value.autoscaling = Some(a),
            Err(err) => ext.problems.push(err.diagnostic(Some(e.value.span))),
        }
    }
    ext
}

/// `x-aws-min_percent` / `x-aws-max_percent` under `deploy.update_config`.
pub(crate) fn update_config(entries: &[(&String, &Entry)]) -> Extensions<UpdateExtensions> {
    let mut ext: Extensions<UpdateExtensions> = untyped(entries);
    for key in ["x-aws-min_percent", "x-aws-max_percent"] {
        let Some((_, e)) = entries.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        let node = &e.value;
        let value = match node_de::from_node::<u32>(node, key) {
            Ok(n) => Some(Spanned::new(n, node.span)),
            Err(err) => {
                ext.problems.push(
                    err.diagnostic(Some(node.span))
                        .help("a whole percentage, for example `x-aws-min_percent: 50`"),
                );
                None
            }
        };
        if key == "x-aws-min_percent" {
            ext.value.min_percent = value;
        } else {
            ext.value.max_percent = value;
        }
    }
    ext
}

/// Types the `x-aws-*` entries `(key, span, value)` (other `x-*` keys are
/// the user's own and are left alone) as `T`, straight from their nodes
/// (see `node_de`). Every error points at the value or key at fault; each
/// key is typed on its own first, so a problem in one extension does not
/// hide a problem in another. An extension with an error is left out of `T`.
fn parse<T>(
    entries: Vec<(&str, Option<Span>, &Node)>,
    fallback: Option<Span>,
    diags: &mut Diagnostics,
) -> T
where
    T: serde::de::DeserializeOwned + Default,
{
    let entries: Vec<(&str, Option<Span>, &Node)> = entries
        .into_iter()
        .filter(|(key, _, _)| key.starts_with("x-aws-"))
        .collect();
    if entries.is_empty() {
        return T::default();
    }
    // Each key on its own; within it, a list item at fault (a table, a
    // record) is reported and left out, and the rest is typed again, so
    // every bad item is reported once and the good ones are still used.
    let mut good: Vec<(&str, Option<Span>, Node)> = Vec::new();
    for (key, span, node) in entries {
        let mut node = node.clone();
        loop {
            match node_de::from_entries::<T>(vec![(key, span, &node)]) {
                Ok(_) => {
                    good.push((key, span, node));
                    break;
                }
                Err(e) => {
                    diags.push(e.diagnostic(span.or(fallback)));
                    if !e.span.is_some_and(|at| drop_item(&mut node, at)) {
                        break;
                    }
                }
            }
        }
    }
    let refs = good.iter().map(|(k, s, n)| (*k, *s, n)).collect();
    node_de::from_entries::<T>(refs).unwrap_or_else(|e| {
        diags.push(e.diagnostic(fallback));
        T::default()
    })
}

/// Leaves out the innermost list item that contains `at` (it becomes a
/// `!reset` null, which `node_de` skips while keeping the other items'
/// positions); false when `at` is in no list item (then the whole extension
/// is left out).
fn drop_item(node: &mut Node, at: Span) -> bool {
    let inside =
        |n: &Node| n.span.file == at.file && n.span.start <= at.start && at.end <= n.span.end;
    match &mut node.kind {
        Kind::Seq(items) => {
            let Some(i) = items.iter().position(|n| n.tag.is_none() && inside(n)) else {
                return false;
            };
            if !drop_item(&mut items[i], at) {
                let span = items[i].span;
                items[i] = Node {
                    kind: Kind::Scalar(super::yaml::Scalar {
                        text: String::new(),
                        quoted: false,
                    }),
                    span,
                    tag: Some(super::yaml::Tag::Reset),
                };
            }
            true
        }
        Kind::Map(map) => map
            .values_mut()
            .any(|e| inside(&e.value) && drop_item(&mut e.value, at)),
        Kind::Scalar(_) => false,
    }
}

/// `x-aws-cloudformation` is merged into the template: it must be a mapping
/// of template sections, each a mapping (entries of `Resources` mappings
/// too), where `null` deletes. Anything else would replace generated parts
/// of the template wholesale, so it is an error at the value.
pub fn check_overlay(node: &Node, diags: &mut Diagnostics) {
    let wrong = |node: &Node, what: &str, expected: &str| {
        Diagnostic::error(format!("`{what}` must be {expected}, not {}", node.shape()))
            .at(node.span)
            .help("the overlay is a CloudFormation template fragment: `Resources: {<LogicalId>: {Properties: {…}}}`; `null` deletes")
    };
    let Kind::Map(sections) = &node.kind else {
        if !node.is_null() {
            diags.push(wrong(node, "x-aws-cloudformation", "a mapping"));
        }
        return;
    };
    for (name, section) in sections {
        let what = format!("x-aws-cloudformation.{name}");
        match &section.value.kind {
            Kind::Map(entries) if name == "Resources" => {
                for (id, resource) in entries {
                    let v = &resource.value;
                    if !v.is_null() && v.as_map().is_none() {
                        diags.push(wrong(
                            v,
                            &format!("{what}.{id}"),
                            "a mapping (or null to delete it)",
                        ));
                    }
                }
            }
            Kind::Map(_) => {}
            _ if section.value.is_null() => {}
            _ if matches!(
                name.as_str(),
                "AWSTemplateFormatVersion" | "Description" | "Transform"
            ) => {}
            _ => diags.push(wrong(
                &section.value,
                &what,
                "a mapping (or null to delete it)",
            )),
        }
    }
}
/// `x-aws-cloudformation` as JSON with the span of every mapping key; None
/// when it is null.
pub(crate) fn overlay(value: Option<Value>, node: &Node) -> Option<Overlay> {
    let value = value?;
    let mut keys = std::collections::BTreeMap::new();
    key_spans(node, "", &mut keys);
    Some(Overlay { value, keys })
}

fn key_spans(node: &Node, at: &str, out: &mut std::collections::BTreeMap<String, Span>) {
    match &node.kind {
        Kind::Map(map) => {
            for (k, e) in map {
                let here = pointer(at, k);
                out.insert(here.clone(), e.key_span);
                key_spans(&e.value, &here, out);
            }
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                key_spans(item, &format!("{at}/{i}"), out);
            }
        }
        Kind::Scalar(_) => {}
    }
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
    let mut defs = merge_defs(&[&project, &service, &secret, &network]);
    allow_interpolation(&mut properties);
    allow_interpolation(&mut defs);
    if let Value::Object(d) = &mut defs {
        d.insert(
            INTERPOLATION_DEF.to_owned(),
            serde_json::json!({
                "description": "A `${variable}` (or `$variable`) that compose interpolates before c2cfn checks the value, e.g. `${redis_nodes:-1}`.",
                "type": "string",
                "pattern": "\\$(\\{[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_])"
            }),
        );
    }
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "c2cfn compose extensions",
        "description": "The x-aws-* keys c2cfn understands in a compose file; everything else is the Compose specification.",
        "type": "object",
        "properties": properties,
        "$defs": defs,
        "additionalProperties": true
    })
}

/// The definition an interpolated number or boolean refers to.
const INTERPOLATION_DEF: &str = "Interpolation";

/// Wherever a number or a boolean is expected, also accepts a string that
/// interpolates a variable (`nodes: ${redis_nodes}`): compose substitutes it
/// before c2cfn reads the value, so an editor must not underline it.
fn allow_interpolation(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                allow_interpolation(child);
            }
            let scalar = |t: &Value| matches!(t.as_str(), Some("integer" | "number" | "boolean"));
            let typed = map.get("type").is_some_and(|t| {
                scalar(t) || t.as_array().is_some_and(|list| list.iter().any(scalar))
            });
            if typed {
                let description = map.remove("description");
                let original = Value::Object(std::mem::take(map));
                map.insert(
                    "anyOf".into(),
                    serde_json::json!([original, {"$ref": format!("#/$defs/{INTERPOLATION_DEF}")}]),
                );
                if let Some(d) = description {
                    map.insert("description".into(), d);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(allow_interpolation),
        _ => {}
    }
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
