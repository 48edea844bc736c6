//! Where the networks, volumes and secrets of the stack are declared, so
//! that an error about the names they become points at the file. Whether
//! two of them become one name is checked where the names are made
//! (`cfn/names.rs`): logical IDs and physical names are the template's.

use indexmap::IndexMap;

use crate::compose::Project;
use crate::model::Stack;
use crate::source::Span;

/// Fills in where each network, volume and secret of `stack` is declared.
pub(super) fn declare(project: &Project, stack: &mut Stack) {
    for net in &mut stack.networks {
        net.span = project
            .networks
            .get(&net.name)
            .and_then(|n| declared(n.span, &n.keys));
    }
    for fs in &mut stack.file_systems {
        fs.span = project
            .volumes
            .get(&fs.name)
            .and_then(|v| declared(v.span, &v.keys));
    }
    for secret in &mut stack.secrets {
        secret.span = project
            .secrets
            .get(&secret.name)
            .and_then(|s| declared(s.span, &s.keys));
    }
}

/// Where a top-level network, volume or secret is shown: its first key (one
/// line, under its name) or, for `{}`, its value.
fn declared(span: Option<Span>, keys: &IndexMap<String, Span>) -> Option<Span> {
    keys.values().next().copied().or(span)
}
