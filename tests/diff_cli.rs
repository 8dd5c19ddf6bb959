//! `skiff diff` end to end: every input kind, every output format
//! (snapshots), renames, Secret masking, the ignore filters, exit codes and
//! a diff against a git revision in a repository made by the test.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn skiff_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::cargo_bin("skiff").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const OLD: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config-5f7c9
  namespace: shop
  labels:
    helm.sh/chart: app-1.0.0
data:
  app.properties: |
    a=1
    b=2
    c=3
    d=4
    e=5
    f=6
    g=7
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: shop
  labels:
    helm.sh/chart: app-1.0.0
  annotations:
    checksum/config: aaaa
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: shop/web:1.0
        env:
        - name: MODE
          value: prod
        - name: DEBUG
          value: "false"
        ports:
        - containerPort: 8080
          name: http
      - name: proxy
        image: envoy:1.30
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
data:
  password: c2VjcmV0MQ==
  user: YWRtaW4=
---
apiVersion: v1
kind: Service
metadata:
  name: legacy
  namespace: shop
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: shop
"#;

const NEW: &str = r#"apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config-8d2k1
  namespace: shop
  labels:
    helm.sh/chart: app-1.1.0
data:
  app.properties: |
    a=1
    b=2
    c=3
    d=40
    e=5
    f=6
    g=7
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: shop
  labels:
    helm.sh/chart: app-1.1.0
  annotations:
    checksum/config: bbbb
spec:
  replicas: 3
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: proxy
        image: envoy:1.30
      - name: web
        image: shop/web:1.1
        env:
        - name: DEBUG
          value: "false"
        - name: MODE
          value: staging
        ports:
        - containerPort: 8080
          name: web
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
data:
  password: c2VjcmV0Mg==
  user: YWRtaW4=
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app
  namespace: shop
spec:
  rules:
  - host: shop.example.com
"#;

/// A temp dir holding old.yaml and new.yaml.
fn streams() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.yaml"), OLD).unwrap();
    std::fs::write(dir.path().join("new.yaml"), NEW).unwrap();
    dir
}

fn diff(args: &[&str]) -> Run {
    let dir = streams();
    let mut all = vec!["diff", "old.yaml", "new.yaml"];
    all.extend_from_slice(args);
    skiff_in(dir.path(), &all, None)
}

