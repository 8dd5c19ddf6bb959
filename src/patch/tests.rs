//! Fixture tests for the patch engine, plus a differential run against
//! `$KUBECTL_REF kustomize` (kustomize v5.7.1 inside kubectl).
//!
//! Fixtures live in `testdata/smp/*.yaml` (`target`, `patch`, and `expected`
//! or `error`) and `testdata/json6902/*.yaml` (`target`, `ops`, and
//! `expected` or `error`). Results are compared as values (key order is not
//! part of kustomize's output contract: it prints keys sorted).

use super::*;
use crate::Value;
use crate::yaml::{parse_document, parse_documents, to_yaml};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Fixture {
    name: String,
    target: Value,
    /// The SMP patch, or the JSON 6902 operation list.
    patch: Value,
    expected: Option<Value>,
    error: Option<String>,
}

fn fixtures(kind: &str, patch_key: &str) -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/patch/testdata")
        .join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let doc = parse_document(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let m = doc.as_map().unwrap();
            Fixture {
                name: p.file_stem().unwrap().to_string_lossy().into_owned(),
                target: m["target"].clone(),
                patch: m[patch_key].clone(),
                expected: m.get("expected").cloned(),
                error: m.get("error").and_then(Value::as_str).map(str::to_string),
            }
        })
        .collect()
}

/// Checks every fixture, then fails naming all that did not match.
fn check_all(fixtures: &[Fixture], run: impl Fn(&Fixture) -> Result<Value, PatchError>) {
    let failed: Vec<&str> = fixtures
        .iter()
        .filter(|f| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(f, run(f)))).is_err()
        })
        .map(|f| f.name.as_str())
        .collect();
    assert!(failed.is_empty(), "failing fixtures: {failed:?}");
}

fn check(f: &Fixture, got: Result<Value, PatchError>) {
    match (&f.error, got) {
        (Some(want), Err(e)) => {
            assert!(
                e.to_string().contains(want.as_str()),
                "{}: error {e:?}, want {want:?}",
                f.name
            )
        }
        (Some(want), Ok(v)) => panic!("{}: expected error {want:?}, got\n{}", f.name, to_yaml(&v)),
        (None, Err(e)) => panic!("{}: unexpected error {e}", f.name),
        (None, Ok(v)) => {
            let want = f.expected.clone().unwrap_or(Value::Null);
            assert_eq!(
                v,
                want,
                "{}:\ngot:\n{}\nwant:\n{}",
                f.name,
                to_yaml(&v),
                to_yaml(&want)
            );
            // List order is part of the result; IndexMap equality is not
            // order-sensitive for maps, so compare the lists' order explicitly.
            assert_eq!(
                list_orders(&v),
                list_orders(&want),
                "{}: list order",
                f.name
            );
        }
    }
}

