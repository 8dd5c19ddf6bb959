//! A content-addressed cache: files are named by the sha256 of their bytes,
//! written only after the digest is checked, and checked again when read
//! (a cache someone else can write to must not poison later runs — the
//! failure helm/helm#7623 shows).

use std::path::{Path, PathBuf};

use super::{RegistryError, sha256_hex};

/// The cache folder (`<cache home>/content`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentCache {
    root: PathBuf,
}

impl ContentCache {
    /// A cache rooted at `root` (created on first write).
    pub fn new(root: PathBuf) -> ContentCache {
        ContentCache { root }
    }

    /// Where the bytes with this digest live: `sha256/ab/abcdef…`.
    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = super::is_sha256_hex(sha256);
        valid.then(|| {
            let lower = sha256.to_ascii_lowercase();
            self.root.join("sha256").join(&lower[..2]).join(lower)
        })
    }

    /// The cached bytes for `sha256`, if present and still intact. A
    /// corrupted entry is removed and reported as absent.
    pub fn get(&self, sha256: &str) -> Option<Vec<u8>> {
        let path = self.path_of(sha256)?;
        let bytes = std::fs::read(&path).ok()?;
        if sha256_hex(&bytes).eq_ignore_ascii_case(sha256) {
            Some(bytes)
        } else {
            let _ = std::fs::remove_file(&path);
            None
        }
    }

    /// Stores `bytes` under their own digest (atomically: temp file, then
    /// rename) and returns the digest.
    pub fn put(&self, bytes: &[u8]) -> Result<String, RegistryError> {
        let digest = sha256_hex(bytes);
        let Some(path) = self.path_of(&digest) else {
            return Err(RegistryError::Invalid("bad digest".into()));
        };
        if path.exists() {
            return Ok(digest);
        }
        write_atomic(&path, bytes)?;
        Ok(digest)
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so
/// readers see either nothing or the whole file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RegistryError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| RegistryError::file(dir, &e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| RegistryError::file(dir, &e))?;
    tmp.write_all(bytes)
        .map_err(|e| RegistryError::file(path, &e))?;
    tmp.persist(path)
        .map_err(|e| RegistryError::file(path, &e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_then_get_and_corruption_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ContentCache::new(dir.path().join("content"));
        let digest = cache.put(b"chart bytes").unwrap();
        assert_eq!(cache.get(&digest).as_deref(), Some(&b"chart bytes"[..]));
        let path = cache.path_of(&digest).unwrap();
        std::fs::write(&path, b"other bytes").unwrap();
        assert_eq!(cache.get(&digest), None);
        assert!(!path.exists(), "a corrupted entry is removed");
        assert_eq!(cache.get("../../etc/passwd"), None);
    }
}
