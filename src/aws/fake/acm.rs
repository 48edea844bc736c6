//! The fake ACM: certificates by ARN.

use crate::aws::ApiResult;
use crate::aws::acm::{AcmApi, Certificate};

/// ACM: certificates by ARN.
#[derive(Debug, Default)]
pub struct FakeAcm {
    /// (ARN, certificate).
    pub certificates: Vec<(String, Certificate)>,
}

impl AcmApi for FakeAcm {
    async fn certificate(&self, arn: &str) -> ApiResult<Option<Certificate>> {
        Ok(self
            .certificates
            .iter()
            .find(|(a, _)| a == arn)
            .map(|(_, c)| c.clone()))
    }
}
