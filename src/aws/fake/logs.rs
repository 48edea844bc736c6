//! The fake CloudWatch Logs: scripted log groups, lines, streams and events.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::Calls;
use crate::aws::logs::{LiveLogGroup, LogEvent, LogsApi};
use crate::aws::{ApiError, ApiResult};

/// Scripted CloudWatch Logs: log groups (adoption; a name in `errors`
/// fails with its error), a container's last lines, streams and events.
#[derive(Debug, Default)]
pub struct FakeLogs {
    /// Log groups by name.
    pub groups: BTreeMap<String, LiveLogGroup>,
    /// Names whose look-up fails.
    pub errors: BTreeMap<String, ApiError>,
    /// Log lines by (container, task), oldest first.
    pub lines: BTreeMap<(String, String), Vec<String>>,
    /// The log groups whose last lines were read.
    pub read: RefCell<Vec<String>>,
    /// The log streams.
    pub streams: Vec<String>,
    /// The log events.
    pub events: Vec<LogEvent>,
    /// The calls made (`group NAME`, `streams GROUP PREFIX`).
    pub calls: Calls,
}

impl LogsApi for FakeLogs {
    async fn log_group(&self, name: &str) -> ApiResult<Option<LiveLogGroup>> {
        self.calls.push(format!("group {name}"));
        if let Some(e) = self.errors.get(name) {
            return Err(e.clone());
        }
        Ok(self.groups.get(name).cloned())
    }

    async fn last_lines(
        &self,
        group: &str,
        container: &str,
        task: &str,
        n: usize,
    ) -> ApiResult<Vec<String>> {
        self.read.borrow_mut().push(group.to_owned());
        let lines = self
            .lines
            .get(&(container.to_owned(), task.to_owned()))
            .cloned()
            .unwrap_or_default();
        Ok(lines.into_iter().rev().take(n).rev().collect())
    }

    async fn streams(&self, group: &str, prefix: &str) -> ApiResult<Vec<String>> {
        self.calls.push(format!("streams {group} {prefix}"));
        Ok(self
            .streams
            .iter()
            .filter(|s| s.starts_with(prefix))
            .cloned()
            .collect())
    }

    async fn events(
        &self,
        _group: &str,
        streams: &[String],
        start_ms: Option<i64>,
    ) -> ApiResult<Vec<LogEvent>> {
        Ok(self
            .events
            .iter()
            .filter(|e| streams.contains(&e.event.stream))
            .filter(|e| start_ms.is_none_or(|s| e.event.timestamp >= s))
            .cloned()
            .collect())
    }
}
