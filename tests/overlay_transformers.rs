//! `skiff build` transformer tests: small kustomization trees written to a
//! temporary directory, built through the library, checked field by field.

use skiff::Value;
use skiff::overlay::{BuildOptions, LoadRestrictor, Reorder, build, build_resources};
use std::path::Path;

fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn fifo() -> BuildOptions {
    BuildOptions {
        reorder: Reorder::None,
        ..BuildOptions::default()
    }
}

/// Builds `dir` of a tree and returns the output documents.
fn build_docs(
    files: &[(&str, &str)],
    dir: &str,
    opts: &BuildOptions,
) -> Result<Vec<Value>, String> {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(tmp.path(), files);
    let (text, _) = build(&tmp.path().join(dir), opts).map_err(|e| e.to_string())?;
    Ok(skiff::yaml::parse_documents(&text).unwrap())
}

fn docs(files: &[(&str, &str)]) -> Vec<Value> {
    build_docs(files, ".", &fifo()).unwrap()
}

/// `a.b.0.c` through maps and lists.
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Map(m) => m.get(part)?,
            Value::Seq(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    at(v, path)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {path} in {v:?}"))
}

fn find<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| s(d, "kind") == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
      volumes:
      - name: cfg
        configMap:
          name: settings
";

const CONFIGMAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
";

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
";

#[test]
fn namespace_skips_cluster_scoped_kinds_and_sets_default_subjects() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "namespace: team\nresources:\n- r.yaml\n",
        ),
        (
            "r.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: other}\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n\
             roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\n\
             subjects:\n- {kind: ServiceAccount, name: default, namespace: x}\n- {kind: ServiceAccount, name: robot, namespace: x}\n",
        ),
    ]);
    assert_eq!(s(&d[0], "metadata.namespace"), "team");
    assert!(
        at(&d[1], "metadata.namespace").is_none(),
        "ClusterRole is cluster-scoped"
    );
    assert_eq!(s(&d[2], "metadata.namespace"), "team");
    assert_eq!(s(&d[2], "subjects.0.namespace"), "team");
    assert_eq!(
        s(&d[2], "subjects.1.namespace"),
        "x",
        "only subjects named default move"
    );
}

#[test]
fn prefix_and_suffix_rename_and_references_follow() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "namePrefix: dev-\nnameSuffix: -v2\nresources:\n- d.yaml\n- c.yaml\n",
        ),
        ("d.yaml", DEPLOYMENT),
        ("c.yaml", CONFIGMAP),
    ]);
    let dep = find(&d, "Deployment");
    assert_eq!(s(dep, "metadata.name"), "dev-web-v2");
    assert_eq!(
        s(
            dep,
            "spec.template.spec.containers.0.envFrom.0.configMapRef.name"
        ),
        "dev-settings-v2"
    );
    assert_eq!(
        s(dep, "spec.template.spec.volumes.0.configMap.name"),
        "dev-settings-v2"
    );
    assert_eq!(s(find(&d, "ConfigMap"), "metadata.name"), "dev-settings-v2");
}

#[test]
fn common_labels_reach_selectors_and_templates_but_labels_need_include_selectors() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "commonLabels:\n  team: a\nresources:\n- d.yaml\n- s.yaml\n",
        ),
        ("d.yaml", DEPLOYMENT),
        ("s.yaml", SERVICE),
    ]);
    let dep = find(&d, "Deployment");
    assert_eq!(s(dep, "metadata.labels.team"), "a");
    assert_eq!(s(dep, "spec.selector.matchLabels.team"), "a");
    assert_eq!(s(dep, "spec.template.metadata.labels.team"), "a");
    assert_eq!(s(find(&d, "Service"), "spec.selector.team"), "a");

    let d = docs(&[
        (
            "kustomization.yaml",
            "labels:\n- pairs: {env: dev}\n  includeTemplates: true\nresources:\n- d.yaml\n",
        ),
        ("d.yaml", DEPLOYMENT),
    ]);
    assert_eq!(s(&d[0], "metadata.labels.env"), "dev");
    assert_eq!(s(&d[0], "spec.template.metadata.labels.env"), "dev");
    assert!(at(&d[0], "spec.selector.matchLabels.env").is_none());
}

#[test]
fn common_annotations_reach_pod_templates() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "commonAnnotations:\n  owner: data\nresources:\n- d.yaml\n",
        ),
        ("d.yaml", DEPLOYMENT),
    ]);
    assert_eq!(s(&d[0], "metadata.annotations.owner"), "data");
    assert_eq!(s(&d[0], "spec.template.metadata.annotations.owner"), "data");
}

