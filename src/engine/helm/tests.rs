//! Unit tests of the Helm engine: functions and render semantics.

use super::*;

fn eval_str(src: &str, data: GoValue) -> String {
    match eval("t", src, &data) {
        Ok(s) => s,
        Err(e) => format!("ERR: {}", e.message),
    }
}

#[test]
fn helm_sort_order_puts_deep_and_late_names_first() {
    let mut v = vec![
        "a/templates/x",
        "a/charts/b/templates/y",
        "a/templates/_h",
        "a/templates/z",
    ];
    v.sort_by(|a, b| helm_order(a, b));
    assert_eq!(
        v,
        [
            "a/charts/b/templates/y",
            "a/templates/z",
            "a/templates/x",
            "a/templates/_h"
        ]
    );
}

#[test]
fn json_encoding_follows_go() {
    let v = funcs::parse_json(r#"{"b": [1, 2.5, "<&>"], "a": null}"#).unwrap();
    assert_eq!(
        funcs::to_json(&v, true).unwrap(),
        r#"{"a":null,"b":[1,2.5,"\u003c\u0026\u003e"]}"#
    );
    assert_eq!(
        funcs::parse_json("{bad").unwrap_err(),
        "invalid character 'b' looking for beginning of object key string"
    );
    assert_eq!(
        funcs::parse_json("").unwrap_err(),
        "unexpected end of JSON input"
    );
}

#[test]
fn toml_writer_matches_burntsushi_layout() {
    let v =
        funcs::parse_json(r#"{"name": "x", "n": {"on": true, "d": {"z": 1}}, "arr": [{"a": 1}]}"#)
            .unwrap();
    assert_eq!(
        funcs::to_toml(&v).unwrap(),
        "name = \"x\"\n\n[[arr]]\n  a = 1.0\n\n[n]\n  on = true\n  [n.d]\n    z = 1.0\n"
    );
}

#[test]
fn missing_values_render_empty_and_nil_fields_fail() {
    let data = funcs::parse_json(r#"{"a": {"b": 1}}"#).unwrap();
    assert_eq!(eval_str("[{{ .nope }}]", data.clone()), "[]");
    assert_eq!(eval_str("{{ .a.b }}", data.clone()), "1");
    let err = eval_str("{{ .nope.deeper }}", data);
    assert!(
        err.contains("nil pointer evaluating interface {}.deeper"),
        "{err}"
    );
}

#[test]
fn required_and_fail_use_helm_execution_error_shape() {
    let err = eval_str(
        r#"{{ required "need x" .x }}"#,
        GoValue::map(Default::default()),
    );
    assert_eq!(err, "ERR: execution error at (t:1:3): need x");
    let err = eval_str(r#"{{ fail "boom" }}"#, GoValue::Nil);
    assert_eq!(err, "ERR: execution error at (t:1:3): boom");
}

#[test]
fn include_and_tpl_share_defines() {
    let src = r#"{{ define "x" }}<{{ . }}>{{ end }}{{ include "x" 3 }}{{ tpl "{{ include \"x\" .v }}" . }}"#;
    let data = funcs::parse_json(r#"{"v": 4}"#).unwrap();
    assert_eq!(eval_str(src, data), "<3><4>");
}

#[test]
fn include_recursion_is_limited() {
    let src = r#"{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}"#;
    let err = eval_str(src, GoValue::Nil);
    assert!(err.contains("nested reference name: r"), "{err}");
}
