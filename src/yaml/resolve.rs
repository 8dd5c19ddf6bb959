//! go-yaml v2's YAML 1.1 resolver, seen from the writer's side.
//!
//! go-yaml v2 (`encode.go`, `stringv`) writes a string plain only when a
//! reader would resolve the plain text back to a string: anything that reads
//! as null, bool, int, float or timestamp (and YAML 1.1 base-60 floats) is
//! double-quoted instead. Helm's `toYaml` and kustomize output inherit this,
//! so `"yes"`, `"1_000"`, `"2020-1-2"` and `""` come out quoted while `inf`,
//! `<<` and `1e999` stay plain. The rules below follow `resolve.go` and the
//! Go `strconv`/`time` parsers it calls, including their corner cases.

use std::borrow::Cow;

/// True when the plain spelling of `s` would not read back as the same
/// string, so go-yaml v2 double-quotes it.
pub(crate) fn needs_quotes(s: &str) -> bool {
    !resolves_to_string(s) || is_base60_float(s)
}

/// The scalars `resolve.go` looks up in its table (bools, nulls and the
/// special floats). `<<` is in the table too but never reached: its first
/// byte has no resolver hint, so go-yaml writes it plain.
const TABLE_WORDS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No",
    "NO", "false", "False", "FALSE", "off", "Off", "OFF", "~", "null", "Null", "NULL", ".nan",
    ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
];

/// `resolve("", s)` returned the string tag.
fn resolves_to_string(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        // The empty scalar is null.
        return false;
    };
    // resolve.go only looks further when the first byte has a hint.
    let hint = match first {
        b'+' | b'-' | b'0'..=b'9' => Hint::Number,
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => Hint::Word,
        b'.' => Hint::Dot,
        _ => return true,
    };
    if TABLE_WORDS.contains(&s) {
        return false;
    }
    match hint {
        Hint::Word => true,
        Hint::Dot => !go_parse_float_ok(s),
        Hint::Number => !(is_timestamp(s) || number_like(s)),
    }
}

enum Hint {
    Number,
    Word,
    Dot,
}

/// The int and float tries of resolve.go for text starting with a sign or
/// digit: underscores are dropped first, then `strconv.ParseInt(_, 0, 64)`,
/// `ParseUint`, a YAML-style float pattern, and a `0b` fallback.
fn number_like(s: &str) -> bool {
    let plain: Cow<str> = if s.contains('_') {
        Cow::Owned(s.replace('_', ""))
    } else {
        Cow::Borrowed(s)
    };
    let plain = plain.as_ref();
    if go_parse_int_base0(plain) {
        return true;
    }
    if yaml_style_float(plain) && finite_float(plain) {
        return true;
    }
    // `strings.HasPrefix(plain, "0b")` then ParseInt/ParseUint of the rest
    // in base 2. This catches `0b-101` (the sign after the prefix), which
    // the base-0 parse above rejects. The `-0b` branch of resolve.go adds
    // nothing the base-0 parse has not already accepted.
    if let Some(rest) = plain.strip_prefix("0b") {
        return go_parse_signed(rest, |digits| parse_uint_digits(digits, 2));
    }
    false
}

/// `strconv.ParseInt(s, 0, 64)` succeeds, or `strconv.ParseUint(s, 0, 64)`
/// does (which admits unsigned values above `i64::MAX`).
fn go_parse_int_base0(s: &str) -> bool {
    go_parse_signed(s, parse_uint_base0)
}

/// A Go `ParseInt` around an unsigned digit parser, falling back to
/// `ParseUint` (no sign allowed, full `u64` range).
fn go_parse_signed(s: &str, unsigned: impl Fn(&str) -> Option<u64>) -> bool {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (Some(false), &s[1..]),
        Some(b'-') => (Some(true), &s[1..]),
        _ => (None, s),
    };
    if rest.is_empty() {
        return false;
    }
    match (sign, unsigned(rest)) {
        (_, None) => false,
        (Some(true), Some(u)) => u <= 1u64 << 63,
        (Some(false), Some(u)) => u <= i64::MAX as u64,
        // Without a sign ParseUint accepts the whole u64 range.
        (None, Some(_)) => true,
    }
}

