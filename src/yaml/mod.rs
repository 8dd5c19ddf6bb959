//! YAML at the edges: reading documents into [`Value`]s the way Helm reads
//! them (YAML 1.1 scalars through go-yaml v2), and writing them back out
//! byte-compatibly with go-yaml v2 ([`emit`]).
//!
//! [`Value`]: crate::value::Value

pub mod emit;
pub mod fast;
mod float;
mod key_order;
mod read;
pub(crate) use read::{convert_error, error_message, is_blank};
mod resolve;

pub use emit::{EmitError, EmitOptions, to_yaml, to_yaml_with, try_to_yaml, write_yaml};
pub use float::{format_go_float, format_go_float32, format_json_float};
pub use key_order::sort_natural;
pub use read::{YamlError, parse_document, parse_document_head, parse_documents};
