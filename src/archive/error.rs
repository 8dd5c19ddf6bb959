//! Errors of the archive reader and writer.

use crate::diag::{Diagnostic, Location};

/// An archive that cannot be written or is refused on reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// Reading or writing a file failed.
    #[error("{file}: {message}")]
    Io {
        /// The file concerned.
        file: String,
        /// The operating system's message.
        message: String,
    },
    /// The archive breaks a safety rule or is malformed.
    #[error("{file}: {message}")]
    Refused {
        /// The archive concerned.
        file: String,
        /// Which rule, and the entry that broke it.
        message: String,
    },
    /// An entry cannot be represented in a USTAR archive.
    #[error("cannot write {name:?}: {message}")]
    Unwritable {
        /// The entry name.
        name: String,
        /// Why.
        message: String,
    },
    /// `SOURCE_DATE_EPOCH` is not a non-negative integer.
    #[error("SOURCE_DATE_EPOCH={0:?} is not a number of seconds since 1970")]
    SourceDateEpoch(String),
}

impl ArchiveError {
    /// The same error naming `file` (the reader works on bytes and does not
    /// know where they came from).
    pub fn in_file(self, name: &str) -> ArchiveError {
        match self {
            ArchiveError::Refused { message, .. } => ArchiveError::Refused {
                file: name.to_string(),
                message,
            },
            ArchiveError::Io { message, .. } => ArchiveError::Io {
                file: name.to_string(),
                message,
            },
            other => other,
        }
    }
}

impl From<ArchiveError> for Diagnostic {
    fn from(e: ArchiveError) -> Diagnostic {
        let file = match &e {
            ArchiveError::Io { file, .. } | ArchiveError::Refused { file, .. } => {
                Some(file.clone())
            }
            _ => None,
        };
        let d = Diagnostic::new(crate::archive::sanitize(&e.to_string()));
        match file {
            Some(f) => d.at(Location::file(f)),
            None => d,
        }
    }
}