#[test]
fn images_set_name_tag_and_digest() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: nginx:1.0}\n  - {name: b, image: 'registry:5000/redis@sha256:abc'}\n  - {name: c, image: nginx-extra}\n  initContainers:\n  - {name: i, image: busybox}\n";
    let d = docs(&[
        (
            "kustomization.yaml",
            "resources:\n- p.yaml\nimages:\n- {name: nginx, newName: mirror/nginx, newTag: '1.27'}\n- {name: 'registry:5000/redis', newTag: '7'}\n- {name: busybox, digest: 'sha256:123'}\n",
        ),
        ("p.yaml", pod),
    ]);
    assert_eq!(s(&d[0], "spec.containers.0.image"), "mirror/nginx:1.27");
    assert_eq!(s(&d[0], "spec.containers.1.image"), "registry:5000/redis:7");
    assert_eq!(
        s(&d[0], "spec.containers.2.image"),
        "nginx-extra",
        "names match whole"
    );
    assert_eq!(
        s(&d[0], "spec.initContainers.0.image"),
        "busybox@sha256:123"
    );
}

#[test]
fn replicas_set_count_and_unknown_name_fails() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "resources:\n- d.yaml\nreplicas:\n- {name: web, count: 4}\n",
        ),
        ("d.yaml", DEPLOYMENT),
    ]);
    assert_eq!(at(&d[0], "spec.replicas"), Some(&Value::DocInt(4)));
    let err = build_docs(
        &[
            (
                "kustomization.yaml",
                "resources:\n- d.yaml\nreplicas:\n- {name: nope, count: 4}\n",
            ),
            ("d.yaml", DEPLOYMENT),
        ],
        ".",
        &fifo(),
    )
    .unwrap_err();
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn configmap_generator_hash_matches_kustomize_and_references_follow() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "resources:\n- d.yaml\nconfigMapGenerator:\n- name: settings\n  literals:\n  - a=1\n  - b=two\n",
        ),
        ("d.yaml", DEPLOYMENT),
    ]);
    // The suffix kustomize v5.7.1 computes for data {a: "1", b: two}
    // (checked with `kubectl kustomize`): the hash ignores the name.
    let cm = find(&d, "ConfigMap");
    assert_eq!(s(cm, "metadata.name"), "settings-5m9tg7g54f");
    assert_eq!(s(cm, "data.a"), "1");
    let dep = find(&d, "Deployment");
    assert_eq!(
        s(dep, "spec.template.spec.volumes.0.configMap.name"),
        "settings-5m9tg7g54f"
    );
}

#[test]
fn secret_generator_encodes_and_merge_behavior_extends_base() {
    let d = docs(&[
        (
            "base/kustomization.yaml",
            "secretGenerator:\n- name: creds\n  literals:\n  - user=admin\ngeneratorOptions:\n  disableNameSuffixHash: true\n",
        ),
        (
            "kustomization.yaml",
            "resources:\n- base\nsecretGenerator:\n- name: creds\n  behavior: merge\n  literals:\n  - password=s3cret\n",
        ),
    ]);
    assert_eq!(d.len(), 1);
    assert_eq!(s(&d[0], "type"), "Opaque");
    assert_eq!(s(&d[0], "data.user"), "YWRtaW4=");
    assert_eq!(s(&d[0], "data.password"), "czNjcmV0");
    // The base disabled the hash, so the merged secret keeps its name.
    assert_eq!(s(&d[0], "metadata.name"), "creds");
}

#[test]
fn strategic_merge_and_json_patches_with_targets() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "resources:\n- d.yaml\n- s.yaml\npatches:\n\
             - patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          containers:\n          - name: web\n            image: nginx:2\n\
             - target: {kind: 'Serv.*', name: web}\n  patch: |-\n    - op: replace\n      path: /spec/ports/0/port\n      value: 8080\n",
        ),
        ("d.yaml", DEPLOYMENT),
        ("s.yaml", SERVICE),
    ]);
    let dep = find(&d, "Deployment");
    assert_eq!(s(dep, "spec.template.spec.containers.0.image"), "nginx:2");
    assert_eq!(
        s(
            dep,
            "spec.template.spec.containers.0.envFrom.0.configMapRef.name"
        ),
        "settings"
    );
    assert_eq!(
        at(find(&d, "Service"), "spec.ports.0.port"),
        Some(&Value::DocInt(8080))
    );
}

#[test]
fn json_patch_needs_a_target() {
    let err = build_docs(
        &[
            ("kustomization.yaml", "resources:\n- s.yaml\npatches:\n- patch: '[{\"op\": \"remove\", \"path\": \"/spec\"}]'\n"),
            ("s.yaml", SERVICE),
        ],
        ".",
        &fifo(),
    )
    .unwrap_err();
    assert!(err.contains("target"), "{err}");
}

