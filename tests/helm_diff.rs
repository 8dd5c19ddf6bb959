//! Differential tests: skiff against helm v4.1.4 (`$HELM_REF`) on the same
//! charts, byte for byte. Until the Go engine lands these charts use static
//! templates (no actions), which both tools emit unchanged, so what is
//! compared is the pipeline: loading, subcharts, conditions, ordering, hooks,
//! CRDs, the stream format and `--show-only`.
//!
//! Skipped, with a message, when `HELM_REF` is not set (`scripts/test` sets it).

use std::path::Path;
use std::process::Command;

fn helm() -> Option<String> {
    match std::env::var("HELM_REF") {
        Ok(h) if !h.is_empty() => Some(h),
        _ => {
            eprintln!("SKIPPED: HELM_REF is not set; differential tests against helm did not run");
            None
        }
    }
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A chart tree exercising the pipeline without template actions.
fn build_chart(root: &Path) {
    write(
        root,
        "Chart.yaml",
        "apiVersion: v2\nname: platform\nversion: 1.2.3\nappVersion: \"9.9\"\n\
         dependencies:\n- name: queue\n  version: 0.1.0\n  condition: queue.enabled\n\
         - name: lake\n  version: 0.1.0\n  condition: lake.enabled\n\
         - name: cache\n  version: 0.1.0\n  alias: memcache\n",
    );
    write(
        root,
        "values.yaml",
        "queue:\n  enabled: true\nlake:\n  enabled: false\n",
    );
    write(
        root,
        "templates/all.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n\
         apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n\
         # only a comment\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata:\n  name: data\n\n\n---\n\n",
    );
    write(
        root,
        "templates/zz-custom.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\n\
         apiVersion: example.com/v1\nkind: Alpha\nmetadata:\n  name: a\n",
    );
    write(
        root,
        "templates/hooks.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    \
         helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"5\"\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata:\n  name: ghost\n  annotations:\n    \
         helm.sh/hook: no-such-event\n",
    );
    write(
        root,
        "templates/tests/test-conn.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: test-conn\n  annotations:\n    \
         helm.sh/hook: test\n",
    );
    write(root, "templates/_helpers.tpl", "{{/* partial */}}\n");
    write(root, "templates/NOTES.txt", "Thanks for installing.\n");
    write(root, "templates/empty.yaml", "\n  \n");
    write(
        root,
        "crds/widgets.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  \
         name: widgets.example.com\n",
    );
    for (sub, kind) in [
        ("queue", "StatefulSet"),
        ("lake", "ConfigMap"),
        ("cache", "Secret"),
    ] {
        write(
            root,
            &format!("charts/{sub}/Chart.yaml"),
            &format!("apiVersion: v2\nname: {sub}\nversion: 0.1.0\n"),
        );
        write(
            root,
            &format!("charts/{sub}/templates/main.yaml"),
            &format!("apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {sub}\n"),
        );
    }
}

/// Runs helm and skiff with `args`: both succeed and print the same.
fn assert_same_output(helm: &str, args: &[&str]) {
    let (hc, hout, herr) = run(helm, args);
    let (sc, sout, serr) = run(env!("CARGO_BIN_EXE_skiff"), args);
    assert_eq!(hc, 0, "helm {args:?}: {herr}");
    assert_eq!(sc, 0, "skiff {args:?}: {serr}");
    assert_eq!(sout, hout, "output differs for {args:?}");
}

fn run(bin: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn static_chart_tree_matches_helm() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("platform");
    build_chart(&chart);
    let chart_s = chart.to_string_lossy().into_owned();
    let cases: Vec<Vec<&str>> = vec![
        vec!["template", &chart_s],
        vec!["template", "rel", &chart_s, "--include-crds"],
        vec!["template", &chart_s, "--skip-tests"],
        vec!["template", &chart_s, "--no-hooks"],
        vec![
            "template",
            &chart_s,
            "--set",
            "lake.enabled=true,queue.enabled=false",
        ],
        vec!["template", &chart_s, "-s", "templates/all.yaml"],
        vec!["template", &chart_s, "-s", "templates/*.yaml"],
        vec![
            "template",
            &chart_s,
            "-s",
            "charts/queue/templates/main.yaml",
        ],
    ];
    for args in cases {
        assert_same_output(&helm, &args);
    }
}

#[test]
fn empty_chart_matches_helm() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("nothing");
    write(
        &chart,
        "Chart.yaml",
        "apiVersion: v2\nname: nothing\nversion: 0.0.1\n",
    );
    write(&chart, "templates/blank.yaml", "\n");
    let chart_s = chart.to_string_lossy().into_owned();
    let (_, hout, _) = run(&helm, &["template", &chart_s]);
    let (sc, sout, serr) = run(env!("CARGO_BIN_EXE_skiff"), &["template", &chart_s]);
    assert_eq!(sc, 0, "{serr}");
    assert_eq!(sout, hout);
}

