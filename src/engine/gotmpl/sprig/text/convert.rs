//! Type conversions: spf13/cast v1.7.0 (`int`, `int64`, `float64`) and the
//! Go `strconv` parsers Sprig calls (`atoi`, `toDecimal`).
//!
//! cast never fails from a template's point of view: anything it cannot
//! convert becomes 0 (`int "1e3"` is 0, `int "1.0"` is 1 because cast trims
//! a zero fraction first, `int "017"` is 15 because it parses with base 0).

use crate::engine::gotmpl::format::{self, FmtArg};
use crate::engine::gotmpl::value::GoValue;

/// Go's conversion of a float64 to int64: truncation toward zero; on amd64
/// NaN and out-of-range values become the minimum int64.
pub(crate) fn float_to_i64(x: f64) -> i64 {
    // 2^63 as f64; every float in [-2^63, 2^63) converts exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if x.is_nan() || !(-LIMIT..LIMIT).contains(&x) {
        i64::MIN
    } else {
        x as i64
    }
}

/// `cast.ToInt64` (and `cast.ToInt`, identical on 64-bit platforms).
pub fn to_int64(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => *i,
        GoValue::Uint64(u) => *u as i64,
        GoValue::Float(x) => float_to_i64(*x),
        GoValue::String(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        GoValue::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `cast.ToFloat64`.
pub fn to_float64(v: &GoValue) -> f64 {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => *i as f64,
        GoValue::Uint64(u) => *u as f64,
        GoValue::Float(x) => *x,
        GoValue::String(s) => parse_float(s).unwrap_or(0.0),
        GoValue::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

/// `strconv.Atoi` with the error dropped, as Sprig's `atoi` does.
pub fn atoi(s: &str) -> i64 {
    parse_int(s, 10).unwrap_or(0)
}

/// Sprig `toDecimal`: the `%v` text of the value read as an octal number.
pub fn to_decimal(v: &GoValue) -> i64 {
    let text = format::sprint(&[v as &dyn FmtArg]);
    parse_int(&text, 8).unwrap_or(0)
}

/// cast's `trimZeroDecimal`: `"1.0"` → `"1"`, `"1.5"` unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    for i in (0..b.len()).rev() {
        match b[i] {
            b'.' => {
                if found_zero {
                    return &s[..i];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go's `underscoreOK`: underscores only between digits (or after a base
/// prefix).
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        i = 1;
    }
    let mut hex = false;
    if b.len() - i >= 2 && b[i] == b'0' && matches!(b[i + 1] | 0x20, b'b' | b'o' | b'x') {
        hex = b[i + 1] | 0x20 == b'x';
        i += 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseInt(s, 0, 64)`: sign, then `0x`/`0o`/`0b`/`0` prefixes,
/// underscores between digits.
pub fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = split_sign(s);
    let lower = body.to_ascii_lowercase();
    let (base, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    if body.contains('_') && !underscore_ok(s) {
        return None;
    }
    let digits = digits.replace('_', "");
    signed(neg, &digits, base)
}

/// `strconv.ParseInt(s, base, 64)` for an explicit base (no prefixes, no
/// underscores).
pub fn parse_int(s: &str, base: u32) -> Option<i64> {
    let (neg, body) = split_sign(s);
    signed(neg, body, base)
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = s.strip_prefix('+') {
        (false, r)
    } else {
        (false, s)
    }
}

fn signed(neg: bool, digits: &str, base: u32) -> Option<i64> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, base).ok()?;
    if neg {
        if magnitude > (i64::MAX as u128) + 1 {
            return None;
        }
        Some((-(magnitude as i128)) as i64)
    } else if magnitude > i64::MAX as u128 {
        None
    } else {
        Some(magnitude as i64)
    }
}

/// `strconv.ParseFloat(s, 64)`: decimal and hexadecimal (`0x1p-2`) forms,
/// `inf`/`infinity`/`nan`, underscores between digits; out of range is an
/// error (cast then returns 0).
pub fn parse_float(s: &str) -> Option<f64> {
    let (neg, body) = split_sign(s);
    let lower = body.to_ascii_lowercase();
    let sign = if neg { -1.0 } else { 1.0 };
    match lower.as_str() {
        "inf" | "infinity" => return Some(sign * f64::INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean = lower.replace('_', "");
    if let Some(hex) = clean.strip_prefix("0x") {
        return parse_hex_float(hex).map(|x| sign * x);
    }
    // Rust accepts what Go accepts for decimal floats, plus "inf"/"nan"
    // spellings already handled above; reject anything with letters other
    // than an exponent marker.
    if clean.is_empty()
        || !clean
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-'))
    {
        return None;
    }
    let x: f64 = clean.parse().ok()?;
    if x.is_infinite() {
        return None;
    }
    Some(sign * x)
}

/// A Go hexadecimal float mantissa and mandatory `p` exponent.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let x = value * 2f64.powi(exp);
    if x.is_infinite() { None } else { Some(x) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_int_matches_helm() {
        let s = |t: &str| to_int64(&GoValue::str(t));
        assert_eq!(s("1e3"), 0);
        assert_eq!(s("0x1F"), 31);
        assert_eq!(s("017"), 15);
        assert_eq!(s("1_000"), 1000);
        assert_eq!(s("1.0"), 1);
        assert_eq!(s("1.00"), 1);
        assert_eq!(s("0.0"), 0);
        assert_eq!(s("1.5"), 0);
        assert_eq!(s(" 3"), 0);
        assert_eq!(s("+5"), 5);
        assert_eq!(s("-0b11"), -3);
        assert_eq!(s("0o17"), 15);
        assert_eq!(s("08"), 0);
        assert_eq!(s("1."), 0);
        assert_eq!(s("9223372036854775808"), 0);
        assert_eq!(s("-9223372036854775808"), i64::MIN);
        assert_eq!(to_int64(&GoValue::Float(3.9)), 3);
        assert_eq!(to_int64(&GoValue::Float(-3.9)), -3);
        assert_eq!(to_int64(&GoValue::Bool(true)), 1);
        assert_eq!(to_int64(&GoValue::Nil), 0);
        assert_eq!(to_int64(&GoValue::list(vec![GoValue::Int(1)])), 0);
    }

    #[test]
    fn cast_float_matches_helm() {
        let s = |t: &str| to_float64(&GoValue::str(t));
        assert_eq!(s("1e3"), 1000.0);
        assert_eq!(s("0x10"), 0.0);
        assert_eq!(s("0x1p-2"), 0.25);
        assert_eq!(s("abc"), 0.0);
        assert_eq!(s("1_0"), 10.0);
        assert_eq!(s(" 1"), 0.0);
        assert_eq!(s("Inf"), f64::INFINITY);
        assert_eq!(s("1e400"), 0.0);
        assert_eq!(s(".5"), 0.5);
        assert_eq!(to_float64(&GoValue::Bool(true)), 1.0);
    }

    #[test]
    fn atoi_and_to_decimal() {
        assert_eq!(atoi("017"), 17);
        assert_eq!(atoi("+5"), 5);
        assert_eq!(atoi(" 5"), 0);
        assert_eq!(atoi("1_0"), 0);
        assert_eq!(to_decimal(&GoValue::str("0777")), 511);
        assert_eq!(to_decimal(&GoValue::Int(777)), 511);
        assert_eq!(to_decimal(&GoValue::str("-0777")), -511);
        assert_eq!(to_decimal(&GoValue::Float(8.5)), 0);
    }
}
