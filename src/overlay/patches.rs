//! Patches: strategic merge and JSON 6902, their targets and selectors
//! (kustomize's PatchTransformer, PatchStrategicMergeTransformer,
//! PatchJson6902Transformer and `types.Selector`).

use super::resource::{Resource, ResourceList, scalar_text};
use crate::hashing::HashMap;
use crate::patch::{PatchSchema, apply_json6902, strategic_merge_owned};
use crate::value::Value;

/// A patch target selector. Group, version, kind, name and namespace are
/// regular expressions anchored at both ends (`types.NewSelectorRegex`).
#[derive(Debug, Clone, Default)]
pub struct Selector {
    group: Option<Pattern>,
    version: Option<Pattern>,
    kind: Option<Pattern>,
    name: Option<Pattern>,
    namespace: Option<Pattern>,
    label_selector: String,
    annotation_selector: String,
    /// The name pattern when it is a plain name (no regex syntax).
    literal_name: Option<String>,
}

/// One anchored selector pattern. Most are plain names (`Service`,
/// `app-1`), for which the anchored regex means string equality; compiling
/// a regex for each of hundreds of patch targets cost more than applying
/// the patches.
#[derive(Debug, Clone)]
enum Pattern {
    /// Letters, digits, `-` and `_` only: no regex syntax.
    Literal(String),
    /// Anything else, as `^(?:pattern)$`.
    Regex(regex::Regex),
}

impl Pattern {
    fn is_match(&self, s: &str) -> bool {
        match self {
            Pattern::Literal(l) => l == s,
            Pattern::Regex(re) => re.is_match(s),
        }
    }
}

fn anchored(v: &Value, key: &str) -> Result<Option<Pattern>, String> {
    let s = v
        .as_map()
        .and_then(|m| m.get(key))
        .map(scalar_text)
        .unwrap_or_default();
    if s.is_empty() {
        return Ok(None);
    }
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Ok(Some(Pattern::Literal(s)));
    }
    regex::Regex::new(&format!("^(?:{s})$"))
        .map(|re| Some(Pattern::Regex(re)))
        .map_err(|e| format!("invalid {key} regex {s:?}: {e}"))
}

