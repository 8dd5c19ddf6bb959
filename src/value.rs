//! The one value model shared by values, templates, manifests and emitters.
//!
//! It is JSON-shaped (maps have string keys and keep insertion order) with one
//! refinement that Helm compatibility needs: numbers remember where they came
//! from. Helm decodes every number of a YAML or JSON document into a Go
//! `float64` (sigs.k8s.io/yaml goes through `encoding/json`), while its `--set`
//! parser produces `int64` for plain decimal integers. The Go template engine
//! prints the two differently (`1e+06` versus `1000000`), so the model keeps
//! them apart: [`Value::Int`] is a Go `int64`, [`Value::Float`] a `float64`
//! written with a fraction or exponent, and [`Value::DocInt`] an integer
//! spelled as such in a document (a `float64` to Helm, an integer to Jinja).

use crate::hashing::Hasher;
use indexmap::IndexMap;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// The map a [`Map`] holds.
pub type IndexedMap = IndexMap<String, Value, Hasher>;

/// An ordered string-keyed map of values: an [`IndexMap`] behind one
/// pointer, so that a [`Value`] is 32 bytes instead of 64 (the map is the
/// largest variant, and values fill every map entry and list item; a
/// 1000-resource overlay touched a third less memory).
#[derive(Clone, Default, PartialEq)]
pub struct Map(Box<IndexedMap>);

impl Map {
    /// An empty map with room for `n` entries.
    pub fn with_capacity(n: usize) -> Map {
        Map(Box::new(IndexedMap::with_capacity_and_hasher(
            n,
            Hasher::default(),
        )))
    }

    /// The map itself.
    pub fn into_inner(self) -> IndexedMap {
        *self.0
    }
}

impl std::ops::Deref for Map {
    type Target = IndexedMap;
    fn deref(&self) -> &IndexedMap {
        &self.0
    }
}

impl std::ops::DerefMut for Map {
    fn deref_mut(&mut self) -> &mut IndexedMap {
        &mut self.0
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<IndexedMap> for Map {
    fn from(m: IndexedMap) -> Map {
        Map(Box::new(m))
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Map {
        Map(Box::new(iter.into_iter().collect()))
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = indexmap::map::IntoIter<String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = indexmap::map::Iter<'a, String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a String, &'a mut Value);
    type IntoIter = indexmap::map::IterMut<'a, String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

impl<Q: ?Sized + std::hash::Hash + indexmap::Equivalent<String>> std::ops::Index<&Q> for Map {
    type Output = Value;
    fn index(&self, key: &Q) -> &Value {
        &self.0[key]
    }
}

impl Serialize for Map {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Map {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        IndexedMap::deserialize(d).map(Map::from)
    }
}

/// A values / manifest node.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// YAML `null`, `~` or an empty scalar.
    #[default]
    Null,
    /// A boolean (YAML 1.1 spellings `yes`/`on`/`off`… included, as Helm reads them).
    Bool(bool),
    /// A Go `int64`: what Helm's `--set` parser makes of plain decimal integers.
    Int(i64),
    /// An integer spelled as such in a YAML/JSON document. Helm holds it as a
    /// `float64`; native templates print it as an integer.
    DocInt(i64),
    /// A floating point number (`1.5`, `1e3`, or any `--set-json` number).
    Float(f64),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping with string keys, in insertion order.
    Map(Map),
}

impl Value {
    /// An empty map.
    pub fn new_map() -> Value {
        Value::Map(Map::default())
    }

    /// The map inside, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The mutable map inside, if this is a map.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean inside, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A short name of the type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::DocInt(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Looks up a dotted path (`a.b.c`) through nested maps.
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        let mut cur = self;
        for part in path.split('.').filter(|p| !p.is_empty()) {
            cur = cur.as_map()?.get(part)?;
        }
        Some(cur)
    }

    /// The value as a `serde_json::Value` (for JSON Schema validation and `tojson`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::DocInt(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Map(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// Converts a `serde_json::Value`; JSON numbers are document numbers.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::DocInt(i)
                } else {
                    Value::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::Seq(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) | Value::DocInt(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::String(v) => s.serialize_str(v),
            Value::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Deserializes any self-describing document (YAML, JSON) into a [`Value`].
/// Integers become [`Value::DocInt`]; non-string keys are stringified the way
/// sigs.k8s.io/yaml does it (`yes:` → `"true"`, `1:` → `"1"`).
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::DocInt(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(match i64::try_from(u) {
            Ok(i) => Value::DocInt(i),
            Err(_) => Value::Float(u as f64),
        })
    }
    fn visit_i128<E>(self, i: i128) -> Result<Value, E> {
        Ok(match i64::try_from(i) {
            Ok(i) => Value::DocInt(i),
            Err(_) => Value::Float(i as f64),
        })
    }
    fn visit_u128<E>(self, u: u128) -> Result<Value, E> {
        Ok(match i64::try_from(u) {
            Ok(i) => Value::DocInt(i),
            Err(_) => Value::Float(u as f64),
        })
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Value, E> {
        Ok(Value::String(String::from_utf8_lossy(b).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::with_capacity(access.size_hint().unwrap_or(0));
        while let Some(key) = access.next_key::<Value>()? {
            let value = access.next_value::<Value>()?;
            map.insert(key_string(&key).map_err(de::Error::custom)?, value);
        }
        Ok(Value::Map(map))
    }
}

/// The string a scalar map key becomes when Helm converts YAML to JSON.
pub(crate) fn key_string(key: &Value) -> Result<String, String> {
    Ok(match key {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::DocInt(i) => i.to_string(),
        Value::Float(f) => crate::yaml::format_go_float(*f),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => {
            return Err("a map key must be a scalar, not a list or map".to_string());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values fill every map entry and list item: a variant that grows the
    /// enum past 32 bytes grows every tree (box it instead, as `Map` is).
    #[test]
    fn value_stays_small() {
        assert!(std::mem::size_of::<Value>() <= 32);
    }

    #[test]
    fn get_path_walks_maps() {
        let v: Value = serde_json::from_str(r#"{"a":{"b":{"c":1}}}"#).unwrap();
        assert_eq!(v.get_path("a.b.c"), Some(&Value::DocInt(1)));
        assert_eq!(v.get_path("a.x"), None);
    }

    #[test]
    fn json_numbers_keep_int_vs_float() {
        let v: Value = serde_json::from_str(r#"[1, 1.5, 1e3]"#).unwrap();
        assert_eq!(
            v,
            Value::Seq(vec![
                Value::DocInt(1),
                Value::Float(1.5),
                Value::Float(1000.0)
            ])
        );
    }
}
