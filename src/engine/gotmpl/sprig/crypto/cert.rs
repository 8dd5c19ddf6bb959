//! Private keys and X.509 certificates: Sprig's `genPrivateKey`, `genCA`,
//! `genCAWithKey`, `genSelfSignedCert`, `genSelfSignedCertWithKey`,
//! `genSignedCert`, `genSignedCertWithKey` and `buildCustomCert`.
//!
//! Certificates are laid out as Go's `x509.CreateCertificate` lays out
//! Sprig's templates (go1.25, as in Helm v4.1.4): version 3, a 128-bit
//! random serial, the CN-only subject as PrintableString or UTF8String,
//! UTCTime validity (GeneralizedTime from 2050), then the extensions key
//! usage (critical), extended key usage (server + client auth), basic
//! constraints (critical), subject key id (CAs only: SHA-256 of the public
//! key truncated to 160 bits), authority key id (the signer's subject key
//! id, when issuer and subject differ) and subject alternative names (DNS
//! names, then IPs; critical when the subject is empty). Same structure,
//! same DER length up to random number lengths, so the PEM text has
//! Helm's line count.

use std::net::IpAddr;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::sha2::{Digest, Sha256};
use rsa::traits::PublicKeyParts;

use super::der::{self, tag};
use super::{CryptoError, SharedRng};
use crate::engine::gotmpl::format;
use crate::engine::gotmpl::value::{GoValue, Object};

/// Object identifiers used in keys and certificates.
mod oids {
    pub const RSA_ENCRYPTION: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
    pub const SHA256_WITH_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 11];
    pub const EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10045, 2, 1];
    pub const PRIME256V1: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
    pub const ECDSA_WITH_SHA256: &[u64] = &[1, 2, 840, 10045, 4, 3, 2];
    pub const ED25519: &[u64] = &[1, 3, 101, 112];
    pub const COMMON_NAME: &[u64] = &[2, 5, 4, 3];
    pub const KEY_USAGE: &[u64] = &[2, 5, 29, 15];
    pub const EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
    pub const BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
    pub const SUBJECT_KEY_ID: &[u64] = &[2, 5, 29, 14];
    pub const AUTHORITY_KEY_ID: &[u64] = &[2, 5, 29, 35];
    pub const SUBJECT_ALT_NAME: &[u64] = &[2, 5, 29, 17];
    pub const SERVER_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 1];
    pub const CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];
}

/// A private key of one of the kinds Sprig generates and reads.
pub enum PrivateKey {
    /// RSA (`RSA PRIVATE KEY`, PKCS#1).
    Rsa(Box<rsa::RsaPrivateKey>),
    /// ECDSA on P-256 (`EC PRIVATE KEY`, SEC 1).
    Ecdsa(p256::SecretKey),
    /// Ed25519 (`PRIVATE KEY`, PKCS#8).
    Ed25519(ed25519_dalek::SigningKey),
    /// DSA as Sprig stores it (`DSA PRIVATE KEY`: version, P, Q, G, Y, X),
    /// kept as the integers' big-endian bytes. Go's x509 can neither sign
    /// with nor certify a DSA key, so it is only parsed and re-encoded.
    Dsa(Vec<Vec<u8>>),
}

impl PrivateKey {
    /// Go's `rsa.GenerateKey(rand.Reader, bits)`.
    ///
    /// Unseeded, the key comes from AWS-LC (random, as Go's is): the `rsa`
    /// crate's prime search takes seconds for a 4096-bit key where Go takes
    /// a fraction of one. With `--seed` it must come from the shared
    /// generator, so the same seed keeps giving the same key.
    pub fn generate_rsa(rng: &SharedRng, bits: usize) -> Result<PrivateKey, CryptoError> {
        if !rng.is_seeded()
            && let Some(key) = generate_rsa_os(bits)?
        {
            return Ok(PrivateKey::Rsa(Box::new(key)));
        }
        let key = rsa::RsaPrivateKey::new(&mut *super::lock(rng), bits)
            .map_err(|e| CryptoError::new(format!("error generating rsa key: {e}")))?;
        Ok(PrivateKey::Rsa(Box::new(key)))
    }

    /// Go's `dsa.GenerateParameters(L2048N256)` and `dsa.GenerateKey`.
    pub fn generate_dsa(rng: &SharedRng) -> PrivateKey {
        let mut guard = super::lock(rng);
        let components = dsa::Components::generate(&mut *guard, dsa::KeySize::DSA_2048_256);
        let key = dsa::SigningKey::generate(&mut *guard, components);
        let public = key.verifying_key();
        let c = public.components();
        PrivateKey::Dsa(vec![
            c.p().to_bytes_be(),
            c.q().to_bytes_be(),
            c.g().to_bytes_be(),
            public.y().to_bytes_be(),
            key.x().to_bytes_be(),
        ])
    }

