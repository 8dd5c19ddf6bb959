//! The strategic merge walk, following kyaml's `merge2` visitor.
//!
//! kustomize v5.7.1 applies a strategic merge patch with
//! `merge2.Merge(patch, resource, ListIncreaseDirection: Prepend)`
//! (`api/filters/patchstrategicmerge`). The walker (`kyaml/yaml/walk`) visits
//! the resource ("dest") and the patch ("origin") side by side:
//!
//! * maps: the union of both key sets is walked in sorted order; a merged
//!   field replaces the old one in place, a new field is appended, a cleared
//!   one is removed — so the resource's field order is kept;
//! * lists are merged element by element only when the schema gives the field
//!   a `merge` strategy; otherwise the patch's list replaces the resource's;
//! * scalars: the patch wins;
//! * `null` in the patch clears the field; `$patch: delete | replace | merge`
//!   on a map or as a list element is obeyed; every other `$…` key
//!   (`$setElementOrder/…`, `$retainKeys`, `$deleteFromPrimitiveList/…`) is an
//!   ordinary field to kyaml and is copied into the result.
//!
//! kyaml mutates the resource's nodes in place while it walks, and its list
//! merge relies on that (merged elements are found again by identity when the
//! list is reassembled). The port keeps the resource's list as a live vector
//! and writes merged elements back into it to get the same results, including
//! the quirks: patched elements move to the front of single-key lists, and
//! multi-key list elements of the resource are re-appended after the patch's
//! new ones.

use super::PatchError;
use super::schema::{Node, PatchSchema};
use crate::{Map, Value};

/// What a visit produced for a field or element.
#[derive(Debug, Clone, PartialEq)]
enum Out {
    /// Remove the field (kyaml's `ClearNode` or a nil result).
    Clear,
    /// Keep a `null` that the resource already had (kyaml's persistent null,
    /// issue kustomize#4628).
    KeepNull,
    /// A value; `Null` here is the patch's `null` and clears the field.
    Node(Value),
}

impl Out {
    /// The value as kyaml's walker sees it (`None` for missing).
    fn into_option(self) -> Option<Value> {
        match self {
            Out::Clear => None,
            Out::KeepNull => Some(Value::Null),
            Out::Node(v) => Some(v),
        }
    }
}

/// The kind of a YAML node, for kyaml's kind checks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Mapping,
    Sequence,
    Scalar,
}

impl Kind {
    fn of(v: &Value) -> Option<Kind> {
        match v {
            Value::Null => None,
            Value::Map(_) => Some(Kind::Mapping),
            Value::Seq(_) => Some(Kind::Sequence),
            _ => Some(Kind::Scalar),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Mapping => "MappingNode",
            Kind::Sequence => "SequenceNode",
            Kind::Scalar => "ScalarNode",
        }
    }
}

/// The `$patch` directive values kyaml understands (`merge2/smpdirective.go`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

const DIRECTIVE_KEY: &str = "$patch";

/// Applies a strategic merge patch to `target` the way `kustomize build`
/// (v5.7.1) does.
///
/// Merge keys and strategies come from `schema`, looked up by the
/// `apiVersion`/`kind` of the target (or of the patch, or of any nested map
/// that has no schema yet, as kyaml does). When the patch deletes the whole
/// resource (`$patch: delete` at its top), the result is [`Value::Null`] and
/// the caller drops the resource.
pub fn strategic_merge(
    target: &Value,
    patch: &Value,
    schema: &PatchSchema,
) -> Result<Value, PatchError> {
    strategic_merge_owned(target.clone(), patch, schema)
}

/// [`strategic_merge`] taking the target by value, for callers that replace
/// it with the result anyway (the walk moves the target's nodes into the
/// result instead of copying the whole tree first).
pub fn strategic_merge_owned(
    target: Value,
    patch: &Value,
    schema: &PatchSchema,
) -> Result<Value, PatchError> {
    let walker = Walker { schema };
    let (out, _) = walker.walk(Some(target), Some(patch.clone()), None)?;
    Ok(match out {
        Out::Node(v) => v,
        Out::Clear | Out::KeepNull => Value::Null,
    })
}

