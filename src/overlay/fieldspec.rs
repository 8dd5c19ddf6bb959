//! Field specs: which fields of which kinds a transformer touches, and the
//! walk that reaches them (kustomize's `api/filters/fieldspec`).

use super::resource::Gvk;
use crate::value::Value;

/// Default field specs of the builtin transformers, in the
/// transformer-config schema that `configurations:` files use.
const BUILTIN_FIELD_SPECS: &str = include_str!("builtin_fieldspecs.yaml");

/// One field spec: a slash-separated path, restricted to a gvk, optionally
/// creating missing fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Group filter (empty = any).
    pub group: String,
    /// Version filter (empty = any).
    pub version: String,
    /// Kind filter (empty = any).
    pub kind: String,
    /// The path as written (`spec/template/metadata/labels`).
    pub path: String,
    /// Path segments; `\/` in the written path escapes a slash.
    pub segments: Vec<String>,
    /// Create missing fields along the path.
    pub create: bool,
}

impl FieldSpec {
    /// A spec for any kind.
    pub fn any(path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            group: String::new(),
            version: String::new(),
            kind: String::new(),
            path: path.to_string(),
            segments: split_path(path),
            create,
        }
    }

    /// Reads a spec from its config form (`{path, group, version, kind, create}`).
    pub fn from_value(v: &Value) -> Result<FieldSpec, String> {
        let m = v
            .as_map()
            .ok_or_else(|| format!("field spec must be a map, got {}", v.type_name()))?;
        let get = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let path = get("path");
        Ok(FieldSpec {
            group: get("group"),
            version: get("version"),
            kind: get("kind"),
            segments: split_path(&path),
            path,
            create: m.get("create").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// Whether the spec applies to a resource of this gvk.
    pub fn selects(&self, gvk: &Gvk) -> bool {
        gvk.is_selected_by(&self.group, &self.version, &self.kind)
    }

    /// Walks the path in `obj`, calling `set` on every field reached.
    /// `create_leaf` is the node created for a missing last field when the
    /// spec creates (kustomize's `CreateKind`); `None` never creates.
    pub fn apply(
        &self,
        obj: &mut Value,
        create_leaf: Option<&Value>,
        set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
    ) -> Result<(), String> {
        walk(obj, &self.segments, self.create, create_leaf, set)
            .map_err(|e| format!("considering field '{}': {e}", self.path))
    }
}

/// Splits `a/b\/c/d` into `a`, `b/c`, `d`.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn walk(
    node: &mut Value,
    path: &[String],
    create: bool,
    create_leaf: Option<&Value>,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return set(node);
    };
    match node {
        Value::Null => Ok(()),
        // A sequence on the way is walked element by element, with or
        // without a `[]` marker in the path.
        Value::Seq(items) => {
            for item in items {
                walk(item, path, create, create_leaf, set)?;
            }
            Ok(())
        }
        Value::Map(map) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (first.as_str(), false),
            };
            if name.is_empty() {
                return Err("cannot set or create an empty field name".to_string());
            }
            let creating: Option<Value> = match create_leaf {
                Some(leaf) if create && !is_seq => Some(if rest.is_empty() {
                    leaf.clone()
                } else {
                    Value::new_map()
                }),
                _ => None,
            };
            match creating {
                None => match map.get_mut(name) {
                    Some(field) => walk(field, rest, create, create_leaf, set),
                    None => Ok(()),
                },
                Some(fresh) => {
                    let field = map.entry(name.to_string()).or_insert(Value::Null);
                    if field.is_null() {
                        *field = fresh;
                    }
                    walk(field, rest, create, create_leaf, set)
                }
            }
        }
        _ => Err("expected sequence or mapping node".to_string()),
    }
}

/// A back reference: fields (of any kind) that hold the name of a resource
/// of kind `gvk` (kustomize's `NameBackReferences`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameBackRef {
    /// The referred-to kind.
    pub gvk: Gvk,
    /// Where referrers hold the name.
    pub referrers: Vec<FieldSpec>,
}