    /// The PEM block Sprig's `pemBlockForKey` writes for this key.
    pub fn to_pem(&self) -> Result<String, CryptoError> {
        match self {
            PrivateKey::Rsa(k) => {
                let doc = k
                    .to_pkcs1_der()
                    .map_err(|e| CryptoError::new(format!("failed to encode rsa key: {e}")))?;
                Ok(der::pem_encode("RSA PRIVATE KEY", doc.as_bytes()))
            }
            PrivateKey::Ecdsa(k) => {
                // Go's x509.MarshalECPrivateKey: version 1, the scalar padded to
                // the curve size, [0] the curve OID, [1] the public point.
                let point = k.public_key().to_sec1_bytes();
                let body = der::seq(&[
                    &der::small_uint(1),
                    &der::tlv(tag::OCTET_STRING, &k.to_bytes()),
                    &der::tlv(0xa0, &der::oid(oids::PRIME256V1)),
                    &der::tlv(0xa1, &der::bit_string(&point)),
                ]);
                Ok(der::pem_encode("EC PRIVATE KEY", &body))
            }
            PrivateKey::Ed25519(k) => {
                // Go's x509.MarshalPKCS8PrivateKey for ed25519: the seed wrapped
                // in an OCTET STRING inside the PKCS#8 privateKey field.
                let body = der::seq(&[
                    &der::small_uint(0),
                    &der::seq(&[&der::oid(oids::ED25519)]),
                    &der::tlv(
                        tag::OCTET_STRING,
                        &der::tlv(tag::OCTET_STRING, &k.to_bytes()),
                    ),
                ]);
                Ok(der::pem_encode("PRIVATE KEY", &body))
            }
            PrivateKey::Dsa(ints) => {
                let mut parts = vec![der::small_uint(0)];
                parts.extend(ints.iter().map(|i| der::uint(i)));
                Ok(der::pem_encode(
                    "DSA PRIVATE KEY",
                    &der::tlv(tag::SEQUENCE, &parts.concat()),
                ))
            }
        }
    }

    /// The DER SubjectPublicKeyInfo, as Go's `marshalPublicKey` writes it,
    /// and the raw public key bits (what the subject key id hashes).
    fn public_key_info(&self) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
        let (alg, bits) = match self {
            PrivateKey::Rsa(k) => {
                let bits = der::seq(&[
                    &der::uint(&k.n().to_bytes_be()),
                    &der::uint(&k.e().to_bytes_be()),
                ]);
                (
                    der::seq(&[&der::oid(oids::RSA_ENCRYPTION), &der::null()]),
                    bits,
                )
            }
            PrivateKey::Ecdsa(k) => (
                der::seq(&[&der::oid(oids::EC_PUBLIC_KEY), &der::oid(oids::PRIME256V1)]),
                k.public_key().to_sec1_bytes().to_vec(),
            ),
            PrivateKey::Ed25519(k) => (
                der::seq(&[&der::oid(oids::ED25519)]),
                k.verifying_key().to_bytes().to_vec(),
            ),
            PrivateKey::Dsa(_) => {
                return Err(CryptoError::new(
                    "x509: unsupported public key type: *dsa.PublicKey",
                ));
            }
        };
        Ok((der::seq(&[&alg, &der::bit_string(&bits)]), bits))
    }

    /// The signature AlgorithmIdentifier Go picks for this signing key.
    fn signature_algorithm(&self) -> Result<Vec<u8>, CryptoError> {
        match self {
            PrivateKey::Rsa(_) => Ok(der::seq(&[&der::oid(oids::SHA256_WITH_RSA), &der::null()])),
            PrivateKey::Ecdsa(_) => Ok(der::seq(&[&der::oid(oids::ECDSA_WITH_SHA256)])),
            PrivateKey::Ed25519(_) => Ok(der::seq(&[&der::oid(oids::ED25519)])),
            PrivateKey::Dsa(_) => Err(not_a_signer()),
        }
    }

    /// Signs `message` the way Go's x509 does for this key type.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self {
            PrivateKey::Rsa(k) => {
                let digest = Sha256::digest(message);
                k.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
                    .map_err(|e| CryptoError::new(format!("x509: signature failed: {e}")))
            }
            PrivateKey::Ecdsa(k) => {
                use p256::ecdsa::signature::Signer as _;
                let signer = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature = signer.sign(message);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                Ok(k.sign(message).to_bytes().to_vec())
            }
            PrivateKey::Dsa(_) => Err(not_a_signer()),
        }
    }
}

fn not_a_signer() -> CryptoError {
    CryptoError::new("x509: certificate private key does not implement crypto.Signer")
}

