//! `replacements` (kustomize's `api/filters/replacement`) and the
//! deprecated `vars` (`api/filters/refvar`, resolved once at the top).

use super::fieldspec::FieldSpec;
use super::patches::label_selector_matches;
use super::resource::{Gvk, ResId, Resource, ResourceList, scalar_text, str_field};
use crate::value::{Map, Value};

/// A resource selector by exact id fields (kustomize's `ResId.IsSelectedBy`):
/// empty fields match anything.
#[derive(Debug, Clone, Default)]
struct IdSelector {
    group: String,
    version: String,
    kind: String,
    name: String,
    namespace: String,
    label_selector: String,
    annotation_selector: String,
}

impl IdSelector {
    fn from_value(v: &Value) -> IdSelector {
        let g = |k: &str| {
            v.as_map()
                .and_then(|m| m.get(k))
                .map(scalar_text)
                .unwrap_or_default()
        };
        let (mut group, mut version) = (g("group"), g("version"));
        let api_version = g("apiVersion");
        if !api_version.is_empty() {
            let gvk = Gvk::from_api_version(&api_version, "");
            group = gvk.group;
            version = gvk.version;
        }
        IdSelector {
            group,
            version,
            kind: g("kind"),
            name: g("name"),
            namespace: g("namespace"),
            label_selector: g("labelSelector"),
            annotation_selector: g("annotationSelector"),
        }
    }

    fn has_id(&self) -> bool {
        !(self.group.is_empty()
            && self.version.is_empty()
            && self.kind.is_empty()
            && self.name.is_empty()
            && self.namespace.is_empty())
    }

    fn selects_id(&self, id: &ResId) -> bool {
        let sel_ns = ResId {
            gvk: Gvk::default(),
            name: String::new(),
            namespace: self.namespace.clone(),
        };
        (self.name.is_empty() || self.name == id.name)
            && (self.namespace.is_empty()
                || sel_ns.effective_namespace() == id.effective_namespace())
            && id
                .gvk
                .is_selected_by(&self.group, &self.version, &self.kind)
    }

    fn selects_meta(&self, r: &Resource) -> Result<bool, String> {
        Ok(
            label_selector_matches(&self.annotation_selector, &r.meta_map("annotations"))?
                && label_selector_matches(&self.label_selector, &r.meta_map("labels"))?,
        )
    }
}

/// Current id plus previous ids (`utils.MakeResIds`).
fn all_ids(r: &Resource) -> Vec<ResId> {
    let mut ids = vec![r.cur_id()];
    ids.extend(r.prev_res_ids());
    ids
}

/// Splits a field path on `.` outside brackets (kyaml `SmarterPathSplitter`).
pub fn split_field_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                cur.push(c);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Looks up a field path without creating anything (kyaml `Lookup`):
/// `[k=v]` selects a list element, a number indexes a list.
pub fn lookup<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    let next = if let Some(inner) = first.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let (k, want) = inner.split_once('=')?;
        match v {
            Value::Seq(items) => items.iter().find(|it| {
                if k.is_empty() {
                    scalar_text(it) == want
                } else {
                    it.as_map()
                        .and_then(|m| m.get(k))
                        .map(scalar_text)
                        .as_deref()
                        == Some(want)
                }
            })?,
            _ => return None,
        }
    } else {
        match v {
            Value::Map(m) => m.get(first.as_str())?,
            Value::Seq(items) => items.get(first.parse::<usize>().ok()?)?,
            _ => return None,
        }
    };
    lookup(next, rest)
}

