//! Helm charts as OCI artifacts: `skiff push` and the OCI side of
//! `skiff pull`, byte-compatible with helm v4.1.4.
//!
//! The artifact (helm `pkg/registry/client.go`, `chart.go`):
//! - config blob `application/vnd.cncf.helm.config.v1+json`: Go's
//!   `json.Marshal` of helm's `chart.Metadata` — its field order, its
//!   `omitempty`s, sorted map keys and HTML-escaped strings ([`config_json`]);
//! - the `.tgz` as is, `application/vnd.cncf.helm.chart.content.v1.tar+gzip`,
//!   plus `<chart>.tgz.prov` as `…provenance.v1.prov` when it sits next to
//!   the archive; layers sorted by digest "for determinism";
//! - an OCI image manifest without a top-level `mediaType` and with the
//!   `org.opencontainers.image.*` annotations, `created` being the archive's
//!   modification time — so pushing the same file twice, with helm or with
//!   skiff, gives the same manifest digest.
//!
//! Tags cannot hold `+`, so helm writes `_` in its place and reads it back.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::RegistryError;
use super::credentials::{Credential, CredentialStore};
use super::http::{ClientOptions, HttpClient};
use super::oci::{MEDIA_TYPE_OCI_MANIFEST, OciClient};
use super::paths::Homes;
use super::pull::{PullOptions, Pulled};
use crate::chart::{ImportValue, Metadata};
use crate::engine::gotmpl::sprig::collections::json::write_string;

/// The config blob's media type.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// The chart layer's media type.
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// The provenance layer's media type.
pub const PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
/// The chart layer type of helm's first OCI releases, still accepted on pull
/// (helm warns that it is deprecated).
pub const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";

/// The largest config blob accepted on pull.
const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// An OCI content descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// The media type.
    pub media_type: String,
    /// `sha256:<hex>`.
    pub digest: String,
    /// The size in bytes.
    pub size: u64,
}

impl Descriptor {
    fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_string(),
            digest: format!("sha256:{}", super::sha256_hex(bytes)),
            size: bytes.len() as u64,
        }
    }

    fn write_json(&self, out: &mut String) {
        out.push_str("{\"mediaType\":");
        write_string(out, &self.media_type, true);
        out.push_str(",\"digest\":");
        write_string(out, &self.digest, true);
        let _ = write!(out, ",\"size\":{}}}", self.size);
    }
}

/// A Helm chart artifact ready to upload.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The config blob's descriptor.
    pub config: Descriptor,
    /// The config blob.
    pub config_bytes: Vec<u8>,
    /// The layers, sorted by digest, with their bytes.
    pub layers: Vec<(Descriptor, Vec<u8>)>,
    /// The manifest JSON.
    pub manifest: Vec<u8>,
    /// `sha256:<hex>` of `manifest`.
    pub manifest_digest: String,
}

/// Builds helm's artifact for a chart archive: `metadata` is the archive's
/// Chart.yaml as loaded, `created` the RFC 3339 time for the `created`
/// annotation (helm: the archive's mtime).
pub fn build_artifact(
    chart: Vec<u8>,
    prov: Option<Vec<u8>>,
    metadata: &Metadata,
    created: &str,
) -> Artifact {
    let config_bytes = config_json(metadata).into_bytes();
    let config = Descriptor::of(CONFIG_MEDIA_TYPE, &config_bytes);
    let mut layers = vec![(Descriptor::of(CHART_LAYER_MEDIA_TYPE, &chart), chart)];
    if let Some(prov) = prov {
        layers.push((Descriptor::of(PROV_LAYER_MEDIA_TYPE, &prov), prov));
    }
    layers.sort_by(|a, b| a.0.digest.cmp(&b.0.digest));
    let mut manifest = String::from("{\"schemaVersion\":2,\"config\":");
    config.write_json(&mut manifest);
    manifest.push_str(",\"layers\":[");
    for (i, (layer, _)) in layers.iter().enumerate() {
        if i > 0 {
            manifest.push(',');
        }
        layer.write_json(&mut manifest);
    }
    manifest.push(']');
    let annotations = annotations(metadata, created);
    if !annotations.is_empty() {
        manifest.push_str(",\"annotations\":");
        write_string_map(&mut manifest, &annotations);
    }
    manifest.push('}');
    let manifest = manifest.into_bytes();
    let manifest_digest = format!("sha256:{}", super::sha256_hex(&manifest));
    Artifact {
        config,
        config_bytes,
        layers,
        manifest,
        manifest_digest,
    }
}