impl Selector {
    /// Reads a `target:` map.
    pub fn from_value(v: &Value) -> Result<Selector, String> {
        let text = |k: &str| {
            v.as_map()
                .and_then(|m| m.get(k))
                .map(scalar_text)
                .unwrap_or_default()
        };
        let name = text("name");
        let literal_name = (!name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .then_some(name);
        Ok(Selector {
            literal_name,
            group: anchored(v, "group")?,
            version: anchored(v, "version")?,
            kind: anchored(v, "kind")?,
            name: anchored(v, "name")?,
            namespace: anchored(v, "namespace")?,
            label_selector: text("labelSelector"),
            annotation_selector: text("annotationSelector"),
        })
    }

    /// Whether a resource is selected (`resWrangler.Select`): original or
    /// current namespace and name, current gvk, label and annotation
    /// selectors.
    pub fn matches(&self, r: &Resource) -> Result<bool, String> {
        // Cheap rejections first: kind and group/version of the current gvk.
        if let Some(k) = &self.kind
            && !k.is_match(r.kind())
        {
            return Ok(false);
        }
        let cur = r.cur_id();
        let org = r.org_id();
        let m = |re: &Option<Pattern>, s: &str| re.as_ref().is_none_or(|re| re.is_match(s));
        if !m(&self.namespace, org.effective_namespace())
            && !m(&self.namespace, cur.effective_namespace())
        {
            return Ok(false);
        }
        if !m(&self.name, &org.name) && !m(&self.name, &cur.name) {
            return Ok(false);
        }
        if !m(&self.group, &cur.gvk.group)
            || !m(&self.version, &cur.gvk.version)
            || !m(&self.kind, &cur.gvk.kind)
        {
            return Ok(false);
        }
        if !self.label_selector.is_empty()
            && !label_selector_matches(&self.label_selector, &r.meta_map("labels"))?
        {
            return Ok(false);
        }
        if self.annotation_selector.is_empty() {
            return Ok(true);
        }
        label_selector_matches(&self.annotation_selector, &r.meta_map("annotations"))
    }
}

/// Evaluates a Kubernetes label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`).
pub fn label_selector_matches(sel: &str, labels: &[(String, String)]) -> Result<bool, String> {
    let sel = sel.trim();
    if sel.is_empty() {
        return Ok(true);
    }
    let get = |k: &str| labels.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
    // Split on commas outside parentheses.
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in sel.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                terms.push(&sel[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&sel[start..]);
    for t in terms {
        let t = t.trim();
        let ok = if let Some((k, v)) = t.split_once("!=") {
            get(k.trim()) != Some(v.trim())
        } else if let Some((k, v)) = t.split_once("==") {
            get(k.trim()) == Some(v.trim())
        } else if let Some((k, v)) = t.split_once('=') {
            get(k.trim()) == Some(v.trim())
        } else if let Some(k) = t.strip_prefix('!') {
            get(k.trim()).is_none()
        } else if let Some((k, rest)) = split_set_op(t, " notin ") {
            get(k).is_none_or(|v| !rest.contains(&v.to_string()))
        } else if let Some((k, rest)) = split_set_op(t, " in ") {
            get(k).is_some_and(|v| rest.contains(&v.to_string()))
        } else if !t.is_empty() && !t.contains(char::is_whitespace) {
            get(t).is_some()
        } else {
            return Err(format!("unable to parse requirement: {t:?}"));
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn split_set_op<'a>(t: &'a str, op: &str) -> Option<(&'a str, Vec<String>)> {
    let (k, rest) = t.split_once(op)?;
    let rest = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some((
        k.trim(),
        rest.split(',').map(|s| s.trim().to_string()).collect(),
    ))
}

/// A parsed patch: strategic merge documents or a JSON 6902 op list.
#[derive(Debug, Clone)]
pub enum PatchBody {
    /// Strategic merge patch documents.
    Strategic(Vec<Value>),
    /// JSON 6902 operations.
    Json(Value),
}

/// Detects the patch type the way PatchTransformer does: a YAML/JSON list
/// is a JSON 6902 op list, maps are strategic merge patches.
pub fn parse_patch(text: &str) -> Result<PatchBody, String> {
    let docs = super::target::parse_kyaml_documents(text).map_err(|e| e.message)?;
    let docs: Vec<Value> = docs.into_iter().filter(|d| !d.is_null()).collect();
    if docs.len() == 1 && matches!(docs[0], Value::Seq(_)) {
        // An op list: kustomize reads it through JSON, so plain timestamps
        // in values stay as written. Read again without converting them.
        let docs =
            super::target::parse_kyaml_documents_with(text, crate::yaml::fast::Timestamps::Keep)
                .map_err(|e| e.message)?;
        return Ok(PatchBody::Json(
            docs.into_iter()
                .find(|d| !d.is_null())
                .unwrap_or(Value::Null),
        ));
    }
    if docs.iter().all(|d| matches!(d, Value::Map(_))) && !docs.is_empty() {
        return Ok(PatchBody::Strategic(expand_lists(docs)));
    }
    Err("unable to parse SM or JSON patch".to_string())
}

fn expand_lists(docs: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for d in docs {
        let is_list = super::resource::str_field(&d, "kind") == "List";
        match (is_list, d.as_map().and_then(|m| m.get("items"))) {
            (true, Some(Value::Seq(items))) => out.extend(items.iter().cloned()),
            _ => out.push(d),
        }
    }
    out
}

/// Options of a `patches:` entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct PatchOptions {
    /// The patch may rename its target.
    pub allow_name_change: bool,
    /// The patch may change its target's kind.
    pub allow_kind_change: bool,
}

/// Applies a strategic merge patch to one resource (`Resource.ApplySmPatch`):
/// name, kind and namespace are kept unless the options allow changing them.
pub fn apply_smp(
    r: &mut Resource,
    patch: &Value,
    opts: PatchOptions,
    schema: &PatchSchema,
) -> Result<(), String> {
    let (name, ns, kind) = (
        r.name().to_string(),
        r.namespace().to_string(),
        r.kind().to_string(),
    );
    if opts.allow_name_change || opts.allow_kind_change {
        r.store_previous_id();
    }
    // The resource is merged in place of itself: no copy of the tree.
    let target = std::mem::take(&mut r.value);
    r.value = strategic_merge_owned(target, patch, schema).map_err(|e| e.to_string())?;
    if is_empty(&r.value) {
        return Ok(());
    }
    if let Some(m) = r.value.as_map_mut()
        && !opts.allow_kind_change
    {
        m.insert("kind".into(), Value::String(kind));
    }
    if !opts.allow_name_change {
        r.set_name(&name);
    }
    if let Some(meta) = r.metadata_mut() {
        if ns.is_empty() {
            meta.shift_remove("namespace");
        } else {
            meta.insert("namespace".into(), Value::String(ns));
        }
    }
    Ok(())
}

/// Whether a patched resource was deleted (`$patch: delete`).
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// Applies a JSON 6902 op list to one resource.
pub fn apply_json(r: &mut Resource, ops: &Value) -> Result<(), String> {
    r.store_previous_id();
    r.value = apply_json6902(&r.value, ops).map_err(|e| e.to_string())?;
    Ok(())
}

/// Positions of resources by every name they have had (current and
/// previous), so each patch finds its target without scanning the list —
/// kustomize scans, which makes N patches over N resources quadratic.
/// Rebuilt lazily after anything renames, deletes or reorders resources.
#[derive(Debug, Default)]
pub struct PatchIndex {
    by_name: HashMap<String, Vec<usize>>,
    valid: bool,
}

impl PatchIndex {
    /// Forgets the index (after other transformers ran).
    pub fn invalidate(&mut self) {
        self.valid = false;
    }

    fn ensure(&mut self, list: &ResourceList) {
        if self.valid {
            return;
        }
        self.by_name.clear();
        for (i, r) in list.items.iter().enumerate() {
            let mut names: Vec<&str> = vec![r.name()];
            names.extend(r.prev_ids.iter().map(|p| p.name.as_str()));
            names.sort_unstable();
            names.dedup();
            for n in names {
                self.by_name.entry(n.to_string()).or_default().push(i);
            }
        }
        self.valid = true;
    }

    fn named(&mut self, list: &ResourceList, name: &str) -> Vec<usize> {
        self.ensure(list);
        self.by_name.get(name).cloned().unwrap_or_default()
    }
}

/// Identity parts a patch may change; when they do, the index is stale.
fn identity(r: &Resource) -> (String, String, String) {
    (
        r.name().to_string(),
        r.kind().to_string(),
        r.namespace().to_string(),
    )
}

/// Applies a strategic merge patch without a target to the resource whose
/// id (current or previous) equals the patch's own id
/// (`resWrangler.GetById(patch.OrgId())`).
pub fn apply_smp_by_id(
    list: &mut ResourceList,
    patch: &Value,
    opts: PatchOptions,
    schema: &PatchSchema,
    index: &mut PatchIndex,
) -> Result<(), String> {
    let pid = super::resource::id_of(patch);
    let hits: Vec<usize> = index
        .named(list, &pid.name)
        .into_iter()
        .filter(|&i| list.items[i].has_id(&pid))
        .collect();
    match hits.as_slice() {
        [i] => {
            let before = identity(&list.items[*i]);
            apply_smp(&mut list.items[*i], patch, opts, schema)?;
            if is_empty(&list.items[*i].value) {
                list.items.remove(*i);
                index.invalidate();
            } else if identity(&list.items[*i]) != before {
                index.invalidate();
            }
            Ok(())
        }
        [] => Err(format!(
            "no matches for Id {pid}; failed to find unique target for patch {pid}"
        )),
        _ => Err(format!(
            "multiple matches for Id {pid}; failed to find unique target for patch {pid}"
        )),
    }
}

/// Applies a patch to every resource a selector picks.
pub fn apply_to_selected(
    list: &mut ResourceList,
    sel: &Selector,
    body: &PatchBody,
    opts: PatchOptions,
    schema: &PatchSchema,
    index: &mut PatchIndex,
) -> Result<(), String> {
    // A literal name narrows the scan to the resources ever called that.
    let candidates: Vec<usize> = match &sel.literal_name {
        Some(name) => index.named(list, name),
        None => (0..list.items.len()).collect(),
    };
    let mut selected = Vec::new();
    for i in candidates {
        if sel.matches(&list.items[i])? {
            selected.push(i);
        }
    }
    let mut changed = false;
    for &i in &selected {
        let before = identity(&list.items[i]);
        match body {
            PatchBody::Strategic(docs) => {
                let mut patch = docs.first().cloned().unwrap_or(Value::Null);
                // The patch copy takes the target's apiVersion (ApplySmPatch).
                if let Some(m) = patch.as_map_mut() {
                    let av = list.items[i].api_version().to_string();
                    m.insert("apiVersion".into(), Value::String(av));
                }
                apply_smp(&mut list.items[i], &patch, opts, schema)?;
            }
            PatchBody::Json(ops) => apply_json(&mut list.items[i], ops)?,
        }
        if is_empty(&list.items[i].value) || identity(&list.items[i]) != before {
            changed = true;
        }
    }
    if changed {
        list.items.retain(|r| !is_empty(&r.value));
        index.invalidate();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn label_selectors() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        assert!(label_selector_matches("app=web", &l).unwrap());
        assert!(label_selector_matches("app=web,tier!=back", &l).unwrap());
        assert!(!label_selector_matches("app=db", &l).unwrap());
        assert!(label_selector_matches("tier in (front, back)", &l).unwrap());
        assert!(label_selector_matches("!missing", &l).unwrap());
        assert!(!label_selector_matches("missing", &l).unwrap());
    }

    #[test]
    fn patch_type_detection() {
        assert!(matches!(
            parse_patch("- op: add\n  path: /a\n  value: 1\n").unwrap(),
            PatchBody::Json(_)
        ));
        assert!(matches!(
            parse_patch("kind: X\nmetadata: {name: a}\n").unwrap(),
            PatchBody::Strategic(_)
        ));
    }
}