/// Whether walking `dest` with no patch counterpart gives `dest` back:
/// scalars and nulls are kept, lists without a merge strategy are kept
/// whole, and maps are walked field by field — so only an associative list
/// (wherever it sits) can change.
fn walk_keeps(dest: &Value, schema: Option<&Node>) -> bool {
    fn no_lists(v: &Value) -> bool {
        match v {
            Value::Seq(_) => false,
            Value::Map(m) => m.values().all(no_lists),
            _ => true,
        }
    }
    match dest {
        Value::Seq(_) => !schema.is_some_and(Node::is_associative),
        Value::Map(_) => no_lists(dest),
        _ => true,
    }
}

/// True for kyaml's `IsMissingOrNull`.
fn missing_or_null(v: &Option<Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

/// True for kyaml's `IsEmptyMap` (missing, null, or a map without fields).
fn empty_map(v: &Option<Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Map(m)) => m.is_empty(),
        _ => false,
    }
}

/// A node's raw scalar text (yaml.v3 `Node.Value`): empty for collections.
fn raw_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::DocInt(i) => i.to_string(),
        Value::Float(f) => crate::yaml::format_go_float(*f),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// A merge-key value as `ElementValuesList` reads it: empty when the field is
/// missing, null or an empty collection.
fn key_text(elem: &Value, key: &str) -> String {
    match elem.as_map().and_then(|m| m.get(key)) {
        None | Some(Value::Null) => String::new(),
        Some(v) => raw_text(v),
    }
}

/// A plain YAML scalar as kyaml's `NewScalarRNode` writes it: untagged, so it
/// reads back as a number or boolean when it looks like one.
fn plain_scalar(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return Value::DocInt(i);
    }
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(text.to_string()),
    }
}

/// The "wrong node kind" error of kyaml's `ErrorIfInvalid`.
fn wrong_kind(expected: Kind, node: &Value) -> PatchError {
    let got = Kind::of(node).map(Kind::name).unwrap_or("ScalarNode");
    PatchError::WrongKind {
        expected: expected.name(),
        got,
        contents: crate::yaml::to_yaml(node),
    }
}

/// `FieldMatcher{Name, StringValue}` on one list element: does `elem` have
/// the field (with that value, unless the value is empty)?
fn field_matches(elem: &Value, name: &str, value: &str) -> Result<bool, PatchError> {
    if elem.is_null() {
        return Ok(false);
    }
    if name.is_empty() {
        if Kind::of(elem) != Some(Kind::Scalar) {
            return Err(wrong_kind(Kind::Scalar, elem));
        }
        return Ok(raw_text(elem) == value);
    }
    let Value::Map(m) = elem else {
        return Err(wrong_kind(Kind::Mapping, elem));
    };
    Ok(match m.get(name) {
        None => false,
        Some(_) if value.is_empty() => true,
        Some(v) => raw_text(v) == value,
    })
}

/// kyaml's `ElementSetter`: replaces the elements matching `keys`/`values`
/// with `element` (or deletes them when `element` is `None`) and appends it
/// when nothing matched. Like kyaml it also drops null and empty-map elements.
fn element_set(
    list: &mut Vec<Value>,
    element: Option<&Value>,
    keys: &[String],
    values: &[String],
) -> Result<(), PatchError> {
    let empty_key = [String::new()];
    let keys = if keys.is_empty() {
        &empty_key[..]
    } else {
        keys
    };
    let mapping_setter = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
    let mut kept = Vec::with_capacity(list.len() + 1);
    let mut matched = false;
    for elem in list.drain(..) {
        if empty_map(&Some(elem.clone())) {
            continue;
        }
        if !matches!(elem, Value::Map(_)) && mapping_setter {
            kept.push(elem);
            continue;
        }
        // kyaml keeps the last matcher result for keys beyond `values`.
        let mut found = true;
        let mut last = false;
        for (j, key) in keys.iter().enumerate() {
            if let Some(value) = values.get(j) {
                last = field_matches(&elem, key, value)?;
            }
            if !last {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                kept.push(elem);
            }
            continue;
        }
        matched = true;
        if let Some(e) = element {
            kept.push(e.clone());
        }
    }
    *list = kept;
    if let Some(e) = element
        && !e.is_null()
        && !matched
    {
        list.push(e.clone());
    }
    Ok(())
}

