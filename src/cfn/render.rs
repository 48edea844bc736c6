//! Template value → text. YAML (the default, what teams commit) or JSON.
//! Both are deterministic: keys are sorted, and the YAML emitter quotes any
//! string that would otherwise read back as another type.

use serde_json::Value;

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
    let mut text = match format {
        // Serialising a `serde_json::Value` cannot fail: every key is a string.
        Format::Yaml => serde_norway::to_string(value).unwrap_or_default(),
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_default(),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
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
}
