//! Differential tests of `skiff package`, `skiff repo index` and
//! `skiff dep` with helm v4.1.4 as the oracle (`$HELM_REF`). Each test says
//! it is skipped when HELM_REF is unset.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn helm() -> Option<PathBuf> {
    match std::env::var_os("HELM_REF") {
        Some(h) if !h.is_empty() => Some(PathBuf::from(h)),
        _ => {
            eprintln!("skipped: HELM_REF is not set");
            None
        }
    }
}

/// Runs a command in `dir`, asserting success; returns stdout.
fn run(dir: &Path, program: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("HELM_CACHE_HOME", dir.join(".hc"))
        .env("HELM_CONFIG_HOME", dir.join(".hcfg"))
        .env("HELM_DATA_HOME", dir.join(".hd"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn skiff() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_skiff"))
}

/// The regular files of a gzipped tar, in order: (name, contents).
fn tar_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let bytes = fs::read(path).unwrap();
    skiff::archive::read_tgz(&bytes, &skiff::archive::Limits::default())
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.data))
        .collect()
}

/// Removes the lines with run-time timestamps (`created`, `generated`).
fn without_times(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("\"created\"") && !l.contains("created:"))
        .filter(|l| !l.contains("generated"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `helm create demo` plus a subchart declared in Chart.yaml, a
/// .helmignore'd file and a schema.
fn make_chart(helm: &Path, dir: &Path) {
    run(dir, helm, &["create", "demo"]);
    run(dir, helm, &["create", "demo/charts/sub"]);
    let chart = dir.join("demo/Chart.yaml");
    let mut text = fs::read_to_string(&chart).unwrap();
    text.push_str("dependencies:\n- name: sub\n  version: 0.1.0\n");
    fs::write(&chart, text).unwrap();
    fs::write(dir.join("demo/values.schema.json"), "{\"type\":\"object\"}").unwrap();
    fs::write(dir.join("demo/notes.orig"), "ignored by .helmignore\n").unwrap();
    // Names that need the USTAR prefix field and PAX records.
    let deep = dir.join("demo/files").join("d".repeat(120));
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join(format!("{}.txt", "f".repeat(90))), "prefix\n").unwrap();
    let deeper = dir.join("demo/files").join("e".repeat(160));
    fs::create_dir_all(&deeper).unwrap();
    fs::write(deeper.join(format!("{}.txt", "g".repeat(120))), "pax\n").unwrap();
    fs::write(dir.join("demo/files/ünï.txt"), "unicode\n").unwrap();
}

/// The decompressed tar streams of two archives are identical except for
/// the mtime and checksum fields of the headers.
fn same_tar_but_mtimes(a: &Path, b: &Path) {
    use std::io::Read;
    let raw = |p: &Path| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&fs::read(p).unwrap()[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let (x, y) = (raw(a), raw(b));
    assert_eq!(x.len(), y.len());
    for (i, (bx, by)) in x.chunks(512).zip(y.chunks(512)).enumerate() {
        for j in 0..512 {
            if bx[j] != by[j] {
                assert!((136..156).contains(&j), "block {i} differs at byte {j}");
            }
        }
    }
}

#[test]
fn package_matches_helm_package_and_helm_accepts_it() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_chart(&helm, dir);
    run(dir, &skiff(), &["package", "demo", "-d", "ours"]);
    run(dir, &helm, &["package", "demo", "-d", "theirs"]);
    let ours = dir.join("ours/demo-0.1.0.tgz");
    let theirs = dir.join("theirs/demo-0.1.0.tgz");
    // Same entries, same order, same bytes (only mtimes differ).
    assert_eq!(tar_entries(&ours), tar_entries(&theirs));
    same_tar_but_mtimes(&ours, &theirs);
    let o = ours.to_str().unwrap();
    let t = theirs.to_str().unwrap();
    assert_eq!(
        run(dir, &helm, &["show", "chart", o]),
        run(dir, &helm, &["show", "chart", t])
    );
    assert_eq!(
        run(dir, &helm, &["template", "rel", o]),
        run(dir, &helm, &["template", "rel", t])
    );
    let lint = run(dir, &helm, &["lint", o]);
    assert!(lint.contains("0 chart(s) failed"), "{lint}");
    // And skiff reads helm's archive.
    run(dir, &skiff(), &["show", "chart", t]);
}

#[test]
fn package_is_reproducible_after_touch() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_chart(&helm, dir);
    run(dir, &skiff(), &["package", "demo", "-d", "a"]);
    let f = fs::File::options()
        .write(true)
        .open(dir.join("demo/values.yaml"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now()).unwrap();
    drop(f);
    run(dir, &skiff(), &["package", "demo", "-d", "b"]);
    assert_eq!(
        fs::read(dir.join("a/demo-0.1.0.tgz")).unwrap(),
        fs::read(dir.join("b/demo-0.1.0.tgz")).unwrap()
    );
}

#[test]
fn repo_index_matches_helm_repo_index() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_chart(&helm, dir);
    for repo in ["r1", "r2"] {
        run(dir, &skiff(), &["package", "demo", "-d", repo]);
        run(
            dir,
            &helm,
            &["package", "demo", "--version", "1.0.0-rc.1", "-d", repo],
        );
        run(
            dir,
            &helm,
            &["package", "demo/charts/sub", "-d", &format!("{repo}/sub")],
        );
        fs::write(dir.join(repo).join("junk.tgz"), "not a chart").unwrap();
    }
    for extra in [
        &[][..],
        &["--url", "https://charts.example.com/x?t=1"][..],
        &["--json"][..],
    ] {
        let mut a = vec!["repo", "index", "r1"];
        a.extend_from_slice(extra);
        run(dir, &skiff(), &a);
        a[2] = "r2";
        run(dir, &helm, &a);
        let ours = fs::read_to_string(dir.join("r1/index.yaml")).unwrap();
        let theirs = fs::read_to_string(dir.join("r2/index.yaml")).unwrap();
        assert_eq!(without_times(&ours), without_times(&theirs), "{extra:?}");
    }
}

