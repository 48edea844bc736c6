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
//! `INSTA_GLOB_FILTER=anchors/compose.yaml` runs one file. Because there is
//! no library `render` yet, [`render`] repeats the steps of the CLI's
//! render; `the_binary_renders_the_same_bytes` holds it to the binary.

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
/// FILE` run there), lowers it and renders the template, as the CLI's
/// `render` does, without a process.
fn render(path: &Path) -> Outcome {
    let dir = path.parent().unwrap();
    let options = LoadOptions {
        files: vec![path.to_path_buf()],
        cwd: dir.to_path_buf(),
        ..LoadOptions::default()
    };
    let mut sources = SourceMap::new();
    let loaded = match compose::load(&options, &mut sources) {
        Ok(loaded) => loaded,
        Err(failure) => {
            let text = shown(&sources, &failure.diagnostics);
            return Outcome {
                model: format!("not loaded:\n{text}"),
                template: Err(text),
            };
        }
    };
    let mut diags = loaded.warnings.clone();
    let (stack, lowered) = c2cfn::lower::lower(&loaded.project, &c2cfn::lower::Settings::default());
    let model = checkout_free(&format!("{stack:#?}"));
    diags.extend(lowered);
    if diags.has_errors() {
        return Outcome {
            model,
            template: Err(shown(&sources, &diags)),
        };
    }
    let template = c2cfn::cfn::emit(&stack);
    let clashes = !template.clashes.is_empty();
    let mut value = template.into_value();
    for problem in c2cfn::cfn::overlay::check(&value, &stack.overlay_entries) {
        diags.push(problem);
    }
    if clashes || diags.has_errors() {
        return Outcome {
            model,
            template: Err(format!("logical ID clash\n{}", shown(&sources, &diags))),
        };
    }
    if let Some(overlay) = &stack.overlay {
        let rendered = c2cfn::cfn::source::resource_ids(&value);
        c2cfn::cfn::overlay::merge(&mut value, overlay);
        c2cfn::cfn::source::claim_overlay(&mut value, &rendered);
    }
    c2cfn::cfn::source::describe_listeners(&mut value);
    c2cfn::cfn::tls_policy::default_ssl_policies(&mut value);
    let text = c2cfn::cfn::render(&value, c2cfn::cfn::Format::Yaml);
    for problem in c2cfn::cfn::limits::check(&value, &text) {
        diags.push(problem);
    }
    if diags.has_errors() {
        return Outcome {
            model,
            template: Err(shown(&sources, &diags)),
        };
    }
    Outcome {
        model,
        template: Ok(text),
    }
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
