//! Watching a stack operation: on a terminal a live line (status, counts,
//! elapsed time) under the events; otherwise append-only timestamped lines
//! for CI logs. On failure, the root cause first: the failed resources'
//! own reasons, not the "Resource creation cancelled" cascade.
//!
//! The live line is indicatif's, drawn on standard output (where the events
//! go) by its own thread; events are printed through the bar (`println`), so
//! nothing else writes while it is drawn. It is cleared when the watch ends
//! or is dropped (Ctrl-C).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant};

use super::api::{ApiResult, CloudFormationApi, StackEvent};
use super::ui::{Style, clock};

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
    let bar = display.live.then(|| {
        // On standard output, where `live` was decided and the events go;
        // cleared when dropped, so Ctrl-C leaves no half line behind.
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stdout())
                .with_style(
                    indicatif::ProgressStyle::with_template("{spinner} {wide_msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                )
                .with_finish(indicatif::ProgressFinish::AndClear);
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let mut events = Vec::new();
    loop {
        let info = cfn.describe_stack(stack).await?;
        // The stack may be gone (delete): its events by name are gone too.
        let fresh = cfn.describe_stack_events(stack).await.unwrap_or_default();
        for e in fresh.into_iter().rev() {
            if seen.insert(e.id.clone()) {
                let line = event_line(&e, display.style, display.width);
                match &bar {
                    Some(b) => b.println(line),
                    None => {
                        let _ = writeln!(out, "{line}");
                    }
                }
                events.push(e);
            }
        }
        let (status, reason) = info.map_or_else(
            || ("DELETE_COMPLETE".to_owned(), None),
            |s| (s.status, s.reason),
        );
        if let Some(b) = &bar {
            let (done, running, failed) = counts(&events);
            let of = if total > 0 {
                format!("/{total}")
            } else {
                String::new()
            };
            b.set_message(format!(
                "{stack}: {}  {done}{of} done, {running} in progress, {failed} failed  {}s",
                display.style.status(&status),
                started.elapsed().as_secs()
            ));
        }
        if is_settled(&status) {
            if let Some(b) = bar {
                b.finish_and_clear();
            }
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
