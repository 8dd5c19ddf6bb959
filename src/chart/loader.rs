//! Loading a chart from a directory or a `.tgz` archive, after Helm v4.1.4's
//! `pkg/chart/v2/loader` (`directory.go`, `archive.go`, `load.go`) and
//! `pkg/chart/loader/archive`.
//!
//! Both sources are first reduced to a list of in-memory files named
//! relative to the chart root (`templates/cm.yaml`); [`load_files`] then
//! sorts them into the [`Chart`] model exactly where Helm's `LoadFiles` puts
//! them. Archives are never unpacked to disk.

use super::contents::strip_bom;
use super::helmignore::HelmIgnore;
use super::metadata::MetadataDraft;
use super::{Chart, ChartError, ChartFile, Contents};
use crate::hashing::HashSet;
use crate::value::{Map, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Helm's `MaxDecompressedFileSize`: no single file may exceed 5 MiB.
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// Helm's `MaxDecompressedChartSize`: an archive may expand to at most 100 MiB.
pub const MAX_ARCHIVE_SIZE: u64 = 100 * 1024 * 1024;

/// A file read from a chart source, before it is classified.
#[derive(Debug, Clone)]
struct RawFile {
    name: String,
    data: Contents,
}

/// Loads a chart directory or `.tgz` archive (with its subcharts).
///
/// Like `helm template`, the root chart's `apiVersion` must be `v1`, `v2` or
/// missing: `v3` is refused with Helm's `invalid chart apiVersion`, anything
/// else with `unsupported chart version`.
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    load_from(path, &mut |_, _| {}, false)
}

/// [`load`] for a render, showing `seen` each file of the source
/// (chart-relative path, contents) as soon as it is read, before the chart
/// is put together: a caller can start work on a file while the rest are
/// still being read. For a directory that is during the walk; for an
/// archive, once it is unpacked. Archived subcharts inside `charts/` are
/// not shown.
///
/// From a directory, files of [`DEFER_MIN_SIZE`] or more that the loader
/// does not parse itself are opened but read only when their bytes are
/// first asked for ([`Contents`]), and are not shown to `seen`.
pub fn load_with(path: &Path, seen: &mut dyn FnMut(&str, &Arc<[u8]>)) -> Result<Chart, ChartError> {
    load_from(path, seen, true)
}

/// [`load_with`], deferring large unparsed files when `defer`.
fn load_from(
    path: &Path,
    seen: &mut dyn FnMut(&str, &Arc<[u8]>),
    defer: bool,
) -> Result<Chart, ChartError> {
    let display = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| io_error(&display, &e))?;
    let files = if meta.is_dir() {
        read_dir_files(path, &display, seen, defer)?
    } else {
        let bytes = std::fs::read(path).map_err(|e| io_error(&display, &e))?;
        ensure_gzip(&bytes, &display)?;
        let files = read_checked_archive(&bytes, &display)?;
        for f in &files {
            seen(&f.name, f.data.get());
        }
        files
    };
    check_root_api_version(&files, &display)?;
    load_files(files, path.to_path_buf(), &display)
}

/// The chart's files exactly as the loader reads them, before they are
/// sorted into a [`Chart`]: for a directory in walk order with
/// `.helmignore` applied, for an archive in archive order with the top
/// directory dropped. `skiff package` writes these, in Helm's order.
pub fn read_files(path: &Path) -> Result<Vec<ChartFile>, ChartError> {
    let display = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| io_error(&display, &e))?;
    let files = if meta.is_dir() {
        read_dir_files(path, &display, &mut |_, _| {}, false)?
    } else {
        let bytes = std::fs::read(path).map_err(|e| io_error(&display, &e))?;
        ensure_gzip(&bytes, &display)?;
        read_checked_archive(&bytes, &display)?
    };
    Ok(files
        .into_iter()
        .map(|f| ChartFile {
            name: f.name,
            data: f.data,
        })
        .collect())
}

fn io_error(file: &str, e: &std::io::Error) -> ChartError {
    ChartError::Io {
        file: file.to_string(),
        message: format!("{file}: {e}"),
    }
}

/// Helm v4 sniffs `apiVersion` before choosing a loader; only the root
/// chart goes through this (subcharts are always read as v1/v2 charts).
fn check_root_api_version(files: &[RawFile], display: &str) -> Result<(), ChartError> {
    let Some(chart_yaml) = files.iter().find(|f| f.name == "Chart.yaml") else {
        return Ok(());
    };
    let file = format!("{display}/Chart.yaml");
    let mut draft = MetadataDraft::default();
    draft.apply_yaml(
        &String::from_utf8_lossy(&chart_yaml.data),
        "Chart.yaml",
        &file,
    )?;
    let message = match draft.api_version() {
        "" | "v1" | "v2" => return Ok(()),
        // Helm 4.1.4 loads Chart API v3 but `template`/`package` refuse it.
        "v3" => "invalid chart apiVersion",
        _ => "unsupported chart version",
    };
    Err(ChartError::ApiVersion {
        file,
        message: message.to_string(),
    })
}

/// Helm's `EnsureArchive`: a friendly error when a non-gzip file (often a
/// values file given in the chart position) is passed as a chart.
fn ensure_gzip(bytes: &[u8], display: &str) -> Result<(), ChartError> {
    if bytes.starts_with(b"\x1f\x8b\x08") {
        return Ok(());
    }
    let message = if display.ends_with(".yml") || display.ends_with(".yaml") {
        format!("file '{display}' seems to be a YAML file, but expected a gzipped archive")
    } else {
        format!("file '{display}' does not appear to be a gzipped archive")
    };
    Err(ChartError::Archive {
        file: display.to_string(),
        message,
    })
}

