//! The EC2 Query client against canned answers: the form body, the
//! endpoint rules, the error body, backoff, and whole calls through a
//! loopback HTTP server (paging, retries, errors, timeouts, signing
//! headers). The signature itself is compared with botocore's in
//! tests/ec2query.rs (it needs the Python of .venv/).

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};

use super::*;
use crate::aws::testing::block;

/// What the loopback server does with one connection.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// Answers with this status and body.
    Http(u16, String),
    /// Reads the request and says nothing for this long.
    Silent(Duration),
}

/// A request the loopback server received.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    /// Header names (lower case) and values.
    pub(crate) headers: HashMap<String, String>,
    /// The form body.
    pub(crate) body: String,
}

/// A server on 127.0.0.1 that answers each connection with the next
/// answer, then closes it.
pub(crate) struct Loopback {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Loopback {
    pub(crate) fn answering(answers: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("its address").port()
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        std::thread::spawn(move || {
            for answer in answers {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let record = Arc::clone(&record);
                std::thread::spawn(move || {
                    let Some(request) = read_request(&mut stream) else {
                        return;
                    };
                    record.lock().expect("not poisoned").push(request);
                    match answer {
                        Answer::Http(status, body) => {
                            let head = format!(
                                "HTTP/1.1 {status} Canned\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            );
                            let _ = stream.write_all(head.as_bytes());
                            let _ = stream.write_all(body.as_bytes());
                            let _ = stream.flush();
                        }
                        Answer::Silent(pause) => std::thread::sleep(pause),
                    }
                });
            }
        });
        Self { url, seen }
    }

    /// The requests received so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }

    /// The requests received, once there are `n` of them (or after 5 s:
    /// a request may still be on its way when the client gave up).
    pub(crate) fn seen_n(&self, n: usize) -> Vec<Seen> {
        for _ in 0..100 {
            let seen = self.seen();
            if seen.len() >= n {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.seen()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 4096];
    let split = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[split + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A configuration that sends EC2 calls to `endpoint`, with a session
/// token and a 1 ms backoff base so retries are quick.
pub(crate) fn config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("session-token".to_owned()),
            None,
            "test",
        )))
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .read_timeout(Duration::from_secs(5))
                .build(),
        )
        .build()
}

const VPCS: &str = "<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>";

fn error_xml(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>5f2a-11</RequestID></Response>"
    )
}

const VPC_REQUEST: Request<'static> = Request {
    action: "DescribeVpcs",
    filters: &[("is-default", &["true"])],
    lists: &[],
};

#[test]
fn the_body_is_the_query_form_ec2_documents() {
    assert_eq!(
        VPC_REQUEST.body(None),
        "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=is-default&Filter.1.Value.1=true"
    );
    let two = Request {
        action: "DescribeSubnets",
        filters: &[("vpc-id", &["vpc-1", "vpc-2"]), ("state", &["available"])],
        lists: &[],
    };
    assert_eq!(
        two.body(Some("a/b+c=")),
        "Action=DescribeSubnets&Version=2016-11-15\
         &Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.1.Value.2=vpc-2\
         &Filter.2.Name=state&Filter.2.Value.1=available\
         &NextToken=a%2Fb%2Bc%3D"
    );
    let eni = Request {
        action: "DescribeNetworkInterfaces",
        filters: &[],
        lists: &[("NetworkInterfaceId", &["eni-0a1b"])],
    };
    assert_eq!(
        eni.body(None),
        "Action=DescribeNetworkInterfaces&Version=2016-11-15&NetworkInterfaceId.1=eni-0a1b"
    );
}

/// A service-config loader over a map of environment variables, with
/// aws-config's lookup order (`<ENV>_<SERVICE>` before `<ENV>`).
#[derive(Debug)]
struct Vars(Vec<(&'static str, &'static str)>);

