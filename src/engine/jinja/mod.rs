//! Native templates: minijinja for `*.j2` files.
//!
//! A chart may mix engines file by file; every template whose name ends in
//! `.j2` is rendered here, the output named like the source without `.j2`
//! (`web/templates/deployment.yaml.j2` → `web/templates/deployment.yaml`).
//!
//! The environment is set up for manifests rather than HTML:
//! * undefined values are errors ([`UndefinedBehavior::Strict`]) so a typo in
//!   `values.image.tagg` fails with its place instead of printing nothing;
//!   `x | default("y")` and `x is defined` remain the ways to ask for optional
//!   values;
//! * no auto-escaping, whatever the file name (minijinja would JSON-escape
//!   `*.yaml` names otherwise);
//! * `true`/`false` print in lower case, none prints as nothing, and maps
//!   and lists print as compact JSON, which is valid YAML flow;
//! * `trim_blocks`, `lstrip_blocks` and `keep_trailing_newline`, so block
//!   tags on their own lines leave no blank lines.
//!
//! Templates are registered under `<chart path>/templates/<file>`. An
//! `{% include %}`/`{% import %}` name is looked up next to the including
//! file, then in its chart's `templates/` directory; `../` may climb within
//! the chart but not out of it.
//!
//! Every template sees `values`, `release`, `chart`, `capabilities`, `files`
//! and `template` (Helm's `.Values`, `.Release`, … in snake_case; see the
//! `context` submodule) and Helm's functions under Jinja names (`toyaml`,
//! `nindent`, `tpl`, `semver_compare`, …; see the `filters` submodule).
//!
//! Differences from Helm worth knowing when porting a chart:
//! * Strict lookups fail on an undefined *parent*: `values.a.b | default(1)`
//!   fails when `a` is missing; write `(values.a | default({})).b |
//!   default(1)` or test `values.a is defined and values.a.b is defined`.
//! * `default` is Jinja's: it replaces an undefined value only;
//!   `default(x, true)` also replaces none, `""` and other empty values, as
//!   Sprig's `default` does.
//! * `indent` is Sprig's (every line, the first included), not Jinja's.
//! * `fromyaml`/`fromjson`/`b64decode` fail on bad input instead of
//!   returning an error string.
//! * Library charts lend their partials only, as in Helm.

mod context;
mod filters;

use super::{Engine, EngineError, RenderInput, RenderedTemplate, is_partial};
use crate::hashing::{HashMap, HashSet};
use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior};
use std::borrow::Cow;
use std::sync::Arc;

/// The minijinja engine for `*.j2` templates.
#[derive(Debug, Default, Clone, Copy)]
pub struct JinjaEngine;

impl Engine for JinjaEngine {
    fn name(&self) -> &'static str {
        "jinja"
    }

    fn handles(&self, file_name: &str) -> bool {
        file_name.ends_with(".j2")
    }

    fn render(&self, input: &RenderInput<'_>) -> Result<Vec<RenderedTemplate>, EngineError> {
        // Most charts have no `.j2` file: skip building an environment
        // (and its Helm-like globals) for nothing.
        let any = input.scopes.iter().any(|scope| {
            scope
                .chart
                .templates
                .iter()
                .any(|t| self.handles(&t.name) && library_allows(scope.chart, &t.name))
        });
        if !any {
            return Ok(Vec::new());
        }
        // Register every `.j2` file of every chart once (partials included,
        // for includes), then render the non-partials.
        let mut sources: HashMap<String, Arc<str>> = HashMap::default();
        let mut env = base_environment();
        let mut scope_paths = Vec::new();
        for scope in &input.scopes {
            scope_paths.push(scope.path.clone());
            for t in &scope.chart.templates {
                if !self.handles(&t.name) || !library_allows(scope.chart, &t.name) {
                    continue;
                }
                let full = format!("{}/{}", scope.path, t.name);
                let text: Arc<str> = Arc::from(t.text().as_ref());
                env.add_template_owned(full.clone(), text.to_string())
                    .map_err(|e| convert_error(&e, &sources, &full, &text))?;
                sources.insert(full, text);
            }
        }
        let names: Arc<HashSet<String>> = Arc::new(sources.keys().cloned().collect());
        env.set_path_join_callback(move |name, parent| {
            resolve_include(name, parent, &names, &scope_paths)
        });

        let capabilities = context::capabilities_value(&input.capabilities);
        let release = context::release_value(&input.release);
        let mut out = Vec::new();
        for scope in &input.scopes {
            let base_path = format!("{}/templates", scope.path);
            let values = context::to_template_value(&scope.values);
            let chart = context::chart_value(scope.chart, scope.is_root);
            let files = Value::from_object(context::FilesObject::new(&scope.chart.files));
            for t in &scope.chart.templates {
                if !self.handles(&t.name)
                    || is_partial(&t.name)
                    || !library_allows(scope.chart, &t.name)
                {
                    continue;
                }
                let full = format!("{}/{}", scope.path, t.name);
                let ctx = Value::from_pairs([
                    ("values", values.clone()),
                    ("release", release.clone()),
                    ("chart", chart.clone()),
                    ("capabilities", capabilities.clone()),
                    ("files", files.clone()),
                    ("template", context::template_value(&full, &base_path)),
                ]);
                let source = sources.get(&full).cloned().unwrap_or_else(|| Arc::from(""));
                let rendered = env
                    .get_template(&full)
                    .and_then(|tmpl| tmpl.render(ctx))
                    .map_err(|e| convert_error(&e, &sources, &full, &source))?;
                let name = full.strip_suffix(".j2").unwrap_or(&full).to_string();
                out.push(RenderedTemplate {
                    name,
                    content: rendered,
                });
            }
        }
        Ok(out)
    }
}

