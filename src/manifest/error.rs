//! The manifest stage's errors and their user-facing form.

use crate::diag::{Diagnostic, Location};
use std::path::PathBuf;
use std::sync::Arc;

/// What can go wrong turning rendered text into resources and output.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A rendered document is not valid YAML, or not shaped like a
    /// Kubernetes object where Helm insists on it (`kind: [a]`, a top-level
    /// list…). The message is Helm's: `YAML parse error on <file>: <cause>`,
    /// with the cause's line counted from the start of the *document*, as
    /// Helm counts it.
    #[error("YAML parse error on {template}: {cause}")]
    Yaml {
        /// Template name (`chart/templates/x.yaml`).
        template: String,
        /// Helm's wording of the cause (`error converting YAML to JSON: yaml: line 3: …`
        /// or `error unmarshaling JSON: while decoding JSON: json: …`).
        cause: String,
        /// 1-based line in the rendered file (not the document), when known.
        file_line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// The template's rendered text, to show the offending line.
        rendered: Arc<str>,
    },
    /// A `--show-only` pattern matched no document
    /// (Helm: `could not find template <x> in chart`).
    #[error("could not find template {0} in chart")]
    TemplateNotFound(String),
    /// A path that would leave the output directory (`..` or absolute).
    #[error("refusing to write {0}: the path leaves the output directory")]
    UnsafePath(String),
    /// Writing `--output-dir` failed; nothing was left behind.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl ManifestError {
    /// An I/O error about `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ManifestError {
        ManifestError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<ManifestError> for Diagnostic {
    fn from(e: ManifestError) -> Diagnostic {
        let message = e.to_string();
        match e {
            ManifestError::Yaml {
                template,
                file_line,
                column,
                rendered,
                ..
            } => {
                let mut d = Diagnostic::new(message).at(Location::file(template)
                    .at(file_line, column.filter(|_| file_line.is_some()))
                    .with_source(rendered));
                if file_line.is_some() {
                    // Helm counts lines from the document start; the snippet
                    // shows the whole rendered file, so say which it is.
                    d = d.note("the location refers to the rendered output of the template");
                }
                d
            }
            ManifestError::Io { path, .. } => {
                Diagnostic::new(message).at(Location::file(path.display().to_string()))
            }
            ManifestError::TemplateNotFound(_) | ManifestError::UnsafePath(_) => {
                Diagnostic::new(message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_error_names_file_and_line() {
        let e = ManifestError::Yaml {
            template: "c/templates/a.yaml".into(),
            cause: "error converting YAML to JSON: yaml: line 1: bad".into(),
            file_line: Some(3),
            column: Some(2),
            rendered: Arc::from("a: 1\n---\nb: [\n"),
        };
        let d = Diagnostic::from(e);
        assert_eq!(
            d.message,
            "YAML parse error on c/templates/a.yaml: error converting YAML to JSON: yaml: line 1: bad"
        );
        let loc = d.location.unwrap();
        assert_eq!(loc.to_string(), "c/templates/a.yaml:3:2");
        assert_eq!(d.notes.len(), 1);
    }

    #[test]
    fn not_found_message_is_helms() {
        let d = Diagnostic::from(ManifestError::TemplateNotFound("templates/x.yaml".into()));
        assert_eq!(
            d.message,
            "could not find template templates/x.yaml in chart"
        );
        assert!(d.location.is_none());
    }
}
