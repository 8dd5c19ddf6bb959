//! `skiff pull`: resolve a [`ChartRef`] to one chart archive, download it
//! with its digest checked, and save it (as the `.tgz`, or unpacked with
//! the bounded reader).
//!
//! Each source kind resolves in its own module; this one only dispatches
//! and saves, so the safety rules of saving are written once.

use std::path::{Path, PathBuf};

use super::RegistryError;
use super::artifacthub::HubClient;
use super::artifacthub::resolve::resolve;
use super::http::{ClientOptions, HttpClient};
use super::paths::Homes;
use super::reference::ChartRef;

/// What the user asked for, beyond the reference.
#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    /// `--version`: an exact version or a Masterminds constraint.
    pub version: Option<String>,
    /// `--devel`: allow prereleases (helm rewrites it to `>0.0.0-0`).
    pub devel: bool,
    /// Credentials given on the command line (`--username/--password`).
    pub username: Option<String>,
    /// See `username`.
    pub password: Option<String>,
    /// `--plain-http`: talk HTTP, not HTTPS, to an OCI registry.
    pub plain_http: bool,
    /// TLS and transport options.
    pub client: ClientOptions,
    /// The sha256 the archive must have, when a resolver upstream (e.g.
    /// ArtifactHub's `digest`) already knows it; checked in addition to any
    /// digest the index or manifest names.
    pub expected_digest: Option<String>,
    /// The ArtifactHub API that resolves `artifacthub:` references
    /// (`None`: <https://artifacthub.io>).
    pub artifacthub_endpoint: Option<String>,
}

/// A downloaded, verified chart archive.
#[derive(Debug, Clone)]
pub struct Pulled {
    /// The chart name.
    pub name: String,
    /// The chart version.
    pub version: String,
    /// The file name to save it under (helm uses the URL's basename for
    /// HTTP repositories, `name-version.tgz` for OCI).
    pub file_name: String,
    /// The archive bytes, already checked against `digest`.
    pub bytes: Vec<u8>,
    /// `sha256:<hex>` of `bytes`.
    pub digest: String,
    /// Lines to print on success (helm prints `Pulled:`/`Digest:` for OCI).
    pub notes: Vec<String>,
}

/// Resolves and downloads `reference`.
pub fn fetch(
    reference: &ChartRef,
    options: &PullOptions,
    homes: &Homes,
) -> Result<Pulled, RegistryError> {
    let client = HttpClient::new(&options.client)?;
    let _ = (&client, homes);
    match reference {
        ChartRef::Repo { .. } | ChartRef::Url(_) => Err(RegistryError::Invalid(
            "pulling from HTTP chart repositories is not built yet".into(),
        )),
        ChartRef::Oci { .. } => Err(RegistryError::Invalid(
            "pulling from OCI registries is not built yet".into(),
        )),
        ChartRef::ArtifactHub { repo, package } => {
            let hub =
                HubClient::with_http(client.clone(), options.artifacthub_endpoint.as_deref())?
                    .with_cache(super::artifacthub::cache_dir(homes));
            let resolved = resolve(
                &hub,
                repo,
                package,
                options.version.as_deref(),
                options.devel,
            )?;
            let source = &resolved.source;
            // Both digests must hold: one the user's caller knew, one the
            // hub recorded from the repository index.
            if let (Some(wanted), Some(listed)) =
                (&options.expected_digest, &source.expected_digest)
                && !wanted
                    .trim_start_matches("sha256:")
                    .eq_ignore_ascii_case(listed)
            {
                return Err(RegistryError::Invalid(format!(
                    "ArtifactHub lists digest sha256:{listed} for {repo}/{package} {}, not the expected {wanted}",
                    resolved.package.version
                )));
            }
            let next = PullOptions {
                version: source.version.clone(),
                devel: false,
                expected_digest: source
                    .expected_digest
                    .clone()
                    .or_else(|| options.expected_digest.clone()),
                artifacthub_endpoint: None,
                ..options.clone()
            };
            match &source.reference {
                // ArtifactHub gives an absolute archive URL and the index
                // digest; download it here, checked, so the hub path does
                // not depend on how the plain-URL arm treats digests.
                ChartRef::Url(url) => download_hub_archive(&client, url, &resolved.package, &next),
                other => fetch(other, &next, homes),
            }
        }
    }
}

