//! Chart archives (`.tgz`): a deterministic writer and a bounded, safe
//! reader.
//!
//! The writer produces what Helm's `pkg/chart/v2/util/save.go` produces
//! (Go `archive/tar` USTAR entries, mode 0644, uid/gid 0, no directory
//! entries, two zero blocks at the end) but with a fixed modification time
//! (0 or `SOURCE_DATE_EPOCH`) and a pinned gzip backend (flate2 on zlib-rs),
//! so the same tree always gives the same bytes; Helm 4.1.4 uses each
//! file's mtime, so a `touch` changes its archives.
//!
//! The reader refuses what a hostile archive could use against us: absolute
//! paths, `..`, links, duplicate entries, chart directories named `.`/`..`,
//! and more data, larger files or more files than [`Limits`] allow (the
//! decompressed stream itself is counted, so a gzip bomb stops early).

mod error;
mod read;
mod write;

pub use error::ArchiveError;
pub use read::{Limits, read_tgz, strip_chart_dir};
pub use write::{mtime_from_env, write_atomic, write_tgz};

/// One regular file of an archive: its full entry name (`demo/Chart.yaml`)
/// and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry name, `/`-separated, relative.
    pub name: String,
    /// The file contents.
    pub data: Vec<u8>,
}

impl Entry {
    /// A new entry.
    pub fn new(name: impl Into<String>, data: impl Into<Vec<u8>>) -> Entry {
        Entry {
            name: name.into(),
            data: data.into(),
        }
    }
}

/// Replaces control characters (terminal escapes, newlines, DEL, C1) with
/// visible `\u{..}` escapes so text from an archive or index cannot drive
/// the terminal when printed.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
