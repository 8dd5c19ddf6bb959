//! Sprig's dict functions (`dict.go`), with mergo v1.0.1's merge rules.
//!
//! Go maps are references, and these functions keep that: `set`, `unset`,
//! `merge` and `mergeOverwrite` change the map they are given (every
//! variable holding it, and `.Values` when it came from there, sees the
//! change) and return it; `dict`, `pick` and `omit` build new maps;
//! `deepCopy` copies nested maps so the copy shares nothing mutable.

use std::collections::BTreeMap;

use super::{CollectionsError, go_empty, map_arg, reg, strval};
use crate::engine::gotmpl::funcs::{FuncMap, ParamType};
use crate::engine::gotmpl::value::{GoMap, GoValue, MAX_DEPTH};

/// Registers the dict functions.
pub fn register(map: &mut FuncMap) {
    // Sprig declares the dict parameters `map[string]interface {}`, so Go's
    // argument checks (and their messages) apply before the body runs.
    use ParamType::{Any, Map, String};
    reg(map, &["dict"], vec![], Some(Any), |_, a| Ok(dict(&a)));
    reg(map, &["get"], vec![Map, String], None, |_, a| {
        let m = map_arg(&a[0])?;
        let key = a[1].as_str().unwrap_or_default();
        // A missing key gives "" (not nil) in Sprig.
        Ok(m.and_then(|m| m.get(key))
            .unwrap_or_else(|| GoValue::str("")))
    });
    reg(map, &["set"], vec![Map, String, Any], None, |_, a| {
        let Some(m) = map_arg(&a[0])? else {
            return Err("assignment to entry in nil map".into());
        };
        m.insert(a[1].as_str().unwrap_or_default(), a[2].clone());
        Ok(GoValue::Map(m))
    });
    reg(map, &["unset"], vec![Map, String], None, |_, a| {
        // Deleting from a nil map is a no-op in Go; Sprig returns that nil
        // map, which prints like an empty one.
        let Some(m) = map_arg(&a[0])? else {
            return Ok(GoValue::Map(GoMap::new()));
        };
        m.remove(a[1].as_str().unwrap_or_default());
        Ok(GoValue::Map(m))
    });
    reg(map, &["hasKey"], vec![Map, String], None, |_, a| {
        let m = map_arg(&a[0])?;
        let key = a[1].as_str().unwrap_or_default();
        Ok(GoValue::Bool(m.is_some_and(|m| m.contains_key(key))))
    });
    reg(map, &["pluck"], vec![String], Some(Map), |_, a| {
        let key = a[0].as_str().unwrap_or_default();
        let mut out = Vec::new();
        for d in &a[1..] {
            if let Some(v) = map_arg(d)?.and_then(|m| m.get(key)) {
                out.push(v);
            }
        }
        Ok(GoValue::list(out))
    });
    reg(map, &["keys"], vec![], Some(Map), |_, a| {
        // Go ranges over each map in random order; sorted order is the one
        // stable choice (and what `keys | sortAlpha` gives anyway).
        let mut out = Vec::new();
        for d in &a {
            if let Some(m) = map_arg(d)? {
                out.extend(m.keys());
            }
        }
        Ok(GoValue::string_list(out))
    });
    reg(map, &["values"], vec![Map], None, |_, a| {
        let m = map_arg(&a[0])?;
        Ok(GoValue::list(
            m.map(|m| m.entries().into_iter().map(|(_, v)| v).collect())
                .unwrap_or_default(),
        ))
    });
    reg(map, &["pick"], vec![Map], Some(String), |_, a| {
        let m = map_arg(&a[0])?;
        let mut out = BTreeMap::new();
        if let Some(m) = m {
            for k in &a[1..] {
                let k = k.as_str().unwrap_or_default();
                if let Some(v) = m.get(k) {
                    out.insert(k.to_string(), v);
                }
            }
        }
        Ok(GoValue::map(out))
    });
    reg(map, &["omit"], vec![Map], Some(String), |_, a| {
        let m = map_arg(&a[0])?;
        let omit: Vec<&str> = a[1..].iter().filter_map(GoValue::as_str).collect();
        let out = m
            .map(|m| {
                m.entries()
                    .into_iter()
                    .filter(|(k, _)| !omit.contains(&k.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(GoValue::map(out))
    });
    reg(
        map,
        &["merge", "mustMerge"],
        vec![Map],
        Some(Map),
        |_, a| merge_all(&a, false).map_err(Into::into),
    );
    reg(
        map,
        &["mergeOverwrite", "mustMergeOverwrite"],
        vec![Map],
        Some(Map),
        |_, a| merge_all(&a, true).map_err(Into::into),
    );
    // copystructure.Copy: maps (also inside lists) are copied; other values
    // are immutable here, so sharing them is a copy (and a nil stays nil).
    reg(
        map,
        &["deepCopy", "mustDeepCopy"],
        vec![Any],
        None,
        |_, a| a[0].deep_copy().map_err(|e| format!("copy: {e}")),
    );
    reg(map, &["dig"], vec![], Some(Any), |_, a| {
        dig(&a).map_err(Into::into)
    });
}

/// Sprig's `dict`: a new map; keys through `strval`, a trailing key
/// without a value maps to `""`.
fn dict(args: &[GoValue]) -> GoValue {
    let pairs = args
        .chunks(2)
        .map(|pair| {
            let value = pair.get(1).cloned().unwrap_or_else(|| GoValue::str(""));
            (strval(&pair[0]), value)
        })
        .collect();
    GoValue::Map(GoMap::from_pairs(pairs))
}

/// `merge`/`mergeOverwrite`: every source merged into the first map in
/// place (Sprig calls `mergo.Merge(&dst, src)` per source), which is
/// returned. A nil destination becomes a new map, as mergo makes one.
fn merge_all(args: &[GoValue], overwrite: bool) -> Result<GoValue, CollectionsError> {
    let dst = map_arg(&args[0])?.unwrap_or_default();
    for src in &args[1..] {
        if let Some(src) = map_arg(src)? {
            merge_into(&dst, &src, overwrite, 0)?;
        }
    }
    Ok(GoValue::Map(dst))
}

/// mergo v1.0.1 `deepMerge` for `map[string]interface {}`, per source key
/// (keys as of the start, values read as the merge goes, like Go's
/// `MapKeys` then `MapIndex`):
///
/// - a nil source value is stored only when overwriting;
/// - a source map merged into a destination map recurses, changing the
///   destination's nested map in place whatever the mode; the destination
///   keeps it unless it is still empty afterwards;
/// - otherwise the source value is stored when overwriting (even an empty
///   one: `mergeOverwrite` writes `0`, `""`, `[]`) or when the destination
///   entry is absent or empty (`""`, `0`, `false`, nil, an empty list or
///   map). A stored map is the source's own map, shared, as in Go.
///
/// Go recurses without limit (a map holding itself crashes helm); this
/// stops with an error at [`MAX_DEPTH`].
fn merge_into(
    dst: &GoMap,
    src: &GoMap,
    overwrite: bool,
    depth: usize,
) -> Result<(), CollectionsError> {
    if depth >= MAX_DEPTH {
        return Err(CollectionsError::Sprig(
            "merge: maps nested too deeply (a map holding itself?)".into(),
        ));
    }
    for key in src.keys() {
        let Some(s) = src.get(&key) else {
            continue;
        };
        let d = dst.get(&key);
        if s.is_nil() {
            if overwrite {
                dst.insert(key, GoValue::Nil);
            }
            continue;
        }
        if let (GoValue::Map(sm), Some(GoValue::Map(dm))) = (&s, &d) {
            merge_into(dm, sm, overwrite, depth + 1)?;
            if !dm.is_empty() {
                continue;
            }
        }
        let replace = overwrite || d.as_ref().is_none_or(go_empty);
        if replace {
            dst.insert(key, s);
        }
    }
    Ok(())
}

/// Go's dynamic type text in a failed type assertion (`nil` for a nil
/// interface).
fn dynamic_type(v: &GoValue) -> String {
    if v.is_nil() {
        "nil".to_string()
    } else {
        v.type_name()
    }
}

/// Sprig's `dig KEY… DEFAULT DICT`: walks nested maps by string keys,
/// returning DEFAULT at the first absent key. Its type assertions panic on
/// non-maps and non-string keys, which the executor reports as errors.
fn dig(args: &[GoValue]) -> Result<GoValue, CollectionsError> {
    if args.len() < 3 {
        return Err(CollectionsError::Sprig(
            "dig needs at least three arguments".into(),
        ));
    }
    let as_map = |v: &GoValue| match v {
        GoValue::Map(m) => Ok(m.clone()),
        other => Err(CollectionsError::Conversion {
            got: dynamic_type(other),
            want: "map[string]interface {}",
        }),
    };
    let mut dict = as_map(&args[args.len() - 1])?;
    let default = &args[args.len() - 2];
    let mut keys = Vec::with_capacity(args.len() - 2);
    for k in &args[..args.len() - 2] {
        match k {
            GoValue::String(s) => keys.push(s.clone()),
            other => {
                return Err(CollectionsError::Conversion {
                    got: dynamic_type(other),
                    want: "string",
                });
            }
        }
    }
    let mut i = 0;
    loop {
        let Some(step) = dict.get(keys[i].as_ref()) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        dict = as_map(&step)?;
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, GoValue)]) -> GoMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn at(map: &GoMap, key: &str) -> GoValue {
        map.get(key).unwrap()
    }

    fn inner(v: &GoValue) -> GoMap {
        let GoValue::Map(m) = v else { panic!("{v:?}") };
        m.clone()
    }

    fn base() -> GoMap {
        m(&[
            ("a", GoValue::Int(1)),
            ("z", GoValue::str("keep")),
            ("n", GoValue::Map(m(&[("y", GoValue::Int(2))]))),
        ])
    }

    fn source() -> GoMap {
        m(&[
            ("a", GoValue::Int(2)),
            ("b", GoValue::Int(3)),
            ("z", GoValue::Nil),
            (
                "n",
                GoValue::Map(m(&[("x", GoValue::Int(1)), ("y", GoValue::Int(9))])),
            ),
            ("new", GoValue::Map(m(&[("q", GoValue::Int(5))]))),
        ])
    }

    #[test]
    fn merge_keeps_or_overwrites_like_mergo() {
        let src = source();
        let keep = base();
        let nested_before = inner(&at(&keep, "n"));
        merge_into(&keep, &src, false, 0).unwrap();
        assert!(matches!(at(&keep, "a"), GoValue::Int(1)));
        assert!(matches!(at(&keep, "b"), GoValue::Int(3)));
        assert_eq!(at(&keep, "z").as_str(), Some("keep"));
        let n = inner(&at(&keep, "n"));
        assert!(matches!(at(&n, "x"), GoValue::Int(1)) && matches!(at(&n, "y"), GoValue::Int(2)));
        // The destination's nested map was merged in place, not replaced.
        assert!(n.ptr_eq(&nested_before));
        // A missing key stores the source's own map: shared, as in Go.
        assert!(inner(&at(&keep, "new")).ptr_eq(&inner(&at(&src, "new"))));

        let over = base();
        merge_into(&over, &source(), true, 0).unwrap();
        assert!(matches!(at(&over, "a"), GoValue::Int(2)));
        assert!(matches!(at(&over, "z"), GoValue::Nil));
        assert!(matches!(at(&inner(&at(&over, "n")), "y"), GoValue::Int(9)));
    }

    #[test]
    fn merge_replaces_an_empty_nested_map_only_when_still_empty() {
        // An empty destination map takes the source's entries in place and
        // is kept; with an empty source it is replaced by the source's map.
        let empty_dst = GoMap::new();
        let dst = m(&[("n", GoValue::Map(empty_dst.clone()))]);
        let src_n = m(&[("k", GoValue::Int(1))]);
        merge_into(&dst, &m(&[("n", GoValue::Map(src_n.clone()))]), false, 0).unwrap();
        let n = inner(&at(&dst, "n"));
        assert!(n.ptr_eq(&empty_dst) && !n.ptr_eq(&src_n));
        assert_eq!(empty_dst.len(), 1);

        let dst = m(&[("n", GoValue::Map(GoMap::new()))]);
        let src_n = GoMap::new();
        merge_into(&dst, &m(&[("n", GoValue::Map(src_n.clone()))]), false, 0).unwrap();
        assert!(inner(&at(&dst, "n")).ptr_eq(&src_n));
    }

    #[test]
    fn merge_fills_empty_destination_values() {
        let src = m(&[
            ("a", GoValue::Int(2)),
            ("l", GoValue::list(vec![GoValue::Int(2)])),
        ]);
        let dst = m(&[
            ("a", GoValue::str("")),
            ("l", GoValue::list(vec![GoValue::Int(1)])),
        ]);
        merge_into(&dst, &src, false, 0).unwrap();
        assert!(matches!(at(&dst, "a"), GoValue::Int(2)));
        let GoValue::List(l) = at(&dst, "l") else {
            panic!()
        };
        assert!(matches!(l.items[..], [GoValue::Int(1)]));
    }

    #[test]
    fn merge_of_a_map_holding_itself_stops() {
        let d = m(&[("k", GoValue::Int(1))]);
        d.insert("self", GoValue::Map(d.clone()));
        assert!(merge_into(&d, &d, false, 0).is_err());
        // Merging a map into itself without a cycle is harmless.
        let e = m(&[("n", GoValue::Map(m(&[("x", GoValue::Int(1))])))]);
        merge_into(&e, &e, true, 0).unwrap();
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn dig_walks_and_defaults() {
        let inner = GoValue::Map(m(&[("c", GoValue::Int(1))]));
        let d = GoValue::Map(m(&[("a", GoValue::Map(m(&[("b", inner)])))]));
        let got = dig(&["a".into(), "b".into(), "c".into(), "".into(), d.clone()]).unwrap();
        assert!(matches!(got, GoValue::Int(1)));
        let got = dig(&["a".into(), "x".into(), "dflt".into(), d.clone()]).unwrap();
        assert_eq!(got.as_str(), Some("dflt"));
        let err = dig(&["a".into(), "b".into(), "c".into(), "d".into(), "".into(), d]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "interface conversion: interface {} is int, not map[string]interface {}"
        );
        let err = dig(&["a".into(), "".into(), GoValue::Nil]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "interface conversion: interface {} is nil, not map[string]interface {}"
        );
    }

    #[test]
    fn dict_pairs_and_odd_key() {
        let GoValue::Map(d) = dict(&[
            GoValue::Int(1),
            GoValue::Int(2),
            GoValue::Nil,
            "x".into(),
            "k".into(),
        ]) else {
            panic!()
        };
        assert!(matches!(at(&d, "1"), GoValue::Int(2)));
        assert_eq!(at(&d, "<nil>").as_str(), Some("x"));
        assert_eq!(at(&d, "k").as_str(), Some(""));
    }

    #[test]
    fn dict_with_a_key_twice_keeps_the_last_value() {
        let GoValue::Map(d) = dict(&[
            "b".into(),
            GoValue::Int(1),
            "a".into(),
            GoValue::Int(2),
            "b".into(),
            GoValue::Int(3),
            "c".into(),
        ]) else {
            panic!()
        };
        assert_eq!(d.keys(), ["a", "b", "c"]);
        assert!(matches!(at(&d, "b"), GoValue::Int(3)));
        assert_eq!(at(&d, "c").as_str(), Some(""));
    }
}
