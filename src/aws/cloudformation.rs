//! CloudFormation: the [`CloudFormationApi`] trait over plain data (the
//! calls deploy and operate make: stacks, change sets, events, the deployed
//! template, the stack's resources) and its implementation over the SDK.

use aws_sdk_cloudformation::types as cfn;

use super::{ApiError, ApiResult, ErrorKind, sdk_error};

/// `CREATE` for a new stack, `UPDATE` for an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSetType {
    /// A new stack (or one left in `REVIEW_IN_PROGRESS`).
    Create,
    /// An existing stack.
    Update,
    /// Resources that exist outside CloudFormation are brought into a new
    /// or existing stack (see `adopt.rs`).
    Import,
}

/// One entry of an IMPORT change set's ResourcesToImport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceToImport {
    /// `AWS::DynamoDB::Table`, ...
    pub resource_type: String,
    /// Logical ID in the template.
    pub logical_id: String,
    /// Identifier properties and values (`TableName` = `game-players`).
    pub identifier: Vec<(String, String)>,
}

/// A change set to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChangeSet {
    /// Stack name.
    pub stack: String,
    /// Change set name.
    pub name: String,
    /// The template text.
    pub template_body: String,
    /// Where the same template was uploaded (S3), when it is too large to
    /// send inline; CloudFormation then reads it from there.
    pub template_url: Option<String>,
    /// Parameter values, by name.
    pub parameters: Vec<(String, String)>,
    /// CREATE, UPDATE or IMPORT.
    pub kind: ChangeSetType,
    /// IMPORT: the resources to import.
    pub imports: Vec<ResourceToImport>,
    /// Parameters passed with `UsePreviousValue` (an IMPORT into an
    /// existing stack keeps every value as deployed).
    pub previous_parameters: Vec<String>,
}

/// A stack as `DescribeStacks` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackInfo {
    /// Name.
    pub name: String,
    /// Stack ID (an ARN).
    pub id: String,
    /// `CREATE_COMPLETE`, `UPDATE_ROLLBACK_FAILED`, ...
    pub status: String,
    /// Why it is in that status, when CloudFormation says.
    pub reason: Option<String>,
    /// Outputs: key, value, description.
    pub outputs: Vec<StackOutput>,
    /// Parameter values (`****` for `NoEcho` ones).
    pub parameters: Vec<(String, String)>,
}

/// One stack output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackOutput {
    /// Output key.
    pub key: String,
    /// Its value.
    pub value: String,
    /// Its description.
    pub description: Option<String>,
}

/// What a change does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// A new resource.
    Add,
    /// An update in place (or a replacement, see [`Replacement`]).
    Modify,
    /// The resource leaves the stack.
    Remove,
    /// Import, dynamic, or an action this version does not know.
    Other,
}

/// CloudFormation's `Replacement` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// `True`.
    True,
    /// `Conditional`.
    Conditional,
    /// `False`.
    False,
    /// Not reported (moto never reports it).
    Unknown,
}

/// One property-level detail of a change, when CloudFormation gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyChange {
    /// Property name (or path).
    pub name: String,
    /// `Always`, `Conditionally`, `Never`.
    pub requires_recreation: Option<String>,
    /// The value before, when reported.
    pub before: Option<String>,
    /// The value after, when reported.
    pub after: Option<String>,
}

/// One resource change of a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// Add, modify, remove.
    pub action: Action,
    /// Logical ID.
    pub logical_id: String,
    /// `AWS::DynamoDB::Table`, ...
    pub resource_type: String,
    /// Physical ID, for existing resources.
    pub physical_id: Option<String>,
    /// CloudFormation's verdict on replacement.
    pub replacement: Replacement,
    /// Property-level details.
    pub details: Vec<PropertyChange>,
}

