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
/// `mtime`, like Go's `archive/tar` writes Helm's headers; names USTAR
/// cannot hold get a PAX `path` record, as Go does. The gzip header has
/// mtime 0, OS byte 255 and Helm's comment `Helm`. Duplicates are refused.
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
        if needs_pax(&e.name) {
            // Go's tar.Writer switches to PAX for names USTAR cannot hold:
            // an `x` entry at `<dir>/PaxHeaders.0/<file>` (cut to 100 bytes)
            // carrying a `path` record, then the header with the name cut.
            let record = pax_record("path", &e.name);
            let (dir, file) = match e.name.rsplit_once('/') {
                Some((d, f)) => (format!("{d}/"), f),
                None => (String::new(), e.name.as_str()),
            };
            let pax_name = ascii_prefix(&format!("{dir}PaxHeaders.0/{file}"), 100);
            tar.extend_from_slice(&raw_header(
                &pax_name,
                "",
                record.len() as u64,
                mtime,
                b'x',
            )?);
            tar.extend_from_slice(record.as_bytes());
            tar.extend(std::iter::repeat_n(
                0u8,
                (BLOCK - record.len() % BLOCK) % BLOCK,
            ));
            let short = ascii_prefix(&e.name, 100);
            tar.extend_from_slice(&raw_header(&short, "", e.data.len() as u64, mtime, b'0')?);
        } else {
            tar.extend_from_slice(&header(&e.name, e.data.len() as u64, mtime)?);
        }
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

/// Whether a name needs a PAX `path` record (non-ASCII, or too long for
/// USTAR's name and prefix fields).
fn needs_pax(name: &str) -> bool {
    !name.is_ascii() || split_ustar(name).is_none()
}

/// The longest prefix of `text`'s ASCII characters of at most `max` bytes
/// (Go's `toASCII` then truncation).
fn ascii_prefix(text: &str, max: usize) -> String {
    text.chars().filter(char::is_ascii).take(max).collect()
}

/// One PAX record, `"<len> <key>=<value>\n"`, where `<len>` counts the
/// whole record including its own digits.
fn pax_record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    loop {
        let total = body.len() + len.to_string().len();
        if total == len {
            return format!("{len}{body}");
        }
        len = total;
    }
}

fn header(name: &str, size: u64, mtime: u64) -> Result<[u8; BLOCK], ArchiveError> {
    let (prefix, short) = split_ustar(name).ok_or_else(|| ArchiveError::Unwritable {
        name: name.to_string(),
        message: "name too long for a USTAR header".to_string(),
    })?;
    raw_header(short, prefix, size, mtime, b'0')
}

/// A USTAR header block with Go's field formatting.
fn raw_header(
    short: &str,
    prefix: &str,
    size: u64,
    mtime: u64,
    kind: u8,
) -> Result<[u8; BLOCK], ArchiveError> {
    let refuse = |message: &str| ArchiveError::Unwritable {
        name: format!("{prefix}/{short}"),
        message: message.to_string(),
    };
    if short.len() > 100
        || prefix.len() > 155
        || short.bytes().chain(prefix.bytes()).any(|b| b == 0)
    {
        return Err(refuse("name does not fit a USTAR header"));
    }
    let mut h = [0u8; BLOCK];
    h[..short.len()].copy_from_slice(short.as_bytes());
    let too_big = |_| refuse("size or mtime too large for a USTAR header");
    // Go writes its PAX `x` headers with mode 0, mtime 0 and no device
    // numbers; regular entries get Helm's 0644 and `0000000` devices.
    let is_pax = kind == b'x';
    octal(&mut h[100..108], if is_pax { 0 } else { 0o644 }).map_err(too_big)?;
    octal(&mut h[108..116], 0).map_err(too_big)?;
    octal(&mut h[116..124], 0).map_err(too_big)?;
    octal(&mut h[124..136], size).map_err(too_big)?;
    octal(&mut h[136..148], mtime).map_err(too_big)?;
    h[156] = kind;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    if !is_pax {
        octal(&mut h[329..337], 0).map_err(too_big)?;
        octal(&mut h[337..345], 0).map_err(too_big)?;
    }
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
