//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared reference folder beside the checkout.
pub(crate) fn shared() -> PathBuf {
    root().join("../shared/reference")
}

/// Runs the real binary in `dir` with `args`.
pub(crate) fn c2cfn(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_c2cfn"))
        .args(args)
        .current_dir(dir)
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_PROFILES")
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
