//! From an ArtifactHub package to the chart source `pull` downloads.
//!
//! Two pure steps over the API's JSON, so both are tested without a server:
//! 1. [`select_version`] picks a version from `available_versions` with
//!    helm's rules for `helm pull repo/chart --version X`
//!    (`IndexFile.Get`): an exact string match first, then the newest
//!    version satisfying X as a Masterminds constraint; no X means `*`,
//!    which excludes prereleases, and `--devel` means `>0.0.0-0`.
//! 2. [`chart_source`] turns that version's detail into a reference:
//!    - HTTP repository: `content_url` (ArtifactHub makes it absolute) and
//!      the index `digest` the download must match;
//!    - OCI repository: `repository.url` (`oci://registry/ns/<chart>`, one
//!      chart per ArtifactHub repository) with the package `version`. Not
//!      the tag in `content_url`: ArtifactHub writes `+` as `_` there, and
//!      helm rejects `--version 0.2.0_build.1` ("improper constraint"),
//!      which breaks the install command ArtifactHub's own UI shows.

use super::{HubClient, Package};
use crate::registry::RegistryError;
use crate::registry::reference::ChartRef;
use crate::version_range::{Constraint, LooseVersion};

/// Helm's `--devel` constraint: any version, prereleases included.
const DEVEL_CONSTRAINT: &str = ">0.0.0-0";

/// Where the chart of a package version really is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubSource {
    /// The reference to pull: [`ChartRef::Url`] or [`ChartRef::Oci`].
    pub reference: ChartRef,
    /// The version to ask the source for (OCI), if it must be named.
    pub version: Option<String>,
    /// The sha256 (hex) the archive must have, when ArtifactHub knows it.
    pub expected_digest: Option<String>,
}

/// A resolved package: the version chosen, its detail, and its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The package version's detail.
    pub package: Package,
    /// Where to download it from.
    pub source: HubSource,
}

/// The versions of `package` newest first by semver (ties keep the API's
/// order); versions that do not parse go last, in the API's order.
pub fn versions_newest_first(package: &Package) -> Vec<String> {
    let listed: Vec<String> = match &package.available_versions {
        Some(list) if !list.is_empty() => list.iter().map(|v| v.version.clone()).collect(),
        // A hub that lists no versions still names the one it describes.
        _ => vec![package.version.clone()],
    };
    let mut parsed: Vec<(LooseVersion, String)> = Vec::new();
    let mut unparsed = Vec::new();
    for v in listed {
        match LooseVersion::parse(&v) {
            Ok(p) => parsed.push((p, v)),
            Err(_) => unparsed.push(v),
        }
    }
    // Stable sort, so equal versions (`1.0.0` and `1.0.0+build`) keep the
    // API's order.
    parsed.sort_by(|a, b| b.0.compare(&a.0));
    parsed.into_iter().map(|(_, v)| v).chain(unparsed).collect()
}

/// Picks the version to pull (see the module docs for helm's rules).
/// `devel` is ignored when `requested` is given, as in helm.
pub fn select_version(
    package: &Package,
    requested: Option<&str>,
    devel: bool,
) -> Result<String, RegistryError> {
    let versions = versions_newest_first(package);
    let requested = requested.map(str::trim).filter(|v| !v.is_empty());
    if let Some(exact) = requested
        && let Some(found) = versions.iter().find(|v| v.as_str() == exact)
    {
        return Ok(found.clone());
    }
    let constraint_text = match requested {
        Some(text) => text,
        None if devel => DEVEL_CONSTRAINT,
        None => "*",
    };
    let constraint = Constraint::parse(constraint_text).map_err(|e| {
        RegistryError::Invalid(format!("--version: {}", crate::archive::sanitize(&e)))
    })?;
    let found = versions.iter().find(|v| {
        LooseVersion::parse(v)
            .map(|p| constraint.matches(&p))
            .unwrap_or(false)
    });
    match found {
        Some(v) => Ok(v.clone()),
        None => {
            let what = match requested {
                Some(text) => format!("matching {text}"),
                None => "without a prerelease (use --devel or --version)".to_string(),
            };
            Err(RegistryError::NotFound(crate::archive::sanitize(&format!(
                "package \"{}/{}\" has no version {what}; available: {}",
                package.repository.name,
                package.path_name(),
                shorten_list(&versions, 10)
            ))))
        }
    }
}

