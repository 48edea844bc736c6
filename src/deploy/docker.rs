//! The `docker` command lines of the image step (`c2cfn push`, `up`), behind
//! a trait: the real one runs the `docker` CLI, tests record the exact
//! command lines and what went to standard input.

use std::path::{Path, PathBuf};

pub use crate::docker::{
    BuildSpec, Docker, DockerCli, DockerError, check_daemon, fargate_platform, run, server_version,
};

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|&s| s.to_owned()).collect()
}

/// `docker login --username USER --password-stdin REGISTRY` (the password
/// goes on standard input, never on the command line).
#[must_use]
pub fn login(registry: &str, user: &str) -> Vec<String> {
    owned(&["login", "--username", user, "--password-stdin", registry])
}

/// `docker build --platform P [-f FILE] [--build-arg K[=V]]... [--target T] -t IMAGE CONTEXT`.
#[must_use]
pub fn build(spec: &BuildSpec, image: &str) -> Vec<String> {
    let mut args = owned(&["build", "--platform", &spec.platform]);
    if let Some(file) = &spec.dockerfile {
        args.push("-f".to_owned());
        args.push(dockerfile_path(&spec.context, file));
    }
    for (k, v) in &spec.args {
        args.push("--build-arg".to_owned());
        args.push(match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        });
    }
    if let Some(t) = &spec.target {
        args.push("--target".to_owned());
        args.push(t.clone());
    }
    args.push("-t".to_owned());
    args.push(image.to_owned());
    args.push(spec.context.clone());
    args
}

/// `docker push IMAGE`.
#[must_use]
pub fn push(image: &str) -> Vec<String> {
    owned(&["push", image])
}

/// `docker pull --platform P IMAGE`.
#[must_use]
pub fn pull(image: &str, platform: &str) -> Vec<String> {
    owned(&["pull", "--platform", platform, image])
}

/// `docker tag SOURCE TARGET`.
#[must_use]
pub fn tag(source: &str, target: &str) -> Vec<String> {
    owned(&["tag", source, target])
}

/// Compose resolves `dockerfile` against the context; `docker build -f`
/// resolves it against the current directory, so c2cfn passes it joined.
fn dockerfile_path(context: &str, file: &str) -> String {
    let path = Path::new(file);
    if path.is_absolute() || context.contains("://") {
        file.to_owned()
    } else {
        PathBuf::from(context).join(path).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::process::ExitStatus;

    use super::*;

    fn spec() -> BuildSpec {
        BuildSpec {
            context: "/p/api".into(),
            dockerfile: Some("docker/Dockerfile.prod".into()),
            args: vec![
                ("VERSION".into(), Some("1.2".into())),
                ("TOKEN".into(), None),
            ],
            target: Some("runtime".into()),
            platform: "linux/arm64".into(),
        }
    }

    #[test]
    fn build_line_is_exact() {
        assert_eq!(
            build(&spec(), "1.dkr.ecr.r.amazonaws.com/game/api:v1").join(" "),
            "build --platform linux/arm64 -f /p/api/docker/Dockerfile.prod --build-arg VERSION=1.2 --build-arg TOKEN --target runtime -t 1.dkr.ecr.r.amazonaws.com/game/api:v1 /p/api"
        );
        let minimal = BuildSpec {
            context: "/p".into(),
            dockerfile: None,
            args: Vec::new(),
            target: None,
            platform: "linux/amd64".into(),
        };
        assert_eq!(
            build(&minimal, "r/x:latest"),
            owned(&[
                "build",
                "--platform",
                "linux/amd64",
                "-t",
                "r/x:latest",
                "/p"
            ])
        );
    }

    #[test]
    fn absolute_and_url_dockerfiles_are_kept() {
        assert_eq!(dockerfile_path("/p", "/abs/Dockerfile"), "/abs/Dockerfile");
        assert_eq!(
            dockerfile_path("https://github.com/a/b.git", "Dockerfile"),
            "Dockerfile"
        );
    }

    #[test]
    fn login_keeps_the_password_off_the_command_line() {
        assert_eq!(
            login("https://1.dkr.ecr.r.amazonaws.com", "AWS"),
            owned(&[
                "login",
                "--username",
                "AWS",
                "--password-stdin",
                "https://1.dkr.ecr.r.amazonaws.com"
            ])
        );
    }

    #[test]
    fn platforms_map_to_fargate_architectures() {
        assert_eq!(fargate_platform(None), "linux/amd64");
        assert_eq!(fargate_platform(Some("linux/arm64/v8")), "linux/arm64");
        assert_eq!(fargate_platform(Some("linux/amd64")), "linux/amd64");
    }

    #[test]
    fn a_missing_cli_is_named() {
        struct Absent;
        impl Docker for Absent {
            fn available(&self) -> bool {
                false
            }
            fn run(&mut self, _: &[String], _: Option<&str>) -> std::io::Result<ExitStatus> {
                Err(std::io::Error::from(std::io::ErrorKind::NotFound))
            }
        }
        let e = run(&mut Absent, &push("x"), None).unwrap_err();
        assert!(matches!(e, DockerError::Missing));
        assert!(e.to_string().contains("`docker` command was not found"));
    }
}
