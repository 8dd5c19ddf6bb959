use super::*;
use std::fs;

fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (name, data) in files {
        let p = root.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    }
}

fn names(bytes: &[u8]) -> Vec<String> {
    archive::read_tgz(bytes, &Limits::default())
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect()
}

fn demo(root: &Path) {
    write_tree(
        root,
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: demo # c\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.2.0\n",
            ),
            ("values.yaml", "a: 1 # kept\n"),
            ("values.schema.json", "{}"),
            ("templates/cm.yaml", "kind: ConfigMap\n"),
            ("templates/a/x.yaml", "x\n"),
            ("templates/a-b.yaml", "y\n"),
            ("README.md", "hi\n"),
            (".helmignore", "*.bak\n"),
            ("old.bak", "ignored\n"),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.2.0\n",
            ),
            ("charts/sub/templates/s.yaml", "s\n"),
        ],
    );
}

#[test]
fn entries_follow_helms_order() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let p = pack(dir.path(), &PackageOptions::default()).unwrap();
    assert_eq!(p.file_name(), "demo-0.1.0.tgz");
    assert_eq!(
        names(&p.bytes),
        [
            "demo/Chart.yaml",
            "demo/values.yaml",
            "demo/values.schema.json",
            "demo/templates/a/x.yaml",
            "demo/templates/a-b.yaml",
            "demo/templates/cm.yaml",
            "demo/.helmignore",
            "demo/README.md",
            "demo/charts/sub/Chart.yaml",
            "demo/charts/sub/templates/s.yaml",
        ]
    );
    let files = archive::read_tgz(&p.bytes, &Limits::default()).unwrap();
    // Chart.yaml re-marshalled (comment gone, keys sorted), values as is.
    let chart_yaml = String::from_utf8(files[0].data.clone()).unwrap();
    assert!(
        chart_yaml.starts_with("apiVersion: v2\ndependencies:\n- name: sub\n  repository: \"\"\n"),
        "{chart_yaml}"
    );
    assert_eq!(files[1].data, b"a: 1 # kept\n");
}

#[test]
fn reproducible_across_mtimes_and_overrides_apply() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let a = pack(dir.path(), &PackageOptions::default()).unwrap();
    let f = fs::File::options()
        .write(true)
        .open(dir.path().join("README.md"))
        .unwrap();
    f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(12345))
        .unwrap();
    drop(f);
    assert_eq!(a, pack(dir.path(), &PackageOptions::default()).unwrap());
    let o = PackageOptions {
        version: Some("1.2.3".into()),
        app_version: Some("9".into()),
        ..PackageOptions::default()
    };
    let b = pack(dir.path(), &o).unwrap();
    assert_eq!(b.file_name(), "demo-1.2.3.tgz");
    let files = archive::read_tgz(&b.bytes, &Limits::default()).unwrap();
    let chart_yaml = String::from_utf8(files[0].data.clone()).unwrap();
    assert!(chart_yaml.contains("appVersion: \"9\"\n"), "{chart_yaml}");
    let bad = PackageOptions {
        version: Some("one".into()),
        ..PackageOptions::default()
    };
    assert!(pack(dir.path(), &bad).is_err());
}

#[test]
fn packed_subchart_archives_are_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    write_tree(
        &sub,
        &[("Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.2.0\n")],
    );
    let sub_tgz = pack(&sub, &PackageOptions::default()).unwrap();
    let parent = dir.path().join("p");
    write_tree(
        &parent,
        &[("Chart.yaml", "apiVersion: v2\nname: p\nversion: 1.0.0\n")],
    );
    fs::create_dir_all(parent.join("charts")).unwrap();
    fs::write(parent.join("charts/sub-0.2.0.tgz"), &sub_tgz.bytes).unwrap();
    let p = pack(&parent, &PackageOptions::default()).unwrap();
    assert_eq!(names(&p.bytes), ["p/Chart.yaml", "p/charts/sub/Chart.yaml"]);
}

