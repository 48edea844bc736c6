//! EC2's Query protocol, for the three read-only calls of `ec2.rs`, without
//! aws-sdk-ec2 (1.1 million generated lines, the longest unit of the release
//! build: docs/architecture.md, "Build weight").
//!
//! Every piece is a crate the other SDK clients already compile:
//! `aws-smithy-query` writes the form body (the SDK's own Query writer),
//! `aws-sigv4` signs it (service `ec2`), the SDK's default HTTPS connector
//! (`aws-smithy-http-client`: hyper, rustls with aws-lc) sends it, and
//! `aws-smithy-xml` reads the answer. What this module adds is only the
//! glue the SDK's orchestrator would otherwise do, from the same
//! `SdkConfig` every other client is built from:
//!
//! - credentials from the config's provider (the whole chain, session tokens
//!   included), cached until 10 s before they expire, as the SDK's identity
//!   cache does;
//! - the endpoint ([`Endpoint::resolve`]): `AWS_ENDPOINT_URL_EC2` or the
//!   profile's `[services]` entry, then `AWS_ENDPOINT_URL`, else
//!   `https://ec2.<region>.amazonaws.com` (`.amazonaws.com.cn` in China);
//! - the config's connect and read timeouts on the connector, its operation
//!   and attempt timeouts around the calls;
//! - the standard retry mode: throttling and transient error codes, HTTP
//!   500/502/503/504, timeouts and I/O failures are retried up to the
//!   config's attempts (3) with full-jitter exponential backoff (1 s base,
//!   20 s cap), as the SDK's standard strategy does (without its retry
//!   quota, which only matters under sustained failure);
//! - an EC2 error body (`<Response><Errors><Error><Code>`) becomes an
//!   [`ApiError`] whose kind follows from the code, like every SDK error.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials as _, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::http::{
    HttpConnector as _, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_smithy_xml::decode::{Document, ScopedDecoder, try_data};
use aws_types::service_config::ServiceConfigKey;

use super::{ApiError, ApiResult, ErrorKind};

/// The EC2 API version every Query request names.
pub const VERSION: &str = "2016-11-15";

/// The SigV4 signing name of EC2.
const SERVICE: &str = "ec2";

/// The form body's content type, as the SDK sends it.
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// Error codes the SDK's standard retry strategy treats as transient
/// (besides the throttling codes of [`ErrorKind::Throttled`]).
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// HTTP statuses the SDK's standard retry strategy retries.
const TRANSIENT_STATUS: &[u16] = &[500, 502, 503, 504];

/// How long before their expiry cached credentials are fetched again (the
/// SDK's identity cache uses the same buffer).
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(10);

/// One EC2 Query request: the action and its parameters.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `DescribeVpcs`, `DescribeSubnets`, ...
    pub action: &'a str,
    /// `Filter.N.Name` and `Filter.N.Value.M`.
    pub filters: &'a [(&'a str, &'a [&'a str])],
    /// Flat lists such as `NetworkInterfaceId.N`.
    pub lists: &'a [(&'a str, &'a [&'a str])],
}

impl Request<'_> {
    /// The form body of one page (`NextToken` when it is not the first).
    #[must_use]
    pub fn body(&self, next_token: Option<&str>) -> String {
        let mut out = String::new();
        let mut writer = aws_smithy_query::QueryWriter::new(&mut out, self.action, VERSION);
        if !self.filters.is_empty() {
            let mut filters = writer.prefix("Filter").start_list(true, None);
            for (name, values) in self.filters {
                let mut filter = filters.entry();
                filter.prefix("Name").string(name);
                let mut list = filter.prefix("Value").start_list(true, None);
                for value in *values {
                    list.entry().string(value);
                }
                list.finish();
            }
            filters.finish();
        }
        for (name, values) in self.lists {
            let mut list = writer.prefix(name).start_list(true, None);
            for value in *values {
                list.entry().string(value);
            }
            list.finish();
        }
        if let Some(token) = next_token {
            writer.prefix("NextToken").string(token);
        }
        writer.finish();
        out
    }
}

