//! Synthetic overlays for timing `skiff build` (issue: "speed"): N
//! resources — ½ Deployments each referencing a ConfigMap, ¼ Services, ¼
//! ConfigMaps — and an overlay with namespace, prefix, suffix, labels with
//! selectors, annotations, 2 images, replicas, a configMapGenerator merge
//! plus 5 new ones, N/4 strategic merge patches, N/8 JSON 6902 patches and
//! one labelSelector patch.
//!
//! The default run builds N = 200 and checks the result's shape; nothing
//! is timed. With `SKIFF_OVERLAY_BENCH=1` it times N = 100, 500, 1000, 2000
//! against `kubectl kustomize` on the same trees (see
//! [`synthetic_overlay_bench`]; `scripts/bench-overlay` runs it).

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

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Runs `cmd` once; returns the seconds it took and its stdout.
fn time_command(cmd: &mut std::process::Command) -> (f64, Vec<u8>) {
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (secs, out.stdout)
}

/// `SKIFF_OVERLAY_BENCH=1` times the synthetic overlays (build with
/// `--release`): per size, `SKIFF_OVERLAY_BENCH_RUNS` (default 5) rounds,
/// each timing the skiff binary three times, `build()` in this process
/// once, and `kubectl kustomize` once when `KUBECTL_REF` is set (in a third
/// of the rounds at N = 2000, where one run takes up to a minute); medians
/// are compared, so a busy spell of the machine neither decides the result
/// with one slow run nor falls on one tool only. `SKIFF_OVERLAY_BENCH_SIZES` overrides
/// the sizes (default `100,500,1000,2000`). Reports whether the skiff
/// binary is 100× faster than kustomize at N = 1000 and takes at most 2.2×
/// as long at N = 2000 as at N = 1000; with `SKIFF_OVERLAY_BENCH_STRICT=1`
/// a missed target fails the test. Outputs must be identical in any case.
#[test]
fn synthetic_overlay_bench() {
    if std::env::var("SKIFF_OVERLAY_BENCH").is_err() {
        eprintln!(
            "skipped: set SKIFF_OVERLAY_BENCH=1 (and KUBECTL_REF) to time the synthetic overlays"
        );
        return;
    }
    let runs: usize = std::env::var("SKIFF_OVERLAY_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let sizes: Vec<usize> = std::env::var("SKIFF_OVERLAY_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 500, 1000, 2000]);
    let kubectl = std::env::var("KUBECTL_REF").ok().filter(|s| !s.is_empty());
    let skiff = env!("CARGO_BIN_EXE_skiff");
    eprintln!(
        "{:>5}  {:>12}  {:>15}  {:>12}  {:>14}  {:>8}  identical",
        "N", "skiff bin s", "bin min–max s", "in-proc s", "kustomize s", "ratio"
    );
    // (n, binary median, in-process median, ratio)
    let mut rows: Vec<(usize, f64, f64, Option<f64>)> = Vec::new();
    for &n in &sizes {
        let tmp = tempfile::tempdir().unwrap();
        let dir = generate(tmp.path(), n);
        // Warm the page cache and the binary once, untimed.
        let (_, ours_text) = time_command(std::process::Command::new(skiff).arg("build").arg(&dir));
        // Interleaved rounds, so that both tools see the same machine: a
        // busy spell of this (shared, virtual) machine used to land on one
        // tool's block of runs alone. Each round times the skiff binary
        // SKIFF_RUNS_PER_ROUND times (it takes milliseconds), the library
        // once, and kustomize once while it still has runs to do.
        const SKIFF_RUNS_PER_ROUND: usize = 3;
        let (mut bin, mut inproc, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
        let kustomize_runs = if n >= 2000 { runs.div_ceil(3) } else { runs };
        let mut identical = None;
        for round in 0..runs {
            for _ in 0..SKIFF_RUNS_PER_ROUND {
                bin.push(time_command(std::process::Command::new(skiff).arg("build").arg(&dir)).0);
            }
            let start = Instant::now();
            let (out, _) = build(&dir, &BuildOptions::default()).unwrap();
            inproc.push(start.elapsed().as_secs_f64());
            assert_eq!(
                out.as_bytes(),
                ours_text.as_slice(),
                "binary and library differ"
            );
            if let Some(k) = &kubectl
                && round < kustomize_runs
            {
                let (secs, text) =
                    time_command(std::process::Command::new(k).arg("kustomize").arg(&dir));
                theirs.push(secs);
                identical = Some(text == ours_text);
            }
        }
        let spread = format!(
            "{:.4}–{:.4}",
            bin.iter().copied().fold(f64::INFINITY, f64::min),
            bin.iter().copied().fold(0.0, f64::max)
        );
        let (b, p) = (median(&mut bin), median(&mut inproc));
        let ratio = (!theirs.is_empty()).then(|| median(&mut theirs) / b);
        eprintln!(
            "{n:5}  {b:12.4}  {spread:>15}  {p:12.4}  {:>14}  {:>8}  {}",
            if theirs.is_empty() {
                "-".to_string()
            } else {
                format!("{:.3}", median(&mut theirs))
            },
            ratio.map_or("-".to_string(), |r| format!("{r:.0}×")),
            identical.map_or("-", |s| if s { "yes" } else { "NO" })
        );
        if let Some(same) = identical {
            assert!(same, "N={n}: skiff output differs from kustomize");
        }
        rows.push((n, b, p, ratio));
    }
    let at = |n: usize| rows.iter().find(|r| r.0 == n).copied();
    // Timings depend on the machine and its load, so missed targets are
    // reported; SKIFF_OVERLAY_BENCH_STRICT=1 makes them fail the test.
    let strict = std::env::var("SKIFF_OVERLAY_BENCH_STRICT").is_ok_and(|v| v == "1");
    let mut missed = Vec::new();
    if let (Some(a), Some(b)) = (at(1000), at(2000)) {
        let growth_bin = b.1 / a.1;
        let growth = b.2 / a.2;
        // The binary is what users run; the in-process figure carries the
        // allocator state of the earlier runs and is reported for reference.
        let ok = growth_bin <= 2.2;
        eprintln!(
            "growth N=1000 → 2000: binary ×{growth_bin:.2}, in-process ×{growth:.2} (linear = ×2, target ≤ ×2.2: {})",
            if ok { "met" } else { "MISSED" }
        );
        if !ok {
            missed.push(format!("N=2000 took ×{growth_bin:.2} the time of N=1000"));
        }
    }
    if let Some((_, _, _, Some(ratio))) = at(1000) {
        let ok = ratio >= 100.0;
        eprintln!(
            "speed-up at N=1000: {ratio:.0}× (target ≥ 100×: {})",
            if ok { "met" } else { "MISSED" }
        );
        if !ok {
            missed.push(format!("only {ratio:.0}× faster than kustomize at N=1000"));
        }
    }
    assert!(!strict || missed.is_empty(), "{}", missed.join("; "));
}
