//! The template value model: what `.`, variables, function arguments and
//! results hold while a Go template executes.
//!
//! Go's executor works on `reflect.Value`s; Helm feeds it
//! `map[string]interface{}` trees, `[]interface{}` lists, float64/int64
//! numbers and a few structs with methods (`.Files`, `.Capabilities`).
//! [`GoValue`] keeps exactly the distinctions that change printed output or
//! errors: Go `int` vs `int64` vs `float64` (`%T`, `eq` errors), a missing
//! map entry (Go's invalid `reflect.Value`, printed `<no value>`) vs a nil
//! interface, and list/map element types.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::format::{FmtArg, FmtValue};
use super::funcs::Function;

/// A Go `map[string]interface {}`.
///
/// Go maps are reference types: `{{ $_ := set $d "k" "v" }}` changes the
/// map every other variable (and `.Values`) holding it sees, and Helm charts
/// rely on that (Bitnami's `common.tplvalues.merge`, `merge`/`mergeOverwrite`
/// mutating their first argument). So a `GoMap` is a shared handle: cloning
/// it is an `Arc` clone that aliases the same entries, and [`GoMap::insert`] /
/// [`GoMap::remove`] take `&self`.
///
/// Keys are kept sorted ([`Entries`]) so range and printing follow Go's
/// sorted-key order. The lock is never held beyond one method call: readers
/// get cloned values ([`GoValue`] clones are `Arc` clones) or sorted
/// snapshots, so a template may mutate a map while ranging over it, as Go's
/// `range` (which sorts a snapshot of the entries first) allows.
#[derive(Clone, Default)]
pub struct GoMap(Arc<MapCell>, MapType);

/// A map's entries, and the flag that a write to them raises while files
/// that share the map execute side by side ([`watch_writes`]).
#[derive(Default)]
struct MapCell {
    entries: RwLock<Entries>,
    watch: OnceLock<Arc<AtomicBool>>,
}

impl MapCell {
    fn new(entries: BTreeMap<String, GoValue>) -> Arc<MapCell> {
        MapCell::sorted(entries.into_iter().collect())
    }

    /// A cell for entries already sorted by key, each key once.
    fn sorted(entries: Vec<(String, GoValue)>) -> Arc<MapCell> {
        Arc::new(MapCell {
            entries: RwLock::new(Entries(entries)),
            watch: OnceLock::new(),
        })
    }
}

/// A map's entries in one vector sorted by key, found by binary search.
/// The maps of a render are small (a `dict` of two or three arguments, a
/// values table of a few keys): a `BTreeMap` gave each a node of room for
/// eleven entries, about 500 bytes, and scanned it key by key.
#[derive(Clone, Default)]
struct Entries(Vec<(String, GoValue)>);

impl Entries {
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    fn get(&self, key: &str) -> Option<&GoValue> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    fn values(&self) -> impl Iterator<Item = &GoValue> {
        self.0.iter().map(|(_, v)| v)
    }

    fn insert(&mut self, key: String, value: GoValue) -> Option<GoValue> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    fn remove(&mut self, key: &str) -> Option<GoValue> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }
}

/// Makes every map reachable from `v` (through maps, lists and host-object
/// fields) raise `flag` when it is written to. Files may then execute on
/// several threads: as long as none of them writes to a map they share,
/// each one's output is what it would be alone. False when some map is
/// already watched by another flag, so a write to it could go unseen.
pub fn watch_writes(v: &GoValue, flag: &Arc<AtomicBool>) -> bool {
    match v {
        GoValue::Map(m) => {
            if let Err(ours) = m.0.watch.set(flag.clone()) {
                // Reached before through another path, or someone else's.
                return m.0.watch.get().is_some_and(|f| Arc::ptr_eq(f, &ours));
            }
            m.read().values().all(|child| watch_writes(child, flag))
        }
        GoValue::List(l) => l.items.iter().all(|item| watch_writes(item, flag)),
        GoValue::Object(o) => o
            .field_names()
            .iter()
            .filter_map(|name| o.field(name))
            .all(|f| watch_writes(&f, flag)),
        _ => true,
    }
}

/// The Go type of a map: its name for `%T`/`typeOf` and the zero value of
/// its elements (what `index` gives for a missing key). Helm's data has a
/// few typed maps besides `map[string]interface {}`: `.Values` is the named
/// `common.Values`, `.Chart.Annotations` and Sprig `split` are
/// `map[string]string`, `.Files` is `map[string][]byte`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapType {
    /// Go type name (`map[string]string`, `common.Values`).
    pub name: &'static str,
    /// Element type: [`ELEM_ANY`], [`ELEM_STRING`] or [`ELEM_BYTES`].
    pub elem: &'static str,
    /// A nil map (a Go struct field never set): prints `map[]` like an
    /// empty one but encodes to JSON `null`.
    pub nil: bool,
}

impl MapType {
    /// `map[string]interface {}`.
    pub const ANY: MapType = MapType {
        name: "map[string]interface {}",
        elem: ELEM_ANY,
        nil: false,
    };
    /// `map[string]string`.
    pub const STRINGS: MapType = MapType {
        name: "map[string]string",
        elem: ELEM_STRING,
        nil: false,
    };