impl LoadServiceConfig for Vars {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        let specific = format!("{}_{}", key.env(), key.service_id().to_ascii_uppercase());
        [specific.as_str(), key.env()].iter().find_map(|name| {
            self.0
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }
}

fn resolved(builder: aws_types::sdk_config::Builder, region: &str) -> Endpoint {
    Endpoint::resolve(
        &builder.region(Region::new(region.to_owned())).build(),
        region,
    )
}

#[test]
fn the_endpoint_follows_the_sdk_rules() {
    let all = "http://all.local:2";
    let b = SdkConfig::builder;
    // With Vars, AWS_ENDPOINT_URL is also in the config: aws-config resolved
    // it there unless ignore_configured_endpoint_urls was set.
    let both = || {
        Vars(vec![
            ("AWS_ENDPOINT_URL_EC2", "http://ec2.local:1"),
            ("AWS_ENDPOINT_URL", all),
        ])
    };
    let mut ignoring = both();
    ignoring
        .0
        .push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"));
    let not_ignoring = Vars(vec![("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")]);
    for (builder, region, want) in [
        (b(), "eu-west-3", "https://ec2.eu-west-3.amazonaws.com"),
        (
            b(),
            "us-gov-west-1",
            "https://ec2.us-gov-west-1.amazonaws.com",
        ),
        (
            b(),
            "cn-northwest-1",
            "https://ec2.cn-northwest-1.amazonaws.com.cn",
        ),
        (b().endpoint_url(all), "us-east-1", all),
        (
            b().endpoint_url(all).service_config(both()),
            "us-east-1",
            "http://ec2.local:1",
        ),
        (
            b().service_config(ignoring),
            "us-east-1",
            "https://ec2.us-east-1.amazonaws.com",
        ),
        (
            b().endpoint_url(all).service_config(not_ignoring),
            "us-east-1",
            all,
        ),
    ] {
        assert_eq!(
            resolved(builder, region),
            Endpoint::Url(want.to_owned()),
            "{want}"
        );
    }
}

#[test]
fn endpoints_without_a_rule_here_are_refused_with_the_variable_to_set() {
    for (builder, region) in [
        (SdkConfig::builder().use_fips(true), "us-east-1"),
        (SdkConfig::builder().use_dual_stack(true), "us-east-1"),
        (SdkConfig::builder(), "us-iso-east-1"),
        (SdkConfig::builder(), "eu-isoe-west-1"),
    ] {
        let Endpoint::Unsupported(why) = resolved(builder, region) else {
            panic!("{region}: an endpoint without a rule");
        };
        assert!(why.contains("AWS_ENDPOINT_URL_EC2"), "{why}");
    }
    let no_region = SdkConfig::builder().endpoint_url("http://127.0.0.1:1");
    let Endpoint::Unsupported(why) = resolved(no_region, "") else {
        panic!("no region, no endpoint");
    };
    assert!(why.contains("AWS_REGION"), "{why}");
    // A configured endpoint makes FIPS the user's choice.
    assert_eq!(
        resolved(
            SdkConfig::builder()
                .use_fips(true)
                .endpoint_url("https://ec2-fips.us-east-1.amazonaws.com"),
            "us-east-1"
        ),
        Endpoint::Url("https://ec2-fips.us-east-1.amazonaws.com".to_owned())
    );
}

#[test]
fn an_ec2_error_body_keeps_its_code_and_the_kind_follows() {
    for (code, kind) in [
        ("RequestLimitExceeded", ErrorKind::Throttled),
        ("Throttling", ErrorKind::Throttled),
        ("UnauthorizedOperation", ErrorKind::AccessDenied),
        ("AuthFailure", ErrorKind::Credentials),
        ("InvalidNetworkInterfaceID.NotFound", ErrorKind::NotFound),
        ("InvalidVpcID.NotFound", ErrorKind::NotFound),
        ("InvalidParameterValue", ErrorKind::Validation),
        ("InternalError", ErrorKind::Other),
    ] {
        let e = error_of(400, &error_xml(code, "why &amp; how"));
        assert_eq!((e.kind, e.code.as_str()), (kind, code));
        assert_eq!(e.message, "why & how");
    }
}

#[test]
fn an_answer_without_an_error_body_is_named_by_its_status() {
    let e = error_of(503, "<html>Service Unavailable</html>");
    assert_eq!((e.kind, e.code.as_str()), (ErrorKind::Other, ""));
    assert_eq!(
        e.message,
        "EC2 answered HTTP 503: <html>Service Unavailable</html>"
    );
    assert_eq!(error_of(403, "").kind, ErrorKind::AccessDenied);
    assert_eq!(
        error_of(403, "").message,
        "EC2 answered HTTP 403 with no error body"
    );
    assert_eq!(error_of(429, " ").kind, ErrorKind::Throttled);
    // An error element without a code is not an EC2 error body.
    let e = error_of(
        500,
        "<Response><Errors><Error><Message>m</Message></Error></Errors></Response>",
    );
    assert!(e.code.is_empty() && e.message.contains("HTTP 500"), "{e:?}");
}

#[test]
fn backoff_is_full_jitter_exponential_with_a_cap() {
    let retry = RetryConfig::standard();
    assert_eq!(backoff(&retry, 1, 1.0), Duration::from_secs(1));
    assert_eq!(backoff(&retry, 2, 1.0), Duration::from_secs(2));
    assert_eq!(backoff(&retry, 3, 0.5), Duration::from_secs(2));
    assert_eq!(backoff(&retry, 6, 1.0), Duration::from_secs(20));
    assert_eq!(backoff(&retry, 40, 1.0), Duration::from_secs(20));
    assert_eq!(backoff(&retry, 1, 0.0), Duration::ZERO);
    for _ in 0..1000 {
        let j = jitter();
        assert!((0.0..1.0).contains(&j), "{j}");
    }
}

#[test]
fn the_next_token_is_read_from_the_root() {
    let page = "<DescribeSubnetsResponse><subnetSet><item><nextToken>inner</nextToken></item></subnetSet><nextToken>tok/1</nextToken></DescribeSubnetsResponse>";
    assert_eq!(next_token(page), Ok(Some("tok/1".to_owned())));
    assert_eq!(next_token(VPCS), Ok(None));
    let empty = "<DescribeSubnetsResponse><nextToken/></DescribeSubnetsResponse>";
    assert_eq!(next_token(empty), Ok(None));
    assert!(next_token("not xml").is_err());
}

#[test]
fn pages_follow_the_next_token() {
    let first =
        "<DescribeVpcsResponse><vpcSet/><nextToken>page+2</nextToken></DescribeVpcsResponse>";
    let server = Loopback::answering(vec![
        Answer::Http(200, first.to_owned()),
        Answer::Http(200, VPCS.to_owned()),
    ]);
    let client = QueryClient::new(&config(&server.url));
    let pages = block(client.pages(&VPC_REQUEST)).expect("two pages");
    assert_eq!(pages, [first, VPCS]);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, VPC_REQUEST.body(None));
    assert_eq!(seen[1].body, VPC_REQUEST.body(Some("page+2")));
}

