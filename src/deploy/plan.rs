//! The `up` and `diff` state machine: settle the stack (wait for another
//! operation, recover from a failed create or a failed rollback), compute a
//! change set, preview it, apply the data-loss guard, confirm, execute and
//! watch. Nothing here knows the SDK or the terminal: AWS is a
//! [`CloudFormationApi`], the user a [`Prompt`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::time::Instant;

use super::api::{ChangeSetType, CloudFormationApi, NewChangeSet, StackInfo};
use super::change_set::{self, Prepared};
use super::events::{self, Display, Watched};
use super::guard::{self, TemplateView};
use super::preview;
use super::ui::Prompt;
use super::{EXIT_DEPLOY_FAILED, Failure};

/// Flags that change the flow.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--allow-data-loss`: let a change set replace or delete stateful resources.
    pub allow_data_loss: bool,
    /// `--no-wait`: refuse instead of waiting for another operation.
    pub no_wait: bool,
}

/// How `up`/`diff` ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to change.
    NoChanges,
    /// `diff`: something would change.
    WouldChange,
    /// `up`: the change set ran and the stack is complete.
    Deployed,
}

/// What to do with the stack as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Create,
    Update(StackInfo),
    /// A failed create (`ROLLBACK_COMPLETE`): delete it, then create.
    Recreate,
}

/// One run against one stack.
pub struct Deployer<'a, C: CloudFormationApi> {
    /// CloudFormation.
    pub cfn: &'a C,
    /// Stack name.
    pub stack: &'a str,
    /// Where progress and previews go.
    pub out: &'a mut dyn Write,
    /// Who confirms.
    pub prompt: &'a mut dyn Prompt,
    /// How progress is shown.
    pub display: Display,
    /// Flags.
    pub options: Options,
    /// The template's S3 URL when it is over the inline limit (see
    /// [`super::template_store`]).
    pub template_url: Option<String>,
}

