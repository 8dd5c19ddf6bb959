//! A chart repository's `index.yaml`, read once into a compact form.
//!
//! Helm (`pkg/repo/v1/index.go` `loadIndex`) unmarshals the whole index into
//! full `ChartVersion` structs through a YAML → JSON conversion; a 15 MB
//! index then costs ~5 s and ~430 MB (research §4.3). Here the index is
//! deserialized straight from the parser's events into [`IndexEntry`] — only
//! the fields that resolution, download and listing need — and every other
//! field is skipped without being built. The result is stored next to the
//! raw index as JSON ([`RepoIndex::to_compact`]) so later commands read a
//! file a fraction of the size.
//!
//! Differences from helm, on purpose:
//! - Unknown fields are ignored in YAML too (helm's `yaml.UnmarshalStrict`
//!   rejects the whole index; its JSON path ignores them).
//! - A version whose build metadata is not a list of `[0-9A-Za-z-]`
//!   identifiers is invalid, as Masterminds' parser says; such entries are
//!   skipped with a warning, like every entry helm's `Validate` refuses.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::RegistryError;
use crate::version_range::{Constraint, LooseVersion};

/// The version of the compact format; a cache file of another version is
/// rebuilt from the raw index.
pub const COMPACT_FORMAT: u32 = 1;

/// One chart version of an index, reduced to what skiff uses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexEntry {
    /// The version text exactly as the index writes it.
    pub version: String,
    /// Download URLs; helm only ever uses the first.
    pub urls: Vec<String>,
    /// The archive's sha256 (bare hex, as `helm repo index` writes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// `appVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `deprecated: true`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
}

/// A parsed repository index: chart name → versions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RepoIndex {
    /// [`COMPACT_FORMAT`] when written by this version of skiff.
    pub format: u32,
    /// The sha256 of the raw index this was read from.
    pub source_sha256: String,
    /// The charts, each with its valid versions sorted newest first
    /// (versions that do not parse cannot occur: they are skipped).
    pub entries: BTreeMap<String, Vec<IndexEntry>>,
}

/// An index and what was skipped while reading it.
#[derive(Debug, Clone)]
pub struct ParsedIndex {
    /// The usable entries.
    pub index: RepoIndex,
    /// One line per skipped entry, already sanitized for printing.
    pub warnings: Vec<String>,
}

// ---- the raw shape, deserialized straight from the parser -------------

#[derive(Deserialize)]
struct RawIndex {
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(default)]
    entries: Option<BTreeMap<String, Option<Vec<Option<RawEntry>>>>>,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(rename = "appVersion", default)]
    app_version: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    deprecated: Option<bool>,
    #[serde(default)]
    urls: Option<Vec<String>>,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    maintainers: Option<Vec<Option<IgnoredAny>>>,
    #[serde(default)]
    dependencies: Option<Vec<Option<RawDependency>>>,
}

#[derive(Deserialize)]
struct RawDependency {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    alias: Option<String>,
}

/// Helm's `sanitizeString`: whitespace becomes a space, other
/// non-printable characters are dropped (`Metadata.Validate` does this to
/// name, description, appVersion, … before using them).
fn helm_sanitize(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{feff}') {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// Parses a version as Masterminds' `NewVersion` does (an optional `v`,
/// one to three numbers, prerelease and build identifiers).
pub fn parse_version(text: &str) -> Option<LooseVersion> {
    if text.trim() != text {
        return None;
    }
    if let Some((_, build)) = text.split_once('+') {
        let ok = build
            .split('.')
            .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        if !ok {
            return None;
        }
    }
    LooseVersion::parse(text).ok()
}

/// Masterminds' `Version.Compare` (build metadata does not order).
pub fn compare_versions(a: &LooseVersion, b: &LooseVersion) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => a.pre.cmp(&b.pre),
        })
}

