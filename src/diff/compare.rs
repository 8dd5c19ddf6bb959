//! Structural comparison: resources matched by id, fields compared like
//! dyff (maps by key, lists by merge key where one exists, by index
//! otherwise), renames found by similarity.

use super::{Change, DiffOptions, DiffReport, Object, ResourceDiff, Status};
use crate::hashing::HashMap;
use crate::manifest::ResourceId;
use crate::value::{Map, Value};
use indexmap::IndexMap;

/// List fields whose items are matched by a key rather than by position,
/// with the candidate keys in order of preference. These are the
/// Kubernetes strategic-merge keys (`patchMergeKey`) of the lists people
/// change most; `ports` has two because container ports are keyed by
/// `containerPort` and Service ports by `port`. A list not named here is
/// still matched by `name` when every item has a distinct one (dyff does
/// the same), so CRDs' named lists read well too.
pub const MERGE_KEYS: &[(&str, &[&str])] = &[
    ("containers", &["name"]),
    ("initContainers", &["name"]),
    ("ephemeralContainers", &["name"]),
    ("volumes", &["name"]),
    ("env", &["name"]),
    ("ports", &["containerPort", "port"]),
    ("volumeMounts", &["mountPath"]),
    ("volumeDevices", &["devicePath"]),
    ("imagePullSecrets", &["name"]),
    ("hostAliases", &["ip"]),
    ("conditions", &["type"]),
    ("topologySpreadConstraints", &["topologyKey"]),
    ("resourceClaims", &["name"]),
    ("volumeClaimTemplates", &["metadata.name"]),
];

/// The minimum similarity for a removed + added pair to count as a rename.
const RENAME_THRESHOLD: f64 = 0.8;

/// Above this many candidate pairs per kind, renames are not searched
/// (the search is quadratic; such a diff is a rewrite, not a rename).
const RENAME_PAIR_LIMIT: usize = 250_000;

/// The matching key: the id without its version.
type Key = (String, String, String, String);

fn key_of(id: &ResourceId) -> Key {
    (
        id.group.clone(),
        id.kind.clone(),
        id.namespace.clone(),
        id.name.clone(),
    )
}

/// Compares two sides' resources.
pub fn diff_objects(old: Vec<Object>, new: Vec<Object>, opts: &DiffOptions) -> DiffReport {
    let mut warnings = Vec::new();
    let old = index(old, "old", &mut warnings, opts);
    let mut new = index(new, "new", &mut warnings, opts);
    let ignore: Vec<Glob> = opts.ignore_paths.iter().map(|p| Glob::new(p)).collect();

    let mut resources = Vec::new();
    let mut removed = Vec::new();
    for (key, o) in old {
        // swap_remove is O(1); order is restored by the final sort.
        match new.swap_remove(&key) {
            Some(n) => {
                let changes = compare_nodes(&o.node, &n.node, &ignore, &n.id, opts);
                let status = if changes.is_empty() {
                    Status::Unchanged
                } else {
                    Status::Changed
                };
                resources.push(ResourceDiff {
                    status,
                    id: n.id,
                    renamed_from: None,
                    similarity: None,
                    changes,
                    added: None,
                    removed: None,
                });
            }
            None => removed.push(o),
        }
    }
    let added: Vec<Object> = new.into_values().collect();
    let (renames, removed, added) = if opts.no_renames {
        (Vec::new(), removed, added)
    } else {
        find_renames(removed, added)
    };
    for (o, n, similarity) in renames {
        let changes = compare_nodes(&o.node, &n.node, &ignore, &n.id, opts);
        resources.push(ResourceDiff {
            status: Status::Renamed,
            id: n.id,
            renamed_from: Some(o.id),
            similarity: Some(similarity),
            changes,
            added: None,
            removed: None,
        });
    }
    for o in removed {
        let node = mask_document(&o.id, o.node, opts);
        resources.push(ResourceDiff {
            status: Status::Removed,
            id: o.id,
            renamed_from: None,
            similarity: None,
            changes: Vec::new(),
            added: None,
            removed: Some(node),
        });
    }
    for n in added {
        let node = mask_document(&n.id, n.node, opts);
        resources.push(ResourceDiff {
            status: Status::Added,
            id: n.id,
            renamed_from: None,
            similarity: None,
            changes: Vec::new(),
            added: Some(node),
            removed: None,
        });
    }
    resources.sort_by(|a, b| {
        (&a.id.kind, &a.id.namespace, &a.id.name, &a.id.group).cmp(&(
            &b.id.kind,
            &b.id.namespace,
            &b.id.name,
            &b.id.group,
        ))
    });
    DiffReport {
        resources,
        warnings,
    }
}

