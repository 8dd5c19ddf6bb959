//! Errors of provenance verification and signing.

use crate::diag::{Diagnostic, Location};

/// Why a chart's provenance could not be verified (or a chart signed).
///
/// Every variant names the file it is about; texts that came from a file
/// (user ids, file names) are sanitized when the error becomes a
/// [`Diagnostic`].
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    /// A file (chart, `.prov`, keyring) could not be read.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// The keyring holds no usable OpenPGP key, or is not a keyring.
    #[error("{path}: not a usable OpenPGP keyring: {message}")]
    Keyring {
        /// The keyring file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The `.prov` is not an OpenPGP clear-signed message, or its body is
    /// not helm's metadata + `...` + `files:` layout.
    #[error("{origin}: malformed provenance: {message}")]
    Malformed {
        /// The `.prov` file or URL.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// No key in the keyring made the signature (helm/go-crypto: "signature
    /// made by unknown entity").
    #[error("{origin}: signed by an unknown key ({issuer}); it is not in the keyring {keyring}")]
    UnknownKey {
        /// The `.prov` file or URL.
        origin: String,
        /// The key ids / fingerprints the signature names.
        issuer: String,
        /// The keyring searched.
        keyring: String,
    },
    /// The signer's key is in the keyring but the signature does not verify:
    /// the signed text or the signature was altered.
    #[error("{origin}: bad signature: {message}")]
    BadSignature {
        /// The `.prov` file or URL.
        origin: String,
        /// Why it failed.
        message: String,
    },
    /// The signature is good but the archive is not the one signed.
    #[error(
        "{origin}: sha256 sum does not match for {file_name}: the provenance says {expected}, the archive is {actual}"
    )]
    HashMismatch {
        /// The `.prov` file or URL.
        origin: String,
        /// The archive's file name, the key looked up under `files:`.
        file_name: String,
        /// The `sha256:<hex>` the provenance names.
        expected: String,
        /// The `sha256:<hex>` of the archive.
        actual: String,
    },
    /// The signature is good but it does not cover a file of this name.
    #[error("{origin}: provenance does not contain a SHA for a file named {file_name:?}")]
    NoEntry {
        /// The `.prov` file or URL.
        origin: String,
        /// The archive's file name.
        file_name: String,
    },
    /// Signing failed: no such key, an encrypted key, or a crypto error.
    #[error("{0}")]
    Sign(String),
}

impl ProvenanceError {
    /// A [`ProvenanceError::File`] from an I/O error.
    pub fn file(path: &std::path::Path, e: &std::io::Error) -> ProvenanceError {
        ProvenanceError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

impl From<ProvenanceError> for Diagnostic {
    fn from(e: ProvenanceError) -> Diagnostic {
        let d = Diagnostic::new(crate::archive::sanitize(&e.to_string()));
        match &e {
            ProvenanceError::File { path, .. } | ProvenanceError::Keyring { path, .. } => {
                d.at(Location::file(crate::archive::sanitize(path)))
            }
            _ => d,
        }
    }
}
