//! `.Capabilities`: the Kubernetes version and API versions a render assumes.

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

/// What the render assumes of the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    /// The Kubernetes version.
    pub kube_version: KubeVersion,
    /// Available API group/versions.
    pub api_versions: Vec<String>,
}
