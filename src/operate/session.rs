//! The AWS Session Manager plugin, driven the way the AWS CLI drives it:
//! `ecs execute-command` and `ssm start-session` call the API, then hand
//! the session to `session-manager-plugin` with six arguments.

use serde_json::json;

use crate::aws::ssm::Session;

/// The plugin's executable name.
pub const PLUGIN: &str = "session-manager-plugin";

/// The SSM target of an ECS task's container:
/// `ecs:<cluster>_<task-id>_<container-runtime-id>`.
#[must_use]
pub fn ecs_target(cluster: &str, task_id: &str, runtime_id: &str) -> String {
    format!("ecs:{cluster}_{task_id}_{runtime_id}")
}

/// The plugin's arguments: session JSON, region, `StartSession`, profile,
/// request parameters JSON, endpoint.
#[must_use]
pub fn plugin_args(
    session: &Session,
    region: &str,
    profile: Option<&str>,
    request: &serde_json::Value,
    endpoint: &str,
) -> Vec<String> {
    vec![
        json!({"SessionId": session.session_id, "StreamUrl": session.stream_url, "TokenValue": session.token}).to_string(),
        region.to_owned(),
        "StartSession".to_owned(),
        profile.unwrap_or_default().to_owned(),
        request.to_string(),
        endpoint.to_owned(),
    ]
}

/// Request parameters for an interactive command (`c2cfn exec`).
#[must_use]
pub fn exec_request(target: &str) -> serde_json::Value {
    json!({"Target": target})
}

/// Request parameters for forwarding `local` to `remote` in the container
/// (`c2cfn tunnel`).
#[must_use]
pub fn port_forward_request(target: &str, remote: u16, local: u16) -> serde_json::Value {
    json!({
        "Target": target,
        "DocumentName": "AWS-StartPortForwardingSession",
        "Parameters": {"portNumber": [remote.to_string()], "localPortNumber": [local.to_string()]}
    })
}

/// The regional SSM endpoint the plugin talks to.
#[must_use]
pub fn ssm_endpoint(region: &str) -> String {
    format!("https://ssm.{region}.amazonaws.com")
}

/// What to tell a user whose machine lacks the plugin.
pub const MISSING_PLUGIN: &str = "the AWS Session Manager plugin (`session-manager-plugin`) is not installed; \
install it from https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html \
(Debian/Ubuntu: the session-manager-plugin .deb; macOS: `brew install --cask session-manager-plugin`)";

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            session_id: "ecs-execute-command-0abc".into(),
            stream_url:
                "wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/ecs-execute-command-0abc"
                    .into(),
            token: "tok".into(),
        }
    }

    #[test]
    fn exec_command_line_is_the_aws_cli_contract() {
        let target = ecs_target("ccg-develop", "3f2a9c1b0000", "3f2a9c1b0000-1234567890");
        let args = plugin_args(
            &session(),
            "eu-west-1",
            None,
            &exec_request(&target),
            &ssm_endpoint("eu-west-1"),
        );
        assert_eq!(
            args,
            [
                r#"{"SessionId":"ecs-execute-command-0abc","StreamUrl":"wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/ecs-execute-command-0abc","TokenValue":"tok"}"#,
                "eu-west-1",
                "StartSession",
                "",
                r#"{"Target":"ecs:ccg-develop_3f2a9c1b0000_3f2a9c1b0000-1234567890"}"#,
                "https://ssm.eu-west-1.amazonaws.com",
            ]
        );
    }

    #[test]
    fn port_forwarding_parameters() {
        let req = port_forward_request("ecs:c_t_r", 4005, 5000);
        assert_eq!(
            req.to_string(),
            r#"{"DocumentName":"AWS-StartPortForwardingSession","Parameters":{"localPortNumber":["5000"],"portNumber":["4005"]},"Target":"ecs:c_t_r"}"#
        );
        let args = plugin_args(
            &session(),
            "eu-west-1",
            Some("develop"),
            &req,
            &ssm_endpoint("eu-west-1"),
        );
        assert_eq!(args[3], "develop");
    }
}
