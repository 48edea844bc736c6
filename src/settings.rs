//! c2cfn's settings: the keys it reads (`app_cluster`, `ecs`,
//! `docker_tag`, `aws_region`, …) from the `--env-file` files (`develop.env`,
//! `main.env`), the shell environment and flags, typed and validated here.
//!
//! The env files are read once, by the rules of the compose loader
//! ([`compose::read_env_files`]); the same entries are handed to
//! [`compose::load`] for interpolation, so every key is also an
//! interpolation variable. A bad value is an error at its `file:line:col`
//! with a hint.
//!
//! Where a setting comes from: one order for every key, applied by
//! [`Settings::resolve`] and by nothing else.
//!
//! 1. a command-line flag, where one exists: `-p` (`app_cluster`),
//!    `--region` (`aws_region`), `--aws-profile` (`aws_profile`);
//! 2. the shell environment (`app_cluster=x c2cfn up …`);
//! 3. the `--env-file` files, the last file that sets the key winning;
//! 4. the command's default.
//!
//! Interpolation (`${app_cluster}` in the compose file) sees the same
//! values: [`Settings::interpolation_environment`] is the shell environment
//! with the flags on top, and compose already puts the shell over the env
//! files. This is the order of `docker compose` (flag over shell over
//! `--env-file`; `-p` over `COMPOSE_PROJECT_NAME`); README.md, "Precedence".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::compose::{self, EnvEntry, EnvFileRead};
use crate::diagnostic::{Diagnostic, Diagnostics, edit_distance};
use crate::source::{SourceMap, Span};

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

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag (its name).
    Flag(&'static str),
    /// The shell environment.
    Shell,
    /// An environment file.
    EnvFile(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "{flag}"),
            Self::Shell => write!(f, "the shell environment"),
            Self::EnvFile(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A resolved setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T = String> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
    /// Where it was written, when it came from an env file.
    pub span: Option<Span>,
}

impl<T> Setting<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Setting<U> {
        Setting {
            value: f(self.value),
            source: self.source,
            span: self.span,
        }
    }
}

/// One `--env-file` file: its entries by key (the last one wins), with spans.
#[derive(Debug, Clone)]
pub struct EnvFile {
    /// The path as given.
    pub path: PathBuf,
    /// Entries by key.
    pub entries: IndexMap<String, EnvEntry>,
}

impl EnvFile {
    fn new(read: &EnvFileRead) -> Self {
        Self {
            path: read.path.clone(),
            entries: read
                .entries
                .iter()
                .map(|e| (e.key.clone(), e.clone()))
                .collect(),
        }
    }

    /// A value, if set.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(|e| e.value.as_str())
    }
}

/// c2cfn's settings, typed: what the keys of [`KNOWN_KEYS`] resolve to
/// (an invalid value is reported by [`Settings::check`] and is `None` here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    /// Stack, cluster and physical-name prefix.
    pub app_cluster: Option<Setting>,
    /// Compose files, resolved against the env file that names them (or
    /// the current directory when the shell or a flag sets them).
    pub app_compose: Option<Setting<Vec<PathBuf>>>,
    /// `ecs=false`: a local environment.
    pub ecs: Option<Setting<bool>>,
    /// Redis nodes, 1 to 6.
    pub redis_nodes: Option<Setting<u8>>,
    /// ElastiCache node type.
    pub redis_node_type: Option<Setting>,
    /// The tag images are pushed under.
    pub docker_tag: Option<Setting>,
    /// AWS region.
    pub aws_region: Option<Setting>,
    /// AWS shared-config profile.
    pub aws_profile: Option<Setting>,
    /// The account the environment must deploy to.
    pub aws_account_id: Option<Setting>,
    /// ACM certificate ARN.
    pub certificate_arn: Option<Setting>,
    /// Default `tunnel` forwards: (local, remote).
    pub tunnel_ports: Option<Setting<Vec<(u16, u16)>>>,
    /// Host port of DynamoDB Local.
    pub dynamodb_port: Option<Setting<u16>>,
    /// Host port of Redis (local).
    pub redis_port: Option<Setting<u16>>,
}

impl Typed {
    /// False when `ecs=false` (a local environment).
    #[must_use]
    pub fn is_ecs(&self) -> bool {
        self.ecs.as_ref().is_none_or(|s| s.value)
    }

    /// The image tag: `docker_tag`, else `latest`.
    #[must_use]
    pub fn docker_tag(&self) -> String {
        self.docker_tag
            .as_ref()
            .map(|s| s.value.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "latest".to_owned())
    }
}

