//! The `template` pipeline: chart + values → rendered templates → Helm's
//! output stream. This is the library entry point the CLI (and later
//! `build`'s helmCharts inflation) calls; it owns the order of the steps,
//! which follows `helm template` (research/helm.md §2.1):
//!
//! 1. load the chart; a library chart is not renderable;
//! 2. every declared dependency must be present in `charts/`;
//! 3. merge user values (flag types in Helm's precedence order);
//! 4. process dependencies (aliases, conditions, tags, import-values);
//! 5. check the chart's `kubeVersion` against the capabilities;
//! 6. coalesce values over chart defaults, validate schemas (before any
//!    template is parsed, as Helm does);
//! 7. render every template with the engine its extension selects;
//! 8. split, order and print (or write to `--output-dir`).

use crate::chart::{self, Chart, ChartFile};
use crate::diag::{Diagnostic, Location};
use crate::engine::jinja::JinjaEngine;
use crate::engine::passthrough::Passthrough;
use crate::engine::{Capabilities, ChartScope, Engine, Release, RenderInput, RenderedTemplate};
use crate::manifest::{self, CrdFile, HelmStreamOptions};
use crate::value::Value;
use crate::values::{self, ValueOptions};
use std::path::Path;

/// Everything `skiff template` can be told.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// `.Release`.
    pub release: Release,
    /// `-f` and `--set*` flags.
    pub values: ValueOptions,
    /// `.Capabilities` (`--kube-version`, `-a`).
    pub capabilities: Capabilities,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// Output selection (`--include-crds`, `--skip-tests`, `--no-hooks`, `-s`).
    pub stream: HelmStreamOptions,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release: Release::default(),
            values: ValueOptions::default(),
            capabilities: Capabilities::default(),
            skip_schema_validation: false,
            stream: HelmStreamOptions::default(),
        }
    }
}

/// A rendered chart, before printing.
#[derive(Debug, Clone)]
pub struct RenderedChart {
    /// Every rendered template, named `<chart path>/templates/<file>`.
    pub templates: Vec<RenderedTemplate>,
    /// CRD files of the chart tree, root first.
    pub crds: Vec<CrdFile>,
    /// Non-fatal findings (type mismatches while coalescing, bad conditions…).
    pub warnings: Vec<String>,
}

/// Loads and renders the chart at `path`.
pub fn render_path(path: &Path, opts: &RenderOptions) -> Result<RenderedChart, Diagnostic> {
    let chart = chart::load(path)?;
    render_chart(chart, opts)
}

/// Renders a loaded chart.
pub fn render_chart(mut chart: Chart, opts: &RenderOptions) -> Result<RenderedChart, Diagnostic> {
    if chart.is_library() {
        return Err(Diagnostic::new("library charts are not installable")
            .at(Location::file(chart.origin.join("Chart.yaml").display().to_string())));
    }
    chart::check_dependencies(&chart)?;
    let user = opts.values.merge_values()?;
    let mut warnings = values::process_dependencies(&mut chart, &user)?;
    check_kube_version(&chart, &opts.capabilities)?;
    let (final_values, coalesce_warnings) = values::coalesce_values_with_warnings(&chart, &user)?;
    warnings.extend(coalesce_warnings);
    if !opts.skip_schema_validation {
        values::validate_schemas(&chart, &final_values)?;
    }

    let mut scopes = Vec::new();
    collect_scopes(&chart, chart.name().to_string(), final_values, true, &mut scopes);
    let input = RenderInput {
        scopes,
        release: opts.release.clone(),
        capabilities: opts.capabilities.clone(),
    };
    let engines: [&dyn Engine; 2] = [&JinjaEngine, &Passthrough];
    let mut templates = Vec::new();
    for engine in engines {
        templates.extend(engine.render(&input)?);
    }
    templates.sort_by(|a, b| a.name.cmp(&b.name));

    let mut crds = Vec::new();
    collect_crds(&chart, chart.name(), &mut crds);
    Ok(RenderedChart {
        templates,
        crds,
        warnings,
    })
}

/// Renders and prints exactly what `helm template` prints.
pub fn render_to_string(path: &Path, opts: &RenderOptions) -> Result<String, Diagnostic> {
    let rendered = render_path(path, opts)?;
    let sorted = manifest::sort_manifests(&rendered.templates)?;
    Ok(manifest::helm_stream(&sorted, &rendered.crds, &opts.stream)?)
}

/// The chart and its enabled subcharts, depth first, each with the values
/// its templates see: a subchart's `.Values` is its parent's
/// `.Values.<name>` table (Helm's `engine.go` recAllTpls).
fn collect_scopes<'a>(
    chart: &'a Chart,
    path: String,
    values: Value,
    is_root: bool,
    out: &mut Vec<ChartScope<'a>>,
) {
    let subs: Vec<(String, Value)> = chart
        .dependencies
        .iter()
        .map(|sub| {
            let sub_values = values
                .as_map()
                .and_then(|m| m.get(sub.name()))
                .cloned()
                .filter(|v| v.as_map().is_some())
                .unwrap_or_else(Value::new_map);
            (format!("{path}/charts/{}", sub.name()), sub_values)
        })
        .collect();
    out.push(ChartScope {
        path,
        chart,
        values,
        is_root,
    });
    for (sub, (sub_path, sub_values)) in chart.dependencies.iter().zip(subs) {
        collect_scopes(sub, sub_path, sub_values, false, out);
    }
}

/// CRDs of the chart tree: the chart's own `crds/` files, then each
/// subchart's, recursively (Helm's `CRDObjects`).
fn collect_crds(chart: &Chart, path: &str, out: &mut Vec<CrdFile>) {
    for file in &chart.crds {
        if is_crd_manifest(file) {
            out.push(CrdFile {
                name: format!("{path}/{}", file.name),
                content: file.text().into_owned(),
            });
        }
    }
    for sub in &chart.dependencies {
        collect_crds(sub, &format!("{path}/charts/{}", sub.name()), out);
    }
}

/// Helm only installs `crds/` files with a YAML or JSON extension.
fn is_crd_manifest(file: &ChartFile) -> bool {
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| file.name.ends_with(ext))
}

/// `kubeVersion:` in Chart.yaml must accept the target Kubernetes version
/// (Helm checks it in `renderResources`).
fn check_kube_version(chart: &Chart, caps: &Capabilities) -> Result<(), Diagnostic> {
    let Some(constraint) = chart.metadata.kube_version.as_deref() else {
        return Ok(());
    };
    let version = &caps.kube_version.version;
    // Helm: `chartutil.IsCompatibleRange(kubeVersion, caps.KubeVersion.String())`;
    // an unparsable constraint counts as incompatible.
    if crate::version_range::is_compatible_range(constraint, version) {
        Ok(())
    } else {
        Err(Diagnostic::new(format!(
            "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {version}"
        ))
        .at(Location::file(chart.origin.join("Chart.yaml").display().to_string())))
    }
}

/// Renders and writes each template under `dir` like `helm template
/// --output-dir`; returns the `wrote …` lines. Nothing is written when any
/// step fails.
pub fn render_to_dir(path: &Path, opts: &RenderOptions, dir: &Path) -> Result<String, Diagnostic> {
    let rendered = render_path(path, opts)?;
    let sorted = manifest::sort_manifests(&rendered.templates)?;
    let lines = manifest::write_output_dir(dir, &sorted, &rendered.crds, &opts.stream)?;
    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    Ok(out)
}