/// Visits every node a path matches (kyaml `PathMatcher`), creating missing
/// fields when `create` is set. Returns how many nodes were visited.
fn visit_path(
    v: &mut Value,
    path: &[String],
    create: Option<&Value>,
    f: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<usize, String> {
    let Some((first, rest)) = path.split_first() else {
        f(v)?;
        return Ok(1);
    };
    let fresh = |rest: &[String]| -> Value {
        match (rest.first(), create) {
            (None, Some(c)) => match c {
                Value::Map(_) => Value::new_map(),
                Value::Seq(_) => Value::Seq(Vec::new()),
                _ => Value::Null,
            },
            (Some(n), _) if n.starts_with('[') => Value::Seq(Vec::new()),
            _ => Value::new_map(),
        }
    };
    if first == "*" {
        let mut n = 0;
        match v {
            Value::Seq(items) => {
                for it in items {
                    n += visit_path(it, rest, create, f)?;
                }
            }
            Value::Map(m) => {
                for (_, it) in m.iter_mut() {
                    n += visit_path(it, rest, create, f)?;
                }
            }
            _ => {}
        }
        return Ok(n);
    }
    if let Some(inner) = first.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let Some((k, want)) = inner.split_once('=') else {
            return Ok(0);
        };
        if v.is_null() && create.is_some() {
            *v = Value::Seq(Vec::new());
        }
        let Value::Seq(items) = v else {
            return Ok(0);
        };
        let mut n = 0;
        for it in items.iter_mut() {
            let hit = if k.is_empty() {
                scalar_text(it) == want
            } else {
                it.as_map()
                    .and_then(|m| m.get(k))
                    .map(scalar_text)
                    .as_deref()
                    == Some(want)
            };
            if hit {
                n += visit_path(it, rest, create, f)?;
            }
        }
        if n == 0 && create.is_some() {
            let mut item = if k.is_empty() {
                Value::String(want.to_string())
            } else {
                let mut m = Map::default();
                m.insert(k.to_string(), Value::String(want.to_string()));
                Value::Map(m)
            };
            n += visit_path(&mut item, rest, create, f)?;
            items.push(item);
        }
        return Ok(n);
    }
    match v {
        Value::Map(m) => {
            if !m.contains_key(first.as_str()) {
                if create.is_none() {
                    return Ok(0);
                }
                m.insert(first.clone(), fresh(rest));
            }
            match m.get_mut(first.as_str()) {
                Some(child) => {
                    if child.is_null() && create.is_some() && !rest.is_empty() {
                        *child = fresh(rest);
                    }
                    visit_path(child, rest, create, f)
                }
                None => Ok(0),
            }
        }
        Value::Seq(items) => match first.parse::<usize>() {
            Ok(i) => match items.get_mut(i) {
                Some(it) => visit_path(it, rest, create, f),
                None => Ok(0),
            },
            Err(_) => Ok(0),
        },
        Value::Null if create.is_some() => {
            *v = Value::new_map();
            visit_path(v, path, create, f)
        }
        _ => Ok(0),
    }
}

#[derive(Debug, Clone, Default)]
struct FieldOptions {
    delimiter: String,
    index: i64,
    create: bool,
}

impl FieldOptions {
    fn from_value(v: Option<&Value>) -> FieldOptions {
        let Some(m) = v.and_then(Value::as_map) else {
            return FieldOptions::default();
        };
        FieldOptions {
            delimiter: m.get("delimiter").map(scalar_text).unwrap_or_default(),
            index: match m.get("index") {
                Some(Value::Int(i) | Value::DocInt(i)) => *i,
                _ => 0,
            },
            create: m.get("create").and_then(Value::as_bool).unwrap_or(false),
        }
    }
}

