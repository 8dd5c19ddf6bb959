//! Executor tests: whole templates through parse + execute, checking
//! printed output and Go's error messages.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;

fn data() -> GoValue {
    let v: crate::Value = crate::Value::from_json(
        &serde_json::from_str(
            r#"{"S":"xyz","I":17,"F":1.5,"SI":[3,4,5],"MSI":{"one":1,"two":2,"three":3},
                "E":[],"EM":{},"N":null,"U":{"V":"v"},"B":true}"#,
        )
        .unwrap(),
    );
    GoValue::from_value(&v, NumberMode::Go)
}

fn run_with(t: &mut Template, src: &str, dot: &GoValue) -> Result<String, String> {
    t.parse(src).map_err(|e| e.message)?;
    let mut out = String::new();
    t.execute(&mut out, dot).map_err(|e| e.message)?;
    Ok(out)
}

fn run(src: &str) -> Result<String, String> {
    run_with(&mut Template::new("t"), src, &data())
}

#[test]
fn fields_variables_and_printing() {
    for (src, want) in [
        ("{{.S}}-{{.I}}-{{.F}}-{{.B}}", "xyz-17-1.5-true"),
        ("{{.U.V}}{{$.U.V}}", "vv"),
        ("{{.nokey}}|{{.N}}", "<no value>|<no value>"),
        ("{{.nokey.deeper}}", "<no value>"),
        ("{{$x := .I}}{{$x = 3}}{{$x}}", "3"),
        ("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"),
        ("{{with $x := .U}}{{$x.V}}{{end}}", "v"),
        ("{{(.U).V}}", "v"),
        ("{{print nil}}", "<nil>"),
        ("{{.SI}} {{.MSI}}", "[3 4 5] map[one:1 three:3 two:2]"),
        ("{{1e6}} {{0x10}} {{'a'}} {{1_000}}", "1e+06 16 97 1000"),
    ] {
        assert_eq!(run(src).as_deref(), Ok(want), "{src}");
    }
}

#[test]
fn control_flow() {
    for (src, want) in [
        ("{{if .E}}a{{else if .SI}}b{{else}}c{{end}}", "b"),
        ("{{with .EM}}a{{else with .S}}{{.}}{{end}}", "xyz"),
        ("{{range .SI}}<{{.}}>{{end}}", "<3><4><5>"),
        (
            "{{range $i, $e := .SI}}{{$i}}={{$e}},{{end}}",
            "0=3,1=4,2=5,",
        ),
        (
            "{{range $k, $v := .MSI}}{{$k}}:{{$v}} {{end}}",
            "one:1 three:3 two:2 ",
        ),
        ("{{range .E}}x{{else}}empty{{end}}", "empty"),
        (
            "{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}",
            "35",
        ),
        (
            "{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}",
            "3",
        ),
        ("{{range 3}}{{.}}{{end}}", "012"),
        ("{{range $i := .N}}x{{else}}nil{{end}}", "nil"),
        (
            "{{define \"T\"}}[{{.}}]{{end}}{{template \"T\" .I}}{{template \"T\"}}",
            "[17][<no value>]",
        ),
        ("{{block \"B\" .S}}<{{.}}>{{end}}", "<xyz>"),
    ] {
        assert_eq!(run(src).as_deref(), Ok(want), "{src}");
    }
}

#[test]
fn builtins_behave_like_go() {
    for (src, want) in [
        (
            "{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" 3}} {{or 0 false}}",
            "0 2 3 false",
        ),
        ("{{not 0}} {{not .S}}", "true false"),
        ("{{len .S}} {{len .SI}} {{len .MSI}}", "3 3 3"),
        (
            "{{index .SI 1}} {{index .MSI \"two\"}} {{index .MSI \"x\"}}",
            "4 2 <no value>",
        ),
        ("{{slice .SI 1 2}} {{slice .S 1}}", "[4] yz"),
        (
            "{{eq .I 17}} {{eq 1 2 3 1}} {{ne .S \"a\"}} {{lt 1 2}} {{ge 2.5 2.5}}",
            "true true true true true",
        ),
        (
            "{{html \"<a>\"}} {{js \"'\"}} {{urlquery \"a b\"}}",
            "&lt;a&gt; \\' a+b",
        ),
        ("{{print 1 2 \"a\" 3}}|{{println 1}}", "1 2a3|1\n"),
        ("{{.S | len}}", "3"),
    ] {
        assert_eq!(run(src).as_deref(), Ok(want), "{src}");
    }
}