/// Everything a setting can come from, for one run.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    flags: BTreeMap<&'static str, (&'static str, String)>,
    shell: IndexMap<String, String>,
    files: Vec<EnvFile>,
    cwd: PathBuf,
}

impl Settings {
    /// The settings of the shell environment `shell` alone (no env file);
    /// add flags with [`Self::with_flag`], then [`Self::read`] the files.
    #[must_use]
    pub fn new(shell: IndexMap<String, String>) -> Self {
        Self {
            shell,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            ..Self::default()
        }
    }

    /// Relative paths (`--env-file`, `app_compose` from the shell) are
    /// resolved against `cwd` (default: the current directory).
    #[must_use]
    pub fn in_dir(mut self, cwd: &Path) -> Self {
        cwd.clone_into(&mut self.cwd);
        self
    }

    /// The value of flag `flag` (when given) sets `key`.
    #[must_use]
    pub fn with_flag(mut self, key: &'static str, flag: &'static str, value: Option<&str>) -> Self {
        if let Some(v) = value {
            self.flags.insert(key, (flag, v.to_owned()));
        }
        self
    }

    /// Reads the `--env-file` files (once: the entries are kept for
    /// [`compose::load`], see [`Self::env_files_read`]) and checks every
    /// setting. Each file is registered in `sources`; problems (a file that
    /// cannot be read or parsed, a bad value, a misspelt key) go to `diags`.
    pub fn read(
        &mut self,
        paths: &[PathBuf],
        sources: &mut SourceMap,
        diags: &mut Diagnostics,
    ) -> Vec<EnvFileRead> {
        let env = self.interpolation_environment();
        let (read, problems) = compose::read_env_files(paths, &self.cwd, &env, sources);
        diags.extend(problems);
        self.files = read.iter().map(EnvFile::new).collect();
        diags.extend(self.check());
        read
    }

    /// The env files read.
    #[must_use]
    pub fn env_files(&self) -> &[EnvFile] {
        &self.files
    }

    /// The value of `key` and where it came from: flag, then shell, then
    /// the last env file that sets it.
    #[must_use]
    pub fn resolve(&self, key: &str) -> Option<Setting> {
        if let Some((flag, v)) = self.flags.get(key) {
            return Some(Setting {
                value: v.clone(),
                source: Source::Flag(flag),
                span: None,
            });
        }
        if let Some(v) = self.shell.get(key) {
            return Some(Setting {
                value: v.clone(),
                source: Source::Shell,
                span: None,
            });
        }
        self.files.iter().rev().find_map(|file| {
            file.entries.get(key).map(|e| Setting {
                value: e.value.clone(),
                source: Source::EnvFile(file.path.clone()),
                span: Some(e.value_span),
            })
        })
    }

