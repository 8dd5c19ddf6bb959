//! Go's spellings of `float64`.

/// Splits the shortest round-trip representation of `f` into its decimal
/// digits and the exponent of the first digit (`1234.5` → `("12345", 3)`).
fn shortest_digits(f: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest digits that round-trip, like Go's
    // strconv with precision -1.
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse().unwrap_or(0))
}

fn special(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f == f64::INFINITY {
        Some("+Inf")
    } else if f == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// Exponent notation like Go: `1.5e+06`, `1e-07` (two exponent digits at least).
fn exponent_form(neg: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

/// Plain decimal notation from shortest digits.
fn decimal_form(neg: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let point = exp + 1; // digits before the decimal point
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..(-point) {
            out.push('0');
        }
        out.push_str(digits);
    } else if point as usize >= digits.len() {
        out.push_str(digits);
        for _ in 0..(point as usize - digits.len()) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which is also what `fmt` prints for
/// `%v` of a float64: exponent form when the decimal exponent is < -4 or >= 6
/// (with shortest formatting Go fixes `eprec = 6`), so 1000000 prints as
/// `1e+06` and 100000 as `100000`.
pub fn format_go_float(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (digits, exp) = shortest_digits(f);
    if !(-4..6).contains(&exp) {
        exponent_form(f < 0.0, &digits, exp)
    } else {
        decimal_form(f < 0.0, &digits, exp)
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml turns a YAML
/// float into a Go `string` field (Chart.yaml's `appVersion: 1.10` → `1.1`,
/// a manifest's `kind: 1e8` → `1e+08`). The value is rounded to `float32`
/// first; the exponent rule is the same as [`format_go_float`]'s (verified
/// with `helm show chart`: `1234567.5` → `1.2345675e+06`).
pub fn format_go_float32(f: f64) -> String {
    let x = f as f32;
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` of an f32 gives the shortest digits that round-trip at
    // float32 precision, like Go with bitSize 32.
    let s = format!("{:e}", x.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        exponent_form(x < 0.0, &digits, exp)
    } else {
        decimal_form(x < 0.0, &digits, exp)
    }
}

/// How Go's `encoding/json` writes a float64 (and so Helm's `toYaml`/`toJson`
/// via sigs.k8s.io/yaml): plain decimal for magnitudes in [1e-6, 1e21),
/// otherwise exponent form with the exponent's leading zero dropped (`1e-07`
/// → `1e-7`). Integral values print without a fraction (`1.0` → `1`).
pub fn format_json_float(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (digits, exp) = shortest_digits(f);
    let abs = f.abs();
    if (1e-6..1e21).contains(&abs) {
        decimal_form(f < 0.0, &digits, exp)
    } else {
        let s = exponent_form(f < 0.0, &digits, exp);
        // encoding/json: "clean up e-09 to e-9"
        s.replacen("e-0", "e-", 1).replacen("e+0", "e+", 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chart.yaml string fields and manifest heads both go through this.
    #[test]
    fn go_float32_g_format() {
        assert_eq!(format_go_float32(1.0), "1");
        assert_eq!(format_go_float32(1.1), "1.1");
        assert_eq!(format_go_float32(0.1), "0.1");
        assert_eq!(format_go_float32(1e7), "1e+07");
        assert_eq!(format_go_float32(123456.0), "123456");
        assert_eq!(format_go_float32(1234567.0), "1.234567e+06");
        assert_eq!(format_go_float32(1.23456789), "1.2345679");
        assert_eq!(format_go_float32(0.0001), "0.0001");
        assert_eq!(format_go_float32(0.00001), "1e-05");
        assert_eq!(format_go_float32(-2.5), "-2.5");
        assert_eq!(format_go_float32(f64::INFINITY), "+Inf");
        assert_eq!(format_go_float32(1.5), "1.5");
        assert_eq!(format_go_float32(-2.5e-7), "-2.5e-07");
    }

    #[test]
    fn go_g_format() {
        assert_eq!(format_go_float(1000000.0), "1e+06");
        assert_eq!(format_go_float(100000.0), "100000");
        assert_eq!(format_go_float(1.5), "1.5");
        assert_eq!(format_go_float(3.0), "3");
        assert_eq!(format_go_float(0.0001), "0.0001");
        assert_eq!(format_go_float(0.00001), "1e-05");
        assert_eq!(format_go_float(-2.5e21), "-2.5e+21");
        assert_eq!(format_go_float(1234567.0), "1.234567e+06");
        assert_eq!(
            format_go_float(12345678901234567890.0),
            "1.2345678901234567e+19"
        );
    }

    #[test]
    fn json_format() {
        assert_eq!(format_json_float(1000000.0), "1000000");
        assert_eq!(format_json_float(1.0), "1");
        assert_eq!(format_json_float(1.5e-7), "1.5e-7");
        assert_eq!(
            format_json_float(12345678901234567890.0),
            "12345678901234567000"
        );
        assert_eq!(format_json_float(1e21), "1e+21");
    }
}