/// Why helm's `Metadata.Validate` would refuse this entry, if it would.
fn invalid_reason(e: &RawEntry, version: &str) -> Option<String> {
    let name = helm_sanitize(e.name.as_deref().unwrap_or(""));
    if name.is_empty() {
        return Some("chart.metadata.name is required".into());
    }
    if name == "." || name == ".." {
        return Some(format!("chart.metadata.name {name:?} is not allowed"));
    }
    // Helm: the name must equal its `filepath.Base`; a backslash is refused
    // too so that no platform reads it as a separator.
    if name.contains('/') || name.contains('\\') {
        return Some(format!("chart.metadata.name {name:?} is invalid"));
    }
    if version.is_empty() {
        return Some("chart.metadata.version is required".into());
    }
    if parse_version(version).is_none() {
        return Some(format!("chart.metadata.version {version:?} is invalid"));
    }
    if !matches!(
        e.kind.as_deref().unwrap_or(""),
        "" | "application" | "library"
    ) {
        return Some("chart.metadata.type must be application or library".into());
    }
    if e.maintainers.iter().flatten().any(Option::is_none) {
        return Some("maintainers must not contain empty or null nodes".into());
    }
    // Helm refuses duplicate dependency names/aliases in charts but
    // ignores that error in indexes (helm/helm#12748: JFrog strips
    // aliases), so it is not checked here.
    for d in e.dependencies.iter().flatten() {
        let Some(d) = d else {
            return Some("dependencies must not contain empty or null nodes".into());
        };
        let dep_name = d.name.as_deref().unwrap_or("");
        if let Some(alias) = d.alias.as_deref().filter(|a| !a.is_empty())
            && !alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Some(format!(
                "dependency {dep_name:?} has disallowed characters in the alias"
            ));
        }
    }
    None
}

/// How large an index may be (TrueCharts' reached 50.6 MB: fluxcd/flux2#4635).
pub const MAX_INDEX_SIZE: u64 = 256 * 1024 * 1024;

fn yaml_options(input_len: usize) -> serde_saphyr::Options {
    let mut o = serde_saphyr::Options::default();
    // A repeated key is an error, as in helm's strict YAML reader. (The
    // last-wins policy would also make serde-saphyr buffer every mapping
    // read into a struct — the whole index — before deserializing it.)
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    // Keep the alias/anchor guards (billion-laughs) but allow the event and
    // node counts of a bitnami-sized index: every event or node of real
    // text takes at least one byte of input, so the input's length bounds
    // them, and alias replays cannot expand far beyond the file.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = input_len.saturating_add(10_000);
    budget.max_nodes = input_len.saturating_add(10_000);
    budget.max_total_scalar_bytes = MAX_INDEX_SIZE as usize;
    budget.max_reader_input_bytes = Some(MAX_INDEX_SIZE as usize);
    o.budget = Some(budget);
    o
}

/// Reads an index from its bytes. `source` (a redacted URL or a path)
/// names it in warnings and errors.
///
/// Like helm's `jsonOrYamlUnmarshal`: bytes that are valid JSON are read as
/// JSON, anything else as YAML. A value of the wrong shape where a string
/// or list is expected fails the whole index (as in helm); an entry that
/// fails helm's validation is skipped with a warning.
pub fn parse_index(bytes: &[u8], source: &str) -> Result<ParsedIndex, RegistryError> {
    let parse_error =
        |message: String, line: Option<usize>, column: Option<usize>| RegistryError::Parse {
            origin: source.to_string(),
            line,
            column,
            message,
        };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(parse_error("the index is empty".into(), None, None));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let looks_json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    let json = if looks_json {
        match serde_json::from_slice::<RawIndex>(bytes) {
            Ok(raw) => Some(raw),
            // Not JSON after all (YAML flow mappings start with `{` too)
            // unless it is syntactically JSON with a wrong-typed field.
            Err(e) if e.is_data() => {
                return Err(parse_error(
                    e.to_string(),
                    Some(e.line()).filter(|l| *l > 0),
                    Some(e.column()).filter(|c| *c > 0),
                ));
            }
            Err(_) => None,
        }
    } else {
        None
    };
    let raw = match json {
        Some(raw) => raw,
        None => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| parse_error("the index is not UTF-8 text".into(), None, None))?;
            serde_saphyr::from_str_with_options::<RawIndex>(text, yaml_options(text.len()))
                .map_err(|e| {
                    let loc = e.location();
                    let message = crate::yaml::error_message(&e);
                    parse_error(
                        message,
                        loc.map(|l| l.line() as usize).filter(|l| *l > 0),
                        loc.map(|l| l.column() as usize).filter(|c| *c > 0),
                    )
                })?
        }
    };
    // Helm reports a missing apiVersion (ErrNoAPIVersion) after reading.
    if raw.api_version.as_deref().unwrap_or("").is_empty() {
        return Err(parse_error("no API version specified".into(), None, None));
    }
    let mut warnings = Vec::new();
    let mut entries = BTreeMap::new();
    for (name, list) in raw.entries.unwrap_or_default() {
        let mut versions: Vec<(LooseVersion, IndexEntry)> = Vec::new();
        for raw_entry in list.unwrap_or_default() {
            let Some(e) = raw_entry else {
                warnings.push(format!(
                    "skipping loading invalid entry for chart {:?} from {source}: empty entry",
                    name
                ));
                continue;
            };
            let version = e.version.clone().unwrap_or_default();
            if let Some(reason) = invalid_reason(&e, &version) {
                warnings.push(format!(
                    "skipping loading invalid entry for chart {name:?} {version:?} from {source}: {reason}"
                ));
                continue;
            }
            let Some(parsed) = parse_version(&version) else {
                continue;
            };
            let entry = IndexEntry {
                version,
                urls: e.urls.unwrap_or_default(),
                digest: e.digest.filter(|d| !d.is_empty()),
                app_version: e
                    .app_version
                    .map(|a| helm_sanitize(&a))
                    .filter(|a| !a.is_empty()),
                description: e
                    .description
                    .map(|d| helm_sanitize(&d))
                    .filter(|d| !d.is_empty()),
                deprecated: e.deprecated.unwrap_or(false),
            };
            versions.push((parsed, entry));
        }
        // Helm's SortEntries: newest first by semver (stable here, so equal
        // versions keep index order).
        versions.sort_by(|a, b| compare_versions(&b.0, &a.0));
        entries.insert(name, versions.into_iter().map(|(_, e)| e).collect());
    }
    let warnings = warnings
        .into_iter()
        .map(|w| crate::archive::sanitize(&w))
        .collect();
    Ok(ParsedIndex {
        index: RepoIndex {
            format: COMPACT_FORMAT,
            source_sha256: super::sha256_hex(bytes),
            entries,
        },
        warnings,
    })
}

