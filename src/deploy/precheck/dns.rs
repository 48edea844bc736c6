//! Route 53 and ACM before the change set: the hosted zone of every record
//! exists (one zone of that name, or the ID given), and every certificate a
//! listener names exists in the deploy region, is ISSUED and covers the
//! names of the records that point at that listener's load balancer.
//! CloudFormation would otherwise fail minutes in (a record: "No hosted zone
//! found"; a listener: "Certificate not found"), after the load balancer and
//! more were made. A record that already exists in its zone outside the
//! stack (made by a script) is refused too: CloudFormation cannot import a
//! record set, and creating it would fail the deploy half-way ("already
//! exists"). Every problem is reported at once; nothing has changed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::Failure;
use crate::aws::ApiResult;
use crate::aws::acm::AcmApi;
use crate::aws::cloudformation::StackResource;
use crate::aws::route53::{Route53Api, Zone};

/// A record of the template: its name, its zone, and the load balancer its
/// alias points at.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    logical_id: String,
    name: String,
    /// The record type (`A`, `AAAA`).
    kind: String,
    zone: ZoneRef,
    load_balancer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ZoneRef {
    Name(String),
    Id(String),
}

/// A certificate a listener of the template names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Use {
    arn: String,
    load_balancer: Option<String>,
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn bare(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn records(template: &Value) -> Vec<Record> {
    let mut found = Vec::new();
    for (id, r) in resources(template) {
        if text(r, "/Type") != Some("AWS::Route53::RecordSet") {
            continue;
        }
        let Some(name) = text(r, "/Properties/Name") else {
            continue;
        };
        let zone = if let Some(z) = text(r, "/Properties/HostedZoneId") {
            ZoneRef::Id(z.to_owned())
        } else if let Some(z) = text(r, "/Properties/HostedZoneName") {
            ZoneRef::Name(z.to_owned())
        } else {
            continue; // a Ref or an overlay's intrinsic: CloudFormation resolves it
        };
        let load_balancer = r
            .pointer("/Properties/AliasTarget/DNSName/Fn::GetAtt/0")
            .and_then(Value::as_str)
            .map(str::to_owned);
        found.push(Record {
            logical_id: id.clone(),
            name: bare(name),
            kind: text(r, "/Properties/Type").unwrap_or("A").to_owned(),
            zone,
            load_balancer,
        });
    }
    found
}

fn uses(template: &Value) -> Vec<Use> {
    let mut found = Vec::new();
    for (_, r) in resources(template) {
        if text(r, "/Type") != Some("AWS::ElasticLoadBalancingV2::Listener") {
            continue;
        }
        let load_balancer = text(r, "/Properties/LoadBalancerArn/Ref").map(str::to_owned);
        for c in r
            .pointer("/Properties/Certificates")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(arn) = c.get("CertificateArn").and_then(Value::as_str) {
                found.push(Use {
                    arn: arn.to_owned(),
                    load_balancer: load_balancer.clone(),
                });
            }
        }
    }
    found
}

fn resources(template: &Value) -> impl Iterator<Item = (&String, &Value)> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
}

/// The region of an ACM certificate ARN (`arn:aws:acm:REGION:ACCOUNT:certificate/ID`);
/// `None` for another kind of ARN (an IAM server certificate).
#[must_use]
pub fn acm_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    if parts.next()? != "acm" {
        return None;
    }
    parts.next().filter(|r| !r.is_empty())
}

/// Whether a certificate name covers a host name, by ACM's rules: names
/// compare without case; `*.example.com` covers exactly one more label
/// (`a.example.com`, not `example.com` nor `a.b.example.com`).
#[must_use]
pub fn covers(pattern: &str, host: &str) -> bool {
    let pattern = bare(pattern);
    let host = bare(host);
    match pattern.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => pattern == host,
    }
}

