//! Loader tests: real files in temporary directories, the process
//! environment passed through [`LoadOptions::environment`].

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::json;

use super::*;
use crate::diagnostic::render;

/// A temporary project tree.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        Self { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn options(&self, cwd: &str) -> LoadOptions {
        LoadOptions {
            cwd: self.path(cwd),
            environment: env(&[("HOME", "/home/u")]),
            ..LoadOptions::default()
        }
    }
}

fn env(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Runs everything but typing: the merged document (as JSON), the project
/// name, the diagnostics and the sources.
fn run(options: &LoadOptions) -> (Option<(serde_json::Value, String)>, Diagnostics, SourceMap) {
    let mut sources = SourceMap::new();
    let mut ctx = context::Ctx::new(&mut sources, &options.environment);
    let model = load_model(options, &mut ctx).map(|m| (m.root.to_json(), m.name));
    let diags = finish(ctx.diags);
    (model, diags, sources)
}

fn messages(diags: &Diagnostics) -> Vec<String> {
    diags.items().iter().map(|d| d.message.clone()).collect()
}

fn base_name(path: &Path) -> String {
    discover::normalize_project_name(&path.file_name().unwrap().to_string_lossy())
}

#[test]
fn discovery_searches_parents_and_adds_the_override() {
    let tree = Tree::new(&[
        (
            "compose.yaml",
            "services:\n  web: {image: nginx, ports: ['80:80']}\n",
        ),
        (
            "compose.override.yml",
            "services:\n  web: {image: nginx:1.27, ports: ['81:81']}\n",
        ),
        ("sub/deeper/keep", ""),
    ]);
    let (model, diags, _) = run(&tree.options("sub/deeper"));
    assert!(diags.is_empty(), "{diags:?}");
    let (json, name) = model.unwrap();
    assert_eq!(
        json["services"]["web"],
        json!({"image": "nginx:1.27", "ports": ["80:80", "81:81"]})
    );
    assert_eq!(name, base_name(tree.dir.path()));
}

#[test]
fn several_default_names_warn_and_the_first_wins() {
    let tree = Tree::new(&[
        ("compose.yaml", "services: {a: {image: a}}\n"),
        ("docker-compose.yml", "services: {b: {image: b}}\n"),
    ]);
    let (model, diags, _) = run(&tree.options("."));
    let (json, _) = model.unwrap();
    assert_eq!(json["services"], json!({"a": {"image": "a"}}));
    assert_eq!(diags.items().len(), 1);
    assert!(!diags.has_errors());
    assert!(diags.items()[0].message.contains("multiple config files"));
}

#[test]
fn compose_file_variable_with_separator() {
    let tree = Tree::new(&[
        ("one.yaml", "services: {web: {image: a}}\n"),
        ("two.yaml", "services: {web: {user: x}}\n"),
        ("compose.yaml", "services: {ignored: {image: z}}\n"),
    ]);
    let mut options = tree.options(".");
    options.environment = env(&[
        ("COMPOSE_FILE", "one.yaml;two.yaml"),
        ("COMPOSE_PATH_SEPARATOR", ";"),
    ]);
    let (model, diags, _) = run(&options);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        model.unwrap().0["services"],
        json!({"web": {"image": "a", "user": "x"}})
    );
}

#[test]
fn missing_files_and_stdin_are_errors_with_hints() {
    let tree = Tree::new(&[("compose.yaml", "services: {}\n")]);
    let mut options = tree.options(".");
    options.files = vec![PathBuf::from("nope.yaml"), PathBuf::from("-")];
    let (model, diags, _) = run(&options);
    assert!(model.is_none());
    assert_eq!(diags.error_count(), 2);
    assert!(
        diags
            .items()
            .iter()
            .all(|d| d.span.is_none() && d.help.is_some())
    );
    assert!(messages(&diags).iter().any(|m| m.contains("nope.yaml")));
    let empty = Tree::new(&[("keep", "")]);
    let (model, diags, _) = run(&empty.options("."));
    assert!(model.is_none());
    assert!(messages(&diags)[0].starts_with("no compose file found"));
}

