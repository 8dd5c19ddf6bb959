//! Helm's value coalescing (`pkg/chart/common/util/coalesce.go`, v4.1.4).
//!
//! Go maps are reference types, and `coalesce.go` relies on that: a
//! subchart's `global` table is a *shallow* copy of its parent's, so nested
//! global tables are shared, and merging a subchart's own global defaults
//! into them is visible from the parent too. To reproduce the results
//! exactly (not just the documented rules) the algorithm runs on a small
//! tree whose maps are shared handles ([`Node`]), a faithful port of the Go
//! data flow, and is converted back to a [`Value`] at the end.
//!
//! Two modes, as in Go: *coalesce* (`merge == false`, what rendering uses)
//! deletes a key whose user value is `null` when a default exists, and
//! *merge* (`merge == true`, used for import-values and for the tables of
//! subcharts inside their parent) keeps nulls so the subchart's own pass
//! can apply them against the subchart's defaults.

use super::ValuesError;
use crate::chart::Chart;
use crate::hashing::{HashSet, Hasher};
use crate::value::{Map, Value};
use indexmap::IndexMap;
use std::cell::RefCell;
use std::rc::Rc;

/// A Go `map[string]interface{}`: shared, mutable.
type Table = Rc<RefCell<IndexMap<String, Node, Hasher>>>;

/// A Go `interface{}` holding a decoded value: a table, or anything else
/// (lists are never modified in place by coalescing, so they stay owned).
#[derive(Clone, Debug)]
enum Node {
    Table(Table),
    Leaf(Value),
}

/// Deepest values tree converted back; real values are far shallower, and
/// the bound keeps a (theoretical) reference cycle from overflowing the stack.
const MAX_DEPTH: usize = 10_000;

impl Node {
    fn from_value(v: &Value) -> Node {
        match v {
            Value::Map(m) => Node::Table(table_from_map(m)),
            other => Node::Leaf(other.clone()),
        }
    }

    fn is_nil(&self) -> bool {
        matches!(self, Node::Leaf(Value::Null))
    }

    fn table(&self) -> Option<Table> {
        match self {
            Node::Table(t) => Some(Rc::clone(t)),
            Node::Leaf(_) => None,
        }
    }

    /// The node as a value: its own tables give up their entries, shared
    /// ones are copied (see [`into_map`]).
    fn into_value(self, depth: usize) -> Result<Value, ValuesError> {
        match self {
            Node::Leaf(v) => Ok(v),
            Node::Table(t) => Ok(Value::Map(into_map(t, depth)?)),
        }
    }
}

fn table_from_map(m: &Map) -> Table {
    Rc::new(RefCell::new(
        m.iter()
            .map(|(k, v)| (k.clone(), Node::from_value(v)))
            .collect(),
    ))
}

/// A table as a map. A table nothing else holds gives up its keys and
/// values (the tree of a coalescing run is dropped right after); a shared
/// one (globals' copies) is copied, read in place since nothing mutates
/// the tree while it is read back.
fn into_map(t: Table, depth: usize) -> Result<Map, ValuesError> {
    if depth > MAX_DEPTH {
        return Err(ValuesError::TooDeep(MAX_DEPTH));
    }
    match Rc::try_unwrap(t) {
        Ok(cell) => {
            let table = cell.into_inner();
            let mut out = Map::with_capacity(table.len());
            for (k, v) in table {
                out.insert(k, v.into_value(depth + 1)?);
            }
            Ok(out)
        }
        Err(shared) => {
            let table = shared.borrow();
            let mut out = Map::with_capacity(table.len());
            for (k, v) in table.iter() {
                out.insert(k.clone(), v.clone().into_value(depth + 1)?);
            }
            Ok(out)
        }
    }
}

fn get(t: &Table, key: &str) -> Option<Node> {
    t.borrow().get(key).cloned()
}

