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
  io.k8s.api.core.v1.PodTemplateSpec:
    properties:
      spec: {"$ref": "#/definitions/io.k8s.api.core.v1.PodSpec"}
  io.k8s.api.core.v1.PodSpec:
    properties:
      containers:
        type: array
        items: {type: object}
        x-kubernetes-patch-merge-key: name
        x-kubernetes-patch-strategy: merge
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
    // With a custom document the built-in table is not consulted: a
    // Deployment's containers are replaced (as kustomize does).
    let deploy = parse_document("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [{name: a}, {name: b}]}}}\n").unwrap();
    let deploy_patch = parse_document("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [{name: b, image: x}]}}}\n").unwrap();
    assert_eq!(
        strategic_merge(&deploy, &deploy_patch, &custom).unwrap(),
        deploy_patch
    );
    // Without the schema the CR's list is replaced.
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
    let d = PatchError::UnknownDirective("y".into()).diagnostic_for("overlay/patch.yaml");
    assert!(d.render().contains("overlay/patch.yaml"), "{}", d.render());
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
        (Err(theirs), Err(ours)) => {
            // The first line is the message proper; kyaml's node dumps may be
            // formatted differently.
            let ours = ours.to_string();
            let first = ours.lines().next().unwrap_or("");
            if !theirs.contains(first) {
                failures.push(format!(
                    "{name}: kustomize said {theirs:?}, skiff said {ours:?}"
                ));
            }
        }
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

