//! The chart model: `Chart.yaml` metadata, values defaults, schema,
//! templates, CRDs, other files and subcharts, loaded from a directory or a
//! `.tgz` archive the way Helm's loader does it.

mod contents;
mod error;
pub mod files;
pub mod helmignore;
mod loader;
mod metadata;
pub mod starter;

pub use contents::Contents;
pub use error::ChartError;
pub use helmignore::HelmIgnore;
pub use loader::{
    MAX_ARCHIVE_SIZE, MAX_FILE_SIZE, check_dependencies, load, load_with, read_files,
};
pub use metadata::{
    ChartType, Dependency, ImportValue, Maintainer, Metadata, is_helm_semver, parse_metadata,
};

use crate::value::Value;
use std::path::PathBuf;
use std::sync::Arc;

/// A file of a chart, named relative to the chart root with `/` separators
/// (`templates/deployment.yaml`, `files/app.conf`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    /// Chart-relative path.
    pub name: String,
    /// Contents, UTF-8 BOM removed; shared, so copies of the chart (its
    /// CRD list, `.Files`, templates' text) cost no copy of the bytes.
    pub data: Contents,
}

impl ChartFile {
    /// The contents as text (lossy for invalid UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        utf8_text(&self.data)
    }
}

/// Shared bytes as shared text: the same allocation when they are valid
/// UTF-8, else a lossy copy.
pub fn shared_text(data: &Arc<[u8]>) -> Arc<str> {
    if std::str::from_utf8(data).is_err() {
        return Arc::from(String::from_utf8_lossy(data).as_ref());
    }
    let raw = Arc::into_raw(data.clone()) as *const str;
    // SAFETY: the bytes were just checked to be UTF-8, and `str` has the
    // layout of `[u8]`, so the pointer (with its length) names a valid
    // `str` inside the same allocation, whose count `from_raw` takes over.
    unsafe { Arc::from_raw(raw) }
}

/// Bytes as text, invalid UTF-8 replaced like `String::from_utf8_lossy`.
/// Chart files are nearly always valid, and `str::from_utf8` checks that
/// several times faster than the lossy decoder walks it.
pub fn utf8_text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(data) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(data),
    }
}

/// A loaded chart and its subcharts.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Parsed `Chart.yaml` (and, for apiVersion v1, `requirements.yaml`).
    pub metadata: Metadata,
    /// Parsed `values.yaml` (an empty map when absent).
    pub values: Value,
    /// The raw bytes of `values.yaml`, for `skiff show values`.
    pub raw_values: Option<String>,
    /// Parsed `values.schema.json`, when present.
    pub schema: Option<serde_json::Value>,
    /// Everything under `templates/` (partials `_*` included), in path order.
    pub templates: Vec<ChartFile>,
    /// Files under `crds/` ending `.yaml`, `.yml` or `.json` (any case), in
    /// load order; they are also part of `files`, as in Helm.
    pub crds: Vec<ChartFile>,
    /// The `.Files` set, in load order: every file that is not Chart.yaml,
    /// values.yaml, values.schema.json, Chart.lock, requirements.* (kept for
    /// apiVersion v1 charts), templates/** or charts/** (but `charts/**.prov`
    /// files are kept).
    pub files: Vec<ChartFile>,
    /// Subcharts found under `charts/` (directories and `.tgz`), sorted by
    /// their `charts/` entry name (Helm's order is random).
    pub dependencies: Vec<Chart>,
    /// Where the chart was loaded from, for messages.
    pub origin: PathBuf,
}

impl Chart {
    /// The chart's name (after any alias was applied).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// True for `type: library`.
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == ChartType::Library
    }

    /// The first file of this chart or a subchart whose deferred read
    /// failed ([`Contents`]): a render that used it saw it empty.
    pub fn read_error(&self) -> Option<ChartError> {
        self.files
            .iter()
            .find_map(|f| f.data.read_error())
            .or_else(|| self.dependencies.iter().find_map(Chart::read_error))
    }

    /// Looks up a file of the `.Files` set by chart-relative name.
    pub fn file(&self, name: &str) -> Option<&ChartFile> {
        self.files.iter().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod shared_text_tests {
    use super::*;

    #[test]
    fn valid_text_shares_the_bytes_and_invalid_text_is_replaced() {
        let bytes: Arc<[u8]> = Arc::from("kind: A\né\n".as_bytes());
        let text = shared_text(&bytes);
        assert_eq!(&*text, "kind: A\né\n");
        assert_eq!(text.as_ptr(), bytes.as_ptr());
        drop(bytes);
        assert_eq!(&*text, "kind: A\né\n");
        let bad: Arc<[u8]> = Arc::from(&b"a\xffb"[..]);
        assert_eq!(&*shared_text(&bad), "a\u{fffd}b");
    }
}
