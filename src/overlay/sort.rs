//! Output order: kustomize's legacy kind-based order or FIFO
//! (`api/internal/builtins/SortOrderTransformer.go`).

use super::resource::{Gvk, ResId, Resource};
use crate::hashing::HashMap;
use std::cmp::Ordering;

/// Kinds that come first, in this order, under the legacy sort.
pub const DEFAULT_ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// Kinds that come last under the legacy sort.
pub const DEFAULT_ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Sorts resources in kustomize's legacy order: `order_first` kinds first,
/// `order_last` kinds last, then by gvk string, then by
/// `gvk|namespace|name`.
pub fn legacy_sort(items: &mut Vec<Resource>, order_first: &[String], order_last: &[String]) {
    let mut ranks: HashMap<&str, i64> = HashMap::default();
    let n = order_first.len() as i64;
    for (i, k) in order_first.iter().enumerate() {
        ranks.insert(k, i as i64 - n);
    }
    for (i, k) in order_last.iter().enumerate() {
        ranks.insert(k, 1 + i as i64);
    }
    let mut keyed: Vec<(i64, String, String, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = r.cur_id();
            let rank = ranks.get(id.gvk.kind.as_str()).copied().unwrap_or(0);
            (rank, id.gvk.sort_string(), id_sort_string(&id), i)
        })
        .collect();
    let gvks: Vec<Gvk> = items.iter().map(Resource::gvk).collect();
    keyed.sort_by(|a, b| {
        let (ga, gb) = (&gvks[a.3], &gvks[b.3]);
        if ga != gb {
            if a.0 != b.0 {
                return a.0.cmp(&b.0);
            }
            // kustomize: two Namespace kinds where one has no group sort
            // in reverse gvk order.
            if ga.kind == "Namespace"
                && gb.kind == "Namespace"
                && (ga.group.is_empty() || gb.group.is_empty())
            {
                return b.1.cmp(&a.1);
            }
            return a.1.cmp(&b.1);
        }
        a.2.cmp(&b.2).then(Ordering::Equal)
    });
    let order: Vec<usize> = keyed.into_iter().map(|k| k.3).collect();
    // Move, not clone, the resources into their new places.
    let mut taken: Vec<Option<Resource>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

fn id_sort_string(id: &ResId) -> String {
    let ns = if id.namespace.is_empty() {
        "~X"
    } else {
        &id.namespace
    };
    let nm = if id.name.is_empty() { "~N" } else { &id.name };
    format!("{}|{ns}|{nm}", id.gvk.id_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::resource::Resource;

    fn res(api: &str, kind: &str, name: &str) -> Resource {
        let text = format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n");
        Resource::new(crate::yaml::parse_document(&text).unwrap(), "")
    }

    #[test]
    fn legacy_order_first_last_then_gvk_then_name() {
        let mut items = vec![
            res(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "w",
            ),
            res("apps/v1", "Deployment", "b"),
            res("v1", "Pod", "p"),
            res("apps/v1", "Deployment", "a"),
            res("v1", "Namespace", "ns"),
            res("v1", "ConfigMap", "c"),
        ];
        let first: Vec<String> = DEFAULT_ORDER_FIRST.iter().map(|s| s.to_string()).collect();
        let last: Vec<String> = DEFAULT_ORDER_LAST.iter().map(|s| s.to_string()).collect();
        legacy_sort(&mut items, &first, &last);
        let got: Vec<String> = items
            .iter()
            .map(|r| format!("{}/{}", r.kind(), r.name()))
            .collect();
        assert_eq!(
            got,
            [
                "Namespace/ns",
                "ConfigMap/c",
                "Deployment/a",
                "Deployment/b",
                "Pod/p",
                "ValidatingWebhookConfiguration/w"
            ]
        );
    }
}
