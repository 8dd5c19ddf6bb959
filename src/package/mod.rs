//! `skiff package`, `skiff repo index` and `skiff dep`: chart archives as
//! Helm writes them (`pkg/chart/v2/util/save.go`), repository indexes
//! (`pkg/repo/v1/index.go`) and `file://` dependencies with `Chart.lock`
//! (`pkg/downloader/manager.go`, `internal/resolver`).
//!
//! Archives are byte-reproducible (see [`crate::archive`]); everything read
//! back from an archive goes through the bounded safe reader.

pub mod deps;
mod error;
pub mod index;
pub mod remote_deps;

pub use error::PackageError;

use crate::archive::{self, Entry, Limits};
use crate::chart::{self, ChartFile, Metadata};
use crate::value::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Options of `skiff package`.
#[derive(Debug, Clone, Default)]
pub struct PackageOptions {
    /// `--version`: replaces `version:` of Chart.yaml (must be SemVer 2).
    pub version: Option<String>,
    /// `--app-version`: replaces `appVersion:`.
    pub app_version: Option<String>,
    /// `-d/--destination`: the output directory (created when missing).
    pub destination: PathBuf,
    /// The mtime written into every entry (see [`archive::mtime_from_env`]).
    pub mtime: u64,
}

/// An archive built in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// The chart name.
    pub name: String,
    /// The chart version (after `--version`).
    pub version: String,
    /// The `.tgz` bytes.
    pub bytes: Vec<u8>,
}

impl Packed {
    /// Helm's archive file name, `<name>-<version>.tgz`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }
}

/// `skiff package`: archives the chart at `chart_dir` into
/// `<destination>/<name>-<version>.tgz` (written atomically) and returns
/// the path.
pub fn package(chart_dir: &Path, opts: &PackageOptions) -> Result<PathBuf, PackageError> {
    let packed = pack(chart_dir, opts)?;
    let dest = if opts.destination.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        opts.destination.clone()
    };
    std::fs::create_dir_all(&dest).map_err(|e| PackageError::io(&dest, &e))?;
    let path = dest.join(packed.file_name());
    archive::write_atomic(&path, &packed.bytes)?;
    Ok(path)
}

/// Builds the archive of a chart directory (or re-packs a `.tgz`) in
/// memory. The chart is loaded and checked first like `helm package` does
/// (every dependency of Chart.yaml present in `charts/`).
pub fn pack(chart_dir: &Path, opts: &PackageOptions) -> Result<Packed, PackageError> {
    let loaded = chart::load(chart_dir)?;
    chart::check_dependencies(&loaded)?;
    let files = chart::read_files(chart_dir)?;
    let display = chart_dir.display().to_string();
    let mut entries = Vec::new();
    let md = pack_files(files, "", &display, Some(opts), &mut entries, 0)?;
    let bytes = archive::write_tgz(&entries, opts.mtime)?;
    Ok(Packed {
        name: md.name,
        version: md.version,
        bytes,
    })
}

/// Subcharts nest at most this deep (a `.tgz` inside a `.tgz` inside …).
const MAX_DEPTH: usize = 32;

