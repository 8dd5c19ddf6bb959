//! Errors of the remote chart sources.

use crate::diag::{Diagnostic, Location};

/// A download, registry or repository operation that failed.
///
/// URLs in these errors are already redacted ([`super::redact_url`]): no
/// variant ever holds a password, token or signed query.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The request could not be sent or its answer not read (DNS, refused
    /// connection, TLS, timeout).
    #[error("{url}: {message}")]
    Transport {
        /// The redacted URL.
        url: String,
        /// What went wrong, including the underlying cause chain.
        message: String,
    },
    /// The server answered with an unexpected status.
    #[error("{url}: {status}{detail}")]
    Status {
        /// The redacted URL.
        url: String,
        /// The HTTP status, e.g. `404 Not Found`.
        status: String,
        /// `: ` and the server's message when it sent one, else empty.
        detail: String,
    },
    /// The downloaded bytes are not the ones the index or manifest names.
    #[error(
        "{url}: digest mismatch: expected sha256:{expected}, got sha256:{actual}; the download was discarded"
    )]
    DigestMismatch {
        /// The redacted URL.
        url: String,
        /// The digest the index or manifest named.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// The response is larger than the limit for its kind.
    #[error("{url}: response larger than {limit} bytes; refused")]
    TooLarge {
        /// The redacted URL.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A local file (CA bundle, config, cache entry) could not be used.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Input that cannot be used: a malformed reference, URL or option.
    #[error("{0}")]
    Invalid(String),
    /// The registry refused the request for lack of (valid) credentials.
    #[error("{registry}: unauthorized: {message}{}", hint_text(*.login_hint, .registry))]
    Unauthorized {
        /// The registry host.
        registry: String,
        /// The registry's or token service's answer.
        message: String,
        /// No credentials were given: say how to give them.
        login_hint: bool,
    },
    /// Nothing matches what was asked for (chart, version, repository).
    #[error("{0}")]
    NotFound(String),
    /// A document (repository index, repositories file) that does not parse.
    #[error("{origin}: {message}")]
    Parse {
        /// The redacted URL or the path it came from.
        origin: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

fn hint_text(show: bool, registry: &str) -> String {
    if show {
        format!(
            " (no credentials for {registry}: run `skiff registry login {registry}` or pass --username/--password)"
        )
    } else {
        String::new()
    }
}

impl RegistryError {
    /// A [`RegistryError::File`] from an I/O error.
    pub fn file(path: &std::path::Path, e: &std::io::Error) -> RegistryError {
        RegistryError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

impl From<RegistryError> for Diagnostic {
    fn from(e: RegistryError) -> Diagnostic {
        let d = Diagnostic::new(crate::archive::sanitize(&e.to_string()));
        match &e {
            RegistryError::File { path, .. } => d.at(Location::file(path.clone())),
            RegistryError::Parse {
                origin,
                line,
                column,
                ..
            } => d.at(Location::file(crate::archive::sanitize(origin)).at(*line, *column)),
            _ => d,
        }
    }
}
