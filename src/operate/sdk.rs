//! The traits of `api.rs` over the AWS SDK, with the configuration of
//! [`crate::deploy::sdk::load_config`] (same profile, region and
//! `AWS_ENDPOINT_URL` rules as the deploy commands).

use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::api::{LogApi, LogEvent, Resource, TaskApi};
use super::logs::Event;
use super::session::{self, Session};
use super::target::Task;
use crate::deploy::api::{ApiError, ApiResult};

/// Clients for `exec`, `tunnel` and `logs`.
#[derive(Debug, Clone)]
pub struct Operate {
    cloudformation: aws_sdk_cloudformation::Client,
    ecs: aws_sdk_ecs::Client,
    ec2: aws_sdk_ec2::Client,
    ssm: aws_sdk_ssm::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    /// The resolved region.
    pub region: String,
}

impl Operate {
    /// Loads credentials and region like the deploy commands.
    pub async fn connect(profile: Option<&str>, region: Option<&str>) -> Result<Self, String> {
        let (config, region) = crate::deploy::sdk::load_config(profile, region).await?;
        Ok(Self {
            cloudformation: aws_sdk_cloudformation::Client::new(&config),
            ecs: aws_sdk_ecs::Client::new(&config),
            ec2: aws_sdk_ec2::Client::new(&config),
            ssm: aws_sdk_ssm::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            region,
        })
    }

    /// The deployed stack's template (`GetTemplate`, as parsed YAML or
    /// JSON); `None` when the stack does not exist.
    pub async fn deployed_template(&self, stack: &str) -> ApiResult<Option<serde_json::Value>> {
        let out = match self
            .cloudformation
            .get_template()
            .stack_name(stack)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => {
                let e = error(e);
                if e.code == "ValidationError" && e.message.contains("does not exist") {
                    return Ok(None);
                }
                return Err(e);
            }
        };
        let body = out.template_body().unwrap_or_default();
        serde_norway::from_str(body).map(Some).map_err(|e| {
            ApiError::new(
                "InvalidTemplate",
                format!("the deployed template is not YAML or JSON: {e}"),
            )
        })
    }

    /// The SSM endpoint handed to the Session Manager plugin, as the AWS CLI
    /// does: an `AWS_ENDPOINT_URL_SSM` / `AWS_ENDPOINT_URL` override, else
    /// the regional endpoint.
    #[must_use]
    pub fn ssm_endpoint(&self) -> String {
        ["AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| session::ssm_endpoint(&self.region))
    }
}

fn error<E, R>(e: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.code() {
        Some(code) => ApiError::new(code, e.message().unwrap_or_default()),
        None => ApiError::new("", DisplayErrorContext(&e).to_string()),
    }
}

fn session(id: Option<&str>, url: Option<&str>, token: Option<&str>) -> ApiResult<Session> {
    match (id, url, token) {
        (Some(i), Some(u), Some(t)) => Ok(Session {
            session_id: i.to_owned(),
            stream_url: u.to_owned(),
            token: t.to_owned(),
        }),
        _ => Err(ApiError::new(
            "NoSession",
            "the answer carried no session (ID, stream URL and token)",
        )),
    }
}

