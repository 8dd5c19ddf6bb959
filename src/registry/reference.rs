//! The chart references `skiff pull` (and `template`, `dep`) accept.

use super::RegistryError;

/// Where a chart comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartRef {
    /// `repo/chart`: a chart of an HTTP repository added with `skiff repo add`.
    Repo {
        /// The repository's local name.
        repo: String,
        /// The chart name.
        chart: String,
    },
    /// A full `http(s)://…/chart-1.0.0.tgz` URL.
    Url(url::Url),
    /// `oci://host[:port]/path/chart[:tag][@sha256:…]`.
    Oci {
        /// `host[:port]`.
        registry: String,
        /// The repository path, `path/chart`.
        repository: String,
        /// The tag, if the reference names one.
        tag: Option<String>,
        /// The manifest digest (`sha256:…`), if the reference names one.
        digest: Option<String>,
    },
    /// `artifacthub:REPO/PACKAGE`: resolved through the ArtifactHub API.
    ArtifactHub {
        /// The ArtifactHub repository name.
        repo: String,
        /// The package name.
        package: String,
    },
}

impl ChartRef {
    /// Parses a reference; a local path is not a reference (callers check
    /// the file system first, as helm does).
    pub fn parse(text: &str) -> Result<ChartRef, RegistryError> {
        let invalid = |why: &str| {
            RegistryError::Invalid(format!(
                "invalid chart reference {:?}: {why}",
                crate::archive::sanitize(text)
            ))
        };
        if let Some(rest) = text.strip_prefix("oci://") {
            let (registry, path) = rest
                .split_once('/')
                .ok_or_else(|| invalid("expected oci://host/path/chart"))?;
            if registry.is_empty() || path.is_empty() {
                return Err(invalid("expected oci://host/path/chart"));
            }
            let (path, digest) = match path.split_once('@') {
                Some((p, d)) => (p, Some(d.to_string())),
                None => (path, None),
            };
            if let Some(d) = &digest {
                let hex = d.strip_prefix("sha256:").unwrap_or("");
                if !super::is_sha256_hex(hex) {
                    return Err(invalid("digest must be sha256:<64 hex digits>"));
                }
            }
            // A tag follows the last ':' after the last '/'.
            let last_slash = path.rfind('/').map_or(0, |i| i + 1);
            let (repository, tag) = match path[last_slash..].rfind(':') {
                Some(i) => (
                    &path[..last_slash + i],
                    Some(path[last_slash + i + 1..].to_string()),
                ),
                None => (path, None),
            };
            let valid_repo = !repository.is_empty()
                && repository.split('/').all(|c| {
                    !c.is_empty()
                        && c.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)
                        })
                });
            if !valid_repo {
                return Err(invalid(
                    "repository path must be lowercase letters, digits, '.', '_', '-' and '/'",
                ));
            }
            if tag.as_deref() == Some("") {
                return Err(invalid("empty tag"));
            }
            return Ok(ChartRef::Oci {
                registry: registry.to_string(),
                repository: repository.to_string(),
                tag,
                digest,
            });
        }
        if let Some(rest) = text.strip_prefix("artifacthub:") {
            let (repo, package) = rest
                .split_once('/')
                .ok_or_else(|| invalid("expected artifacthub:REPO/PACKAGE"))?;
            if repo.is_empty() || package.is_empty() || package.contains('/') {
                return Err(invalid("expected artifacthub:REPO/PACKAGE"));
            }
            return Ok(ChartRef::ArtifactHub {
                repo: repo.to_string(),
                package: package.to_string(),
            });
        }
        if text.starts_with("http://") || text.starts_with("https://") {
            let url = url::Url::parse(text).map_err(|e| invalid(&e.to_string()))?;
            return Ok(ChartRef::Url(url));
        }
        match text.split_once('/') {
            Some((repo, chart))
                if !repo.is_empty() && !chart.is_empty() && !chart.contains('/') =>
            {
                Ok(ChartRef::Repo {
                    repo: repo.to_string(),
                    chart: chart.to_string(),
                })
            }
            _ => Err(invalid(
                "expected repo/chart, a chart URL, oci://host/path/chart or artifacthub:REPO/PACKAGE",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_form() {
        assert_eq!(
            ChartRef::parse("lab/demo").unwrap(),
            ChartRef::Repo {
                repo: "lab".into(),
                chart: "demo".into()
            }
        );
        assert_eq!(
            ChartRef::parse("oci://127.0.0.1:5000/charts/demo:0.2.0_build.1").unwrap(),
            ChartRef::Oci {
                registry: "127.0.0.1:5000".into(),
                repository: "charts/demo".into(),
                tag: Some("0.2.0_build.1".into()),
                digest: None
            }
        );
        let digest = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(
            ChartRef::parse(&format!("oci://r.io/demo@{digest}")).unwrap(),
            ChartRef::Oci {
                registry: "r.io".into(),
                repository: "demo".into(),
                tag: None,
                digest: Some(digest)
            }
        );
        assert!(matches!(
            ChartRef::parse("https://x.io/c/demo-1.0.0.tgz").unwrap(),
            ChartRef::Url(_)
        ));
        assert_eq!(
            ChartRef::parse("artifacthub:bitnami/kafka").unwrap(),
            ChartRef::ArtifactHub {
                repo: "bitnami".into(),
                package: "kafka".into()
            }
        );
    }

    #[test]
    fn rejects_malformed_references() {
        for bad in [
            "demo",
            "a/b/c",
            "oci://",
            "oci://host",
            "oci://host/Upper",
            "oci://host/demo:",
            "oci://host/demo@sha256:12",
            "artifacthub:kafka",
            "http://[::1",
        ] {
            assert!(ChartRef::parse(bad).is_err(), "{bad}");
        }
    }
}
