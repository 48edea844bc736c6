//! Watching a stack operation: on a terminal a live line (status, counts,
//! elapsed time) under the events; otherwise append-only timestamped lines
//! for CI logs. On failure, the root cause first: the failed resources'
//! own reasons, not the "Resource creation cancelled" cascade.
//!
//! The live line ([`LiveLine`]) is drawn on standard output, where the
//! events go, by the watching code itself: no drawing thread, so no lock
//! another thread could hold (issue 8: indicatif's tick thread deadlocked
//! against a held stderr lock).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant};

use super::ui::{Style, clock};
use crate::aws::ApiResult;
use crate::aws::cloudformation::{CloudFormationApi, StackEvent};

/// How a watch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    /// The final stack status (`DELETE_COMPLETE` when the stack is gone).
    pub status: String,
    /// The stack's status reason at the end.
    pub reason: Option<String>,
    /// Events seen during the watch, oldest first.
    pub events: Vec<StackEvent>,
}

/// Where and how progress is shown.
#[derive(Debug, Clone, Copy)]
pub struct Display {
    /// Colours.
    pub style: Style,
    /// A live view (standard output is a terminal that can move the cursor).
    pub live: bool,
    /// Time between polls.
    pub poll: Duration,
    /// The terminal's width in columns (`None`: not a terminal; lines are
    /// not fitted).
    pub width: Option<usize>,
}

/// Whether a stack status is final (nothing is running).
#[must_use]
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// Whether a final status means the operation succeeded.
#[must_use]
pub fn is_success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "DELETE_COMPLETE" | "IMPORT_COMPLETE"
    )
}

fn is_stack_event(e: &StackEvent) -> bool {
    e.resource_type == "AWS::CloudFormation::Stack"
}

fn is_cascade(e: &StackEvent) -> bool {
    e.reason
        .as_deref()
        .is_some_and(|r| r.to_ascii_lowercase().contains("cancelled"))
}

/// The IDs of the events that exist now (so a watch shows only new ones).
pub async fn baseline<C: CloudFormationApi>(cfn: &C, stack: &str) -> HashSet<String> {
    cfn.describe_stack_events(stack)
        .await
        .map(|events| events.into_iter().map(|e| e.id).collect())
        .unwrap_or_default()
}

/// Columns of an event line: time, status, logical ID, type, reason.
const STATUS_WIDTH: usize = 18;
const ID_WIDTH: usize = 28;

/// One event: `HH:MM:SSZ  STATUS  LogicalId  Type  reason`. With a known
/// `width`, the type is left out when the line would not fit, and a reason
/// that does not fit goes on the next line, indented, so the columns stay.
fn event_line(e: &StackEvent, style: Style, width: Option<usize>) -> String {
    let head = format!(
        "{}  {}{}  {:<ID_WIDTH$}",
        clock(e.timestamp),
        style.status(&e.status),
        " ".repeat(STATUS_WIDTH.saturating_sub(e.status.len())),
        e.logical_id,
    );
    let head_len = 11 + e.status.len().max(STATUS_WIDTH) + 2 + e.logical_id.len().max(ID_WIDTH);
    let kind = e
        .resource_type
        .strip_prefix("AWS::")
        .unwrap_or(&e.resource_type);
    let with_type = head_len + 2 + kind.len();
    let mut line = head;
    let mut len = head_len;
    if width.is_none_or(|w| with_type <= w) {
        let _ = write!(line, "  {kind}");
        len = with_type;
    }
    let line = line.trim_end().to_owned();
    let Some(reason) = e.reason.as_deref().filter(|r| !r.is_empty()) else {
        return line;
    };
    match width {
        Some(w) if len + 2 + reason.len() > w => {
            let indent = " ".repeat(11);
            let wrapped = textwrap(reason, w.saturating_sub(11).max(20));
            format!("{line}\n{indent}{}", wrapped.join(&format!("\n{indent}")))
        }
        _ => format!("{line}  {reason}"),
    }
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn textwrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line");
        if !last.is_empty() && last.len() + 1 + word.len() > width {
            lines.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

fn counts(events: &[StackEvent]) -> (usize, usize, usize) {
    let mut latest: BTreeMap<&str, &str> = BTreeMap::new();
    for e in events.iter().filter(|e| !is_stack_event(e)) {
        latest.insert(&e.logical_id, &e.status);
    }
    let done = latest.values().filter(|s| s.ends_with("_COMPLETE")).count();
    let running = latest
        .values()
        .filter(|s| s.ends_with("_IN_PROGRESS"))
        .count();
    let failed = latest.values().filter(|s| s.ends_with("_FAILED")).count();
    (done, running, failed)
}

/// The live line: drawn in place with `\r` and erase-line, never wider than
/// the terminal, by this thread only (no drawing thread, no lock to share);
/// events go above it. Cleared when dropped, also when Ctrl-C drops the
/// watch, so no half line is left behind.
struct LiveLine<'a> {
    out: &'a mut dyn Write,
    /// Drawn at all (a terminal); otherwise events are plain lines.
    on: bool,
    text: String,
    frame: usize,
}

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ERASE_LINE: &str = "\r\x1b[2K";

impl LiveLine<'_> {
    fn show(&mut self, text: &str) {
        self.frame = (self.frame + 1) % SPINNER.len();
        self.text = format!("{} {text}", SPINNER[self.frame]);
        let _ = write!(self.out, "{ERASE_LINE}{}", self.text);
        let _ = self.out.flush();
    }

    fn println(&mut self, line: &str) {
        if self.on {
            let _ = write!(self.out, "{ERASE_LINE}{line}\n{}", self.text);
            let _ = self.out.flush();
        } else {
            let _ = writeln!(self.out, "{line}");
        }
    }
}

