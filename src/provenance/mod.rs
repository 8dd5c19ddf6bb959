//! Chart provenance: helm's `<chart>.tgz.prov` files, checked like
//! `helm verify` (helm `pkg/provenance/sign.go`, `pkg/action/verify.go`).
//!
//! A `.prov` is an OpenPGP clear-signed message whose body is the chart's
//! `Chart.yaml` metadata as YAML, the YAML document-end line `...` (helm
//! cannot use `---`: a clear-signed body may not hold dash lines unescaped),
//! then `files:` mapping the archive's file name to `sha256:<hex>`.
//! Verifying means: the signature is good and made by a key in the keyring,
//! the body has that layout, and the archive's sha256 is the one named for
//! its file name.
//!
//! The OpenPGP work (armor, packets, RSA/EdDSA/ECDSA/DSA signatures) is the
//! `pgp` crate's; [`keyring`] reads GnuPG keyrings on top of it, and
//! [`sign`] writes `.prov` files as `helm package --sign` does.

mod error;
pub mod keyring;
pub mod sign;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pgp::composed::CleartextSignedMessage;
use pgp::types::KeyId;

pub use error::ProvenanceError;
pub use keyring::Keyring;

use keyring::SigningKey;

/// The largest `.prov` read: a chart's metadata plus one signature.
pub const MAX_PROV_SIZE: u64 = 4 * 1024 * 1024;

/// What a successful verification found, printed like `helm verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The signer's user ids (`Name (comment) <email>`).
    pub signed_by: Vec<String>,
    /// The signer's primary-key fingerprint, uppercase hex.
    pub fingerprint: String,
    /// `sha256:<hex>` of the archive, as the provenance names it.
    pub file_hash: String,
    /// The archive's file name the hash was looked up under.
    pub file_name: String,
}

impl Verification {
    /// helm's three report lines (`pkg/action/verify.go`): one `Signed by:`
    /// per user id, the fingerprint, the verified hash. Texts from the key
    /// are sanitized, since a user id may hold control characters.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for id in &self.signed_by {
            out.push_str(&format!("Signed by: {}\n", crate::archive::sanitize(id)));
        }
        out.push_str(&format!(
            "Using Key With Fingerprint: {}\n",
            self.fingerprint
        ));
        out.push_str(&format!(
            "Chart Hash Verified: {}\n",
            crate::archive::sanitize(&self.file_hash)
        ));
        out
    }
}

/// The keyring helm uses when `--keyring` is not given
/// (`defaultKeyring` in helm `pkg/cmd`): `$GNUPGHOME/pubring.gpg`, else
/// `~/.gnupg/pubring.gpg`.
pub fn default_keyring() -> PathBuf {
    if let Some(home) = std::env::var_os("GNUPGHOME") {
        return PathBuf::from(home).join("pubring.gpg");
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".gnupg").join("pubring.gpg")
}

/// `skiff verify CHART.tgz`: checks `CHART.tgz` against `CHART.tgz.prov`
/// with the keys of `keyring`, as helm's `VerifyChart` does (an unpacked
/// chart or a non-`.tgz` file is refused up front).
pub fn verify_chart_file(chart: &Path, keyring: &Path) -> Result<Verification, ProvenanceError> {
    let meta = std::fs::metadata(chart).map_err(|e| ProvenanceError::file(chart, &e))?;
    let shown = chart.display().to_string();
    if meta.is_dir() {
        return Err(ProvenanceError::File {
            path: shown,
            message: "unpacked charts cannot be verified".into(),
        });
    }
    // helm decides by extension alone (`isTar`), case-insensitively.
    if !chart
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tgz"))
    {
        return Err(ProvenanceError::File {
            path: shown,
            message: "chart must be a tgz file".into(),
        });
    }
    let mut prov_path = chart.as_os_str().to_owned();
    prov_path.push(".prov");
    let prov_path = PathBuf::from(prov_path);
    let prov = read_limited(&prov_path, MAX_PROV_SIZE).map_err(|e| match e {
        ProvenanceError::File { path, message } => ProvenanceError::File {
            path,
            message: format!("could not load provenance file: {message}"),
        },
        other => other,
    })?;
    let ring = Keyring::load(keyring)?;
    let archive = read_limited(chart, crate::chart::MAX_ARCHIVE_SIZE)?;
    let file_name = chart
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    verify(
        &archive,
        &prov,
        &file_name,
        &prov_path.display().to_string(),
        &ring,
    )
}

fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ProvenanceError> {
    let meta = std::fs::metadata(path).map_err(|e| ProvenanceError::file(path, &e))?;
    if meta.len() > limit {
        return Err(ProvenanceError::File {
            path: path.display().to_string(),
            message: format!("larger than {limit} bytes"),
        });
    }
    std::fs::read(path).map_err(|e| ProvenanceError::file(path, &e))
}

