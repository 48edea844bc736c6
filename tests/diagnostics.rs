//! Every malformed input in `tests/invalid/` is rendered with `--strict`;
//! the diagnostics (file:line:column, caret, hint) and the exit code are
//! snapshot-tested in `snapshots/` (`diagnostics__<file>.snap`).
//!
//! Each file is its own `#[test]` (`diagnostics::err_bad_port`), listed in
//! [`cases!`] below, so one failing file never hides another and
//! `scripts/test --test integration diagnostics::err_bad_port` runs one.
//! [`every_malformed_input_is_a_case`] fails when a file of
//! `tests/invalid/` is missing from the list, or the list names a file that
//! is not there.

use crate::support::{c2cfn, root, settings, stderr};

/// Renders `tests/invalid/<name>.yaml` and snapshots its diagnostics;
/// fails on a snapshot difference or any other problem.
fn explain(name: &str) {
    let rel = format!("tests/invalid/{name}.yaml");
    let path = root().join(&rel);
    let input =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // `-p` only where the file has no `name:` of its own.
    let mut args = vec!["render", "--strict", "-f", &rel];
    if !input.starts_with("name:") {
        args.extend(["-p", "invalid"]);
    }
    let out = c2cfn(&root(), &args);
    // Absolute paths in messages depend on where the checkout lives.
    let text = stderr(&out).replace(root().to_str().unwrap(), "<repo>");
    let mut problems = Vec::new();
    if out.status.code() != Some(1) {
        problems.push(format!(
            "{name} must fail with exit code 1, not {:?}:\n{text}",
            out.status.code()
        ));
    }
    if !out.stdout.is_empty() {
        problems.push(format!("{name}: nothing may be rendered"));
    }
    if !text.contains(&format!("{rel}:")) {
        problems.push(format!("{name}: the error must name the file:\n{text}"));
    }
    // The snapshot's name and header are the ones this test has always
    // written (`diagnostics__<file>.snap`, the input as its description).
    let mut s = settings();
    s.set_description(input);
    s.bind(|| insta::assert_snapshot!(format!("diagnostics__{name}"), text));
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// One `#[test]` per malformed input, named after its file.
macro_rules! cases {
    ($($name:ident,)+) => {
        /// The files the list below names.
        const CASES: &[&str] = &[$(stringify!($name)),+];
        $(
            #[test]
            fn $name() {
                explain(stringify!($name));
            }
        )+
    };
}

cases! {
    err_anonymous_volume,
    err_autoscaling_both_metrics,
    err_autoscaling_min_max,
    err_bad_duration,
    err_bad_memory,
    err_bad_port,
    err_bad_yaml_indent,
    err_bind_mount,
    err_cap_add,
    err_conflicting_settings,
    err_depends_on_cycle,
    err_depends_on_unknown,
    err_duplicate_key,
    err_dynamodb_bad_attributes,
    err_dynamodb_bad_table,
    err_dynamodb_no_hash_key,
    err_dynamodb_scaling_min_max,
    err_dynamodb_wrong_types,
    err_extension_typo,
    err_external_secret_with_file,
    err_external_volume_not_efs,
    err_healthcheck_keys,
    err_image_empty_tag,
    err_legacy_sizes,
    err_logs_retention,
    err_network_id_collision,
    err_network_mode_host,
    err_no_image,
    err_overlay_delete_nothing,
    err_overlay_patch_typo,
    err_overlay_shape,
    err_overlay_unknown_section,
    err_parallelism_without_replicas,
    err_port_out_of_range,
    err_privileged,
    err_record_name_collision,
    err_redis_id_too_long,
    err_redis_nodes,
    err_required_variable,
    err_route53_empty_label,
    err_route53_empty_zone,
    err_route53_no_ports,
    err_route53_outside_zone,
    err_route53_records,
    err_route53_zone_id_label,
    err_same_port_twice,
    err_secret_id_collision,
    err_service_dns_collision,
    err_service_id_collision,
    err_several_problems,
    err_stop_grace_too_long,
    err_table_id_collision,
    err_tls_not_arn,
    err_tmpfs,
    err_too_big_for_fargate,
    err_unclosed_interpolation,
    err_undefined_network,
    err_undefined_secret,
    err_undefined_volume,
    err_unknown_service_key,
    err_unknown_top_key,
    err_unknown_x_aws_key,
    err_unknown_x_aws_top_key,
    err_volume_id_collision,
    err_volume_subpath,
    warn_network_aliases,
    warn_strict_ignored_key,
}

/// The list of cases and the files of `tests/invalid/` are the same.
#[test]
fn every_malformed_input_is_a_case() {
    let dir = root().join("tests/invalid");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let unlisted: Vec<&String> = files
        .iter()
        .filter(|f| {
            f.strip_suffix(".yaml")
                .is_none_or(|stem| !CASES.contains(&stem))
        })
        .collect();
    let missing: Vec<&&str> = CASES
        .iter()
        .filter(|c| !files.contains(&format!("{c}.yaml")))
        .collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "tests/invalid/ and the list in tests/diagnostics.rs differ:\n\
         files not listed (add them to `cases!`; only `<name>.yaml` files belong there): {unlisted:?}\n\
         listed but missing: {missing:?}"
    );
    assert!(
        CASES.len() >= 30,
        "at least 30 malformed inputs, found {}",
        CASES.len()
    );
}