    /// The zero value of an element (Go's `index` of a missing key).
    pub fn zero_elem(&self) -> GoValue {
        match self.elem {
            ELEM_STRING => GoValue::str(""),
            ELEM_BYTES => GoValue::Bytes(Arc::from(&[][..])),
            _ => GoValue::Nil,
        }
    }
}

impl Default for MapType {
    fn default() -> MapType {
        MapType::ANY
    }
}

impl GoMap {
    /// A new, empty map (`dict`).
    pub fn new() -> GoMap {
        GoMap::default()
    }

    /// A new map holding these entries.
    pub fn from_map(m: BTreeMap<String, GoValue>) -> GoMap {
        GoMap(MapCell::new(m), MapType::ANY)
    }

    /// A new `map[string]interface {}` from pairs in any order; of pairs
    /// with the same key the last one counts, as when Go stores them in
    /// turn. Builds the sorted entries directly (a `dict` is made on every
    /// call of most bitnami helpers).
    pub fn from_pairs(mut pairs: Vec<(String, GoValue)>) -> GoMap {
        // A stable sort keeps pairs with the same key in their order.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut entries: Vec<(String, GoValue)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match entries.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => entries.push((k, v)),
            }
        }
        GoMap(MapCell::sorted(entries), MapType::ANY)
    }

    /// A new map of the given Go type holding these entries.
    pub fn typed(m: BTreeMap<String, GoValue>, ty: MapType) -> GoMap {
        GoMap(MapCell::new(m), ty)
    }

    /// The map's Go type.
    pub fn map_type(&self) -> MapType {
        self.1
    }

    // A panic cannot happen while the lock is held (no user code runs under
    // it), so a poisoned lock still holds consistent data.
    fn read(&self) -> RwLockReadGuard<'_, Entries> {
        self.0.entries.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Entries> {
        if let Some(flag) = self.0.watch.get() {
            flag.store(true, Ordering::Relaxed);
        }
        self.0.entries.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The value stored under `key` (a cheap clone).
    pub fn get(&self, key: &str) -> Option<GoValue> {
        self.read().get(key).cloned()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.read().find(key).is_ok()
    }

    /// Number of entries (Go `len`).
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.read().len() == 0
    }

    /// The keys, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    /// The entries sorted by key, as of now (later changes are not seen).
    pub fn entries(&self) -> Vec<(String, GoValue)> {
        self.read().0.clone()
    }

    /// Runs `f` on the entries, sorted by key, without copying them: the
    /// map's read lock is held meanwhile, so `f` must not write to this map
    /// (or read it again through a cycle: a writer waiting on another
    /// thread would stop that second read). Walks over values whose cycles
    /// were refused first use it.
    pub fn with_entries<R>(&self, f: impl FnOnce(&[(String, GoValue)]) -> R) -> R {
        f(&self.read().0)
    }

    /// A shallow copy of the entries as a plain map (nested maps stay shared).
    pub fn snapshot(&self) -> BTreeMap<String, GoValue> {
        self.read().0.iter().cloned().collect()
    }

    /// Stores `value` under `key` (Go `m[key] = value`); returns the old value.
    /// On a watched map, storing what the key already holds (the same
    /// scalar, the same map or list) changes nothing anyone can see, and
    /// leaves the flag down: bitnami charts `set` a generated password
    /// into `.Values` each time they read it, the same one after the first.
    pub fn insert(&self, key: impl Into<String>, value: GoValue) -> Option<GoValue> {
        let key = key.into();
        if self.0.watch.get().is_some()
            && let Some(old) = self.read().get(&key)
            && old.is_same(&value)
        {
            return Some(value);
        }
        self.write().insert(key, value)
    }

    /// Deletes `key` (Go `delete(m, key)`); returns the old value. Deleting
    /// a missing key from a watched map leaves the flag down.
    pub fn remove(&self, key: &str) -> Option<GoValue> {
        if self.0.watch.get().is_some() && !self.contains_key(key) {
            return None;
        }
        self.write().remove(key)
    }

    /// Whether both handles refer to the same Go map.
    pub fn ptr_eq(&self, other: &GoMap) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// An identity for cycle detection (stable while the map is alive).
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as *const () as usize
    }

    /// A deep copy: nested maps are copied too, so changes to the copy are
    /// not seen through the original (Sprig `deepCopy`). Lists are immutable
    /// here, so only the maps inside them are copied. Fails on a cyclic value.
    pub fn deep_copy(&self) -> Result<GoMap, CycleError> {
        let mut path = Vec::new();
        deep_copy_map(self, &mut path)
    }
}

fn deep_copy_map(m: &GoMap, path: &mut Vec<usize>) -> Result<GoMap, CycleError> {
    if path.contains(&m.id()) || path.len() >= MAX_DEPTH {
        return Err(CycleError);
    }
    path.push(m.id());
    let mut out = BTreeMap::new();
    for (k, v) in m.entries() {
        out.insert(k, deep_copy_value(&v, path)?);
    }
    path.pop();
    Ok(GoMap::typed(out, m.map_type()))
}