/// Downloads the archive of an ArtifactHub package from its (absolute)
/// `content_url`, checking the digest when one is known: the bytes are
/// returned only if they match, so nothing unverified is ever saved.
fn download_hub_archive(
    client: &HttpClient,
    url: &url::Url,
    package: &super::artifacthub::Package,
    options: &PullOptions,
) -> Result<Pulled, RegistryError> {
    const ACCEPT: &str = "application/gzip, application/x-gzip, application/octet-stream, */*";
    const LIMIT: u64 = 256 * 1024 * 1024;
    let label = format!("{} {}", package.name, package.version);
    let bytes = match &options.expected_digest {
        Some(digest) => client.download_verified(url, ACCEPT, None, digest, LIMIT, &label)?,
        None => {
            eprintln!(
                "warning: ArtifactHub lists no digest for {} {}; the download cannot be verified",
                crate::archive::sanitize(&package.name),
                crate::archive::sanitize(&package.version)
            );
            client.fetch(url, ACCEPT, None, LIMIT)?
        }
    };
    // helm saves an HTTP chart under the URL's last path segment.
    let file_name = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|n| !n.is_empty())
        .and_then(percent_decode)
        .unwrap_or_else(|| format!("{}-{}.tgz", package.name, package.version));
    Ok(Pulled {
        name: package.name.clone(),
        version: package.version.clone(),
        file_name,
        digest: format!("sha256:{}", super::sha256_hex(&bytes)),
        bytes,
        notes: Vec::new(),
    })
}

/// A URL path segment with `%XX` escapes decoded, if it is UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = segment.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Saves `pulled` into `dest`: the archive as `file_name`, or with `untar`
/// the chart folder `dest/<name>/` (through the bounded archive reader, so a
/// hostile archive cannot write outside it). Returns what was written.
pub fn save(pulled: &Pulled, dest: &Path, untar: bool) -> Result<PathBuf, RegistryError> {
    let as_file = |e: crate::archive::ArchiveError| RegistryError::File {
        path: dest.join(&pulled.file_name).display().to_string(),
        message: e.to_string(),
    };
    if !untar {
        let file_name = Path::new(&pulled.file_name)
            .file_name()
            .filter(|n| *n == std::ffi::OsStr::new(&pulled.file_name))
            .ok_or_else(|| {
                RegistryError::Invalid(format!(
                    "refusing to save under {:?}",
                    crate::archive::sanitize(&pulled.file_name)
                ))
            })?;
        let path = dest.join(file_name);
        super::cache::write_atomic(&path, &pulled.bytes)?;
        return Ok(path);
    }
    let entries = crate::archive::read_tgz(&pulled.bytes, &crate::archive::Limits::default())
        .map_err(as_file)?;
    let (name, entries) = crate::archive::strip_chart_dir(entries).map_err(as_file)?;
    let target = dest.join(&name);
    if target.exists() {
        return Err(RegistryError::File {
            path: target.display().to_string(),
            message: "already exists; remove it or pull without --untar".into(),
        });
    }
    // Unpack next to the target, then rename, so a failure leaves nothing.
    std::fs::create_dir_all(dest).map_err(|e| RegistryError::file(dest, &e))?;
    let staging = tempfile::Builder::new()
        .prefix(".skiff-untar-")
        .tempdir_in(dest)
        .map_err(|e| RegistryError::file(dest, &e))?;
    for entry in &entries {
        let path = staging.path().join(&entry.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| RegistryError::file(parent, &e))?;
        }
        std::fs::write(&path, &entry.data).map_err(|e| RegistryError::file(&path, &e))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, &target).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        RegistryError::file(&target, &e)
    })?;
    Ok(target)
}
