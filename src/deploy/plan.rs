//! The `up` and `diff` state machine: settle the stack (wait for another
//! operation, recover from a failed create or a failed rollback), compute a
//! change set, preview it, apply the data-loss guard, confirm, execute and
//! watch. Nothing here knows the SDK or the terminal: AWS is a
//! [`CloudFormationApi`], the user a [`Prompt`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::time::Instant;

use super::adopt::{self, Adoption};
use super::change_set::{self, Prepared};
use super::events::{self, Display, Watched};
use super::guard::{self, TemplateView};
use super::interrupt::{Checkpoint, Stage};
use super::live_review;
use super::preview;
use super::ui::{Prompt, fit};
use super::{Failure, Stop};
use crate::aws::cloudformation::{
    Action, ChangeSetType, CloudFormationApi, NewChangeSet, StackInfo,
};
use crate::review::Report;
use crate::review::present::{self, Format};

/// Flags that change the flow.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--allow-data-loss`: let a change set replace or delete stateful resources.
    pub allow_data_loss: bool,
    /// `--no-wait`: refuse instead of waiting for another operation.
    pub no_wait: bool,
    /// `diff --format`: text (with progress), or the preview alone as
    /// Markdown or JSON on `out` (`diff --json` is `--format json`).
    pub format: Format,
    /// `diff --fail-on data-loss`: a change that loses data ends the run
    /// with [`Outcome::Findings`].
    pub fail_on_data_loss: bool,
    /// `diff --fail-on security`: a change that widens access ends the run
    /// with [`Outcome::Findings`].
    pub fail_on_security: bool,
}

/// How `up`/`diff` ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to change.
    NoChanges,
    /// `diff`: something would change.
    WouldChange,
    /// `diff --fail-on`: something would change, and it loses data or
    /// widens access (the preview was shown; nothing was changed).
    Findings {
        /// Data loss was found (and asked for).
        data_loss: bool,
        /// Access widening was found (and asked for).
        security: bool,
    },
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
    /// How far the run got, for Ctrl-C ([`super::interrupt`]).
    pub checkpoint: &'a Checkpoint,
    /// `up --json`: the plan and the result, as data, for one JSON document
    /// (docs/deploy.md); the text still goes to `out`.
    pub record: Option<&'a mut serde_json::Map<String, serde_json::Value>>,
}

