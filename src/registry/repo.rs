//! HTTP chart repositories: the repositories file, `repo add|update|
//! remove|list`, the cached indexes, and pulling a chart from a repository
//! or a plain chart URL.
//!
//! Behaviour follows helm v4.1.4 (`pkg/cmd/repo_*.go`, `pkg/repo/v1/
//! chartrepo.go`, `pkg/downloader/chart_downloader.go`) except where helm
//! is unsafe: an archive is checked against the index `digest` before it is
//! saved or cached (helm only uses the digest as a cache key, and so caches
//! wrong bytes under it: helm/helm#7623).

use std::path::{Path, PathBuf};

use url::Url;

use super::cache::write_atomic;
use super::http::{Auth, ClientOptions, HttpClient};
use super::paths::Homes;
use super::pull::{PullOptions, Pulled};
use super::repo_index::{self, LookupError, ParsedIndex, RepoIndex};
use super::{RegistryError, redact_url, sha256_hex};
use crate::archive::sanitize;
use crate::value::{Map, Value};

/// How large a chart archive may be (helm's `MaxDecompressedChartSize`
/// bounds what it expands to; the compressed file is smaller still).
pub const MAX_CHART_SIZE: u64 = crate::chart::MAX_ARCHIVE_SIZE;

/// One repository of the repositories file, with helm's fields.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RepoEntry {
    /// The local name (`lab` in `lab/demo`).
    pub name: String,
    /// The base URL, as given (a query is kept and sent with every request).
    pub url: String,
    /// Basic-auth user name.
    pub username: String,
    /// Basic-auth password, stored in plain text as helm stores it (the
    /// file is written with mode 0600).
    pub password: String,
    /// Client certificate (PEM) for mutual TLS.
    pub cert_file: String,
    /// The client certificate's key.
    pub key_file: String,
    /// Extra CA bundle.
    pub ca_file: String,
    /// Skip TLS verification.
    pub insecure_skip_tls_verify: bool,
    /// Send the credentials to every host, not only the repository's own.
    pub pass_credentials_all: bool,
}

impl std::fmt::Debug for RepoEntry {
    // The password never appears in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepoEntry")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("username", &self.username)
            .field(
                "password",
                &if self.password.is_empty() { "" } else { "***" },
            )
            .field("insecure_skip_tls_verify", &self.insecure_skip_tls_verify)
            .field("pass_credentials_all", &self.pass_credentials_all)
            .finish()
    }
}

