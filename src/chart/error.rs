//! Errors of the chart loader, `Chart.yaml` parsing and `.helmignore`.

use crate::diag::{Diagnostic, Location};
use std::sync::Arc;

/// A chart that cannot be loaded, with the file it concerns.
///
/// Messages follow Helm v4.1.4's wording where Helm has one
/// (`validation: chart.metadata.name is required`,
/// `found in Chart.yaml, but missing in charts/ directory: lib`), so users
/// searching for the text find Helm's documentation and issues.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    /// Reading a file or directory failed.
    #[error("{message}")]
    Io {
        /// The path involved.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// No `Chart.yaml` among the chart's files (Helm: `Chart.yaml file is missing`).
    #[error("Chart.yaml file is missing")]
    MissingChartYaml {
        /// Where `Chart.yaml` was expected.
        file: String,
    },
    /// A YAML or JSON syntax error in a chart file.
    #[error("cannot load {name}: {message}")]
    Syntax {
        /// The file's chart-relative name (`Chart.yaml`, `values.yaml`).
        name: String,
        /// The file as the user knows it.
        file: String,
        /// The parser's message.
        message: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// The file's text, for the snippet.
        text: Option<Arc<str>>,
    },
    /// A well-formed YAML file whose shape does not fit (Helm's JSON decoding
    /// errors such as `cannot unmarshal array into Go struct field
    /// Metadata.annotations of type string`).
    #[error("cannot load {name}: {message}")]
    Shape {
        /// The file's chart-relative name.
        name: String,
        /// The file as the user knows it.
        file: String,
        /// What did not fit.
        message: String,
    },
    /// `Chart.yaml` parsed but breaks a rule (Helm prefixes these with `validation: `).
    #[error("validation: {message}")]
    Validation {
        /// The `Chart.yaml` concerned.
        file: String,
        /// The rule broken.
        message: String,
    },
    /// The root chart's `apiVersion` is not one this loader handles.
    #[error("{message}")]
    ApiVersion {
        /// The `Chart.yaml` concerned.
        file: String,
        /// `invalid chart apiVersion` (v3) or `unsupported chart version`.
        message: String,
    },
    /// An archive that is malformed, unsafe or too large.
    #[error("{message}")]
    Archive {
        /// The archive.
        file: String,
        /// What is wrong with it.
        message: String,
    },
    /// A subchart under `charts/` failed to load.
    #[error("error unpacking subchart {entry} in {parent}: {source}")]
    Subchart {
        /// The `charts/` entry (`sub` or `sub-0.1.0.tgz`).
        entry: String,
        /// The parent chart's name.
        parent: String,
        /// Why.
        source: Box<ChartError>,
    },
    /// A `.helmignore` rule that Helm refuses.
    #[error("{message}")]
    HelmIgnore {
        /// The `.helmignore` file.
        file: String,
        /// 1-based line of the rule.
        line: usize,
        /// `double-star (**) syntax is not supported` or `syntax error in pattern`.
        message: String,
    },
    /// Dependencies declared in `Chart.yaml` with no chart under `charts/`.
    #[error("found in Chart.yaml, but missing in charts/ directory: {}", names.join(", "))]
    MissingDependencies {
        /// The chart's `Chart.yaml`.
        file: String,
        /// Dependency names, in declaration order.
        names: Vec<String>,
    },
}

impl ChartError {
    /// The file the error concerns (for a subchart error, the innermost one).
    pub fn file(&self) -> &str {
        match self {
            ChartError::Io { file, .. }
            | ChartError::MissingChartYaml { file }
            | ChartError::Syntax { file, .. }
            | ChartError::Shape { file, .. }
            | ChartError::Validation { file, .. }
            | ChartError::ApiVersion { file, .. }
            | ChartError::Archive { file, .. }
            | ChartError::HelmIgnore { file, .. }
            | ChartError::MissingDependencies { file, .. } => file,
            ChartError::Subchart { source, .. } => source.file(),
        }
    }

    /// Replaces the file name (loaders know the real path; parsers only the
    /// chart-relative name).
    pub(crate) fn with_file(mut self, path: &str) -> ChartError {
        match &mut self {
            ChartError::Io { file, .. }
            | ChartError::MissingChartYaml { file }
            | ChartError::Syntax { file, .. }
            | ChartError::Shape { file, .. }
            | ChartError::Validation { file, .. }
            | ChartError::ApiVersion { file, .. }
            | ChartError::Archive { file, .. }
            | ChartError::HelmIgnore { file, .. }
            | ChartError::MissingDependencies { file, .. } => *file = path.to_string(),
            ChartError::Subchart { .. } => {}
        }
        self
    }

    fn location(&self) -> Location {
        match self {
            ChartError::Syntax {
                file,
                line,
                column,
                text,
                ..
            } => {
                let loc = Location::file(file.clone()).at(*line, *column);
                match text {
                    Some(s) => loc.with_source(s.clone()),
                    None => loc,
                }
            }
            ChartError::HelmIgnore { file, line, .. } => {
                Location::file(file.clone()).at(Some(*line), None)
            }
            ChartError::Subchart { source, .. } => source.location(),
            other => Location::file(other.file().to_string()),
        }
    }
}

impl From<ChartError> for Diagnostic {
    fn from(e: ChartError) -> Diagnostic {
        let location = e.location();
        let mut d = Diagnostic::new(e.to_string()).at(location);
        if let ChartError::MissingDependencies { .. } = e {
            // Helm wraps this error with the same advice.
            d = d.note(
                "run `helm dependency build` (or vendor the charts into charts/) \
                 to fetch missing dependencies",
            );
        }
        d
    }
}
