//! OpenPGP keyrings as helm reads them: GnuPG's legacy binary `pubring.gpg`
//! / `secring.gpg` (a plain packet stream) or ASCII-armored exports
//! (`gpg --export --armor`, several blocks concatenated).
//!
//! Only keys that are self-consistent are kept, as go-crypto's
//! `ReadKeyRing` does: a user id counts only with a valid self-signature,
//! a subkey signs only with a valid binding signature that grants the sign
//! flag (and carries the primary-key back-signature), and a key with a
//! valid revocation signature, or past its expiry, signs nothing.

use std::path::Path;

use pgp::composed::{PublicOrSecret, SignedPublicKey, SignedSecretKey};
use pgp::packet::{Packet, PacketParser, PublicKey, PublicSubkey, Signature, SignatureType};
use pgp::ser::Serialize;
use pgp::types::{Fingerprint, KeyDetails, KeyId, Tag, Timestamp};

use super::ProvenanceError;

/// The largest keyring file read (GnuPG keyrings of thousands of keys stay
/// far below this).
const MAX_KEYRING_SIZE: u64 = 64 * 1024 * 1024;

/// A key that may have made a signature: a primary key or a signing
/// subkey, with the certificate it belongs to.
pub(crate) enum SigningKey<'a> {
    /// The certificate's primary key.
    Primary(&'a PublicKey),
    /// A subkey bound to the certificate for signing.
    Subkey(&'a PublicSubkey),
}

/// One certificate (a primary key with its user ids and subkeys) from the
/// keyring, already checked.
pub struct Certificate {
    key: SignedPublicKey,
    /// User ids with a valid self-signature, in keyring order.
    user_ids: Vec<String>,
    /// Subkeys (indexes into `key.public_subkeys`) that may sign.
    signing_subkeys: Vec<usize>,
    /// Whether the primary key may sign (its self-signature's key flags
    /// grant it, or name none).
    primary_signs: bool,
    /// Revoked or expired: verification fails with this reason.
    unusable: Option<String>,
    /// A secret key (from `secring.gpg`), usable for signing.
    secret: Option<SignedSecretKey>,
}

impl Certificate {
    /// The user ids (`Name (comment) <email>`) with a valid self-signature:
    /// what helm prints as `Signed by:`.
    pub fn user_ids(&self) -> &[String] {
        &self.user_ids
    }

    /// The primary key's fingerprint (helm prints it for subkey signatures
    /// too: `Using Key With Fingerprint` is `SignedBy.PrimaryKey`).
    pub fn fingerprint(&self) -> Fingerprint {
        self.key.primary_key.fingerprint()
    }

    /// Why this certificate may not sign (revoked, expired), if so.
    pub fn unusable(&self) -> Option<&str> {
        self.unusable.as_deref()
    }

    /// The secret key, when the keyring held one.
    pub(crate) fn secret(&self) -> Option<&SignedSecretKey> {
        self.secret.as_ref()
    }

    /// Keys of this certificate a signature naming `key_ids` /
    /// `fingerprints` as issuer may have been made with.
    pub(crate) fn signers_for(
        &self,
        key_ids: &[&KeyId],
        fingerprints: &[&Fingerprint],
    ) -> Vec<SigningKey<'_>> {
        let named = |id: KeyId, fp: Fingerprint| {
            key_ids.iter().any(|k| **k == id) || fingerprints.iter().any(|f| **f == fp)
        };
        let mut out = Vec::new();
        let primary = &self.key.primary_key;
        if self.primary_signs && named(primary.legacy_key_id(), primary.fingerprint()) {
            out.push(SigningKey::Primary(primary));
        }
        for &i in &self.signing_subkeys {
            if let Some(sub) = self.key.public_subkeys.get(i)
                && named(sub.key.legacy_key_id(), sub.key.fingerprint())
            {
                out.push(SigningKey::Subkey(&sub.key));
            }
        }
        out
    }
}

/// The certificates of one keyring file.
pub struct Keyring {
    /// Where it was read from, for messages.
    pub path: String,
    pub(super) certificates: Vec<Certificate>,
}

