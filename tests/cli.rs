//! CLI tests: what a user sees, snapshot-tested (insta). Example charts must
//! render to valid multi-document YAML in Helm's stream format; bad input must
//! fail with a located message, a non-zero exit, and no output.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn skiff() -> Command {
    let mut cmd = Command::cargo_bin("skiff").expect("binary builds");
    cmd.current_dir(root());
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = skiff().args(args).output().expect("skiff runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every document of a Helm-format stream parses as YAML and is announced by
/// a `# Source:` line.
fn assert_helm_stream(text: &str) {
    assert!(text.starts_with("---\n# Source: "), "stream header: {text}");
    for (i, doc) in text.split("\n---\n").enumerate() {
        let doc = doc.strip_prefix("---\n").unwrap_or(doc);
        assert!(doc.starts_with("# Source: "), "doc {i} lacks a Source line");
        let value = skiff::yaml::parse_document(doc)
            .unwrap_or_else(|e| panic!("doc {i} is not YAML: {e:?}\n{doc}"));
        let kind = value.get_path("kind").and_then(|k| k.as_str());
        assert!(kind.is_some(), "doc {i} has no kind:\n{doc}");
    }
}

const EXAMPLES: &[&str] = &[
    "kafka",
    "spark",
    "airflow",
    "trino",
    "minio",
    "data-platform",
];

#[test]
fn example_charts_render() {
    for name in EXAMPLES {
        let chart = format!("charts-examples/{name}");
        let r = run(&["template", "demo", &chart]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_helm_stream(&r.stdout);
        insta::assert_snapshot!(format!("example_{name}"), r.stdout);
    }
}

#[test]
fn set_and_values_files_change_the_output() {
    let r = run(&[
        "template",
        "demo",
        "charts-examples/kafka",
        "--set",
        "replicas=5",
        "-s",
        "templates/statefulset.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("replicas: 5"), "{}", r.stdout);
    assert_eq!(r.stdout.matches("# Source: ").count(), 1, "{}", r.stdout);
}

#[test]
fn show_only_unknown_template_fails() {
    let r = run(&[
        "template",
        "charts-examples/kafka",
        "-s",
        "templates/nope.yaml",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    insta::assert_snapshot!("show_only_unknown", r.stderr);
}

#[test]
fn output_dir_writes_every_template() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let r = run(&[
        "template",
        "demo",
        "charts-examples/minio",
        "--output-dir",
        &out_s,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Helm's shape: one `wrote <path>` line per file, then an empty line.
    let (wrote, rest) = r.stdout.split_at(r.stdout.len() - 1);
    assert_eq!(rest, "\n");
    assert!(
        wrote.lines().all(|l| l.starts_with("wrote ")),
        "{}",
        r.stdout
    );
    let written: Vec<_> = walk(&out);
    assert!(!written.is_empty());
    for file in written {
        let text = std::fs::read_to_string(&file).expect("utf-8");
        assert!(text.starts_with("---\n# Source: "), "{}", file.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Error snapshots: file and place named, exit 1, nothing on stdout.
fn assert_user_error(args: &[&str], snapshot: &str) {
    let r = run(args);
    assert_eq!(r.code, 1, "{snapshot}: {}", r.stderr);
    assert!(
        r.stdout.is_empty(),
        "{snapshot}: partial output {}",
        r.stdout
    );
    assert!(r.stderr.starts_with("error: "), "{snapshot}: {}", r.stderr);
    insta::assert_snapshot!(snapshot, r.stderr);
}

#[test]
fn malformed_values_yaml_names_file_and_line() {
    assert_user_error(
        &["template", "tests/fixtures/broken-values"],
        "err_broken_values",
    );
}

#[test]
fn missing_chart_yaml() {
    assert_user_error(
        &["template", "tests/fixtures/no-chart-yaml"],
        "err_no_chart_yaml",
    );
}

#[test]
fn undefined_value_names_template_and_include_chain() {
    assert_user_error(
        &["template", "tests/fixtures/undefined-value"],
        "err_undefined_value",
    );
}

#[test]
fn schema_violation_names_path_and_rule() {
    assert_user_error(
        &[
            "template",
            "tests/fixtures/schema-violation",
            "--set",
            "replicas=0",
        ],
        "err_schema_violation",
    );
}

#[test]
fn bad_set_flag() {
    assert_user_error(
        &["template", "charts-examples/kafka", "--set", "a[x]=1"],
        "err_bad_set",
    );
}

#[test]
fn template_syntax_error() {
    assert_user_error(
        &["template", "tests/fixtures/bad-template"],
        "err_bad_template",
    );
}

#[test]
fn errors_write_no_output_dir() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let r = run(&[
        "template",
        "tests/fixtures/undefined-value",
        "--output-dir",
        &out_s,
    ]);
    assert_eq!(r.code, 1);
    assert!(!out.exists(), "output dir was created on failure");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["template"]).code, 2);
    assert_eq!(run(&["frobnicate"]).code, 2);
}

#[test]
fn help_everywhere() {
    for args in [
        vec!["--help"],
        vec!["template", "--help"],
        vec!["show", "--help"],
        vec!["show", "chart", "--help"],
        vec!["create", "--help"],
        vec!["eval", "--help"],
        vec!["completions", "--help"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}");
        assert!(r.stdout.contains("Usage: skiff"), "{args:?}: {}", r.stdout);
    }
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains("template"), "{shell}");
    }
}

#[test]
fn show_chart_and_values() {
    let r = run(&["show", "chart", "charts-examples/kafka"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("show_chart_kafka", r.stdout);
    let r = run(&["show", "values", "charts-examples/kafka"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let raw = std::fs::read_to_string(root().join("charts-examples/kafka/values.yaml")).unwrap();
    assert_eq!(r.stdout, raw + "\n");
}

#[test]
fn create_makes_a_chart_that_renders() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let chart = tmp.path().join("mychart");
    let chart_s = chart.to_string_lossy().into_owned();
    let r = run(&["create", &chart_s]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["template", "demo", &chart_s]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_helm_stream(&r.stdout);
    assert!(
        r.stdout.contains("# Source: mychart/templates/"),
        "{}",
        r.stdout
    );
    // Refuses to overwrite.
    assert_eq!(run(&["create", &chart_s]).code, 1);
}

#[test]
fn eval_renders_a_template_against_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data.yaml");
    let tpl = tmp.path().join("t.j2");
    std::fs::write(&data, "name: kafka\nports: [9092, 9093]\n").unwrap();
    // trim_blocks: the newline right after a block tag is dropped.
    std::fs::write(
        &tpl,
        "{% for p in ports %}\n{{ name }}:{{ p }}\n{% endfor %}\n",
    )
    .unwrap();
    let r = run(&[
        "eval",
        "--engine",
        "jinja",
        "--data",
        &data.to_string_lossy(),
        &tpl.to_string_lossy(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "kafka:9092\nkafka:9093\n");
}
