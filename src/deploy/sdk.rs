//! The traits of `api.rs` over the AWS SDK for Rust. Credentials and region
//! come from the standard chain (environment, shared config and profiles,
//! SSO, container and instance roles); `--aws-profile` and `--region`
//! override it, and `AWS_ENDPOINT_URL` (read by the SDK) points every call at
//! another endpoint, which is how the tests reach the local stand-in.
//! Throttling and transient errors are retried by the SDK's standard retry
//! strategy (3 attempts, exponential backoff with jitter).

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_sdk_cloudformation::types as cfn;
use aws_sdk_ec2::types::Filter;

use super::api::{
    Action, ApiError, ApiResult, ChangeSetInfo, ChangeSetType, CloudFormationApi, DefaultNetwork,
    Ec2Api, NewChangeSet, PropertyChange, Replacement, ResourceChange, StackEvent, StackInfo,
    StackOutput, StackResource,
};
use super::sdk_adopt::SdkLive;
use super::sdk_data::SdkData;
use super::sdk_dns::SdkDns;
use super::sdk_ecr::SdkEcr;
use super::sdk_ecs::SdkEcs;
use super::sdk_health::SdkHealth;
use super::sdk_s3::SdkS3;

/// The SDK configuration every c2cfn command uses: `profile` and `region`
/// (flags or env file) first, then the standard chain; `AWS_ENDPOINT_URL` is
/// honoured by the SDK. Returns the configuration and the resolved region.
pub async fn load_config(
    profile: Option<&str>,
    region: Option<&str>,
) -> Result<(aws_config::SdkConfig, String), String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(RegionProviderChain::first_try(aws_config::Region::new(
            r.to_owned(),
        )));
    }
    let config = loader.load().await;
    let Some(region) = config.region().map(ToString::to_string) else {
        return Err("no AWS region: pass --region, set `aws_region` in the env file, or set AWS_REGION (or a region in the AWS profile)".into());
    };
    Ok((config, region))
}

/// Clients for one account and region.
#[derive(Debug, Clone)]
pub struct Aws {
    /// CloudFormation.
    pub cloudformation: SdkCloudFormation,
    /// EC2.
    pub ec2: SdkEc2,
    /// ECR.
    pub ecr: SdkEcr,
    /// S3 (templates over the inline limit).
    pub s3: SdkS3,
    /// ECS (`ps`, and why a service failed).
    pub ecs: SdkEcs,
    /// DynamoDB, EFS, ElastiCache (`down --delete-data`).
    pub data: SdkData,
    /// DynamoDB and CloudWatch Logs look-ups (adopting existing resources).
    pub live: SdkLive,
    /// Load balancer target health and container logs (why a deploy failed).
    pub health: SdkHealth,
    /// Route 53 and ACM (the checks before deploying).
    pub dns: SdkDns,
    sts: aws_sdk_sts::Client,
    /// The resolved region.
    pub region: String,
}

impl Aws {
    /// Resolves credentials and region (flags first, then the standard chain).
    pub async fn connect(profile: Option<&str>, region: Option<&str>) -> Result<Self, String> {
        let (config, region) = load_config(profile, region).await?;
        Ok(Self {
            cloudformation: SdkCloudFormation(aws_sdk_cloudformation::Client::new(&config)),
            ec2: SdkEc2(aws_sdk_ec2::Client::new(&config)),
            ecr: SdkEcr(aws_sdk_ecr::Client::new(&config)),
            s3: SdkS3(aws_sdk_s3::Client::new(&config)),
            ecs: SdkEcs(aws_sdk_ecs::Client::new(&config)),
            data: SdkData {
                dynamodb: aws_sdk_dynamodb::Client::new(&config),
                efs: aws_sdk_efs::Client::new(&config),
                elasticache: aws_sdk_elasticache::Client::new(&config),
            },
            live: SdkLive {
                dynamodb: aws_sdk_dynamodb::Client::new(&config),
                logs: aws_sdk_cloudwatchlogs::Client::new(&config),
                elasticache: aws_sdk_elasticache::Client::new(&config),
            },
            health: SdkHealth {
                elb: aws_sdk_elasticloadbalancingv2::Client::new(&config),
                logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            },
            dns: SdkDns::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            region,
        })
    }