impl Keyring {
    /// Reads `path`: binary (GnuPG's `pubring.gpg`, `secring.gpg`) or
    /// ASCII-armored; public and secret keys alike (helm's `ReadKeyRing`
    /// accepts both, so `--keyring secring.gpg` verifies too).
    pub fn load(path: &Path) -> Result<Keyring, ProvenanceError> {
        let shown = path.display().to_string();
        let unreadable = |e: std::io::Error| ProvenanceError::File {
            path: shown.clone(),
            message: format!("could not load keyring: {e}"),
        };
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        if meta.len() > MAX_KEYRING_SIZE {
            return Err(keyring_error(
                &shown,
                format!("larger than {MAX_KEYRING_SIZE} bytes"),
            ));
        }
        let data = std::fs::read(path).map_err(unreadable)?;
        Keyring::parse(&data, &shown)
    }

    /// Parses keyring bytes; `path` only names them in messages.
    pub fn parse(data: &[u8], path: &str) -> Result<Keyring, ProvenanceError> {
        let packets = match data.first() {
            None => return Err(keyring_error(path, "the file is empty".into())),
            // RFC 9580 §4.2: every packet header has the high bit set, so
            // a first byte without it means armored text.
            Some(b) if b & 0x80 != 0 => binary_packets(data, path)?,
            Some(_) => {
                let mut all = Vec::new();
                for block in armored_blocks(data, path)? {
                    all.extend(binary_packets(&block, path)?);
                }
                all
            }
        };
        let mut certificates = Vec::new();
        let mut last_problem = None;
        let keys = PublicOrSecret::from_bytes_many(&packets[..])
            .map_err(|e| keyring_error(path, e.to_string()))?;
        for key in keys {
            match key {
                Ok(PublicOrSecret::Public(key)) => match Certificate::check(key, None) {
                    Ok(cert) => certificates.push(cert),
                    Err(why) => last_problem = Some(why),
                },
                Ok(PublicOrSecret::Secret(key)) => {
                    match Certificate::check(key.to_public_key(), Some(key)) {
                        Ok(cert) => certificates.push(cert),
                        Err(why) => last_problem = Some(why),
                    }
                }
                Err(e) => last_problem = Some(e.to_string()),
            }
        }
        if certificates.is_empty() {
            return Err(keyring_error(
                path,
                last_problem.unwrap_or_else(|| "no keys found".into()),
            ));
        }
        Ok(Keyring {
            path: path.to_string(),
            certificates,
        })
    }

    /// The certificates, in keyring order.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }
}

impl Certificate {
    /// Checks the self-signatures of `key` and keeps what they vouch for.
    fn check(key: SignedPublicKey, secret: Option<SignedSecretKey>) -> Result<Certificate, String> {
        let primary = &key.primary_key;
        let mut user_ids = Vec::new();
        // The newest valid self-certification carries the key's current
        // flags and expiry (RFC 9580 §5.2.3.10).
        let mut newest: Option<&Signature> = None;
        for user in &key.details.users {
            let valid: Vec<&Signature> = user
                .signatures
                .iter()
                .filter(|sig| {
                    sig.typ() != Some(SignatureType::CertRevocation)
                        && sig
                            .verify_certification(primary, Tag::UserId, &user.id)
                            .is_ok()
                })
                .collect();
            if valid.is_empty() {
                continue;
            }
            user_ids.push(String::from_utf8_lossy(user.id.id()).into_owned());
            for sig in valid {
                if newest.is_none_or(|n| created(sig) > created(n)) {
                    newest = Some(sig);
                }
            }
        }
        let Some(self_sig) = newest else {
            return Err(format!(
                "key {:X} has no user id with a valid self-signature",
                primary.fingerprint()
            ));
        };
        let flags = self_sig.key_flags();
        let primary_signs = flags.sign() || !(flags.certify() || flags.encrypt_comms());
        let mut unusable = None;
        if key
            .details
            .revocation_signatures
            .iter()
            .any(|sig| sig.verify_key(primary).is_ok())
        {
            unusable = Some("the key is revoked".to_string());
        } else if expired(primary.created_at(), self_sig) {
            unusable = Some("the key has expired".to_string());
        }
        let mut signing_subkeys = Vec::new();
        for (i, sub) in key.public_subkeys.iter().enumerate() {
            let revoked = sub.signatures.iter().any(|sig| {
                sig.typ() == Some(SignatureType::SubkeyRevocation)
                    && sig.verify_subkey_binding(primary, &sub.key).is_ok()
            });
            let binds = sub.signatures.iter().any(|sig| {
                sig.typ() == Some(SignatureType::SubkeyBinding)
                    && sig.key_flags().sign()
                    && !expired(sub.key.created_at(), sig)
                    && sig.verify_subkey_binding(primary, &sub.key).is_ok()
                    // A signing subkey must sign the primary back, so nobody
                    // can claim someone else's subkey (RFC 9580 §5.2.1.9).
                    && sig
                        .embedded_signature()
                        .is_some_and(|back| back.verify_primary_key_binding(&sub.key, primary).is_ok())
            });
            if binds && !revoked {
                signing_subkeys.push(i);
            }
        }
        Ok(Certificate {
            key,
            user_ids,
            signing_subkeys,
            primary_signs,
            unusable,
            secret,
        })
    }
}