#[test]
fn a_repeated_next_token_stops_paging_with_an_error() {
    let page = "<DescribeVpcsResponse><nextToken>same</nextToken></DescribeVpcsResponse>";
    let server = Loopback::answering(vec![
        Answer::Http(200, page.to_owned()),
        Answer::Http(200, page.to_owned()),
    ]);
    let client = QueryClient::new(&config(&server.url));
    let e = block(client.pages(&VPC_REQUEST)).expect_err("a loop");
    assert!(e.message.contains("same NextToken twice"), "{e}");
}

#[test]
fn requests_are_signed_posts_of_the_form() {
    let server = Loopback::answering(vec![Answer::Http(200, VPCS.to_owned())]);
    let client = QueryClient::new(&config(&server.url));
    block(client.pages(&VPC_REQUEST)).expect("an answer");
    let seen = &server.seen()[0];
    let h = |k: &str| seen.headers.get(k).map_or("", String::as_str);
    assert_eq!(h("content-type"), CONTENT_TYPE);
    assert_eq!(h("x-amz-security-token"), "session-token");
    assert_eq!(h("x-amz-date").len(), "20261203T152800Z".len());
    let auth = h("authorization");
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
            && auth.contains("/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="),
        "{auth}"
    );
    assert_eq!(h("content-length"), seen.body.len().to_string());
}

#[test]
fn throttling_and_server_errors_are_retried_up_to_three_attempts() {
    let server = Loopback::answering(vec![
        Answer::Http(503, String::new()),
        Answer::Http(400, error_xml("RequestLimitExceeded", "slow down")),
        Answer::Http(200, VPCS.to_owned()),
    ]);
    let client = QueryClient::new(&config(&server.url));
    assert_eq!(
        block(client.pages(&VPC_REQUEST)).expect("the third"),
        [VPCS]
    );
    assert_eq!(server.seen().len(), 3);

    let server = Loopback::answering(vec![
        Answer::Http(400, error_xml("RequestLimitExceeded", "slow down")),
        Answer::Http(500, error_xml("InternalError", "oops")),
        Answer::Http(400, error_xml("RequestLimitExceeded", "slow down")),
        Answer::Http(200, VPCS.to_owned()),
    ]);
    let client = QueryClient::new(&config(&server.url));
    let e = block(client.pages(&VPC_REQUEST)).expect_err("three failures");
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Throttled, "RequestLimitExceeded")
    );
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn other_errors_are_not_retried() {
    let server = Loopback::answering(vec![
        Answer::Http(
            400,
            error_xml(
                "InvalidNetworkInterfaceID.NotFound",
                "The networkInterface ID 'eni-0000' does not exist",
            ),
        ),
        Answer::Http(200, VPCS.to_owned()),
    ]);
    let client = QueryClient::new(&config(&server.url));
    let e = block(client.pages(&VPC_REQUEST)).expect_err("not found");
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "InvalidNetworkInterfaceID.NotFound: The networkInterface ID 'eni-0000' does not exist"
    );
    assert_eq!(server.seen().len(), 1);

    let server = Loopback::answering(vec![
        Answer::Http(
            403,
            error_xml("UnauthorizedOperation", "You are not authorized"),
        ),
        Answer::Http(200, VPCS.to_owned()),
    ]);
    let client = QueryClient::new(&config(&server.url));
    let e = block(client.pages(&VPC_REQUEST)).expect_err("denied");
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn a_refused_connection_is_a_network_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("its address")
        .port();
    let client = QueryClient::new(&config(&format!("http://127.0.0.1:{port}")));
    let e = block(client.pages(&VPC_REQUEST)).expect_err("nobody listens");
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert!(e.message.starts_with("EC2 could not be reached: "), "{e}");
}

