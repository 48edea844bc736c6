//! Template parameters resolved at deploy time: the default VPC and two of
//! its subnets (only when the template has those parameters), secret
//! values from their file or variable, and images given with `--image`.

use std::collections::BTreeMap;

use super::Failure;
use crate::aws::ec2::{DefaultNetwork, Ec2Api};
use crate::cfn::resources::{SUBNET1_PARAMETER, SUBNET2_PARAMETER, VPC_PARAMETER};

pub use crate::render::SecretSource;

/// What the parameters are resolved from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The template's parameter names.
    pub names: Vec<String>,
    /// `<Name>SecretValue` parameter → (secret name, source).
    pub secrets: BTreeMap<String, (String, SecretSource)>,
    /// `<Service>Image` parameter → service name.
    pub images: BTreeMap<String, String>,
    /// `--image SERVICE=URI`.
    pub given_images: BTreeMap<String, String>,
}

/// Resolves every parameter; the EC2 look-up happens only when needed.
pub async fn resolve<E: Ec2Api>(
    inputs: &Inputs,
    ec2: &E,
    variable: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, Failure> {
    let mut out = Vec::new();
    let wants_network = inputs
        .names
        .iter()
        .any(|n| [VPC_PARAMETER, SUBNET1_PARAMETER, SUBNET2_PARAMETER].contains(&n.as_str()));
    let network: Option<DefaultNetwork> = if wants_network {
        Some(ec2.default_network().await.map_err(|e| {
            Failure::refused(
                format!("cannot find the default VPC and its subnets: {e}"),
                "pin the network in the compose file with `x-aws-vpc` and `x-aws-subnets`",
            )
        })?)
    } else {
        None
    };
    for name in &inputs.names {
        let value = if let (Some(net), true) = (&network, name == VPC_PARAMETER) {
            net.vpc.clone()
        } else if let (Some(net), true) = (&network, name == SUBNET1_PARAMETER) {
            net.subnets[0].clone()
        } else if let (Some(net), true) = (&network, name == SUBNET2_PARAMETER) {
            net.subnets[1].clone()
        } else if let Some((secret, source)) = inputs.secrets.get(name) {
            secret_value(secret, source, variable)?
        } else if let Some(service) = inputs.images.get(name) {
            inputs.given_images.get(service).cloned().ok_or_else(|| {
                Failure::refused(
                    format!("service `{service}` is built from source (`build:`) and has no image in ECR yet"),
                    format!("run `c2cfn push` (or `c2cfn up`, which builds and pushes), or pass --image {service}=REGISTRY/REPOSITORY@sha256:DIGEST"),
                )
            })?
        } else {
            // A parameter of the overlay with a Default: CloudFormation uses it.
            continue;
        };
        out.push((name.clone(), value));
    }
    for service in inputs.given_images.keys() {
        if !inputs.images.values().any(|s| s == service) {
            return Err(Failure::refused(
                format!(
                    "--image {service}=...: the project has no service `{service}` built from source"
                ),
                "--image is for services with `build:`; services with `image:` deploy that image",
            ));
        }
    }
    Ok(out)
}

fn secret_value(
    secret: &str,
    source: &SecretSource,
    variable: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Failure> {
    match source {
        SecretSource::File(path) => std::fs::read_to_string(path).map_err(|e| {
            Failure::refused(
                format!("cannot read secret `{secret}` from {}: {e}", path.display()),
                "the secret's `file:` must exist on this machine when deploying",
            )
        }),
        SecretSource::Variable(var) => variable(var).ok_or_else(|| {
            Failure::refused(
                format!("secret `{secret}` comes from variable {var}, which is not set"),
                format!("export {var}=... before deploying"),
            )
        }),
        SecretSource::Missing => Err(Failure::refused(
            format!("secret `{secret}` has neither `file:` nor `environment:`"),
            "give it a `file:` or an `environment:`, or mark it `external: true`",
        )),
    }
}
