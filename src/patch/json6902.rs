//! JSON 6902 (placeholder).

use super::PatchError;
use crate::Value;

/// Applies a list of RFC 6902 operations to `target`.
pub fn apply_json6902(target: &Value, ops: &Value) -> Result<Value, PatchError> {
    let _ = ops;
    Ok(target.clone())
}
