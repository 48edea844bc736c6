//! Stage 1: compose files → one typed [`Project`].
//!
//! Reads files (the only I/O of the render path besides the CLI), parses them
//! into span-carrying YAML nodes, interpolates variables, resolves `include`
//! and `extends`, merges files by the compose-spec rules, applies profiles and
//! types the result. Knows nothing of AWS.

pub mod dotenv;
pub mod interpolate;
pub mod project;
pub mod yaml;

pub use project::Project;
