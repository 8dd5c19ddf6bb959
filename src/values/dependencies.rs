//! Helm's `ProcessDependencies` (`pkg/chart/v2/util/dependencies.go`,
//! v4.1.4): aliases, tags and conditions, then import-values.
//!
//! Ported for behaviour, including the parts that surprise users:
//! * conditions and tags are evaluated against the values *coalesced* with
//!   the chart's defaults (so a default `sub.enabled: false` counts), and a
//!   nested chart's conditions are looked up under `<sub>.` in its parent's
//!   coalesced values;
//! * a condition beats tags (it is applied second);
//! * subcharts present in `charts/` but not declared in `Chart.yaml` are
//!   always kept, and come first;
//! * after import-values, a chart that declares dependencies has its
//!   `values` replaced by its *merged* values (defaults of all its subcharts
//!   folded in, nulls kept) with the imported tables underneath.

use super::ValuesError;
use super::coalesce::{coalesce_maps, coalesce_values, merge_chart_values};
use crate::chart::{Chart, ImportValue};
use crate::value::{Map, Value};
use crate::version_range::is_compatible_range;

/// Helm's `ProcessDependencies`: decides which subcharts are enabled
/// (removing the others from `chart.dependencies`, recursively), applies
/// aliases, and imports child values into parents.
///
/// Returns the warnings Helm logs (non-bool conditions/tags, missing
/// import tables). Coalescing warnings are not repeated here: the final
/// [`super::coalesce_values_with_warnings`] reports them.
pub fn process_dependencies(chart: &mut Chart, user: &Value) -> Result<Vec<String>, ValuesError> {
    let mut warnings = Vec::new();
    process_enabled(chart, user, "", &mut warnings)?;
    process_import_values(chart, &mut warnings)?;
    Ok(warnings)
}

/// Go's `processDependencyEnabled`.
fn process_enabled(
    c: &mut Chart,
    v: &Value,
    path: &str,
    warnings: &mut Vec<String>,
) -> Result<(), ValuesError> {
    // Go checks for a nil list; an empty one behaves the same for us.
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let matches = |chart: &Chart, name: &str, constraint: &Option<String>| {
        chart.name() == name
            && is_compatible_range(constraint.as_deref().unwrap_or(""), &chart.metadata.version)
    };
    // Undeclared subcharts first, in load order.
    let mut chart_deps: Vec<Chart> = existing
        .iter()
        .filter(|e| {
            !c.metadata
                .dependencies
                .iter()
                .any(|req| matches(e, &req.name, &req.version))
        })
        .cloned()
        .collect();
    // Then one copy per declaration (so one chart can be aliased twice),
    // renamed to its alias.
    for req in &mut c.metadata.dependencies {
        if let Some(found) = existing
            .iter()
            .find(|e| matches(e, &req.name, &req.version))
        {
            let mut copy = found.clone();
            if let Some(alias) = req.alias.as_deref().filter(|a| !a.is_empty()) {
                copy.metadata.name = alias.to_string();
            }
            chart_deps.push(copy);
        }
        if let Some(alias) = req.alias.as_deref().filter(|a| !a.is_empty()) {
            req.name = alias.to_string();
        }
    }
    c.dependencies = chart_deps;

    let cvals = coalesce_values(c, v)?;
    let mut enabled = vec![true; c.metadata.dependencies.len()];
    apply_tags(c, &cvals, &mut enabled, warnings);
    apply_conditions(c, &cvals, path, &mut enabled, warnings);

    let removed: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .zip(&enabled)
        .filter(|(_, on)| !**on)
        .map(|(d, _)| d.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !removed.contains(&d.metadata.name));
    let mut kept_meta = Vec::new();
    for (mut d, on) in std::mem::take(&mut c.metadata.dependencies)
        .into_iter()
        .zip(enabled)
    {
        d.enabled = Some(on);
        if !removed.contains(&d.name) {
            kept_meta.push(d);
        }
    }
    c.metadata.dependencies = kept_meta;

    for sub in &mut c.dependencies {
        let subpath = format!("{path}{}.", sub.metadata.name);
        process_enabled(sub, &cvals, &subpath, warnings)?;
    }
    Ok(())
}