impl<C: CloudFormationApi> Deployer<'_, C> {
    fn say(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    fn confirm(&mut self, question: &str) -> Result<bool, Failure> {
        self.prompt
            .confirm(question)
            .map_err(|e| Failure::refused(e, "nothing was changed"))
    }

    /// Waits for another operation to end (or refuses with `--no-wait`);
    /// returns the stack as it is then.
    pub(super) async fn settled(&mut self) -> Result<Option<StackInfo>, Failure> {
        loop {
            let info = self
                .cfn
                .describe_stack(self.stack)
                .await
                .map_err(|e| Failure::api("cannot read the stack", &e))?;
            let Some(info) = info else { return Ok(None) };
            if events::is_settled(&info.status) || info.status == "REVIEW_IN_PROGRESS" {
                return Ok(Some(info));
            }
            if self.options.no_wait {
                return Err(Failure::refused(
                    format!(
                        "stack {} is busy: {} (another operation is running)",
                        self.stack, info.status
                    ),
                    "run the command again when it has finished (`c2cfn ps` shows the status), or without --no-wait to wait for it",
                ));
            }
            let msg = format!(
                "Stack {} is {}: another operation is running; waiting for it to finish before going on (Ctrl-C stops waiting and changes nothing).",
                self.stack,
                self.display.style.status(&info.status)
            );
            self.say(&msg);
            let mut seen = events::baseline(self.cfn, self.stack).await;
            self.watch(&mut seen, 0).await?;
        }
    }

    async fn watch(
        &mut self,
        seen: &mut std::collections::HashSet<String>,
        total: usize,
    ) -> Result<Watched, Failure> {
        events::watch(self.cfn, self.stack, seen, total, self.out, self.display)
            .await
            .map_err(|e| Failure::api("lost track of the stack", &e))
    }

    async fn target(&mut self, recovering: bool) -> Result<Target, Failure> {
        loop {
            let Some(info) = self.settled().await? else {
                return Ok(Target::Create);
            };
            match info.status.as_str() {
                "REVIEW_IN_PROGRESS" | "DELETE_COMPLETE" => return Ok(Target::Create),
                "ROLLBACK_COMPLETE" => {
                    self.explain_failed(&info).await;
                    return Ok(Target::Recreate);
                }
                "UPDATE_ROLLBACK_FAILED" => {
                    self.explain_failed(&info).await;
                    if !recovering {
                        return Err(Failure::refused(
                            format!(
                                "stack {} is UPDATE_ROLLBACK_FAILED: its last update failed and so did the rollback",
                                self.stack
                            ),
                            "`c2cfn up` offers to continue the rollback",
                        ));
                    }
                    if !self.confirm(&format!(
                        "Continue the rollback of stack {} (CloudFormation ContinueUpdateRollback)?",
                        self.stack
                    ))? {
                        return Err(Failure::refused(
                            "cancelled; nothing was changed",
                            "fix the cause above (e.g. a resource changed outside CloudFormation), then run `c2cfn up` again",
                        ));
                    }
                    let mut seen = events::baseline(self.cfn, self.stack).await;
                    self.cfn
                        .continue_update_rollback(self.stack)
                        .await
                        .map_err(|e| Failure::api("cannot continue the rollback", &e))?;
                    let watched = self.watch(&mut seen, 0).await?;
                    if watched.status != "UPDATE_ROLLBACK_COMPLETE" {
                        return Err(self.failed(&watched));
                    }
                }
                s if s.ends_with("_FAILED") => {
                    return Err(Failure::refused(
                        format!("stack {} is {s} and cannot be updated", self.stack),
                        "see its events (`aws cloudformation describe-stack-events`); `c2cfn down` deletes it (retained data is kept)",
                    ));
                }
                _ => return Ok(Target::Update(info)),
            }
        }
    }

    async fn explain_failed(&mut self, info: &StackInfo) {
        let events = self
            .cfn
            .describe_stack_events(self.stack)
            .await
            .unwrap_or_default()
            .into_iter()
            .rev()
            .collect();
        let watched = Watched {
            status: info.status.clone(),
            reason: info.reason.clone(),
            events,
        };
        let report = events::failure_report(self.stack, &watched, self.display.style);
        self.say(&report);
    }

    fn failed(&self, watched: &Watched) -> Failure {
        Failure {
            message: format!(
                "the stack operation failed\n{}",
                events::failure_report(self.stack, watched, self.display.style)
            ),
            hint: Some(format!(
                "fix the cause above and run `c2cfn up` again; `c2cfn ps` shows stack {}",
                self.stack
            )),
            code: EXIT_DEPLOY_FAILED,
        }
    }

    async fn discard(&mut self, id: &str, kind: ChangeSetType) {
        let _ = self.cfn.delete_change_set(self.stack, id).await;
        if kind == ChangeSetType::Create {
            // The empty REVIEW_IN_PROGRESS stack CreateChangeSet made.
            let _ = self.cfn.delete_stack(self.stack).await;
        }
    }

    /// `c2cfn up` (`execute`) or `c2cfn diff` (`!execute`).
    pub async fn run(
        &mut self,
        template: &str,
        parameters: &[(String, String)],
        execute: bool,
    ) -> Result<Outcome, Failure> {
        let kind = match self.target(execute).await? {
            Target::Recreate if !execute => {
                self.say("c2cfn up would delete this failed stack and create it again.");
                return Ok(Outcome::WouldChange);
            }
            Target::Recreate => {
                if !self.confirm(&format!(
                    "Stack {} failed to create and holds nothing usable. Delete it and create it again?",
                    self.stack
                ))? {
                    return Err(Failure::refused(
                        "cancelled; nothing was changed",
                        "a stack in ROLLBACK_COMPLETE can only be deleted; `c2cfn down` deletes it",
                    ));
                }
                let mut seen = events::baseline(self.cfn, self.stack).await;
                self.cfn
                    .delete_stack(self.stack)
                    .await
                    .map_err(|e| Failure::api("cannot delete the failed stack", &e))?;
                let watched = self.watch(&mut seen, 0).await?;
                if watched.status != "DELETE_COMPLETE" {
                    return Err(self.failed(&watched));
                }
                (ChangeSetType::Create, None)
            }
            Target::Create => (ChangeSetType::Create, None),
            Target::Update(info) => {
                let old = self
                    .cfn
                    .get_template(self.stack)
                    .await
                    .map_err(|e| Failure::api("cannot read the deployed template", &e))?;
                (ChangeSetType::Update, Some((old, info)))
            }
        };
        let (kind, deployed) = kind;
        let new_view =
            TemplateView::parse(template, parameters.iter().cloned().collect()).unwrap_or_default();
        let old_view = deployed.as_ref().and_then(|(text, info)| {
            let params: BTreeMap<String, String> = info.parameters.iter().cloned().collect();
            TemplateView::parse(text, params)
        });
        let name = format!(
            "c2cfn-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        );
        let request = NewChangeSet {
            stack: self.stack.to_owned(),
            name,
            template_body: template.to_owned(),
            template_url: self.template_url.clone(),
            parameters: parameters.to_vec(),
            kind,
        };
        let (id, changes) = match change_set::create(self.cfn, &request, self.display.poll).await? {
            Prepared::NoChanges => {
                self.say(&format!("No changes: stack {} is up to date.", self.stack));
                return Ok(Outcome::NoChanges);
            }
            Prepared::Ready { id, changes } => (id, changes),
        };
        let style = self.display.style;
        let verb = if kind == ChangeSetType::Create {
            "create"
        } else {
            "update"
        };
        self.say(&style.bold(&format!(
            "Changes to {verb} stack {} ({} resource change(s)):",
            self.stack,
            changes.len()
        )));
        for line in preview::change_lines(&changes, old_view.as_ref(), &new_view, style) {
            self.say(&line);
        }
        if let Some((old_text, _)) = &deployed {
            match preview::template_diff(old_text, template, style) {
                Some(diff) => {
                    self.say(&style.bold("Template diff (deployed -> new):"));
                    let _ = write!(self.out, "{diff}");
                }
                None => self.say("Template text unchanged (parameter values changed)."),
            }
        }
        if let Some(old) = old_view.as_ref() {
            let ids = super::nlb_security_group::added_to_existing(old, &new_view);
            if !ids.is_empty() {
                self.discard(&id, kind).await;
                let (message, hint) = super::nlb_security_group::refusal(&ids);
                return Err(Failure::refused(message, hint));
            }
        }
        let findings = guard::check(&changes, old_view.as_ref(), &new_view);
        if !findings.is_empty() {
            let mut msg = String::from("this change would lose data:");
            for f in &findings {
                let _ = write!(
                    msg,
                    "\n  {} ({}) would be {}",
                    f.logical_id, f.resource_type, f.what
                );
            }
            if !self.options.allow_data_loss {
                self.discard(&id, kind).await;
                return Err(Failure::refused(
                    format!("refused: {msg}\nNothing was changed (the change set was deleted)."),
                    "keep the key schema/identity of stateful resources as deployed, or back the data up and pass --allow-data-loss",
                ));
            }
            self.say(&style.red_bold(&format!("WARNING: {msg} (--allow-data-loss given)")));
        }
        if !execute {
            self.discard(&id, kind).await;
            return Ok(Outcome::WouldChange);
        }
        let question = format!("Apply these changes to stack {}?", self.stack);
        match self.confirm(&question) {
            Ok(true) => {}
            Ok(false) => {
                self.discard(&id, kind).await;
                return Err(Failure::refused(
                    "cancelled; nothing was changed (the change set was deleted)",
                    "run `c2cfn up` again and answer y to deploy",
                ));
            }
            Err(f) => {
                self.discard(&id, kind).await;
                return Err(f);
            }
        }
        let mut seen = events::baseline(self.cfn, self.stack).await;
        let started = Instant::now();
        self.cfn
            .execute_change_set(self.stack, &id)
            .await
            .map_err(|e| Failure::api("cannot execute the change set", &e))?;
        self.say(&format!(
            "Executing change set on stack {} (Ctrl-C stops watching; the deployment goes on).",
            self.stack
        ));
        let watched = self.watch(&mut seen, changes.len()).await?;
        if !events::is_success(&watched.status) {
            return Err(self.failed(&watched));
        }
        self.say(&format!(
            "Stack {}: {} in {}s.",
            self.stack,
            style.status(&watched.status),
            started.elapsed().as_secs()
        ));
        if let Ok(Some(info)) = self.cfn.describe_stack(self.stack).await {
            for o in &info.outputs {
                self.say(&format!("  {} = {}", o.key, o.value));
            }
        }
        Ok(Outcome::Deployed)
    }
}
