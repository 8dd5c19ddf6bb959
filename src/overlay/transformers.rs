//! The builtin field transformers: namespace, name prefix/suffix, labels,
//! annotations, images and replicas (kustomize's `api/filters/*` and
//! `api/internal/builtins/*Transformer.go`).

use super::fieldspec::FieldSpec;
use super::resource::{Resource, ResourceList, scalar_text};
use crate::value::Value;

/// Which `subjects` of (Cluster)RoleBindings get the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoleBindingSubjects {
    /// Only subjects named `default` (kustomize's default).
    #[default]
    DefaultOnly,
    /// Every ServiceAccount subject.
    AllServiceAccounts,
    /// None.
    None,
}

/// Sets `ns` on every resource not known to be cluster-scoped, plus the
/// namespace field specs (kustomize's NamespaceTransformer).
pub fn set_namespace(
    list: &mut ResourceList,
    ns: &str,
    specs: &[FieldSpec],
    subjects: RoleBindingSubjects,
    unset_only: bool,
) -> Result<(), String> {
    if ns.is_empty() {
        return Ok(());
    }
    let new = Value::String(ns.to_string());
    let mut setter = |v: &mut Value| -> Result<(), String> {
        if unset_only && !matches!(v, Value::Null) && !scalar_text(v).is_empty() {
            return Ok(());
        }
        match v {
            Value::Map(_) | Value::Seq(_) => {
                Err("namespace field specs must target scalar nodes".to_string())
            }
            _ => {
                *v = new.clone();
                Ok(())
            }
        }
    };
    for r in &mut list.items {
        if r.value.as_map().is_none_or(|m| m.is_empty()) {
            continue;
        }
        r.store_previous_id();
        let gvk = r.gvk();
        if !gvk.is_cluster_scoped() {
            FieldSpec::any("metadata/namespace", true).apply(
                &mut r.value,
                Some(&Value::Null),
                &mut setter,
            )?;
        }
        let is_binding = gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding";
        if is_binding
            && subjects != RoleBindingSubjects::None
            && let Some(Value::Seq(items)) =
                r.value.as_map_mut().and_then(|m| m.get_mut("subjects"))
        {
            for s in items {
                let hit = match subjects {
                    RoleBindingSubjects::DefaultOnly => {
                        super::resource::str_field(s, "name") == "default"
                    }
                    _ => super::resource::str_field(s, "kind") == "ServiceAccount",
                };
                if hit && let Some(m) = s.as_map_mut() {
                    let slot = m.entry("namespace".to_string()).or_insert(Value::Null);
                    setter(slot)?;
                }
            }
        }
        let api_version = r.api_version().to_string();
        for spec in specs {
            if spec.path == "metadata/namespace" {
                continue;
            }
            // Only `v1` Namespace objects get renamed (removeUnneededMetaFieldSpecs).
            if spec.path == "metadata/name" && api_version != "v1" {
                continue;
            }
            if is_binding && spec.path == "subjects/namespace" {
                continue;
            }
            if !spec.selects(&gvk) {
                continue;
            }
            spec.apply(&mut r.value, Some(&Value::Null), &mut setter)?;
        }
    }
    // kustomize: "namespace transformation produces ID conflict".
    let mut seen = crate::hashing::HashSet::default();
    for r in &list.items {
        let id = r.cur_id();
        if !seen.insert(id.key()) {
            return Err(format!(
                "namespace transformation produces ID conflict: {id}"
            ));
        }
    }
    Ok(())
}

/// Adds a name prefix or suffix through the field specs (kustomize's
/// Prefix/SuffixTransformer). CRDs, APIServices and Namespaces keep their
/// names (`prefixFieldSpecsToSkip`).
pub fn add_name_affix(
    list: &mut ResourceList,
    affix: &str,
    is_prefix: bool,
    specs: &[FieldSpec],
) -> Result<(), String> {
    if affix.is_empty() {
        return Ok(());
    }
    for r in &mut list.items {
        let org = r.org_id();
        let skip = org.gvk.kind == "CustomResourceDefinition"
            || org.gvk.kind == "Namespace"
            || (org.gvk.kind == "APIService" && org.gvk.group == "apiregistration.k8s.io");
        if skip {
            continue;
        }
        for spec in specs {
            if !spec.selects(&org.gvk) {
                continue;
            }
            if spec.path == "metadata/name" {
                if is_prefix {
                    r.prefixes.push(affix.to_string());
                } else {
                    r.suffixes.push(affix.to_string());
                }
                r.store_previous_id();
            }
            let mut set = |v: &mut Value| -> Result<(), String> {
                let old = scalar_text(v);
                *v = Value::String(if is_prefix {
                    format!("{affix}{old}")
                } else {
                    format!("{old}{affix}")
                });
                Ok(())
            };
            spec.apply(&mut r.value, Some(&Value::Null), &mut set)?;
        }
    }
    Ok(())
}

