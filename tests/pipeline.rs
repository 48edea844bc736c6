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
//! Each input is its own `#[test]` (`pipeline::corpus::anchors`), listed
//! in [`cases!`] below, so an input that fails (a snapshot that differs, or
//! a panic) hides no other, and one runs alone by name.
//! [`every_input_is_a_case`] fails when an input file is missing from the
//! lists, or a list names a file that is not there. The template comes
//! from the library's `render`; `the_binary_renders_the_same_bytes` holds it
//! to the binary.

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

/// Snapshots one input's model and template. `suffix` is the input's path
/// below its folder (`anchors/compose.yaml`): the snapshots are
/// `model@anchors__compose.yaml.snap` and `template@…`.
fn snapshot(folder: &str, suffix: &str) {
    let path = root().join("tests").join(folder).join(suffix);
    assert!(path.is_file(), "{} is missing", path.display());
    let outcome = render(&path);
    let template = match outcome.template {
        Ok(text) => text,
        Err(diags) => format!("refused:\n{diags}"),
    };
    let mut s = crate::support::settings();
    s.set_snapshot_path(root().join("snapshots/pipeline"));
    s.set_snapshot_suffix(suffix);
    s.bind(|| {
        insta::assert_snapshot!("model", outcome.model);
        insta::assert_snapshot!("template", template);
    });
}

/// One `#[test]` per input file, in a module per folder.
macro_rules! cases {
    ($($module:ident in $folder:literal { $($name:ident: $file:literal,)+ })+) => {
        $(
            mod $module {
                /// The folder's inputs the list names.
                pub(super) const FILES: &[&str] = &[$($file),+];
                $(
                    #[test]
                    fn $name() {
                        super::snapshot($folder, $file);
                    }
                )+
            }
        )+
        /// Each folder with the inputs its list names.
        const LISTS: &[(&str, &[&str])] = &[$(($folder, $module::FILES)),+];
    };
}

cases! {
    fixtures in "fixtures" {
        game_multi: "game-multi/compose.yaml",
        standin_smoke: "standin-smoke.yaml",
    }
    corpus in "conformance" {
        anchors: "anchors/compose.yaml",
        app_django: "app-django/compose.yaml",
        app_monitoring: "app-monitoring/compose.yaml",
        app_node_mongo: "app-node-mongo/compose.yaml",
        app_wordpress: "app-wordpress/compose.yaml",
        build_long: "build-long/compose.yaml",
        dollar_escapes: "dollar-escapes/compose.yaml",
        durations_bytes: "durations-bytes/compose.yaml",
        env_file: "env-file/compose.yaml",
        extends: "extends/compose.yaml",
        implicit_deps: "implicit-deps/compose.yaml",
        include: "include/compose.yaml",
        include_forms: "include-forms/compose.yaml",
        interpolation: "interpolation/compose.yaml",
        long_short: "long-short/compose.yaml",
        merge: "merge/compose.yaml",
        override_tags: "override-tags/compose.yaml",
        profiles: "profiles/compose.yaml",
        profiles_env: "profiles-env/compose.yaml",
        refuse_bad_byte_unit: "refuse-bad-byte-unit/compose.yaml",
        refuse_bad_duration: "refuse-bad-duration/compose.yaml",
        refuse_bad_port: "refuse-bad-port/compose.yaml",
        refuse_command_number: "refuse-command-number/compose.yaml",
        refuse_comments_only: "refuse-comments-only/compose.yaml",
        refuse_conflicting_limits: "refuse-conflicting-limits/compose.yaml",
        refuse_depends_on_cycle: "refuse-depends-on-cycle/compose.yaml",
        refuse_depends_on_self: "refuse-depends-on-self/compose.yaml",
        refuse_depends_on_undefined: "refuse-depends-on-undefined/compose.yaml",
        refuse_empty_file: "refuse-empty-file/compose.yaml",
        refuse_extends_cycle: "refuse-extends-cycle/compose.yaml",
        refuse_missing_env_file: "refuse-missing-env-file/compose.yaml",
        refuse_missing_extends_file: "refuse-missing-extends-file/compose.yaml",
        refuse_network_mode_undefined_service: "refuse-network-mode-undefined-service/compose.yaml",
        refuse_no_image_no_build: "refuse-no-image-no-build/compose.yaml",
        refuse_required_variable: "refuse-required-variable/compose.yaml",
        refuse_required_variable_no_colon: "refuse-required-variable-no-colon/compose.yaml",
        refuse_services_not_a_map: "refuse-services-not-a-map/compose.yaml",
        refuse_undefined_secret: "refuse-undefined-secret/compose.yaml",
        refuse_undefined_volume: "refuse-undefined-volume/compose.yaml",
        refuse_unknown_service_key: "refuse-unknown-service-key/compose.yaml",
        refuse_user_number: "refuse-user-number/compose.yaml",
        refuse_volumes_from_undefined: "refuse-volumes-from-undefined/compose.yaml",
        same_limits_twice: "same-limits-twice/compose.yaml",
        top_level_resources: "top-level-resources/compose.yaml",
        typed_values: "typed-values/compose.yaml",
    }
}

/// Every `*.yaml` below `tests/fixtures/` and every
/// `tests/conformance/*/compose.yaml` is a case, and every case is a file.
#[test]
fn every_input_is_a_case() {
    fn yaml_below(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                yaml_below(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let rel = path.strip_prefix(base).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut differ = Vec::new();
    for (folder, listed) in LISTS {
        let base = root().join("tests").join(folder);
        let mut found = Vec::new();
        yaml_below(&base, &base, &mut found);
        if *folder == "conformance" {
            // Only the project files: a corpus entry may have other YAML.
            found.retain(|f| f.ends_with("/compose.yaml") && f.matches('/').count() == 1);
        }
        for f in &found {
            if !listed.contains(&f.as_str()) {
                differ.push(format!("tests/{folder}/{f} is not listed in `cases!`"));
            }
        }
        for f in *listed {
            if !found.iter().any(|x| x == f) {
                differ.push(format!(
                    "`cases!` lists tests/{folder}/{f}, which is not there"
                ));
            }
        }
    }
    assert!(differ.is_empty(), "tests/pipeline.rs: {differ:#?}");
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