fn deep_copy_value(v: &GoValue, path: &mut Vec<usize>) -> Result<GoValue, CycleError> {
    Ok(match v {
        GoValue::Map(m) => GoValue::Map(deep_copy_map(m, path)?),
        GoValue::List(l) if l.items.iter().any(GoValue::holds_map) => {
            let mut items = Vec::with_capacity(l.items.len());
            for item in &l.items {
                items.push(deep_copy_value(item, path)?);
            }
            GoValue::List(Arc::new(GoList {
                elem: l.elem,
                items,
            }))
        }
        other => other.clone(),
    })
}

impl From<BTreeMap<String, GoValue>> for GoMap {
    fn from(m: BTreeMap<String, GoValue>) -> GoMap {
        GoMap::from_map(m)
    }
}

impl FromIterator<(String, GoValue)> for GoMap {
    fn from_iter<I: IntoIterator<Item = (String, GoValue)>>(iter: I) -> GoMap {
        GoMap::from_map(iter.into_iter().collect())
    }
}

impl fmt::Debug for GoMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output must not recurse forever on a map holding itself.
        thread_local! {
            static OPEN: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let id = self.id();
        if OPEN.with(|o| o.borrow().contains(&id)) {
            return f.write_str("<cycle>");
        }
        OPEN.with(|o| o.borrow_mut().push(id));
        let r = f.debug_map().entries(self.entries()).finish();
        OPEN.with(|o| o.borrow_mut().pop());
        r
    }
}

/// How deeply nested maps and lists may be before printing, JSON/YAML
/// conversion and copying give up. Real data is far shallower; the limit
/// exists so a map stored into itself (`set $d "x" $d`) ends in an error
/// rather than a stack overflow (Go would crash there).
pub const MAX_DEPTH: usize = 200;

/// A value holds itself (`set $d "x" $d`) or is nested deeper than
/// [`MAX_DEPTH`]. Go's `encoding/json` reports the same situation as
/// `json: unsupported value: encountered a cycle via map[string]interface {}`;
/// Go's fmt and copystructure overflow the stack instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("encountered a cycle via map[string]interface {{}}")]
pub struct CycleError;

/// A template value.
#[derive(Clone, Default)]
pub enum GoValue {
    /// Go's invalid `reflect.Value`: a missing map entry or an empty
    /// pipeline. Prints as `<no value>`.
    #[default]
    Missing,
    /// A nil `interface {}` (JSON `null`, the `nil` keyword). Prints `<nil>`.
    Nil,
    /// `bool`.
    Bool(bool),
    /// Go `int` (template integer constants, `len`, range indexes).
    Int(i64),
    /// Go `int64` (Helm `--set` integers, Sprig arithmetic results).
    Int64(i64),
    /// Go `uint64`.
    Uint64(u64),
    /// Go `float64`.
    Float(f64),
    /// Go `complex128` (only from template constants such as `1.5i`).
    Complex(f64, f64),
    /// Go `string`.
    String(Arc<str>),
    /// Go `[]byte`.
    Bytes(Arc<[u8]>),
    /// A slice with its element type.
    List(Arc<GoList>),
    /// A Go map with string keys: `map[string]interface {}` or a typed map
    /// ([`GoMap::map_type`]).
    Map(GoMap),
    /// A host object (a Go struct or pointer with fields and methods).
    Object(Arc<dyn Object>),
    /// A function value, callable with the `call` builtin.
    Func(Arc<Function>),
}

/// A Go slice: element type (for `%T`) and elements.
#[derive(Clone, Debug)]
pub struct GoList {
    /// Element type name: [`ELEM_ANY`] (`interface {}`) or [`ELEM_STRING`].
    pub elem: &'static str,
    /// The elements.
    pub items: Vec<GoValue>,
}

/// Element type name of `[]interface {}`.
pub const ELEM_ANY: &str = "interface {}";
/// Element type name of `[]string`.
pub const ELEM_STRING: &str = "string";
/// Element type name of `[]uint8` (map elements of `map[string][]byte`).
pub const ELEM_BYTES: &str = "[]uint8";

