//! The local environment (`ecs=false`): the project's dependencies —
//! DynamoDB Local and Redis — in containers next to the app's own services,
//! with the same table names and keys and the same environment variables as
//! in the cloud.
//!
//! Pure planning lives here (`plan.rs`: the compose file to write and the
//! variables to print); side effects sit behind narrow traits so tests can
//! assert them exactly: `docker.rs` (the `docker compose` command lines),
//! `wait.rs` (until the ports answer) and `tables.rs` (creating missing
//! tables through [`crate::aws::dynamodb::DynamoDbApi`]).

pub mod docker;
pub mod plan;
#[cfg(feature = "aws")]
pub mod run;
#[cfg(feature = "aws")]
pub mod setup;
#[cfg(feature = "aws")]
pub mod tables;
#[cfg(feature = "aws")]
pub mod tunnel;
pub mod wait;

pub use plan::{LocalPlan, LocalSettings, plan};
