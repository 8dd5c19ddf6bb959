//! Map key order of Go's `internal/fmtsort`, which `fmt` uses so that maps
//! print deterministically: strings bytewise, numbers numerically (NaN
//! first), `false` before `true`, arrays and structs element by element.
//!
//! Keys of different types (only possible in a `map[interface {}]…`) are
//! ordered in Go by the address of their type descriptor, which is an
//! accident of linking; here nil comes first (as in Go) and the rest is
//! ordered by kind, then by type name, which is at least stable.

use std::cmp::Ordering;

use super::FmtValue;

/// Orders two map keys like `fmtsort.compare`.
pub(super) fn compare_keys(a: &FmtValue<'_>, b: &FmtValue<'_>) -> Ordering {
    let (ra, rb) = (kind_rank(a), kind_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    let type_order = a.type_name().cmp(b.type_name());
    if type_order != Ordering::Equal {
        return type_order;
    }
    match (a, b) {
        (FmtValue::Bool(x), FmtValue::Bool(y)) => x.cmp(y),
        (FmtValue::Int(x, _), FmtValue::Int(y, _)) => x.cmp(y),
        (FmtValue::Uint(x, _), FmtValue::Uint(y, _)) => x.cmp(y),
        (FmtValue::Float(x, ..), FmtValue::Float(y, ..)) => compare_floats(*x, *y),
        (FmtValue::Str(x, _), FmtValue::Str(y, _)) => x.as_bytes().cmp(y.as_bytes()),
        (FmtValue::Bytes(x, _), FmtValue::Bytes(y, _)) => x.cmp(y),
        (FmtValue::Stringer { text: x, .. }, FmtValue::Stringer { text: y, .. }) => {
            x.as_bytes().cmp(y.as_bytes())
        }
        (FmtValue::List(x, _), FmtValue::List(y, _)) => {
            // Arrays compare element by element (slices cannot be keys).
            for (ex, ey) in x.iter().zip(y.iter()) {
                let c = compare_keys(&ex.fmt_value(), &ey.fmt_value());
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (FmtValue::Struct { fields: x, .. }, FmtValue::Struct { fields: y, .. }) => {
            for ((_, fx), (_, fy)) in x.iter().zip(y.iter()) {
                let c = compare_keys(&fx.fmt_value(), &fy.fmt_value());
                if c != Ordering::Equal {
                    return c;
                }
            }
            Ordering::Equal
        }
        _ => Ordering::Equal,
    }
}

/// `cmp.Compare` on floats: NaN sorts before everything and equals NaN;
/// -0 equals +0.
fn compare_floats(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// Position of a kind in the order of keys of mixed types; nil first as
/// fmtsort's `nilable` puts nil interfaces first.
fn kind_rank(v: &FmtValue<'_>) -> u8 {
    match v {
        FmtValue::Nil => 0,
        FmtValue::Bool(_) => 1,
        FmtValue::Int(..) => 2,
        FmtValue::Uint(..) => 3,
        FmtValue::Float(..) => 4,
        FmtValue::Str(..) => 5,
        FmtValue::Stringer { .. } => 6,
        FmtValue::Bytes(..) => 7,
        FmtValue::List(..) => 8,
        FmtValue::Struct { .. } => 9,
        FmtValue::Map(..) => 10,
    }
}
