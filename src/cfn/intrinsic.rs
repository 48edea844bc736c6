//! CloudFormation intrinsic functions as JSON values.
//!
//! Docker's templates used the long form (`Ref: X`, `Fn::GetAtt: [X, Attr]`);
//! c2cfn keeps it so templates diff cleanly against Docker's.

use serde_json::{Value, json};

/// `{"Ref": name}`.
#[must_use]
pub fn reference(name: &str) -> Value {
    json!({ "Ref": name })
}

/// `{"Fn::GetAtt": [resource, attribute]}`.
#[must_use]
pub fn get_att(resource: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [resource, attribute] })
}

/// `{"Fn::Sub": text}`.
#[must_use]
pub fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

/// `{"Fn::Join": [sep, parts]}`.
#[must_use]
pub fn join(separator: &str, parts: Vec<Value>) -> Value {
    json!({ "Fn::Join": [separator, parts] })
}

/// `{"Fn::If": [condition, then, else]}`.
#[must_use]
pub fn if_(condition: &str, then: Value, otherwise: Value) -> Value {
    json!({ "Fn::If": [condition, then, otherwise] })
}

/// `{"Ref": "AWS::NoValue"}`.
#[must_use]
pub fn no_value() -> Value {
    reference("AWS::NoValue")
}

/// `[{Key, Value}, ...]` tags in the given order.
#[must_use]
pub fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect(),
    )
}
