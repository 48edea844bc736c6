//! Runs one command: env files → load → lower → emit → overlay → limits →
//! text. Diagnostics are rendered once, here, to standard error.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::args::{Command, OutputFormat, ProjectArgs};
use super::envfile::EnvFile;
use super::exit;
use super::settings::Settings as Resolved;
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
    /// c2cfn's settings (flag, shell, env files: README, "Precedence").
    pub resolved: Resolved,
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

    /// A setting: the shell environment, else the last env file that sets
    /// it (`-p` for `app_cluster`; see [`super::settings`]).
    pub(super) fn env(&self, key: &str) -> Option<String> {
        self.resolved.get(key)
    }
}

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
            let mut sources = SourceMap::new();
            let loaded = match load(project, false, false, &mut sources, err) {
                Ok(p) => p,
                Err(code) => return code,
            };
            if !loaded.diags.is_empty() {
                let code = report(&sources, &loaded.diags, project.strict, err);
                if code != exit::OK {
                    return code;
                }
            }
            let value = config_value(&loaded, &sources);
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

/// A loaded project with the settings of its environment files.
struct Project {
    loaded: compose::Loaded,
    settings: Settings,
    env_files: Vec<EnvFile>,
    resolved: Resolved,
    /// Warnings so far (errors end the run).
    diags: Diagnostics,
    /// The compose files loaded.
    files: Vec<PathBuf>,
}

/// Reads the environment files and resolves c2cfn's settings: the same
/// for every command (README, "Precedence"). Problems go to `diags`.
pub(super) fn read_settings(
    args: &ProjectArgs,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> (Vec<EnvFile>, Resolved) {
    let env_files: Vec<EnvFile> = args
        .env_files
        .iter()
        .filter_map(|p| EnvFile::read(p, sources, diags))
        .collect();
    let resolved = Resolved::new(std::env::vars().collect(), &env_files).with_flag(
        "app_cluster",
        "-p",
        args.project_name.as_deref(),
    );
    for (message, hint) in resolved.invalid() {
        diags.push(crate::diagnostic::Diagnostic::error(message).help(hint));
    }
    (env_files, resolved)
}

/// The compose files to load: `-f` and positional files, else
/// `app_compose` (relative to the env file that sets it; to the current
/// directory when the shell sets it); empty: discover them.
pub(super) fn compose_files(args: &ProjectArgs, resolved: &Resolved, cwd: &Path) -> Vec<PathBuf> {
    let files: Vec<PathBuf> = args.positional.iter().chain(&args.files).cloned().collect();
    if !files.is_empty() {
        return files;
    }
    let Some(setting) = resolved.resolve("app_compose") else {
        return files;
    };
    let base = match &setting.source {
        super::settings::Source::EnvFile(p) => p.parent().unwrap_or(Path::new(".")).to_path_buf(),
        _ => cwd.to_path_buf(),
    };
    setting
        .value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| base.join(s))
        .collect()
}

/// Reads the environment files and loads the compose project.
/// With `ecs_checks`, a project that fails to load is still lowered, so
/// that ECS problems are reported in the same run (`render`); `config`
/// reports compose problems only.
fn load(
    args: &ProjectArgs,
    local: bool,
    ecs_checks: bool,
    sources: &mut SourceMap,
    err: &mut dyn Write,
) -> Result<Project, i32> {
    let mut diags = Diagnostics::new();
    let (env_files, resolved) = read_settings(args, sources, &mut diags);
    if diags.has_errors() {
        return Err(report(sources, &diags, args.strict, err));
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let files = compose_files(args, &resolved, &cwd);
    let settings = Settings {
        prefix: resolved.get("app_cluster"),
        local,
    };
    let options = LoadOptions {
        files: files.clone(),
        project_name: args.project_name.clone(),
        project_directory: args.project_directory.clone(),
        env_files: args.env_files.clone(),
        profiles: args.profiles.clone(),
        environment: resolved.interpolation_environment(),
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
                resolved,
                diags,
                files,
            })
        }
        Err(failure) => {
            diags.extend(failure.diagnostics);
            // Check what could be loaded too, so that independent problems
            // (a bad port and a privileged container) come in one report.
            if let Some(project) = failure.partial.filter(|_| ecs_checks) {
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
    render_with(args, format, false, sources, err)
}

/// [`render`] for running a local environment (`ecs=false`): the checks
/// that only matter on AWS are skipped ([`Settings::local`]), and so are
/// CloudFormation's limits.
#[cfg(feature = "aws")]
pub(super) fn render_local(
    args: &ProjectArgs,
    sources: &mut SourceMap,
    err: &mut dyn Write,
) -> Result<Rendered, i32> {
    render_with(args, Format::Yaml, true, sources, err)
}

fn render_with(
    args: &ProjectArgs,
    format: Format,
    local: bool,
    sources: &mut SourceMap,
    err: &mut dyn Write,
) -> Result<Rendered, i32> {
    let Project {
        loaded,
        settings,
        env_files,
        resolved,
        mut diags,
        files,
    } = load(args, local, true, sources, err)?;
    let (stack, lowered) = lower::lower(&loaded.project, &settings);
    diags.extend(lowered);
    if diags.has_errors() || (args.strict && !diags.is_empty()) {
        return Err(report(sources, &diags, args.strict, err));
    }
    let template = cfn::emit(&stack);
    for id in &template.clashes {
        diags.push(
            crate::diagnostic::Diagnostic::error(format!(
                "two different resources would both get the logical ID `{id}`"
            ))
            .help("two compose names (services, networks, volumes, secrets, tables, records) normalise to overlapping IDs; rename one of them"),
        );
    }
    let mut value = template.into_value();
    for problem in cfn::overlay::check(&value, &stack.overlay_entries) {
        diags.push(problem);
    }
    if diags.has_errors() {
        return Err(report(sources, &diags, args.strict, err));
    }
    if let Some(overlay) = &stack.overlay {
        let rendered = cfn::source::resource_ids(&value);
        cfn::overlay::merge(&mut value, overlay);
        cfn::source::claim_overlay(&mut value, &rendered);
    }
    cfn::source::describe_listeners(&mut value);
    let tls_notes = cfn::tls_policy::default_ssl_policies(&mut value);
    let text = cfn::render(&value, format);
    if !local {
        for problem in cfn::limits::check(&value, &text) {
            diags.push(problem);
        }
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
        resolved,
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

fn config_value(r: &Project, sources: &SourceMap) -> Value {
    let project = &r.loaded.project;
    let mut value = compose::canonical::canonical(
        &r.loaded.document,
        &project.name,
        sources,
        &r.loaded.variables,
    );
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
