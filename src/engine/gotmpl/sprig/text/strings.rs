//! Sprig's string functions (`strings.go` and the Go `strings`, goutils and
//! xstrings helpers it wraps).
//!
//! Several helpers Sprig borrows work on bytes, not characters (`trunc`,
//! `substr`, `abbrev`, `wrap`, `nospace`, `initials`). They are reproduced
//! byte for byte; where Go would cut a UTF-8 sequence in half the result is
//! decoded lossily, since a template string here is always valid UTF-8.

use crate::engine::gotmpl::format::{self, FmtArg};
use crate::engine::gotmpl::node::go_quote;
use crate::engine::gotmpl::value::GoValue;

/// Sprig's `strval`: strings and byte slices as text, values with a
/// `String()` method through it, everything else in `%v` form.
pub fn strval(v: &GoValue) -> String {
    match v {
        GoValue::String(s) => s.to_string(),
        GoValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format::sprint(&[other as &dyn FmtArg]),
    }
}

/// Sprig's `strslice`: a `[]string` view of a value (`toStrings`, `join`).
/// Lists drop nil elements; nil is empty; anything else is one string.
pub fn strslice(v: &GoValue) -> Vec<String> {
    match v {
        GoValue::List(l) => l.items.iter().filter(|i| !i.is_nil()).map(strval).collect(),
        // A []byte is a slice too: one decimal string per byte.
        GoValue::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        GoValue::Nil | GoValue::Missing => Vec::new(),
        other => vec![strval(other)],
    }
}

/// Bytes back to text; Go would keep a cut UTF-8 sequence as raw bytes.
fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Go's `unicode.IsSpace`.
pub fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

