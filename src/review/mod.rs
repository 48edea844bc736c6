//! Reviewing a template change before it merges: what each compose service
//! or extension gains or loses, which resources CloudFormation will
//! replace and whether they hold data, and what widens access.
//!
//! Pure: two template values in, a [`Report`] out, rendered as text,
//! Markdown or JSON by [`present`]. `c2cfn diff --against BASE` compares a
//! committed template with a new render (offline); the live `c2cfn diff`
//! can pass a change set's resource changes to [`compare_live`] to add
//! CloudFormation's own `Replacement` verdict. See docs/ci.md.

pub mod changes;
pub mod present;
pub mod replacement;
pub mod report;
pub mod security;

pub use report::{Action, Change, Finding, LiveAction, LiveChange, Report, compare, compare_live};
