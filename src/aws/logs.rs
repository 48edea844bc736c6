//! CloudWatch Logs: an existing log group (adoption), a container's last
//! lines (why a deploy failed), and the streams and events of `logs`.

use super::{ApiResult, sdk_error as error};
use crate::deploy::adopt::LiveLogGroup;
use crate::operate::api::{LogApi, LogEvent};
use crate::operate::logs::Event;

/// CloudWatch Logs through the SDK.
#[derive(Debug, Clone)]
pub struct Logs(pub(super) aws_sdk_cloudwatchlogs::Client);

impl Logs {
    /// The log group named `name` (`DescribeLogGroups`, `ListTagsForResource`).
    pub async fn log_group(&self, name: &str) -> ApiResult<Option<LiveLogGroup>> {
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

    /// The last `n` lines of the stream of `container` in `task` (the newest
    /// 50 streams are searched).
    pub async fn last_lines(
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
}

impl LogApi for Logs {
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