impl RepoEntry {
    /// The parsed base URL.
    pub fn base_url(&self) -> Result<Url, RegistryError> {
        let url = Url::parse(&self.url).map_err(|e| {
            RegistryError::Invalid(format!(
                "invalid chart repository URL {:?}: {e}",
                sanitize(&self.url)
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(RegistryError::Invalid(format!(
                "could not find protocol handler for: {}",
                sanitize(url.scheme())
            )));
        }
        Ok(url)
    }

    /// The credentials, when both user name and password are set (helm
    /// sends none otherwise).
    pub fn auth(&self) -> Option<Auth> {
        (!self.username.is_empty() && !self.password.is_empty()).then(|| Auth::Basic {
            username: self.username.clone(),
            password: self.password.clone(),
        })
    }

    /// Client options: the repository's TLS files, overridden by any given
    /// on the command line.
    pub fn client_options(&self, cli: &ClientOptions) -> ClientOptions {
        let file = |s: &str| (!s.is_empty()).then(|| PathBuf::from(s));
        ClientOptions {
            ca_file: cli.ca_file.clone().or_else(|| file(&self.ca_file)),
            cert_file: cli.cert_file.clone().or_else(|| file(&self.cert_file)),
            key_file: cli.key_file.clone().or_else(|| file(&self.key_file)),
            insecure_skip_tls_verify: cli.insecure_skip_tls_verify || self.insecure_skip_tls_verify,
            ..cli.clone()
        }
    }

    fn to_value(&self) -> Value {
        // sigs.k8s.io/yaml writes the JSON field names in sorted order.
        let mut m = Map::default();
        let s = |v: &str| Value::from(v);
        m.insert("caFile".into(), s(&self.ca_file));
        m.insert("certFile".into(), s(&self.cert_file));
        m.insert(
            "insecure_skip_tls_verify".into(),
            Value::Bool(self.insecure_skip_tls_verify),
        );
        m.insert("keyFile".into(), s(&self.key_file));
        m.insert("name".into(), s(&self.name));
        m.insert(
            "pass_credentials_all".into(),
            Value::Bool(self.pass_credentials_all),
        );
        m.insert("password".into(), s(&self.password));
        m.insert("url".into(), s(&self.url));
        m.insert("username".into(), s(&self.username));
        Value::Map(m)
    }

    fn from_value(v: &Map) -> RepoEntry {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let b = |k: &str| matches!(v.get(k), Some(Value::Bool(true)));
        RepoEntry {
            name: s("name"),
            url: s("url"),
            username: s("username"),
            password: s("password"),
            cert_file: s("certFile"),
            key_file: s("keyFile"),
            ca_file: s("caFile"),
            insecure_skip_tls_verify: b("insecure_skip_tls_verify"),
            pass_credentials_all: b("pass_credentials_all"),
        }
    }
}

/// The repositories file (`repositories.yaml`, helm's `repo.File`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoFile {
    /// The repositories, in the order they were added.
    pub repositories: Vec<RepoEntry>,
}

impl RepoFile {
    /// Reads the file; a missing file is an empty list.
    pub fn load(path: &Path) -> Result<RepoFile, RegistryError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(RepoFile::default()),
            Err(e) => return Err(RegistryError::file(path, &e)),
        };
        let doc = crate::yaml::parse_document(&text).map_err(|e| RegistryError::Parse {
            origin: path.display().to_string(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        let repositories = match doc.as_map().and_then(|m| m.get("repositories")) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(Value::as_map)
                .map(RepoEntry::from_value)
                .filter(|e| !e.name.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        Ok(RepoFile { repositories })
    }

    /// Writes the file atomically with mode 0600 (it can hold passwords;
    /// helm uses the same mode).
    pub fn save(&self, path: &Path) -> Result<(), RegistryError> {
        let mut m = Map::default();
        m.insert("apiVersion".into(), Value::from(""));
        // helm's zero time: the field is required by its reader.
        m.insert("generated".into(), Value::from("0001-01-01T00:00:00Z"));
        m.insert(
            "repositories".into(),
            Value::Seq(self.repositories.iter().map(RepoEntry::to_value).collect()),
        );
        write_private(path, crate::yaml::to_yaml(&Value::Map(m)).as_bytes())
    }

    /// The repository named `name`.
    pub fn get(&self, name: &str) -> Option<&RepoEntry> {
        self.repositories.iter().find(|r| r.name == name)
    }

    /// Adds `entry`, replacing one of the same name.
    pub fn update(&mut self, entry: RepoEntry) {
        match self.repositories.iter_mut().find(|r| r.name == entry.name) {
            Some(existing) => *existing = entry,
            None => self.repositories.push(entry),
        }
    }
}

/// Writes `bytes` to `path` atomically, readable only by the owner.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), RegistryError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| RegistryError::file(dir, &e))?;
    // NamedTempFile is created 0600 on Unix; the rename keeps that mode.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| RegistryError::file(dir, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| RegistryError::file(path, &e))?;
    }
    tmp.write_all(bytes)
        .map_err(|e| RegistryError::file(path, &e))?;
    tmp.persist(path)
        .map_err(|e| RegistryError::file(path, &e.error))?;
    Ok(())
}

/// Checks a repository name: helm refuses `/`; since the name also names
/// cache files, skiff also refuses empty names, `.`/`..`, `\` and control
/// characters.
pub fn check_name(name: &str) -> Result<(), RegistryError> {
    if name.contains('/') {
        return Err(RegistryError::Invalid(format!(
            "repository name ({}) contains '/', please specify a different name without '/'",
            sanitize(name)
        )));
    }
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains('\\')
        || name.chars().any(char::is_control)
    {
        return Err(RegistryError::Invalid(format!(
            "invalid repository name {:?}",
            sanitize(name)
        )));
    }
    Ok(())
}

/// Helm's `ResolveReferenceURL`: an absolute `reference` is used as it is;
/// a relative one resolves against `base` with a trailing slash forced, and
/// the base's query replaces the result's (signed-URL repositories carry
/// their token there).
pub fn resolve_reference(base: &Url, reference: &str) -> Result<Url, RegistryError> {
    if let Ok(absolute) = Url::parse(reference) {
        return Ok(absolute);
    }
    let mut dir = base.clone();
    if !dir.path().ends_with('/') {
        let path = format!("{}/", dir.path());
        dir.set_path(&path);
    }
    let mut resolved = dir.join(reference).map_err(|e| {
        RegistryError::Invalid(format!(
            "failed to parse {:?} as URL: {e}",
            sanitize(reference)
        ))
    })?;
    resolved.set_query(base.query());
    Ok(resolved)
}

/// Credentials for a request to `target` on behalf of a repository at
/// `repo`: only to the repository's own scheme, host and port, unless the
/// repository passes them everywhere (helm's `passCredentialsAll`).
pub fn auth_for<'a>(
    auth: Option<&'a Auth>,
    repo: &Url,
    target: &Url,
    pass_all: bool,
) -> Option<&'a Auth> {
    auth.filter(|_| pass_all || repo.origin() == target.origin())
}

