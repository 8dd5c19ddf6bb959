//! Go's `strconv.AppendFloat` (internal/strconv/ftoa.go): the `%e`, `%f`,
//! `%g`, `%b` and `%x` spellings of a float, shortest or with a precision.
//!
//! The decimal digits themselves come from Rust's float formatting, which,
//! like Go, produces the shortest round-trip digits (`{:e}`) or the exactly
//! rounded digits with ties to even (`{:.N}`, `{:.Ne}`). Everything around
//! the digits (where the point goes, exponent spelling, the `%g` switch
//! between the two forms) follows Go.

use std::fmt::Write as _;

/// Decimal digits of a float's magnitude: the value is `0.d1d2d3… × 10^dp`.
/// Trailing zeros are trimmed and zero has no digits (`dp` 0), as in Go's
/// `decimalSlice`, because `%g` decides its form from the digit count.
struct Digits {
    digits: Vec<u8>,
    dp: i32,
}

impl Digits {
    fn nd(&self) -> i32 {
        self.digits.len() as i32
    }

    /// Parses Rust's `{:e}` output of a non-negative finite float
    /// (`1.2345e3`, `0e0`) into digits and decimal point position.
    fn from_exp_form(s: &str) -> Digits {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Digits { digits, dp: 0 };
        }
        Digits {
            digits,
            dp: exp + 1,
        }
    }

    /// Shortest digits that read back as the same float; for `bits == 32`
    /// as the same `float32` (Go's `FormatFloat(x, 'g', -1, 32)`).
    fn shortest(abs: f64, bits: u8) -> Digits {
        if abs == 0.0 {
            return Digits {
                digits: Vec::new(),
                dp: 0,
            };
        }
        let s = if bits == 32 {
            format!("{:e}", abs as f32)
        } else {
            format!("{abs:e}")
        };
        Digits::from_exp_form(&s)
    }

    /// `n` (≥ 1) significant digits, exactly rounded, ties to even. A
    /// float32 converts exactly to f64, so one path serves both sizes.
    fn significant(abs: f64, n: usize) -> Digits {
        if abs == 0.0 {
            return Digits {
                digits: Vec::new(),
                dp: 0,
            };
        }
        let s = format!("{:.*e}", n.saturating_sub(1), abs);
        Digits::from_exp_form(&s)
    }
}

/// Appends `v` formatted like `strconv.AppendFloat(dst, v, fmt, prec,
/// bits)`: `fmt` is one of `b e E f g G x X`, `prec < 0` asks for the
/// shortest representation. Infinities are `+Inf`/`-Inf`, NaN is `NaN`.
pub(super) fn append_float(out: &mut String, v: f64, fmt: u8, prec: i32, bits: u8) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    // A float32 operand must be rounded to float32 before its bits are read
    // (the caller may pass a widened value).
    let v = if bits == 32 { f64::from(v as f32) } else { v };
    let neg = v.is_sign_negative();
    match fmt {
        b'b' => return append_binary(out, v, bits),
        b'x' | b'X' => return append_hex(out, v, fmt, prec, bits),
        _ => {}
    }
    if neg {
        out.push('-');
    }
    let abs = v.abs();
    if prec < 0 {
        let d = Digits::shortest(abs, bits);
        match fmt {
            b'e' | b'E' => append_e(out, &d, d.nd() - 1, fmt),
            b'f' => append_f(out, &d, (d.nd() - d.dp).max(0)),
            _ => append_g(out, &d, d.nd(), true, fmt),
        }
        return;
    }
    match fmt {
        b'e' | b'E' => {
            let d = Digits::significant(abs, prec as usize + 1);
            append_e(out, &d, prec, fmt);
        }
        b'f' => {
            // Rust's fixed formatting rounds exactly with ties to even,
            // which is what Go's big-decimal path does for `%.Nf`.
            let _ = write!(out, "{:.*}", prec as usize, abs);
        }
        _ => {
            let p = prec.max(1);
            let d = Digits::significant(abs, p as usize);
            append_g(out, &d, p, false, fmt);
        }
    }
}

