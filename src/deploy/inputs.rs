//! What `up`, `diff` and `push` take from the deploy contract
//! ([`crate::render::Contract`]): the parameters to resolve, the services
//! to build, and the account the credentials must belong to.

use std::collections::BTreeMap;
use std::io::Write;

use super::Failure;
use super::docker::DockerCli;
use super::params::Inputs;
use super::push::{Pusher, ServiceBuild};
use crate::aws::ApiResult;
use crate::aws::Clients as Aws;
use crate::render::{Contract, ParameterSource};

/// The parameters of `contract` to resolve, with the images given by
/// `--image SERVICE=URI`.
///
/// # Errors
/// An `--image` that is not `SERVICE=URI`, or names a service not built
/// from source (checked here so that a typo stops the run before any image
/// is built).
pub fn inputs(contract: &Contract, images: &[String]) -> Result<Inputs, Failure> {
    let mut secrets = BTreeMap::new();
    let mut by_parameter = BTreeMap::new();
    for p in &contract.parameters {
        match &p.source {
            ParameterSource::Secret { name, from } => {
                secrets.insert(p.name.clone(), (name.clone(), from.clone()));
            }
            ParameterSource::Image { service } => {
                by_parameter.insert(p.name.clone(), service.clone());
            }
            ParameterSource::DefaultNetwork | ParameterSource::Default => {}
        }
    }
    let mut given_images = BTreeMap::new();
    for item in images {
        let Some((service, uri)) = item
            .split_once('=')
            .filter(|(s, u)| !s.is_empty() && !u.is_empty())
        else {
            return Err(Failure::refused(
                format!("--image {item}: expected SERVICE=URI"),
                "e.g. --image api=123456789012.dkr.ecr.eu-west-1.amazonaws.com/game/api@sha256:...",
            ));
        };
        if !contract.builds.iter().any(|b| b.service == service) {
            return Err(Failure::refused(
                format!(
                    "--image {service}=...: the project has no service `{service}` built from source"
                ),
                "--image is for services with `build:`; services with `image:` deploy that image",
            ));
        }
        given_images.insert(service.to_owned(), uri.to_owned());
    }
    Ok(Inputs {
        names: contract.parameters.iter().map(|p| p.name.clone()).collect(),
        secrets,
        images: by_parameter,
        given_images,
    })
}

/// The build of each service built from source (`only`: a subset, by name).
///
/// # Errors
/// A name in `only` that is not a service built from source.
pub fn builds(contract: &Contract, only: &[String]) -> Result<Vec<ServiceBuild>, Failure> {
    for name in only {
        if !contract.builds.iter().any(|b| &b.service == name) {
            let built: Vec<&str> = contract.builds.iter().map(|b| b.service.as_str()).collect();
            return Err(Failure::refused(
                format!("`{name}` is not a service with `build:` in this project"),
                format!(
                    "services built from source: {}",
                    if built.is_empty() {
                        "none".to_owned()
                    } else {
                        built.join(", ")
                    }
                ),
            ));
        }
    }
    Ok(contract
        .builds
        .iter()
        .filter(|b| only.is_empty() || only.contains(&b.service))
        .map(|b| ServiceBuild {
            service: b.service.clone(),
            build: b.spec.clone(),
        })
        .collect())
}

/// The account of the credentials (`answer`: STS GetCallerIdentity),
/// checked against the account the env file pins (`aws_account_id`).
///
/// # Errors
/// The account cannot be identified, or is not the pinned one.
pub fn check_account(answer: ApiResult<String>, pinned: Option<&str>) -> Result<String, Failure> {
    let account = answer.map_err(|e| {
        Failure::api(
            "cannot identify the AWS account (STS GetCallerIdentity)",
            &e,
        )
    })?;
    if let Some(pinned) = pinned
        && pinned != account
    {
        return Err(Failure::refused(
            format!(
                "the env file pins account {pinned}, but the credentials are for account {account}"
            ),
            "use the profile of that account (--aws-profile or `aws_profile` in the env file); nothing was changed",
        ));
    }
    Ok(account)
}

