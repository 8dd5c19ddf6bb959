//! A go-yaml v2 compatible emitter.

use crate::value::Value;

/// Serializes a value the way Helm's `toYaml` (sigs.k8s.io/yaml.Marshal)
/// does, including the trailing newline.
pub fn to_yaml(value: &Value) -> String {
    // Placeholder until the go-yaml v2 writer lands: JSON is valid YAML.
    let mut s = serde_json::to_string_pretty(&value.to_json()).unwrap_or_default();
    s.push('\n');
    s
}
