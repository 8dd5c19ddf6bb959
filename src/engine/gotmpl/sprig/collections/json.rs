//! A Go `encoding/json` encoder for template values, as Sprig's
//! `toPrettyJson` (`json.MarshalIndent(v, "", "  ")`) and `toRawJson` (an
//! `Encoder` with `SetEscapeHTML(false)`) use it.
//!
//! What it reproduces of Go: map keys in sorted order; float64 in
//! encoding/json's format ([`format_json_float`]); NaN and infinities are
//! errors; strings escape `"`, `\`, control characters (`\n`, `\r`, `\t`,
//! `\b`, `\f` short, others `\u00XX`), always U+2028/U+2029, and `<`, `>`,
//! `&` as `\u003c`… unless HTML escaping is off; `[]byte` is base64;
//! empty arrays and objects stay `[]`/`{}` when indenting.

use std::fmt::Write as _;

use base64::Engine as _;

use crate::engine::gotmpl::value::GoValue;
use crate::yaml::format_json_float;

/// Why a value cannot be encoded (Go's `UnsupportedValueError` /
/// `UnsupportedTypeError` texts).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    /// NaN or an infinity (`json: unsupported value: NaN`).
    #[error("json: unsupported value: {0}")]
    UnsupportedValue(String),
    /// A complex number or a function.
    #[error("json: unsupported type: {0}")]
    UnsupportedType(String),
}

impl From<JsonError> for crate::diag::Diagnostic {
    fn from(e: JsonError) -> crate::diag::Diagnostic {
        // Raised inside template execution, which supplies the location.
        crate::diag::Diagnostic::new(e.to_string())
    }
}

/// Encodes `v` as Go's encoding/json would: `indent` is MarshalIndent's
/// indent string (empty for compact output), `escape_html` is the
/// encoder's HTML escaping (on for `json.Marshal`).
pub fn to_json_string(v: &GoValue, indent: &str, escape_html: bool) -> Result<String, JsonError> {
    // Go's encoder reports a map reached from inside itself
    // (`set $d "x" $d`) instead of recursing forever.
    if v.check_cycles().is_err() {
        return Err(JsonError::UnsupportedValue(
            "encountered a cycle via map[string]interface {}".into(),
        ));
    }
    let mut enc = Encoder {
        out: String::new(),
        indent,
        escape_html,
    };
    enc.value(v, 0)?;
    Ok(enc.out)
}

struct Encoder<'a> {
    out: String,
    indent: &'a str,
    escape_html: bool,
}

impl Encoder<'_> {
    fn newline(&mut self, depth: usize) {
        if !self.indent.is_empty() {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str(self.indent);
            }
        }
    }

    fn value(&mut self, v: &GoValue, depth: usize) -> Result<(), JsonError> {
        match v {
            GoValue::Missing | GoValue::Nil => self.out.push_str("null"),
            GoValue::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            GoValue::Int(i) | GoValue::Int64(i) => {
                let _ = write!(self.out, "{i}");
            }
            GoValue::Uint64(u) => {
                let _ = write!(self.out, "{u}");
            }
            GoValue::Float(x) => {
                if x.is_nan() {
                    return Err(JsonError::UnsupportedValue("NaN".into()));
                }
                if x.is_infinite() {
                    let s = if *x > 0.0 { "+Inf" } else { "-Inf" };
                    return Err(JsonError::UnsupportedValue(s.into()));
                }
                self.out.push_str(&format_json_float(*x));
            }
            GoValue::Complex(..) | GoValue::Func(_) => {
                return Err(JsonError::UnsupportedType(v.type_name()));
            }
            GoValue::String(s) => self.string(s),
            GoValue::Bytes(b) => {
                let text = base64::engine::general_purpose::STANDARD.encode(b);
                self.string(&text);
            }
            GoValue::List(l) => {
                self.out.push('[');
                for (i, item) in l.items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    self.value(item, depth + 1)?;
                }
                if !l.items.is_empty() {
                    self.newline(depth);
                }
                self.out.push(']');
            }
            // encoding/json writes a nil map as `null`.
            GoValue::Map(m) if m.map_type().nil && m.is_empty() => self.out.push_str("null"),
            GoValue::Map(m) => {
                self.object(&m.entries(), depth)?;
            }
            GoValue::Object(o) => {
                // Go encodes a struct through its exported fields (json tags
                // are not visible here, so Go field names are used), in
                // declaration order.
                let entries: Vec<(String, GoValue)> = o
                    .field_names()
                    .into_iter()
                    .map(|n| {
                        let v = o.field(&n).unwrap_or(GoValue::Nil);
                        (n, v)
                    })
                    .collect();
                self.object(&entries, depth)?;
            }
        }
        Ok(())
    }

    fn object(&mut self, entries: &[(String, GoValue)], depth: usize) -> Result<(), JsonError> {
        self.out.push('{');
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            self.string(k);
            self.out.push(':');
            if !self.indent.is_empty() {
                self.out.push(' ');
            }
            self.value(v, depth + 1)?;
        }
        if !entries.is_empty() {
            self.newline(depth);
        }
        self.out.push('}');
        Ok(())
    }

    fn string(&mut self, s: &str) {
        write_string(&mut self.out, s, self.escape_html);
    }
}

/// Appends `s` as a JSON string literal the way Go's encoding/json writes
/// it (see the module notes); also used for the OCI config blob helm
/// pushes, whose bytes must match `json.Marshal` exactly.
pub fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn compact_and_indented() {
        let mut m = BTreeMap::new();
        m.insert(
            "b".to_string(),
            GoValue::list(vec![GoValue::Int(1), GoValue::Float(2.5)]),
        );
        m.insert("a".to_string(), GoValue::map(BTreeMap::new()));
        m.insert("c".to_string(), GoValue::list(vec![]));
        let v = GoValue::map(m);
        assert_eq!(
            to_json_string(&v, "", true).unwrap(),
            r#"{"a":{},"b":[1,2.5],"c":[]}"#
        );
        assert_eq!(
            to_json_string(&v, "  ", true).unwrap(),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2.5\n  ],\n  \"c\": []\n}"
        );
    }

    #[test]
    fn string_escapes() {
        let v = GoValue::str("<a&b>\"\\\n\u{1}\u{2028}é");
        assert_eq!(
            to_json_string(&v, "", true).unwrap(),
            r#""\u003ca\u0026b\u003e\"\\\n\u0001\u2028é""#
        );
        assert_eq!(
            to_json_string(&v, "", false).unwrap(),
            r#""<a&b>\"\\\n\u0001\u2028é""#
        );
    }

    #[test]
    fn unsupported_values() {
        assert_eq!(
            to_json_string(&GoValue::Float(f64::NAN), "", true)
                .unwrap_err()
                .to_string(),
            "json: unsupported value: NaN"
        );
        assert_eq!(
            to_json_string(&GoValue::Float(f64::NEG_INFINITY), "", true)
                .unwrap_err()
                .to_string(),
            "json: unsupported value: -Inf"
        );
        assert_eq!(
            to_json_string(&GoValue::Float(1e21), "", true).unwrap(),
            "1e+21"
        );
        assert_eq!(to_json_string(&GoValue::Nil, "", true).unwrap(), "null");
    }
}
