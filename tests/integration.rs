//! Integration tests: one binary, one module per concern.

/// Adopting tables made outside CloudFormation (AWS CLI), end to end against the stand-in.
#[cfg(feature = "aws")]
mod adopt;
/// What would deploy broken is refused (images, overlays, collisions); what is fine still renders.
mod broken;
/// The binary: help, exit codes, `config`, `schema`, env-file errors.
mod cli;
/// `c2cfn config` agrees with Docker Compose's own `config` on a corpus.
mod conformance;
/// docs/conversion.md covers every service key of the Compose schema.
mod conversion;
/// `up`, `diff`, `down`, `ps` end to end against the local AWS stand-in.
#[cfg(feature = "aws")]
mod deploy;
/// Malformed inputs: the rendered diagnostics are snapshot-tested.
mod diagnostics;
/// Docker's own input renders with Docker's logical IDs and types.
mod docker;
/// `c2cfn schema` against every shipped compose file, judged by `jsonschema`.
mod editor;
/// Every example in `compose/` renders to its committed file in `templates/`, and cfn-lint accepts it.
mod examples;
/// The game-backend layer: tables, scaling, Redis, DNS, IAM and env injection.
mod game;
/// Docker Compose habits: flags, positional services, precedence, the
/// deployed stack, the local environment up to Docker.
#[cfg(feature = "aws")]
mod habits;
/// Docker's logical IDs for every input shape (ports, names, networks, volumes, secrets).
mod ids;
/// The local environment plan and its compose file.
mod local;
/// Every key docs/conversion.md lists as mapped reaches the template.
mod mapped_keys;
/// `exec`, `tunnel`, `logs` and the local environment end to end (moto, recorded programs).
#[cfg(feature = "aws")]
mod operate;
/// The checks before deploying: hosted zones and certificates, against the stand-in.
#[cfg(feature = "aws")]
mod precheck;
/// `push` and the image step of `up`: ECR against the stand-in, docker faked on PATH.
#[cfg(feature = "aws")]
mod push;
/// Every command example of README.md works as written.
#[cfg(feature = "aws")]
mod readme;
/// `diff --against`: the CI recipe on a temporary git repository.
mod review;
/// No input makes the pipeline panic (property tests).
mod robustness;
/// Secure by default: TLS policy, load balancer security group, SSH, logs, DNS health.
mod secure;
/// The AWS stand-in creates what c2cfn emits and fails where AWS would.
#[cfg(feature = "aws")]
mod standin;
/// Shared helpers.
mod support;
/// The real binary in a pseudo-terminal: prompts, live progress, Ctrl-C, NO_COLOR, TERM=dumb, 80 columns.
#[cfg(feature = "aws")]
mod terminal;
/// `up --json`: one JSON document with the plan, the imports, the result and the error.
#[cfg(feature = "aws")]
mod up_json;
/// Every key of the Compose schema and of `c2cfn schema` gets every wrong type.
mod wrong_types;