/// The cache files of repository `name`.
#[derive(Debug, Clone)]
pub struct IndexFiles {
    /// The index as downloaded (`NAME-index.yaml`, helm's name).
    pub raw: PathBuf,
    /// The chart names, one a line (`NAME-charts.txt`, as helm writes).
    pub charts: PathBuf,
    /// The compact form skiff reads (`NAME-index.skiff.json`).
    pub compact: PathBuf,
}

impl IndexFiles {
    /// The files for `name` under `homes`.
    pub fn new(homes: &Homes, name: &str) -> IndexFiles {
        let dir = homes.repository_cache();
        IndexFiles {
            raw: dir.join(format!("{name}-index.yaml")),
            charts: dir.join(format!("{name}-charts.txt")),
            compact: dir.join(format!("{name}-index.skiff.json")),
        }
    }
}

/// Downloads and parses the index of `entry` (not cached).
pub fn download_index(
    client: &HttpClient,
    entry: &RepoEntry,
) -> Result<(Vec<u8>, ParsedIndex), RegistryError> {
    let base = entry.base_url()?;
    let url = resolve_reference(&base, "index.yaml")?;
    let auth = entry.auth();
    let request = super::http::Request::get(url.clone())
        .header(
            reqwest::header::ACCEPT,
            "application/yaml, application/x-yaml, application/json, text/yaml, */*",
        )
        .auth(auth_for(
            auth.as_ref(),
            &base,
            &url,
            entry.pass_credentials_all,
        ));
    let response = client.send(&request)?;
    if !response.is_success() {
        return Err(response.into_error());
    }
    let label = format!("{} index", entry.name);
    let bytes = response.bytes(repo_index::MAX_INDEX_SIZE, Some(&label))?;
    let parsed = repo_index::parse_index(&bytes, &redact_url(&url))?;
    Ok((bytes, parsed))
}

/// Writes the downloaded index of `name` into the cache: the raw bytes,
/// helm's chart list, and the compact form.
pub fn store_index(
    homes: &Homes,
    name: &str,
    raw: &[u8],
    index: &RepoIndex,
) -> Result<(), RegistryError> {
    let files = IndexFiles::new(homes, name);
    write_atomic(&files.raw, raw)?;
    let mut charts = String::new();
    for chart in index.entries.keys() {
        charts.push_str(chart);
        charts.push('\n');
    }
    write_atomic(&files.charts, charts.as_bytes())?;
    write_atomic(&files.compact, &index.to_compact())?;
    Ok(())
}

/// The cached index of repository `name`: the compact form, rebuilt from
/// the raw index when it is missing or of another format version. Both are
/// written together by `repo add`/`repo update`; the raw file is kept for
/// people and tools that read helm's cache layout.
pub fn load_index(homes: &Homes, name: &str) -> Result<RepoIndex, RegistryError> {
    let files = IndexFiles::new(homes, name);
    let raw_meta = std::fs::metadata(&files.raw).map_err(|e| {
        RegistryError::NotFound(format!(
            "no cached repo found. (try 'skiff repo update'): {}: {e}",
            files.raw.display()
        ))
    })?;
    if raw_meta.len() > repo_index::MAX_INDEX_SIZE {
        return Err(RegistryError::TooLarge {
            url: files.raw.display().to_string(),
            limit: repo_index::MAX_INDEX_SIZE,
        });
    }
    if let Ok(bytes) = std::fs::read(&files.compact)
        && let Some(index) = RepoIndex::from_compact(&bytes)
    {
        return Ok(index);
    }
    let raw = std::fs::read(&files.raw).map_err(|e| RegistryError::file(&files.raw, &e))?;
    let parsed = repo_index::parse_index(&raw, &files.raw.display().to_string())?;
    // Best effort: a read-only cache still works, only slower.
    let _ = write_atomic(&files.compact, &parsed.index.to_compact());
    Ok(parsed.index)
}

