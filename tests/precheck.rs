//! The checks before deploying (docs/deploy.md, "Checks before deploying")
//! end to end against the stand-in: the hosted zone of each record exists,
//! each listener's certificate exists, is ISSUED, is in the deploy region and
//! covers the record names. A failed check stops `up` before any change set
//! or stack exists. (The ECR image check is in adopt.rs, docker's in push.rs.)

use std::path::Path;

use super::support::moto::Moto;
use super::support::{code, show};
use super::support::{stderr, stdout};

/// An NLB with a TLS listener and a record aliasing it.
fn project(dir: &Path, zone: &str, cert: &str) {
    std::fs::write(
        dir.join("compose.yaml"),
        format!(
            "name: dnscheck\nservices:\n  app:\n    image: nginx\n    ports: [\"4000:4000\"]\n    x-aws-tls:\n      - {{port: 4000, certificate: \"{cert}\"}}\nx-aws-route53:\n  zone: {zone}\n  records:\n    - name: api\n      service: app\n"
        ),
    )
    .expect("write compose.yaml");
}

/// Creates the hosted zone `name`; returns its ID without `/hostedzone/`.
fn zone(moto: &Moto, name: &str) -> String {
    let made = moto.aws(&[
        "route53",
        "create-hosted-zone",
        "--name",
        name,
        "--caller-reference",
        name,
    ]);
    let id = made["HostedZone"]["Id"].as_str().expect("zone ID");
    id.trim_start_matches("/hostedzone/").to_owned()
}

fn request(moto: &Moto, domain: &str) -> String {
    let v = moto.aws(&["acm", "request-certificate", "--domain-name", domain]);
    v["CertificateArn"].as_str().expect("an ARN").to_owned()
}

/// `up -y` of [`project`] in `dir` with `cert`: refused (exit 1); its
/// standard error.
fn refused(moto: &Moto, dir: &Path, cert: &str) -> String {
    project(dir, "example.com", cert);
    let up = moto.c2cfn(dir, &["up", "-y"]);
    assert_eq!(code(&up), 1, "{}", show(&up));
    stderr(&up)
}

fn no_stack(moto: &Moto) {
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    assert!(
        stacks["StackSummaries"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "no stack was made: {stacks}"
    );
}

#[test]
fn an_existing_zone_and_an_issued_covering_certificate_deploy() {
    let moto = Moto::start();
    zone(&moto, "example.com");
    let cert = request(&moto, "*.example.com");
    // moto (with the launcher's --acm-validation-wait 0) issues it at once.
    let v = moto.aws(&["acm", "describe-certificate", "--certificate-arn", &cert]);
    assert_eq!(v["Certificate"]["Status"], "ISSUED", "{v}");
    let tmp = tempfile::tempdir().expect("tempdir");
    project(tmp.path(), "example.com", &cert);
    let up = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&up), 0, "{}", show(&up));
    assert!(stdout(&up).contains("CREATE_COMPLETE"), "{}", show(&up));
    // The record now exists, and is the stack's own: not refused.
    let again = moto.c2cfn(tmp.path(), &["up", "-y"]);
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert!(
        stdout(&again).contains("No changes: stack dnscheck is up to date."),
        "{}",
        show(&again)
    );
}

#[test]
fn a_record_a_script_made_is_refused_with_the_safe_path_before_any_stack() {
    let moto = Moto::start();
    let id = zone(&moto, "example.com");
    // As deploy scripts did it: an UPSERT of the name.
    moto.aws(&[
        "route53",
        "change-resource-record-sets",
        "--hosted-zone-id",
        &id,
        "--change-batch",
        r#"{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"api.example.com.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"192.0.2.10"}]}}]}"#,
    ]);
    let cert = request(&moto, "*.example.com");
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = refused(&moto, tmp.path(), &cert);
    assert!(
        err.contains("record api.example.com A (ApiexamplecomRecord) already exists in hosted zone example.com, made outside this stack; CloudFormation cannot import a record set"),
        "{err}"
    );
    assert!(
        err.contains(&format!("--hosted-zone-id {id} --change-batch")),
        "{err}"
    );
    assert!(err.contains("Nothing was changed."), "{err}");
    no_stack(&moto);
}

#[test]
fn a_missing_zone_or_an_unusable_certificate_is_refused_before_any_stack() {
    let moto = Moto::start();
    let cert = request(&moto, "*.example.com");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();

    // No hosted zone example.com.
    let err = refused(&moto, dir, &cert);
    assert!(
        err.contains(
            "error: refused before deploying: the DNS and TLS settings would fail the deploy:"
        ),
        "{err}"
    );
    assert!(
        err.contains("record api.example.com (ApiexamplecomRecord): there is no hosted zone example.com in this account"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed."), "{err}");
    no_stack(&moto);

    // The zone exists; the certificate covers another domain.
    zone(&moto, "example.com");
    let other = request(&moto, "*.example.org");
    let err = refused(&moto, dir, &other);
    assert!(
        err.contains(&format!(
            "certificate {other} covers *.example.org, not api.example.com; clients would reject the TLS connection"
        )),
        "{err}"
    );
    no_stack(&moto);

    // A certificate of another region is named as such, without a look-up.
    let west = "arn:aws:acm:eu-west-1:123456789012:certificate/0000";
    let err = refused(&moto, dir, west);
    assert!(
        err.contains(&format!(
            "certificate {west} is in region eu-west-1, the stack deploys to us-east-1; a load balancer can only use a certificate of its own region"
        )),
        "{err}"
    );

    // A certificate that does not exist.
    let gone =
        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
    project(dir, "example.com", gone);
    let diff = moto.c2cfn(dir, &["diff"]);
    assert_eq!(code(&diff), 1, "{}", show(&diff));
    assert!(
        stderr(&diff).contains(&format!(
            "certificate {gone} does not exist in this account"
        )),
        "{}",
        show(&diff)
    );
    no_stack(&moto);
}

/// moto keeps a requested certificate PENDING_VALIDATION for
/// MOTO_ACM_VALIDATION_WAIT seconds (60 by default; the launcher's
/// --acm-validation-wait sets it, 0 unless given).
#[test]
fn a_certificate_pending_validation_is_refused() {
    let moto = Moto::start_with(&["--acm-validation-wait", "3600"]);
    zone(&moto, "example.com");
    let cert = request(&moto, "*.example.com");
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = refused(&moto, tmp.path(), &cert);
    assert!(
        err.contains(&format!(
            "certificate {cert} is PENDING_VALIDATION, not ISSUED; a listener cannot use it"
        )),
        "{err}"
    );
    assert!(err.contains("fix: finish its validation"), "{err}");
    no_stack(&moto);
}