/// Where EC2 requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// The URL requests are posted to.
    Url(String),
    /// No endpoint this client can use, and why (with what to do instead).
    Unsupported(String),
}

impl Endpoint {
    /// The endpoint the SDK's EC2 client would use with this configuration.
    ///
    /// An endpoint given in code wins; otherwise, unless
    /// `ignore_configured_endpoint_urls` is set (environment or profile),
    /// `AWS_ENDPOINT_URL_EC2` or the profile's `[services]` entry for EC2,
    /// then `AWS_ENDPOINT_URL` or the profile's `endpoint_url`. Without one:
    /// `https://ec2.<region>.amazonaws.com`, or `.amazonaws.com.cn` for
    /// `cn-*` regions. FIPS and dual-stack endpoints and the isolated
    /// partitions (`us-iso*`, `eu-isoe*`) have no rule here: they are
    /// refused with the variable to set instead.
    #[must_use]
    pub fn resolve(config: &SdkConfig, region: &str) -> Self {
        if region.is_empty() {
            return Self::Unsupported(
                "no AWS region: pass --region, set `aws_region` in the env file, or set AWS_REGION"
                    .to_owned(),
            );
        }
        if let Some(url) = configured(config) {
            return Self::Url(url);
        }
        let set = |v: Option<bool>| v == Some(true);
        if set(config.use_fips()) || set(config.use_dual_stack()) {
            return Self::Unsupported(format!(
                "FIPS and dual-stack EC2 endpoints are not built into c2cfn; set AWS_ENDPOINT_URL_EC2 to the endpoint to use (for example https://ec2-fips.{region}.amazonaws.com)"
            ));
        }
        if region.starts_with("us-iso") || region.starts_with("eu-isoe") {
            return Self::Unsupported(format!(
                "the EC2 endpoint of region {region} is not built into c2cfn; set AWS_ENDPOINT_URL_EC2 to it"
            ));
        }
        let suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        Self::Url(format!("https://ec2.{region}.{suffix}"))
    }
}

/// The endpoint URL configured for EC2, as the generated SDK clients read
/// it from an `SdkConfig` (service `EC2`), plus the
/// `ignore_configured_endpoint_urls` check that this aws-config applies to
/// the global URL only (smithy-rs#4730 extends it to the service ones).
fn configured(config: &SdkConfig) -> Option<String> {
    if config.get_origin("endpoint_url").is_client_config() {
        return config.endpoint_url().map(str::to_owned);
    }
    let load = |env, profile| {
        let key = ServiceConfigKey::builder()
            .service_id("EC2")
            .env(env)
            .profile(profile)
            .build()
            .ok()?;
        config.service_config()?.load_config(key)
    };
    let ignored = load(
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "ignore_configured_endpoint_urls",
    )
    .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if ignored {
        return None;
    }
    load("AWS_ENDPOINT_URL", "endpoint_url")
        .filter(|v| !v.trim().is_empty())
        .or_else(|| config.endpoint_url().map(str::to_owned))
}

/// A client for EC2's Query protocol, built from the shared `SdkConfig`.
#[derive(Clone)]
pub struct QueryClient {
    endpoint: Endpoint,
    region: String,
    credentials: Option<SharedCredentialsProvider>,
    cached: Arc<Mutex<Option<Credentials>>>,
    connector: Option<SharedHttpConnector>,
    config: SdkConfig,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
}

impl std::fmt::Debug for QueryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryClient")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// One attempt's failure, before retries are decided.
struct Failure {
    error: ApiError,
    retry: bool,
}

