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

/// The message of a serde-saphyr error without its snippet: its Display
/// renders one of its own; we render snippets with the real file name.
pub(crate) fn error_message(e: &serde_saphyr::Error) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid YAML")
        .trim_start_matches("error: ")
        .to_string()
}

pub(crate) fn convert_error(e: serde_saphyr::Error) -> YamlError {
    let loc = e.location();
    let message = error_message(&e);
    YamlError {
        message,
        line: loc.map(|l| l.line() as usize).filter(|l| *l > 0),
        column: loc.map(|l| l.column() as usize).filter(|c| *c > 0),
    }
}

/// True when the text holds no YAML content (only blanks, comments, markers).
pub(crate) fn is_blank(src: &str) -> bool {
    src.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// Parses one YAML document. An empty document is `null`.
pub fn parse_document(src: &str) -> Result<Value, YamlError> {
    read_single(src, super::fast::parse_single, |text, options| {
        serde_saphyr::from_str_with_options(text, options)
    })
}

/// One document: `null` when blank, the fast reader's tree when it takes
/// the text, else what `full` makes of it with Helm's options (it also
/// produces the errors).
fn read_single(
    src: &str,
    fast: impl FnOnce(&str, &Options) -> Option<Value>,
    full: fn(&str, Options) -> Result<Value, serde_saphyr::Error>,
) -> Result<Value, YamlError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    if is_blank(src) {
        return Ok(Value::Null);
    }
    let options = options();
    if let Some(doc) = fast(src, &options) {
        return Ok(doc);
    }
    full(src, options).map_err(convert_error)
}

/// How many levels of containers [`parse_document_head`] keeps: the
/// document map, `metadata`, `annotations`.
const HEAD_LEVELS: usize = 3;

/// Parses one YAML document like [`parse_document`] (same syntax errors,
/// same key errors, in the same order) but builds only its first three
/// levels: a map or list nested deeper becomes an empty one of the same
/// kind, its content checked and dropped without being built. Both readers
/// cut the same way, so which one takes the text does not show.
///
/// Sorting rendered manifests needs just a document's head (Helm's
/// `SimpleHead`: the top-level keys, `metadata`, its `annotations`, and the
/// JSON *type* of anything below), and building the whole tree of every
/// rendered CRD cost more than rendering the chart.
pub fn parse_document_head(src: &str) -> Result<Value, YamlError> {
    let fast =
        |text: &str, options: &Options| super::fast::parse_single_head(text, options, HEAD_LEVELS);
    read_single(src, fast, |text, options| {
        serde_saphyr::from_str_with_options::<Head>(text, options).map(|head| head.0)
    })
}

/// A document read by [`parse_document_head`].
struct Head(Value);

impl<'de> serde::Deserialize<'de> for Head {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Head, D::Error> {
        let cut = Cut {
            levels: HEAD_LEVELS,
            keep: true,
        };
        d.deserialize_any(cut).map(Head)
    }
}

/// Reads one value: `keep` false drops it (only its errors matter), else
/// `levels` more levels of containers are built below it.
#[derive(Clone, Copy)]
struct Cut {
    levels: usize,
    keep: bool,
}

impl Cut {
    /// The seed for this container's keys and values.
    fn inner(self) -> Cut {
        Cut {
            levels: self.levels.saturating_sub(1),
            keep: self.keep && self.levels > 0,
        }
    }

    fn scalar(self, make: impl FnOnce() -> Value) -> Value {
        if self.keep { make() } else { Value::Null }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Cut {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Cut {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::DocInt(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::DocInt))
    }
    fn visit_i128<E>(self, i: i128) -> Result<Value, E> {
        Ok(i64::try_from(i).map_or(Value::Float(i as f64), Value::DocInt))
    }
    fn visit_u128<E>(self, u: u128) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::DocInt))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(self.scalar(|| Value::String(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(self.scalar(|| Value::String(s)))
    }
    fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Value, E> {
        Ok(self.scalar(|| Value::String(String::from_utf8_lossy(b).into_owned())))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.inner();
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            if inner.keep {
                items.push(item);
            }
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let inner = self.inner();
        // A key is read as a scalar or an (empty) container: enough for the
        // error `parse_document` gives for a list or map used as a key.
        let key_seed = Cut {
            levels: 0,
            keep: inner.keep,
        };
        let mut map = crate::value::Map::default();
        while let Some(key) = access.next_key_seed(key_seed)? {
            let value = access.next_value_seed(inner)?;
            let key = crate::value::key_string(&key).map_err(serde::de::Error::custom)?;
            if inner.keep {
                map.insert(key, value);
            }
        }
        Ok(Value::Map(map))
    }
}

/// Parses a stream of `---`-separated documents; empty documents are `null`.
pub fn parse_documents(src: &str) -> Result<Vec<Value>, YamlError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    if is_blank(src) {
        return Ok(Vec::new());
    }
    let options = options();
    if let Some(docs) = super::fast::parse_stream(src, &options, super::fast::Timestamps::Keep) {
        return Ok(docs);
    }
    serde_saphyr::from_multiple_with_options::<Value>(src, options).map_err(convert_error)
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
    fn head_keeps_three_levels_and_the_kind_of_deeper_nodes() {
        let src = "kind: K\nmetadata:\n  name: n\n  annotations:\n    a: \"1\"\n    b: [x]\n    c: {d: 1}\n  labels: {x: y}\nspec:\n  deep:\n    deeper: [1, 2]\n";
        // The same document through the full reader (an anchor sends it
        // there) and through the fast one.
        let slow_src = format!("{src}extra: &a 1\n");
        for (text, slow) in [(slow_src.as_str(), true), (src, false)] {
            let head = parse_document_head(text).unwrap();
            let full = parse_document(text).unwrap();
            assert_eq!(head.get_path("kind"), full.get_path("kind"));
            assert_eq!(
                head.get_path("metadata.name"),
                full.get_path("metadata.name")
            );
            assert_eq!(
                head.get_path("metadata.annotations.a"),
                Some(&Value::String("1".into()))
            );
            assert_eq!(
                head.get_path("metadata.annotations.b"),
                Some(&Value::Seq(vec![]))
            );
            assert_eq!(
                head.get_path("metadata.annotations.c"),
                Some(&Value::new_map())
            );
            assert_eq!(head.get_path("spec.deep.deeper"), Some(&Value::Seq(vec![])));
            if !slow {
                // The fast reader's head is the full reader's, cut.
                let mut expected = parse_document_head(&slow_src).unwrap();
                expected.as_map_mut().unwrap().shift_remove("extra");
                assert_eq!(head, expected);
            }
            assert_eq!(
                full.get_path("spec.deep.deeper"),
                Some(&Value::Seq(vec![Value::DocInt(1), Value::DocInt(2)]))
            );
        }
    }

    #[test]
    fn head_reports_the_errors_of_a_full_parse() {
        for bad in [
            "a: 1\nb: [1, 2\nc: 3\n",
            "spec:\n  x:\n    y:\n      ? [1]\n      : v\n",
            "spec:\n  x:\n    y:\n      z: @\n",
            "a: *nope\n",
        ] {
            let full = parse_document(bad).unwrap_err();
            let head = parse_document_head(bad).unwrap_err();
            assert_eq!(head, full, "{bad}");
        }
    }

    #[test]
    fn multiple_documents() {
        let docs = parse_documents("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
    }
}