#[test]
fn env_files_give_variables_entries_and_typed_values() {
    let tree = Tree::new(&[
        (".env", "IGNORED=1\n"),
        (
            "develop.env",
            "app_cluster=ccg-develop\nredis_nodes=1\nTAG=dev\n",
        ),
        (
            "compose.yaml",
            "services:\n  redis:\n    image: redis:${TAG}\n    deploy:\n      replicas: ${redis_nodes}\n    x-aws-cluster: ${app_cluster}\n",
        ),
    ]);
    let mut options = tree.options(".");
    options.env_files = vec![PathBuf::from("develop.env")];
    options.environment.insert("TAG".into(), "prod".into());
    let (model, diags, sources) = run(&options);
    assert!(diags.is_empty(), "{diags:?}");
    let redis = model.unwrap().0["services"]["redis"].clone();
    assert_eq!(
        redis,
        json!({"image": "redis:prod", "deploy": {"replicas": 1}, "x-aws-cluster": "ccg-develop"})
    );

    let mut sources2 = SourceMap::new();
    let loaded = load(&options, &mut sources2).expect("loads");
    assert_eq!(
        loaded.variables.get("app_cluster").map(String::as_str),
        Some("ccg-develop")
    );
    assert_eq!(
        loaded.variables.get("TAG").map(String::as_str),
        Some("prod")
    );
    assert!(!loaded.variables.contains_key("IGNORED"));
    let keys: Vec<&str> = loaded.env_entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["app_cluster", "redis_nodes", "TAG"]);
    let redis_nodes = &loaded.env_entries[1];
    assert!(
        sources2
            .locate(redis_nodes.key_span)
            .ends_with("develop.env:2:1")
    );
    let _ = sources;
}

#[test]
fn extends_include_and_env_file_across_folders() {
    let tree = Tree::new(&[
        (
            "common/base.yaml",
            "services:\n  base:\n    build: ./image\n    env_file: base.env\n    environment: {LEVEL: info}\n",
        ),
        ("common/base.env", "FROM_BASE=yes\nLEVEL=debug\n"),
        (
            "lib/compose.yaml",
            "services:\n  cache:\n    image: redis:${CACHE_TAG}\n    volumes: ['./conf:/conf']\nvolumes:\n  cachedata: {}\n",
        ),
        ("lib/.env", "CACHE_TAG=7\n"),
        (
            "app/compose.yaml",
            "include: [../lib/compose.yaml]\nservices:\n  web:\n    extends: {file: ../common/base.yaml, service: base}\n    environment: [PORT=80]\n",
        ),
    ]);
    let (model, diags, _) = run(&tree.options("app"));
    assert!(diags.is_empty(), "{diags:?}");
    let (json, name) = model.unwrap();
    assert_eq!(name, "app");
    let web = &json["services"]["web"];
    assert_eq!(
        web["build"],
        tree.path("common/image").display().to_string()
    );
    assert_eq!(
        web["environment"],
        json!({"FROM_BASE": "yes", "LEVEL": "info", "PORT": "80"})
    );
    assert!(web.get("env_file").is_none() && web.get("extends").is_none());
    let cache = &json["services"]["cache"];
    assert_eq!(cache["image"], "redis:7");
    assert_eq!(
        cache["volumes"][0],
        format!("{}:/conf", tree.path("lib/conf").display())
    );
    assert_eq!(json["volumes"], json!({"cachedata": {}}));
    assert!(json.get("include").is_none());
}

#[test]
fn include_conflicts_name_both_places() {
    let tree = Tree::new(&[
        (
            "lib/compose.yaml",
            "services:\n  db: {image: postgres:16}\n  same: {image: x}\n",
        ),
        (
            "compose.yaml",
            "include:\n  - lib/compose.yaml\nservices:\n  db: {image: postgres:15}\n  same: {image: x}\n",
        ),
    ]);
    let (_, diags, sources) = run(&tree.options("."));
    assert_eq!(diags.error_count(), 1, "{diags:?}");
    let d = &diags.items()[0];
    assert!(
        d.message
            .starts_with("service `db` is defined here and by the included")
    );
    assert!(
        sources
            .locate(d.span.unwrap())
            .ends_with("compose.yaml:4:3")
    );
    assert_eq!(d.secondary.len(), 2);
    assert!(sources.locate(d.secondary[0].0).contains("lib"));
}

