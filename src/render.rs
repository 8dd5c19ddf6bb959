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

use crate::chart::{self, Chart};
use crate::diag::{Diagnostic, Location};
use crate::engine::helm::HelmEngine;
use crate::engine::helm::early::EarlyParses;
use crate::engine::jinja::JinjaEngine;
use crate::engine::{Capabilities, ChartScope, Engine, Release, RenderInput, RenderedTemplate};
use crate::manifest::{self, HelmStreamOptions};
use crate::teardown;
use crate::value::Value;
use crate::values::schema::EarlySchemas;
use crate::values::{self, ValueOptions};
use std::path::Path;
use std::sync::Arc;

/// Everything `skiff template` can be told.
#[derive(Debug, Clone, Default)]
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
    /// `--seed`: makes Sprig's random functions reproducible.
    pub seed: Option<u64>,
}

/// What a render printed, plus the findings that go to stderr.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateOutput {
    /// Exactly what `helm template` prints on stdout.
    pub text: String,
    /// Non-fatal findings (type mismatches while coalescing, bad conditions,
    /// documents dropped for unknown hook events…).
    pub warnings: Vec<String>,
}

/// A chart after values processing, ready to render.
#[derive(Debug, Clone)]
pub struct PreparedChart {
    /// The chart, with disabled subcharts removed and aliases applied.
    pub chart: Chart,
    /// The final coalesced values of the root chart.
    pub values: Value,
    /// Findings so far.
    pub warnings: Vec<String>,
}

/// Steps 1–6: load, check dependencies, merge and coalesce values, validate.
pub fn prepare(path: &Path, opts: &RenderOptions) -> Result<PreparedChart, Diagnostic> {
    let prepared = prepare_unchecked(path, opts, None)?;
    if !opts.skip_schema_validation {
        values::validate_schemas(&prepared.chart, &prepared.values)?;
    }
    Ok(prepared)
}

/// Work a render starts on the pool while the chart is read: parsing
/// each template file, and building the root chart's schema validator.
struct Early {
    parses: Arc<EarlyParses>,
    /// `None` with `--skip-schema-validation`.
    schemas: Option<EarlySchemas>,
}

/// [`prepare`] without the schema check; with `early`, template files
/// start parsing and schemas compiling as they are read.
fn prepare_unchecked(
    path: &Path,
    opts: &RenderOptions,
    early: Option<&Early>,
) -> Result<PreparedChart, Diagnostic> {
    // A render that goes on past this function (`render_with`) checks the
    // files it read late; a caller of `prepare` gets every file read now.
    let mut chart = match early {
        Some(early) => chart::load_with(path, &mut |rel, data| {
            early.parses.offer(rel, data);
            if let Some(schemas) = &early.schemas {
                schemas.offer(rel, data);
            }
        })?,
        None => chart::load(path)?,
    };
    if chart.is_library() {
        return Err(
            Diagnostic::new("library charts are not installable").at(Location::file(
                chart.origin.join("Chart.yaml").display().to_string(),
            )),
        );
    }
    chart::check_dependencies(&chart)?;
    let user = opts.values.merge_values()?;
    let mut warnings = values::process_dependencies(&mut chart, &user)?;
    check_kube_version(&chart, &opts.capabilities)?;
    let (values, coalesce_warnings) = values::coalesce_values_with_warnings(&chart, &user)?;
    warnings.extend(coalesce_warnings);
    Ok(PreparedChart {
        chart,
        values,
        warnings,
    })
}

impl PreparedChart {
    /// The chart tree with each chart's scoped values, root first.
    pub fn scopes(&self) -> Vec<ChartScope<'_>> {
        let mut scopes = Vec::new();
        collect_scopes(
            &self.chart,
            self.chart.name().to_string(),
            self.values.clone(),
            true,
            &mut scopes,
        );
        scopes
    }
}