impl QueryClient {
    /// A client with the configuration's credentials, region, endpoint,
    /// timeouts and retry settings. Makes no call.
    #[must_use]
    pub fn new(config: &SdkConfig) -> Self {
        let region = config.region().map(ToString::to_string).unwrap_or_default();
        let timeouts = config
            .timeout_config()
            .cloned()
            .unwrap_or_else(TimeoutConfig::disabled);
        let settings = HttpConnectorSettings::builder();
        let settings = match timeouts.connect_timeout() {
            Some(t) => settings.connect_timeout(t),
            None => settings,
        };
        let settings = match timeouts.read_timeout() {
            Some(t) => settings.read_timeout(t),
            None => settings,
        };
        let sleep = config
            .sleep_impl()
            .or_else(aws_smithy_async::rt::sleep::default_async_sleep);
        let connector = aws_smithy_http_client::default_connector(&settings.build(), sleep);
        Self {
            endpoint: Endpoint::resolve(config, &region),
            region,
            credentials: config.credentials_provider(),
            cached: Arc::new(Mutex::new(None)),
            connector,
            config: config.clone(),
            retry: config
                .retry_config()
                .cloned()
                .unwrap_or_else(RetryConfig::standard),
            timeouts,
        }
    }

    /// Every page of a request's answer (the XML documents, in order),
    /// following `nextToken`.
    pub async fn pages(&self, request: &Request<'_>) -> ApiResult<Vec<String>> {
        let mut pages = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self.call(&request.body(token.as_deref())).await?;
            let next = next_token(&page).map_err(|e| malformed(request.action, &e))?;
            pages.push(page);
            match next {
                Some(t) if token.as_deref() == Some(t.as_str()) => {
                    return Err(ApiError::of_kind(
                        ErrorKind::Other,
                        "",
                        format!(
                            "EC2 {} returned the same NextToken twice; stopped paging",
                            request.action
                        ),
                    ));
                }
                Some(t) => token = Some(t),
                None => return Ok(pages),
            }
        }
    }

    /// One request with retries, within the operation timeout; the answer's
    /// XML on success.
    async fn call(&self, body: &str) -> ApiResult<String> {
        let attempts = self.attempts(body);
        match self.timeouts.operation_timeout() {
            Some(limit) => tokio::time::timeout(limit, attempts)
                .await
                .unwrap_or_else(|_| Err(timed_out("operation", limit))),
            None => attempts.await,
        }
    }

    async fn attempts(&self, body: &str) -> ApiResult<String> {
        let max = self.retry.max_attempts().max(1);
        let mut attempt = 1;
        loop {
            let once = self.attempt(body);
            let result = match self.timeouts.operation_attempt_timeout() {
                Some(limit) => tokio::time::timeout(limit, once).await.unwrap_or_else(|_| {
                    Err(Failure {
                        error: timed_out("attempt", limit),
                        retry: true,
                    })
                }),
                None => once.await,
            };
            match result {
                Ok(xml) => return Ok(xml),
                Err(f) if f.retry && attempt < max => {
                    tokio::time::sleep(backoff(&self.retry, attempt, jitter())).await;
                    attempt += 1;
                }
                Err(f) => return Err(f.error),
            }
        }
    }

    /// One signed POST; the body of a 2xx answer.
    async fn attempt(&self, body: &str) -> Result<String, Failure> {
        let fatal = |error| Failure {
            error,
            retry: false,
        };
        let url = match &self.endpoint {
            Endpoint::Url(url) => url,
            Endpoint::Unsupported(why) => {
                return Err(fatal(ApiError::of_kind(ErrorKind::Other, "", why.clone())));
            }
        };
        let Some(connector) = &self.connector else {
            return Err(fatal(ApiError::of_kind(
                ErrorKind::Other,
                "",
                "this build of c2cfn has no HTTPS client for EC2",
            )));
        };
        let credentials = self.credentials().await.map_err(fatal)?;
        let request =
            signed_request(url, body, &credentials, &self.region, self.now()).map_err(fatal)?;
        let response = connector.call(request).await.map_err(transport)?;
        let status = response.status().as_u16();
        let bytes = ByteStream::new(response.into_body())
            .collect()
            .await
            .map_err(|e| Failure {
                error: ApiError::of_kind(
                    ErrorKind::Network,
                    "",
                    format!("EC2 answer could not be read: {e}"),
                ),
                retry: true,
            })?
            .to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let error = error_of(status, &text);
        let retry = error.kind == ErrorKind::Throttled
            || TRANSIENT_CODES.contains(&error.code.as_str())
            || TRANSIENT_STATUS.contains(&status);
        Err(Failure { error, retry })
    }

    /// The configuration's clock (the system's unless a test set one).
    fn now(&self) -> SystemTime {
        self.config
            .time_source()
            .map_or_else(SystemTime::now, |t| t.now())
    }

    /// The credentials of the configuration's provider, cached until shortly
    /// before they expire.
    async fn credentials(&self) -> ApiResult<Credentials> {
        let now = self.now();
        let fresh = |c: &Credentials| c.expiry().is_none_or(|at| at > now + REFRESH_BEFORE_EXPIRY);
        if let Some(c) = self
            .cached
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .filter(|c| fresh(c))
        {
            return Ok(c);
        }
        let Some(provider) = &self.credentials else {
            return Err(ApiError::of_kind(
                ErrorKind::Credentials,
                "",
                "no AWS credentials are configured",
            ));
        };
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| ApiError::of_kind(ErrorKind::Credentials, "", super::causes(&e)))?;
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some(credentials.clone());
        }
        Ok(credentials)
    }
}

