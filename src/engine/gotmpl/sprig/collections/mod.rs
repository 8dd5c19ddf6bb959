//! Sprig functions: lists, dicts, math, defaults, JSON encoding and
//! reflection (Sprig v3.3.0's `list.go`, `dict.go`, `numeric.go`,
//! `defaults.go`, `reflect.go`, as Helm v4.1.4 calls them).
//!
//! Sprig's list functions are reflection based: they accept any slice and
//! return `[]interface {}`, and their non-`must` variants `panic`. Go's
//! `text/template` recovers a panic inside a function call and reports it
//! as that call's error, so in a template `first` and `mustFirst` fail with
//! the same `error calling first: …` text; both spellings therefore share
//! one body here.
//!
//! The helpers in this module mirror the Go library code Sprig leans on:
//! [`go_empty`] (Sprig's `empty`, also mergo's `isEmptyValue` with
//! dereferencing), [`deep_equal`] (`reflect.DeepEqual`), [`to_int64`] and
//! [`to_float64`] (spf13/cast), and [`strval`] (Sprig's `strval`).

mod defaults;
mod dicts;
pub mod json;
mod lists;
mod math;

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::engine::gotmpl::exec::FuncCtx;
use crate::engine::gotmpl::format::{self, FmtArg};
use crate::engine::gotmpl::funcs::{FuncMap, Function, ParamType};
use crate::engine::gotmpl::value::{GoMap, GoValue};

/// Registers this family's functions.
pub fn register(map: &mut FuncMap) {
    lists::register(map);
    dicts::register(map);
    math::register(map);
    defaults::register(map);
}

/// An error of a collections function, worded as the Go runtime or Sprig
/// words it (the executor prefixes `error calling NAME: `).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CollectionsError {
    /// `reflect.TypeOf(nil).Kind()` dereferences a nil type: Go's runtime
    /// panic, recovered by the template executor.
    #[error("runtime error: invalid memory address or nil pointer dereference")]
    NilDereference,
    /// Integer division or modulo by zero (Go runtime panic).
    #[error("runtime error: integer divide by zero")]
    DivideByZero,
    /// `make` with a negative or absurd length (Sprig's `chunk` with size 0).
    #[error("runtime error: makeslice: len out of range")]
    MakeSliceLen,
    /// A failed Go type assertion `x.(T)` (Sprig's `dig`).
    #[error("interface conversion: interface {{}} is {got}, not {want}")]
    Conversion {
        /// Dynamic type of the value (`nil` for a nil interface).
        got: String,
        /// Asserted type.
        want: &'static str,
    },
    /// Go's reflect-based argument check for a parameter the executor
    /// cannot check itself (maps).
    #[error("wrong type for value; expected {expected}; got {got}")]
    WrongType {
        /// Expected Go type.
        expected: &'static str,
        /// Actual Go type.
        got: String,
    },
    /// A range function asked for more elements than skiff will build.
    #[error("skiff: refusing to build a list of {0} elements")]
    TooLarge(u128),
    /// Sprig's own error text (`Cannot find first on type string`, …).
    #[error("{0}")]
    Sprig(String),
}

impl From<CollectionsError> for Diagnostic {
    fn from(e: CollectionsError) -> Diagnostic {
        // These errors surface through the template executor, which adds the
        // template file, line and column; on their own they carry no location.
        Diagnostic::new(e.to_string())
    }
}

impl From<CollectionsError> for String {
    fn from(e: CollectionsError) -> String {
        e.to_string()
    }
}