/// A random RSA key of one of the sizes AWS-LC generates, read back through
/// its PKCS#8 encoding; `None` for other sizes.
fn generate_rsa_os(bits: usize) -> Result<Option<rsa::RsaPrivateKey>, CryptoError> {
    use aws_lc_rs::encoding::AsDer as _;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use rsa::pkcs8::DecodePrivateKey as _;
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        8192 => KeySize::Rsa8192,
        _ => return Ok(None),
    };
    let failed = |what: &str| CryptoError::new(format!("error generating rsa key: {what}"));
    let pair = KeyPair::generate(size).map_err(|_| failed("key generation failed"))?;
    let der = pair
        .as_der()
        .map_err(|_| failed("cannot encode the generated key"))?;
    rsa::RsaPrivateKey::from_pkcs8_der(der.as_ref())
        .map(Some)
        .map_err(|e| failed(&e.to_string()))
}

/// Sprig's `genPrivateKey`: a PEM private key of type `rsa` (4096 bits, also
/// for the empty string), `ecdsa` (P-256) or `ed25519`. Sprig returns its
/// errors as the function's string result, so this never fails.
pub fn generate_private_key(rng: &SharedRng, typ: &str) -> String {
    let key = match typ {
        "" | "rsa" => PrivateKey::generate_rsa(rng, 4096),
        "ecdsa" => Ok(PrivateKey::Ecdsa(p256::SecretKey::random(
            &mut *super::lock(rng),
        ))),
        "ed25519" => Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(
            &mut *super::lock(rng),
        ))),
        "dsa" => Ok(PrivateKey::generate_dsa(rng)),
        other => return format!("Unknown type {other}"),
    };
    match key.and_then(|k| k.to_pem()) {
        Ok(pem) => pem,
        Err(e) => e.to_string(),
    }
}

/// Sprig's `parsePrivateKeyPEM`: the first PEM block's key.
pub fn parse_private_key_pem(text: &str) -> Result<PrivateKey, CryptoError> {
    let block = der::pem_decode(text).ok_or_else(|| CryptoError::new("no PEM data in input"))?;
    if block.label == "PRIVATE KEY" {
        return parse_pkcs8(&block.der)
            .map_err(|e| CryptoError::new(format!("decoding PEM as PKCS#8: {e}")));
    }
    let Some(kind) = block.label.strip_suffix(" PRIVATE KEY") else {
        return Err(CryptoError::new(format!(
            "no private key data in PEM block of type {}",
            block.label
        )));
    };
    match kind {
        "RSA" => parse_pkcs1(&block.der)
            .map_err(|e| CryptoError::new(format!("parsing RSA private key from PEM: {e}"))),
        "EC" => parse_sec1(&block.der, None)
            .map_err(|e| CryptoError::new(format!("parsing EC private key from PEM: {e}"))),
        "DSA" => parse_dsa(&block.der)
            .map_err(|e| CryptoError::new(format!("parsing DSA private key from PEM: {e}"))),
        _ => Err(CryptoError::new(format!(
            "invalid private key type {}",
            block.label
        ))),
    }
}

fn parse_pkcs1(der_bytes: &[u8]) -> Result<PrivateKey, String> {
    rsa::RsaPrivateKey::from_pkcs1_der(der_bytes)
        .map(|k| PrivateKey::Rsa(Box::new(k)))
        .map_err(|e| format!("x509: failed to parse private key ({e})"))
}

/// SEC 1 ECPrivateKey; `curve` is the OID from a PKCS#8 wrapper, if any.
fn parse_sec1(der_bytes: &[u8], curve: Option<&[u8]>) -> Result<PrivateKey, String> {
    let malformed = || "x509: failed to parse EC private key".to_string();
    let mut outer = der::Reader::new(der_bytes);
    let body = outer.expect(tag::SEQUENCE).map_err(|_| malformed())?;
    let mut r = der::Reader::new(body.content);
    let version = r.expect(tag::INTEGER).map_err(|_| malformed())?;
    if version.content != [1] {
        return Err(format!(
            "x509: unknown EC private key version {}",
            version.content.first().copied().unwrap_or(0)
        ));
    }
    let scalar = r.expect(tag::OCTET_STRING).map_err(|_| malformed())?;
    let named = r.optional(0xa0).map_err(|_| malformed())?;
    let curve_oid = match named {
        Some(e) => Some(
            der::Reader::new(e.content)
                .expect(tag::OID)
                .map_err(|_| malformed())?
                .raw
                .to_vec(),
        ),
        None => curve.map(<[u8]>::to_vec),
    };
    if curve_oid.as_deref() != Some(der::oid(oids::PRIME256V1).as_slice()) {
        return Err("x509: unknown elliptic curve".into());
    }
    p256::SecretKey::from_slice(scalar.content)
        .map(PrivateKey::Ecdsa)
        .map_err(|_| "x509: invalid elliptic curve private key value".to_string())
}