/// The manifest annotations helm writes (`generateOCIAnnotations`): the
/// `org.opencontainers.image.*` keys for non-blank description, name,
/// version, home, created, first source and maintainers, then every
/// Chart.yaml annotation except ones that would replace the title or
/// version.
pub fn annotations(md: &Metadata, created: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut add = |key: &str, value: &str| {
        if !value.trim().is_empty() {
            out.insert(format!("org.opencontainers.image.{key}"), value.to_string());
        }
    };
    add("description", md.description.as_deref().unwrap_or(""));
    add("title", &md.name);
    add("version", &md.version);
    add("url", md.home.as_deref().unwrap_or(""));
    add("created", created);
    if let Some(source) = md.sources.first() {
        add("source", source);
    }
    if !md.maintainers.is_empty() {
        let authors: Vec<String> = md
            .maintainers
            .iter()
            .map(|m| match m.email.as_deref().filter(|e| !e.is_empty()) {
                Some(email) => format!("{} ({email})", m.name),
                None => m.name.clone(),
            })
            .collect();
        add("authors", &authors.join(", "));
    }
    for (key, value) in &md.annotations {
        if key != "org.opencontainers.image.title" && key != "org.opencontainers.image.version" {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

/// Go's `json.Marshal` of helm's `chart.Metadata` (field order of the Go
/// struct; empty strings, empty lists, false and empty maps omitted; map
/// keys sorted; `<`, `>`, `&` escaped). The deprecated top-level
/// `condition`/`tags` string fields of v1 charts are not modelled and so
/// never written.
pub fn config_json(md: &Metadata) -> String {
    let mut o = JsonObject::default();
    o.string("name", &md.name);
    o.string("home", md.home.as_deref().unwrap_or(""));
    o.strings("sources", &md.sources);
    o.string("version", &md.version);
    o.string("description", md.description.as_deref().unwrap_or(""));
    o.strings("keywords", &md.keywords);
    o.list("maintainers", &md.maintainers, |out, m| {
        let mut e = JsonObject::default();
        e.string("name", &m.name);
        e.string("email", m.email.as_deref().unwrap_or(""));
        e.string("url", m.url.as_deref().unwrap_or(""));
        out.push_str(&e.finish());
    });
    o.string("icon", md.icon.as_deref().unwrap_or(""));
    o.string("apiVersion", &md.api_version);
    o.string("appVersion", md.app_version.as_deref().unwrap_or(""));
    if md.deprecated {
        o.raw("deprecated", "true");
    }
    if !md.annotations.is_empty() {
        let sorted: BTreeMap<String, String> = md
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut map = String::new();
        write_string_map(&mut map, &sorted);
        o.raw("annotations", &map);
    }
    o.string("kubeVersion", md.kube_version.as_deref().unwrap_or(""));
    o.list("dependencies", &md.dependencies, |out, d| {
        // `name` and `repository` have no omitempty in helm's struct.
        let mut e = JsonObject::default();
        e.always("name", &d.name);
        e.string("version", d.version.as_deref().unwrap_or(""));
        e.always("repository", d.repository.as_deref().unwrap_or(""));
        e.string("condition", d.condition.as_deref().unwrap_or(""));
        e.strings("tags", &d.tags);
        if d.enabled == Some(true) {
            e.raw("enabled", "true");
        }
        e.list(
            "import-values",
            &d.import_values,
            |items, item| match item {
                ImportValue::Exports(name) => write_string(items, name, true),
                ImportValue::Path { child, parent } => {
                    // A Go map: keys sorted, so child before parent.
                    items.push_str("{\"child\":");
                    write_string(items, child, true);
                    items.push_str(",\"parent\":");
                    write_string(items, parent, true);
                    items.push('}');
                }
            },
        );
        e.string("alias", d.alias.as_deref().unwrap_or(""));
        out.push_str(&e.finish());
    });
    if md.type_declared {
        o.string("type", md.type_name());
    }
    o.finish()
}

/// A JSON object written field by field in Go struct order.
#[derive(Default)]
struct JsonObject {
    out: String,
}

impl JsonObject {
    fn key(&mut self, key: &str) {
        self.out.push(if self.out.is_empty() { '{' } else { ',' });
        write_string(&mut self.out, key, true);
        self.out.push(':');
    }

    /// A string field with `omitempty`.
    fn string(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.always(key, value);
        }
    }

    /// A string field without `omitempty`.
    fn always(&mut self, key: &str, value: &str) {
        self.key(key);
        write_string(&mut self.out, value, true);
    }

    /// A `[]string` field with `omitempty`.
    fn strings(&mut self, key: &str, values: &[String]) {
        self.list(key, values, |out, v| write_string(out, v, true));
    }

    /// A slice field with `omitempty`: `[a,b,…]`, each element written by
    /// `write`.
    fn list<T>(&mut self, key: &str, items: &[T], mut write: impl FnMut(&mut String, &T)) {
        if items.is_empty() {
            return;
        }
        let mut list = String::from("[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                list.push(',');
            }
            write(&mut list, item);
        }
        list.push(']');
        self.raw(key, &list);
    }

    fn raw(&mut self, key: &str, json: &str) {
        self.key(key);
        self.out.push_str(json);
    }

    fn finish(mut self) -> String {
        if self.out.is_empty() {
            self.out.push('{');
        }
        self.out.push('}');
        self.out
    }
}

fn write_string_map(out: &mut String, map: &BTreeMap<String, String>) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, k, true);
        out.push(':');
        write_string(out, v, true);
    }
    out.push('}');
}