/// Verifies archive bytes against `.prov` bytes: signature first, then
/// the body's layout, then the archive's sha256 under `file_name` (helm's
/// `Signatory.Verify`). `origin` names the `.prov` (a path or URL) in
/// errors.
pub fn verify(
    archive: &[u8],
    prov: &[u8],
    file_name: &str,
    origin: &str,
    keyring: &Keyring,
) -> Result<Verification, ProvenanceError> {
    let malformed = |message: String| ProvenanceError::Malformed {
        origin: origin.to_string(),
        message,
    };
    let text = std::str::from_utf8(prov)
        .map_err(|_| malformed("not text: a .prov is an OpenPGP clear-signed message".into()))?;
    // go-crypto's clearsign.Decode skips anything before the header line;
    // the pgp crate refuses it, so start at the header.
    const HEADER: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
    let start = text
        .find(HEADER)
        .ok_or_else(|| malformed("signature block not found".into()))?;
    let (message, _) = CleartextSignedMessage::from_string(&text[start..])
        .map_err(|e| malformed(format!("not an OpenPGP clear-signed message: {e}")))?;
    let signer = check_signature(&message, origin, keyring)?;

    // The signed text is normalized to CRLF line ends; the body's layout is
    // read with LF ones, as helm's `block.Plaintext` has them.
    let body = message.signed_text().replace("\r\n", "\n");
    let sums = parse_body(&body).map_err(malformed)?;
    let actual = format!("sha256:{}", crate::registry::sha256_hex(archive));
    let expected = sums
        .get(file_name)
        .ok_or_else(|| ProvenanceError::NoEntry {
            origin: origin.to_string(),
            file_name: file_name.to_string(),
        })?;
    if *expected != actual {
        return Err(ProvenanceError::HashMismatch {
            origin: origin.to_string(),
            file_name: file_name.to_string(),
            expected: expected.clone(),
            actual,
        });
    }
    Ok(Verification {
        signed_by: signer.user_ids().to_vec(),
        fingerprint: format!("{:X}", signer.fingerprint()),
        file_hash: actual,
        file_name: file_name.to_string(),
    })
}

/// The certificate whose key made a good signature on `message`.
fn check_signature<'k>(
    message: &CleartextSignedMessage,
    origin: &str,
    keyring: &'k Keyring,
) -> Result<&'k keyring::Certificate, ProvenanceError> {
    let signed = message.signed_text();
    let mut issuers = Vec::new();
    let mut failure = None;
    for sig in message.signatures() {
        let key_ids = sig.issuer_key_id();
        let fingerprints = sig.issuer_fingerprint();
        issuers.extend(key_ids.iter().map(|k| key_id_hex(k)));
        issuers.extend(fingerprints.iter().map(|f| format!("{f:X}")));
        for cert in keyring.certificates() {
            for key in cert.signers_for(&key_ids, &fingerprints) {
                let checked = match key {
                    SigningKey::Primary(k) => sig.verify(k, signed.as_bytes()),
                    SigningKey::Subkey(k) => sig.verify(k, signed.as_bytes()),
                };
                match (checked, cert.unusable()) {
                    (Ok(()), None) => return Ok(cert),
                    (Ok(()), Some(why)) => failure = Some(why.to_string()),
                    // The crate's detail (e.g. a hash-prefix assertion) says
                    // nothing useful to a user; what it means does.
                    (Err(_), _) => {
                        failure = Some(format!(
                            "the signature by key {:X} does not match the signed text: the .prov was altered after signing, or is corrupt",
                            cert.fingerprint()
                        ))
                    }
                }
            }
        }
    }
    if let Some(message) = failure {
        return Err(ProvenanceError::BadSignature {
            origin: origin.to_string(),
            message,
        });
    }
    if message.signatures().is_empty() {
        return Err(ProvenanceError::Malformed {
            origin: origin.to_string(),
            message: "the message has no signature".into(),
        });
    }
    issuers.dedup();
    Err(ProvenanceError::UnknownKey {
        origin: origin.to_string(),
        issuer: if issuers.is_empty() {
            "the signature names no issuer".into()
        } else {
            issuers.join(", ")
        },
        keyring: keyring.path.clone(),
    })
}

fn key_id_hex(id: &KeyId) -> String {
    id.as_ref().iter().map(|b| format!("{b:02X}")).collect()
}

/// The `files:` part of a provenance body (helm's `SumCollection`; the
/// `images:` part it reserves is accepted and ignored).
#[derive(Debug, serde::Deserialize)]
struct SumCollection {
    #[serde(default)]
    files: BTreeMap<String, String>,
}

/// Splits a provenance body at its first `\n...\n` (helm's
/// `ParseMessageBlock`), checks that the metadata part is a YAML mapping,
/// and returns the `files:` entries.
pub fn parse_body(body: &str) -> Result<BTreeMap<String, String>, String> {
    let (metadata, sums) = body
        .split_once("\n...\n")
        .ok_or("the signed text has no `...` line between the metadata and the file sums")?;
    let parsed: serde_json::Value = serde_saphyr::from_str(metadata)
        .map_err(|e| format!("the metadata block is not YAML: {e}"))?;
    if !parsed.is_object() {
        return Err("the metadata block is not a YAML mapping".into());
    }
    // The sums end at the next `...` if the signer added more parts.
    let sums = sums.split("\n...\n").next().unwrap_or(sums);
    let parsed: SumCollection = serde_saphyr::from_str(sums)
        .map_err(|e| format!("the file sums block is not YAML: {e}"))?;
    Ok(parsed.files)
}

#[cfg(test)]
mod tests;
