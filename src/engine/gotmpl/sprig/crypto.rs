//! Sprig functions: crypto.

use crate::engine::gotmpl::funcs::FuncMap;

/// Registers this family's functions.
pub fn register(_map: &mut FuncMap) {}
