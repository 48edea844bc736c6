//! CloudFormation: [`CloudFormationApi`] over the SDK.

use aws_sdk_cloudformation::types as cfn;

use super::{ApiError, ApiResult, ErrorKind, sdk_error};
use crate::deploy::api::{
    Action, ChangeSetInfo, ChangeSetType, CloudFormationApi, NewChangeSet, PropertyChange,
    Replacement, ResourceChange, StackEvent, StackInfo, StackOutput, StackResource,
};

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
