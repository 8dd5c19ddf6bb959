//! The bytes of a chart file, shared by every copy of the chart.
//!
//! Most are read while the chart loads. A large file the loader does not
//! parse itself (a CRD, a README, a data file) can instead be opened then
//! and read the first time someone asks for its bytes: a render of bitnami
//! kuberay, whose three CRDs weigh 3 MB, never looks at them unless
//! `--include-crds` or a template's `.Files` does, and reading them took
//! 3.5 ms of a 12 ms run. Opening the file while loading keeps the errors
//! Helm reports there (a missing or unreadable file); a read that still
//! fails later leaves the bytes empty and is reported by
//! [`Contents::read_error`], which a render checks before it prints or
//! writes anything.

use std::io::Read as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// At most this many files wait open to be read, so a chart with
/// thousands of large files (dashboards, say) cannot run the process out
/// of file descriptors; past it, files are read while loading.
const MAX_WAITING: usize = 256;

/// Files open and not read yet, in the whole process.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// A chart file's bytes, UTF-8 byte order mark removed.
#[derive(Clone)]
pub struct Contents(Inner);

#[derive(Clone)]
enum Inner {
    Read(Arc<[u8]>),
    Deferred(Arc<Deferred>),
}

struct Deferred {
    /// The file, open since the chart was loaded, until it is read.
    file: Mutex<Option<std::fs::File>>,
    /// Its size when it was listed (the read's first guess).
    len: usize,
    /// The file as messages name it.
    shown: String,
    bytes: OnceLock<Result<Arc<[u8]>, String>>,
}

impl Contents {
    /// Opens `path` (`len` bytes when listed) to read it on first use, or
    /// `None` when [`MAX_WAITING`] files wait already: read it now.
    pub(crate) fn defer(
        path: &std::path::Path,
        len: u64,
        shown: String,
    ) -> Option<std::io::Result<Contents>> {
        if WAITING.fetch_add(1, Ordering::Relaxed) >= MAX_WAITING {
            WAITING.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        Some(match std::fs::File::open(path) {
            Ok(file) => Ok(Contents::deferred(file, len, shown)),
            Err(e) => {
                WAITING.fetch_sub(1, Ordering::Relaxed);
                Err(e)
            }
        })
    }

    /// Contents read later from `file`, counted in [`WAITING`].
    fn deferred(file: std::fs::File, len: u64, shown: String) -> Contents {
        Contents(Inner::Deferred(Arc::new(Deferred {
            file: Mutex::new(Some(file)),
            len: usize::try_from(len).unwrap_or(0),
            shown,
            bytes: OnceLock::new(),
        })))
    }

    /// The bytes (read now when they were deferred; empty when that read
    /// failed, see [`Contents::read_error`]).
    pub fn get(&self) -> &Arc<[u8]> {
        static EMPTY: OnceLock<Arc<[u8]>> = OnceLock::new();
        match &self.0 {
            Inner::Read(bytes) => bytes,
            Inner::Deferred(d) => match d.bytes.get_or_init(|| d.read()) {
                Ok(bytes) => bytes,
                Err(_) => EMPTY.get_or_init(|| Arc::from(&[][..])),
            },
        }
    }

    /// The bytes when they are in memory already (never reads).
    pub fn if_read(&self) -> Option<&Arc<[u8]>> {
        match &self.0 {
            Inner::Read(bytes) => Some(bytes),
            Inner::Deferred(d) => d.bytes.get().and_then(|r| r.as_ref().ok()),
        }
    }

    /// The error of a deferred read that failed.
    pub fn read_error(&self) -> Option<super::ChartError> {
        match &self.0 {
            Inner::Read(_) => None,
            Inner::Deferred(d) => match d.bytes.get() {
                Some(Err(message)) => Some(super::ChartError::Io {
                    file: d.shown.clone(),
                    message: message.clone(),
                }),
                _ => None,
            },
        }
    }
}

impl Deferred {
    /// The open file, taken out (it is closed once dropped).
    fn take_file(&self) -> Option<std::fs::File> {
        let file = crate::parallel::lock(&self.file).take();
        if file.is_some() {
            WAITING.fetch_sub(1, Ordering::Relaxed);
        }
        file
    }

    fn read(&self) -> Result<Arc<[u8]>, String> {
        let Some(mut file) = self.take_file() else {
            return Err(format!("error reading {}: read twice", self.shown));
        };
        let mut data = Vec::with_capacity(self.len);
        file.read_to_end(&mut data)
            .map_err(|e| format!("error reading {}: {e}", self.shown))?;
        Ok(strip_bom(Arc::from(data)))
    }
}

/// Removes a leading UTF-8 byte order mark, as Helm does for every file
/// (a copy only when there is one).
pub(super) fn strip_bom(data: Arc<[u8]>) -> Arc<[u8]> {
    match data.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => Arc::from(rest),
        None => data,
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        self.take_file();
    }
}

impl From<Arc<[u8]>> for Contents {
    fn from(bytes: Arc<[u8]>) -> Contents {
        Contents(Inner::Read(bytes))
    }
}

impl From<Vec<u8>> for Contents {
    fn from(bytes: Vec<u8>) -> Contents {
        Contents(Inner::Read(Arc::from(bytes)))
    }
}

impl From<&[u8]> for Contents {
    fn from(bytes: &[u8]) -> Contents {
        Contents(Inner::Read(Arc::from(bytes)))
    }
}

impl Default for Contents {
    fn default() -> Contents {
        Contents::from(&[][..])
    }
}

impl AsRef<[u8]> for Contents {
    fn as_ref(&self) -> &[u8] {
        self.get()
    }
}

impl std::ops::Deref for Contents {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.get()
    }
}

impl PartialEq for Contents {
    fn eq(&self, other: &Contents) -> bool {
        self.get()[..] == other.get()[..]
    }
}

impl std::fmt::Debug for Contents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.get()[..], f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deferred(text: &[u8]) -> (tempfile::NamedTempFile, Contents) {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut tmp, text).unwrap();
        let c = Contents::defer(tmp.path(), text.len() as u64, "c/crds/x.yaml".into())
            .expect("under the limit in this test")
            .unwrap();
        (tmp, c)
    }

    #[test]
    fn deferred_bytes_are_read_once_on_first_use_and_shared_by_copies() {
        let (_tmp, c) = deferred(b"\xEF\xBB\xBFkind: CRD\n");
        let copy = c.clone();
        assert!(c.if_read().is_none(), "nothing read before use");
        assert_eq!(&copy[..], b"kind: CRD\n", "BOM stripped");
        let first = c.if_read().expect("read by the copy");
        assert!(Arc::ptr_eq(first, copy.get()));
        assert_eq!(c.read_error(), None);
    }

    #[test]
    fn a_failed_read_leaves_empty_bytes_and_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory opens but cannot be read.
        let c = Contents::defer(dir.path(), 0, "c/README.md".into())
            .expect("under the limit in this test")
            .unwrap();
        assert!(c.is_empty());
        let message = c.read_error().expect("the failure is kept").to_string();
        assert!(message.contains("error reading c/README.md: "), "{message}");
    }
}