/// A host object, the analogue of a Go struct (or pointer to struct) in the
/// data: Helm's `.Files`, `.Capabilities`, `.Chart`, `.Release`.
///
/// Field and method names are Go's exported names. A method is returned as
/// a [`Function`] bound to the receiver, so it is called with Go's argument
/// checks (`.Files.Get "x"`, `.Capabilities.APIVersions.Has "v1"`).
pub trait Object: Send + Sync {
    /// Go type name for `%T` and errors (`chartutil.Capabilities`, `*chart.Metadata`).
    fn type_name(&self) -> &str;
    /// Go kind name (`struct`, `ptr`, `map`…) for Sprig's `kindOf`.
    fn kind_name(&self) -> &str {
        "struct"
    }
    /// An exported field's value, if the object has one with this name.
    fn field(&self, name: &str) -> Option<GoValue>;
    /// A method with this name, bound to the receiver.
    fn method(&self, _name: &str) -> Option<Arc<Function>> {
        None
    }
    /// Field names in declaration order (used when printing the object as a struct).
    fn field_names(&self) -> Vec<String> {
        Vec::new()
    }
    /// The result of a Go `String()` method, used whenever the value is
    /// printed (`.Capabilities.KubeVersion` prints `v1.35.0`).
    fn string(&self) -> Option<String> {
        None
    }
    /// Whether the object counts as a nil pointer (Go `IsTrue` of a pointer).
    fn is_nil(&self) -> bool {
        false
    }
    /// The Go map or slice the object is (`engine.files` is a
    /// `map[string][]byte`, `common.VersionSet` a `[]string`): `range`,
    /// `index`, `len` and `eq` work on it as Go's reflection does. Each
    /// call makes a new value: writing to it changes nothing the object
    /// holds (so [`watch_writes`] need not look at it).
    fn underlying(&self) -> Option<GoValue> {
        None
    }
    /// The result of a `String()` method with a pointer receiver on a
    /// struct value. Go's fmt does not see it when the struct is passed by
    /// value (`quote`, `printf "%v"` print `{…}`), but the executor prints
    /// an addressable value through it (`{{ .Capabilities.KubeVersion }}`
    /// prints `v1.35.0`; text/template's `printableValue` takes the address).
    fn addressable_string(&self) -> Option<String> {
        None
    }
}

impl fmt::Debug for GoValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoValue::Missing => f.write_str("Missing"),
            GoValue::Nil => f.write_str("Nil"),
            GoValue::Bool(b) => write!(f, "Bool({b})"),
            GoValue::Int(i) => write!(f, "Int({i})"),
            GoValue::Int64(i) => write!(f, "Int64({i})"),
            GoValue::Uint64(u) => write!(f, "Uint64({u})"),
            GoValue::Float(x) => write!(f, "Float({x})"),
            GoValue::Complex(r, i) => write!(f, "Complex({r}, {i})"),
            GoValue::String(s) => write!(f, "String({s:?})"),
            GoValue::Bytes(b) => write!(f, "Bytes({b:?})"),
            GoValue::List(l) => write!(f, "List({:?})", l.items),
            GoValue::Map(m) => write!(f, "Map({:?})", m),
            GoValue::Object(o) => write!(f, "Object({})", o.type_name()),
            GoValue::Func(_) => f.write_str("Func"),
        }
    }
}

/// Go's reflect kinds, as far as templates can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Invalid (missing) value.
    Invalid,
    /// A nil interface.
    Interface,
    /// bool
    Bool,
    /// int, int64
    Int,
    /// uint64
    Uint,
    /// float64
    Float,
    /// complex128
    Complex,
    /// string
    String,
    /// slice
    Slice,
    /// map
    Map,
    /// struct / pointer
    Struct,
    /// func
    Func,
}

