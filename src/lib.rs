//! skiff: render, patch, package and ship Kubernetes manifests.
//!
//! Data flows one way through the modules (see `../shared/GUIDE.md`):
//! [`values`] and [`chart`] load the inputs, [`engine`] renders template
//! files, [`manifest`] splits, orders and prints the result; [`yaml`] reads
//! and writes YAML at the edges; [`diag`] turns every error into a report.

pub mod archive;
pub mod chart;
pub mod diag;
pub mod diff;
pub mod engine;
pub mod hashing;
pub mod manifest;
pub mod overlay;
pub mod package;
pub mod parallel;
pub mod patch;
pub mod provenance;
pub mod registry;
pub mod render;
pub mod show;
pub mod teardown;
pub mod value;
pub mod values;
pub mod version_range;
pub mod yaml;

pub use value::{Map, Value};
pub mod cli;
