//! The `docker compose` commands of the local environment, behind a trait:
//! the real one runs the `docker` CLI, tests record the exact command lines.

use std::path::{Path, PathBuf};

pub use crate::docker::{Docker, DockerCli, DockerError, check_compose, run};

/// The compose files of one local environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeFiles {
    /// `-p` project name.
    pub project: String,
    /// The user's compose files (empty: dependencies only).
    pub user_files: Vec<PathBuf>,
    /// c2cfn's generated file.
    pub generated: PathBuf,
}

impl ComposeFiles {
    fn base(&self) -> Vec<String> {
        let mut args = vec!["compose".to_owned(), "-p".to_owned(), self.project.clone()];
        for f in self
            .user_files
            .iter()
            .chain(std::iter::once(&self.generated))
        {
            args.push("-f".to_owned());
            args.push(path(f));
        }
        args
    }

    /// `docker compose … up -d --wait [--build] [SERVICE...]`.
    #[must_use]
    pub fn up(&self, services: &[String]) -> Vec<String> {
        let mut args = self.base();
        args.extend(["up", "-d", "--wait"].map(str::to_owned));
        if !self.user_files.is_empty() {
            args.push("--build".to_owned());
        }
        args.extend(services.iter().cloned());
        args
    }

    /// `docker compose … down` (volumes and data folders are kept).
    #[must_use]
    pub fn down(&self) -> Vec<String> {
        let mut args = self.base();
        args.push("down".to_owned());
        args
    }
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

#[cfg(test)]
mod tests {
    use std::process::ExitStatus;

    use super::*;

    fn files(user: &[&str]) -> ComposeFiles {
        ComposeFiles {
            project: "ccg-local".into(),
            user_files: user.iter().map(PathBuf::from).collect(),
            generated: PathBuf::from("/p/.c2cfn/local/compose.local.yaml"),
        }
    }

    #[test]
    fn command_lines_are_exact() {
        assert_eq!(
            files(&[]).up(&[]).join(" "),
            "compose -p ccg-local -f /p/.c2cfn/local/compose.local.yaml up -d --wait"
        );
        assert_eq!(
            files(&["/p/app-compose.yml"]).up(&["app".into()]).join(" "),
            "compose -p ccg-local -f /p/app-compose.yml -f /p/.c2cfn/local/compose.local.yaml up -d --wait --build app"
        );
        assert_eq!(
            files(&["/p/app-compose.yml"]).down().join(" "),
            "compose -p ccg-local -f /p/app-compose.yml -f /p/.c2cfn/local/compose.local.yaml down"
        );
    }

    struct Missing;
    impl Docker for Missing {
        fn available(&self) -> bool {
            false
        }
        fn run(&mut self, _: &[String], _: Option<&str>) -> std::io::Result<ExitStatus> {
            Err(std::io::Error::from(std::io::ErrorKind::NotFound))
        }
    }

    #[test]
    fn a_missing_cli_is_explained() {
        let err = run(&mut Missing, &files(&[]).up(&[]), None).unwrap_err();
        assert!(matches!(err, DockerError::Missing));
        assert!(err.to_string().contains("install Docker"));
    }
}
