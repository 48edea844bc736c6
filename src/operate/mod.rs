//! Operating a deployed stack: `exec`, `tunnel` and `logs`.
//!
//! What talks to AWS sits behind traits (implemented over the SDK in
//! [`crate::aws`]); what runs other programs — the AWS Session Manager plugin
//! and `ssh` — is built here as exact command lines, so tests can assert
//! them without a live session.

pub mod flow;
pub mod follow;
pub mod logs;
pub mod session;
pub mod ssh;
pub mod target;
