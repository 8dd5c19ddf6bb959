//! Reading YAML into [`Value`] with Helm's (go-yaml v2, YAML 1.1) scalar rules.

use crate::value::Value;
use serde_saphyr::{DuplicateKeyPolicy, Options};

/// A YAML syntax or structure error, with the place it was found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong, without the location.
    pub message: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
}

fn options() -> Options {
    let mut o = Options::default();
    // Helm reads `0755` as octal (493), like go-yaml v2.
    o.legacy_octal_numbers = true;
    // go-yaml v2 (non-strict, as sigs.k8s.io/yaml calls it) lets a later
    // duplicate key replace an earlier one.
    o.duplicate_keys = DuplicateKeyPolicy::LastWins;
    // Values files and rendered streams can be large; no artificial limit.
    o.budget = None;
    o
}

fn convert_error(e: serde_saphyr::Error) -> YamlError {
    let loc = e.location();
    // serde-saphyr's Display renders its own snippet; keep only the first
    // line, we render snippets with the real file name ourselves.
    let full = e.to_string();
    let message = full
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid YAML")
        .trim_start_matches("error: ")
        .to_string();
    YamlError {
        message,
        line: loc.map(|l| l.line() as usize).filter(|l| *l > 0),
        column: loc.map(|l| l.column() as usize).filter(|c| *c > 0),
    }
}

/// True when the text holds no YAML content (only blanks, comments, markers).
fn is_blank(src: &str) -> bool {
    src.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// Parses one YAML document. An empty document is `null`.
pub fn parse_document(src: &str) -> Result<Value, YamlError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    if is_blank(src) {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str_with_options::<Value>(src, options()).map_err(convert_error)
}

/// Parses a stream of `---`-separated documents; empty documents are `null`.
pub fn parse_documents(src: &str) -> Result<Vec<Value>, YamlError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    if is_blank(src) {
        return Ok(Vec::new());
    }
    serde_saphyr::from_multiple_with_options::<Value>(src, options()).map_err(convert_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(src: &str) -> crate::value::Map {
        match parse_document(src).unwrap() {
            Value::Map(m) => m,
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn yaml_1_1_scalars_like_helm() {
        let m = map(
            "a: yes\nb: on\nc: off\nd: 0755\ne: 0x1F\nf: 1.5\ng: 3\nh: ~\ni: 2024-01-01\nj: \"yes\"\n",
        );
        assert_eq!(m["a"], Value::Bool(true));
        assert_eq!(m["b"], Value::Bool(true));
        assert_eq!(m["c"], Value::Bool(false));
        assert_eq!(m["d"], Value::DocInt(493));
        assert_eq!(m["e"], Value::DocInt(31));
        assert_eq!(m["f"], Value::Float(1.5));
        assert_eq!(m["g"], Value::DocInt(3));
        assert_eq!(m["h"], Value::Null);
        assert_eq!(m["i"], Value::String("2024-01-01".into()));
        assert_eq!(m["j"], Value::String("yes".into()));
    }

    #[test]
    fn bool_like_keys_become_strings_like_sigs_yaml() {
        let m = map("y: 1\nyes: 2\non: 3\n");
        assert!(m.contains_key("true"));
    }

    #[test]
    fn merge_keys_work() {
        let m = map("base: &b\n  x: 1\nderived:\n  <<: *b\n  y: 2\n");
        assert_eq!(m["derived"].get_path("x"), Some(&Value::DocInt(1)), "{m:?}");
    }

    #[test]
    fn empty_is_null() {
        assert_eq!(parse_document("# only a comment\n").unwrap(), Value::Null);
    }

    #[test]
    fn errors_have_a_line() {
        let e = parse_document("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
    }

    #[test]
    fn multiple_documents() {
        let docs = parse_documents("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
    }
}
