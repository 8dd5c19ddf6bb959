//! A minimal DER writer and reader, plus PEM armour, for the certificates
//! and keys Sprig's crypto functions produce and read.
//!
//! Why hand-written: the certificates must have the byte layout Go's
//! `crypto/x509.CreateCertificate` gives them (field order, string tags,
//! extension order and criticality) so the PEM text has as many lines as
//! Helm's; generic certificate builders choose their own extensions. Only
//! the handful of universal types X.509 needs are covered.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// ASN.1 universal tag numbers (with the constructed bit where DER sets it).
pub mod tag {
    /// BOOLEAN.
    pub const BOOLEAN: u8 = 0x01;
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// UTF8String.
    pub const UTF8_STRING: u8 = 0x0c;
    /// PrintableString.
    pub const PRINTABLE_STRING: u8 = 0x13;
    /// UTCTime.
    pub const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub const SET: u8 = 0x31;
}

/// One TLV: tag byte and content.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already-encoded elements.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// An INTEGER from unsigned big-endian magnitude bytes (DER minimal form,
/// with a leading zero when the top bit is set).
pub fn uint(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let digits = &magnitude[skip..];
    let mut content = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(digits);
    tlv(tag::INTEGER, &content)
}

/// A small non-negative INTEGER.
pub fn small_uint(v: u64) -> Vec<u8> {
    uint(&v.to_be_bytes())
}

/// An OBJECT IDENTIFIER from its arcs.
pub fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut content = Vec::new();
    if arcs.len() >= 2 {
        push_base128(&mut content, arcs[0] * 40 + arcs[1]);
    }
    for arc in arcs.iter().skip(2) {
        push_base128(&mut content, *arc);
    }
    tlv(tag::OID, &content)
}

fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut groups = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        groups.push(0x80 | (v & 0x7f) as u8);
        v >>= 7;
    }
    groups.reverse();
    out.extend_from_slice(&groups);
}

/// A BIT STRING with no unused bits.
pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    content.push(0);
    content.extend_from_slice(bytes);
    tlv(tag::BIT_STRING, &content)
}

/// NULL.
pub fn null() -> Vec<u8> {
    tlv(tag::NULL, &[])
}

/// A string with the tag Go's `encoding/asn1` picks for an untagged Go
/// string: PrintableString when every character is in its set (no `*`
/// and no `&`), UTF8String otherwise.
pub fn go_string(s: &str) -> Vec<u8> {
    let printable = s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    });
    let t = if printable {
        tag::PRINTABLE_STRING
    } else {
        tag::UTF8_STRING
    };
    tlv(t, s.as_bytes())
}

/// A parsed TLV borrowed from its input.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// The whole encoding (tag, length and content).
    pub raw: &'a [u8],
}

/// Reads DER elements one after another from a byte string.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `input`.
    pub fn new(input: &'a [u8]) -> Reader<'a> {
        Reader { rest: input }
    }

    /// True when all input has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element, or an error message for malformed input.
    pub fn read_element(&mut self) -> Result<Element<'a>, String> {
        let input = self.rest;
        let (&t, after_tag) = input
            .split_first()
            .ok_or("asn1: syntax error: sequence truncated")?;
        if t & 0x1f == 0x1f {
            return Err("asn1: structure error: multi-byte tags are not supported".into());
        }
        let (&first, after_len) = after_tag
            .split_first()
            .ok_or("asn1: syntax error: truncated tag or length")?;
        let (len, body) = if first < 0x80 {
            (first as usize, after_len)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 || after_len.len() < n {
                return Err("asn1: syntax error: truncated tag or length".into());
            }
            let len = after_len[..n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            if len < 0x80 || after_len[0] == 0 {
                return Err("asn1: structure error: superfluous leading zeros in length".into());
            }
            (len, &after_len[n..])
        };
        if body.len() < len {
            return Err("asn1: syntax error: data truncated".into());
        }
        let header = input.len() - body.len();
        self.rest = &body[len..];
        Ok(Element {
            tag: t,
            content: &body[..len],
            raw: &input[..header + len],
        })
    }

    /// The next element, which must have tag `t`.
    pub fn expect(&mut self, t: u8) -> Result<Element<'a>, String> {
        let e = self.read_element()?;
        if e.tag != t {
            return Err(format!(
                "asn1: structure error: tags don't match (want {t:#04x}, got {:#04x})",
                e.tag
            ));
        }
        Ok(e)
    }

    /// The next element if it has tag `t`; otherwise nothing is consumed.
    pub fn optional(&mut self, t: u8) -> Result<Option<Element<'a>>, String> {
        if self.rest.first() == Some(&t) {
            self.read_element().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Go's `pem.EncodeToMemory`: a `-----BEGIN type-----` line, base64 in
/// lines of 64 characters, the END line, each ending in `\n`.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    let _ = writeln!(out, "-----BEGIN {label}-----");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    let _ = writeln!(out, "-----END {label}-----");
    out
}

