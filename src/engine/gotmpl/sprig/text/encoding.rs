//! Encodings and checksums: `b64enc`, `b64dec`, `b32enc`, `b32dec`,
//! `sha1sum`, `sha256sum`, `sha512sum`, `adler32sum`.
//!
//! The decoders follow Go's `encoding/base64` and `encoding/base32`
//! byte for byte, because Sprig returns the Go error text *as the result*
//! (`b64dec "a"` renders `illegal base64 data at input byte 0`), so the
//! reported offsets must match.

use sha2::{Digest, Sha256, Sha512};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Standard base64 with padding.
pub fn b64enc(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(B64[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64_value(c: u8) -> Option<u32> {
    B64.iter().position(|&x| x == c).map(|p| p as u32)
}

/// Go's `base64.StdEncoding.DecodeString`: `\r` and `\n` are ignored; the
/// error names the offending input offset.
pub fn b64dec(src: &[u8]) -> Result<Vec<u8>, String> {
    let corrupt = |at: usize| format!("illegal base64 data at input byte {at}");
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0usize;
    while si < src.len() {
        let mut buf = [0u32; 4];
        let mut dlen = 4usize;
        let mut j = 0usize;
        let mut trailing_error = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // Standard encoding requires padding.
                return Err(corrupt(si - j));
            }
            let c = src[si];
            si += 1;
            if let Some(v) = b64_value(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(corrupt(si - 1));
            }
            // Padding: only after two or three symbols.
            match j {
                0 | 1 => return Err(corrupt(si - 1)),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(corrupt(src.len()));
                    }
                    if src[si] != b'=' {
                        return Err(corrupt(si - 1));
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                trailing_error = Some(corrupt(si));
            }
            dlen = j;
            break;
        }
        let v = (buf[0] << 18) | (buf[1] << 12) | (buf[2] << 6) | buf[3];
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..dlen - 1]);
        if let Some(e) = trailing_error {
            return Err(e);
        }
        if dlen < 4 {
            break;
        }
    }
    Ok(out)
}

/// Standard base32 with padding.
pub fn b32enc(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut v: u64 = 0;
        for k in 0..5 {
            v = (v << 8) | u64::from(*chunk.get(k).unwrap_or(&0));
        }
        // Symbols carrying data: ceil(bits / 5).
        let symbols = (chunk.len() * 8).div_ceil(5);
        for k in 0..8 {
            if k < symbols {
                out.push(B32[((v >> (35 - 5 * k)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString`: newlines are removed first,
/// then 8-symbol quanta are decoded with Go's padding checks.
pub fn b32dec(input: &[u8]) -> Result<Vec<u8>, String> {
    let src: Vec<u8> = input
        .iter()
        .copied()
        .filter(|&c| c != b'\n' && c != b'\r')
        .collect();
    let corrupt = |at: usize| format!("illegal base32 data at input byte {at}");
    let olen = src.len();
    let mut rest: &[u8] = &src;
    let mut out = Vec::with_capacity(olen / 8 * 5);
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut buf = [0u64; 8];
        let mut dlen = 8usize;
        let mut j = 0usize;
        while j < 8 {
            let Some((&c, tail)) = rest.split_first() else {
                return Err(corrupt(olen - rest.len() - j));
            };
            rest = tail;
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(corrupt(olen));
                }
                for k in 0..7 - j {
                    if rest.len() > k && rest[k] != b'=' {
                        return Err(corrupt(olen - rest.len() + k - 1));
                    }
                }
                dlen = j;
                end = true;
                if matches!(dlen, 1 | 3 | 6) {
                    return Err(corrupt(olen - rest.len() - 1));
                }
                break;
            }
            match B32.iter().position(|&x| x == c) {
                Some(p) => buf[j] = p as u64,
                None => return Err(corrupt(olen - rest.len() - 1)),
            }
            j += 1;
        }
        let v = buf.iter().fold(0u64, |acc, &s| (acc << 5) | s);
        let bytes = [
            (v >> 32) as u8,
            (v >> 24) as u8,
            (v >> 16) as u8,
            (v >> 8) as u8,
            v as u8,
        ];
        let n = match dlen {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => 0,
        };
        out.extend_from_slice(&bytes[..n]);
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Hex SHA-256.
pub fn sha256sum(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Hex SHA-512.
pub fn sha512sum(data: &[u8]) -> String {
    hex(&Sha512::digest(data))
}

/// Hex SHA-1 (FIPS 180-4). Implemented here: it is a few lines and the
/// only SHA-1 user in the crate, so no extra dependency.
pub fn sha1sum(data: &[u8]) -> String {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let bytes: Vec<u8> = h.iter().flat_map(|x| x.to_be_bytes()).collect();
    hex(&bytes)
}

/// Adler-32 checksum in decimal, as Sprig prints it with `%d`.
pub fn adler32sum(data: &[u8]) -> String {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % MOD;
        b = (b + a) % MOD;
    }
    ((b << 16) | a).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_go_errors() {
        assert_eq!(b64enc(b"hello"), "aGVsbG8=");
        assert_eq!(b64enc(b""), "");
        assert_eq!(b64enc(b"ab"), "YWI=");
        assert_eq!(b64dec(b"aGVsbG8=").unwrap(), b"hello");
        assert_eq!(b64dec(b"aGV\nsbG8=").unwrap(), b"hello");
        assert_eq!(b64dec(b"YWI=").unwrap(), b"ab");
        assert_eq!(
            b64dec(b"a").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            b64dec(b"aGVsbG8").unwrap_err(),
            "illegal base64 data at input byte 4"
        );
        assert_eq!(
            b64dec(b"a!==").unwrap_err(),
            "illegal base64 data at input byte 1"
        );
        assert_eq!(
            b64dec(b"YQ=").unwrap_err(),
            "illegal base64 data at input byte 3"
        );
        assert_eq!(
            b64dec(b"YQ==YQ==").unwrap_err(),
            "illegal base64 data at input byte 4"
        );
    }

    #[test]
    fn base32_round_trip_and_go_errors() {
        assert_eq!(b32enc(b"hello"), "NBSWY3DP");
        assert_eq!(b32enc(b"a"), "ME======");
        assert_eq!(b32dec(b"NBSWY3DP").unwrap(), b"hello");
        assert_eq!(b32dec(b"ME======").unwrap(), b"a");
        assert_eq!(
            b32dec(b"x").unwrap_err(),
            "illegal base32 data at input byte 0"
        );
        assert_eq!(
            b32dec(b"ME").unwrap_err(),
            "illegal base32 data at input byte 0"
        );
    }

    #[test]
    fn checksums() {
        assert_eq!(
            sha1sum(b"hello"),
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
        );
        assert_eq!(sha1sum(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            sha256sum(b"hello"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(sha512sum(b"hello").starts_with("9b71d224bd62f378"));
        assert_eq!(adler32sum(b"hello"), "103547413");
    }
}
