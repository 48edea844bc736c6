//! Runs one command: env files → load → lower → emit → overlay → limits →
//! text. Diagnostics are rendered once, here, to standard error.

use std::io::Write;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::args::{Command, OutputFormat, ProjectArgs};
use super::envfile::EnvFile;
use super::exit;
use crate::cfn::{self, Format};
use crate::compose::{self, LoadOptions};
use crate::diagnostic::{self, Diagnostics};
use crate::lower::{self, Settings};
use crate::source::SourceMap;

/// A rendered project: the template and what deploying it needs to know.
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub(super) struct Rendered {
    /// The template text.
    pub text: String,
    /// The template as a value (after the overlay).
    pub value: Value,
    /// The loaded project.
    pub project: compose::Project,
    settings: Settings,
    /// The environment files read.
    pub env_files: Vec<EnvFile>,
    notes: Vec<String>,
    /// Services built from source (they have an image parameter).
    pub built: Vec<String>,
    /// The lowered stack.
    pub stack: crate::model::Stack,
    /// The compose files loaded (given or discovered).
    pub compose_files: Vec<PathBuf>,
}

#[cfg_attr(not(feature = "aws"), allow(dead_code))]
impl Rendered {
    /// The stack name: `app_cluster` from the env file, else the project name.
    pub(super) fn stack_name(&self) -> String {
        self.settings
            .prefix
            .clone()
            .unwrap_or_else(|| self.project.name.clone())
    }

    /// A setting from the env files (the last file that sets it wins).
    pub(super) fn env(&self, key: &str) -> Option<String> {
        self.env_files
            .iter()
            .rev()
            .find_map(|e| e.get(key).map(str::to_owned))
    }
}

/// Runs the command; returns the exit code.
pub(super) fn execute(args: &super::Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match &args.command {
        Command::Schema => {
            let schema = compose::extensions::schema();
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
            write_or_fail(out, err, &format!("{text}\n"))
        }
        Command::Render {
            project,
            format,
            output,
            check,
        } => {
            let mut sources = SourceMap::new();
            let fmt = match format {
                OutputFormat::Yaml => Format::Yaml,
                OutputFormat::Json => Format::Json,
            };
            let rendered = match render(project, fmt, &mut sources, err) {
                Ok(r) => r,
                Err(code) => return code,
            };
            for note in &rendered.notes {
                let _ = writeln!(err, "note: {note}");
            }
            match output {
                None => write_or_fail(out, err, &rendered.text),
                Some(path) if *check => check_file(path, &rendered.text, err),
                Some(path) => match std::fs::write(path, &rendered.text) {
                    Ok(()) => exit::OK,
                    Err(e) => {
                        let _ = writeln!(err, "error: cannot write {}: {e}", path.display());
                        exit::IO
                    }
                },
            }
        }
        #[cfg(feature = "aws")]
        Command::Up { project, .. } if super::operate::is_local(project) => {
            super::operate::local(project, false, out, err)
        }
        #[cfg(feature = "aws")]
        Command::Down { project, .. } if super::operate::is_local(project) => {
            super::operate::local_down(project, err)
        }
        #[cfg(feature = "aws")]
        Command::Diff { project, .. }
        | Command::Ps { project, .. }
        | Command::Push { project, .. }
            if super::operate::is_local(project) =>
        {
            aws_only(err)
        }
        #[cfg(feature = "aws")]
        Command::Exec { project, .. } | Command::Logs { project, .. }
            if super::operate::is_local(&project.project()) =>
        {
            aws_only(err)
        }
        #[cfg(feature = "aws")]
        Command::Local { project, with_app } => {
            super::operate::local(project, !*with_app, out, err)
        }
        #[cfg(feature = "aws")]
        Command::Exec { .. } | Command::Tunnel { .. } | Command::Logs { .. } => {
            super::operate::execute(&args.command, out, err)
        }
        #[cfg(feature = "aws")]
        Command::Up { .. }
        | Command::Diff { .. }
        | Command::Down { .. }
        | Command::Ps { .. }
        | Command::Push { .. } => super::deploy::execute(&args.command, out, err),
        Command::Config { project, format } => {
            // Like `docker compose config`: the resolved project, without the
            // ECS checks of `render` (a bind mount is shown, not rejected).
            let mut sources = SourceMap::new();
            let loaded = match load(project, &mut sources, err) {
                Ok(p) => p,
                Err(code) => return code,
            };
            if !loaded.diags.is_empty() {
                let code = report(&sources, &loaded.diags, project.strict, err);
                if code != exit::OK {
                    return code;
                }
            }
            let value = config_value(&loaded);
            let text = match format {
                OutputFormat::Yaml => cfn::render(&value, Format::Yaml),
                OutputFormat::Json => cfn::render(&value, Format::Json),
            };
            write_or_fail(out, err, &text)
        }
    }
}

