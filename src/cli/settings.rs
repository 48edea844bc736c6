//! Where a setting comes from: one order for every key c2cfn reads
//! (`app_cluster`, `ecs`, `docker_tag`, `aws_region`, …), applied by
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
use std::path::PathBuf;

use indexmap::IndexMap;

use super::envfile::{EnvFile, KNOWN_KEYS, check_value};

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
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
pub(crate) struct Setting {
    /// The value.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

/// Everything a setting can come from, for one run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    flags: BTreeMap<&'static str, (&'static str, String)>,
    shell: IndexMap<String, String>,
    files: Vec<(PathBuf, IndexMap<String, String>)>,
}

impl Settings {
    /// The settings of `env_files` under the `shell` environment.
    pub(crate) fn new(shell: IndexMap<String, String>, env_files: &[EnvFile]) -> Self {
        Self {
            flags: BTreeMap::new(),
            shell,
            files: env_files
                .iter()
                .map(|e| {
                    let values = e
                        .entries
                        .iter()
                        .filter_map(|(k, v)| v.value.clone().map(|v| (k.clone(), v)))
                        .collect();
                    (e.path.clone(), values)
                })
                .collect(),
        }
    }

    /// The value of flag `flag` (when given) sets `key`.
    #[must_use]
    pub(crate) fn with_flag(
        mut self,
        key: &'static str,
        flag: &'static str,
        value: Option<&str>,
    ) -> Self {
        if let Some(v) = value {
            self.flags.insert(key, (flag, v.to_owned()));
        }
        self
    }

    /// The value of `key` and where it came from: flag, then shell, then
    /// the last env file that sets it.
    pub(crate) fn resolve(&self, key: &str) -> Option<Setting> {
        if let Some((flag, v)) = self.flags.get(key) {
            return Some(Setting {
                value: v.clone(),
                source: Source::Flag(flag),
            });
        }
        if let Some(v) = self.shell.get(key) {
            return Some(Setting {
                value: v.clone(),
                source: Source::Shell,
            });
        }
        self.files.iter().rev().find_map(|(path, values)| {
            values.get(key).map(|v| Setting {
                value: v.clone(),
                source: Source::EnvFile(path.clone()),
            })
        })
    }

    /// The value of `key` (see [`Self::resolve`]).
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        self.resolve(key).map(|s| s.value)
    }

    /// False when `ecs` resolves to `false` (a local environment).
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    pub(crate) fn is_ecs(&self) -> bool {
        self.get("ecs").as_deref() != Some("false")
    }

    /// The variables compose interpolates with: the shell environment, with
    /// the flags' values on top (so `${app_cluster}` is the value of `-p`).
    pub(crate) fn interpolation_environment(&self) -> IndexMap<String, String> {
        let mut env = self.shell.clone();
        for (key, (_, value)) in &self.flags {
            env.insert((*key).to_owned(), value.clone());
        }
        env
    }

    /// c2cfn's keys set by a flag or the shell with an invalid value (env
    /// files are checked with spans when read): the message and a hint.
    pub(crate) fn invalid(&self) -> Vec<(String, &'static str)> {
        let mut problems = Vec::new();
        for (key, _) in KNOWN_KEYS {
            let Some(s) = self.resolve(key) else { continue };
            if matches!(s.source, Source::EnvFile(_)) {
                continue;
            }
            if let Some((what, hint)) = check_value(key, &s.value) {
                problems.push((
                    format!("`{key}={}` (from {}) is not {what}", s.value, s.source),
                    hint,
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;
    use crate::source::SourceMap;

    fn env_file(dir: &std::path::Path, name: &str, text: &str) -> EnvFile {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        EnvFile::read(&path, &mut SourceMap::new(), &mut Diagnostics::new()).unwrap()
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
            let first = env_file(dir.path(), "1.env", &format!("{key}={a}\n"));
            let second = env_file(dir.path(), "2.env", &format!("{key}={b}\n"));
            let files = [first, second];
            // Env files: the last one wins.
            let s = Settings::new(IndexMap::new(), &files);
            assert_eq!(s.get(key).as_deref(), Some(b), "{key}");
            assert_eq!(
                s.resolve(key).unwrap().source,
                Source::EnvFile(dir.path().join("2.env"))
            );
            // The shell wins over the files.
            let s = Settings::new(shell(&[(key, c)]), &files);
            assert_eq!(
                s.resolve(key).unwrap(),
                Setting {
                    value: c.into(),
                    source: Source::Shell
                },
                "{key}"
            );
            assert_eq!(
                s.interpolation_environment().get(key).map(String::as_str),
                Some(c)
            );
            // A flag wins over both, and interpolation sees it.
            let s = Settings::new(shell(&[(key, c)]), &files).with_flag(
                match key {
                    "app_cluster" => "app_cluster",
                    "aws_region" => "aws_region",
                    "aws_profile" => "aws_profile",
                    _ => continue,
                },
                "--flag",
                Some("flagged"),
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
        let files = [env_file(
            dir.path(),
            "d.env",
            "app_cluster=ccg-develop\necs=false\n",
        )];
        let s = Settings::new(shell(&[("docker_tag", "-bad")]), &files).with_flag(
            "app_cluster",
            "-p",
            None,
        );
        assert_eq!(s.get("app_cluster").as_deref(), Some("ccg-develop"));
        assert!(!s.is_ecs());
        let problems = s.invalid();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].0.starts_with(
                "`docker_tag=-bad` (from the shell environment) is not a valid image tag"
            ),
            "{problems:?}"
        );
        let s = Settings::new(IndexMap::new(), &files).with_flag("app_cluster", "-p", Some("9x"));
        assert!(
            s.invalid()[0]
                .0
                .contains("(from -p) is not a valid stack name"),
            "{:?}",
            s.invalid()
        );
    }
}