/// Field specs of every builtin transformer (kustomize's
/// `TransformerConfig`), the defaults merged with `configurations:` files.
#[derive(Debug, Clone, Default)]
pub struct TransformerConfig {
    /// `namePrefix`.
    pub name_prefix: Vec<FieldSpec>,
    /// `nameSuffix`.
    pub name_suffix: Vec<FieldSpec>,
    /// `namespace`.
    pub namespace: Vec<FieldSpec>,
    /// `commonLabels` (metadata, selectors, templates).
    pub common_labels: Vec<FieldSpec>,
    /// `templateLabels` (metadata and templates).
    pub template_labels: Vec<FieldSpec>,
    /// `labels` (extra specs for `labels:` entries).
    pub labels: Vec<FieldSpec>,
    /// `commonAnnotations`.
    pub common_annotations: Vec<FieldSpec>,
    /// `nameReference`.
    pub name_reference: Vec<NameBackRef>,
    /// `varReference`.
    pub var_reference: Vec<FieldSpec>,
    /// `images`.
    pub images: Vec<FieldSpec>,
    /// `replicas`.
    pub replicas: Vec<FieldSpec>,
}

impl TransformerConfig {
    /// The builtin defaults.
    pub fn builtin() -> TransformerConfig {
        // Read once per process: every kustomization of a build starts
        // from these defaults.
        static BUILTIN: std::sync::OnceLock<TransformerConfig> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let doc = crate::yaml::parse_document(BUILTIN_FIELD_SPECS).unwrap_or(Value::Null);
                // The embedded table is ours and is covered by a unit test, so
                // a parse failure cannot reach users.
                let mut tc = TransformerConfig::from_value(&doc).unwrap_or_default();
                tc.sort_fields();
                tc
            })
            .clone()
    }

    /// Reads a transformer-config document.
    pub fn from_value(doc: &Value) -> Result<TransformerConfig, String> {
        let mut tc = TransformerConfig::default();
        let Some(map) = doc.as_map() else {
            return if doc.is_null() {
                Ok(tc)
            } else {
                Err("transformer config must be a map".to_string())
            };
        };
        for (key, v) in map {
            let specs = |v: &Value| -> Result<Vec<FieldSpec>, String> {
                match v {
                    Value::Null => Ok(Vec::new()),
                    Value::Seq(items) => items.iter().map(FieldSpec::from_value).collect(),
                    _ => Err(format!("{key}: expected a list of field specs")),
                }
            };
            match key.as_str() {
                "namePrefix" => tc.name_prefix = specs(v)?,
                "nameSuffix" => tc.name_suffix = specs(v)?,
                "namespace" => tc.namespace = specs(v)?,
                "commonLabels" => tc.common_labels = specs(v)?,
                "templateLabels" => tc.template_labels = specs(v)?,
                "labels" => tc.labels = specs(v)?,
                "commonAnnotations" => tc.common_annotations = specs(v)?,
                "varReference" => tc.var_reference = specs(v)?,
                "images" => tc.images = specs(v)?,
                "replicas" => tc.replicas = specs(v)?,
                "nameReference" => {
                    for item in v.as_seq_slice() {
                        let gvk = Gvk {
                            group: super::resource::str_field(item, "group").to_string(),
                            version: super::resource::str_field(item, "version").to_string(),
                            kind: super::resource::str_field(item, "kind").to_string(),
                        };
                        let referrers = match item.as_map().and_then(|m| m.get("fieldSpecs")) {
                            Some(fs) => specs(fs)?,
                            None => Vec::new(),
                        };
                        tc.name_reference.push(NameBackRef { gvk, referrers });
                    }
                }
                other => return Err(format!("unknown transformer config field `{other}`")),
            }
        }
        tc.sort_fields();
        Ok(tc)
    }

    /// Merges `other` into this config (kustomize's `TransformerConfig.Merge`):
    /// each list takes the incoming specs with [`merge_field_specs`], back
    /// references of the same gvk are combined, then every list is sorted
    /// by gvk (`sortFields`).
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<(), String> {
        merge_field_specs(&mut self.name_prefix, &other.name_prefix)?;
        merge_field_specs(&mut self.name_suffix, &other.name_suffix)?;
        merge_field_specs(&mut self.namespace, &other.namespace)?;
        merge_field_specs(&mut self.common_annotations, &other.common_annotations)?;
        merge_field_specs(&mut self.common_labels, &other.common_labels)?;
        merge_field_specs(&mut self.labels, &other.labels)?;
        merge_field_specs(&mut self.template_labels, &other.template_labels)?;
        merge_field_specs(&mut self.var_reference, &other.var_reference)?;
        for br in &other.name_reference {
            match self.name_reference.iter_mut().find(|x| x.gvk == br.gvk) {
                Some(existing) => merge_field_specs(&mut existing.referrers, &br.referrers)?,
                None => self.name_reference.push(br.clone()),
            }
        }
        merge_field_specs(&mut self.images, &other.images)?;
        merge_field_specs(&mut self.replicas, &other.replicas)?;
        self.sort_fields();
        Ok(())
    }

    /// kustomize's `sortFields`: every list ordered by gvk (kind rank of the
    /// legacy order first, then `group_version_kind`).
    pub fn sort_fields(&mut self) {
        for list in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.common_annotations,
            &mut self.var_reference,
            &mut self.images,
            &mut self.replicas,
        ] {
            list.sort_by(|a, b| gvk_order(&a.gvk(), &b.gvk()));
        }
        self.name_reference
            .sort_by(|a, b| gvk_order(&a.gvk, &b.gvk));
    }
}

