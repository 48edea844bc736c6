//! Stage 3: [`model::Stack`](crate::model::Stack) → one CloudFormation
//! [`Template`], and the template → text.
//!
//! Each AWS service family has one file under `resources/` with pure
//! functions from the model to resources. Logical IDs follow Docker's ECS
//! integration exactly (`logical_id.rs`) so that stacks it created update in
//! place. The `x-aws-cloudformation` overlay is merged last (`overlay.rs`),
//! then CloudFormation's limits are checked (`limits.rs`).

pub mod emit;
pub mod intrinsic;
pub mod limits;
pub mod logical_id;
pub mod names;
pub mod overlay;
pub mod parts;
pub mod render;
pub mod resources;
pub mod source;
pub mod template;
pub mod tls_policy;

pub use emit::emit;
pub use render::{Format, render};
pub use template::{Resource, Template};
