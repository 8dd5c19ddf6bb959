//! Sprig's dict functions (`dict.go`), with mergo v1.0's merge rules.
//!
//! Go maps are references: Sprig's `set`, `unset`, `merge` and
//! `mergeOverwrite` change the map they are given and return it. The
//! template value model holds maps as shared immutable [`GoMap`]s, so these
//! functions return an updated copy instead; templates that use the return
//! value (`$d := set $d "k" 1`, `merge $a $b | toYaml`) behave as in Helm,
//! templates relying on the side effect alone (`$_ := set $d "k" 1`) do not
//! until the value model gives maps shared mutable storage.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{CollectionsError, go_empty, map_arg, reg, strval};
use crate::engine::gotmpl::funcs::{FuncMap, ParamType};
use crate::engine::gotmpl::value::{GoMap, GoValue};

/// Registers the dict functions.
pub fn register(map: &mut FuncMap) {
    use ParamType::{Any, String, Value};
    reg(map, &["dict"], vec![], Some(Any), |_, a| Ok(dict(&a)));
    reg(map, &["get"], vec![Value, String], None, |_, a| {
        let m = map_arg(&a[0])?;
        let key = a[1].as_str().unwrap_or_default();
        // A missing key gives "" (not nil) in Sprig.
        Ok(m.and_then(|m| m.get(key).cloned())
            .unwrap_or_else(|| GoValue::str("")))
    });
    reg(map, &["set"], vec![Value, String, Any], None, |_, a| {
        let Some(m) = map_arg(&a[0])? else {
            return Err("assignment to entry in nil map".into());
        };
        let mut m = (*m).clone();
        m.insert(a[1].as_str().unwrap_or_default().to_string(), a[2].clone());
        Ok(GoValue::map(m))
    });
    reg(map, &["unset"], vec![Value, String], None, |_, a| {
        // Deleting from a nil map is a no-op in Go; Sprig returns that nil map.
        let Some(m) = map_arg(&a[0])? else {
            return Ok(GoValue::map(BTreeMap::new()));
        };
        let mut m = (*m).clone();
        m.remove(a[1].as_str().unwrap_or_default());
        Ok(GoValue::map(m))
    });
    reg(map, &["hasKey"], vec![Value, String], None, |_, a| {
        let m = map_arg(&a[0])?;
        let key = a[1].as_str().unwrap_or_default();
        Ok(GoValue::Bool(m.is_some_and(|m| m.contains_key(key))))
    });
    reg(map, &["pluck"], vec![String], Some(Value), |_, a| {
        let key = a[0].as_str().unwrap_or_default();
        let mut out = Vec::new();
        for d in &a[1..] {
            if let Some(v) = map_arg(d)?.and_then(|m| m.get(key).cloned()) {
                out.push(v);
            }
        }
        Ok(GoValue::list(out))
    });
    reg(map, &["keys"], vec![], Some(Value), |_, a| {
        // Go ranges over each map in random order; sorted order is the one
        // stable choice (and what `keys | sortAlpha` gives anyway).
        let mut out = Vec::new();
        for d in &a {
            if let Some(m) = map_arg(d)? {
                out.extend(m.keys().cloned());
            }
        }
        Ok(GoValue::string_list(out))
    });
    reg(map, &["values"], vec![Value], None, |_, a| {
        let m = map_arg(&a[0])?;
        Ok(GoValue::list(
            m.map(|m| m.values().cloned().collect()).unwrap_or_default(),
        ))
    });
    reg(map, &["pick"], vec![Value], Some(String), |_, a| {
        let m = map_arg(&a[0])?;
        let mut out = BTreeMap::new();
        if let Some(m) = m {
            for k in &a[1..] {
                let k = k.as_str().unwrap_or_default();
                if let Some(v) = m.get(k) {
                    out.insert(k.to_string(), v.clone());
                }
            }
        }
        Ok(GoValue::map(out))
    });
    reg(map, &["omit"], vec![Value], Some(String), |_, a| {
        let m = map_arg(&a[0])?;
        let omit: Vec<&str> = a[1..].iter().filter_map(GoValue::as_str).collect();
        let out = m
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| !omit.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(GoValue::map(out))
    });
    reg(
        map,
        &["merge", "mustMerge"],
        vec![Value],
        Some(Value),
        |_, a| merge_all(&a, false),
    );
    reg(
        map,
        &["mergeOverwrite", "mustMergeOverwrite"],
        vec![Value],
        Some(Value),
        |_, a| merge_all(&a, true),
    );
    // Values are immutable and shared, so a clone is already a deep copy
    // (copystructure.Copy of nil is nil).
    reg(
        map,
        &["deepCopy", "mustDeepCopy"],
        vec![Any],
        None,
        |_, a| Ok(a[0].clone()),
    );
    reg(map, &["dig"], vec![], Some(Any), |_, a| {
        dig(&a).map_err(Into::into)
    });
}