/// kyaml's `ElementMatcher` (`RNode.ElementList`): the index of the first
/// element matching all keys/values.
fn element_index(list: &[Value], keys: &[String], values: &[String]) -> Option<usize> {
    let first_value = values.first().map(String::as_str).unwrap_or("");
    if keys.first().is_none_or(|k| k.is_empty()) {
        // Primitive lists compare the element's own text (`Node.Value`,
        // empty for maps).
        return list.iter().position(|e| raw_text(e) == first_value);
    }
    if keys.len() != values.len() {
        return None;
    }
    list.iter().position(|elem| {
        matches!(elem, Value::Map(_))
            && keys
                .iter()
                .zip(values)
                .all(|(k, v)| field_matches(elem, k, v).unwrap_or(false))
    })
}

/// kyaml's `validateKeys`: drops the keys no element has a value for.
fn validate_keys(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut valid = vec![false; keys.len()];
    for vals in values_list {
        for (i, v) in vals.iter().enumerate() {
            if !v.is_empty()
                && let Some(slot) = valid.get_mut(i)
            {
                *slot = true;
            }
        }
    }
    if !valid.iter().any(|v| *v) {
        return (keys.to_vec(), values.to_vec());
    }
    let valid_keys = keys
        .iter()
        .zip(&valid)
        .filter(|(_, ok)| **ok)
        .map(|(k, _)| k.clone())
        .collect();
    let valid_values = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || valid.get(*i).copied().unwrap_or(false))
        .map(|(_, v)| v.clone())
        .collect();
    (valid_keys, valid_values)
}

/// kyaml's `match`: two key tuples agree where both are set and share a value.
fn match_values(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut res = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            res.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            res.push(x.clone());
        } else {
            res.push(y.clone());
        }
    }
    common.then_some(res)
}

/// kyaml's `mergeValues` for multi-key lists: tuples that agree on some key
/// and do not conflict are completed from each other (e.g. a patch port
/// without `protocol` matches the resource's `TCP` port).
fn merge_values(list: &mut [Vec<String>]) {
    for i in 0..list.len() {
        // Go ranges over a copy of the outer element.
        let a = list[i].clone();
        for j in 0..list.len() {
            if let Some(res) = match_values(&a, &list[j]) {
                list[i] = res.clone();
                list[j] = res;
            }
        }
    }
}

/// The walker state: the schema tables.
struct Walker<'s> {
    schema: &'s PatchSchema,
}

impl<'s> Walker<'s> {
    /// kyaml `Walker.Walk`: dispatches on the first non-null source's kind.
    /// Returns the result and whether it is the resource's own node merged in
    /// place (which the list merge needs to know).
    fn walk(
        &self,
        dest: Option<Value>,
        origin: Option<Value>,
        schema: Option<&'s Node>,
    ) -> Result<(Out, bool), PatchError> {
        let schema = schema.or_else(|| self.schema_by_type(&dest, &origin));
        let kind = [&dest, &origin].into_iter().flatten().find_map(Kind::of);
        if let Some(kind) = kind {
            for v in [&dest, &origin].into_iter().flatten() {
                if let Some(k) = Kind::of(v)
                    && k != kind
                {
                    return Err(wrong_kind(kind, v));
                }
            }
        }
        match kind {
            Some(Kind::Sequence) => {
                if schema.is_some_and(Node::is_associative) {
                    Ok((self.walk_associative(dest, origin, schema)?, false))
                } else {
                    // VisitList, NonAssociateList: the patch's list wins.
                    Ok(match origin {
                        Some(o) => (Out::Node(o), false),
                        None => (dest.map_or(Out::Clear, Out::Node), true),
                    })
                }
            }
            Some(Kind::Scalar) => Ok(match origin {
                Some(o) => (Out::Node(o), false),
                None => (dest.map_or(Out::Clear, Out::Node), true),
            }),
            Some(Kind::Mapping) | None => self.walk_map(dest, origin, schema),
        }
    }