/// A change set as `DescribeChangeSet` shows it (all pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetInfo {
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`, ...
    pub status: String,
    /// Why, when FAILED.
    pub reason: Option<String>,
    /// The changes.
    pub changes: Vec<ResourceChange>,
}

/// One stack event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEvent {
    /// Event ID (unique).
    pub id: String,
    /// Seconds since the Unix epoch.
    pub timestamp: i64,
    /// Logical ID (the stack's name for stack-level events).
    pub logical_id: String,
    /// Physical ID, when the resource has one.
    pub physical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Resource status (`CREATE_FAILED`, ...).
    pub status: String,
    /// The reason, when given.
    pub reason: Option<String>,
}

/// One resource of a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackResource {
    /// Logical ID (empty for the rows moto shows for types it skipped).
    pub logical_id: String,
    /// Physical ID.
    pub physical_id: String,
    /// Type.
    pub resource_type: String,
    /// Status.
    pub status: String,
}

/// The CloudFormation calls the deploy commands make.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait CloudFormationApi {
    /// `DescribeStacks` for one stack; `None` when it does not exist.
    async fn describe_stack(&self, stack: &str) -> ApiResult<Option<StackInfo>>;
    /// `CreateChangeSet` with CAPABILITY_IAM and CAPABILITY_NAMED_IAM; returns its ID.
    async fn create_change_set(&self, change_set: &NewChangeSet) -> ApiResult<String>;
    /// `DescribeChangeSet`, every page.
    async fn describe_change_set(&self, stack: &str, id: &str) -> ApiResult<ChangeSetInfo>;
    /// `ExecuteChangeSet`.
    async fn execute_change_set(&self, stack: &str, id: &str) -> ApiResult<()>;
    /// `DeleteChangeSet`.
    async fn delete_change_set(&self, stack: &str, id: &str) -> ApiResult<()>;
    /// `DescribeStackEvents`, newest first (the first page is enough: callers
    /// stop at the events they have seen).
    async fn describe_stack_events(&self, stack: &str) -> ApiResult<Vec<StackEvent>>;
    /// `GetTemplate` (the deployed template's text).
    async fn get_template(&self, stack: &str) -> ApiResult<String>;
    /// `ListStackResources`, every page.
    async fn list_stack_resources(&self, stack: &str) -> ApiResult<Vec<StackResource>>;
    /// `DeleteStack`.
    async fn delete_stack(&self, stack: &str) -> ApiResult<()>;
    /// `ContinueUpdateRollback`.
    async fn continue_update_rollback(&self, stack: &str) -> ApiResult<()>;
}

/// CloudFormation's errors: [`sdk_error`], and a missing stack is
/// [`ErrorKind::NotFound`]. CloudFormation has no error code of its own for
/// it (it answers `ValidationError` "Stack with id NAME does not exist"), so
/// this is the one place that reads a message.
fn error<E, R>(e: aws_sdk_cloudformation::error::SdkError<E, R>) -> ApiError
where
    E: aws_sdk_cloudformation::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let mut e = sdk_error(e);
    if e.kind == ErrorKind::Validation && e.message.ends_with("does not exist") {
        e.kind = ErrorKind::NotFound;
    }
    e
}

/// CloudFormation through the SDK.
#[derive(Debug, Clone)]
pub struct CloudFormation(pub(super) aws_sdk_cloudformation::Client);

impl CloudFormationApi for CloudFormation {
    async fn describe_stack(&self, stack: &str) -> ApiResult<Option<StackInfo>> {
        let out = match self.0.describe_stacks().stack_name(stack).send().await {
            Ok(o) => o,
            Err(e) => {
                let e = error(e);
                return if e.is_not_found() { Ok(None) } else { Err(e) };
            }
        };
        Ok(out.stacks().first().map(|s| StackInfo {
            name: s.stack_name().unwrap_or_default().to_owned(),
            id: s.stack_id().unwrap_or_default().to_owned(),
            status: s
                .stack_status()
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
            reason: s.stack_status_reason().map(str::to_owned),
            outputs: s
                .outputs()
                .iter()
                .map(|o| StackOutput {
                    key: o.output_key().unwrap_or_default().to_owned(),
                    value: o.output_value().unwrap_or_default().to_owned(),
                    description: o.description().map(str::to_owned),
                })
                .collect(),
            parameters: s
                .parameters()
                .iter()
                .map(|p| {
                    (
                        p.parameter_key().unwrap_or_default().to_owned(),
                        p.parameter_value().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
        }))
    }

    async fn create_change_set(&self, cs: &NewChangeSet) -> ApiResult<String> {
        let mut req = self
            .0
            .create_change_set()
            .stack_name(&cs.stack)
            .change_set_name(&cs.name)
            .set_template_body(cs.template_url.is_none().then(|| cs.template_body.clone()))
            .set_template_url(cs.template_url.clone())
            .change_set_type(match cs.kind {
                ChangeSetType::Create => cfn::ChangeSetType::Create,
                ChangeSetType::Update => cfn::ChangeSetType::Update,
                ChangeSetType::Import => cfn::ChangeSetType::Import,
            })
            .capabilities(cfn::Capability::CapabilityIam)
            .capabilities(cfn::Capability::CapabilityNamedIam)
            .description("created by c2cfn");
        for (k, v) in &cs.parameters {
            req = req.parameters(
                cfn::Parameter::builder()
                    .parameter_key(k)
                    .parameter_value(v)
                    .build(),
            );
        }
        for k in &cs.previous_parameters {
            req = req.parameters(
                cfn::Parameter::builder()
                    .parameter_key(k)
                    .use_previous_value(true)
                    .build(),
            );
        }
        for r in &cs.imports {
            let mut entry = cfn::ResourceToImport::builder()
                .resource_type(&r.resource_type)
                .logical_resource_id(&r.logical_id);
            for (k, v) in &r.identifier {
                entry = entry.resource_identifier(k, v);
            }
            req = req.resources_to_import(entry.build());
        }
        let out = req.send().await.map_err(error)?;
        Ok(out.id().unwrap_or(&cs.name).to_owned())
    }

    async fn describe_change_set(&self, stack: &str, id: &str) -> ApiResult<ChangeSetInfo> {
        let mut info = ChangeSetInfo {
            status: String::new(),
            reason: None,
            changes: Vec::new(),
        };
        let mut pages = self
            .0
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(id)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let out = page.map_err(error)?;
            info.status = out
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            info.reason = out.status_reason().map(str::to_owned);
            info.changes.extend(
                out.changes()
                    .iter()
                    .filter_map(|c| c.resource_change())
                    .map(resource_change),
            );
        }
        Ok(info)
    }

    async fn execute_change_set(&self, stack: &str, id: &str) -> ApiResult<()> {
        self.0
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(id)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn delete_change_set(&self, stack: &str, id: &str) -> ApiResult<()> {
        self.0
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(id)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn describe_stack_events(&self, stack: &str) -> ApiResult<Vec<StackEvent>> {
        let out = self
            .0
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .stack_events()
            .iter()
            .map(|e| StackEvent {
                id: e.event_id().unwrap_or_default().to_owned(),
                timestamp: e.timestamp().map_or(0, aws_smithy_types_secs),
                logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
                physical_id: e.physical_resource_id().unwrap_or_default().to_owned(),
                resource_type: e.resource_type().unwrap_or_default().to_owned(),
                status: e
                    .resource_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                reason: e.resource_status_reason().map(str::to_owned),
            })
            .collect())
    }

    async fn get_template(&self, stack: &str) -> ApiResult<String> {
        let out = self
            .0
            .get_template()
            .stack_name(stack)
            .send()
            .await
            .map_err(error)?;
        Ok(out.template_body().unwrap_or_default().to_owned())
    }

    async fn list_stack_resources(&self, stack: &str) -> ApiResult<Vec<StackResource>> {
        let pages = self
            .0
            .list_stack_resources()
            .stack_name(stack)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(error)?;
        Ok(pages
            .iter()
            .flat_map(aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesOutput::stack_resource_summaries)
            .map(|r| StackResource {
                logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
                physical_id: r.physical_resource_id().unwrap_or_default().to_owned(),
                resource_type: r.resource_type().unwrap_or_default().to_owned(),
                status: r
                    .resource_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
            })
            .collect())
    }

    async fn delete_stack(&self, stack: &str) -> ApiResult<()> {
        self.0
            .delete_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn continue_update_rollback(&self, stack: &str) -> ApiResult<()> {
        self.0
            .continue_update_rollback()
            .stack_name(stack)
            .send()
            .await
            .map_err(error)?;
        Ok(())
    }
}

fn aws_smithy_types_secs(t: &aws_sdk_cloudformation::primitives::DateTime) -> i64 {
    t.secs()
}

fn resource_change(r: &cfn::ResourceChange) -> ResourceChange {
    ResourceChange {
        action: match r.action() {
            Some(cfn::ChangeAction::Add) => Action::Add,
            Some(cfn::ChangeAction::Modify) => Action::Modify,
            Some(cfn::ChangeAction::Remove) => Action::Remove,
            _ => Action::Other,
        },
        logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
        resource_type: r.resource_type().unwrap_or_default().to_owned(),
        physical_id: r.physical_resource_id().map(str::to_owned),
        replacement: match r.replacement() {
            Some(cfn::Replacement::True) => Replacement::True,
            Some(cfn::Replacement::Conditional) => Replacement::Conditional,
            Some(cfn::Replacement::False) => Replacement::False,
            _ => Replacement::Unknown,
        },
        details: r
            .details()
            .iter()
            .filter_map(|d| d.target())
            .map(|t| PropertyChange {
                name: t.path().or(t.name()).unwrap_or_default().to_owned(),
                requires_recreation: t.requires_recreation().map(|x| x.as_str().to_owned()),
                before: t.before_value().map(str::to_owned),
                after: t.after_value().map(str::to_owned),
            })
            .collect(),
    }
}
