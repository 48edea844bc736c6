//! The image step (`c2cfn push`, and `up` for services with `build:`):
//! ensure the ECR repository `<stack>/<service>`, log in with ECR's token
//! (password on standard input), build for the service's platform, push,
//! then read the pushed image's digest back from ECR so the template gets
//! `<repo-uri>@sha256:…`: a moved tag rolls out, an unchanged image does not
//! redeploy. Also `push --copy`: a public image copied into ECR.

use std::collections::BTreeSet;
use std::io::Write;

use super::Failure;
use super::docker::{self, BuildSpec, Docker, DockerError};
use super::registry::repository_name;
use crate::aws::ecr::{EcrApi, Repository};

/// A service to build and push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceBuild {
    /// Service name.
    pub service: String,
    /// How to build it.
    pub build: BuildSpec,
}

/// An image in ECR, pinned to its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The service (or, for `--copy`, the repository name).
    pub name: String,
    /// `<repo-uri>:<tag>`.
    pub tagged: String,
    /// `<repo-uri>@sha256:…`: what the template parameter gets.
    pub pinned: String,
}

/// One image step run.
pub struct Pusher<'a, R: EcrApi> {
    /// ECR.
    pub registry: &'a R,
    /// The `docker` CLI.
    pub docker: &'a mut dyn Docker,
    /// Where progress goes.
    pub out: &'a mut dyn Write,
    /// Stack name (repository prefix).
    pub stack: &'a str,
    /// Project name (the repositories' `c2cfn:project` tag).
    pub project: &'a str,
    /// Image tag: `docker_tag` from the env file, else `latest`.
    pub tag: &'a str,
    logged_in: BTreeSet<String>,
}

fn docker_failure(e: DockerError) -> Failure {
    let hint = match e {
        DockerError::Missing => {
            "install Docker, or pass --image SERVICE=URI for every service with `build:` to deploy images built elsewhere"
        }
        DockerError::Failed { .. } => {
            "fix the problem docker reported above and run the command again; nothing was deployed"
        }
        DockerError::Io(_) => "check that the docker CLI can be run by this user",
        DockerError::NoCompose { .. } => "install the compose plugin, then run the command again",
        DockerError::NoDaemon { .. } => {
            "start Docker (Docker Desktop, or `sudo systemctl start docker`), check that this user may use it (`docker info`), or pass --image SERVICE=URI for every service with `build:`; nothing was changed"
        }
    };
    Failure::refused(e.to_string(), hint)
}

fn ecr_failure(what: &str, e: &crate::aws::ApiError) -> Failure {
    let mut f = Failure::api(what, e);
    f.hint = Some(
        "the credentials need ecr:DescribeRepositories, ecr:CreateRepository, ecr:GetAuthorizationToken, ecr:DescribeImages and the ecr push actions; nothing was deployed".into(),
    );
    f
}

impl<'a, R: EcrApi> Pusher<'a, R> {
    /// A run with nothing logged in yet.
    #[must_use]
    pub fn new(
        registry: &'a R,
        docker: &'a mut dyn Docker,
        out: &'a mut dyn Write,
        stack: &'a str,
        project: &'a str,
        tag: &'a str,
    ) -> Self {
        Self {
            registry,
            docker,
            out,
            stack,
            project,
            tag,
            logged_in: BTreeSet::new(),
        }
    }