/// A command that acts on an AWS stack, given a local environment file.
#[cfg(feature = "aws")]
fn aws_only(err: &mut dyn Write) -> i32 {
    let _ = writeln!(
        err,
        "error: this environment file is a local environment (`ecs=false`), and this command acts on an AWS stack\n\
         help: run the local environment with `c2cfn up`/`c2cfn local`, stop it with `c2cfn down`, reach its containers \
         with `c2cfn tunnel` or `docker compose -p <app_cluster> exec`; use an `ecs=true` env file for AWS"
    );
    exit::USAGE
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

/// A loaded project with the settings of its environment files.
struct Project {
    loaded: compose::Loaded,
    settings: Settings,
    env_files: Vec<EnvFile>,
    /// Warnings so far (errors end the run).
    diags: Diagnostics,
    /// The compose files loaded.
    files: Vec<PathBuf>,
}

/// Reads the environment files and loads the compose project.
fn load(args: &ProjectArgs, sources: &mut SourceMap, err: &mut dyn Write) -> Result<Project, i32> {
    let mut diags = Diagnostics::new();
    let env_files: Vec<EnvFile> = args
        .env_files
        .iter()
        .filter_map(|p| EnvFile::read(p, sources, &mut diags))
        .collect();
    if diags.has_errors() {
        return Err(report(sources, &diags, args.strict, err));
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut files: Vec<PathBuf> = args.positional.iter().chain(&args.files).cloned().collect();
    if files.is_empty()
        && let Some(env) = env_files
            .iter()
            .rev()
            .find(|e| e.get("app_compose").is_some())
    {
        files = env.compose_files();
    }
    let settings = Settings {
        prefix: env_files
            .iter()
            .rev()
            .find_map(|e| e.get("app_cluster").map(str::to_owned)),
    };
    let options = LoadOptions {
        files: files.clone(),
        project_name: args.project_name.clone(),
        project_directory: args.project_directory.clone(),
        env_files: args.env_files.clone(),
        profiles: args.profiles.clone(),
        environment: std::env::vars().collect::<IndexMap<_, _>>(),
        cwd,
    };
    match compose::load(&options, sources) {
        Ok(loaded) => {
            diags.extend(loaded.warnings.clone());
            let files = if files.is_empty() {
                compose::discover::discover(&options, &mut Diagnostics::new())
                    .map(|d| d.files)
                    .unwrap_or_default()
            } else {
                files
            };
            Ok(Project {
                loaded,
                settings,
                env_files,
                diags,
                files,
            })
        }
        Err(failure) => {
            diags.extend(failure.diagnostics);
            // Check what could be loaded too, so that independent problems
            // (a bad port and a privileged container) come in one report.
            if let Some(project) = failure.partial {
                let (_, lowered) = lower::lower(&project, &settings);
                diags.extend(lowered);
            }
            Err(report(sources, &diags, args.strict, err))
        }
    }
}

/// Loads, lowers and emits; diagnostics are printed here.
pub(super) fn render(
    args: &ProjectArgs,
    format: Format,
    sources: &mut SourceMap,
    err: &mut dyn Write,
) -> Result<Rendered, i32> {
    let Project {
        loaded,
        settings,
        env_files,
        mut diags,
        files,
    } = load(args, sources, err)?;
    let (stack, lowered) = lower::lower(&loaded.project, &settings);
    diags.extend(lowered);
    if diags.has_errors() || (args.strict && !diags.is_empty()) {
        return Err(report(sources, &diags, args.strict, err));
    }
    let template = cfn::emit(&stack);
    let mut value = template.into_value();
    if let Some(overlay) = &stack.overlay {
        cfn::overlay::merge(&mut value, overlay);
    }
    let tls_notes = cfn::tls_policy::default_ssl_policies(&mut value);
    let text = cfn::render(&value, format);
    for problem in cfn::limits::check(&value, &text) {
        diags.push(problem);
    }
    if diags.has_errors() {
        return Err(report(sources, &diags, args.strict, err));
    }
    if !diags.is_empty() {
        report(sources, &diags, false, err);
    }
    let mut notes = tls_notes;
    for service in stack.services.iter().filter(|s| s.built) {
        notes.push(format!(
            "service `{}` has no image: `c2cfn up` builds it and pushes it to ECR repository `{}/{}` (template parameter {})",
            service.name,
            stack.project,
            service.name,
            cfn::logical_id::image_parameter(&service.name)
        ));
    }
    Ok(Rendered {
        text,
        value,
        project: loaded.project,
        settings,
        env_files,
        notes,
        built: stack
            .services
            .iter()
            .filter(|s| s.built)
            .map(|s| s.name.clone())
            .collect(),
        stack,
        compose_files: files,
    })
}

fn report(sources: &SourceMap, diags: &Diagnostics, strict: bool, err: &mut dyn Write) -> i32 {
    let mut diags = diags.clone();
    if strict {
        diags.promote_warnings();
    }
    diags.sort();
    let _ = write!(err, "{}", diagnostic::render(sources, &diags));
    if diags.has_errors() {
        exit::INVALID
    } else {
        exit::OK
    }
}

fn config_value(r: &Project) -> Value {
    let project = &r.loaded.project;
    let mut value = serde_json::to_value(project).unwrap_or(Value::Null);
    let mut env = serde_json::Map::new();
    for file in &r.env_files {
        for (k, e) in &file.entries {
            env.insert(k.clone(), e.value.clone().map_or(Value::Null, Value::from));
        }
    }
    if let Value::Object(map) = &mut value {
        map.insert(
            "x-c2cfn".into(),
            json!({
                "stack": r.settings.prefix.clone().unwrap_or_else(|| project.name.clone()),
                "prefix": r.settings.prefix.clone().unwrap_or_else(|| project.name.clone()),
                "environment": env,
            }),
        );
    }
    value
}