/// Fills `given` (service → image) for the services without `--image`:
/// `up` (`build`) builds and pushes them (only those of `only` when it is
/// not empty); `diff`, and `up` for the others, use the digest the tag
/// points to in ECR today, without building.
///
/// # Errors
/// A build, push or ECR look-up that fails.
pub async fn resolve_images(
    contract: &Contract,
    aws: &Aws,
    given: &mut BTreeMap<String, String>,
    build: bool,
    only: &[String],
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let todo: Vec<ServiceBuild> = builds(contract, &[])?
        .into_iter()
        .filter(|s| !given.contains_key(&s.service))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let mut docker = DockerCli;
    let mut pusher = pusher(contract, aws, &mut docker, out);
    let (to_build, to_look_up): (Vec<ServiceBuild>, Vec<ServiceBuild>) = todo
        .into_iter()
        .partition(|s| build && (only.is_empty() || only.contains(&s.service)));
    for p in pusher.push_services(&to_build).await? {
        given.insert(p.name, p.pinned);
    }
    for s in &to_look_up {
        if let Some(p) = pusher.already_pushed(&s.service).await? {
            given.insert(p.name, p.pinned);
        }
    }
    Ok(())
}

/// `c2cfn push [SERVICE...]`: builds and pushes the services built from
/// source (`only`: a subset); the images pushed.
///
/// # Errors
/// An unknown service, or a build or push that fails.
pub async fn push(
    contract: &Contract,
    aws: &Aws,
    only: &[String],
    out: &mut dyn Write,
) -> Result<Vec<super::push::Pushed>, Failure> {
    let services = builds(contract, only)?;
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let mut docker = DockerCli;
    pusher(contract, aws, &mut docker, out)
        .push_services(&services)
        .await
}

/// The contract's images pushed to ECR through the docker CLI (the stack,
/// project and image tag come from the contract).
fn pusher<'a>(
    contract: &'a Contract,
    aws: &'a Aws,
    docker: &'a mut DockerCli,
    out: &'a mut dyn Write,
) -> Pusher<'a, crate::aws::ecr::Ecr> {
    Pusher::new(
        &aws.ecr,
        docker,
        out,
        &contract.stack,
        &contract.project,
        &contract.image_tag,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::BuildSpec;
    use crate::render::{Build, ClusterRef, Parameter, SecretSource};

    fn contract() -> Contract {
        Contract {
            stack: "s".into(),
            project: "p".into(),
            parameters: vec![
                Parameter {
                    name: "ApiImage".into(),
                    source: ParameterSource::Image {
                        service: "api".into(),
                    },
                },
                Parameter {
                    name: "TokenSecretValue".into(),
                    source: ParameterSource::Secret {
                        name: "token".into(),
                        from: SecretSource::Variable("TOKEN".into()),
                    },
                },
                Parameter {
                    name: "ParameterVPCId".into(),
                    source: ParameterSource::DefaultNetwork,
                },
            ],
            builds: vec![Build {
                service: "api".into(),
                parameter: "ApiImage".into(),
                spec: BuildSpec {
                    context: "/p/api".into(),
                    dockerfile: None,
                    args: Vec::new(),
                    target: None,
                    platform: "linux/amd64".into(),
                },
            }],
            image_tag: "latest".into(),
            cluster: ClusterRef::Created("s".into()),
            log_group: "/docker-compose/s".into(),
            stateful: Vec::new(),
            tunnel_ports: Vec::new(),
        }
    }

    #[test]
    fn inputs_come_from_the_contract() {
        let i = inputs(&contract(), &["api=r/api@sha256:1".into()]).unwrap();
        assert_eq!(i.names, ["ApiImage", "TokenSecretValue", "ParameterVPCId"]);
        assert_eq!(i.images["ApiImage"], "api");
        assert_eq!(i.secrets["TokenSecretValue"].0, "token");
        assert_eq!(i.given_images["api"], "r/api@sha256:1");
        let f = inputs(&contract(), &["web=x".into()]).unwrap_err();
        assert!(
            f.message.contains("no service `web` built"),
            "{}",
            f.message
        );
        assert!(inputs(&contract(), &["api".into()]).is_err());
    }

    #[test]
    fn builds_and_the_account() {
        assert_eq!(builds(&contract(), &[]).unwrap().len(), 1);
        let f = builds(&contract(), &["web".into()]).unwrap_err();
        assert_eq!(f.hint.as_deref(), Some("services built from source: api"));
        assert_eq!(check_account(Ok("1".into()), Some("1")).unwrap(), "1");
        let f = check_account(Ok("2".into()), Some("1")).unwrap_err();
        assert!(f.message.contains("pins account 1"), "{}", f.message);
    }
}
