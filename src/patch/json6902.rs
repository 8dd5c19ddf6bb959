//! JSON 6902 patches, with the semantics and messages of evanphx/json-patch
//! v4.12.0, the library kustomize v5.7.1 applies them with
//! (`api/filters/patchjson6902`).
//!
//! That version departs from RFC 6902 in a few places kustomize users rely
//! on, and they are kept: `replace` of a missing object member adds it,
//! `test` of a missing member succeeds when the expected value is `null`,
//! negative array indices count from the end, and `replace` of the whole
//! document with a non-container value does nothing.

use super::PatchError;
use crate::Value;

/// Applies a list of RFC 6902 operations (`[{op, path, value?, from?}, …]`,
/// already parsed from YAML or JSON) to `target`.
///
/// Errors carry the library's texts, e.g.
/// `add operation does not apply: doc is missing path: "/spec/x/y": missing value`.
pub fn apply_json6902(target: &Value, ops: &Value) -> Result<Value, PatchError> {
    let Value::Seq(ops) = ops else {
        return Err(err(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            json_type(ops)
        )));
    };
    let mut doc = target.clone();
    for op in ops {
        let Value::Map(fields) = op else {
            return Err(err(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                json_type(op)
            )));
        };
        let kind = fields
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or("unknown");
        let path = fields.get("path").and_then(Value::as_str);
        let from = fields.get("from").and_then(Value::as_str);
        let value = fields.get("value");
        match kind {
            "add" => add(&mut doc, path, value)?,
            "remove" => remove(&mut doc, path)?,
            "replace" => replace(&mut doc, path, value)?,
            "move" => move_op(&mut doc, from, path)?,
            "copy" => copy_op(&mut doc, from, path, value)?,
            "test" => test(&doc, path, value)?,
            other => return Err(err(format!("Unexpected kind: {other}"))),
        }
    }
    Ok(doc)
}

/// The sentinel errors of the library, as pkg/errors appends them.
const MISSING: &str = "missing value";
const INVALID_INDEX: &str = "invalid index referenced";
const TEST_FAILED: &str = "test failed";

fn err(msg: String) -> PatchError {
    PatchError::Json6902(msg)
}

/// The JSON type name Go's decoder reports.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::DocInt(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

/// RFC 6901 unescaping of one reference token.
fn decode_key(part: &str) -> String {
    part.replace("~1", "/").replace("~0", "~")
}

/// `strconv.Atoi` with Go's error text.
fn atoi(key: &str) -> Result<i64, String> {
    key.parse::<i64>().map_err(|_| {
        let digits = key.strip_prefix(['+', '-']).unwrap_or(key);
        let why = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        format!("strconv.Atoi: parsing {key:?}: {why}")
    })
}

fn invalid_index(idx: i64) -> String {
    format!("Unable to access invalid index: {idx}: {INVALID_INDEX}")
}

/// Resolves an index for get/set/remove (negative counts from the end).
fn existing_index(len: usize, key: &str) -> Result<usize, String> {
    let idx = atoi(key)?;
    let len = len as i64;
    let abs = if idx < 0 {
        if idx < -len {
            return Err(invalid_index(idx));
        }
        idx + len
    } else {
        idx
    };
    if abs >= len {
        return Err(invalid_index(abs));
    }
    Ok(abs as usize)
}

/// The library's `findObject`: the container holding the last token of
/// `path`, and that token. `None` when any step is missing, null or a scalar.
fn find_object<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() < 2 {
        return None;
    }
    let mut cur = doc;
    for part in &parts[1..parts.len() - 1] {
        let key = decode_key(part);
        let next = match cur {
            Value::Map(m) => m.get_mut(&key)?,
            Value::Seq(items) => {
                let idx = existing_index(items.len(), &key).ok()?;
                items.get_mut(idx)?
            }
            _ => return None,
        };
        if !matches!(next, Value::Map(_) | Value::Seq(_)) {
            return None;
        }
        cur = next;
    }
    let last = parts.last().map(|p| decode_key(p)).unwrap_or_default();
    Some((cur, last))
}

