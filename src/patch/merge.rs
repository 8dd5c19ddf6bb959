//! The kyaml merge walk (placeholder).

use super::{PatchError, PatchSchema};
use crate::Value;

/// Applies a strategic merge patch to `target`.
pub fn strategic_merge(
    target: &Value,
    patch: &Value,
    _schema: &PatchSchema,
) -> Result<Value, PatchError> {
    Ok(merge_maps(target, patch))
}

fn merge_maps(target: &Value, patch: &Value) -> Value {
    match (target, patch) {
        (Value::Map(t), Value::Map(p)) => {
            let mut out = t.clone();
            for (k, v) in p {
                if v.is_null() {
                    out.shift_remove(k);
                    continue;
                }
                let merged = match t.get(k) {
                    Some(old) => merge_maps(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Map(out)
        }
        _ => patch.clone(),
    }
}
