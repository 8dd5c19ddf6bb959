//! `skiff create NAME`.

use crate::diag::Diagnostic;
use std::path::Path;

/// Creates a native starter chart at `path` and reports what was written.
pub fn create(path: &Path) -> Result<String, Diagnostic> {
    let written = crate::chart::starter::create(path)?;
    Ok(format!("Creating {}\n", written.display()))
}
