//! Errors of the overlay builder.

use crate::diag::{Diagnostic, Location};

/// Why a kustomization could not be built.
///
/// kustomize's own messages rarely say which file or field failed (its
/// issues #114 and #5814); every variant here carries the kustomization or
/// resource file involved so the report can point at it.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file or directory.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// A file is not valid YAML (or not the shape expected).
    #[error("{path}: {message}")]
    Yaml {
        /// The file.
        path: String,
        /// What the reader said.
        message: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
    },
    /// A field of a kustomization file is invalid.
    #[error("{path}: field `{field}`: {message}")]
    Field {
        /// The kustomization file.
        path: String,
        /// The field (`patches[2].target`, `images`, …).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// Any other failure while building, with the file it concerns.
    #[error("{path}: {message}")]
    Build {
        /// The kustomization or resource file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl OverlayError {
    /// A [`OverlayError::Build`] for `path`.
    pub(crate) fn build(path: impl Into<String>, message: impl Into<String>) -> OverlayError {
        OverlayError::Build {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A [`OverlayError::Field`] for `path`.
    pub(crate) fn field(
        path: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> OverlayError {
        OverlayError::Field {
            path: path.into(),
            field: field.into(),
            message: message.into(),
        }
    }

    fn file(&self) -> &str {
        match self {
            OverlayError::Read { path, .. }
            | OverlayError::Yaml { path, .. }
            | OverlayError::Field { path, .. }
            | OverlayError::Build { path, .. } => path,
        }
    }
}

impl From<OverlayError> for Diagnostic {
    fn from(e: OverlayError) -> Diagnostic {
        let mut loc = Location::file(e.file().to_string());
        if let OverlayError::Yaml { line, column, .. } = &e {
            loc = loc.at(*line, *column);
        }
        Diagnostic::new(e.to_string()).at(loc)
    }
}
