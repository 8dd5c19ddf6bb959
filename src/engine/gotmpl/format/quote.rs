//! Go's `strconv` quoting (quote.go): `Quote`, `QuoteToASCII`, `QuoteRune`,
//! `CanBackquote` and the `IsPrint` test they rest on. Sprig's `quote`
//! is `fmt.Sprintf("%q", s)`, so Helm charts reach this on every quoted
//! value.

use std::fmt::Write as _;

/// Appends `bytes` as a double-quoted Go string literal, like
/// `strconv.Quote` (or `QuoteToASCII` when `ascii_only`). Bytes that are
/// not valid UTF-8 become `\x..` one byte at a time, as Go decodes them.
pub(super) fn append_quoted(out: &mut String, bytes: &[u8], ascii_only: bool) {
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            append_escaped(out, c, '"', ascii_only);
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
}

/// Appends `r` as a single-quoted Go rune literal (`strconv.QuoteRune`,
/// `QuoteRuneToASCII`). Code points that are not valid Unicode print as
/// U+FFFD, as Go does.
pub(super) fn append_quoted_rune(out: &mut String, r: u64, ascii_only: bool) {
    let c = u32::try_from(r)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}');
    out.push('\'');
    append_escaped(out, c, '\'', ascii_only);
    out.push('\'');
}

/// Go's `strconv.CanBackquote`: whether `s` can be written as a raw string
/// literal (no backquote, no control character but tab, no BOM, valid UTF-8).
pub(super) fn can_backquote(bytes: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(bytes) else {
        return false;
    };
    !s.chars()
        .any(|c| (c < ' ' && c != '\t') || c == '`' || c == '\u{7f}' || c == '\u{feff}')
}

/// One character inside a quoted literal.
fn append_escaped(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    let printable = if ascii_only {
        c.is_ascii() && is_print(c)
    } else {
        is_print(c)
    };
    if printable {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if c < ' ' || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space. Without a Unicode category table this is computed
/// as "everything except" the non-graphic classes: controls (Cc), format
/// characters (Cf), separators other than U+0020 (Zs, Zl, Zp), private use
/// (Co) and noncharacters. Unassigned code points count as printable here
/// (Go escapes them); they do not occur in real chart text.
pub(super) fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if c.is_control() {
        return false;
    }
    // Separators (Zs without U+0020, Zl, Zp).
    if matches!(
        u,
        0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000
    ) {
        return false;
    }
    // Format characters (Cf).
    if matches!(
        u,
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
    ) {
        return false;
    }
    // Private use (Co).
    if matches!(u, 0xe000..=0xf8ff | 0xf0000..=0xffffd | 0x100000..=0x10fffd) {
        return false;
    }
    // Noncharacters.
    if (0xfdd0..=0xfdef).contains(&u) || (u & 0xfffe) == 0xfffe {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &[u8], ascii: bool) -> String {
        let mut out = String::new();
        append_quoted(&mut out, s, ascii);
        out
    }

    #[test]
    fn quote_like_strconv() {
        let rows: &[(&[u8], bool, &str)] = &[
            (b"abc", false, "\"abc\""),
            (b"a\"b\\c", false, r#""a\"b\\c""#),
            (b"\x07\x08\x0c\r\n\t\x0b", false, r#""\a\b\f\r\n\t\v""#),
            (b"\x00\x1f\x7f", false, r#""\x00\x1f\x7f""#),
            ("☺".as_bytes(), false, "\"☺\""),
            ("☺".as_bytes(), true, r#""\u263a""#),
            ("\u{10ffff}".as_bytes(), false, r#""\U0010ffff""#),
            ("😀".as_bytes(), true, r#""\U0001f600""#),
            ("😀".as_bytes(), false, "\"😀\""),
            (b"\xff\xfeok", false, r#""\xff\xfeok""#),
            (b"\xe2\x82", false, r#""\xe2\x82""#),
            ("\u{a0}".as_bytes(), false, r#""\u00a0""#),
            ("\u{feff}".as_bytes(), false, r#""\ufeff""#),
            ("\u{2028}".as_bytes(), false, r#""\u2028""#),
            ("é".as_bytes(), false, "\"é\""),
            ("'".as_bytes(), false, "\"'\""),
        ];
        for (input, ascii, want) in rows {
            assert_eq!(q(input, *ascii), *want, "quote {input:?}");
        }
    }

    #[test]
    fn quote_rune_like_strconv() {
        let cases: &[(u64, bool, &str)] = &[
            (u64::from('a'), false, "'a'"),
            (u64::from('\''), false, r"'\''"),
            (u64::from('"'), false, "'\"'"),
            (u64::from('☺'), false, "'☺'"),
            (u64::from('☺'), true, r"'\u263a'"),
            (0xd800, false, "'�'"),
            (0x110000, false, "'�'"),
            (u64::MAX, false, "'�'"),
            (0, false, r"'\x00'"),
        ];
        for (r, ascii, want) in cases {
            let mut out = String::new();
            append_quoted_rune(&mut out, *r, *ascii);
            assert_eq!(out, *want, "rune {r:#x}");
        }
    }

    #[test]
    fn backquote() {
        assert!(can_backquote(b"abc\tdef"));
        assert!(!can_backquote(b"a`b"));
        assert!(!can_backquote(b"a\nb"));
        assert!(!can_backquote(b"\x7f"));
        assert!(!can_backquote("\u{feff}".as_bytes()));
        assert!(!can_backquote(b"\xff"));
        assert!(can_backquote("☺".as_bytes()));
    }
}
