//! The property-level difference of one resource between two templates:
//! a list of leaves that changed, each with its path (`ContainerDefinitions
//! [app].Image`), its value before and after.
//!
//! Lists of objects that carry a name (`Name`, `Key`, `AttributeName`, ...)
//! are matched by that name, so adding an environment variable shows as one
//! added entry rather than every later entry shifting. Intrinsic functions
//! (`Ref`, `Fn::GetAtt`, ...) are compared and shown whole.

use serde_json::{Map, Value};

/// One changed leaf.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Leaf {
    /// Path under `Properties` (or an attribute name such as `DeletionPolicy`).
    pub path: String,
    /// The value before (absent: added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The value after (absent: removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// Keys that name the entries of a list.
const NAME_KEYS: &[&str] = &[
    "Name",
    "Key",
    "AttributeName",
    "ContainerName",
    "PolicyName",
    "IndexName",
    "Sid",
];

/// Whether `v` is one intrinsic function call (`{"Ref": ...}`,
/// `{"Fn::...": ...}`), shown and compared as a whole.
#[must_use]
pub fn is_intrinsic(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.len() == 1
            && m.keys()
                .next()
                .is_some_and(|k| k == "Ref" || k.starts_with("Fn::") || k == "Condition")
    })
}

/// The name key shared by every entry of `list`, when each has a distinct
/// string value for it.
fn name_key(list: &[Value]) -> Option<&'static str> {
    NAME_KEYS.iter().copied().find(|key| {
        let names: Vec<&str> = list
            .iter()
            .filter_map(|v| v.get(*key).and_then(Value::as_str))
            .collect();
        names.len() == list.len() && {
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            sorted.len() == names.len()
        }
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The leaves that differ between `before` and `after` under `path`.
pub fn diff(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Leaf>) {
    match (before, after) {
        (None, None) => {}
        (Some(b), Some(a)) if b == a => {}
        (Some(Value::Object(b)), Some(Value::Object(a)))
            if !is_intrinsic(&Value::Object(b.clone()))
                && !is_intrinsic(&Value::Object(a.clone())) =>
        {
            diff_maps(path, b, a, out);
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) => diff_lists(path, b, a, out),
        (b, a) => out.push(Leaf {
            path: path.to_owned(),
            before: b.cloned(),
            after: a.cloned(),
        }),
    }
}

fn diff_maps(path: &str, b: &Map<String, Value>, a: &Map<String, Value>, out: &mut Vec<Leaf>) {
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        diff(&join(path, k), b.get(k), a.get(k), out);
    }
}

fn diff_lists(path: &str, b: &[Value], a: &[Value], out: &mut Vec<Leaf>) {
    if !b.is_empty()
        && !a.is_empty()
        && let (Some(kb), Some(ka)) = (name_key(b), name_key(a))
        && kb == ka
    {
        let name = |v: &Value| {
            v.get(kb)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let mut names: Vec<String> = b.iter().chain(a).map(name).collect();
        // Keep the order of first appearance (before, then new ones).
        let mut seen = std::collections::BTreeSet::new();
        names.retain(|n| seen.insert(n.clone()));
        for n in names {
            let find = |list: &[Value]| list.iter().find(|v| name(v) == n).cloned();
            diff(
                &format!("{path}[{n}]"),
                find(b).as_ref(),
                find(a).as_ref(),
                out,
            );
        }
        return;
    }
    if b.len() == a.len() {
        for (i, (x, y)) in b.iter().zip(a).enumerate() {
            diff(&format!("{path}[{i}]"), Some(x), Some(y), out);
        }
        return;
    }
    // Lists of different lengths (actions, ports, load balancers): what
    // left and what came.
    for gone in b.iter().filter(|v| !a.contains(v)) {
        out.push(Leaf {
            path: format!("{path}[-]"),
            before: Some(gone.clone()),
            after: None,
        });
    }
    for new in a.iter().filter(|v| !b.contains(v)) {
        out.push(Leaf {
            path: format!("{path}[+]"),
            before: None,
            after: Some(new.clone()),
        });
    }
}

/// The value at `path` (`A/B` as in the replacement table) under
/// `properties`.
#[must_use]
pub fn at<'a>(properties: Option<&'a Value>, path: &str) -> Option<&'a Value> {
    path.split('/')
        .try_fold(properties?, |v, segment| v.get(segment))
}

/// A short, one-line rendering of a value: scalars as written, intrinsics
/// in YAML's short form (`!Ref X`, `!GetAtt A.B`), anything else as
/// compact JSON; cut at `max` characters with `…`.
#[must_use]
pub fn show(v: &Value, max: usize) -> (String, bool) {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if is_intrinsic(v) => {
            let (k, arg) = m
                .iter()
                .next()
                .map(|(k, a)| (k.as_str(), a))
                .unwrap_or_default();
            let name = k.trim_start_matches("Fn::");
            match (name, arg) {
                ("GetAtt", Value::Array(parts)) => format!(
                    "!GetAtt {}",
                    parts
                        .iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(".")
                ),
                (_, Value::String(s)) => format!("!{name} {s}"),
                (_, other) => format!("!{name} {other}"),
            }
        }
        other => other.to_string(),
    };
    let count = text.chars().count();
    if count > max {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        (format!("{cut}…"), true)
    } else {
        (text, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaves(b: &Value, a: &Value) -> Vec<(String, Option<Value>, Option<Value>)> {
        let mut out = Vec::new();
        diff("", Some(b), Some(a), &mut out);
        out.into_iter()
            .map(|l| (l.path, l.before, l.after))
            .collect()
    }

    #[test]
    fn named_entries_are_matched_by_name() {
        let b = json!({"ContainerDefinitions": [{"Name": "app", "Image": "a:1", "Environment": [{"Name": "A", "Value": "1"}]}]});
        let a = json!({"ContainerDefinitions": [{"Name": "app", "Image": "a:2", "Environment": [{"Name": "B", "Value": "2"}, {"Name": "A", "Value": "1"}]}]});
        assert_eq!(
            leaves(&b, &a),
            vec![
                (
                    "ContainerDefinitions[app].Environment[B]".into(),
                    None,
                    Some(json!({"Name": "B", "Value": "2"}))
                ),
                (
                    "ContainerDefinitions[app].Image".into(),
                    Some(json!("a:1")),
                    Some(json!("a:2"))
                ),
            ]
        );
    }

    #[test]
    fn scalar_lists_show_what_left_and_what_came() {
        let b = json!({"Action": ["s3:GetObject"]});
        let a = json!({"Action": ["s3:GetObject", "s3:PutObject"]});
        assert_eq!(
            leaves(&b, &a),
            vec![("Action[+]".into(), None, Some(json!("s3:PutObject")))]
        );
    }

    #[test]
    fn intrinsics_are_whole_and_short() {
        let b = json!({"V": {"Ref": "A"}});
        let a = json!({"V": {"Fn::GetAtt": ["B", "Arn"]}});
        let l = leaves(&b, &a);
        assert_eq!(l.len(), 1);
        assert_eq!(show(l[0].1.as_ref().unwrap(), 80).0, "!Ref A");
        assert_eq!(show(l[0].2.as_ref().unwrap(), 80).0, "!GetAtt B.Arn");
        assert_eq!(show(&json!("abcdef"), 4), ("abc…".to_owned(), true));
    }
}
