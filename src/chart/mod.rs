//! The chart model: `Chart.yaml` metadata, values defaults, schema,
//! templates, CRDs, other files and subcharts, loaded from a directory or a
//! `.tgz` archive the way Helm's loader does it.

pub mod files;
pub mod helmignore;
pub mod starter;
mod loader;
mod metadata;

pub use loader::{ChartError, load};
pub use metadata::{ChartType, Dependency, ImportValue, Maintainer, Metadata};

use crate::value::Value;
use std::path::PathBuf;

/// A file of a chart, named relative to the chart root with `/` separators
/// (`templates/deployment.yaml`, `files/app.conf`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    /// Chart-relative path.
    pub name: String,
    /// Contents, UTF-8 BOM removed.
    pub data: Vec<u8>,
}

impl ChartFile {
    /// The contents as text (lossy for invalid UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.data)
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
    /// Files under `crds/`, in load order.
    pub crds: Vec<ChartFile>,
    /// The `.Files` set: every file that is not Chart.yaml, values.yaml,
    /// values.schema.json, Chart.lock, requirements.*, templates/** or charts/**.
    pub files: Vec<ChartFile>,
    /// Subcharts found under `charts/` (directories and `.tgz`), in path order.
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

    /// Looks up a file of the `.Files` set by chart-relative name.
    pub fn file(&self, name: &str) -> Option<&ChartFile> {
        self.files.iter().find(|f| f.name == name)
    }
}