fn parse_pkcs8(der_bytes: &[u8]) -> Result<PrivateKey, String> {
    let malformed = || "x509: failed to parse private key".to_string();
    let mut outer = der::Reader::new(der_bytes);
    let body = outer.expect(tag::SEQUENCE).map_err(|_| malformed())?;
    let mut r = der::Reader::new(body.content);
    r.expect(tag::INTEGER).map_err(|_| malformed())?;
    let alg = r.expect(tag::SEQUENCE).map_err(|_| malformed())?;
    let key = r.expect(tag::OCTET_STRING).map_err(|_| malformed())?;
    let mut ar = der::Reader::new(alg.content);
    let alg_oid = ar.expect(tag::OID).map_err(|_| malformed())?;
    let params = if ar.is_empty() {
        None
    } else {
        Some(ar.read_element().map_err(|_| malformed())?)
    };
    if alg_oid.raw == der::oid(oids::RSA_ENCRYPTION).as_slice() {
        parse_pkcs1(key.content)
    } else if alg_oid.raw == der::oid(oids::EC_PUBLIC_KEY).as_slice() {
        parse_sec1(key.content, params.map(|p| p.raw))
    } else if alg_oid.raw == der::oid(oids::ED25519).as_slice() {
        let seed = der::Reader::new(key.content)
            .expect(tag::OCTET_STRING)
            .map_err(|e| format!("x509: invalid Ed25519 private key: {e}"))?;
        let bytes: [u8; 32] = seed.content.try_into().map_err(|_| {
            format!(
                "x509: invalid Ed25519 private key length: {}",
                seed.content.len()
            )
        })?;
        Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
            &bytes,
        )))
    } else {
        Err("x509: PKCS#8 wrapping contained private key with unknown algorithm".into())
    }
}

fn parse_dsa(der_bytes: &[u8]) -> Result<PrivateKey, String> {
    let mut outer = der::Reader::new(der_bytes);
    let body = outer.expect(tag::SEQUENCE)?;
    let mut r = der::Reader::new(body.content);
    r.expect(tag::INTEGER)?;
    let mut ints = Vec::with_capacity(5);
    for _ in 0..5 {
        ints.push(r.expect(tag::INTEGER)?.content.to_vec());
    }
    Ok(PrivateKey::Dsa(ints))
}

/// Sprig's `certificate` struct: `Cert` and `Key`, both PEM text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The certificate PEM.
    pub cert: String,
    /// The private key PEM.
    pub key: String,
}

/// Go's type name for Sprig's unexported struct, as `%T` and argument
/// errors print it.
pub const CERTIFICATE_TYPE: &str = "sprig.certificate";

impl Object for Certificate {
    fn type_name(&self) -> &str {
        CERTIFICATE_TYPE
    }

    fn field(&self, name: &str) -> Option<GoValue> {
        match name {
            "Cert" => Some(GoValue::str(&self.cert)),
            "Key" => Some(GoValue::str(&self.key)),
            _ => None,
        }
    }

    fn field_names(&self) -> Vec<String> {
        vec!["Cert".into(), "Key".into()]
    }
}

impl Certificate {
    /// The template value.
    pub fn into_value(self) -> GoValue {
        GoValue::Object(Arc::new(self))
    }

    /// Reads a `sprig.certificate` argument back, with Go's reflect error
    /// for any other type.
    pub fn from_value(v: &GoValue) -> Result<Certificate, String> {
        if let GoValue::Object(o) = v
            && o.type_name() == CERTIFICATE_TYPE
        {
            let text = |n: &str| {
                o.field(n)
                    .and_then(|f| f.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            return Ok(Certificate {
                cert: text("Cert"),
                key: text("Key"),
            });
        }
        let got = if v.is_nil() {
            "<nil>".to_string()
        } else {
            v.type_name()
        };
        Err(format!(
            "wrong type for value; expected {CERTIFICATE_TYPE}; got {got}"
        ))
    }
}

/// What goes into one certificate.
pub struct CertRequest<'a> {
    /// Subject common name.
    pub cn: &'a str,
    /// IP subject alternative names, as template values (must be strings).
    pub ips: Option<Vec<GoValue>>,
    /// DNS subject alternative names, as template values (must be strings).
    pub dns: Option<Vec<GoValue>>,
    /// Validity in days from now.
    pub days: i64,
    /// Whether this is a CA (`genCA*`).
    pub is_ca: bool,
}

/// The issuer side of a signature: its raw subject, key id and key.
pub struct Signer<'a> {
    /// DER of the issuer's subject Name.
    pub subject: Vec<u8>,
    /// The issuer's subject key id, if it has one.
    pub key_id: Option<Vec<u8>>,
    /// The issuer's private key.
    pub key: &'a PrivateKey,
}

/// Go's `net.ParseIP`, then `To4()` when the address is IPv4 (also an
/// IPv4-mapped IPv6 address), as x509 encodes IP SANs.
fn ip_bytes(v: &GoValue) -> Result<Vec<u8>, CryptoError> {
    let Some(s) = v.as_str() else {
        return Err(CryptoError::new(format!(
            "error parsing ip: {} is not a string",
            sprint(v)
        )));
    };
    match s.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => Ok(a.octets().to_vec()),
        Ok(IpAddr::V6(a)) => Ok(match a.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => a.octets().to_vec(),
        }),
        Err(_) => Err(CryptoError::new(format!("error parsing ip: {s}"))),
    }
}

