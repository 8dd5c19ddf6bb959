//! `skiff show chart|values` and small input helpers for the CLI.

use crate::chart::{self, ImportValue, Metadata};
use crate::diag::{Diagnostic, Location};
use crate::value::{Map, Value};
use std::path::Path;

/// `Chart.yaml` as `helm show chart` prints it: the metadata re-serialized
/// (Helm marshals its `Metadata` struct through JSON, so keys come out
/// sorted, empty fields are omitted and comments are gone), followed by an
/// empty line (`fmt.Fprintf(out, "%s\n", yaml)`).
pub fn chart_yaml(path: &Path) -> Result<String, Diagnostic> {
    let chart = chart::load(path)?;
    let mut text = crate::yaml::to_yaml(&metadata_value(&chart.metadata));
    text.push('\n');
    Ok(text)
}

/// The chart's `values.yaml` as written, plus the newline `helm show
/// values` adds (`fmt.Fprintln`); nothing when the chart has none.
pub fn values_yaml(path: &Path) -> Result<String, Diagnostic> {
    let chart = chart::load(path)?;
    Ok(chart.raw_values.map(|raw| raw + "\n").unwrap_or_default())
}

/// Reads a data file for `skiff eval`: YAML or JSON (JSON is YAML).
pub fn read_data_file(path: &Path) -> Result<Value, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::new(format!("cannot read data file: {e}"))
            .at(Location::file(path.display().to_string()))
    })?;
    crate::yaml::parse_document(&text).map_err(|e| {
        Diagnostic::new(e.message.clone()).at(Location::file(path.display().to_string())
            .at(e.line, e.column)
            .with_source(text.as_str()))
    })
}

fn put_str(m: &mut Map, key: &str, v: &Option<String>) {
    if let Some(s) = v.as_ref().filter(|s| !s.is_empty()) {
        m.insert(key.to_string(), Value::from(s.as_str()));
    }
}

fn put_list(m: &mut Map, key: &str, items: &[String]) {
    if !items.is_empty() {
        m.insert(
            key.to_string(),
            Value::Seq(items.iter().map(|s| Value::from(s.as_str())).collect()),
        );
    }
}

/// The metadata with Helm's JSON field names and `omitempty` rules
/// (`pkg/chart/v2/metadata.go`, `dependency.go`).
pub fn metadata_value(md: &Metadata) -> Value {
    let mut m = Map::default();
    m.insert("name".into(), Value::from(md.name.as_str()));
    put_str(&mut m, "home", &md.home);
    put_list(&mut m, "sources", &md.sources);
    m.insert("version".into(), Value::from(md.version.as_str()));
    put_str(&mut m, "description", &md.description);
    put_list(&mut m, "keywords", &md.keywords);
    if !md.maintainers.is_empty() {
        let list = md
            .maintainers
            .iter()
            .map(|mt| {
                let mut e = Map::default();
                e.insert("name".into(), Value::from(mt.name.as_str()));
                put_str(&mut e, "email", &mt.email);
                put_str(&mut e, "url", &mt.url);
                Value::Map(e)
            })
            .collect();
        m.insert("maintainers".into(), Value::Seq(list));
    }
    put_str(&mut m, "icon", &md.icon);
    m.insert("apiVersion".into(), Value::from(md.api_version.as_str()));
    put_str(&mut m, "appVersion", &md.app_version);
    if md.deprecated {
        m.insert("deprecated".into(), Value::Bool(true));
    }
    if !md.annotations.is_empty() {
        let a = md
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        m.insert("annotations".into(), Value::Map(a));
    }
    put_str(&mut m, "kubeVersion", &md.kube_version);
    if !md.dependencies.is_empty() {
        let deps = md
            .dependencies
            .iter()
            .map(|d| {
                let mut e = Map::default();
                e.insert("name".into(), Value::from(d.name.as_str()));
                put_str(&mut e, "version", &d.version);
                // `repository` has no omitempty in Helm's struct.
                e.insert(
                    "repository".into(),
                    Value::from(d.repository.clone().unwrap_or_default()),
                );
                put_str(&mut e, "condition", &d.condition);
                put_list(&mut e, "tags", &d.tags);
                if let Some(b) = d.enabled.filter(|b| *b) {
                    e.insert("enabled".into(), Value::Bool(b));
                }
                if !d.import_values.is_empty() {
                    let items = d
                        .import_values
                        .iter()
                        .map(|iv| match iv {
                            ImportValue::Exports(s) => Value::from(s.as_str()),
                            ImportValue::Path { child, parent } => {
                                let mut p = Map::default();
                                p.insert("child".into(), Value::from(child.as_str()));
                                p.insert("parent".into(), Value::from(parent.as_str()));
                                Value::Map(p)
                            }
                        })
                        .collect();
                    e.insert("import-values".into(), Value::Seq(items));
                }
                put_str(&mut e, "alias", &d.alias);
                Value::Map(e)
            })
            .collect();
        m.insert("dependencies".into(), Value::Seq(deps));
    }
    if md.type_declared {
        m.insert("type".into(), Value::from(md.type_name()));
    }
    Value::Map(m)
}