/// Reads a chart directory the way Helm's `LoadDir` does: a lexical walk
/// that follows symbolic links, applies `.helmignore` (plus the default
/// `templates/.?*` rule), skips ignored directories whole, refuses
/// irregular files and files over 5 MiB, and strips a UTF-8 BOM.
fn read_dir_files(
    root: &Path,
    display: &str,
    seen: &mut dyn FnMut(&str, &Arc<[u8]>),
    defer: bool,
) -> Result<Vec<RawFile>, ChartError> {
    let mut rules = HelmIgnore::empty();
    let ignore_file = root.join(".helmignore");
    if ignore_file.exists() {
        let ignore_display = format!("{display}/.helmignore");
        let bytes = std::fs::read(&ignore_file).map_err(|e| io_error(&ignore_display, &e))?;
        rules = HelmIgnore::parse(&String::from_utf8_lossy(&bytes))
            .map_err(|e| e.with_file(&ignore_display))?;
    }
    rules.add_defaults();

    let mut walker = DirWalker {
        rules,
        display,
        files: Vec::new(),
        active: HashSet::default(),
        seen,
        defer,
    };
    let meta = std::fs::metadata(root).map_err(|e| io_error(display, &e))?;
    walker.walk(root, "", &meta)?;
    Ok(walker.files)
}

/// State of one directory walk.
struct DirWalker<'a> {
    rules: HelmIgnore,
    display: &'a str,
    files: Vec<RawFile>,
    /// Directories (device and inode) on the current descent, to stop
    /// symlink cycles (Helm would recurse until the path is too long).
    active: HashSet<(u64, u64)>,
    /// Shown each file as it is read.
    seen: &'a mut dyn FnMut(&str, &Arc<[u8]>),
    /// Whether large files the loader does not parse are read later.
    defer: bool,
}

impl DirWalker<'_> {
    fn shown(&self, rel: &str) -> String {
        format!("{}/{rel}", self.display)
    }

    /// Walks the directory `dir` whose chart-relative name is `rel` (`""`
    /// for the root). Entries are visited in byte order of their names, as
    /// Go's `sort.Strings` orders them.
    fn walk(&mut self, dir: &Path, rel: &str, meta: &std::fs::Metadata) -> Result<(), ChartError> {
        use std::os::unix::fs::MetadataExt as _;
        // The directory's identity from what was already asked of it: a
        // canonical path took a `readlink` per path component, per directory.
        let identity = (meta.dev(), meta.ino());
        if !self.active.insert(identity) {
            return Err(ChartError::Io {
                file: self.shown(rel),
                message: format!("symbolic link cycle at {}", self.shown(rel)),
            });
        }
        let shown_dir = if rel.is_empty() {
            self.display.to_string()
        } else {
            self.shown(rel)
        };
        let mut names = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| io_error(&shown_dir, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&shown_dir, &e))?;
            let name = entry
                .file_name()
                .into_string()
                .map_err(|raw| ChartError::Io {
                    file: shown_dir.clone(),
                    message: format!("file name {raw:?} in {shown_dir} is not valid UTF-8"),
                })?;
            names.push(name);
        }
        names.sort();
        for name in names {
            let child_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            self.visit(&dir.join(&name), &child_rel)?;
        }
        self.active.remove(&identity);
        Ok(())
    }

    fn visit(&mut self, path: &Path, rel: &str) -> Result<(), ChartError> {
        let shown = self.shown(rel);
        let link = std::fs::symlink_metadata(path).map_err(|e| io_error(&shown, &e))?;
        // Helm's sympath.Walk follows links and reports them under the
        // link's own path.
        let meta = if link.file_type().is_symlink() {
            let target = path.canonicalize().map_err(|e| ChartError::Io {
                file: shown.clone(),
                message: format!("error evaluating symlink {shown}: {e}"),
            })?;
            std::fs::metadata(&target).map_err(|e| io_error(&shown, &e))?
        } else {
            link
        };
        if meta.is_dir() {
            // An ignored directory is skipped with everything in it.
            if self.rules.ignore(rel, true) {
                return Ok(());
            }
            return self.walk(path, rel, &meta);
        }
        if self.rules.ignore(rel, false) {
            return Ok(());
        }
        if !meta.is_file() {
            return Err(ChartError::Io {
                file: shown.clone(),
                message: format!(
                    "cannot load irregular file {shown} as it has file mode type bits set"
                ),
            });
        }
        if meta.len() > MAX_FILE_SIZE {
            let base = rel.rsplit('/').next().unwrap_or(rel);
            return Err(ChartError::Io {
                file: shown.clone(),
                message: format!(
                    "chart file {base:?} is larger than the maximum file size {MAX_FILE_SIZE}"
                ),
            });
        }
        let read_error = |e: std::io::Error| ChartError::Io {
            file: shown.clone(),
            message: format!("error reading {rel}: {e}"),
        };
        let deferred = (self.defer && meta.len() >= DEFER_MIN_SIZE && !loader_parses(rel))
            .then(|| Contents::defer(path, meta.len(), shown.clone()))
            .flatten();
        let data = match deferred {
            Some(opened) => opened.map_err(read_error)?,
            None => {
                let data = strip_bom(read_shared(path, meta.len()).map_err(read_error)?);
                (self.seen)(rel, &data);
                Contents::from(data)
            }
        };
        self.files.push(RawFile {
            name: rel.to_string(),
            data,
        });
        Ok(())
    }
}

/// Files this size or larger are read when first used if the loader does
/// not parse them (see [`load_with`]). Smaller ones cost less to read than
/// to keep open. From 64 KiB down to 16 KiB, the READMEs and CHANGELOGs of
/// bitnami's charts and their `common` library stay unread: valkey 1,243 →
/// 1,183 page faults, median of 30 interleaved runs 7.90 → 7.66 ms.
pub const DEFER_MIN_SIZE: u64 = 16 << 10;

/// Whether the loader itself reads the file at `rel` (a path in the
/// chart directory, subcharts' files included): a chart's `Chart.yaml`,
/// values, schema, dependency lists and templates, and the archives and
/// other files directly in a `charts/` folder.
fn loader_parses(rel: &str) -> bool {
    let mut local = rel;
    // The path inside the innermost subchart directory.
    while let Some(rest) = local.strip_prefix("charts/") {
        match rest.split_once('/') {
            Some((_, inner)) => local = inner,
            None => return true,
        }
    }
    matches!(
        local,
        "Chart.yaml"
            | "Chart.lock"
            | "values.yaml"
            | "values.schema.json"
            | "requirements.yaml"
            | "requirements.lock"
    ) || local.starts_with("templates/")
}

