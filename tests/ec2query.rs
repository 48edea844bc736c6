//! EC2 without aws-sdk-ec2 (src/aws/query.rs): the SigV4 headers match
//! what botocore computes for the same request, and the three calls work
//! against the moto stand-in (the default network, a public IP through an
//! Elastic IP, a missing interface); `AWS_ENDPOINT_URL_EC2` sends them, and
//! them alone, elsewhere.

use std::process::Command;
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use c2cfn::aws::ErrorKind;
use c2cfn::aws::ec2::Ec2;
use c2cfn::aws::ec2::Ec2Api as _;
use c2cfn::aws::query::sign_headers;
use serde_json::Value;

use super::support::moto::Moto;
use super::support::{code, root, show, stderr, stdout, tool};

/// botocore's SigV4 for a POST of `body` to `url`, at `stamp`
/// (`%Y%m%dT%H%M%SZ`); prints the headers it set as JSON.
const BOTOCORE: &str = r#"
import datetime, json, sys
from unittest import mock
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

url, body, region, key, secret, token, stamp = sys.argv[1:]
request = AWSRequest(method="POST", url=url, data=body.encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
with mock.patch("botocore.auth.get_current_datetime", return_value=when):
    SigV4Auth(Credentials(key, secret, token or None), "ec2", region).add_auth(request)
print(json.dumps({k.lower(): v for k, v in request.headers.items()}))
"#;

fn botocore(url: &str, body: &str, region: &str, c: &Credentials, stamp: &str) -> Value {
    let out = Command::new(tool("C2CFN_PYTHON", "the Python of .venv/, with botocore"))
        .args(["-c", BOTOCORE, url, body, region])
        .args([
            c.access_key_id(),
            c.secret_access_key(),
            c.session_token().unwrap_or(""),
            stamp,
        ])
        .output()
        .expect("python runs");
    assert!(out.status.success(), "botocore: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("botocore prints JSON")
}

#[test]
fn sigv4_headers_match_botocore() {
    // 2026-12-03T15:28:07Z.
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_311_687);
    let stamp = "20261203T152807Z";
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    let cases = [
        (
            "https://ec2.eu-west-3.amazonaws.com",
            "eu-west-3",
            Credentials::new(
                "ASIAEXAMPLEKEY",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                Some("IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJ+token=".to_owned()),
                None,
                "test",
            ),
            "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-0e9801d129EXAMPLE&NextToken=a%2Fb%2Bc%3D",
        ),
        (
            "http://127.0.0.1:5000",
            "us-east-1",
            Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"),
            "Action=DescribeNetworkInterfaces&Version=2016-11-15&NetworkInterfaceId.1=eni-0f782f2b6cEXAMPLE",
        ),
        (
            "https://ec2.cn-north-1.amazonaws.com.cn/",
            "cn-north-1",
            Credentials::new("AKIDEXAMPLE", "secret", Some("t".to_owned()), None, "test"),
            "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=is-default&Filter.1.Value.1=true",
        ),
    ];
    for (url, region, credentials, body) in cases {
        let ours = sign_headers(
            url,
            &[("content-type", content_type)],
            body,
            &credentials,
            region,
            time,
        )
        .expect("signed");
        let theirs = botocore(url, body, region, &credentials, stamp);
        let ours = |k: &str| {
            ours.iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
        };
        let theirs = |k: &str| theirs[k].as_str().map(str::to_owned);
        for header in ["authorization", "x-amz-date", "x-amz-security-token"] {
            assert_eq!(ours(header), theirs(header), "{url}: {header}");
        }
        assert!(
            ours("authorization")
                .is_some_and(|a| a.contains(&format!("/{region}/ec2/aws4_request"))),
            "{url}"
        );
    }
}

/// A configuration pointed at the stand-in, built in the test (the process
/// environment is shared by the tests running beside this one).
fn moto_config(moto: &Moto) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&moto.endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .build()
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

fn text(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

#[test]
fn the_default_network_of_the_stand_in() {
    let moto = Moto::start();
    let network = block(Ec2::new(&moto_config(&moto)).default_network()).expect("found");
    let vpcs = moto.aws(&[
        "ec2",
        "describe-vpcs",
        "--filters",
        "Name=is-default,Values=true",
    ]);
    assert_eq!(network.vpc, text(&vpcs["Vpcs"][0]["VpcId"]));
    let subnets = moto.aws(&[
        "ec2",
        "describe-subnets",
        "--filters",
        &format!("Name=vpc-id,Values={}", network.vpc),
    ]);
    let zone = |id: &str| {
        subnets["Subnets"]
            .as_array()
            .expect("subnets")
            .iter()
            .find(|s| s["SubnetId"] == id)
            .map_or_else(
                || panic!("{id} is not a subnet of {}", network.vpc),
                |s| text(&s["AvailabilityZone"]),
            )
    };
    assert_ne!(zone(&network.subnets[0]), zone(&network.subnets[1]));
}

#[test]
fn the_public_ip_of_an_interface_with_an_elastic_ip() {
    let moto = Moto::start();
    let ec2 = Ec2::new(&moto_config(&moto));
    let network = block(ec2.default_network()).expect("a default network");
    let eni = moto.aws(&[
        "ec2",
        "create-network-interface",
        "--subnet-id",
        &network.subnets[0],
    ]);
    let eni = text(&eni["NetworkInterface"]["NetworkInterfaceId"]);
    assert_eq!(block(ec2.public_ip(&eni)), Ok(None), "no address yet");
    let address = moto.aws(&["ec2", "allocate-address", "--domain", "vpc"]);
    moto.aws(&[
        "ec2",
        "associate-address",
        "--allocation-id",
        &text(&address["AllocationId"]),
        "--network-interface-id",
        &eni,
    ]);
    assert_eq!(
        block(ec2.public_ip(&eni)),
        Ok(Some(text(&address["PublicIp"])))
    );
}

#[test]
fn a_missing_interface_is_not_found() {
    let moto = Moto::start();
    let e = block(Ec2::new(&moto_config(&moto)).public_ip("eni-0123456789abcdef0"))
        .expect_err("no such interface");
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert_eq!(e.code, "InvalidNetworkInterfaceID.NotFound");
}

#[test]
fn aws_endpoint_url_ec2_sends_the_ec2_calls_alone_elsewhere() {
    let moto = Moto::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = root().join("compose/docker-simple");
    // Everything else still goes to the stand-in (AWS_ENDPOINT_URL).
    let elsewhere = format!("http://127.0.0.1:{closed}");
    let out = moto.c2cfn_with(&dir, &["diff"], &[("AWS_ENDPOINT_URL_EC2", &elsewhere)]);
    assert_ne!(code(&out), 0, "{}", show(&out));
    assert!(
        stderr(&out).contains("cannot find the default VPC and its subnets")
            && stderr(&out).contains("EC2 could not be reached"),
        "{}",
        show(&out)
    );
    let out = moto.c2cfn_with(&dir, &["diff"], &[("AWS_ENDPOINT_URL_EC2", &moto.endpoint)]);
    assert!(
        stdout(&out).contains("Create stack testsimpleconvert: 14 changes"),
        "the preview, with the default network from the stand-in: {}",
        show(&out)
    );
}