/// Indexes a side by key after the label filter; a repeated id keeps the
/// last document (what `kubectl apply` of the stream would leave) and warns.
fn index(
    objects: Vec<Object>,
    side: &str,
    warnings: &mut Vec<String>,
    opts: &DiffOptions,
) -> IndexMap<Key, Object> {
    let mut map = IndexMap::with_capacity(objects.len());
    for mut o in objects {
        if !opts.ignore_labels.is_empty() {
            strip_labels(&mut o.node, &opts.ignore_labels);
        }
        if let Some(prev) = map.insert(key_of(&o.id), o) {
            warnings.push(format!(
                "{side} side: {} appears more than once; the last one is compared",
                prev.id
            ));
        }
    }
    map
}

/// Removes the ignored keys from every `metadata.labels` map in the
/// document (the resource's own and pod templates'), never from selectors.
fn strip_labels(node: &mut Value, keys: &[String]) {
    match node {
        Value::Map(m) => {
            if let Some(Value::Map(meta)) = m.get_mut("metadata")
                && let Some(Value::Map(labels)) = meta.get_mut("labels")
            {
                for k in keys {
                    labels.shift_remove(k.as_str());
                }
            }
            for (_, v) in m.iter_mut() {
                strip_labels(v, keys);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|v| strip_labels(v, keys)),
        _ => {}
    }
}

/// Field changes between two documents, filtered and masked.
fn compare_nodes(
    old: &Value,
    new: &Value,
    ignore: &[Glob],
    id: &ResourceId,
    opts: &DiffOptions,
) -> Vec<Change> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(&mut path, None, old, new, &mut out);
    let secret = is_secret(id) && !opts.show_secrets;
    out.into_iter()
        .filter(|(segments, _, _)| !ignore.iter().any(|g| g.matches_path(segments)))
        .map(|(segments, old, new)| {
            let masked = secret
                && matches!(segments.first(), Some(Segment::Key(k)) if k == "data" || k == "stringData");
            let (old, new) = if masked {
                (old.map(|v| mask(&v)), new.map(|v| mask(&v)))
            } else {
                (old, new)
            };
            Change {
                path: format_path(&segments),
                old,
                new,
                masked,
            }
        })
        .collect()
}

fn is_secret(id: &ResourceId) -> bool {
    id.kind == "Secret" && id.group.is_empty()
}

/// What a masked value prints as.
const MASK: &str = "(masked)";

/// Replaces every scalar inside `v` by the mask, keeping the shape (so a
/// reader still sees which keys exist).
fn mask(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), mask(v))).collect()),
        Value::Seq(items) => Value::Seq(items.iter().map(mask).collect()),
        _ => Value::String(MASK.to_string()),
    }
}

/// Masks a whole Secret's `data` and `stringData` (added/removed resources).
fn mask_document(id: &ResourceId, mut node: Value, opts: &DiffOptions) -> Value {
    if is_secret(id)
        && !opts.show_secrets
        && let Value::Map(m) = &mut node
    {
        for field in ["data", "stringData"] {
            if let Some(v) = m.get_mut(field) {
                *v = mask(v);
            }
        }
    }
    node
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// A map key.
    Key(String),
    /// A list item matched by position.
    Index(usize),
    /// A list item matched by merge key: `[name=kafka]`.
    Keyed(String, String),
}

