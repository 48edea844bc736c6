//! The local environment of a rendered project: its plan (from the
//! settings `dynamodb_port`, `redis_port`, `aws_region`) and the options of
//! the run, and the ECR registries its images come from.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::run;
use super::{LocalPlan, LocalSettings};
use crate::render::Rendered;

/// Test-only: create the local tables on this endpoint instead of DynamoDB
/// Local's port (docs/operate.md).
pub const DYNAMODB_ENDPOINT_VAR: &str = "C2CFN_LOCAL_DYNAMODB_ENDPOINT";

/// The plan and run options of `command` (`up`, `local`, `down`) for
/// `services` (empty: all); `deps_only`: only DynamoDB Local and Redis.
#[must_use]
pub fn setup(
    rendered: &Rendered,
    command: &str,
    services: &[String],
    deps_only: bool,
) -> (LocalPlan, run::Options) {
    let typed = &rendered.typed;
    let base = rendered
        .settings
        .env_files()
        .last()
        .and_then(|e| e.path.parent().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let base = std::path::absolute(&base).unwrap_or(base);
    let settings = LocalSettings {
        dynamodb_port: typed.dynamodb_port.as_ref().map_or(8000, |s| s.value),
        redis_port: typed.redis_port.as_ref().map_or(6379, |s| s.value),
        state_dir: super::plan::default_state_dir(&base, &rendered.contract.stack),
        region: typed
            .aws_region
            .as_ref()
            .map_or_else(|| "us-east-1".to_owned(), |s| s.value.clone()),
    };
    let plan = super::plan(&rendered.stack, &settings);
    let wait = std::env::var("C2CFN_LOCAL_WAIT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(60), Duration::from_secs);
    let options = run::Options {
        command: command.to_owned(),
        user_files: rendered
            .compose_files
            .iter()
            .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
            .collect(),
        deps_only,
        services: services.to_vec(),
        wait,
        dynamodb_endpoint: std::env::var(DYNAMODB_ENDPOINT_VAR)
            .ok()
            .filter(|v| !v.is_empty()),
    };
    (plan, options)
}

/// The ECR registries the app's images come from (`image:` of services
/// not built from source; `services`: a subset, empty for all), with
/// their regions.
#[must_use]
pub fn ecr_registries(rendered: &Rendered, services: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, service) in &rendered.project.services {
        if !services.is_empty() && !services.contains(name) {
            continue;
        }
        let Some(image) = service.image.as_ref().map(|i| i.value.as_str()) else {
            continue;
        };
        let host = image.split('/').next().unwrap_or_default();
        // ACCOUNT.dkr.ecr.REGION.amazonaws.com
        let parts: Vec<&str> = host.split('.').collect();
        if image.contains('/')
            && parts.len() >= 6
            && parts[1] == "dkr"
            && parts[2] == "ecr"
            && host.ends_with(".amazonaws.com")
            && !out.iter().any(|(h, _)| h == host)
        {
            out.push((host.to_owned(), parts[3].to_owned()));
        }
    }
    out
}

/// `docker login` credentials for each ECR registry of the app (AWS
/// credentials as for the deploy commands); a registry that cannot be
/// reached gets a warning on `err`: docker compose then pulls only if an
/// earlier login or a local copy of the image allows it.
pub fn ecr_logins(
    rendered: &Rendered,
    services: &[String],
    command: &str,
    err: &mut dyn Write,
) -> Vec<run::RegistryLogin> {
    let registries = ecr_registries(rendered, services);
    if registries.is_empty() {
        return Vec::new();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "error: cannot start the async runtime: {e}");
            return Vec::new();
        }
    };
    let profile = rendered.settings.get("aws_profile");
    let mut logins = Vec::new();
    for (host, region) in registries {
        let login = runtime.block_on(async {
            let aws = crate::aws::Clients::connect(profile.as_deref(), Some(&region))
                .await
                .map_err(|e| e.to_string())?;
            crate::aws::ecr::EcrApi::login(&aws.ecr)
                .await
                .map_err(|e| e.to_string())
        });
        match login {
            Ok(l) => logins.push(run::RegistryLogin {
                endpoint: format!("https://{host}"),
                user: l.user,
                password: l.password,
            }),
            Err(e) => {
                let _ = writeln!(
                    err,
                    "warning: c2cfn {command}: cannot log in to ECR registry {host}: {e}\nhelp: the app's image comes from there; set AWS credentials (`aws_profile` in the env file, AWS_PROFILE) or pull it yourself"
                );
            }
        }
    }
    logins
}