/// What `repo add` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// The repository was added (or replaced with --force-update).
    Added {
        /// Warnings from reading the index.
        warnings: Vec<String>,
    },
    /// The same configuration already existed; nothing was done.
    Unchanged,
}

/// `skiff repo add`: downloads the index, caches it, records `entry`.
pub fn add(
    homes: &Homes,
    entry: RepoEntry,
    force_update: bool,
    cli: &ClientOptions,
) -> Result<AddOutcome, RegistryError> {
    check_name(&entry.name)?;
    entry.base_url()?;
    let path = homes.repositories_file();
    let mut file = RepoFile::load(&path)?;
    if !force_update && let Some(existing) = file.get(&entry.name) {
        if *existing == entry {
            return Ok(AddOutcome::Unchanged);
        }
        return Err(RegistryError::Invalid(format!(
            "repository name ({}) already exists, please specify a different name",
            sanitize(&entry.name)
        )));
    }
    let client = HttpClient::new(&entry.client_options(cli))?;
    let (raw, parsed) = download_index(&client, &entry).map_err(|e| {
        RegistryError::Invalid(format!(
            "looks like {:?} is not a valid chart repository or cannot be reached: {e}",
            entry
                .base_url()
                .map(|u| redact_url(&u))
                .unwrap_or_else(|_| sanitize(&entry.url))
        ))
    })?;
    store_index(homes, &entry.name, &raw, &parsed.index)?;
    file.update(entry);
    file.save(&path)?;
    Ok(AddOutcome::Added {
        warnings: parsed.warnings,
    })
}

/// The result of updating one repository.
#[derive(Debug)]
pub struct UpdateResult {
    /// The repository name.
    pub name: String,
    /// Its redacted URL.
    pub url: String,
    /// Warnings from reading the index, or the error.
    pub result: Result<Vec<String>, RegistryError>,
}

/// `skiff repo update [NAME…]`: downloads the indexes (in parallel, as
/// helm does) and replaces the cached ones that downloaded and parsed.
pub fn update(
    homes: &Homes,
    names: &[String],
    cli: &ClientOptions,
) -> Result<Vec<UpdateResult>, RegistryError> {
    let file = RepoFile::load(&homes.repositories_file())?;
    if file.repositories.is_empty() {
        return Err(RegistryError::NotFound(
            "no repositories found. You must add one before updating".into(),
        ));
    }
    for name in names {
        if file.get(name).is_none() {
            return Err(RegistryError::NotFound(format!(
                "no repositories found matching '{}'.  Nothing will be updated",
                sanitize(name)
            )));
        }
    }
    let chosen: Vec<&RepoEntry> = file
        .repositories
        .iter()
        .filter(|r| names.is_empty() || names.contains(&r.name))
        .collect();
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = chosen
            .iter()
            .map(|entry| {
                scope.spawn(move || {
                    let client = HttpClient::new(&entry.client_options(cli))?;
                    let (raw, parsed) = download_index(&client, entry)?;
                    store_index(homes, &entry.name, &raw, &parsed.index)?;
                    Ok(parsed.warnings)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(RegistryError::Invalid("index update panicked".into())))
            })
            .collect::<Vec<_>>()
    });
    Ok(chosen
        .into_iter()
        .zip(results)
        .map(|(entry, result)| UpdateResult {
            name: entry.name.clone(),
            url: entry
                .base_url()
                .map(|u| redact_url(&u))
                .unwrap_or_else(|_| sanitize(&entry.url)),
            result,
        })
        .collect())
}