impl GoValue {
    /// Whether storing `other` in place of this value would change nothing a
    /// template can see: equal scalars of the same Go type, or the very same
    /// map, list, object or function.
    fn is_same(&self, other: &GoValue) -> bool {
        use GoValue as V;
        match (self, other) {
            (V::Missing, V::Missing) | (V::Nil, V::Nil) => true,
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::Int(a), V::Int(b)) | (V::Int64(a), V::Int64(b)) => a == b,
            (V::Uint64(a), V::Uint64(b)) => a == b,
            (V::Float(a), V::Float(b)) => a.to_bits() == b.to_bits(),
            (V::Complex(a, b), V::Complex(c, d)) => {
                a.to_bits() == c.to_bits() && b.to_bits() == d.to_bits()
            }
            (V::String(a), V::String(b)) => a == b,
            (V::Bytes(a), V::Bytes(b)) => a == b,
            (V::List(a), V::List(b)) => Arc::ptr_eq(a, b),
            (V::Map(a), V::Map(b)) => a.ptr_eq(b) && a.1 == b.1,
            (V::Object(a), V::Object(b)) => Arc::ptr_eq(a, b),
            (V::Func(a), V::Func(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// A string value.
    pub fn str(s: &str) -> GoValue {
        GoValue::String(Arc::from(s))
    }

    /// A `[]interface {}` list.
    pub fn list(items: Vec<GoValue>) -> GoValue {
        GoValue::List(Arc::new(GoList {
            elem: ELEM_ANY,
            items,
        }))
    }

    /// A `[]string` list.
    pub fn string_list<I: IntoIterator<Item = String>>(items: I) -> GoValue {
        GoValue::List(Arc::new(GoList {
            elem: ELEM_STRING,
            items: items
                .into_iter()
                .map(|s| GoValue::String(Arc::from(s)))
                .collect(),
        }))
    }

    /// A new `map[string]interface {}` holding these entries (a fresh map,
    /// shared by every clone of the returned value).
    pub fn map(m: BTreeMap<String, GoValue>) -> GoValue {
        GoValue::Map(GoMap::from_map(m))
    }

    /// Whether this is a map or a list holding one (so copying or cycle
    /// checks have something to do).
    pub fn holds_map(&self) -> bool {
        match self {
            GoValue::Map(_) => true,
            GoValue::List(l) => l.items.iter().any(GoValue::holds_map),
            _ => false,
        }
    }

    /// Fails if the value reaches a map from inside itself (`set $d "x" $d`)
    /// or nests deeper than [`MAX_DEPTH`]; callers that walk a whole value
    /// recursively (printing, JSON) check this first.
    pub fn check_cycles(&self) -> Result<(), CycleError> {
        fn walk(v: &GoValue, path: &mut Vec<usize>) -> Result<(), CycleError> {
            match v {
                GoValue::Map(m) => {
                    if path.contains(&m.id()) || path.len() >= MAX_DEPTH {
                        return Err(CycleError);
                    }
                    path.push(m.id());
                    // A map already on the path was refused above, before
                    // its lock was taken again.
                    m.with_entries(|entries| {
                        entries.iter().try_for_each(|(_, child)| walk(child, path))
                    })?;
                    path.pop();
                    Ok(())
                }
                GoValue::List(l) => {
                    if path.len() >= MAX_DEPTH {
                        return Err(CycleError);
                    }
                    for child in &l.items {
                        if child.holds_map() {
                            walk(child, path)?;
                        }
                    }
                    Ok(())
                }
                _ => Ok(()),
            }
        }
        if !self.holds_map() {
            return Ok(());
        }
        walk(self, &mut Vec::new())
    }

    /// A deep copy (Sprig `deepCopy`): maps, also those inside lists, are
    /// copied so the copy shares no mutable state with the original.
    pub fn deep_copy(&self) -> Result<GoValue, CycleError> {
        deep_copy_value(self, &mut Vec::new())
    }

    /// The reflect kind.
    pub fn kind(&self) -> Kind {
        match self {
            GoValue::Missing => Kind::Invalid,
            GoValue::Nil => Kind::Interface,
            GoValue::Bool(_) => Kind::Bool,
            GoValue::Int(_) | GoValue::Int64(_) => Kind::Int,
            GoValue::Uint64(_) => Kind::Uint,
            GoValue::Float(_) => Kind::Float,
            GoValue::Complex(..) => Kind::Complex,
            GoValue::String(_) => Kind::String,
            GoValue::Bytes(_) | GoValue::List(_) => Kind::Slice,
            GoValue::Map(_) => Kind::Map,
            GoValue::Object(_) => Kind::Struct,
            GoValue::Func(_) => Kind::Func,
        }
    }

    /// Go's type name as `%T` prints it (`int`, `float64`, `[]interface {}`,
    /// `map[string]interface {}`; `<nil>` for nil and missing values).
    pub fn type_name(&self) -> String {
        match self {
            GoValue::Missing | GoValue::Nil => "<nil>".to_string(),
            GoValue::List(l) => format!("[]{}", l.elem),
            GoValue::Object(o) => o.type_name().to_string(),
            GoValue::Func(f) => f.type_name(),
            GoValue::Map(m) => m.map_type().name.to_string(),
            other => other.static_type_name().to_string(),
        }
    }

    fn static_type_name(&self) -> &'static str {
        match self {
            GoValue::Missing | GoValue::Nil => "<nil>",
            GoValue::Bool(_) => "bool",
            GoValue::Int(_) => "int",
            GoValue::Int64(_) => "int64",
            GoValue::Uint64(_) => "uint64",
            GoValue::Float(_) => "float64",
            GoValue::Complex(..) => "complex128",
            GoValue::String(_) => "string",
            GoValue::Bytes(_) => "[]uint8",
            GoValue::List(_) => "[]interface {}",
            GoValue::Map(_) => "map[string]interface {}",
            GoValue::Object(_) => "struct",
            GoValue::Func(_) => "func",
        }
    }

    /// Go's kind name as `reflect.Kind.String()` spells it (Sprig `kindOf`).
    pub fn kind_name(&self) -> String {
        match self {
            GoValue::Missing | GoValue::Nil => "invalid".into(),
            GoValue::Bool(_) => "bool".into(),
            GoValue::Int(_) => "int".into(),
            GoValue::Int64(_) => "int64".into(),
            GoValue::Uint64(_) => "uint64".into(),
            GoValue::Float(_) => "float64".into(),
            GoValue::Complex(..) => "complex128".into(),
            GoValue::String(_) => "string".into(),
            GoValue::Bytes(_) | GoValue::List(_) => "slice".into(),
            GoValue::Map(_) => "map".into(),
            GoValue::Object(o) => o.kind_name().to_string(),
            GoValue::Func(_) => "func".into(),
        }
    }

    /// Go's `template.IsTrue`: the zero value of its type is false; nil and
    /// missing values are false; empty strings, lists and maps are false.
    pub fn is_true(&self) -> bool {
        match self {
            GoValue::Missing | GoValue::Nil => false,
            GoValue::Bool(b) => *b,
            GoValue::Int(i) | GoValue::Int64(i) => *i != 0,
            GoValue::Uint64(u) => *u != 0,
            GoValue::Float(x) => *x != 0.0,
            GoValue::Complex(r, i) => *r != 0.0 || *i != 0.0,
            GoValue::String(s) => !s.is_empty(),
            GoValue::Bytes(b) => !b.is_empty(),
            GoValue::List(l) => !l.items.is_empty(),
            GoValue::Map(m) => !m.is_empty(),
            GoValue::Object(o) => !o.is_nil(),
            GoValue::Func(_) => true,
        }
    }

    /// The string, if this is a Go string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            GoValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// A host object's underlying map or slice ([`Object::underlying`]), or
    /// the value itself: what Go's reflection-based builtins look at.
    pub fn host_underlying(&self) -> GoValue {
        match self {
            GoValue::Object(o) => o.underlying().unwrap_or_else(|| self.clone()),
            other => other.clone(),
        }
    }

    /// True for `Missing` and `Nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, GoValue::Missing | GoValue::Nil)
    }

    /// Converts project data (`crate::Value`) for the given mode.
    pub fn from_value(v: &crate::Value, mode: NumberMode) -> GoValue {
        use crate::Value as V;
        match v {
            V::Null => GoValue::Nil,
            V::Bool(b) => GoValue::Bool(*b),
            V::Int(i) => match mode {
                NumberMode::Go => GoValue::Int(*i),
                NumberMode::Helm => GoValue::Int64(*i),
            },
            V::DocInt(i) => match mode {
                NumberMode::Go => GoValue::Int(*i),
                // Helm reads documents through encoding/json: every number is float64.
                NumberMode::Helm => GoValue::Float(*i as f64),
            },
            V::Float(x) => GoValue::Float(*x),
            V::String(s) => GoValue::str(s),
            V::Seq(items) => {
                GoValue::list(items.iter().map(|i| GoValue::from_value(i, mode)).collect())
            }
            V::Map(m) => GoValue::map(
                m.iter()
                    .map(|(k, v)| (k.clone(), GoValue::from_value(v, mode)))
                    .collect(),
            ),
        }
    }
}

/// How numbers of a `crate::Value` become Go values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberMode {
    /// `skiff eval --engine go`: every integer is a Go `int`, every float a `float64`.
    Go,
    /// Helm: `--set` integers (`Value::Int`) are `int64`; document numbers
    /// (`DocInt`, `Float`) are `float64` as encoding/json decodes them.
    Helm,
}