/// Every list in document order, rendered, so element order is compared.
fn list_orders(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Seq(items) => {
                out.push(
                    items
                        .iter()
                        .map(|i| to_yaml(&canonical(i)))
                        .collect::<Vec<_>>()
                        .join("|"),
                );
                items.iter().for_each(|i| walk(i, out));
            }
            Value::Map(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                keys.into_iter().for_each(|k| walk(&m[k], out));
            }
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

/// The value with map keys sorted (kustomize's output order).
fn canonical(v: &Value) -> Value {
    match v {
        Value::Map(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Seq(items) => Value::Seq(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[test]
fn smp_fixtures() {
    let schema = PatchSchema::builtin();
    check_all(&fixtures("smp", "patch"), |f| {
        strategic_merge(&f.target, &f.patch, &schema)
    });
}

#[test]
fn json6902_fixtures() {
    check_all(&fixtures("json6902", "ops"), |f| {
        apply_json6902(&f.target, &f.patch)
    });
}

#[test]
fn smp_keeps_the_resource_field_order() {
    let target = parse_document(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {z: '1', a: '2'}\n",
    )
    .unwrap();
    let patch = parse_document(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {m: '3', b: '4', a: '5'}\n",
    )
    .unwrap();
    let got = strategic_merge(&target, &patch, &PatchSchema::builtin()).unwrap();
    let keys: Vec<&String> = got
        .get_path("data")
        .unwrap()
        .as_map()
        .unwrap()
        .keys()
        .collect();
    // Existing keys stay where they were; new ones follow in sorted order.
    assert_eq!(keys, ["z", "a", "b", "m"]);
}

#[test]
fn custom_openapi_schema_merges_cr_lists() {
    let schema_doc = parse_document(
        r##"
definitions:
  v1alpha1.MyCRD:
    properties:
      spec:
        properties:
          template:
            "$ref": "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"
    x-kubernetes-group-version-kind:
    - {group: example.com, kind: MyCRD, version: v1alpha1}
"##,
    )
    .unwrap();
    let target = parse_document(
        "apiVersion: example.com/v1alpha1\nkind: MyCRD\nmetadata: {name: s}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: server, image: server, command: example}\n",
    )
    .unwrap();
    let patch = parse_document(
        "apiVersion: example.com/v1alpha1\nkind: MyCRD\nmetadata: {name: s}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: server, image: nginx}\n",
    )
    .unwrap();
    let want = parse_document(
        "apiVersion: example.com/v1alpha1\nkind: MyCRD\nmetadata: {name: s}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: server, image: nginx, command: example}\n",
    )
    .unwrap();
    let custom = PatchSchema::with_openapi(&schema_doc).unwrap();
    assert_eq!(strategic_merge(&target, &patch, &custom).unwrap(), want);
    // Without the schema the list is replaced.
    let builtin = strategic_merge(&target, &patch, &PatchSchema::builtin()).unwrap();
    assert_eq!(
        builtin.get_path("spec.template.spec").unwrap(),
        patch.get_path("spec.template.spec").unwrap()
    );
}

#[test]
fn patch_error_becomes_a_diagnostic() {
    let d: crate::diag::Diagnostic = PatchError::UnknownDirective("x".into()).into();
    assert!(d.to_string().contains("unknown patch strategy 'x'"), "{d}");
}

/// Runs kustomize on one resource and one patch; returns the resulting
/// object (`Null` when the resource was deleted) or the error text.
fn kustomize(
    bin: &str,
    dir: &Path,
    target: &Value,
    patch_entry: &str,
    patch: &Value,
) -> Result<Value, String> {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("resource.yaml"), to_yaml(target)).unwrap();
    std::fs::write(dir.join("patch.yaml"), to_yaml(patch)).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        format!("resources:\n- resource.yaml\npatches:\n- {patch_entry}\n"),
    )
    .unwrap();
    let out = Command::new(bin)
        .arg("kustomize")
        .arg(dir)
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8(out.stdout).unwrap();
    let docs = parse_documents(&text).unwrap();
    Ok(docs
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or(Value::Null))
}

#[test]
fn differential_against_kustomize() {
    let Ok(bin) = std::env::var("KUBECTL_REF") else {
        eprintln!("skipped: set KUBECTL_REF to a kubectl binary (kustomize v5.7.1) to run");
        return;
    };
    let base = std::env::temp_dir().join(format!("skiff-patch-diff-{}", std::process::id()));
    let schema = PatchSchema::builtin();
    let mut failures = Vec::new();
    for f in fixtures("smp", "patch") {
        let reference = kustomize(
            &bin,
            &base.join(&f.name),
            &f.target,
            "path: patch.yaml",
            &f.patch,
        );
        let ours = strategic_merge(&f.target, &f.patch, &schema);
        compare(&f.name, reference, ours, &mut failures);
    }
    for f in fixtures("json6902", "ops") {
        let (Some(kind), Some(name)) = (
            f.target.get_path("kind").and_then(Value::as_str),
            f.target.get_path("metadata.name").and_then(Value::as_str),
        ) else {
            continue;
        };
        let entry = format!("path: patch.yaml\n  target: {{kind: {kind}, name: {name}}}");
        let reference = kustomize(
            &bin,
            &base.join(format!("json-{}", f.name)),
            &f.target,
            &entry,
            &f.patch,
        );
        let ours = apply_json6902(&f.target, &f.patch);
        compare(&f.name, reference, ours, &mut failures);
    }
    let _ = std::fs::remove_dir_all(&base);
    assert!(
        failures.is_empty(),
        "differences from kustomize:\n{}",
        failures.join("\n")
    );
}

fn compare(
    name: &str,
    reference: Result<Value, String>,
    ours: Result<Value, PatchError>,
    failures: &mut Vec<String>,
) {
    match (reference, ours) {
        (Ok(want), Ok(got)) => {
            if got != want || list_orders(&got) != list_orders(&want) {
                failures.push(format!(
                    "{name}:\n--- kustomize\n{}--- skiff\n{}",
                    to_yaml(&canonical(&want)),
                    to_yaml(&canonical(&got))
                ));
            }
        }
        (Err(_), Err(_)) => {}
        (Err(e), Ok(got)) => failures.push(format!(
            "{name}: kustomize failed ({e}) but skiff gave\n{}",
            to_yaml(&got)
        )),
        (Ok(want), Err(e)) => failures.push(format!(
            "{name}: skiff failed ({e}) but kustomize gave\n{}",
            to_yaml(&want)
        )),
    }
}