/// Helm ignores every non-partial file of a library chart
/// (`isTemplateValid`): a library only lends its partials to other charts.
fn library_allows(chart: &crate::chart::Chart, name: &str) -> bool {
    !chart.is_library() || is_partial(name)
}

/// Renders one template string with `data`'s top-level keys as variables
/// (for `skiff eval --engine jinja`). All filters and functions are
/// available; there are no chart objects and no includes.
// EngineError is the engine module's shared error type (the `Engine` trait
// returns it unboxed too); boxing it here alone would make callers differ.
#[allow(clippy::result_large_err)]
pub fn render_string(name: &str, source: &str, data: &crate::Value) -> Result<String, EngineError> {
    let env = base_environment();
    let sources: HashMap<String, Arc<str>> = [(name.to_string(), Arc::from(source))]
        .into_iter()
        .collect();
    let src: Arc<str> = Arc::from(source);
    let ctx = match data {
        crate::Value::Map(_) => context::to_template_value(data),
        crate::Value::Null => Value::from_pairs(std::iter::empty::<(&str, Value)>()),
        other => {
            return Err(EngineError {
                message: format!("the data must be a map, not a {}", other.type_name()),
                template: name.to_string(),
                line: None,
                column: None,
                span_len: 0,
                template_source: None,
                chain: Vec::new(),
            });
        }
    };
    env.render_named_str(name, source, ctx)
        .map_err(|e| convert_error(&e, &sources, name, &src))
}

/// The environment every render starts from: syntax, undefined behaviour,
/// escaping, formatter, filters and functions.
fn base_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_debug(true);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build();
    // The builder only fails on bad custom delimiters, and none are set.
    if let Ok(syntax) = syntax {
        env.set_syntax(syntax);
    }
    env.set_formatter(format_value);
    filters::register(&mut env);
    env
}

/// Prints `{{ … }}` results for YAML: `true`/`false` (minijinja's default
/// prints Python's `True`), none as nothing (Helm prints a missing value as
/// nothing too), maps and lists as compact JSON flow.
fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    let text = match value.kind() {
        // Strict mode already refuses to print undefined; keep the error.
        ValueKind::Undefined => return minijinja::escape_formatter(out, state, value),
        ValueKind::None => return Ok(()),
        ValueKind::Bool | ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => {
            filters::stringify(value)?
        }
        _ => return minijinja::escape_formatter(out, state, value),
    };
    out.write_str(&text).map_err(Error::from)
}