#[test]
fn execution_errors_match_go() {
    for (src, want) in [
        (
            "{{nil}}",
            "template: t:1:2: executing \"t\" at <nil>: nil is not a command",
        ),
        (
            "{{.N.x}}",
            "template: t:1:4: executing \"t\" at <.N.x>: nil pointer evaluating interface {}.x",
        ),
        (
            "{{.S.x}}",
            "template: t:1:4: executing \"t\" at <.S.x>: can't evaluate field x in type interface {}",
        ),
        (
            "{{index .SI 10}}",
            "template: t:1:2: executing \"t\" at <index .SI 10>: error calling index: index out of range: 10",
        ),
        (
            "{{eq 2 2.0}}",
            "template: t:1:2: executing \"t\" at <eq 2 2.0>: error calling eq: incompatible types for comparison: int and float64",
        ),
        (
            "{{len 3}}",
            "template: t:1:2: executing \"t\" at <len 3>: error calling len: len of type int",
        ),
        (
            "{{printf 3}}",
            "template: t:1:9: executing \"t\" at <3>: expected string; found 3",
        ),
        (
            "{{printf .I}}",
            "template: t:1:9: executing \"t\" at <.I>: wrong type for value; expected string; got int",
        ),
        (
            "{{not 1 2}}",
            "template: t:1:2: executing \"t\" at <not 1 2>: wrong number of args for not: want 1 got 2",
        ),
        (
            "{{1 2}}",
            "template: t:1:2: executing \"t\" at <1>: can't give argument to non-function 1",
        ),
        (
            "{{template \"nope\"}}",
            "template: t:1:11: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined",
        ),
        (
            "{{range .S}}{{end}}",
            "template: t:1:8: executing \"t\" at <.S>: range can't iterate over xyz",
        ),
        (
            "\n {{.MSI.one 1}}",
            "template: t:2:7: executing \"t\" at <.MSI.one>: one is not a method but has arguments",
        ),
        (
            "{{$s := .S}}{{$s.x}}",
            "template: t:1:16: executing \"t\" at <$s.x>: can't evaluate field x in type string",
        ),
        (
            "{{range .SI}}{{.x}}{{end}}",
            "template: t:1:15: executing \"t\" at <.x>: can't evaluate field x in type interface {}",
        ),
        (
            "{{with .I}}{{.x}}{{end}}",
            "template: t:1:13: executing \"t\" at <.x>: can't evaluate field x in type int",
        ),
    ] {
        assert_eq!(run(src), Err(want.to_string()), "{src}");
    }
}

#[test]
fn missingkey_modes() {
    let mut t = Template::new("t");
    t.missing_key_option(MissingKey::Zero);
    assert_eq!(
        run_with(&mut t, "{{.nokey}}", &data()).as_deref(),
        Ok("<no value>")
    );
    let mut t = Template::new("t");
    t.missing_key_option(MissingKey::Zero);
    assert_eq!(
        run_with(&mut t, "{{.nokey.x}}", &data()),
        Err(
            "template: t:1:8: executing \"t\" at <.nokey.x>: nil pointer evaluating interface {}.x"
                .into()
        )
    );
    let mut t = Template::new("t");
    t.missing_key_option(MissingKey::Error);
    assert_eq!(
        run_with(&mut t, "{{.nokey}}", &data()),
        Err(
            "template: t:1:2: executing \"t\" at <.nokey>: map has no entry for key \"nokey\""
                .into()
        )
    );
}

#[test]
fn recursion_is_limited() {
    let mut t = Template::new("t");
    t.max_depth_option(50);
    let err = run_with(
        &mut t,
        "{{define \"a\"}}{{template \"a\"}}{{end}}{{template \"a\"}}",
        &GoValue::Nil,
    );
    assert!(
        err.unwrap_err()
            .ends_with("exceeded maximum template depth (50)")
    );
}

struct Caps;