impl From<&str> for GoValue {
    fn from(s: &str) -> GoValue {
        GoValue::str(s)
    }
}
impl From<String> for GoValue {
    fn from(s: String) -> GoValue {
        GoValue::String(Arc::from(s))
    }
}
impl From<bool> for GoValue {
    fn from(b: bool) -> GoValue {
        GoValue::Bool(b)
    }
}

/// Go's `%v` text of a complex128: `(1+2i)`.
pub fn complex_text(r: f64, i: f64) -> String {
    let re = super::format::sprint(&[&GoValue::Float(r) as &dyn FmtArg]);
    let im = super::format::sprint(&[&GoValue::Float(i) as &dyn FmtArg]);
    let sign = if im.starts_with('-') || im.starts_with('+') {
        ""
    } else {
        "+"
    };
    format!("({re}{sign}{im}i)")
}

impl FmtArg for GoValue {
    fn fmt_value(&self) -> FmtValue<'_> {
        self.fmt_value_at(0, None)
    }
}

/// A value inside a map being printed, with its nesting depth, so printing a
/// map that holds itself stops at [`MAX_DEPTH`] instead of overflowing the
/// stack. The formatter has no error channel; it prints `<cycle>` there
/// (the executor reports an error before printing such a value).
struct Nested {
    value: GoValue,
    depth: usize,
    /// Wrapped list elements, created on first use so they can be lent out.
    items: std::cell::OnceCell<Vec<Nested>>,
}

impl Nested {
    fn new(value: GoValue, depth: usize) -> Nested {
        Nested {
            value,
            depth,
            items: std::cell::OnceCell::new(),
        }
    }
}

impl FmtArg for Nested {
    fn fmt_value(&self) -> FmtValue<'_> {
        self.value.fmt_value_at(self.depth, Some(&self.items))
    }
}