/// `quote`: each non-nil argument as Go `%q` of its `strval`, space-joined.
pub fn quote(args: &[GoValue]) -> String {
    args.iter()
        .filter(|a| !a.is_nil())
        .map(|a| go_quote(&strval(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `squote`: each non-nil argument as `'%v'`, space-joined.
pub fn squote(args: &[GoValue]) -> String {
    args.iter()
        .filter(|a| !a.is_nil())
        .map(|a| format!("'{}'", format::sprint(&[a as &dyn FmtArg])))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cat`: non-nil arguments in `%v` form, space-joined.
pub fn cat(args: &[GoValue]) -> String {
    args.iter()
        .filter(|a| !a.is_nil())
        .map(|a| format::sprint(&[a as &dyn FmtArg]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `indent`: pads the first line and every line after a newline. A
/// negative width is Go's `strings.Repeat` panic.
pub fn indent(spaces: i64, s: &str) -> Result<String, String> {
    let pad = repeat(spaces, " ")?;
    let mut out = String::with_capacity(s.len() + pad.len() * 2);
    out.push_str(&pad);
    out.push_str(&s.replace('\n', &format!("\n{pad}")));
    Ok(out)
}

/// `trunc`: the first `c` bytes, or for negative `c` the last `-c` bytes.
pub fn trunc(c: i64, s: &str) -> String {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return lossy(&s.as_bytes()[(len + c) as usize..]);
    }
    if c >= 0 && len > c {
        return lossy(&s.as_bytes()[..c as usize]);
    }
    s.to_string()
}

/// `substr`: Go slicing with Sprig's rules; out-of-range bounds fail with
/// Go's runtime panic text, which the template reports as an error.
pub fn substr(start: i64, end: i64, s: &str) -> Result<String, String> {
    let len = s.len() as i64;
    let b = s.as_bytes();
    if start < 0 {
        if end < 0 {
            return Err(format!("runtime error: slice bounds out of range [:{end}]"));
        }
        if end > len {
            return Err(format!(
                "runtime error: slice bounds out of range [:{end}] with length {len}"
            ));
        }
        return Ok(lossy(&b[..end as usize]));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(format!(
                "runtime error: slice bounds out of range [{start}:{len}]"
            ));
        }
        return Ok(lossy(&b[start as usize..]));
    }
    if start > end {
        return Err(format!(
            "runtime error: slice bounds out of range [{start}:{end}]"
        ));
    }
    Ok(lossy(&b[start as usize..end as usize]))
}

/// `repeat`.
pub fn repeat(count: i64, s: &str) -> Result<String, String> {
    if count < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let total = (s.len() as u128) * (count as u128);
    if total > (isize::MAX as u128) || total > (1u128 << 31) {
        // Go panics on overflow; refusing absurd sizes keeps us alive.
        return Err("strings: Repeat output length overflow".into());
    }
    Ok(s.repeat(count as usize))
}

/// Go's `strings.Split` (an empty separator splits into characters).
pub fn go_split(s: &str, sep: &str) -> Vec<String> {
    go_splitn(s, sep, -1)
}

/// Go's `strings.SplitN`.
pub fn go_splitn(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<&str> = s
            .char_indices()
            .map(|(i, c)| &s[i..i + c.len_utf8()])
            .collect();
        if n < 0 || chars.len() as i64 <= n {
            return chars.into_iter().map(str::to_string).collect();
        }
        let k = (n - 1) as usize;
        let mut out: Vec<String> = chars[..k].iter().map(|c| c.to_string()).collect();
        let rest_at: usize = chars[..k].iter().map(|c| c.len()).sum();
        out.push(s[rest_at..].to_string());
        return out;
    }
    if n < 0 {
        s.split(sep).map(str::to_string).collect()
    } else {
        s.splitn(n as usize, sep).map(str::to_string).collect()
    }
}

/// Go's `strings.ToUpper`: per-character simple mapping (`ß` stays `ß`).
pub fn upper(s: &str) -> String {
    s.chars().map(simple_upper).collect()
}

/// Go's `strings.ToLower`: per-character simple mapping (no final sigma).
pub fn lower(s: &str) -> String {
    s.chars().map(simple_lower).collect()
}

/// Go's `unicode.ToUpper`: Unicode's simple (one-to-one) mapping. Rust
/// only offers the full mapping; where that expands to several characters
/// the simple mapping is either absent (`ß` stays) or, for the Greek
/// letters with ypogegrammeni, the title-case letter.
fn simple_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => match c as u32 {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => {
                char::from_u32(c as u32 + 8).unwrap_or(c)
            }
            0x1FB3 | 0x1FC3 | 0x1FF3 => char::from_u32(c as u32 + 9).unwrap_or(c),
            _ => c,
        },
    }
}

/// Go's `unicode.ToLower` (simple mapping; `İ` becomes `i`).
fn simple_lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// Go's `unicode.ToTitle`: the upper case, except for the four Latin
/// digraphs that have a distinct title-case letter.
fn simple_title(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        _ => simple_upper(c),
    }
}

fn is_title_case(c: char) -> bool {
    matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ') || ('\u{1F88}'..='\u{1FAF}').contains(&c) && c.is_uppercase()
}

/// Go's `strings.Title`: title-cases letters that start a word; word
/// separators are ASCII non-alphanumerics other than `_`, and white space.
pub fn title(s: &str) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            is_go_space(c)
        }
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) {
                simple_title(c)
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-cases the first letter of every
/// white-space separated word.
pub fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_go_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                simple_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`: upper and title case become lower; lower case
/// becomes title case after white space and upper case elsewhere.
pub fn swapcase(s: &str) -> String {
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if c.is_uppercase() || is_title_case(c) {
                whitespace = false;
                simple_lower(c)
            } else if c.is_lowercase() {
                let out = if whitespace {
                    simple_title(c)
                } else {
                    simple_upper(c)
                };
                whitespace = false;
                out
            } else {
                whitespace = is_go_space(c);
                c
            }
        })
        .collect()
}

/// A byte read as a rune, as goutils does by indexing a string: Latin-1.
fn byte_rune(b: u8) -> char {
    char::from(b)
}

/// goutils `DeleteWhiteSpace` (byte-wise: each byte read as a Latin-1 rune).
pub fn nospace(s: &str) -> String {
    if !s.bytes().any(|b| is_go_space(byte_rune(b))) {
        return s.to_string();
    }
    s.bytes()
        .map(byte_rune)
        .filter(|c| !is_go_space(*c))
        .collect()
}

/// goutils `Initials` (byte-wise, white-space delimited).
pub fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for c in s.bytes().map(byte_rune) {
        if is_go_space(c) {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// Sprig `abbrev`.
pub fn abbrev(width: i64, s: &str) -> String {
    if width < 4 {
        return s.to_string();
    }
    abbreviate_full(s, 0, width).unwrap_or_default()
}

/// Sprig `abbrevboth`.
pub fn abbrevboth(left: i64, right: i64, s: &str) -> String {
    if right < 4 || (left > 0 && right < 7) {
        return s.to_string();
    }
    abbreviate_full(s, left, right).unwrap_or_default()
}

/// goutils `AbbreviateFull` (byte offsets); `None` where goutils errors.
fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> Option<String> {
    let b = s.as_bytes();
    let len = b.len() as i64;
    if s.is_empty() {
        return Some(String::new());
    }
    if max_width < 4 {
        return None;
    }
    if len <= max_width {
        return Some(s.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return Some(format!("{}...", lossy(&b[..(max_width - 3) as usize])));
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let inner = abbreviate_full(&lossy(&b[offset as usize..]), 0, max_width - 3)?;
        return Some(format!("...{inner}"));
    }
    Some(format!(
        "...{}",
        lossy(&b[(len - (max_width - 3)) as usize..])
    ))
}

/// goutils `WrapCustom` (byte offsets; breaks at ASCII spaces).
pub fn wrap_custom(s: &str, wrap_length: i64, newline: &str, wrap_long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = wrap_length.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + 8);
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        let space = b[offset..end].iter().rposition(|&x| x == b' ');
        if let Some(sp) = space {
            out.extend_from_slice(&b[offset..offset + sp]);
            out.extend_from_slice(newline.as_bytes());
            offset += sp + 1;
        } else if wrap_long_words {
            out.extend_from_slice(&b[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&x| x == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(i) => {
                    out.extend_from_slice(&b[offset..end + i]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + i + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset.min(len)..]);
    lossy(&out)
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_go_space(c)
}

/// xstrings v1.5 `ToPascalCase` (Sprig's `camelcase`): words split at `-`,
/// `_` and spaces, each capitalised, the rest of an all-caps word lowered;
/// leading connectors and runs of connectors are kept.
pub fn camelcase(s: &str) -> String {
    let mut chars = s.chars();
    let mut out = String::with_capacity(s.len());
    let mut r0 = '\0';
    let mut read_any = false;
    let mut first_upper = false;
    for c in chars.by_ref() {
        read_any = true;
        r0 = c;
        if !is_connector(c) {
            first_upper = c.is_uppercase();
            r0 = simple_upper(c);
            break;
        }
        out.push(c);
    }
    let rest: Vec<char> = chars.collect();
    if rest.is_empty() {
        // xstrings writes the last rune read once more here, so a string of
        // connectors only gains one (`__` becomes `___`).
        if read_any {
            out.push(r0);
        }
        return out;
    }
    for c in rest {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = r0.is_uppercase();
            r0 = simple_upper(r0);
        } else {
            if first_upper {
                if r0.is_uppercase() {
                    r0 = simple_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alpha,
    Connector,
    Punct,
    Other,
}

/// xstrings `isAlphabet`: a letter that is not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic() && !matches!(c as u32, 0x4E00..=0x9FCC | 0x3400..=0x4D85 | 0x20000..=0x2B81D)
}

fn is_go_punct(c: char) -> bool {
    // Go's unicode.IsPunct is the Unicode P categories; ASCII symbols such
    // as `$+<=>^`|~` are S, not P.
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control() && is_unicode_punct(c)
}

/// Common non-ASCII punctuation (general category P) for word splitting.
fn is_unicode_punct(c: char) -> bool {
    matches!(c as u32,
        0xA1 | 0xA7 | 0xAB | 0xB6 | 0xB7 | 0xBB | 0xBF
        | 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0x3008..=0x3011
        | 0xFF01..=0xFF0F)
}

/// xstrings `nextWord`: the kind and text of the next word.
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut chars = s.char_indices().peekable();
    let Some((_, r)) = chars.next() else {
        return (Word::Invalid, "", "");
    };
    let mut end = r.len_utf8();
    let take_while = |end: &mut usize, pred: &dyn Fn(char) -> bool| {
        for (i, c) in s[*end..].char_indices() {
            if !pred(c) {
                *end += i;
                return;
            }
        }
        *end = s.len();
    };
    let kind = if is_connector(r) {
        take_while(&mut end, &is_connector);
        Word::Connector
    } else if is_go_punct(r) {
        take_while(&mut end, &is_go_punct);
        Word::Punct
    } else if r.is_uppercase() {
        let rest = &s[end..];
        match rest.chars().next() {
            Some(n) if n.is_uppercase() => {
                // A run of capitals; its last capital starts the next word
                // when a lower-case letter follows (`HTTPServer`).
                let mut last = end;
                let mut cur = end;
                let mut following = None;
                for c in rest.chars() {
                    if !c.is_uppercase() {
                        following = Some(c);
                        break;
                    }
                    last = cur;
                    cur += c.len_utf8();
                }
                end = cur;
                if following.is_some_and(is_alphabet) {
                    end = last;
                }
            }
            Some(n) if is_alphabet(n) => {
                take_while(&mut end, &|c| is_alphabet(c) && !c.is_uppercase());
            }
            _ => {}
        }
        Word::Upper
    } else if is_alphabet(r) {
        take_while(&mut end, &|c| is_alphabet(c) && !c.is_uppercase());
        Word::Alpha
    } else if r.is_numeric() {
        take_while(&mut end, &|c: char| c.is_numeric());
        Word::Number
    } else {
        take_while(&mut end, &|c| {
            !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_go_punct(c))
        });
        Word::Other
    };
    (kind, &s[..end], &s[end..])
}

fn push_lower(out: &mut String, kind: Word, word: &str, connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else {
            out.push(simple_lower(c));
        }
    }
}

/// xstrings `camelCaseToLowerCase` (Sprig's `snakecase` with `_`,
/// `kebabcase` with `-`).
pub fn to_lower_case_words(s: &str, connector: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len() + 4);
    let (mut wt, mut word, mut remaining) = next_word(s);
    while !remaining.is_empty() {
        if wt != Word::Connector {
            push_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Word::Number => {
                while wt == Word::Alpha || wt == Word::Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, remaining) = next_word(remaining);
                if wt != Word::Alpha {
                    push_lower(&mut out, Word::Number, last, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, Word::Number, last, connector);
                while wt == Word::Alpha || wt == Word::Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, word, connector);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_based_helpers() {
        assert_eq!(trunc(3, "hello"), "hel");
        assert_eq!(trunc(-3, "hello"), "llo");
        assert_eq!(trunc(-9, "hello"), "hello");
        assert_eq!(substr(1, 3, "hello").unwrap(), "el");
        assert_eq!(substr(-1, 2, "hello").unwrap(), "he");
        assert_eq!(substr(2, -1, "hello").unwrap(), "llo");
        assert_eq!(
            substr(2, 1, "abc").unwrap_err(),
            "runtime error: slice bounds out of range [2:1]"
        );
        assert_eq!(
            substr(-1, 5, "abc").unwrap_err(),
            "runtime error: slice bounds out of range [:5] with length 3"
        );
        assert_eq!(
            substr(5, -1, "abc").unwrap_err(),
            "runtime error: slice bounds out of range [5:3]"
        );
        assert_eq!(abbrev(5, "hello world"), "he...");
        assert_eq!(abbrev(3, "hello world"), "hello world");
        assert_eq!(abbrevboth(5, 10, "1234 5678 9123"), "...5678...");
        assert_eq!(wrap_custom("Hello World", 5, "", false), "Hello\nWorld");
        assert_eq!(
            wrap_custom("Hello World", 5, "<br>", true),
            "Hello<br>World"
        );
        assert_eq!(
            wrap_custom("Hellooo World", 3, "", true),
            "Hel\nloo\no\nWor\nld"
        );
        assert_eq!(nospace("h e l l o "), "hello");
        assert_eq!(initials("First Try"), "FT");
    }

    #[test]
    fn case_helpers() {
        assert_eq!(title("hello world-foo_bar"), "Hello World-Foo_bar");
        assert_eq!(untitle("First Try"), "first try");
        assert_eq!(swapcase("This Is A.Test"), "tHIS iS a.tEST");
        assert_eq!(upper("straße"), "STRAßE");
        assert_eq!(lower("ΟΔΟΣ"), "οδοσ");
        assert_eq!(camelcase("http_server"), "HttpServer");
        assert_eq!(camelcase("_camel_case"), "_CamelCase");
        assert_eq!(camelcase("_complex__case_"), "_Complex_Case_");
        assert_eq!(camelcase("GOLANG_IS_GREAT"), "GolangIsGreat");
        assert_eq!(camelcase("a"), "A");
        assert_eq!(camelcase("__"), "___");
        assert_eq!(to_lower_case_words("FirstName", '_'), "first_name");
        assert_eq!(to_lower_case_words("HTTPServer", '_'), "http_server");
        assert_eq!(to_lower_case_words("NoHTTPS", '-'), "no-https");
        assert_eq!(to_lower_case_words("GO_PATH", '_'), "go_path");
        assert_eq!(to_lower_case_words("GO PATH", '-'), "go-path");
        assert_eq!(to_lower_case_words("http2xx", '_'), "http_2xx");
        assert_eq!(to_lower_case_words("HTTP20xOK", '_'), "http_20x_ok");
        assert_eq!(to_lower_case_words("Duration2m3s", '_'), "duration_2m3s");
        assert_eq!(to_lower_case_words("Bld4Floor3rd", '_'), "bld4_floor_3rd");
    }

    #[test]
    fn split_like_go() {
        assert_eq!(go_split("a,b", ","), vec!["a", "b"]);
        assert_eq!(go_split("abc", ""), vec!["a", "b", "c"]);
        assert_eq!(go_splitn("a,b,c", ",", 2), vec!["a", "b,c"]);
        assert_eq!(go_splitn("abc", "", 2), vec!["a", "bc"]);
        assert!(go_splitn("abc", ",", 0).is_empty());
    }

    #[test]
    fn quoting() {
        let args = [GoValue::str("a\"b"), GoValue::Nil, GoValue::Int(1)];
        assert_eq!(quote(&args), "\"a\\\"b\" \"1\"");
        assert_eq!(squote(&args), "'a\"b' '1'");
        assert_eq!(
            cat(&[
                GoValue::str("a"),
                GoValue::Nil,
                GoValue::str("b"),
                GoValue::Int(1)
            ]),
            "a b 1"
        );
        assert_eq!(indent(2, "a\n\nb").unwrap(), "  a\n  \n  b");
        assert!(indent(-1, "a").is_err());
    }
}
