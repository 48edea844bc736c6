//! The `x-aws-cloudformation` overlay, merged into the rendered template
//! with Docker's semantics: mappings merge key by key, recursively; any other
//! value (scalar or list) replaces what was generated; `null` removes the key
//! (at `Resources.<Id>` it removes the resource).

use serde_json::Value;

/// Merges `overlay` into `base` in place.
pub fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                if value.is_null() {
                    base.remove(key);
                } else if let Some(existing) = base.get_mut(key) {
                    merge(existing, value);
                } else {
                    base.insert(key.clone(), strip_nulls(value));
                }
            }
        }
        (base, overlay) => *base = strip_nulls(overlay),
    }
}

/// A new subtree from the overlay: nulls inside it mean "absent".
fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn case(base: Value, overlay: Value, expected: Value) {
        let mut merged = base;
        merge(&mut merged, &overlay);
        assert_eq!(merged, expected);
    }

    #[test]
    fn maps_merge_recursively() {
        case(
            json!({"Resources": {"L": {"Type": "X", "Properties": {"Port": 80, "Protocol": "TCP"}}}}),
            json!({"Resources": {"L": {"Properties": {"Port": 443, "Protocol": "TLS", "Certificates": [{"CertificateArn": "arn"}]}}}}),
            json!({"Resources": {"L": {"Type": "X", "Properties": {"Port": 443, "Protocol": "TLS", "Certificates": [{"CertificateArn": "arn"}]}}}}),
        );
    }

    #[test]
    fn lists_and_scalars_replace() {
        case(
            json!({"a": [1, 2], "b": "x"}),
            json!({"a": [3], "b": 1}),
            json!({"a": [3], "b": 1}),
        );
        case(json!({"a": {"x": 1}}), json!({"a": [1]}), json!({"a": [1]}));
    }

    #[test]
    fn null_removes() {
        case(
            json!({"Resources": {"A": {"Type": "T"}, "B": {"Type": "U"}}}),
            json!({"Resources": {"A": null, "C": {"Type": "V", "Properties": {"Gone": null, "Kept": 1}}}}),
            json!({"Resources": {"B": {"Type": "U"}, "C": {"Type": "V", "Properties": {"Kept": 1}}}}),
        );
        case(json!({"a": 1}), json!({"missing": null}), json!({"a": 1}));
    }
}
