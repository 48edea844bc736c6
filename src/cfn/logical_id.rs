//! Logical IDs, named exactly as Docker's ECS integration named them.
//!
//! Docker removed every character outside `[A-Za-z0-9]` and upper-cased the
//! first letter (`my-web_app` → `Mywebapp`; the rule itself is the model's
//! naming contract, `model::naming`). Keeping that rule means a stack
//! Docker created is updated in place, and existing `x-aws-cloudformation`
//! overlays keep addressing the same resources.

pub use crate::model::naming::{LOAD_BALANCER, listener, normalize};

/// `<Service>Service`.
#[must_use]
pub fn service(name: &str) -> String {
    format!("{}Service", normalize(name))
}

/// `<Service>TaskDefinition`.
#[must_use]
pub fn task_definition(name: &str) -> String {
    format!("{}TaskDefinition", normalize(name))
}

/// `<Service>TaskExecutionRole`.
#[must_use]
pub fn execution_role(name: &str) -> String {
    format!("{}TaskExecutionRole", normalize(name))
}

/// `<Service>TaskRole`.
#[must_use]
pub fn task_role(name: &str) -> String {
    format!("{}TaskRole", normalize(name))
}

/// `<Service>ServiceDiscoveryEntry`.
#[must_use]
pub fn discovery_entry(name: &str) -> String {
    format!("{}ServiceDiscoveryEntry", normalize(name))
}

/// `<Service><PROTO><port>TargetGroup`.
#[must_use]
pub fn target_group(service: &str, protocol: &str, port: u16) -> String {
    format!(
        "{}{}{port}TargetGroup",
        normalize(service),
        protocol.to_ascii_uppercase()
    )
}

/// `<Network>Network` (security group of a compose network).
#[must_use]
pub fn network(name: &str) -> String {
    format!("{}Network", normalize(name))
}

/// `<Network>NetworkIngress` (members talk to each other).
#[must_use]
pub fn network_ingress(name: &str) -> String {
    format!("{}NetworkIngress", normalize(name))
}

/// `<Network><port>Ingress` (a published port open to the world).
#[must_use]
pub fn port_ingress(network: &str, port: u16) -> String {
    format!("{}{port}Ingress", normalize(network))
}

/// `<FullName>Secret`: Docker named the resource after the secret's full
/// compose name (`<project>_<key>` unless `name:` is given).
#[must_use]
pub fn secret(full_name: &str) -> String {
    format!("{}Secret", normalize(full_name))
}

/// The template parameter that carries a built image (`<Service>Image`),
/// filled by `c2cfn up` with the pushed image pinned to its digest.
#[must_use]
pub fn image_parameter(service: &str) -> String {
    format!("{}Image", normalize(service))
}

/// A logical ID is 1–255 alphanumeric characters.
#[must_use]
pub fn is_valid(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(listener("app", "tcp", 80), "AppTCP80Listener");
        assert_eq!(target_group("app", "tcp", 4000), "AppTCP4000TargetGroup");
        assert_eq!(network("default"), "DefaultNetwork");
        assert_eq!(port_ingress("default", 80), "Default80Ingress");
        assert!(is_valid("AppService"));
        assert!(!is_valid("App-Service"));
    }
}
