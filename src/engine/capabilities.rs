//! `.Capabilities`: the Kubernetes version and API versions a render assumes.
//!
//! `helm template` never talks to a cluster, so Helm v4.1.4 fills
//! `.Capabilities` from built-in defaults (`pkg/chart/common/capabilities.go`):
//! the Kubernetes version is the client-go minor plus one (v1.35.0) and the API
//! versions are every group/version registered in client-go's scheme. `--kube-version`
//! replaces the version and `-a/--api-versions` appends to the list.

/// A Kubernetes version (`v1.35.0`).
#[derive(Debug, Clone, PartialEq)]
pub struct KubeVersion {
    /// As given, `v` prefixed (`v1.29.3-gke.1`).
    pub version: String,
    /// Major (`1`).
    pub major: String,
    /// Minor (`35`).
    pub minor: String,
}

impl KubeVersion {
    /// The version as Helm prints `{{ .Capabilities.KubeVersion }}`: `v` and
    /// the numeric components only, leading zeros dropped (`v1.29.3-gke.1` →
    /// `v1.29.3`, `v1.29.03` → `v1.29.3`, `v1.29.x` → `v1.29`), because
    /// Helm's `String()` prints the parsed k8s generic version.
    pub fn normalized(&self) -> String {
        match parse_generic(&self.version) {
            Ok(components) => {
                let parts: Vec<String> = components.iter().map(u64::to_string).collect();
                format!("v{}", parts.join("."))
            }
            // A hand-built KubeVersion that does not parse: show it as is.
            Err(_) => self.version.clone(),
        }
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.to_string(),
            major: "1".to_string(),
            minor: "35".to_string(),
        }
    }
}

/// What the render assumes of the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    /// The Kubernetes version.
    pub kube_version: KubeVersion,
    /// Available API group/versions.
    pub api_versions: Vec<String>,
}

