//! c2cfn turns a compose project into one deterministic CloudFormation
//! template for ECS on Fargate, and deploys it.
//!
//! The pipeline, one folder per stage:
//!
//! 1. [`compose`]: files → one merged, interpolated, typed [`compose::Project`].
//! 2. `lower`: project → [`model::Stack`], every decision and check (Docker's
//!    ECS semantics, `x-aws-*` extensions, Fargate limits) made here.
//! 3. [`cfn`]: stack → one [`cfn::Template`], rendered as YAML or JSON.
//! 4. [`deploy`]: change sets against CloudFormation (behind a trait).
//!
//! [`render()`] is the one entry point through the first three stages: a
//! [`Request`] (files, env files, settings) in, the template and its deploy
//! contract ([`render::Contract`]) out, or the diagnostics.
//!
//! [`review`] compares two templates for a pull request (`diff --against`).
//!
//! Problems are [`diagnostic::Diagnostic`]s with spans into the
//! [`source::SourceMap`], rendered in one place.

pub mod aws;
pub mod cfn;
pub mod cli;
pub mod compose;
#[cfg(feature = "aws")]
pub mod deploy;
pub mod diagnostic;
pub mod docker;
pub mod local;
pub mod lower;
pub mod model;
#[cfg(feature = "aws")]
pub mod operate;
pub mod render;
pub mod review;
pub mod settings;
pub mod source;

pub use cli::run;
pub use render::{Rendered, Request, render};
