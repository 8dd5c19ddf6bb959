//! File access for one kustomization root, with kustomize's load
//! restrictions (`api/internal/loader/fileloader.go`).

use std::path::{Component, Path, PathBuf};

/// How far file references may reach (`--load-restrictor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadRestrictor {
    /// Files must lie in or below the kustomization root (the default).
    #[default]
    RootOnly,
    /// Any file may be read.
    None,
}

/// Reads files relative to a kustomization root.
#[derive(Debug, Clone)]
pub struct Loader {
    /// The kustomization directory.
    pub root: PathBuf,
    /// The restriction in force.
    pub restrictor: LoadRestrictor,
}

/// Whether a reference names a remote resource kustomize would fetch.
pub fn is_remote(target: &str) -> bool {
    target.contains("://")
        || target.starts_with("git@")
        || target.starts_with("git::")
        || target.starts_with("github.com/")
        || target.starts_with("gitlab.com/")
        || target.starts_with("bitbucket.org/")
}

/// Lexically normalises a path (`a/./b/../c` → `a/c`), as Go's
/// `filepath.Clean` does, without touching the file system.
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Loader {
    /// A loader rooted at `root`.
    pub fn new(root: &Path, restrictor: LoadRestrictor) -> Loader {
        Loader {
            root: root.to_path_buf(),
            restrictor,
        }
    }

    /// Resolves a reference against the root.
    pub fn resolve(&self, rel: &str) -> PathBuf {
        clean(&self.root.join(rel))
    }

    /// Reads a file, enforcing the restriction.
    pub fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, String> {
        if is_remote(rel) {
            return Err(format!("{rel}: remote resources are not supported offline"));
        }
        let path = self.resolve(rel);
        self.check(&path)?;
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads a UTF-8 file, enforcing the restriction.
    pub fn read_string(&self, rel: &str) -> Result<String, String> {
        let b = self.read_bytes(rel)?;
        String::from_utf8(b).map_err(|_| format!("{rel}: not valid UTF-8"))
    }

    /// Checks that `path` may be read (kustomize: "security; file … is not
    /// in or below …").
    pub fn check(&self, path: &Path) -> Result<(), String> {
        if self.restrictor == LoadRestrictor::None {
            return Ok(());
        }
        let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let real = match std::fs::canonicalize(path) {
            Ok(p) => p,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        if real.starts_with(&root) {
            Ok(())
        } else {
            Err(format!(
                "security; file '{}' is not in or below '{}'",
                real.display(),
                root.display()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_resolves_dots_lexically() {
        assert_eq!(clean(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(
            clean(Path::new("../base/x.yaml")),
            PathBuf::from("../base/x.yaml")
        );
        assert_eq!(clean(Path::new("a/../../b")), PathBuf::from("../b"));
    }

    #[test]
    fn remote_references_are_recognised() {
        assert!(is_remote("https://github.com/org/repo//base?ref=v1"));
        assert!(is_remote("github.com/org/repo/base"));
        assert!(is_remote("git@github.com:org/repo.git"));
        assert!(!is_remote("../base"));
    }

    #[test]
    fn root_only_rejects_escaping_files() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("root")).unwrap();
        std::fs::write(tmp.path().join("outside.txt"), "x").unwrap();
        std::fs::write(tmp.path().join("root/inside.txt"), "y").unwrap();
        let l = Loader::new(&tmp.path().join("root"), LoadRestrictor::RootOnly);
        assert_eq!(l.read_string("inside.txt").unwrap(), "y");
        assert!(
            l.read_string("../outside.txt")
                .unwrap_err()
                .contains("is not in or below")
        );
        let free = Loader::new(&tmp.path().join("root"), LoadRestrictor::None);
        assert_eq!(free.read_string("../outside.txt").unwrap(), "x");
    }
}
