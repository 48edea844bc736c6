//! Helpers shared by the integration tests: the binary and its output,
//! temporary projects, scripts on PATH, the external tools (behind the
//! `external-tools` feature) and the AWS stand-in (`moto.rs`).

#![allow(dead_code)] // Not every configuration of features uses every helper.

#[cfg(all(feature = "aws", feature = "external-tools"))]
pub(crate) mod moto;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared reference folder beside the checkout (Docker's golden files,
/// the official Compose schema): outside the repository, so only tests
/// built with `external-tools` read it.
#[cfg(feature = "external-tools")]
pub(crate) fn shared() -> PathBuf {
    let dir = root().join("../shared/reference");
    assert!(
        dir.is_dir(),
        "{} is missing: the `external-tools` tests read the reference files beside the checkout",
        dir.display()
    );
    dir
}

/// An external tool that scripts/test installs and names in `var`
/// (`C2CFN_CFN_LINT`, `C2CFN_PYTHON`, ...). Only tests built with the
/// `external-tools` feature call this, and a missing tool fails them: it is
/// never a skip.
#[cfg(feature = "external-tools")]
pub(crate) fn tool(var: &str, what: &str) -> PathBuf {
    let Some(path) = std::env::var_os(var) else {
        panic!(
            "{var} is unset: it names {what}, which scripts/test installs into .venv/ and exports; \
             run the `external-tools` tests through scripts/test"
        );
    };
    let path = PathBuf::from(path);
    assert!(
        path.exists(),
        "{var}={} does not exist ({what}); delete .venv/ and rerun scripts/test",
        path.display()
    );
    path
}

/// The c2cfn binary cargo built for this test run.
pub(crate) fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_c2cfn"))
}

/// A command for the binary in `dir`, with the compose variables of the
/// caller's shell removed.
pub(crate) fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(exe());
    cmd.current_dir(dir)
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_PROFILES");
    cmd
}

/// Runs the real binary in `dir` with `args`.
pub(crate) fn c2cfn(dir: &Path, args: &[&str]) -> Output {
    command(dir)
        .args(args)
        .output()
        .expect("the c2cfn binary runs")
}

/// Standard output as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code (-1: killed by a signal).
pub(crate) fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Exit code, standard output and standard error, for assertion messages.
pub(crate) fn show(o: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        code(o),
        stdout(o),
        stderr(o)
    )
}

/// insta settings writing to the top-level `snapshots/` folder.
pub(crate) fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Renders `args` (from the repository root) and parses the YAML template.
pub(crate) fn render_value(args: &[&str]) -> serde_json::Value {
    let mut full = vec!["render"];
    full.extend_from_slice(args);
    let out = c2cfn(&root(), &full);
    assert!(out.status.success(), "render failed: {}", stderr(&out));
    serde_norway::from_str(&stdout(&out)).expect("the template is YAML")
}

/// Writes `text` to `path`.
pub(crate) fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Writes an executable script to `path`.
pub(crate) fn executable(path: &Path, text: &str) {
    write(path, text);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A temporary project: each `(name, text)` written into a fresh folder.
pub(crate) fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        write(&tmp.path().join(name), text);
    }
    tmp
}

/// Copies the folder `from` to `to`, recursively.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A program `name` in `bin` that records each call's arguments (one per
/// line) in `$C2CFN_RECORD_<NAME>` (appending `--` after each call), then
/// sleeps when `$C2CFN_SLEEP` is set (a tunnel that stays open).
pub(crate) fn recorder(bin: &Path, name: &str) {
    let var = name.to_uppercase().replace('-', "_");
    executable(
        &bin.join(name),
        &format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> \"$C2CFN_RECORD_{var}\"; done\necho -- >> \"$C2CFN_RECORD_{var}\"\nif [ -n \"$C2CFN_SLEEP\" ]; then exec sleep 30; fi\n"
        ),
    );
}

/// `PATH` with `bin` first.
pub(crate) fn path_with(bin: &Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs cfn-lint (from .venv/) on `templates`, relative to `dir`, and fails
/// with what it found. Rule ignored, for a reason: W3005, Docker's templates
/// list a listener in DependsOn that is also referenced; kept for byte
/// compatibility with Docker's output.
#[cfg(feature = "external-tools")]
pub(crate) fn cfn_lint(dir: &Path, templates: &[PathBuf]) {
    let out = Command::new(tool("C2CFN_CFN_LINT", "cfn-lint"))
        .args(["--ignore-checks", "W3005", "--"])
        .args(templates)
        .current_dir(dir)
        .output()
        .expect("cfn-lint runs");
    assert!(
        out.status.success(),
        "cfn-lint found problems:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
}