fn format_path(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                // Keys with dots or brackets (`app.kubernetes.io/name`) are
                // quoted so the path stays unambiguous.
                if k.is_empty() || k.contains(['.', '[', ']', '"', ' ']) {
                    out.push_str(&format!("{k:?}"));
                } else {
                    out.push_str(k);
                }
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::Keyed(k, v) => out.push_str(&format!("[{k}={v}]")),
        }
    }
    out
}

type RawChange = (Vec<Segment>, Option<Value>, Option<Value>);

fn walk(
    path: &mut Vec<Segment>,
    field: Option<&str>,
    old: &Value,
    new: &Value,
    out: &mut Vec<RawChange>,
) {
    match (old, new) {
        (Value::Map(a), Value::Map(b)) => walk_maps(path, a, b, out),
        (Value::Seq(a), Value::Seq(b)) => walk_seqs(path, field, a, b, out),
        _ => {
            if !same_value(old, new) {
                out.push((path.clone(), Some(old.clone()), Some(new.clone())));
            }
        }
    }
}

fn walk_maps(path: &mut Vec<Segment>, a: &Map, b: &Map, out: &mut Vec<RawChange>) {
    for (k, va) in a {
        path.push(Segment::Key(k.clone()));
        match b.get(k) {
            Some(vb) => walk(path, Some(k), va, vb, out),
            None => out.push((path.clone(), Some(va.clone()), None)),
        }
        path.pop();
    }
    for (k, vb) in b {
        if !a.contains_key(k) {
            path.push(Segment::Key(k.clone()));
            out.push((path.clone(), None, Some(vb.clone())));
            path.pop();
        }
    }
}

fn walk_seqs(
    path: &mut Vec<Segment>,
    field: Option<&str>,
    a: &[Value],
    b: &[Value],
    out: &mut Vec<RawChange>,
) {
    if let Some(key) = merge_key(field, a, b) {
        let ka: Vec<String> = a.iter().filter_map(|v| item_key(v, key)).collect();
        let kb: Vec<String> = b.iter().filter_map(|v| item_key(v, key)).collect();
        let pos_b: HashMap<&str, usize> = kb
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let label = key.rsplit('.').next().unwrap_or(key).to_string();
        for (i, k) in ka.iter().enumerate() {
            path.push(Segment::Keyed(label.clone(), k.clone()));
            match pos_b.get(k.as_str()) {
                Some(&j) => walk(path, None, &a[i], &b[j], out),
                None => out.push((path.clone(), Some(a[i].clone()), None)),
            }
            path.pop();
        }
        let in_a: std::collections::HashSet<&str> = ka.iter().map(String::as_str).collect();
        for (j, k) in kb.iter().enumerate() {
            if !in_a.contains(k.as_str()) {
                path.push(Segment::Keyed(label.clone(), k.clone()));
                out.push((path.clone(), None, Some(b[j].clone())));
                path.pop();
            }
        }
        return;
    }
    for i in 0..a.len().max(b.len()) {
        path.push(Segment::Index(i));
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => walk(path, None, x, y, out),
            (Some(x), None) => out.push((path.clone(), Some(x.clone()), None)),
            (None, Some(y)) => out.push((path.clone(), None, Some(y.clone()))),
            (None, None) => {}
        }
        path.pop();
    }
}

/// The key to match items of list `field` by: the first candidate from
/// [`MERGE_KEYS`] (or `name` for other lists) that every item on both sides
/// has, with no repeats on either side.
fn merge_key(field: Option<&str>, a: &[Value], b: &[Value]) -> Option<&'static str> {
    let candidates: &[&'static str] = field
        .and_then(|f| MERGE_KEYS.iter().find(|(name, _)| *name == f))
        .map(|(_, keys)| *keys)
        .unwrap_or(&["name"]);
    candidates
        .iter()
        .copied()
        .find(|key| unique_keys(a, key) && unique_keys(b, key))
}

