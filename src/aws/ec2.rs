//! EC2: the [`Ec2Api`] trait (the default network, a task's public IP) and
//! its implementation over the SDK.

use aws_sdk_ec2::types::Filter;

use super::{ApiError, ApiResult, sdk_error as error};

/// The default VPC and two of its subnets in different availability zones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultNetwork {
    /// VPC ID.
    pub vpc: String,
    /// Two subnet IDs, in different availability zones.
    pub subnets: [String; 2],
}

/// The EC2 calls of `up`/`diff` (the default network) and `tunnel --ssh`
/// (a task's public IP).
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait Ec2Api {
    /// The default VPC and two subnets in different availability zones.
    async fn default_network(&self) -> ApiResult<DefaultNetwork>;
    /// The public IP of a network interface (`DescribeNetworkInterfaces`).
    async fn public_ip(&self, eni: &str) -> ApiResult<Option<String>>;
}

/// EC2 through the SDK.
#[derive(Debug, Clone)]
pub struct Ec2(pub(super) aws_sdk_ec2::Client);

impl Ec2Api for Ec2 {
    async fn default_network(&self) -> ApiResult<DefaultNetwork> {
        let vpcs = self
            .0
            .describe_vpcs()
            .filters(Filter::builder().name("is-default").values("true").build())
            .send()
            .await
            .map_err(error)?;
        let Some(vpc) = vpcs.vpcs().first().and_then(|v| v.vpc_id()) else {
            return Err(ApiError::new(
                "NoDefaultVpc",
                "this account and region have no default VPC; pin one with `x-aws-vpc` and subnets with `x-aws-subnets`",
            ));
        };
        let subnets = self
            .0
            .describe_subnets()
            .filters(Filter::builder().name("vpc-id").values(vpc).build())
            .send()
            .await
            .map_err(error)?;
        let mut found: Vec<(String, String)> = subnets
            .subnets()
            .iter()
            .filter_map(|s| Some((s.availability_zone()?.to_owned(), s.subnet_id()?.to_owned())))
            .collect();
        found.sort();
        found.dedup_by(|a, b| a.0 == b.0);
        match found.as_slice() {
            [a, b, ..] => Ok(DefaultNetwork {
                vpc: vpc.to_owned(),
                subnets: [a.1.clone(), b.1.clone()],
            }),
            _ => Err(ApiError::new(
                "NoSubnets",
                format!(
                    "default VPC {vpc} has no two subnets in different availability zones; pin subnets with `x-aws-subnets`"
                ),
            )),
        }
    }

    async fn public_ip(&self, eni: &str) -> ApiResult<Option<String>> {
        Ec2::public_ip(self, eni).await
    }
}

impl Ec2 {
    /// The public IP of a network interface (`DescribeNetworkInterfaces`).
    pub async fn public_ip(&self, eni: &str) -> ApiResult<Option<String>> {
        let out = self
            .0
            .describe_network_interfaces()
            .network_interface_ids(eni)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .network_interfaces()
            .first()
            .and_then(|n| n.association())
            .and_then(|a| a.public_ip())
            .map(str::to_owned))
    }
}
