//! The client bundle: one `aws-config` load per command, one client per
//! service. Credentials and region come from the standard chain
//! (environment, shared config and profiles, SSO, container and instance
//! roles); `--aws-profile` and `--region` override it, and
//! `AWS_ENDPOINT_URL` (read by the SDK) points every call at another
//! endpoint. Throttling and transient errors are retried by the SDK's
//! standard retry strategy (3 attempts, exponential backoff with jitter).
//! EC2 is not an SDK client (`query.rs`) but reads the same configuration:
//! credentials, region, endpoint (`AWS_ENDPOINT_URL_EC2` too), timeouts
//! and retry settings.

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;

use super::acm::Acm;
use super::cloudformation::CloudFormation;
use super::dynamodb::DynamoDb;
use super::ec2::Ec2;
use super::ecr::Ecr;
use super::ecs::Ecs;
use super::efs::Efs;
use super::elasticache::ElastiCache;
use super::elbv2::Elb;
use super::logs::Logs;
use super::route53::Route53;
use super::s3::S3;
use super::ssm::Ssm;
use super::sts::Sts;

/// Why no configuration could be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No region in the flags, the env file, the environment or the profile.
    #[error(
        "no AWS region: pass --region, set `aws_region` in the env file, or set AWS_REGION (or a region in the AWS profile)"
    )]
    NoRegion,
}

/// The SDK configuration every c2cfn command uses: `profile` and `region`
/// (flags or env file) first, then the standard chain; `AWS_ENDPOINT_URL` is
/// honoured by the SDK. Returns the configuration and the resolved region.
pub async fn load_config(
    profile: Option<&str>,
    region: Option<&str>,
) -> Result<(aws_config::SdkConfig, String), ConfigError> {
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
        return Err(ConfigError::NoRegion);
    };
    Ok((config, region))
}

/// The clients of one account and region, built once per command. SDK
/// clients are cheap handles: building one makes no call.
#[derive(Debug, Clone)]
pub struct Clients {
    /// CloudFormation.
    pub cloudformation: CloudFormation,
    /// Route 53 (the checks before deploying).
    pub route53: Route53,
    /// ACM (the checks before deploying).
    pub acm: Acm,
    /// EC2.
    pub ec2: Ec2,
    /// ECR.
    pub ecr: Ecr,
    /// ECS.
    pub ecs: Ecs,
    /// CloudWatch Logs.
    pub logs: Logs,
    /// DynamoDB.
    pub dynamodb: DynamoDb,
    /// EFS.
    pub efs: Efs,
    /// ElastiCache.
    pub elasticache: ElastiCache,
    /// Elastic Load Balancing v2.
    pub elb: Elb,
    /// S3.
    pub s3: S3,
    /// SSM (Session Manager).
    pub ssm: Ssm,
    /// STS.
    pub sts: Sts,
    /// The resolved region.
    pub region: String,
}

impl Clients {
    /// Resolves credentials and region (flags first, then the standard chain).
    pub async fn connect(profile: Option<&str>, region: Option<&str>) -> Result<Self, ConfigError> {
        let (config, region) = load_config(profile, region).await?;
        Ok(Self {
            cloudformation: CloudFormation(aws_sdk_cloudformation::Client::new(&config)),
            route53: Route53(aws_sdk_route53::Client::new(&config)),
            acm: Acm(aws_sdk_acm::Client::new(&config)),
            ec2: Ec2::new(&config),
            ecr: Ecr(aws_sdk_ecr::Client::new(&config)),
            ecs: Ecs(aws_sdk_ecs::Client::new(&config)),
            logs: Logs(aws_sdk_cloudwatchlogs::Client::new(&config)),
            dynamodb: DynamoDb(aws_sdk_dynamodb::Client::new(&config)),
            efs: Efs(aws_sdk_efs::Client::new(&config)),
            elasticache: ElastiCache(aws_sdk_elasticache::Client::new(&config)),
            elb: Elb(aws_sdk_elasticloadbalancingv2::Client::new(&config)),
            s3: S3(aws_sdk_s3::Client::new(&config)),
            ssm: Ssm(aws_sdk_ssm::Client::new(&config)),
            sts: Sts(aws_sdk_sts::Client::new(&config)),
            region,
        })
    }

    /// The account the credentials belong to (STS `GetCallerIdentity`).
    pub async fn account(&self) -> super::ApiResult<String> {
        self.sts.account().await
    }

    /// The SSM endpoint handed to the Session Manager plugin, as the AWS CLI
    /// does: an `AWS_ENDPOINT_URL_SSM` / `AWS_ENDPOINT_URL` override, else
    /// the regional endpoint.
    #[must_use]
    pub fn ssm_endpoint(&self) -> String {
        ["AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| crate::operate::session::ssm_endpoint(&self.region))
    }
}
