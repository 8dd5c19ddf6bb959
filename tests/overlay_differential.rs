//! Differential test: `skiff build` against `$KUBECTL_REF kustomize` (kubectl
//! v1.35.2 embeds kustomize v5.7.1) on every kustomization under
//! `overlays-examples/`. Skipped, with a message, when KUBECTL_REF is unset.
//! Kustomizations with `helmCharts` are skiff-only (kustomize would need
//! --enable-helm, a helm binary, and cannot render native charts) and are
//! built but not compared.

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
        if text.contains("helmCharts:") {
            assert!(!ours.is_empty(), "{} rendered nothing", dir.display());
            continue;
        }
        let Some(kubectl) = &reference else { continue };
        let out = Command::new(kubectl)
            .arg("kustomize")
            .arg(dir)
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
        assert!(compared >= 4, "compared only {compared} kustomizations");
        eprintln!("compared {compared} kustomizations with kustomize");
    }
}
