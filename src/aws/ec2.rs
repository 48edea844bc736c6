//! EC2: the [`Ec2Api`] trait (the default network, a task's public IP) and
//! its implementation over EC2's Query protocol (`query.rs`) instead of
//! aws-sdk-ec2: three
//! read-only calls, `DescribeVpcs`, `DescribeSubnets` and
//! `DescribeNetworkInterfaces`, each answer read from the XML shape of the
//! EC2 API reference.

use aws_config::SdkConfig;
use aws_smithy_xml::decode::{Document, ScopedDecoder};

use super::query::{QueryClient, Request, malformed, text};
use super::{ApiError, ApiResult};

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

/// EC2, with the credentials, region, endpoint, timeouts and retries of the
/// shared configuration.
#[derive(Debug, Clone)]
pub struct Ec2(QueryClient);

impl Ec2 {
    /// The EC2 client of a configuration. Makes no call.
    #[must_use]
    pub fn new(config: &SdkConfig) -> Self {
        Self(QueryClient::new(config))
    }
}

impl Ec2Api for Ec2 {
    async fn default_network(&self) -> ApiResult<DefaultNetwork> {
        let vpcs = self
            .read(
                &Request {
                    action: "DescribeVpcs",
                    filters: &[("is-default", &["true"])],
                    lists: &[],
                },
                vpc_ids,
            )
            .await?;
        let Some(vpc) = vpcs.into_iter().next() else {
            return Err(ApiError::new(
                "NoDefaultVpc",
                "this account and region have no default VPC; pin one with `x-aws-vpc` and subnets with `x-aws-subnets`",
            ));
        };
        let mut found = self
            .read(
                &Request {
                    action: "DescribeSubnets",
                    filters: &[("vpc-id", &[vpc.as_str()])],
                    lists: &[],
                },
                subnets,
            )
            .await?;
        found.sort();
        found.dedup_by(|a, b| a.0 == b.0);
        match found.as_slice() {
            [a, b, ..] => Ok(DefaultNetwork {
                subnets: [a.1.clone(), b.1.clone()],
                vpc,
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
        let ips = self
            .read(
                &Request {
                    action: "DescribeNetworkInterfaces",
                    filters: &[],
                    lists: &[("NetworkInterfaceId", &[eni])],
                },
                public_ips,
            )
            .await?;
        Ok(ips.into_iter().next().flatten())
    }

    /// Every page of a request, each read by `parse`, concatenated.
    async fn read<T>(
        &self,
        request: &Request<'_>,
        parse: fn(&str, &str) -> Result<Vec<T>, String>,
    ) -> ApiResult<Vec<T>> {
        let mut all = Vec::new();
        for page in self.0.pages(request).await? {
            all.extend(parse(&page, request.action).map_err(|e| malformed(request.action, &e))?);
        }
        Ok(all)
    }
}

/// The `vpcId` of each VPC of a `DescribeVpcs` answer.
fn vpc_ids(xml: &str, action: &str) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    each_item(xml, action, "vpcSet", |item| {
        if let [Some(id)] = fields(item, &["vpcId"])?.as_slice() {
            ids.push(id.clone());
        }
        Ok(())
    })?;
    Ok(ids)
}

/// `(availabilityZone, subnetId)` of each subnet of a `DescribeSubnets`
/// answer.
fn subnets(xml: &str, action: &str) -> Result<Vec<(String, String)>, String> {
    let mut found = Vec::new();
    each_item(xml, action, "subnetSet", |item| {
        if let [Some(id), Some(zone)] = fields(item, &["subnetId", "availabilityZone"])?.as_slice()
        {
            found.push((zone.clone(), id.clone()));
        }
        Ok(())
    })?;
    Ok(found)
}

/// The `association/publicIp` of each interface of a
/// `DescribeNetworkInterfaces` answer (`None`: no public IP).
fn public_ips(xml: &str, action: &str) -> Result<Vec<Option<String>>, String> {
    let mut ips = Vec::new();
    each_item(xml, action, "networkInterfaceSet", |item| {
        let mut ip = None;
        while let Some(mut tag) = item.next_tag() {
            if tag.start_el().matches("association") {
                ip = fields(&mut tag, &["publicIp"])?.pop().flatten();
            }
        }
        ips.push(ip.filter(|ip| !ip.is_empty()));
        Ok(())
    })?;
    Ok(ips)
}

/// Calls `each` with every `<item>` of the root's `<set>` (an EC2 answer's
/// list); the root must be `<{action}Response>`.
fn each_item(
    xml: &str,
    action: &str,
    set: &str,
    mut each: impl FnMut(&mut ScopedDecoder<'_, '_>) -> Result<(), String>,
) -> Result<(), String> {
    let mut doc = Document::new(xml);
    let mut root = doc.root_element().map_err(|e| e.to_string())?;
    let expected = format!("{action}Response");
    if !root.start_el().matches(&expected) {
        return Err(format!(
            "the root element is <{}>, not <{expected}>",
            root.start_el().local()
        ));
    }
    // The reader stops quietly at the end of its input: a cut answer would
    // read as a shorter list.
    if !xml.trim_end().ends_with(&format!("</{expected}>")) {
        return Err(format!("the answer ends before </{expected}>"));
    }
    while let Some(mut list) = root.next_tag() {
        if !list.start_el().matches(set) {
            continue;
        }
        while let Some(mut item) = list.next_tag() {
            if item.start_el().matches("item") {
                each(&mut item)?;
            }
        }
    }
    Ok(())
}

/// The text of the named direct children of an element, in the order of
/// `names` (`None`: absent).
fn fields(tag: &mut ScopedDecoder<'_, '_>, names: &[&str]) -> Result<Vec<Option<String>>, String> {
    let mut values = vec![None; names.len()];
    while let Some(mut child) = tag.next_tag() {
        if let Some(i) = names.iter().position(|n| child.start_el().matches(n)) {
            values[i] = Some(text(&mut child)?.trim().to_owned());
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests;