impl FieldSpec {
    /// The spec's gvk filter.
    pub fn gvk(&self) -> Gvk {
        Gvk {
            group: self.group.clone(),
            version: self.version.clone(),
            kind: self.kind.clone(),
        }
    }
}

/// kustomize's `Gvk.IsLessThan`, as an ordering.
fn gvk_order(a: &Gvk, b: &Gvk) -> std::cmp::Ordering {
    let rank = |k: &str| -> i64 {
        let first = super::sort::DEFAULT_ORDER_FIRST;
        let last = super::sort::DEFAULT_ORDER_LAST;
        if let Some(i) = first.iter().position(|x| *x == k) {
            return i as i64 - first.len() as i64;
        }
        if let Some(i) = last.iter().position(|x| *x == k) {
            return 1 + i as i64;
        }
        0
    };
    rank(&a.kind)
        .cmp(&rank(&b.kind))
        .then_with(|| a.sort_string().cmp(&b.sort_string()))
}

/// Appends incoming specs unless an existing spec with the same path is
/// selected by the incoming spec's gvk — so a general spec arriving after a
/// kind-specific one for the same path is dropped, a kustomize quirk
/// (`FsSlice.MergeOne` / `effectivelyEquals`) that lets `configurations:`
/// narrow the defaults. Differing `create` flags conflict.
pub fn merge_field_specs(into: &mut Vec<FieldSpec>, from: &[FieldSpec]) -> Result<(), String> {
    for x in from {
        let gvk = x.gvk();
        match into.iter().find(|e| {
            e.path == x.path && e.gvk().is_selected_by(&gvk.group, &gvk.version, &gvk.kind)
        }) {
            Some(e) if e.create != x.create => return Err("conflicting fieldspecs".to_string()),
            Some(_) => {}
            None => into.push(x.clone()),
        }
    }
    Ok(())
}

/// Field specs from the `x-kubernetes-*` hints of OpenAPI definitions
/// (kustomize's `crds:` field, `LoadConfigFromCRDs`): for every
/// definition that looks like a Kubernetes type (`kind`, `apiVersion`,
/// `metadata` properties), properties marked `x-kubernetes-annotation`,
/// `-label-selector`, `-identity` or `-object-ref-api-version` +
/// `-object-ref-kind` become annotation, label, name-prefix or
/// name-reference specs; `$ref`s are followed.
pub fn config_from_openapi_definitions(doc: &Value) -> Result<TransformerConfig, String> {
    let defs = doc
        .as_map()
        .ok_or("expected a map of OpenAPI definitions")?;
    let mut result = TransformerConfig::default();
    for (name, api) in defs {
        let props = api.get_path("Schema.properties").and_then(Value::as_map);
        let Some(props) = props else { continue };
        if !(props.contains_key("kind")
            && props.contains_key("apiVersion")
            && props.contains_key("metadata"))
        {
            continue;
        }
        let kind = name.rsplit('.').next().unwrap_or(name).to_string();
        let mut tc = TransformerConfig::default();
        load_definition(&mut tc, &kind, defs, name, &mut Vec::new(), 0)?;
        result.merge(&tc)?;
    }
    Ok(result)
}