/// Why [`RepoIndex::get`] found nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// No chart of that name (helm's `ErrNoChartName`).
    NoChartName,
    /// The chart has no versions (helm's `ErrNoChartVersion`).
    NoChartVersion,
    /// No version matches (`no chart version found for NAME-VERSION`).
    NoMatch,
    /// The requested version is neither an exact version nor a constraint.
    BadConstraint(String),
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::NoChartName => f.write_str("no chart name found"),
            LookupError::NoChartVersion => f.write_str("no chart version found"),
            LookupError::NoMatch => f.write_str("no chart version found"),
            LookupError::BadConstraint(m) => f.write_str(m),
        }
    }
}

/// What a lookup returned: the entry, and whether it was a fallback from an
/// exact request to a constraint match (helm logs a warning then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    /// The chosen version.
    pub entry: &'a IndexEntry,
    /// A version was requested and no exact match existed.
    pub fallback: bool,
}

impl RepoIndex {
    /// Helm's `IndexFile.Get`: with a version, an exact string match wins;
    /// otherwise the version is a constraint (none: `*`, which excludes
    /// prereleases) and the newest matching entry is returned.
    pub fn get(&self, name: &str, version: &str) -> Result<Found<'_>, LookupError> {
        let versions = self.entries.get(name).ok_or(LookupError::NoChartName)?;
        if versions.is_empty() {
            return Err(LookupError::NoChartVersion);
        }
        let constraint = Constraint::parse(if version.is_empty() { "*" } else { version })
            .map_err(LookupError::BadConstraint)?;
        if !version.is_empty()
            && let Some(entry) = versions.iter().find(|e| e.version == version)
        {
            return Ok(Found {
                entry,
                fallback: false,
            });
        }
        for entry in versions {
            let Some(v) = parse_version(&entry.version) else {
                continue;
            };
            if constraint.matches(&v) {
                return Ok(Found {
                    entry,
                    fallback: !version.is_empty(),
                });
            }
        }
        Err(LookupError::NoMatch)
    }

    /// The compact JSON form kept in the cache.
    pub fn to_compact(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads the compact form; `None` when it is not one (or of another
    /// format version), so the caller rebuilds it.
    pub fn from_compact(bytes: &[u8]) -> Option<RepoIndex> {
        serde_json::from_slice::<RepoIndex>(bytes)
            .ok()
            .filter(|i| i.format == COMPACT_FORMAT)
    }
}

#[cfg(test)]
#[path = "repo_index_tests.rs"]
mod tests;
