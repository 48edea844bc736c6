//! Route 53: the [`Route53Api`] trait (hosted zones by name or ID, whether
//! a record set exists, for the checks before deploying) and its
//! implementation over the SDK.

use super::{ApiResult, sdk_error as error};

/// A Route 53 hosted zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// `/hostedzone/Z123` or `Z123`.
    pub id: String,
    /// `tinka.games.`
    pub name: String,
    /// A private zone (attached to VPCs).
    pub private: bool,
}

/// The Route 53 calls of the checks before deploying.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait Route53Api {
    /// The hosted zones named exactly `name` (trailing dot included).
    async fn zones_named(&self, name: &str) -> ApiResult<Vec<Zone>>;
    /// A hosted zone by ID; `None` when there is none.
    async fn zone(&self, id: &str) -> ApiResult<Option<Zone>>;
    /// Whether zone `zone_id` holds a record set named `name` (trailing dot
    /// included) of type `kind` (`A`, `AAAA`, ...).
    async fn record_exists(&self, zone_id: &str, name: &str, kind: &str) -> ApiResult<bool>;
}

/// Route 53 through the SDK.
#[derive(Debug, Clone)]
pub struct Route53(pub(super) aws_sdk_route53::Client);

fn zone(z: &aws_sdk_route53::types::HostedZone) -> Zone {
    Zone {
        id: z.id().to_owned(),
        name: z.name().to_owned(),
        private: z
            .config()
            .is_some_and(aws_sdk_route53::types::HostedZoneConfig::private_zone),
    }
}

impl Route53Api for Route53 {
    async fn zones_named(&self, name: &str) -> ApiResult<Vec<Zone>> {
        let mut found = Vec::new();
        let mut next: Option<(String, Option<String>)> = Some((name.to_owned(), None));
        // Zones come sorted by name from `name` on; stop at the first other name.
        while let Some((dns_name, zone_id)) = next.take() {
            let out = self
                .0
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
        match self.0.get_hosted_zone().id(id).send().await {
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

    async fn record_exists(&self, zone_id: &str, name: &str, kind: &str) -> ApiResult<bool> {
        let kind_of = aws_sdk_route53::types::RrType::from(kind);
        let out = self
            .0
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