fn unique_keys(items: &[Value], key: &str) -> bool {
    let mut seen = std::collections::HashSet::new();
    items
        .iter()
        .all(|v| item_key(v, key).is_some_and(|k| seen.insert(k)))
}

/// The scalar at dotted `key` inside a list item, as text.
fn item_key(item: &Value, key: &str) -> Option<String> {
    match item.get_path(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) | Value::DocInt(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Equality that ignores how a number was written: `--set port=80`
/// (Go int64) and `port: 80` in a file (Helm's float64) are the same value
/// once rendered.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x) | Value::DocInt(x), Value::Int(y) | Value::DocInt(y)) => x == y,
        (Value::Float(x), Value::Int(y) | Value::DocInt(y))
        | (Value::Int(y) | Value::DocInt(y), Value::Float(x)) => *x == *y as f64,
        _ => a == b,
    }
}

/// A path glob: `*` matches any run of characters, `?` one; everything
/// else (dots and brackets included) is literal, so a path copied from the
/// output is a valid pattern as is.
#[derive(Debug, Clone)]
struct Glob {
    pattern: Vec<char>,
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        Glob {
            pattern: pattern.chars().collect(),
        }
    }

    /// Whether the path or one of its ancestors matches, so ignoring
    /// `metadata.annotations` ignores every annotation.
    fn matches_path(&self, segments: &[Segment]) -> bool {
        (1..=segments.len()).any(|n| self.matches(&format_path(&segments[..n])))
    }

    fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        let p = &self.pattern;
        // Iterative wildcard match with one backtrack point.
        let (mut i, mut j) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while i < t.len() {
            if j < p.len() && (p[j] == '?' || p[j] == t[i]) {
                i += 1;
                j += 1;
            } else if j < p.len() && p[j] == '*' {
                star = Some((j, i));
                j += 1;
            } else if let Some((sj, si)) = star {
                j = sj + 1;
                i = si + 1;
                star = Some((sj, si + 1));
            } else {
                return false;
            }
        }
        p[j..].iter().all(|c| *c == '*')
    }
}

/// Renamed pairs (old, new, similarity), then what stays removed and added.
type RenameSplit = (Vec<(Object, Object, f64)>, Vec<Object>, Vec<Object>);

/// Pairs removed and added resources of the same group and kind whose
/// documents (names aside) are nearly identical, best pairs first.
fn find_renames(removed: Vec<Object>, added: Vec<Object>) -> RenameSplit {
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    let rem_leaves: Vec<Vec<String>> = removed.iter().map(|o| leaves(&o.node)).collect();
    let add_leaves: Vec<Vec<String>> = added.iter().map(|o| leaves(&o.node)).collect();
    let mut by_kind: HashMap<(&str, &str), Vec<usize>> = HashMap::default();
    for (j, n) in added.iter().enumerate() {
        by_kind
            .entry((n.id.group.as_str(), n.id.kind.as_str()))
            .or_default()
            .push(j);
    }
    let mut pairs = 0usize;
    for (i, o) in removed.iter().enumerate() {
        let Some(js) = by_kind.get(&(o.id.group.as_str(), o.id.kind.as_str())) else {
            continue;
        };
        pairs += js.len();
        if pairs > RENAME_PAIR_LIMIT {
            break;
        }
        for &j in js {
            let s = similarity(&rem_leaves[i], &add_leaves[j]);
            if s >= RENAME_THRESHOLD {
                candidates.push((s, i, j));
            }
        }
    }
    // Best first; ties by position so the result is deterministic.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_r = vec![false; removed.len()];
    let mut used_a = vec![false; added.len()];
    let mut chosen = Vec::new();
    for (s, i, j) in candidates {
        if !used_r[i] && !used_a[j] {
            used_r[i] = true;
            used_a[j] = true;
            chosen.push((i, j, s));
        }
    }
    let mut removed: Vec<Option<Object>> = removed.into_iter().map(Some).collect();
    let mut added: Vec<Option<Object>> = added.into_iter().map(Some).collect();
    let mut renames = Vec::new();
    for (i, j, s) in chosen {
        if let (Some(o), Some(n)) = (removed[i].take(), added[j].take()) {
            renames.push((o, n, s));
        }
    }
    (
        renames,
        removed.into_iter().flatten().collect(),
        added.into_iter().flatten().collect(),
    )
}

