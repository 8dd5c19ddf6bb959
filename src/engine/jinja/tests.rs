//! Tests of the `.j2` engine: context objects, filters, errors.

use super::*;
use crate::chart::{Chart, ChartFile, Metadata};
use crate::engine::{Capabilities, ChartScope, Release, RenderInput};
use base64::Engine as _;
use std::path::PathBuf;

fn file(name: &str, text: &str) -> ChartFile {
    ChartFile {
        name: name.to_string(),
        data: text.as_bytes().into(),
    }
}

fn chart(name: &str, templates: &[(&str, &str)], files: &[(&str, &str)]) -> Chart {
    Chart {
        metadata: Metadata {
            api_version: "v2".to_string(),
            name: name.to_string(),
            version: "1.2.3".to_string(),
            app_version: Some("4.5".to_string()),
            ..Metadata::default()
        },
        values: crate::Value::new_map(),
        raw_values: None,
        schema: None,
        templates: templates.iter().map(|(n, t)| file(n, t)).collect(),
        crds: Vec::new(),
        files: files.iter().map(|(n, t)| file(n, t)).collect(),
        dependencies: Vec::new(),
        origin: PathBuf::from(name),
    }
}

fn values(json: &str) -> crate::Value {
    serde_json::from_str(json).unwrap()
}

fn input<'a>(c: &'a Chart, vals: &str) -> RenderInput<'a> {
    RenderInput {
        scopes: vec![ChartScope {
            path: c.name().to_string(),
            chart: c,
            values: values(vals),
            is_root: true,
        }],
        release: Release::default(),
        capabilities: Capabilities::default(),
    }
}

/// Renders one template `t.yaml.j2` of chart `c` and returns its text.
#[allow(clippy::result_large_err)] // test helper; see `Engine`
fn render_one(template: &str, vals: &str) -> Result<String, EngineError> {
    let c = chart("c", &[("templates/t.yaml.j2", template)], &[]);
    let out = JinjaEngine.render(&input(&c, vals))?;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].name, "c/templates/t.yaml");
    Ok(out[0].content.clone())
}

fn ok(template: &str, vals: &str) -> String {
    match render_one(template, vals) {
        Ok(s) => s,
        Err(e) => panic!("render failed: {e:?}"),
    }
}

fn eval(template: &str) -> String {
    render_string("t", template, &crate::Value::new_map()).unwrap()
}

fn eval_err(template: &str) -> EngineError {
    render_string("t", template, &crate::Value::new_map()).unwrap_err()
}

#[test]
fn handles_only_j2() {
    assert!(JinjaEngine.handles("templates/a.yaml.j2"));
    assert!(!JinjaEngine.handles("templates/a.yaml"));
    assert_eq!(JinjaEngine.name(), "jinja");
}

#[test]
fn renders_values_and_keeps_non_j2_out() {
    let c = chart(
        "web",
        &[
            ("templates/a.yaml.j2", "replicas: {{ values.replicas }}\n"),
            ("templates/b.yaml", "{{ .Values.x }}"),
            ("templates/_helpers.j2", "{% macro x() %}x{% endmacro %}"),
        ],
        &[],
    );
    let out = JinjaEngine
        .render(&input(&c, r#"{"replicas": 3}"#))
        .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].name, "web/templates/a.yaml");
    assert_eq!(out[0].content, "replicas: 3\n");
}

#[test]
fn int_and_doc_int_print_as_integers() {
    let mut m = crate::value::Map::default();
    m.insert("a".into(), crate::Value::Int(1000000));
    m.insert("b".into(), crate::Value::DocInt(1000000));
    m.insert("c".into(), crate::Value::Float(1.5));
    let out = render_string("t", "{{ a }} {{ b }} {{ c }}", &crate::Value::Map(m)).unwrap();
    assert_eq!(out, "1000000 1000000 1.5");
}

