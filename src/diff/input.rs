//! The two sides of a diff: what an input path is, how it becomes
//! resources, and how it is read at a git revision without touching the
//! working copy.

use super::{DiffError, Object};
use crate::manifest::ResourceId;
use crate::render::{self, RenderOptions};
use crate::value::Value;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// What an input path holds. Adding a renderer is one variant here plus one
/// arm in [`load_input`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A chart directory or `.tgz`, rendered like `skiff template`.
    Chart(PathBuf),
    /// A directory with a `kustomization.yaml`, built like `skiff build`.
    Kustomization(PathBuf),
    /// A rendered multi-document YAML file.
    Stream(PathBuf),
    /// A rendered stream on standard input (`-`).
    Stdin,
}

/// File names kustomize accepts for a kustomization (its
/// `konfig.RecognizedKustomizationFileNames`).
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

impl Input {
    /// Classifies a path: `-` is stdin; a directory with a kustomization
    /// file is a kustomization (checked first, as a directory may hold
    /// both); a directory or `.tgz` otherwise is a chart; any other file is
    /// a rendered stream.
    pub fn detect(path: &Path) -> Input {
        if path.as_os_str() == "-" {
            return Input::Stdin;
        }
        if path.is_dir() {
            if KUSTOMIZATION_FILES.iter().any(|f| path.join(f).is_file()) {
                return Input::Kustomization(path.to_path_buf());
            }
            return Input::Chart(path.to_path_buf());
        }
        let name = path.to_string_lossy();
        if name.ends_with(".tgz") || name.ends_with(".tar.gz") {
            return Input::Chart(path.to_path_buf());
        }
        Input::Stream(path.to_path_buf())
    }
}

/// One side: a path, optionally read at a git revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// The input path (`-` for stdin).
    pub path: PathBuf,
    /// A git revision (`origin/main`, a tag, a commit) to read the path at.
    pub revision: Option<String>,
}

/// How charts are rendered; the same settings apply to both sides so only
/// the change under review shows.
#[derive(Debug, Clone, Default)]
pub struct RenderSettings {
    /// Release, values flags, capabilities and `--seed`: as `skiff
    /// template` takes them. With a seed, random functions (`randAlphaNum`,
    /// `genCA`, …) give the same output on both sides, so they are no noise.
    pub render: RenderOptions,
}

/// Loads one side into resources, with any render warnings.
pub fn load_side(
    side: &Side,
    settings: &RenderSettings,
) -> Result<(Vec<Object>, Vec<String>), DiffError> {
    match &side.revision {
        None => load_input(&Input::detect(&side.path), settings),
        Some(rev) => {
            if side.path.as_os_str() == "-" {
                return Err(DiffError::Unsupported {
                    path: side.path.clone(),
                    what: "standard input at a git revision".to_string(),
                });
            }
            let (_tmp, path) = tree_at_revision(&side.path, rev)?;
            // `_tmp` lives until the side is loaded, then the copy is removed.
            load_input(&Input::detect(&path), settings)
        }
    }
}

/// Renders or reads one input.
fn load_input(
    input: &Input,
    settings: &RenderSettings,
) -> Result<(Vec<Object>, Vec<String>), DiffError> {
    match input {
        Input::Chart(path) => {
            let out = render::render_to_string(path, &settings.render)
                .map_err(|d| DiffError::Render(Box::new(d)))?;
            Ok((parse_stream(&out.text, path)?, out.warnings))
        }
        Input::Kustomization(path) => {
            // Built like `skiff build` with kustomize's defaults, then read
            // back as a stream so both inputs meet in the same model.
            let out =
                crate::overlay::build_resources(path, &crate::overlay::BuildOptions::default())
                    .map_err(|e| DiffError::Render(Box::new(e.into())))?;
            let text = crate::overlay::to_kustomize_yaml(&out.resources);
            Ok((parse_stream(&text, path)?, out.warnings))
        }
        Input::Stream(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| DiffError::Read {
                path: path.clone(),
                source,
            })?;
            Ok((parse_stream(&text, path)?, Vec::new()))
        }
        Input::Stdin => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|source| DiffError::Read {
                    path: PathBuf::from("-"),
                    source,
                })?;
            Ok((parse_stream(&text, Path::new("-"))?, Vec::new()))
        }
    }
}

/// Parses a rendered multi-document stream into resources. Empty and
/// non-map documents are skipped; `kind: List` (and `*List`) documents
/// contribute their `items`, as `kubectl apply` treats them.
pub fn parse_stream(text: &str, path: &Path) -> Result<Vec<Object>, DiffError> {
    let docs = crate::yaml::parse_documents(text).map_err(|e| DiffError::Yaml {
        path: path.to_path_buf(),
        message: e.message,
        line: e.line,
        column: e.column,
    })?;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        push_document(doc, &mut out);
    }
    Ok(out)
}

