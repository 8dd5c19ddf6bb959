//! Template engines behind one small trait.
//!
//! The render pipeline hands an engine the whole chart tree at once (Helm's
//! Go engine needs it: `define`s share one namespace across all subcharts);
//! each engine renders the template files it [`handles`](Engine::handles)
//! and returns their text. A template file chooses its engine by extension:
//! `*.j2` is minijinja ([`jinja`]); everything else is a Go template
//! rendered by Helm's engine ([`helm`]).

pub mod capabilities;
pub mod gotmpl;
pub mod helm;
pub mod jinja;

pub use capabilities::{Capabilities, KubeVersion};

use crate::chart::Chart;
use crate::diag::{Diagnostic, Location};
use crate::value::Value;
use std::sync::Arc;

/// `.Release` / `release`.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    /// Release name (`release-name` when none is given, like helm template).
    pub name: String,
    /// Target namespace (`default` unless `-n`).
    pub namespace: String,
    /// Always 1 for a local render.
    pub revision: i64,
    /// `Helm`, as Helm reports it (charts test for it).
    pub service: String,
    /// True unless `--is-upgrade`.
    pub is_install: bool,
    /// True with `--is-upgrade`.
    pub is_upgrade: bool,
}

impl Default for Release {
    fn default() -> Self {
        Release {
            name: "release-name".to_string(),
            namespace: "default".to_string(),
            revision: 1,
            service: "Helm".to_string(),
            is_install: true,
            is_upgrade: false,
        }
    }
}

/// One chart of the tree being rendered, with its scoped values.
#[derive(Debug, Clone)]
pub struct ChartScope<'a> {
    /// Template path prefix: `parent` or `parent/charts/sub` (alias applied).
    pub path: String,
    /// The chart.
    pub chart: &'a Chart,
    /// The values this chart's templates see (`.Values` / `values`).
    pub values: Value,
    /// True for the chart being rendered (not a subchart).
    pub is_root: bool,
}

/// Everything an engine needs to render a chart tree.
#[derive(Debug, Clone)]
pub struct RenderInput<'a> {
    /// The root chart first, then every enabled subchart, depth first.
    pub scopes: Vec<ChartScope<'a>>,
    /// `.Release`.
    pub release: Release,
    /// `.Capabilities`.
    pub capabilities: Capabilities,
}

/// The text one template file rendered to.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedTemplate {
    /// `<chart path>/templates/<file>`, with an engine suffix like `.j2` removed
    /// (`kafka/templates/statefulset.yaml`).
    pub name: String,
    /// Rendered text.
    pub content: String,
}

/// A template failure: what, where, and through which includes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct EngineError {
    /// What went wrong.
    pub message: String,
    /// Template name (`chart/templates/x.yaml.j2`).
    pub template: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Length of the offending span, in characters.
    pub span_len: usize,
    /// The template's source, to show the line.
    pub template_source: Option<Arc<str>>,
    /// Outermost-last chain of templates that included the failing one
    /// (`chart/templates/a.yaml.j2:3`).
    pub chain: Vec<String>,
}

impl From<EngineError> for Diagnostic {
    fn from(e: EngineError) -> Diagnostic {
        let mut loc = Location::file(e.template).at(e.line, e.column);
        loc.span_len = e.span_len.max(1);
        if let Some(src) = e.template_source {
            loc = loc.with_source(src);
        }
        let mut d = Diagnostic::new(e.message).at(loc);
        for c in e.chain {
            d = d.note(format!("included from {c}"));
        }
        d
    }
}

/// A template engine.
// An `EngineError` is a little over clippy's 128-byte threshold; it travels
// once per failed render, so boxing it would buy nothing measurable.
#[allow(clippy::result_large_err)]
pub trait Engine: Send + Sync {
    /// Short name (`jinja`, `go`).
    fn name(&self) -> &'static str;

    /// Whether this engine renders the given template file (chart-relative
    /// name such as `templates/deployment.yaml.j2`).
    fn handles(&self, file_name: &str) -> bool;

    /// Renders every non-partial template this engine handles, over all
    /// scopes. Partials (basename starting with `_`) are available to
    /// includes but produce no output.
    fn render(&self, input: &RenderInput<'_>) -> Result<Vec<RenderedTemplate>, EngineError>;
}

/// True when a template file is a partial (basename starts with `_`).
pub fn is_partial(file_name: &str) -> bool {
    file_name
        .rsplit('/')
        .next()
        .is_some_and(|base| base.starts_with('_'))
}