fn entries(t: &Table) -> Vec<(String, Node)> {
    t.borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A deep copy of a chart's values as entries of shared tables (a non-map
/// `values.yaml` counts as empty), so shared handles never reach the chart.
fn chart_value_entries(chart: &Chart) -> Vec<(String, Node)> {
    chart.values.as_map().map_or_else(Vec::new, |m| {
        m.iter()
            .map(|(k, v)| (k.clone(), Node::from_value(v)))
            .collect()
    })
}

/// Collects the warnings Helm prints with `log.Printf` while coalescing.
#[derive(Default)]
struct Warnings(Vec<String>);

impl Warnings {
    fn push(&mut self, w: String) {
        self.0.push(w);
    }
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// Helm's `CoalesceValues`: the chart's (and its subcharts') defaults under
/// the user's values. Warnings are dropped; see
/// [`coalesce_values_with_warnings`].
pub fn coalesce_values(chart: &Chart, user: &Value) -> Result<Value, ValuesError> {
    coalesce_values_with_warnings(chart, user).map(|(v, _)| v)
}

/// [`coalesce_values`] plus the warnings Helm would log (type mismatches,
/// skipped globals), in the order they arise.
pub fn coalesce_values_with_warnings(
    chart: &Chart,
    user: &Value,
) -> Result<(Value, Vec<String>), ValuesError> {
    run(chart, user, false)
}

/// Helm's `MergeValues` (nulls preserved), used by import-values.
pub(crate) fn merge_chart_values(chart: &Chart, user: &Value) -> Result<Value, ValuesError> {
    run(chart, user, true).map(|(v, _)| v)
}

fn run(chart: &Chart, user: &Value, merge: bool) -> Result<(Value, Vec<String>), ValuesError> {
    // copyValues: a deep copy, and nil becomes an empty map.
    let dest = table_from_map(user.as_map().unwrap_or(&Map::default()));
    let mut warnings = Warnings::default();
    coalesce(&mut warnings, chart, &dest, "", merge)?;
    Ok((Value::Map(into_map(dest, 0)?), warnings.0))
}

fn coalesce(
    w: &mut Warnings,
    chart: &Chart,
    dest: &Table,
    prefix: &str,
    merge: bool,
) -> Result<(), ValuesError> {
    coalesce_chart_values(w, chart, dest, prefix, merge);
    coalesce_deps(w, chart, dest, prefix, merge)
}

/// Go's `coalesceDeps`: each subchart's table gets the parent's globals,
/// then the subchart's own defaults.
fn coalesce_deps(
    w: &mut Warnings,
    chart: &Chart,
    dest: &Table,
    prefix: &str,
    merge: bool,
) -> Result<(), ValuesError> {
    for sub in &chart.dependencies {
        let name = sub.name();
        let dvmap = match get(dest, name) {
            None => {
                let t: Table = Rc::default();
                dest.borrow_mut()
                    .insert(name.to_string(), Node::Table(Rc::clone(&t)));
                t
            }
            Some(Node::Table(t)) => t,
            Some(Node::Leaf(v)) => {
                return Err(ValuesError::TypeMismatch {
                    name: name.to_string(),
                    found: go_format_t(&v),
                });
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(w, &dvmap, dest, &sub_prefix);
        coalesce(w, sub, &dvmap, &sub_prefix, merge)?;
    }
    Ok(())
}

/// Go's `coalesceGlobals`: the parent's `global` entries are copied into the
/// subchart's `global`, the parent winning; nested tables are merged with
/// the parent's (shallow-copied) table authoritative.
fn coalesce_globals(w: &mut Warnings, dest: &Table, src: &Table, prefix: &str) {
    let dg: Table = match get(dest, "global") {
        None => Rc::default(),
        Some(Node::Table(t)) => t,
        Some(Node::Leaf(_)) => {
            w.push("warning: skipping globals because destination global is not a table.".into());
            return;
        }
    };
    let sg: Table = match get(src, "global") {
        None => Rc::default(),
        Some(Node::Table(t)) => t,
        Some(Node::Leaf(_)) => {
            w.push("warning: skipping globals because source global is not a table.".into());
            return;
        }
    };
    for (key, val) in entries(&sg) {
        match &val {
            Node::Table(vt) => {
                // copyMap: a new top-level map whose values are shared.
                let vv: Table = Rc::new(RefCell::new(vt.borrow().clone()));
                match get(&dg, &key) {
                    None => {
                        dg.borrow_mut().insert(key, Node::Table(vv));
                    }
                    Some(Node::Table(destv)) => {
                        // Reverse order: the parent's copy is authoritative,
                        // always in merge mode (nulls are handled later).
                        let sub_prefix = concat_prefix(prefix, &key);
                        coalesce_tables(w, &vv, &destv, &sub_prefix, true);
                        dg.borrow_mut().insert(key, Node::Table(vv));
                    }
                    Some(Node::Leaf(_)) => w.push(format!(
                        "Conflict: cannot merge map onto non-map for {}. Skipping.",
                        super::strvals::go_quote(&key)
                    )),
                }
            }
            Node::Leaf(_) => {
                if let Some(Node::Table(_)) = get(&dg, &key) {
                    w.push(format!("key {key} is table. Skipping"));
                } else {
                    dg.borrow_mut().insert(key, val.clone());
                }
            }
        }
    }
    dest.borrow_mut()
        .insert("global".to_string(), Node::Table(dg));
}

/// Go's `coalesceValues`: one chart's defaults into its values table.
fn coalesce_chart_values(w: &mut Warnings, chart: &Chart, v: &Table, prefix: &str, merge: bool) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    for (key, val) in chart_value_entries(chart) {
        match get(v, &key) {
            Some(value) => {
                if value.is_nil() && !merge {
                    // A user null removes the default (and the key).
                    v.borrow_mut().shift_remove(&key);
                } else if let Some(dest) = value.table() {
                    match val.table() {
                        Some(src) => {
                            // Tables meant for a subchart keep their nulls
                            // here; the subchart's own pass applies them.
                            let is_child = chart.dependencies.iter().any(|d| d.name() == key);
                            coalesce_tables(
                                w,
                                &dest,
                                &src,
                                &concat_prefix(&sub_prefix, &key),
                                merge || is_child,
                            );
                        }
                        None => {
                            if !val.is_nil() {
                                w.push(format!(
                                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                                ));
                            }
                        }
                    }
                }
            }
            None => {
                v.borrow_mut().insert(key, val);
            }
        }
    }
}

/// Go's `coalesceTablesFullKey`: `src` (lower priority) into `dst`.
fn coalesce_tables(w: &mut Warnings, dst: &Table, src: &Table, prefix: &str, merge: bool) {
    if Rc::ptr_eq(dst, src) {
        // Coalescing a table with itself changes nothing (and would alias
        // the RefCell borrows).
        return;
    }
    let src_non_nil: HashSet<String> = src
        .borrow()
        .iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    // A user null is recorded in src too, so the loop below visits it.
    for (key, val) in entries(dst) {
        if val.is_nil() {
            src.borrow_mut().insert(key, Node::Leaf(Value::Null));
        }
    }
    for (key, val) in entries(src) {
        // Named only in warnings and as the prefix below.
        let full_key = || concat_prefix(prefix, &key);
        let dv = get(dst, &key);
        match dv {
            Some(dv) if !merge && dv.is_nil() && src_non_nil.contains(&key) => {
                // The user nulls a default: drop the key.
                dst.borrow_mut().shift_remove(&key);
            }
            None => {
                // Not set by the user: take the default (nulls included).
                dst.borrow_mut().insert(key, val);
            }
            Some(dv) => match (val.table(), dv.table()) {
                (Some(src_t), Some(dst_t)) => {
                    coalesce_tables(w, &dst_t, &src_t, &full_key(), merge);
                }
                (Some(_), None) => w.push(format!(
                    "warning: cannot overwrite table with non table for {} ({})",
                    full_key(),
                    go_format_v_node(&val)
                )),
                (None, Some(_)) if !val.is_nil() => w.push(format!(
                    "warning: destination for {} is a table. Ignoring non-table value ({})",
                    full_key(),
                    go_format_v_node(&val)
                )),
                _ => {}
            },
        }
    }
}

/// Helm's `loader.MergeMaps`: `b` over `a`, recursing only where both are
/// maps; nulls are kept (used for `-f` files and `--set-json '{…}'`).
pub fn merge_maps(a: &mut Map, b: Map) {
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(Value::Map(existing)), Value::Map(inner)) => merge_maps(existing, inner),
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
}

/// Helm's `CoalesceTables`/`MergeTables` on plain values: `src` under `dst`.
pub(crate) fn coalesce_maps(dst: &Map, src: &Map, merge: bool) -> Result<Map, ValuesError> {
    let d = table_from_map(dst);
    let s = table_from_map(src);
    let mut w = Warnings::default();
    coalesce_tables(&mut w, &d, &s, "", merge);
    drop(s);
    into_map(d, 0)
}

/// Go's `%v` of a decoded value, for warning texts.
fn go_format_v_node(n: &Node) -> String {
    n.clone()
        .into_value(0)
        .map(|v| go_format_v(&v))
        .unwrap_or_else(|_| "map[…]".to_string())
}

/// Go's `%v` of a decoded value (`map[a:1 b:x]` with sorted keys, `[1 2]`,
/// `<nil>`, floats in `%g` form).
pub(crate) fn go_format_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::DocInt(i) => crate::yaml::format_go_float(*i as f64),
        Value::Float(f) => crate::yaml::format_go_float(*f),
        Value::String(s) => s.clone(),
        Value::Seq(items) => {
            let parts: Vec<String> = items.iter().map(go_format_v).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_format_v(&m[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Go's `%t` of a non-table value (`%!t(string=x)` for non-bools).
fn go_format_t(v: &Value) -> String {
    match v {
        Value::Null => "%!t(<nil>)".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Seq(items) => {
            let parts: Vec<String> = items.iter().map(go_format_t).collect();
            format!("[{}]", parts.join(" "))
        }
        other => format!(
            "%!t({}={})",
            super::strvals::go_type_name(other),
            go_format_v(other)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::tests::chart;

    fn json(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn nested_globals_are_shared_like_go_maps() {
        // The subchart's nested global defaults show up in the parent's
        // `global` too, because Go shallow-copies the parent's tables.
        let mut parent = chart("p", json(r#"{"global":{"a":{"b":{"x":1}}}}"#));
        parent
            .dependencies
            .push(chart("s", json(r#"{"global":{"a":{"b":{"y":2}}}}"#)));
        let (v, warnings) = coalesce_values_with_warnings(&parent, &Value::Null).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(v.get_path("s.global.a.b"), Some(&json(r#"{"x":1,"y":2}"#)));
        assert_eq!(v.get_path("global.a.b"), Some(&json(r#"{"x":1,"y":2}"#)));
    }

    #[test]
    fn formats_go_values() {
        assert_eq!(
            go_format_v(&json(r#"{"b":[1,"x",null],"a":1000000}"#)),
            "map[a:1e+06 b:[1 x <nil>]]"
        );
        assert_eq!(go_format_t(&Value::from("x")), "%!t(string=x)");
    }
}