fn dns_name(v: &GoValue) -> Result<String, CryptoError> {
    match v.as_str() {
        Some(s) => Ok(s.to_string()),
        None => Err(CryptoError::new(format!(
            "error processing alternate dns name: {} is not a string",
            sprint(v)
        ))),
    }
}

fn sprint(v: &GoValue) -> String {
    format::sprint(&[v as &dyn format::FmtArg])
}

/// The DER Name with just a common name (empty when `cn` is empty, as
/// Go's `pkix.Name.ToRDNSequence` skips empty attributes).
fn name(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return der::seq(&[]);
    }
    let atv = der::seq(&[&der::oid(oids::COMMON_NAME), &der::go_string(cn)]);
    der::seq(&[&der::tlv(tag::SET, &atv)])
}

/// Go's certificate time encoding: UTCTime for 1950–2049, else
/// GeneralizedTime; always UTC, whole seconds.
fn cert_time(unix: i64) -> Result<Vec<u8>, CryptoError> {
    let ts = jiff::Timestamp::from_second(unix)
        .map_err(|e| CryptoError::new(format!("x509: invalid validity time: {e}")))?;
    let dt = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    let year = dt.year();
    let rest = format!(
        "{:02}{:02}{:02}{:02}{:02}Z",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    if (1950..2050).contains(&year) {
        Ok(der::tlv(
            tag::UTC_TIME,
            format!("{:02}{rest}", year % 100).as_bytes(),
        ))
    } else {
        Ok(der::tlv(
            tag::GENERALIZED_TIME,
            format!("{year:04}{rest}").as_bytes(),
        ))
    }
}

fn extension(id: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
    let oid = der::oid(id);
    let value = der::tlv(tag::OCTET_STRING, value);
    if critical {
        der::seq(&[&oid, &der::tlv(tag::BOOLEAN, &[0xff]), &value])
    } else {
        der::seq(&[&oid, &value])
    }
}

/// Go's key usage encoding: bit 0 first, trailing zero bits trimmed.
fn key_usage(is_ca: bool) -> Vec<u8> {
    // digitalSignature (bit 0) + keyEncipherment (bit 2) [+ keyCertSign (bit 5)]
    let (byte, unused) = if is_ca { (0xa4u8, 2u8) } else { (0xa0u8, 5u8) };
    der::tlv(tag::BIT_STRING, &[unused, byte])
}

/// Builds, signs and PEM-encodes a certificate for `subject_key`, signed
/// by `signer` (the same key for self-signed certificates). Returns the
/// certificate PEM and the subject key's PEM, like Sprig's `getCertAndKey`.
pub fn create_certificate(
    rng: &SharedRng,
    req: &CertRequest<'_>,
    subject_key: &PrivateKey,
    signer: Option<&Signer<'_>>,
) -> Result<Certificate, CryptoError> {
    let ips = req
        .ips
        .iter()
        .flatten()
        .map(ip_bytes)
        .collect::<Result<Vec<_>, _>>()?;
    let dns = req
        .dns
        .iter()
        .flatten()
        .map(dns_name)
        .collect::<Result<Vec<_>, _>>()?;
    // rand.Int(rand.Reader, 2^128): 16 uniformly random bytes.
    let mut serial = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut *super::lock(rng), &mut serial);
    let now = jiff::Timestamp::now().as_second();
    let not_after = now.saturating_add(req.days.saturating_mul(86_400));

    // Go checks the signing key before the subject's public key.
    let signing_key = signer.map_or(subject_key, |s| s.key);
    let sig_alg = signing_key
        .signature_algorithm()
        .map_err(|e| CryptoError::new(format!("error creating certificate: {e}")))?;
    let (spki, public_bits) = subject_key
        .public_key_info()
        .map_err(|e| CryptoError::new(format!("error creating certificate: {e}")))?;
    let subject = name(req.cn);
    let issuer = signer.map_or_else(|| subject.clone(), |s| s.subject.clone());

    for d in &dns {
        if !d.is_ascii() {
            return Err(CryptoError::new(format!(
                "error creating certificate: x509: {d:?} cannot be encoded as an IA5String"
            )));
        }
    }

    let mut exts = Vec::new();
    exts.push(extension(oids::KEY_USAGE, true, &key_usage(req.is_ca)));
    exts.push(extension(
        oids::EXT_KEY_USAGE,
        false,
        &der::seq(&[&der::oid(oids::SERVER_AUTH), &der::oid(oids::CLIENT_AUTH)]),
    ));
    let constraints = if req.is_ca {
        der::seq(&[&der::tlv(tag::BOOLEAN, &[0xff])])
    } else {
        der::seq(&[])
    };
    exts.push(extension(oids::BASIC_CONSTRAINTS, true, &constraints));
    if req.is_ca {
        // go1.25: a CA without a subject key id gets the first 160 bits of
        // SHA-256 over the public key bits.
        let ski = &Sha256::digest(&public_bits)[..20];
        exts.push(extension(
            oids::SUBJECT_KEY_ID,
            false,
            &der::tlv(tag::OCTET_STRING, ski),
        ));
    }
    if let Some(s) = signer
        && s.subject != subject
        && let Some(id) = s.key_id.as_deref().filter(|id| !id.is_empty())
    {
        exts.push(extension(
            oids::AUTHORITY_KEY_ID,
            false,
            &der::seq(&[&der::tlv(0x80, id)]),
        ));
    }
    if !dns.is_empty() || !ips.is_empty() {
        let mut names = Vec::new();
        for d in &dns {
            names.extend(der::tlv(0x82, d.as_bytes()));
        }
        for ip in &ips {
            names.extend(der::tlv(0x87, ip));
        }
        // Go marks the SANs critical when they are the only identity.
        let empty_subject = subject == der::seq(&[]);
        exts.push(extension(
            oids::SUBJECT_ALT_NAME,
            empty_subject,
            &der::tlv(tag::SEQUENCE, &names),
        ));
    }

    let validity = der::seq(&[&cert_time(now)?, &cert_time(not_after)?]);
    let tbs = der::seq(&[
        &der::tlv(0xa0, &der::small_uint(2)),
        &der::uint(&serial),
        &sig_alg,
        &issuer,
        &validity,
        &subject,
        &spki,
        &der::tlv(0xa3, &der::tlv(tag::SEQUENCE, &exts.concat())),
    ]);
    let signature = signing_key
        .sign(&tbs)
        .map_err(|e| CryptoError::new(format!("error creating certificate: {e}")))?;
    let cert = der::seq(&[&tbs, &sig_alg, &der::bit_string(&signature)]);
    let key = subject_key
        .to_pem()
        .map_err(|e| CryptoError::new(format!("error pem-encoding key: {e}")))?;
    Ok(Certificate {
        cert: der::pem_encode("CERTIFICATE", &cert),
        key,
    })
}

