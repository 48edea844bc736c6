//! The fake EC2: the default network and public IPs.

use std::collections::BTreeMap;

use crate::aws::ec2::{DefaultNetwork, Ec2Api};
use crate::aws::{ApiError, ApiResult};

/// EC2: the default network (none: NoDefaultVpc) and public IPs by network
/// interface.
#[derive(Debug, Default)]
pub struct FakeEc2 {
    /// The default VPC and subnets.
    pub network: Option<DefaultNetwork>,
    /// Public IPs by ENI ID.
    pub public_ips: BTreeMap<String, String>,
}

impl Ec2Api for FakeEc2 {
    async fn default_network(&self) -> ApiResult<DefaultNetwork> {
        self.network
            .clone()
            .ok_or_else(|| ApiError::new("NoDefaultVpc", "no default VPC"))
    }

    async fn public_ip(&self, eni: &str) -> ApiResult<Option<String>> {
        Ok(self.public_ips.get(eni).cloned())
    }
}
