//! Secrets the stack owns: the value is a `NoEcho` parameter that `c2cfn up`
//! reads from the file (or variable) at deploy time, so it is never written
//! into the template.

use serde_json::json;

use super::project_tags;
use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::Stack;

/// `<Name>SecretValue`: the parameter carrying a secret's content.
#[must_use]
pub fn value_parameter(name: &str) -> String {
    format!("{}SecretValue", logical_id::normalize(name))
}

/// `<Name>Secret` and its value parameter, for every non-external secret.
pub fn emit(stack: &Stack, template: &mut Template) {
    for secret in &stack.secrets {
        if secret.existing.is_some() {
            continue;
        }
        let parameter = value_parameter(&secret.name);
        template.parameters.insert(
            parameter.clone(),
            json!({
                "Description": format!("Content of secret {} (read by c2cfn up from its file or variable)", secret.name),
                "NoEcho": true,
                "Type": "String"
            }),
        );
        template.add(
            logical_id::secret(&secret.full_name),
            Resource::new(
                "AWS::SecretsManager::Secret",
                json!({
                    "Description": format!("Secret {}", secret.full_name),
                    "SecretString": intrinsic::reference(&parameter),
                    "Tags": project_tags(stack),
                }),
            ),
        );
    }
}