/// A call to a server that never answers, with these timeouts.
fn unanswered(server: &Loopback, timeouts: TimeoutConfig) -> ApiError {
    let config = config(&server.url)
        .into_builder()
        .timeout_config(timeouts)
        .build();
    let e = block(QueryClient::new(&config).pages(&VPC_REQUEST)).expect_err("no answer");
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    e
}

#[test]
fn a_silent_server_times_out_after_the_read_timeout() {
    let server = Loopback::answering(vec![Answer::Silent(Duration::from_secs(3)); 3]);
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .read_timeout(Duration::from_millis(200));
    unanswered(&server, timeouts.build());
    assert_eq!(server.seen_n(3).len(), 3, "timeouts are retried");
}

#[test]
fn an_operation_timeout_bounds_the_whole_call() {
    let server = Loopback::answering(vec![Answer::Silent(Duration::from_secs(3))]);
    let timeouts = TimeoutConfig::builder().operation_timeout(Duration::from_millis(300));
    let e = unanswered(&server, timeouts.build());
    assert!(e.message.contains("operation timed out after 0.3 s"), "{e}");
}

#[test]
fn missing_credentials_and_unsupported_endpoints_fail_without_a_call() {
    let server = Loopback::answering(vec![Answer::Http(200, VPCS.to_owned())]);
    let config = SdkConfig::builder()
        .region(Region::new("us-east-1"))
        .endpoint_url(&server.url)
        .build();
    let e = block(QueryClient::new(&config).pages(&VPC_REQUEST)).expect_err("no credentials");
    assert_eq!(e.kind, ErrorKind::Credentials);
    let config = SdkConfig::builder()
        .region(Region::new("us-east-1"))
        .use_fips(true)
        .build();
    let e = block(QueryClient::new(&config).pages(&VPC_REQUEST)).expect_err("FIPS");
    assert!(e.message.contains("AWS_ENDPOINT_URL_EC2"), "{e}");
    assert!(server.seen().is_empty());
}

/// A credentials provider that counts its calls.
#[derive(Debug)]
struct Counting {
    calls: Arc<std::sync::atomic::AtomicUsize>,
    expiry: Option<std::time::SystemTime>,
}

impl aws_credential_types::provider::ProvideCredentials for Counting {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        aws_credential_types::provider::future::ProvideCredentials::ready(Ok(Credentials::new(
            "AKID",
            "secret",
            Some("token".to_owned()),
            self.expiry,
            "counting",
        )))
    }
}

#[test]
fn credentials_are_fetched_again_only_near_their_expiry() {
    let now = std::time::SystemTime::now();
    for (expiry, calls) in [
        (None, 1),
        (Some(now + Duration::from_secs(3600)), 1),
        (Some(now + Duration::from_secs(5)), 2),
    ] {
        let server = Loopback::answering(vec![Answer::Http(200, VPCS.to_owned()); 2]);
        let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let provider = Counting {
            calls: Arc::clone(&counter),
            expiry,
        };
        let config = config(&server.url)
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build();
        let client = QueryClient::new(&config);
        for _ in 0..2 {
            block(client.pages(&VPC_REQUEST)).expect("an answer");
        }
        assert_eq!(
            counter.load(std::sync::atomic::Ordering::SeqCst),
            calls,
            "{expiry:?}"
        );
        assert_eq!(server.seen()[1].headers["x-amz-security-token"], "token");
    }
}
