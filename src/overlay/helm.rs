//! `helmCharts`: local charts rendered in-process through skiff's own
//! chart renderer instead of a `helm` binary.

use super::resource::Resource;
use super::target::Kustomization;

/// Renders the `helmCharts` of a kustomization.
pub fn inflate(k: &Kustomization) -> Result<Vec<Resource>, String> {
    let _ = k;
    Err("helmCharts are not supported yet".to_string())
}
