//! `skiff pull`: resolve a [`ChartRef`] to one chart archive, download it
//! with its digest checked, and save it (as the `.tgz`, or unpacked with
//! the bounded reader).
//!
//! Each source kind resolves in its own module; this one only dispatches
//! and saves, so the safety rules of saving are written once.

use std::path::{Path, PathBuf};

use super::RegistryError;
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
    /// `--verify` / `--prov`: also fetch the chart's provenance file.
    pub provenance: bool,
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
    /// The `.prov`, when [`PullOptions::provenance`] asked for it.
    pub provenance: Option<super::prov::Provenance>,
}

/// Resolves and downloads `reference`.
pub fn fetch(
    reference: &ChartRef,
    options: &PullOptions,
    homes: &Homes,
) -> Result<Pulled, RegistryError> {
    // The repository arms build their client from the repository's own TLS
    // settings; only the OCI and ArtifactHub arms use the command-line ones.
    match reference {
        ChartRef::Repo { repo, chart } => super::repo::fetch_from_repo(homes, repo, chart, options),
        ChartRef::Url(url) => super::repo::fetch_url(homes, url, options),
        ChartRef::Oci {
            registry,
            repository,
            tag,
            digest,
        } => super::helm_oci::pull(
            &HttpClient::new(&options.client)?,
            registry,
            repository,
            tag.as_deref(),
            digest.as_deref(),
            options,
            homes,
        ),
        ChartRef::ArtifactHub { repo, package } => super::artifacthub::pull::fetch(
            &HttpClient::new(&options.client)?,
            repo,
            package,
            options,
            homes,
        ),
    }
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
