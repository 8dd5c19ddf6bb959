//! Reading a document's head (apiVersion, kind, metadata.name, annotations)
//! with the exact leniency and strictness of Helm's `SimpleHead`.
//!
//! Helm unmarshals every document into
//! `struct { apiVersion string; kind string; metadata *struct { name string;
//! annotations map[string]string } }` through sigs.k8s.io/yaml, which
//! converts YAML to JSON and then runs Go's `encoding/json`. That pipeline
//! decides which documents are errors, so it is reproduced here on the
//! parsed [`Value`]:
//!
//! * a scalar number or boolean where a string is expected is turned into
//!   its string form (sigs.k8s.io/yaml does this when the target is a
//!   string), so `helm.sh/hook-weight: 5` is fine;
//! * a list or map where a string is expected, or a top-level document that
//!   is not a map (or null), is an error worded like Go's
//!   `UnmarshalTypeError`;
//! * JSON object keys reach the decoder sorted (Go's `json.Marshal` sorts map
//!   keys) and match struct fields case-insensitively, so `Kind:` counts as
//!   `kind:` and, among spellings of one field, the last in byte order wins;
//! * the first type error in that key order is the one reported.

use crate::value::Value;
use indexmap::IndexMap;

/// What Helm reads from a document to sort it and detect hooks.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Head {
    /// `apiVersion`, stringified like Helm.
    pub api_version: String,
    /// `kind`, stringified like Helm.
    pub kind: String,
    /// `metadata.name`, stringified like Helm.
    pub name: String,
    /// `metadata.annotations` (string values; null values become "").
    pub annotations: IndexMap<String, String>,
}

/// Go's `encoding/json` name for the JSON type of a value.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::DocInt(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

/// Case folding the way `encoding/json` matches field names: simple Unicode
/// folding, which for our ASCII field names means ASCII case plus the two
/// non-ASCII letters that fold onto ASCII ones (ſ → s, Kelvin sign → k).
fn folds_to(key: &str, field: &str) -> bool {
    let mut k = key.chars().map(|c| match c {
        '\u{17f}' => 's',
        '\u{212a}' => 'k',
        c => c.to_ascii_lowercase(),
    });
    let mut f = field.chars().map(|c| c.to_ascii_lowercase());
    loop {
        match (k.next(), f.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// The keys of a map in the order Go's JSON decoder would see them.
fn sorted_entries(m: &crate::value::Map) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = m.iter().collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    entries
}

/// Decodes a value into a Go `string` field: `Ok(None)` leaves the field
/// unchanged (JSON null), `Err` is the Go error text.
fn string_field(v: &Value, field: &str) -> Result<Option<String>, String> {
    Ok(Some(match v {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::DocInt(i) => i.to_string(),
        Value::Float(f) => crate::yaml::format_go_float32(*f),
        Value::Seq(_) | Value::Map(_) => {
            return Err(format!(
                "json: cannot unmarshal {} into Go struct field {field} of type string",
                json_type(v)
            ));
        }
    }))
}

/// Stores a decoded string field; JSON null leaves the field as it was.
fn assign(slot: &mut String, decoded: Result<Option<String>, String>) -> Result<(), String> {
    if let Some(s) = decoded? {
        *slot = s;
    }
    Ok(())
}

/// Records the first error, like Go's decoder `saveError`.
fn keep_first(slot: &mut Option<String>, r: Result<(), String>) {
    if let Err(e) = r
        && slot.is_none()
    {
        *slot = Some(e);
    }
}

/// The Go type text of SimpleHead's anonymous metadata struct, as Go's
/// `reflect.Type.String()` prints it inside an `UnmarshalTypeError`.
const METADATA_TYPE: &str = "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }";

/// Reads a document's head the way Helm does, or returns Go's error text.
pub(crate) fn read_head(node: &Value) -> Result<Head, String> {
    let mut head = Head::default();
    let map = match node {
        Value::Null => return Ok(head),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type util.SimpleHead",
                json_type(other)
            ));
        }
    };
    let mut error = None;
    for (key, value) in sorted_entries(map) {
        if folds_to(key, "apiVersion") {
            let r = string_field(value, "SimpleHead.apiVersion");
            keep_first(&mut error, assign(&mut head.api_version, r));
        } else if folds_to(key, "kind") {
            let r = string_field(value, "SimpleHead.kind");
            keep_first(&mut error, assign(&mut head.kind, r));
        } else if folds_to(key, "metadata") {
            keep_first(&mut error, read_metadata(value, &mut head));
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(head),
    }
}

