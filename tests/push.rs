//! `push` and the image step of `up` end to end: the real binary against the
//! local AWS stand-in for ECR and CloudFormation, with a fake `docker` on
//! PATH that records its command lines (and what `login` got on standard
//! input) and, on `push`, puts an image manifest into the stand-in's ECR
//! (`ecr put-image`) so a digest exists. `FAKE_BUILD` changes the manifest's
//! layer, as a rebuilt image would (moto derives the digest from the layers).

use std::path::PathBuf;

use serde_json::Value;

use super::support::moto::Moto;
use super::support::{code, show};
use super::support::{stderr, stdout};

const FAKE_DOCKER: &str = r#"#!/bin/sh
printf '%s\n' "$*" >> "$FAKE_DOCKER_LOG"
if [ "$1" = version ] && [ -n "$FAKE_NO_DAEMON" ]; then
  echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
  exit 1
fi
case "$1" in
  login) printf 'stdin=%s\n' "$(cat)" >> "$FAKE_DOCKER_LOG" ;;
  push)
    path="${2#*/}"; repo="${path%:*}"; tag="${path##*:}"
    manifest='{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:0"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1,"digest":"sha256:'"$FAKE_BUILD"'"}]}'
    # An unchanged image is already there (ImageAlreadyExists): docker push succeeds then too.
    "$C2CFN_AWS_CLI" --endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 ecr put-image \
      --repository-name "$repo" --image-tag "$tag" --image-manifest "$manifest" >/dev/null 2>&1 || true ;;
esac
exit 0
"#;

const PROJECT: &str = "name: pushtest
services:
  api:
    build:
      context: ./api
      dockerfile: Dockerfile.prod
      args:
        VERSION: \"1\"
      target: runtime
    platform: linux/arm64
  web:
    image: nginx
";

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    bin: PathBuf,
    log: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("project");
    std::fs::create_dir_all(dir.join("api")).expect("mkdir");
    std::fs::write(dir.join("compose.yaml"), PROJECT).expect("write compose.yaml");
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let docker = bin.join("docker");
    std::fs::write(&docker, FAKE_DOCKER).expect("write fake docker");
    let mut perm = std::fs::metadata(&docker).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&docker, perm).expect("chmod");
    let log = tmp.path().join("docker.log");
    Setup {
        _tmp: tmp,
        dir,
        bin,
        log,
    }
}