/// Appends the entries of one chart (and, recursively, its subcharts) under
/// `prefix`, in Helm's `writeTarContents` order: Chart.yaml, Chart.lock
/// (v2), values.yaml, values.schema.json, templates, other files, then each
/// subchart under `charts/<name>/`. Returns the (overridden) metadata.
fn pack_files(
    files: Vec<ChartFile>,
    prefix: &str,
    display: &str,
    overrides: Option<&PackageOptions>,
    out: &mut Vec<Entry>,
    depth: usize,
) -> Result<Metadata, PackageError> {
    let chart_file = format!("{display}/Chart.yaml");
    if depth > MAX_DEPTH {
        return Err(PackageError::invalid(
            display,
            "subcharts nested too deeply",
        ));
    }
    let Some(chart_yaml) = files.iter().find(|f| f.name == "Chart.yaml") else {
        return Err(PackageError::invalid(
            &chart_file,
            "Chart.yaml file is missing",
        ));
    };
    let mut md = chart::parse_metadata(&chart_yaml.text(), &chart_file)?;
    if let Some(o) = overrides {
        if let Some(v) = &o.version {
            if !chart::is_helm_semver(v) {
                return Err(PackageError::invalid(
                    &chart_file,
                    format!(
                        "--version {:?} is not a valid SemVer 2 version",
                        archive::sanitize(v)
                    ),
                ));
            }
            md.version = v.clone();
        }
        if let Some(v) = &o.app_version {
            md.app_version = Some(v.clone());
        }
    }
    // Helm's `validateName` in save.go: the name becomes a directory.
    if md.name.is_empty() || matches!(md.name.as_str(), "." | "..") || md.name.contains(['/', '\\'])
    {
        return Err(PackageError::invalid(
            &chart_file,
            format!("chart name {:?} is not valid", archive::sanitize(&md.name)),
        ));
    }
    let base = format!("{prefix}{}/", md.name);
    let is_v1 = md.api_version == "v1";

    let mut meta = crate::show::metadata_value(&md);
    if is_v1 {
        // Helm clears v1 dependencies before marshalling: they live in
        // requirements.yaml, which is shipped as a file.
        if let Value::Map(m) = &mut meta {
            m.shift_remove("dependencies");
        }
    }
    out.push(Entry::new(
        format!("{base}Chart.yaml"),
        crate::yaml::to_yaml(&meta),
    ));
    if !is_v1 && let Some(lock) = files.iter().find(|f| f.name == "Chart.lock") {
        let text = remarshal_lock(&lock.text(), &format!("{display}/Chart.lock"))?;
        out.push(Entry::new(format!("{base}Chart.lock"), text));
    }
    if let Some(v) = files.iter().find(|f| f.name == "values.yaml") {
        out.push(Entry::new(format!("{base}values.yaml"), v.data.to_vec()));
    }
    if let Some(s) = files.iter().find(|f| f.name == "values.schema.json") {
        if serde_json::from_slice::<serde::de::IgnoredAny>(&s.data).is_err() {
            return Err(PackageError::invalid(
                &format!("{display}/values.schema.json"),
                "invalid JSON in values.schema.json",
            ));
        }
        out.push(Entry::new(
            format!("{base}values.schema.json"),
            s.data.to_vec(),
        ));
    }
    let mut others = Vec::new();
    let mut subcharts: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();
    for f in files {
        let name = f.name.as_str();
        match name {
            "Chart.yaml" | "Chart.lock" | "values.yaml" | "values.schema.json" => {}
            "requirements.yaml" | "requirements.lock" => {
                if is_v1 {
                    others.push(f);
                }
            }
            _ if name.starts_with("templates/") => {
                out.push(Entry::new(format!("{base}{name}"), f.data.to_vec()));
            }
            _ if name.starts_with("charts/") && !name.ends_with(".prov") => {
                let rest = &name["charts/".len()..];
                let entry = rest.split('/').next().unwrap_or(rest).to_string();
                subcharts.entry(entry).or_default().push(ChartFile {
                    name: rest.to_string(),
                    data: f.data,
                });
            }
            _ => others.push(f),
        }
    }
    for f in others {
        out.push(Entry::new(format!("{base}{}", f.name), f.data.to_vec()));
    }
    // Helm ranges over a Go map here (random order); sorting by the
    // `charts/` entry name keeps archives reproducible.
    let sub_prefix = format!("{base}charts/");
    for (entry, group) in subcharts {
        // Helm's loader skips `_` and `.` entries; they are not shipped.
        if entry.starts_with('_') || entry.starts_with('.') {
            continue;
        }
        let sub_display = format!("{display}/charts/{entry}");
        let inner = if entry.ends_with(".tgz") {
            let data = group
                .into_iter()
                .find(|f| f.name == entry)
                .map(|f| f.data)
                .unwrap_or_default();
            // A packed subchart is expanded into the parent, like Helm.
            let raw = archive::read_tgz(&data, &Limits::default())
                .map_err(|e| e.in_file(&sub_display))?;
            let (_, inner) = archive::strip_chart_dir(raw).map_err(|e| e.in_file(&sub_display))?;
            inner
                .into_iter()
                .map(|e| ChartFile {
                    name: e.name,
                    data: e.data.into(),
                })
                .collect()
        } else {
            group
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(ChartFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect()
        };
        pack_files(inner, &sub_prefix, &sub_display, None, out, depth + 1)?;
    }
    Ok(md)
}

/// Go's zero `time.Time` as `encoding/json` writes it.
const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Re-marshals a `Chart.lock` as Helm's `yaml.Marshal(c.Lock)` does: only
/// the `Lock` struct's fields, keys sorted, dependency entries with Helm's
/// `Dependency` fields (`repository` always present).
fn remarshal_lock(text: &str, file: &str) -> Result<String, PackageError> {
    let doc = crate::yaml::parse_document(text).map_err(|e| {
        PackageError::invalid(file, format!("cannot parse Chart.lock: {}", e.message))
    })?;
    let get = |k: &str| doc.as_map().and_then(|m| m.get(k));
    let mut lock = Map::default();
    let deps = match get("dependencies") {
        Some(Value::Seq(items)) => Value::Seq(items.iter().map(normalize_dependency).collect()),
        _ => Value::Null,
    };
    lock.insert("dependencies".into(), deps);
    lock.insert(
        "digest".into(),
        Value::from(get("digest").and_then(Value::as_str).unwrap_or("")),
    );
    lock.insert(
        "generated".into(),
        Value::from(
            get("generated")
                .and_then(Value::as_str)
                .unwrap_or(GO_ZERO_TIME),
        ),
    );
    Ok(crate::yaml::to_yaml(&Value::Map(lock)))
}

/// One dependency with exactly Helm's `Dependency` JSON fields and
/// `omitempty` rules, in struct order.
pub(crate) fn normalize_dependency(v: &Value) -> Value {
    let mut out = Map::default();
    let Some(m) = v.as_map() else {
        return Value::Map(out);
    };
    let string = |k: &str| m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    out.insert("name".into(), Value::from(string("name").unwrap_or("")));
    if let Some(s) = string("version") {
        out.insert("version".into(), Value::from(s));
    }
    out.insert(
        "repository".into(),
        Value::from(string("repository").unwrap_or("")),
    );
    if let Some(s) = string("condition") {
        out.insert("condition".into(), Value::from(s));
    }
    for key in ["tags", "import-values"] {
        if let Some(Value::Seq(items)) = m.get(key)
            && !items.is_empty()
        {
            out.insert(key.into(), Value::Seq(items.clone()));
        }
    }
    if m.get("enabled").and_then(Value::as_bool) == Some(true) {
        out.insert("enabled".into(), Value::Bool(true));
    }
    if let Some(s) = string("alias") {
        out.insert("alias".into(), Value::from(s));
    }
    Value::Map(out)
}

#[cfg(test)]
mod tests;
