//! Stage 1: compose files → one typed [`Project`].
//!
//! Reads files (the only I/O of the render path besides the CLI), parses them
//! into span-carrying YAML nodes, interpolates variables, resolves `include`
//! and `extends`, merges files by the compose-spec rules, applies profiles and
//! types the result. Knows nothing of AWS.

mod context;
pub mod discover;
pub mod dotenv;
pub mod environment;
pub mod extends;
pub mod extensions;
pub mod game;
pub mod interpolate;
pub mod merge;
pub mod paths;
pub mod project;
pub mod substitute;
pub mod typed;
pub mod yaml;

use std::path::PathBuf;

use indexmap::IndexMap;

pub use project::Project;

use crate::diagnostic::Diagnostics;
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
    /// `--profile` values.
    pub profiles: Vec<String>,
    /// The process environment (passed in so tests need not mutate the real one).
    pub environment: IndexMap<String, String>,
    /// The directory c2cfn runs in.
    pub cwd: PathBuf,
}

/// A loaded project and the warnings found while loading.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The project.
    pub project: Project,
    /// The variables used for interpolation (process env over `.env`/`--env-file`), for later stages.
    pub variables: IndexMap<String, String>,
    /// Warnings (no errors: errors make `load` fail).
    pub warnings: Diagnostics,
}

/// Loads a compose project. STUB: replaced by the loader work.
pub fn load(options: &LoadOptions, sources: &mut SourceMap) -> Result<Loaded, Diagnostics> {
    let _ = (options, sources);
    Err(Diagnostics::new())
}
