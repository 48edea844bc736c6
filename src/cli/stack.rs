//! The stack an operating command (`ps`, `logs`, `down`, `exec`, `tunnel`)
//! acts on. These commands need only the stack's name: a compose file that
//! does not load (mid-edit, during an incident) is reported in one warning
//! and the command goes on from the deployed stack.

use std::io::Write;

use super::args::ProjectArgs;
use super::pipeline::{self, Rendered};
use crate::cfn::Format;
use crate::diagnostic::{self, Diagnostics};
use crate::settings::Settings as Resolved;
use crate::source::SourceMap;

/// What an operating command knows of its project.
pub(super) struct Operating {
    /// The settings (flag, shell, env files).
    pub resolved: Resolved,
    /// The stack name.
    pub stack: String,
    /// The rendered project, when the compose file could be read.
    pub rendered: Option<Rendered>,
}

/// Reads the settings and, if it loads, the project; `command` is the
/// command the user ran (for the messages).
pub(super) fn operating(
    project: &ProjectArgs,
    command: &str,
    err: &mut dyn Write,
) -> Result<Operating, i32> {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let resolved = pipeline::read_settings(project, &mut sources, &mut diags);
    if diags.has_errors() {
        diags.sort();
        let _ = write!(err, "{}", diagnostic::render(&sources, &diags));
        return Err(super::exit::INVALID);
    }
    // The project's diagnostics are held back: shown in full only when the
    // stack name cannot be known without the compose file.
    let mut held = Vec::new();
    let render_args = ProjectArgs {
        strict: false,
        ..project.clone()
    };
    let rendered = if resolved.is_ecs() {
        pipeline::render(&render_args, Format::Yaml, &mut held)
    } else {
        pipeline::render_local(&render_args, &mut held)
    };
    if let Ok(rendered) = rendered {
        let _ = err.write_all(&held);
        return Ok(Operating {
            stack: rendered.contract.stack.clone(),
            resolved: rendered.settings.clone(),
            rendered: Some(rendered),
        });
    }
    let held = String::from_utf8_lossy(&held).into_owned();
    let Some(stack) = resolved.stack_name() else {
        let _ = write!(err, "{held}");
        let _ = writeln!(
            err,
            "error: c2cfn {command}: the stack name comes from the compose file, which could not be read\n\
             help: name the stack with -p NAME (or `app_cluster` in the env file) to reach the deployed stack without the compose file"
        );
        return Err(super::exit::INVALID);
    };
    let first = held
        .lines()
        .find(|l| l.starts_with("error"))
        .map(|l| {
            format!(
                " ({})",
                l.trim_start_matches("error: ").trim_start_matches("error")
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        err,
        "warning: c2cfn {command}: the compose file was not read{first}; going on from the deployed stack {stack}\n\
         help: `c2cfn config` (with the same options) shows every problem of the compose file"
    );
    Ok(Operating {
        resolved,
        stack,
        rendered: None,
    })
}
