//! Interpolation of a file's node tree.
//!
//! Every scalar value is interpolated (keys are not), including values under
//! `x-*` extensions, as compose does. The quoted-ness of a scalar is kept, so
//! a plain `${REPLICAS}` that becomes `3` is typed as an integer later.
//! Errors point inside the scalar at the faulty `${…}`; a variable that is
//! unset and has no default is reported once, at its first use.

use super::context::Ctx;
use super::interpolate::{InterpolationErrorKind, interpolate};
use super::yaml::{Kind, Node};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Interpolates every scalar under `node` in place.
pub(crate) fn substitute(
    node: &mut Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    ctx: &mut Ctx<'_>,
) {
    match &mut node.kind {
        Kind::Map(map) => {
            for entry in map.values_mut() {
                substitute(&mut entry.value, lookup, ctx);
            }
        }
        Kind::Seq(items) => {
            for item in items {
                substitute(item, lookup, ctx);
            }
        }
        Kind::Scalar(scalar) => {
            if !scalar.text.contains('$') {
                return;
            }
            let mut missing = Vec::new();
            match interpolate(&scalar.text, lookup, &mut missing) {
                Ok(text) => {
                    for name in missing {
                        if ctx.first_warning(&name) {
                            let (offset, len) = usage(&scalar.text, &name);
                            let at = precise_span(ctx, node.span, &scalar.text, offset, len);
                            ctx.push(
                                Diagnostic::warning(format!(
                                    "the \"{name}\" variable is not set, defaulting to a blank string"
                                ))
                                .at(at)
                                .label("used here")
                                .help(set_help(&name)),
                            );
                        }
                    }
                    // compose interpolates strings: a value that becomes
                    // empty is "", not null.
                    scalar.quoted |= text.is_empty();
                    scalar.text = text;
                }
                Err(e) => {
                    let at = precise_span(ctx, node.span, &scalar.text, e.offset, e.len);
                    let d = match e.kind {
                        InterpolationErrorKind::Required { variable, message } => {
                            let help = set_help(&variable);
                            Diagnostic::error(format!("required variable `{variable}` is missing a value: {message}"))
                                .label("required here")
                                .help(help)
                        }
                        InterpolationErrorKind::Syntax { message } => {
                            Diagnostic::error(format!("invalid interpolation: {message}"))
                                .label("in this expression")
                                .help("write `${NAME}`, `${NAME:-default}` or `${NAME:?message}`; write `$$` for a literal `$`")
                        }
                    };
                    ctx.push(d.at(at));
                }
            }
        }
    }
}

/// Offset and length of the first `${NAME…}` or `$NAME` in `text`.
fn usage(text: &str, name: &str) -> (usize, usize) {
    if let Some(start) = text.find(&format!("${{{name}")) {
        let len = text[start..].find('}').map_or(name.len() + 2, |i| i + 1);
        return (start, len);
    }
    text.find(&format!("${name}"))
        .map_or((0, text.len()), |start| (start, name.len() + 1))
}

fn set_help(name: &str) -> String {
    format!("set {name} in the environment or in .env, or give a default: ${{{name}:-value}}")
}

/// The span of `text[offset..offset + len]` in the file when the scalar is
/// written verbatim (plain or simply quoted); the whole scalar otherwise
/// (escapes or block scalars shift offsets).
fn precise_span(ctx: &Ctx<'_>, span: Span, text: &str, offset: usize, len: usize) -> Span {
    let source = ctx.sources.text(span.file);
    let written = source.get(span.start..span.end).unwrap_or("");
    match written.find(text) {
        Some(at) if !text.is_empty() => span.sub(at + offset, len),
        _ => span,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use indexmap::IndexMap;

    use super::*;
    use crate::compose::yaml::parse;
    use crate::source::SourceMap;

    fn run(text: &str, vars: &[(&str, &str)]) -> (serde_json::Value, Vec<Diagnostic>, SourceMap) {
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new("compose.yaml"), text.to_owned());
        let env = IndexMap::new();
        let mut node = parse(text, file).unwrap();
        let vars: IndexMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut ctx = Ctx::new(&mut sources, &env);
        substitute(&mut node, &|n| vars.get(n).cloned(), &mut ctx);
        let diags = ctx.diags.items().to_vec();
        (node.to_json(), diags, sources)
    }

    #[test]
    fn plain_scalars_stay_plain_and_quoted_stay_quoted() {
        let (json, diags, _) = run(
            "services:\n  web:\n    deploy:\n      replicas: ${R}\n    image: \"${R}\"\n    x-aws-role: ${ROLE:-admin}\n",
            &[("R", "3")],
        );
        assert!(diags.is_empty());
        assert_eq!(json["services"]["web"]["deploy"]["replicas"], 3);
        assert_eq!(json["services"]["web"]["image"], "3");
        assert_eq!(json["services"]["web"]["x-aws-role"], "admin");
    }

    #[test]
    fn keys_are_not_interpolated() {
        let (json, _, _) = run("${A}: x\n", &[("A", "b")]);
        assert_eq!(json, serde_json::json!({"${A}": "x"}));
    }

    #[test]
    fn unset_variables_warn_once_at_first_use() {
        let text = "a: $X\nb: ${X}\nc: ${Y}\n";
        let (json, diags, sources) = run(text, &[]);
        assert_eq!(json, serde_json::json!({"a": "", "b": "", "c": ""}));
        assert_eq!(diags.len(), 2);
        assert_eq!(
            diags[0].message,
            "the \"X\" variable is not set, defaulting to a blank string"
        );
        let span = diags[0].span.unwrap();
        assert_eq!(&sources.text(span.file)[span.start..span.end], "$X");
        assert!(!diags[0].is_error());
        let span = diags[1].span.unwrap();
        assert_eq!(&sources.text(span.file)[span.start..span.end], "${Y}");
    }

    #[test]
    fn required_variables_are_errors_at_the_expression() {
        let text = "image: 'repo:${TAG:?set a tag}'\nports: ${P:?}\n";
        let (_, diags, sources) = run(text, &[]);
        assert_eq!(diags.len(), 2);
        assert!(
            diags[0]
                .message
                .starts_with("required variable `TAG` is missing a value: set a tag")
        );
        let span = diags[0].span.unwrap();
        assert_eq!(
            &sources.text(span.file)[span.start..span.end],
            "${TAG:?set a tag}"
        );
        assert!(diags[0].help.as_ref().unwrap().contains("${TAG:-value}"));
    }
}
