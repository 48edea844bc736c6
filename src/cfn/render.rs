//! Template value → text. YAML (the default, what teams commit) or JSON.
//! Both are deterministic: keys are sorted, and the YAML emitter quotes any
//! string that would otherwise read back as another type.
//!
//! A template (a value with `Resources`) is written in the order a person
//! would write it: the sections as CloudFormation documents them
//! (`AWSTemplateFormatVersion`, `Description`, `Metadata`, `Parameters`,
//! `Mappings`, `Conditions`, `Resources`, `Outputs`), and in each resource
//! `Type`, `Condition`, `DependsOn`, the deletion policies, `Metadata`, then
//! `Properties`. Everything below those levels stays sorted.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// Output format of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// YAML.
    #[default]
    Yaml,
    /// JSON, pretty-printed.
    Json,
}

/// Renders a template value; always ends with a newline.
#[must_use]
pub fn render(value: &Value, format: Format) -> String {
    let is_template = value.get("Resources").is_some_and(Value::is_object);
    let ordered = Ordered {
        value,
        level: if is_template {
            Level::Template
        } else {
            Level::Sorted
        },
    };
    let mut text = match format {
        // Serialising a `serde_json::Value` cannot fail: every key is a string.
        Format::Yaml => serde_norway::to_string(&ordered).unwrap_or_default(),
        Format::Json => serde_json::to_string_pretty(&ordered).unwrap_or_default(),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The template sections, in CloudFormation's documented order.
pub(crate) const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Transform",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];

/// A resource's attributes: what it is and how CloudFormation treats it
/// first, its configuration last (other attributes, such as
/// `CreationPolicy`, sort between the two).
const RESOURCE_KEYS: &[&str] = &[
    "Type",
    "Condition",
    "DependsOn",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
];

#[derive(Clone, Copy)]
enum Level {
    Template,
    Resources,
    Resource,
    Sorted,
}

/// A value written with the key order of its level.
struct Ordered<'a> {
    value: &'a Value,
    level: Level,
}

/// `map`'s keys: those of `first` in that order, then the rest sorted, with
/// `last` (when present) at the end.
fn key_order<'a>(map: &'a Map<String, Value>, first: &[&str], last: Option<&str>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = first
        .iter()
        .filter_map(|k| map.get_key_value(*k).map(|(k, _)| k.as_str()))
        .collect();
    keys.extend(
        map.keys()
            .map(String::as_str)
            .filter(|k| !first.contains(k) && Some(*k) != last),
    );
    if let Some((k, _)) = last.and_then(|l| map.get_key_value(l)) {
        keys.push(k);
    }
    keys
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(map) = self.value else {
            return self.value.serialize(serializer);
        };
        let (keys, child) = match self.level {
            Level::Sorted => return self.value.serialize(serializer),
            Level::Template => (key_order(map, SECTIONS, None), Level::Sorted),
            Level::Resources => (map.keys().map(String::as_str).collect(), Level::Resource),
            Level::Resource => (
                key_order(map, RESOURCE_KEYS, Some("Properties")),
                Level::Sorted,
            ),
        };
        let mut out = serializer.serialize_map(Some(keys.len()))?;
        for key in keys {
            let level = match (self.level, key) {
                (Level::Template, "Resources") => Level::Resources,
                _ => child,
            };
            out.serialize_entry(
                key,
                &Ordered {
                    value: &map[key],
                    level,
                },
            )?;
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_quotes_ambiguous_strings() {
        let text = render(
            &json!({"A": "2010-09-09", "B": "-1", "C": "256", "D": "true", "E": 256, "F": "1.4.0", "G": "\"x\" y"}),
            Format::Yaml,
        );
        insta::assert_snapshot!(text, @r#"
        A: 2010-09-09
        B: '-1'
        C: '256'
        D: 'true'
        E: 256
        F: 1.4.0
        G: '"x" y'
        "#);
    }

    #[test]
    fn resources_read_type_first_and_properties_last() {
        let template = json!({
            "Resources": {"B": {"Properties": {"Z": 1, "A": 2}, "Type": "T", "Metadata": {"c2cfn": {"service": "b"}},
                                "DependsOn": ["A"], "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                                "Condition": "C", "CreationPolicy": {}}},
            "Outputs": {"O": {"Value": 1}},
            "Parameters": {"P": {"Type": "String"}},
            "Description": "d",
            "AWSTemplateFormatVersion": "2010-09-09",
            "Conditions": {"C": true},
        });
        insta::assert_snapshot!(render(&template, Format::Yaml), @r"
        AWSTemplateFormatVersion: 2010-09-09
        Description: d
        Parameters:
          P:
            Type: String
        Conditions:
          C: true
        Resources:
          B:
            Type: T
            Condition: C
            DependsOn:
            - A
            DeletionPolicy: Retain
            UpdateReplacePolicy: Retain
            Metadata:
              c2cfn:
                service: b
            CreationPolicy: {}
            Properties:
              A: 2
              Z: 1
        Outputs:
          O:
            Value: 1
        ");
        let json_text = render(&template, Format::Json);
        assert!(json_text.find("\"Type\"").unwrap() < json_text.find("\"Properties\"").unwrap());
    }
}
