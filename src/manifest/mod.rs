//! Rendered text → ordered resources, and Helm's output stream.
//!
//! The stage between the template engines and the emitters, matching Helm
//! v4.1.4 byte for byte:
//!
//! * [`split`]: cut each rendered file into documents with Helm's
//!   separator rule ([`split_manifests`]);
//! * [`sort_manifests`]: parse each document, read its head like Helm's
//!   `SimpleHead`, separate hooks ([`Hook`]), and order everything by the
//!   install-order table ([`order::INSTALL_ORDER`]) into a [`ResourceList`];
//! * [`render_helm_stream`]: the exact `helm template` stdout (CRDs,
//!   manifests, hooks, `--skip-tests`, `--no-hooks`, `--show-only`);
//! * [`write_output_dir`]: `--output-dir`, written atomically.
//!
//! ```
//! use skiff::engine::RenderedTemplate;
//! use skiff::manifest::{HelmStreamOptions, render_helm_stream, sort_manifests};
//!
//! let rendered = vec![RenderedTemplate {
//!     name: "app/templates/all.yaml".into(),
//!     content: "kind: Deployment\nmetadata:\n  name: d\n---\nkind: Service\nmetadata:\n  name: s\n".into(),
//! }];
//! let list = sort_manifests(&rendered).unwrap();
//! let out = render_helm_stream(&list, &[], &HelmStreamOptions::default()).unwrap();
//! assert!(out.starts_with("---\n# Source: app/templates/all.yaml\nkind: Service\n"));
//! ```

mod error;
mod head;
pub mod order;
mod output_dir;
mod resource;
pub mod split;
mod stream;

#[cfg(test)]
mod helm_diff;

pub use error::ManifestError;
pub use order::{INSTALL_ORDER, compare_kinds};
pub use output_dir::write_output_dir;
pub use resource::{
    DroppedHook, HOOK_ANNOTATION, HOOK_DELETE_ANNOTATION, HOOK_OUTPUT_LOG_ANNOTATION,
    HOOK_WEIGHT_ANNOTATION, Hook, HookEvent, Resource, ResourceId, ResourceList,
    sort_manifest_heads, sort_manifests,
};
pub use split::{Piece, split_manifests};
pub use stream::{CrdFile, HelmStreamOptions, crd_files, render_helm_stream};