/// `strconv.ParseUint(s, 0, 64)` on a non-empty, sign-free string whose
/// underscores were already removed.
fn parse_uint_base0(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    // Go only takes a two-letter prefix when a digit could follow it
    // (`len(s) >= 3`); a lone `0` is octal zero.
    let (base, digits) = if b.first() == Some(&b'0') {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &s[2..]),
            Some(b'o') if b.len() >= 3 => (8, &s[2..]),
            Some(b'x') if b.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    parse_uint_digits_allow_empty(digits, base)
}

/// Digits in `base`, at least one, no overflow.
fn parse_uint_digits(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    parse_uint_digits_allow_empty(s, base)
}

/// Digits in `base`, no overflow; the empty string is 0 (Go's octal case
/// after stripping the leading `0`).
fn parse_uint_digits_allow_empty(s: &str, base: u32) -> Option<u64> {
    let mut n: u64 = 0;
    for c in s.chars() {
        let d = c.to_digit(base)?;
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// resolve.go's `yamlStyleFloat`:
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = count_digits(&b[i..]);
    i += int_digits;
    if int_digits == 0 {
        // `\.[0-9]+`
        if b.get(i) != Some(&b'.') {
            return false;
        }
        i += 1;
        let frac = count_digits(&b[i..]);
        if frac == 0 {
            return false;
        }
        i += frac;
    } else if b.get(i) == Some(&b'.') {
        i += 1;
        i += count_digits(&b[i..]);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = count_digits(&b[i..]);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// `strconv.ParseFloat` does not report a range error: the decimal text
/// (without underscores) does not overflow to infinity. Underflow to zero
/// is not an error in Go.
fn finite_float(s: &str) -> bool {
    let cleaned: Cow<str> = if s.contains('_') {
        Cow::Owned(s.replace('_', ""))
    } else {
        Cow::Borrowed(s)
    };
    // Rust rejects a bare trailing `.` before an exponent in some versions;
    // normalise `1.e5` to `1e5`, which denotes the same number.
    let normalised: Cow<str> = if cleaned.contains(".e") || cleaned.contains(".E") {
        Cow::Owned(cleaned.replace(".e", "e").replace(".E", "E"))
    } else {
        cleaned
    };
    normalised
        .parse::<f64>()
        .map(f64::is_finite)
        .unwrap_or(false)
}

/// `strconv.ParseFloat(s, 64)` succeeds for a string starting with `.`:
/// Go's decimal float syntax (digits with at most one point, an optional
/// exponent) where underscores may only sit between digits, and no overflow.
fn go_parse_float_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut saw_dot = false;
    let mut saw_digits = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'_' => {}
            b'.' if !saw_dot => saw_dot = true,
            b'0'..=b'9' => saw_digits = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len() && underscores_ok(s) && finite_float(s)
}

/// Go's `strconv.underscoreOK` for decimal text: every underscore sits
/// between two digits.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let body = match b.first() {
        Some(b'+' | b'-') => &b[1..],
        _ => b,
    };
    // What the previous byte was: a digit, an underscore, or anything else
    // (including the start).
    #[derive(PartialEq)]
    enum Saw {
        Start,
        Digit,
        Underscore,
        Other,
    }
    let mut saw = Saw::Start;
    for &c in body {
        if c.is_ascii_digit() {
            saw = Saw::Digit;
        } else if c == b'_' {
            if saw != Saw::Digit {
                return false;
            }
            saw = Saw::Underscore;
        } else {
            if saw == Saw::Underscore {
                return false;
            }
            saw = Saw::Other;
        }
    }
    saw != Saw::Underscore
}

