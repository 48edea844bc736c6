//! Checks before the change set, for what CloudFormation would only reject
//! minutes later: every `image:` in this account's ECR exists with its tag
//! (else ECS fails with CannotPullContainerError after CloudFormation has
//! started creating the stack). Failures name every missing image at once
//! and how to push it; nothing has changed. The hosted zones and
//! certificates are checked in [`dns`]; that docker answers, before an
//! image is built, in [`super::push`].

use serde_json::Value;

use super::Failure;
use crate::aws::ecr::EcrApi;

pub mod dns;

/// An ECR image reference: (account, region, repository, tag).
#[must_use]
pub fn ecr_tag(image: &str) -> Option<(&str, &str, &str, &str)> {
    let (host, path) = image.split_once('/')?;
    let mut parts = host.split('.');
    let account = parts.next()?;
    if parts.next()? != "dkr" || parts.next()? != "ecr" {
        return None;
    }
    let region = parts.next()?;
    if path.contains('@') {
        return None; // pinned by digest: it names one image, checked by ECS
    }
    let (repo, tag) = match path.rsplit_once(':') {
        Some((r, t)) => (r, t),
        None => (path, "latest"),
    };
    Some((account, region, repo, tag))
}

/// The literal images of the template's task definitions: (container, image).
#[must_use]
pub fn template_images(template: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for resource in template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        if resource.get("Type").and_then(Value::as_str) != Some("AWS::ECS::TaskDefinition") {
            continue;
        }
        for c in resource
            .pointer("/Properties/ContainerDefinitions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(name), Some(image)) = (
                c.get("Name").and_then(Value::as_str),
                c.get("Image").and_then(Value::as_str),
            ) {
                found.push((name.to_owned(), image.to_owned()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Refuses when an image of this account and region is not in ECR.
pub async fn check_images<R: EcrApi>(
    registry: &R,
    account: &str,
    region: &str,
    template: &Value,
) -> Result<(), Failure> {
    let mut missing = Vec::new();
    for (container, image) in template_images(template) {
        let Some((a, r, repo, tag)) = ecr_tag(&image) else {
            continue;
        };
        if a != account || r != region {
            continue; // another account's registry: its policy decides, ECS checks
        }
        match registry.image_digest(repo, tag).await {
            Ok(Some(_)) => {}
            Ok(None) => missing.push(format!(
                "container {container}: {image} (repository {repo} has no tag {tag})"
            )),
            Err(e) => {
                return Err(Failure::api(
                    &format!("cannot check image {image} in ECR"),
                    &e,
                ));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure::refused(
        format!(
            "refused before deploying: image(s) not in ECR, so ECS could not pull them (CannotPullContainerError):\n  {}\nNothing was changed.",
            missing.join("\n  ")
        ),
        "push the image with that tag (`docker push`, or `c2cfn push --copy IMAGE --to REPO:TAG`), or fix the tag (`docker_tag` in the env file); `aws ecr describe-images --repository-name REPO` lists the tags",
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::aws::fake::FakeEcr;
    use crate::aws::testing::block;

    /// ECR with only `ccg/app:v1`.
    fn ecr() -> FakeEcr {
        FakeEcr {
            tags: Some(vec![("ccg/app".into(), "v1".into())]),
            ..FakeEcr::default()
        }
    }

    fn template(images: &[&str]) -> Value {
        let containers: Vec<Value> = images
            .iter()
            .enumerate()
            .map(|(i, im)| json!({"Name": format!("c{i}"), "Image": im}))
            .collect();
        json!({"Resources": {"AppTaskDefinition": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": containers}}}})
    }

    #[test]
    fn references() {
        assert_eq!(
            ecr_tag("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:v9"),
            Some(("123456789012", "eu-west-1", "ccg/app", "v9"))
        );
        assert_eq!(
            ecr_tag("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app"),
            Some(("123456789012", "eu-west-1", "ccg/app", "latest"))
        );
        assert_eq!(
            ecr_tag("123456789012.dkr.ecr.eu-west-1.amazonaws.com/a@sha256:00"),
            None
        );
        assert_eq!(ecr_tag("nginx:1.27"), None);
        assert_eq!(ecr_tag("ghcr.io/org/app:1"), None);
    }

    #[test]
    fn a_missing_tag_is_refused_naming_every_image() {
        let ecr = ecr();
        let t = template(&[
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:v1",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:v9",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/worker:v1",
            "999999999999.dkr.ecr.eu-west-1.amazonaws.com/other/app:v9",
            "nginx",
        ]);
        let f = block(check_images(&ecr, "123456789012", "eu-west-1", &t)).expect_err("refused");
        assert!(f.message.contains("container c1: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:v9 (repository ccg/app has no tag v9)"), "{}", f.message);
        assert!(f.message.contains("container c2:"), "{}", f.message);
        assert!(!f.message.contains("999999999999"), "{}", f.message);
        assert!(
            block(check_images(
                &ecr,
                "123456789012",
                "eu-west-1",
                &template(&["123456789012.dkr.ecr.eu-west-1.amazonaws.com/ccg/app:v1"])
            ))
            .is_ok()
        );
    }
}