/// The parts of a parsed certificate the signing functions need.
pub struct ParsedCert {
    /// DER of the subject Name.
    pub subject: Vec<u8>,
    /// The subject key id extension's value, if present.
    pub key_id: Option<Vec<u8>>,
}

/// A structural parse of a DER certificate, standing in for Go's
/// `x509.ParseCertificate`: the outer layout, the TBS fields in order and
/// the extensions must be well-formed.
pub fn parse_certificate(der_bytes: &[u8]) -> Result<ParsedCert, String> {
    let malformed = |what: &str| format!("x509: malformed {what}");
    let mut outer = der::Reader::new(der_bytes);
    let cert = outer
        .expect(tag::SEQUENCE)
        .map_err(|_| malformed("certificate"))?;
    if !outer.is_empty() {
        return Err("x509: trailing data".into());
    }
    let mut c = der::Reader::new(cert.content);
    let tbs = c
        .expect(tag::SEQUENCE)
        .map_err(|_| malformed("tbs certificate"))?;
    c.expect(tag::SEQUENCE)
        .map_err(|_| malformed("signature algorithm identifier"))?;
    c.expect(tag::BIT_STRING)
        .map_err(|_| malformed("signature"))?;
    let mut t = der::Reader::new(tbs.content);
    t.optional(0xa0).map_err(|_| malformed("version"))?;
    t.expect(tag::INTEGER)
        .map_err(|_| malformed("serial number"))?;
    t.expect(tag::SEQUENCE)
        .map_err(|_| malformed("signature algorithm identifier"))?;
    t.expect(tag::SEQUENCE).map_err(|_| malformed("issuer"))?;
    t.expect(tag::SEQUENCE).map_err(|_| malformed("validity"))?;
    let subject = t.expect(tag::SEQUENCE).map_err(|_| malformed("subject"))?;
    t.expect(tag::SEQUENCE).map_err(|_| malformed("spki"))?;
    t.optional(0x81).map_err(|_| malformed("issuerUniqueID"))?;
    t.optional(0x82).map_err(|_| malformed("subjectUniqueID"))?;
    let mut key_id = None;
    if let Some(exts) = t.optional(0xa3).map_err(|_| malformed("extensions"))? {
        let list = der::Reader::new(exts.content)
            .expect(tag::SEQUENCE)
            .map_err(|_| malformed("extensions"))?;
        let mut r = der::Reader::new(list.content);
        while !r.is_empty() {
            let ext = r
                .expect(tag::SEQUENCE)
                .map_err(|_| malformed("extension"))?;
            let mut e = der::Reader::new(ext.content);
            let id = e.expect(tag::OID).map_err(|_| malformed("extension OID"))?;
            e.optional(tag::BOOLEAN)
                .map_err(|_| malformed("extension critical flag"))?;
            let value = e
                .expect(tag::OCTET_STRING)
                .map_err(|_| malformed("extension value"))?;
            if id.raw == der::oid(oids::SUBJECT_KEY_ID).as_slice() {
                let inner = der::Reader::new(value.content)
                    .expect(tag::OCTET_STRING)
                    .map_err(|_| "x509: invalid subject key identifier".to_string())?;
                key_id = Some(inner.content.to_vec());
            }
        }
    }
    Ok(ParsedCert {
        subject: subject.raw.to_vec(),
        key_id,
    })
}

