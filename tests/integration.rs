//! Integration tests: one binary, one module per concern.
//!
//! A plain `cargo test` needs nothing outside the repository. The tests
//! that run a tool of tests/requirements.txt (the moto stand-in, the AWS
//! CLI, cfn-lint, Docker Compose, Python's jsonschema) or read the reference
//! files in `../shared/reference` are built only with the `external-tools`
//! feature, which scripts/test (and so CI) turns on; built, they fail when
//! a tool is missing, they never skip.

/// Adopting tables made outside CloudFormation (AWS CLI), end to end against the stand-in.
#[cfg(all(feature = "aws", feature = "external-tools"))]
mod adopt;
/// What would deploy broken is refused (images, overlays, collisions); what is fine still renders.
mod broken;
/// The binary: help, exit codes, `config`, `schema`, env-file errors.
mod cli;
/// `c2cfn config` agrees with Docker Compose's own `config` on a corpus.
#[cfg(feature = "external-tools")]
mod conformance;
/// docs/conversion.md covers every service key of the Compose schema.
#[cfg(feature = "external-tools")]
mod conversion;
/// `up`, `diff`, `down`, `ps` end to end against the local AWS stand-in.
#[cfg(all(feature = "aws", feature = "external-tools"))]
mod deploy;
/// Malformed inputs: the rendered diagnostics are snapshot-tested.
mod diagnostics;
/// Docker's own input renders with Docker's logical IDs and types.
mod docker;
/// EC2 without aws-sdk-ec2: SigV4 against botocore, the three calls against the stand-in.
#[cfg(all(feature = "aws", feature = "external-tools"))]
mod ec2query;
/// `c2cfn schema` against every shipped compose file, judged by `jsonschema`.
#[cfg(feature = "external-tools")]
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
#[cfg(all(feature = "aws", feature = "external-tools"))]
mod operate;
/// In process, one snapshot per input file: YAML → model and YAML → template.
mod pipeline;
/// The checks before deploying: hosted zones and certificates, against the stand-in.
#[cfg(all(feature = "aws", feature = "external-tools"))]
mod precheck;
/// `push` and the image step of `up`: ECR against the stand-in, docker faked on PATH.
#[cfg(all(feature = "aws", feature = "external-tools"))]
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
#[cfg(all(feature = "aws", feature = "external-tools"))]
mod standin;
/// Shared helpers: the binary, temporary projects, tools, the stand-in.
mod support;
/// The real binary in a pseudo-terminal: prompts, live progress, Ctrl-C, NO_COLOR, TERM=dumb, 80 columns.
#[cfg(all(feature = "aws", feature = "external-tools"))]
mod terminal;
/// `up --json`: one JSON document with the plan, the imports, the result and the error.
#[cfg(all(feature = "aws", feature = "external-tools"))]
mod up_json;
/// Every key of the Compose schema and of `c2cfn schema` gets every wrong type.
mod wrong_types;
