//! `c2cfn diff --against`: the CI recipe of docs/ci.md run on a temporary
//! git repository, and the replacement table's coverage and provenance.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{c2cfn, stderr, stdout};
#[cfg(feature = "external-tools")]
use crate::support::{root, tool};

const COMPOSE: &str = r#"name: shop
services:
  app:
    image: example/app:${docker_tag:-1.0}
    ports:
      - "80:80"
    environment:
      MODE: production
x-aws-dynamodb:
  tables:
    - players/player-id
  services: [app]
"#;

const ENV: &str = "app_cluster=shop-develop\napp_compose=compose.yaml\ndocker_tag=1.0\n";

const TEMPLATE: &str = "templates/develop.yaml";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository whose `main` has the project and its rendered template.
fn repository() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("compose.yaml"), COMPOSE).unwrap();
    std::fs::write(dir.join("develop.env"), ENV).unwrap();
    std::fs::create_dir(dir.join("templates")).unwrap();
    render(&dir);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    (tmp, dir)
}

fn render(dir: &Path) {
    let out = c2cfn(
        dir,
        &["render", "--env-file", "develop.env", "-o", TEMPLATE],
    );
    assert!(out.status.success(), "render: {}", stderr(&out));
}

/// A pull-request branch: `change` applied, the template re-rendered and
/// committed, as a developer would.
fn branch(dir: &Path, name: &str, change: impl Fn(&Path)) {
    git(dir, &["checkout", "-q", "-b", name, "main"]);
    change(dir);
    render(dir);
    git(dir, &["commit", "-q", "-am", name]);
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has {from}");
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// The CI steps of docs/ci.md: `render --check`, then the review as
/// Markdown, then the two gates. Returns the Markdown and the gates' codes.
fn ci(dir: &Path) -> (String, i32, i32) {
    let check = c2cfn(
        dir,
        &[
            "render",
            "--env-file",
            "develop.env",
            "-o",
            TEMPLATE,
            "--check",
        ],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let base = [
        "diff",
        "--env-file",
        "develop.env",
        "-o",
        TEMPLATE,
        "--against",
        "main",
    ];
    let md = c2cfn(dir, &[&base[..], &["--format", "markdown"]].concat());
    assert_eq!(md.status.code(), Some(3), "{}", stderr(&md));
    let gate = |what: &str| {
        c2cfn(dir, &[&base[..], &["--fail-on", what]].concat())
            .status
            .code()
            .unwrap()
    };
    (stdout(&md), gate("data-loss"), gate("security"))
}

#[test]
fn a_table_key_change_is_a_replacement_with_data_loss() {
    let (_tmp, dir) = repository();
    branch(&dir, "key", |d| {
        edit(d, "compose.yaml", "players/player-id", "players/account-id");
    });
    let (md, data_loss, security) = ci(&dir);
    let first = md.lines().next().unwrap();
    assert_eq!(
        first, "🛑 **1 extension changed, 1 table REPLACED — data loss**",
        "{md}"
    );
    assert!(md.contains("> [!CAUTION]\n> **Data loss**\n> - `PlayersTable` (AWS::DynamoDB::Table, x-aws-dynamodb: players): table is REPLACED (changes create-only KeySchema): a new, empty table takes its place; UpdateReplacePolicy: Retain keeps the old one, outside the stack; with a fixed TableName, CloudFormation cannot replace it and the update fails unless the name changes too"), "{md}");
    assert!(
        md.contains("<details open><summary><b>x-aws-dynamodb: players</b> — 1 REPLACE</summary>"),
        "{md}"
    );
    assert!(md.contains("  - `KeySchema[account-id]`: added `{\"AttributeName\":\"account-id\",\"KeyType\":\"HASH\"}`"), "{md}");
    // The service's grant names the table by its name, which is unchanged:
    // the service itself does not change.
    assert!(!md.contains("**app**"), "{md}");
    assert_eq!((data_loss, security), (6, 3));
    println!("{md}");
}

#[test]
fn a_new_port_widens_ingress_and_adds_a_public_listener() {
    let (_tmp, dir) = repository();
    branch(&dir, "port", |d| {
        edit(
            d,
            "compose.yaml",
            "      - \"80:80\"\n",
            "      - \"80:80\"\n      - \"9000:9000\"\n",
        );
    });
    let (md, data_loss, security) = ci(&dir);
    // A non-HTTP port turns Docker's ALB into an NLB: the load balancer is
    // replaced (a new DNS name), and the review says so.
    assert!(md.starts_with("⚠️ **1 service changed, 1 extension changed, shared resources changed, 2 other resources REPLACED — 2 changes widen access**"), "{md}");
    assert!(md.contains("<details open><summary><b>other resources (shared by the project)</b> — 1 REPLACE</summary>\n\n- **REPLACE** `LoadBalancer` <sub>AWS::ElasticLoadBalancingV2::LoadBalancer</sub> — changes create-only Type"), "{md}");
    assert!(md.contains("> - `Default9000Ingress` (network: default): ingress opens a new port: tcp 9000 from 0.0.0.0/0"), "{md}");
    assert!(
        md.contains(
            "> - `AppTCP9000Listener` (app): new public listener on port 9000 (TCP, no TLS)"
        ),
        "{md}"
    );
    assert!(md.contains("- **add** `AppTCP9000Listener`"), "{md}");
    assert!(
        md.contains("  - `ContainerDefinitions[app].PortMappings[+]`: added"),
        "{md}"
    );
    assert!(!md.contains("Data loss"), "{md}");
    assert_eq!((data_loss, security), (3, 6));
}

#[test]
fn an_image_tag_change_only_modifies() {
    let (_tmp, dir) = repository();
    branch(&dir, "tag", |d| {
        edit(d, "develop.env", "docker_tag=1.0", "docker_tag=1.1");
    });
    let (md, data_loss, security) = ci(&dir);
    assert!(md.starts_with("📝 **1 service changed**"), "{md}");
    assert!(md.contains("resources: 1 modified"), "{md}");
    assert!(
        md.contains(
            "- **modify** `AppTaskDefinition` <sub>AWS::ECS::TaskDefinition</sub> — a new revision"
        ),
        "{md}"
    );
    assert!(
        md.contains("  - `ContainerDefinitions[app].Image`: `example/app:1.0` → `example/app:1.1`"),
        "{md}"
    );
    assert!(!md.contains("REPLACE"), "{md}");
    assert_eq!((data_loss, security), (3, 3));
}

#[test]
fn against_a_file_a_missing_base_and_json() {
    let (_tmp, dir) = repository();
    let base = dir.join("base.yaml");
    std::fs::copy(dir.join(TEMPLATE), &base).unwrap();
    // Nothing changed: exit 0, in every format.
    for format in ["text", "markdown", "json"] {
        let out = c2cfn(
            &dir,
            &[
                "diff",
                "--env-file",
                "develop.env",
                "--against",
                "base.yaml",
                "--format",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert!(stdout(&out).contains("no changes"), "{}", stdout(&out));
    }
    // A new environment: the file is not in the revision, everything is added.
    let out = c2cfn(
        &dir,
        &[
            "diff",
            "--env-file",
            "develop.env",
            "-o",
            "templates/new.yaml",
            "--against",
            "main",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("does not exist: a new environment"));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["counts"]["replace"], 0);
    assert!(json["counts"]["add"].as_u64().unwrap() > 10, "{json}");
    assert_eq!(json["base"], "main:templates/new.yaml");
    assert!(
        json["replacement_table"]
            .as_str()
            .unwrap()
            .contains("cfn-lint 1.58.0")
    );
    // A revision without -o, and a base that is neither file nor revision.
    let out = c2cfn(
        &dir,
        &["diff", "--env-file", "develop.env", "--against", "main"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("add -o with the path"),
        "{}",
        stderr(&out)
    );
    let out = c2cfn(
        &dir,
        &[
            "diff",
            "--env-file",
            "develop.env",
            "-o",
            TEMPLATE,
            "--against",
            "no-such-branch",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("is neither a file nor a git revision"));
    // -o belongs to --against (--format and --fail-on also work live,
    // tests/deploy.rs).
    let out = c2cfn(
        &dir,
        &[
            "diff",
            "--env-file",
            "develop.env",
            "-o",
            TEMPLATE,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Every type c2cfn names in its sources, and every type in the rendered
/// examples, is in the replacement table, and the committed table is what
/// the script generates from the pinned cfn-lint.
#[cfg(feature = "external-tools")]
#[test]
fn the_replacement_table_covers_every_type_and_is_generated() {
    let python = tool("C2CFN_PYTHON", "the Python of .venv/, with cfn-lint");
    let committed = std::fs::read_to_string(root().join("src/review/replacement.tsv")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("table.tsv");
    let out = Command::new(root().join("scripts/replacement-table"))
        .arg(&fresh)
        .env("C2CFN_PYTHON", python)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&fresh).unwrap(),
        committed,
        "src/review/replacement.tsv is stale: run scripts/replacement-table and commit it"
    );
    let known: Vec<&str> = committed
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .collect();
    for entry in std::fs::read_dir(root().join("templates")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let t: serde_json::Value = serde_norway::from_str(&text).unwrap();
        for r in t["Resources"].as_object().unwrap().values() {
            let kind = r["Type"].as_str().unwrap();
            assert!(
                known.contains(&kind),
                "{kind} is not in the replacement table"
            );
        }
    }
}
