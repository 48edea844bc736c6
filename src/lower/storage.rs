//! Named volumes → EFS file systems; secrets → Secrets Manager.

use std::collections::BTreeMap;

use crate::compose::Project;
use crate::compose::extensions::StringOrList;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{FileSystem, Secret};

/// `driver_opts` Docker passed to EFS (underscore spelling, as its code read them).
const FS_OPTIONS: &[&str] = &[
    "backup_policy",
    "lifecycle_policy",
    "performance_mode",
    "throughput_mode",
    "provisioned_throughput",
    "kms_key_id",
];
const AP_OPTIONS: &[&str] = &["uid", "gid", "permissions", "root_directory"];

/// One EFS file system per named volume that some service mounts.
pub(super) fn file_systems(
    project: &Project,
    prefix: &str,
    diags: &mut Diagnostics,
) -> Vec<FileSystem> {
    let mut out = Vec::new();
    for (name, volume) in &project.volumes {
        let mut options = BTreeMap::new();
        let mut ap = BTreeMap::new();
        for (key, value) in &volume.driver_opts {
            if FS_OPTIONS.contains(&key.as_str()) {
                options.insert(key.clone(), value.value.clone());
            } else if AP_OPTIONS.contains(&key.as_str()) {
                ap.insert(key.clone(), value.value.clone());
            } else {
                diags.push(
                    Diagnostic::error(format!("unknown EFS option `{key}` on volume `{name}`"))
                        .at(value.span)
                        .help(format!(
                            "EFS volumes accept {} (file system) and {} (access point)",
                            FS_OPTIONS.join(", "),
                            AP_OPTIONS.join(", ")
                        )),
                );
            }
        }
        if let Some(t) = volume.driver_opts.get("provisioned_throughput")
            && t.value.parse::<f64>().is_err()
        {
            diags.push(
                    Diagnostic::error(format!("`provisioned_throughput` of volume `{name}` must be a number of MiB/s"))
                        .at(t.span)
                        .help("for example `provisioned_throughput: \"128\"` with `throughput_mode: provisioned`"),
                );
        }
        for (key, span) in &volume.keys {
            if matches!(key.as_str(), "driver" | "labels") {
                diags.push(
                    Diagnostic::warning(format!("`{key}` of volume `{name}` is ignored on ECS"))
                        .at(*span)
                        .help(
                            "named volumes are EFS file systems; configure them with `driver_opts`",
                        ),
                );
            }
        }
        let existing = volume
            .external
            .then(|| volume.name.clone().unwrap_or_else(|| name.clone()));
        if let Some(id) = &existing
            && !id.starts_with("fs-")
        {
            diags.push(
                Diagnostic::error(format!(
                    "external volume `{name}` must name an EFS file system ID, not `{id}`"
                ))
                .at(volume.span)
                .help("write `external: true` and `name: fs-0123456789abcdef0`"),
            );
        }
        out.push(FileSystem {
            span: None,
            name: name.clone(),
            full_name: volume
                .name
                .clone()
                .unwrap_or_else(|| format!("{prefix}_{name}")),
            existing,
            options,
            uid: ap.get("uid").cloned(),
            gid: ap.get("gid").cloned(),
            permissions: ap.get("permissions").cloned(),
            root_directory: ap.get("root_directory").cloned(),
        });
    }
    out
}

/// Secrets: external ones by name/ARN; file and environment ones become a
/// stack secret whose value `c2cfn up` supplies as a `NoEcho` parameter.
pub(super) fn secrets(project: &Project, prefix: &str, diags: &mut Diagnostics) -> Vec<Secret> {
    let mut out = Vec::new();
    for (name, secret) in &project.secrets {
        diags.extend(secret.extensions.problems.clone());
        let existing = secret
            .external
            .then(|| secret.name.clone().unwrap_or_else(|| name.clone()));
        if !secret.external && secret.file.is_none() && secret.environment.is_none() {
            diags.push(
                Diagnostic::error(format!("secret `{name}` has no source"))
                    .at(secret.span)
                    .help("give `file: ./path`, `environment: VAR`, or `external: true` with `name:` set to the Secrets Manager name or ARN"),
            );
        }
        out.push(Secret {
            span: None,
            name: name.clone(),
            full_name: secret
                .name
                .clone()
                .unwrap_or_else(|| format!("{prefix}_{name}")),
            existing,
            keys: secret
                .extensions
                .value
                .keys
                .as_ref()
                .map(StringOrList::to_vec)
                .unwrap_or_default(),
        });
    }
    out
}
