//! Merge keys and strategies per Kubernetes type (placeholder, refined below).

use super::PatchError;
use crate::Value;

/// Merge-key and patch-strategy metadata for strategic merge patches.
#[derive(Debug, Clone, Default)]
pub struct PatchSchema {}

impl PatchSchema {
    /// The built-in table (Kubernetes v1.21.2 types, as kustomize embeds).
    pub fn builtin() -> PatchSchema {
        PatchSchema {}
    }

    /// The built-in table plus a custom OpenAPI document.
    pub fn with_openapi(_custom: &Value) -> Result<PatchSchema, PatchError> {
        Ok(PatchSchema {})
    }
}