/// Resolves an include/import name against the including template. Tried
/// in order: relative to the including file's directory, relative to its
/// chart's `templates/` directory, and the name as a full template name.
/// `..` cannot leave the chart. When nothing matches, the first candidate is
/// returned so the "template not found" error names a sensible path.
fn resolve_include<'s>(
    name: &'s str,
    parent: &'s str,
    known: &HashSet<String>,
    scope_paths: &[String],
) -> Cow<'s, str> {
    // The chart of the including template: the longest scope path that is
    // followed by `/templates/`.
    let chart_root = scope_paths
        .iter()
        .filter(|p| {
            parent
                .strip_prefix(p.as_str())
                .is_some_and(|rest| rest.starts_with("/templates/"))
        })
        .max_by_key(|p| p.len());
    let Some(chart_root) = chart_root else {
        return Cow::Borrowed(name);
    };
    let parent_dir = parent.rsplit_once('/').map_or("", |(dir, _)| dir);
    let templates_dir = format!("{chart_root}/templates");
    let candidates = [
        join_within(chart_root, parent_dir, name),
        join_within(chart_root, &templates_dir, name),
    ];
    for c in candidates.iter().flatten() {
        if known.contains(c) {
            return Cow::Owned(c.clone());
        }
    }
    if known.contains(name) {
        return Cow::Borrowed(name);
    }
    match candidates.into_iter().flatten().next() {
        Some(first) => Cow::Owned(first),
        None => Cow::Borrowed(name),
    }
}

/// `dir` + `name` with `.`/`..` applied; `None` when `..` would climb above
/// `root` (the chart's path).
fn join_within(root: &str, dir: &str, name: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let floor = root.split('/').filter(|s| !s.is_empty()).count();
    for seg in name.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.len() <= floor {
                    return None;
                }
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Converts a minijinja error into an [`EngineError`] that points at the
/// innermost failing template, with the includes that led there in
/// `chain` (innermost first). minijinja wraps an error raised inside an
/// include in a `BadInclude` error of the including template; walking the
/// `source()` chain finds the real failure. The debug info minijinja
/// attaches (which lists every variable, values included) is never shown.
fn convert_error(
    err: &Error,
    sources: &HashMap<String, Arc<str>>,
    fallback_name: &str,
    fallback_source: &Arc<str>,
) -> EngineError {
    // Collect the minijinja errors of the chain, outermost first.
    let mut layers: Vec<&Error> = vec![err];
    let mut cur: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = cur.source() {
        match next.downcast_ref::<Error>() {
            Some(e) => layers.push(e),
            None => break,
        }
        cur = next;
    }
    // The innermost layer that knows where it happened is the failure.
    let inner = layers
        .iter()
        .rev()
        .find(|e| e.name().is_some())
        .copied()
        .unwrap_or(err);
    let innermost = layers.last().copied().unwrap_or(err);

    let mut message = describe(innermost);
    // A wrapper that adds its own words (`error in tpl`) keeps them in front.
    for layer in layers.iter().rev().skip(1) {
        if layer.kind() != minijinja::ErrorKind::BadInclude
            && let Some(detail) = layer.detail()
            && !std::ptr::eq(*layer, innermost)
        {
            message = format!("{detail}: {message}");
        }
    }

    let template = inner.name().unwrap_or(fallback_name).to_string();
    // The failing layer's own source comes first: a `tpl` string renders
    // under its caller's name, so the name alone would show the wrong text.
    let source = inner
        .template_source()
        .map(Arc::from)
        .or_else(|| sources.get(&template).cloned())
        .or_else(|| (template == fallback_name).then(|| fallback_source.clone()));
    let (line, column, span_len) = match (inner.range(), &source) {
        (Some(range), Some(src)) => {
            let (line, column) = line_col(src, range.start);
            let len = src
                .get(range.clone())
                .map(|s| s.chars().take_while(|c| *c != '\n').count())
                .unwrap_or(1);
            (Some(line), Some(column), len)
        }
        _ => (inner.line(), None, 0),
    };

    // Every outer layer with a name is an include site.
    let mut chain: Vec<String> = layers
        .iter()
        .filter(|e| !std::ptr::eq(**e, inner))
        .filter_map(|e| Some(format!("{}:{}", e.name()?, e.line().unwrap_or(0))))
        .rev()
        .collect();
    // A macro imported from another file fails under that file's name and
    // minijinja records no call site; still name the template being rendered.
    if chain.is_empty() && template != fallback_name {
        chain.push(fallback_name.to_string());
    }

    EngineError {
        message,
        template,
        line,
        column,
        span_len,
        template_source: source,
        chain,
    }
}

/// `kind: detail`, without minijinja's ` (in name:line)` suffix or debug dump.
fn describe(e: &Error) -> String {
    match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests;