impl<C: CloudFormationApi> Deployer<'_, C> {
    pub(super) fn say(&mut self, text: &str) {
        if self.options.format == Format::Text {
            let _ = writeln!(self.out, "{}", fit(text, self.display.width));
        }
    }

    /// The preview as Markdown or JSON (`diff --format`); nothing in text,
    /// where [`Self::say`] showed it.
    fn present(&mut self, action: &str, report: &Report) {
        let ctx = preview::context(self.stack, action, 0);
        let text = match self.options.format {
            Format::Text => return,
            Format::Markdown => present::markdown(report, &ctx),
            Format::Json => format!(
                "{}\n",
                serde_json::to_string_pretty(&preview::json(self.stack, action, report, &ctx))
                    .unwrap_or_default()
            ),
        };
        let _ = self.out.write_all(text.as_bytes());
    }

    /// Records one fact of `up --json`.
    fn record(&mut self, key: &str, value: serde_json::Value) {
        if let Some(r) = self.record.as_deref_mut() {
            r.insert(key.to_owned(), value);
        }
    }

    async fn confirm(&mut self, question: &str) -> Result<bool, Failure> {
        self.prompt
            .confirm(question)
            .await
            .map_err(|e| Failure::refused(e.to_string(), "nothing was changed"))
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
            self.checkpoint.set(Stage::Waiting);
            self.watch(&mut seen, 0).await?;
            self.checkpoint.set(Stage::Preparing);
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
                    if !self
                        .confirm(&format!(
                            "Continue the rollback of stack {} (CloudFormation ContinueUpdateRollback)?",
                            self.stack
                        ))
                        .await?
                    {
                        return Err(Failure::refused(
                            "cancelled; nothing was changed",
                            "fix the cause above (e.g. a resource changed outside CloudFormation), then run `c2cfn up` again",
                        ));
                    }
                    let mut seen = events::baseline(self.cfn, self.stack).await;
                    self.checkpoint.set(Stage::Running);
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

    fn failed(&mut self, watched: &Watched) -> Failure {
        let causes: Vec<serde_json::Value> = events::root_cause(&watched.events)
            .iter()
            .map(|e| {
                serde_json::json!({
                    "logical_id": e.logical_id,
                    "type": e.resource_type,
                    "status": e.status,
                    "reason": e.reason,
                })
            })
            .collect();
        self.record(
            "result",
            serde_json::json!({
                "status": watched.status,
                "reason": watched.reason,
                "root_cause": causes,
            }),
        );
        Failure {
            message: format!(
                "the stack operation failed\n{}",
                events::failure_report(self.stack, watched, self.display.style)
            ),
            hint: Some(format!(
                "fix the cause above and run `c2cfn up` again; `c2cfn ps` shows stack {}",
                self.stack
            )),
            stop: Stop::Failed,
        }
    }

    async fn discard(&mut self, id: &str, kind: ChangeSetType) {
        let _ = self.cfn.delete_change_set(self.stack, id).await;
        if kind == ChangeSetType::Create {
            // The empty REVIEW_IN_PROGRESS stack CreateChangeSet made.
            let _ = self.cfn.delete_stack(self.stack).await;
        }
        self.checkpoint.set(Stage::Preparing);
    }

    /// `c2cfn up` (`execute`) or `c2cfn diff` (`!execute`).
    pub async fn run(
        &mut self,
        template: &str,
        parameters: &[(String, String)],
        execute: bool,
    ) -> Result<Outcome, Failure> {
        self.run_adopting(template, parameters, execute, &[]).await
    }

    /// [`Self::run`], importing `adoptions` (found by [`adopt::detect`])
    /// first: they show as `import` lines in the preview, and after the
    /// confirmation an IMPORT change set brings them into the stack before
    /// the normal change set runs.
    pub async fn run_adopting(
        &mut self,
        template: &str,
        parameters: &[(String, String)],
        execute: bool,
        adoptions: &[Adoption],
    ) -> Result<Outcome, Failure> {
        let kind = match self.target(execute).await? {
            Target::Recreate if !execute => {
                let line = "c2cfn up would delete this failed stack and create it again.";
                self.say(line);
                match self.options.format {
                    Format::Text => {}
                    Format::Markdown => {
                        let _ = writeln!(self.out, "⚠️ **{}** {line}", self.stack);
                    }
                    Format::Json => self.present("recreate", &empty()),
                }
                return Ok(Outcome::WouldChange);
            }
            Target::Recreate => {
                if !self
                    .confirm(&format!(
                        "Stack {} failed to create and holds nothing usable. Delete it and create it again?",
                        self.stack
                    ))
                    .await?
                {
                    return Err(Failure::refused(
                        "cancelled; nothing was changed",
                        "a stack in ROLLBACK_COMPLETE can only be deleted; `c2cfn down` deletes it",
                    ));
                }
                let mut seen = events::baseline(self.cfn, self.stack).await;
                self.checkpoint.set(Stage::Running);
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
            imports: Vec::new(),
            previous_parameters: Vec::new(),
        };
        let (id, mut changes) =
            match change_set::create(self.cfn, &request, self.display.poll).await? {
                Prepared::NoChanges => {
                    self.say(&format!("No changes: stack {} is up to date.", self.stack));
                    self.present("none", &empty());
                    if self.record.is_some() {
                        let ctx = preview::context(self.stack, "none", 0);
                        self.record("plan", preview::json(self.stack, "none", &empty(), &ctx));
                        self.record("result", serde_json::json!({"status": "no_changes"}));
                    }
                    return Ok(Outcome::NoChanges);
                }
                Prepared::Ready { id, changes } => (id, changes),
            };
        self.checkpoint.set(Stage::ChangeSet {
            id: id.clone(),
            new_stack: kind == ChangeSetType::Create,
        });
        // An adopted resource shows as an `add` in the change set; it is an
        // import instead.
        changes.retain(|c| {
            !(c.action == Action::Add && adoptions.iter().any(|a| a.logical_id == c.logical_id))
        });
        let style = self.display.style;
        let verb = if kind == ChangeSetType::Create {
            "create"
        } else {
            "update"
        };
        let report = live_review::report(&changes, adoptions, old_view.as_ref(), &new_view);
        let ctx = preview::context(self.stack, verb, changes.len() + adoptions.len());
        for line in preview::lines(&report, &ctx, style, self.display.width) {
            self.say(&line);
        }
        if self.record.is_some() {
            let plan = preview::json(self.stack, verb, &report, &ctx);
            self.record("plan", plan);
            self.record("imports", adopt::json(adoptions));
        }
        if let Some((old_text, _)) = &deployed {
            match preview::template_diff(old_text, template, style) {
                Some(diff) => {
                    self.say(&style.bold("Template diff (deployed -> new):"));
                    if self.options.format == Format::Text {
                        let _ = write!(self.out, "{diff}");
                    }
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
        if !execute {
            // The Markdown comes before the guard's verdict, so that a
            // pull request shows what the guard refuses.
            if self.options.format == Format::Markdown {
                self.present(verb, &report);
            }
            let data_loss = self.options.fail_on_data_loss && !report.data_loss.is_empty();
            let security = self.options.fail_on_security && !report.security.is_empty();
            if data_loss || security {
                if self.options.format == Format::Json {
                    self.present(verb, &report);
                }
                self.discard(&id, kind).await;
                return Ok(Outcome::Findings {
                    data_loss,
                    security,
                });
            }
        }
        if let Err(f) = self.guard(&report, old_view.as_ref()) {
            self.discard(&id, kind).await;
            return Err(f);
        }
        if !execute {
            self.discard(&id, kind).await;
            if self.options.format == Format::Json {
                self.present(verb, &report);
            }
            return Ok(Outcome::WouldChange);
        }
        let question = format!("Apply these changes to stack {}?", self.stack);
        match self.confirm(&question).await {
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
        if adoptions.is_empty() {
            return self.execute(&id, changes.len()).await;
        }
        // The change set above was the preview; the import goes first, then
        // the same template as an update of the stack that now holds the
        // adopted resources.
        self.discard(&id, kind).await;
        let started = Instant::now();
        let imported = self
            .import(deployed.as_ref().map(|(t, i)| (t.as_str(), i)), adoptions)
            .await?;
        let update = NewChangeSet {
            name: format!("{}-update", request.name),
            kind: ChangeSetType::Update,
            ..request
        };
        let after_import = TemplateView::parse(
            &imported,
            deployed
                .as_ref()
                .map(|(_, i)| i.parameters.iter().cloned().collect())
                .unwrap_or_default(),
        );
        let (id, changes) = match change_set::create(self.cfn, &update, self.display.poll).await? {
            Prepared::NoChanges => {
                self.say(&format!(
                    "Stack {}: imported {} in {}s; nothing else to change.",
                    self.stack,
                    adopt::summary(adoptions),
                    started.elapsed().as_secs()
                ));
                self.record(
                    "result",
                    serde_json::json!({
                        "status": "IMPORT_COMPLETE",
                        "seconds": started.elapsed().as_secs(),
                        "outputs": {},
                    }),
                );
                return Ok(Outcome::Deployed);
            }
            Prepared::Ready { id, changes } => (id, changes),
        };
        let report = live_review::report(&changes, &[], after_import.as_ref(), &new_view);
        if let Err(f) = self.guard(&report, after_import.as_ref()) {
            let _ = self.cfn.delete_change_set(self.stack, &id).await;
            return Err(f);
        }
        self.execute(&id, changes.len()).await
    }

    /// The data-loss guard's verdict on a change set.
    fn guard(&mut self, report: &Report, old: Option<&TemplateView>) -> Result<(), Failure> {
        let findings = guard::check(report, old);
        if findings.is_empty() {
            return Ok(());
        }
        let mut msg = String::from("this change would lose data:");
        for f in &findings {
            let _ = write!(
                msg,
                "\n  {} ({}) would be {}",
                f.logical_id, f.resource_type, f.what
            );
        }
        let replaced_table = findings
            .iter()
            .any(|f| f.resource_type == "AWS::DynamoDB::Table" && f.what.starts_with("replaced"));
        if !self.options.allow_data_loss {
            let hint = if replaced_table {
                "CloudFormation cannot replace a table that has a name, so --allow-data-loss cannot help here: keep the key as deployed, or declare the new key under another table name (the old table stays) and copy the items with `c2cfn copy-table` (docs/deploy.md, \"Changing a table's key\")"
            } else {
                "keep the identity of stateful resources as deployed, or back the data up and pass --allow-data-loss"
            };
            return Err(Failure::refused(
                format!("refused: {msg}\nNothing was changed (the change set was deleted)."),
                hint,
            ));
        }
        let style = self.display.style;
        self.say(&style.red_bold(&format!("WARNING: {msg} (--allow-data-loss given)")));
        Ok(())
    }

    /// The IMPORT change set: the deployed template (or none) plus the
    /// adopted resources as they are; returns the template it deployed.
    async fn import(
        &mut self,
        deployed: Option<(&str, &StackInfo)>,
        adoptions: &[Adoption],
    ) -> Result<String, Failure> {
        let base = match deployed {
            Some((text, _)) => Some(
                TemplateView::parse(text, BTreeMap::new())
                    .ok_or_else(|| {
                        Failure::refused(
                            "cannot read the deployed template to add the imported resources to it",
                            "nothing was changed; `aws cloudformation get-template` shows it",
                        )
                    })?
                    .template,
            ),
            None => None,
        };
        let template = adopt::import_template(base.as_ref(), adoptions);
        let body = serde_json::to_string_pretty(&template).unwrap_or_default();
        let request = NewChangeSet {
            stack: self.stack.to_owned(),
            name: format!(
                "c2cfn-import-{}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
            ),
            template_body: body.clone(),
            template_url: None,
            parameters: Vec::new(),
            kind: ChangeSetType::Import,
            imports: adoptions.iter().map(Adoption::to_import).collect(),
            previous_parameters: deployed
                .map(|(_, info)| info.parameters.iter().map(|(k, _)| k.clone()).collect())
                .unwrap_or_default(),
        };
        let prepared = change_set::create(self.cfn, &request, self.display.poll).await;
        let id = match prepared {
            Ok(Prepared::Ready { id, .. }) => id,
            Ok(Prepared::NoChanges) | Err(_) => {
                if deployed.is_none() {
                    // The empty REVIEW_IN_PROGRESS stack CreateChangeSet made.
                    let _ = self.cfn.delete_stack(self.stack).await;
                }
                return Err(match prepared {
                    Err(f) => Failure {
                        message: format!("the import was refused: {}", f.message),
                        ..f
                    },
                    _ => Failure::refused(
                        "CloudFormation found nothing to import",
                        "run `c2cfn up` again; `c2cfn ps` shows the stack",
                    ),
                });
            }
        };
        let mut seen = events::baseline(self.cfn, self.stack).await;
        self.cfn
            .execute_change_set(self.stack, &id)
            .await
            .map_err(|e| Failure::api("cannot execute the import change set", &e))?;
        self.say(&format!(
            "Importing {} into stack {} (IMPORT change set).",
            adopt::summary(adoptions),
            self.stack
        ));
        let watched = self.watch(&mut seen, adoptions.len()).await?;
        if !events::is_success(&watched.status) {
            return Err(self.failed(&watched));
        }
        self.say(&format!(
            "Stack {}: {}; now applying the rest.",
            self.stack,
            self.display.style.status(&watched.status)
        ));
        Ok(body)
    }

    /// Executes a change set, watches it, and reports the result.
    async fn execute(&mut self, id: &str, count: usize) -> Result<Outcome, Failure> {
        let style = self.display.style;
        let mut seen = events::baseline(self.cfn, self.stack).await;
        let started = Instant::now();
        self.checkpoint.set(Stage::Running);
        self.cfn
            .execute_change_set(self.stack, id)
            .await
            .map_err(|e| Failure::api("cannot execute the change set", &e))?;
        self.say(&format!(
            "Executing change set on stack {} (Ctrl-C stops watching; the deployment goes on).",
            self.stack
        ));
        let watched = self.watch(&mut seen, count).await?;
        if !events::is_success(&watched.status) {
            return Err(self.failed(&watched));
        }
        self.say(&format!(
            "Stack {}: {} in {}s.",
            self.stack,
            style.status(&watched.status),
            started.elapsed().as_secs()
        ));
        let mut outputs = serde_json::Map::new();
        if let Ok(Some(info)) = self.cfn.describe_stack(self.stack).await {
            for o in &info.outputs {
                // Whole, never wrapped: a value (URL, DNS name) is copied.
                let _ = writeln!(self.out, "  {} = {}", o.key, o.value);
                outputs.insert(o.key.clone(), o.value.clone().into());
            }
        }
        self.record(
            "result",
            serde_json::json!({
                "status": watched.status,
                "seconds": started.elapsed().as_secs(),
                "outputs": outputs,
            }),
        );
        Ok(Outcome::Deployed)
    }
}

/// The review of no change.
fn empty() -> Report {
    live_review::report(&[], &[], None, &TemplateView::default())
}
