//! c2cfn environment files: `key=value` lines that select an environment
//! (`develop.env`, `main.env`). Every key is an interpolation variable; the
//! keys below also configure c2cfn and are validated here, citing the line.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::compose::dotenv::{self, DotenvEntry};
use crate::diagnostic::{Diagnostic, Diagnostics, edit_distance};
use crate::source::{FileId, SourceMap, Span};

/// The keys c2cfn reads, with what a valid value looks like.
pub(crate) const KNOWN_KEYS: &[(&str, &str)] = &[
    (
        "app_cluster",
        "stack, ECS cluster and physical-name prefix, e.g. `ccg-develop`",
    ),
    (
        "app_compose",
        "compose file(s) relative to the env file, comma-separated",
    ),
    (
        "ecs",
        "`true` (deploy to ECS, the default) or `false` (local environment)",
    ),
    ("redis_nodes", "number of Redis nodes, 1 to 6"),
    (
        "redis_node_type",
        "ElastiCache node type, e.g. `cache.t3.micro`",
    ),
    ("docker_tag", "image tag, e.g. `latest`"),
    ("aws_region", "AWS region, e.g. `eu-west-1`"),
    ("aws_profile", "AWS shared-config profile"),
    (
        "aws_account_id",
        "12-digit account the environment must deploy to",
    ),
    ("certificate_arn", "ACM certificate ARN for TLS listeners"),
    (
        "tunnel_ports",
        "default `c2cfn tunnel` forwards, e.g. `5000:4005,5001:4006`",
    ),
    ("dynamodb_port", "host port of DynamoDB Local (`ecs=false`)"),
    ("redis_port", "host port of Redis (`ecs=false`)"),
];

/// One parsed environment file.
#[derive(Debug, Clone)]
pub struct EnvFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its id in the source map.
    pub file: FileId,
    /// Entries by key (the last one wins), with spans.
    pub(crate) entries: IndexMap<String, DotenvEntry>,
}

impl EnvFile {
    /// Reads and validates `path`; problems go to `diags`.
    pub fn read(path: &Path, sources: &mut SourceMap, diags: &mut Diagnostics) -> Option<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!(
                        "cannot read environment file {}: {e}",
                        path.display()
                    ))
                    .help("check the path given to --env-file"),
                );
                return None;
            }
        };
        let file = sources.add(path, text.clone());
        let env: IndexMap<String, String> = std::env::vars().collect();
        let parsed = dotenv::parse_dotenv(&text, &|k| env.get(k).cloned());
        let list = match parsed {
            Ok(list) => list,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("invalid environment file: {}", e.message))
                        .at(Span::new(file, e.offset, e.offset + 1))
                        .help("each line is `key=value`; `#` starts a comment"),
                );
                return None;
            }
        };
        let mut entries = IndexMap::new();
        for entry in list {
            entries.insert(entry.key.clone(), entry);
        }
        let env_file = Self {
            path: path.to_path_buf(),
            file,
            entries,
        };
        env_file.validate(sources, diags);
        Some(env_file)
    }

    /// A value, if set.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).and_then(|e| e.value.as_deref())
    }

    /// The span of a key's value.
    #[must_use]
    pub fn value_span(&self, key: &str, sources: &SourceMap) -> Option<Span> {
        let e = self.entries.get(key)?;
        let text = sources.text(self.file);
        let end = text[e.value_offset.min(text.len())..]
            .find(['\n', '\r'])
            .map_or(text.len(), |n| e.value_offset + n);
        // An empty value is an empty span at the end of the line: the caret
        // stays on the line with the key.
        Some(Span::new(self.file, e.value_offset, end))
    }

    /// Compose files named by `app_compose`, relative to the env file.
    #[must_use]
    pub fn compose_files(&self) -> Vec<PathBuf> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        self.get("app_compose")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| dir.join(s))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// False when `ecs=false` (a local environment).
    #[must_use]
    pub fn is_ecs(&self) -> bool {
        self.get("ecs") != Some("false")
    }

    fn validate(&self, sources: &SourceMap, diags: &mut Diagnostics) {
        for (key, entry) in &self.entries {
            let value = entry.value.clone().unwrap_or_default();
            let at = self.value_span(key, sources);
            if let Some((what, help)) = check_value(key, &value) {
                diags.push(
                    Diagnostic::error(format!("`{key}={value}` is not {what}"))
                        .at(at)
                        .label("invalid value")
                        .help(help),
                );
            }
            if !KNOWN_KEYS.iter().any(|(k, _)| k == key)
                && let Some((close, _)) =
                    KNOWN_KEYS.iter().find(|(k, _)| edit_distance(k, key) <= 2)
            {
                diags.push(
                    Diagnostic::warning(format!("`{key}` looks like a misspelling of `{close}`"))
                        .at(Span::new(
                            self.file,
                            entry.key_offset,
                            entry.key_offset + key.len(),
                        ))
                        .help(format!(
                            "c2cfn reads `{close}`; `{key}` is only an interpolation variable"
                        )),
                );
            }
        }
    }
}

