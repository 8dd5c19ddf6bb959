//! Resources of a build and the list that holds them, with ids and indexes.

use crate::hashing::HashMap;
use crate::value::{Map, Value};

/// Group, version and kind of a resource (kustomize's `resid.Gvk`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Gvk {
    /// API group (`apps`; empty for the core group).
    pub group: String,
    /// API version (`v1`).
    pub version: String,
    /// Kind (`Deployment`).
    pub kind: String,
}

impl Gvk {
    /// Splits an `apiVersion` the way kustomize's `ParseGroupVersion` does:
    /// no slash means the core group.
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = split_api_version(api_version);
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// Whether this gvk is selected by `selector`, where empty fields of the
    /// selector match anything (kustomize's `Gvk.IsSelected`).
    pub fn is_selected_by(&self, group: &str, version: &str, kind: &str) -> bool {
        (group.is_empty() || group == self.group)
            && (version.is_empty() || version == self.version)
            && (kind.is_empty() || kind == self.kind)
    }

    /// Whether the kind is certainly cluster-scoped. kustomize consults a
    /// precomputed table of built-in types (kyaml/openapi/openapi.go
    /// `precomputedIsNamespaceScoped`); unknown kinds (custom resources)
    /// count as namespaced.
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.group, &self.kind)
    }

    /// kustomize's `Gvk.String()`: `Kind.version.group` with `[noGrp]`-style
    /// placeholders.
    pub fn id_string(&self) -> String {
        let g = if self.group.is_empty() {
            "[noGrp]"
        } else {
            &self.group
        };
        let v = if self.version.is_empty() {
            "[noVer]"
        } else {
            &self.version
        };
        let k = if self.kind.is_empty() {
            "[noKind]"
        } else {
            &self.kind
        };
        format!("{k}.{v}.{g}")
    }

    /// `group_version_kind` string used by the legacy sort, with kustomize's
    /// `~G`, `~V`, `~K` placeholders for empty parts.
    pub fn sort_string(&self) -> String {
        let g = if self.group.is_empty() {
            "~G"
        } else {
            &self.group
        };
        let v = if self.version.is_empty() {
            "~V"
        } else {
            &self.version
        };
        let k = if self.kind.is_empty() {
            "~K"
        } else {
            &self.kind
        };
        format!("{g}_{v}_{k}")
    }
}

/// `apiVersion` → (group, version); no slash means the core group.
fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    CLUSTER_SCOPED
        .iter()
        .any(|(g, k)| *k == kind && *g == group)
}

/// Built-in cluster-scoped (group, kind) pairs, from kustomize's precomputed
/// scope table (all API versions of a kind share the scope).
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("networking.k8s.io", "IngressClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "NodeProxyOptions"),
    ("", "PersistentVolume"),
];

/// A previous identity of a resource, recorded before a transformer renames
/// it (kustomize keeps these in `internal.config.kubernetes.io/previous*`
/// annotations); name references resolve through them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrevId {
    /// Name before the change.
    pub name: String,
    /// Namespace before the change (`default` when unset).
    pub namespace: String,
    /// Kind before the change.
    pub kind: String,
}

/// One resource of a build: its document plus the bookkeeping kustomize
/// keeps in internal annotations.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The document.
    pub value: Value,
    /// Identities this resource had before renames, oldest first.
    pub prev_ids: Vec<PrevId>,
    /// Name prefixes applied so far, innermost first.
    pub prefixes: Vec<String>,
    /// Name suffixes applied so far, innermost first.
    pub suffixes: Vec<String>,
    /// Generated with a content-hash name suffix still to be appended.
    pub needs_hash: bool,
    /// Generator behavior (`create`, `merge`, `replace`) for generated resources.
    pub behavior: Option<String>,
    /// File the resource came from (for error messages).
    pub source: String,
    /// Names of the `vars` bound to this resource.
    pub ref_vars: Vec<String>,
    /// Where the resource came from (`config.kubernetes.io/origin`): a map
    /// with `path`, or `configuredIn` + `configuredBy` for generated ones.
    pub origin: Option<Value>,
    /// Transformers that ran over the resource
    /// (`alpha.config.kubernetes.io/transformations`).
    pub transformations: Vec<Value>,
}

/// Reads a string field of a map.
pub(crate) fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.as_map()
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

impl Resource {
    /// Wraps a document read from `source`.
    pub fn new(value: Value, source: impl Into<String>) -> Resource {
        Resource {
            value,
            prev_ids: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: None,
            source: source.into(),
            ref_vars: Vec::new(),
            origin: None,
            transformations: Vec::new(),
        }
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        str_field(&self.value, "kind")
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        str_field(&self.value, "apiVersion")
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.value
            .as_map()
            .and_then(|m| m.get("metadata"))
            .map(|m| str_field(m, "name"))
            .unwrap_or("")
    }

