//! Top-level networks, volumes, secrets and configs.

use indexmap::IndexMap;

use super::read::{boolean, expect_map, key_values, text};
use crate::compose::extensions;
use crate::compose::project::{Network, Secret, Spanned, Volume};
use crate::compose::yaml::Node;
use crate::diagnostic::{Diagnostic, Diagnostics};

pub(super) fn network(node: &Node, diags: &mut Diagnostics) -> Network {
    let mut n = Network {
        span: Some(node.span),
        ..Network::default()
    };
    let Some(m) = expect_map(node, "a network", diags) else {
        return n;
    };
    n.extensions = extensions::typed(&x_entries(m), n.span);
    for (k, e) in split_keys(m, &mut n.keys) {
        match k.as_str() {
            "name" => n.name = text(&e.value),
            "external" => n.external = external(&e.value, &mut n.name, diags),
            "internal" => {
                n.internal = boolean(&e.value, "internal", diags).is_some_and(|b| b.value);
            }
            _ => {}
        }
    }
    n
}

/// The `x-*` entries of a mapping.
pub(super) fn x_entries(
    m: &crate::compose::yaml::Mapping,
) -> Vec<(&String, &crate::compose::yaml::Entry)> {
    m.iter().filter(|(k, _)| k.starts_with("x-")).collect()
}

/// Records the keys of a top-level definition (but `x-*` ones) with their
/// spans and returns their entries to type.
pub(super) fn split_keys<'a>(
    m: &'a crate::compose::yaml::Mapping,
    keys: &mut IndexMap<String, crate::source::Span>,
) -> Vec<(&'a String, &'a crate::compose::yaml::Entry)> {
    let mut rest = Vec::new();
    for (k, e) in m {
        if !k.starts_with("x-") {
            keys.insert(k.clone(), e.key_span);
            rest.push((k, e));
        }
    }
    rest
}

/// `external: true`, or the legacy `external: {name: x}`.
pub(super) fn external(node: &Node, name: &mut Option<String>, diags: &mut Diagnostics) -> bool {
    if let Some(m) = node.as_map() {
        if let Some(n) = m.get("name").and_then(|e| text(&e.value)) {
            *name = Some(n);
        }
        return true;
    }
    boolean(node, "external", diags).is_some_and(|b| b.value)
}

pub(super) fn volume(node: &Node, diags: &mut Diagnostics) -> Volume {
    let mut v = Volume {
        span: Some(node.span),
        ..Volume::default()
    };
    let Some(m) = expect_map(node, "a volume", diags) else {
        return v;
    };
    v.extensions = extensions::untyped(&x_entries(m));
    for (k, e) in split_keys(m, &mut v.keys) {
        match k.as_str() {
            "name" => v.name = text(&e.value),
            "external" => v.external = external(&e.value, &mut v.name, diags),
            "driver" => v.driver = text(&e.value),
            "driver_opts" => {
                v.driver_opts = key_values(&e.value, "driver_opts", diags)
                    .into_iter()
                    .map(|(k, x)| (k, Spanned::new(x.value.unwrap_or_default(), x.span)))
                    .collect();
            }
            "labels" => {
                v.labels = key_values(&e.value, "labels", diags)
                    .into_iter()
                    .map(|(k, x)| (k, x.value.unwrap_or_default()))
                    .collect();
            }
            _ => {}
        }
    }
    v
}

pub(super) fn secret(node: &Node, diags: &mut Diagnostics) -> Secret {
    let mut s = Secret {
        span: Some(node.span),
        ..Secret::default()
    };
    let Some(m) = expect_map(node, "a secret", diags) else {
        return s;
    };
    s.extensions = extensions::typed(&x_entries(m), s.span);
    for (k, e) in split_keys(m, &mut s.keys) {
        match k.as_str() {
            "name" => s.name = text(&e.value),
            "file" => s.file = text(&e.value).map(Into::into),
            "environment" => s.environment = text(&e.value),
            "content" => s.content = text(&e.value),
            "external" => s.external = external(&e.value, &mut s.name, diags),
            _ => {}
        }
    }
    if s.external && (s.file.is_some() || s.environment.is_some() || s.content.is_some()) {
        diags.push(
            Diagnostic::error("an external secret cannot also have `file`, `environment` or `content`")
                .at(s.span)
                .help("an external secret already exists in Secrets Manager: keep `external: true` and `name:`, or remove `external`"),
        );
    }
    s
}
