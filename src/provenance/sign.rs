//! Writing `.prov` files, as `helm package --sign` does (helm
//! `pkg/provenance/sign.go` `ClearSign`, `pkg/action/package.go`).

use std::path::{Path, PathBuf};

use pgp::composed::{ArmorOptions, CleartextSignedMessage, SignedSecretKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{SignatureConfig, SignatureType, Subpacket, SubpacketData};
use pgp::types::{KeyDetails, KeyVersion, Password, Timestamp};

use super::{Keyring, ProvenanceError};

/// The secret key whose user id is `name`, or contains it, as helm's
/// `NewFromKeyring` picks one: an exact match wins; otherwise exactly one
/// key may contain the text.
pub fn find_secret_key<'k>(
    keyring: &'k Keyring,
    name: &str,
) -> Result<&'k SignedSecretKey, ProvenanceError> {
    let mut candidate = None;
    let mut vague = false;
    for cert in keyring.certificates() {
        for id in cert.user_ids() {
            if id == name {
                return cert.secret().ok_or_else(no_secret);
            }
            if id.contains(name) {
                vague |= candidate.is_some_and(|c: &super::keyring::Certificate| {
                    c.fingerprint() != cert.fingerprint()
                });
                candidate = Some(cert);
            }
        }
    }
    if vague {
        return Err(ProvenanceError::Sign(format!(
            "more than one key contain the id {:?}",
            crate::archive::sanitize(name)
        )));
    }
    match candidate {
        Some(cert) => cert.secret().ok_or_else(no_secret),
        None => Err(ProvenanceError::Sign(format!(
            "private key not found: no key in {} has a user id containing {:?}",
            keyring.path,
            crate::archive::sanitize(name)
        ))),
    }
}

fn no_secret() -> ProvenanceError {
    ProvenanceError::Sign(
        "provided key is not a private key. Try providing a keyring with secret keys".into(),
    )
}

/// helm's message block: the metadata YAML, the `...` line, then the
/// `files:` mapping with the archive's sha256 (`messageBlock`).
pub fn message_block(archive: &[u8], file_name: &str, metadata_yaml: &str) -> String {
    // helm appends "\n...\n" to the marshalled metadata, which already ends
    // in a newline, so a blank line precedes `...`.
    let mut out = String::from(metadata_yaml);
    out.push_str("\n...\n");
    let mut files = crate::Map::default();
    files.insert(
        file_name.to_string(),
        crate::Value::String(format!("sha256:{}", crate::registry::sha256_hex(archive))),
    );
    let mut sums = crate::Map::default();
    sums.insert("files".to_string(), crate::Value::Map(files));
    out.push_str(&crate::yaml::to_yaml(&crate::Value::Map(sums)));
    out
}

/// Clear-signs `text` with the primary key of `key` (go-crypto's
/// `clearsign.Encode` with the entity's `PrivateKey`), with SHA-512 as helm
/// does (`defaultPGPConfig`), and returns the armored message. A
/// passphrase-protected key needs `passphrase` (skiff does not prompt).
pub fn clear_sign(
    text: &str,
    key: &SignedSecretKey,
    passphrase: Option<&str>,
) -> Result<String, ProvenanceError> {
    let secret = &key.primary_key;
    let password = match passphrase {
        Some(p) => Password::from(p),
        None if secret.secret_params().is_encrypted() => {
            return Err(ProvenanceError::Sign(
                "the signing key is protected by a passphrase; pass --passphrase-file FILE (or - for stdin)"
                    .into(),
            ));
        }
        None => Password::empty(),
    };
    let failed = |e: pgp::errors::Error| ProvenanceError::Sign(format!("signing failed: {e}"));
    let mut config =
        SignatureConfig::from_key(rand_core::OsRng, secret, SignatureType::Text).map_err(failed)?;
    config.hash_alg = HashAlgorithm::Sha512;
    config.hashed_subpackets = vec![
        Subpacket::regular(SubpacketData::SignatureCreationTime(Timestamp::now()))
            .map_err(failed)?,
        Subpacket::regular(SubpacketData::IssuerFingerprint(secret.fingerprint()))
            .map_err(failed)?,
    ];
    if secret.version() <= KeyVersion::V4 {
        config.unhashed_subpackets = vec![
            Subpacket::regular(SubpacketData::IssuerKeyId(secret.legacy_key_id()))
                .map_err(failed)?,
        ];
    }
    let message = CleartextSignedMessage::new(text, config, secret, &password).map_err(failed)?;
    let armored = message
        .to_armored_string(ArmorOptions::default())
        .map_err(failed)?;
    // go-crypto's clearsign writer ends at the END line, without a newline.
    Ok(armored.trim_end_matches('\n').to_string())
}

/// `skiff package --sign`: writes `<archive>.prov` next to `archive`,
/// signed by the key `key_name` from `keyring` (a file with secret keys,
/// e.g. `gpg --export-secret-keys > secring.gpg`), unlocked with
/// `passphrase` if it is protected. Returns its path.
pub fn sign_chart_file(
    archive: &Path,
    key_name: &str,
    keyring: &Path,
    passphrase: Option<&str>,
) -> Result<PathBuf, ProvenanceError> {
    let ring = Keyring::load(keyring)?;
    let key = find_secret_key(&ring, key_name)?;
    let bytes = std::fs::read(archive).map_err(|e| ProvenanceError::file(archive, &e))?;
    let metadata = chart_metadata_yaml(&bytes).ok_or_else(|| ProvenanceError::File {
        path: archive.display().to_string(),
        message: "no readable Chart.yaml in the archive".into(),
    })?;
    let file_name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let signed = clear_sign(
        &message_block(&bytes, &file_name, &metadata),
        key,
        passphrase,
    )?;
    let mut prov = archive.as_os_str().to_owned();
    prov.push(".prov");
    let prov = PathBuf::from(prov);
    crate::registry::cache::write_atomic(&prov, signed.as_bytes()).map_err(|e| {
        ProvenanceError::File {
            path: prov.display().to_string(),
            message: e.to_string(),
        }
    })?;
    Ok(prov)
}

/// The archive's `Chart.yaml`, re-emitted the way helm marshals chart
/// metadata (sigs.k8s.io/yaml: sorted keys, helm's scalar spelling).
fn chart_metadata_yaml(bytes: &[u8]) -> Option<String> {
    let entries = crate::archive::read_tgz(bytes, &crate::archive::Limits::default()).ok()?;
    let (_, files) = crate::archive::strip_chart_dir(entries).ok()?;
    let chart_yaml = files.iter().find(|f| f.name == "Chart.yaml")?;
    let text = std::str::from_utf8(&chart_yaml.data).ok()?;
    let value = crate::yaml::parse_document(text).ok()?;
    Some(crate::yaml::to_yaml(&value))
}
