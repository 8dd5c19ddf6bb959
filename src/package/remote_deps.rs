//! Dependencies from HTTP chart repositories and OCI registries for `skiff
//! dep update|build`: which repository a `repository:` field means (helm's
//! `resolveRepoNames` and `ensureMissingRepos`), version resolution against
//! its index or tag list (helm's `internal/resolver`), and verified
//! downloads.
//!
//! An `oci://host/path` repository holds the chart at `host/path/<name>`;
//! the version is resolved over that repository's tags as `helm dep update`
//! does (`_` read as `+`, strict SemVer only, newest matching tag), through
//! the same OCI arm as `skiff pull`, so the layer digest is checked and the
//! archive lands in the content cache.
//!
//! Differences from helm, on purpose:
//! - Only the repositories the chart depends on are refreshed (helm
//!   refreshes every added repository); `--skip-refresh` uses the cache.
//! - A repository URL that was never added is read directly, its index kept
//!   in memory only (helm caches it as `helm-manager-<hash>`), in `dep
//!   build` too (helm's build refuses it).
//! - Every archive is checked against the index `digest`, and in `dep
//!   build` against the lock's `contentDigest`, before it reaches `charts/`.

use std::collections::HashMap;

use super::PackageError;
use crate::archive::sanitize;
use crate::registry::RegistryError;
use crate::registry::http::{ClientOptions, HttpClient};
use crate::registry::paths::Homes;
use crate::registry::pull::{self, PullOptions};
use crate::registry::reference::ChartRef;
use crate::registry::repo::{self, RepoEntry, RepoFile};
use crate::registry::repo_index::{RepoIndex, compare_versions, parse_version};
use crate::version_range::Constraint;

/// How remote dependencies are fetched.
#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    /// Configuration and cache folders (`None`: remote dependencies are an
    /// error, e.g. when no home folder is known).
    pub homes: Option<Homes>,
    /// Use the cached indexes of added repositories instead of downloading
    /// them again (`--skip-refresh`).
    pub skip_refresh: bool,
    /// TLS and transport options for repositories that set none.
    pub client: ClientOptions,
    /// `--plain-http`: talk HTTP to OCI registries (helm's `dep update
    /// --plain-http`; without it helm, and skiff, use HTTPS).
    pub plain_http: bool,
    /// `--username`/`--password` for OCI registries (else the stored
    /// credentials of `registry login`).
    pub username: Option<String>,
    /// See `username`.
    pub password: Option<String>,
}

impl RemoteOptions {
    /// Options from the environment (`SKIFF_CONFIG_HOME`, …), refreshing
    /// indexes.
    pub fn from_env() -> RemoteOptions {
        RemoteOptions {
            homes: Homes::from_env().ok(),
            ..RemoteOptions::default()
        }
    }
}

/// Whether `repository` names an HTTP chart repository: a URL, `@name` or
/// `alias:name`.
pub fn is_http_repository(repository: &str) -> bool {
    repository.starts_with("http://")
        || repository.starts_with("https://")
        || repository.starts_with('@')
        || repository.starts_with("alias:")
}

/// Whether `repository` is an OCI registry location (`oci://host/path`).
pub fn is_oci_repository(repository: &str) -> bool {
    repository.starts_with("oci://")
}

/// helm's `urlutil.Equal` for repository URLs: a trailing slash does not
/// matter.
fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// An archive fetched for `charts/`.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The version chosen (the index's text).
    pub version: String,
    /// The file name in `charts/` (the URL's basename, as helm names it).
    pub file_name: String,
    /// The verified archive.
    pub bytes: Vec<u8>,
}

/// The repositories of one `dep` run: the repositories file, and each
/// index read at most once.
pub struct Repos<'a> {
    options: &'a RemoteOptions,
    chart_yaml: String,
    file: Option<RepoFile>,
    indexes: HashMap<String, RepoIndex>,
}

