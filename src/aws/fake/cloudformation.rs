//! The fake CloudFormation: a scripted stack, change set and events.

use std::cell::RefCell;
use std::collections::VecDeque;

use super::Calls;
use crate::aws::cloudformation::{
    ChangeSetInfo, CloudFormationApi, NewChangeSet, StackEvent, StackInfo, StackResource,
};
use crate::aws::{ApiError, ApiResult, ErrorKind};

/// What the scripted CloudFormation holds and answers.
#[derive(Debug, Default)]
pub struct State {
    pub stack: Option<StackInfo>,
    /// Statuses applied by successive `describe_stack` calls.
    pub statuses: VecDeque<String>,
    pub template: String,
    /// Errors returned by successive `create_change_set` calls.
    pub create_errors: VecDeque<ApiError>,
    pub change_set: Option<ChangeSetInfo>,
    /// Newest first.
    pub events: Vec<StackEvent>,
    /// Status and events (oldest first) after execute / continue-rollback.
    pub after_execute: Option<(String, Vec<StackEvent>)>,
    pub resources: Vec<StackResource>,
    /// `ListStackResources` answers that the stack does not exist.
    pub missing: bool,
    /// The changes made (`create_change_set Update`, `execute_change_set`, ...).
    pub calls: Vec<String>,
    /// Where `ListStackResources` is recorded (`resources STACK`), apart
    /// from `calls`; shared with the other fakes in [`Aws`].
    pub log: Calls,
    pub created: Vec<NewChangeSet>,
}

/// A scripted CloudFormation for the state-machine tests.
#[derive(Debug, Default)]
pub struct FakeCfn(pub RefCell<State>);

/// A stack named `game` in `status`.
#[must_use]
pub fn stack(status: &str) -> StackInfo {
    StackInfo {
        name: "game".into(),
        id: "arn:stack/game".into(),
        status: status.into(),
        ..StackInfo::default()
    }
}

/// Stack event number `n` (its timestamp too) of resource `id`.
pub fn event(n: u32, id: &str, status: &str, reason: Option<&str>) -> StackEvent {
    StackEvent {
        id: format!("e{n}"),
        timestamp: i64::from(n),
        logical_id: id.into(),
        physical_id: String::new(),
        resource_type: if id == "game" {
            "AWS::CloudFormation::Stack".into()
        } else {
            "AWS::ECS::Service".into()
        },
        status: status.into(),
        reason: reason.map(str::to_owned),
    }
}

impl FakeCfn {
    fn log(&self, call: &str) {
        self.0.borrow_mut().calls.push(call.to_owned());
    }
    /// The calls made, in order.
    pub fn calls(&self) -> Vec<String> {
        self.0.borrow().calls.clone()
    }
}

impl CloudFormationApi for FakeCfn {
    async fn describe_stack(&self, _: &str) -> ApiResult<Option<StackInfo>> {
        let mut s = self.0.borrow_mut();
        if let Some(status) = s.statuses.pop_front()
            && let Some(st) = s.stack.as_mut()
        {
            st.status = status;
        }
        Ok(s.stack.clone())
    }
    async fn create_change_set(&self, cs: &NewChangeSet) -> ApiResult<String> {
        self.log(&format!("create_change_set {:?}", cs.kind));
        let mut s = self.0.borrow_mut();
        s.created.push(cs.clone());
        if let Some(e) = s.create_errors.pop_front() {
            return Err(e);
        }
        if s.stack.is_none() {
            s.stack = Some(stack("REVIEW_IN_PROGRESS"));
        }
        Ok("cs-1".into())
    }
    async fn describe_change_set(&self, _: &str, _: &str) -> ApiResult<ChangeSetInfo> {
        self.0
            .borrow()
            .change_set
            .clone()
            .ok_or_else(|| ApiError::new("ChangeSetNotFound", "no change set"))
    }
    async fn execute_change_set(&self, _: &str, _: &str) -> ApiResult<()> {
        self.log("execute_change_set");
        self.apply_after();
        Ok(())
    }
    async fn delete_change_set(&self, _: &str, _: &str) -> ApiResult<()> {
        self.log("delete_change_set");
        Ok(())
    }
    async fn describe_stack_events(&self, _: &str) -> ApiResult<Vec<StackEvent>> {
        Ok(self.0.borrow().events.clone())
    }
    async fn get_template(&self, _: &str) -> ApiResult<String> {
        Ok(self.0.borrow().template.clone())
    }
    async fn list_stack_resources(&self, stack: &str) -> ApiResult<Vec<StackResource>> {
        let s = self.0.borrow();
        s.log.push(format!("resources {stack}"));
        if s.missing {
            return Err(ApiError::of_kind(
                ErrorKind::NotFound,
                "ValidationError",
                format!("Stack with id {stack} does not exist"),
            ));
        }
        Ok(s.resources.clone())
    }
    async fn delete_stack(&self, _: &str) -> ApiResult<()> {
        self.log("delete_stack");
        self.0.borrow_mut().stack = None;
        Ok(())
    }
    async fn continue_update_rollback(&self, _: &str) -> ApiResult<()> {
        self.log("continue_update_rollback");
        self.apply_after();
        Ok(())
    }
}

impl FakeCfn {
    fn apply_after(&self) {
        let mut s = self.0.borrow_mut();
        if let Some((status, events)) = s.after_execute.take() {
            for e in events {
                s.events.insert(0, e);
            }
            if let Some(st) = s.stack.as_mut() {
                st.status = status;
            }
        }
    }
}