fn shorten_list(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!(
        "{}, … ({} more)",
        items[..max].join(", "),
        items.len() - max
    )
}

/// Where the chart of this package version is (see the module docs).
pub fn chart_source(package: &Package) -> Result<HubSource, RegistryError> {
    let id = format!("{}/{}", package.repository.name, package.path_name());
    let bad = |why: String| {
        RegistryError::Invalid(crate::archive::sanitize(&format!(
            "ArtifactHub package \"{id}\" {}: {why}",
            package.version
        )))
    };
    let repo_url = package.repository.url.as_deref().unwrap_or("").trim();
    let content_url = package.content_url.as_deref().unwrap_or("").trim();
    if repo_url.starts_with("oci://") || content_url.starts_with("oci://") {
        if !repo_url.starts_with("oci://") {
            return Err(bad(format!(
                "the content is in an OCI registry but the repository URL is {repo_url:?}"
            )));
        }
        let reference = ChartRef::parse(repo_url.trim_end_matches('/'))
            .map_err(|e| bad(format!("repository URL: {e}")))?;
        if !matches!(
            reference,
            ChartRef::Oci {
                tag: None,
                digest: None,
                ..
            }
        ) {
            return Err(bad(format!(
                "repository URL {repo_url:?} is not oci://registry/path/chart"
            )));
        }
        // The index digest ArtifactHub stores does not exist for OCI charts
        // (it builds them from tags); the OCI pull checks the layer digest
        // its manifest names.
        return Ok(HubSource {
            reference,
            version: Some(package.version.clone()),
            expected_digest: None,
        });
    }
    if content_url.is_empty() {
        return Err(bad("the API names no content_url to download".into()));
    }
    let url = url::Url::parse(content_url)
        .map_err(|e| bad(format!("content_url {content_url:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!(
            "content_url {content_url:?} is neither http(s):// nor oci://"
        )));
    }
    let expected_digest = match package.digest.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => {
            let hex = d.strip_prefix("sha256:").unwrap_or(d);
            if !crate::registry::is_sha256_hex(hex) {
                return Err(bad(format!("digest {d:?} is not a sha256")));
            }
            Some(hex.to_ascii_lowercase())
        }
    };
    Ok(HubSource {
        reference: ChartRef::Url(url),
        version: None,
        expected_digest,
    })
}

/// Reads the detail of the version of `repo/package` that
/// [`select_version`] picks: the package first (for its version list),
/// then that version when it is not the one already read.
pub fn package_version(
    hub: &HubClient,
    repo: &str,
    package: &str,
    requested: Option<&str>,
    devel: bool,
) -> Result<Package, RegistryError> {
    let latest = hub.package(repo, package, None)?;
    let version = select_version(&latest, requested, devel)?;
    if version == latest.version {
        Ok(latest)
    } else {
        hub.package(repo, package, Some(&version))
    }
}

