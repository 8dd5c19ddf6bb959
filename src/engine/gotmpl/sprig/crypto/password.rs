//! Password hashing and symmetric encryption: Sprig's `bcrypt`,
//! `htpasswd`, `derivePassword`, `encryptAES` and `decryptAES`.

use aes::Aes256;
use aes::cipher::{
    BlockDecrypt as _, BlockEncrypt as _, KeyInit as _, generic_array::GenericArray,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac as _};
use rand_core::RngCore as _;
use rsa::sha2::Sha256;

use super::SharedRng;

/// golang.org/x/crypto/bcrypt's `DefaultCost`.
const BCRYPT_COST: u32 = 10;

/// Sprig's `bcrypt`: `$2a$10$` hash with a random salt. Sprig returns a
/// failure as the result text; x/crypto refuses passwords over 72 bytes.
pub fn bcrypt(rng: &SharedRng, password: &str) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    let mut salt = [0u8; 16];
    super::lock(rng).fill_bytes(&mut salt);
    match bcrypt::hash_with_salt(password, BCRYPT_COST, salt) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

/// Sprig v3.3.0's two-argument `htpasswd`: `user:bcrypt-hash`, refusing
/// user names with a colon (as its result text).
pub fn htpasswd(rng: &SharedRng, user: &str, password: &str) -> String {
    if user.contains(':') {
        return format!("invalid username: {user}");
    }
    format!("{user}:{}", bcrypt(rng, password))
}

const MASTER_PASSWORD_SEED: &[u8] = b"com.lyndir.masterpassword";

/// Templates per password type (Master Password algorithm, as Sprig has them).
fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters each template letter stands for.
fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword` (the Master Password algorithm): scrypt
/// (N=32768, r=8, p=2) of the password salted with the user name, then
/// HMAC-SHA256 over the site and counter picks a template and characters.
/// Deterministic: no randomness involved.
pub fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|params| {
            scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut message = MASTER_PASSWORD_SEED.to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = <Hmac<Sha256> as hmac::Mac>::new_from_slice(&key) else {
        return "failed to derive password: invalid key".to_string();
    };
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()].as_bytes();
    template
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(*c);
            // Templates are at most 20 long; the seed has 32 bytes.
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

/// Sprig's AES key: the password's bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> Aes256 {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    Aes256::new(GenericArray::from_slice(&key))
}

/// Sprig's `encryptAES`: AES-256-CBC with PKCS#7 padding, a random IV in
/// front, base64. The empty plaintext gives the empty string.
pub fn encrypt_aes(rng: &SharedRng, password: &str, plaintext: &str) -> String {
    if plaintext.is_empty() {
        return String::new();
    }
    let cipher = aes_key(password);
    let mut content = plaintext.as_bytes().to_vec();
    let pad = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let mut out = vec![0u8; 16];
    super::lock(rng).fill_bytes(&mut out);
    let mut prev: [u8; 16] = [0; 16];
    prev.copy_from_slice(&out);
    for chunk in content.chunks(16) {
        let mut block = [0u8; 16];
        for (i, b) in block.iter_mut().enumerate() {
            *b = chunk[i] ^ prev[i];
        }
        let mut ga = GenericArray::from(block);
        cipher.encrypt_block(&mut ga);
        prev.copy_from_slice(&ga);
        out.extend_from_slice(&ga);
    }
    STANDARD.encode(out)
}

/// Sprig's `decryptAES`, with the runtime panics Go raises on malformed
/// input reported as errors (Go's template engine turns a panicking
/// function into an error the same way). The padding is not checked,
/// as in Sprig; bytes that are not UTF-8 are replaced.
pub fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = STANDARD.decode(crypt64).map_err(|e| go_base64_error(&e))?;
    if crypt.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        ));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let cipher = aes_key(password);
    let mut prev: [u8; 16] = [0; 16];
    prev.copy_from_slice(iv);
    let mut plain = Vec::with_capacity(body.len());
    for chunk in body.chunks(16) {
        let mut ga = GenericArray::clone_from_slice(chunk);
        cipher.decrypt_block(&mut ga);
        for (i, b) in ga.iter().enumerate() {
            plain.push(b ^ prev[i]);
        }
        prev.copy_from_slice(chunk);
    }
    let Some(&last) = plain.last() else {
        return Err("runtime error: index out of range [-1]".into());
    };
    let keep = plain.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        ));
    }
    plain.truncate(keep as usize);
    Ok(String::from_utf8_lossy(&plain).into_owned())
}

/// Go's `base64.CorruptInputError` text.
fn go_base64_error(e: &base64::DecodeError) -> String {
    let offset = match e {
        base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
            *at
        }
        base64::DecodeError::InvalidLength(len) => *len,
        base64::DecodeError::InvalidPadding => 0,
    };
    format!("illegal base64 data at input byte {offset}")
}

#[cfg(test)]
mod tests {
    use super::super::new_rng;
    use super::*;

    #[test]
    fn bcrypt_verifies_and_uses_go_prefix() {
        let rng = new_rng(Some(9));
        let h = bcrypt(&rng, "pass");
        assert!(h.starts_with("$2a$10$"), "{h}");
        assert_eq!(h.len(), 60);
        assert!(::bcrypt::verify("pass", &h).unwrap());
        assert!(
            bcrypt(&rng, &"x".repeat(73)).starts_with("failed to encrypt string with bcrypt: ")
        );
    }

    #[test]
    fn htpasswd_rejects_colons() {
        let rng = new_rng(Some(9));
        assert_eq!(htpasswd(&rng, "us:er", "p"), "invalid username: us:er");
        let line = htpasswd(&rng, "user", "p");
        let (user, hash) = line.split_once(':').unwrap();
        assert_eq!(user, "user");
        assert!(::bcrypt::verify("p", hash).unwrap());
    }

    #[test]
    fn derive_password_matches_sprig() {
        // Values from Sprig's crypto_test.go (TestDerivePassword).
        assert_eq!(
            derive_password(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(
            derive_password(2, "long", "password", "user", "example.com"),
            "Fovi2@JifpTupx"
        );
        assert_eq!(
            derive_password(1, "nope", "p", "u", "s"),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trips_and_reports_bad_input() {
        let rng = new_rng(Some(4));
        for text in ["plaintext", "exactly sixteen!", "é"] {
            let c = encrypt_aes(&rng, "secretkey", text);
            assert_eq!(STANDARD.decode(&c).unwrap().len() % 16, 0);
            assert_eq!(decrypt_aes("secretkey", &c).unwrap(), text);
        }
        assert_eq!(encrypt_aes(&rng, "k", ""), "");
        assert_eq!(decrypt_aes("k", "").unwrap(), "");
        assert_eq!(
            decrypt_aes("k", "!!!!").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert!(
            decrypt_aes("k", "AAAA")
                .unwrap_err()
                .starts_with("runtime error: slice bounds out of range")
        );
        let odd = STANDARD.encode([0u8; 20]);
        assert_eq!(
            decrypt_aes("k", &odd).unwrap_err(),
            "crypto/cipher: input not full blocks"
        );
        // A 40-byte password uses its first 32 bytes.
        let long = "k".repeat(40);
        let c = encrypt_aes(&rng, &long, "x");
        assert_eq!(decrypt_aes(&"k".repeat(32), &c).unwrap(), "x");
    }
}
