//! Integration tests: one binary, one module per concern.

/// The binary: help, exit codes, `config`, `schema`, env-file errors.
mod cli;
/// docs/conversion.md covers every service key of the Compose schema.
mod conversion;
/// `up`, `diff`, `down`, `ps` end to end against the local AWS stand-in.
#[cfg(feature = "aws")]
mod deploy;
/// Malformed inputs: the rendered diagnostics are snapshot-tested.
mod diagnostics;
/// Docker's own input renders with Docker's logical IDs and types.
mod docker;
/// Every example in `compose/` renders to its committed file in `templates/`, and cfn-lint accepts it.
mod examples;
/// The game-backend layer: tables, scaling, Redis, DNS, IAM and env injection.
mod game;
/// The local environment plan and its compose file.
mod local;
/// `exec`, `tunnel`, `logs` and the local environment end to end (moto, recorded programs).
#[cfg(feature = "aws")]
mod operate;
/// `push` and the image step of `up`: ECR against the stand-in, docker faked on PATH.
#[cfg(feature = "aws")]
mod push;
/// No input makes the pipeline panic (property tests).
mod robustness;
/// Secure by default: TLS policy, load balancer security group, SSH, logs, DNS health.
mod secure;
/// The AWS stand-in creates what c2cfn emits and fails where AWS would.
#[cfg(feature = "aws")]
mod standin;
/// Shared helpers.
mod support;
