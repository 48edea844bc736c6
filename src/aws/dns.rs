//! [`DnsApi`] over the AWS SDK's Route 53 and ACM clients: hosted zones by
//! name or ID, and a certificate by ARN, for the checks before deploying.

use super::{ApiResult, sdk_error as error};
use crate::deploy::precheck::dns::{Certificate, DnsApi, Zone};

/// Route 53 and ACM (of the deploy region) through the SDK.
#[derive(Debug, Clone)]
pub struct Dns {
    pub(super) route53: aws_sdk_route53::Client,
    pub(super) acm: aws_sdk_acm::Client,
}

impl Dns {
    /// The clients of one configuration.
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            route53: aws_sdk_route53::Client::new(config),
            acm: aws_sdk_acm::Client::new(config),
        }
    }
}

fn zone(z: &aws_sdk_route53::types::HostedZone) -> Zone {
    Zone {
        id: z.id().to_owned(),
        name: z.name().to_owned(),
        private: z
            .config()
            .is_some_and(aws_sdk_route53::types::HostedZoneConfig::private_zone),
    }
}

impl DnsApi for Dns {
    async fn zones_named(&self, name: &str) -> ApiResult<Vec<Zone>> {
        let mut found = Vec::new();
        let mut next: Option<(String, Option<String>)> = Some((name.to_owned(), None));
        // Zones come sorted by name from `name` on; stop at the first other name.
        while let Some((dns_name, zone_id)) = next.take() {
            let out = self
                .route53
                .list_hosted_zones_by_name()
                .dns_name(dns_name)
                .set_hosted_zone_id(zone_id)
                .send()
                .await
                .map_err(error)?;
            let mut other = false;
            for z in out.hosted_zones() {
                if z.name().eq_ignore_ascii_case(name) {
                    found.push(zone(z));
                } else {
                    other = true;
                }
            }
            if out.is_truncated() && !other {
                next = out
                    .next_dns_name()
                    .map(|n| (n.to_owned(), out.next_hosted_zone_id().map(str::to_owned)));
            }
        }
        Ok(found)
    }

    async fn zone(&self, id: &str) -> ApiResult<Option<Zone>> {
        match self.route53.get_hosted_zone().id(id).send().await {
            Ok(out) => Ok(out.hosted_zone().map(zone)),
            Err(e) => {
                // A malformed ID (InvalidInput) names no zone either.
                let e = error(e);
                if e.is_not_found() || e.code == "InvalidInput" {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn certificate(&self, arn: &str) -> ApiResult<Option<Certificate>> {
        let out = match self
            .acm
            .describe_certificate()
            .certificate_arn(arn)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => {
                // A malformed ARN (InvalidArnException) names no certificate either.
                let e = error(e);
                if e.is_not_found() || e.code == "InvalidArnException" {
                    return Ok(None);
                }
                return Err(e);
            }
        };
        let Some(c) = out.certificate() else {
            return Ok(None);
        };
        let mut names: Vec<String> = c.domain_name().into_iter().map(str::to_owned).collect();
        for n in c.subject_alternative_names() {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        Ok(Some(Certificate {
            status: c
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            names,
        }))
    }

    async fn record_exists(&self, zone_id: &str, name: &str, kind: &str) -> ApiResult<bool> {
        let kind_of = aws_sdk_route53::types::RrType::from(kind);
        let out = self
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone_id.trim_start_matches("/hostedzone/"))
            .start_record_name(name)
            .start_record_type(kind_of.clone())
            .max_items(1)
            .send()
            .await
            .map_err(error)?;
        // Record sets come sorted from the start name on: the first one is
        // the record when it exists.
        Ok(out.resource_record_sets().first().is_some_and(|r| {
            r.name()
                .trim_end_matches('.')
                .eq_ignore_ascii_case(name.trim_end_matches('.'))
                && r.r#type() == &kind_of
        }))
    }
}