/// Sprig's `buildCustomCertificate`: checks base64 certificate and key PEMs
/// and returns them as a certificate object.
pub fn build_custom_certificate(b64cert: &str, b64key: &str) -> Result<Certificate, CryptoError> {
    let cert = STANDARD
        .decode(b64cert)
        .map_err(|_| CryptoError::new("unable to decode base64 certificate"))?;
    let key = STANDARD
        .decode(b64key)
        .map_err(|_| CryptoError::new("unable to decode base64 private key"))?;
    let cert_text = String::from_utf8_lossy(&cert).into_owned();
    let key_text = String::from_utf8_lossy(&key).into_owned();
    let block = der::pem_decode(&cert_text)
        .ok_or_else(|| CryptoError::new("unable to decode certificate"))?;
    parse_certificate(&block.der).map_err(|e| {
        CryptoError::new(format!("error parsing certificate: decodedCert.Bytes: {e}"))
    })?;
    parse_private_key_pem(&key_text)
        .map_err(|e| CryptoError::new(format!("error parsing private key: {e}")))?;
    Ok(Certificate {
        cert: cert_text,
        key: key_text,
    })
}

/// Sprig's `generateSignedCertificateWithKeyInternal`: reads the CA's PEMs
/// and signs a leaf certificate for `key`.
pub fn sign_with_ca(
    rng: &SharedRng,
    req: &CertRequest<'_>,
    ca: &Certificate,
    key: &PrivateKey,
) -> Result<Certificate, CryptoError> {
    let block = der::pem_decode(&ca.cert)
        .ok_or_else(|| CryptoError::new("unable to decode certificate"))?;
    let parsed = parse_certificate(&block.der).map_err(|e| {
        CryptoError::new(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    let signer_key = parse_private_key_pem(&ca.key)
        .map_err(|e| CryptoError::new(format!("error parsing private key: {e}")))?;
    let signer = Signer {
        subject: parsed.subject,
        key_id: parsed.key_id,
        key: &signer_key,
    };
    create_certificate(rng, req, key, Some(&signer))
}

#[cfg(test)]
mod tests {
    use super::super::new_rng;
    use super::*;

    #[test]
    fn unseeded_rsa_keys_come_from_aws_lc_and_differ() {
        let rng = new_rng(None);
        let a = PrivateKey::generate_rsa(&rng, 2048).unwrap();
        let b = PrivateKey::generate_rsa(&rng, 2048).unwrap();
        let (PrivateKey::Rsa(ka), PrivateKey::Rsa(kb)) = (&a, &b) else {
            panic!("not RSA keys");
        };
        assert_eq!(ka.size(), 256);
        assert_eq!(ka.e(), &rsa::BigUint::from(65537u32));
        assert_ne!(ka.n(), kb.n());
        // PKCS#1 PEM, as Go's x509.MarshalPKCS1PrivateKey, and it reads back.
        let pem = a.to_pem().unwrap();
        assert!(
            pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"),
            "{pem}"
        );
        assert!(parse_private_key_pem(&pem).is_ok());
    }

    #[test]
    fn seeded_rsa_keys_repeat() {
        let key = |seed| match PrivateKey::generate_rsa(&new_rng(Some(seed)), 1024).unwrap() {
            PrivateKey::Rsa(k) => k.n().clone(),
            _ => unreachable!(),
        };
        assert_eq!(key(7), key(7));
        assert_ne!(key(7), key(8));
    }

    fn req(cn: &str, is_ca: bool) -> CertRequest<'_> {
        CertRequest {
            cn,
            ips: Some(vec![GoValue::str("10.0.0.1"), GoValue::str("::1")]),
            dns: Some(vec![GoValue::str("a.example")]),
            days: 30,
            is_ca,
        }
    }

    #[test]
    fn ecdsa_ca_signs_leaf_with_authority_key_id() {
        let rng = new_rng(Some(5));
        let ca_key = PrivateKey::Ecdsa(p256::SecretKey::random(&mut *super::super::lock(&rng)));
        let ca = create_certificate(&rng, &req("my-ca", true), &ca_key, None).unwrap();
        let parsed = parse_certificate(&der::pem_decode(&ca.cert).unwrap().der).unwrap();
        let ski = parsed.key_id.clone().expect("CA has a subject key id");
        assert_eq!(ski.len(), 20);
        assert_eq!(parsed.subject, name("my-ca"));

        let leaf_key = PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(
            &mut *super::super::lock(&rng),
        ));
        let leaf = sign_with_ca(&rng, &req("leaf", false), &ca, &leaf_key).unwrap();
        let leaf_der = der::pem_decode(&leaf.cert).unwrap().der;
        assert!(parse_certificate(&leaf_der).unwrap().key_id.is_none());
        // The authority key id carries the CA's subject key id.
        let aki = der::seq(&[&der::tlv(0x80, &ski)]);
        assert!(leaf_der.windows(aki.len()).any(|w| w == aki.as_slice()));
        assert!(leaf.key.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        // Round trip of the generated key PEMs.
        assert!(matches!(
            parse_private_key_pem(&leaf.key).unwrap(),
            PrivateKey::Ed25519(_)
        ));
        assert!(matches!(
            parse_private_key_pem(&ca.key).unwrap(),
            PrivateKey::Ecdsa(_)
        ));
    }

    #[test]
    fn key_pem_errors_follow_sprig() {
        assert_eq!(
            parse_private_key_pem("x").err().unwrap().to_string(),
            "no PEM data in input"
        );
        let pem = der::pem_encode("CERTIFICATE", &[1, 2]);
        assert_eq!(
            parse_private_key_pem(&pem).err().unwrap().to_string(),
            "no private key data in PEM block of type CERTIFICATE"
        );
        let pem = der::pem_encode("FOO PRIVATE KEY", &[1, 2]);
        assert_eq!(
            parse_private_key_pem(&pem).err().unwrap().to_string(),
            "invalid private key type FOO PRIVATE KEY"
        );
        let pem = der::pem_encode("RSA PRIVATE KEY", &[1, 2]);
        assert!(
            parse_private_key_pem(&pem)
                .err()
                .unwrap()
                .to_string()
                .starts_with("parsing RSA private key from PEM: ")
        );
    }

    #[test]
    fn san_values_are_checked_like_sprig() {
        let rng = new_rng(Some(1));
        let key = PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(
            &mut *super::super::lock(&rng),
        ));
        let mut r = req("x", false);
        r.ips = Some(vec![GoValue::Int(1)]);
        let e = create_certificate(&rng, &r, &key, None).err().unwrap();
        assert_eq!(e.to_string(), "error parsing ip: 1 is not a string");
        r.ips = Some(vec![GoValue::str("1.2.3")]);
        let e = create_certificate(&rng, &r, &key, None).err().unwrap();
        assert_eq!(e.to_string(), "error parsing ip: 1.2.3");
        r.ips = None;
        r.dns = Some(vec![GoValue::Nil]);
        let e = create_certificate(&rng, &r, &key, None).err().unwrap();
        assert_eq!(
            e.to_string(),
            "error processing alternate dns name: <nil> is not a string"
        );
    }

    #[test]
    fn ipv4_mapped_addresses_are_four_bytes() {
        assert_eq!(
            ip_bytes(&GoValue::str("::ffff:1.2.3.4")).unwrap(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(ip_bytes(&GoValue::str("::1")).unwrap().len(), 16);
    }

    #[test]
    fn times_switch_to_generalized_in_2050() {
        // 2049-12-31T23:59:59Z and 2050-01-01T00:00:00Z
        assert_eq!(cert_time(2_524_607_999).unwrap()[0], tag::UTC_TIME);
        assert_eq!(cert_time(2_524_608_000).unwrap()[0], tag::GENERALIZED_TIME);
        assert_eq!(&cert_time(0).unwrap()[2..], b"700101000000Z");
    }

    #[test]
    fn custom_cert_checks_inputs() {
        let e = build_custom_certificate("%%", "").err().unwrap();
        assert_eq!(e.to_string(), "unable to decode base64 certificate");
        let e = build_custom_certificate("", "%%").err().unwrap();
        assert_eq!(e.to_string(), "unable to decode base64 private key");
        let e = build_custom_certificate("", "").err().unwrap();
        assert_eq!(e.to_string(), "unable to decode certificate");
        let rng = new_rng(Some(2));
        let key = PrivateKey::Ecdsa(p256::SecretKey::random(&mut *super::super::lock(&rng)));
        let c = create_certificate(&rng, &req("c", false), &key, None).unwrap();
        let ok =
            build_custom_certificate(&STANDARD.encode(&c.cert), &STANDARD.encode(&c.key)).unwrap();
        assert_eq!(ok, c);
        let e = build_custom_certificate(&STANDARD.encode(&c.cert), &STANDARD.encode("junk"))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "error parsing private key: no PEM data in input"
        );
    }
}
