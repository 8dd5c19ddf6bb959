//! Go's `fmt` formatting (`Sprint`, `Sprintln`, `Sprintf`) for template
//! values: verbs, flags, width/precision, `%!verb(type=value)` errors, map
//! key ordering as Go's `internal/fmtsort`, and Go's float spelling.
//!
//! The formatter does not know the template value type: anything that can
//! describe itself as a [`FmtValue`] can be printed ([`FmtArg`]).
//!
//! Layout follows Go: `print` holds `print.go` + `format.go` (the
//! printer), `ftoa` holds strconv's float spellings, `quote` strconv's
//! quoting, `sort` fmtsort's key order. Output is checked against the
//! reference Helm's `printf`/`print` by the differential tests (set
//! `HELM_REF`).
//!
//! Known differences from Go, all outside what Helm values can produce:
//! - A struct pointer nested inside another value prints a fixed stand-in
//!   address (`0xc000000000`); Go prints the real, varying address.
//! - A [`FmtValue::Stringer`] under a verb other than `v s x X q` reports
//!   `%!d(type=text)`, and `%#v` quotes the text; Go would format the value
//!   behind the method.
//! - `%q` escapes what Go's `strconv.IsPrint` rejects, computed from the
//!   non-graphic Unicode classes; code points unassigned in Unicode 15
//!   print raw here but escaped in Go.
//! - Map keys of different types are ordered nil, bool, ints, uints, floats,
//!   strings…; Go orders them by the address of their type descriptor.

/// What a value looks like to `fmt`: its kind, its data and its Go type name
/// (for `%T` and `%!d(string=x)` messages).
pub enum FmtValue<'a> {
    /// An untyped nil (`<nil>`).
    Nil,
    /// `bool`.
    Bool(bool),
    /// A signed integer and its Go type name (`int`, `int64`…).
    Int(i64, &'a str),
    /// An unsigned integer and its Go type name (`uint64`, `uint8`…).
    Uint(u64, &'a str),
    /// A float, its size in bits (32 or 64) and its Go type name.
    Float(f64, u8, &'a str),
    /// A string and its Go type name (`string`).
    Str(&'a str, &'a str),
    /// A byte slice (`[]uint8`): `%s` prints it as text, `%v` as numbers.
    Bytes(&'a [u8], &'a str),
    /// A slice or array: elements and Go type name (`[]interface {}`, `[]string`).
    List(Vec<&'a dyn FmtArg>, &'a str),
    /// A map: entries in any order (the formatter sorts keys like Go's
    /// fmtsort) and Go type name (`map[string]interface {}`). Entries are
    /// owned because template maps are shared and mutable: their entries
    /// are snapshots taken under a lock, not borrows of the value.
    Map(Vec<MapEntry<'a>>, &'a str),
    /// A struct (or pointer to one, then printed with `&`): field names and
    /// values, and Go type name (`chart.Metadata`, `*chart.Metadata`).
    Struct {
        /// Fields in declaration order.
        fields: Vec<(&'a str, &'a dyn FmtArg)>,
        /// Go type name.
        type_name: &'a str,
        /// Printed through a pointer (`&{…}` at top level).
        pointer: bool,
    },
    /// A value with a `String()` (or `Error()`) method: `%v`, `%s`, `%q`,
    /// `%x` and `%X` use the text, as Go's `handleMethods` does. Go would
    /// print the underlying value for other verbs; without it, those verbs
    /// report `%!d(type=text)`, and `%#v` prints the text quoted.
    Stringer {
        /// What `String()` returns.
        text: String,
        /// Go type name.
        type_name: &'a str,
    },
}

/// Anything `fmt` can print.
pub trait FmtArg {
    /// Describes the value for formatting.
    fn fmt_value(&self) -> FmtValue<'_>;
}

/// One key/value pair of [`FmtValue::Map`].
pub type MapEntry<'a> = (Box<dyn FmtArg + 'a>, Box<dyn FmtArg + 'a>);

impl<T: FmtArg + ?Sized> FmtArg for &T {
    fn fmt_value(&self) -> FmtValue<'_> {
        (**self).fmt_value()
    }
}

mod ftoa;
mod print;
mod quote;
mod sort;
#[cfg(test)]
mod tests;

pub use print::{fprint, fprintf, fprintln, sprint, sprintf, sprintln};

impl FmtValue<'_> {
    /// The Go type name `%T` prints (`<nil>` for an untyped nil, `bool`
    /// for booleans).
    pub fn type_name(&self) -> &str {
        match self {
            FmtValue::Nil => "<nil>",
            FmtValue::Bool(_) => "bool",
            FmtValue::Int(_, t)
            | FmtValue::Uint(_, t)
            | FmtValue::Float(_, _, t)
            | FmtValue::Str(_, t)
            | FmtValue::Bytes(_, t)
            | FmtValue::List(_, t)
            | FmtValue::Map(_, t) => t,
            FmtValue::Struct { type_name, .. } | FmtValue::Stringer { type_name, .. } => type_name,
        }
    }
}
