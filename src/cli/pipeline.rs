//! Runs one command: the project options become a [`Request`] for the
//! library's [`render`](crate::render()), and its diagnostics are printed
//! here, to standard error; the outcome becomes an exit code.

use std::io::Write;
use std::path::Path;

use super::args::{Command, OutputFormat, ProjectArgs};
use super::exit;
use crate::cfn::{self, Format};
use crate::compose;
use crate::render::{self, Request};

pub(super) use crate::render::Rendered;

/// Runs the command; returns the exit code.
pub(super) fn execute(args: &super::Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let project = match args.project() {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: {e}\nhelp: give it once, before or after the command"
            );
            return exit::USAGE;
        }
    };
    let project = &project;
    // A compose file given where services go is said first: before the
    // project is read (it may not be found without that very file).
    #[cfg(feature = "aws")]
    if let Err(f) = super::services::check_files(&args.services(), args.command.name()) {
        let _ = writeln!(err, "error: {}", f.message);
        if let Some(h) = &f.hint {
            let _ = writeln!(err, "help: {h}");
        }
        return exit::of(&f);
    }
    match &args.command {
        Command::Schema => {
            let schema = compose::extensions::schema();
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
            write_or_fail(out, err, &format!("{text}\n"))
        }
        Command::Render {
            format,
            output,
            check,
            ..
        } => {
            let fmt = match format {
                OutputFormat::Yaml => Format::Yaml,
                OutputFormat::Json => Format::Json,
            };
            let rendered = match render(project, fmt, err) {
                Ok(r) => r,
                Err(code) => return code,
            };
            for note in &rendered.notes {
                let _ = writeln!(err, "note: {note}");
            }
            match output {
                None => write_or_fail(out, err, &rendered.text),
                Some(path) if *check => check_file(path, &rendered.text, err),
                Some(path) => match write_creating_folders(path, &rendered.text) {
                    Ok(()) => exit::OK,
                    Err(e) => {
                        let _ = writeln!(err, "error: cannot write {}: {e}", path.display());
                        exit::IO
                    }
                },
            }
        }
        Command::Diff {
            against: Some(against),
            output,
            format,
            fail_on,
            ..
        } => super::review::execute(
            &super::review::Options {
                project,
                against,
                output: output.as_deref(),
                format: *format,
                fail_on,
            },
            out,
            err,
        ),
        #[cfg(not(feature = "aws"))]
        Command::Diff { .. } => {
            let _ = writeln!(
                err,
                "error: this c2cfn was built without the `aws` feature, so `diff` can only compare templates offline\n\
                 help: pass --against FILE|REVISION (e.g. `c2cfn diff --against origin/main -o templates/develop.yaml`)"
            );
            exit::USAGE
        }
        #[cfg(feature = "aws")]
        Command::Up { json: true, .. } if super::operate::is_local(project) => local_json(out, err),
        #[cfg(feature = "aws")]
        Command::Up { services, .. } if super::operate::is_local(project) => {
            super::operate::local(project, services, false, out, err)
        }
        #[cfg(feature = "aws")]
        Command::Down { .. } if super::operate::is_local(project) => {
            super::operate::local_down(project, err)
        }
        #[cfg(feature = "aws")]
        Command::Diff { .. }
        | Command::Ps { .. }
        | Command::Push { .. }
        | Command::Exec { .. }
        | Command::Logs { .. }
            if super::operate::is_local(project) =>
        {
            aws_only(err)
        }
        #[cfg(feature = "aws")]
        Command::Local { with_app, .. } => {
            super::operate::local(project, &[], !*with_app, out, err)
        }
        #[cfg(feature = "aws")]
        Command::Exec { .. } | Command::Tunnel { .. } | Command::Logs { .. } => {
            super::operate::execute(&args.command, project, out, err)
        }
        #[cfg(feature = "aws")]
        Command::Up { .. }
        | Command::Diff { .. }
        | Command::Down { .. }
        | Command::Ps { .. }
        | Command::Push { .. }
        | Command::CopyTable { .. } => super::deploy::execute(&args.command, project, out, err),
        Command::Config { format, .. } => {
            // Like `docker compose config`: the resolved project, without the
            // ECS checks of `render` (a bind mount is shown, not rejected).
            let (value, warnings, sources) =
                match render::config(&request(project, Format::Yaml, false)) {
                    Ok(c) => c,
                    Err(rejected) => return report(&rejected, err),
                };
            if !warnings.is_empty() {
                let _ = write!(err, "{}", crate::diagnostic::render(&sources, &warnings));
            }
            let text = match format {
                OutputFormat::Yaml => compose::canonical::to_yaml(&value),
                OutputFormat::Json => cfn::render(&value, Format::Json),
            };
            write_or_fail(out, err, &text)
        }
    }
}

