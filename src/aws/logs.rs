//! CloudWatch Logs: the [`LogsApi`] trait (an existing log group for
//! adoption, a container's last lines for why a deploy failed, the streams
//! and events of `logs`) and its implementation over the SDK.

use super::{ApiResult, sdk_error as error};

/// A CloudWatch Logs log group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveLogGroup {
    /// Retention in days (`None`: never expire).
    pub retention: Option<i32>,
    /// Tags (key, value), including `aws:` ones.
    pub tags: Vec<(String, String)>,
}

/// One log event of a stream `<prefix>/<container>/<task-id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The stream it came from.
    pub stream: String,
    /// The line.
    pub message: String,
}

/// One CloudWatch Logs event with its ID (to drop repeats while following).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// `eventId`.
    pub id: String,
    /// The event.
    pub event: Event,
}

/// The CloudWatch Logs calls of adoption, a failed deploy's report and `logs`.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait LogsApi {
    /// A log group by exact name (`DescribeLogGroups`, `ListTagsForResource`);
    /// `None` when there is none.
    async fn log_group(&self, name: &str) -> ApiResult<Option<LiveLogGroup>>;
    /// The last `n` lines of the log stream ending in `/<container>/<task>`
    /// in `group` (awslogs streams are `<prefix>/<container>/<task-id>`;
    /// the newest 50 streams are searched).
    async fn last_lines(
        &self,
        group: &str,
        container: &str,
        task: &str,
        n: usize,
    ) -> ApiResult<Vec<String>>;
    /// Names of the streams of `group` starting with `prefix` (`DescribeLogStreams`, every page).
    async fn streams(&self, group: &str, prefix: &str) -> ApiResult<Vec<String>>;
    /// Events of `streams` at or after `start_ms` (`FilterLogEvents`, every page).
    async fn events(
        &self,
        group: &str,
        streams: &[String],
        start_ms: Option<i64>,
    ) -> ApiResult<Vec<LogEvent>>;
}

/// CloudWatch Logs through the SDK.
#[derive(Debug, Clone)]
pub struct Logs(pub(super) aws_sdk_cloudwatchlogs::Client);

impl LogsApi for Logs {
    async fn log_group(&self, name: &str) -> ApiResult<Option<LiveLogGroup>> {
        let out = self
            .0
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send()
            .await
            .map_err(error)?;
        let Some(group) = out
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
        else {
            return Ok(None);
        };
        let mut live = LiveLogGroup {
            retention: group.retention_in_days(),
            tags: Vec::new(),
        };
        if let Some(arn) = group.arn() {
            // The ARN DescribeLogGroups gives ends in `:*`; tags want it without.
            let arn = arn.strip_suffix(":*").unwrap_or(arn);
            if let Ok(tags) = self
                .0
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await
            {
                live.tags = tags
                    .tags()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                live.tags.sort();
            }
        }
        Ok(Some(live))
    }

    async fn last_lines(
        &self,
        group: &str,
        container: &str,
        task: &str,
        n: usize,
    ) -> ApiResult<Vec<String>> {
        let suffix = format!("/{container}/{task}");
        let streams = self
            .0
            .describe_log_streams()
            .log_group_name(group)
            .order_by(aws_sdk_cloudwatchlogs::types::OrderBy::LastEventTime)
            .descending(true)
            .limit(50)
            .send()
            .await
            .map_err(error)?;
        let Some(stream) = streams
            .log_streams()
            .iter()
            .filter_map(|s| s.log_stream_name())
            .find(|name| name.ends_with(&suffix))
        else {
            return Ok(Vec::new());
        };
        let events = self
            .0
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .start_from_head(false)
            .limit(i32::try_from(n).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(error)?;
        Ok(events
            .events()
            .iter()
            .filter_map(|e| e.message().map(|m| m.trim_end().to_owned()))
            .collect())
    }

    async fn streams(&self, group: &str, prefix: &str) -> ApiResult<Vec<String>> {
        let pages = self
            .0
            .describe_log_streams()
            .log_group_name(group)
            .log_stream_name_prefix(prefix)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(error)?;
        Ok(pages
            .iter()
            .flat_map(aws_sdk_cloudwatchlogs::operation::describe_log_streams::DescribeLogStreamsOutput::log_streams)
            .filter_map(|s| s.log_stream_name().map(str::to_owned))
            .collect())
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
            let mut pages = self
                .0
                .filter_log_events()
                .log_group_name(group)
                .set_log_stream_names(Some(chunk.to_vec()))
                .set_start_time(start_ms)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let out = page.map_err(error)?;
                all.extend(out.events().iter().map(|e| LogEvent {
                    id: e.event_id().unwrap_or_default().to_owned(),
                    event: Event {
                        timestamp: e.timestamp().unwrap_or_default(),
                        stream: e.log_stream_name().unwrap_or_default().to_owned(),
                        message: e.message().unwrap_or_default().to_owned(),
                    },
                }));
                // An empty page ends the read: what comes later is read on
                // the next poll.
                if out.events().is_empty() {
                    break;
                }
            }
        }
        Ok(all)
    }
}
