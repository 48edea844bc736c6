//! ACM: the [`AcmApi`] trait (a certificate by ARN, for the checks before
//! deploying) and its implementation over the SDK.

use super::{ApiResult, sdk_error as error};

/// An ACM certificate as DescribeCertificate shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// `ISSUED`, `PENDING_VALIDATION`, `EXPIRED`, ...
    pub status: String,
    /// The domain name and the subject alternative names.
    pub names: Vec<String>,
}

/// The ACM call of the checks before deploying.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait AcmApi {
    /// A certificate of the deploy region by ARN; `None` when there is none.
    async fn certificate(&self, arn: &str) -> ApiResult<Option<Certificate>>;
}

/// ACM (of the deploy region) through the SDK.
#[derive(Debug, Clone)]
pub struct Acm(pub(super) aws_sdk_acm::Client);

impl AcmApi for Acm {
    async fn certificate(&self, arn: &str) -> ApiResult<Option<Certificate>> {
        let out = match self
            .0
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
}
