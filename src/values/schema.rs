//! `values.schema.json` validation, like Helm's `ValidateAgainstSchema`
//! (`pkg/chart/common/util/jsonschema.go`, v4.1.4).
//!
//! * The top chart's schema checks the final coalesced values; each
//!   (enabled) subchart's schema checks `values[<sub name>]`, recursively.
//!   A subchart without values is skipped; non-map values are reported.
//! * Draft: `$schema` when present, else 2020-12 (Helm's validator library
//!   defaults to its latest draft).
//! * `$ref`: nothing is ever fetched. Helm would download `http(s)` refs and
//!   read `file://` refs relative to `/`; we report those as errors instead,
//!   so a render never depends on the network or on files outside the
//!   chart. `urn:` refs follow Helm's rule: unresolved means an accept-all
//!   schema.
//! * Report shape: `<chart>:\n- at '<pointer>': <keyword>: <message>` per
//!   violation, all charts in one error. The messages are the `jsonschema`
//!   crate's, not Helm's library's, but every line names the values path
//!   and the violated keyword.

use super::ValuesError;
use crate::chart::Chart;
use crate::value::Value;
use jsonschema::{Retrieve, Uri};

/// The URI Helm registers the schema under; relative refs resolve against it.
const SCHEMA_URI: &str = "file:///values.schema.json";

/// Refuses every external document except `urn:` ones (accept-all, as Helm).
struct OfflineRetriever;

impl Retrieve for OfflineRetriever {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.scheme().as_str() == "urn" {
            return Ok(serde_json::Value::Bool(true));
        }
        Err(format!(
            "external schema {} is not fetched (skiff validates offline; inline the referenced schema into values.schema.json)",
            uri.as_str()
        )
        .into())
    }
}

/// Validates `values` against the chart's schema and, recursively, every
/// subchart's schema against its section of the values.
pub fn validate_schemas(chart: &Chart, values: &Value) -> Result<(), ValuesError> {
    let report = validate_chart(chart, values);
    if report.is_empty() {
        Ok(())
    } else {
        Err(ValuesError::Schema { report })
    }
}

/// Go's `ValidateAgainstSchema`: the report text for one chart and below.
fn validate_chart(chart: &Chart, values: &Value) -> String {
    let mut out = String::new();
    if let Some(schema) = &chart.schema
        && let Err(text) = validate_single(schema, values)
    {
        out.push_str(&format!("{}:\n{text}", chart.name()));
    }
    let map = values.as_map();
    for sub in &chart.dependencies {
        match map.and_then(|m| m.get(sub.name())) {
            None | Some(Value::Null) => {}
            Some(v @ Value::Map(_)) => out.push_str(&validate_chart(sub, v)),
            Some(other) => out.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                super::strvals::go_type_name(other)
            )),
        }
    }
    out
}

/// One schema against one values map: `Err` holds the violation lines,
/// each ending in a newline.
fn validate_single(schema: &serde_json::Value, values: &Value) -> Result<(), String> {
    let mut options = jsonschema::options()
        .with_retriever(OfflineRetriever)
        .with_base_uri(SCHEMA_URI);
    let has_schema_keyword = schema
        .as_object()
        .is_some_and(|o| o.contains_key("$schema"));
    if !has_schema_keyword {
        options = options.with_draft(jsonschema::Draft::Draft202012);
    }
    let validator = options
        .build(schema)
        .map_err(|e| format!("- at '': schema: invalid schema: {e}\n"))?;
    let instance = values.to_json();
    let mut lines = String::new();
    for err in validator.iter_errors(&instance) {
        lines.push_str(&format!(
            "- at '{}': {}: {}\n",
            err.instance_path(),
            err.kind().keyword(),
            err
        ));
    }
    if lines.is_empty() { Ok(()) } else { Err(lines) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::tests::chart;

    fn json(s: &str) -> serde_json::Value {
        serde_json::from_str(s).unwrap()
    }

    fn with_schema(name: &str, schema: &str) -> Chart {
        let mut c = chart(name, Value::new_map());
        c.schema = Some(json(schema));
        c
    }

    fn values(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn reports_path_and_keyword() {
        let c = with_schema("er", r#"{"properties":{"a":{"minimum":0}}}"#);
        let e = validate_schemas(&c, &values(r#"{"a":-1}"#)).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with(
                "values don't meet the specifications of the schema(s) in the following chart(s):\ner:\n- at '/a': minimum: "
            ),
            "{text}"
        );
        assert!(validate_schemas(&c, &values(r#"{"a":0}"#)).is_ok());
    }

    #[test]
    fn default_draft_is_2020_12_and_schema_keyword_is_honoured() {
        let s = r#"{"properties":{"l":{"prefixItems":[{"type":"integer"}]}}}"#;
        let v = values(r#"{"l":["x"]}"#);
        assert!(validate_schemas(&with_schema("c", s), &v).is_err());
        let s7 = r#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"l":{"prefixItems":[{"type":"integer"}]}}}"#;
        assert!(validate_schemas(&with_schema("c", s7), &v).is_ok());
    }

    #[test]
    fn whole_numbers_are_integers() {
        let c = with_schema("c", r#"{"properties":{"n":{"type":"integer"}}}"#);
        assert!(
            validate_schemas(
                &c,
                &Value::Map([("n".to_string(), Value::Float(5.0))].into_iter().collect())
            )
            .is_ok()
        );
        assert!(validate_schemas(&c, &values(r#"{"n":"1.5"}"#)).is_err());
    }

    #[test]
    fn subcharts_validate_their_section() {
        let mut parent = chart("p", Value::new_map());
        parent
            .dependencies
            .push(with_schema("s", r#"{"required":["x"]}"#));
        let e = validate_schemas(&parent, &values(r#"{"s":{"y":1}}"#)).unwrap_err();
        assert!(e.to_string().contains("\ns:\n- at '': required: "), "{e}");
        // No values for the subchart: nothing to validate.
        assert!(validate_schemas(&parent, &values(r#"{}"#)).is_ok());
        let e = validate_schemas(&parent, &values(r#"{"s":"x"}"#)).unwrap_err();
        assert!(e.to_string().contains("got string"), "{e}");
    }

    #[test]
    fn remote_refs_are_not_fetched_but_urns_are_permissive() {
        let c = with_schema("c", r#"{"$ref":"https://example.invalid/s.json"}"#);
        let e = validate_schemas(&c, &values("{}")).unwrap_err();
        assert!(e.to_string().contains("not fetched"), "{e}");
        let c = with_schema("c", r#"{"properties":{"a":{"$ref":"urn:x:y"}}}"#);
        assert!(validate_schemas(&c, &values(r#"{"a":1}"#)).is_ok());
    }
}
