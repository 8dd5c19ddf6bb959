//! Sprig's defaults (`defaults.go`: `default`, `empty`, `coalesce`, `all`,
//! `any`, `ternary`, the pretty/raw JSON encoders) and reflection helpers
//! (`reflect.go`: `typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`,
//! plus `deepEqual`).

use super::json::to_json_string;
use super::{deep_equal, go_empty, reg};
use crate::engine::gotmpl::funcs::{FuncMap, ParamType};
use crate::engine::gotmpl::value::GoValue;

/// Registers the defaults and reflection functions.
pub fn register(map: &mut FuncMap) {
    use ParamType::{Any, Bool, String};
    reg(map, &["default"], vec![Any], Some(Any), |_, a| {
        // dfault(d, given...): no given value, or an empty one, yields d.
        match a.get(1) {
            Some(given) if !go_empty(given) => Ok(given.clone()),
            _ => Ok(a[0].clone()),
        }
    });
    reg(map, &["empty"], vec![Any], None, |_, a| {
        Ok(GoValue::Bool(go_empty(&a[0])))
    });
    reg(map, &["coalesce"], vec![], Some(Any), |_, a| {
        Ok(a.iter()
            .find(|v| !go_empty(v))
            .cloned()
            .unwrap_or(GoValue::Nil))
    });
    reg(map, &["all"], vec![], Some(Any), |_, a| {
        Ok(GoValue::Bool(a.iter().all(|v| !go_empty(v))))
    });
    reg(map, &["any"], vec![], Some(Any), |_, a| {
        Ok(GoValue::Bool(a.iter().any(|v| !go_empty(v))))
    });
    reg(map, &["ternary"], vec![Any, Any, Bool], None, |_, a| {
        Ok(if matches!(a[2], GoValue::Bool(true)) {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    // toPrettyJson swallows encoding errors (empty output); the must
    // variant and toRawJson (which panics) report them.
    reg(map, &["toPrettyJson"], vec![Any], None, |_, a| {
        Ok(GoValue::from(
            to_json_string(&a[0], "  ", true).unwrap_or_default(),
        ))
    });
    reg(map, &["mustToPrettyJson"], vec![Any], None, |_, a| {
        Ok(GoValue::from(
            to_json_string(&a[0], "  ", true).map_err(|e| e.to_string())?,
        ))
    });
    reg(
        map,
        &["toRawJson", "mustToRawJson"],
        vec![Any],
        None,
        |_, a| {
            Ok(GoValue::from(
                to_json_string(&a[0], "", false).map_err(|e| e.to_string())?,
            ))
        },
    );
    reg(map, &["typeOf"], vec![Any], None, |_, a| {
        Ok(GoValue::from(a[0].type_name()))
    });
    reg(map, &["typeIs"], vec![String, Any], None, |_, a| {
        Ok(GoValue::Bool(
            a[0].as_str() == Some(a[1].type_name().as_str()),
        ))
    });
    reg(map, &["typeIsLike"], vec![String, Any], None, |_, a| {
        let t = a[1].type_name();
        let target = a[0].as_str().unwrap_or_default();
        Ok(GoValue::Bool(t == target || t == format!("*{target}")))
    });
    reg(map, &["kindOf"], vec![Any], None, |_, a| {
        Ok(GoValue::from(a[0].kind_name()))
    });
    reg(map, &["kindIs"], vec![String, Any], None, |_, a| {
        Ok(GoValue::Bool(
            a[0].as_str() == Some(a[1].kind_name().as_str()),
        ))
    });
    reg(map, &["deepEqual"], vec![Any, Any], None, |_, a| {
        Ok(GoValue::Bool(deep_equal(&a[0], &a[1])))
    });
}
