//! Strategic merge patches and JSON 6902 patches, as `kustomize build` applies them.
//!
//! kustomize v5.7.1 does not use Kubernetes' apimachinery `strategicpatch`; it
//! walks the resource and the patch side by side with kyaml's `merge2` visitor
//! (`api/filters/patchstrategicmerge`, `kyaml/yaml/merge2`, `kyaml/yaml/walk`),
//! with new list elements *prepended*. [`strategic_merge`] reproduces that walk
//! on [`crate::Value`]s, including its ordering quirks; [`PatchSchema`] supplies the
//! merge keys and strategies kyaml reads from its embedded OpenAPI document.
//! [`apply_json6902`] applies RFC 6902 operation lists the way kustomize's
//! evanphx/json-patch does.

mod json6902;
mod merge;
mod schema;

pub use json6902::apply_json6902;
pub use merge::{strategic_merge, strategic_merge_owned};
pub use schema::PatchSchema;

use crate::diag::{Diagnostic, Location};

/// Why a patch could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    /// A node of the patch has another kind than the resource's node at the
    /// same place (kyaml: `wrong node kind`).
    #[error("wrong node kind: expected {expected} but got {got}: node contents:\n{contents}")]
    WrongKind {
        /// The kind kyaml expected (`MappingNode`, `SequenceNode`, `ScalarNode`).
        expected: &'static str,
        /// The kind found.
        got: &'static str,
        /// The offending node, rendered as JSON.
        contents: String,
    },
    /// A `$patch` directive with an unknown value.
    #[error("unknown patch strategy '{0}'")]
    UnknownDirective(String),
    /// A JSON 6902 operation list that is malformed or fails to apply.
    #[error("{0}")]
    Json6902(String),
    /// A custom OpenAPI document (kustomize `openapi:` / `crds:`) that cannot be used.
    #[error("invalid OpenAPI schema: {0}")]
    Schema(String),
}

impl PatchError {
    /// The error as a diagnostic naming the patch file it came from (the
    /// engine works on parsed values, so only the caller knows the file).
    pub fn diagnostic_for(self, patch_file: &str) -> Diagnostic {
        Diagnostic::from(self).at(Location::file(patch_file))
    }
}

impl From<PatchError> for Diagnostic {
    fn from(e: PatchError) -> Diagnostic {
        // kustomize prints these texts bare (`Error: unknown patch strategy
        // 'x'`); the caller adds the patch file with `diagnostic_for` or `.at`.
        Diagnostic::new(e.to_string())
    }
}

#[cfg(test)]
mod tests;