/// `%g`: exponent form when the exponent is < -4 or ≥ the precision; the
/// shortest form decides with precision 6, which is why Go prints 1000000
/// as `1e+06` but 123456 as `123456`.
fn append_g(out: &mut String, d: &Digits, mut prec: i32, shortest: bool, fmt: u8) {
    let mut eprec = prec;
    if eprec > d.nd() && d.nd() >= d.dp {
        eprec = d.nd();
    }
    if shortest {
        eprec = 6;
    }
    let exp = d.dp - 1;
    if exp < -4 || exp >= eprec {
        if prec > d.nd() {
            prec = d.nd();
        }
        let efmt = if fmt == b'G' { b'E' } else { b'e' };
        append_e(out, d, prec - 1, efmt);
        return;
    }
    if prec > d.dp {
        prec = d.nd();
    }
    append_f(out, d, (prec - d.dp).max(0));
}

/// `d.ddddde±dd`: at least two exponent digits.
fn append_e(out: &mut String, d: &Digits, prec: i32, fmt: u8) {
    out.push(char::from(*d.digits.first().unwrap_or(&b'0')));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let c = d.digits.get(i as usize).copied().unwrap_or(b'0');
            out.push(char::from(c));
        }
    }
    out.push(char::from(fmt));
    let exp = if d.digits.is_empty() { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    let _ = write!(out, "{exp}");
}

/// `ddd.ddd` with exactly `prec` fraction digits.
fn append_f(out: &mut String, d: &Digits, prec: i32) {
    if d.dp > 0 {
        for i in 0..d.dp {
            let c = d.digits.get(i as usize).copied().unwrap_or(b'0');
            out.push(char::from(c));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = d.dp + i - 1;
            let c = if j >= 0 {
                d.digits.get(j as usize).copied().unwrap_or(b'0')
            } else {
                b'0'
            };
            out.push(char::from(c));
        }
    }
}

/// The raw pieces of an IEEE float as Go's `FormatFloat` sees them:
/// mantissa with the implicit bit, unbiased exponent, mantissa bit count.
fn float_parts(v: f64, bits: u8) -> (u64, i32, u32) {
    let (raw, mant_bits, exp_bits, bias) = if bits == 32 {
        (u64::from((v as f32).to_bits()), 23u32, 8u32, -127i32)
    } else {
        (v.to_bits(), 52, 11, -1023)
    };
    let mut exp = ((raw >> mant_bits) & ((1 << exp_bits) - 1)) as i32;
    let mut mant = raw & ((1u64 << mant_bits) - 1);
    if exp == 0 {
        // Denormal: no implicit bit, exponent of the smallest normal.
        exp += 1;
    } else {
        mant |= 1u64 << mant_bits;
    }
    (mant, exp + bias, mant_bits)
}

/// `%b`: decimal mantissa and binary exponent, `4503599627370496p-52`.
fn append_binary(out: &mut String, v: f64, bits: u8) {
    let (mant, exp, mant_bits) = float_parts(v, bits);
    if v.is_sign_negative() {
        out.push('-');
    }
    let exp = exp - mant_bits as i32;
    let _ = write!(out, "{mant}p{}{}", if exp >= 0 { "+" } else { "" }, exp);
}