    fn say(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    fn docker(&mut self, args: &[String], stdin: Option<&str>) -> Result<(), Failure> {
        docker::run(self.docker, args, stdin).map_err(docker_failure)
    }

    /// Fails before any AWS call when there is no `docker`, or its daemon
    /// does not answer.
    fn check_docker(&mut self) -> Result<(), Failure> {
        docker::check_daemon(self.docker)
            .map(|_| ())
            .map_err(docker_failure)
    }

    async fn repository(&mut self, name: &str) -> Result<Repository, Failure> {
        let repo = self
            .registry
            .ensure_repository(name, self.project)
            .await
            .map_err(|e| ecr_failure(&format!("cannot ensure ECR repository {name}"), &e))?;
        let what = if repo.created { "created" } else { "exists" };
        self.say(&format!("ECR repository {name}: {what} ({})", repo.uri));
        Ok(repo)
    }

    async fn login(&mut self, repo: &Repository) -> Result<(), Failure> {
        if self.logged_in.contains(repo.registry()) {
            return Ok(());
        }
        let login = self
            .registry
            .login()
            .await
            .map_err(|e| ecr_failure("cannot get an ECR authorization token", &e))?;
        let endpoint = if login.endpoint.is_empty() {
            format!("https://{}", repo.registry())
        } else {
            login.endpoint.clone()
        };
        self.docker(
            &docker::login(&endpoint, &login.user),
            Some(&login.password),
        )?;
        self.logged_in.insert(repo.registry().to_owned());
        Ok(())
    }

    async fn pin(
        &mut self,
        name: &str,
        repo_name: &str,
        repo: &Repository,
        tag: &str,
    ) -> Result<Pushed, Failure> {
        let digest = self
            .registry
            .image_digest(repo_name, tag)
            .await
            .map_err(|e| ecr_failure(&format!("cannot read the digest of {repo_name}:{tag}"), &e))?
            .ok_or_else(|| {
                Failure::refused(
                    format!("`docker push` succeeded but ECR has no image tagged {tag} in {repo_name}"),
                    "check that docker pushed to the same account and region as the AWS credentials",
                )
            })?;
        let pushed = Pushed {
            name: name.to_owned(),
            tagged: format!("{}:{tag}", repo.uri),
            pinned: format!("{}@{digest}", repo.uri),
        };
        self.say(&format!("{name}: {}", pushed.pinned));
        Ok(pushed)
    }

    /// Builds and pushes every service; returns their pinned images.
    pub async fn push_services(
        &mut self,
        services: &[ServiceBuild],
    ) -> Result<Vec<Pushed>, Failure> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        self.check_docker()?;
        let mut done = Vec::new();
        for s in services {
            let repo_name = repository_name(self.stack, &s.service);
            let repo = self.repository(&repo_name).await?;
            self.login(&repo).await?;
            let tagged = format!("{}:{}", repo.uri, self.tag);
            self.say(&format!(
                "{}: building {tagged} ({})",
                s.service, s.build.platform
            ));
            self.docker(&docker::build(&s.build, &tagged), None)?;
            self.docker(&docker::push(&tagged), None)?;
            let tag = self.tag.to_owned();
            done.push(self.pin(&s.service, &repo_name, &repo, &tag).await?);
        }
        Ok(done)
    }

    /// `push --copy SOURCE --to REPO[:TAG]`: pull, tag, push into ECR.
    pub async fn copy(
        &mut self,
        source: &str,
        to: &str,
        platform: &str,
    ) -> Result<Pushed, Failure> {
        self.check_docker()?;
        let (repo_name, tag) = copy_target(source, to)?;
        let repo = self.repository(&repo_name).await?;
        self.docker(&docker::pull(source, platform), None)?;
        let tagged = format!("{}:{tag}", repo.uri);
        self.docker(&docker::tag(source, &tagged), None)?;
        self.login(&repo).await?;
        self.docker(&docker::push(&tagged), None)?;
        self.pin(&repo_name, &repo_name, &repo, &tag).await
    }

    /// For `diff`: the digest the current tag points to, without building.
    pub async fn already_pushed(&mut self, service: &str) -> Result<Option<Pushed>, Failure> {
        let repo_name = repository_name(self.stack, service);
        let Some(repo) = self
            .registry
            .find_repository(&repo_name)
            .await
            .map_err(|e| ecr_failure(&format!("cannot read ECR repository {repo_name}"), &e))?
        else {
            return Ok(None);
        };
        let tag = self.tag.to_owned();
        match self.registry.image_digest(&repo_name, &tag).await {
            Ok(Some(digest)) => Ok(Some(Pushed {
                name: service.to_owned(),
                tagged: format!("{}:{tag}", repo.uri),
                pinned: format!("{}@{digest}", repo.uri),
            })),
            Ok(None) => Ok(None),
            Err(e) => Err(ecr_failure(
                &format!("cannot read the digest of {repo_name}:{tag}"),
                &e,
            )),
        }
    }
}

/// `--to REPO[:TAG]` (a bare name or a full ECR URI); the tag defaults to the
/// source image's tag, else `latest`.
fn copy_target(source: &str, to: &str) -> Result<(String, String), Failure> {
    let path = to.split_once(".amazonaws.com/").map_or(to, |(_, p)| p);
    let (name, tag) = split_tag(path);
    let tag = tag
        .or_else(|| split_tag(source.split('@').next().unwrap_or(source)).1)
        .unwrap_or("latest");
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c));
    if !valid {
        return Err(Failure::refused(
            format!("--to {to}: not an ECR repository name"),
            "ECR names are lower case letters, digits and . _ - /, e.g. --to game/redis:7",
        ));
    }
    Ok((name.to_owned(), tag.to_owned()))
}