impl Default for Capabilities {
    /// Helm v4.1.4's defaults for a cluster-free render.
    fn default() -> Self {
        Capabilities {
            kube_version: KubeVersion::default(),
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Capabilities {
    /// These capabilities with `extra` API versions (`-a/--api-versions`)
    /// appended after the defaults. Helm appends without removing duplicates
    /// (`-a apps/v1` lists `apps/v1` twice, observed with v4.1.4), so this does too.
    pub fn with_api_versions<I, S>(mut self, extra: I) -> Capabilities
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.api_versions.extend(extra.into_iter().map(Into::into));
        self
    }

    /// True when `api_version` (`apps/v1`) is in the list. Like Helm in
    /// template mode, `apps/v1/Deployment` is only true when given that way.
    pub fn has_api_version(&self, api_version: &str) -> bool {
        self.api_versions.iter().any(|v| v == api_version)
    }
}

/// The Kubernetes version Helm v4.1.4 assumes without `--kube-version`.
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// `.Capabilities.HelmVersion.Version` of the Helm release skiff matches.
pub const HELM_VERSION: &str = "v4.1.4";
/// `.Capabilities.HelmVersion.GitCommit` of Helm v4.1.4.
pub const HELM_GIT_COMMIT: &str = "05fa37973dc9e42b76e1d2883494c87174b6074f";
/// `.Capabilities.HelmVersion.GitTreeState` of Helm v4.1.4.
pub const HELM_GIT_TREE_STATE: &str = "clean";
/// `.Capabilities.HelmVersion.GoVersion` of Helm v4.1.4.
pub const HELM_GO_VERSION: &str = "go1.25.9";
/// `.Capabilities.HelmVersion.KubeClientVersion` of Helm v4.1.4.
pub const HELM_KUBE_CLIENT_VERSION: &str = "v1.35";

/// Helm's `DefaultVersionSet` for v4.1.4: every group/version of the
/// client-go v0.35 scheme, in the order Helm lists them (as printed by
/// `{{ range .Capabilities.APIVersions }}` with helm v4.1.4).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// Parses a `--kube-version` value the way Helm does: k8s `ParseGeneric`
/// on the input (optional `v`, at least two dot-separated numbers, anything
/// after the numbers ignored), then `v` prefixed to the *input* for
/// `.Version` (`1.29.3-gke.1` → `v1.29.3-gke.1`, major `1`, minor `29`).
///
/// Errors use Helm's wording (`illegal version string "1"`).
pub fn parse_kube_version(s: &str) -> Result<KubeVersion, String> {
    let components = parse_generic(s)?;
    let version = if s.starts_with('v') {
        s.to_string()
    } else {
        format!("v{s}")
    };
    Ok(KubeVersion {
        version,
        major: components[0].to_string(),
        minor: components[1].to_string(),
    })
}

/// k8s.io/apimachinery `version.ParseGeneric`: returns the numeric components
/// (at least two). Like the Go regexp `^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)*$`, the
/// text after the last numeric component is not checked; only the first
/// component may not have a leading zero.
fn parse_generic(s: &str) -> Result<Vec<u64>, String> {
    let trimmed = s.trim_start();
    let rest = trimmed.strip_prefix('v').unwrap_or(trimmed);
    // The numbers run as far as digits and dots-followed-by-digits go.
    let bytes = rest.as_bytes();
    let mut end = 0;
    while end < bytes.len() {
        let digit = bytes[end].is_ascii_digit();
        let inner_dot =
            bytes[end] == b'.' && end > 0 && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if !(digit || inner_dot) {
            break;
        }
        end += 1;
    }
    if end == 0 {
        return Err(format!("could not parse {s:?} as version"));
    }
    let components: Vec<&str> = rest[..end].split('.').collect();
    if components.len() < 2 {
        return Err(format!("illegal version string {s:?}"));
    }
    let mut numbers = Vec::with_capacity(components.len());
    for (i, comp) in components.iter().enumerate() {
        if i == 0 && comp.starts_with('0') && *comp != "0" {
            return Err(format!(
                "illegal zero-prefixed version component {comp:?} in {s:?}"
            ));
        }
        let n: u64 = comp
            .parse()
            .map_err(|e| format!("illegal non-numeric version component {comp:?} in {s:?}: {e}"))?;
        numbers.push(n);
    }
    Ok(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_helm_4_1_4() {
        let c = Capabilities::default();
        assert_eq!(c.kube_version.version, "v1.35.0");
        assert_eq!(c.kube_version.major, "1");
        assert_eq!(c.kube_version.minor, "35");
        assert!(c.has_api_version("apps/v1"));
        assert!(c.has_api_version("v1"));
        assert!(!c.has_api_version("apps/v1/Deployment"));
        assert_eq!(c.api_versions.len(), DEFAULT_API_VERSIONS.len());
    }

    #[test]
    fn parse_accepts_generic_versions() {
        let k = parse_kube_version("1.29").unwrap();
        assert_eq!(
            (k.version.as_str(), k.major.as_str(), k.minor.as_str()),
            ("v1.29", "1", "29")
        );
        let k = parse_kube_version("v1.29.3").unwrap();
        assert_eq!(k.version, "v1.29.3");
        let k = parse_kube_version("1.29.3-gke.1").unwrap();
        assert_eq!(k.version, "v1.29.3-gke.1");
        assert_eq!(k.normalized(), "v1.29.3");
        let k = parse_kube_version("v1.29.03").unwrap();
        assert_eq!(k.normalized(), "v1.29.3");
        let k = parse_kube_version("1.29.x").unwrap();
        assert_eq!((k.minor.as_str(), k.normalized().as_str()), ("29", "v1.29"));
        assert_eq!(KubeVersion::default().normalized(), "v1.35.0");
    }

    #[test]
    fn parse_rejects_like_k8s() {
        assert_eq!(
            parse_kube_version("1").unwrap_err(),
            "illegal version string \"1\""
        );
        assert_eq!(
            parse_kube_version("abc").unwrap_err(),
            "could not parse \"abc\" as version"
        );
        assert!(
            parse_kube_version("01.2")
                .unwrap_err()
                .contains("zero-prefixed")
        );
        assert!(parse_kube_version("").is_err());
    }

    #[test]
    fn extra_api_versions_are_appended() {
        let c = Capabilities::default().with_api_versions(["foo.io/v1", "apps/v1"]);
        assert_eq!(c.api_versions.len(), DEFAULT_API_VERSIONS.len() + 2);
        assert_eq!(c.api_versions.last().map(String::as_str), Some("apps/v1"));
        assert!(c.has_api_version("foo.io/v1"));
    }

    /// Differential check against helm: the default API list and version.
    #[test]
    fn matches_helm_defaults() {
        let Ok(helm) = std::env::var("HELM_REF") else {
            eprintln!("skipped: HELM_REF is not set");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("c");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(
            chart.join("templates/a.yaml"),
            "# {{ .Capabilities.KubeVersion.Version }}{{ range .Capabilities.APIVersions }} {{ . }}{{ end }}\n",
        )
        .unwrap();
        let out = std::process::Command::new(helm)
            .args(["template", "r"])
            .arg(&chart)
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let line = text.lines().find(|l| l.starts_with("# v")).unwrap();
        let mut words = line.split_whitespace().skip(1);
        assert_eq!(words.next(), Some(DEFAULT_KUBE_VERSION));
        let apis: Vec<&str> = words.collect();
        assert_eq!(apis, DEFAULT_API_VERSIONS);
    }
}
