//! `helm template --output-dir`: one file per template, written atomically.
//!
//! Helm (`action.go` renderResources, `template.go` writeToFile) writes, in
//! this order, each CRD file (with `--include-crds`), each manifest and each
//! printed hook as a `---\n# Source: <name>\n<text>\n` block into
//! `<dir>/<name>`, appending when the file was already written in this run,
//! and prints `wrote <dir>/<name>` for every block. Two path details are
//! Helm's and kept in the `wrote` lines:
//!
//! * the path is `<dir>` + `/` + `<name>` as typed, so `--output-dir out/`
//!   prints `wrote out//chart/templates/x.yaml`;
//! * with `--release-name`, manifests and hooks go under
//!   `filepath.Join(dir, release)` (cleaned: `out/release-name/…`), but CRDs
//!   stay directly under `<dir>`.
//!
//! Unlike Helm, which writes file by file, the whole tree is first built in
//! a temporary directory next to `<dir>` and then moved into place, so an
//! error leaves neither a half-written tree nor half-replaced files. Where
//! Helm would append a hook to a file left over from an *earlier* run (a
//! Helm bug that duplicates hooks on every re-run), skiff writes the same
//! content a run into an empty directory would produce.

use super::error::ManifestError;
use super::resource::ResourceList;
use super::stream::{CrdFile, HelmStreamOptions, printed_hooks};
use indexmap::IndexMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Go's `path.Clean` on a `/`-separated path (lexical: collapses `//`,
/// drops `.`, resolves `..` where possible, `""` becomes `.`).
fn go_clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// A file to write, relative to the output directory, and its blocks.
#[derive(Default)]
struct Plan {
    /// Relative path → content, in first-write order.
    files: IndexMap<PathBuf, String>,
    /// The `wrote …` lines, one per block.
    wrote: Vec<String>,
}

impl Plan {
    /// Adds a block for `name` under the relative directory `sub` (empty for
    /// the output directory itself); `shown_dir` is how Helm spells the
    /// directory in its `wrote` line.
    fn add(
        &mut self,
        sub: &str,
        shown_dir: &str,
        name: &str,
        text: &str,
    ) -> Result<(), ManifestError> {
        let rel = safe_relative(&format!("{sub}/{name}"))?;
        let content = self.files.entry(rel).or_default();
        content.push_str("---\n# Source: ");
        content.push_str(name);
        content.push('\n');
        content.push_str(text);
        content.push('\n');
        self.wrote.push(format!("wrote {shown_dir}/{name}"));
        Ok(())
    }
}

/// A relative path with only normal components, or an error for anything
/// that could land outside the output directory.
fn safe_relative(rel: &str) -> Result<PathBuf, ManifestError> {
    let path = Path::new(rel.trim_start_matches('/'));
    let mut clean = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => clean.push(p),
            Component::CurDir => {}
            _ => return Err(ManifestError::UnsafePath(rel.to_string())),
        }
    }
    if clean.as_os_str().is_empty() {
        return Err(ManifestError::UnsafePath(rel.to_string()));
    }
    Ok(clean)
}

/// Writes the rendered chart to `dir` like `helm template --output-dir`,
/// returning Helm's `wrote <path>` lines in order.
///
/// `release_dir` is the release name when `--release-name` is given (then
/// manifests and hooks go under `dir/<release>`). `--show-only` does not
/// limit what is written (Helm filters only stdout). After these lines Helm
/// prints the (empty) manifest stream, i.e. one empty line.
///
/// Atomicity: everything is written into a temporary directory beside
/// `dir` first. If `dir` does not exist, that directory is renamed to
/// `dir`; otherwise each file is moved into place, and on failure the files
/// already moved are put back (replaced files restored), so `dir` is left as
/// it was.
pub fn write_output_dir(
    dir: &Path,
    list: &ResourceList,
    crds: &[CrdFile<'_>],
    opts: &HelmStreamOptions,
    release_dir: Option<&str>,
) -> Result<Vec<String>, ManifestError> {
    let shown = dir.to_string_lossy();
    let mut plan = Plan::default();
    if opts.include_crds {
        for crd in crds.iter().filter(|c| c.is_manifest()) {
            plan.add("", &shown, &crd.source(), &crd.file.text())?;
        }
    }
    // Helm: newDir = filepath.Join(outputDir, releaseName), which cleans.
    let (sub, shown_templates) = match release_dir {
        Some(release) => {
            let joined = go_clean(&format!("{shown}/{release}"));
            let rel = go_clean(release);
            (rel, joined)
        }
        None => (String::new(), shown.to_string()),
    };
    for r in &list.resources {
        plan.add(&sub, &shown_templates, &r.source, &r.text)?;
    }
    for h in printed_hooks(list, opts) {
        plan.add(&sub, &shown_templates, &h.source, &h.text)?;
    }
    commit(dir, &plan.files)?;
    Ok(plan.wrote)
}

/// Builds the tree in a sibling temporary directory and moves it into place.
fn commit(dir: &Path, files: &IndexMap<PathBuf, String>) -> Result<(), ManifestError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| ManifestError::io(&parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".skiff-output-")
        .tempdir_in(&parent)
        .map_err(|e| ManifestError::io(&parent, e))?;
    let root = staging.path().join("tree");
    fs::create_dir(&root).map_err(|e| ManifestError::io(&root, e))?;
    for (rel, content) in files {
        let path = root.join(rel);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(|e| ManifestError::io(p, e))?;
        }
        fs::write(&path, content).map_err(|e| ManifestError::io(dir.join(rel), e))?;
    }
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Fresh directory: one rename publishes the whole tree. The
            // staging directory (now without `tree`) is removed on drop.
            fs::rename(&root, dir).map_err(|e| ManifestError::io(dir, e))
        }
        Err(e) => Err(ManifestError::io(dir, e)),
        Ok(meta) if !meta.is_dir() => Err(ManifestError::io(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a directory",
            ),
        )),
        Ok(_) => merge_into(dir, &root, &staging.path().join("replaced"), files),
    }
}