/// Sprig's `dict`: keys through `strval`, a trailing key without a value
/// maps to `""`.
fn dict(args: &[GoValue]) -> GoValue {
    let mut m = BTreeMap::new();
    for pair in args.chunks(2) {
        let key = strval(&pair[0]);
        let value = pair.get(1).cloned().unwrap_or_else(|| GoValue::str(""));
        m.insert(key, value);
    }
    GoValue::map(m)
}

/// `merge`/`mergeOverwrite`: every source merged into the first map in turn.
fn merge_all(args: &[GoValue], overwrite: bool) -> Result<GoValue, String> {
    let mut dst: BTreeMap<String, GoValue> =
        map_arg(&args[0])?.map(|m| (*m).clone()).unwrap_or_default();
    for src in &args[1..] {
        if let Some(src) = map_arg(src)? {
            merge_into(&mut dst, &src, overwrite);
        }
    }
    Ok(GoValue::map(dst))
}

/// mergo v1.0 `deepMerge` for `map[string]interface {}` (as Sprig calls
/// `mergo.Merge` / `mergo.MergeWithOverwrite`), per source key:
///
/// - a nil source value is copied only when overwriting;
/// - a map merged into a map recurses, whatever the mode;
/// - otherwise the source value replaces the destination when overwriting
///   (even with an empty value: `mergeOverwrite` writes `0`, `""`, `[]`),
///   or when the destination is absent or empty (`""`, `0`, `false`, nil,
///   an empty list or map).
fn merge_into(dst: &mut BTreeMap<String, GoValue>, src: &GoMap, overwrite: bool) {
    for (key, s) in src.iter() {
        if s.is_nil() {
            if overwrite {
                dst.insert(key.clone(), GoValue::Nil);
            }
            continue;
        }
        if let (GoValue::Map(sm), Some(GoValue::Map(dm))) = (s, dst.get(key)) {
            let mut merged = (**dm).clone();
            merge_into(&mut merged, sm, overwrite);
            dst.insert(key.clone(), GoValue::map(merged));
            continue;
        }
        let replace = overwrite || dst.get(key).is_none_or(go_empty);
        if replace {
            dst.insert(key.clone(), s.clone());
        }
    }
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
        GoValue::Map(m) => Ok(Arc::clone(m)),
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
            return Ok(step.clone());
        }
        dict = as_map(step)?;
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, GoValue)]) -> BTreeMap<String, GoValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn merge_keeps_or_overwrites_like_mergo() {
        let src = Arc::new(m(&[
            ("a", GoValue::Int(2)),
            ("b", GoValue::Int(3)),
            ("z", GoValue::Nil),
            (
                "n",
                GoValue::map(m(&[("x", GoValue::Int(1)), ("y", GoValue::Int(9))])),
            ),
        ]));
        let base = m(&[
            ("a", GoValue::Int(1)),
            ("z", GoValue::str("keep")),
            ("n", GoValue::map(m(&[("y", GoValue::Int(2))]))),
        ]);
        let mut keep = base.clone();
        merge_into(&mut keep, &src, false);
        assert!(matches!(keep["a"], GoValue::Int(1)));
        assert!(matches!(keep["b"], GoValue::Int(3)));
        assert_eq!(keep["z"].as_str(), Some("keep"));
        let GoValue::Map(n) = &keep["n"] else {
            panic!()
        };
        assert!(matches!(n["x"], GoValue::Int(1)) && matches!(n["y"], GoValue::Int(2)));

        let mut over = base;
        merge_into(&mut over, &src, true);
        assert!(matches!(over["a"], GoValue::Int(2)));
        assert!(matches!(over["z"], GoValue::Nil));
        let GoValue::Map(n) = &over["n"] else {
            panic!()
        };
        assert!(matches!(n["y"], GoValue::Int(9)));
    }

    #[test]
    fn merge_fills_empty_destination_values() {
        let src = Arc::new(m(&[
            ("a", GoValue::Int(2)),
            ("l", GoValue::list(vec![GoValue::Int(2)])),
        ]));
        let mut dst = m(&[
            ("a", GoValue::str("")),
            ("l", GoValue::list(vec![GoValue::Int(1)])),
        ]);
        merge_into(&mut dst, &src, false);
        assert!(matches!(dst["a"], GoValue::Int(2)));
        let GoValue::List(l) = &dst["l"] else {
            panic!()
        };
        assert!(matches!(l.items[..], [GoValue::Int(1)]));
    }

    #[test]
    fn dig_walks_and_defaults() {
        let inner = GoValue::map(m(&[("c", GoValue::Int(1))]));
        let d = GoValue::map(m(&[("a", GoValue::map(m(&[("b", inner)])))]));
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
        assert!(matches!(d["1"], GoValue::Int(2)));
        assert_eq!(d["<nil>"].as_str(), Some("x"));
        assert_eq!(d["k"].as_str(), Some(""));
    }
}
