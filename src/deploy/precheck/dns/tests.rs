use serde_json::json;

use super::*;
use crate::aws::acm::Certificate;
use crate::aws::fake::{FakeAcm, FakeRoute53};
use crate::aws::testing::block;

/// Zones and certificates as a fake account has them.
#[derive(Default)]
struct Account {
    zones: Vec<Zone>,
    certificates: Vec<(&'static str, Certificate)>,
    /// Record sets: (zone ID, name with its trailing dot, type).
    records: Vec<(&'static str, &'static str, &'static str)>,
}

/// [`super::check`] against this account's Route 53 and ACM.
async fn check(
    account: &Account,
    region: &str,
    template: &Value,
    in_stack: &[StackResource],
) -> Result<(), Failure> {
    let route53 = FakeRoute53 {
        zones: account.zones.clone(),
        records: account
            .records
            .iter()
            .map(|&(z, n, k)| (z.to_owned(), n.to_owned(), k.to_owned()))
            .collect(),
    };
    let acm = FakeAcm {
        certificates: account
            .certificates
            .iter()
            .map(|(a, c)| ((*a).to_owned(), c.clone()))
            .collect(),
    };
    super::check(&route53, &acm, region, template, in_stack).await
}

const CERT: &str = "arn:aws:acm:eu-west-1:123456789012:certificate/aaaa";

fn zone(id: &str, name: &str, private: bool) -> Zone {
    Zone {
        id: format!("/hostedzone/{id}"),
        name: name.to_owned(),
        private,
    }
}

fn cert(status: &str, names: &[&str]) -> Certificate {
    Certificate {
        status: status.to_owned(),
        names: names.iter().map(|&n| n.to_owned()).collect(),
    }
}

fn good() -> Account {
    Account {
        zones: vec![zone("Z1", "tinka.games.", false)],
        certificates: vec![(CERT, cert("ISSUED", &["*.tinka.games"]))],
        records: Vec::new(),
    }
}

/// The game backend's shape: an alias record and a TLS listener on one
/// load balancer.
fn template(zone: Value, name: &str, arn: &str) -> Value {
    let mut record = json!({
        "Type": "AWS::Route53::RecordSet",
        "Properties": {
            "AliasTarget": {"DNSName": {"Fn::GetAtt": ["LoadBalancer", "DNSName"]}},
            "Name": name,
            "Type": "A"
        }
    });
    record["Properties"]
        .as_object_mut()
        .expect("object")
        .extend(zone.as_object().expect("object").clone());
    json!({"Resources": {
        "Record": record,
        "AppTLS443Listener": {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "Certificates": [{"CertificateArn": arn}],
                "LoadBalancerArn": {"Ref": "LoadBalancer"},
                "Port": 443,
                "Protocol": "TLS"
            }
        }
    }})
}

fn by_name() -> Value {
    template(
        json!({"HostedZoneName": "tinka.games."}),
        "ccg-develop.tinka.games.",
        CERT,
    )
}

fn refused(account: &Account, t: &Value) -> String {
    let f = block(check(account, "eu-west-1", t, &[])).expect_err("refused");
    assert_eq!(f.stop, crate::deploy::Stop::Refused);
    assert!(f.message.ends_with("Nothing was changed."), "{}", f.message);
    f.message
}

#[test]
fn wildcards_follow_acm_rules() {
    assert!(covers("*.tinka.games", "ccg-develop.tinka.games"));
    assert!(covers("*.Tinka.Games.", "CCG.tinka.games"));
    assert!(!covers("*.tinka.games", "tinka.games"));
    assert!(!covers("*.tinka.games", "a.b.tinka.games"));
    assert!(covers("api.tinka.games", "api.tinka.games."));
    assert!(!covers("api.tinka.games", "www.tinka.games"));
}

#[test]
fn certificate_regions_come_from_the_arn() {
    assert_eq!(acm_region(CERT), Some("eu-west-1"));
    assert_eq!(
        acm_region("arn:aws-cn:acm:cn-north-1:1:certificate/x"),
        Some("cn-north-1")
    );
    assert_eq!(
        acm_region("arn:aws:iam::123456789012:server-certificate/x"),
        None
    );
}

#[test]
fn an_existing_zone_and_an_issued_covering_certificate_pass() {
    assert!(block(check(&good(), "eu-west-1", &by_name(), &[])).is_ok());
    let t = template(
        json!({"HostedZoneId": "Z1"}),
        "ccg-develop.tinka.games.",
        CERT,
    );
    assert!(block(check(&good(), "eu-west-1", &t, &[])).is_ok());
    // No record, no TLS: nothing to look up.
    assert!(
        block(check(
            &Account::default(),
            "eu-west-1",
            &json!({"Resources": {}}),
            &[]
        ))
        .is_ok()
    );
}

#[test]
fn a_missing_zone_is_refused_with_the_fix() {
    let account = Account {
        zones: Vec::new(),
        ..good()
    };
    let m = refused(&account, &by_name());
    assert!(
        m.contains("record ccg-develop.tinka.games (Record): there is no hosted zone tinka.games in this account"),
        "{m}"
    );
    assert!(
        m.contains("fix: create it (`aws route53 create-hosted-zone --name tinka.games"),
        "{m}"
    );
    let t = template(json!({"HostedZoneId": "Z9"}), "a.tinka.games.", CERT);
    let m = refused(&account, &t);
    assert!(
        m.contains(
            "record a.tinka.games (Record): there is no hosted zone with ID Z9 in this account"
        ),
        "{m}"
    );
}

#[test]
fn two_zones_of_one_name_are_refused() {
    let account = Account {
        zones: vec![
            zone("Z1", "tinka.games.", false),
            zone("Z2", "tinka.games.", true),
        ],
        ..good()
    };
    let m = refused(&account, &by_name());
    assert!(
        m.contains("2 hosted zones are named tinka.games (Z1 public, Z2 private); CloudFormation cannot choose one by name"),
        "{m}"
    );
    assert!(m.contains("set `zone:` in x-aws-route53 to the ID"), "{m}");
}

#[test]
fn a_missing_certificate_is_refused() {
    let account = Account {
        certificates: Vec::new(),
        ..good()
    };
    let m = refused(&account, &by_name());
    assert!(
        m.contains(&format!(
            "certificate {CERT} does not exist in this account"
        )),
        "{m}"
    );
}

#[test]
fn a_pending_certificate_is_refused_with_its_validation() {
    let account = Account {
        certificates: vec![(CERT, cert("PENDING_VALIDATION", &["*.tinka.games"]))],
        ..good()
    };
    let m = refused(&account, &by_name());
    assert!(
        m.contains(&format!(
            "certificate {CERT} is PENDING_VALIDATION, not ISSUED; a listener cannot use it"
        )),
        "{m}"
    );
    assert!(m.contains("add the CNAME record(s)"), "{m}");
    let expired = Account {
        certificates: vec![(CERT, cert("EXPIRED", &["*.tinka.games"]))],
        ..good()
    };
    let m = refused(&expired, &by_name());
    assert!(m.contains("is EXPIRED, not ISSUED"), "{m}");
    assert!(m.contains("request a new certificate"), "{m}");
}

#[test]
fn a_certificate_of_another_region_is_refused_without_a_look_up() {
    let other = "arn:aws:acm:us-east-1:123456789012:certificate/bbbb";
    let t = template(
        json!({"HostedZoneName": "tinka.games."}),
        "ccg-develop.tinka.games.",
        other,
    );
    // The fake has no such certificate: a look-up would say "does not exist".
    let m = refused(&good(), &t);
    assert!(
        m.contains(&format!(
            "certificate {other} is in region us-east-1, the stack deploys to eu-west-1"
        )),
        "{m}"
    );
    assert!(!m.contains("does not exist"), "{m}");
}

#[test]
fn a_certificate_that_does_not_cover_the_record_is_refused() {
    let t = template(
        json!({"HostedZoneName": "tinka.games."}),
        "api.eu.tinka.games.",
        CERT,
    );
    let account = Account {
        zones: vec![zone("Z1", "tinka.games.", false)],
        certificates: vec![(CERT, cert("ISSUED", &["*.tinka.games", "tinka.games"]))],
        records: Vec::new(),
    };
    let m = refused(&account, &t);
    assert!(
        m.contains(&format!(
            "certificate {CERT} covers *.tinka.games, tinka.games, not api.eu.tinka.games"
        )),
        "{m}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let t = template(
        json!({"HostedZoneName": "tinka.games."}),
        "ccg-develop.tinka.games.",
        CERT,
    );
    let m = refused(&Account::default(), &t);
    assert!(m.contains("there is no hosted zone tinka.games"), "{m}");
    assert!(m.contains("does not exist in this account"), "{m}");
}

#[test]
fn a_record_made_outside_the_stack_is_refused_with_the_safe_path() {
    let account = Account {
        records: vec![("/hostedzone/Z1", "ccg-develop.tinka.games.", "A")],
        ..good()
    };
    let message = refused(&account, &by_name());
    assert!(
        message.contains("record ccg-develop.tinka.games A (Record) already exists in hosted zone tinka.games, made outside this stack; CloudFormation cannot import a record set"),
        "{message}"
    );
    assert!(
        message.contains("--hosted-zone-id Z1")
            && message.contains("point x-aws-route53 at a new name"),
        "{message}"
    );
    // Another type under the name is not that record.
    let aaaa = Account {
        records: vec![("/hostedzone/Z1", "ccg-develop.tinka.games.", "AAAA")],
        ..good()
    };
    assert!(block(check(&aaaa, "eu-west-1", &by_name(), &[])).is_ok());
}

#[test]
fn the_stacks_own_record_is_not_a_script_s() {
    let account = Account {
        records: vec![("/hostedzone/Z1", "ccg-develop.tinka.games.", "A")],
        ..good()
    };
    let ours = vec![StackResource {
        logical_id: "Record".into(),
        physical_id: "ccg-develop.tinka.games".into(),
        resource_type: "AWS::Route53::RecordSet".into(),
        status: "CREATE_COMPLETE".into(),
    }];
    assert!(block(check(&account, "eu-west-1", &by_name(), &ours)).is_ok());
}
