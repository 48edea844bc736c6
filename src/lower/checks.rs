//! Service checks that map nothing: keys ECS cannot honour below the top
//! level, and network modes (`depends_on` references and cycles are checked
//! by the loader, `compose::validate`, for `config` and `render` alike).

use crate::compose::project::Service as ComposeService;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Sub-keys the typed project does not carry because ECS has no use for
/// them: each one the user wrote gets a warning (or an error where ignoring
/// it would change what is mounted).
pub(super) fn check_sub_keys(svc: &ComposeService, diags: &mut Diagnostics) {
    for (path, span) in &svc.sub_keys {
        let span = *span;
        let d = match path.as_str() {
            "healthcheck.start_interval" => Diagnostic::warning(format!(
                "`healthcheck.start_interval` of `{}` is ignored on ECS",
                svc.name
            ))
            .at(span)
            .help("ECS checks at `interval` from the start; `start_period` still applies"),
            "volumes[].consistency" => Diagnostic::warning("volume `consistency` is ignored on ECS")
                .at(span)
                .help("it only tuned bind mounts on Docker Desktop"),
            "volumes[].volume.subpath" => Diagnostic::error(format!("`volume.subpath` of `{}` cannot be mounted on ECS", svc.name))
                .at(span)
                .help("EFS mounts the volume's access point: give the subdirectory its own named volume with `driver_opts: {root_directory: /sub}`"),
            other => {
                if let Some(key) = other.strip_prefix("secrets[].") {
                    Diagnostic::warning(format!("`{key}` of a secret of `{}` is ignored on ECS", svc.name))
                        .at(span)
                        .help("secret files are written by the secrets init container, readable by every user of the task")
                } else if let Some(key) = other.strip_prefix("volumes[].volume.") {
                    Diagnostic::warning(format!(
                        "`volume.{key}` of `{}` is ignored on ECS",
                        svc.name
                    ))
                    .at(span)
                    .help("EFS volumes start empty and carry the project's tags")
                } else {
                    continue;
                }
            }
        };
        diags.push(d);
    }
}

pub(super) fn check_network_mode(svc: &ComposeService, diags: &mut Diagnostics) {
    if let Some(legacy) = &svc.network_mode {
        let mode = legacy.value.as_deref().unwrap_or_default();
        if mode != "awsvpc" {
            diags.push(
                Diagnostic::error(format!("`network_mode: {mode}` cannot run on ECS Fargate"))
                    .at(legacy.span)
                    .label("Fargate tasks always use `awsvpc`")
                    .also(Some(legacy.key), "set here")
                    .help("remove `network_mode`; services reach each other by name on their compose networks"),
            );
        }
    }
}

/// An image reference with an empty part, typically left by a variable that
/// was not set (`app:${docker_tag}` → `app:`): ECS would fail to pull it at
/// deploy time, long after the render said nothing was wrong.
pub(super) fn check_image(svc: &ComposeService, diags: &mut Diagnostics) {
    let Some(image) = &svc.image else { return };
    let reference = image.value.as_str();
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    let problem = if reference.trim().is_empty() {
        Some("is empty")
    } else if tag == Some("") {
        Some("has an empty tag")
    } else if digest == Some("") {
        Some("has an empty digest")
    } else if repository.split('/').any(str::is_empty) {
        Some("has an empty name component")
    } else {
        None
    };
    if let Some(problem) = problem {
        diags.push(
            Diagnostic::error(format!("the image `{reference}` of service `{}` {problem}", svc.name))
                .at(image.span)
                .label("ECS cannot pull this")
                .help("a variable in `image:` is probably unset: set it in the environment file or `.env`, or give a default (`${docker_tag:-latest}`)"),
        );
    }
}