/// `skiff repo remove NAME…`: forgets the repositories and deletes their
/// cached indexes. All names are checked before anything changes.
pub fn remove(homes: &Homes, names: &[String]) -> Result<(), RegistryError> {
    let path = homes.repositories_file();
    let mut file = RepoFile::load(&path)?;
    if file.repositories.is_empty() {
        return Err(RegistryError::NotFound("no repositories configured".into()));
    }
    for name in names {
        if file.get(name).is_none() {
            return Err(RegistryError::NotFound(format!(
                "no repo named {:?} found",
                sanitize(name)
            )));
        }
    }
    file.repositories.retain(|r| !names.contains(&r.name));
    file.save(&path)?;
    for name in names {
        let files = IndexFiles::new(homes, name);
        for p in [&files.raw, &files.charts, &files.compact] {
            match std::fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(RegistryError::file(p, &e)),
            }
        }
    }
    Ok(())
}

/// The version request `--version`/`--devel` make: helm rewrites `--devel`
/// to `>0.0.0-0` and ignores it when a version is given.
pub fn version_request(version: Option<&str>, devel: bool) -> String {
    match version {
        Some(v) if !v.is_empty() => v.to_string(),
        _ if devel => ">0.0.0-0".to_string(),
        _ => String::new(),
    }
}

/// The file name helm gives a download: the URL path's last segment,
/// percent-decoded. Anything that could leave the destination folder or
/// drive a terminal is refused.
pub fn file_name_of(url: &Url) -> Result<String, RegistryError> {
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    let decoded = percent_decode(last);
    let refused = decoded.is_empty()
        || decoded == "."
        || decoded == ".."
        || decoded.contains('/')
        || decoded.contains('\\')
        || decoded.contains('\0')
        || decoded.chars().any(char::is_control);
    if refused {
        return Err(RegistryError::Invalid(format!(
            "{}: refusing to save a download under the name {:?}",
            redact_url(url),
            sanitize(&decoded)
        )));
    }
    Ok(decoded)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// A chart found in an index, ready to download.
#[derive(Debug, Clone)]
pub struct Located {
    /// The chart name.
    pub name: String,
    /// The version chosen.
    pub version: String,
    /// `urls[0]`, resolved against the repository URL.
    pub url: Url,
    /// The index digest (bare lowercase hex), if it names one.
    pub digest: Option<String>,
}

/// Finds `chart` in `index` of repository `repo_name` at `base`, as
/// helm's `ResolveChartVersion` does; the error text is helm's, pointing
/// at `skiff repo update`.
pub fn locate(
    index: &RepoIndex,
    repo_name: &str,
    base: &Url,
    chart: &str,
    version: &str,
) -> Result<Located, RegistryError> {
    let found = index.get(chart, version).map_err(|e| {
        let why = match e {
            LookupError::NoMatch | LookupError::NoChartVersion => {
                format!("no chart version found for {chart}-{version}")
            }
            other => other.to_string(),
        };
        let matching = if version.is_empty() {
            String::new()
        } else {
            format!(" matching {version}")
        };
        RegistryError::NotFound(sanitize(&format!(
            "chart {chart:?}{matching} not found in {repo_name} index. (try 'skiff repo update'): {why}"
        )))
    })?;
    let Some(first) = found.entry.urls.first() else {
        return Err(RegistryError::NotFound(sanitize(&format!(
            "chart \"{repo_name}/{chart}\" has no downloadable URLs"
        ))));
    };
    let url = resolve_reference(base, first)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(RegistryError::Invalid(format!(
            "chart URL {} has an unsupported scheme",
            redact_url(&url)
        )));
    }
    Ok(Located {
        name: chart.to_string(),
        version: found.entry.version.clone(),
        url,
        digest: found.entry.digest.as_deref().map(bare_digest),
    })
}

/// `sha256:ABC…` or `ABC…` as bare lowercase hex.
fn bare_digest(d: &str) -> String {
    d.strip_prefix("sha256:").unwrap_or(d).to_ascii_lowercase()
}

