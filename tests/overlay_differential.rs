//! Differential test: `skiff build` against `$KUBECTL_REF kustomize` (kubectl
//! v1.35.2 embeds kustomize v5.7.1) on every kustomization under
//! `overlays-examples/`. Skipped, with a message, when KUBECTL_REF is unset.
//!
//! Kustomizations with `helmCharts` point at skiff's native (minijinja)
//! charts, which kustomize cannot render even with `--enable-helm` and a
//! helm binary. What can be compared is everything after rendering: each
//! chart is rendered with `skiff template` (same release, namespace and
//! values), and a copy of the kustomization that lists those files as
//! `resources` instead of `helmCharts` is built by kustomize; its output
//! must equal `skiff build` of the original.

use skiff::overlay::{BuildOptions, build};
use std::path::{Path, PathBuf};
use std::process::Command;

fn kustomizations(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            kustomizations(&p, out);
        } else if p.file_name().is_some_and(|n| n == "kustomization.yaml") {
            out.push(dir.to_path_buf());
        }
    }
}

#[test]
fn overlays_examples_match_kustomize() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("overlays-examples");
    let mut dirs = Vec::new();
    kustomizations(&root, &mut dirs);
    assert!(
        dirs.len() >= 4,
        "expected example kustomizations under {}",
        root.display()
    );
    let reference = std::env::var("KUBECTL_REF").ok().filter(|s| !s.is_empty());
    if reference.is_none() {
        eprintln!(
            "skipped: KUBECTL_REF is not set (point it at kubectl v1.35.2 to compare with kustomize v5.7.1)"
        );
    }
    let mut compared = 0;
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
        if text.contains("kind: Component") {
            continue;
        }
        let ours = build(dir, &BuildOptions::default());
        let ours = match ours {
            Ok((out, _)) => out,
            Err(e) => panic!("skiff build {}: {e}", dir.display()),
        };
        let Some(kubectl) = &reference else { continue };
        let helm_copy;
        let kustomize_dir = if text.contains("helmCharts:") {
            assert!(!ours.is_empty(), "{} rendered nothing", dir.display());
            helm_copy = charts_as_resources(dir, &text);
            eprintln!(
                "{}: helmCharts rendered by `skiff template`, the rest compared with kustomize",
                dir.display()
            );
            helm_copy.path().to_path_buf()
        } else {
            dir.clone()
        };
        let out = Command::new(kubectl)
            .arg("kustomize")
            .arg(&kustomize_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kubectl kustomize {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = String::from_utf8(out.stdout).unwrap();
        if ours != theirs {
            let first = ours
                .lines()
                .zip(theirs.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{}: output differs from kustomize at line {}:\n  skiff:     {:?}\n  kustomize: {:?}",
                dir.display(),
                first + 1,
                ours.lines().nth(first),
                theirs.lines().nth(first)
            );
        }
        compared += 1;
    }
    if reference.is_some() {
        assert!(compared >= 8, "compared only {compared} kustomizations");
        eprintln!("compared {compared} kustomizations with kustomize");
    }
}

/// A temporary copy of the kustomization in `dir` whose `helmCharts` are
/// rendered by `skiff template` into files listed under `resources`.
fn charts_as_resources(dir: &Path, text: &str) -> tempfile::TempDir {
    let skiff = env!("CARGO_BIN_EXE_skiff");
    let mut doc = match skiff::yaml::parse_document(text).unwrap() {
        skiff::Value::Map(m) => m,
        other => panic!("{}: not a map: {other:?}", dir.display()),
    };
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        assert!(
            p.is_file(),
            "{}: subdirectories are not copied for the comparison",
            dir.display()
        );
        std::fs::copy(&p, tmp.path().join(p.file_name().unwrap())).unwrap();
    }
    let home = doc
        .shift_remove("helmGlobals")
        .and_then(|g| {
            g.get_path("chartHome")
                .and_then(|h| h.as_str().map(String::from))
        })
        .unwrap_or_else(|| "charts".to_string());
    let charts = match doc.shift_remove("helmCharts") {
        Some(skiff::Value::Seq(items)) => items,
        other => panic!("{}: helmCharts is {other:?}", dir.display()),
    };
    let mut resources = match doc.shift_remove("resources") {
        Some(skiff::Value::Seq(items)) => items,
        None => Vec::new(),
        other => panic!("{}: resources is {other:?}", dir.display()),
    };
    for (i, chart) in charts.iter().enumerate() {
        let skiff::Value::Map(c) = chart else {
            panic!("{}: helmCharts entry {chart:?}", dir.display())
        };
        for key in c.keys() {
            assert!(
                matches!(
                    key.as_str(),
                    "name" | "releaseName" | "namespace" | "valuesInline"
                ),
                "{}: helmCharts.{key} is not supported by this comparison",
                dir.display()
            );
        }
        let field = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("");
        let values = tmp.path().join(format!("values-{i}.yaml"));
        let inline = c
            .get("valuesInline")
            .cloned()
            .unwrap_or_else(skiff::Value::new_map);
        std::fs::write(&values, skiff::yaml::to_yaml(&inline)).unwrap();
        let mut cmd = Command::new(skiff);
        cmd.arg("template")
            .arg(match field("releaseName") {
                "" => "release-name",
                r => r,
            })
            .arg(dir.join(&home).join(field("name")))
            .arg("-f")
            .arg(&values);
        if !field("namespace").is_empty() {
            cmd.arg("--namespace").arg(field("namespace"));
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let file = format!("chart-{i}.yaml");
        std::fs::write(tmp.path().join(&file), out.stdout).unwrap();
        resources.push(skiff::Value::String(file));
    }
    doc.insert("resources".to_string(), skiff::Value::Seq(resources));
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        skiff::yaml::to_yaml(&skiff::Value::Map(doc)),
    )
    .unwrap();
    tmp
}

/// `overlays-examples/platform/base` holds the Kafka and MinIO charts of
/// `charts-examples/` rendered with their defaults; the copies must match
/// what `skiff template` renders now.
#[test]
fn platform_base_is_the_rendered_charts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for chart in ["kafka", "minio"] {
        let out = Command::new(env!("CARGO_BIN_EXE_skiff"))
            .arg("template")
            .arg("platform")
            .arg(root.join("charts-examples").join(chart))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = format!(
            "# Generated: skiff template platform charts-examples/{chart}\n\
             # (tests/overlay_differential.rs fails when this copy is stale)\n{}",
            String::from_utf8(out.stdout).unwrap()
        );
        let path = root.join(format!("overlays-examples/platform/base/{chart}.yaml"));
        let current = std::fs::read_to_string(&path).unwrap();
        assert!(
            current == expected,
            "{} is stale: regenerate it with the command in its first line",
            path.display()
        );
    }
}