/// The headers SigV4 adds to a POST of `body` to `url` with `headers`:
/// `x-amz-date`, `x-amz-security-token` (with a session token) and
/// `authorization`, signed for EC2 in `region` at `time`.
pub fn sign_headers(
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> ApiResult<Vec<(String, String)>> {
    let identity: aws_smithy_runtime_api::client::identity::Identity = credentials.clone().into();
    let params: aws_sigv4::http_request::SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| signing(&e))?
        .into();
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .map_err(|e| invalid_endpoint(url, &e))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| signing(&e))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

/// The signed request for one attempt.
fn signed_request(
    url: &str,
    body: &str,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> ApiResult<HttpRequest> {
    let user_agent = concat!("c2cfn/", env!("CARGO_PKG_VERSION"));
    let mut builder = http::Request::builder()
        .method("POST")
        .uri(url)
        .header("content-type", CONTENT_TYPE)
        .header("user-agent", user_agent);
    let signed = sign_headers(
        url,
        &[("content-type", CONTENT_TYPE)],
        body,
        credentials,
        region,
        time,
    )?;
    for (name, value) in &signed {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(SdkBody::from(body.to_owned()))
        .map_err(|e| invalid_endpoint(url, &e))
        .and_then(|r| HttpRequest::try_from(r).map_err(|e| invalid_endpoint(url, &e)))
}

/// A transport failure: timeouts and I/O are retried, as the SDK does.
fn transport(e: ConnectorError) -> Failure {
    let (kind, retry) = if e.is_timeout() {
        (ErrorKind::Timeout, true)
    } else if e.is_io() {
        (ErrorKind::Network, true)
    } else {
        (ErrorKind::Other, false)
    };
    Failure {
        error: ApiError::of_kind(
            kind,
            "",
            format!("EC2 could not be reached: {}", super::causes(&e)),
        ),
        retry,
    }
}

fn timed_out(what: &str, limit: Duration) -> ApiError {
    ApiError::of_kind(
        ErrorKind::Timeout,
        "",
        format!(
            "EC2 {what} timed out after {:.1} s (the configured {what} timeout)",
            limit.as_secs_f64()
        ),
    )
}

fn signing(e: &(dyn std::error::Error + 'static)) -> ApiError {
    ApiError::of_kind(
        ErrorKind::Credentials,
        "",
        format!("EC2 request could not be signed: {}", super::causes(e)),
    )
}

fn invalid_endpoint(url: &str, e: &(dyn std::error::Error + 'static)) -> ApiError {
    ApiError::of_kind(
        ErrorKind::Validation,
        "",
        format!(
            "invalid EC2 endpoint `{url}` ({}); check AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL and the profile's endpoint_url",
            super::causes(e)
        ),
    )
}

/// An answer that is not the XML EC2 documents.
pub(crate) fn malformed(action: &str, why: &str) -> ApiError {
    ApiError::of_kind(
        ErrorKind::Other,
        "",
        format!("EC2 {action} answered with XML c2cfn cannot read: {why}"),
    )
}

/// The delay before retry number `attempt` (1 for the first retry): the
/// standard mode's full jitter, `rand[0, 1) × min(initial × 2^(attempt-1),
/// max)`, with `jitter` the random factor.
#[must_use]
pub fn backoff(retry: &RetryConfig, attempt: u32, jitter: f64) -> Duration {
    let base = 2_u32
        .checked_pow(attempt.saturating_sub(1))
        .and_then(|p| retry.initial_backoff().checked_mul(p))
        .map_or(retry.max_backoff(), |d| d.min(retry.max_backoff()));
    base.mul_f64(jitter.clamp(0.0, 1.0))
}

/// A random factor in [0, 1) from the standard library's randomly keyed
/// hasher (no random-number crate for one number per retry).
fn jitter() -> f64 {
    let bits = RandomState::new().build_hasher().finish() >> 32;
    f64::from(u32::try_from(bits).unwrap_or(0)) / 4_294_967_296.0
}

/// The `ApiError` of a failed answer: EC2's `<Response><Errors><Error>`
/// code and message when the body has them, else the HTTP status.
#[must_use]
pub fn error_of(status: u16, body: &str) -> ApiError {
    if let Some((code, message)) = error_body(body) {
        return ApiError::new(&code, message);
    }
    let kind = match status {
        401 | 403 => ErrorKind::AccessDenied,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::Throttled,
        _ => ErrorKind::Other,
    };
    let shown: String = body.trim().chars().take(200).collect();
    let message = if shown.is_empty() {
        format!("EC2 answered HTTP {status} with no error body")
    } else {
        format!("EC2 answered HTTP {status}: {shown}")
    };
    ApiError::of_kind(kind, "", message)
}

/// The first `<Error>`'s code and message of an EC2 error body.
fn error_body(body: &str) -> Option<(String, String)> {
    let mut doc = Document::new(body);
    let mut root = doc.root_element().ok()?;
    while let Some(mut tag) = root.next_tag() {
        if !tag.start_el().matches("Errors") {
            continue;
        }
        while let Some(mut error) = tag.next_tag() {
            if !error.start_el().matches("Error") {
                continue;
            }
            let mut code = None;
            let mut message = None;
            while let Some(mut field) = error.next_tag() {
                if field.start_el().matches("Code") {
                    code = Some(try_data(&mut field).ok()?.trim().to_owned());
                } else if field.start_el().matches("Message") {
                    message = Some(try_data(&mut field).ok()?.trim().to_owned());
                }
            }
            return code
                .filter(|c| !c.is_empty())
                .map(|c| (c, message.unwrap_or_default()));
        }
    }
    None
}

/// The text of a leaf element.
pub(crate) fn text(tag: &mut ScopedDecoder<'_, '_>) -> Result<String, String> {
    try_data(tag)
        .map(Cow::into_owned)
        .map_err(|e| e.to_string())
}

/// The `nextToken` of an answer's root element (`None`: the last page).
fn next_token(xml: &str) -> Result<Option<String>, String> {
    let mut doc = Document::new(xml);
    let mut root = doc.root_element().map_err(|e| e.to_string())?;
    let mut token = None;
    while let Some(mut tag) = root.next_tag() {
        if tag.start_el().matches("nextToken") {
            token = Some(text(&mut tag)?);
        }
    }
    Ok(token.filter(|t| !t.trim().is_empty()))
}

#[cfg(test)]
pub(crate) mod tests;
