//! Loading a chart from a directory or an archive.

use super::Chart;
use std::path::Path;

/// A chart that cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChartError(String);

/// Loads a chart directory or `.tgz`.
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    Err(ChartError(format!("cannot load {}", path.display())))
}
