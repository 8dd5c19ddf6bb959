//! `Chart.yaml`: what Helm's `chart.Metadata` and `chart.Dependency` hold.

use indexmap::IndexMap;

/// `type:` of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartType {
    /// Renders manifests (the default).
    #[default]
    Application,
    /// Only provides partials to other charts; not installable.
    Library,
}

/// One `maintainers:` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Maintainer {
    /// Required.
    pub name: String,
    /// Optional e-mail.
    pub email: Option<String>,
    /// Optional URL.
    pub url: Option<String>,
}

/// One `import-values:` item of a dependency.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportValue {
    /// String form `- foo`: the child's `exports.foo` merged into the parent root.
    Exports(String),
    /// Map form `- {child: a.b, parent: x.y}`.
    Path {
        /// Path in the child's values.
        child: String,
        /// Path in the parent's values.
        parent: String,
    },
}

/// One `dependencies:` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dependency {
    /// The chart name.
    pub name: String,
    /// A version constraint.
    pub version: Option<String>,
    /// Repository URL, `@alias`, `file://…` or `oci://…`.
    pub repository: Option<String>,
    /// Comma-separated value paths; the first that resolves to a bool decides.
    pub condition: Option<String>,
    /// Tags that enable/disable this dependency.
    pub tags: Vec<String>,
    /// `enabled:` as written (Helm overwrites it while processing).
    pub enabled: Option<bool>,
    /// `import-values:` items.
    pub import_values: Vec<ImportValue>,
    /// Alias: the name the subchart gets in this parent.
    pub alias: Option<String>,
}

/// `Chart.yaml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    /// `v1` or `v2` (missing is read as `v1`, like Helm).
    pub api_version: String,
    /// Required; not `.`/`..`, no path separators.
    pub name: String,
    /// Required; SemVer 2.
    pub version: String,
    /// Supported Kubernetes versions (a constraint).
    pub kube_version: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// `application` or `library`.
    pub chart_type: ChartType,
    /// Search keywords.
    pub keywords: Vec<String>,
    /// Project home page.
    pub home: Option<String>,
    /// Source URLs.
    pub sources: Vec<String>,
    /// Declared dependencies.
    pub dependencies: Vec<Dependency>,
    /// Maintainers.
    pub maintainers: Vec<Maintainer>,
    /// Icon URL.
    pub icon: Option<String>,
    /// Version of the packaged application.
    pub app_version: Option<String>,
    /// Deprecated chart.
    pub deprecated: bool,
    /// Free-form string annotations.
    pub annotations: IndexMap<String, String>,
}