    /// `metadata.namespace` (empty when unset).
    pub fn namespace(&self) -> &str {
        self.value
            .as_map()
            .and_then(|m| m.get("metadata"))
            .map(|m| str_field(m, "namespace"))
            .unwrap_or("")
    }

    /// The current id, borrowed from the document: what the hot paths
    /// (indexes, id checks over every resource) compare without building
    /// a [`ResId`].
    pub fn id_ref(&self) -> IdRef<'_> {
        let (group, version) = split_api_version(self.api_version());
        IdRef {
            group,
            version,
            kind: self.kind(),
            name: self.name(),
            namespace: self.namespace(),
        }
    }

    /// Whether the current or a previous id equals `id` (kustomize's
    /// `resource.CurId().Equals(id) || any PrevIds().Equals(id)`), without
    /// allocating.
    pub fn has_id(&self, id: &ResId) -> bool {
        // Names first: one lookup rejects nearly every resource.
        let name = self.name();
        if name != id.name && !self.prev_ids.iter().any(|p| p.name == id.name) {
            return false;
        }
        let cur = self.id_ref();
        if cur.name == id.name && cur.equals(id) {
            return true;
        }
        self.prev_ids.iter().any(|p| {
            p.name == id.name
                && IdRef {
                    kind: &p.kind,
                    name: &p.name,
                    namespace: &p.namespace,
                    ..cur
                }
                .equals(id)
        })
    }

    /// The current group/version/kind.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    /// The current id.
    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// The original id: the first previous id, or the current one
    /// (kustomize's `OrgId`).
    pub fn org_id(&self) -> ResId {
        match self.prev_ids.first() {
            Some(p) => {
                let mut gvk = self.gvk();
                gvk.kind = p.kind.clone();
                ResId {
                    gvk,
                    name: p.name.clone(),
                    namespace: p.namespace.clone(),
                }
            }
            None => self.cur_id(),
        }
    }

    /// All previous ids (kustomize's `PrevIds`).
    pub fn prev_res_ids(&self) -> Vec<ResId> {
        let gvk = self.gvk();
        self.prev_ids
            .iter()
            .map(|p| ResId {
                gvk: Gvk {
                    kind: p.kind.clone(),
                    ..gvk.clone()
                },
                name: p.name.clone(),
                namespace: p.namespace.clone(),
            })
            .collect()
    }

    /// Records the current id as a previous one, before a rename
    /// (kustomize's `StorePreviousId`, which stores the effective namespace).
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.prev_ids.push(PrevId {
            namespace: id.effective_namespace().to_string(),
            name: id.name,
            kind: id.gvk.kind,
        });
    }

    /// The `metadata` map, created when missing.
    pub fn metadata_mut(&mut self) -> Option<&mut Map> {
        let map = self.value.as_map_mut()?;
        let meta = map
            .entry("metadata".to_string())
            .or_insert_with(Value::new_map);
        if meta.is_null() {
            *meta = Value::new_map();
        }
        meta.as_map_mut()
    }

    /// Sets `metadata.name`.
    pub fn set_name(&mut self, name: &str) {
        if let Some(meta) = self.metadata_mut() {
            meta.insert("name".to_string(), Value::String(name.to_string()));
        }
    }

    /// `metadata.labels` or `metadata.annotations` as string pairs.
    pub fn meta_map(&self, field: &str) -> Vec<(String, String)> {
        self.value
            .as_map()
            .and_then(|m| m.get("metadata"))
            .and_then(Value::as_map)
            .and_then(|m| m.get(field))
            .and_then(Value::as_map)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), scalar_text(v))).collect())
            .unwrap_or_default()
    }
}

/// The current id of a document that is not (yet) a [`Resource`].
pub(crate) fn id_of(v: &Value) -> ResId {
    let meta = v.as_map().and_then(|m| m.get("metadata"));
    let field = |k: &str| meta.map(|m| str_field(m, k)).unwrap_or("");
    ResId {
        gvk: Gvk::from_api_version(str_field(v, "apiVersion"), str_field(v, "kind")),
        name: field("name").to_string(),
        namespace: field("namespace").to_string(),
    }
}