/// A decoded PEM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The type from the BEGIN line (`CERTIFICATE`, `RSA PRIVATE KEY`…).
    pub label: String,
    /// The decoded bytes.
    pub der: Vec<u8>,
}

/// The first PEM block in `text`, like Go's `pem.Decode` (which skips
/// leading junk, ignores headers after a `Key: value` line set and
/// requires a matching END line); `None` when there is none.
pub fn pem_decode(text: &str) -> Option<PemBlock> {
    let mut rest = text;
    loop {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start + 11..];
        let label_end = after.find("-----")?;
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        // The BEGIN line must end right after the dashes.
        let body_start = match body_start
            .strip_prefix("\r\n")
            .or_else(|| body_start.strip_prefix('\n'))
        {
            Some(b) => b,
            None if body_start.is_empty() => body_start,
            None => {
                rest = after;
                continue;
            }
        };
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_start.find(&end_marker) else {
            rest = after;
            continue;
        };
        let body = &body_start[..end];
        // Skip RFC 1421 headers (`Proc-Type: …`) up to the blank line.
        let body = if body.lines().next().is_some_and(|l| l.contains(':')) {
            match body.find("\n\n") {
                Some(i) => &body[i + 2..],
                None => body,
            }
        } else {
            body
        };
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        match STANDARD.decode(b64.as_bytes()) {
            Ok(der) => {
                return Some(PemBlock {
                    label: label.to_string(),
                    der,
                });
            }
            Err(_) => {
                rest = after;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_twos_complement() {
        assert_eq!(small_uint(0), vec![2, 1, 0]);
        assert_eq!(small_uint(127), vec![2, 1, 127]);
        assert_eq!(small_uint(128), vec![2, 2, 0, 128]);
        assert_eq!(uint(&[0, 0, 1, 2]), vec![2, 2, 1, 2]);
    }

    #[test]
    fn long_lengths_use_minimal_octets() {
        let t = tlv(4, &[0u8; 300]);
        assert_eq!(&t[..4], &[4, 0x82, 1, 44]);
        let mut r = Reader::new(&t);
        let e = r.read_element().unwrap();
        assert_eq!(e.content.len(), 300);
        assert!(r.is_empty());
    }

    #[test]
    fn oids_encode_like_openssl() {
        // sha256WithRSAEncryption
        assert_eq!(
            oid(&[1, 2, 840, 113549, 1, 1, 11]),
            vec![6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11]
        );
    }

    #[test]
    fn strings_pick_go_tags() {
        assert_eq!(go_string("my-ca")[0], tag::PRINTABLE_STRING);
        assert_eq!(go_string("*.example.com")[0], tag::UTF8_STRING);
        assert_eq!(go_string("a&b")[0], tag::UTF8_STRING);
        assert_eq!(go_string("café")[0], tag::UTF8_STRING);
    }

    #[test]
    fn pem_round_trips_with_64_column_lines() {
        let der: Vec<u8> = (0..=255u8).collect();
        let pem = pem_encode("CERTIFICATE", &der);
        assert!(pem.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
        assert_eq!(pem.lines().count(), 2 + 344_usize.div_ceil(64));
        let block = pem_decode(&format!("junk\n{pem}")).unwrap();
        assert_eq!(block.label, "CERTIFICATE");
        assert_eq!(block.der, der);
        assert!(pem_decode("no pem here").is_none());
    }
}
