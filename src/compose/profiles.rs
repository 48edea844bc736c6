//! Profiles: services with `profiles` are kept only when one of them is
//! active (`--profile` plus `COMPOSE_PROFILES`, comma-separated; `*` enables
//! all). Services without `profiles` are always kept. A profile no service
//! names is not an error (compose stays quiet). A required dependency on a
//! service disabled by its profiles is an error, as in compose; an optional
//! one (`required: false`) stays in the document (compose prints it) and is
//! left out of the typed project (see `compose::load`).

use super::context::Ctx;
use super::yaml::{Kind, Node, Typed};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// The active profiles from the options and `COMPOSE_PROFILES`.
pub(crate) fn active_profiles(options: &[String], compose_profiles: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = options
        .iter()
        .flat_map(|p| p.split(','))
        .chain(compose_profiles.unwrap_or_default().split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    out.dedup();
    out
}

/// Removes the services of `root` that no active profile enables.
pub(crate) fn apply_profiles(root: &mut Node, active: &[String], ctx: &mut Ctx<'_>) {
    let Some(services) = super::context::services_mut(root) else {
        return;
    };
    let all = active.iter().any(|p| p == "*");
    let mut disabled: Vec<(String, Vec<String>, Span)> = Vec::new();
    services.retain(|name, entry| {
        let Some(profiles) = entry.value.as_map().and_then(|m| m.get("profiles")) else {
            return true;
        };
        let names: Vec<String> = profiles
            .value
            .as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.as_scalar().map(|s| s.text.clone()))
            .collect();
        let enabled = names.is_empty() || all || names.iter().any(|n| active.contains(n));
        if !enabled {
            disabled.push((name.clone(), names, profiles.value.span));
        }
        enabled
    });
    if disabled.is_empty() {
        return;
    }
    for (name, entry) in services.iter_mut() {
        let Some(depends_on) = entry
            .value
            .as_map_mut()
            .and_then(|m| m.get_mut("depends_on"))
        else {
            continue;
        };
        match &mut depends_on.value.kind {
            Kind::Seq(items) => {
                for item in items.iter() {
                    if let Some(s) = item.as_scalar() {
                        check(ctx, name, &s.text, item.span, &disabled);
                    }
                }
            }
            Kind::Map(map) => map.retain(|dep, e| {
                let required = e
                    .value
                    .as_map()
                    .and_then(|m| m.get("required"))
                    .and_then(|r| r.value.as_scalar())
                    .is_none_or(|s| s.typed() != Typed::Bool(false));
                if required {
                    check(ctx, name, dep, e.key_span, &disabled);
                }
                true
            }),
            Kind::Scalar(_) => {}
        }
    }
}

fn check(
    ctx: &mut Ctx<'_>,
    service: &str,
    dependency: &str,
    at: Span,
    disabled: &[(String, Vec<String>, Span)],
) {
    let Some((_, profiles, profiles_span)) = disabled.iter().find(|(d, _, _)| d == dependency)
    else {
        return;
    };
    let first = profiles.first().map_or("", String::as_str);
    ctx.push(
        Diagnostic::error(format!(
            "service `{service}` depends on `{dependency}`, which is disabled: none of its profiles is active"
        ))
        .at(at)
        .label("required dependency")
        .also(Some(*profiles_span), format!("`{dependency}` is only enabled by these profiles"))
        .help(format!(
            "enable it with `--profile {first}` (or COMPOSE_PROFILES={first}), or make the dependency optional with `required: false`"
        )),
    );
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::compose::yaml::parse;
    use crate::source::SourceMap;

    fn run(text: &str, active: &[&str]) -> (serde_json::Value, Vec<Diagnostic>) {
        let env = IndexMap::new();
        let mut sources = SourceMap::new();
        let mut ctx = Ctx::new(&mut sources, &env);
        let mut root = parse(text, 0).unwrap();
        let active: Vec<String> = active.iter().map(|s| (*s).to_owned()).collect();
        apply_profiles(&mut root, &active, &mut ctx);
        let names: Vec<String> = root.as_map().unwrap()["services"]
            .value
            .as_map()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        (serde_json::json!(names), ctx.diags.items().to_vec())
    }

    const TEXT: &str = "services:\n  web: {image: a}\n  debug: {image: b, profiles: [debug]}\n  all: {image: c, profiles: [x, y]}\n";

    #[test]
    fn services_are_kept_by_profile() {
        assert_eq!(run(TEXT, &[]).0, serde_json::json!(["web"]));
        assert_eq!(run(TEXT, &["y"]).0, serde_json::json!(["web", "all"]));
        assert_eq!(
            run(TEXT, &["*"]).0,
            serde_json::json!(["web", "debug", "all"])
        );
        assert!(run(TEXT, &["unknown"]).1.is_empty());
    }

    #[test]
    fn required_dependency_on_disabled_service_is_an_error() {
        let text = "services:\n  web: {depends_on: [db]}\n  api: {depends_on: {db: {condition: service_started, required: false}}}\n  db: {profiles: [data]}\n";
        let (names, diags) = run(text, &[]);
        assert_eq!(names, serde_json::json!(["web", "api"]));
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("`web` depends on `db`"));
        assert!(diags[0].help.as_ref().unwrap().contains("--profile data"));
    }

    #[test]
    fn active_profiles_merge_options_and_env() {
        assert_eq!(
            active_profiles(&["a".into()], Some("b, c")),
            ["a", "b", "c"]
        );
    }
}