/// Downloads a located chart: from the content cache when the digest is
/// known and cached, else from the network, checked against every known
/// digest and through the safe archive reader before it is cached.
pub fn download_chart(
    client: &HttpClient,
    homes: &Homes,
    located: &Located,
    auth: Option<&Auth>,
    expected: Option<&str>,
) -> Result<Vec<u8>, RegistryError> {
    let expected = expected.map(bare_digest);
    if let (Some(a), Some(b)) = (&located.digest, &expected)
        && a != b
    {
        return Err(RegistryError::Invalid(format!(
            "{}: the index names sha256:{} but sha256:{} was expected; nothing was downloaded",
            redact_url(&located.url),
            sanitize(a),
            sanitize(b)
        )));
    }
    let want = located.digest.clone().or(expected);
    let cache = homes.content_cache();
    if let Some(d) = &want
        && let Some(bytes) = cache.get(d)
    {
        return Ok(bytes);
    }
    let accept = "application/gzip,application/octet-stream";
    let label = format!("{}-{}", located.name, located.version);
    let bytes = match &want {
        Some(d) => {
            client.download_verified(&located.url, accept, auth, d, MAX_CHART_SIZE, &label)?
        }
        None => {
            let request = super::http::Request::get(located.url.clone())
                .header(reqwest::header::ACCEPT, accept)
                .auth(auth);
            let response = client.send(&request)?;
            if !response.is_success() {
                return Err(response.into_error());
            }
            response.bytes(MAX_CHART_SIZE, Some(&label))?
        }
    };
    crate::archive::read_tgz(&bytes, &crate::archive::Limits::default()).map_err(|e| {
        RegistryError::Invalid(format!(
            "{}: not a usable chart archive: {e}",
            redact_url(&located.url)
        ))
    })?;
    if want.is_some() {
        cache.put(&bytes)?;
    }
    Ok(bytes)
}

/// `pull repo/chart`: resolves against the cached index of `repo_name`
/// and downloads the chart, verified.
pub fn fetch_from_repo(
    homes: &Homes,
    repo_name: &str,
    chart: &str,
    options: &PullOptions,
) -> Result<Pulled, RegistryError> {
    let file = RepoFile::load(&homes.repositories_file())?;
    let entry = file.get(repo_name).ok_or_else(|| {
        RegistryError::NotFound(format!("repo {} not found", sanitize(repo_name)))
    })?;
    let base = entry.base_url()?;
    let index = load_index(homes, repo_name)?;
    let version = version_request(options.version.as_deref(), options.devel);
    let located = locate(&index, repo_name, &base, chart, &version)?;
    let auth = entry.auth().or_else(|| cli_auth(options));
    let client = HttpClient::new(&entry.client_options(&options.client))?;
    let chart_auth = auth_for(
        auth.as_ref(),
        &base,
        &located.url,
        entry.pass_credentials_all,
    );
    let (bytes, digest, provenance) =
        download_with_provenance(&client, homes, &located, chart_auth, options)?;
    let mut notes = Vec::new();
    if located.digest.is_none() && options.expected_digest.is_none() {
        notes.push(format!(
            "Pulled {} {} (the index names no digest; got {digest})",
            sanitize(&located.name),
            sanitize(&located.version)
        ));
    }
    Ok(Pulled {
        name: located.name,
        version: located.version,
        file_name: file_name_of(&located.url)?,
        bytes,
        digest,
        notes,
        provenance,
    })
}

/// [`download_chart`] checked against the digest the command line gives,
/// its `sha256:` digest, and its `.prov` (fetched with the same credentials)
/// when the options ask for it.
fn download_with_provenance(
    client: &HttpClient,
    homes: &Homes,
    located: &Located,
    auth: Option<&Auth>,
    options: &PullOptions,
) -> Result<(Vec<u8>, String, Option<super::prov::Provenance>), RegistryError> {
    let bytes = download_chart(
        client,
        homes,
        located,
        auth,
        options.expected_digest.as_deref(),
    )?;
    let digest = format!("sha256:{}", sha256_hex(&bytes));
    let provenance = super::prov::fetch_if(options.provenance, || {
        super::prov::fetch_http(client, &located.url, auth)
    });
    Ok((bytes, digest, provenance))
}

