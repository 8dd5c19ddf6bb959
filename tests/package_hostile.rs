//! Hostile inputs through the `skiff` binary: unsafe archives are refused
//! wherever an archive is read, and text from charts is printed without
//! terminal control characters.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

fn skiff(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_skiff"));
    c.args(args).current_dir(dir);
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A gzipped tar with a valid chart plus one raw extra entry.
fn evil_tgz(extra_name: &str, kind: u8, link: &str) -> Vec<u8> {
    let mut tar = Vec::new();
    let chart = b"apiVersion: v2\nname: evil\nversion: 0.1.0\n";
    for (name, kind, data, link) in [
        ("evil/Chart.yaml", b'0', &chart[..], ""),
        (extra_name, kind, &b""[..], link),
    ] {
        let mut h = tar::Header::new_ustar();
        h.as_mut_bytes()[..name.len()].copy_from_slice(name.as_bytes());
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_entry_type(tar::EntryType::new(kind));
        h.as_mut_bytes()[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(data);
        tar.extend(std::iter::repeat_n(0u8, (512 - data.len() % 512) % 512));
    }
    tar.extend(std::iter::repeat_n(0u8, 1024));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn symlink_archive_is_refused_by_show_and_skipped_by_index() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(
        dir.join("evil-0.1.0.tgz"),
        evil_tgz("evil/templates/x.yaml", b'2', "/etc/passwd"),
    )
    .unwrap();
    let out = skiff(dir, &["show", "chart", "evil-0.1.0.tgz"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("link"));
    let out = skiff(dir, &["repo", "index", "."], &[]);
    assert!(out.status.success());
    let index = fs::read_to_string(dir.join("index.yaml")).unwrap();
    assert!(index.contains("entries: {}"), "{index}");
}

#[test]
fn hard_link_subchart_archive_fails_package() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir_all(dir.join("p/charts")).unwrap();
    fs::write(
        dir.join("p/Chart.yaml"),
        "apiVersion: v2\nname: p\nversion: 0.1.0\n",
    )
    .unwrap();
    fs::write(
        dir.join("p/charts/evil-0.1.0.tgz"),
        evil_tgz("evil/x", b'1', "evil/Chart.yaml"),
    )
    .unwrap();
    let out = skiff(dir, &["package", "p"], &[]);
    assert!(!out.status.success());
    assert!(!dir.join("p-0.1.0.tgz").exists());
}

#[test]
fn control_characters_are_escaped_in_dep_list() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: x\n  version: \"1.0.0\\u001b[31m\"\n  repository: file://../x\n",
    )
    .unwrap();
    let out = skiff(dir, &["dep", "list", "."], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The loader strips non-printable characters from Chart.yaml (as
    // Helm's `Metadata.Validate` does); nothing reaches the terminal.
    assert!(!text.contains('\u{1b}'), "{text:?}");
    // Paths are escaped by skiff itself.
    fs::create_dir_all(dir.join("c")).unwrap();
    fs::write(
        dir.join("c/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    let out = skiff(dir, &["package", "c", "-d", "out\u{1b}[31m"], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("out\\u{1b}[31m"), "{text:?}");
}

#[test]
fn source_date_epoch_sets_the_entry_mtime() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir_all(dir.join("c")).unwrap();
    fs::write(
        dir.join("c/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    let out = skiff(
        dir,
        &["package", "c"],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = fs::read(dir.join("c-0.1.0.tgz")).unwrap();
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    for e in ar.entries().unwrap() {
        assert_eq!(e.unwrap().header().mtime().unwrap(), 1_700_000_000);
    }
    let out = skiff(
        dir,
        &["package", "c"],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    assert!(!out.status.success());
}