impl Drop for LiveLine<'_> {
    fn drop(&mut self) {
        if self.on {
            let _ = write!(self.out, "{ERASE_LINE}");
            let _ = self.out.flush();
        }
    }
}

/// Polls the stack until it settles, showing new events as they come.
pub async fn watch<C: CloudFormationApi, S: std::hash::BuildHasher>(
    cfn: &C,
    stack: &str,
    seen: &mut HashSet<String, S>,
    total: usize,
    out: &mut dyn Write,
    display: Display,
) -> ApiResult<Watched> {
    let started = Instant::now();
    let mut bar = LiveLine {
        out,
        on: display.live,
        text: String::new(),
        frame: 0,
    };
    let mut events = Vec::new();
    loop {
        let info = cfn.describe_stack(stack).await?;
        // The stack may be gone (delete): its events by name are gone too.
        let fresh = cfn.describe_stack_events(stack).await.unwrap_or_default();
        for e in fresh.into_iter().rev() {
            if seen.insert(e.id.clone()) {
                let line = event_line(&e, display.style, display.width);
                bar.println(&line);
                events.push(e);
            }
        }
        let (status, reason) = info.map_or_else(
            || ("DELETE_COMPLETE".to_owned(), None),
            |s| (s.status, s.reason),
        );
        if bar.on {
            let (done, running, failed) = counts(&events);
            let of = if total > 0 {
                format!("/{total}")
            } else {
                String::new()
            };
            let message = format!(
                "{stack}: {}  {done}{of} done, {running} in progress, {failed} failed  {}s",
                display.style.status(&status),
                started.elapsed().as_secs()
            );
            // Short of the last column: a line that fills the row leaves
            // the terminal in its pending-wrap state, and an echoed ^C
            // would then land on the next row, out of reach of the clear.
            bar.show(&match display.width {
                Some(w) => console::truncate_str(&message, w.saturating_sub(3), "…").into_owned(),
                None => message,
            });
        }
        if is_settled(&status) {
            drop(bar);
            return Ok(Watched {
                status,
                reason,
                events,
            });
        }
        tokio::time::sleep(display.poll).await;
    }
}

/// The root cause of a failed operation: the failed resources' own reasons,
/// oldest first, without the cancellation cascade; the stack's own failure
/// events when no resource failed.
#[must_use]
pub fn root_cause(events: &[StackEvent]) -> Vec<&StackEvent> {
    let failed = |e: &&StackEvent| e.status.ends_with("_FAILED");
    let own: Vec<&StackEvent> = events
        .iter()
        .filter(failed)
        .filter(|e| !is_stack_event(e) && !is_cascade(e))
        .collect();
    if !own.is_empty() {
        return own;
    }
    events
        .iter()
        .filter(failed)
        .filter(|e| e.reason.is_some())
        .collect()
}

/// What the user reads when an operation ended badly.
#[must_use]
pub fn failure_report(stack: &str, watched: &Watched, style: Style) -> String {
    let mut s = String::new();
    let causes = root_cause(&watched.events);
    if causes.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            style.red_bold("Root cause: CloudFormation reported no failed resource")
        );
    } else {
        let _ = writeln!(s, "{}", style.red_bold("Root cause:"));
        for e in &causes {
            let _ = writeln!(
                s,
                "  {} ({}) {}: {}",
                e.logical_id,
                e.resource_type,
                e.status,
                e.reason.as_deref().unwrap_or("no reason given")
            );
        }
    }
    let cascade = watched
        .events
        .iter()
        .filter(|e| e.status.ends_with("_FAILED") && is_cascade(e))
        .count();
    if cascade > 0 {
        let _ = writeln!(
            s,
            "  ({cascade} other resource(s) were cancelled because of it)"
        );
    }
    let _ = write!(
        s,
        "Final status of stack {stack}: {}",
        style.status(&watched.status)
    );
    if let Some(r) = &watched.reason {
        let _ = write!(s, " ({r})");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{Style, event_line};
    use crate::aws::cloudformation::StackEvent;

    #[test]
    fn event_lines_keep_their_columns_at_80_columns() {
        let e = StackEvent {
            id: "1".into(),
            timestamp: 3600,
            logical_id: "CollectionTableWriteScalableTarget".into(),
            physical_id: String::new(),
            resource_type: "AWS::ApplicationAutoScaling::ScalableTarget".into(),
            status: "CREATE_FAILED".into(),
            reason: Some("Resource handler returned message: \"Rate exceeded (Service: ApplicationAutoScaling, Status Code: 400)\"".into()),
        };
        let wide = event_line(&e, Style::default(), None);
        assert!(wide.starts_with("01:00:00Z  CREATE_FAILED       CollectionTableWriteScalableTarget  ApplicationAutoScaling::ScalableTarget  Resource handler"), "{wide}");
        let narrow = event_line(&e, Style::default(), Some(80));
        let lines: Vec<&str> = narrow.lines().collect();
        assert!(lines.iter().all(|l| l.len() <= 80), "{narrow}");
        assert_eq!(
            lines[0],
            "01:00:00Z  CREATE_FAILED       CollectionTableWriteScalableTarget"
        );
        assert!(
            lines[1..].iter().all(|l| l.starts_with("           ")),
            "{narrow}"
        );
    }
}