impl<'a> Repos<'a> {
    /// A run for the chart whose `Chart.yaml` is `chart_yaml` (named in
    /// errors).
    pub fn new(options: &'a RemoteOptions, chart_yaml: &str) -> Repos<'a> {
        Repos {
            options,
            chart_yaml: chart_yaml.to_string(),
            file: None,
            indexes: HashMap::new(),
        }
    }

    fn error(&self, message: impl Into<String>) -> PackageError {
        PackageError::invalid(&self.chart_yaml, sanitize(&message.into()))
    }

    fn registry(&self, e: RegistryError) -> PackageError {
        self.error(e.to_string())
    }

    fn homes(&self) -> Result<&'a Homes, PackageError> {
        self.options.homes.as_ref().ok_or_else(|| {
            self.error(
                "cannot find the configuration folder: set HOME, or SKIFF_CONFIG_HOME and SKIFF_CACHE_HOME",
            )
        })
    }

    fn repo_file(&mut self) -> Result<&RepoFile, PackageError> {
        if self.file.is_none() {
            let homes = self.homes()?;
            let file = RepoFile::load(&homes.repositories_file()).map_err(|e| self.registry(e))?;
            self.file = Some(file);
        }
        Ok(self.file.get_or_insert_with(RepoFile::default))
    }

    /// helm's `resolveRepoNames`: the repository entry `repository` means,
    /// and the repository text helm hashes and locks (`@name`/`alias:name`
    /// become the repository's URL; a URL stays as written). A URL that was
    /// never added becomes an unnamed entry.
    pub fn entry_for(&mut self, repository: &str) -> Result<(RepoEntry, String), PackageError> {
        let alias = repository
            .strip_prefix('@')
            .or_else(|| repository.strip_prefix("alias:"));
        let file = self.repo_file()?.clone();
        if let Some(name) = alias {
            return match file.get(name) {
                Some(e) => Ok((e.clone(), e.url.clone())),
                None => Err(self.error(format!(
                    "no repository definition for {repository}. Please add them via 'skiff repo add'"
                ))),
            };
        }
        if let Some(e) = file
            .repositories
            .iter()
            .find(|e| same_url(&e.url, repository))
        {
            return Ok((e.clone(), repository.to_string()));
        }
        Ok((
            RepoEntry {
                url: repository.to_string(),
                ..RepoEntry::default()
            },
            repository.to_string(),
        ))
    }

    /// The index of `entry`: downloaded once per run (and cached, for an
    /// added repository), or read from the cache with `--skip-refresh`.
    pub fn index(&mut self, entry: &RepoEntry) -> Result<&RepoIndex, PackageError> {
        let key = entry.url.trim_end_matches('/').to_string();
        if !self.indexes.contains_key(&key) {
            let homes = self.homes()?;
            let index = if self.options.skip_refresh && !entry.name.is_empty() {
                repo::load_index(homes, &entry.name).map_err(|e| self.registry(e))?
            } else {
                let client = HttpClient::new(&entry.client_options(&self.options.client))
                    .map_err(|e| self.registry(e))?;
                let (raw, parsed) =
                    repo::download_index(&client, entry).map_err(|e| self.registry(e))?;
                for w in &parsed.warnings {
                    eprintln!("warning: {w}");
                }
                if !entry.name.is_empty() {
                    repo::store_index(homes, &entry.name, &raw, &parsed.index)
                        .map_err(|e| self.registry(e))?;
                }
                parsed.index
            };
            self.indexes.insert(key.clone(), index);
        }
        self.indexes
            .get(&key)
            .ok_or_else(|| self.error("index vanished"))
    }

    /// helm's resolver: the newest version of `name` in the index that
    /// satisfies `constraint` and has a URL.
    pub fn resolve(
        &mut self,
        entry: &RepoEntry,
        repository: &str,
        name: &str,
        constraint: &str,
    ) -> Result<String, PackageError> {
        let parsed = Constraint::parse(if constraint.trim().is_empty() {
            "*"
        } else {
            constraint
        })
        .map_err(|e| {
            self.error(format!(
                "dependency {name:?} has an invalid version/constraint format: {e}"
            ))
        })?;
        let index = self.index(entry)?;
        let Some(versions) = index.entries.get(name) else {
            return Err(self.error(format!("{name} chart not found in repo {repository}")));
        };
        let found = versions.iter().find(|v| {
            !v.urls.is_empty() && parse_version(&v.version).is_some_and(|x| parsed.matches(&x))
        });
        match found {
            Some(v) => Ok(v.version.clone()),
            None => Err(self.error(format!(
                "can't get a valid version for 1 subchart(s): {name:?} (repository {repository:?}, version {constraint:?}). Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml"
            ))),
        }
    }

