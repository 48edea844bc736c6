//! What the pipeline decides, in process and one snapshot per input file
//! (`snapshots/pipeline/`): for every compose file of `tests/fixtures/`
//! and every `compose.yaml` of `tests/conformance/` (the examples of
//! `compose/` are already checked byte for byte against `templates/`),
//!
//! - YAML → model: the lowered `model::Stack` (`model@…`), or the
//!   diagnostics when the project does not load;
//! - YAML → template: the CloudFormation template (`template@…`), or the
//!   diagnostics that refuse it.
//!
//! `insta::glob!` runs every file and reports every snapshot that differs.
//! `INSTA_GLOB_FILTER=anchors/compose.yaml` runs one file. The template
//! comes from the library's `render`; `the_binary_renders_the_same_bytes`
//! holds it to the binary.

use std::path::Path;

use c2cfn::compose::{self, LoadOptions};
use c2cfn::diagnostic::Diagnostics;
use c2cfn::source::SourceMap;

use crate::support::{c2cfn, root, stdout};

/// What one input file gives.
struct Outcome {
    /// The lowered stack (`{:#?}`), or the load diagnostics.
    model: String,
    /// The YAML template, or the diagnostics that refuse it.
    template: Result<String, String>,
}

/// Diagnostics as the user reads them, checkout-independent.
fn shown(sources: &SourceMap, diags: &Diagnostics) -> String {
    checkout_free(&c2cfn::diagnostic::render(sources, diags))
}

fn checkout_free(text: &str) -> String {
    text.replace(root().to_str().unwrap(), "<repo>")
}

/// Loads `path` (its folder is the project directory, as `c2cfn render -f
/// FILE` run there) and lowers it (the model); renders it through the
/// library's [`c2cfn::render`] (the template), without a process.
fn render(path: &Path) -> Outcome {
    let dir = path.parent().unwrap();
    let options = LoadOptions {
        files: vec![path.to_path_buf()],
        cwd: dir.to_path_buf(),
        ..LoadOptions::default()
    };
    let mut sources = SourceMap::new();
    let model = match compose::load(&options, &mut sources) {
        Ok(loaded) => {
            let (stack, _) =
                c2cfn::lower::lower(&loaded.project, &c2cfn::lower::Settings::default());
            checkout_free(&format!("{stack:#?}"))
        }
        Err(failure) => format!("not loaded:\n{}", shown(&sources, &failure.diagnostics)),
    };
    let request = c2cfn::Request {
        files: vec![path.to_path_buf()],
        cwd: dir.to_path_buf(),
        ..c2cfn::Request::default()
    };
    let template = match c2cfn::render(&request) {
        Ok(rendered) => Ok(rendered.text),
        Err(rejected) => Err(checkout_free(&rejected.text())),
    };
    Outcome { model, template }
}

/// Snapshots one input's model and template.
fn snapshot(path: &Path) {
    let outcome = render(path);
    let template = match outcome.template {
        Ok(text) => text,
        Err(diags) => format!("refused:\n{diags}"),
    };
    let mut s = crate::support::settings();
    s.set_snapshot_path(root().join("snapshots/pipeline"));
    s.remove_input_file();
    s.bind(|| {
        insta::assert_snapshot!("model", outcome.model);
        insta::assert_snapshot!("template", template);
    });
}

#[test]
fn fixtures_in_process() {
    insta::glob!("fixtures/**/*.yaml", snapshot);
}

#[test]
fn corpus_in_process() {
    insta::glob!("conformance/*/compose.yaml", snapshot);
}

/// [`render`] gives the bytes `c2cfn render -f FILE` prints, and refuses
/// what it refuses.
#[test]
fn the_binary_renders_the_same_bytes() {
    let mut differ = Vec::new();
    let mut files: Vec<_> = [
        "tests/fixtures/standin-smoke.yaml",
        "tests/fixtures/game-multi/compose.yaml",
    ]
    .iter()
    .map(|f| root().join(f))
    .collect();
    for entry in std::fs::read_dir(root().join("tests/conformance")).unwrap() {
        files.push(entry.unwrap().path().join("compose.yaml"));
    }
    files.sort();
    for path in files {
        let dir = path.parent().unwrap();
        let file = path.file_name().unwrap().to_str().unwrap();
        let out = c2cfn(dir, &["render", "-f", file]);
        let same = match render(&path).template {
            Ok(text) => out.status.success() && stdout(&out) == text,
            Err(_) => out.status.code() == Some(1),
        };
        if !same {
            differ.push(path.display().to_string());
        }
    }
    assert!(
        differ.is_empty(),
        "in-process render and `c2cfn render` disagree on: {differ:#?}"
    );
}