/// Whether `value` is valid for c2cfn's key `key`: `None`, or what it
/// should be and a hint. The same check for a value from an env file, the
/// shell environment or a flag.
pub(crate) fn check_value(key: &str, value: &str) -> Option<(&'static str, &'static str)> {
    let ok = match key {
        "app_cluster" => is_stack_name(value),
        "ecs" => value == "true" || value == "false",
        "redis_nodes" => value.parse::<u32>().is_ok_and(|n| (1..=6).contains(&n)),
        "redis_node_type" => value.starts_with("cache."),
        "docker_tag" => is_tag(value),
        "aws_account_id" => value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()),
        "certificate_arn" => value.starts_with("arn:aws") && value.contains(":acm:"),
        "dynamodb_port" | "redis_port" => value.parse::<u16>().is_ok_and(|p| p > 0),
        "aws_region" => is_region(value),
        "tunnel_ports" => value.split(',').all(|p| {
            p.trim()
                .split_once(':')
                .is_some_and(|(a, b)| a.parse::<u16>().is_ok() && b.parse::<u16>().is_ok())
        }),
        _ => true,
    };
    if ok {
        return None;
    }
    Some(match key {
        "app_cluster" => (
            "a valid stack name",
            "letters, digits and hyphens, starting with a letter, at most 128 characters (e.g. `ccg-develop`)",
        ),
        "ecs" => ("`true` or `false`", "`ecs=false` marks a local environment"),
        "redis_nodes" => (
            "a node count",
            "write a number from 1 to 6, e.g. `redis_nodes=1` (2 or more is Multi-AZ)",
        ),
        "redis_node_type" => (
            "an ElastiCache node type",
            "for example `redis_node_type=cache.t3.micro`",
        ),
        "docker_tag" => (
            "a valid image tag",
            "up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`",
        ),
        "aws_account_id" => (
            "a 12-digit AWS account ID",
            "for example `aws_account_id=123456789012`",
        ),
        "certificate_arn" => (
            "an ACM certificate ARN",
            "for example `arn:aws:acm:eu-west-1:123456789012:certificate/…`",
        ),
        "dynamodb_port" | "redis_port" => ("a port number", "a number from 1 to 65535"),
        "aws_region" => ("an AWS region", "for example `aws_region=eu-west-1`"),
        _ => (
            "a list of LOCAL:REMOTE ports",
            "for example `tunnel_ports=5000:4005,5001:4006`",
        ),
    })
}

fn is_stack_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn is_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && !s.starts_with(['.', '-'])
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_helpers() {
        assert!(is_stack_name("ccg-develop"));
        assert!(!is_stack_name("1ccg"));
        assert!(is_tag("v1.2_3"));
        assert!(!is_tag("-x"));
        assert!(is_region("eu-west-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("europe"));
        assert_eq!(edit_distance("redis_node", "redis_nodes"), 1);
        assert_eq!(edit_distance("app_clustr", "app_cluster"), 1);
    }
}
