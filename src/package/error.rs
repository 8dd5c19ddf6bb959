//! Errors of packaging, indexing and dependency management.

use crate::archive::{ArchiveError, sanitize};
use crate::chart::ChartError;
use crate::diag::{Diagnostic, Location};
use std::path::Path;

/// Why `package`, `repo index` or `dep` failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PackageError {
    /// The chart does not load.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// An archive is refused or cannot be written.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// A file or directory cannot be read or written.
    #[error("{file}: {message}")]
    Io {
        /// The path.
        file: String,
        /// The operating system's message.
        message: String,
    },
    /// Input that breaks a rule (bad version, out-of-sync lock, …).
    #[error("{message}")]
    Invalid {
        /// The file concerned.
        file: String,
        /// What is wrong.
        message: String,
    },
}

impl PackageError {
    pub(crate) fn io(path: &Path, e: &std::io::Error) -> PackageError {
        PackageError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        }
    }

    pub(crate) fn invalid(file: &str, message: impl Into<String>) -> PackageError {
        PackageError::Invalid {
            file: file.to_string(),
            message: message.into(),
        }
    }
}

impl From<PackageError> for Diagnostic {
    fn from(e: PackageError) -> Diagnostic {
        match e {
            PackageError::Chart(c) => c.into(),
            PackageError::Archive(a) => a.into(),
            PackageError::Io { file, message } => {
                Diagnostic::new(sanitize(&format!("{file}: {message}"))).at(Location::file(file))
            }
            PackageError::Invalid { file, message } => {
                Diagnostic::new(sanitize(&message)).at(Location::file(file))
            }
        }
    }
}