impl Object for Caps {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        (name == "Version").then(|| GoValue::str("v1.35.0"))
    }
    fn method(&self, name: &str) -> Option<Arc<Function>> {
        (name == "Has").then(|| {
            Arc::new(Function::new(vec![ParamType::String], None, |_, a| {
                Ok(GoValue::Bool(a[0].as_str() == Some("apps/v1")))
            }))
        })
    }
    fn string(&self) -> Option<String> {
        Some("caps".into())
    }
}

#[test]
fn objects_with_methods_and_stringers() {
    let mut m = BTreeMap::new();
    m.insert("C".to_string(), GoValue::Object(Arc::new(Caps)));
    let dot = GoValue::map(m);
    let mut t = Template::new("t");
    assert_eq!(
        run_with(
            &mut t,
            "{{.C}} {{.C.Version}} {{.C.Has \"apps/v1\"}} {{.C.Has \"x\"}}",
            &dot
        )
        .as_deref(),
        Ok("caps v1.35.0 true false")
    );
    let mut t = Template::new("t");
    assert_eq!(
        run_with(&mut t, "{{.C.Has 1}}", &dot),
        Err("template: t:1:9: executing \"t\" at <1>: expected string; found 1".into())
    );
    let mut t = Template::new("t");
    assert_eq!(
        run_with(&mut t, "{{.C.Nope}}", &dot),
        Err("template: t:1:4: executing \"t\" at <.C.Nope>: can't evaluate field Nope in type interface {}".into())
    );
}

#[test]
fn custom_functions_and_engine_access() {
    let mut t = Template::new("t");
    t.funcs([
        (
            "include".to_string(),
            Function::new(vec![ParamType::String, ParamType::Any], None, |ctx, a| {
                let name = a[0].as_str().unwrap_or_default().to_string();
                ctx.execute_template(&name, &a[1])
                    .map(GoValue::from)
                    .map_err(|e| e.message)
            }),
        ),
        (
            "fail".to_string(),
            Function::new(vec![], None, |_, _| Err("boom".to_string())),
        ),
    ]);
    assert_eq!(
        run_with(
            &mut t,
            "{{define \"x\"}}<{{.}}>{{end}}{{include \"x\" 3 | len}}",
            &GoValue::Nil
        )
        .as_deref(),
        Ok("3")
    );
    let mut t2 = Template::new("t");
    t2.funcs([(
        "fail".to_string(),
        Function::new(vec![], None, |_, _| Err("boom".to_string())),
    )]);
    assert_eq!(
        run_with(&mut t2, "{{fail}}", &GoValue::Nil),
        Err("template: t:1:2: executing \"t\" at <fail>: error calling fail: boom".into())
    );
    assert_eq!(
        Template::new("t")
            .parse("{{fail}}")
            .err()
            .map(|e| e.message),
        Some("template: t:1: function \"fail\" not defined".into())
    );
}

#[test]
fn execute_does_not_consume_the_template() {
    let mut t = Template::new("t");
    t.parse("{{.}}").unwrap();
    for i in 0..3 {
        let mut out = String::new();
        t.execute(&mut out, &GoValue::Int(i)).unwrap();
        assert_eq!(out, i.to_string());
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_text_never_panics(src in "[{}a-z .$|()\"'`:=,0-9xei+_-]{0,40}") {
            let mut t = Template::new("t");
            t.max_depth_option(20);
            if t.parse(&src).is_ok() {
                let mut out = String::new();
                let _ = t.execute(&mut out, &data());
            }
        }

        #[test]
        fn actions_never_panic(parts in proptest::collection::vec(
            prop_oneof![
                Just("{{"), Just("}}"), Just("{{-"), Just(" -}}"), Just("if"), Just("else"), Just("end"),
                Just("range"), Just("with"), Just("define"), Just("template"), Just("block"), Just("break"),
                Just("continue"), Just(".S"), Just(".SI"), Just("$x"), Just(":="), Just("="), Just("|"),
                Just("("), Just(")"), Just(" "), Just("\"a\""), Just("1"), Just("1.5"), Just("nil"),
                Just("index"), Just("slice"), Just("eq"), Just("len"), Just("printf"), Just("and"),
                Just("/*"), Just("*/"), Just("'x'"), Just("0x1p3"), Just("1+2i"), Just("\n"),
            ], 0..30)) {
            let src: String = parts.concat();
            let mut t = Template::new("t");
            t.max_depth_option(20);
            if t.parse(&src).is_ok() {
                let mut out = String::new();
                let _ = t.execute(&mut out, &data());
            }
        }
    }
}