#[test]
fn profiles_from_options_and_dotenv() {
    let text = "services:\n  web: {image: a}\n  debug: {image: b, profiles: [debug]}\n  tools: {image: c, profiles: [tools]}\n";
    let tree = Tree::new(&[("compose.yaml", text), (".env", "COMPOSE_PROFILES=tools\n")]);
    let mut options = tree.options(".");
    options.profiles = vec!["debug".into()];
    let (model, diags, _) = run(&options);
    assert!(diags.is_empty());
    let services = model.unwrap().0["services"].clone();
    assert_eq!(services.as_object().unwrap().len(), 3);
    let tree = Tree::new(&[("compose.yaml", text)]);
    let (model, _, _) = run(&tree.options("."));
    assert_eq!(model.unwrap().0["services"], json!({"web": {"image": "a"}}));
}

#[test]
fn project_name_rules() {
    let tree = Tree::new(&[("compose.yaml", "name: ${STACK:-demo}\nservices: {}\n")]);
    assert_eq!(run(&tree.options(".")).0.unwrap().1, "demo");
    let mut options = tree.options(".");
    options
        .environment
        .insert("COMPOSE_PROJECT_NAME".into(), "fromenv".into());
    assert_eq!(run(&options).0.unwrap().1, "fromenv");
    options.project_name = Some("Bad Name".into());
    let (_, diags, _) = run(&options);
    assert!(messages(&diags)[0].contains("not a valid project name"));
    let tree = Tree::new(&[("compose.yaml", "name: My_App\nservices: {}\n")]);
    assert_eq!(run(&tree.options(".")).0.unwrap().1, "my_app");
    let tree = Tree::new(&[("compose.yaml", "name: ___\nservices: {}\n")]);
    let (_, diags, sources) = run(&tree.options("."));
    assert!(
        sources
            .locate(diags.items()[0].span.unwrap())
            .ends_with("compose.yaml:1:7")
    );
}

#[test]
fn independent_errors_are_all_reported_and_rendered() {
    let tree = Tree::new(&[(
        "compose.yaml",
        "services:\n  web:\n    image: ${IMAGE:?set the image}\n    env_file: missing.env\n    command: ${UNSET}\n",
    )]);
    let mut sources = SourceMap::new();
    let diags = load(&tree.options("."), &mut sources)
        .unwrap_err()
        .diagnostics;
    assert_eq!(diags.error_count(), 2, "{diags:?}");
    assert_eq!(diags.items().len(), 3);
    let text = render(&sources, &diags);
    assert!(
        text.contains("required variable `IMAGE` is missing a value: set the image"),
        "{text}"
    );
    assert!(text.contains("compose.yaml:3:12"), "{text}");
    assert!(
        text.contains("help: set IMAGE in the environment"),
        "{text}"
    );
    assert!(text.contains("missing.env"), "{text}");
    assert!(text.contains("the \"UNSET\" variable is not set"), "{text}");
}

#[test]
fn reset_and_override_across_files() {
    let tree = Tree::new(&[
        (
            "a.yaml",
            "services:\n  web: {image: a, ports: ['80:80'], environment: {A: '1', B: '2'}}\n",
        ),
        (
            "b.yaml",
            "services:\n  web: {ports: !reset [], environment: !override {C: '3'}}\n",
        ),
    ]);
    let mut options = tree.options(".");
    options.files = vec!["a.yaml".into(), "b.yaml".into()];
    let (model, diags, _) = run(&options);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        model.unwrap().0["services"]["web"],
        json!({"image": "a", "environment": {"C": "3"}})
    );
}
