//! Service names given as positional arguments (`ps`, `up`, `logs`, `exec`,
//! `tunnel`, `push`), checked against the project's services. As in
//! compose, a compose file is never a positional argument of these
//! commands: one given there gets a hint naming `-f`.

use std::path::Path;

use crate::deploy::{Failure, Stop};

/// Checks that every name in `given` is one of `known`; `command` is the
/// command the user ran (for the hint).
pub(super) fn check(given: &[String], known: &[String], command: &str) -> Result<(), Failure> {
    for name in given {
        if known.contains(name) {
            continue;
        }
        if let Some((message, hint)) = file_given_as_service(name, command) {
            return Err(Failure {
                message,
                hint: Some(hint),
                stop: Stop::Usage,
            });
        }
        return Err(Failure::refused(
            format!("the project has no service `{name}`"),
            format!(
                "its services: {}",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        ));
    }
    Ok(())
}

/// Only the file check of [`check`], when the project's services are not
/// known (the compose file could not be read, or is not read yet): names
/// that can only be files (`.yml`, `.yaml`, `.json`, `.env`, a path with
/// `/`), whether or not they exist.
pub(super) fn check_files(given: &[String], command: &str) -> Result<(), Failure> {
    let Some((message, hint)) = given
        .iter()
        .filter(|name| name.contains('/') || has_file_extension(name))
        .find_map(|name| file_given_as_service(name, command))
    else {
        return Ok(());
    };
    Err(Failure {
        message,
        hint: Some(hint),
        stop: Stop::Usage,
    })
}

fn has_file_extension(arg: &str) -> bool {
    Path::new(arg)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "yml" | "yaml" | "json" | "env"
            )
        })
}

/// A positional argument that looks like a file (a YAML, JSON or env file,
/// a path, or a file that exists): the message and the hint.
#[must_use]
pub(super) fn file_given_as_service(arg: &str, command: &str) -> Option<(String, String)> {
    let path = Path::new(arg);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let looks_like_file = matches!(ext.as_deref(), Some("yml" | "yaml" | "json" | "env"))
        || arg.contains('/')
        || path.is_file();
    looks_like_file.then(|| {
        let flag = if ext.as_deref() == Some("env") {
            "--env-file"
        } else {
            "-f"
        };
        (
            format!("`{arg}` is a file, but `c2cfn {command}` takes service names as arguments"),
            format!(
                "pass files with {flag}, before or after the command: `c2cfn {flag} {arg} {command}` (as `docker compose {flag} {arg} {command}`)"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_not_a_service() {
        let (message, hint) = file_given_as_service("compose.yaml", "up").unwrap();
        assert!(message.contains("`compose.yaml` is a file"), "{message}");
        assert!(hint.contains("`c2cfn -f compose.yaml up`"), "{hint}");
        let (_, hint) = file_given_as_service("develop.env", "ps").unwrap();
        assert!(hint.contains("--env-file develop.env"), "{hint}");
        assert!(file_given_as_service("dir/app", "logs").is_some());
        assert!(file_given_as_service("app", "logs").is_none());
        assert!(file_given_as_service("web-1", "logs").is_none());
        // Before the project is read: only names that cannot be services.
        assert!(check_files(&["app".into(), "x.yml".into()], "ps").is_err());
        assert!(check_files(&["Cargo.lock".into()], "ps").is_ok());
    }

    #[test]
    fn known_services_pass_and_others_are_named() {
        let known = vec!["app".to_owned(), "worker".to_owned()];
        assert!(check(&["app".into()], &known, "logs").is_ok());
        let f = check(&["web".into()], &known, "logs").unwrap_err();
        assert!(f.message.contains("no service `web`"), "{}", f.message);
        assert_eq!(f.hint.as_deref(), Some("its services: app, worker"));
        let f = check(&["compose.yaml".into()], &known, "up").unwrap_err();
        assert_eq!(crate::cli::exit::of(&f), crate::cli::exit::USAGE);
        // A service may be named like nothing else; a file of that name is
        // not in the way.
        let known = vec!["Cargo.toml".to_owned()];
        assert!(check(&["Cargo.toml".into()], &known, "logs").is_ok());
    }
}
