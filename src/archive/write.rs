//! The deterministic `.tgz` writer.

use super::{ArchiveError, Entry};
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

const BLOCK: usize = 512;

/// The modification time written into archives: `SOURCE_DATE_EPOCH` when
/// set (the reproducible-builds convention Helm adopted on `main` after
/// 4.1.4, helm/helm#32162), else 0.
pub fn mtime_from_env() -> Result<u64, ArchiveError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<u64>()
            .map_err(|_| ArchiveError::SourceDateEpoch(v)),
        _ => Ok(0),
    }
}

/// Writes `entries`, in the given order, as a gzipped USTAR archive.
///
/// Every header carries mode 0644, uid/gid 0, empty owner names and
/// `mtime`, like Go's `archive/tar` writes Helm's headers; the gzip header
/// has mtime 0, OS byte 255 and Helm's comment `Helm`. Names longer than
/// USTAR can hold, non-ASCII names and duplicates are refused.
pub fn write_tgz(entries: &[Entry], mtime: u64) -> Result<Vec<u8>, ArchiveError> {
    let mut tar = Vec::new();
    let mut seen = HashSet::new();
    for e in entries {
        if !seen.insert(e.name.as_str()) {
            return Err(ArchiveError::Unwritable {
                name: e.name.clone(),
                message: "duplicate entry".to_string(),
            });
        }
        tar.extend_from_slice(&header(&e.name, e.data.len() as u64, mtime)?);
        tar.extend_from_slice(&e.data);
        let pad = (BLOCK - e.data.len() % BLOCK) % BLOCK;
        tar.extend(std::iter::repeat_n(0u8, pad));
    }
    // Go's tar.Writer.Close: two zero blocks, no padding to a 10 KiB record.
    tar.extend(std::iter::repeat_n(0u8, 2 * BLOCK));

    let io = |e: std::io::Error| ArchiveError::Io {
        file: "<archive>".to_string(),
        message: e.to_string(),
    };
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .comment("Helm")
        // Go's gzip.DefaultCompression is level 6.
        .write(Vec::new(), flate2::Compression::new(6));
    gz.write_all(&tar).map_err(io)?;
    gz.finish().map_err(io)
}

/// Splits a long name into USTAR's prefix and name fields the way Go's
/// `splitUSTARPath` does: at the last `/` that leaves at most 155 bytes of
/// prefix and 1..=100 bytes of name.
fn split_ustar(name: &str) -> Option<(&str, &str)> {
    if name.len() <= 100 {
        return Some(("", name));
    }
    let limit = name.len().min(156);
    let i = name[..limit].rfind('/')?;
    let (prefix, rest) = (&name[..i], &name[i + 1..]);
    if i == 0 || rest.is_empty() || rest.len() > 100 || prefix.len() > 155 {
        return None;
    }
    Some((prefix, rest))
}

/// Go's `formatOctal`: zero-padded octal, NUL-terminated.
fn octal(field: &mut [u8], value: u64) -> Result<(), ()> {
    let digits = format!("{value:o}");
    let width = field.len() - 1;
    if digits.len() > width {
        return Err(());
    }
    let text = format!("{digits:0>width$}");
    field[..width].copy_from_slice(text.as_bytes());
    field[width] = 0;
    Ok(())
}

fn header(name: &str, size: u64, mtime: u64) -> Result<[u8; BLOCK], ArchiveError> {
    let refuse = |message: &str| ArchiveError::Unwritable {
        name: name.to_string(),
        message: message.to_string(),
    };
    if !name.is_ascii() || name.bytes().any(|b| b == 0) {
        return Err(refuse("only ASCII names are written (USTAR)"));
    }
    let (prefix, short) =
        split_ustar(name).ok_or_else(|| refuse("name too long for a USTAR header"))?;
    let mut h = [0u8; BLOCK];
    h[..short.len()].copy_from_slice(short.as_bytes());
    let too_big = |_| refuse("size or mtime too large for a USTAR header");
    octal(&mut h[100..108], 0o644).map_err(too_big)?;
    octal(&mut h[108..116], 0).map_err(too_big)?;
    octal(&mut h[116..124], 0).map_err(too_big)?;
    octal(&mut h[124..136], size).map_err(too_big)?;
    octal(&mut h[136..148], mtime).map_err(too_big)?;
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    octal(&mut h[329..337], 0).map_err(too_big)?;
    octal(&mut h[337..345], 0).map_err(too_big)?;
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    // The checksum is computed with its own field read as spaces, then
    // written as six octal digits, NUL, space (Go's `computeChecksum`).
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    octal(&mut h[148..155], sum).map_err(too_big)?;
    h[155] = b' ';
    Ok(h)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed, then renamed over the target, so a reader never
/// sees half an archive and a failure leaves no partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ArchiveError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| ArchiveError::Io {
        file: shown.clone(),
        message: e.to_string(),
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    set_mode_644(tmp.path()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// tempfile creates files 0600; archives and indexes are meant to be
/// served, so they get Helm's 0644.
#[cfg(unix)]
fn set_mode_644(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_mode_644(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
