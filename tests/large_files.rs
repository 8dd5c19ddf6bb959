//! Large chart files the loader does not parse (CRDs, READMEs, data files
//! for `.Files`) are read only when a render asks for them. This builds a
//! chart with such files, over the size where reading is deferred, in a
//! subchart too, and checks that every way a template or `--include-crds`
//! reaches them prints what `$HELM_REF template` prints. Without `HELM_REF`
//! the comparison is skipped, but skiff's own output is still checked.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Bigger than the loader's deferral threshold (64 KiB).
const BIG: usize = 80 * 1024;

/// A CRD of about `BIG` bytes: one long description.
fn crd(kind: &str) -> String {
    let description = "x".repeat(BIG);
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {kind}s.example.com\nspec:\n  group: example.com\n  names:\n    kind: {kind}\n    plural: {kind}s\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        description: {description}\n        type: object\n"
    )
}

/// Text lines adding up to about `BIG` bytes, with a byte order mark in front.
fn data_file(tag: &str) -> String {
    let mut s = String::from("\u{feff}");
    let mut i = 0;
    while s.len() < BIG {
        s.push_str(&format!("{tag} line {i}: some data to read later\n"));
        i += 1;
    }
    s
}

fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The chart: CRDs and a README nobody reads, and data files the templates
/// read through each `.Files` accessor.
fn chart(root: &Path) {
    write(
        root,
        "Chart.yaml",
        "apiVersion: v2\nname: big\nversion: 0.1.0\n",
    );
    write(root, "values.yaml", "read: true\n");
    write(root, "README.md", &data_file("readme"));
    write(root, "crds/alpha.yaml", &crd("Alpha"));
    write(root, "crds/beta.yaml", &crd("Beta"));
    write(root, "files/data.txt", &data_file("data"));
    write(root, "files/other.txt", &data_file("other"));
    write(
        root,
        "templates/cm.yaml",
        "{{- if .Values.read }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: files\ndata:\n  sum: {{ .Files.Get \"files/data.txt\" | sha256sum }}\n  bytes: {{ .Files.GetBytes \"files/data.txt\" | len }}\n  lines: {{ .Files.Lines \"files/data.txt\" | len | quote }}\n  last: {{ .Files.Lines \"files/data.txt\" | last | quote }}\n  glob: {{ .Files.Glob \"files/*\" | len | quote }}\n  head: {{ .Files.Get \"files/data.txt\" | trunc 40 | quote }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: as-config\ndata:\n  {{- (.Files.Glob \"files/other.txt\").AsConfig | sha256sum | nindent 2 | replace \"\\n  \" \"\\n  config: \" }}\n{{- end }}\n",
    );
    write(
        root,
        "charts/sub/Chart.yaml",
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    );
    write(root, "charts/sub/crds/gamma.yaml", &crd("Gamma"));
    write(root, "charts/sub/files/sub.txt", &data_file("sub"));
    write(
        root,
        "charts/sub/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\ndata:\n  size: {{ .Files.Get \"files/sub.txt\" | len | quote }}\n",
    );
}

fn render(bin: &Path, chart: &Path, args: &[&str]) -> (bool, Vec<u8>, String) {
    let out = Command::new(bin)
        .arg("template")
        .arg(chart)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn large_files_read_when_used_render_like_helm() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("big");
    chart(&root);
    let skiff = PathBuf::from(env!("CARGO_BIN_EXE_skiff"));
    let helm = std::env::var_os("HELM_REF").map(PathBuf::from);
    let cases: [&[&str]; 4] = [
        &[],
        &["--include-crds"],
        &["--set", "read=false"],
        &["--set", "read=false", "--include-crds"],
    ];
    for args in cases {
        let (ok, out, err) = render(&skiff, &root, args);
        assert!(ok, "skiff {args:?} failed: {err}");
        let text = String::from_utf8_lossy(&out);
        let crds = args.contains(&"--include-crds");
        assert_eq!(text.contains("kind: Alpha"), crds, "{args:?}");
        assert_eq!(text.contains("kind: Gamma"), crds, "{args:?}");
        assert!(text.contains("size: \"81"), "subchart file read: {args:?}");
        let Some(helm) = &helm else {
            continue;
        };
        let (helm_ok, helm_out, helm_err) = render(helm, &root, args);
        assert!(helm_ok, "helm {args:?} failed: {helm_err}");
        assert!(
            helm_out == out,
            "skiff and helm differ for {args:?}:\n--- helm\n{}\n--- skiff\n{text}",
            String::from_utf8_lossy(&helm_out)
        );
    }
    if helm.is_none() {
        eprintln!("helm comparison skipped: HELM_REF is not set");
    }
}