impl Setup {
    fn path(&self) -> String {
        format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    fn run(&self, moto: &Moto, args: &[&str], build: &str) -> std::process::Output {
        let path = self.path();
        let log = self.log.display().to_string();
        moto.c2cfn_with(
            &self.dir,
            args,
            &[
                ("PATH", path.as_str()),
                ("FAKE_DOCKER_LOG", log.as_str()),
                ("FAKE_BUILD", build),
            ],
        )
    }

    fn take_log(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let _ = std::fs::remove_file(&self.log);
        text.lines().map(str::to_owned).collect()
    }
}

const REPO: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/pushtest/api";

fn digest(moto: &Moto) -> String {
    let images = moto.aws(&[
        "ecr",
        "describe-images",
        "--repository-name",
        "pushtest/api",
        "--image-ids",
        "imageTag=latest",
    ]);
    images["imageDetails"][0]["imageDigest"]
        .as_str()
        .expect("a digest")
        .to_owned()
}

fn image_parameter(moto: &Moto) -> String {
    let v = moto.aws(&[
        "cloudformation",
        "describe-stacks",
        "--stack-name",
        "pushtest",
    ]);
    v["Stacks"][0]["Parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["ParameterKey"] == "ApiImage"))
        .and_then(|p| p["ParameterValue"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn push_creates_the_repository_builds_pushes_and_up_pins_the_digest() {
    let moto = Moto::start();
    let s = setup();
    let ctx = s.dir.join("api").display().to_string();

    let push = s.run(&moto, &["push"], "1111");
    assert_eq!(code(&push), 0, "{}", show(&push));
    assert_eq!(
        s.take_log(),
        [
            "version --format {{.Server.Version}}".to_owned(),
            "login --username AWS --password-stdin https://123456789012.dkr.ecr.us-east-1.amazonaws.com".to_owned(),
            "stdin=123456789012-auth-token".to_owned(),
            format!(
                "build --platform linux/arm64 -f {ctx}/Dockerfile.prod --build-arg VERSION=1 --target runtime -t {REPO}:latest {ctx}"
            ),
            format!("push {REPO}:latest"),
        ]
    );
    let first = digest(&moto);
    assert!(
        stdout(&push).contains(&format!("api: {REPO}@{first}")),
        "{}",
        show(&push)
    );
    assert!(
        stdout(&push).contains("ECR repository pushtest/api: created"),
        "{}",
        show(&push)
    );
    let repos = moto.aws(&["ecr", "describe-repositories"]);
    let repo = &repos["repositories"][0];
    assert_eq!(repo["repositoryName"], "pushtest/api");
    assert_eq!(repo["imageScanningConfiguration"]["scanOnPush"], true);
    let tags = moto.aws(&[
        "ecr",
        "list-tags-for-resource",
        "--resource-arn",
        repo["repositoryArn"].as_str().unwrap_or_default(),
    ]);
    assert_eq!(
        tags["tags"],
        serde_json::json!([{"Key": "c2cfn:project", "Value": "pushtest"}])
    );

    // up builds and pushes again (same image), and deploys it by digest.
    let up = s.run(&moto, &["up", "-y"], "1111");
    assert_eq!(code(&up), 0, "{}", show(&up));
    assert!(
        stdout(&up).contains("ECR repository pushtest/api: exists"),
        "{}",
        show(&up)
    );
    assert_eq!(image_parameter(&moto), format!("{REPO}@{first}"));

    // ps shows each ECS service's counts (moto starts no tasks: pending).
    let ps = s.run(&moto, &["ps", "--json"], "1111");
    assert_eq!(code(&ps), 0, "{}", show(&ps));
    let v: Value = serde_json::from_str(&stdout(&ps)).expect("ps --json");
    let services: Vec<(&str, i64)> = v["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| {
            (
                s["logical_id"].as_str().unwrap_or_default(),
                s["desired"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(services, [("ApiService", 1), ("WebService", 1)], "{v}");
    assert_eq!(v["services"][0]["cluster"], "pushtest");
    assert_eq!(v["services_error"], Value::Null);

    // The same image again: nothing to roll out.
    let again = s.run(&moto, &["up", "-y"], "1111");
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert!(stdout(&again).contains("No changes"), "{}", show(&again));

    // A rebuilt image under the same tag: the digest moves, the stack updates.
    s.take_log();
    let moved = s.run(&moto, &["up", "-y"], "2222");
    assert_eq!(code(&moved), 0, "{}", show(&moved));
    let second = digest(&moto);
    assert_ne!(first, second);
    assert!(
        stdout(&moved).contains("UPDATE_COMPLETE"),
        "{}",
        show(&moved)
    );
    assert_eq!(image_parameter(&moto), format!("{REPO}@{second}"));

    // diff reads the digest the tag points to, without docker.
    s.take_log();
    let diff = s.run(&moto, &["diff"], "3333");
    assert_eq!(code(&diff), 0, "{}", show(&diff));
    assert!(s.take_log().is_empty(), "diff runs no docker command");
}

#[test]
fn image_flag_skips_the_build() {
    let moto = Moto::start();
    let s = setup();
    let up = s.run(
        &moto,
        &[
            "up",
            "-y",
            "--image",
            "api=public.ecr.aws/nginx/nginx@sha256:00",
        ],
        "1",
    );
    assert_eq!(code(&up), 0, "{}", show(&up));
    assert!(s.take_log().is_empty());
    assert_eq!(
        image_parameter(&moto),
        "public.ecr.aws/nginx/nginx@sha256:00"
    );
    let repos = moto.aws(&["ecr", "describe-repositories"]);
    assert_eq!(repos["repositories"], Value::Array(Vec::new()));
}

#[test]
fn an_image_for_an_unknown_service_stops_before_any_build() {
    let moto = Moto::start();
    let s = setup();
    let up = s.run(&moto, &["up", "-y", "--image", "wbe=nginx"], "1");
    assert_eq!(code(&up), 1, "{}", show(&up));
    assert!(
        stderr(&up).contains("the project has no service `wbe` built from source"),
        "{}",
        show(&up)
    );
    assert!(s.take_log().is_empty(), "no docker command ran");
}

/// A pre-deploy check (docs/deploy.md): when an image must be built and the
/// Docker daemon does not answer, `up` stops before any repository, change
/// set or stack is made.
#[test]
fn a_docker_daemon_that_does_not_answer_stops_up_before_anything_is_made() {
    let moto = Moto::start();
    let s = setup();
    let path = s.path();
    let log = s.log.display().to_string();
    let up = moto.c2cfn_with(
        &s.dir,
        &["up", "-y"],
        &[
            ("PATH", path.as_str()),
            ("FAKE_DOCKER_LOG", log.as_str()),
            ("FAKE_NO_DAEMON", "1"),
        ],
    );
    assert_eq!(code(&up), 1, "{}", show(&up));
    let err = stderr(&up);
    assert!(
        err.contains("error: docker does not answer: `docker version --format {{.Server.Version}}` failed (docker said: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?), so no image can be built"),
        "{err}"
    );
    assert!(err.contains("help: start Docker"), "{err}");
    assert_eq!(s.take_log(), ["version --format {{.Server.Version}}"]);
    let repos = moto.aws(&["ecr", "describe-repositories"]);
    assert_eq!(repos["repositories"], Value::Array(Vec::new()));
    let stacks = moto.aws(&["cloudformation", "list-stacks"]);
    assert!(
        stacks["StackSummaries"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{stacks}"
    );
}

#[test]
fn without_docker_push_says_so_and_creates_nothing() {
    let moto = Moto::start();
    let s = setup();
    let empty = s.dir.join("api"); // no docker here
    let out = moto.c2cfn_with(
        &s.dir,
        &["push"],
        &[("PATH", empty.display().to_string().as_str())],
    );
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stderr(&out).contains("the `docker` command was not found on PATH"),
        "{}",
        show(&out)
    );
    assert!(stderr(&out).contains("--image"), "{}", show(&out));
    let repos = moto.aws(&["ecr", "describe-repositories"]);
    assert_eq!(repos["repositories"], Value::Array(Vec::new()));
}

#[test]
fn copy_puts_a_public_image_into_ecr() {
    let moto = Moto::start();
    let s = setup();
    let out = s.run(
        &moto,
        &[
            "push",
            "--copy",
            "public.ecr.aws/docker/library/redis:7.2",
            "--to",
            "game/redis",
        ],
        "7777",
    );
    assert_eq!(code(&out), 0, "{}", show(&out));
    let repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/game/redis";
    assert_eq!(
        s.take_log(),
        [
            "version --format {{.Server.Version}}".to_owned(),
            "pull --platform linux/amd64 public.ecr.aws/docker/library/redis:7.2".to_owned(),
            format!("tag public.ecr.aws/docker/library/redis:7.2 {repo}:7.2"),
            "login --username AWS --password-stdin https://123456789012.dkr.ecr.us-east-1.amazonaws.com".to_owned(),
            "stdin=123456789012-auth-token".to_owned(),
            format!("push {repo}:7.2"),
        ]
    );
    assert!(
        stdout(&out).contains(&format!("image: {repo}@sha256:")),
        "{}",
        show(&out)
    );
}

#[test]
fn unknown_service_is_refused() {
    let moto = Moto::start();
    let s = setup();
    let out = s.run(&moto, &["push", "web"], "1");
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stderr(&out).contains("`web` is not a service with `build:`"),
        "{}",
        show(&out)
    );
    assert!(stderr(&out).contains("services built from source: api"));
    assert!(s.take_log().is_empty());
}