/// Refuses when a record's hosted zone or a listener's certificate would
/// make CloudFormation fail, or when a record the stack does not have yet
/// (`in_stack`: the resources it has, from
/// [`crate::deploy::adopt::in_stack`]) already exists in its zone.
pub async fn check<R: Route53Api, A: AcmApi>(
    route53: &R,
    acm: &A,
    region: &str,
    template: &Value,
    in_stack: &[StackResource],
) -> Result<(), Failure> {
    let records = records(template);
    let mut problems = Vec::new();
    let mut zones: BTreeMap<ZoneRef, ApiResult<Vec<Zone>>> = BTreeMap::new();
    for r in &records {
        if !zones.contains_key(&r.zone) {
            let found = match &r.zone {
                ZoneRef::Name(n) => route53.zones_named(&format!("{}.", bare(n))).await,
                ZoneRef::Id(id) => route53.zone(id).await.map(|z| z.into_iter().collect()),
            };
            zones.insert(r.zone.clone(), found);
        }
        let found = match &zones[&r.zone] {
            Ok(z) => z,
            Err(e) => {
                return Err(Failure::api(
                    &format!("cannot look up the hosted zone of record {}", r.name),
                    e,
                ));
            }
        };
        match (&r.zone, found.len()) {
            (ZoneRef::Name(n), 0) => problems.push(format!(
                "record {} ({}): there is no hosted zone {} in this account\n    fix: create it (`aws route53 create-hosted-zone --name {} --caller-reference $(date +%s)`) and delegate the domain to its name servers, or set `zone:` in x-aws-route53 to a zone you have (`aws route53 list-hosted-zones`)",
                r.name, r.logical_id, bare(n), bare(n)
            )),
            (ZoneRef::Id(id), 0) => problems.push(format!(
                "record {} ({}): there is no hosted zone with ID {id} in this account\n    fix: set `zone:` in x-aws-route53 to a zone ID or name from `aws route53 list-hosted-zones`",
                r.name, r.logical_id
            )),
            (ZoneRef::Name(n), count) if count > 1 => problems.push(format!(
                "record {} ({}): {count} hosted zones are named {} ({}); CloudFormation cannot choose one by name\n    fix: set `zone:` in x-aws-route53 to the ID of the zone to use",
                r.name,
                r.logical_id,
                bare(n),
                found
                    .iter()
                    .map(|z| format!(
                        "{}{}",
                        z.id.trim_start_matches("/hostedzone/"),
                        if z.private { " private" } else { " public" }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            (_, 1) if !in_stack.iter().any(|s| s.logical_id == r.logical_id) => {
                let zone = &found[0];
                let fqdn = format!("{}.", r.name);
                match route53.record_exists(&zone.id, &fqdn, &r.kind).await {
                    Ok(true) => problems.push(format!(
                        "record {} {} ({}) already exists in hosted zone {}, made outside this stack; CloudFormation cannot import a record set, and creating it would fail the deploy half-way\n    fix: to let the stack own the name, delete the record and deploy at once (a gap of at most the record's TTL): `aws route53 change-resource-record-sets --hosted-zone-id {} --change-batch` with a DELETE of it, then `c2cfn up`; with no gap: point x-aws-route53 at a new name, move clients to it, then delete the old record",
                        r.name,
                        r.kind,
                        r.logical_id,
                        bare(&zone.name),
                        zone.id.trim_start_matches("/hostedzone/")
                    )),
                    Ok(false) => {}
                    Err(e) => {
                        return Err(Failure::api(
                            &format!("cannot look up record {} in its hosted zone", r.name),
                            &e,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    let mut seen = BTreeMap::new();
    for u in uses(template) {
        let names: Vec<&Record> = records
            .iter()
            .filter(|r| r.load_balancer.is_some() && r.load_balancer == u.load_balancer)
            .collect();
        let entry = seen.entry(u.arn.clone()).or_insert_with(Vec::new);
        for r in names {
            if !entry.contains(&r.name) {
                entry.push(r.name.clone());
            }
        }
        entry.sort();
    }
    for (arn, hosts) in &seen {
        let Some(cert_region) = acm_region(arn) else {
            continue; // an IAM server certificate: the listener checks it
        };
        if cert_region != region {
            problems.push(format!(
                "certificate {arn} is in region {cert_region}, the stack deploys to {region}; a load balancer can only use a certificate of its own region\n    fix: request or import the certificate in {region} (`aws acm request-certificate --region {region} --domain-name NAME --validation-method DNS`) and set `certificate_arn` (x-aws-tls) to its ARN"
            ));
            continue;
        }
        let cert = match acm.certificate(arn).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                problems.push(format!(
                    "certificate {arn} does not exist in this account\n    fix: set `certificate_arn` (x-aws-tls) to an ARN from `aws acm list-certificates --region {region}`"
                ));
                continue;
            }
            Err(e) => {
                return Err(Failure::api(
                    &format!("cannot look up certificate {arn}"),
                    &e,
                ));
            }
        };
        if cert.status != "ISSUED" {
            let fix = if cert.status == "PENDING_VALIDATION" {
                format!(
                    "finish its validation: add the CNAME record(s) `aws acm describe-certificate --region {region} --certificate-arn {arn}` lists to DNS, wait until it is ISSUED, and run the command again"
                )
            } else {
                "request a new certificate and set `certificate_arn` (x-aws-tls) to its ARN"
                    .to_owned()
            };
            problems.push(format!(
                "certificate {arn} is {}, not ISSUED; a listener cannot use it\n    fix: {fix}",
                cert.status
            ));
        }
        let uncovered: Vec<&str> = hosts
            .iter()
            .filter(|h| !cert.names.iter().any(|n| covers(n, h)))
            .map(String::as_str)
            .collect();
        if !uncovered.is_empty() {
            problems.push(format!(
                "certificate {arn} covers {}, not {}; clients would reject the TLS connection\n    fix: use a certificate that covers the record names (a wildcard `*.zone` covers one label below the zone), or change the record names in x-aws-route53",
                cert.names.join(", "),
                uncovered.join(", ")
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Failure::refused(
        format!(
            "refused before deploying: the DNS and TLS settings would fail the deploy:\n  {}\nNothing was changed.",
            problems.join("\n  ")
        ),
        "fix the problems above, then run the command again (docs/deploy.md, \"Checks before deploying\")",
    ))
}

#[cfg(test)]
mod tests;