/// Reads a file of `len` bytes (its size when listed) straight into shared
/// storage: one allocation that the kernel fills, where reading into a
/// vector and sharing that took two and a copy. A file that changed size
/// since it was listed is read again the plain way.
fn read_shared(path: &Path, len: u64) -> std::io::Result<Arc<[u8]>> {
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(len).unwrap_or(0);
    let mut data: Arc<[u8]> = std::iter::repeat_n(0u8, len).collect();
    let buf = Arc::get_mut(&mut data).expect("a new Arc has no other owner");
    match file.read_exact(buf) {
        Ok(()) if file.read(&mut [0u8; 1])? == 0 => return Ok(data),
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
        Err(e) => return Err(e),
    }
    // The file changed size since it was listed.
    std::fs::read(path).map(Arc::from)
}

/// Reads a gzipped tar archive into memory with Helm's `LoadArchiveFiles`
/// checks: the first path component (the chart directory) is dropped,
/// absolute paths, `..` escapes and drive letters are refused, files may
/// not exceed 5 MiB and the whole archive 100 MiB once decompressed.
/// Directory entries and PAX headers are skipped. `.helmignore` is *not*
/// applied to archives.
fn read_archive(bytes: &[u8], display: &str) -> Result<Vec<RawFile>, ChartError> {
    let fail = |message: String| ChartError::Archive {
        file: display.to_string(),
        message,
    };
    let too_big = || {
        fail(format!(
            "decompressed chart is larger than the maximum size {MAX_ARCHIVE_SIZE}"
        ))
    };
    // Go's gzip reader reads concatenated gzip members as one stream.
    let gz = flate2::read::MultiGzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    let entries = archive
        .entries()
        .map_err(|e| fail(format!("{display}: {e}")))?;
    let mut remaining = MAX_ARCHIVE_SIZE;
    let mut files = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| fail(format!("{display}: {e}")))?;
        let kind = entry.header().entry_type();
        if kind.is_dir()
            || kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue;
        }
        let raw_name = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| fail("chart contains illegally named files".to_string()))?;
        let name = archive_entry_name(&raw_name).map_err(fail)?;
        let size = entry.header().size().unwrap_or(u64::MAX);
        if size > remaining {
            return Err(too_big());
        }
        if size > MAX_FILE_SIZE {
            return Err(fail(format!(
                "decompressed chart file {raw_name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            )));
        }
        let mut data = Vec::new();
        let written = (&mut entry)
            .take(remaining)
            .read_to_end(&mut data)
            .map_err(|e| fail(format!("{display}: {e}")))? as u64;
        remaining -= written;
        // Helm also refuses an archive that uses up the budget exactly.
        if written < size || remaining == 0 {
            return Err(too_big());
        }
        files.push(RawFile {
            name,
            data: strip_bom(Arc::from(data)).into(),
        });
    }
    if files.is_empty() {
        return Err(fail("no files in chart archive".to_string()));
    }
    Ok(files)
}

/// [`read_archive`] (Helm's rules and messages first), then the stricter
/// safe reader of [`crate::archive`], which also refuses links, duplicate
/// entries, a top directory named `.`/`..` and more than 20 000 files.
fn read_checked_archive(bytes: &[u8], display: &str) -> Result<Vec<RawFile>, ChartError> {
    let files = read_archive(bytes, display)?;
    crate::archive::read_tgz(bytes, &crate::archive::Limits::default()).map_err(|e| {
        ChartError::Archive {
            file: display.to_string(),
            message: match e {
                crate::archive::ArchiveError::Refused { message, .. } => {
                    format!("{display}: {message}")
                }
                other => other.to_string(),
            },
        }
    })?;
    Ok(files)
}

/// The chart-relative name of an archive entry, or Helm's error for it.
fn archive_entry_name(raw: &str) -> Result<String, String> {
    // Archives made on Windows may use `\`.
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let parts: Vec<&str> = raw.split(delimiter).collect();
    let joined = parts[1..].join("/");
    if joined.starts_with('/') {
        return Err("chart illegally contains absolute paths".to_string());
    }
    let name = clean_path(&joined);
    if name == "." {
        return Err(format!(
            "chart illegally contains content outside the base directory: {raw:?}"
        ));
    }
    if name.starts_with("..") {
        return Err("chart illegally references parent directory".to_string());
    }
    let b = name.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
        return Err("chart contains illegally named files".to_string());
    }
    if parts[0] == "Chart.yaml" {
        return Err("chart yaml not in base directory".to_string());
    }
    Ok(name)
}

/// Go's `path.Clean` for relative paths: drops empty and `.` elements and
/// resolves `..` lexically (keeping leading `..`); `""` becomes `.`.
fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(last) if *last != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