/// One step done while merging, so it can be undone.
enum Step {
    /// A directory we created.
    CreatedDir(PathBuf),
    /// An existing file moved aside to the given backup path.
    MovedAside { target: PathBuf, backup: PathBuf },
    /// A staged file moved to its target.
    Placed { target: PathBuf, staged: PathBuf },
}

/// Moves staged files into an existing directory, undoing everything on
/// the first failure.
fn merge_into(
    dir: &Path,
    root: &Path,
    backups: &Path,
    files: &IndexMap<PathBuf, String>,
) -> Result<(), ManifestError> {
    let mut done: Vec<Step> = Vec::new();
    let result = (|| {
        fs::create_dir_all(backups).map_err(|e| ManifestError::io(backups, e))?;
        for (index, rel) in files.keys().enumerate() {
            let target = dir.join(rel);
            let staged = root.join(rel);
            if let Some(p) = target.parent() {
                create_dirs(dir, p, &mut done)?;
            }
            match fs::symlink_metadata(&target) {
                Ok(meta) if meta.is_dir() => {
                    return Err(ManifestError::io(
                        &target,
                        std::io::Error::new(std::io::ErrorKind::AlreadyExists, "is a directory"),
                    ));
                }
                Ok(_) => {
                    let backup = backups.join(index.to_string());
                    fs::rename(&target, &backup).map_err(|e| ManifestError::io(&target, e))?;
                    done.push(Step::MovedAside {
                        target: target.clone(),
                        backup,
                    });
                }
                Err(_) => {}
            }
            fs::rename(&staged, &target).map_err(|e| ManifestError::io(&target, e))?;
            done.push(Step::Placed { target, staged });
        }
        Ok(())
    })();
    if result.is_err() {
        // Best effort: undo in reverse order.
        for step in done.into_iter().rev() {
            let _ = match step {
                Step::Placed { target, staged } => fs::rename(target, staged),
                Step::MovedAside { target, backup } => fs::rename(backup, target),
                Step::CreatedDir(d) => fs::remove_dir(d),
            };
        }
    }
    result
}