    /// The value of `key` (see [`Self::resolve`]).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<String> {
        self.resolve(key).map(|s| s.value)
    }

    /// The stack's name as the settings alone give it (without the compose
    /// file): `app_cluster` (or `-p`), else `COMPOSE_PROJECT_NAME`.
    #[must_use]
    pub fn stack_name(&self) -> Option<String> {
        self.get("app_cluster")
            .or_else(|| self.get("COMPOSE_PROJECT_NAME"))
    }

    /// False when `ecs` resolves to `false` (a local environment).
    #[must_use]
    pub fn is_ecs(&self) -> bool {
        self.get("ecs").as_deref() != Some("false")
    }

    /// The variables compose interpolates with: the shell environment, with
    /// the flags' values on top (so `${app_cluster}` is the value of `-p`).
    #[must_use]
    pub fn interpolation_environment(&self) -> IndexMap<String, String> {
        let mut env = self.shell.clone();
        for (key, (_, value)) in &self.flags {
            env.insert((*key).to_owned(), value.clone());
        }
        env
    }

    /// The settings, typed (a value [`Self::check`] rejects is `None`).
    #[must_use]
    pub fn typed(&self) -> Typed {
        let valid = |key: &str| {
            self.resolve(key)
                .filter(|s| check_value(key, &s.value).is_none())
        };
        let text = |key: &str| valid(key);
        Typed {
            app_cluster: text("app_cluster"),
            app_compose: self.resolve("app_compose").map(|s| {
                let base = match &s.source {
                    Source::EnvFile(p) => p.parent().unwrap_or(Path::new(".")).to_path_buf(),
                    _ => self.cwd.clone(),
                };
                s.map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|f| !f.is_empty())
                        .map(|f| base.join(f))
                        .collect()
                })
            }),
            ecs: valid("ecs").map(|s| s.map(|v| v == "true")),
            redis_nodes: parsed(valid("redis_nodes")),
            redis_node_type: text("redis_node_type"),
            docker_tag: text("docker_tag"),
            aws_region: text("aws_region"),
            aws_profile: self.resolve("aws_profile"),
            aws_account_id: text("aws_account_id"),
            certificate_arn: text("certificate_arn"),
            tunnel_ports: valid("tunnel_ports").map(|s| {
                s.map(|v| {
                    v.split(',')
                        .filter_map(|p| p.trim().split_once(':'))
                        .filter_map(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                        .collect()
                })
            }),
            dynamodb_port: parsed(valid("dynamodb_port")),
            redis_port: parsed(valid("redis_port")),
        }
    }

    /// Every problem of the settings: a bad value in an env file (at its
    /// `file:line:col`, whether or not the shell overrides it), a key that
    /// looks like a misspelling of one of c2cfn's (a warning), and a bad
    /// value from a flag or the shell.
    #[must_use]
    pub fn check(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for file in &self.files {
            for (key, entry) in &file.entries {
                if let Some((what, help)) = check_value(key, &entry.value) {
                    diags.push(
                        Diagnostic::error(format!("`{key}={}` is not {what}", entry.value))
                            .at(entry.value_span)
                            .label("invalid value")
                            .help(help),
                    );
                }
                if !KNOWN_KEYS.iter().any(|(k, _)| k == key)
                    && let Some((close, _)) =
                        KNOWN_KEYS.iter().find(|(k, _)| edit_distance(k, key) <= 2)
                {
                    diags.push(
                        Diagnostic::warning(format!(
                            "`{key}` looks like a misspelling of `{close}`"
                        ))
                        .at(entry.key_span)
                        .help(format!(
                            "c2cfn reads `{close}`; `{key}` is only an interpolation variable"
                        )),
                    );
                }
            }
        }
        for (key, _) in KNOWN_KEYS {
            let Some(s) = self.resolve(key) else { continue };
            if matches!(s.source, Source::EnvFile(_)) {
                continue;
            }
            if let Some((what, hint)) = check_value(key, &s.value) {
                diags.push(
                    Diagnostic::error(format!(
                        "`{key}={}` (from {}) is not {what}",
                        s.value, s.source
                    ))
                    .help(hint),
                );
            }
        }
        diags
    }
}