fn created(sig: &Signature) -> u32 {
    sig.created().map(Timestamp::as_secs).unwrap_or(0)
}

/// Whether the key created at `created` has expired by now according to
/// `sig`'s key expiration subpacket (seconds after creation; 0 or absent
/// means never).
fn expired(created: Timestamp, sig: &Signature) -> bool {
    match sig.key_expiration_time() {
        Some(after) if after.as_secs() > 0 => {
            let end = u64::from(created.as_secs()) + u64::from(after.as_secs());
            u64::from(Timestamp::now().as_secs()) > end
        }
        _ => false,
    }
}

fn keyring_error(path: &str, message: String) -> ProvenanceError {
    ProvenanceError::Keyring {
        path: path.to_string(),
        message,
    }
}

/// The packets of binary keyring data, re-serialized without GnuPG's trust
/// packets: legacy `pubring.gpg` files carry one after each user id and
/// key, which the key parser would take as the end of the key.
fn binary_packets(data: &[u8], path: &str) -> Result<Vec<u8>, ProvenanceError> {
    let mut out = Vec::with_capacity(data.len());
    for packet in PacketParser::new(data) {
        match packet {
            Ok(Packet::Trust(_)) => {}
            Ok(packet) => packet
                .to_writer(&mut out)
                .map_err(|e| keyring_error(path, e.to_string()))?,
            // Packets of unknown or unsupported kinds (e.g. algorithms this
            // build lacks) are skipped, as GnuPG and go-crypto skip them;
            // the keys they belong to are then incomplete and dropped.
            Err(pgp::errors::Error::Unsupported { .. }) => {}
            Err(e) => return Err(keyring_error(path, e.to_string())),
        }
    }
    Ok(out)
}

/// Every `-----BEGIN PGP PUBLIC/PRIVATE KEY BLOCK-----` block of armored
/// text, decoded. Concatenated exports (`cat a.asc b.asc`) are common;
/// GnuPG imports them all, and so does this.
fn armored_blocks(data: &[u8], path: &str) -> Result<Vec<Vec<u8>>, ProvenanceError> {
    let text = std::str::from_utf8(data)
        .map_err(|_| keyring_error(path, "neither binary OpenPGP data nor armored text".into()))?;
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN PGP ") {
        let block = &rest[start..];
        // The block ends with the line that holds its END marker.
        let end = block
            .find("-----END PGP ")
            .map(|e| block[e..].find('\n').map_or(block.len(), |n| e + n + 1))
            .ok_or_else(|| keyring_error(path, "an armored block has no END line".into()))?;
        let mut dearmor =
            pgp::armor::Dearmor::new(std::io::BufReader::new(&block.as_bytes()[..end]));
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut dearmor, &mut bytes)
            .map_err(|e| keyring_error(path, format!("bad armor: {e}")))?;
        match dearmor.typ {
            Some(pgp::armor::BlockType::PublicKey | pgp::armor::BlockType::PrivateKey) => {
                blocks.push(bytes)
            }
            other => {
                return Err(keyring_error(
                    path,
                    format!(
                        "expected a public or private key block, got {}",
                        other.map_or_else(|| "none".to_string(), |t| t.to_string())
                    ),
                ));
            }
        }
        rest = &block[end..];
    }
    if blocks.is_empty() {
        return Err(keyring_error(
            path,
            "neither binary OpenPGP data nor an armored key block".into(),
        ));
    }
    Ok(blocks)
}