#[test]
fn formatter_prints_yaml_friendly_scalars() {
    assert_eq!(eval("{{ true }} {{ false }} [{{ none }}]"), "true false []");
    assert_eq!(
        eval(r#"{{ {"a": [1, "x"], "b": true} }}"#),
        r#"{"a":[1,"x"],"b":true}"#
    );
    assert_eq!(eval("{{ [1, 2] }}"), "[1,2]");
}

#[test]
fn no_auto_escaping() {
    // `.yaml` names would be JSON-escaped by minijinja's default callback.
    assert_eq!(
        ok(r#"{{ values.s }}"#, r#"{"s": "<a href=\"x\">&'"}"#),
        r#"<a href="x">&'"#
    );
}

#[test]
fn trailing_newline_and_block_trimming() {
    let t = "a:\n{% if true %}\n  b: 1\n{% endif %}\n";
    assert_eq!(ok(t, "{}"), "a:\n  b: 1\n");
    let t = "x:\n  {% for i in [1, 2] %}\n  - {{ i }}\n  {% endfor %}\n";
    assert_eq!(ok(t, "{}"), "x:\n  - 1\n  - 2\n");
}

#[test]
fn strict_undefined_names_template_line_and_column() {
    let t = "a: 1\nimage: {{ values.image.tagg }}\n";
    let e = render_one(t, r#"{"image": {"tag": "1"}}"#).unwrap_err();
    assert_eq!(e.template, "c/templates/t.yaml.j2");
    assert_eq!(e.line, Some(2));
    assert_eq!(e.column, Some(11));
    assert!(e.message.contains("undefined"), "{}", e.message);
    assert!(e.message.contains("values.image.tagg"), "{}", e.message);
    assert!(e.template_source.as_deref().unwrap().contains("tagg"));
    assert!(e.chain.is_empty());
    // No debug dump of the variables (values may hold secrets).
    assert!(!e.message.contains("Referenced variables"), "{}", e.message);
}

#[test]
fn strict_undefined_in_if_and_deeper_lookup() {
    assert!(render_one("{% if values.nope %}x{% endif %}", "{}").is_err());
    let e = render_one("{{ values.nope.deeper }}", "{}").unwrap_err();
    assert_eq!(e.line, Some(1));
}

#[test]
fn default_and_is_defined_escape_strict() {
    assert_eq!(
        ok(r#"{{ values.tag | default("latest") }}"#, "{}"),
        "latest"
    );
    assert_eq!(
        ok(r#"{{ values.a.b | default("x") }}"#, r#"{"a": {}}"#),
        "x"
    );
    assert_eq!(
        ok(
            "{% if values.tag is defined %}set{% else %}unset{% endif %}",
            "{}"
        ),
        "unset"
    );
    assert_eq!(
        ok(
            "{% if values.tag is defined %}{{ values.tag }}{% endif %}",
            r#"{"tag": "v"}"#
        ),
        "v"
    );
}

#[test]
fn release_chart_capabilities_template_objects() {
    let t = "{{ release.name }} {{ release.namespace }} {{ release.revision }} {{ release.service }} {{ release.is_install }} {{ release.is_upgrade }}\n\
             {{ chart.name }} {{ chart.version }} {{ chart.app_version }} {{ chart.type }} {{ chart.is_root }} [{{ chart.home }}]\n\
             {{ capabilities.kube_version }} {{ capabilities.kube_version.version }} {{ capabilities.kube_version.major }} {{ capabilities.kube_version.minor }}\n\
             {{ capabilities.api_versions.has(\"apps/v1\") }} {{ capabilities.api_versions.has(\"apps/v1/Deployment\") }} {{ \"batch/v1\" in capabilities.api_versions }}\n\
             {{ capabilities.helm_version.version }}\n\
             {{ template.name }} {{ template.base_path }}\n";
    let out = ok(t, "{}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "release-name default 1 Helm true false");
    assert_eq!(lines[1], "c 1.2.3 4.5 application true []");
    assert_eq!(lines[2], "v1.35.0 v1.35.0 1 35");
    assert_eq!(lines[3], "true false true");
    assert_eq!(lines[4], "v4.1.4");
    assert_eq!(lines[5], "c/templates/t.yaml.j2 c/templates");
}

#[test]
fn kube_version_prints_normalised() {
    let c = chart(
        "c",
        &[(
            "templates/t.j2",
            "{{ capabilities.kube_version }} {{ capabilities.kube_version.version }}",
        )],
        &[],
    );
    let mut inp = input(&c, "{}");
    inp.capabilities.kube_version =
        crate::engine::capabilities::parse_kube_version("1.29.3-gke.1").unwrap();
    let out = JinjaEngine.render(&inp).unwrap();
    assert_eq!(out[0].content, "v1.29.3 v1.29.3-gke.1");
}

#[test]
fn api_versions_iterate() {
    let out = ok(
        "{% for v in capabilities.api_versions %}{% if loop.first %}{{ v }}{% endif %}{% endfor %}",
        "{}",
    );
    assert_eq!(out, "v1");
}

fn files_chart(template: &str) -> String {
    let c = chart(
        "c",
        &[("templates/t.j2", template)],
        &[
            ("config/a.conf", "x=1\ny=2\n"),
            ("config/b.conf", "z"),
            ("config/sub/c.conf", "deep"),
            ("README.md", "readme"),
            ("empty.txt", ""),
        ],
    );
    JinjaEngine.render(&input(&c, "{}")).unwrap()[0]
        .content
        .clone()
}

#[test]
fn files_get_and_index() {
    assert_eq!(files_chart(r#"{{ files.get("config/b.conf") }}"#), "z");
    assert_eq!(files_chart(r#"[{{ files.get("missing") }}]"#), "[]");
    assert_eq!(files_chart(r#"{{ files["README.md"] }}"#), "readme");
}

#[test]
fn files_glob_lines_and_iteration() {
    assert_eq!(
        files_chart(r#"{% for n in files.glob("config/*") %}{{ n }} {% endfor %}"#),
        "config/a.conf config/b.conf "
    );
    assert_eq!(
        files_chart(r#"{% for n in files.glob("config/**") %}{{ n }} {% endfor %}"#),
        "config/a.conf config/b.conf config/sub/c.conf "
    );
    assert_eq!(
        files_chart(r#"{{ files.lines("config/a.conf") }}"#),
        r#"["x=1","y=2"]"#
    );
    assert_eq!(files_chart(r#"{{ files.lines("missing") }}"#), "[]");
    assert_eq!(files_chart(r#"{{ files.lines("empty.txt") }}"#), "[]");
    assert_eq!(
        files_chart(
            r#"{% for n, body in files.glob("config/b*")|items %}{{ n }}={{ body }}{% endfor %}"#
        ),
        "config/b.conf=z"
    );
}

#[test]
fn files_as_config_and_secrets() {
    let cfg = files_chart(r#"{{ files.glob("config/*.conf").as_config() }}"#);
    let parsed = crate::yaml::parse_document(&cfg).unwrap();
    assert_eq!(
        parsed.as_map().unwrap().get("a.conf"),
        Some(&crate::Value::from("x=1\ny=2\n"))
    );
    assert_eq!(
        parsed.as_map().unwrap().get("b.conf"),
        Some(&crate::Value::from("z"))
    );
    let sec = files_chart(r#"{{ files.glob("config/b.conf").as_secrets() }}"#);
    let parsed = crate::yaml::parse_document(&sec).unwrap();
    assert_eq!(
        parsed.as_map().unwrap().get("b.conf"),
        Some(&crate::Value::from("eg=="))
    );
    assert_eq!(
        files_chart(r#"[{{ files.glob("nothing/*").as_config() }}]"#),
        "[]"
    );
}

#[test]
fn import_and_include_across_files() {
    let c = chart(
        "c",
        &[
            (
                "templates/_helpers.j2",
                "{% macro fullname() %}{{ release.name }}-{{ chart.name }}{% endmacro %}",
            ),
            ("templates/_labels.j2", "app: {{ chart.name }}\n"),
            ("templates/sub/_deep.j2", "deep"),
            (
                "templates/a.yaml.j2",
                "{% import \"_helpers.j2\" as h %}name: {{ h.fullname() }}\n{% include \"_labels.j2\" %}",
            ),
            (
                "templates/sub/b.yaml.j2",
                "{% include \"_labels.j2\" %}{% include \"_deep.j2\" %} {% include \"../_labels.j2\" %}",
            ),
        ],
        &[],
    );
    let out = JinjaEngine.render(&input(&c, "{}")).unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].content, "name: release-name-c\napp: c\n");
    assert_eq!(out[1].name, "c/templates/sub/b.yaml");
    assert_eq!(out[1].content, "app: c\ndeep app: c\n");
}

#[test]
fn includes_resolve_within_the_including_chart() {
    let parent = chart(
        "p",
        &[
            ("templates/_l.j2", "parent"),
            ("templates/a.j2", "{% include \"_l.j2\" %}"),
        ],
        &[],
    );
    let sub = chart(
        "s",
        &[
            ("templates/_l.j2", "sub"),
            ("templates/a.j2", "{% include \"_l.j2\" %}"),
        ],
        &[],
    );
    let inp = RenderInput {
        scopes: vec![
            ChartScope {
                path: "p".into(),
                chart: &parent,
                values: values("{}"),
                is_root: true,
            },
            ChartScope {
                path: "p/charts/s".into(),
                chart: &sub,
                values: values("{}"),
                is_root: false,
            },
        ],
        release: Release::default(),
        capabilities: Capabilities::default(),
    };
    let out = JinjaEngine.render(&inp).unwrap();
    assert_eq!(out[0].content, "parent");
    assert_eq!(out[1].name, "p/charts/s/templates/a");
    assert_eq!(out[1].content, "sub");
}

#[test]
fn dotdot_cannot_leave_the_chart() {
    assert_eq!(join_within("p", "p/templates", "../../x"), None);
    assert_eq!(
        join_within("p", "p/templates/sub", "../_h.j2").as_deref(),
        Some("p/templates/_h.j2")
    );
    assert_eq!(
        join_within("p/charts/s", "p/charts/s/templates", "../../../x"),
        None
    );
}

#[test]
fn include_chain_in_errors() {
    let c = chart(
        "c",
        &[
            ("templates/_labels.j2", "ok\nbad: {{ values.missing.x }}\n"),
            ("templates/a.yaml.j2", "line1\n{% include \"_labels.j2\" %}"),
        ],
        &[],
    );
    let e = JinjaEngine.render(&input(&c, "{}")).unwrap_err();
    assert_eq!(e.template, "c/templates/_labels.j2");
    assert_eq!(e.line, Some(2));
    assert_eq!(e.column, Some(15));
    assert_eq!(e.chain, vec!["c/templates/a.yaml.j2:2".to_string()]);
    assert!(e.template_source.as_deref().unwrap().starts_with("ok\n"));
    let d = crate::diag::Diagnostic::from(e);
    assert_eq!(
        d.notes,
        vec!["included from c/templates/a.yaml.j2:2".to_string()]
    );
}

#[test]
fn syntax_errors_name_the_template() {
    let e = render_one("a\n{% if %}", "{}").unwrap_err();
    assert_eq!(e.template, "c/templates/t.yaml.j2");
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("syntax error"), "{}", e.message);
}

#[test]
fn missing_include_is_an_error() {
    let e = render_one("{% include \"_nope.j2\" %}", "{}").unwrap_err();
    assert!(e.message.contains("_nope.j2"), "{}", e.message);
    assert_eq!(e.template, "c/templates/t.yaml.j2");
}

#[test]
fn toyaml_and_tojson() {
    let out = ok(
        "{{ values.m | toyaml }}|{{ values.m | tojson }}",
        r#"{"m": {"b": 1, "a": [true, "x"]}}"#,
    );
    let (yaml, json) = out.split_once('|').unwrap();
    assert!(!yaml.ends_with('\n'));
    assert_eq!(
        crate::yaml::parse_document(yaml).unwrap(),
        values(r#"{"b": 1, "a": [true, "x"]}"#)
    );
    assert_eq!(json, r#"{"b":1,"a":[true,"x"]}"#);
    assert!(render_one("{{ values.nope | toyaml }}", "{}").is_err());
}

#[test]
fn fromyaml_and_fromjson() {
    assert_eq!(eval(r#"{{ ("a: 1\nb: [x]" | fromyaml).b[0] }}"#), "x");
    assert_eq!(eval(r#"{{ ('{"a": {"b": 2}}' | fromjson).a.b }}"#), "2");
    assert!(
        eval_err(r#"{{ "{" | fromjson }}"#)
            .message
            .contains("fromjson")
    );
}

#[test]
fn indent_and_nindent_have_helm_semantics() {
    assert_eq!(eval(r#"{{ "a\n\nb" | indent(2) }}"#), "  a\n  \n  b");
    assert_eq!(eval(r#"{{ "a\nb" | nindent(4) }}"#), "\n    a\n    b");
    assert_eq!(
        eval(r#"{{ "k: 1\nj: 2\n" | nindent(2) }}"#),
        "\n  k: 1\n  j: 2\n  "
    );
    assert!(
        eval_err(r#"{{ "a" | indent(-1) }}"#)
            .message
            .contains("negative")
    );
}

#[test]
fn quote_is_go_percent_q() {
    assert_eq!(eval(r#"{{ "a\"b\\c" | quote }}"#), r#""a\"b\\c""#);
    assert_eq!(eval(r#"{{ "x\ny\tz" | quote }}"#), r#""x\ny\tz""#);
    assert_eq!(eval(r#"{{ "\x01é" | quote }}"#), r#""\x01é""#);
    assert_eq!(
        eval(r#"{{ 3 | quote }} {{ true | quote }} [{{ none | quote }}]"#),
        r#""3" "true" []"#
    );
    assert_eq!(go_quote_for_test("\u{a0}"), r#""\u00a0""#);
}

fn go_quote_for_test(s: &str) -> String {
    filters::go_quote(s)
}

#[test]
fn base64_and_sha256() {
    assert_eq!(eval(r#"{{ "hello" | b64encode }}"#), "aGVsbG8=");
    assert_eq!(eval(r#"{{ "aGVsbG8=" | b64decode }}"#), "hello");
    assert!(
        eval_err(r#"{{ "%%%" | b64decode }}"#)
            .message
            .contains("b64decode")
    );
    assert_eq!(
        eval(r#"{{ "abc" | sha256 }}"#),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn required_filter() {
    assert_eq!(
        ok(r#"{{ values.a | required("need a") }}"#, r#"{"a": "x"}"#),
        "x"
    );
    for vals in [r#"{}"#, r#"{"a": null}"#, r#"{"a": ""}"#] {
        let e = render_one(r#"{{ values.a | required("need a") }}"#, vals).unwrap_err();
        assert!(e.message.contains("need a"), "{}", e.message);
    }
}

#[test]
fn fail_function() {
    let e = render_one("x\n  {{ fail(\"stop here\") }}", "{}").unwrap_err();
    assert!(e.message.contains("stop here"), "{}", e.message);
    assert_eq!(e.line, Some(2));
}

#[test]
fn tpl_renders_with_caller_context() {
    let out = ok(
        r#"{% set who = "world" %}{{ tpl(values.greeting) }}"#,
        r#"{"greeting": "hello {{ who }} from {{ release.name }}", "x": 1}"#,
    );
    assert_eq!(out, "hello world from release-name");
    let e = render_one("{{ tpl(values.t) }}", r#"{"t": "{{ nope }}"}"#).unwrap_err();
    assert!(e.message.contains("tpl"), "{}", e.message);
    assert!(e.message.contains("undefined"), "{}", e.message);
    assert_eq!(e.template_source.as_deref(), Some("{{ nope }}"));
    assert_eq!((e.line, e.column), (Some(1), Some(4)));
    assert_eq!(e.chain, vec!["c/templates/t.yaml.j2:1".to_string()]);
}

#[test]
fn tpl_recursion_is_bounded() {
    let e = render_one("{{ tpl(values.t) }}", r#"{"t": "{{ tpl(values.t) }}"}"#).unwrap_err();
    assert!(e.message.contains("nested"), "{}", e.message);
}

#[test]
fn trunc_keeps_head_or_tail() {
    assert_eq!(eval(r#"{{ "abcdef" | trunc(3) }}"#), "abc");
    assert_eq!(eval(r#"{{ "abcdef" | trunc(-2) }}"#), "ef");
    assert_eq!(
        eval(r#"{{ "abc" | trunc(10) }}|{{ "abc" | trunc(-10) }}"#),
        "abc|abc"
    );
}

#[test]
fn semver_compare_function() {
    assert_eq!(
        eval(r#"{{ semver_compare(">=1.2.0 <2.0.0", "v1.5.0") }}"#),
        "true"
    );
    assert_eq!(eval(r#"{{ semver_compare("^2", "1.5.0") }}"#), "false");
    let t = r#"{{ semver_compare(">=1.21-0", capabilities.kube_version.version) }}"#;
    assert_eq!(ok(t, "{}"), "true");
    assert!(
        eval_err(r#"{{ semver_compare("><1", "1.0.0") }}"#)
            .message
            .contains("semver_compare")
    );
}

#[test]
fn lookup_is_empty() {
    assert_eq!(
        eval(
            r#"{{ lookup("v1", "Secret", "ns", "x") }}|{{ lookup("v1", "Pod", "", "") | length }}"#
        ),
        "{}|0"
    );
}

#[test]
fn render_string_uses_data_keys() {
    let data = values(r#"{"name": "x", "list": [1, 2]}"#);
    let out = render_string(
        "eval",
        "{{ name }}{% for i in list %} {{ i }}{% endfor %}",
        &data,
    )
    .unwrap();
    assert_eq!(out, "x 1 2");
    let e = render_string("eval", "{{ nope }}", &data).unwrap_err();
    assert_eq!(e.template, "eval");
    assert_eq!((e.line, e.column), (Some(1), Some(4)));
    assert!(render_string("eval", "x", &crate::Value::from("s")).is_err());
}

#[test]
fn line_col_counts_characters() {
    assert_eq!(line_col("ab\ncé d", 7), (2, 4));
    assert_eq!(line_col("abc", 0), (1, 1));
}

#[test]
fn error_inside_imported_macro_names_the_helper() {
    let c = chart(
        "c",
        &[
            (
                "templates/_helpers.j2",
                "{% macro img() %}\n{{ values.image.tagg }}\n{% endmacro %}",
            ),
            (
                "templates/a.yaml.j2",
                "{% import \"_helpers.j2\" as h %}\nimage: {{ h.img() }}\n",
            ),
        ],
        &[],
    );
    let e = JinjaEngine
        .render(&input(&c, r#"{"image": {}}"#))
        .unwrap_err();
    assert_eq!(e.template, "c/templates/_helpers.j2");
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("values.image.tagg"), "{}", e.message);
    assert_eq!(e.chain, vec!["c/templates/a.yaml.j2".to_string()]);
}

/// Differential check of the Helm-counterpart filters and `semver_compare`
/// against `$HELM_REF`: the same expressions over the same values, each
/// result base64-encoded by helm so any bytes survive its YAML check.
#[test]
fn filters_match_helm() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set");
        return;
    };
    let vals = r#"{"s": "a\"b\\c\n\t\u0001é\u00a0 <&> 'x'", "ml": "a\n\nb\n", "n": 3, "t": true,
                   "w": "abcdef", "u": "héllo", "b": "aGVsbG8="}"#;
    // (Go expression, Jinja expression)
    let mut cases: Vec<(String, String)> = [
        (".Values.s | quote", "values.s | quote"),
        (".Values.n | quote", "values.n | quote"),
        (".Values.t | quote", "values.t | quote"),
        (".Values.ml | indent 2", "values.ml | indent(2)"),
        (".Values.ml | nindent 4", "values.ml | nindent(4)"),
        (".Values.w | trunc 3", "values.w | trunc(3)"),
        (".Values.w | trunc -2", "values.w | trunc(-2)"),
        (".Values.w | trunc 10", "values.w | trunc(10)"),
        (".Values.u | b64enc", "values.u | b64encode"),
        (".Values.b | b64dec", "values.b | b64decode"),
        (".Values.s | sha256sum", "values.s | sha256"),
    ]
    .iter()
    .map(|(g, j)| (g.to_string(), j.to_string()))
    .collect();
    let semver_pairs = [
        (">=1.2.0 <2.0.0", "1.5.0"),
        ("^1.2", "1.9.9"),
        ("~1.2.3", "1.3.0"),
        ("1.2 - 1.4", "1.4.5"),
        ("1.2 - 1.4", "1.5.0"),
        ("1.2.x", "1.2.9"),
        (">1.4", "1.4.9"),
        (">1.4", "1.5.0"),
        ("<=1.4", "1.4.9"),
        ("!=1.4.x", "1.4.2"),
        ("!=1.4.x", "1.5.2"),
        (">=1.2.0", "1.3.0-rc.1"),
        (">=1.2.0-0", "1.3.0-rc.1"),
        ("^0.2.3", "0.3.0"),
        ("^0.0.3", "0.0.3"),
        ("^0.0.3", "0.0.4"),
        ("^1 || ^3", "3.1.0"),
        ("^1 || ^3", "2.1.0"),
        (">= 1.2, < 2", "v1.9.0"),
        ("=1.2", "1.2.7"),
        ("~1", "1.9.0"),
        (">=1.21-0", "v1.35.0"),
        ("^0", "0.5.0"),
        ("~0", "0.5.0"),
        ("*", "1.0.0-alpha"),
        (">1", "1.5.0"),
        (">1.x", "2.0.0"),
        ("<1.x", "0.9.0"),
        ("1.2.3+build", "1.2.3"),
        (">=1.2.3-beta.2", "1.2.3-beta.10"),
        ("~1.2.3-beta", "1.2.3"),
        ("<2.0.0", "2.0.0-rc.1"),
        ("<2.0.0-0", "2.0.0-rc.1"),
        ("!=1.2.3", "1.2.3"),
        ("<1.2", "1.2.0"),
        ("<1.2", "1.1.9"),
        ("^1.2.3-alpha", "1.2.4"),
        ("~1.2", "1.2.0-rc.1"),
        ("~1.2.0-0", "1.2.0-rc.1"),
        ("=>1.0, =<2.0", "2.0.0"),
        ("~>1.2.3", "1.2.9"),
        ("1.x || >=2.5.0 || 5.0.0 - 7.2.3", "6.0.0"),
        ("v1.2.3", "1.2.3"),
        ("^0.x", "0.9.0"),
        ("^0.1.x", "0.1.5"),
        ("<=1.x", "1.9.0"),
        ("<=1.2.x", "1.2.9"),
        ("<=1.2.x", "1.3.0"),
    ];
    for (c, v) in semver_pairs {
        cases.push((
            format!("semverCompare {c:?} {v:?} | toString"),
            format!("semver_compare({c:?}, {v:?})"),
        ));
    }

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(root.join("values.yaml"), vals).unwrap();
    let mut go = String::from("kind: X\ndata:\n");
    let mut jinja = String::new();
    for (i, (g, j)) in cases.iter().enumerate() {
        go.push_str(&format!("  k{i}: {{{{ ({g}) | b64enc | quote }}}}\n"));
        jinja.push_str(&format!("{{{{ {j} }}}}\u{1}"));
    }
    std::fs::write(root.join("templates/a.yaml"), go).unwrap();
    let out = std::process::Command::new(helm)
        .args(["template", "r"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = crate::yaml::parse_documents(&String::from_utf8(out.stdout).unwrap()).unwrap();
    let helm_data = doc
        .iter()
        .find_map(|d| d.get_path("data"))
        .and_then(|d| d.as_map())
        .unwrap();

    let mut data_map = crate::value::Map::default();
    data_map.insert("values".into(), values(vals));
    let ours = render_string("t", &jinja, &crate::Value::Map(data_map)).unwrap();
    let ours: Vec<&str> = ours.split('\u{1}').collect();
    for (i, (g, j)) in cases.iter().enumerate() {
        let b64 = helm_data
            .get(&format!("k{i}"))
            .and_then(|v| v.as_str())
            .unwrap();
        let want = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let want = String::from_utf8(want).unwrap();
        assert_eq!(ours[i], want, "helm `{g}` vs jinja `{j}`");
    }
}

#[test]
fn library_charts_only_lend_partials() {
    let parent = chart(
        "p",
        &[
            ("templates/a.j2", "{% include \"_l.j2\" %}"),
            (
                "templates/_l.j2",
                "{% include \"../charts/lib/templates/_x.j2\" ignore missing %}p",
            ),
        ],
        &[],
    );
    let mut lib = chart(
        "lib",
        &[
            ("templates/_x.j2", "x"),
            ("templates/cm.yaml.j2", "{{ broken"),
        ],
        &[],
    );
    lib.metadata.chart_type = crate::chart::ChartType::Library;
    let inp = RenderInput {
        scopes: vec![
            ChartScope {
                path: "p".into(),
                chart: &parent,
                values: values("{}"),
                is_root: true,
            },
            ChartScope {
                path: "p/charts/lib".into(),
                chart: &lib,
                values: values("{}"),
                is_root: false,
            },
        ],
        release: Release::default(),
        capabilities: Capabilities::default(),
    };
    let out = JinjaEngine.render(&inp).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].name, "p/templates/a");
    // A parent may reach a subchart's partial by its path.
    assert_eq!(out[0].content, "xp");
}

#[test]
fn default_keeps_none_unless_asked() {
    // Jinja's `default` replaces only undefined; `default(x, true)` also
    // replaces none and empty values, like Sprig's `default`.
    assert_eq!(
        ok(r#"[{{ values.a | default("x") }}]"#, r#"{"a": null}"#),
        "[]"
    );
    assert_eq!(
        ok(r#"{{ values.a | default("x", true) }}"#, r#"{"a": null}"#),
        "x"
    );
    assert_eq!(
        ok(r#"{{ values.a | default("x", true) }}"#, r#"{"a": ""}"#),
        "x"
    );
}

#[test]
fn self_include_stops_with_an_error() {
    let c = chart("c", &[("templates/a.j2", "x{% include \"a.j2\" %}")], &[]);
    let e = JinjaEngine.render(&input(&c, "{}")).unwrap_err();
    assert!(e.message.contains("recursion"), "{}", e.message);
}

/// Differential check of `files.glob` and `files.lines` against helm's
/// `.Files.Glob` / `.Files.Lines` over the same file set.
#[test]
fn files_match_helm() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set");
        return;
    };
    let files = [
        ("config/a.conf", "x=1\ny=2\n"),
        ("config/b.conf", "z\n\n"),
        ("config/sub/c.conf", "deep"),
        ("docs/readme.md", "r"),
        ("top.conf", "t"),
    ];
    let patterns = [
        "config/*",
        "config/**",
        "**.conf",
        "*.conf",
        "config/{a,b}.conf",
        "config/[ab].conf",
        "[bad",
    ];
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut go = String::from("kind: X\ndata:\n");
    let mut jinja = String::new();
    for (i, p) in patterns.iter().enumerate() {
        go.push_str(&format!(
            "  g{i}: \"{{{{ range $k, $_ := .Files.Glob {p:?} }}}}{{{{ $k }}}} {{{{ end }}}}\"\n"
        ));
        jinja.push_str(&format!(
            "{{% for k in files.glob({p:?})|sort %}}{{{{ k }}}} {{% endfor %}}\u{1}"
        ));
    }
    for (i, (name, _)) in files.iter().enumerate() {
        go.push_str(&format!(
            "  l{i}: {{{{ .Files.Lines {name:?} | toJson | quote }}}}\n"
        ));
        jinja.push_str(&format!("{{{{ files.lines({name:?}) }}}}\u{1}"));
    }
    std::fs::write(root.join("templates/a.yaml"), go).unwrap();
    let out = std::process::Command::new(helm)
        .args(["template", "r"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs = crate::yaml::parse_documents(&String::from_utf8(out.stdout).unwrap()).unwrap();
    let helm_data = docs
        .iter()
        .find_map(|d| d.get_path("data"))
        .and_then(|d| d.as_map())
        .unwrap();

    let c = chart("c", &[("templates/a.j2", &jinja)], &files);
    let ours = JinjaEngine.render(&input(&c, "{}")).unwrap()[0]
        .content
        .clone();
    let ours: Vec<&str> = ours.split('\u{1}').collect();
    for (i, p) in patterns.iter().enumerate() {
        // helm's set also holds Chart.yaml-free extras such as .helmignore;
        // none exist here, so the sets must be equal.
        let want = helm_data
            .get(&format!("g{i}"))
            .and_then(|v| v.as_str())
            .unwrap();
        assert_eq!(ours[i], want, "glob {p:?}");
    }
    for (i, (name, _)) in files.iter().enumerate() {
        let want = helm_data
            .get(&format!("l{i}"))
            .and_then(|v| v.as_str())
            .unwrap();
        assert_eq!(ours[patterns.len() + i], want, "lines {name:?}");
    }
}

#[test]
fn escape_hatches_on_a_missing_parent() {
    // Strict lookups fail on an undefined parent, so the guard must cover
    // each level (or use `default` on the parent first).
    assert!(render_one(r#"{{ values.a.b | default("x") }}"#, "{}").is_err());
    assert_eq!(
        ok(r#"{{ (values.a | default({})).b | default("x") }}"#, "{}"),
        "x"
    );
    assert_eq!(
        ok("{{ values.a is defined and values.a.b is defined }}", "{}"),
        "false"
    );
}
