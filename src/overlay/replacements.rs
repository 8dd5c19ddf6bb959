//! `replacements` and the deprecated `vars`.

use super::fieldspec::FieldSpec;
use super::resource::ResourceList;
use crate::value::Value;

/// Applies replacements.
pub fn apply(list: &mut ResourceList, reps: &[Value]) -> Result<(), String> {
    let _ = (list, reps);
    Err("replacements are not supported yet".to_string())
}

/// Resolves `$(VAR)` references.
pub fn resolve_vars(list: &mut ResourceList, vars: &[Value], specs: &[FieldSpec]) -> Result<(), String> {
    let _ = (list, specs);
    if vars.is_empty() {
        return Ok(());
    }
    Err("vars are not supported yet".to_string())
}