/// The body type every function of this family uses.
type Body = dyn Fn(&mut FuncCtx<'_>, Vec<GoValue>) -> Result<GoValue, String> + Send + Sync;

/// Registers one body under each of `names` (Sprig aliases such as
/// `append`/`push`, `first`/`mustFirst` share a Go function or behave
/// identically once panics become errors).
fn reg<F>(
    map: &mut FuncMap,
    names: &[&str],
    params: Vec<ParamType>,
    variadic: Option<ParamType>,
    body: F,
) where
    F: Fn(&mut FuncCtx<'_>, Vec<GoValue>) -> Result<GoValue, String> + Send + Sync + 'static,
{
    let body: Arc<Body> = Arc::new(body);
    for name in names {
        let b = Arc::clone(&body);
        let func = Function::new(params.clone(), variadic, move |ctx, args| b(ctx, args));
        map.insert((*name).to_string(), Arc::new(func));
    }
}

/// Go's `reflect.Kind.String()` of a value's dynamic type, as Sprig's
/// `Cannot … on type %s` messages print it.
fn kind_str(v: &GoValue) -> String {
    v.kind_name()
}

/// The elements of a slice argument declared `interface{}` in Sprig.
///
/// A nil argument makes Sprig call `reflect.TypeOf(nil).Kind()`, a nil
/// dereference; a non-slice is reported with `msg(kind)`.
fn slice_items(
    v: &GoValue,
    msg: impl Fn(&str) -> String,
) -> Result<Vec<GoValue>, CollectionsError> {
    match v {
        GoValue::Missing | GoValue::Nil => Err(CollectionsError::NilDereference),
        GoValue::List(l) => Ok(l.items.clone()),
        // A []byte is a slice of uint8 to reflection.
        GoValue::Bytes(b) => Ok(b.iter().map(|x| GoValue::Uint64(u64::from(*x))).collect()),
        // A host object that is a Go slice (`.Capabilities.APIVersions`).
        GoValue::Object(o) if o.underlying().is_some() => slice_items(&v.host_underlying(), msg),
        other => Err(CollectionsError::Sprig(msg(&kind_str(other)))),
    }
}

/// A `map[string]interface {}` parameter, declared [`ParamType::Map`]: Go's
/// argument check has already rejected other types (and nil interfaces),
/// and a nil map (a missing value or the `nil` keyword) arrives as
/// [`GoValue::Nil`], here `None`.
///
/// [`ParamType::Map`]: crate::engine::gotmpl::funcs::ParamType::Map
fn map_arg(v: &GoValue) -> Result<Option<GoMap>, CollectionsError> {
    match v {
        GoValue::Missing | GoValue::Nil => Ok(None),
        GoValue::Map(m) => Ok(Some(m.clone())),
        other => Err(CollectionsError::WrongType {
            expected: "map[string]interface {}",
            got: other.type_name(),
        }),
    }
}

/// Sprig's `empty`: the zero value of its type (nil, false, 0, empty
/// string/slice/map) is empty; structs never are.
pub fn go_empty(v: &GoValue) -> bool {
    match v {
        GoValue::Missing | GoValue::Nil => true,
        GoValue::Bool(b) => !b,
        GoValue::Int(i) | GoValue::Int64(i) => *i == 0,
        GoValue::Uint64(u) => *u == 0,
        GoValue::Float(x) => *x == 0.0,
        GoValue::Complex(r, i) => *r == 0.0 && *i == 0.0,
        GoValue::String(s) => s.is_empty(),
        GoValue::Bytes(b) => b.is_empty(),
        GoValue::List(l) => l.items.is_empty(),
        GoValue::Map(m) => m.is_empty(),
        GoValue::Object(o) => o.is_nil(),
        GoValue::Func(_) => false,
    }
}

/// Go's `reflect.DeepEqual` on two `interface {}` values: the dynamic
/// types must match exactly (`1` and `1.0` differ, as do `int` and
/// `int64`), slices and maps compare element-wise, NaN is unequal to
/// itself, functions are never equal.
pub fn deep_equal(a: &GoValue, b: &GoValue) -> bool {
    deep_equal_seen(a, b, &mut Vec::new())
}

/// [`deep_equal`] remembering the pairs of maps under comparison: like
/// `reflect.DeepEqual`'s visited set, a pair met again is taken as equal,
/// so maps that hold themselves compare without endless recursion.
fn deep_equal_seen(a: &GoValue, b: &GoValue, seen: &mut Vec<(usize, usize)>) -> bool {
    match (a, b) {
        (GoValue::Missing | GoValue::Nil, GoValue::Missing | GoValue::Nil) => true,
        (GoValue::Bool(x), GoValue::Bool(y)) => x == y,
        (GoValue::Int(x), GoValue::Int(y)) | (GoValue::Int64(x), GoValue::Int64(y)) => x == y,
        (GoValue::Uint64(x), GoValue::Uint64(y)) => x == y,
        (GoValue::Float(x), GoValue::Float(y)) => x == y,
        (GoValue::Complex(r1, i1), GoValue::Complex(r2, i2)) => r1 == r2 && i1 == i2,
        (GoValue::String(x), GoValue::String(y)) => x == y,
        (GoValue::Bytes(x), GoValue::Bytes(y)) => x == y,
        (GoValue::List(x), GoValue::List(y)) => {
            x.elem == y.elem
                && x.items.len() == y.items.len()
                && x.items
                    .iter()
                    .zip(&y.items)
                    .all(|(p, q)| deep_equal_seen(p, q, seen))
        }
        (GoValue::Map(x), GoValue::Map(y)) => {
            if x.ptr_eq(y) || seen.contains(&(x.id(), y.id())) {
                return true;
            }
            if x.len() != y.len() {
                return false;
            }
            seen.push((x.id(), y.id()));
            let equal = x
                .entries()
                .iter()
                .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal_seen(v, &w, seen)));
            seen.pop();
            equal
        }
        (GoValue::Object(x), GoValue::Object(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// Sprig's `strval`: strings as they are, `[]byte` as text, a
/// `fmt.Stringer` through `String()`, anything else through `%v`.
pub fn strval(v: &GoValue) -> String {
    match v {
        GoValue::String(s) => s.to_string(),
        GoValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format::sprint(&[other as &dyn FmtArg]),
    }
}

// spf13/cast conversions (`ToInt64`, `ToFloat64`) are shared with the text
// family, which also needs them for `int`, `int64` and `float64`.
pub(crate) use super::text::convert::float_to_i64;
pub use super::text::convert::{to_float64, to_int64};

/// spf13/cast `ToInt` (Go `int` is 64-bit on Helm's platforms).
pub fn to_int(v: &GoValue) -> i64 {
    to_int64(v)
}

#[cfg(test)]
mod tests;
