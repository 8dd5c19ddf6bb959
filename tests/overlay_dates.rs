//! Plain scalars that look like timestamps (`date: 2024-01-02`): kustomize
//! v5.7.1 prints them as RFC 3339 strings in some places and as written in
//! others. Each case below is a kustomization written here and built by
//! skiff and by `$KUBECTL_REF kustomize`; the outputs must be identical.
//! Skipped, with a message, when KUBECTL_REF is unset.

use skiff::overlay::{BuildOptions, build};
use std::path::Path;
use std::process::Command;

/// A resource file with timestamps in every position kustomize treats
/// differently: data values (plain, quoted, single-quoted, block), labels,
/// annotations, container args and env, flow collections, every go-yaml
/// timestamp layout and near misses.
const RESOURCES: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels:
    d: 2024-01-02
  annotations:
    a: 2024-01-02
    b: "2024-01-02"
    c: 2001-12-14t21:59:43.10-05:00
data:
  date: 2024-01-02
  quoted: "2024-01-02"
  single: '2024-01-02'
  lower-t: 2001-12-14t21:59:43.10-05:00
  spaced-zone: 2001-12-14 21:59:43.10 -5
  upper-t: 2001-12-15T02:59:43.1Z
  short: 2001-1-2
  spaced: 2001-12-14 21:59:43
  two-spaces: 2001-12-14  21:59:43
  nanos: 2001-12-14T21:59:43.123456789+01:00
  utc-offset: 2001-12-14T21:59:43+00:00
  comma: 2001-12-14T21:59:43,5Z
  no-zone-t: 2001-12-14t21:59:43
  bad-month: 2024-13-01
  bad-day: 2023-02-29
  leap-day: 2024-02-29
  flow: "{not: parsed}"
  block: |
    2024-01-02
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations: {f: 2024-01-02}
spec:
  template:
    metadata:
      annotations:
        pod: 2024-01-02
    spec:
      containers:
      - name: c
        image: x
        args:
        - 2024-01-02
        - "2024-01-02"
        env:
        - {name: D, value: 2024-01-02}
        - name: E
          value: 2024-01-02
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: listed
    annotations:
      a: 2024-01-02
  data:
    d: 2024-01-02
"#;

const KUSTOMIZATION: &str = r#"resources:
- resources.yaml
labels:
- pairs:
    added: 2024-01-03
commonAnnotations:
  note: 2024-01-04
configMapGenerator:
- name: gen
  literals:
  - lit=2024-01-05
  - quoted="2024-01-05"
  envs:
  - dates.env
  options:
    labels:
      gl: 2024-01-08
    annotations:
      ga: 2024-01-08
patches:
- patch: |-
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: cm
      labels:
        pl: 2024-01-06
      annotations:
        pa: 2024-01-06
    data:
      smp: 2024-01-06
      smp-quoted: "2024-01-06"
- target: {kind: ConfigMap, name: listed}
  patch: |-
    - op: add
      path: /data/json
      value: 2024-01-07
    - op: add
      path: /metadata/labels
      value: {jl: 2024-01-07}
"#;

const OVERLAY: &str = r#"resources:
- ../base
namePrefix: dev-
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: d
    spec:
      template:
        spec:
          containers:
          - name: c
            env:
            - name: F
              value: 2030-05-06 07:08:09
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn timestamps_match_kustomize() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    write(&base, "resources.yaml", RESOURCES);
    write(&base, "kustomization.yaml", KUSTOMIZATION);
    write(&base, "dates.env", "envd=2024-01-09\n");
    let overlay = tmp.path().join("overlay");
    write(&overlay, "kustomization.yaml", OVERLAY);

    let mut ours = Vec::new();
    for dir in [&base, &overlay] {
        let (out, _) = build(dir, &BuildOptions::default()).unwrap();
        assert!(out.contains("2024-01-02"), "{out}");
        ours.push(out);
    }
    let Some(kubectl) = std::env::var("KUBECTL_REF").ok().filter(|s| !s.is_empty()) else {
        eprintln!("skipped: KUBECTL_REF is not set (kubectl embedding kustomize v5.7.1)");
        return;
    };
    for (dir, ours) in [&base, &overlay].into_iter().zip(ours) {
        let out = Command::new(&kubectl)
            .arg("kustomize")
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = String::from_utf8(out.stdout).unwrap();
        if ours != theirs {
            let diff = similar::TextDiff::from_lines(&theirs, &ours);
            panic!(
                "{}: skiff differs from kustomize (- kustomize, + skiff):\n{}",
                dir.display(),
                diff.unified_diff()
            );
        }
    }
}