/// `name:tag` → (name, Some(tag)); a `:` before the last `/` is a registry port.
fn split_tag(image: &str) -> (&str, Option<&str>) {
    match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, Some(tag)),
        _ => (image, None),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt as _;
    use std::process::ExitStatus;

    use super::*;
    use crate::aws::fake::FakeEcr;
    use crate::aws::testing::block;

    #[derive(Default)]
    struct Recorder {
        missing: bool,
        fail: Option<&'static str>,
        lines: Vec<(String, Option<String>)>,
    }

    impl Docker for Recorder {
        fn available(&self) -> bool {
            !self.missing
        }
        fn run(&mut self, args: &[String], stdin: Option<&str>) -> std::io::Result<ExitStatus> {
            self.lines.push((args.join(" "), stdin.map(str::to_owned)));
            let failed = self.fail.is_some_and(|f| args[0] == f);
            Ok(ExitStatus::from_raw(if failed { 256 } else { 0 }))
        }
    }

    fn services() -> Vec<ServiceBuild> {
        ["api", "worker"]
            .iter()
            .map(|s| ServiceBuild {
                service: (*s).into(),
                build: BuildSpec {
                    context: format!("/p/{s}"),
                    dockerfile: None,
                    args: Vec::new(),
                    target: None,
                    platform: "linux/amd64".into(),
                },
            })
            .collect()
    }

    #[test]
    fn builds_pushes_and_pins_each_service_logging_in_once() {
        let ecr = FakeEcr {
            existing: vec!["game/api".into()],
            ..FakeEcr::default()
        };
        let mut docker = Recorder::default();
        let mut out = Vec::new();
        let pushed = block(
            Pusher::new(&ecr, &mut docker, &mut out, "Game", "game", "v7")
                .push_services(&services()),
        )
        .expect("pushed");
        assert_eq!(
            pushed.iter().map(|p| p.pinned.as_str()).collect::<Vec<_>>(),
            [
                "1.dkr.ecr.r.amazonaws.com/game/api@sha256:abc",
                "1.dkr.ecr.r.amazonaws.com/game/worker@sha256:abc"
            ]
        );
        let lines: Vec<_> = docker.lines.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            lines,
            [
                "version --format {{.Server.Version}}",
                "login --username AWS --password-stdin https://1.dkr.ecr.r.amazonaws.com",
                "build --platform linux/amd64 -t 1.dkr.ecr.r.amazonaws.com/game/api:v7 /p/api",
                "push 1.dkr.ecr.r.amazonaws.com/game/api:v7",
                "build --platform linux/amd64 -t 1.dkr.ecr.r.amazonaws.com/game/worker:v7 /p/worker",
                "push 1.dkr.ecr.r.amazonaws.com/game/worker:v7",
            ]
        );
        // The password only ever goes to standard input, of the login.
        assert_eq!(docker.lines[1].1.as_deref(), Some("s3cret"));
        assert!(
            docker
                .lines
                .iter()
                .filter(|(l, _)| !l.starts_with("login"))
                .all(|(l, stdin)| stdin.is_none() && !l.contains("s3cret"))
        );
        assert_eq!(
            ecr.calls.borrow().as_slice(),
            [
                "ensure game/api game",
                "login",
                "digest game/api:v7",
                "ensure game/worker game",
                "digest game/worker:v7"
            ]
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("ECR repository game/api: exists"), "{text}");
        assert!(
            text.contains("ECR repository game/worker: created"),
            "{text}"
        );
    }

    #[test]
    fn no_docker_fails_before_any_aws_call() {
        let ecr = FakeEcr::default();
        let mut docker = Recorder {
            missing: true,
            ..Recorder::default()
        };
        let mut out = Vec::new();
        let f = block(
            Pusher::new(&ecr, &mut docker, &mut out, "g", "g", "latest").push_services(&services()),
        )
        .expect_err("refused");
        assert!(
            f.message.contains("`docker` command was not found"),
            "{}",
            f.message
        );
        assert!(f.hint.as_deref().unwrap_or_default().contains("--image"));
        assert!(ecr.calls.borrow().is_empty());
        assert!(docker.lines.is_empty());
    }

    #[test]
    fn a_docker_that_does_not_answer_fails_before_any_aws_call() {
        let ecr = FakeEcr::default();
        let mut docker = Recorder {
            fail: Some("version"),
            ..Recorder::default()
        };
        let mut out = Vec::new();
        let f = block(
            Pusher::new(&ecr, &mut docker, &mut out, "g", "g", "latest").push_services(&services()),
        )
        .expect_err("refused");
        assert_eq!(
            f.message,
            "docker does not answer: `docker version --format {{.Server.Version}}` failed, so no image can be built"
        );
        assert!(
            f.hint
                .as_deref()
                .unwrap_or_default()
                .starts_with("start Docker"),
            "{f:?}"
        );
        assert!(ecr.calls.borrow().is_empty());
        let lines: Vec<_> = docker.lines.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(lines, ["version --format {{.Server.Version}}"]);
    }

    #[test]
    fn a_failed_build_stops_before_push() {
        let ecr = FakeEcr::default();
        let mut docker = Recorder {
            fail: Some("build"),
            ..Recorder::default()
        };
        let mut out = Vec::new();
        let f = block(
            Pusher::new(&ecr, &mut docker, &mut out, "g", "g", "latest").push_services(&services()),
        )
        .expect_err("failed");
        assert!(
            f.message
                .starts_with("`docker build --platform linux/amd64 -t"),
            "{}",
            f.message
        );
        assert_eq!(docker.lines.len(), 3, "version, login, build; no push");
    }

    #[test]
    fn a_push_ecr_does_not_see_is_an_error() {
        let ecr = FakeEcr {
            no_digest: true,
            ..FakeEcr::default()
        };
        let mut docker = Recorder::default();
        let mut out = Vec::new();
        let f = block(
            Pusher::new(&ecr, &mut docker, &mut out, "g", "g", "latest").push_services(&services()),
        )
        .expect_err("failed");
        assert!(
            f.message
                .contains("ECR has no image tagged latest in g/api"),
            "{}",
            f.message
        );
    }

    #[test]
    fn copy_pulls_tags_and_pushes() {
        let ecr = FakeEcr::default();
        let mut docker = Recorder::default();
        let mut out = Vec::new();
        let pushed = block(
            Pusher::new(&ecr, &mut docker, &mut out, "g", "g", "latest").copy(
                "public.ecr.aws/docker/library/redis:7.2",
                "game/redis",
                "linux/amd64",
            ),
        )
        .expect("copied");
        assert_eq!(
            pushed.pinned,
            "1.dkr.ecr.r.amazonaws.com/game/redis@sha256:abc"
        );
        let lines: Vec<_> = docker.lines.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            lines,
            [
                "version --format {{.Server.Version}}",
                "pull --platform linux/amd64 public.ecr.aws/docker/library/redis:7.2",
                "tag public.ecr.aws/docker/library/redis:7.2 1.dkr.ecr.r.amazonaws.com/game/redis:7.2",
                "login --username AWS --password-stdin https://1.dkr.ecr.r.amazonaws.com",
                "push 1.dkr.ecr.r.amazonaws.com/game/redis:7.2",
            ]
        );
    }

    #[test]
    fn copy_targets() {
        assert_eq!(
            copy_target("redis", "1.dkr.ecr.r.amazonaws.com/game/redis:x").ok(),
            Some(("game/redis".into(), "x".into()))
        );
        assert_eq!(
            copy_target("localhost:5000/redis", "game/redis").ok(),
            Some(("game/redis".into(), "latest".into()))
        );
        assert_eq!(
            copy_target("redis@sha256:1", "r").ok(),
            Some(("r".into(), "latest".into()))
        );
        assert!(copy_target("redis", "Game/Redis").is_err());
    }

    #[test]
    fn diff_reads_the_current_digest_without_building() {
        let ecr = FakeEcr {
            existing: vec!["g/api".into()],
            ..FakeEcr::default()
        };
        let mut docker = Recorder::default();
        let mut out = Vec::new();
        let mut p = Pusher::new(&ecr, &mut docker, &mut out, "g", "g", "latest");
        let api = block(p.already_pushed("api")).expect("read");
        assert_eq!(
            api.map(|p| p.pinned),
            Some("1.dkr.ecr.r.amazonaws.com/g/api@sha256:abc".into())
        );
        assert_eq!(block(p.already_pushed("worker")).expect("read"), None);
        assert!(docker.lines.is_empty());
    }
}