fn source_value(list: &ResourceList, rep: &Value) -> Result<Value, String> {
    let m = rep.as_map().ok_or("replacement must be a map")?;
    let src = m.get("source").filter(|v| !v.is_null());
    let sv = m.get("sourceValue").filter(|v| !v.is_null());
    match (src, sv) {
        (Some(_), Some(_)) => {
            return Err("value and resource selectors are mutually exclusive".into());
        }
        (None, Some(v)) => return Ok(Value::String(scalar_text(v))),
        (None, None) => {
            return Err("replacements must specify a source and at least one target".into());
        }
        (Some(_), None) => {}
    }
    let src = src.ok_or("missing source")?;
    let sel = IdSelector::from_value(src);
    let mut found: Option<&Resource> = None;
    for r in &list.items {
        if all_ids(r).iter().any(|id| sel.selects_id(id)) {
            if found.is_some() {
                return Err(format!("multiple matches for selector {}", describe(&sel)));
            }
            found = Some(r);
        }
    }
    let r = found.ok_or_else(|| format!("nothing selected by {}", describe(&sel)))?;
    let mut fp = str_field(src, "fieldPath").to_string();
    if fp.is_empty() {
        fp = "metadata.name".into();
    }
    let v = lookup(&r.value, &split_field_path(&fp))
        .filter(|v| !matches!(v, Value::Null) && !matches!(v, Value::Map(m) if m.is_empty()))
        .ok_or_else(|| {
            format!(
                "fieldPath `{fp}` is missing for replacement source {}",
                describe(&sel)
            )
        })?;
    let opts = FieldOptions::from_value(src.as_map().and_then(|m| m.get("options")));
    if opts.delimiter.is_empty() {
        return Ok(v.clone());
    }
    if matches!(v, Value::Map(_) | Value::Seq(_)) {
        return Err("delimiter option can only be used with scalar nodes".into());
    }
    let text = scalar_text(v);
    let parts: Vec<&str> = text.split(opts.delimiter.as_str()).collect();
    if opts.index < 0 || opts.index as usize >= parts.len() {
        return Err(format!(
            "options.index {} is out of bounds for value {text}",
            opts.index
        ));
    }
    Ok(Value::String(parts[opts.index as usize].to_string()))
}

fn describe(sel: &IdSelector) -> String {
    format!(
        "{}.{}.{}/{}.{}",
        sel.kind,
        if sel.version.is_empty() {
            "[noVer]"
        } else {
            &sel.version
        },
        if sel.group.is_empty() {
            "[noGrp]"
        } else {
            &sel.group
        },
        sel.name,
        if sel.namespace.is_empty() {
            "[noNs]"
        } else {
            &sel.namespace
        }
    )
}

/// Writes `value` into a target field: scalars keep their own type
/// when the new text still reads as that type (kyaml replaces only the
/// node's text, keeping its tag); maps and lists are replaced.
fn set_field(target: &mut Value, value: &Value, opts: &FieldOptions) -> Result<(), String> {
    let mut value = value.clone();
    if !opts.delimiter.is_empty() {
        if matches!(target, Value::Map(_) | Value::Seq(_)) {
            return Err("delimiter option can only be used with scalar nodes".into());
        }
        let cur = scalar_text(target);
        let mut parts: Vec<String> = cur
            .split(opts.delimiter.as_str())
            .map(str::to_string)
            .collect();
        let v = scalar_text(&value);
        if opts.index < 0 {
            parts.insert(0, v);
        } else if opts.index as usize >= parts.len() {
            parts.push(v);
        } else {
            parts[opts.index as usize] = v;
        }
        value = Value::String(parts.join(&opts.delimiter));
    }
    let text = scalar_text(&value);
    *target = match (&*target, &value) {
        (_, Value::Map(_) | Value::Seq(_)) | (Value::Map(_) | Value::Seq(_) | Value::Null, _) => {
            value
        }
        (Value::String(_), _) => Value::String(text),
        (Value::Int(_) | Value::DocInt(_), _) => text
            .parse::<i64>()
            .map(Value::DocInt)
            .unwrap_or(Value::String(text)),
        (Value::Bool(_), _) => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        (Value::Float(_), _) => text
            .parse::<f64>()
            .map(Value::Float)
            .unwrap_or(Value::String(text)),
    };
    Ok(())
}

