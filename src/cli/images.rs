//! The image step wired to the project: which services are built and how
//! (`build:` and `platform:`), which tag (`docker_tag`, else `latest`), and
//! how `up`, `diff` and `push` fill the `<Service>Image` parameters.

use super::pipeline::Rendered;
use crate::aws::Clients as Aws;
use crate::deploy::Failure;
use crate::deploy::docker::{BuildSpec, DockerCli, fargate_platform};
use crate::deploy::push::{Pusher, ServiceBuild};
use std::collections::BTreeMap;
use std::io::Write;

/// The tag images are pushed under.
pub(super) fn tag(rendered: &Rendered) -> String {
    rendered
        .env("docker_tag")
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "latest".to_owned())
}

/// The build of each service built from source (`only`: a subset, by name).
pub(super) fn builds(rendered: &Rendered, only: &[String]) -> Result<Vec<ServiceBuild>, Failure> {
    for name in only {
        if !rendered.built.contains(name) {
            return Err(Failure::refused(
                format!("`{name}` is not a service with `build:` in this project"),
                format!(
                    "services built from source: {}",
                    if rendered.built.is_empty() {
                        "none".to_owned()
                    } else {
                        rendered.built.join(", ")
                    }
                ),
            ));
        }
    }
    let mut out = Vec::new();
    for name in &rendered.built {
        if !only.is_empty() && !only.contains(name) {
            continue;
        }
        let Some(service) = rendered.project.services.get(name) else {
            continue;
        };
        let Some(build) = &service.build else {
            continue;
        };
        out.push(ServiceBuild {
            service: name.clone(),
            build: BuildSpec {
                context: build.context.value.clone(),
                dockerfile: build.dockerfile.clone(),
                args: build
                    .args
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                target: build.target.clone(),
                platform: fargate_platform(service.platform.as_ref().map(|p| p.value.as_str())),
            },
        });
    }
    Ok(out)
}

/// Fills `given` (service → image) for the services without `--image`:
/// `up` builds and pushes them (only those of `only` when it is not
/// empty); `diff`, and `up` for the others, use the digest the tag points
/// to in ECR today, without building.
pub(super) async fn resolve(
    rendered: &Rendered,
    aws: &Aws,
    given: &mut BTreeMap<String, String>,
    build: bool,
    only: &[String],
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let stack = rendered.stack_name();
    let tag = tag(rendered);
    let todo: Vec<ServiceBuild> = builds(rendered, &[])?
        .into_iter()
        .filter(|s| !given.contains_key(&s.service))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let mut docker = DockerCli;
    let mut pusher = Pusher::new(
        &aws.ecr,
        &mut docker,
        out,
        &stack,
        &rendered.project.name,
        &tag,
    );
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