    /// The account the credentials belong to (STS `GetCallerIdentity`).
    pub async fn account(&self) -> ApiResult<String> {
        let out = self.sts.get_caller_identity().send().await.map_err(error)?;
        Ok(out.account().unwrap_or_default().to_owned())
    }
}

pub(super) fn error<E, R>(e: aws_sdk_cloudformation::error::SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match e.code() {
        Some(code) => ApiError::new(code, e.message().unwrap_or_default()),
        None => ApiError::new("", causes(&e)),
    }
}

/// The error and its causes as one line (`a: b: c`), without the raw HTTP
/// response the SDK's debug output carries.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}

fn is_missing_stack(e: &ApiError) -> bool {
    e.code == "ValidationError" && e.message.contains("does not exist")
}

/// CloudFormation through the SDK.
#[derive(Debug, Clone)]
pub struct SdkCloudFormation(aws_sdk_cloudformation::Client);

impl CloudFormationApi for SdkCloudFormation {
    async fn describe_stack(&self, stack: &str) -> ApiResult<Option<StackInfo>> {
        let out = match self.0.describe_stacks().stack_name(stack).send().await {
            Ok(o) => o,
            Err(e) => {
                let e = error(e);
                return if is_missing_stack(&e) {
                    Ok(None)
                } else {
                    Err(e)
                };
            }
        };
        Ok(out.stacks().first().map(|s| StackInfo {
            name: s.stack_name().unwrap_or_default().to_owned(),
            id: s.stack_id().unwrap_or_default().to_owned(),
            status: s
                .stack_status()
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
            reason: s.stack_status_reason().map(str::to_owned),
            outputs: s
                .outputs()
                .iter()
                .map(|o| StackOutput {
                    key: o.output_key().unwrap_or_default().to_owned(),
                    value: o.output_value().unwrap_or_default().to_owned(),
                    description: o.description().map(str::to_owned),
                })
                .collect(),
            parameters: s
                .parameters()
                .iter()
                .map(|p| {
                    (
                        p.parameter_key().unwrap_or_default().to_owned(),
                        p.parameter_value().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
        }))
    }

    async fn create_change_set(&self, cs: &NewChangeSet) -> ApiResult<String> {
        let mut req = self
            .0
            .create_change_set()
            .stack_name(&cs.stack)
            .change_set_name(&cs.name)
            .set_template_body(cs.template_url.is_none().then(|| cs.template_body.clone()))
            .set_template_url(cs.template_url.clone())
            .change_set_type(match cs.kind {
                ChangeSetType::Create => cfn::ChangeSetType::Create,
                ChangeSetType::Update => cfn::ChangeSetType::Update,
                ChangeSetType::Import => cfn::ChangeSetType::Import,
            })
            .capabilities(cfn::Capability::CapabilityIam)
            .capabilities(cfn::Capability::CapabilityNamedIam)
            .description("created by c2cfn");
        for (k, v) in &cs.parameters {
            req = req.parameters(
                cfn::Parameter::builder()
                    .parameter_key(k)
                    .parameter_value(v)
                    .build(),
            );
        }
        for k in &cs.previous_parameters {
            req = req.parameters(
                cfn::Parameter::builder()
                    .parameter_key(k)
                    .use_previous_value(true)
                    .build(),
            );
        }
        for r in &cs.imports {
            let mut entry = cfn::ResourceToImport::builder()
                .resource_type(&r.resource_type)
                .logical_resource_id(&r.logical_id);
            for (k, v) in &r.identifier {
                entry = entry.resource_identifier(k, v);
            }
            req = req.resources_to_import(entry.build());
        }
        let out = req.send().await.map_err(error)?;
        Ok(out.id().unwrap_or(&cs.name).to_owned())
    }

    async fn describe_change_set(&self, stack: &str, id: &str) -> ApiResult<ChangeSetInfo> {
        let mut info = ChangeSetInfo {
            status: String::new(),
            reason: None,
            changes: Vec::new(),
        };
        let mut token: Option<String> = None;
        loop {
            let out = self
                .0
                .describe_change_set()
                .stack_name(stack)
                .change_set_name(id)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(error)?;
            info.status = out
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            info.reason = out.status_reason().map(str::to_owned);
            info.changes.extend(
                out.changes()
                    .iter()
                    .filter_map(|c| c.resource_change())
                    .map(resource_change),
            );
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(info),
            }
        }
    }

    async fn execute_change_set(&self, stack: &str, id: &str) -> ApiResult<()> {
        self.0
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(id)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn delete_change_set(&self, stack: &str, id: &str) -> ApiResult<()> {
        self.0
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(id)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn describe_stack_events(&self, stack: &str) -> ApiResult<Vec<StackEvent>> {
        let out = self
            .0
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .stack_events()
            .iter()
            .map(|e| StackEvent {
                id: e.event_id().unwrap_or_default().to_owned(),
                timestamp: e.timestamp().map_or(0, aws_smithy_types_secs),
                logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
                physical_id: e.physical_resource_id().unwrap_or_default().to_owned(),
                resource_type: e.resource_type().unwrap_or_default().to_owned(),
                status: e
                    .resource_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                reason: e.resource_status_reason().map(str::to_owned),
            })
            .collect())
    }

    async fn get_template(&self, stack: &str) -> ApiResult<String> {
        let out = self
            .0
            .get_template()
            .stack_name(stack)
            .send()
            .await
            .map_err(error)?;
        Ok(out.template_body().unwrap_or_default().to_owned())
    }

    async fn list_stack_resources(&self, stack: &str) -> ApiResult<Vec<StackResource>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .0
                .list_stack_resources()
                .stack_name(stack)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(error)?;
            all.extend(out.stack_resource_summaries().iter().map(|r| {
                StackResource {
                    logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
                    physical_id: r.physical_resource_id().unwrap_or_default().to_owned(),
                    resource_type: r.resource_type().unwrap_or_default().to_owned(),
                    status: r
                        .resource_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                }
            }));
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(all),
            }
        }
    }

