//! The bounded, safe `.tgz` reader.

use super::{ArchiveError, Entry};
use std::collections::HashSet;
use std::io::Read;

/// How much an archive may expand to. The defaults are Helm's
/// (`MaxDecompressedChartSize` 100 MiB, `MaxDecompressedFileSize` 5 MiB)
/// plus a file-count cap Helm lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Total decompressed bytes (tar headers and padding included).
    pub max_total: u64,
    /// Largest single file.
    pub max_file: u64,
    /// Most regular files.
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_total: crate::chart::MAX_ARCHIVE_SIZE,
            max_file: crate::chart::MAX_FILE_SIZE,
            max_files: 20_000,
        }
    }
}

/// Counts decompressed bytes and fails once more than `left` are read, so
/// the gzip stream itself (not only what tar headers claim) is bounded.
struct Bounded<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(BOMB));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

const BOMB: &str = "decompressed archive exceeds the size limit";

fn refuse(message: impl Into<String>) -> ArchiveError {
    ArchiveError::Refused {
        file: "<archive>".to_string(),
        message: message.into(),
    }
}

/// Reads a gzipped tar archive into memory, refusing anything unsafe.
///
/// Directory entries and PAX global headers are skipped (PAX and GNU long
/// names are applied by the tar reader). Refused: symbolic and hard links,
/// devices and FIFOs, absolute paths (`/x`, `C:/x`, `\x`), any `..` path
/// component, a top directory named `.`/`..` or a file at the top level,
/// duplicate names (after cleaning `./` and `//`), and input beyond
/// `limits`. Names are returned cleaned and `/`-separated.
pub fn read_tgz(bytes: &[u8], limits: &Limits) -> Result<Vec<Entry>, ArchiveError> {
    if !bytes.starts_with(b"\x1f\x8b") {
        return Err(refuse("not a gzipped archive"));
    }
    // Go's gzip reader, which Helm uses, reads concatenated members too.
    let gz = flate2::read::MultiGzDecoder::new(bytes);
    // Headers and padding take space too; allow them on top of the data.
    let slack = (limits.max_files as u64 + 2).saturating_mul(1024);
    let bounded = Bounded {
        inner: gz,
        left: limits.max_total.saturating_add(slack),
    };
    let mut archive = tar::Archive::new(bounded);
    let io = |e: std::io::Error| {
        if e.to_string().contains(BOMB) {
            refuse(BOMB)
        } else {
            refuse(format!("corrupt archive: {e}"))
        }
    };
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    let mut total = 0u64;
    for entry in archive.entries().map_err(io)? {
        let mut entry = entry.map_err(io)?;
        let kind = entry.header().entry_type();
        let raw = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| refuse("entry name is not valid UTF-8"))?;
        if kind.is_pax_global_extensions() {
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(refuse(format!("link entry {raw:?} refused")));
        }
        let name = clean_entry_name(&raw)?;
        if kind.is_dir() {
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            return Err(refuse(format!("irregular entry {raw:?} refused")));
        }
        if !name.contains('/') {
            return Err(refuse(format!(
                "entry {raw:?} is outside the chart directory"
            )));
        }
        if !seen.insert(name.clone()) {
            return Err(refuse(format!("duplicate entry {name:?}")));
        }
        if files.len() >= limits.max_files {
            return Err(refuse(format!(
                "archive has more than {} files",
                limits.max_files
            )));
        }
        let size = entry.header().size().map_err(io)?;
        if size > limits.max_file {
            return Err(refuse(format!(
                "file {name:?} is larger than the maximum file size {}",
                limits.max_file
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_total {
            return Err(refuse(format!(
                "decompressed archive is larger than the maximum size {}",
                limits.max_total
            )));
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&mut entry).take(size).read_to_end(&mut data).map_err(io)?;
        if (data.len() as u64) < size {
            return Err(refuse(format!("file {name:?} is truncated")));
        }
        files.push(Entry { name, data });
    }
    if files.is_empty() {
        return Err(refuse("no files in chart archive"));
    }
    Ok(files)
}

/// Cleans an entry name and checks it stays inside its top directory.
fn clean_entry_name(raw: &str) -> Result<String, ArchiveError> {
    // Archives made on Windows may use `\` (Helm accepts them).
    let unified = raw.replace('\\', "/");
    let b = unified.as_bytes();
    if unified.starts_with('/') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':') {
        return Err(refuse(format!("absolute path {raw:?} refused")));
    }
    let parts: Vec<&str> = unified
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(refuse(format!(
            "entry {raw:?} refers to a parent directory"
        )));
    }
    if let Some("." | ".." | "") = unified.split('/').next() {
        return Err(refuse(format!(
            "entry {raw:?}: chart directory name must not be empty, '.' or '..'"
        )));
    }
    if parts.is_empty() {
        return Err(refuse(format!("empty entry name {raw:?}")));
    }
    Ok(parts.join("/"))
}

/// Drops the top directory (the chart name) from every entry, checking
/// they all share it; returns the name and the chart-relative files.
pub fn strip_chart_dir(entries: Vec<Entry>) -> Result<(String, Vec<Entry>), ArchiveError> {
    let mut top: Option<String> = None;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let Some((dir, rest)) = e.name.split_once('/') else {
            return Err(refuse(format!(
                "entry {:?} is outside the chart directory",
                e.name
            )));
        };
        match &top {
            None => top = Some(dir.to_string()),
            Some(t) if t != dir => {
                return Err(refuse(format!(
                    "entries under both {t:?} and {dir:?}: one chart per archive"
                )));
            }
            Some(_) => {}
        }
        out.push(Entry::new(rest, e.data));
    }
    let top = top.ok_or_else(|| refuse("no files in chart archive"))?;
    if matches!(top.as_str(), "." | "..") {
        return Err(refuse(format!("chart directory named {top:?} refused")));
    }
    Ok((top, out))
}
