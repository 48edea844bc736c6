//! Ports, volumes, secrets and configs of a service (short and long syntax).

use super::read::{boolean, check_keys, number, shape, text, unknown_key};
use crate::compose::extensions;
use crate::compose::project::{Extensions, Port, SecretRef, VolumeMount};
use crate::compose::syntax;
use crate::compose::yaml::{Kind, Node};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Long-syntax service volume keys.
pub(super) const VOLUME_KEYS: &[&str] = &[
    "type",
    "source",
    "target",
    "read_only",
    "consistency",
    "bind",
    "volume",
    "tmpfs",
    "image",
];

pub(super) fn ports(node: &Node, diags: &mut Diagnostics) -> Vec<Port> {
    let mut out = Vec::new();
    let Some(items) = node.as_seq() else {
        if !node.is_null() {
            diags.push(shape(node, "`ports` must be a list"));
        }
        return out;
    };
    for item in items {
        match &item.kind {
            Kind::Scalar(_) => {
                let t = text(item).unwrap_or_default();
                match syntax::ports(&t) {
                    Ok(list) => out.extend(list.into_iter().map(|p| Port {
                        target: p.target,
                        published: p.published,
                        protocol: p.protocol,
                        protocol_defaulted: false,
                        mode: None,
                        host_ip: p.host_ip,
                        app_protocol: None,
                        extensions: Extensions::default(),
                        span: item.span,
                    })),
                    Err(e) => diags.push(
                        Diagnostic::error(format!("invalid port `{t}`: {e}"))
                            .at(item.span)
                            .help("write `CONTAINER`, `PUBLISHED:CONTAINER` or `IP:PUBLISHED:CONTAINER`, optionally with `/udp`"),
                    ),
                }
            }
            Kind::Map(m) => {
                let target = m
                    .get("target")
                    .and_then(|e| number(&e.value, "ports.target", diags))
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|n| *n > 0);
                let Some(target) = target else {
                    diags.push(
                        Diagnostic::error("a long-syntax port needs `target`")
                            .at(item.span)
                            .help("for example `- target: 80\n  published: \"8080\"`"),
                    );
                    continue;
                };
                let published = m
                    .get("published")
                    .and_then(|e| text(&e.value))
                    .and_then(|p| p.split('-').next().and_then(|x| x.parse::<u16>().ok()));
                let extensions =
                    extensions::typed(&super::definitions::x_entries(m), Some(item.span));
                for (k, e) in m {
                    if !k.starts_with("x-")
                        && !matches!(
                            k.as_str(),
                            "target"
                                | "published"
                                | "protocol"
                                | "mode"
                                | "host_ip"
                                | "app_protocol"
                                | "name"
                        )
                    {
                        diags.push(unknown_key(
                            k,
                            e.key_span,
                            "port",
                            &[
                                "target",
                                "published",
                                "protocol",
                                "mode",
                                "host_ip",
                                "app_protocol",
                                "name",
                            ],
                        ));
                    }
                }
                out.push(Port {
                    target,
                    published,
                    protocol: m
                        .get("protocol")
                        .and_then(|e| text(&e.value))
                        .unwrap_or_else(|| "tcp".into())
                        .to_ascii_lowercase(),
                    protocol_defaulted: !m.contains_key("protocol"),
                    mode: m.get("mode").and_then(|e| text(&e.value)),
                    host_ip: m.get("host_ip").and_then(|e| text(&e.value)),
                    app_protocol: m.get("app_protocol").and_then(|e| text(&e.value)),
                    extensions,
                    span: item.span,
                });
            }
            Kind::Seq(_) => diags.push(shape(item, "a port must be a string or a mapping")),
        }
    }
    out
}

pub(super) fn volumes(node: &Node, diags: &mut Diagnostics) -> Vec<VolumeMount> {
    let mut out = Vec::new();
    for item in node.as_seq().unwrap_or_default() {
        match &item.kind {
            Kind::Scalar(_) => {
                let t = text(item).unwrap_or_default();
                match syntax::volume(&t) {
                    Ok((kind, source, target, read_only)) => out.push(VolumeMount {
                        kind,
                        source,
                        target,
                        read_only,
                        span: item.span,
                    }),
                    Err(e) => diags.push(
                        Diagnostic::error(format!("invalid volume `{t}`: {e}"))
                            .at(item.span)
                            .help("write `name:/container/path[:ro]`"),
                    ),
                }
            }
            Kind::Map(m) => {
                check_keys(m, VOLUME_KEYS, "volume", diags);
                if let Some(options) = m.get("volume").and_then(|e| e.value.as_map()) {
                    check_keys(
                        options,
                        &["labels", "nocopy", "subpath"],
                        "volume.volume",
                        diags,
                    );
                }
                let Some(target) = m.get("target").and_then(|e| text(&e.value)) else {
                    diags.push(
                        Diagnostic::error("a long-syntax volume needs `target`")
                            .at(item.span)
                            .help("for example `- type: volume\n  source: data\n  target: /data`"),
                    );
                    continue;
                };
                out.push(VolumeMount {
                    kind: m
                        .get("type")
                        .and_then(|e| text(&e.value))
                        .unwrap_or_else(|| "volume".into()),
                    source: m.get("source").and_then(|e| text(&e.value)),
                    target,
                    read_only: m
                        .get("read_only")
                        .and_then(|e| boolean(&e.value, "read_only", diags))
                        .is_some_and(|b| b.value),
                    span: item.span,
                });
            }
            Kind::Seq(_) => diags.push(shape(item, "a volume must be a string or a mapping")),
        }
    }
    out
}

pub(super) fn refs(node: &Node, what: &str, diags: &mut Diagnostics) -> Vec<SecretRef> {
    let mut out = Vec::new();
    for item in node.as_seq().unwrap_or_default() {
        match &item.kind {
            Kind::Scalar(_) => {
                let t = text(item).unwrap_or_default();
                out.push(SecretRef {
                    source: t.clone(),
                    target: t,
                    span: item.span,
                });
            }
            Kind::Map(m) => {
                check_keys(m, &["source", "target", "uid", "gid", "mode"], what, diags);
                let Some(source) = m.get("source").and_then(|e| text(&e.value)) else {
                    diags.push(
                        Diagnostic::error(format!("a long-syntax `{what}` entry needs `source`"))
                            .at(item.span),
                    );
                    continue;
                };
                let target = m
                    .get("target")
                    .and_then(|e| text(&e.value))
                    .unwrap_or_else(|| source.clone());
                out.push(SecretRef {
                    source,
                    target,
                    span: item.span,
                });
            }
            Kind::Seq(_) => diags.push(shape(
                item,
                &format!("a `{what}` entry must be a name or a mapping"),
            )),
        }
    }
    out
}