    async fn delete_stack(&self, stack: &str) -> ApiResult<()> {
        self.0
            .delete_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn continue_update_rollback(&self, stack: &str) -> ApiResult<()> {
        self.0
            .continue_update_rollback()
            .stack_name(stack)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}

fn aws_smithy_types_secs(t: &aws_sdk_cloudformation::primitives::DateTime) -> i64 {
    t.secs()
}

fn resource_change(r: &cfn::ResourceChange) -> ResourceChange {
    ResourceChange {
        action: match r.action() {
            Some(cfn::ChangeAction::Add) => Action::Add,
            Some(cfn::ChangeAction::Modify) => Action::Modify,
            Some(cfn::ChangeAction::Remove) => Action::Remove,
            _ => Action::Other,
        },
        logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
        resource_type: r.resource_type().unwrap_or_default().to_owned(),
        physical_id: r.physical_resource_id().map(str::to_owned),
        replacement: match r.replacement() {
            Some(cfn::Replacement::True) => Replacement::True,
            Some(cfn::Replacement::Conditional) => Replacement::Conditional,
            Some(cfn::Replacement::False) => Replacement::False,
            _ => Replacement::Unknown,
        },
        details: r
            .details()
            .iter()
            .filter_map(|d| d.target())
            .map(|t| PropertyChange {
                name: t.path().or(t.name()).unwrap_or_default().to_owned(),
                requires_recreation: t.requires_recreation().map(|x| x.as_str().to_owned()),
                before: t.before_value().map(str::to_owned),
                after: t.after_value().map(str::to_owned),
            })
            .collect(),
    }
}

/// EC2 through the SDK.
#[derive(Debug, Clone)]
pub struct SdkEc2(aws_sdk_ec2::Client);

impl Ec2Api for SdkEc2 {
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
}