/// Step 7: every template of every scope, rendered by the engine its
/// extension selects, in name order.
pub fn render_templates(
    scopes: &[ChartScope<'_>],
    opts: &RenderOptions,
) -> Result<Vec<RenderedTemplate>, Diagnostic> {
    render_templates_with(scopes, opts, None)
}

/// [`render_templates`], taking the files [`EarlyParses`] parsed already.
fn render_templates_with(
    scopes: &[ChartScope<'_>],
    opts: &RenderOptions,
    early: Option<Arc<EarlyParses>>,
) -> Result<Vec<RenderedTemplate>, Diagnostic> {
    let input = RenderInput {
        scopes: scopes.to_vec(),
        release: opts.release.clone(),
        capabilities: opts.capabilities.clone(),
    };
    let helm = HelmEngine {
        seed: opts.seed,
        early,
    };
    let engines: [&dyn Engine; 2] = [&JinjaEngine, &helm];
    let mut templates = Vec::new();
    for engine in engines {
        templates.extend(engine.render(&input)?);
    }
    templates.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(templates)
}

/// Steps 6 (the schema check) and 7 side by side: checking values against
/// a large schema costs as much as rendering the chart, and neither needs
/// the other. When both fail, the schema's report is the error, as in Helm,
/// which validates before it renders.
fn validate_and_render(
    prepared: &PreparedChart,
    scopes: &[ChartScope<'_>],
    opts: &RenderOptions,
    early: Early,
) -> Result<Vec<RenderedTemplate>, Diagnostic> {
    let parses = Some(early.parses);
    if opts.skip_schema_validation || !has_schema(&prepared.chart) {
        return render_templates_with(scopes, opts, parses);
    }
    let schemas = early.schemas.as_ref();
    let (valid, templates) = crate::parallel::join(
        || values::validate_schemas_with(&prepared.chart, &prepared.values, schemas),
        || render_templates_with(scopes, opts, parses),
    );
    valid?;
    templates
}

/// Whether the chart or any of its subcharts has a `values.schema.json`.
fn has_schema(chart: &Chart) -> bool {
    chart.schema.is_some() || chart.dependencies.iter().any(has_schema)
}

/// Renders the chart at `path` and returns `helm template`'s stdout.
pub fn render_to_string(path: &Path, opts: &RenderOptions) -> Result<TemplateOutput, Diagnostic> {
    render_with(path, opts, |list, crds| {
        Ok(manifest::render_helm_stream(list, crds, &opts.stream)?)
    })
}

/// Renders and writes each template under `dir` like `helm template
/// --output-dir`; the text is Helm's `wrote <path>` lines. Nothing is
/// written when any step fails — including an unknown `--show-only`
/// template, which Helm reports only after writing every file.
pub fn render_to_dir(
    path: &Path,
    opts: &RenderOptions,
    dir: &Path,
) -> Result<TemplateOutput, Diagnostic> {
    render_with(path, opts, |list, crds| {
        // Validates `--show-only` before anything touches the disk.
        manifest::render_helm_stream(list, crds, &opts.stream)?;
        let lines = manifest::write_output_dir(dir, list, crds, &opts.stream, None)?;
        let mut text = String::new();
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        // Helm then prints the (now empty) manifest stream: one empty line.
        text.push('\n');
        Ok(text)
    })
}

/// Renders the chart at `path` and makes the command's text from the
/// sorted manifests and the CRD files with `output`.
fn render_with(
    path: &Path,
    opts: &RenderOptions,
    output: impl FnOnce(&manifest::ResourceList, &[manifest::CrdFile<'_>]) -> Result<String, Diagnostic>,
) -> Result<TemplateOutput, Diagnostic> {
    // Template files start parsing on the pool while the chart loads.
    let early = Early {
        parses: Arc::new(EarlyParses::default()),
        schemas: (!opts.skip_schema_validation).then(EarlySchemas::default),
    };
    let prepared = prepare_unchecked(path, opts, Some(&early))?;
    let scopes = prepared.scopes();
    let templates = validate_and_render(&prepared, &scopes, opts, early)?;
    let list = manifest::sort_manifest_heads(&templates)?;
    let crds = manifest::crd_files(&scopes);
    // Files read late (see `chart::Contents`): the CRDs are read here when
    // printed, so a failed read stops the command before anything is
    // printed or written.
    if opts.stream.include_crds {
        for crd in &crds {
            crd.file.data.get();
        }
    }
    if let Some(e) = prepared.chart.read_error() {
        return Err(e.into());
    }
    let text = output(&list, &crds)?;
    let warnings = with_dropped_hooks(prepared.warnings.clone(), &list);
    // Borrowers before what they borrow.
    teardown::release(list);
    teardown::release(crds);
    teardown::release(scopes);
    teardown::release(templates);
    teardown::release(prepared);
    Ok(TemplateOutput { text, warnings })
}

fn with_dropped_hooks(mut warnings: Vec<String>, list: &manifest::ResourceList) -> Vec<String> {
    for d in &list.dropped_hooks {
        warnings.push(format!(
            "skipping unknown hooks {} in {}",
            d.hook_types, d.source
        ));
    }
    warnings
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

/// `kubeVersion:` in Chart.yaml must accept the target Kubernetes version
/// (Helm checks it in `renderResources`).
fn check_kube_version(chart: &Chart, caps: &Capabilities) -> Result<(), Diagnostic> {
    let Some(constraint) = chart.metadata.kube_version.as_deref() else {
        return Ok(());
    };
    let version = &caps.kube_version.normalized();
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