impl TaskApi for Operate {
    async fn stack_resources(&self, stack: &str) -> ApiResult<Option<Vec<Resource>>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = match self
                .cloudformation
                .list_stack_resources()
                .stack_name(stack)
                .set_next_token(token.take())
                .send()
                .await
            {
                Ok(o) => o,
                Err(e) => {
                    let e = error(e);
                    if e.code == "ValidationError" && e.message.contains("does not exist") {
                        return Ok(None);
                    }
                    return Err(e);
                }
            };
            all.extend(out.stack_resource_summaries().iter().map(|r| Resource {
                logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
                physical_id: r.physical_resource_id().unwrap_or_default().to_owned(),
            }));
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(Some(all)),
            }
        }
    }

    async fn tasks(&self, cluster: &str, service: &str) -> ApiResult<Vec<Task>> {
        let mut arns = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .ecs
                .list_tasks()
                .cluster(cluster)
                .service_name(service)
                .desired_status(aws_sdk_ecs::types::DesiredStatus::Running)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(error)?;
            arns.extend(out.task_arns().iter().cloned());
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => break,
            }
        }
        let mut tasks = Vec::new();
        // DescribeTasks takes at most 100 tasks.
        for chunk in arns.chunks(100) {
            let out = self
                .ecs
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(error)?;
            for t in out.tasks() {
                let arn = t.task_arn().unwrap_or_default();
                let details: Vec<(&str, &str)> = t
                    .attachments()
                    .iter()
                    .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
                    .flat_map(aws_sdk_ecs::types::Attachment::details)
                    .filter_map(|d| Some((d.name()?, d.value()?)))
                    .collect();
                let detail = |name: &str| {
                    details
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| (*v).to_owned())
                };
                let public_ip = match detail("networkInterfaceId") {
                    Some(eni) => self.public_ip(&eni).await?,
                    None => None,
                };
                tasks.push(Task {
                    id: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
                    containers: t
                        .containers()
                        .iter()
                        .map(|c| {
                            (
                                c.name().unwrap_or_default().to_owned(),
                                c.runtime_id().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect(),
                    public_ip,
                    private_ip: detail("privateIPv4Address"),
                    exec_enabled: t.enable_execute_command(),
                });
            }
        }
        tasks.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(tasks)
    }

    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> ApiResult<Session> {
        let out = self
            .ecs
            .execute_command()
            .cluster(cluster)
            .task(task)
            .container(container)
            .command(command)
            .interactive(true)
            .send()
            .await
            .map_err(error)?;
        let s = out.session();
        session(
            s.and_then(|s| s.session_id()),
            s.and_then(|s| s.stream_url()),
            s.and_then(|s| s.token_value()),
        )
    }

    async fn start_port_forward(
        &self,
        target: &str,
        remote: u16,
        local: u16,
    ) -> ApiResult<Session> {
        let out = self
            .ssm
            .start_session()
            .target(target)
            .document_name("AWS-StartPortForwardingSession")
            .parameters("portNumber", vec![remote.to_string()])
            .parameters("localPortNumber", vec![local.to_string()])
            .send()
            .await
            .map_err(error)?;
        session(out.session_id(), out.stream_url(), out.token_value())
    }
}

impl Operate {
    async fn public_ip(&self, eni: &str) -> ApiResult<Option<String>> {
        let out = self
            .ec2
            .describe_network_interfaces()
            .network_interface_ids(eni)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .network_interfaces()
            .first()
            .and_then(|n| n.association())
            .and_then(|a| a.public_ip())
            .map(str::to_owned))
    }
}

impl LogApi for Operate {
    async fn streams(&self, group: &str, prefix: &str) -> ApiResult<Vec<String>> {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .logs
                .describe_log_streams()
                .log_group_name(group)
                .log_stream_name_prefix(prefix)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(error)?;
            names.extend(
                out.log_streams()
                    .iter()
                    .filter_map(|s| s.log_stream_name().map(str::to_owned)),
            );
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(names),
            }
        }
    }

    async fn events(
        &self,
        group: &str,
        streams: &[String],
        start_ms: Option<i64>,
    ) -> ApiResult<Vec<LogEvent>> {
        let mut all = Vec::new();
        // FilterLogEvents takes at most 100 stream names.
        for chunk in streams.chunks(100) {
            let mut token: Option<String> = None;
            loop {
                let out = self
                    .logs
                    .filter_log_events()
                    .log_group_name(group)
                    .set_log_stream_names(Some(chunk.to_vec()))
                    .set_start_time(start_ms)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(error)?;
                all.extend(out.events().iter().map(|e| LogEvent {
                    id: e.event_id().unwrap_or_default().to_owned(),
                    event: Event {
                        timestamp: e.timestamp().unwrap_or_default(),
                        stream: e.log_stream_name().unwrap_or_default().to_owned(),
                        message: e.message().unwrap_or_default().to_owned(),
                    },
                }));
                match out.next_token() {
                    Some(t) if !t.is_empty() && !out.events().is_empty() => {
                        token = Some(t.to_owned());
                    }
                    _ => break,
                }
            }
        }
        Ok(all)
    }
}
