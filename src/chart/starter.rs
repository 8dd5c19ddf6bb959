//! `skiff create NAME`: a native (minijinja) starter chart.
//!
//! The starter's files live in `src/chart/starter/` and are embedded in the
//! binary; `<CHARTNAME>` in them is replaced by the chart's name.

use crate::diag::{Diagnostic, Location};
use std::path::{Path, PathBuf};

/// The starter chart: (chart-relative path, contents).
const STARTER: &[(&str, &str)] = &[
    ("Chart.yaml", include_str!("starter/Chart.yaml")),
    ("values.yaml", include_str!("starter/values.yaml")),
    (
        "values.schema.json",
        include_str!("starter/values.schema.json"),
    ),
    (".helmignore", include_str!("starter/.helmignore")),
    (
        "templates/_helpers.j2",
        include_str!("starter/templates/_helpers.j2"),
    ),
    (
        "templates/deployment.yaml.j2",
        include_str!("starter/templates/deployment.yaml.j2"),
    ),
    (
        "templates/service.yaml.j2",
        include_str!("starter/templates/service.yaml.j2"),
    ),
    (
        "templates/NOTES.txt.j2",
        include_str!("starter/templates/NOTES.txt.j2"),
    ),
];

/// Helm's rule for chart names given to `create`: letters, digits, `.`, `_`
/// and `-`, and not `.`/`..`.
fn valid_chart_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Creates the starter chart at `path` (its last component is the chart
/// name). The directory must not exist; the chart is assembled in a temporary
/// directory next to it and renamed into place, so a failure leaves nothing.
pub fn create(path: &Path) -> Result<PathBuf, Diagnostic> {
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| valid_chart_name(n))
        .ok_or_else(|| {
            Diagnostic::new(format!(
                "chart name {shown:?} is invalid: use letters, digits, '.', '_' and '-'"
            ))
        })?;
    if path.exists() {
        return Err(
            Diagnostic::new(format!("{shown} already exists; not overwriting it"))
                .at(Location::file(shown)),
        );
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io_err = |what: &str, e: std::io::Error| {
        Diagnostic::new(format!("cannot {what}: {e}")).at(Location::file(shown.clone()))
    };
    let staging = tempfile::Builder::new()
        .prefix(".skiff-create-")
        .tempdir_in(&parent)
        .map_err(|e| io_err("create a temporary directory", e))?;
    for (rel, text) in STARTER {
        let target = staging.path().join(rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_err("create directory", e))?;
        }
        std::fs::write(&target, text.replace("<CHARTNAME>", name))
            .map_err(|e| io_err("write file", e))?;
    }
    std::fs::create_dir_all(staging.path().join("charts"))
        .map_err(|e| io_err("create directory", e))?;
    let staged = staging.keep();
    std::fs::rename(&staged, path).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        io_err("move the chart into place", e)
    })?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_chart_name("my-chart_1.0"));
        assert!(!valid_chart_name(".."));
        assert!(!valid_chart_name("a b"));
        assert!(!valid_chart_name(""));
    }

    #[test]
    fn creates_and_substitutes_the_name() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("ingest");
        create(&path).unwrap();
        let chart_yaml = std::fs::read_to_string(path.join("Chart.yaml")).unwrap();
        assert!(chart_yaml.contains("name: ingest"), "{chart_yaml}");
        for (rel, _) in STARTER {
            let text = std::fs::read_to_string(path.join(rel)).unwrap();
            assert!(!text.contains("<CHARTNAME>"), "{rel}");
        }
        assert!(create(&path).is_err(), "must not overwrite");
    }
}