/// The document flattened to sorted `path=value` strings, names left out
/// (they are what a rename changes); multi-line strings contribute one
/// entry per line so a small edit of a config file keeps them similar.
fn leaves(node: &Value) -> Vec<String> {
    fn go(prefix: &str, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Map(m) => {
                for (k, v) in m {
                    if prefix == "metadata" && k == "name" {
                        continue;
                    }
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    go(&p, v, out);
                }
            }
            Value::Seq(items) => {
                for (i, v) in items.iter().enumerate() {
                    go(&format!("{prefix}[{i}]"), v, out);
                }
            }
            Value::String(s) if s.contains('\n') => {
                for line in s.lines() {
                    out.push(format!("{prefix}|{line}"));
                }
            }
            other => out.push(format!("{prefix}={}", scalar_text(other))),
        }
    }
    let mut out = Vec::new();
    go("", node, &mut out);
    out.sort_unstable();
    out
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::DocInt(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// Dice coefficient of two sorted multisets.
fn similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_document;

    fn obj(src: &str) -> Object {
        let node = parse_document(src).unwrap();
        let id = super::super::input::id_of(&node);
        Object { id, node }
    }

    fn paths(report: &DiffReport) -> Vec<String> {
        report
            .resources
            .iter()
            .flat_map(|r| r.changes.iter().map(|c| c.path.clone()))
            .collect()
    }

    const STS: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: kafka\nspec:\n  template:\n    spec:\n      containers:\n      - name: kafka\n        image: kafka:1\n        ports:\n        - containerPort: 9092\n          name: client\n      - name: sidecar\n        image: s:1\n";

    #[test]
    fn containers_matched_by_name_regardless_of_order() {
        let new = STS
            .replace("kafka:1", "kafka:2")
            .replace("      - name: sidecar\n        image: s:1\n", "");
        let new = new.replace(
            "      containers:\n",
            "      containers:\n      - name: sidecar\n        image: s:1\n",
        );
        let r = diff_objects(vec![obj(STS)], vec![obj(&new)], &DiffOptions::default());
        assert_eq!(
            paths(&r),
            ["spec.template.spec.containers[name=kafka].image"]
        );
        assert_eq!(r.resources[0].status, Status::Changed);
    }

    #[test]
    fn ports_matched_by_container_port() {
        let new = STS.replace("name: client", "name: plain");
        let r = diff_objects(vec![obj(STS)], vec![obj(&new)], &DiffOptions::default());
        assert_eq!(
            paths(&r),
            ["spec.template.spec.containers[name=kafka].ports[containerPort=9092].name"]
        );
    }

    #[test]
    fn number_spelling_is_not_a_change() {
        let a = Object {
            id: ResourceId::default(),
            node: Value::Int(3),
        };
        let b = Object {
            id: ResourceId::default(),
            node: Value::DocInt(3),
        };
        assert!(!diff_objects(vec![a], vec![b], &DiffOptions::default()).has_differences());
    }

    #[test]
    fn glob_matches() {
        let g = Glob::new("metadata.annotations*");
        assert!(g.matches("metadata.annotations.\"checksum/config\""));
        assert!(!g.matches("metadata.labels"));
        assert!(
            Glob::new("spec.*.image").matches("spec.template.spec.containers[name=kafka].image")
        );
        assert!(Glob::new("a?c").matches("abc"));
        assert!(!Glob::new("a?c").matches("abbc"));
    }

    #[test]
    fn ignore_path_matches_ancestors() {
        let a = obj(
            "kind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: '1'\ndata:\n  k: v\n",
        );
        let b = obj(
            "kind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: '2'\ndata:\n  k: v\n",
        );
        let opts = DiffOptions {
            ignore_paths: vec!["metadata.annotations".into()],
            ..DiffOptions::default()
        };
        assert!(!diff_objects(vec![a], vec![b], &opts).has_differences());
    }

    #[test]
    fn dotted_keys_are_quoted() {
        let a =
            obj("kind: A\nmetadata:\n  name: x\n  labels:\n    app.kubernetes.io/version: '1'\n");
        let b =
            obj("kind: A\nmetadata:\n  name: x\n  labels:\n    app.kubernetes.io/version: '2'\n");
        let r = diff_objects(vec![a], vec![b], &DiffOptions::default());
        assert_eq!(paths(&r), ["metadata.labels.\"app.kubernetes.io/version\""]);
    }

    #[test]
    fn rename_needs_same_kind() {
        let a = obj("kind: ConfigMap\nmetadata:\n  name: a-1\ndata:\n  k: v\n");
        let b = obj("kind: Secret\nmetadata:\n  name: a-2\ndata:\n  k: v\n");
        let r = diff_objects(vec![a], vec![b], &DiffOptions::default());
        let s = r.summary();
        assert_eq!((s.added, s.removed, s.renamed), (1, 1, 0));
    }

    #[test]
    fn added_secret_is_masked_but_keeps_keys() {
        let s = obj("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  k: c2VjcmV0\n");
        let r = diff_objects(vec![], vec![s.clone()], &DiffOptions::default());
        let added = r.resources[0].added.as_ref().unwrap();
        assert_eq!(added.get_path("data.k"), Some(&Value::String(MASK.into())));
        let opts = DiffOptions {
            show_secrets: true,
            ..DiffOptions::default()
        };
        let r = diff_objects(vec![], vec![s], &opts);
        let added = r.resources[0].added.as_ref().unwrap();
        assert_eq!(
            added.get_path("data.k"),
            Some(&Value::String("c2VjcmV0".into()))
        );
    }

    #[test]
    fn ignored_labels_leave_selectors_alone() {
        let mut node = parse_document(
            "metadata:\n  labels:\n    a: '1'\n    b: '2'\nspec:\n  selector:\n    matchLabels:\n      a: '1'\n  template:\n    metadata:\n      labels:\n        a: '1'\n",
        )
        .unwrap();
        strip_labels(&mut node, &["a".to_string()]);
        assert_eq!(node.get_path("metadata.labels.a"), None);
        assert!(node.get_path("metadata.labels.b").is_some());
        assert_eq!(node.get_path("spec.template.metadata.labels.a"), None);
        assert!(node.get_path("spec.selector.matchLabels.a").is_some());
    }

    #[test]
    fn duplicate_keys_fall_back_to_index() {
        let a =
            obj("kind: A\nmetadata:\n  name: x\nitems:\n- name: p\n  v: 1\n- name: p\n  v: 2\n");
        let b =
            obj("kind: A\nmetadata:\n  name: x\nitems:\n- name: p\n  v: 1\n- name: p\n  v: 3\n");
        let r = diff_objects(vec![a], vec![b], &DiffOptions::default());
        assert_eq!(paths(&r), ["items[1].v"]);
    }

    #[test]
    fn similarity_is_dice() {
        let a = vec!["a".to_string(), "b".to_string()];
        let b = vec!["a".to_string(), "c".to_string()];
        assert!((similarity(&a, &b) - 0.5).abs() < 1e-9);
    }
}