fn load_definition(
    tc: &mut TransformerConfig,
    kind: &str,
    defs: &crate::value::Map,
    type_name: &str,
    path: &mut Vec<String>,
    depth: usize,
) -> Result<(), String> {
    // Self-referencing schemas would recurse forever; kustomize's own
    // walk has no guard, real definitions are shallow.
    if depth > 32 {
        return Ok(());
    }
    let Some(props) = defs
        .get(type_name)
        .and_then(|d| d.get_path("Schema.properties"))
        .and_then(Value::as_map)
    else {
        return Ok(());
    };
    for (prop, p) in props {
        let has = |k: &str| {
            p.as_map()
                .and_then(|m| m.get(k))
                .map(super::resource::scalar_text)
        };
        path.push(prop.clone());
        let spec = |extra: Option<&str>| {
            let mut segs = path.clone();
            if let Some(e) = extra {
                segs.push(e.to_string());
            }
            FieldSpec {
                group: String::new(),
                version: String::new(),
                kind: kind.to_string(),
                path: segs.join("/"),
                segments: segs,
                create: false,
            }
        };
        if has("x-kubernetes-annotation").is_some() {
            merge_field_specs(&mut tc.common_annotations, &[spec(None)])?;
        }
        if has("x-kubernetes-label-selector").is_some() {
            merge_field_specs(&mut tc.common_labels, &[spec(None)])?;
        }
        if has("x-kubernetes-identity").is_some() {
            merge_field_specs(&mut tc.name_prefix, &[spec(None)])?;
        }
        if let (Some(version), Some(ref_kind)) = (
            has("x-kubernetes-object-ref-api-version"),
            has("x-kubernetes-object-ref-kind"),
        ) {
            let key = has("x-kubernetes-object-ref-name-key").unwrap_or_else(|| "name".to_string());
            let other = TransformerConfig {
                name_reference: vec![NameBackRef {
                    gvk: Gvk {
                        group: String::new(),
                        version,
                        kind: ref_kind,
                    },
                    referrers: vec![spec(Some(&key))],
                }],
                ..TransformerConfig::default()
            };
            tc.merge(&other)?;
        }
        if let Some(r) = has("$ref") {
            load_definition(tc, kind, defs, &r, path, depth + 1)?;
        }
        path.pop();
    }
    Ok(())
}

/// Small conveniences over [`Value`] used by the overlay code.
pub(crate) trait ValueExt {
    /// The items of a sequence, or nothing.
    fn as_seq_slice(&self) -> &[Value];
}

impl ValueExt for Value {
    fn as_seq_slice(&self) -> &[Value] {
        match self {
            Value::Seq(items) => items,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses() {
        let doc = crate::yaml::parse_document(BUILTIN_FIELD_SPECS).unwrap();
        let tc = TransformerConfig::from_value(&doc).unwrap();
        assert_eq!(tc.common_labels.len(), 32);
        assert_eq!(tc.name_reference.len(), 16);
        assert_eq!(tc.images.len(), 6);
        assert!(tc.name_reference.iter().any(|b| b.gvk.kind == "Secret"));
    }

    #[test]
    fn split_path_honours_escaped_slash() {
        assert_eq!(
            split_path("metadata/annotations/a.io\\/b"),
            vec!["metadata", "annotations", "a.io/b"]
        );
    }

    #[test]
    fn walk_creates_maps_and_visits_sequences() {
        let mut v =
            crate::yaml::parse_document("spec:\n  c:\n  - {image: a}\n  - {image: b}\n").unwrap();
        let spec = FieldSpec::any("spec/c[]/image", true);
        let mut seen = Vec::new();
        spec.apply(&mut v, Some(&Value::Null), &mut |n| {
            seen.push(n.as_str().unwrap().to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec!["a", "b"]);
        let mut w = crate::yaml::parse_document("kind: X\n").unwrap();
        FieldSpec::any("metadata/labels", true)
            .apply(&mut w, Some(&Value::new_map()), &mut |n| {
                assert!(n.as_map().is_some());
                Ok(())
            })
            .unwrap();
        assert!(w.get_path("metadata.labels").is_some());
    }
}