impl GoValue {
    /// The formatter's view at a nesting depth. `items` (for values nested
    /// in a map) holds depth-carrying list elements, so a cycle running
    /// through a list is cut off too.
    fn fmt_value_at<'a>(
        &'a self,
        depth: usize,
        items: Option<&'a std::cell::OnceCell<Vec<Nested>>>,
    ) -> FmtValue<'a> {
        if depth >= MAX_DEPTH && self.holds_map() {
            return FmtValue::Stringer {
                text: "<cycle>".to_string(),
                type_name: self.static_type_name(),
            };
        }
        match self {
            GoValue::Missing | GoValue::Nil => FmtValue::Nil,
            GoValue::Bool(b) => FmtValue::Bool(*b),
            GoValue::Int(i) => FmtValue::Int(*i, "int"),
            GoValue::Int64(i) => FmtValue::Int(*i, "int64"),
            GoValue::Uint64(u) => FmtValue::Uint(*u, "uint64"),
            GoValue::Float(x) => FmtValue::Float(*x, 64, "float64"),
            GoValue::Complex(r, i) => FmtValue::Stringer {
                text: complex_text(*r, *i),
                type_name: "complex128",
            },
            GoValue::String(s) => FmtValue::Str(s, "string"),
            GoValue::Bytes(b) => FmtValue::Bytes(b, "[]uint8"),
            GoValue::List(l) => {
                let type_name = if l.elem == ELEM_STRING {
                    "[]string"
                } else {
                    "[]interface {}"
                };
                match items {
                    Some(cell) if depth > 0 => {
                        let wrapped = cell.get_or_init(|| {
                            l.items
                                .iter()
                                .map(|v| Nested::new(v.clone(), depth))
                                .collect()
                        });
                        FmtValue::List(
                            wrapped.iter().map(|v| v as &dyn FmtArg).collect(),
                            type_name,
                        )
                    }
                    _ => FmtValue::List(
                        l.items.iter().map(|v| v as &dyn FmtArg).collect(),
                        type_name,
                    ),
                }
            }
            GoValue::Map(m) => FmtValue::Map(
                m.entries()
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            Box::new(k) as Box<dyn FmtArg>,
                            Box::new(Nested::new(v, depth + 1)) as Box<dyn FmtArg>,
                        )
                    })
                    .collect(),
                m.map_type().name,
            ),
            GoValue::Object(o) => match o.string() {
                Some(text) => FmtValue::Stringer {
                    text,
                    type_name: o.type_name(),
                },
                None => FmtValue::Stringer {
                    text: object_struct_text(o.as_ref()),
                    type_name: o.type_name(),
                },
            },
            GoValue::Func(_) => FmtValue::Stringer {
                text: "0x0".to_string(),
                type_name: "func",
            },
        }
    }
}

impl FmtArg for String {
    fn fmt_value(&self) -> FmtValue<'_> {
        FmtValue::Str(self, "string")
    }
}

