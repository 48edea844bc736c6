//! Every command example of README.md works as written: the offline ones
//! (`render`, `config`, `schema`) run in a copy of the example they name and
//! must succeed; those that talk to AWS or Docker must at least be accepted
//! as written (`--help` appended: every flag and argument before it parses).

use std::process::Command;

use crate::support::{copy_dir, exe, root, stderr};

/// The command lines of README.md: (directory, arguments after `c2cfn`).
fn examples() -> Vec<(&'static str, Vec<String>)> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let code = if fenced {
            line
        } else if let Some(indented) = line.strip_prefix("    ") {
            indented
        } else {
            continue;
        };
        let code = code.split(" #").next().unwrap_or_default().trim();
        let (dir, rest) = if let Some(rest) = code.strip_prefix("c2cfn ") {
            // The fenced block is run in the game backend, as README says.
            (if fenced { "compose/game-backend" } else { "." }, rest)
        } else if let Some((_, rest)) = code
            .strip_prefix("cargo run")
            .and_then(|c| c.split_once(" -- "))
        {
            (".", rest)
        } else {
            continue;
        };
        let args: Vec<String> = rest
            .split('>')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .filter(|a| !a.starts_with('['))
            .map(str::to_owned)
            .collect();
        out.push((dir, args));
    }
    out
}

#[test]
fn every_readme_example_works_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join("compose"), &tmp.path().join("compose"));
    // `render -o templates/…` writes into a folder of the example; the
    // folder's creation by `-o` itself is not what this test is about.
    std::fs::create_dir_all(tmp.path().join("compose/game-backend/templates")).unwrap();
    let examples = examples();
    assert!(examples.len() >= 20, "{examples:?}");
    let mut ran = 0;
    for (dir, args) in &examples {
        let offline = matches!(args[0].as_str(), "render" | "config" | "schema");
        let mut cmd = Command::new(exe());
        cmd.args(args)
            .current_dir(tmp.path().join(dir))
            .env_remove("COMPOSE_FILE")
            .env_remove("COMPOSE_PROJECT_NAME")
            .env_remove("COMPOSE_PROFILES");
        if !offline {
            cmd.arg("--help");
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "`c2cfn {}` in {dir}: {}",
            args.join(" "),
            stderr(&out)
        );
        ran += usize::from(offline);
    }
    assert!(ran >= 6, "the offline examples ran: {ran}");
    assert!(
        tmp.path()
            .join("compose/game-backend/templates/develop.yaml")
            .is_file()
    );
}
