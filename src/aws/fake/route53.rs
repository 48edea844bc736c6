//! The fake Route 53: hosted zones and record sets.

use crate::aws::ApiResult;
use crate::aws::route53::{Route53Api, Zone};

/// Route 53: hosted zones and record sets as an account has them.
#[derive(Debug, Default)]
pub struct FakeRoute53 {
    /// The hosted zones.
    pub zones: Vec<Zone>,
    /// Record sets: (zone ID, name with its trailing dot, type).
    pub records: Vec<(String, String, String)>,
}

impl Route53Api for FakeRoute53 {
    async fn zones_named(&self, name: &str) -> ApiResult<Vec<Zone>> {
        Ok(self
            .zones
            .iter()
            .filter(|z| z.name == name)
            .cloned()
            .collect())
    }
    async fn zone(&self, id: &str) -> ApiResult<Option<Zone>> {
        Ok(self
            .zones
            .iter()
            .find(|z| z.id.trim_start_matches("/hostedzone/") == id)
            .cloned())
    }
    async fn record_exists(&self, zone_id: &str, name: &str, kind: &str) -> ApiResult<bool> {
        Ok(self
            .records
            .iter()
            .any(|(z, n, k)| z == zone_id && n == name && k == kind))
    }
}