fn read_metadata(value: &Value, head: &mut Head) -> Result<(), String> {
    let map = match value {
        // JSON null sets the pointer back to nil.
        Value::Null => {
            head.name.clear();
            head.annotations.clear();
            return Ok(());
        }
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go struct field SimpleHead.metadata of type {METADATA_TYPE}",
                json_type(other)
            ));
        }
    };
    let mut error = None;
    for (key, value) in sorted_entries(map) {
        if folds_to(key, "name") {
            // The metadata struct is anonymous, so Go names the field
            // `.metadata.name` with an empty struct name.
            let r = string_field(value, ".metadata.name");
            keep_first(&mut error, assign(&mut head.name, r));
        } else if folds_to(key, "annotations") {
            keep_first(&mut error, read_annotations(value, head));
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn read_annotations(value: &Value, head: &mut Head) -> Result<(), String> {
    let map = match value {
        Value::Null => {
            head.annotations.clear();
            return Ok(());
        }
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go struct field .metadata.annotations of type map[string]string",
                json_type(other)
            ));
        }
    };
    let mut error = None;
    for (key, value) in sorted_entries(map) {
        let r = string_field(value, ".metadata.annotations");
        keep_first(
            &mut error,
            r.map(|s| {
                head.annotations.insert(key.clone(), s.unwrap_or_default());
            }),
        );
    }
    match error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_document;

    fn head(src: &str) -> Result<Head, String> {
        read_head(&parse_document(src).unwrap())
    }

    #[test]
    fn reads_the_fields() {
        let h = head("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    a: b\n").unwrap();
        assert_eq!(h.api_version, "apps/v1");
        assert_eq!(h.kind, "Deployment");
        assert_eq!(h.name, "d");
        assert_eq!(h.annotations["a"], "b");
    }

    #[test]
    fn scalars_become_strings() {
        let h = head("kind: 100000000\nmetadata:\n  name: 1e7\n  annotations:\n    w: 5\n    flag: true\n    nothing:\n").unwrap();
        assert_eq!(h.kind, "100000000");
        assert_eq!(h.name, "1e+07");
        assert_eq!(h.annotations["w"], "5");
        assert_eq!(h.annotations["flag"], "true");
        assert_eq!(h.annotations["nothing"], "");
    }

    #[test]
    fn field_names_fold_case_and_last_sorted_spelling_wins() {
        let h = head("Kind: A\nkind: B\nKIND: C\n").unwrap();
        // Sorted: KIND, Kind, kind → kind (B) is decoded last.
        assert_eq!(h.kind, "B");
    }

    #[test]
    fn type_errors_are_worded_like_go() {
        assert_eq!(
            head("- a\n").unwrap_err(),
            "json: cannot unmarshal array into Go value of type util.SimpleHead"
        );
        assert_eq!(
            head("foo\n").unwrap_err(),
            "json: cannot unmarshal string into Go value of type util.SimpleHead"
        );
        assert_eq!(
            head("kind: [a]\n").unwrap_err(),
            "json: cannot unmarshal array into Go struct field SimpleHead.kind of type string"
        );
        assert_eq!(
            head("metadata:\n  name: {a: 1}\n").unwrap_err(),
            "json: cannot unmarshal object into Go struct field .metadata.name of type string"
        );
        assert_eq!(
            head("metadata:\n  annotations:\n    a: [1]\n").unwrap_err(),
            "json: cannot unmarshal array into Go struct field .metadata.annotations of type string"
        );
        assert_eq!(
            head("metadata:\n  annotations: 5\n").unwrap_err(),
            "json: cannot unmarshal number into Go struct field .metadata.annotations of type map[string]string"
        );
        assert!(
            head("metadata: 5\n")
                .unwrap_err()
                .starts_with("json: cannot unmarshal number into Go struct field SimpleHead.metadata of type struct { Name string \"json:\\\"name\\\"\";")
        );
    }

    #[test]
    fn first_error_in_sorted_key_order_wins() {
        assert_eq!(
            head("kind: [a]\napiVersion: [b]\n").unwrap_err(),
            "json: cannot unmarshal array into Go struct field SimpleHead.apiVersion of type string"
        );
    }

    #[test]
    fn null_and_comment_documents_are_empty_heads() {
        assert_eq!(head("# just a comment").unwrap(), Head::default());
        assert_eq!(head("---").unwrap(), Head::default());
    }
}