#[test]
fn call_checks_the_function_value() {
    let add = Function::new(vec![ParamType::Int, ParamType::Int], None, |_, a| {
        match (&a[0], &a[1]) {
            (GoValue::Int(x), GoValue::Int(y)) => Ok(GoValue::Int(x + y)),
            _ => Err("unreachable".into()),
        }
    });
    let mut m = BTreeMap::new();
    m.insert("Add".to_string(), GoValue::Func(Arc::new(add)));
    m.insert("S".to_string(), GoValue::str("x"));
    let dot = GoValue::map(m);
    let go = |src: &str| run_with(&mut Template::new("t"), src, &dot);
    assert_eq!(go("{{call .Add 1 2}}").as_deref(), Ok("3"));
    assert_eq!(
        go("{{call .Add 1}}"),
        Err("template: t:1:2: executing \"t\" at <call .Add 1>: error calling call: wrong number of args for .Add: got 1 want 2".into())
    );
    assert_eq!(
        go("{{call .S 1}}"),
        Err("template: t:1:2: executing \"t\" at <call .S 1>: error calling call: non-function .S of type string".into())
    );
    assert_eq!(
        go("{{call .Add 1 .S}}"),
        Err("template: t:1:2: executing \"t\" at <call .Add 1 .S>: error calling call: arg 1: value has type string; should be int".into())
    );
    assert_eq!(
        go("{{call .Nope}}"),
        Err(
            "template: t:1:2: executing \"t\" at <call .Nope>: error calling call: call of nil"
                .into()
        )
    );
}