#[test]
fn chart_named_dot_dot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[("Chart.yaml", "apiVersion: v2\nname: '..'\nversion: 0.1.0\n")],
    );
    assert!(pack(dir.path(), &PackageOptions::default()).is_err());
}

#[test]
fn lock_is_remarshalled_like_helm() {
    let text = "generated: \"2026-01-01T00:00:00Z\"\ndigest: sha256:ab\ndependencies:\n- name: a\n  version: 1.0.0\n  repository: file://../a\n  extra: x\n";
    let out = remarshal_lock(text, "Chart.lock").unwrap();
    assert_eq!(
        out,
        "dependencies:\n- name: a\n  repository: file://../a\n  version: 1.0.0\ndigest: sha256:ab\ngenerated: \"2026-01-01T00:00:00Z\"\n"
    );
}

#[test]
fn dep_update_and_build_with_file_dependency() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            (
                "lib/Chart.yaml",
                "apiVersion: v2\nname: lib\nversion: 1.4.0\n",
            ),
            (
                "app/Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: ~1.4\n  repository: file://../lib\n",
            ),
        ],
    );
    let app = root.join("app");
    let listed = deps::list(&app).unwrap();
    assert!(listed.contains("missing"), "{listed}");
    deps::update(&app, 0).unwrap();
    assert!(app.join("charts/lib-1.4.0.tgz").exists());
    let lock = fs::read_to_string(app.join("Chart.lock")).unwrap();
    assert!(lock.contains("contentDigest: sha256:"), "{lock}");
    assert!(deps::list(&app).unwrap().contains("ok"));
    deps::build(&app, 0).unwrap();
    // The source changed: build refuses the recorded content digest.
    write_tree(root, &[("lib/templates/x.yaml", "x\n")]);
    let err = deps::build(&app, 0).unwrap_err().to_string();
    assert!(err.contains("content digest mismatch"), "{err}");
    // Chart.yaml changed: the lock is out of sync.
    write_tree(
        root,
        &[(
            "app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: ~1.5\n  repository: file://../lib\n",
        )],
    );
    let err = deps::build(&app, 0).unwrap_err().to_string();
    assert!(err.contains("out of sync"), "{err}");
}

#[test]
fn unknown_repositories_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: r\n  version: 1.0.0\n  repository: example\n",
        )],
    );
    let err = deps::update(dir.path(), 0).unwrap_err().to_string();
    assert!(
        err.contains("no repository definition for example"),
        "{err}"
    );
}

#[test]
fn index_keeps_created_for_unchanged_archives() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    write_tree(
        &src,
        &[("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n")],
    );
    let repo = dir.path().join("repo");
    fs::create_dir_all(repo.join("sub")).unwrap();
    let p = pack(&src, &PackageOptions::default()).unwrap();
    fs::write(repo.join(p.file_name()), &p.bytes).unwrap();
    fs::write(repo.join("sub/not-a-chart.tgz"), b"junk").unwrap();
    let opts = index::IndexOptions::default();
    let first = index::build_index(&repo, &opts, "2020-01-01T00:00:00Z").unwrap();
    let text = crate::yaml::to_yaml(&first);
    assert!(text.contains("urls:\n    - demo-0.1.0.tgz\n"), "{text}");
    fs::write(repo.join("old.yaml"), &text).unwrap();
    let merged = index::IndexOptions {
        merge: Some(repo.join("old.yaml")),
        url: Some("https://x.io/c".into()),
        ..Default::default()
    };
    let second =
        crate::yaml::to_yaml(&index::build_index(&repo, &merged, "2030-01-01T00:00:00Z").unwrap());
    assert!(
        second.contains("created: \"2020-01-01T00:00:00Z\""),
        "{second}"
    );
    assert!(
        second.contains("generated: \"2030-01-01T00:00:00Z\""),
        "{second}"
    );
    assert!(second.contains("https://x.io/c/demo-0.1.0.tgz"), "{second}");
}