/// Go's `time.Time.Format(time.RFC3339)` of a file time in the local zone
/// (`Z` for UTC, else `±hh:mm`), whole seconds.
pub fn rfc3339_local(time: std::time::SystemTime) -> Result<String, RegistryError> {
    let ts = jiff::Timestamp::try_from(time)
        .map_err(|e| RegistryError::Invalid(format!("file time out of range: {e}")))?;
    let zoned = ts.to_zoned(jiff::tz::TimeZone::system());
    let offset = zoned.offset().seconds();
    let base = zoned.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    if offset == 0 {
        Ok(format!("{base}Z"))
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        Ok(format!(
            "{base}{sign}{:02}:{:02}",
            abs / 3600,
            (abs % 3600) / 60
        ))
    }
}

/// Credentials for `registry`: the command line's, else the store's.
pub fn credential_for(
    registry: &str,
    username: Option<&str>,
    password: Option<&str>,
    store: &CredentialStore,
) -> Result<Option<Credential>, RegistryError> {
    match (username, password) {
        (Some(username), Some(password)) => Ok(Some(Credential::Basic {
            username: username.to_string(),
            password: password.to_string(),
        })),
        (None, None) => store.get(registry),
        _ => Err(RegistryError::Invalid(
            "--username and --password must be given together".into(),
        )),
    }
}

/// The tag a chart version is stored under (`+` → `_`).
pub fn version_to_tag(version: &str) -> String {
    version.replace('+', "_")
}

/// What `skiff push` needs besides the archive and the destination.
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// `--plain-http`.
    pub plain_http: bool,
    /// `--username`.
    pub username: Option<String>,
    /// `--password`.
    pub password: Option<String>,
    /// TLS and transport options.
    pub client: ClientOptions,
}

/// The outcome of a push.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// `host/repository:tag`.
    pub reference: String,
    /// The manifest digest.
    pub digest: String,
    /// Whether the tag spells `+` as `_`.
    pub underscore: bool,
}