/// `%v` of an object without `String()`: Go prints a struct as `{f1 f2}`
/// (`&{…}` for pointers).
fn object_struct_text(o: &dyn Object) -> String {
    let mut parts = Vec::new();
    for name in o.field_names() {
        let v = o.field(&name).unwrap_or(GoValue::Nil);
        parts.push(super::format::sprint(&[&v as &dyn FmtArg]));
    }
    let ptr = if o.type_name().starts_with('*') {
        "&"
    } else {
        ""
    };
    format!("{ptr}{{{}}}", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_follows_go() {
        assert!(!GoValue::Int(0).is_true());
        assert!(GoValue::Float(1.5).is_true());
        assert!(!GoValue::str("").is_true());
        assert!(!GoValue::list(vec![]).is_true());
        assert!(GoValue::list(vec![GoValue::Nil]).is_true());
        assert!(!GoValue::Nil.is_true());
        assert!(!GoValue::Missing.is_true());
    }

    #[test]
    fn type_names_match_go() {
        assert_eq!(GoValue::Float(1.0).type_name(), "float64");
        assert_eq!(GoValue::list(vec![]).type_name(), "[]interface {}");
        assert_eq!(
            GoValue::string_list(vec!["a".to_string()]).type_name(),
            "[]string"
        );
        assert_eq!(
            GoValue::map(BTreeMap::new()).type_name(),
            "map[string]interface {}"
        );
        assert_eq!(GoValue::list(vec![]).kind_name(), "slice");
    }

    fn sample() -> GoMap {
        [
            ("b".to_string(), GoValue::Int(2)),
            ("a".to_string(), GoValue::str("x")),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn maps_are_shared_handles() {
        let m = sample();
        let alias = m.clone();
        alias.insert("c", GoValue::Bool(true));
        assert_eq!(m.len(), 3);
        assert!(m.ptr_eq(&alias));
        assert_eq!(m.keys(), ["a", "b", "c"]);
        assert!(matches!(m.remove("b"), Some(GoValue::Int(2))));
        assert!(!alias.contains_key("b"));
        // A snapshot does not follow later changes; a new map is distinct.
        let snap = m.entries();
        m.insert("d", GoValue::Nil);
        assert_eq!(snap.len(), 2);
        assert!(!m.ptr_eq(&GoMap::from_map(m.snapshot())));
        assert_eq!(
            crate::engine::gotmpl::format::sprint(&[&GoValue::Map(m) as &dyn FmtArg]),
            "map[a:x c:true d:<nil>]"
        );
    }

    #[test]
    fn deep_copy_detaches_nested_maps() {
        let inner = sample();
        let outer = GoValue::map(BTreeMap::from([
            ("m".to_string(), GoValue::Map(inner.clone())),
            (
                "l".to_string(),
                GoValue::list(vec![GoValue::Map(inner.clone())]),
            ),
        ]));
        let copy = outer.deep_copy().unwrap();
        let GoValue::Map(c) = &copy else { panic!() };
        let Some(GoValue::Map(cm)) = c.get("m") else {
            panic!()
        };
        cm.insert("new", GoValue::Int(1));
        assert!(!inner.contains_key("new"));
        let Some(GoValue::List(l)) = c.get("l") else {
            panic!()
        };
        let GoValue::Map(lm) = &l.items[0] else {
            panic!()
        };
        assert!(!lm.ptr_eq(&inner));
    }

    #[test]
    fn cycles_are_detected_not_followed() {
        let m = sample();
        let v = GoValue::Map(m.clone());
        assert!(v.check_cycles().is_ok());
        // The same map twice, side by side, is not a cycle.
        m.insert("twin1", GoValue::map(BTreeMap::new()));
        let shared = GoValue::Map(sample());
        m.insert("s1", shared.clone());
        m.insert("s2", GoValue::list(vec![shared]));
        assert!(v.check_cycles().is_ok());
        m.insert("self", GoValue::list(vec![v.clone()]));
        assert_eq!(v.check_cycles(), Err(CycleError));
        assert_eq!(v.deep_copy().unwrap_err(), CycleError);
        // Printing stops at MAX_DEPTH instead of overflowing the stack.
        let text = crate::engine::gotmpl::format::sprint(&[&v as &dyn FmtArg]);
        assert!(text.contains("<cycle>"));
        assert!(format!("{v:?}").contains("<cycle>"));
    }

    #[test]
    fn modes_convert_numbers() {
        let v = crate::Value::DocInt(3);
        assert!(matches!(
            GoValue::from_value(&v, NumberMode::Go),
            GoValue::Int(3)
        ));
        assert!(matches!(GoValue::from_value(&v, NumberMode::Helm), GoValue::Float(x) if x == 3.0));
        let v = crate::Value::Int(3);
        assert!(matches!(
            GoValue::from_value(&v, NumberMode::Helm),
            GoValue::Int64(3)
        ));
    }

    struct Slice;
    impl Object for Slice {
        fn type_name(&self) -> &str {
            "common.VersionSet"
        }
        fn field(&self, _: &str) -> Option<GoValue> {
            None
        }
        fn underlying(&self) -> Option<GoValue> {
            Some(GoValue::string_list(vec!["v1".to_string()]))
        }
    }

    #[test]
    fn typed_maps_keep_their_go_type() {
        let m = GoMap::typed(BTreeMap::new(), MapType::STRINGS);
        let v = GoValue::Map(m.clone());
        assert_eq!(v.type_name(), "map[string]string");
        assert_eq!(v.kind(), Kind::Map);
        assert_eq!(m.map_type().zero_elem().as_str(), Some(""));
        assert!(MapType::ANY.zero_elem().is_nil());
        // Printing uses the map's own type name for %T-like contexts.
        let copy = v.deep_copy().unwrap();
        assert_eq!(copy.type_name(), "map[string]string");
    }

    #[test]
    fn host_objects_expose_their_underlying_value() {
        let o = GoValue::Object(Arc::new(Slice));
        assert_eq!(o.host_underlying().type_name(), "[]string");
        assert_eq!(GoValue::Int(1).host_underlying().type_name(), "int");
    }
}

#[cfg(test)]
mod watch_tests {
    use super::*;

    #[test]
    fn a_write_to_a_watched_map_raises_the_flag() {
        let inner = GoMap::new();
        let list = GoValue::List(Arc::new(GoList {
            elem: ELEM_ANY,
            items: vec![GoValue::Map(inner.clone())],
        }));
        let mut top = BTreeMap::new();
        top.insert("l".to_string(), list);
        let root = GoValue::Map(GoMap::from_map(top));
        let flag = Arc::new(AtomicBool::new(false));
        assert!(watch_writes(&root, &flag));
        // A map made afterwards is nobody else's: writing to it is free.
        GoMap::new().insert("k", GoValue::Nil);
        assert!(!flag.load(Ordering::Relaxed));
        inner.insert("k", GoValue::Nil);
        assert!(flag.load(Ordering::Relaxed));
        // Watching again with the same flag is fine, with another one not.
        assert!(watch_writes(&root, &flag));
        assert!(!watch_writes(&root, &Arc::new(AtomicBool::new(false))));
    }

    #[test]
    fn storing_what_a_key_holds_is_no_write() {
        let shared = GoMap::new();
        let mut top = BTreeMap::new();
        top.insert("s".to_string(), GoValue::str("pw"));
        top.insert("n".to_string(), GoValue::Int64(3));
        top.insert("m".to_string(), GoValue::Map(shared.clone()));
        let root = GoMap::from_map(top);
        let flag = Arc::new(AtomicBool::new(false));
        assert!(watch_writes(&GoValue::Map(root.clone()), &flag));
        let raised = || flag.load(Ordering::Relaxed);
        root.insert("s", GoValue::str("pw"));
        root.insert("n", GoValue::Int64(3));
        root.insert("m", GoValue::Map(shared.clone()));
        root.remove("absent");
        assert!(!raised());
        // The same number as another Go type is a change (`%T` tells them apart).
        root.insert("n", GoValue::Int(3));
        assert!(raised());
        for change in [
            ("s", GoValue::str("other")),
            ("m", GoValue::Map(GoMap::new())),
            ("new", GoValue::Nil),
        ] {
            flag.store(false, Ordering::Relaxed);
            root.insert(change.0, change.1);
            assert!(raised(), "{}", change.0);
        }
        flag.store(false, Ordering::Relaxed);
        root.remove("s");
        assert!(raised());
        assert!(root.get("s").is_none() && root.get("new").is_some());
    }
}