/// Applies replacements in order.
pub fn apply(list: &mut ResourceList, reps: &[Value]) -> Result<(), String> {
    for rep in reps {
        let targets = rep
            .as_map()
            .and_then(|m| m.get("targets"))
            .filter(|t| !t.is_null())
            .ok_or("replacements must specify a source and at least one target")?;
        let value = source_value(list, rep)?;
        for t in super::fieldspec::ValueExt::as_seq_slice(targets) {
            let select = t
                .as_map()
                .and_then(|m| m.get("select"))
                .filter(|s| !s.is_null())
                .ok_or("target must specify resources to select")?;
            let sel = IdSelector::from_value(select);
            let rejects: Vec<IdSelector> = t
                .as_map()
                .and_then(|m| m.get("reject"))
                .map(|r| {
                    super::fieldspec::ValueExt::as_seq_slice(r)
                        .iter()
                        .map(IdSelector::from_value)
                        .collect()
                })
                .unwrap_or_default();
            let mut paths: Vec<String> = t
                .as_map()
                .and_then(|m| m.get("fieldPaths"))
                .map(|p| {
                    super::fieldspec::ValueExt::as_seq_slice(p)
                        .iter()
                        .map(scalar_text)
                        .collect()
                })
                .unwrap_or_default();
            if paths.is_empty() {
                paths.push("metadata.name".into());
            }
            let opts = FieldOptions::from_value(t.as_map().and_then(|m| m.get("options")));
            for r in &mut list.items {
                if !sel.selects_meta(r)? {
                    continue;
                }
                let mut rejected = false;
                for rj in &rejects {
                    if (!rj.annotation_selector.is_empty() || !rj.label_selector.is_empty())
                        && rj.selects_meta(r)?
                    {
                        rejected = true;
                    }
                }
                if rejected {
                    continue;
                }
                let ids = all_ids(r);
                if !ids.iter().any(|id| sel.selects_id(id)) {
                    continue;
                }
                if rejects
                    .iter()
                    .any(|rj| rj.has_id() && ids.iter().any(|id| rj.selects_id(id)))
                {
                    continue;
                }
                for fp in &paths {
                    let create = if opts.create { Some(&value) } else { None };
                    let n = visit_path(&mut r.value, &split_field_path(fp), create, &mut |node| {
                        set_field(node, &value, &opts)
                    })?;
                    if n == 0 {
                        return Err(if opts.create {
                            format!("unable to find or create field {fp:?} in replacement target")
                        } else {
                            format!("unable to find field {fp:?} in replacement target")
                        });
                    }
                }
            }
        }
    }
    Ok(())
}

/// Binds `vars` declared at one level to the resource their `objref`
/// names (kustomize's `MergeVars`, run after that level's transformers).
pub fn bind_vars(list: &mut ResourceList, vars: &[Value]) -> Result<(), String> {
    for v in vars {
        let name = str_field(v, "name").to_string();
        let objref = v
            .as_map()
            .and_then(|m| m.get("objref"))
            .cloned()
            .unwrap_or(Value::Null);
        let sel = IdSelector::from_value(&objref);
        let want_ns = !sel.namespace.is_empty();
        let gvk = Gvk {
            group: sel.group.clone(),
            version: sel.version.clone(),
            kind: sel.kind.clone(),
        };
        let target = ResId {
            gvk: gvk.clone(),
            name: sel.name.clone(),
            namespace: sel.namespace.clone(),
        };
        let strict = want_ns || gvk.is_cluster_scoped();
        let matched: Vec<usize> = list
            .items
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                all_ids(r).iter().any(|id| {
                    if strict {
                        id.equals(&target)
                    } else {
                        id.gvk == target.gvk && id.name == target.name
                    }
                })
            })
            .map(|(i, _)| i)
            .collect();
        if matched.len() > 1 {
            return Err(format!(
                "found {} resId matches for var {name} (unable to disambiguate)",
                matched.len()
            ));
        }
        if let [i] = matched.as_slice() {
            list.items[*i].ref_vars.push(name);
        }
    }
    Ok(())
}