/// Go's `processDependencyTags`: any true tag enables, only-false disables.
fn apply_tags(c: &Chart, cvals: &Value, enabled: &mut [bool], warnings: &mut Vec<String>) {
    let Some(tags) = cvals
        .as_map()
        .and_then(|m| m.get("tags"))
        .and_then(Value::as_map)
    else {
        return;
    };
    for (req, on) in c.metadata.dependencies.iter().zip(enabled.iter_mut()) {
        let (mut has_true, mut has_false) = (false, false);
        for k in &req.tags {
            match tags.get(k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => warnings.push(format!(
                    "returned non-bool value: tag {k:?} of chart {:?}",
                    req.name
                )),
                None => {}
            }
        }
        *on = has_true || !has_false;
    }
}

/// Go's `processDependencyConditions`: the first path holding a bool wins.
fn apply_conditions(
    c: &Chart,
    cvals: &Value,
    path: &str,
    enabled: &mut [bool],
    warnings: &mut Vec<String>,
) {
    for (req, on) in c.metadata.dependencies.iter().zip(enabled.iter_mut()) {
        let Some(condition) = &req.condition else {
            continue;
        };
        for cond in condition.trim().split(',').filter(|c| !c.is_empty()) {
            match path_value(cvals, &format!("{path}{cond}")) {
                Some(Value::Bool(b)) => {
                    *on = *b;
                    break;
                }
                Some(_) => warnings.push(format!(
                    "returned non-bool value: condition path {cond:?} of chart {:?}",
                    req.name
                )),
                None => {}
            }
        }
    }
}

/// Helm's `Values.PathValue`: a non-table value at a dotted path.
fn path_value<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, tables) = parts.split_last()?;
    let mut t = v.as_map()?;
    for p in tables {
        t = t.get(*p)?.as_map()?;
    }
    t.get(*last).filter(|x| !matches!(x, Value::Map(_)))
}

/// Helm's `Values.Table`: the table at a dotted path.
fn table<'v>(v: &'v Value, path: &str) -> Option<&'v Map> {
    let mut t = v.as_map()?;
    for p in path.split('.') {
        t = t.get(p)?.as_map()?;
    }
    Some(t)
}

/// Helm's `pathToMap`: `x.y` + table → `{x: {y: table}}`; `.` is the root.
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = Map::default();
        m.insert(part.to_string(), Value::Map(cur));
        cur = m;
    }
    cur
}

/// Go's `processDependencyImportValues` (children first) with `merge = true`.
fn process_import_values(c: &mut Chart, warnings: &mut Vec<String>) -> Result<(), ValuesError> {
    for sub in &mut c.dependencies {
        process_import_values(sub, warnings)?;
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = merge_chart_values(c, &Value::Null)?;
    let mut imported = Map::default();
    for dep in &mut c.metadata.dependencies {
        let mut rewritten = Vec::new();
        for iv in &dep.import_values {
            let (child, parent) = match iv {
                ImportValue::Path { child, parent } => (child.clone(), parent.clone()),
                ImportValue::Exports(name) => (format!("exports.{name}"), ".".to_string()),
            };
            rewritten.push(ImportValue::Path {
                child: child.clone(),
                parent: parent.clone(),
            });
            let Some(found) = table(&cvals, &format!("{}.{child}", dep.name)) else {
                warnings.push(format!(
                    "ImportValues missing table from chart {}: {child:?} is not a table",
                    dep.name
                ));
                continue;
            };
            // The earlier import is authoritative over a later one.
            let incoming = path_to_map(&parent, found.clone());
            imported = coalesce_maps(&imported, &incoming, true)?;
        }
        dep.import_values = rewritten;
    }
    // Imports sit *under* the chart's own values (dependencies.go: "Imported
    // values from a child to a parent chart have a lower priority").
    let own = match cvals {
        Value::Map(m) => m,
        _ => Map::default(),
    };
    // Merging nothing in leaves the table as it is.
    c.values = Value::Map(if imported.is_empty() {
        own
    } else {
        coalesce_maps(&own, &imported, true)?
    });
    Ok(())
}
