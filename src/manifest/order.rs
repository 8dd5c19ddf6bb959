//! Helm's install order: the one table of kinds, and the sort that uses it.

use std::cmp::Ordering;

/// The order in which Helm installs (and `helm template` prints) resources,
/// by kind: Helm's `InstallOrder` (`pkg/release/v1/util/kind_sorter.go`).
/// Kinds not listed here come after all of these.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Position of a kind in [`INSTALL_ORDER`], if listed (case-sensitive, as in Helm).
pub fn install_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Helm's `lessByKind` as a total order: listed kinds by rank, then
/// unlisted kinds alphabetically by byte order (so the empty kind of a
/// comment-only document comes first among them). Equal kinds compare
/// equal, so a stable sort keeps file and in-file order.
pub fn compare_kinds(a: &str, b: &str) -> Ordering {
    match (install_rank(a), install_rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// Stable-sorts items by kind in install order (Helm sorts manifests and
/// hooks alike this way; hook weights play no part in `helm template`).
pub fn sort_by_install_order<T>(items: &mut [T], kind: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| compare_kinds(kind(a), kind(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_ranks() {
        assert_eq!(install_rank("PriorityClass"), Some(0));
        assert_eq!(
            install_rank("ValidatingWebhookConfiguration"),
            Some(INSTALL_ORDER.len() - 1)
        );
        assert!(install_rank("Service") < install_rank("Deployment"));
        assert_eq!(install_rank("service"), None);
    }

    #[test]
    fn unknown_kinds_last_alphabetically_empty_first_stable() {
        let mut items = vec![
            ("Zeta", 0),
            ("Deployment", 1),
            ("", 2),
            ("Alpha", 3),
            ("Namespace", 4),
            ("Deployment", 5),
            ("Alpha", 6),
            ("", 7),
            ("ValidatingWebhookConfiguration", 8),
        ];
        sort_by_install_order(&mut items, |i| i.0);
        let order: Vec<usize> = items.iter().map(|i| i.1).collect();
        assert_eq!(order, [4, 1, 5, 8, 2, 7, 3, 6, 0]);
    }

    #[test]
    fn uppercase_unknown_kinds_sort_before_lowercase() {
        let mut items = vec!["b", "B", "a", "A"];
        sort_by_install_order(&mut items, |s| s);
        assert_eq!(items, ["A", "B", "a", "b"]);
    }
}
