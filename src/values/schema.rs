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
use crate::parallel::{Pending, lock};
use crate::value::Value;
use jsonschema::{Retrieve, Uri, Validator};
use std::sync::{Arc, Mutex};

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
    validate_schemas_with(chart, values, None)
}

/// [`validate_schemas`], with the validators `early` began building while
/// the chart was read.
pub fn validate_schemas_with(
    chart: &Chart,
    values: &Value,
    early: Option<&EarlySchemas>,
) -> Result<(), ValuesError> {
    let report = validate_chart(chart, values, early);
    if report.is_empty() {
        Ok(())
    } else {
        Err(ValuesError::Schema { report })
    }
}

/// A schema's validator, or the report line of a schema that is invalid.
type Compiled = Result<Validator, String>;

/// The largest schema [`EarlySchemas`] builds. Median wall of 40
/// interleaved runs with every root schema built early: alertmanager (38 KB
/// schema) 8.4 → 7.6 ms, prometheus-mysql-exporter (19 KB) 6.5 → 6.4,
/// airflow (374 KB) 15.1 → 16.2 (1.4 ms more CPU).
const EARLY_MAX_BYTES: usize = 64 << 10;

/// The validator of the root chart's `values.schema.json`, built on the
/// pool as soon as the loader reads the file: the values to check come
/// only after the chart is loaded, its dependencies processed and its
/// values coalesced. Subcharts' schemas are left alone: a disabled subchart's is
/// never used (airflow's bundled postgresql: building it cost 3 ms of CPU
/// for nothing). So are schemas over [`EARLY_MAX_BYTES`]: the early build
/// parses the JSON once more than the loader does, a cost that grows with
/// the file.
#[derive(Default)]
pub struct EarlySchemas {
    root: Mutex<Option<Pending<Option<Compiled>>>>,
}

impl EarlySchemas {
    /// Starts building the validator of `data` when `rel` (a path in the
    /// chart directory) is the root chart's `values.schema.json`.
    pub fn offer(&self, rel: &str, data: &Arc<[u8]>) {
        if rel != "values.schema.json" || data.is_empty() || data.len() > EARLY_MAX_BYTES {
            return;
        }
        let data = data.clone();
        let pending = crate::parallel::spawn(move || {
            // Bytes that are not JSON fail the load, with the loader's error.
            let schema: serde_json::Value = serde_json::from_slice(&data).ok()?;
            Some(compile(&schema))
        });
        *lock(&self.root) = Some(pending);
    }

    /// The root chart's validator, when it was started.
    fn take(&self) -> Option<Compiled> {
        let pending = lock(&self.root).take()?;
        pending.get()
    }
}

/// Go's `ValidateAgainstSchema`: the report text for one chart and below.
/// `early` holds this chart's validator when it is the root.
fn validate_chart(chart: &Chart, values: &Value, early: Option<&EarlySchemas>) -> String {
    let mut out = String::new();
    if let Some(schema) = &chart.schema {
        let built = early.and_then(EarlySchemas::take);
        let compiled = built.unwrap_or_else(|| compile(schema));
        let checked = compiled.and_then(|validator| {
            let result = validate_single(&validator, values);
            // A big schema's validator is tens of thousands of nodes.
            crate::teardown::release(validator);
            result
        });
        if let Err(text) = checked {
            out.push_str(&format!("{}:\n{text}", chart.name()));
        }
    }
    let map = values.as_map();
    for sub in &chart.dependencies {
        match map.and_then(|m| m.get(sub.name())) {
            None | Some(Value::Null) => {}
            Some(v @ Value::Map(_)) => out.push_str(&validate_chart(sub, v, None)),
            Some(other) => out.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                super::strvals::go_type_name(other)
            )),
        }
    }
    out
}

/// The validator of one schema; `Err` is the report line of an invalid
/// schema.
fn compile(schema: &serde_json::Value) -> Compiled {
    let mut options = jsonschema::options()
        .with_retriever(OfflineRetriever)
        .with_base_uri(SCHEMA_URI);
    let has_schema_keyword = schema
        .as_object()
        .is_some_and(|o| o.contains_key("$schema"));
    if !has_schema_keyword {
        options = options.with_draft(jsonschema::Draft::Draft202012);
    }
    options
        .build(schema)
        .map_err(|e| format!("- at '': schema: invalid schema: {e}\n"))
}

/// One values map against one schema's validator: `Err` holds the
/// violation lines, each ending in a newline.
fn validate_single(validator: &Validator, values: &Value) -> Result<(), String> {
    let instance = values.to_json();
    // Valid values are the rule: checking stops at the first violation
    // and builds no error, and only invalid values are walked for them.
    if validator.is_valid(&instance) {
        crate::teardown::release(instance);
        return Ok(());
    }
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
    fn a_validator_built_early_reports_what_one_built_late_does() {
        let schemas = [
            r#"{"properties":{"a":{"minimum":0}},"required":["a"]}"#,
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"a":{"type":"string"}}}"#,
            r#"{"type":5}"#,
        ];
        for text in schemas {
            for v in [r#"{"a":-1}"#, r#"{"a":"x"}"#, r#"{}"#] {
                let c = with_schema("c", text);
                let late = validate_schemas(&c, &values(v)).map_err(|e| e.to_string());
                let early = EarlySchemas::default();
                let bytes: Arc<[u8]> = Arc::from(text.as_bytes());
                early.offer("charts/sub/values.schema.json", &bytes);
                assert!(lock(&early.root).is_none(), "subcharts' schemas wait");
                early.offer("values.schema.json", &bytes);
                assert!(lock(&early.root).is_some());
                let got =
                    validate_schemas_with(&c, &values(v), Some(&early)).map_err(|e| e.to_string());
                assert_eq!(got, late, "{text} with {v}");
                assert!(lock(&early.root).is_none(), "taken");
            }
        }
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