/// Helm's `LoadFiles`: sorts named files into a chart.
///
/// * `Chart.yaml` → metadata (read first, wherever it is in the list);
///   `requirements.yaml` is decoded over it (deprecated v1 dependencies);
/// * `values.yaml` → values (every YAML document merged), `values.schema.json`
///   → schema, `Chart.lock`/`requirements.lock` → not kept;
/// * `templates/**` → templates; `charts/*.prov` and everything else →
///   `.Files` (v1 charts also keep `requirements.yaml`/`.lock` there);
/// * `charts/<dir>/…` and `charts/*.tgz` → subcharts, except names starting
///   with `_` or `.`.
///
/// `origin` is recorded on the chart; `display` names files in errors.
fn load_files(files: Vec<RawFile>, origin: PathBuf, display: &str) -> Result<Chart, ChartError> {
    let chart_file = format!("{display}/Chart.yaml");
    let mut draft: Option<MetadataDraft> = None;
    for f in files.iter().filter(|f| f.name == "Chart.yaml") {
        let d = draft.get_or_insert_with(MetadataDraft::default);
        d.apply_yaml(&String::from_utf8_lossy(&f.data), "Chart.yaml", &chart_file)?;
        d.default_api_version();
    }
    let is_v1 = draft.as_ref().is_some_and(|d| d.api_version() == "v1");

    let mut values = Value::new_map();
    let mut raw_values = None;
    let mut schema = None;
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut subcharts: BTreeMap<String, Vec<RawFile>> = BTreeMap::new();
    for f in files {
        let name = f.name.as_str();
        match name {
            "Chart.yaml" | "Chart.lock" => {}
            "values.yaml" => {
                let text = super::utf8_text(&f.data).into_owned();
                values = parse_values(&text, &format!("{display}/values.yaml"))?;
                raw_values = Some(text);
            }
            "values.schema.json" => {
                schema = parse_schema(&f.data, &format!("{display}/values.schema.json"))?;
            }
            "requirements.yaml" | "requirements.lock" => {
                if name == "requirements.yaml" {
                    let d = draft.get_or_insert_with(MetadataDraft::default);
                    d.apply_yaml(
                        &String::from_utf8_lossy(&f.data),
                        "requirements.yaml",
                        &format!("{display}/requirements.yaml"),
                    )?;
                }
                if is_v1 {
                    other.push(ChartFile {
                        name: f.name,
                        data: f.data,
                    });
                }
            }
            _ if name.starts_with("templates/") => templates.push(ChartFile {
                name: f.name,
                data: f.data,
            }),
            _ if name.starts_with("charts/") => {
                // Provenance files stay with the parent (Helm: `filepath.Ext == ".prov"`).
                if name.ends_with(".prov") {
                    other.push(ChartFile {
                        name: f.name,
                        data: f.data,
                    });
                    continue;
                }
                let rest = &name["charts/".len()..];
                let entry = rest.split('/').next().unwrap_or(rest).to_string();
                subcharts.entry(entry).or_default().push(RawFile {
                    name: rest.to_string(),
                    data: f.data,
                });
            }
            _ => other.push(ChartFile {
                name: f.name,
                data: f.data,
            }),
        }
    }

    let Some(draft) = draft else {
        return Err(ChartError::MissingChartYaml { file: chart_file });
    };
    let metadata = draft.finish(&chart_file)?;

    // Helm iterates a Go map here (random order); skiff sorts by the
    // `charts/` entry name so output is reproducible.
    let mut dependencies = Vec::new();
    for (entry, files) in subcharts {
        if entry.starts_with('_') || entry.starts_with('.') {
            continue;
        }
        let sub_display = format!("{display}/charts/{entry}");
        let sub_origin = origin.join("charts").join(&entry);
        let wrap = |e: ChartError| ChartError::Subchart {
            entry: entry.clone(),
            parent: metadata.name.clone(),
            source: Box::new(e),
        };
        let sub = if entry.ends_with(".tgz") {
            let first = &files[0];
            if first.name != entry {
                return Err(ChartError::Archive {
                    file: sub_display,
                    message: format!(
                        "error unpacking subchart tar in {}: expected {entry}, got {}",
                        metadata.name, first.name
                    ),
                });
            }
            read_checked_archive(&first.data, &sub_display)
                .and_then(|raw| load_files(raw, sub_origin, &sub_display))
                .map_err(wrap)?
        } else {
            // Files directly in charts/ (a README, say) are treated as a
            // chart with no files, which fails like Helm: Chart.yaml missing.
            let inner: Vec<RawFile> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(RawFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files(inner, sub_origin, &sub_display).map_err(wrap)?
        };
        dependencies.push(sub);
    }

    templates.sort_by(|a, b| a.name.cmp(&b.name));
    // Helm's `CRDObjects`: files under crds/ with a manifest extension, in
    // load order.
    let crds = other
        .iter()
        .filter(|f| f.name.starts_with("crds/") && has_manifest_extension(&f.name))
        .cloned()
        .collect();
    Ok(Chart {
        metadata,
        values,
        raw_values,
        schema,
        templates,
        crds,
        files: other,
        dependencies,
        origin,
    })
}

/// `.yaml`, `.yml` or `.json`, any case (Helm's `hasManifestExtension`).
fn has_manifest_extension(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) => {
            let ext = &base[i..];
            [".yaml", ".yml", ".json"]
                .iter()
                .any(|e| ext.eq_ignore_ascii_case(e))
        }
        None => false,
    }
}

/// Helm's `LoadValues`: every YAML document of `values.yaml` must be a map
/// (or empty); later documents are merged over earlier ones, maps
/// recursively.
fn parse_values(text: &str, file: &str) -> Result<Value, ChartError> {
    let syntax = |message: String, line, column| ChartError::Syntax {
        name: "values.yaml".to_string(),
        file: file.to_string(),
        message,
        line,
        column,
        text: Some(text.into()),
    };
    let docs = crate::yaml::parse_documents(text)
        .map_err(|e| syntax(super::metadata::yaml_message(&e.message), e.line, e.column))?;
    let mut merged = Map::default();
    for doc in docs {
        match doc {
            Value::Null => {}
            Value::Map(m) => merge_maps(&mut merged, m),
            other => {
                return Err(ChartError::Shape {
                    name: "values.yaml".to_string(),
                    file: file.to_string(),
                    message: format!(
                        "cannot unmarshal yaml document: a values document must be a map, not a {}",
                        other.type_name()
                    ),
                });
            }
        }
    }
    Ok(Value::Map(merged))
}

/// Helm's `MergeMaps`: `b` over `a`, recursing where both sides are maps.
fn merge_maps(a: &mut Map, b: Map) {
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(Value::Map(existing)), Value::Map(incoming)) => merge_maps(existing, incoming),
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
}

/// Parses `values.schema.json`; an empty file means no schema.
fn parse_schema(data: &[u8], file: &str) -> Result<Option<serde_json::Value>, ChartError> {
    if data.is_empty() {
        return Ok(None);
    }
    serde_json::from_slice(data).map(Some).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the location is kept
        // separately.
        let message = message
            .rsplit_once(" at line ")
            .map(|(m, _)| m.to_string())
            .unwrap_or(message);
        ChartError::Syntax {
            name: "values.schema.json".to_string(),
            file: file.to_string(),
            message,
            line: Some(e.line()).filter(|l| *l > 0),
            column: Some(e.column()).filter(|c| *c > 0),
            text: Some(String::from_utf8_lossy(data).into()),
        }
    })
}