#[test]
fn legacy_order_puts_configmaps_before_deployments() {
    let files = [
        (
            "kustomization.yaml",
            "resources:\n- d.yaml\n- s.yaml\n- c.yaml\n",
        ),
        ("d.yaml", DEPLOYMENT),
        ("s.yaml", SERVICE),
        ("c.yaml", CONFIGMAP),
    ];
    let kinds = |d: &[Value]| {
        d.iter()
            .map(|x| s(x, "kind").to_string())
            .collect::<Vec<_>>()
    };
    let legacy = build_docs(&files, ".", &BuildOptions::default()).unwrap();
    assert_eq!(kinds(&legacy), ["ConfigMap", "Service", "Deployment"]);
    let fifo_docs = build_docs(&files, ".", &fifo()).unwrap();
    assert_eq!(kinds(&fifo_docs), ["Deployment", "Service", "ConfigMap"]);
}

#[test]
fn local_config_resources_are_dropped() {
    let d = docs(&[
        ("kustomization.yaml", "resources:\n- c.yaml\n- l.yaml\n"),
        ("c.yaml", CONFIGMAP),
        (
            "l.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: scratch\n  annotations:\n    config.kubernetes.io/local-config: 'true'\n",
        ),
    ]);
    assert_eq!(d.len(), 1);
    assert_eq!(s(&d[0], "metadata.name"), "settings");
}

#[test]
fn vars_are_resolved_after_renames() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "namePrefix: p-\nresources:\n- s.yaml\n- pod.yaml\nvars:\n- name: SVC\n  objref: {kind: Service, name: web, apiVersion: v1}\n",
        ),
        ("s.yaml", SERVICE),
        (
            "pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: client}\nspec:\n  containers:\n  - name: c\n    image: curl\n    command: [curl, 'http://$(SVC)/']\n",
        ),
    ]);
    assert_eq!(
        s(find(&d, "Pod"), "spec.containers.0.command.1"),
        "http://p-web/"
    );
}

#[test]
fn replacements_copy_a_field_into_targets() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "resources:\n- c.yaml\n- d.yaml\nreplacements:\n- source: {kind: ConfigMap, name: settings, fieldPath: data.mode}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths:\n    - spec.template.metadata.annotations.mode\n    options: {create: true}\n",
        ),
        ("c.yaml", CONFIGMAP),
        ("d.yaml", DEPLOYMENT),
    ]);
    assert_eq!(
        s(
            find(&d, "Deployment"),
            "spec.template.metadata.annotations.mode"
        ),
        "fast"
    );
}

#[test]
fn components_transform_the_parent_resources() {
    let d = docs(&[
        (
            "kustomization.yaml",
            "resources:\n- d.yaml\ncomponents:\n- monitoring\n",
        ),
        ("d.yaml", DEPLOYMENT),
        (
            "monitoring/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  scrape: 'true'\n",
        ),
    ]);
    assert_eq!(s(&d[0], "metadata.annotations.scrape"), "true");
}

#[test]
fn errors_name_the_kustomization_file() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("kustomization.yaml", "nameprefix: x-\n")],
            "unknown field",
        ),
        (
            &[(
                "kustomization.yaml",
                "resources:\n- https://github.com/x/y//base\n",
            )],
            "not supported offline",
        ),
        (
            &[("kustomization.yaml", "resources:\n- missing.yaml\n")],
            "missing.yaml",
        ),
        (
            &[
                ("kustomization.yaml", "resources:\n- c.yaml\n- c2.yaml\n"),
                ("c.yaml", CONFIGMAP),
                ("c2.yaml", CONFIGMAP),
            ],
            "already registered id",
        ),
    ];
    for (files, want) in cases {
        let err = build_docs(files, ".", &fifo()).unwrap_err();
        assert!(err.contains(want), "{err}");
        assert!(err.contains("kustomization.yaml"), "{err}");
    }
}

#[test]
fn load_restrictor_guards_files_outside_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[
            ("outside.yaml", CONFIGMAP),
            ("app/kustomization.yaml", "resources:\n- ../outside.yaml\n"),
        ],
    );
    let root_only = build_resources(&tmp.path().join("app"), &fifo());
    assert!(
        root_only
            .unwrap_err()
            .to_string()
            .contains("is not in or below")
    );
    let none = BuildOptions {
        load_restrictor: LoadRestrictor::None,
        ..fifo()
    };
    assert_eq!(
        build_resources(&tmp.path().join("app"), &none)
            .unwrap()
            .resources
            .items
            .len(),
        1
    );
}

#[test]
fn output_path_gets_one_file_per_resource_or_one_stream() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[
            ("k/kustomization.yaml", "resources:\n- d.yaml\n- c.yaml\n"),
            ("k/d.yaml", DEPLOYMENT),
            ("k/c.yaml", CONFIGMAP),
        ],
    );
    let out = build_resources(&tmp.path().join("k"), &fifo()).unwrap();
    let dir = tmp.path().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "x").unwrap();
    skiff::overlay::write_output(&dir, &out.resources).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "apps_v1_deployment_web.yaml",
            "keep.txt",
            "v1_configmap_settings.yaml"
        ]
    );
    let file = tmp.path().join("all.yaml");
    skiff::overlay::write_output(&file, &out.resources).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("\n---\n").count(), 1);
}