/// `create_dir_all` that records each directory it creates below `dir`.
fn create_dirs(dir: &Path, path: &Path, done: &mut Vec<Step>) -> Result<(), ManifestError> {
    let mut missing = Vec::new();
    let mut cur = path;
    while cur != dir && !cur.exists() {
        missing.push(cur.to_path_buf());
        match cur.parent() {
            Some(p) => cur = p,
            None => break,
        }
    }
    for d in missing.into_iter().rev() {
        fs::create_dir(&d).map_err(|e| ManifestError::io(&d, e))?;
        done.push(Step::CreatedDir(d));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::ChartFile;
    use crate::engine::RenderedTemplate;
    use crate::manifest::sort_manifests;

    fn list() -> ResourceList {
        let t = |n: &str, c: &str| RenderedTemplate {
            name: n.to_string(),
            content: c.to_string(),
        };
        sort_manifests(&[
            t("c/templates/a.yaml", "kind: Deployment\n---\nkind: Service\n"),
            t(
                "c/templates/h.yaml",
                "kind: ConfigMap\n---\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install\n",
            ),
            t("c/templates/tests/t.yaml", "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n"),
        ])
        .unwrap()
    }

    fn crd() -> ChartFile {
        ChartFile {
            name: "crds/x.yaml".into(),
            data: b"---\nkind: CustomResourceDefinition\n"[..].into(),
        }
    }

    #[test]
    fn go_clean_cases() {
        assert_eq!(go_clean("out//rel"), "out/rel");
        assert_eq!(go_clean("./out/./rel/"), "out/rel");
        assert_eq!(go_clean("a/../.."), "..");
        assert_eq!(go_clean(""), ".");
        assert_eq!(go_clean("/../x"), "/x");
    }

    #[test]
    fn writes_files_and_wrote_lines_like_helm() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let file = crd();
        let crds = [CrdFile {
            chart_path: "c",
            file: &file,
        }];
        let opts = HelmStreamOptions {
            include_crds: true,
            ..Default::default()
        };
        let lines = write_output_dir(&out, &list(), &crds, &opts, None).unwrap();
        let o = out.display();
        assert_eq!(
            lines,
            [
                format!("wrote {o}/c/crds/x.yaml"),
                format!("wrote {o}/c/templates/h.yaml"),
                format!("wrote {o}/c/templates/a.yaml"),
                format!("wrote {o}/c/templates/a.yaml"),
                format!("wrote {o}/c/templates/tests/t.yaml"),
                format!("wrote {o}/c/templates/h.yaml"),
            ]
        );
        let a = fs::read_to_string(out.join("c/templates/a.yaml")).unwrap();
        assert_eq!(
            a,
            "---\n# Source: c/templates/a.yaml\nkind: Service\n---\n# Source: c/templates/a.yaml\nkind: Deployment\n"
        );
        let h = fs::read_to_string(out.join("c/templates/h.yaml")).unwrap();
        assert!(h.find("kind: ConfigMap").unwrap() < h.find("kind: Job").unwrap());
        let x = fs::read_to_string(out.join("c/crds/x.yaml")).unwrap();
        assert_eq!(
            x,
            "---\n# Source: c/crds/x.yaml\n---\nkind: CustomResourceDefinition\n\n"
        );
        // No staging directory is left beside the output.
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn release_name_dir_and_skips() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let file = crd();
        let crds = [CrdFile {
            chart_path: "c",
            file: &file,
        }];
        let opts = HelmStreamOptions {
            include_crds: true,
            skip_tests: true,
            ..Default::default()
        };
        let lines = write_output_dir(&out, &list(), &crds, &opts, Some("rel")).unwrap();
        assert!(lines[0].ends_with("/out/c/crds/x.yaml"));
        assert!(lines[1].ends_with("/out/rel/c/templates/h.yaml"));
        assert!(out.join("rel/c/templates/a.yaml").is_file());
        assert!(!out.join("rel/c/templates/tests").exists());
        assert!(out.join("c/crds/x.yaml").is_file());
    }

    #[test]
    fn rerun_into_existing_dir_replaces_and_keeps_others() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir_all(out.join("c/templates")).unwrap();
        fs::write(out.join("c/templates/a.yaml"), "old").unwrap();
        fs::write(out.join("keep.txt"), "mine").unwrap();
        let opts = HelmStreamOptions::default();
        write_output_dir(&out, &list(), &[], &opts, None).unwrap();
        let first = fs::read_to_string(out.join("c/templates/tests/t.yaml")).unwrap();
        write_output_dir(&out, &list(), &[], &opts, None).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("c/templates/tests/t.yaml")).unwrap(),
            first
        );
        assert!(
            fs::read_to_string(out.join("c/templates/a.yaml"))
                .unwrap()
                .contains("kind: Service")
        );
        assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn failure_leaves_no_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let t = RenderedTemplate {
            name: "../escape.yaml".into(),
            content: "kind: Service\n".into(),
        };
        let bad = sort_manifests(&[t]).unwrap();
        let err =
            write_output_dir(&out, &bad, &[], &HelmStreamOptions::default(), None).unwrap_err();
        assert!(matches!(err, ManifestError::UnsafePath(_)), "{err}");
        assert!(!out.exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn failure_while_staging_leaves_no_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let t = |n: &str| RenderedTemplate {
            name: n.to_string(),
            content: "kind: Service\n".into(),
        };
        // A file and a directory of the same name cannot both be written.
        let clash = sort_manifests(&[t("c/templates/x"), t("c/templates/x/y.yaml")]).unwrap();
        let err =
            write_output_dir(&out, &clash, &[], &HelmStreamOptions::default(), None).unwrap_err();
        assert!(matches!(err, ManifestError::Io { .. }), "{err}");
        assert!(!out.exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn failure_while_merging_restores_the_existing_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        // The last file to be placed is blocked by a directory.
        fs::create_dir_all(out.join("c/templates/tests/t.yaml")).unwrap();
        fs::write(out.join("c/templates/a.yaml"), "old").unwrap();
        let err =
            write_output_dir(&out, &list(), &[], &HelmStreamOptions::default(), None).unwrap_err();
        assert!(matches!(err, ManifestError::Io { .. }), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("c/templates/a.yaml")).unwrap(),
            "old"
        );
        assert!(!out.join("c/templates/h.yaml").exists());
        assert!(out.join("c/templates/tests/t.yaml").is_dir());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