/// Helm's `CheckDependencies`: every dependency declared in `Chart.yaml`
/// (enabled or not) must have a loaded subchart whose chart name equals the
/// dependency's `name` (aliases play no part).
pub fn check_dependencies(chart: &Chart) -> Result<(), ChartError> {
    let missing: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.metadata.name == d.name))
        .map(|d| d.name.clone())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ChartError::MissingDependencies {
        file: chart.origin.join("Chart.yaml").display().to_string(),
        names: missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Writes `files` (path, contents) under `root`.
    fn write_tree(root: &Path, files: &[(&str, &str)]) {
        for (name, data) in files {
            let p = root.join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, data).unwrap();
        }
    }

    /// A gzipped tar holding `files` (full entry names) as regular files.
    fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // set_path refuses `..`; write the raw name for hostile entries.
            let raw = &mut h.as_old_mut().name;
            raw[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    fn names(files: &[ChartFile]) -> Vec<&str> {
        files.iter().map(|f| f.name.as_str()).collect()
    }

    const CHART: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\n";

    #[test]
    fn loads_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("Chart.yaml", CHART),
                (
                    "values.yaml",
                    "\u{feff}a: 1\nm:\n  x: 1\n---\nb: 2\nm:\n  z: 2\n",
                ),
                ("values.schema.json", "{\"type\": \"object\"}"),
                ("Chart.lock", "dependencies: []\n"),
                ("templates/z.yaml", "kind: Z"),
                ("templates/a.yaml", "\u{feff}kind: A"),
                ("templates/_helpers.tpl", ""),
                ("templates/.hidden", "x"),
                ("templates/sub/.kept", "x"),
                ("crds/crd.YAML", "kind: CRD"),
                ("crds/notes.txt", "not a crd"),
                ("files/app.conf", "k=v\n"),
                ("README.md", "readme"),
                ("notes.bak", "ignored"),
                ("build/out.txt", "ignored dir"),
                (".helmignore", "*.bak\nbuild/\n"),
            ],
        );
        let c = load(dir.path()).unwrap();
        assert_eq!(c.name(), "demo");
        assert_eq!(c.origin, dir.path());
        assert_eq!(
            names(&c.templates),
            [
                "templates/_helpers.tpl",
                "templates/a.yaml",
                "templates/sub/.kept",
                "templates/z.yaml"
            ]
        );
        assert_eq!(&*c.templates[1].data, b"kind: A", "BOM stripped");
        assert_eq!(names(&c.crds), ["crds/crd.YAML"]);
        assert_eq!(
            names(&c.files),
            [
                ".helmignore",
                "README.md",
                "crds/crd.YAML",
                "crds/notes.txt",
                "files/app.conf"
            ]
        );
        assert_eq!(c.values.get_path("a"), Some(&Value::DocInt(1)));
        assert_eq!(c.values.get_path("b"), Some(&Value::DocInt(2)));
        assert_eq!(
            c.values.get_path("m.x"),
            Some(&Value::DocInt(1)),
            "documents merge deeply"
        );
        assert_eq!(c.values.get_path("m.z"), Some(&Value::DocInt(2)));
        assert!(c.raw_values.as_deref().unwrap().starts_with("a: 1"));
        assert_eq!(c.schema, Some(serde_json::json!({"type": "object"})));
        assert!(c.dependencies.is_empty());
    }

    #[test]
    fn walk_order_is_per_directory_like_go() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[("Chart.yaml", CHART), ("a-b", ""), ("a/b", ""), ("a.c", "")],
        );
        let c = load(dir.path()).unwrap();
        // Go visits directory "a" (and its contents) before "a-b" and "a.c".
        assert_eq!(names(&c.files), ["a/b", "a-b", "a.c"]);
    }

    #[test]
    fn no_values_gives_empty_map() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[("Chart.yaml", CHART), ("values.yaml", "# nothing\n")],
        );
        let c = load(dir.path()).unwrap();
        assert_eq!(c.values, Value::new_map());
        fs::remove_file(dir.path().join("values.yaml")).unwrap();
        let c = load(dir.path()).unwrap();
        assert_eq!(c.values, Value::new_map());
        assert_eq!(c.raw_values, None);
    }

    #[test]
    fn subcharts_from_directories_and_archives() {
        let dir = tempfile::tempdir().unwrap();
        let sub_tgz = tgz(&[
            ("zsub/Chart.yaml", b"name: zsub\nversion: 0.2.0\n"),
            ("zsub/templates/cm.yaml", b"kind: ConfigMap"),
            ("zsub/.helmignore", b"*.yaml\n"),
        ]);
        write_tree(
            dir.path(),
            &[
                (
                    "Chart.yaml",
                    "apiVersion: v2\nname: demo\nversion: 0.1.0\ndependencies:\n- name: asub\n- name: zsub\n",
                ),
                ("charts/asub/Chart.yaml", "name: asub\nversion: 1.0.0\n"),
                ("charts/asub/values.yaml", "k: v\n"),
                (
                    "charts/asub/charts/deep/Chart.yaml",
                    "name: deep\nversion: 1.0.0\n",
                ),
                ("charts/_ignored/Chart.yaml", "broken: [\n"),
                ("charts/.hidden/Chart.yaml", "broken: [\n"),
                ("charts/zsub-0.2.0.tgz.prov", "signature"),
            ],
        );
        fs::write(dir.path().join("charts/zsub-0.2.0.tgz"), &sub_tgz).unwrap();
        let c = load(dir.path()).unwrap();
        let deps: Vec<&str> = c.dependencies.iter().map(|d| d.name()).collect();
        assert_eq!(deps, ["asub", "zsub"]);
        assert_eq!(c.dependencies[0].dependencies[0].name(), "deep");
        assert_eq!(
            c.dependencies[0].values.get_path("k"),
            Some(&Value::from("v"))
        );
        assert_eq!(c.dependencies[0].origin, dir.path().join("charts/asub"));
        // .helmignore does not apply inside archives.
        assert_eq!(names(&c.dependencies[1].templates), ["templates/cm.yaml"]);
        assert_eq!(names(&c.files), ["charts/zsub-0.2.0.tgz.prov"]);
        check_dependencies(&c).unwrap();
    }

    #[test]
    fn stray_file_in_charts_fails_like_helm() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[("Chart.yaml", CHART), ("charts/README.md", "hi")],
        );
        let e = load(dir.path()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "error unpacking subchart README.md in demo: Chart.yaml file is missing"
        );
    }

    #[test]
    fn every_file_is_shown_as_read_with_the_bytes_the_chart_keeps() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("Chart.yaml", CHART),
                (".helmignore", "*.md\n"),
                ("README.md", "ignored"),
                ("values.yaml", "a: 1\n"),
                ("templates/cm.yaml", "\u{feff}kind: ConfigMap"),
                ("charts/sub/Chart.yaml", "name: sub\nversion: 1.0.0\n"),
                ("charts/sub/templates/x.yaml", "kind: Secret"),
            ],
        );
        let mut shown = Vec::new();
        let c = load_with(dir.path(), &mut |rel, data| {
            shown.push((rel.to_string(), data.clone()));
        })
        .unwrap();
        let rels: Vec<&str> = shown.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(
            rels,
            [
                ".helmignore",
                "Chart.yaml",
                "charts/sub/Chart.yaml",
                "charts/sub/templates/x.yaml",
                "templates/cm.yaml",
                "values.yaml"
            ]
        );
        // The very allocation the chart keeps, BOM already removed.
        let (_, cm) = &shown[4];
        assert_eq!(&**cm, b"kind: ConfigMap");
        assert!(Arc::ptr_eq(cm, c.templates[0].data.get()));
        let (_, x) = &shown[3];
        assert!(Arc::ptr_eq(x, c.dependencies[0].templates[0].data.get()));
    }

    #[test]
    fn large_files_the_loader_does_not_parse_are_read_when_first_used() {
        let dir = tempfile::tempdir().unwrap();
        let big = "y".repeat(DEFER_MIN_SIZE as usize);
        let big_values = format!("a: {big}\n");
        write_tree(
            dir.path(),
            &[
                ("Chart.yaml", CHART),
                ("values.yaml", &big_values),
                ("README.md", &format!("\u{feff}{big}")),
                ("crds/c.yaml", &big),
                ("templates/big.yaml", &big),
                ("small.txt", "small"),
                ("charts/sub/Chart.yaml", "name: sub\nversion: 1.0.0\n"),
                ("charts/sub/notes.txt", &big),
            ],
        );
        let mut shown = Vec::new();
        let c = load_with(dir.path(), &mut |rel, _| shown.push(rel.to_string())).unwrap();
        assert!(!shown.iter().any(|r| r == "README.md" || r == "crds/c.yaml"));
        assert!(shown.iter().any(|r| r == "templates/big.yaml"), "{shown:?}");
        let readme = c.file("README.md").unwrap();
        assert!(readme.data.if_read().is_none(), "not read while loading");
        assert!(c.file("small.txt").unwrap().data.if_read().is_some());
        assert!(c.templates[0].data.if_read().is_some());
        assert!(c.dependencies[0].files[0].data.if_read().is_none());
        assert_eq!(&*readme.data, big.as_bytes(), "read on use, BOM removed");
        assert_eq!(c.crds[0].data, c.file("crds/c.yaml").unwrap().data);
        assert!(c.read_error().is_none());
        // `load` (packaging, `show`) reads everything.
        let all = load(dir.path()).unwrap();
        assert!(all.file("README.md").unwrap().data.if_read().is_some());
    }

    #[test]
    fn what_the_loader_parses_is_never_deferred() {
        for rel in [
            "Chart.yaml",
            "values.yaml",
            "values.schema.json",
            "requirements.yaml",
            "Chart.lock",
            "templates/x.yaml",
            "charts/sub-1.0.0.tgz",
            "charts/sub/values.yaml",
            "charts/sub/templates/_h.tpl",
            "charts/sub/charts/inner/templates/x.yaml",
            "charts/sub/charts/inner.tgz",
        ] {
            assert!(loader_parses(rel), "{rel}");
        }
        for rel in [
            "README.md",
            "crds/x.yaml",
            "files/templates/x.yaml",
            "charts/sub/README.md",
            "charts/sub/crds/x.yaml",
            "charts/sub/charts/inner/files/a.json",
        ] {
            assert!(!loader_parses(rel), "{rel}");
        }
    }

    #[test]
    fn loads_an_archive_without_helmignore() {
        let dir = tempfile::tempdir().unwrap();
        let data = tgz(&[
            ("demo/Chart.yaml", CHART.as_bytes()),
            ("demo/values.yaml", b"a: 1\n"),
            ("demo/templates/cm.yaml", b"\xef\xbb\xbfkind: ConfigMap"),
            ("demo/.helmignore", b"*.txt\n"),
            ("demo/notes.txt", b"kept"),
            ("demo/charts/sub/Chart.yaml", b"name: sub\nversion: 1.0.0\n"),
        ]);
        let path = dir.path().join("demo-0.1.0.tgz");
        fs::write(&path, data).unwrap();
        let c = load(&path).unwrap();
        assert_eq!(c.name(), "demo");
        assert_eq!(&*c.templates[0].data, b"kind: ConfigMap");
        assert_eq!(names(&c.files), [".helmignore", "notes.txt"]);
        assert_eq!(c.dependencies[0].name(), "sub");
        assert_eq!(c.origin, path);
    }

    fn archive_error(files: &[(&str, &[u8])]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.tgz");
        fs::write(&path, tgz(files)).unwrap();
        match load(&path) {
            Err(e @ ChartError::Archive { .. }) => e.to_string(),
            other => panic!("expected an archive error, got {other:?}"),
        }
    }

    #[test]
    fn hostile_archives_are_refused() {
        assert_eq!(
            archive_error(&[("demo/../../etc/passwd", b"x")]),
            "chart illegally references parent directory"
        );
        assert_eq!(
            archive_error(&[("demo//etc/passwd", b"x")]),
            "chart illegally contains absolute paths"
        );
        assert_eq!(
            archive_error(&[("Chart.yaml/x", b"x")]),
            "chart yaml not in base directory"
        );
        // A lone top-level file has no name inside the chart; Helm reports
        // that before looking at its name.
        assert_eq!(
            archive_error(&[("Chart.yaml", b"x")]),
            "chart illegally contains content outside the base directory: \"Chart.yaml\""
        );
        assert_eq!(
            archive_error(&[("README", b"x")]),
            "chart illegally contains content outside the base directory: \"README\""
        );
        assert_eq!(
            archive_error(&[("demo/c:/x", b"x")]),
            "chart contains illegally named files"
        );
        let big = vec![b'a'; MAX_FILE_SIZE as usize + 1];
        assert!(
            archive_error(&[("demo/big", &big)])
                .contains("larger than the maximum file size 5242880")
        );
        assert_eq!(archive_error(&[]), "no files in chart archive");
    }

    #[test]
    fn non_gzip_file_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("values.yaml");
        fs::write(&path, "a: 1\n").unwrap();
        let e = load(&path).unwrap_err();
        assert!(
            e.to_string()
                .contains("seems to be a YAML file, but expected a gzipped archive"),
            "{e}"
        );
    }

    #[test]
    fn missing_chart_yaml_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(dir.path(), &[("values.yaml", "a: 1\n")]);
        let e = load(dir.path()).unwrap_err();
        assert_eq!(e.to_string(), "Chart.yaml file is missing");
        assert_eq!(e.file(), format!("{}/Chart.yaml", dir.path().display()));
        // A negated .helmignore rule ignores Chart.yaml itself (helm.md §2.13).
        write_tree(
            dir.path(),
            &[
                ("Chart.yaml", CHART),
                ("a.txt", ""),
                (".helmignore", "*.txt\n!a.txt\n"),
            ],
        );
        assert!(matches!(
            load(dir.path()),
            Err(ChartError::MissingChartYaml { .. })
        ));
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[("Chart.yaml", "name: demo\nversion: 0.1.0\nkeywords: [a\n")],
        );
        let e = load(dir.path()).unwrap_err();
        let d = crate::diag::Diagnostic::from(e.clone());
        let loc = d.location.unwrap();
        assert_eq!(loc.file, format!("{}/Chart.yaml", dir.path().display()));
        assert!(loc.line.is_some());
        assert!(e.to_string().starts_with("cannot load Chart.yaml: "), "{e}");

        write_tree(
            dir.path(),
            &[("Chart.yaml", CHART), ("values.yaml", "a: 1\nb: [\n")],
        );
        match load(dir.path()).unwrap_err() {
            ChartError::Syntax { name, line, .. } => {
                assert_eq!(name, "values.yaml");
                assert!(line.is_some());
            }
            other => panic!("{other:?}"),
        }

        write_tree(dir.path(), &[("values.yaml", "- a\n")]);
        assert!(matches!(load(dir.path()), Err(ChartError::Shape { .. })));

        write_tree(
            dir.path(),
            &[
                ("values.yaml", ""),
                ("values.schema.json", "{\n  \"a\": ,\n}"),
            ],
        );
        match load(dir.path()).unwrap_err() {
            ChartError::Syntax {
                name, line, column, ..
            } => {
                assert_eq!(name, "values.schema.json");
                assert_eq!(line, Some(2));
                assert_eq!(column, Some(8));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn api_versions() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[("Chart.yaml", "apiVersion: v3\nname: a\nversion: 1.0.0\n")],
        );
        assert_eq!(
            load(dir.path()).unwrap_err().to_string(),
            "invalid chart apiVersion"
        );
        write_tree(
            dir.path(),
            &[("Chart.yaml", "apiVersion: v9\nname: a\nversion: 1.0.0\n")],
        );
        assert_eq!(
            load(dir.path()).unwrap_err().to_string(),
            "unsupported chart version"
        );
        // Subcharts are not checked (Helm reads them with the v2 loader).
        write_tree(
            dir.path(),
            &[
                ("Chart.yaml", CHART),
                (
                    "charts/s/Chart.yaml",
                    "apiVersion: v9\nname: s\nversion: 1.0.0\n",
                ),
            ],
        );
        assert_eq!(
            load(dir.path()).unwrap().dependencies[0]
                .metadata
                .api_version,
            "v9"
        );
    }

    #[test]
    fn v1_requirements() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("Chart.yaml", "name: old\nversion: 1.0.0\n"),
                (
                    "requirements.yaml",
                    "dependencies:\n- name: lib\n  version: 1.x\n",
                ),
                ("requirements.lock", "dependencies: []\n"),
            ],
        );
        let c = load(dir.path()).unwrap();
        assert_eq!(c.metadata.api_version, "v1");
        assert_eq!(c.metadata.dependencies[0].name, "lib");
        assert_eq!(names(&c.files), ["requirements.lock", "requirements.yaml"]);
        let e = check_dependencies(&c).unwrap_err();
        assert_eq!(
            e.to_string(),
            "found in Chart.yaml, but missing in charts/ directory: lib"
        );

        // For v2 charts requirements.yaml is still read but not kept in .Files.
        write_tree(dir.path(), &[("Chart.yaml", CHART)]);
        let c = load(dir.path()).unwrap();
        assert_eq!(c.metadata.dependencies[0].name, "lib");
        assert!(c.files.is_empty());
    }

    #[test]
    fn check_dependencies_by_chart_name() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                (
                    "Chart.yaml",
                    "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n\
                     - name: lib\n  alias: other\n- name: off\n  enabled: false\n- name: gone\n",
                ),
                ("charts/lib/Chart.yaml", "name: lib\nversion: 1.0.0\n"),
                // The directory name does not matter, the chart name does.
                ("charts/renamed/Chart.yaml", "name: off\nversion: 1.0.0\n"),
            ],
        );
        let c = load(dir.path()).unwrap();
        let e = check_dependencies(&c).unwrap_err();
        assert_eq!(
            e.to_string(),
            "found in Chart.yaml, but missing in charts/ directory: gone"
        );
        let d = crate::diag::Diagnostic::from(e);
        assert!(!d.notes.is_empty());
    }

    #[test]
    fn big_files_and_bad_helmignore_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[("Chart.yaml", CHART), (".helmignore", "ok\nfoo/**\n")],
        );
        match load(dir.path()).unwrap_err() {
            ChartError::HelmIgnore { file, line, .. } => {
                assert!(file.ends_with("/.helmignore"));
                assert_eq!(line, 2);
            }
            other => panic!("{other:?}"),
        }
        fs::remove_file(dir.path().join(".helmignore")).unwrap();
        fs::write(
            dir.path().join("big.bin"),
            vec![0u8; MAX_FILE_SIZE as usize + 1],
        )
        .unwrap();
        let e = load(dir.path()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "chart file \"big.bin\" is larger than the maximum file size 5242880"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_cycles_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write_tree(outside.path(), &[("shared/a.txt", "A"), ("one.txt", "1")]);
        write_tree(dir.path(), &[("Chart.yaml", CHART)]);
        std::os::unix::fs::symlink(outside.path().join("shared"), dir.path().join("linked"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path().join("one.txt"), dir.path().join("one.txt"))
            .unwrap();
        let c = load(dir.path()).unwrap();
        assert_eq!(names(&c.files), ["linked/a.txt", "one.txt"]);
        assert_eq!(&*c.files[1].data, b"1");

        std::os::unix::fs::symlink(dir.path(), outside.path().join("shared/loop")).unwrap();
        let e = load(dir.path()).unwrap_err();
        assert!(e.to_string().contains("symbolic link cycle"), "{e}");

        fs::remove_file(outside.path().join("shared/loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("dangling"))
            .unwrap();
        let e = load(dir.path()).unwrap_err();
        assert!(e.to_string().contains("error evaluating symlink"), "{e}");
    }

    /// Differential: for a table of `.helmignore` files (Helm's documented
    /// rules, classes, anchors, directory rules and the odd negation), the
    /// files skiff loads from a directory are exactly those `helm package`
    /// archives, and skiff fails where helm fails.
    #[test]
    fn same_files_as_helm_package() {
        let Ok(helm) = std::env::var("HELM_REF") else {
            eprintln!("skipped: HELM_REF is not set (differential test against helm package)");
            return;
        };
        let variants = [
            "# comment\n*.bak\n/secret.yaml\ndocs/\ntmp/*.log\na[0-9].md\n\
             templates/skip-?.yaml\n  spaced.txt  \nfiles/[^k]*.conf\n",
            "*.md\n/tmp/\nsub\n",
            "!*.yaml\n",
            "*.conf\n!files/keep.conf\n",
            "!templates/\n",
            "files/*\ncrds\n",
            "*\n",
            "",
        ];
        let tree: &[(&str, &str)] = &[
            ("Chart.yaml", "apiVersion: v2\nname: diff\nversion: 0.1.0\n"),
            ("values.yaml", "a: 1\n"),
            ("README.md", "r"),
            ("x.bak", "b"),
            ("sub/x.bak", "b"),
            ("secret.yaml", "s"),
            ("nested/secret.yaml", "s"),
            ("docs/a.md", "d"),
            ("docs/inner/b.md", "d"),
            ("files/docs", "a file named docs is not a directory"),
            ("files/keep.conf", "k"),
            ("files/drop.conf", "d"),
            ("tmp/x.log", "l"),
            ("tmp/deep/y.log", "l"),
            ("tmp/keep.txt", "t"),
            ("a1.md", "1"),
            ("ab.md", "b"),
            ("spaced.txt", "s"),
            ("templates/cm.yaml", "kind: ConfigMap\n"),
            ("templates/.hidden", "h"),
            ("templates/skip-1.yaml", "s"),
            ("templates/skip-10.yaml", "k"),
            ("crds/c.yaml", "kind: CustomResourceDefinition\n"),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.2.0\n",
            ),
            ("charts/sub/values.yaml", "b: 2\n"),
            ("charts/sub/templates/t.yaml", "kind: Secret\n"),
        ];
        fn collect(c: &Chart, prefix: &str, out: &mut Vec<String>) {
            out.push(format!("{prefix}Chart.yaml"));
            if c.raw_values.is_some() {
                out.push(format!("{prefix}values.yaml"));
            }
            if c.schema.is_some() {
                out.push(format!("{prefix}values.schema.json"));
            }
            for f in c.templates.iter().chain(&c.files) {
                out.push(format!("{prefix}{}", f.name));
            }
            for d in &c.dependencies {
                collect(d, &format!("{prefix}charts/{}/", d.name()), out);
            }
        }
        for rules in variants {
            let dir = tempfile::tempdir().unwrap();
            let chart = dir.path().join("diff");
            write_tree(&chart, tree);
            fs::write(chart.join(".helmignore"), rules).unwrap();
            let out = dir.path().join("out");
            fs::create_dir_all(&out).unwrap();
            let run = std::process::Command::new(&helm)
                .arg("package")
                .arg(&chart)
                .arg("-d")
                .arg(&out)
                .output()
                .unwrap();
            let ours = load(&chart);
            if !run.status.success() {
                assert!(
                    ours.is_err(),
                    "helm failed ({}) but skiff loaded the chart, rules {rules:?}",
                    String::from_utf8_lossy(&run.stderr)
                );
                continue;
            }
            let bytes = fs::read(out.join("diff-0.1.0.tgz")).unwrap();
            let mut helm_names: Vec<String> = read_archive(&bytes, "helm")
                .unwrap()
                .into_iter()
                .map(|f| f.name)
                .collect();
            helm_names.sort();
            let ours = ours.unwrap();
            let mut names = Vec::new();
            collect(&ours, "", &mut names);
            names.sort();
            assert_eq!(names, helm_names, "rules {rules:?}");
            // Helm's own archive loads back to the same chart.
            let packed = load(&out.join("diff-0.1.0.tgz")).unwrap();
            assert_eq!(packed.metadata, ours.metadata);
            assert_eq!(packed.values, ours.values);
            assert_eq!(packed.templates, ours.templates);
            assert_eq!(packed.crds, ours.crds);
            let sorted = |c: &Chart| {
                let mut f = c.files.clone();
                f.sort_by(|a, b| a.name.cmp(&b.name));
                f
            };
            assert_eq!(sorted(&packed), sorted(&ours));
            assert_eq!(packed.dependencies.len(), ours.dependencies.len());
        }
    }
}
