//! Two declared things must not become one name. A second claim on a name
//! (a logical ID, a physical name, an environment variable) by another
//! thing is an error at the second, naming the first. Lowering claims the
//! names it decides (table variables, DNS record names); `cfn::names`
//! claims the logical IDs and physical names it makes.

use std::collections::HashMap;

use super::{Diagnostic, Diagnostics};
use crate::source::Span;

/// Names already claimed in one namespace (logical-ID prefixes of one kind
/// of thing, physical names, variables).
pub struct Claims {
    /// What is being claimed, for messages: "logical ID", "table name", ….
    what: &'static str,
    seen: HashMap<String, (String, Option<Span>)>,
}

impl Claims {
    #[must_use]
    pub fn new(what: &'static str) -> Self {
        Self {
            what,
            seen: HashMap::new(),
        }
    }

    /// Claims `key` for the thing `kind` `name` written at `span`; a second
    /// claim by another name is an error at the second, naming the first
    /// (returns false then).
    pub fn claim(
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