#[test]
fn text_output() {
    let r = diff(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Not a terminal: no colour by default.
    assert!(!r.stdout.contains('\x1b'));
    insta::assert_snapshot!("text", r.stdout);
}

#[test]
fn json_output() {
    let r = diff(&["--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["schemaVersion"], 1);
    insta::assert_snapshot!("json", r.stdout);
}

#[test]
fn markdown_output() {
    let r = diff(&["--output", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("markdown", r.stdout);
}

#[test]
fn stat_output() {
    let r = diff(&["--stat"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("stat", r.stdout);
}

#[test]
fn color_always_and_no_color() {
    let r = diff(&["--color", "always"]);
    assert!(r.stdout.contains("\x1b[32m"), "{}", r.stdout);
    let dir = streams();
    let mut cmd = Command::cargo_bin("skiff").unwrap();
    let out = cmd
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["diff", "old.yaml", "new.yaml"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[test]
fn context_limits_string_hunks() {
    let r = diff(&["--context", "0"]);
    assert!(r.stdout.contains("    - d=4\n    + d=40\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("      c=3"), "{}", r.stdout);
    let r = diff(&["--context", "1"]);
    assert!(r.stdout.contains("      c=3\n    - d=4"), "{}", r.stdout);
}

#[test]
fn rename_detected_for_hash_suffix() {
    let r = diff(&["--output", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let renamed: Vec<&serde_json::Value> = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "renamed")
        .collect();
    assert_eq!(renamed.len(), 1);
    assert_eq!(renamed[0]["name"], "app-config-8d2k1");
    assert_eq!(renamed[0]["renamedFrom"]["name"], "app-config-5f7c9");
    // --no-renames turns it into a remove and an add.
    let r = diff(&["--stat", "--no-renames"]);
    assert!(r.stdout.contains("2 added, 2 removed"), "{}", r.stdout);
}

#[test]
fn secrets_masked_unless_asked() {
    let r = diff(&[]);
    assert!(!r.stdout.contains("c2VjcmV0"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("data.password\n    - (masked)\n    + (masked)"),
        "{}",
        r.stdout
    );
    // The unchanged key is not reported at all.
    assert!(!r.stdout.contains("data.user"));
    let r = diff(&["--show-secrets"]);
    assert!(r.stdout.contains("- c2VjcmV0MQ=="), "{}", r.stdout);
    assert!(r.stdout.contains("+ c2VjcmV0Mg=="), "{}", r.stdout);
}

#[test]
fn ignore_filters() {
    let r = diff(&[
        "--ignore-labels",
        "helm.sh/chart,other",
        "--ignore-path",
        "metadata.annotations",
        "--ignore-path",
        "spec.template.spec.containers[name=web].env*",
    ]);
    assert!(!r.stdout.contains("helm.sh/chart"), "{}", r.stdout);
    assert!(!r.stdout.contains("checksum/config"), "{}", r.stdout);
    assert!(!r.stdout.contains("MODE"), "{}", r.stdout);
    assert!(
        r.stdout.contains("containers[name=web].image"),
        "{}",
        r.stdout
    );
}

#[test]
fn exit_codes() {
    assert_eq!(diff(&[]).code, 0);
    assert_eq!(diff(&["--exit-code"]).code, 1);
    let dir = streams();
    let same = skiff_in(
        dir.path(),
        &["diff", "old.yaml", "old.yaml", "--exit-code"],
        None,
    );
    assert_eq!(same.code, 0);
    assert!(same.stdout.contains("no differences"));
    let missing = skiff_in(dir.path(), &["diff", "old.yaml", "nope.yaml"], None);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("nope.yaml"), "{}", missing.stderr);
    assert!(missing.stdout.is_empty());
    std::fs::write(dir.path().join("bad.yaml"), "a: [\n").unwrap();
    let bad = skiff_in(dir.path(), &["diff", "old.yaml", "bad.yaml"], None);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("bad.yaml"), "{}", bad.stderr);
    let usage = skiff_in(dir.path(), &["diff", "old.yaml"], None);
    assert_eq!(usage.code, 2);
}

#[test]
fn stdin_input() {
    let dir = streams();
    let r = skiff_in(dir.path(), &["diff", "old.yaml", "-", "--stat"], Some(NEW));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, diff(&["--stat"]).stdout);
}

#[test]
fn chart_input_against_stream() {
    let chart = root().join("charts-examples/kafka");
    let rendered = skiff_in(&root(), &["template", chart.to_str().unwrap()], None);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    let dir = tempfile::tempdir().unwrap();
    let edited = rendered
        .stdout
        .replacen("apache/kafka:", "apache/kafka-fork:", 1);
    std::fs::write(dir.path().join("rendered.yaml"), edited).unwrap();
    let r = skiff_in(
        dir.path(),
        &[
            "diff",
            chart.to_str().unwrap(),
            "rendered.yaml",
            "--output",
            "markdown",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("chart_vs_stream", r.stdout);
    // The same chart on both sides, values applied to both: no difference.
    let r = skiff_in(
        &root(),
        &[
            "diff",
            "charts-examples/kafka",
            "charts-examples/kafka",
            "--set",
            "replicas=5",
            "--exit-code",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn kustomization_inputs_are_built() {
    // Two overlays of the repository's own example: same base, different
    // prefix/namespace/replicas, so every resource is renamed or changed.
    let root = env!("CARGO_MANIFEST_DIR");
    let dev = format!("{root}/overlays-examples/overlays/dev");
    let prod = format!("{root}/overlays-examples/overlays/prod");
    let r = skiff_in(
        Path::new(root),
        &["diff", &dev, &prod, "--stat", "--exit-code"],
        None,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("prod-ingest"), "{}", r.stdout);
    let same = skiff_in(Path::new(root), &["diff", &dev, &dev, "--exit-code"], None);
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=test"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn git_revision_diff() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::create_dir(repo.join("deploy")).unwrap();
    std::fs::write(repo.join("deploy/app.yaml"), OLD).unwrap();
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "one"]);
    std::fs::write(repo.join("deploy/app.yaml"), NEW).unwrap();
    git(repo, &["commit", "-qam", "two"]);
    // Working copy edits must not be touched by reading older revisions.
    let wip = NEW.replace("replicas: 3", "replicas: 9");
    std::fs::write(repo.join("deploy/app.yaml"), &wip).unwrap();

    let r = skiff_in(
        repo,
        &[
            "diff",
            "deploy/app.yaml",
            "--from",
            "HEAD~1",
            "--to",
            "HEAD",
            "--stat",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, diff(&["--stat"]).stdout);

    // --from only: the new side is the working copy (replicas 9).
    let sub = repo.join("deploy");
    let r = skiff_in(&sub, &["diff", "app.yaml", "--from", "HEAD"], None);
    assert!(
        r.stdout.contains("spec.replicas\n    - 3\n    + 9"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("deploy/app.yaml")).unwrap(),
        wip
    );

    let r = skiff_in(
        repo,
        &["diff", "deploy/app.yaml", "--from", "no-such-rev"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("git archive"), "{}", r.stderr);
}

#[test]
fn git_revision_of_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::create_dir_all(repo.join("charts/demo/templates")).unwrap();
    std::fs::write(
        repo.join("charts/demo/Chart.yaml"),
        "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(repo.join("charts/demo/values.yaml"), "tag: \"1\"\n").unwrap();
    std::fs::write(
        repo.join("charts/demo/templates/cm.yaml.j2"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ release.name }}\ndata:\n  tag: \"{{ values.tag }}\"\n",
    )
    .unwrap();
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "one"]);
    std::fs::write(repo.join("charts/demo/values.yaml"), "tag: \"2\"\n").unwrap();
    let r = skiff_in(
        repo,
        &["diff", "charts/demo", "--from", "HEAD", "--exit-code"],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("data.tag\n    - \"1\"\n    + \"2\""),
        "{}",
        r.stdout
    );
}

#[test]
fn seed_removes_random_noise() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("rand");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: rand\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: pw\nstringData:\n  password: {{ randAlphaNum 16 | quote }}\n",
    )
    .unwrap();
    let seeded = skiff_in(
        dir.path(),
        &["diff", "rand", "rand", "--seed", "7", "--exit-code"],
        None,
    );
    assert_eq!(seeded.code, 0, "{}{}", seeded.stdout, seeded.stderr);
    let unseeded = skiff_in(dir.path(), &["diff", "rand", "rand", "--exit-code"], None);
    assert_eq!(unseeded.code, 1, "{}{}", unseeded.stdout, unseeded.stderr);
    // The random value is Secret data: reported as changed, never printed.
    assert!(
        unseeded
            .stdout
            .contains("stringData.password\n    - (masked)\n    + (masked)"),
        "{}",
        unseeded.stdout
    );
}