    /// kyaml `GetSchema` without a field schema: the resource type of the
    /// first source that names one.
    fn schema_by_type(&self, dest: &Option<Value>, origin: &Option<Value>) -> Option<&'s Node> {
        [dest, origin].into_iter().flatten().find_map(|v| {
            let m = v.as_map()?;
            let api_version = m.get("apiVersion")?.as_str()?;
            let kind = m.get("kind")?.as_str()?;
            if api_version.is_empty() || kind.is_empty() {
                return None;
            }
            self.schema.for_type(api_version, kind)
        })
    }

    /// kyaml `walkMap` with merge2's `VisitMap`.
    fn walk_map(
        &self,
        dest: Option<Value>,
        mut origin: Option<Value>,
        schema: Option<&'s Node>,
    ) -> Result<(Out, bool), PatchError> {
        let is_dest;
        let mut merged = if missing_or_null(&dest) {
            // Nothing to merge into: a deleted patch map vanishes, an absent
            // one keeps the resource's explicit null, else the patch is taken.
            if map_directive(&mut origin).ok() == Some(Directive::Delete) {
                return Ok((Out::Clear, false));
            }
            if origin.is_none() && dest.is_some() {
                return Ok((Out::KeepNull, true));
            }
            is_dest = false;
            match origin.clone() {
                Some(o) => o,
                None => return Ok((Out::Clear, false)),
            }
        } else {
            if matches!(origin, Some(Value::Null)) {
                return Ok((Out::Clear, false));
            }
            match map_directive(&mut origin)? {
                Directive::Delete => return Ok((Out::Clear, false)),
                Directive::Replace => {
                    is_dest = false;
                    origin.clone().unwrap_or(Value::Null)
                }
                Directive::Merge => {
                    is_dest = true;
                    dest.unwrap_or(Value::Null)
                }
            }
        };
        // When the patch replaced the resource's map, kyaml walks the patch
        // against itself, so the same rules (null clears, nested directives)
        // apply to it.
        let origin_map = match &origin {
            Some(Value::Map(m)) => Some(m),
            _ => None,
        };
        if let Value::Map(dest_map) = &mut merged {
            let mut names: Vec<String> = dest_map.keys().cloned().collect();
            if let Some(o) = origin_map {
                names.extend(o.keys().filter(|k| !dest_map.contains_key(*k)).cloned());
            }
            names.sort();
            for name in names {
                let field_schema = schema.and_then(|s| self.schema.field(s, &name));
                // A field the patch does not mention comes out of the walk
                // unchanged unless an associative list lies inside it (their
                // merge drops null elements and re-keys the rest), so such
                // fields are left in place unwalked.
                if origin_map.is_none_or(|o| !o.contains_key(&name))
                    && dest_map
                        .get(&name)
                        .is_some_and(|d| walk_keeps(d, field_schema))
                {
                    continue;
                }
                // Taken out, not cloned: `set_field` writes the result back
                // into the same slot (or removes it).
                let d = dest_map.get_mut(&name).map(std::mem::take);
                let o = origin_map.and_then(|m| m.get(&name)).cloned();
                let (out, _) = self.walk(d, o, field_schema)?;
                set_field(dest_map, &name, out);
            }
        }
        Ok((Out::Node(merged), is_dest))
    }

    /// kyaml `walkAssociativeSequence` with merge2's `VisitList`.
    fn walk_associative(
        &self,
        dest: Option<Value>,
        mut origin: Option<Value>,
        schema: Option<&'s Node>,
    ) -> Result<Out, PatchError> {
        let dest = if missing_or_null(&dest) {
            origin.clone()
        } else {
            if matches!(origin, Some(Value::Null)) {
                return Ok(Out::Clear);
            }
            match list_directive(&mut origin)? {
                Directive::Delete => return Ok(Out::Clear),
                Directive::Replace => origin.clone(),
                Directive::Merge => dest,
            }
        };
        let mut dest_list = match dest {
            Some(Value::Seq(items)) => items,
            Some(Value::Null) | None => return Ok(Out::Clear),
            Some(other) => return Err(wrong_kind(Kind::Sequence, &other)),
        };
        let origin_list: Vec<Value> = match origin {
            Some(Value::Seq(items)) => items,
            _ => Vec::new(),
        };
        let keys: Vec<String> = schema.map(|s| s.merge_keys().to_vec()).unwrap_or_default();
        let elem_schema = schema.and_then(|s| self.schema.elements(s));

        // Key tuples, patch first (ListIncreaseDirection: Prepend).
        let mut values: Vec<Vec<String>> = Vec::new();
        for elem in origin_list.iter().chain(dest_list.iter()) {
            let tuple: Vec<String> = keys.iter().map(|k| key_text(elem, k)).collect();
            if !tuple.is_empty() && !values.contains(&tuple) {
                values.push(tuple);
            }
        }
        let (values, keys) = if values.is_empty() && keys.is_empty() {
            // A primitive list with a merge strategy (finalizers): by value.
            let mut prim: Vec<Vec<String>> = Vec::new();
            for elem in origin_list.iter().chain(dest_list.iter()) {
                let tuple = vec![raw_text(elem)];
                if !prim.contains(&tuple) {
                    prim.push(tuple);
                }
            }
            (prim, vec![String::new()])
        } else {
            (values, keys)
        };
        let items = self.set_elements(values, &keys, &mut dest_list, &origin_list, elem_schema)?;
        Ok(Out::Node(Value::Seq(items)))
    }

    /// kyaml `setAssociativeSequenceElements` + `appendListNode` (prepend).
    fn set_elements(
        &self,
        mut values_list: Vec<Vec<String>>,
        keys: &[String],
        dest_list: &mut Vec<Value>,
        origin_list: &[Value],
        elem_schema: Option<&'s Node>,
    ) -> Result<Vec<Value>, PatchError> {
        let mut items: Vec<Value> = Vec::new();
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        let mut valid_keys: Vec<String> = Vec::new();
        for values in &values_list {
            if values.is_empty() {
                continue;
            }
            let valid_values;
            (valid_keys, valid_values) = validate_keys(&values_list, values, keys);
            let (match_keys, match_values) = validate_keys(
                std::slice::from_ref(&valid_values),
                &valid_values,
                &valid_keys,
            );
            let dest_idx = element_index(dest_list, &match_keys, &match_values);
            let origin_idx = element_index(origin_list, &match_keys, &match_values);
            let d = dest_idx.map(|i| dest_list[i].clone());
            let o = origin_idx.map(|i| origin_list[i].clone());
            let (out, merged_in_place) = self.walk(d, o, elem_schema)?;
            let mut val = out.into_option();
            let mut exit = false;
            for (i, key) in valid_keys.iter().enumerate() {
                if missing_or_null(&val) || empty_map(&val) {
                    element_set(dest_list, None, &valid_keys, &valid_values)?;
                    exit = true;
                    continue;
                }
                let value = valid_values.get(i).map(String::as_str).unwrap_or("");
                match &mut val {
                    // The element lacks its key (a replaced element written
                    // without it): kyaml writes the key back.
                    Some(Value::Map(m)) if !m.contains_key(key) && !value.is_empty() => {
                        m.insert(key.clone(), plain_scalar(value));
                    }
                    // A primitive: kyaml's FieldSetter without a name rewrites
                    // the scalar with the same text, so the value stays.
                    Some(Value::Map(_)) | None => {}
                    Some(_) if key.is_empty() || value.is_empty() => {}
                    Some(other) => return Err(wrong_kind(Kind::Mapping, other)),
                }
            }
            if exit {
                continue;
            }
            if merged_in_place && let (Some(i), Some(v)) = (dest_idx, &val) {
                // kyaml merged into the resource's element node itself, so
                // the resource's list sees the merged element from now on.
                dest_list[i] = v.clone();
            }
            if let Some(v) = &val {
                element_set(&mut items, Some(v), &valid_keys, &valid_values)?;
            }
        }
        if values_list.is_empty() {
            return Ok(std::mem::take(dest_list));
        }
        // appendListNode(itemsToBeAdded, dest, keys): the resource's elements
        // (merged in place) are set into the new list by key.
        let first_key_empty = valid_keys.first().is_none_or(|k| k.is_empty());
        for elem in dest_list.iter() {
            if first_key_empty {
                element_set(&mut items, Some(elem), &[String::new()], &[raw_text(elem)])?;
                continue;
            }
            let mut v = Vec::new();
            for key in &valid_keys {
                match elem {
                    Value::Null => items.push(elem.clone()),
                    Value::Map(m) => match m.get(key) {
                        Some(value) => v.push(raw_text(value)),
                        None => items.push(elem.clone()),
                    },
                    other => return Err(wrong_kind(Kind::Mapping, other)),
                }
            }
            if valid_keys.len() > 1 {
                element_set(&mut items, None, &valid_keys, &v)?;
            }
            element_set(&mut items, Some(elem), &valid_keys, &v)?;
        }
        Ok(items)
    }
}

