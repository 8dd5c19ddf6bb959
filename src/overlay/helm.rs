//! `helmCharts` / `helmGlobals`: local charts rendered in-process through
//! skiff's own chart renderer (`crate::render`) instead of kustomize's
//! `helm template` subprocess, so no `--enable-helm` and no helm binary are
//! needed. Options follow kustomize's HelmChartInflationGenerator.

use super::fieldspec::ValueExt;
use super::resource::{Resource, scalar_text, str_field};
use super::target::{Kustomization, read_resources};
use crate::engine::Release;
use crate::manifest::HelmStreamOptions;
use crate::render::{self, RenderOptions};
use crate::value::Value;
use std::path::PathBuf;

/// Renders the `helmCharts` of a kustomization into resources.
pub fn inflate(k: &Kustomization) -> Result<Vec<Resource>, String> {
    let globals = k.doc.get("helmGlobals").cloned().unwrap_or(Value::Null);
    let mut chart_home = str_field(&globals, "chartHome").to_string();
    if chart_home.is_empty() {
        chart_home = "charts".to_string();
    }
    let home = k.loader.resolve(&chart_home);
    let mut out = Vec::new();
    for chart in k
        .doc
        .get("helmCharts")
        .map(|v| v.as_seq_slice().to_vec())
        .unwrap_or_default()
    {
        out.extend(inflate_one(k, &home, &chart)?);
    }
    Ok(out)
}

fn inflate_one(
    k: &Kustomization,
    home: &std::path::Path,
    chart: &Value,
) -> Result<Vec<Resource>, String> {
    let get = |key: &str| {
        chart
            .as_map()
            .and_then(|m| m.get(key))
            .map(scalar_text)
            .unwrap_or_default()
    };
    let flag = |key: &str| {
        chart
            .as_map()
            .and_then(|m| m.get(key))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let name = get("name");
    if name.is_empty() {
        return Err("helmCharts entry needs a name".to_string());
    }
    let repo = get("repo");
    let version = get("version");
    // kustomize keeps pulled charts in `<chartHome>/<name>-<version>/<name>`
    // and local ones in `<chartHome>/<name>`.
    let mut dir = home.join(&name);
    if !version.is_empty() {
        let pulled = home.join(format!("{name}-{version}")).join(&name);
        if pulled.is_dir() {
            dir = pulled;
        }
    }
    if !dir.is_dir() {
        if !repo.is_empty() {
            return Err(format!(
                "chart {name} from {repo}: remote charts are not supported offline; place it under {}",
                dir.display()
            ));
        }
        return Err(format!("chart {name} not found at {}", dir.display()));
    }

    // Values: the chart's own (or `valuesFile`), combined with
    // `valuesInline` per `valuesMerge` (override | merge | replace).
    let values_file = get("valuesFile");
    let base: Value = if values_file.is_empty() {
        let p = dir.join("values.yaml");
        match std::fs::read_to_string(&p) {
            Ok(t) => crate::yaml::parse_document(&t)
                .map_err(|e| format!("{}: {}", p.display(), e.message))?,
            Err(_) => Value::Null,
        }
    } else {
        let t = k.loader.read_string(&values_file)?;
        crate::yaml::parse_document(&t).map_err(|e| format!("{values_file}: {}", e.message))?
    };
    let inline = chart
        .as_map()
        .and_then(|m| m.get("valuesInline"))
        .cloned()
        .unwrap_or(Value::Null);
    let merged = match get("valuesMerge").as_str() {
        "replace" if !inline.is_null() => inline,
        "merge" => deep_merge(inline, &base),
        _ => deep_merge(base, &inline),
    };
    let tmp = tempfile::Builder::new()
        .prefix("skiff-helm-values-")
        .suffix(".yaml")
        .tempfile()
        .map_err(|e| e.to_string())?;
    let text = crate::yaml::to_yaml(&merged);
    std::fs::write(tmp.path(), text).map_err(|e| e.to_string())?;

    let mut values_files = vec![tmp.path().display().to_string()];
    for extra in chart
        .as_map()
        .and_then(|m| m.get("additionalValuesFiles"))
        .map(|v| v.as_seq_slice().iter().map(scalar_text).collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let p: PathBuf = k.loader.resolve(&extra);
        k.loader.check(&p)?;
        values_files.push(p.display().to_string());
    }

    let mut release_name = get("releaseName");
    if release_name.is_empty() {
        release_name = "release-name".to_string();
    }
    let namespace = get("namespace");
    let mut opts = RenderOptions {
        release: Release {
            name: release_name,
            namespace: if namespace.is_empty() {
                "default".to_string()
            } else {
                namespace
            },
            ..Release::default()
        },
        stream: HelmStreamOptions {
            include_crds: flag("includeCRDs"),
            skip_tests: flag("skipTests"),
            no_hooks: flag("skipHooks"),
            show_only: Vec::new(),
        },
        ..RenderOptions::default()
    };
    opts.values.values_files = values_files;
    let kube_version = get("kubeVersion");
    if !kube_version.is_empty() {
        opts.capabilities.kube_version =
            crate::engine::capabilities::parse_kube_version(&kube_version)
                .map_err(|e| format!("invalid kubeVersion {kube_version:?}: {e}"))?;
    }
    let api_versions: Vec<String> = chart
        .as_map()
        .and_then(|m| m.get("apiVersions"))
        .map(|v| v.as_seq_slice().iter().map(scalar_text).collect())
        .unwrap_or_default();
    opts.capabilities = opts.capabilities.with_api_versions(&api_versions);
    let rendered = render::render_to_string(&dir, &opts).map_err(|d| d.message)?;
    drop(tmp);
    read_resources(&rendered.text, &dir.display().to_string()).map_err(|e| e.to_string())
}

/// Maps merged recursively, `over` winning; anything else is replaced.
fn deep_merge(base: Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Map(mut b), Value::Map(o)) => {
            for (key, v) in o {
                let merged = match b.shift_remove(key) {
                    Some(old) => deep_merge(old, v),
                    None => v.clone(),
                };
                b.insert(key.clone(), merged);
            }
            Value::Map(b)
        }
        (b, Value::Null) => b,
        (_, o) => o.clone(),
    }
}