#[test]
fn repo_index_merge_keeps_created_where_helm_resets_it() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_chart(&helm, dir);
    run(dir, &skiff(), &["package", "demo", "-d", "r"]);
    run(dir, &skiff(), &["repo", "index", "r"]);
    fs::rename(dir.join("r/index.yaml"), dir.join("old.yaml")).unwrap();
    let created = |text: &str| {
        text.lines()
            .find(|l| l.contains("created:"))
            .unwrap()
            .to_string()
    };
    let old = created(&fs::read_to_string(dir.join("old.yaml")).unwrap());
    std::thread::sleep(std::time::Duration::from_millis(20));
    run(
        dir,
        &skiff(),
        &["repo", "index", "r", "--merge", "old.yaml"],
    );
    let ours = fs::read_to_string(dir.join("r/index.yaml")).unwrap();
    assert_eq!(created(&ours), old);
    // helm resets it (helm/helm#7363); both indexes load in helm.
    run(dir, &helm, &["repo", "index", "r", "--merge", "old.yaml"]);
    let theirs = fs::read_to_string(dir.join("r/index.yaml")).unwrap();
    assert_ne!(created(&theirs), old);
}

fn dep_charts(helm: &Path, dir: &Path) {
    run(dir, helm, &["create", "lib"]);
    run(dir, helm, &["create", "app"]);
    let chart = dir.join("app/Chart.yaml");
    let mut text = fs::read_to_string(&chart).unwrap();
    text.push_str(
        "dependencies:\n- name: lib\n  version: \">=0.1.0 <1\"\n  repository: file://../lib\n  condition: lib.enabled\n  tags: [a]\n",
    );
    fs::write(&chart, text).unwrap();
}

#[test]
fn dep_lock_interoperates_with_helm() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    dep_charts(&helm, dir);
    assert_eq!(
        run(dir, &skiff(), &["dep", "list", "app"]),
        run(dir, &helm, &["dep", "list", "app"])
    );
    run(dir, &skiff(), &["dep", "update", "app"]);
    assert_eq!(
        run(dir, &skiff(), &["dep", "list", "app"]),
        run(dir, &helm, &["dep", "list", "app"])
    );
    let ours = fs::read_to_string(dir.join("app/Chart.lock")).unwrap();
    // helm's `dep build` checks the lock digest: it accepts ours.
    run(dir, &helm, &["dep", "build", "app"]);
    run(dir, &helm, &["template", "rel", "app"]);
    // helm's own lock has the same digest, and skiff builds from it.
    run(dir, &helm, &["dep", "update", "app"]);
    let theirs = fs::read_to_string(dir.join("app/Chart.lock")).unwrap();
    let digest = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("digest:"))
            .unwrap()
            .to_string()
    };
    assert_eq!(digest(&ours), digest(&theirs));
    run(dir, &skiff(), &["dep", "build", "app"]);
    // An edited Chart.yaml makes both refuse the lock.
    let chart = dir.join("app/Chart.yaml");
    let text = fs::read_to_string(&chart)
        .unwrap()
        .replace(">=0.1.0 <1", ">=0.1.0 <2");
    fs::write(&chart, text).unwrap();
    for program in [skiff(), helm.clone()] {
        let out = Command::new(&program)
            .args(["dep", "build", "app"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("out of sync"));
    }
}

#[test]
fn skiff_renders_helms_archive_and_helm_renders_ours() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // No template actions: this checks the archive path, not the engine.
    fs::create_dir_all(dir.join("st/templates")).unwrap();
    fs::write(
        dir.join("st/Chart.yaml"),
        "apiVersion: v2\nname: st\nversion: 0.1.0\n",
    )
    .unwrap();
    fs::write(
        dir.join("st/templates/cm.yaml"),
        "kind: ConfigMap\nmetadata:\n  name: x\n",
    )
    .unwrap();
    fs::write(dir.join("st/values.yaml"), "a: 1 # comment\n").unwrap();
    run(dir, &helm, &["package", "st", "-d", "theirs"]);
    run(dir, &skiff(), &["package", "st", "-d", "ours"]);
    let (o, t) = ("ours/st-0.1.0.tgz", "theirs/st-0.1.0.tgz");
    assert_eq!(
        run(dir, &skiff(), &["template", t]),
        run(dir, &helm, &["template", o])
    );
    assert_eq!(
        run(dir, &skiff(), &["show", "values", t]),
        run(dir, &helm, &["show", "values", o])
    );
    assert_eq!(
        run(dir, &skiff(), &["show", "chart", t]),
        run(dir, &helm, &["show", "chart", o])
    );
}
