//! YAML at the edges: reading documents into [`Value`]s the way Helm reads
//! them (YAML 1.1 scalars through go-yaml v2), and writing them back out
//! byte-compatibly with go-yaml v2 ([`emit`]).

pub mod emit;
mod float;
mod read;

pub use float::{format_go_float, format_json_float};
pub use read::{YamlError, parse_document, parse_documents};
