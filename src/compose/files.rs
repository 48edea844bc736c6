//! A list of compose files → one merged document.
//!
//! Per file, in compose-go's order: parse, interpolate, resolve relative
//! paths, apply `extends`, apply `include`; then merge onto the files before
//! it. Used for the project's own files and for every `include`.

use std::path::{Path, PathBuf};

use super::context::Ctx;
use super::environment::Variables;
use super::extends::apply_extends;
use super::include::apply_include;
use super::merge::merge_documents;
use super::paths::resolve_paths;
use super::substitute::substitute;
use super::yaml::{Mapping, Node};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Loads and merges `files` (absolute), resolving relative paths against
/// `base_dir`. `stack` holds the files being included (cycle detection).
pub(crate) fn load_files(
    files: &[PathBuf],
    base_dir: &Path,
    vars: &Variables,
    ctx: &mut Ctx<'_>,
    stack: &mut Vec<PathBuf>,
) -> Node {
    let mut merged = Node::map(Mapping::new(), Span::new(0, 0, 0));
    let lookup = |name: &str| vars.get(name);
    for file in files {
        let mut doc = match ctx.parse(file, "compose file", None) {
            Ok(doc) => doc,
            Err(d) => {
                ctx.push(d);
                continue;
            }
        };
        if let Some(d) = super::validate::empty_file(&doc, file) {
            ctx.push(d);
            continue;
        }
        if doc.as_map().is_none() {
            ctx.push(
                Diagnostic::error(format!(
                    "a compose file must be a mapping, not {}",
                    doc.shape()
                ))
                .at(doc.span)
                .label("expected keys such as `services:`")
                .help("start the file with `services:`"),
            );
            continue;
        }
        substitute(&mut doc, &lookup, ctx);
        // Wrong types are errors at the value, before paths, extends or include use them.
        super::typed::shape::check(&mut doc, ctx.sources, &mut ctx.diags);
        let home = ctx.home();
        resolve_paths(&mut doc, base_dir, home.as_deref());
        apply_extends(&mut doc, file, &lookup, ctx);
        stack.push(file.clone());
        apply_include(&mut doc, vars, ctx, stack);
        stack.pop();
        merged = merge_documents(merged, doc);
    }
    merged
}
