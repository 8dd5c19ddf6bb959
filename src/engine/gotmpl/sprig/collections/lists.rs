//! Sprig's list functions (`list.go`, `until`/`untilStep`/`seq` from
//! `numeric.go`, `sortAlpha`).

use std::sync::Arc;

use super::{CollectionsError, deep_equal, go_empty, reg, slice_items, strval, to_int};
use crate::engine::gotmpl::funcs::{FuncMap, ParamType};
use crate::engine::gotmpl::value::{GoList, GoValue};

/// Element type of Sprig's `[]int` results (`until`, `untilStep`).
const ELEM_INT: &str = "int";
/// Element type of `chunk`'s `[][]interface {}` result.
const ELEM_ANY_LIST: &str = "[]interface {}";
/// Longest list `until`, `untilStep` and `seq` build (2^24 elements).
const MAX_LIST_LEN: usize = 1 << 24;

fn int_list(items: Vec<i64>) -> GoValue {
    GoValue::List(Arc::new(GoList {
        elem: ELEM_INT,
        items: items.into_iter().map(GoValue::Int).collect(),
    }))
}

/// Registers the list functions.
pub fn register(map: &mut FuncMap) {
    use ParamType::{Any, Int};
    reg(map, &["list", "tuple"], vec![], Some(Any), |_, a| {
        Ok(GoValue::list(a))
    });
    reg(
        map,
        &["append", "push", "mustAppend", "mustPush"],
        vec![Any, Any],
        None,
        |_, a| {
            let mut items = slice_items(&a[0], |k| format!("Cannot push on type {k}"))?;
            items.push(a[1].clone());
            Ok(GoValue::list(items))
        },
    );
    reg(
        map,
        &["prepend", "mustPrepend"],
        vec![Any, Any],
        None,
        |_, a| {
            let mut items = slice_items(&a[0], |k| format!("Cannot prepend on type {k}"))?;
            items.insert(0, a[1].clone());
            Ok(GoValue::list(items))
        },
    );
    reg(
        map,
        &["chunk", "mustChunk"],
        vec![Int, Any],
        None,
        |_, a| {
            let size = to_int(&a[0]);
            let items = slice_items(&a[1], |k| format!("Cannot chunk type {k}"))?;
            Ok(chunk(size, &items)?)
        },
    );
    reg(map, &["first", "mustFirst"], vec![Any], None, |_, a| {
        let items = slice_items(&a[0], |k| format!("Cannot find first on type {k}"))?;
        Ok(items.first().cloned().unwrap_or(GoValue::Nil))
    });
    reg(map, &["last", "mustLast"], vec![Any], None, |_, a| {
        let items = slice_items(&a[0], |k| format!("Cannot find last on type {k}"))?;
        Ok(items.last().cloned().unwrap_or(GoValue::Nil))
    });
    reg(map, &["rest", "mustRest"], vec![Any], None, |_, a| {
        let items = slice_items(&a[0], |k| format!("Cannot find rest on type {k}"))?;
        Ok(GoValue::list(
            items.get(1..).map(<[GoValue]>::to_vec).unwrap_or_default(),
        ))
    });
    reg(map, &["initial", "mustInitial"], vec![Any], None, |_, a| {
        let mut items = slice_items(&a[0], |k| format!("Cannot find initial on type {k}"))?;
        items.pop();
        Ok(GoValue::list(items))
    });
    reg(map, &["reverse", "mustReverse"], vec![Any], None, |_, a| {
        let mut items = slice_items(&a[0], |k| format!("Cannot find reverse on type {k}"))?;
        items.reverse();
        Ok(GoValue::list(items))
    });
    reg(map, &["compact", "mustCompact"], vec![Any], None, |_, a| {
        let items = slice_items(&a[0], |k| format!("Cannot compact on type {k}"))?;
        Ok(GoValue::list(
            items.into_iter().filter(|v| !go_empty(v)).collect(),
        ))
    });
    reg(map, &["uniq", "mustUniq"], vec![Any], None, |_, a| {
        let items = slice_items(&a[0], |k| format!("Cannot find uniq on type {k}"))?;
        let mut out: Vec<GoValue> = Vec::new();
        for item in items {
            // reflect.DeepEqual: `1` (int) and `"1"` stay distinct.
            if !out.iter().any(|o| deep_equal(&item, o)) {
                out.push(item);
            }
        }
        Ok(GoValue::list(out))
    });
    reg(
        map,
        &["without", "mustWithout"],
        vec![Any],
        Some(Any),
        |_, a| {
            let items = slice_items(&a[0], |k| format!("Cannot find without on type {k}"))?;
            let omit = &a[1..];
            Ok(GoValue::list(
                items
                    .into_iter()
                    .filter(|v| !omit.iter().any(|o| deep_equal(v, o)))
                    .collect(),
            ))
        },
    );
    reg(map, &["has", "mustHas"], vec![Any, Any], None, |_, a| {
        // Sprig checks `haystack == nil` first, so a nil list is simply false.
        if a[1].is_nil() {
            return Ok(GoValue::Bool(false));
        }
        let items = slice_items(&a[1], |k| format!("Cannot find has on type {k}"))?;
        Ok(GoValue::Bool(items.iter().any(|v| deep_equal(&a[0], v))))
    });
    reg(
        map,
        &["slice", "mustSlice"],
        vec![Any],
        Some(Any),
        |_, a| sprig_slice(&a[0], &a[1..]),
    );
    reg(map, &["concat"], vec![], Some(Any), |_, a| {
        let mut out = Vec::new();
        for l in &a {
            out.extend(slice_items(l, |k| {
                format!("Cannot concat type {k} as list")
            })?);
        }
        Ok(GoValue::list(out))
    });
    reg(map, &["sortAlpha"], vec![Any], None, |_, a| {
        Ok(sort_alpha(&a[0]))
    });
    reg(map, &["until"], vec![Int], None, |_, a| {
        let count = to_int(&a[0]);
        let step = if count < 0 { -1 } else { 1 };
        Ok(int_list(until_step(0, count, step)?))
    });
    reg(map, &["untilStep"], vec![Int, Int, Int], None, |_, a| {
        Ok(int_list(until_step(
            to_int(&a[0]),
            to_int(&a[1]),
            to_int(&a[2]),
        )?))
    });
    reg(map, &["seq"], vec![], Some(Int), |_, a| {
        let params: Vec<i64> = a.iter().map(to_int).collect();
        Ok(GoValue::from(seq(&params)?))
    });
}