/// The text of a scalar as kustomize (which keeps YAML scalars as text)
/// would see it.
pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::DocInt(i) => i.to_string(),
        Value::Float(f) => crate::yaml::format_go_float(*f),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// A resource id borrowed from a document (see [`Resource::id_ref`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdRef<'a> {
    /// API group.
    pub group: &'a str,
    /// API version.
    pub version: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Name.
    pub name: &'a str,
    /// Namespace as written (may be empty).
    pub namespace: &'a str,
}

impl IdRef<'_> {
    /// As [`ResId::effective_namespace`].
    pub fn effective_namespace(&self) -> &str {
        if is_cluster_scoped(self.group, self.kind) {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            self.namespace
        }
    }

    /// As [`ResId::equals`].
    pub fn equals(&self, other: &ResId) -> bool {
        self.name == other.name
            && self.kind == other.gvk.kind
            && self.group == other.gvk.group
            && self.version == other.gvk.version
            && self.effective_namespace() == other.effective_namespace()
    }

    /// Equality as [`ResId::equals`] between two borrowed ids.
    fn same(&self, other: &IdRef) -> bool {
        self.name == other.name
            && self.kind == other.kind
            && self.group == other.group
            && self.version == other.version
            && self.effective_namespace() == other.effective_namespace()
    }

    /// A hash consistent with [`IdRef::same`].
    fn hash_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            self.group,
            self.version,
            self.kind,
            self.name,
            self.effective_namespace(),
        )
            .hash(&mut h);
        h.finish()
    }

    /// An owned copy.
    pub fn to_res_id(&self) -> ResId {
        ResId {
            gvk: Gvk {
                group: self.group.to_string(),
                version: self.version.to_string(),
                kind: self.kind.to_string(),
            },
            name: self.name.to_string(),
            namespace: self.namespace.to_string(),
        }
    }
}

/// A resource id: gvk, name and namespace (kustomize's `resid.ResId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResId {
    /// Group, version, kind.
    pub gvk: Gvk,
    /// Name.
    pub name: String,
    /// Namespace as written (may be empty).
    pub namespace: String,
}

impl ResId {
    /// The namespace as kustomize compares them: a marker for cluster-scoped
    /// kinds, `default` for an unset one (`ResId.EffectiveNamespace`).
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// Equality as kustomize's `ResId.Equals` (unset namespace = `default`).
    pub fn equals(&self, other: &ResId) -> bool {
        self.gvk == other.gvk
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }

    /// Key for hash indexes, consistent with [`ResId::equals`].
    pub fn key(&self) -> (Gvk, String, String) {
        (
            self.gvk.clone(),
            self.name.clone(),
            self.effective_namespace().to_string(),
        )
    }
}

impl std::fmt::Display for ResId {
    /// kustomize's `ResId.String()`: `Kind.version.group/name.namespace`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        let g = if self.gvk.group.is_empty() {
            "[noGrp]"
        } else {
            &self.gvk.group
        };
        let v = if self.gvk.version.is_empty() {
            "[noVer]"
        } else {
            &self.gvk.version
        };
        write!(f, "{}.{}.{}/{}.{}", self.gvk.kind, v, g, self.name, ns)
    }
}

/// The ordered resources of a build.
#[derive(Debug, Clone, Default)]
pub struct ResourceList {
    /// Resources in accumulation order.
    pub items: Vec<Resource>,
}

impl ResourceList {
    /// An index from current id to position, for the lookups that would
    /// otherwise scan the list once per resource.
    pub fn id_index(&self) -> HashMap<(Gvk, String, String), usize> {
        let mut idx = HashMap::with_capacity_and_hasher(self.items.len(), Default::default());
        for (i, r) in self.items.iter().enumerate() {
            idx.entry(r.cur_id().key()).or_insert(i);
        }
        idx
    }

    /// Appends resources, rejecting an id that is already present
    /// (kustomize: "may not add resource with an already registered id").
    pub fn append_all(&mut self, other: Vec<Resource>) -> Result<(), String> {
        // Positions by a hash of the borrowed id; ids are compared in full
        // on a hash hit, so nothing is allocated per resource.
        let mut idx: HashMap<u64, Vec<usize>> =
            HashMap::with_capacity_and_hasher(self.items.len(), Default::default());
        for (i, r) in self.items.iter().enumerate() {
            idx.entry(r.id_ref().hash_key()).or_default().push(i);
        }
        for r in other {
            let id = r.id_ref();
            let key = id.hash_key();
            let slot = idx.entry(key).or_default();
            if slot.iter().any(|&i| self.items[i].id_ref().same(&id)) {
                return Err(format!(
                    "may not add resource with an already registered id: {}",
                    id.to_res_id()
                ));
            }
            slot.push(self.items.len());
            self.items.push(r);
        }
        Ok(())
    }
}
