//! Every malformed input in `tests/invalid/` is rendered with `--strict`;
//! the diagnostics (file:line:column, caret, hint) and the exit code are
//! snapshot-tested in `snapshots/` (`diagnostics__<file>.snap`).
//!
//! Each file is its own case: `insta::glob!` runs every file and reports
//! every snapshot that differs, and the other checks (exit code 1, nothing
//! on standard output, the file named) are collected and reported together
//! at the end, so one failing file never hides another. A file added to
//! `tests/invalid/` is picked up without editing this test.
//! `INSTA_GLOB_FILTER=err_bad_port.yaml` runs one file.

use std::path::Path;

use crate::support::{c2cfn, root, settings, stderr};

/// Renders one malformed input and snapshots its diagnostics; returns the
/// problems other than a snapshot difference (insta collects those).
fn explain(path: &Path) -> Vec<String> {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let rel = format!("tests/invalid/{name}.yaml");
    let input = std::fs::read_to_string(path).unwrap();
    // `-p` only where the file has no `name:` of its own.
    let mut args = vec!["render", "--strict", "-f", &rel];
    if !input.starts_with("name:") {
        args.extend(["-p", "invalid"]);
    }
    let out = c2cfn(&root(), &args);
    // Absolute paths in messages depend on where the checkout lives.
    let text = stderr(&out).replace(root().to_str().unwrap(), "<repo>");
    let mut problems = Vec::new();
    if out.status.code() != Some(1) {
        problems.push(format!(
            "{name} must fail with exit code 1, not {:?}:\n{text}",
            out.status.code()
        ));
    }
    if !out.stdout.is_empty() {
        problems.push(format!("{name}: nothing may be rendered"));
    }
    if !text.contains(&format!("{rel}:")) {
        problems.push(format!("{name}: the error must name the file:\n{text}"));
    }
    // The snapshot's name and header are the ones this test wrote before it
    // was split per file: glob!'s suffix and input file are left out.
    let mut s = settings();
    s.remove_snapshot_suffix();
    s.remove_input_file();
    s.set_description(input);
    s.bind(|| insta::assert_snapshot!(format!("diagnostics__{name}"), text));
    problems
}

#[test]
fn malformed_inputs_are_explained() {
    let mut files = 0;
    let mut problems = Vec::new();
    insta::glob!("invalid/*.yaml", |path| {
        files += 1;
        for problem in explain(path) {
            // Printed as found too: a snapshot failure ends the glob first.
            eprintln!("{problem}");
            problems.push(problem);
        }
    });
    if std::env::var_os("INSTA_GLOB_FILTER").is_none() {
        assert!(files >= 30, "at least 30 malformed inputs, found {files}");
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