/// Sprig's `chunk`, including its float arithmetic for the chunk count
/// (`floor((len-1)/size) + 1`) so a zero or negative size fails the way
/// Go's `make` does.
fn chunk(size: i64, items: &[GoValue]) -> Result<GoValue, CollectionsError> {
    let len = items.len() as i64;
    let count_f = ((len - 1) as f64 / size as f64).floor();
    let count = super::float_to_i64(count_f).wrapping_add(1);
    if count < 0 {
        return Err(CollectionsError::MakeSliceLen);
    }
    let mut chunks = Vec::new();
    for i in 0..count {
        let mut clen = size;
        if i == count - 1 {
            clen = super::float_to_i64((len as f64 % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(CollectionsError::MakeSliceLen);
        }
        let mut chunk = Vec::new();
        for j in 0..clen {
            let ix = i.wrapping_mul(size).wrapping_add(j);
            match usize::try_from(ix).ok().and_then(|ix| items.get(ix)) {
                Some(v) => chunk.push(v.clone()),
                None => {
                    return Err(CollectionsError::Sprig(
                        "reflect: slice index out of range".into(),
                    ));
                }
            }
        }
        chunks.push(GoValue::list(chunk));
    }
    Ok(GoValue::List(Arc::new(GoList {
        elem: ELEM_ANY_LIST,
        items: chunks,
    })))
}

/// Sprig's `slice`: indices through cast's `ToInt`, the result keeps the
/// input's slice type (`[]string` stays `[]string`), an empty input gives
/// nil, bad bounds fail as `reflect.Value.Slice` panics.
fn sprig_slice(list: &GoValue, indices: &[GoValue]) -> Result<GoValue, String> {
    let bad_kind = |k: &str| format!("list should be type of slice or array but {k}");
    let len = match list {
        GoValue::Missing | GoValue::Nil => return Err(CollectionsError::NilDereference.into()),
        GoValue::List(l) => l.items.len(),
        GoValue::Bytes(b) => b.len(),
        other => return Err(bad_kind(&other.kind_name())),
    };
    if len == 0 {
        return Ok(GoValue::Nil);
    }
    let start = indices.first().map(to_int).unwrap_or(0);
    let end = indices.get(1).map(to_int).unwrap_or(len as i64);
    if start < 0 || end < start || end > len as i64 {
        return Err("reflect.Value.Slice: slice index out of bounds".into());
    }
    let (lo, hi) = (start as usize, end as usize);
    Ok(match list {
        GoValue::List(l) => GoValue::List(Arc::new(GoList {
            elem: l.elem,
            items: l.items[lo..hi].to_vec(),
        })),
        GoValue::Bytes(b) => GoValue::Bytes(Arc::from(&b[lo..hi])),
        _ => GoValue::Nil,
    })
}

/// Sprig's `sortAlpha`: a slice becomes `[]string` (nil elements dropped,
/// others through `strval`) sorted bytewise; anything else, nil included,
/// becomes a one-element list of its `strval`.
fn sort_alpha(v: &GoValue) -> GoValue {
    // Sprig reflects on the kind, so a slice-kind host object sorts as one.
    let mut strings: Vec<String> = match &v.host_underlying() {
        GoValue::List(l) => l.items.iter().filter(|i| !i.is_nil()).map(strval).collect(),
        GoValue::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        other => vec![strval(other)],
    };
    strings.sort();
    GoValue::string_list(strings)
}

/// Sprig's `untilStep`: counts from `start` towards `stop` (exclusive);
/// a step pointing away from `stop`, or zero, gives an empty list.
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, CollectionsError> {
    let mut v = Vec::new();
    if step != 0 {
        // Go would try to build any length; refuse lists that cannot fit
        // in memory rather than abort the process.
        let span = (i128::from(stop) - i128::from(start)).unsigned_abs();
        let len = span.div_ceil(i128::from(step).unsigned_abs());
        let towards_stop = (stop > start && step > 0) || (stop < start && step < 0);
        if towards_stop && len > MAX_LIST_LEN as u128 {
            return Err(CollectionsError::TooLarge(len));
        }
    }
    let mut i = start;
    if stop < start {
        if step >= 0 {
            return Ok(v);
        }
        while i > stop {
            v.push(i);
            i = match i.checked_add(step) {
                Some(n) => n,
                None => break,
            };
        }
        return Ok(v);
    }
    if step <= 0 {
        return Ok(v);
    }
    while i < stop {
        v.push(i);
        i = match i.checked_add(step) {
            Some(n) => n,
            None => break,
        };
    }
    Ok(v)
}

/// Sprig's `seq` (like the Unix command): `seq END` counts from 1, `seq
/// START END`, `seq START STEP END`, inclusive, joined with spaces.
fn seq(params: &[i64]) -> Result<String, CollectionsError> {
    let list = match *params {
        [end] => {
            let start = 1;
            let inc = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(inc), inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(step), step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return Ok(String::new());
                }
            }
            until_step(start, end.wrapping_add(inc), step)?
        }
        _ => return Ok(String::new()),
    };
    Ok(list
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_step_follows_sprig() {
        assert_eq!(until_step(0, 5, 2).unwrap(), vec![0, 2, 4]);
        assert_eq!(until_step(0, -6, -2).unwrap(), vec![0, -2, -4]);
        assert!(until_step(3, 0, 1).unwrap().is_empty());
        assert!(until_step(3, 99, 0).unwrap().is_empty());
    }

    #[test]
    fn huge_ranges_are_refused() {
        assert!(matches!(
            until_step(0, i64::MAX, 1),
            Err(CollectionsError::TooLarge(_))
        ));
        assert!(until_step(0, i64::MAX, -1).unwrap().is_empty());
        assert!(seq(&[i64::MAX - 1]).is_err());
        // Go wraps `end + increment` too, turning this one into an empty range.
        assert_eq!(seq(&[i64::MIN]).unwrap(), "");
        assert!(matches!(
            until_step(-1, i64::MAX, 1),
            Err(CollectionsError::TooLarge(_))
        ));
    }

    #[test]
    fn seq_forms() {
        assert_eq!(seq(&[]).unwrap(), "");
        assert_eq!(seq(&[3]).unwrap(), "1 2 3");
        assert_eq!(seq(&[0]).unwrap(), "1 0");
        assert_eq!(seq(&[-2]).unwrap(), "1 0 -1 -2");
        assert_eq!(seq(&[2, -1]).unwrap(), "2 1 0 -1");
        assert_eq!(seq(&[0, 2, 5]).unwrap(), "0 2 4");
        assert_eq!(seq(&[3, 2, -3]).unwrap(), "");
        assert_eq!(seq(&[1, 0, 5]).unwrap(), "");
        assert_eq!(seq(&[0, 1, 2, 3]).unwrap(), "");
    }

    #[test]
    fn chunk_sizes() {
        let items: Vec<GoValue> = (1..=5).map(GoValue::Int).collect();
        let GoValue::List(c) = chunk(2, &items).unwrap() else {
            panic!()
        };
        assert_eq!(c.items.len(), 3);
        assert_eq!(
            chunk(0, &items).unwrap_err(),
            CollectionsError::MakeSliceLen
        );
        let GoValue::List(c) = chunk(3, &[]).unwrap() else {
            panic!()
        };
        assert!(c.items.is_empty());
    }
}