/// encode.go's `isBase60Float`:
/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
/// These are not resolved on input any more but still quoted on output
/// for older parsers.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        // `[0-5]?[0-9]`: one or two digits, the first of two at most 5.
        let d = count_digits(&b[i..]);
        match d {
            0 => return false,
            1 => i += 1,
            _ if b[i] <= b'5' => i += 2,
            _ => i += 1,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// resolve.go's `parseTimestamp`: `time.Parse` with one of
/// `2006-1-2T15:4:5.999999999Z07:00` (also with a lower-case `t`),
/// `2006-1-2 15:4:5.999999999` and `2006-1-2`, including Go's range checks
/// (month 1-12, day within the month, hour < 24, minute and second < 60,
/// zone hour ≤ 24, zone minute ≤ 60).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // Quick check of resolve.go: exactly four digits, then `-`.
    if b.len() < 5 || count_digits(b) != 4 || b[4] != b'-' {
        return false;
    }
    let year = b[..4]
        .iter()
        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let mut cur = Cursor { b, i: 5 };
    let Some(month) = cur.num_1_or_2() else {
        return false;
    };
    if !(1..=12).contains(&month) || !cur.eat(b'-') {
        return false;
    }
    let Some(day) = cur.num_1_or_2() else {
        return false;
    };
    if cur.done() {
        return valid_day(year, month, day);
    }
    let with_zone = match cur.peek() {
        Some(b'T' | b't') => {
            cur.i += 1;
            true
        }
        Some(b' ') => {
            // A space in a Go layout matches one or more spaces.
            while cur.peek() == Some(b' ') {
                cur.i += 1;
            }
            false
        }
        _ => return false,
    };
    if !cur.clock() {
        return false;
    }
    if with_zone && !cur.zone() {
        return false;
    }
    cur.done() && valid_day(year, month, day)
}

fn valid_day(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&day)
}