#[test]
fn show_chart_and_values_match_helm() {
    let Some(helm) = helm() else { return };
    let root = env!("CARGO_MANIFEST_DIR");
    for chart in [
        "kafka",
        "spark",
        "airflow",
        "trino",
        "minio",
        "data-platform",
    ] {
        let path = format!("{root}/charts-examples/{chart}");
        for what in ["chart", "values"] {
            assert_same_output(&helm, &["show", what, path.as_str()]);
        }
    }
}

#[test]
fn show_chart_of_tricky_metadata_matches_helm() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("tricky");
    write(
        &chart,
        "Chart.yaml",
        r#"# comments are dropped
apiVersion: v2
name: tricky
version: 1.0.0-rc.1+build.5
appVersion: 1234567.5
description: 1.10
deprecated: true
kubeVersion: '>= 1.25'
keywords: [data, 'yes']
maintainers:
- name: Ops
  email: ops@example.com
annotations:
  category: Database
  'y': 'n'
dependencies:
- name: sub
  version: ~0.1
  alias: other
  tags: [a, b]
  import-values:
  - data
  - child: x.y
    parent: z
  condition: sub.on,other.on
"#,
    );
    write(&chart, "values.yaml", "# only a comment\n");
    write(
        &chart,
        "charts/sub/Chart.yaml",
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    );
    let path = chart.to_string_lossy().into_owned();
    for what in ["chart", "values"] {
        assert_same_output(&helm, &["show", what, path.as_str()]);
    }
}

/// A chart with enough template text (over the 96 KiB above which the
/// engine parses files on every core): subcharts by directory, an aliased
/// one, a disabled one with a template that does not parse, and `define`s
/// used across charts. Output and errors match helm's.
#[test]
fn large_chart_tree_matches_helm() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("big");
    write(
        &root,
        "Chart.yaml",
        "apiVersion: v2\nname: big\nversion: 1.0.0\n\
         dependencies:\n- name: lib\n  version: 0.1.0\n\
         - name: part\n  version: 0.1.0\n  alias: renamed\n\
         - name: cold\n  version: 0.1.0\n  condition: cold.enabled\n",
    );
    write(&root, "values.yaml", "n: 3\ncold:\n  enabled: false\n");
    // About 150 KB of defines in the library subchart.
    let mut helpers = String::new();
    for i in 0..600 {
        helpers.push_str(&format!(
            "{{{{- define \"lib.item{i}\" -}}}}\n\
             {{{{- $v := default \"none\" .Values.missing -}}}}\n\
             item{i}: {{{{ printf \"%s-%d\" $v {i} | quote }}}} # {}\n\
             {{{{- end }}}}\n",
            "x".repeat(120)
        ));
    }
    write(
        &root,
        "charts/lib/Chart.yaml",
        "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
    );
    write(&root, "charts/lib/templates/_helpers.tpl", &helpers);
    write(
        &root,
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-big\ndata:\n\
         {{- range $i := until (int .Values.n) }}\n  {{- include (printf \"lib.item%d\" $i) $ | nindent 2 }}\n{{- end }}\n",
    );
    write(
        &root,
        "charts/part/Chart.yaml",
        "apiVersion: v2\nname: part\nversion: 0.1.0\n",
    );
    write(
        &root,
        "charts/part/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Template.Name | base }}\ndata:\n  {{- include \"lib.item7\" . | nindent 2 }}\n",
    );
    write(
        &root,
        "charts/cold/Chart.yaml",
        "apiVersion: v2\nname: cold\nversion: 0.1.0\n",
    );
    write(
        &root,
        "charts/cold/templates/broken.yaml",
        "a: {{ .Values.a \n",
    );
    let chart = root.to_string_lossy().into_owned();
    let skiff = env!("CARGO_BIN_EXE_skiff");
    for args in [
        vec!["template", chart.as_str()],
        vec!["template", chart.as_str(), "--set", "n=40"],
    ] {
        assert_same_output(&helm, &args);
    }
    // Enabled, the broken subchart fails both, naming the same place.
    let args = ["template", chart.as_str(), "--set", "cold.enabled=true"];
    let (hc, _, herr) = run(&helm, &args);
    let (sc, sout, serr) = run(skiff, &args);
    assert_ne!(hc, 0);
    assert_ne!(sc, 0);
    assert!(sout.is_empty(), "{sout}");
    assert!(
        herr.contains("big/charts/cold/templates/broken.yaml:1"),
        "{herr}"
    );
    assert!(
        serr.contains("big/charts/cold/templates/broken.yaml:1"),
        "{serr}"
    );
}