/// Reads (and removes) a map patch's `$patch` directive
/// (`determineMappingNodePatchStrategy`).
fn map_directive(origin: &mut Option<Value>) -> Result<Directive, PatchError> {
    let Some(Value::Map(m)) = origin else {
        return Ok(Directive::Merge);
    };
    let Some(v) = m.get(DIRECTIVE_KEY) else {
        return Ok(Directive::Merge);
    };
    let directive = parse_directive(&raw_text(v))?;
    m.shift_remove(DIRECTIVE_KEY);
    Ok(directive)
}

/// Reads (and removes) a list patch's `{$patch: …}` element
/// (`determineSequenceNodePatchStrategy`): only an element whose sole field
/// is `$patch` counts.
fn list_directive(origin: &mut Option<Value>) -> Result<Directive, PatchError> {
    let Some(Value::Seq(items)) = origin else {
        return Ok(Directive::Merge);
    };
    let Some(elem) = items
        .iter()
        .find(|e| e.as_map().is_some_and(|m| m.contains_key(DIRECTIVE_KEY)))
    else {
        return Ok(Directive::Merge);
    };
    let Some(m) = elem.as_map() else {
        return Ok(Directive::Merge);
    };
    if m.len() > 1 {
        return Ok(Directive::Merge);
    }
    let text = m.get(DIRECTIVE_KEY).map(raw_text).unwrap_or_default();
    let directive = parse_directive(&text)?;
    element_set(items, None, &[DIRECTIVE_KEY.to_string()], &[text])?;
    Ok(directive)
}

fn parse_directive(text: &str) -> Result<Directive, PatchError> {
    match text {
        "delete" => Ok(Directive::Delete),
        "replace" => Ok(Directive::Replace),
        "merge" => Ok(Directive::Merge),
        other => Err(PatchError::UnknownDirective(other.to_string())),
    }
}

/// kyaml's `FieldSetter`: clear, overwrite in place, or append.
fn set_field(map: &mut Map, name: &str, out: Out) {
    match out {
        Out::Clear | Out::Node(Value::Null) => {
            map.shift_remove(name);
        }
        Out::KeepNull => {
            map.insert(name.to_string(), Value::Null);
        }
        Out::Node(v) => {
            map.insert(name.to_string(), v);
        }
    }
}
