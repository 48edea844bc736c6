//! Stage 2: compose [`Project`] → [`Stack`].
//!
//! Every decision and every check lives here: Docker's ECS semantics
//! (load balancer type, rolling-update percentages, Fargate task sizes,
//! secrets and EFS), the `x-aws-*` extensions, and what Fargate cannot run.
//! All problems are collected, so a user sees every one at once. No I/O.

mod checks;
mod collisions;
mod deployment;
mod exposure;
pub mod keys;
mod network;
mod ports;
pub mod service;
mod size;
mod storage;

pub mod game;

#[cfg(test)]
mod tests;

use crate::compose::Project;
use crate::compose::extensions::ProjectExtensions;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Cluster, Placement, Stack};
use crate::source::Span;

/// Deployment settings that come from outside the compose file (the
/// environment file), already validated.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `app_cluster`: prefix of physical names (tables, Redis, DNS label).
    /// Defaults to the project name.
    pub prefix: Option<String>,
    /// A local environment (`ecs=false`): the stack is lowered in full (the
    /// tables, Redis and the services' variables are what runs locally), but
    /// only the checks of what c2cfn runs itself are reported — the
    /// extensions' syntax, `x-aws-dynamodb`, `x-aws-elasticache` and
    /// `depends_on`. What only matters on AWS (TLS certificates, Fargate
    /// sizes and keys, load balancer ports, EFS, secrets, Route 53) is left
    /// out: docker compose runs the services.
    pub local: bool,
}

/// Lowers a project. The stack is complete only when no error was pushed.
#[must_use]
pub fn lower(project: &Project, settings: &Settings) -> (Stack, Diagnostics) {
    let mut diags = Diagnostics::new();
    diags.extend(project.extensions.problems.clone());
    let top: &ProjectExtensions = &project.extensions;
    // `app_cluster` names the stack, the cluster and everything derived from
    // the project name, so develop and main live side by side in one account.
    let mut stack = Stack {
        project: settings
            .prefix
            .clone()
            .unwrap_or_else(|| project.name.clone()),
        log_retention: match top.logs_retention {
            None => Some(DEFAULT_LOG_RETENTION_DAYS),
            Some(0) => None,
            Some(days) => Some(days),
        },
        ..Stack::default()
    };
    if let Some(days) = top.logs_retention.filter(|d| *d > 0) {
        check_retention(days, project, &mut diags);
    }
    stack.cluster = top
        .cluster
        .clone()
        .map_or(Cluster::Create, Cluster::Existing);
    stack.vpc = top
        .vpc
        .as_deref()
        .map_or(Placement::Parameter, |v| Placement::Pinned(vec![vpc_id(v)]));
    stack.subnets = top
        .subnets
        .clone()
        .map_or(Placement::Parameter, Placement::Pinned);
    if matches!(&stack.subnets, Placement::Pinned(s) if s.is_empty()) {
        diags.push(
            Diagnostic::error("`x-aws-subnets` is empty")
                .at(top_span(project, "x-aws-subnets"))
                .help("list at least two subnet IDs in different availability zones, or remove the key to use the VPC's subnets"),
        );
    }
    if top.subnets.is_some() && top.vpc.is_none() {
        diags.push(
            Diagnostic::error("`x-aws-subnets` needs `x-aws-vpc`")
                .at(top_span(project, "x-aws-subnets"))
                .help("pin the VPC the subnets belong to with `x-aws-vpc: vpc-…`"),
        );
    }
    for ignored in &project.ignored {
        diags.push(
            Diagnostic::warning(format!("`{}` is obsolete and ignored", ignored.0)).at(ignored.1),
        );
    }

    // Full names of networks, volumes and secrets use the stack's project
    // name, so that `app_cluster` keeps environments apart.
    // The checks that only matter on AWS go here in a local environment.
    let mut aws_only = Diagnostics::new();
    let ecs = if settings.local {
        &mut aws_only
    } else {
        &mut diags
    };
    stack.networks = network::lower(project, &stack.project, ecs);
    stack.file_systems = storage::file_systems(project, &stack.project, ecs);
    stack.secrets = storage::secrets(project, &stack.project, ecs);
    for service in project.services.values() {
        keys::check(service, ecs);
        stack
            .services
            .push(service::lower(project, service, &stack, ecs));
    }
    stack.load_balancer = ports::load_balancer(project, top, &mut stack.services, ecs);
    exposure::decide(project, top, &mut stack, ecs);
    game::lower(
        project,
        top,
        settings,
        &mut stack,
        &mut diags,
        &mut aws_only,
    );
    collisions::declare(project, &mut stack);
    (stack, diags)
}

/// "known services: a, b" for hints about a misnamed service.
fn known_services(project: &Project) -> String {
    let names: Vec<&str> = project.services.keys().map(String::as_str).collect();
    format!("known services: {}", names.join(", "))
}

/// The span of a top-level extension's value.
fn top_span(project: &Project, key: &str) -> Option<Span> {
    project.extensions.spans.get(key).copied()
}

/// `x-aws-vpc` takes an ID or an ARN (`arn:aws:ec2:…:vpc/vpc-123`).
fn vpc_id(value: &str) -> String {
    if value.starts_with("arn:") {
        value.rsplit('/').next().unwrap_or(value).to_owned()
    } else {
        value.to_owned()
    }
}

/// Days a log group keeps its logs unless `x-aws-logs_retention` says
/// otherwise (`0`: forever, CloudWatch's default and Docker's).
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 30;

/// CloudWatch Logs accepts only these retention periods.
const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

fn check_retention(days: u32, project: &Project, diags: &mut Diagnostics) {
    if !RETENTION_DAYS.contains(&days) {
        let next = RETENTION_DAYS
            .iter()
            .find(|d| **d > days)
            .copied()
            .unwrap_or(3653);
        diags.push(
            Diagnostic::error(format!("CloudWatch Logs cannot keep logs for {days} days"))
                .at(top_span(project, "x-aws-logs_retention"))
                .help(format!("use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (e.g. {next})")),
        );
    }
}
