//! `c2cfn tunnel --ssh`: the way these teams tunnel today — `ssh -N -L` to
//! the task's public IP — plus an `ssh_config` entry (for Emacs TRAMP) that
//! is written between markers and removed again on exit.

use std::fmt::Write as _;
use std::path::Path;

/// One forward: local port → port in the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forward {
    /// Port on 127.0.0.1.
    pub local: u16,
    /// Port in the container.
    pub remote: u16,
}

/// Why a forward does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForwardError {
    /// No `:`.
    #[error("`{0}` is not LOCAL:REMOTE (e.g. 5000:4005)")]
    NotPair(String),
    /// A side is not a port number.
    #[error("`{port}` in `{text}` is not a port number")]
    NotPort {
        /// The side at fault.
        port: String,
        /// The whole forward.
        text: String,
    },
}

/// Parses `LOCAL:REMOTE` (as in `-L 5000:4005` and `tunnel_ports`).
pub fn parse_forward(text: &str) -> Result<Forward, ForwardError> {
    let (l, r) = text
        .trim()
        .split_once(':')
        .ok_or_else(|| ForwardError::NotPair(text.to_owned()))?;
    let port = |s: &str| {
        s.parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| ForwardError::NotPort {
                port: s.to_owned(),
                text: text.to_owned(),
            })
    };
    Ok(Forward {
        local: port(l)?,
        remote: port(r)?,
    })
}

/// `ssh -N -o ExitOnForwardFailure=yes [-i KEY] -L … user@host`.
#[must_use]
pub fn command(host: &str, user: &str, key: Option<&Path>, forwards: &[Forward]) -> Vec<String> {
    let mut args = vec![
        "-N".to_owned(),
        "-o".to_owned(),
        "ExitOnForwardFailure=yes".to_owned(),
    ];
    if let Some(key) = key {
        args.push("-i".to_owned());
        args.push(key.display().to_string());
    }
    for f in forwards {
        args.push("-L".to_owned());
        args.push(format!("127.0.0.1:{}:127.0.0.1:{}", f.local, f.remote));
    }
    args.push(format!("{user}@{host}"));
    args
}

fn markers(alias: &str) -> (String, String) {
    (
        format!("# >>> c2cfn {alias} >>>"),
        format!("# <<< c2cfn {alias} <<<"),
    )
}

/// `config` with a `Host alias` block for the task added (replacing an
/// earlier block of the same alias).
#[must_use]
pub fn add_host(config: &str, alias: &str, host: &str, user: &str, key: Option<&Path>) -> String {
    let mut out = remove_host(config, alias);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let (begin, end) = markers(alias);
    out.push_str(&begin);
    out.push('\n');
    let _ = write!(out, "Host {alias}\n  HostName {host}\n  User {user}\n");
    if let Some(key) = key {
        let _ = writeln!(out, "  IdentityFile {}", key.display());
    }
    out.push_str("  StrictHostKeyChecking accept-new\n");
    out.push_str(&end);
    out.push('\n');
    out
}

/// `config` without the block of `alias`; everything else untouched.
#[must_use]
pub fn remove_host(config: &str, alias: &str) -> String {
    let (begin, end) = markers(alias);
    let mut out = String::new();
    let mut skipping = false;
    for line in config.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == begin {
            skipping = true;
        } else if skipping && trimmed == end {
            skipping = false;
        } else if !skipping {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_parse() {
        assert_eq!(
            parse_forward("5000:4005"),
            Ok(Forward {
                local: 5000,
                remote: 4005
            })
        );
        assert!(parse_forward("5000").is_err());
        assert!(parse_forward("0:4005").is_err());
        assert!(parse_forward("5000:x").is_err());
    }

    #[test]
    fn ssh_command_line() {
        let f = [
            Forward {
                local: 5000,
                remote: 4005,
            },
            Forward {
                local: 5001,
                remote: 4006,
            },
        ];
        assert_eq!(
            command(
                "203.0.113.7",
                "root",
                Some(Path::new("/home/me/.ssh/game")),
                &f
            )
            .join(" "),
            "-N -o ExitOnForwardFailure=yes -i /home/me/.ssh/game -L 127.0.0.1:5000:127.0.0.1:4005 -L 127.0.0.1:5001:127.0.0.1:4006 root@203.0.113.7"
        );
    }

    #[test]
    fn ssh_config_entry_is_added_and_removed_cleanly() {
        let original = "Host github.com\n  User git\n";
        let added = add_host(original, "ccg-develop-app", "203.0.113.7", "root", None);
        assert!(added.starts_with(original));
        assert!(added.contains("Host ccg-develop-app\n  HostName 203.0.113.7\n  User root\n"));
        // Adding again replaces, never duplicates.
        let again = add_host(&added, "ccg-develop-app", "203.0.113.8", "root", None);
        assert_eq!(again.matches("Host ccg-develop-app").count(), 1);
        assert!(again.contains("203.0.113.8"));
        assert_eq!(remove_host(&again, "ccg-develop-app"), original);
    }
}
