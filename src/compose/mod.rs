//! Stage 1: compose files → one typed [`Project`].
//!
//! Reads files (the only I/O of the render path besides the CLI), parses them
//! into span-carrying YAML nodes, interpolates variables, resolves `include`
//! and `extends`, merges files by the compose-spec rules, applies profiles and
//! types the result. Knows nothing of AWS.

pub mod canonical;
mod context;
pub mod discover;
pub mod dotenv;
pub mod env_file;
pub mod environment;
pub mod extends;
pub mod extensions;
pub mod files;
pub mod game;
pub mod include;
pub mod interpolate;
pub mod merge;
pub mod node_de;
pub mod paths;
pub mod profiles;
pub mod project;
pub mod substitute;
pub mod syntax;
pub mod typed;
mod validate;
pub mod yaml;

use std::path::PathBuf;

use indexmap::IndexMap;

pub use environment::{EnvEntry, EnvFileRead, read_env_files};
pub use project::Project;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::SourceMap;

/// What the caller (the CLI) tells the loader.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Compose files from `-f`/positional arguments, in order; empty = discover
    /// (`COMPOSE_FILE`, then `compose.yaml` … in the working directory and its parents).
    pub files: Vec<PathBuf>,
    /// `-p`.
    pub project_name: Option<String>,
    /// `--project-directory`.
    pub project_directory: Option<PathBuf>,
    /// `--env-file` files, in order (later ones win).
    pub env_files: Vec<PathBuf>,
    /// The `--env-file` files already read by [`read_env_files`] (as the
    /// library's `render` does, for c2cfn's settings): when set, they are
    /// not read again (and `.env` is not read).
    pub env_files_read: Option<Vec<EnvFileRead>>,
    /// `--profile` values.
    pub profiles: Vec<String>,
    /// The process environment (passed in so tests need not mutate the real one).
    pub environment: IndexMap<String, String>,
    /// The directory c2cfn runs in.
    pub cwd: PathBuf,
}

/// Why a project could not be loaded.
#[derive(Debug, Clone)]
pub struct LoadError {
    /// Every problem found (errors and warnings).
    pub diagnostics: Diagnostics,
    /// What could be typed despite the errors, when the files were read and
    /// merged: later stages may check it too, so that independent problems
    /// are reported in one run.
    pub partial: Option<Box<Project>>,
}

/// A loaded project and the warnings found while loading.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The project.
    pub project: Project,
    /// The variables used for interpolation (process env over `.env`/`--env-file`), for later stages.
    pub variables: IndexMap<String, String>,
    /// Every `KEY=VALUE` read from `.env`/`--env-file` files, in order, with
    /// spans (for checks of c2cfn's own keys such as `app_cluster`).
    pub env_entries: Vec<EnvEntry>,
    /// Warnings (no errors: errors make `load` fail).
    pub warnings: Diagnostics,
    /// The merged document the project was typed from (interpolated,
    /// extended, merged, profiles applied, `env_file` folded): what `config`
    /// prints, every key included.
    pub document: yaml::Node,
}

/// Loads a compose project as `docker compose config` would: discovers the
/// files, reads the variables, then per file interpolates, resolves paths,
/// `extends` and `include`, merges the files, applies profiles, folds
/// `env_file` into `environment`, names the project and types it.
///
/// Every file read is registered in `sources`. Independent problems are all
/// reported: the error carries every diagnostic (warnings included) sorted
/// by position; on success the warnings are returned with the project.
pub fn load(options: &LoadOptions, sources: &mut SourceMap) -> Result<Loaded, LoadError> {
    let mut ctx = context::Ctx::new(sources, &options.environment);
    let Some(model) = load_model(options, &mut ctx) else {
        return Err(LoadError {
            diagnostics: finish(ctx.diags),
            partial: None,
        });
    };
    let mut project =
        typed::type_project(&model.root, model.name, &model.project_dir, &mut ctx.diags);
    validate::check(&project, &model.root, ctx.sources, &mut ctx.diags);
    // An optional dependency on a service that is not there (disabled by its
    // profiles) is printed by `config`, as compose does, but has no effect.
    let names: Vec<String> = project.services.keys().cloned().collect();
    for s in project.services.values_mut() {
        s.depends_on
            .retain(|d, dep| dep.required || names.contains(d));
    }
    let diags = finish(ctx.diags);
    if diags.has_errors() {
        return Err(LoadError {
            diagnostics: diags,
            partial: Some(Box::new(project)),
        });
    }
    Ok(Loaded {
        project,
        variables: model.vars.map,
        env_entries: model.vars.entries,
        warnings: diags,
        document: model.root,
    })
}

/// The merged, untyped document and what was decided on the way.
struct Model {
    /// The merged document (interpolated, paths resolved, profiles applied).
    root: yaml::Node,
    /// The project name.
    name: String,
    /// The project directory.
    project_dir: PathBuf,
    /// The interpolation variables.
    vars: environment::Variables,
}

/// Everything of [`load`] but typing; None when no file could be found.
fn load_model(options: &LoadOptions, ctx: &mut context::Ctx<'_>) -> Option<Model> {
    let found = discover::discover(options, &mut ctx.diags)?;
    let env_files: Vec<PathBuf> = options
        .env_files
        .iter()
        .map(|f| context::absolute(&options.cwd, f))
        .collect();
    let vars = environment::project_variables(
        ctx,
        &env_files,
        options.env_files_read.as_deref(),
        &found.project_dir,
        &options.environment,
    );
    let mut root = files::load_files(
        &found.files,
        &found.project_dir,
        &vars,
        ctx,
        &mut Vec::new(),
    );
    let top_level_name = root
        .as_map()
        .and_then(|m| m.get("name"))
        .and_then(|e| e.value.as_scalar().map(|s| (s.text.clone(), e.value.span)));
    let name = discover::project_name(
        options.project_name.as_deref(),
        &vars,
        top_level_name,
        &found.project_dir,
    )
    .unwrap_or_else(|d: Diagnostic| {
        ctx.push(d);
        String::from("invalid")
    });
    let active =
        profiles::active_profiles(&options.profiles, vars.get("COMPOSE_PROFILES").as_deref());
    profiles::apply_profiles(&mut root, &active, ctx);
    env_file::fold_env_files(&mut root, &vars, ctx);
    Some(Model {
        root,
        name,
        project_dir: found.project_dir,
        vars,
    })
}

/// Sorts by position and drops duplicates. A value of the wrong type is
/// reported once, where it was written: the errors that only follow from it
/// (the same value reported again while typing, labelled "found …", or its
/// entry found incomplete) are dropped.
fn finish(mut diags: Diagnostics) -> Diagnostics {
    diags.sort();
    let wrong_type = |d: &Diagnostic| {
        d.is_error() && d.label.as_deref().is_some_and(|l| l.starts_with("found "))
    };
    // The first wrong-type error at each span.
    let mut wrong: Vec<(crate::source::Span, usize)> = Vec::new();
    for (i, d) in diags.items().iter().enumerate() {
        if let Some(s) = d.span.filter(|_| wrong_type(d))
            && !wrong.iter().any(|(w, _)| *w == s)
        {
            wrong.push((s, i));
        }
    }
    let mut kept = Diagnostics::new();
    for (i, d) in diags.into_iter().enumerate() {
        let follows = d.is_error()
            && d.span.is_some_and(|s| {
                wrong.iter().any(|(w, first)| {
                    s.file == w.file
                        && s.start <= w.start
                        && w.end <= s.end
                        && (s != *w || *first != i)
                })
            });
        if !follows {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod typed_tests;