/// A byte cursor for the timestamp layouts.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Go's `getnum(value, false)`: one digit, or two when two follow.
    fn num_1_or_2(&mut self) -> Option<u32> {
        let first = self.peek().filter(u8::is_ascii_digit)?;
        self.i += 1;
        let mut n = u32::from(first - b'0');
        if let Some(second) = self.peek().filter(u8::is_ascii_digit) {
            self.i += 1;
            n = n * 10 + u32::from(second - b'0');
        }
        Some(n)
    }

    /// Go's `getnum(value, true)`: exactly two digits.
    fn num_2(&mut self) -> Option<u32> {
        let hi = self.peek().filter(u8::is_ascii_digit)?;
        let lo = self.b.get(self.i + 1).copied().filter(u8::is_ascii_digit)?;
        self.i += 2;
        Some(u32::from(hi - b'0') * 10 + u32::from(lo - b'0'))
    }

    /// `15:4:5.999999999`: hour, minute, second, optional fraction.
    fn clock(&mut self) -> bool {
        let ok = |v: Option<u32>, max: u32| v.is_some_and(|v| v < max);
        if !ok(self.num_1_or_2(), 24) || !self.eat(b':') {
            return false;
        }
        if !ok(self.num_1_or_2(), 60) || !self.eat(b':') {
            return false;
        }
        if !ok(self.num_1_or_2(), 60) {
            return false;
        }
        // A fraction is `.` or `,` followed by at least one digit; any
        // number of digits is taken.
        if matches!(self.peek(), Some(b'.' | b','))
            && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit)
        {
            self.i += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        true
    }

    /// `Z07:00`: `Z`, or a sign, two-digit hours, `:`, two-digit minutes.
    fn zone(&mut self) -> bool {
        if self.eat(b'Z') {
            return true;
        }
        if self.b.len() - self.i < 6 || self.b[self.i + 3] != b':' {
            return false;
        }
        if !matches!(self.peek(), Some(b'+' | b'-')) {
            return false;
        }
        self.i += 1;
        let Some(hours) = self.num_2() else {
            return false;
        };
        self.i += 1; // the ':' checked above
        let Some(minutes) = self.num_2() else {
            return false;
        };
        // Go's range test uses `>` so that offsets of 24 hours or 60
        // minutes pass.
        hours <= 24 && minutes <= 60
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools_nulls_and_special_floats_need_quotes() {
        for s in [
            "", "~", "null", "Null", "NULL", "y", "Y", "yes", "on", "ON", "n", "no", "off", "true",
            "False", ".inf", "-.Inf", "+.INF", ".nan", ".NaN",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
    }

    #[test]
    fn near_misses_stay_plain() {
        for s in [
            "nULL", "yES", "inf", "nan", "NaN", "<<", "=", ":x", "tru", "nope", "o", "offf",
            "Yes!", "-", "+", ".", "..", ".e5", "0x", "0b", "1e999", "-1e999", "_1", "0o",
        ] {
            assert!(!needs_quotes(s), "{s:?}");
        }
    }

    #[test]
    fn integers_in_every_go_base() {
        for s in [
            "0",
            "7",
            "-7",
            "+7",
            "0755",
            "0x1F",
            "0X1f",
            "-0x1F",
            "0o17",
            "0b101",
            "1_000",
            "+1_0",
            "9223372036854775807",
            "-9223372036854775808",
            "18446744073709551615",
            "0b-101",
            "0b+1",
            "1_",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
        // Out of the integer range or not octal, but still a YAML float.
        for s in ["+9223372036854775808", "-9223372036854775809", "089"] {
            assert!(needs_quotes(s), "{s:?}");
        }
        // Bad digits: a string again.
        for s in ["0b2", "0xg", "1-2", "0x1G"] {
            assert!(!needs_quotes(s), "{s:?}");
        }
    }

    #[test]
    fn floats() {
        for s in [
            "1.5",
            "-1.5",
            "+1.5",
            "1.",
            "1.e5",
            ".5",
            "+.5",
            "1e5",
            "1E+5",
            "1.5e-7",
            ".5e3",
            "1_0.5",
            ".5_0",
            "18446744073709551616",
            "1e-999",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
        for s in [
            "1.5.5", "1e", "1e+", ".5e", "._5", ".5_", "1.5x", "e5", "1e1.5",
        ] {
            assert!(!needs_quotes(s), "{s:?}");
        }
    }

    #[test]
    fn base60_is_quoted() {
        for s in [
            "1:20",
            "190:20:30.15",
            "-1:30",
            "1_0:5",
            "12:30",
            "1:20:30.5",
            "1:2.",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
        for s in ["1:60", "1:", "a:1", "1:2:x", "1::2"] {
            assert!(!needs_quotes(s), "{s:?}");
        }
    }

    #[test]
    fn timestamps() {
        for s in [
            "2020-01-01",
            "2020-1-2",
            "2020-1-2T3:04:05Z",
            "2020-1-2t3:4:5.123Z",
            "2001-12-14T21:59:43.10+05:00",
            "2001-12-14T21:59:43,10-24:60",
            "2001-12-14 21:59:43.10",
            "2001-12-14   21:59:43",
            "2024-02-29",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
        for s in [
            "2020-13-01",
            "2020-02-30",
            "2023-02-29",
            "2020-1-2T3:04:05",
            "2020-1-2T24:00:00Z",
            "2020-1-2T3:60:00Z",
            "2020-1-2 3:4:5Z",
            "2001-12-14T21:59:43+25:00",
            "2001-12-14T21:59:43+0500",
            "2020-1-2x",
            "20201-1-2",
            "2020-001-2",
            "2020-1-2T3:4:5.Z",
        ] {
            assert!(!needs_quotes(s), "{s:?}");
        }
    }

    #[test]
    fn non_hint_strings_are_plain() {
        for s in ["abc", "app.kubernetes.io/name", "Hello world", "@x", "*"] {
            assert!(!needs_quotes(s), "{s:?}");
        }
    }
}
