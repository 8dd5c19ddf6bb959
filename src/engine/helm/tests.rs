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

/// Writes a chart tree under a temp dir: `(path, content)` pairs.
fn chart(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn render(dir: &tempfile::TempDir) -> String {
    let opts = crate::render::RenderOptions::default();
    match crate::render::render_to_string(&dir.path().join("p"), &opts) {
        Ok(o) => o.text,
        Err(d) => format!("ERR: {}", d.message),
    }
}

const PARENT: &str = "apiVersion: v2\nname: p\nversion: 0.1.0\n";

#[test]
fn shallowest_then_first_define_wins_across_the_tree() {
    let dir = chart(&[
        ("p/Chart.yaml", PARENT),
        ("p/templates/_b.tpl", r#"{{ define "x" }}parent-b{{ end }}"#),
        ("p/templates/_a.tpl", r#"{{ define "y" }}parent-a{{ end }}"#),
        ("p/templates/_z.tpl", r#"{{ define "y" }}parent-z{{ end }}"#),
        (
            "p/templates/cm.yaml",
            "a: {{ include \"x\" . }}\nb: {{ include \"y\" . }}\nc: {{ include \"s\" . }}\n",
        ),
        (
            "p/charts/asub/Chart.yaml",
            "apiVersion: v2\nname: asub\nversion: 0.1.0\n",
        ),
        (
            "p/charts/asub/templates/_h.tpl",
            r#"{{ define "x" }}asub{{ end }}{{ define "s" }}asub{{ end }}"#,
        ),
        (
            "p/charts/zsub/Chart.yaml",
            "apiVersion: v2\nname: zsub\nversion: 0.1.0\n",
        ),
        (
            "p/charts/zsub/templates/_h.tpl",
            r#"{{ define "s" }}zsub{{ end }}"#,
        ),
    ]);
    let out = render(&dir);
    assert!(out.contains("a: parent-b\nb: parent-a\nc: asub"), "{out}");
}

#[test]
fn library_partials_only_notes_not_printed_and_no_value_erased() {
    let dir = chart(&[
        ("p/Chart.yaml", PARENT),
        ("p/values.yaml", "s: \"a <no value> b\"\nbig: 1000000\n"),
        ("p/templates/NOTES.txt", "notes {{ .Values.s }}"),
        (
            "p/templates/cm.yaml",
            "s: {{ .Values.s }}\nm: [{{ .Values.nope }}]\nbig: {{ .Values.big }}\nlib: {{ include \"lib.x\" . }}\nt: {{ .Template.Name }}\n",
        ),
        (
            "p/charts/lib/Chart.yaml",
            "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
        ),
        (
            "p/charts/lib/templates/_x.tpl",
            r#"{{ define "lib.x" }}from-lib{{ end }}"#,
        ),
        ("p/charts/lib/templates/cm.yaml", "never: rendered\n"),
    ]);
    let out = render(&dir);
    assert_eq!(
        out,
        "---\n# Source: p/templates/cm.yaml\ns: a  b\nm: []\nbig: 1e+06\nlib: from-lib\nt: p/templates/cm.yaml\n"
    );
}

#[test]
fn subchart_values_are_scoped_and_subcharts_listed() {
    let dir = chart(&[
        ("p/Chart.yaml", PARENT),
        ("p/values.yaml", "sub:\n  k: v\n"),
        ("p/templates/cm.yaml", "k: {{ .Subcharts.sub.Values.k }}\n"),
        (
            "p/charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        ),
        (
            "p/charts/sub/templates/cm.yaml",
            "sk: {{ .Values.k }}\nroot: {{ .Chart.IsRoot }}\n",
        ),
    ]);
    let out = render(&dir);
    assert!(out.contains("sk: v\nroot: false"), "{out}");
    assert!(out.contains("k: v\n"), "{out}");
}

/// Runs `helm template` and skiff on the same scratch chart; skipped
/// without `HELM_REF`.
#[test]
fn objects_match_helm() {
    let Some(helm) = std::env::var_os("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set");
        return;
    };
    let exprs = [
        ".Release",
        "printf \"%T\" .Release.Revision",
        ".Chart",
        "toJson .Chart",
        ".Capabilities.HelmVersion",
        "toJson .Capabilities.HelmVersion",
        "printf \"%v|%T\" .Capabilities.KubeVersion .Capabilities.KubeVersion",
        ".Capabilities.APIVersions.Has \"apps/v1\"",
        ".Capabilities.APIVersions.Has \"apps/v1/Deployment\"",
        ".Files.Get \"f/a.txt\"",
        ".Files.Lines \"f/a.txt\"",
        ".Files.GetBytes \"f/a.txt\"",
        "(.Files.Glob \"f/*\").AsConfig",
        "(.Files.Glob \"f/*\").AsSecrets",
        "toJson .Files",
        ".Template",
        "toYaml .Values",
        "toJson .Values",
        "toYamlPretty .Values.m",
        "toToml .Values",
        "fromYaml \"a: [\"",
        "fromJson \"[1]\"",
        "fromJsonArray \"{}\"",
        "tpl \"{{ .Release.Name }}{{ define \\\"q\\\" }}Q{{ end }}{{ include \\\"q\\\" . }}\" .",
        "lookup \"v1\" \"Secret\" \"ns\" \"n\"",
    ];
    let mut tpl = String::from("x:\n");
    for (i, e) in exprs.iter().enumerate() {
        tpl.push_str(&format!("  k{i}: {{{{ printf \"%q\" (print ({e})) }}}}\n"));
    }
    let dir = chart(&[
        (
            "p/Chart.yaml",
            "apiVersion: v2\nname: p\nversion: 0.1.0\nappVersion: \"1.0\"\nkeywords: [a]\nannotations: {k: v}\n",
        ),
        (
            "p/values.yaml",
            "big: 1000000\nf: 1.5\nl: [1, two, {x: y}]\nm: {b: 2, a: \"x<y>&\"}\n",
        ),
        ("p/f/a.txt", "one\ntwo\n"),
        ("p/f/b.json", "{\"k\": 1}"),
        ("p/templates/cm.yaml", &tpl),
    ]);
    let helm_out = std::process::Command::new(helm)
        .args(["template", "p"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(helm_out.status.success());
    let ours = render(&dir);
    assert_eq!(ours, String::from_utf8_lossy(&helm_out.stdout));
}

#[test]
fn error_chain_is_read_like_helm() {
    let text = "template: a.yaml:3:4: executing \"a.yaml\" at <include \"x\" .>: error calling include: template: _h.tpl:2:10: executing \"x\" at <.a.b>: nil pointer evaluating interface {}.b";
    let (outer, next) = parse_trace(text).unwrap();
    assert_eq!(outer.location, "a.yaml:3:4");
    assert_eq!(outer.message, "error calling include:");
    let (inner, last) = parse_trace(next.unwrap()).unwrap();
    assert_eq!(inner.executed, "executing \"x\" at <.a.b>:");
    assert!(last.is_none());
    assert_eq!(
        split_location("c/templates/x.yaml:12:5"),
        ("c/templates/x.yaml".to_string(), Some(12), Some(6))
    );
    let err = exec_error(
        &ExecError {
            message: text.to_string(),
            name: "a.yaml".into(),
            line: 3,
            col: 4,
        },
        &[],
    );
    assert_eq!(err.template, "_h.tpl");
    assert_eq!(err.line, Some(2));
    assert_eq!(err.chain, vec!["a.yaml:3:4".to_string()]);
    assert!(err.message.starts_with("a.yaml:3:4\n  executing \"a.yaml\" at <include \"x\" .>:\n    error calling include:\n_h.tpl:2:10"));
}

#[test]
fn tpl_errors_keep_go_text() {
    let data = funcs::parse_json(r#"{"s": "{{ .a.b }}"}"#).unwrap();
    let err = eval_str("{{ tpl .s . }}", data);
    assert!(
        err.contains("error during tpl function execution for \"{{ .a.b }}\""),
        "{err}"
    );
    let data = funcs::parse_json(r#"{"s": "{{ .a "}"#).unwrap();
    let err = eval_str("{{ tpl .s . }}", data);
    assert!(err.contains("cannot parse template"), "{err}");
}

#[test]
fn seed_makes_random_functions_repeatable() {
    let dir = chart(&[
        ("p/Chart.yaml", PARENT),
        (
            "p/templates/cm.yaml",
            "a: {{ randAlphaNum 16 }}\nb: {{ uuidv4 }}\n",
        ),
    ]);
    let run = |seed| {
        let opts = crate::render::RenderOptions {
            seed,
            ..Default::default()
        };
        crate::render::render_to_string(&dir.path().join("p"), &opts)
            .unwrap()
            .text
    };
    assert_eq!(run(Some(7)), run(Some(7)));
    assert_ne!(run(Some(7)), run(Some(8)));
    assert_ne!(run(None), run(None));
}

#[test]
fn from_yaml_reads_only_the_first_document() {
    use super::funcs::first_document;
    assert_eq!(first_document("a: 1\n---\nb: ["), "a: 1\n");
    assert_eq!(first_document("a: 1\n---\n"), "a: 1\n");
    // A marker before any content opens the first document.
    assert_eq!(first_document("# c\n---\na: 1\n"), "# c\n---\na: 1\n");
    assert_eq!(first_document("a: |\n  ---\nb: 2"), "a: |\n  ---\nb: 2");
    assert_eq!(first_document("a: 1\n...\nb"), "a: 1\n");
}

/// A chart whose templates pass the size above which files parse and
/// execute on several threads (a partial full of comments), plus `files`.
fn large_chart(files: &[(&str, &str)]) -> tempfile::TempDir {
    let padding = format!(
        "{{{{/* {} */}}}}\n",
        "x".repeat(crate::parallel::MIN_PARALLEL_BYTES)
    );
    let mut all = vec![
        ("p/Chart.yaml", PARENT),
        ("p/templates/_padding.tpl", padding.as_str()),
    ];
    all.extend_from_slice(files);
    chart(&all)
}

/// Owned `(path, text)` pairs as the `&str` pairs [`chart`] takes.
fn borrowed(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect()
}

/// `--seed` executes the files one after the other; without it they run
/// side by side when the chart is large. Both must print the same.
fn render_both_ways(dir: &tempfile::TempDir) -> (String, String) {
    let run = |seed| {
        let opts = crate::render::RenderOptions {
            seed,
            ..Default::default()
        };
        match crate::render::render_to_string(&dir.path().join("p"), &opts) {
            Ok(o) => o.text,
            Err(d) => format!("ERR: {}", d.message),
        }
    };
    (run(Some(1)), run(None))
}

#[test]
fn a_write_to_shared_values_is_seen_by_the_files_after_it() {
    // Helm executes deeper paths first, then names in descending order:
    // `z-writer.yaml` runs before every `a-reader-*.yaml`.
    let readers: Vec<(String, String)> = (0..8)
        .map(|i| {
            (
                format!("p/templates/a-reader-{i}.yaml"),
                format!("kind: R{i}\nx: {{{{ .Values.x | default \"unset\" }}}}\n"),
            )
        })
        .collect();
    let mut files = borrowed(&readers);
    // The writer works a while first, so that readers on another thread
    // would run before its write if nothing held them to Helm's order.
    files.push((
        "p/templates/z-writer.yaml",
        "{{- range until 50000 }}{{ end -}}\n{{- $_ := set .Values \"x\" \"written\" -}}\nkind: W\n",
    ));
    let dir = large_chart(&files);
    let (in_order, side_by_side) = render_both_ways(&dir);
    assert_eq!(in_order.matches("x: written").count(), 8, "{in_order}");
    assert_eq!(side_by_side, in_order);
}

#[test]
fn files_before_a_write_keep_their_results_and_the_rest_see_it() {
    // In Helm's order: the `z-` files, then `m-writer.yaml`, then the `a-`
    // files. Only the `a-` files may see the write.
    let mut owned: Vec<(String, String)> = Vec::new();
    for i in 0..6 {
        owned.push((
            format!("p/templates/z-before-{i}.yaml"),
            format!("kind: B{i}\nx: {{{{ .Values.x | default \"unset\" }}}}\n"),
        ));
        owned.push((
            format!("p/templates/a-after-{i}.yaml"),
            format!("kind: A{i}\nx: {{{{ .Values.x | default \"unset\" }}}}\n"),
        ));
    }
    let mut files = borrowed(&owned);
    files.push((
        "p/templates/m-writer.yaml",
        "{{- $_ := set .Values \"x\" \"written\" -}}\nkind: W\n",
    ));
    let dir = large_chart(&files);
    let (in_order, side_by_side) = render_both_ways(&dir);
    assert_eq!(in_order.matches("x: written").count(), 6, "{in_order}");
    assert_eq!(in_order.matches("x: unset").count(), 6, "{in_order}");
    assert_eq!(side_by_side, in_order);
}

#[test]
fn a_file_is_not_kept_when_a_file_after_it_wrote_while_it_ran() {
    // `z-slow.yaml` comes first in Helm's order but reads only after a
    // while; `a-writer.yaml`, after it in order, writes at once on another
    // thread. In order, `z-slow.yaml` sees no write.
    let files = [
        (
            "p/templates/z-slow.yaml",
            "{{- range until 200000 }}{{ end -}}\nkind: S\nx: {{ .Values.x | default \"unset\" }}\n",
        ),
        (
            "p/templates/a-writer.yaml",
            "{{- $_ := set .Values \"x\" \"written\" -}}\nkind: W\n",
        ),
        (
            "p/templates/a-reader.yaml",
            "kind: R\nx: {{ .Values.x | default \"unset\" }}\n",
        ),
    ];
    let dir = large_chart(&files);
    let (in_order, side_by_side) = render_both_ways(&dir);
    assert!(in_order.contains("kind: S\nx: unset"), "{in_order}");
    assert!(in_order.contains("kind: R\nx: written"), "{in_order}");
    assert_eq!(side_by_side, in_order);
}

#[test]
fn a_value_made_once_and_stored_again_is_the_one_every_later_file_sees() {
    // Like bitnami's passwords: the first file in Helm's order that needs
    // the value makes it (here from its own name) and stores it in
    // `.Values`; every file stores it again when it reads it.
    let define = "{{- define \"pw\" -}}{{- if not .Values.pw -}}{{- $_ := set .Values \"pw\" (printf \"made-in-%s\" .Template.Name) -}}{{- end -}}{{- $_ := set .Values \"pw\" .Values.pw -}}{{ .Values.pw }}{{- end -}}";
    let owned: Vec<(String, String)> = (0..10)
        .map(|i| {
            let body = if i < 3 {
                format!("kind: K{i}\n")
            } else {
                format!("kind: K{i}\npw: {{{{ include \"pw\" . }}}}\n")
            };
            (format!("p/templates/f-{i}.yaml"), body)
        })
        .collect();
    let mut files = borrowed(&owned);
    files.push(("p/templates/_pw.tpl", define));
    let dir = large_chart(&files);
    let (in_order, side_by_side) = render_both_ways(&dir);
    // Helm's order is descending by name: f-9 makes it.
    assert_eq!(
        in_order.matches("pw: made-in-p/templates/f-9.yaml").count(),
        7,
        "{in_order}"
    );
    assert_eq!(side_by_side, in_order);
}

#[test]
fn files_side_by_side_print_and_fail_as_in_order() {
    let dir = large_chart(&[
        ("p/templates/a.yaml", "kind: A\nv: {{ .Values.v }}\n"),
        (
            "p/templates/b.yaml",
            "kind: B\n{{ $d := dict }}{{ $_ := set $d \"k\" 1 }}k: {{ $d.k }}\n",
        ),
        ("p/templates/c.yaml", "kind: C\nn: {{ include \"n\" . }}\n"),
        (
            "p/templates/_n.tpl",
            "{{ define \"n\" }}{{ .Chart.Name }}{{ end }}",
        ),
        ("p/values.yaml", "v: 1\n"),
    ]);
    let (in_order, side_by_side) = render_both_ways(&dir);
    assert!(
        in_order.contains("k: 1") && in_order.contains("n: p"),
        "{in_order}"
    );
    assert_eq!(side_by_side, in_order);

    // Two failing files: the first in Helm's order is the error.
    let dir = large_chart(&[
        ("p/templates/a.yaml", "{{ fail \"from a\" }}"),
        ("p/templates/b.yaml", "kind: B\n"),
        ("p/templates/c.yaml", "{{ fail \"from c\" }}"),
    ]);
    let (in_order, side_by_side) = render_both_ways(&dir);
    assert!(in_order.contains("from c"), "{in_order}");
    assert_eq!(side_by_side, in_order);
}

#[test]
fn the_schema_report_wins_over_a_failing_template() {
    // The schema is checked while the templates render; Helm checks first.
    let schema = r#"{"type": "object", "properties": {"count": {"type": "integer"}}}"#;
    let files = |n: &'static str| {
        chart(&[
            ("p/Chart.yaml", PARENT),
            ("p/values.schema.json", schema),
            ("p/values.yaml", n),
            (
                "p/templates/a.yaml",
                "{{ if .Values.fail }}{{ fail \"boom\" }}{{ end }}count: {{ .Values.count }}\n",
            ),
        ])
    };
    let bad_both = render(&files("count: text\nfail: true\n"));
    assert!(
        bad_both.starts_with("ERR: values don't meet the specifications of the schema"),
        "{bad_both}"
    );
    assert!(!bad_both.contains("boom"), "{bad_both}");
    let bad_template = render(&files("count: 1\nfail: true\n"));
    assert!(bad_template.contains("boom"), "{bad_template}");
    assert_eq!(
        render(&files("count: 1\n")),
        "---\n# Source: p/templates/a.yaml\ncount: 1\n"
    );
}