/// A setting's value parsed (it passed [`check_value`]).
fn parsed<T: std::str::FromStr + Default>(s: Option<Setting>) -> Option<Setting<T>> {
    s.map(|s| s.map(|v| v.parse().unwrap_or_default()))
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
        "dynamodb_port" | "redis_port" => is_port(value),
        "aws_region" => is_region(value),
        "tunnel_ports" => value.split(',').all(|p| {
            p.trim()
                .split_once(':')
                .is_some_and(|(a, b)| is_port(a) && is_port(b))
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

fn is_port(s: &str) -> bool {
    s.parse::<u16>().is_ok_and(|p| p > 0)
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

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `settings` with the files read; the problems found.
    fn read(settings: Settings, files: &[PathBuf]) -> (Settings, Diagnostics) {
        let mut settings = settings;
        let mut diags = Diagnostics::new();
        settings.read(files, &mut SourceMap::new(), &mut diags);
        (settings, diags)
    }

    fn shell(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// Every key c2cfn reads follows flag > shell > last env file.
    #[test]
    fn every_setting_follows_one_order() {
        let dir = tempfile::tempdir().unwrap();
        for (key, a, b, c) in [
            ("app_cluster", "one", "two", "three"),
            ("ecs", "true", "false", "true"),
            ("docker_tag", "v1", "v2", "v3"),
            ("aws_region", "eu-west-1", "eu-west-2", "eu-west-3"),
            ("aws_profile", "a", "b", "c"),
            (
                "aws_account_id",
                "111111111111",
                "222222222222",
                "333333333333",
            ),
            ("redis_nodes", "1", "2", "3"),
            ("tunnel_ports", "1:2", "3:4", "5:6"),
            ("dynamodb_port", "8000", "8001", "8002"),
            ("redis_port", "6379", "6380", "6381"),
            ("app_compose", "a.yml", "b.yml", "c.yml"),
        ] {
            let first = write(dir.path(), "1.env", &format!("{key}={a}\n"));
            let second = write(dir.path(), "2.env", &format!("{key}={b}\n"));
            let files = [first, second];
            // Env files: the last one wins, with its span.
            let (s, diags) = read(Settings::new(IndexMap::new()), &files);
            assert!(diags.is_empty(), "{key}: {diags:?}");
            assert_eq!(s.get(key).as_deref(), Some(b), "{key}");
            let resolved = s.resolve(key).unwrap();
            assert_eq!(resolved.source, Source::EnvFile(dir.path().join("2.env")));
            let span = resolved.span.unwrap();
            assert_eq!(
                (span.start, span.end),
                (key.len() + 1, key.len() + 1 + b.len())
            );
            // The shell wins over the files.
            let (s, _) = read(Settings::new(shell(&[(key, c)])), &files);
            assert_eq!(
                s.resolve(key).unwrap(),
                Setting {
                    value: c.into(),
                    source: Source::Shell,
                    span: None,
                },
                "{key}"
            );
            assert_eq!(
                s.interpolation_environment().get(key).map(String::as_str),
                Some(c)
            );
            // A flag wins over both, and interpolation sees it.
            let flag = match key {
                "app_cluster" => "app_cluster",
                "aws_region" => "aws_region",
                "aws_profile" => "aws_profile",
                _ => continue,
            };
            let (s, _) = read(
                Settings::new(shell(&[(key, c)])).with_flag(flag, "--flag", Some("flagged")),
                &files,
            );
            assert_eq!(s.get(key).as_deref(), Some("flagged"), "{key}");
            assert_eq!(
                s.interpolation_environment().get(key).map(String::as_str),
                Some("flagged")
            );
        }
    }

    #[test]
    fn no_flag_leaves_the_order_alone_and_bad_shell_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let files = [write(
            dir.path(),
            "d.env",
            "app_cluster=ccg-develop\necs=false\n",
        )];
        let (s, diags) = read(
            Settings::new(shell(&[("docker_tag", "-bad")])).with_flag("app_cluster", "-p", None),
            &files,
        );
        assert_eq!(s.get("app_cluster").as_deref(), Some("ccg-develop"));
        assert!(!s.is_ecs());
        assert!(!s.typed().is_ecs());
        assert_eq!(diags.items().len(), 1, "{diags:?}");
        assert!(
            diags.items()[0].message.starts_with(
                "`docker_tag=-bad` (from the shell environment) is not a valid image tag"
            ),
            "{diags:?}"
        );
        let (_, diags) = read(
            Settings::new(IndexMap::new()).with_flag("app_cluster", "-p", Some("9x")),
            &files,
        );
        assert!(
            diags.items()[0]
                .message
                .contains("(from -p) is not a valid stack name"),
            "{diags:?}"
        );
    }

    #[test]
    fn settings_are_typed_and_bad_values_point_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let files = [write(
            dir.path(),
            "e.env",
            "app_compose=a.yml, b.yml\nredis_nodes=2\ntunnel_ports=5000:4005,5001:4006\nredis_port=x\nredis_node=1\n",
        )];
        let mut sources = SourceMap::new();
        let mut diags = Diagnostics::new();
        let mut s = Settings::new(IndexMap::new()).in_dir(Path::new("/w"));
        s.read(&files, &mut sources, &mut diags);
        let typed = s.typed();
        assert_eq!(typed.redis_nodes.as_ref().unwrap().value, 2);
        assert_eq!(
            typed.tunnel_ports.as_ref().unwrap().value,
            [(5000, 4005), (5001, 4006)]
        );
        assert_eq!(
            typed.app_compose.as_ref().unwrap().value,
            [dir.path().join("a.yml"), dir.path().join("b.yml")]
        );
        assert!(typed.redis_port.is_none());
        assert_eq!(typed.docker_tag(), "latest");
        let errors: Vec<_> = diags.items().iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{diags:?}");
        assert_eq!(sources.line_col(errors[0].span.unwrap()), (4, 12));
        assert!(
            diags
                .items()
                .iter()
                .any(|d| d.message == "`redis_node` looks like a misspelling of `redis_nodes`")
        );
    }

    #[test]
    fn validation_helpers() {
        assert!(is_stack_name("ccg-develop"));
        assert!(!is_stack_name("1ccg"));
        assert!(is_tag("v1.2_3"));
        assert!(!is_tag("-x"));
        assert!(is_region("eu-west-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("europe"));
        assert!(check_value("tunnel_ports", "0:1").is_some());
        assert_eq!(edit_distance("redis_node", "redis_nodes"), 1);
        assert_eq!(edit_distance("app_clustr", "app_cluster"), 1);
    }
}
