//! The one set of fakes the unit tests of deploy, operate and local share:
//! one scripted fake per AWS service trait (one file per service, as in
//! `aws/`), recording the calls made, and
//! [`Aws`], the bundle of all of them (as [`crate::aws::Clients`] bundles the
//! real clients) whose fakes record into one shared [`Calls`] log, so a test
//! sees the order of calls across services. Each is plain data a test fills
//! in; none talks to AWS.

use std::cell::RefCell;
use std::rc::Rc;

mod acm;
mod cloudformation;
mod dynamodb;
mod ec2;
mod ecr;
mod ecs;
mod efs;
mod elasticache;
mod elbv2;
mod logs;
mod route53;
mod s3;
mod ssm;

pub use acm::FakeAcm;
pub use cloudformation::{FakeCfn, State, event, stack};
pub use dynamodb::{FakeDynamoDb, Item};
pub use ec2::FakeEc2;
pub use ecr::FakeEcr;
pub use ecs::FakeEcs;
pub use efs::FakeEfs;
pub use elasticache::FakeElastiCache;
pub use elbv2::FakeElb;
pub use logs::FakeLogs;
pub use route53::FakeRoute53;
pub use s3::FakeS3;
pub use ssm::{FakeSsm, session};

/// A log of calls, shared by the fakes of one [`Aws`] (a clone records into
/// the same log). Read it as a `RefCell<Vec<String>>`.
#[derive(Debug, Default, Clone)]
pub struct Calls(Rc<RefCell<Vec<String>>>);

impl Calls {
    /// Records one call.
    pub fn push(&self, call: String) {
        self.0.borrow_mut().push(call);
    }
}

impl std::ops::Deref for Calls {
    type Target = RefCell<Vec<String>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// One fake per service, as [`crate::aws::Clients`] holds the clients; every
/// fake records into `calls`.
#[derive(Debug)]
pub struct Aws {
    /// CloudFormation (records `ListStackResources` only).
    pub cloudformation: FakeCfn,
    /// Route 53.
    pub route53: FakeRoute53,
    /// ACM.
    pub acm: FakeAcm,
    /// EC2.
    pub ec2: FakeEc2,
    /// ECR.
    pub ecr: FakeEcr,
    /// ECS.
    pub ecs: FakeEcs,
    /// CloudWatch Logs.
    pub logs: FakeLogs,
    /// DynamoDB.
    pub dynamodb: FakeDynamoDb,
    /// EFS.
    pub efs: FakeEfs,
    /// ElastiCache.
    pub elasticache: FakeElastiCache,
    /// ELBv2.
    pub elb: FakeElb,
    /// S3.
    pub s3: FakeS3,
    /// SSM.
    pub ssm: FakeSsm,
    /// The calls of every fake above, in order.
    pub calls: Calls,
}

impl Default for Aws {
    fn default() -> Self {
        let calls = Calls::default();
        let cloudformation = FakeCfn::default();
        cloudformation.0.borrow_mut().log = calls.clone();
        Self {
            cloudformation,
            route53: FakeRoute53::default(),
            acm: FakeAcm::default(),
            ec2: FakeEc2::default(),
            ecr: FakeEcr {
                calls: calls.clone(),
                ..FakeEcr::default()
            },
            ecs: FakeEcs {
                calls: calls.clone(),
                ..FakeEcs::default()
            },
            logs: FakeLogs {
                calls: calls.clone(),
                ..FakeLogs::default()
            },
            dynamodb: FakeDynamoDb {
                calls: calls.clone(),
                ..FakeDynamoDb::default()
            },
            efs: FakeEfs {
                calls: calls.clone(),
            },
            elasticache: FakeElastiCache {
                calls: calls.clone(),
                ..FakeElastiCache::default()
            },
            elb: FakeElb::default(),
            s3: FakeS3 {
                calls: calls.clone(),
                ..FakeS3::default()
            },
            ssm: FakeSsm {
                calls: calls.clone(),
            },
            calls,
        }
    }
}