/// Resolves `repo/package` on `hub` to the chosen version's detail and
/// its chart source.
pub fn resolve(
    hub: &HubClient,
    repo: &str,
    package: &str,
    requested: Option<&str>,
    devel: bool,
) -> Result<Resolved, RegistryError> {
    let detail = package_version(hub, repo, package, requested, devel)?;
    let source = chart_source(&detail)?;
    Ok(Resolved {
        package: detail,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The versions the research lab repository held, listed in timestamp
    /// order that is deliberately not semver order.
    fn package() -> Package {
        serde_json::from_str(
            r#"{"name":"demo","version":"1.0.0",
                "repository":{"name":"lab","url":"https://charts.example/lab","kind":0},
                "content_url":"https://charts.example/lab/demo-1.0.0.tgz",
                "digest":"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
                "available_versions":[
                  {"version":"0.1.0","ts":50},
                  {"version":"1.0.0","ts":40},
                  {"version":"0.3.0-rc.1","prerelease":true,"ts":30},
                  {"version":"0.2.0+build.1","ts":20},
                  {"version":"0.4.0","ts":10}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn versions_sort_by_semver_not_timestamp() {
        assert_eq!(
            versions_newest_first(&package()),
            ["1.0.0", "0.4.0", "0.3.0-rc.1", "0.2.0+build.1", "0.1.0"]
        );
    }

    #[test]
    fn selection_follows_helms_table() {
        // research/registries.md §1.4: what helm v4.1.4 picked in the lab.
        let p = package();
        let pick = |v: Option<&str>, devel| select_version(&p, v, devel);
        assert_eq!(pick(None, false).unwrap(), "1.0.0");
        assert_eq!(pick(Some("^0.2"), false).unwrap(), "0.2.0+build.1");
        assert_eq!(pick(Some("0.2.0"), false).unwrap(), "0.2.0+build.1");
        assert_eq!(pick(None, true).unwrap(), "1.0.0");
        assert_eq!(pick(Some("~0.3.0-0"), false).unwrap(), "0.3.0-rc.1");
        assert_eq!(pick(Some("0.3.0-rc.1"), false).unwrap(), "0.3.0-rc.1");
        assert_eq!(pick(Some("0.2.0+build.1"), false).unwrap(), "0.2.0+build.1");
        assert_eq!(pick(Some("<1"), true).unwrap(), "0.4.0", "devel ignored");
        let err = pick(Some("7.0.0"), false).unwrap_err().to_string();
        assert!(err.contains("no version matching 7.0.0"), "{err}");
        assert!(err.contains("1.0.0, 0.4.0"), "{err}");
        assert!(pick(Some(">=1 <<"), false).is_err());
    }

    #[test]
    fn only_prereleases_need_devel() {
        let mut p = package();
        p.available_versions = Some(vec![super::super::AvailableVersion {
            version: "2.0.0-beta.1".into(),
            ..Default::default()
        }]);
        assert!(select_version(&p, None, false).is_err());
        assert_eq!(select_version(&p, None, true).unwrap(), "2.0.0-beta.1");
    }

    #[test]
    fn no_available_versions_means_the_one_described() {
        let mut p = package();
        p.available_versions = None;
        assert_eq!(select_version(&p, None, false).unwrap(), "1.0.0");
    }

    #[test]
    fn http_source_is_the_content_url_and_its_digest() {
        let s = chart_source(&package()).unwrap();
        assert_eq!(
            s.reference,
            ChartRef::Url("https://charts.example/lab/demo-1.0.0.tgz".parse().unwrap())
        );
        assert_eq!(s.version, None);
        assert_eq!(
            s.expected_digest.as_deref(),
            Some("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
        );
        let mut p = package();
        p.digest = None;
        assert_eq!(chart_source(&p).unwrap().expected_digest, None);
        p.digest = Some("sha256:xyz".into());
        assert!(chart_source(&p).is_err());
        p.digest = None;
        p.content_url = None;
        assert!(chart_source(&p).is_err());
        p.content_url = Some("file:///etc/passwd".into());
        assert!(chart_source(&p).is_err());
    }

    #[test]
    fn oci_source_is_the_repository_with_the_plus_version() {
        let mut p = package();
        p.version = "0.2.0+build.1".into();
        p.repository.url = Some("oci://registry.example:5000/charts/demo".into());
        p.content_url = Some("oci://registry.example:5000/charts/demo:0.2.0_build.1".into());
        p.digest = None;
        let s = chart_source(&p).unwrap();
        assert_eq!(
            s.reference,
            ChartRef::Oci {
                registry: "registry.example:5000".into(),
                repository: "charts/demo".into(),
                tag: None,
                digest: None
            }
        );
        assert_eq!(s.version.as_deref(), Some("0.2.0+build.1"));
        p.repository.url = Some("https://not-oci.example".into());
        assert!(chart_source(&p).is_err());
        p.repository.url = Some("oci://registry.example/charts/demo:1.0".into());
        assert!(chart_source(&p).is_err());
    }
}