fn push_document(doc: Value, out: &mut Vec<Object>) {
    let Value::Map(_) = &doc else { return };
    let is_list = matches!(doc.get_path("kind"), Some(Value::String(k)) if k.ends_with("List"))
        && matches!(doc.get_path("items"), Some(Value::Seq(_)));
    if is_list {
        if let Value::Map(mut m) = doc
            && let Some(Value::Seq(items)) = m.shift_remove("items")
        {
            for item in items {
                push_document(item, out);
            }
        }
        return;
    }
    let id = id_of(&doc);
    out.push(Object { id, node: doc });
}

/// Reads a document's id (apiVersion split into group and version, kind,
/// metadata.namespace, metadata.name); missing parts are empty.
pub(crate) fn id_of(node: &Value) -> ResourceId {
    let text = |path: &str| match node.get_path(path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Int(i) | Value::DocInt(i)) => i.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    };
    let api_version = text("apiVersion");
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version),
    };
    ResourceId {
        group,
        version,
        kind: text("kind"),
        namespace: text("metadata.namespace"),
        name: text("metadata.name"),
    }
}

/// Extracts `path` as it was at `rev` into a temporary directory with
/// `git archive` (the working copy and index are never touched) and
/// returns the directory guard and the extracted path.
pub fn tree_at_revision(path: &Path, rev: &str) -> Result<(tempfile::TempDir, PathBuf), DiffError> {
    let (anchor, rest) = existing_anchor(path)?;
    let top = git(&anchor, &["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']));
    let top = top.canonicalize().map_err(|source| DiffError::Read {
        path: top.clone(),
        source,
    })?;
    let full = anchor.join(&rest);
    let rel = full.strip_prefix(&top).map_err(|_| DiffError::Git {
        command: "archive".to_string(),
        message: format!(
            "{} is outside the repository {}",
            path.display(),
            top.display()
        ),
    })?;
    let rel_str = rel.to_string_lossy().replace('\\', "/");
    let mut args = vec!["archive", "--format=tar", rev];
    if !rel_str.is_empty() {
        args.push("--");
        args.push(&rel_str);
    }
    let tar_bytes = git(&top, &args)?;
    let tmp = tempfile::tempdir().map_err(|source| DiffError::Read {
        path: std::env::temp_dir(),
        source,
    })?;
    tar::Archive::new(tar_bytes.as_slice())
        .unpack(tmp.path())
        .map_err(|source| DiffError::Read {
            path: tmp.path().to_path_buf(),
            source,
        })?;
    let extracted = tmp.path().join(rel);
    Ok((tmp, extracted))
}

/// The nearest existing directory at or above `path` (canonical) and the
/// remaining components, so a path deleted in the working copy can still be
/// read at an older revision.
fn existing_anchor(path: &Path) -> Result<(PathBuf, PathBuf), DiffError> {
    let cwd = std::env::current_dir().map_err(|source| DiffError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut abs = PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                abs.pop();
            }
            other => abs.push(other),
        }
    }
    let mut anchor = abs.clone();
    let mut rest = Vec::new();
    while !anchor.is_dir() {
        match (anchor.file_name(), anchor.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                anchor = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let anchor = anchor.canonicalize().map_err(|source| DiffError::Read {
        path: anchor.clone(),
        source,
    })?;
    let rest: PathBuf = rest.iter().rev().collect();
    Ok((anchor, rest))
}

/// Runs git in `dir`, returning stdout or git's own error message.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, DiffError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| DiffError::Git {
            command: args.join(" "),
            message: format!("cannot run git: {e}"),
        })?;
    if !out.status.success() {
        return Err(DiffError::Git {
            command: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_group_and_version() {
        let docs = parse_stream(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n  namespace: ns\n---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n",
            Path::new("x.yaml"),
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id.group, "apps");
        assert_eq!(docs[0].id.namespace, "ns");
        assert_eq!(docs[1].id.kind, "ConfigMap");
        assert_eq!(docs[1].id.group, "");
    }

    #[test]
    fn bad_yaml_is_located() {
        let err = parse_stream("a: [\n", Path::new("bad.yaml")).unwrap_err();
        let d = crate::diag::Diagnostic::from(err);
        assert_eq!(d.location.unwrap().file, "bad.yaml");
    }

    #[test]
    fn detects_kinds() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Input::detect(dir.path()),
            Input::Chart(dir.path().to_path_buf())
        );
        std::fs::write(dir.path().join("kustomization.yaml"), "resources: []\n").unwrap();
        assert_eq!(
            Input::detect(dir.path()),
            Input::Kustomization(dir.path().to_path_buf())
        );
        assert_eq!(Input::detect(Path::new("-")), Input::Stdin);
        assert_eq!(
            Input::detect(Path::new("x.yaml")),
            Input::Stream(PathBuf::from("x.yaml"))
        );
    }
}