/// `container.get`: `Ok(None)` for a missing (or null) object member.
fn get(con: &Value, key: &str) -> Result<Option<Value>, String> {
    match con {
        Value::Map(m) => Ok(m.get(key).filter(|v| !v.is_null()).cloned()),
        Value::Seq(items) => {
            let idx = existing_index(items.len(), key)?;
            Ok(items.get(idx).cloned())
        }
        _ => Ok(None),
    }
}

/// `container.add`: object member set, or array insertion (`-` appends).
fn add_to(con: &mut Value, key: &str, val: Value) -> Result<(), String> {
    match con {
        Value::Map(m) => {
            m.insert(key.to_string(), val);
            Ok(())
        }
        Value::Seq(items) => {
            if key == "-" {
                items.push(val);
                return Ok(());
            }
            let idx = atoi(key)
                .map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
            let size = items.len() as i64 + 1;
            if idx >= size {
                return Err(invalid_index(idx));
            }
            let idx = if idx < 0 {
                if idx < -size {
                    return Err(invalid_index(idx));
                }
                idx + size
            } else {
                idx
            };
            items.insert(idx as usize, val);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `container.set`: like add for objects, in-place for arrays.
fn set(con: &mut Value, key: &str, val: Value) -> Result<(), String> {
    match con {
        Value::Map(m) => {
            m.insert(key.to_string(), val);
            Ok(())
        }
        Value::Seq(items) => {
            let idx = existing_index(items.len(), key)?;
            if let Some(slot) = items.get_mut(idx) {
                *slot = val;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `container.remove`.
fn remove_from(con: &mut Value, key: &str) -> Result<(), String> {
    match con {
        Value::Map(m) => match m.shift_remove(key) {
            Some(_) => Ok(()),
            None => Err(format!(
                "Unable to remove nonexistent key: {key}: {MISSING}"
            )),
        },
        Value::Seq(items) => {
            let idx = atoi(key)?;
            let len = items.len() as i64;
            if idx >= len {
                return Err(invalid_index(idx));
            }
            let idx = if idx < 0 {
                if idx < -len {
                    return Err(invalid_index(idx));
                }
                idx + len
            } else {
                idx
            };
            items.remove(idx as usize);
            Ok(())
        }
        _ => Ok(()),
    }
}

fn add(doc: &mut Value, path: Option<&str>, value: Option<&Value>) -> Result<(), PatchError> {
    let path =
        path.ok_or_else(|| err(format!("add operation failed to decode path: {MISSING}")))?;
    let (con, key) = find_object(doc, path).ok_or_else(|| {
        err(format!(
            "add operation does not apply: doc is missing path: \"{path}\": {MISSING}"
        ))
    })?;
    add_to(con, &key, value.cloned().unwrap_or(Value::Null))
        .map_err(|e| err(format!("error in add for path: '{path}': {e}")))
}

fn remove(doc: &mut Value, path: Option<&str>) -> Result<(), PatchError> {
    let path =
        path.ok_or_else(|| err(format!("remove operation failed to decode path: {MISSING}")))?;
    let (con, key) = find_object(doc, path).ok_or_else(|| {
        err(format!(
            "remove operation does not apply: doc is missing path: \"{path}\": {MISSING}"
        ))
    })?;
    remove_from(con, &key).map_err(|e| err(format!("error in remove for path: '{path}': {e}")))
}

fn replace(doc: &mut Value, path: Option<&str>, value: Option<&Value>) -> Result<(), PatchError> {
    let path = path.ok_or_else(|| {
        err(format!(
            "replace operation failed to decode path: operation missing path field: {MISSING}"
        ))
    })?;
    if path.is_empty() {
        // The whole document; a scalar value is silently ignored (the library
        // wraps a nil error there).
        if let Some(v @ (Value::Map(_) | Value::Seq(_))) = value {
            *doc = v.clone();
        }
        return Ok(());
    }
    let (con, key) = find_object(doc, path).ok_or_else(|| {
        err(format!(
            "replace operation does not apply: doc is missing path: {path}: {MISSING}"
        ))
    })?;
    if get(con, &key).is_err() {
        return Err(err(format!(
            "replace operation does not apply: doc is missing key: {path}: {MISSING}"
        )));
    }
    set(con, &key, value.cloned().unwrap_or(Value::Null))
        .map_err(|e| err(format!("error in remove for path: '{path}': {e}")))
}

fn move_op(doc: &mut Value, from: Option<&str>, path: Option<&str>) -> Result<(), PatchError> {
    let from = from.ok_or_else(|| {
        err(format!(
            "move operation failed to decode from: operation, missing from field: {MISSING}"
        ))
    })?;
    let (con, key) = find_object(doc, from).ok_or_else(|| {
        err(format!(
            "move operation does not apply: doc is missing from path: {from}: {MISSING}"
        ))
    })?;
    let val = get(con, &key).map_err(|e| err(format!("error in move for path: '{key}': {e}")))?;
    remove_from(con, &key).map_err(|e| err(format!("error in move for path: '{key}': {e}")))?;
    let path = path.ok_or_else(|| {
        err(format!(
            "move operation failed to decode path: operation missing path field: {MISSING}"
        ))
    })?;
    let (con, key) = find_object(doc, path).ok_or_else(|| {
        err(format!(
            "move operation does not apply: doc is missing destination path: {path}: {MISSING}"
        ))
    })?;
    add_to(con, &key, val.unwrap_or(Value::Null))
        .map_err(|e| err(format!("error in move for path: '{path}': {e}")))
}

fn copy_op(
    doc: &mut Value,
    from: Option<&str>,
    path: Option<&str>,
    _value: Option<&Value>,
) -> Result<(), PatchError> {
    let from = from.ok_or_else(|| {
        err(format!(
            "copy operation failed to decode from: operation, missing from field: {MISSING}"
        ))
    })?;
    let (con, key) = find_object(doc, from).ok_or_else(|| {
        err(format!(
            "copy operation does not apply: doc is missing from path: {from}: {MISSING}"
        ))
    })?;
    let val = get(con, &key).map_err(|e| err(format!("error in copy for from: '{from}': {e}")))?;
    let path =
        path.ok_or_else(|| err(format!("copy operation failed to decode path: {MISSING}")))?;
    let (con, key) = find_object(doc, path).ok_or_else(|| {
        err(format!(
            "copy operation does not apply: doc is missing destination path: {path}: {MISSING}"
        ))
    })?;
    add_to(con, &key, val.unwrap_or(Value::Null))
        .map_err(|e| err(format!("error while adding value during copy: {e}")))
}

fn test(doc: &Value, path: Option<&str>, value: Option<&Value>) -> Result<(), PatchError> {
    let path = path.ok_or_else(|| {
        err(format!(
            "test operation failed to decode path: operation missing path field: {MISSING}"
        ))
    })?;
    let failed = || err(format!("testing value {path} failed: {TEST_FAILED}"));
    if path.is_empty() {
        return match value {
            Some(v) if json_equal(doc, v) => Ok(()),
            _ => Err(failed()),
        };
    }
    // find_object wants a mutable document; test works on a scratch copy.
    let mut scratch = doc.clone();
    let (con, key) = find_object(&mut scratch, path).ok_or_else(|| {
        err(format!(
            "test operation does not apply: is missing path: {path}: {MISSING}"
        ))
    })?;
    let val = get(con, &key).map_err(|e| err(format!("error in test for path: '{path}': {e}")))?;
    match (val, value) {
        // A missing member equals an explicit `value: null`.
        (None, Some(Value::Null)) => Ok(()),
        (None, _) | (Some(_), None) => Err(failed()),
        (Some(actual), Some(expected)) if json_equal(&actual, expected) => Ok(()),
        _ => Err(failed()),
    }
}

/// The library's `lazyNode.equal`: objects by members (order-insensitive),
/// arrays element-wise, scalars by their compact JSON text — so `1` and `1.0`
/// differ, while integers from different sources agree.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| match y.get(k) {
                    Some(w) => v.is_null() == w.is_null() && (v.is_null() || json_equal(v, w)),
                    None => false,
                })
        }
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| json_equal(v, w))
        }
        (Value::Int(x) | Value::DocInt(x), Value::Int(y) | Value::DocInt(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}