/// Sets map entries (labels or annotations) through field specs, creating
/// the maps where the spec says so (kustomize's labels/annotations filters).
pub fn set_entries(
    list: &mut ResourceList,
    pairs: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for r in &mut list.items {
        set_entries_on(r, &sorted, specs)?;
    }
    Ok(())
}

/// Sets one `metadata.labels` entry on a resource.
pub fn set_entries_one(r: &mut Resource, key: &str, value: &str) {
    if let Some(meta) = r.metadata_mut() {
        let labels = meta
            .entry("labels".to_string())
            .or_insert_with(Value::new_map);
        if labels.is_null() {
            *labels = Value::new_map();
        }
        if let Some(m) = labels.as_map_mut() {
            m.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
}

fn set_entries_on(
    r: &mut Resource,
    pairs: &[&(String, String)],
    specs: &[FieldSpec],
) -> Result<(), String> {
    let gvk = r.gvk();
    let empty = Value::new_map();
    for spec in specs {
        if !spec.selects(&gvk) {
            continue;
        }
        spec.apply(&mut r.value, Some(&empty), &mut |v| {
            if v.is_null() {
                *v = Value::new_map();
            }
            match v.as_map_mut() {
                Some(m) => {
                    for (k, val) in pairs {
                        m.insert(k.clone(), Value::String(val.clone()));
                    }
                    Ok(())
                }
                None => Err(format!(
                    "wrong node kind: expected MappingNode but got {}",
                    v.type_name()
                )),
            }
        })
        .map_err(|e| format!("{e} of object {}", r_id(&gvk, &r_name(&r.value))))?;
    }
    Ok(())
}

fn r_name(v: &Value) -> String {
    v.get_path("metadata.name")
        .map(scalar_text)
        .unwrap_or_default()
}

fn r_id(gvk: &super::resource::Gvk, name: &str) -> String {
    format!("{}.{}.{}/{}", gvk.kind, gvk.version, gvk.group, name)
}

/// One `images:` entry.
#[derive(Debug, Clone, Default)]
pub struct ImageRule {
    /// Image name to match.
    pub name: String,
    /// Replacement name.
    pub new_name: String,
    /// Replacement tag.
    pub new_tag: String,
    /// Replacement digest.
    pub digest: String,
    /// Appended to the tag.
    pub tag_suffix: String,
}

impl ImageRule {
    /// Reads an `images:` entry.
    pub fn from_value(v: &Value) -> ImageRule {
        let g = |k: &str| {
            v.as_map()
                .and_then(|m| m.get(k))
                .map(scalar_text)
                .unwrap_or_default()
        };
        ImageRule {
            name: g("name"),
            new_name: g("newName"),
            new_tag: g("newTag"),
            digest: g("digest"),
            tag_suffix: g("tagSuffix"),
        }
    }

    /// The updated image reference, or `None` when `image` does not match
    /// (kustomize `IsImageMatched` + `imageTagUpdater`). The name is used
    /// as a regular expression unescaped, as kustomize does.
    fn rewrite(&self, re: &regex::Regex, image: &str) -> Option<String> {
        if !re.is_match(image) {
            return None;
        }
        let (mut name, mut tag, mut digest) = split_image(image);
        if !self.new_name.is_empty() {
            name = self.new_name.clone();
        }
        if !self.new_tag.is_empty() && !self.digest.is_empty() {
            tag = self.new_tag.clone();
            digest = self.digest.clone();
        } else if !self.new_tag.is_empty() {
            tag = self.new_tag.clone();
            digest.clear();
        } else if !self.digest.is_empty() {
            tag.clear();
            digest = self.digest.clone();
        } else if !self.tag_suffix.is_empty() {
            tag.push_str(&self.tag_suffix);
            digest.clear();
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        Some(name)
    }
}

/// Splits `host:port/name:tag@digest` into name, tag and digest, looking for
/// `:` and `@` only after the first `/` (kustomize `image.Split`).
pub fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = &image[slash..];
    let id = search.find('@');
    let ic = search.find(':');
    match (ic, id) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (None, Some(d)) => {
            let d = d + slash;
            (
                image[..d].to_string(),
                String::new(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), Some(d)) if d < c => {
            let d = d + slash;
            (
                image[..d].to_string(),
                String::new(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), Some(d)) => {
            let (c, d) = (c + slash, d + slash);
            (
                image[..c].to_string(),
                image[c + 1..d].to_string(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), None) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
    }
}

/// Applies one `images:` rule to every resource: first to any
/// `containers`/`initContainers` list at any depth (kustomize's
/// LegacyFilter, skipping CRDs), then through the image field specs.
pub fn set_images(
    list: &mut ResourceList,
    rule: &ImageRule,
    specs: &[FieldSpec],
) -> Result<(), String> {
    let re = regex::Regex::new(&format!(
        "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
        rule.name
    ))
    .map_err(|e| format!("invalid image name {:?}: {e}", rule.name))?;
    for r in &mut list.items {
        if r.kind() != "CustomResourceDefinition" {
            legacy_walk(&mut r.value, rule, &re)?;
        }
        let gvk = r.gvk();
        for spec in specs {
            if !spec.selects(&gvk) {
                continue;
            }
            spec.apply(&mut r.value, None, &mut |v| match v {
                Value::Map(_) | Value::Seq(_) => Err("image must be a scalar".to_string()),
                _ => {
                    if let Some(new) = rule.rewrite(&re, &scalar_text(v)) {
                        *v = Value::String(new);
                    }
                    Ok(())
                }
            })?;
        }
    }
    Ok(())
}

fn legacy_walk(v: &mut Value, rule: &ImageRule, re: &regex::Regex) -> Result<(), String> {
    match v {
        Value::Map(m) => {
            for (k, child) in m.iter_mut() {
                legacy_walk(child, rule, re)?;
                if (k == "containers" || k == "initContainers")
                    && let Value::Seq(items) = child
                {
                    for item in items {
                        if let Some(img) = item.as_map_mut().and_then(|m| m.get_mut("image")) {
                            match img {
                                Value::Map(_) | Value::Seq(_) => {
                                    return Err("image must be a scalar".to_string());
                                }
                                _ => {
                                    if let Some(new) = rule.rewrite(re, &scalar_text(img)) {
                                        *img = Value::String(new);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items {
                legacy_walk(item, rule, re)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Sets the replica count of resources named `name` (any previous name
/// counts) through the replicas field specs; an error when nothing
/// matches (kustomize's ReplicaCountTransformer).
pub fn set_replicas(
    list: &mut ResourceList,
    name: &str,
    count: &Value,
    specs: &[FieldSpec],
) -> Result<(), String> {
    let mut found = false;
    for spec in specs {
        for r in &mut list.items {
            // The name first: it rejects nearly every resource without
            // building ids.
            if r.name() != name && !r.prev_ids.iter().any(|p| p.name == name) {
                continue;
            }
            let cur = r.cur_id();
            let hit = std::iter::once(cur)
                .chain(r.prev_res_ids())
                .any(|id| id.name == name && spec.selects(&id.gvk));
            if !hit {
                continue;
            }
            found = true;
            spec.apply(&mut r.value, Some(&Value::Null), &mut |v| {
                *v = count.clone();
                Ok(())
            })?;
        }
    }
    if !found {
        let gvks: Vec<String> = specs
            .iter()
            .map(|s| format!("{}.{}.{}", s.kind, s.version, s.group))
            .collect();
        return Err(format!(
            "resource with name {name} does not match a config with the following GVK [{}]",
            gvks.join(" ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_image_handles_registry_port() {
        assert_eq!(
            split_image("localhost:5000/app:1.0@sha256:abc"),
            (
                "localhost:5000/app".into(),
                "1.0".into(),
                "sha256:abc".into()
            )
        );
        assert_eq!(split_image("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(
            split_image("nginx@sha256:x"),
            ("nginx".into(), "".into(), "sha256:x".into())
        );
    }

    #[test]
    fn image_rule_new_tag_drops_digest() {
        let rule = ImageRule {
            name: "nginx".into(),
            new_tag: "1.2".into(),
            ..Default::default()
        };
        let re =
            regex::Regex::new("^nginx(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$").unwrap();
        assert_eq!(
            rule.rewrite(&re, "nginx@sha256:abc").as_deref(),
            Some("nginx:1.2")
        );
        assert_eq!(rule.rewrite(&re, "nginxx"), None);
    }
}