/// A command that acts on an AWS stack, given a local environment file:
/// the input does not fit the command, so exit 1 (as for any input c2cfn
/// refuses), not 2 (the command line itself is well formed).
#[cfg(feature = "aws")]
fn aws_only(err: &mut dyn Write) -> i32 {
    let _ = writeln!(
        err,
        "error: this environment file is a local environment (`ecs=false`), and this command acts on an AWS stack\n\
         help: run the local environment with `c2cfn up`/`c2cfn local`, stop it with `c2cfn down`, reach its containers \
         with `c2cfn tunnel` or `docker compose -p <app_cluster> exec`; use an `ecs=true` env file for AWS"
    );
    exit::INVALID
}

/// `up --json` with a local environment: its document describes a deploy
/// to AWS (plan, imports, result), which `docker compose` does not make.
/// Refused input (1), with the JSON error on standard output as for every
/// `--json` refusal (docs/deploy.md).
#[cfg(feature = "aws")]
fn local_json(out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let message = "`up --json` reports a deploy to AWS, and this environment file is a local environment (`ecs=false`), run by docker compose";
    let hint = "drop --json to run the local environment, or use an `ecs=true` env file to deploy";
    let _ = writeln!(err, "error: {message}\nhelp: {hint}");
    let _ = writeln!(
        out,
        "{}",
        serde_json::json!({"error": {"message": message, "hint": hint, "exit_code": exit::INVALID}})
    );
    exit::INVALID
}

fn write_or_fail(out: &mut dyn Write, err: &mut dyn Write, text: &str) -> i32 {
    match out.write_all(text.as_bytes()) {
        Ok(()) => exit::OK,
        // A closed pipe (`c2cfn render | head`) is not worth an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            let _ = writeln!(err, "error: cannot write output: {e}");
            exit::IO
        }
    }
}

/// Writes `text` to `path`, creating its missing folders first (as
/// `render -o templates/develop.yaml` in a fresh checkout needs).
fn write_creating_folders(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn check_file(path: &Path, expected: &str, err: &mut dyn Write) -> i32 {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current == expected {
        return exit::OK;
    }
    let diff = similar::TextDiff::from_lines(current.as_str(), expected);
    let _ = writeln!(
        err,
        "error: {} is not up to date with its compose project; the changes a render would make:",
        path.display()
    );
    let _ = write!(
        err,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("{} (committed)", path.display()), "rendered")
    );
    let _ = writeln!(
        err,
        "help: run the same command without --check to update the file, then review and commit it"
    );
    exit::INVALID
}

/// The library's request for the project options `args`.
pub(super) fn request(args: &ProjectArgs, format: Format, local: bool) -> Request {
    Request {
        files: args.positional.iter().chain(&args.files).cloned().collect(),
        project_directory: args.project_directory.clone(),
        project_name: args.project_name.clone(),
        env_files: args.env_files.clone(),
        profiles: args.profiles.clone(),
        shell: std::env::vars().collect(),
        flags: Vec::new(),
        cwd: render::current_dir(),
        format,
        local,
        strict: args.strict,
    }
}

#[cfg(feature = "aws")]
/// The settings of `args` (flags, shell, env files) without the project;
/// problems go to `diags`.
pub(super) fn read_settings(
    args: &ProjectArgs,
    sources: &mut crate::source::SourceMap,
    diags: &mut crate::diagnostic::Diagnostics,
) -> crate::settings::Settings {
    render::settings(&request(args, Format::Yaml, false), sources, diags)
}

/// Renders the project; diagnostics are printed here.
pub(super) fn render(
    args: &ProjectArgs,
    format: Format,
    err: &mut dyn Write,
) -> Result<Rendered, i32> {
    finish(render::render(&request(args, format, false)), err)
}

/// [`render`] for running a local environment (`ecs=false`): the checks
/// that only matter on AWS are skipped, and so are CloudFormation's limits.
#[cfg(feature = "aws")]
pub(super) fn render_local(args: &ProjectArgs, err: &mut dyn Write) -> Result<Rendered, i32> {
    finish(render::render(&request(args, Format::Yaml, true)), err)
}

fn finish(
    result: Result<Rendered, render::Rejected>,
    err: &mut dyn Write,
) -> Result<Rendered, i32> {
    match result {
        Ok(rendered) => {
            let _ = write!(err, "{}", rendered.warnings_text());
            Ok(rendered)
        }
        Err(rejected) => Err(report(&rejected, err)),
    }
}

/// Prints the diagnostics of a failed render; the exit code.
fn report(rejected: &render::Rejected, err: &mut dyn Write) -> i32 {
    let _ = write!(err, "{}", rejected.text());
    if rejected.diagnostics.has_errors() {
        exit::INVALID
    } else {
        exit::OK
    }
}
