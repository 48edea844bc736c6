//! `c2cfn logs`: CloudWatch log events of several services, interleaved in
//! time order and prefixed like `docker compose logs`.

use std::time::Duration;

pub use crate::aws::logs::Event;

/// Why `--since` does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinceError {
    /// No number first.
    #[error("`{0}` is not a duration like 10m")]
    NotDuration(String),
    /// An unknown unit.
    #[error("`{0}`: use s, m, h or d (e.g. 10m)")]
    Unit(String),
}

/// `--since`: `30s`, `10m`, `2h`, `1d` → a duration.
pub fn parse_since(text: &str) -> Result<Duration, SinceError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| SinceError::NotDuration(text.to_owned()))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(SinceError::Unit(text.to_owned())),
    };
    Ok(Duration::from_secs(secs))
}

/// Merges the streams' events in time order (stable for equal times) and
/// keeps the last `tail` lines of each container when asked.
#[must_use]
pub fn interleave(mut events: Vec<Event>, tail: Option<usize>) -> Vec<Event> {
    events.sort_by(|a, b| {
        a.timestamp
            .cmp(&b.timestamp)
            .then_with(|| a.stream.cmp(&b.stream))
    });
    let Some(tail) = tail else { return events };
    let mut kept = Vec::with_capacity(events.len());
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for e in events.iter().rev() {
        let c = counts.entry(container_of(&e.stream)).or_default();
        if *c < tail {
            *c += 1;
            kept.push(e.clone());
        }
    }
    kept.reverse();
    kept
}

fn container_of(stream: &str) -> String {
    let mut parts = stream.rsplitn(3, '/');
    let _task = parts.next();
    parts.next().unwrap_or(stream).to_owned()
}

/// `app (3f2a9c1b) | message`, the prefix padded to `width`.
#[must_use]
pub fn format(event: &Event, width: usize) -> String {
    let prefix = prefix(&event.stream);
    format!(
        "{prefix:<width$} | {}",
        event.message.trim_end_matches('\n')
    )
}

/// `container (task8)` of a stream name.
#[must_use]
pub fn prefix(stream: &str) -> String {
    let mut parts = stream.rsplitn(3, '/');
    let task = parts.next().unwrap_or_default();
    match parts.next() {
        Some(container) => format!("{container} ({})", super::target::short(task)),
        None => stream.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(ts: i64, stream: &str, m: &str) -> Event {
        Event {
            timestamp: ts,
            stream: stream.into(),
            message: m.into(),
        }
    }

    #[test]
    fn interleaves_in_time_order_with_prefixes() {
        let events = vec![
            e(3, "ccg-develop/app/3f2a9c1b0000aaaa", "third\n"),
            e(1, "ccg-develop/app/3f2a9c1b0000aaaa", "first"),
            e(2, "ccg-develop/worker/9abc00001111bbbb", "second"),
        ];
        let lines: Vec<String> = interleave(events, None)
            .iter()
            .map(|e| format(e, 19))
            .collect();
        assert_eq!(
            lines,
            [
                "app (3f2a9c1b)      | first",
                "worker (9abc0000)   | second",
                "app (3f2a9c1b)      | third",
            ]
        );
    }

    #[test]
    fn tail_keeps_the_last_lines_of_each_container() {
        let events = vec![
            e(1, "p/app/t1", "a1"),
            e(2, "p/app/t1", "a2"),
            e(3, "p/worker/t2", "w1"),
            e(4, "p/app/t1", "a3"),
        ];
        let kept: Vec<String> = interleave(events, Some(1))
            .into_iter()
            .map(|e| e.message)
            .collect();
        assert_eq!(kept, ["w1", "a3"]);
    }

    #[test]
    fn since() {
        assert_eq!(parse_since("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_since("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_since("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_since("10").is_err());
        assert!(parse_since("ten minutes").is_err());
    }
}