/// `pull CHART --repo URL` (helm's `FindChartInRepoURL`): the repository
/// is not added; its index is downloaded for this pull only, and the
/// credentials come from the command line.
pub fn fetch_with_repo_url(
    homes: &Homes,
    repo_url: &str,
    chart: &str,
    options: &PullOptions,
) -> Result<Pulled, RegistryError> {
    let entry = RepoEntry {
        url: repo_url.to_string(),
        ..RepoEntry::default()
    };
    let base = entry.base_url()?;
    let client = HttpClient::new(&options.client)?;
    let auth = cli_auth(options);
    let index_entry = RepoEntry {
        username: options.username.clone().unwrap_or_default(),
        password: options.password.clone().unwrap_or_default(),
        ..entry
    };
    let (_, parsed) = download_index(&client, &index_entry).map_err(|e| {
        RegistryError::Invalid(format!(
            "looks like {:?} is not a valid chart repository or cannot be reached: {e}",
            redact_url(&base)
        ))
    })?;
    let version = version_request(options.version.as_deref(), options.devel);
    if parsed.index.get(chart, &version).is_err() {
        let what = if version.is_empty() {
            format!("chart {:?}", sanitize(chart))
        } else {
            format!(
                "chart {:?} version {:?}",
                sanitize(chart),
                sanitize(&version)
            )
        };
        return Err(RegistryError::NotFound(format!(
            "{what} not found in {} repository",
            redact_url(&base)
        )));
    }
    let located = locate(&parsed.index, "", &base, chart, &version)?;
    let chart_auth = auth_for(auth.as_ref(), &base, &located.url, false);
    let (bytes, digest, provenance) =
        download_with_provenance(&client, homes, &located, chart_auth, options)?;
    Ok(Pulled {
        name: located.name,
        version: located.version,
        file_name: file_name_of(&located.url)?,
        bytes,
        digest,
        notes: Vec::new(),
        provenance,
    })
}

fn cli_auth(options: &PullOptions) -> Option<Auth> {
    match (&options.username, &options.password) {
        (Some(u), Some(p)) if !u.is_empty() && !p.is_empty() => Some(Auth::Basic {
            username: u.clone(),
            password: p.clone(),
        }),
        _ => None,
    }
}

/// `pull https://…/chart.tgz`: downloads the URL. With no index there is no
/// digest to check against (unless `expected_digest` is given), so the
/// sha256 received is reported. A URL under an added repository uses that
/// repository's credentials and TLS settings, as helm's
/// `scanReposForURL` does.
pub fn fetch_url(homes: &Homes, url: &Url, options: &PullOptions) -> Result<Pulled, RegistryError> {
    let file = RepoFile::load(&homes.repositories_file())?;
    let owner = file.repositories.iter().find(|r| {
        let prefix = r.url.trim_end_matches('/');
        !prefix.is_empty()
            && url
                .as_str()
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    });
    let (auth, base, pass_all, client_options) = match owner {
        Some(entry) => (
            entry.auth().or_else(|| cli_auth(options)),
            entry.base_url()?,
            entry.pass_credentials_all,
            entry.client_options(&options.client),
        ),
        None => (
            cli_auth(options),
            url.clone(),
            false,
            options.client.clone(),
        ),
    };
    let file_name = file_name_of(url)?;
    let located = Located {
        name: file_name.trim_end_matches(".tgz").to_string(),
        version: String::new(),
        url: url.clone(),
        digest: None,
    };
    let client = HttpClient::new(&client_options)?;
    let chart_auth = auth_for(auth.as_ref(), &base, url, pass_all);
    let (bytes, digest, provenance) =
        download_with_provenance(&client, homes, &located, chart_auth, options)?;
    let (name, version) = chart_identity(&bytes).unwrap_or((located.name, String::new()));
    let mut notes = vec![format!("Pulled: {}", redact_url(url))];
    if options.expected_digest.is_some() {
        notes.push(format!("Digest: {digest} (verified)"));
    } else {
        notes.push(format!(
            "Digest: {digest} (a chart URL has no index digest to check against)"
        ));
    }
    Ok(Pulled {
        name,
        version,
        file_name,
        bytes,
        digest,
        notes,
        provenance,
    })
}

/// The name and version in an archive's `Chart.yaml`.
pub fn chart_identity(bytes: &[u8]) -> Option<(String, String)> {
    let entries = crate::archive::read_tgz(bytes, &crate::archive::Limits::default()).ok()?;
    let (_, files) = crate::archive::strip_chart_dir(entries).ok()?;
    let chart_yaml = files.iter().find(|f| f.name == "Chart.yaml")?;
    let text = std::str::from_utf8(&chart_yaml.data).ok()?;
    let md = crate::chart::parse_metadata(text, "Chart.yaml").ok()?;
    Some((md.name, md.version))
}

#[cfg(test)]
#[path = "repo_tests.rs"]
mod tests;