    /// Downloads `name` at exactly `version` (helm's `findVersionedEntry`:
    /// the same text, else the same semantic version), verified against
    /// the index digest and, when given, the lock's content digest.
    pub fn download(
        &mut self,
        entry: &RepoEntry,
        name: &str,
        version: &str,
        content_digest: Option<&str>,
    ) -> Result<Fetched, PackageError> {
        let homes = self.homes()?;
        let base = entry.base_url().map_err(|e| self.registry(e))?;
        let index = self.index(entry)?.clone();
        let exact = index.entries.get(name).and_then(|vs| {
            vs.iter()
                .filter(|v| !v.urls.is_empty())
                .find(|v| v.version == version)
                .or_else(|| {
                    let want = parse_version(version)?;
                    vs.iter().filter(|v| !v.urls.is_empty()).find(|v| {
                        parse_version(&v.version)
                            .is_some_and(|x| compare_versions(&x, &want).is_eq())
                    })
                })
        });
        let Some(exact) = exact else {
            return Err(self.error(format!(
                "chart {name} not found in {}: no matching version {version}",
                entry
                    .base_url()
                    .map(|u| crate::registry::redact_url(&u))
                    .unwrap_or_default()
            )));
        };
        let located = repo::locate(&index, &entry.name, &base, name, &exact.version)
            .map_err(|e| self.registry(e))?;
        let client = HttpClient::new(&entry.client_options(&self.options.client))
            .map_err(|e| self.registry(e))?;
        let auth = entry.auth();
        let bytes = repo::download_chart(
            &client,
            homes,
            &located,
            repo::auth_for(
                auth.as_ref(),
                &base,
                &located.url,
                entry.pass_credentials_all,
            ),
            content_digest,
        )
        .map_err(|e| self.registry(e))?;
        let file_name = repo::file_name_of(&located.url).map_err(|e| self.registry(e))?;
        Ok(Fetched {
            version: located.version,
            file_name,
            bytes,
        })
    }

    /// Downloads `name` from the OCI repository `repository`
    /// (`oci://host/path`, the chart at `host/path/<name>`). `version` is a
    /// constraint resolved over the tag list (`None` or empty: the newest
    /// stable tag), or in `dep build` the locked version, used as the tag
    /// directly; `content_digest` (the lock's) must then match the layer.
    /// A trailing `/` on the repository is ignored (helm v4.1.4 joins it
    /// into `path//name` and fails with "invalid repository").
    pub fn download_oci(
        &self,
        repository: &str,
        name: &str,
        version: Option<&str>,
        content_digest: Option<&str>,
    ) -> Result<Fetched, PackageError> {
        let homes = self.homes()?;
        let location = format!("{}/{name}", repository.trim_end_matches('/'));
        let reference = match ChartRef::parse(&location) {
            Ok(
                r @ ChartRef::Oci {
                    tag: None,
                    digest: None,
                    ..
                },
            ) => r,
            _ => {
                return Err(self.error(format!(
                    "dependency {name:?}: {repository} is not an OCI repository location (oci://host/path, without a tag)"
                )));
            }
        };
        let options = PullOptions {
            version: version.filter(|v| !v.trim().is_empty()).map(str::to_string),
            username: self.options.username.clone(),
            password: self.options.password.clone(),
            plain_http: self.options.plain_http,
            client: self.options.client.clone(),
            expected_digest: content_digest.map(str::to_string),
            ..PullOptions::default()
        };
        let pulled = pull::fetch(&reference, &options, homes)
            .map_err(|e| self.error(format!("dependency {name:?}: {e}")))?;
        // helm checks that the chart it was given is the one it asked for;
        // a repository whose artifact carries another chart is an error.
        if pulled.name != name {
            return Err(self.error(format!(
                "dependency {name:?}: {location} holds chart {:?}",
                pulled.name
            )));
        }
        Ok(Fetched {
            version: pulled.version,
            file_name: pulled.file_name,
            bytes: pulled.bytes,
        })
    }
}
