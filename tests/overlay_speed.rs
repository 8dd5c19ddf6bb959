//! Synthetic overlays for timing `skiff build` (issue: "speed"): N
//! resources — ½ Deployments each referencing a ConfigMap, ¼ Services, ¼
//! ConfigMaps — and an overlay with namespace, prefix, suffix, labels with
//! selectors, annotations, 2 images, replicas, a configMapGenerator merge
//! plus 5 new ones, N/4 strategic merge patches, N/8 JSON 6902 patches and
//! one labelSelector patch.
//!
//! The default run builds N = 200 and checks the result's shape. With
//! `SKIFF_OVERLAY_BENCH=1` it times N = 100, 500, 1000, 2000 and, when
//! `KUBECTL_REF` is set, `kubectl kustomize` on the same trees, printing
//! the ratios (run with `--release -- --nocapture`).

use skiff::overlay::{BuildOptions, build};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// Writes the synthetic base and overlay for `n` resources under `root`;
/// returns the overlay directory.
fn generate(root: &Path, n: usize) -> std::path::PathBuf {
    let base = root.join("base");
    let overlay = root.join("overlay");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&overlay).unwrap();
    let deployments = n / 2;
    let services = n / 4;
    let configmaps = n - deployments - services;
    let mut resources = String::new();
    let mut k = String::from("resources:\n");
    for i in 0..configmaps {
        writeln!(resources, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  key: value-{i}\n---").unwrap();
    }
    for i in 0..deployments {
        let cm = i % configmaps.max(1);
        writeln!(
            resources,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels:\n    app: app-{i}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n      - name: main\n        image: {}:1.0\n        envFrom:\n        - configMapRef:\n            name: cm-{cm}\n        ports:\n        - containerPort: 8080\n      volumes:\n      - name: cfg\n        configMap:\n          name: cm-{cm}\n---",
            if i % 2 == 0 { "nginx" } else { "redis" }
        )
        .unwrap();
    }
    for i in 0..services {
        writeln!(resources, "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\nspec:\n  selector:\n    app: app-{i}\n  ports:\n  - port: 80\n---").unwrap();
    }
    std::fs::write(base.join("resources.yaml"), resources).unwrap();
    k.push_str("- resources.yaml\nconfigMapGenerator:\n- name: shared\n  literals:\n  - a=1\n");
    std::fs::write(base.join("kustomization.yaml"), k).unwrap();

    let mut o = String::from(
        "resources:\n- ../base\nnamespace: synthetic\nnamePrefix: pre-\nnameSuffix: -suf\n\
         labels:\n- pairs: {team: data}\n  includeSelectors: true\ncommonAnnotations:\n  owner: platform\n\
         images:\n- {name: nginx, newTag: '1.27'}\n- {name: redis, newName: mirror/redis, newTag: '7'}\n\
         replicas:\n- {name: app-0, count: 3}\n\
         configMapGenerator:\n- name: shared\n  behavior: merge\n  literals:\n  - b=2\n",
    );
    for g in 0..5 {
        writeln!(o, "- name: extra-{g}\n  literals:\n  - k{g}=v{g}").unwrap();
    }
    o.push_str("patches:\n");
    for i in 0..n / 4 {
        let d = i % deployments.max(1);
        writeln!(
            o,
            "- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: app-{d}\n    spec:\n      template:\n        spec:\n          containers:\n          - name: main\n            env:\n            - name: PATCHED_{i}\n              value: \"yes\""
        )
        .unwrap();
    }
    for i in 0..n / 8 {
        let s = i % services.max(1);
        writeln!(
            o,
            "- target: {{kind: Service, name: svc-{s}}}\n  patch: |-\n    - op: add\n      path: /spec/ports/0/name\n      value: p{i}"
        )
        .unwrap();
    }
    o.push_str(
        "- target: {kind: Deployment, labelSelector: app=app-1}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n    spec:\n      minReadySeconds: 5\n",
    );
    std::fs::write(overlay.join("kustomization.yaml"), o).unwrap();
    overlay
}

#[test]
fn synthetic_overlay_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = generate(tmp.path(), 200);
    let (out, _) = build(&dir, &BuildOptions::default()).unwrap();
    let docs = skiff::yaml::parse_documents(&out).unwrap();
    // 200 resources + 6 generated ConfigMaps (the merge adds none).
    assert_eq!(docs.len(), 206);
    assert!(out.contains("name: pre-cm-0-suf\n"));
    assert!(out.contains("image: mirror/redis:7\n"));
    assert!(out.contains("minReadySeconds: 5\n"));
}

/// `SKIFF_OVERLAY_GEN_DIR=DIR [SKIFF_OVERLAY_N=1000]` writes one synthetic
/// tree to DIR (for profiling `skiff build DIR/overlay` by hand).
#[test]
fn synthetic_overlay_generate() {
    let Ok(dir) = std::env::var("SKIFF_OVERLAY_GEN_DIR") else {
        eprintln!("skipped: set SKIFF_OVERLAY_GEN_DIR to write a synthetic tree");
        return;
    };
    let n = std::env::var("SKIFF_OVERLAY_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let overlay = generate(Path::new(&dir), n);
    eprintln!("wrote {}", overlay.display());
}

#[test]
fn synthetic_overlay_bench() {
    if std::env::var("SKIFF_OVERLAY_BENCH").is_err() {
        eprintln!(
            "skipped: set SKIFF_OVERLAY_BENCH=1 (and KUBECTL_REF) to time the synthetic overlays"
        );
        return;
    }
    let kubectl = std::env::var("KUBECTL_REF").ok().filter(|s| !s.is_empty());
    let mut ours_1000 = 0.0;
    for n in [100, 500, 1000, 2000] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = generate(tmp.path(), n);
        let start = Instant::now();
        let (out, _) = build(&dir, &BuildOptions::default()).unwrap();
        let ours = start.elapsed().as_secs_f64();
        let mut line = format!("N={n:5}  skiff {ours:8.3}s");
        if n == 1000 {
            ours_1000 = ours;
        }
        if n == 2000 && ours_1000 > 0.0 {
            write!(line, "  (×{:.2} of N=1000)", ours / ours_1000).unwrap();
        }
        if let Some(k) = &kubectl {
            let start = Instant::now();
            let res = std::process::Command::new(k)
                .arg("kustomize")
                .arg(&dir)
                .output()
                .unwrap();
            let theirs = start.elapsed().as_secs_f64();
            assert!(res.status.success());
            let same = String::from_utf8_lossy(&res.stdout) == out;
            write!(
                line,
                "  kustomize {theirs:8.3}s  ratio {:7.1}×  identical: {same}",
                theirs / ours
            )
            .unwrap();
        }
        eprintln!("{line}");
    }
}
