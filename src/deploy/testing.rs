//! Test support shared by the deploy tests: one [`Deployer`] for a stack
//! named `game`, with no live display, no S3 template and no JSON record.

use std::io::Write;
use std::time::Duration;

use super::events::Display;
use super::interrupt::Checkpoint;
use super::plan::{Deployer, Options};
use super::ui::{Prompt, Style};
use crate::aws::cloudformation::CloudFormationApi;

/// A [`Deployer`] of stack `game` with default [`Options`]; a test changes
/// a field (`options`, `record`) after building it.
pub(super) fn deployer<'a, C: CloudFormationApi>(
    cfn: &'a C,
    out: &'a mut dyn Write,
    prompt: &'a mut dyn Prompt,
    checkpoint: &'a Checkpoint,
) -> Deployer<'a, C> {
    Deployer {
        cfn,
        stack: "game",
        out,
        prompt,
        display: Display {
            style: Style::default(),
            live: false,
            poll: Duration::ZERO,
            width: None,
        },
        options: Options::default(),
        template_url: None,
        checkpoint,
        record: None,
    }
}