/// Replaces `$(VAR)` in the var-reference fields of every resource with
/// the values the vars point at (`ResolveVars`).
pub fn resolve_vars(
    list: &mut ResourceList,
    vars: &[Value],
    specs: &[FieldSpec],
) -> Result<(), String> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values: Vec<(String, Value)> = Vec::new();
    for v in vars {
        let name = str_field(v, "name").to_string();
        let mut fp = v
            .as_map()
            .and_then(|m| m.get("fieldref"))
            .map(|f| str_field(f, "fieldpath").to_string())
            .unwrap_or_default();
        if fp.is_empty() {
            fp = "metadata.name".into();
        }
        let holder = list.items.iter().find(|r| r.ref_vars.contains(&name));
        let Some(r) = holder else {
            return Err(format!(
                "var '{name}' cannot be mapped to a field in the set of known resources"
            ));
        };
        // kyaml's GetFieldValue hands back a scalar's text; maps and lists
        // are not usable as replacements and are left unexpanded.
        let path = var_path(&fp);
        let val = lookup(&r.value, &path).ok_or_else(|| {
            format!("field specified in var '{name}' not found in corresponding resource")
        })?;
        values.push((name, val.clone()));
    }
    let map = |key: &str| -> Option<String> {
        values
            .iter()
            .find(|(n, _)| n == key)
            .and_then(|(_, v)| match v {
                Value::Map(_) | Value::Seq(_) => None,
                other => Some(scalar_text(other)),
            })
    };
    for r in &mut list.items {
        let gvk = r.gvk();
        for spec in specs {
            if !spec.selects(&gvk) {
                continue;
            }
            spec.apply(&mut r.value, None, &mut |node| {
                expand_node(node, &map);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// `a.b[0].c` → `a`, `b`, `0`, `c` (kyaml `convertSliceIndex`).
fn var_path(fp: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in split_field_path(fp) {
        match part.find('[') {
            Some(i)
                if !part.starts_with('[')
                    && part.ends_with(']')
                    && part[i + 1..part.len() - 1].parse::<usize>().is_ok() =>
            {
                out.push(part[..i].to_string());
                out.push(part[i + 1..part.len() - 1].to_string());
            }
            _ => out.push(part),
        }
    }
    out
}

fn expand_node(node: &mut Value, map: &dyn Fn(&str) -> Option<String>) {
    match node {
        Value::String(s) => *node = Value::String(expand(s, map)),
        Value::Map(m) => {
            for (_, v) in m.iter_mut() {
                if let Value::String(s) = v {
                    *v = Value::String(expand(s, map));
                }
            }
        }
        Value::Seq(items) => {
            for v in items.iter_mut() {
                if let Value::String(s) = v {
                    *v = Value::String(expand(s, map));
                }
            }
        }
        _ => {}
    }
}

/// kustomize's `DoReplacements`: `$(NAME)` is replaced when known, `$$`
/// becomes `$`, anything else is kept.
pub fn expand(input: &str, map: &dyn Fn(&str) -> Option<String>) -> String {
    let b = input.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            out.push_str(&input[checkpoint..i]);
            let rest = &input[i + 1..];
            let advance;
            match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    advance = 1;
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        match map(name) {
                            Some(v) => out.push_str(&v),
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        advance = close + 1;
                    }
                    None => {
                        out.push_str("$(");
                        advance = 1;
                    }
                },
                _ => {
                    let c = rest.chars().next().unwrap_or(' ');
                    out.push('$');
                    out.push(c);
                    advance = c.len_utf8();
                }
            }
            i += advance + 1;
            checkpoint = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&input[checkpoint.min(input.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_vars() {
        let m = |k: &str| (k == "A").then(|| "x".to_string());
        assert_eq!(expand("a-$(A)-$(B)-$$-$", &m), "a-x-$(B)-$-$");
        assert_eq!(expand("$(A)", &m), "x");
    }

    #[test]
    fn smarter_split() {
        assert_eq!(
            split_field_path("spec.containers.[name=a.b].image"),
            vec!["spec", "containers", "[name=a.b]", "image"]
        );
    }
}
