//! `c2cfn diff --against BASE`: render the project, read the base template
//! (a file, or the `-o` file at a git revision), and print the review of
//! the change ([`crate::review`]). Offline: no credentials, no AWS call.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use serde_json::Value;

use super::args::{DiffFormat, FailOn, ProjectArgs};
use super::exit;
use super::pipeline;
use crate::cfn::Format;
use crate::review::{self, present};

/// The base of the comparison.
struct Base {
    /// The template (`None`: it does not exist there, a new environment).
    template: Option<Value>,
    /// How to name it in the report.
    label: String,
}

/// The options of one `diff --against` run.
pub(super) struct Options<'a> {
    /// Project options.
    pub project: &'a ProjectArgs,
    /// The base: a file or a git revision.
    pub against: &'a str,
    /// The template's path (`-o`).
    pub output: Option<&'a Path>,
    /// Output format.
    pub format: DiffFormat,
    /// Findings that fail the run.
    pub fail_on: &'a [FailOn],
}

/// Runs the offline diff; returns the exit code.
pub(super) fn execute(o: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let rendered = match pipeline::render(o.project, Format::Yaml, err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let base = match base(o.against, o.output) {
        Ok(b) => b,
        Err((message, hint, code)) => {
            let _ = writeln!(err, "error: {message}\nhelp: {hint}");
            return code;
        }
    };
    if base.template.is_none() {
        let _ = writeln!(
            err,
            "note: {} does not exist: a new environment, every resource is an add",
            base.label
        );
    }
    let report = review::compare(base.template.as_ref(), &rendered.value);
    let ctx = present::Context {
        new: o.output.map_or_else(
            || "the rendered template".to_owned(),
            |p| p.display().to_string(),
        ),
        base: base.label,
        title: None,
    };
    let text = match o.format {
        DiffFormat::Text => present::text(&report, &ctx),
        DiffFormat::Markdown => present::markdown(&report, &ctx),
        DiffFormat::Json => present::json(&report, &ctx),
    };
    if let Err(e) = out.write_all(text.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "error: cannot write output: {e}");
        return exit::IO;
    }
    let failed: Vec<&str> = o
        .fail_on
        .iter()
        .filter_map(|f| match f {
            FailOn::DataLoss if !report.data_loss.is_empty() => Some("data loss"),
            FailOn::Security if !report.security.is_empty() => Some("access widening"),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            err,
            "error: the change has {} (--fail-on); exit {}",
            failed.join(" and "),
            exit::FINDINGS
        );
        return exit::FINDINGS;
    }
    if report.has_changes() {
        exit::HAS_CHANGES
    } else {
        exit::OK
    }
}

type Problem = (String, String, i32);

/// Parses a template (JSON or YAML).
fn parse(text: &str) -> Option<Value> {
    let v: Value = serde_json::from_str(text)
        .ok()
        .or_else(|| serde_norway::from_str(text).ok())?;
    v.get("Resources")
        .is_some_and(Value::is_object)
        .then_some(v)
}

fn base(against: &str, output: Option<&Path>) -> Result<Base, Problem> {
    let as_file = Path::new(against);
    if as_file.is_file() {
        let text = std::fs::read_to_string(as_file).map_err(|e| {
            (
                format!("cannot read {against}: {e}"),
                "give a readable template file or a git revision".to_owned(),
                exit::INVALID,
            )
        })?;
        let template = parse(&text).ok_or_else(|| {
            (
                format!("{against} is not a CloudFormation template (no `Resources` mapping)"),
                "give the template rendered before the change, e.g. the committed templates/<env>.yaml".to_owned(),
                exit::INVALID,
            )
        })?;
        return Ok(Base {
            template: Some(template),
            label: against.to_owned(),
        });
    }
    let Some(output) = output else {
        return Err((
            format!("`{against}` is not a file, and a git revision needs the template's path"),
            format!(
                "add -o with the path the template is committed at, e.g. `c2cfn diff --against {against} -o templates/develop.yaml`"
            ),
            exit::USAGE,
        ));
    };
    from_git(against, output)
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, Problem> {
    Process::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| {
            (
                format!("cannot run git: {e}"),
                "install git, or pass the base template as a file (`git show REV:PATH > base.yaml`)".to_owned(),
                exit::INVALID,
            )
        })
}

/// The `-o` file as it is at `revision`.
fn from_git(revision: &str, output: &Path) -> Result<Base, Problem> {
    let dir: PathBuf = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err((
            format!("the directory of {} does not exist", output.display()),
            "run the command from the repository, with -o as given to `render -o`".to_owned(),
            exit::INVALID,
        ));
    }
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let commit = format!("{revision}^{{commit}}");
    let verify = git(&dir, &["rev-parse", "--verify", "--quiet", &commit])?;
    if !verify.status.success() {
        return Err((
            format!("`{revision}` is neither a file nor a git revision"),
            "give a template file, or a revision such as origin/main (in CI, fetch it first: `git fetch origin main`)".to_owned(),
            exit::INVALID,
        ));
    }
    let spec = format!("{revision}:./{name}");
    let label = format!("{revision}:{}", output.display());
    let shown = git(&dir, &["show", &spec])?;
    if !shown.status.success() {
        let stderr = String::from_utf8_lossy(&shown.stderr);
        if stderr.contains("does not exist") || stderr.contains("exists on disk, but not in") {
            return Ok(Base {
                template: None,
                label,
            });
        }
        return Err((
            format!("git show {spec} failed: {}", stderr.trim()),
            "check the revision and the -o path".to_owned(),
            exit::INVALID,
        ));
    }
    let text = String::from_utf8_lossy(&shown.stdout);
    let template = parse(&text).ok_or_else(|| {
        (
            format!("{label} is not a CloudFormation template (no `Resources` mapping)"),
            "-o must name the rendered template, as given to `render -o`".to_owned(),
            exit::INVALID,
        )
    })?;
    Ok(Base {
        template: Some(template),
        label,
    })
}