/// Differential test against the real Helm binary (`$HELM_REF`): builtins,
/// printing and comparisons over values.yaml data (float64 numbers), run
/// as Helm runs templates (missingkey=zero, `<no value>` removed).
#[test]
fn helm_differential_builtins() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set");
        return;
    };
    let values =
        "a: 1\nb: 2.5\nbig: 1000000\ns: hello\nl: [1, \"x\", true]\nm: {k: v, j: 3}\nn: null\n";
    let template = concat!(
        "# {{ .Values.a }} {{ .Values.b }} {{ .Values.big }} {{ .Values.l }} {{ .Values.m }} {{ .Values.n }} {{ .Values.nope }}\n",
        "# {{ printf \"%v %T %d %s\" .Values.a .Values.a .Values.a .Values.s }} {{ len .Values.l }} {{ index .Values.l 1 }}\n",
        "# {{ eq .Values.a 1.0 }} {{ lt .Values.b 3.0 }} {{ and .Values.s .Values.a }} {{ or .Values.n \"dflt\" }} {{ not .Values.n }}\n",
        "# {{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }} {{ range $i, $e := .Values.l }}{{ $i }}:{{ $e }},{{ end }}\n",
        "# {{ html \"<a&b>\" }} {{ js \"it's\" }} {{ urlquery \"a b&c\" }} {{ print 1 2 \"x\" 3.5 }} {{ println \"z\" }}",
        "# {{ with .Values.m }}{{ .k }}{{ end }} {{ if .Values.l }}yes{{ else }}no{{ end }} {{ .Release.Name }}\n",
        "# {{ define \"d\" }}[{{ . }}]{{ end }}{{ template \"d\" .Values.b }} {{ $x := 1 }}{{ $x = 2 }}{{ $x }} {{ 0x10 }} {{ 1e3 }}\n",
        "# {{ .Values.l | len }} {{ printf \"%q\" .Values.s }} {{ index .Values.m \"k\" }} [{{ index .Values.m \"zz\" }}]\n",
        "# {{ $v := .Values.nope }}[{{ $v }}] {{ range .Values.nope }}x{{ else }}empty{{ end }} {{ with .Values.n }}x{{ else }}nilish{{ end }}\n",
        "# {{ 3 | printf \"%d-%d\" 2 }} {{ \"<a>\" | html }} {{ if and .Values.a (not .Values.n) }}ok{{ end }} {{ .Values.m.k | printf \"%s!\" }}\n",
        "# {{- /* c */ -}} {{ range 3 }}{{ . }}{{ end }} {{ range $i, $c := .Values.l }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ $c }}{{ end }}\n",
        "# {{ block \"b\" .Values.s }}<{{ . }}>{{ end }} {{ print .Values.n }} {{ printf \"%v\" .Values.nope }} {{ .Values.big | printf \"%d\" }}\n",
        "# {{ printf \"%T %T %T %T\" .Values.l .Values.m .Values.n 1 }} {{ .Values.l | printf \"%v\" }} {{ eq .Values.s \"hello\" \"x\" }} {{ ne 1 2 }}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("c");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), values).unwrap();
    std::fs::write(chart.join("templates/t.yaml"), template).unwrap();
    let out = std::process::Command::new(helm)
        .args(["template", "rel"])
        .arg(&chart)
        .args(["--show-only", "templates/t.yaml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let helm_text = String::from_utf8(out.stdout).unwrap();
    let helm_body = helm_text
        .strip_prefix("---\n# Source: c/templates/t.yaml\n")
        .unwrap_or(&helm_text);

    let vals = crate::yaml::parse_document(values).unwrap();
    let mut release = BTreeMap::new();
    release.insert("Name".to_string(), GoValue::str("rel"));
    let mut top = BTreeMap::new();
    top.insert(
        "Values".to_string(),
        GoValue::from_value(&vals, NumberMode::Helm),
    );
    top.insert("Release".to_string(), GoValue::map(release));
    let mut t = Template::new("c/templates/t.yaml");
    t.missing_key_option(MissingKey::Zero);
    let ours = run_with(&mut t, template, &GoValue::map(top)).unwrap();
    assert_eq!(ours.replace("<no value>", ""), helm_body);
}

/// Differential test of execution error messages against `$HELM_REF`.
#[test]
fn helm_differential_errors() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set");
        return;
    };
    let values = "a: 1\ns: hello\nl: [1, 2]\nn: null\n";
    let vals = crate::yaml::parse_document(values).unwrap();
    for template in [
        "x: {{ eq .Values.a 1 }}",
        "x: {{ .Values.n.x }}",
        "x: {{ .Values.nope.x }}",
        "x: {{ index .Values.l 5 }}",
        "x: {{ index .Values.l .Values.a }}",
        "\n\nx: {{ .Values.s.x }}",
        "x: {{ template \"nope\" }}",
        "x: {{ len 3 }}",
        "x: {{ printf 3 }}",
        "x: {{ printf .Values.a }}",
        "x: {{ .Values.s 1 }}",
        "x: {{ range .Values.s }}{{ end }}",
        "x: {{ lt .Values.s 1.0 }}",
        "x: {{ not }}",
        "x: {{ nil }}",
        "x: {{ (nil).x }}",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("c");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(chart.join("values.yaml"), values).unwrap();
        std::fs::write(chart.join("templates/t.yaml"), template).unwrap();
        let out = std::process::Command::new(&helm)
            .args(["template", "rel"])
            .arg(&chart)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{template}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        let first = lines
            .first()
            .copied()
            .unwrap_or_default()
            .trim_start_matches("Error: ");
        // Helm 4 sometimes re-flows Go's message over three lines
        // ("LOC" / "executing … at <…>:" / "MESSAGE"); join it back.
        let helm_msg = if first.starts_with("template: ") {
            first.to_string()
        } else {
            format!(
                "template: {first}: {} {}",
                lines.get(1).map(|l| l.trim()).unwrap_or_default(),
                lines.get(2).map(|l| l.trim()).unwrap_or_default()
            )
        };

        let mut top = BTreeMap::new();
        top.insert(
            "Values".to_string(),
            GoValue::from_value(&vals, NumberMode::Helm),
        );
        let mut t = Template::new("c/templates/t.yaml");
        t.missing_key_option(MissingKey::Zero);
        let ours = run_with(&mut t, template, &GoValue::map(top)).unwrap_err();
        assert_eq!(ours, helm_msg, "{template}");
    }
}
