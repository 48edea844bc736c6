//! Every example renders to its committed template (`render --check`), and
//! the template is clean under cfn-lint.

use std::path::PathBuf;

#[cfg(feature = "external-tools")]
use crate::support::cfn_lint;
use crate::support::{c2cfn, root, stderr};

/// `(template name, render arguments)` for every example.
fn examples() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("compose"))
        .expect("compose/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let envs: Vec<PathBuf> = {
            let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "env"))
                // A local environment (`ecs=false`) is not deployed to AWS.
                .filter(|p| {
                    !std::fs::read_to_string(p)
                        .unwrap_or_default()
                        .lines()
                        .any(|l| l.trim() == "ecs=false")
                })
                .collect();
            v.sort();
            v
        };
        if envs.is_empty() {
            // Discovered as `docker compose` would (compose.yaml plus any override file).
            out.push((
                name.clone(),
                vec!["--project-directory".into(), format!("compose/{name}")],
            ));
        } else {
            for env in envs {
                let stem = env.file_stem().unwrap().to_string_lossy().into_owned();
                out.push((
                    format!("{name}-{stem}"),
                    vec!["--env-file".into(), format!("compose/{name}/{stem}.env")],
                ));
            }
        }
    }
    out
}

#[test]
fn every_example_matches_its_committed_template() {
    let list = examples();
    assert!(
        list.len() >= 8,
        "expected the shipped examples, found {}",
        list.len()
    );
    let mut stale = Vec::new();
    for (name, args) in &list {
        let output = format!("templates/{name}.yaml");
        let mut full: Vec<&str> = vec!["render"];
        full.extend(args.iter().map(String::as_str));
        full.extend(["-o", &output, "--check"]);
        let out = c2cfn(&root(), &full);
        if !out.status.success() {
            stale.push(format!("{name}:\n{}", stderr(&out)));
        }
    }
    assert!(
        stale.is_empty(),
        "stale templates (re-render them with scripts/render-examples, review and commit):\n{}",
        stale.join("\n")
    );
}

#[test]
fn rendering_is_deterministic() {
    for (_, args) in examples() {
        let mut full: Vec<&str> = vec!["render"];
        full.extend(args.iter().map(String::as_str));
        let a = c2cfn(&root(), &full);
        let b = c2cfn(&root(), &full);
        assert_eq!(a.stdout, b.stdout);
    }
}

#[cfg(feature = "external-tools")]
#[test]
fn templates_are_clean_under_cfn_lint() {
    let templates: Vec<PathBuf> = examples()
        .into_iter()
        .map(|(n, _)| PathBuf::from(format!("templates/{n}.yaml")))
        .collect();
    cfn_lint(&root(), &templates);
}