/// Replays the simple patch cases of the kustomize conformance corpus
/// (`SKIFF_KUSTOMIZE_CORPUS=/work/shared/corpus/kustomize`): output cases whose
/// kustomization has only `resources` (files), `patchesStrategicMerge`,
/// `patches` (SMP without target, or JSON 6902 with a kind/name target) and
/// `openapi: {path}`. Resources are matched to patches by kind and name.
#[test]
fn corpus_patch_cases() {
    let Ok(root) = std::env::var("SKIFF_KUSTOMIZE_CORPUS") else {
        eprintln!("skipped: set SKIFF_KUSTOMIZE_CORPUS to the kustomize corpus directory to run");
        return;
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let (mut ran, mut failures) = (0, Vec::new());
    for case in dirs {
        if let Some(result) = corpus_case(&case) {
            ran += 1;
            eprintln!("corpus case {}", case.display());
            if let Err(e) = result {
                failures.push(format!("{}: {e}", case.display()));
            }
        }
    }
    eprintln!("corpus patch cases run: {ran}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A resource's kind and `metadata.name`.
type KindName = (String, String);

/// One corpus case: `None` when it is out of this harness's scope.
fn corpus_case(case: &Path) -> Option<Result<(), String>> {
    let meta = parse_document(&std::fs::read_to_string(case.join("case.json")).ok()?).ok()?;
    if meta.get_path("kind")?.as_str()? != "output" {
        return None;
    }
    let run = case.join(meta.get_path("run_dir")?.as_str()?);
    let kust =
        parse_document(&std::fs::read_to_string(run.join("kustomization.yaml")).ok()?).ok()?;
    let k = kust.as_map()?;
    let allowed = [
        "apiVersion",
        "kind",
        "resources",
        "patchesStrategicMerge",
        "patches",
        "openapi",
    ];
    if k.keys().any(|key| !allowed.contains(&key.as_str()))
        || !(k.contains_key("patches") || k.contains_key("patchesStrategicMerge"))
    {
        return None;
    }
    let read_docs = |p: &Path| -> Option<Vec<Value>> {
        let docs = parse_documents(&std::fs::read_to_string(p).ok()?).ok()?;
        Some(docs.into_iter().filter(|d| !d.is_null()).collect())
    };
    let mut resources = Vec::new();
    for r in k.get("resources").and_then(|r| match r {
        Value::Seq(s) => Some(s.clone()),
        _ => None,
    })? {
        let p = run.join(r.as_str()?);
        if !p.is_file() {
            return None;
        }
        resources.extend(read_docs(&p)?);
    }
    let schema = match k
        .get("openapi")
        .and_then(|o| o.get_path("path"))
        .and_then(Value::as_str)
    {
        Some(p) => PatchSchema::with_openapi(
            &parse_document(&std::fs::read_to_string(run.join(p)).ok()?).ok()?,
        )
        .ok()?,
        None => PatchSchema::builtin(),
    };
    // (patch docs, optional kind/name target) in kustomize's order:
    // patchesStrategicMerge, then patches.
    let mut patches: Vec<(Vec<Value>, Option<KindName>)> = Vec::new();
    for entry in k
        .get("patchesStrategicMerge")
        .and_then(|v| match v {
            Value::Seq(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_default()
    {
        let text = entry.as_str()?;
        let p = run.join(text);
        let docs = if p.is_file() {
            read_docs(&p)?
        } else {
            parse_documents(text).ok()?
        };
        patches.push((docs, None));
    }
    for entry in k
        .get("patches")
        .and_then(|v| match v {
            Value::Seq(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_default()
    {
        let text = match (entry.get_path("path"), entry.get_path("patch")) {
            (Some(p), _) => std::fs::read_to_string(run.join(p.as_str()?)).ok()?,
            (None, Some(t)) => t.as_str()?.to_string(),
            _ => return None,
        };
        let docs: Vec<Value> = parse_documents(&text)
            .ok()?
            .into_iter()
            .filter(|d| !d.is_null())
            .collect();
        let target = match entry.get_path("target") {
            Some(t) => {
                let m = t.as_map()?;
                if m.keys().any(|k| k != "kind" && k != "name") {
                    return None;
                }
                Some((
                    t.get_path("kind")?.as_str()?.to_string(),
                    t.get_path("name")?.as_str()?.to_string(),
                ))
            }
            None => None,
        };
        if target.is_some() && !matches!(docs.as_slice(), [Value::Seq(_)]) {
            return None; // SMP with a selector target: out of scope
        }
        patches.push((docs, target));
    }
    let id = |v: &Value| -> (String, String) {
        (
            v.get_path("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            v.get_path("metadata.name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        )
    };
    for (docs, target) in patches {
        for doc in docs {
            let want = target.clone().unwrap_or_else(|| id(&doc));
            let idx = resources.iter().position(|r| id(r) == want)?;
            let result = match &target {
                Some(_) => apply_json6902(&resources[idx], &doc),
                None => strategic_merge(&resources[idx], &doc, &schema),
            };
            match result {
                Ok(Value::Null) => {
                    resources.remove(idx);
                }
                Ok(v) => {
                    if id(&v) != want {
                        return None; // name/kind changes need the overlay's id tracking
                    }
                    resources[idx] = v;
                }
                Err(e) => return Some(Err(e.to_string())),
            }
        }
    }
    let expected = read_docs(&case.join("expected.yaml"))?;
    if expected.len() != resources.len() {
        return Some(Err(format!(
            "{} resources, expected {}",
            resources.len(),
            expected.len()
        )));
    }
    for want in &expected {
        let Some(got) = resources.iter().find(|r| id(r) == id(want)) else {
            return Some(Err(format!("missing {:?}", id(want))));
        };
        if got != want || list_orders(got) != list_orders(want) {
            return Some(Err(format!(
                "\n--- expected\n{}--- skiff\n{}",
                to_yaml(&canonical(want)),
                to_yaml(&canonical(got))
            )));
        }
    }
    Some(Ok(()))
}

/// A small deterministic generator (64-bit LCG) for the randomized
/// differential test; no extra dependency and reproducible failures.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// A random subset of `items` in random order.
    fn subset<'a>(&mut self, items: &[&'a str], max: usize) -> Vec<&'a str> {
        let mut pool = items.to_vec();
        let n = self.below(max as u64 + 1) as usize;
        let mut out = Vec::new();
        while out.len() < n && !pool.is_empty() {
            out.push(pool.remove(self.below(pool.len() as u64) as usize));
        }
        out
    }
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

/// A random container for the resource (`patch == false`) or the patch.
fn random_container(rng: &mut Lcg, name: &str, patch: bool) -> Value {
    let mut fields = vec![("name", s(name))];
    if !patch || rng.chance(50) {
        let image = if patch && rng.chance(15) {
            Value::Null
        } else {
            s(&format!("{name}:{}", rng.below(9)))
        };
        fields.push(("image", image));
    }
    if rng.chance(50) {
        let env: Vec<Value> = rng
            .subset(&["X", "Y", "Z"], 3)
            .into_iter()
            .map(|n| {
                if patch && rng.chance(20) {
                    map(vec![("name", s(n)), ("$patch", s("delete"))])
                } else {
                    map(vec![
                        ("name", s(n)),
                        ("value", s(&rng.below(99).to_string())),
                    ])
                }
            })
            .collect();
        fields.push(("env", Value::Seq(env)));
    }
    if rng.chance(40) {
        let ports: Vec<Value> = rng
            .subset(&["80/TCP", "80/UDP", "443/", "53/UDP"], 3)
            .into_iter()
            .map(|p| {
                let (port, proto) = p.split_once('/').unwrap_or((p, ""));
                let mut f = vec![("containerPort", Value::DocInt(port.parse().unwrap()))];
                if !proto.is_empty() {
                    f.push(("protocol", s(proto)));
                }
                if rng.chance(50) {
                    f.push(("name", s(&format!("p{}", rng.below(5)))));
                }
                map(f)
            })
            .collect();
        fields.push(("ports", Value::Seq(ports)));
    }
    if rng.chance(30) {
        fields.push((
            "args",
            Value::Seq(
                rng.subset(&["-a", "-b", "-c"], 3)
                    .into_iter()
                    .map(s)
                    .collect(),
            ),
        ));
    }
    if rng.chance(40) {
        let mut limits = Vec::new();
        for key in rng.subset(&["cpu", "memory"], 2) {
            let v = if patch && rng.chance(20) {
                Value::Null
            } else {
                s(&format!("{}", rng.below(4) + 1))
            };
            limits.push((key, v));
        }
        let mut res = vec![("limits", map(limits))];
        if patch && rng.chance(25) {
            res.push((
                "$patch",
                s(if rng.chance(50) { "replace" } else { "delete" }),
            ));
        }
        fields.push(("resources", map(res)));
    }
    if patch && rng.chance(8) {
        fields.push((
            "$patch",
            s(if rng.chance(50) { "delete" } else { "replace" }),
        ));
    }
    map(fields)
}

/// A random Service and a random patch for it (ports merge by port+protocol).
fn random_service(rng: &mut Lcg, name: &str) -> (Value, Value) {
    let ports = |rng: &mut Lcg, patch: bool| {
        let list: Vec<Value> = rng
            .subset(&["80/TCP", "80/UDP", "443/", "53/UDP", "8080/TCP"], 4)
            .into_iter()
            .map(|p| {
                let (port, proto) = p.split_once('/').unwrap_or((p, ""));
                let mut f = vec![("port", Value::DocInt(port.parse().unwrap()))];
                if !proto.is_empty() && (!patch || rng.chance(70)) {
                    f.push(("protocol", s(proto)));
                }
                f.push(("targetPort", Value::DocInt(rng.below(3) as i64 + 9000)));
                if patch && rng.chance(10) {
                    f.push(("$patch", s("delete")));
                }
                map(f)
            })
            .collect();
        Value::Seq(list)
    };
    let service = |ports: Value| {
        map(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Service")),
            ("metadata", map(vec![("name", s(name))])),
            ("spec", map(vec![("ports", ports)])),
        ])
    };
    let target_ports = ports(rng, false);
    let patch_ports = ports(rng, true);
    (service(target_ports), service(patch_ports))
}

/// A random Deployment and a random patch for it.
fn random_case(rng: &mut Lcg, name: &str) -> (Value, Value) {
    let meta = |rng: &mut Lcg, patch: bool| {
        let mut f = vec![("name", s(name))];
        if rng.chance(30) {
            let fins = rng
                .subset(&["f1", "f2", "f3"], 3)
                .into_iter()
                .map(s)
                .collect();
            f.push(("finalizers", Value::Seq(fins)));
        }
        if rng.chance(40) {
            let labels = rng
                .subset(&["a", "b", "c"], 3)
                .into_iter()
                .map(|k| {
                    (
                        k.to_string(),
                        if patch && rng.chance(25) {
                            Value::Null
                        } else {
                            s("v")
                        },
                    )
                })
                .collect();
            f.push(("labels", Value::Map(labels)));
        }
        map(f)
    };
    let containers = |rng: &mut Lcg, patch: bool| {
        let names = if patch {
            rng.subset(&["a", "b", "c", "e"], 3)
        } else {
            rng.subset(&["a", "b", "c", "d"], 3)
        };
        let mut list: Vec<Value> = names
            .into_iter()
            .map(|n| random_container(rng, n, patch))
            .collect();
        if !patch && list.is_empty() {
            list.push(random_container(rng, "a", false));
        }
        if patch && rng.chance(6) {
            let directive = if rng.chance(50) { "replace" } else { "merge" };
            list.insert(0, map(vec![("$patch", s(directive))]));
        }
        Value::Seq(list)
    };
    let deployment = |meta: Value, spec: Value| {
        map(vec![
            ("apiVersion", s("apps/v1")),
            ("kind", s("Deployment")),
            ("metadata", meta),
            ("spec", spec),
        ])
    };
    let target_meta = meta(rng, false);
    let target_containers = containers(rng, false);
    let target = deployment(
        target_meta,
        map(vec![
            ("replicas", Value::DocInt(1)),
            (
                "template",
                map(vec![("spec", map(vec![("containers", target_containers)]))]),
            ),
        ]),
    );
    let patch_meta = meta(rng, true);
    let mut spec = Vec::new();
    if rng.chance(30) {
        spec.push(("replicas", Value::DocInt(rng.below(5) as i64)));
    }
    if rng.chance(85) {
        let patch_containers = containers(rng, true);
        spec.push((
            "template",
            map(vec![("spec", map(vec![("containers", patch_containers)]))]),
        ));
    }
    (target, deployment(patch_meta, map(spec)))
}

#[test]
fn randomized_differential_against_kustomize() {
    let Ok(bin) = std::env::var("KUBECTL_REF") else {
        eprintln!("skipped: set KUBECTL_REF to a kubectl binary (kustomize v5.7.1) to run");
        return;
    };
    let cases: u64 = std::env::var("SKIFF_PATCH_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150);
    let seed: u64 = std::env::var("SKIFF_PATCH_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(7);
    let mut rng = Lcg(seed);
    let dir = std::env::temp_dir().join(format!("skiff-patch-random-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = PatchSchema::builtin();
    let (mut resources, mut patches, mut ours) = (String::new(), Vec::new(), Vec::new());
    for i in 0..cases {
        let name = format!("d{i}");
        let (target, patch) = if i % 3 == 2 {
            random_service(&mut rng, &name)
        } else {
            random_case(&mut rng, &name)
        };
        resources.push_str("---\n");
        resources.push_str(&to_yaml(&target));
        let file = format!("p{i}.yaml");
        std::fs::write(dir.join(&file), to_yaml(&patch)).unwrap();
        patches.push(format!("- path: {file}\n"));
        let result = strategic_merge(&target, &patch, &schema);
        ours.push((name, target, patch, result));
    }
    std::fs::write(dir.join("resources.yaml"), resources).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        format!(
            "resources:\n- resources.yaml\npatches:\n{}",
            patches.concat()
        ),
    )
    .unwrap();
    let out = Command::new(&bin)
        .arg("kustomize")
        .arg(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "kustomize failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs = parse_documents(&String::from_utf8(out.stdout).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (name, target, patch, result) in ours {
        let reference = docs
            .iter()
            .find(|d| d.get_path("metadata.name").and_then(Value::as_str) == Some(name.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        let got = match result {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: skiff error {e}"));
                continue;
            }
        };
        if got != reference || list_orders(&got) != list_orders(&reference) {
            failures.push(format!(
                "{name}:\n--- target\n{}--- patch\n{}--- kustomize\n{}--- skiff\n{}",
                to_yaml(&target),
                to_yaml(&patch),
                to_yaml(&canonical(&reference)),
                to_yaml(&canonical(&got))
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} differ (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