/// `skiff push CHART.tgz oci://host/path`: uploads helm's artifact to
/// `host/path/<name>:<version with + as _>`.
pub fn push(
    archive: &Path,
    remote: &str,
    options: &PushOptions,
    homes: &Homes,
) -> Result<Pushed, RegistryError> {
    let rest = remote.strip_prefix("oci://").ok_or_else(|| {
        RegistryError::Invalid(format!(
            "{:?}: the destination must be an oci:// reference",
            crate::archive::sanitize(remote)
        ))
    })?;
    let (registry, namespace) = match rest.split_once('/') {
        Some((r, ns)) => (r, ns.trim_end_matches('/')),
        None => (rest.trim_end_matches('/'), ""),
    };
    if registry.is_empty() {
        return Err(RegistryError::Invalid(format!(
            "{:?}: expected oci://host[/path]",
            crate::archive::sanitize(remote)
        )));
    }
    let meta = std::fs::metadata(archive).map_err(|e| RegistryError::file(archive, &e))?;
    if meta.is_dir() {
        return Err(RegistryError::File {
            path: archive.display().to_string(),
            message: "cannot push a directory; package it first (skiff package)".into(),
        });
    }
    let chart = crate::chart::load(archive).map_err(|e| RegistryError::File {
        path: archive.display().to_string(),
        message: crate::diag::Diagnostic::from(e).render().trim().to_string(),
    })?;
    let md = &chart.metadata;
    let bytes = std::fs::read(archive).map_err(|e| RegistryError::file(archive, &e))?;
    let mut prov_path = archive.as_os_str().to_owned();
    prov_path.push(".prov");
    let prov_path = std::path::PathBuf::from(prov_path);
    let prov = match std::fs::read(&prov_path) {
        Ok(p) => Some(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(RegistryError::file(&prov_path, &e)),
    };
    let created = rfc3339_local(
        meta.modified()
            .map_err(|e| RegistryError::file(archive, &e))?,
    )?;
    let artifact = build_artifact(bytes, prov, md, &created);

    let repository = if namespace.is_empty() {
        md.name.clone()
    } else {
        format!("{namespace}/{}", md.name)
    };
    // The same check `skiff pull` applies to references.
    super::reference::ChartRef::parse(&format!("oci://{registry}/{repository}"))?;
    let tag = version_to_tag(&md.version);
    let store = CredentialStore::from_env(homes);
    let credential = credential_for(
        registry,
        options.username.as_deref(),
        options.password.as_deref(),
        &store,
    )?;
    let http = HttpClient::new(&options.client)?;
    let client = OciClient::new(http, registry, options.plain_http, credential)?;
    let blobs = std::iter::once((&artifact.config, &artifact.config_bytes))
        .chain(artifact.layers.iter().map(|(d, b)| (d, b)));
    for (descriptor, bytes) in blobs {
        if !client.blob_exists(&repository, &descriptor.digest)? {
            client.upload_blob(&repository, &descriptor.digest, bytes)?;
        }
    }
    let digest = client.put_manifest(
        &repository,
        &tag,
        MEDIA_TYPE_OCI_MANIFEST,
        &artifact.manifest,
    )?;
    Ok(Pushed {
        reference: format!("{registry}/{repository}:{tag}"),
        digest,
        underscore: tag != md.version,
    })
}

/// The note helm prints when a tag spells `+` as `_` (reworded).
pub fn underscore_note(reference: &str) -> String {
    format!(
        "note: {reference} spells the version's '+' as '_': OCI tags cannot contain '+', so charts are tagged with '_' and read back with '+' (as helm does)"
    )
}

/// The OCI arm of `skiff pull`: resolves the version, fetches the
/// manifest (checked against the reference's digest), then the config and
/// chart layer (each checked against its descriptor) — nothing unverified
/// is returned.
pub fn pull(
    http: &HttpClient,
    registry: &str,
    repository: &str,
    tag: Option<&str>,
    digest: Option<&str>,
    options: &PullOptions,
    homes: &Homes,
) -> Result<Pulled, RegistryError> {
    let store = CredentialStore::from_env(homes);
    let credential = credential_for(
        registry,
        options.username.as_deref(),
        options.password.as_deref(),
        &store,
    )?;
    let client = OciClient::new(http.clone(), registry, options.plain_http, credential)?;
    let shown_repo = format!("oci://{registry}/{repository}");

    let (reference, shown) = match (digest, tag, options.version.as_deref()) {
        (Some(digest), _, _) => (
            digest.to_string(),
            format!("{registry}/{repository}@{digest}"),
        ),
        (None, Some(tag), version) => {
            if let Some(version) = version
                && normalize(version) != normalize(tag)
            {
                return Err(RegistryError::Invalid(format!(
                    "chart reference and version mismatch: {} is not {}",
                    crate::archive::sanitize(tag),
                    crate::archive::sanitize(version)
                )));
            }
            let tag = version_to_tag(&normalize(tag));
            (tag.clone(), format!("{registry}/{repository}:{tag}"))
        }
        (None, None, version) => {
            let tag = match version {
                // helm uses a version that parses as one directly as the
                // tag, without listing (the `_` spelling helm refuses is
                // accepted here).
                Some(v) if semver::Version::parse(&normalize(v)).is_ok() => {
                    version_to_tag(&normalize(v))
                }
                _ => {
                    let tags = client.tags(repository)?;
                    resolve_tag(&tags, version, options.devel, &shown_repo)?
                }
            };
            (tag.clone(), format!("{registry}/{repository}:{tag}"))
        }
    };

    let manifest = client.manifest(repository, &reference)?;
    if manifest.media_type == super::oci::MEDIA_TYPE_OCI_INDEX {
        return Err(RegistryError::Invalid(format!(
            "{shown}: is an image index, not a Helm chart"
        )));
    }
    let parsed = parse_manifest(&manifest.bytes)
        .map_err(|why| RegistryError::Invalid(format!("{shown}: invalid manifest: {why}")))?;
    if parsed.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(RegistryError::Invalid(format!(
            "{shown}: not a Helm chart (config media type {:?})",
            crate::archive::sanitize(&parsed.config.media_type)
        )));
    }
    let layer = match parsed
        .layers
        .iter()
        .find(|l| l.media_type == CHART_LAYER_MEDIA_TYPE)
    {
        Some(layer) => layer,
        None => match parsed
            .layers
            .iter()
            .find(|l| l.media_type == LEGACY_CHART_LAYER_MEDIA_TYPE)
        {
            Some(layer) => {
                eprintln!(
                    "skiff: warning: {shown} uses the deprecated chart layer type {LEGACY_CHART_LAYER_MEDIA_TYPE}; re-push it with a current helm or skiff"
                );
                layer
            }
            None => {
                return Err(RegistryError::Invalid(format!(
                    "{shown}: the manifest has no chart layer ({CHART_LAYER_MEDIA_TYPE})"
                )));
            }
        },
    };
    let limit = crate::chart::MAX_ARCHIVE_SIZE;
    if parsed.config.size > MAX_CONFIG_SIZE || layer.size > limit {
        return Err(RegistryError::TooLarge {
            url: shown.clone(),
            limit,
        });
    }
    let config = client.blob(repository, &parsed.config.digest, MAX_CONFIG_SIZE, "config")?;
    let config: serde_json::Value = serde_json::from_slice(&config).map_err(|_| {
        RegistryError::Invalid(format!("{shown}: the chart config blob is not JSON"))
    })?;
    let field = |name: &str| {
        config
            .get(name)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let name = field("name")
        .ok_or_else(|| RegistryError::Invalid(format!("{shown}: the chart config has no name")))?;
    let version = field("version").ok_or_else(|| {
        RegistryError::Invalid(format!("{shown}: the chart config has no version"))
    })?;
    let label = format!("{name}-{version}.tgz");
    // The content cache is keyed by verified digest and re-checked on read,
    // so a cached layer is as good as a downloaded one (helm caches OCI
    // pulls too); a failure to cache is not a failure to pull.
    let cache = homes.content_cache();
    let layer_hex = layer.digest.trim_start_matches("sha256:");
    let bytes = match cache.get(layer_hex) {
        Some(bytes) => bytes,
        None => {
            let bytes = client.blob(repository, &layer.digest, limit, &label)?;
            let _ = cache.put(&bytes);
            bytes
        }
    };
    if bytes.len() as u64 != layer.size {
        return Err(RegistryError::Invalid(format!(
            "{shown}: the chart layer has {} bytes, the manifest says {}",
            bytes.len(),
            layer.size
        )));
    }
    if let Some(expected) = &options.expected_digest {
        super::http::verify_sha256(
            &url::Url::parse(&format!("oci://{registry}/{repository}"))
                .map_err(|e| RegistryError::Invalid(e.to_string()))?,
            &bytes,
            expected,
        )?;
    }
    let notes = vec![
        format!("Pulled: {shown}"),
        format!("Digest: {}", manifest.digest),
    ];
    if tag_has_underscore(&shown) {
        eprintln!("skiff: {}", underscore_note(&shown));
    }
    let provenance = super::prov::fetch_if(options.provenance, || {
        super::prov::fetch_oci(&client, repository, &parsed.layers, &shown)
    });
    Ok(Pulled {
        file_name: format!("{name}-{version}.tgz"),
        digest: layer.digest.clone(),
        name,
        version,
        bytes,
        notes,
        provenance,
    })
}

fn tag_has_underscore(shown: &str) -> bool {
    shown
        .rsplit_once(':')
        .is_some_and(|(_, tag)| !tag.starts_with("sha256") && tag.contains('_'))
}

/// `_` back to `+`: tags and versions compare in helm's spelling.
fn normalize(text: &str) -> String {
    text.replace('_', "+")
}

/// helm's tag resolution (`Client.Tags` + `GetTagMatchingVersionOrConstraint`):
/// tags read with `_` as `+`, only strict SemVer kept, sorted newest first;
/// an exact match of the asked version wins, else the first tag satisfying
/// it as a constraint. No version means `*` (no prereleases); `--devel`
/// means `>0.0.0-0`.
pub fn resolve_tag(
    tags: &[String],
    version: Option<&str>,
    devel: bool,
    shown_repo: &str,
) -> Result<String, RegistryError> {
    let mut candidates: Vec<(semver::Version, &String)> = tags
        .iter()
        .filter_map(|t| semver::Version::parse(&normalize(t)).ok().map(|v| (v, t)))
        .collect();
    candidates.sort_by(|a, b| b.0.cmp_precedence(&a.0).then_with(|| b.1.cmp(a.1)));
    if let Some(version) = version {
        let wanted = normalize(version.trim());
        if let Some((_, tag)) = candidates.iter().find(|(_, t)| normalize(t) == wanted) {
            return Ok((*tag).clone());
        }
    }
    let text = match version {
        Some(v) => normalize(v.trim()),
        None if devel => ">0.0.0-0".to_string(),
        None => "*".to_string(),
    };
    let constraint = crate::version_range::Constraint::parse(&text)
        .map_err(|e| RegistryError::Invalid(format!("{e} (for {shown_repo})")))?;
    for (version, tag) in &candidates {
        if let Ok(loose) = crate::version_range::LooseVersion::parse(&version.to_string())
            && constraint.matches(&loose)
        {
            return Ok((*tag).clone());
        }
    }
    let wanted = match version {
        Some(_) => format!("a version matching {}", crate::archive::sanitize(&text)),
        None if devel => "any version".to_string(),
        // Only prereleases may exist: say how to get them.
        None => "a stable version (--devel includes prereleases)".to_string(),
    };
    Err(RegistryError::NotFound(format!(
        "could not locate {wanted} in {shown_repo}"
    )))
}

/// The parts of an OCI image manifest a chart pull needs.
#[derive(Debug, Clone)]
pub struct ParsedManifest {
    /// The config descriptor.
    pub config: Descriptor,
    /// The layer descriptors.
    pub layers: Vec<Descriptor>,
}

/// Reads a manifest's config and layer descriptors.
pub fn parse_manifest(bytes: &[u8]) -> Result<ParsedManifest, String> {
    let json: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let descriptor = |v: &serde_json::Value| -> Result<Descriptor, String> {
        let media_type = v
            .get("mediaType")
            .and_then(|m| m.as_str())
            .ok_or("a descriptor has no mediaType")?;
        let digest = v
            .get("digest")
            .and_then(|m| m.as_str())
            .ok_or("a descriptor has no digest")?;
        let size = v
            .get("size")
            .and_then(|m| m.as_u64())
            .ok_or("a descriptor has no size")?;
        Ok(Descriptor {
            media_type: media_type.to_string(),
            digest: digest.to_string(),
            size,
        })
    };
    let config = descriptor(json.get("config").ok_or("no config")?)?;
    let layers = json
        .get("layers")
        .and_then(|l| l.as_array())
        .ok_or("no layers")?
        .iter()
        .map(descriptor)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ParsedManifest { config, layers })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(yaml: &str) -> Metadata {
        crate::chart::parse_metadata(yaml, "Chart.yaml").unwrap()
    }

    #[test]
    fn config_json_follows_helms_struct() {
        // The config helm pushed for `helm create demo` (research §2.1).
        let m = md(
            "apiVersion: v2\nname: demo\ndescription: A Helm chart for Kubernetes\ntype: application\nversion: 0.1.0\nappVersion: \"1.16.0\"\n",
        );
        assert_eq!(
            config_json(&m),
            r#"{"name":"demo","version":"0.1.0","description":"A Helm chart for Kubernetes","apiVersion":"v2","appVersion":"1.16.0","type":"application"}"#
        );
        let m = md(r#"apiVersion: v2
name: full
version: 1.0.0
home: https://x.example/?a=1&b=<2>
sources: [https://src.example]
keywords: [a, b]
maintainers:
  - name: Ann
    email: ann@x.example
  - name: Bob
deprecated: true
annotations: {z: "1", a: "2"}
kubeVersion: ">=1.20"
dependencies:
  - name: sub
    version: ~1.0
    repository: ""
    enabled: true
    import-values: [data, {child: c.x, parent: p.y}]
    alias: s
"#);
        assert_eq!(
            config_json(&m),
            r#"{"name":"full","home":"https://x.example/?a=1\u0026b=\u003c2\u003e","sources":["https://src.example"],"version":"1.0.0","keywords":["a","b"],"maintainers":[{"name":"Ann","email":"ann@x.example"},{"name":"Bob"}],"apiVersion":"v2","deprecated":true,"annotations":{"a":"2","z":"1"},"kubeVersion":"\u003e=1.20","dependencies":[{"name":"sub","version":"~1.0","repository":"","enabled":true,"import-values":["data",{"child":"c.x","parent":"p.y"}],"alias":"s"}]}"#
        );
    }

    #[test]
    fn manifest_matches_the_research_sample_shape() {
        let m = md(
            "apiVersion: v2\nname: demo\ndescription: A Helm chart for Kubernetes\ntype: application\nversion: 0.1.0\nappVersion: \"1.16.0\"\n",
        );
        let a = build_artifact(b"chart".to_vec(), None, &m, "2026-11-27T10:37:53Z");
        let text = String::from_utf8(a.manifest.clone()).unwrap();
        assert!(text.starts_with(r#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:"#), "{text}");
        assert!(text.ends_with(r#""annotations":{"org.opencontainers.image.created":"2026-11-27T10:37:53Z","org.opencontainers.image.description":"A Helm chart for Kubernetes","org.opencontainers.image.title":"demo","org.opencontainers.image.version":"0.1.0"}}"#), "{text}");
        // A prov layer sorts with the chart layer by digest.
        let a = build_artifact(b"chart".to_vec(), Some(b"prov".to_vec()), &m, "t");
        assert_eq!(a.layers.len(), 2);
        assert!(a.layers[0].0.digest < a.layers[1].0.digest);
    }

    #[test]
    fn annotations_keep_title_and_version() {
        let m = md(
            "apiVersion: v2\nname: demo\nversion: 1.0.0\nsources: [s1, s2]\nmaintainers: [{name: A, email: a@x}, {name: B}]\nannotations:\n  org.opencontainers.image.title: other\n  org.opencontainers.image.description: mine\n  extra: \"\"\n",
        );
        let a = annotations(&m, "T");
        assert_eq!(a["org.opencontainers.image.title"], "demo");
        assert_eq!(a["org.opencontainers.image.description"], "mine");
        assert_eq!(a["org.opencontainers.image.source"], "s1");
        assert_eq!(a["org.opencontainers.image.authors"], "A (a@x), B");
        assert_eq!(a["extra"], "");
    }

    #[test]
    fn tag_resolution_like_helm() {
        let tags: Vec<String> = [
            "0.3.0-rc.1",
            "0.4.0",
            "0.2.0_build.1",
            "0.1.0",
            "latest",
            "1.0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let r = |v: Option<&str>, devel: bool| resolve_tag(&tags, v, devel, "oci://r/demo");
        assert_eq!(r(None, false).unwrap(), "0.4.0");
        assert_eq!(r(None, true).unwrap(), "0.4.0");
        assert_eq!(r(Some("^0.2"), false).unwrap(), "0.2.0_build.1");
        assert_eq!(r(Some("0.2.0+build.1"), false).unwrap(), "0.2.0_build.1");
        assert_eq!(r(Some("0.2.0_build.1"), false).unwrap(), "0.2.0_build.1");
        assert_eq!(r(Some("~0.3.0-0"), false).unwrap(), "0.3.0-rc.1");
        assert_eq!(r(Some("<0.4.0-0"), true).unwrap(), "0.3.0-rc.1");
        let err = r(Some(">5"), false).unwrap_err().to_string();
        assert!(
            err.contains("could not locate a version matching >5"),
            "{err}"
        );
        assert!(r(Some("not a range!"), false).is_err());
        let only_pre = vec!["1.0.0-rc.1".to_string()];
        let err = resolve_tag(&only_pre, None, false, "x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("stable version (--devel"), "{err}");
        assert_eq!(
            resolve_tag(&only_pre, None, true, "x").unwrap(),
            "1.0.0-rc.1"
        );
    }

    #[test]
    fn rfc3339_of_a_file_time() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_000_000);
        let text = rfc3339_local(t).unwrap();
        assert!(text.starts_with("2026-") && text.len() >= 20, "{text}");
    }
}
