//! `c2cfn logs [--follow]` and the forwards of `c2cfn tunnel`: the loops
//! and look-ups behind the commands, with AWS behind [`LogsApi`].

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use super::flow::{self, Follower};
use super::logs;
use super::ssh::{self, Forward};
use crate::aws::logs::LogsApi;
use crate::deploy::Failure;

/// What `c2cfn logs` prints.
#[derive(Debug, Clone)]
pub struct Logs<'a> {
    /// The stack.
    pub stack: &'a str,
    /// The services whose logs to print.
    pub services: &'a [String],
    /// `--tail`: the last N lines of the first batch.
    pub tail: Option<usize>,
    /// `--follow`: poll for new lines until `stop`.
    pub follow: bool,
    /// How often to poll.
    pub poll: Duration,
}

/// The start of `--since`, in milliseconds since the epoch.
///
/// # Errors
/// `since` is not a duration such as `10m`.
pub fn since_ms(since: Option<&str>, now_ms: i64) -> Result<Option<i64>, Failure> {
    since
        .map(|s| {
            let d = logs::parse_since(s)
                .map_err(|e| Failure::refused(e.to_string(), "e.g. --since 10m"))?;
            Ok(now_ms - i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        })
        .transpose()
}

/// Prints the logs of `l.services`, then (with `follow`) new lines every
/// `poll` until `stop` completes; `now_ms` is the time now.
///
/// # Errors
/// A CloudWatch Logs call that fails.
pub async fn logs(
    api: &impl LogsApi,
    l: &Logs<'_>,
    start: Option<i64>,
    now_ms: i64,
    stop: impl Future<Output = ()>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let events = flow::fetch_logs(api, l.stack, l.services, start).await?;
    let mut follower = Follower::default();
    let fresh = follower.fresh(events);
    let first = logs::interleave(fresh, l.tail);
    let mut width = 0;
    flow::print_events(out, &first, &mut width);
    let _ = out.flush();
    if !l.follow {
        return Ok(());
    }
    let mut since_ms = follower.last.or(start).unwrap_or(now_ms);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            () = tokio::time::sleep(l.poll) => {}
        }
        let events = flow::fetch_logs(api, l.stack, l.services, Some(since_ms)).await?;
        let fresh = follower.fresh(events);
        flow::print_events(out, &fresh, &mut width);
        let _ = out.flush();
        since_ms = follower.last.unwrap_or(since_ms);
    }
}

/// The forwards of `tunnel`: `-L` (`given`), else the env file's
/// `tunnel_ports` (`default`).
///
/// # Errors
/// No forward at all, or a `-L` that is not `LOCAL:REMOTE`.
pub fn forwards(given: &[String], default: &[(u16, u16)]) -> Result<Vec<Forward>, Failure> {
    if given.is_empty() {
        if default.is_empty() {
            return Err(Failure::refused(
                "no ports to forward",
                "pass -L LOCAL:REMOTE (e.g. -L 5000:4005) or set `tunnel_ports=5000:4005,5001:4006` in the env file",
            ));
        }
        return Ok(default
            .iter()
            .map(|&(local, remote)| Forward { local, remote })
            .collect());
    }
    given
        .iter()
        .map(|t| {
            ssh::parse_forward(t)
                .map_err(|e| Failure::refused(e.to_string(), "write LOCAL:REMOTE, e.g. 5000:4005"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_from_flags_else_settings() {
        let f = forwards(&[], &[(5000, 4005)]).unwrap();
        assert_eq!((f[0].local, f[0].remote), (5000, 4005));
        let f = forwards(&["1:2".into()], &[(5000, 4005)]).unwrap();
        assert_eq!((f[0].local, f[0].remote), (1, 2));
        assert!(forwards(&[], &[]).unwrap_err().message.contains("no ports"));
        assert!(forwards(&["x".into()], &[]).is_err());
        assert_eq!(since_ms(Some("1s"), 5000).unwrap(), Some(4000));
        assert!(since_ms(Some("soon"), 0).is_err());
    }
}