/// `%x`/`%X`: hexadecimal mantissa with one leading digit and a binary
/// exponent of at least two digits, `0x1.8p+01`; `prec` hex digits after
/// the point (rounded to even) or the shortest exact form when negative.
fn append_hex(out: &mut String, v: f64, fmt: u8, prec: i32, bits: u8) {
    let (mut mant, mut exp, mant_bits) = float_parts(v, bits);
    if mant == 0 {
        exp = 0;
    }
    // Normalise so the leading 1 sits at bit 60.
    mant <<= 60 - mant_bits;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = prec as u32 * 4;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if fmt == b'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    if v.is_sign_negative() {
        out.push('-');
    }
    out.push('0');
    out.push(char::from(fmt));
    out.push(char::from(b'0' + ((mant >> 60) & 1) as u8));
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(char::from(hex[((mant >> 60) & 15) as usize]));
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(char::from(hex[((mant >> 60) & 15) as usize]));
            mant <<= 4;
        }
    }
    out.push(if fmt == b'X' { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    let _ = write!(out, "{exp}");
}

#[cfg(test)]
mod tests {
    use super::append_float;

    fn ff(v: f64, fmt: u8, prec: i32, bits: u8) -> String {
        let mut s = String::new();
        append_float(&mut s, v, fmt, prec, bits);
        s
    }

    #[test]
    fn strconv_format_float_table() {
        // (value, fmt, prec, bits, Go's strconv.FormatFloat result)
        let rows: &[(f64, u8, i32, u8, &str)] = &[
            (1.0, b'e', 5, 64, "1.00000e+00"),
            (1.0, b'f', 5, 64, "1.00000"),
            (1.0, b'g', 5, 64, "1"),
            (1.0, b'g', -1, 64, "1"),
            (20.0, b'g', -1, 64, "20"),
            (1234567.8, b'g', -1, 64, "1.2345678e+06"),
            (200000.0, b'g', -1, 64, "200000"),
            (2000000.0, b'g', -1, 64, "2e+06"),
            (400.0, b'g', 2, 64, "4e+02"),
            (40.0, b'g', 2, 64, "40"),
            (4.0, b'g', 2, 64, "4"),
            (0.001, b'g', -1, 64, "0.001"),
            (0.0001, b'g', -1, 64, "0.0001"),
            (0.00001, b'g', -1, 64, "1e-05"),
            (1e23, b'e', 17, 64, "9.99999999999999916e+22"),
            (
                1e23,
                b'f',
                17,
                64,
                "99999999999999991611392.00000000000000000",
            ),
            (1e23, b'g', 17, 64, "9.9999999999999992e+22"),
            (1e23, b'e', -1, 64, "1e+23"),
            (1e23, b'f', -1, 64, "100000000000000000000000"),
            (1e23, b'g', -1, 64, "1e+23"),
            (100.0, b'x', -1, 64, "0x1.9p+06"),
            (100.0, b'X', -1, 64, "0X1.9P+06"),
            (1.0, b'x', -1, 64, "0x1p+00"),
            (1.0, b'x', 0, 64, "0x1p+00"),
            (1.5, b'x', 0, 64, "0x1p+01"),
            (0.0, b'x', -1, 64, "0x0p+00"),
            (1.0, b'b', -1, 64, "4503599627370496p-52"),
            (1.0, b'b', -1, 32, "8388608p-23"),
            (-1.0, b'b', -1, 64, "-4503599627370496p-52"),
            (5e-324, b'g', -1, 64, "5e-324"),
            (5e-324, b'e', 3, 64, "4.941e-324"),
            (f64::MAX, b'g', -1, 64, "1.7976931348623157e+308"),
            (0.0, b'e', 3, 64, "0.000e+00"),
            (-0.0, b'g', -1, 64, "-0"),
            (-0.0, b'f', 2, 64, "-0.00"),
            (0.5, b'f', 0, 64, "0"),
            (1.5, b'f', 0, 64, "2"),
            (2.5, b'f', 0, 64, "2"),
            (0.125, b'f', 2, 64, "0.12"),
            (0.375, b'f', 2, 64, "0.38"),
            (1.0 / 3.0, b'g', -1, 32, "0.33333334"),
            (16777216.0, b'g', -1, 32, "1.6777216e+07"),
            (3.4028234663852886e38, b'g', -1, 32, "3.4028235e+38"),
            (0.1, b'e', 20, 64, "1.00000000000000005551e-01"),
            (123456789.0, b'g', 3, 64, "1.23e+08"),
            (100.0, b'g', 3, 64, "100"),
            (1000.0, b'g', 3, 64, "1e+03"),
            (0.0, b'g', 3, 64, "0"),
            (f64::INFINITY, b'g', -1, 64, "+Inf"),
            (f64::NEG_INFINITY, b'f', 2, 64, "-Inf"),
            (f64::NAN, b'e', 2, 64, "NaN"),
        ];
        for (v, fmt, prec, bits, want) in rows {
            assert_eq!(
                ff(*v, *fmt, *prec, *bits),
                *want,
                "FormatFloat({v}, {}, {prec}, {bits})",
                char::from(*fmt)
            );
        }
    }
}
