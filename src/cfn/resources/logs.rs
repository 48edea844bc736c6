//! The project's log group.

use serde_json::{Map, Value};

use crate::cfn::names::{LOG_GROUP_ID, log_group};
use crate::cfn::{Resource, Template};
use crate::model::Stack;

/// `LogGroup` named `/docker-compose/<project>` as Docker named it.
pub fn emit(stack: &Stack, template: &mut Template) {
    let mut props = Map::new();
    props.insert(
        "LogGroupName".into(),
        Value::from(log_group(&stack.project)),
    );
    if let Some(days) = stack.log_retention {
        props.insert("RetentionInDays".into(), Value::from(days));
    }
    template.add(
        LOG_GROUP_ID,
        Resource::new("AWS::Logs::LogGroup", Value::Object(props)),
    );
}
