//! Two declared things must not become one resource. Logical IDs drop every
//! character outside `[A-Za-z0-9]` (Docker's rule), so `game-server` and
//! `gameserver` would both be `GameserverService`: CloudFormation would get
//! one of them and the other would silently vanish. The same holds for
//! physical names (a table, a DNS record) and the variables that carry them.
//! Each such pair is an error naming both.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::cfn::logical_id;
use crate::compose::Project;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Stack;
use crate::source::Span;

/// Names already claimed in one namespace (logical-ID prefixes of one kind
/// of thing, physical names, variables).
pub(super) struct Claims {
    /// What is being claimed, for messages: "logical ID", "table name", ….
    what: &'static str,
    seen: HashMap<String, (String, Option<Span>)>,
}

impl Claims {
    pub(super) fn new(what: &'static str) -> Self {
        Self {
            what,
            seen: HashMap::new(),
        }
    }

    /// Claims `key` for the thing `kind` `name` written at `span`; a second
    /// claim by another name is an error at the second, naming the first
    /// (returns false then).
    pub(super) fn claim(
        &mut self,
        key: &str,
        kind: &str,
        name: &str,
        span: Option<Span>,
        diags: &mut Diagnostics,
    ) -> bool {
        match self.seen.get(key) {
            None => {
                self.seen.insert(key.to_owned(), (name.to_owned(), span));
                true
            }
            Some((first, _)) if first == name => true,
            Some((first, first_span)) => {
                let mut d = Diagnostic::error(format!(
                    "{kind}s `{first}` and `{name}` both map to the {} `{key}`",
                    self.what
                ))
                .at(span)
                .label(format!("clashes with `{first}`"))
                .help("only one of them would be deployed: rename one so that the names differ in more than punctuation or case (logical IDs keep only letters and digits)");
                if first_span.is_some() {
                    d = d.also(*first_span, format!("`{first}` declared here"));
                }
                diags.push(d);
                false
            }
        }
    }
}

/// Services, networks, volumes and secrets whose logical IDs would clash.
pub(super) fn check(project: &Project, stack: &Stack, diags: &mut Diagnostics) {
    let mut services = Claims::new("logical ID");
    let mut dns = Claims::new("Cloud Map DNS name");
    for (name, service) in &project.services {
        // Other services reach this one at `<name>.<project>.local`, and DNS
        // names ignore case: `web` and `WEB` would be one Cloud Map entry.
        if services.claim(
            &logical_id::service(name),
            "service",
            name,
            Some(service.span),
            diags,
        ) {
            dns.claim(
                &name.to_ascii_lowercase(),
                "service",
                name,
                Some(service.span),
                diags,
            );
        }
    }
    let mut networks = Claims::new("logical ID");
    for net in stack.networks.iter().filter(|n| n.existing.is_none()) {
        let span = project
            .networks
            .get(&net.name)
            .and_then(|n| declared(n.span, &n.keys));
        networks.claim(
            &logical_id::network(&net.name),
            "network",
            &net.name,
            span,
            diags,
        );
    }
    let mut volumes = Claims::new("logical ID");
    for fs in stack.file_systems.iter().filter(|f| f.existing.is_none()) {
        let span = project
            .volumes
            .get(&fs.name)
            .and_then(|v| declared(v.span, &v.keys));
        volumes.claim(
            &format!("{}Filesystem", logical_id::normalize(&fs.name)),
            "volume",
            &fs.name,
            span,
            diags,
        );
    }
    let mut secrets = Claims::new("logical ID");
    let mut parameters = Claims::new("template parameter");
    for secret in stack.secrets.iter().filter(|s| s.existing.is_none()) {
        let span = project
            .secrets
            .get(&secret.name)
            .and_then(|s| declared(s.span, &s.keys));
        let unique = secrets.claim(
            &logical_id::secret(&secret.full_name),
            "secret",
            &secret.name,
            span,
            diags,
        );
        if unique {
            parameters.claim(
                &crate::cfn::resources::secrets::value_parameter(&secret.name),
                "secret",
                &secret.name,
                span,
                diags,
            );
        }
    }
}

/// Where a top-level network, volume or secret is shown: its first key (one
/// line, under its name) or, for `{}`, its value.
fn declared(span: Option<Span>, keys: &IndexMap<String, Span>) -> Option<Span> {
    keys.values().next().copied().or(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(diags: &Diagnostics) -> Vec<String> {
        diags.items().iter().map(|d| d.message.clone()).collect()
    }

    #[test]
    fn a_second_name_for_one_key_is_an_error_naming_both() {
        let mut diags = Diagnostics::new();
        let mut c = Claims::new("logical ID");
        assert!(c.claim(
            "GameserverService",
            "service",
            "game-server",
            None,
            &mut diags
        ));
        assert!(c.claim(
            "GameserverService",
            "service",
            "game-server",
            None,
            &mut diags
        ));
        assert!(c.claim("ApiService", "service", "api", None, &mut diags));
        assert!(!c.claim(
            "GameserverService",
            "service",
            "gameserver",
            None,
            &mut diags
        ));
        assert_eq!(
            messages(&diags),
            [
                "services `game-server` and `gameserver` both map to the logical ID `GameserverService`"
            ]
        );
    }
}
