//! Helm's template engine (`pkg/engine/engine.go`) on the Go
//! text/template core: every non-`.j2` template file of the chart tree.
//!
//! What it reproduces:
//! * **one template set** for the whole tree, files parsed once in Helm's
//!   order (path depth descending, then names descending), so for a name
//!   defined twice the shallowest, alphabetically first file wins;
//! * partials (`_*`) are parsed, never rendered; a library chart lends its
//!   partials only; NOTES.txt renders (its output is dropped later by the
//!   manifest step);
//! * `missingkey=zero`, and every `<no value>` erased from each file's
//!   output;
//! * the built-in objects with Go field names ([`objects`]) and the Helm
//!   functions over Sprig ([`funcs`]); `.Template` set per file;
//! * Helm's error text (`execution error at (…)` for `required`/`fail`,
//!   the multi-line trace for others), with the failing line shown.

// An `EngineError` is a little over clippy's 128-byte threshold; it travels
// once per failed render (as in the `Engine` trait), so boxing buys nothing.
#![allow(clippy::result_large_err)]

pub mod early;
pub mod funcs;
pub mod objects;

use crate::hashing::HashMap;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Engine, EngineError, RenderInput, RenderedTemplate, is_partial};
use crate::engine::gotmpl::value::watch_writes;
use crate::engine::gotmpl::{ExecError, GoValue, MissingKey, ParseError, Template};
use funcs::{ROOT_NAME, WARN_END, WARN_START};

/// The Helm (Go template) engine.
#[derive(Debug, Default, Clone)]
pub struct HelmEngine {
    /// Seed for Sprig's random functions (`--seed`); `None` is random.
    pub seed: Option<u64>,
    /// Template files already parsed while the chart was loading.
    pub early: Option<Arc<early::EarlyParses>>,
}

impl HelmEngine {
    /// An engine whose random functions follow `seed` when given.
    pub fn new(seed: Option<u64>) -> HelmEngine {
        HelmEngine { seed, early: None }
    }

    /// A template set with Helm's functions and options, empty.
    pub fn template_set(&self) -> Template {
        let mut t = Template::new(ROOT_NAME);
        t.shared_funcs(funcs::helm_funcs(self.seed));
        t.missing_key_option(MissingKey::Zero);
        t
    }
}

/// One template file of the tree.
struct Source {
    name: String,
    text: Arc<str>,
    scope: usize,
}

/// Helm's `sortTemplates`: deeper paths first, then names descending.
fn helm_order(a: &str, b: &str) -> std::cmp::Ordering {
    let depth = |s: &str| s.bytes().filter(|b| *b == b'/').count();
    let (da, db) = (depth(a), depth(b));
    db.cmp(&da).then_with(|| b.cmp(a))
}

fn library_allows(chart: &crate::chart::Chart, file: &str) -> bool {
    !chart.is_library() || is_partial(file)
}

impl Engine for HelmEngine {
    fn name(&self) -> &'static str {
        "helm"
    }

    fn handles(&self, file_name: &str) -> bool {
        !file_name.ends_with(".j2")
    }

    fn render(&self, input: &RenderInput<'_>) -> Result<Vec<RenderedTemplate>, EngineError> {
        let mut sources = Vec::new();
        for (i, scope) in input.scopes.iter().enumerate() {
            for t in &scope.chart.templates {
                if self.handles(&t.name) && library_allows(scope.chart, &t.name) {
                    sources.push(Source {
                        name: format!("{}/{}", scope.path, t.name),
                        text: crate::chart::shared_text(t.data.get()),
                        scope: i,
                    });
                }
            }
        }
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        sources.sort_by(|a, b| helm_order(&a.name, &b.name));
        on_deep_stack(|| self.render_sources(input, &sources))
    }
}

/// Runs a render on a pool thread's deep stack (`include` recursion and
/// Go's nesting limits need it); with no thread, on this one (deep
/// recursion may then hit the smaller stack first). A panic is reported as
/// Helm's internal error.
fn on_deep_stack<R: Send>(
    render: impl Fn() -> Result<R, EngineError> + Sync,
) -> Result<R, EngineError> {
    let guarded = || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(&render))
            .unwrap_or_else(|_| Err(plain_error("rendering template failed: internal error")))
    };
    crate::parallel::with_deep_stack(guarded).unwrap_or_else(guarded)
}

impl HelmEngine {
    fn render_sources(
        &self,
        input: &RenderInput<'_>,
        sources: &[Source],
    ) -> Result<Vec<RenderedTemplate>, EngineError> {
        let mut set = self.template_set();
        // Files parse independently (only function names matter), so they
        // are parsed on every core and then added in Helm's order; the
        // first failing file in that order is the error, as before.
        let bytes = sources.iter().map(|s| s.text.len()).sum();
        let parsed = crate::parallel::map_ordered(sources, bytes, |src| {
            let early = self.early.as_ref();
            match early.and_then(|e| e.take(&src.name, &src.text)) {
                Some(trees) => Ok(trees),
                None => set.parse_shared_trees(&src.name, &src.text),
            }
        });
        for trees in parsed {
            set.add_parse_trees(trees.map_err(|e| parse_error(&e, sources))?);
        }
        funcs::reset_include_depths();
        let files: Vec<&Source> = sources.iter().filter(|s| !is_partial(&s.name)).collect();
        // With `--seed`, random values follow the order files execute in.
        let side_by_side =
            self.seed.is_none() && files.len() > 1 && bytes >= crate::parallel::MIN_PARALLEL_BYTES;
        let out = execute_files(&set, &files, input, sources, side_by_side)
            .into_iter()
            .collect();
        if bytes >= crate::parallel::MIN_PARALLEL_BYTES && !crate::teardown::skipped() {
            drop_in_background(set);
        } else {
            crate::teardown::release(set);
        }
        out
    }
}

/// Executes one file with its scope's top-level object plus `.Template`.
fn execute_file(
    set: &Template,
    src: &Source,
    dots: &[BTreeMap<String, GoValue>],
    sources: &[Source],
) -> Result<RenderedTemplate, EngineError> {
    let mut dot = dots[src.scope].clone();
    let base = match src.name.find("/templates/") {
        Some(i) => &src.name[..i + "/templates".len()],
        None => src.name.as_str(),
    };
    dot.insert("Template".into(), objects::template_value(&src.name, base));
    // The output is usually about as long as the file: growing it from
    // empty copied a large manifest's text several times over.
    let mut text = String::with_capacity(src.text.len());
    set.execute_template(&mut text, &src.name, &objects::dot_value(dot))
        .map_err(|e| {
            funcs::reset_include_depths();
            exec_error(&e, sources)
        })?;
    Ok(RenderedTemplate {
        name: src.name.clone(),
        content: erase_no_value(text),
    })
}

/// Executes the files and returns their results in Helm's order, up to and
/// including the first failure; what they print is what executing them one
/// after the other prints. Side by side (when asked), that is three steps:
/// 1. Every file on every core ([`execute_side_by_side`]), keeping the
///    files before the first one that wrote to, or may have seen a write
///    to, the maps the files share.
/// 2. That first file alone, on fresh objects: the files kept wrote
///    nothing, so it sees what it would see in order.
/// 3. The rest on every core again, on what that file left. This is kept
///    whole or not at all: a write here means that the objects no longer
///    hold what the lone file left, and the lone file's own writes
///    (a generated password, say) cannot be made again the same.
///
/// What is left after that runs in order on fresh objects.
fn execute_files(
    set: &Template,
    files: &[&Source],
    input: &RenderInput<'_>,
    sources: &[Source],
    side_by_side: bool,
) -> Vec<Result<RenderedTemplate, EngineError>> {
    let mut out = if side_by_side {
        execute_in_rounds(set, files, input, sources)
    } else {
        Vec::with_capacity(files.len())
    };
    if out.len() < files.len() && !ends_in_failure(&out) {
        funcs::reset_include_depths();
        let dots = scope_dots(input, sources);
        let rest = files[out.len()..].iter();
        push_until_failure(
            &mut out,
            rest.map(|src| execute_file(set, src, &dots, sources)),
        );
    }
    out
}

/// Steps 1 to 3 of [`execute_files`]: the results kept, in order.
fn execute_in_rounds(
    set: &Template,
    files: &[&Source],
    input: &RenderInput<'_>,
    sources: &[Source],
) -> Vec<Result<RenderedTemplate, EngineError>> {
    let mut out = execute_side_by_side(set, files, &scope_dots(input, sources), sources);
    let first = out.len();
    if first == files.len() || ends_in_failure(&out) {
        return out;
    }
    funcs::reset_include_depths();
    let dots = scope_dots(input, sources);
    out.push(execute_file(set, files[first], &dots, sources));
    let rest = &files[first + 1..];
    if rest.is_empty() || ends_in_failure(&out) {
        return out;
    }
    let done = execute_side_by_side(set, rest, &dots, sources);
    if done.len() == rest.len() || ends_in_failure(&done) {
        out.extend(done);
    } else {
        out.truncate(first);
    }
    out
}

/// Whether the last result is a failure (which ends a render's results).
fn ends_in_failure<T, E>(out: &[Result<T, E>]) -> bool {
    out.last().is_some_and(Result::is_err)
}

/// Appends `results` to `out` up to and including the first failure.
fn push_until_failure<T, E>(
    out: &mut Vec<Result<T, E>>,
    results: impl Iterator<Item = Result<T, E>>,
) {
    for result in results {
        out.push(result);
        if ends_in_failure(out) {
            break;
        }
    }
}

/// Executes the files on every core with the top-level objects `dots`, and
/// returns the results, in order, of the files that gave what executing
/// them one after the other gives: all of them, or the ones before the
/// first that might not have. Helm hands every file the same `.Values`
/// (and `.Chart`, `.Subcharts`…) maps, so a file that `set`s a key there
/// changes what the files after it see (the bitnami charts keep a
/// generated password in `.Values` this way). Every map the files share is
/// watched first. A file that ended before any of them was written to,
/// behind files that all did the same, saw what it would have seen in order
/// and wrote nothing; once a write is seen, no further file starts. A
/// failed file among those kept ends the results, as the first failure in
/// Helm's order.
fn execute_side_by_side(
    set: &Template,
    files: &[&Source],
    dots: &[BTreeMap<String, GoValue>],
    sources: &[Source],
) -> Vec<Result<RenderedTemplate, EngineError>> {
    let written = Arc::new(AtomicBool::new(false));
    let watched = dots
        .iter()
        .flat_map(|dot| dot.values())
        .all(|v| watch_writes(v, &written));
    if !watched {
        return Vec::new();
    }
    let results = crate::parallel::map_ordered(files, usize::MAX, |src| {
        // A file started after a write could see it, or be the one a file
        // before it in order should have seen.
        if written.load(Ordering::Relaxed) {
            return None;
        }
        let result = execute_file(set, src, dots, sources);
        // A file that read a written value sees the flag raised here: the
        // writer raised it before taking the map's lock, which the reader
        // took after.
        (!written.load(Ordering::Relaxed)).then_some(result)
    });
    let mut kept = Vec::with_capacity(files.len());
    push_until_failure(&mut kept, results.into_iter().map_while(|kept| kept));
    kept
}

/// Frees a parsed template set on a thread of its own. A chart's set holds
/// tens of thousands of small nodes (the bitnami `common` library alone is
/// hundreds of `define`s), and walking them to free them took a tenth of a
/// whole `skiff template`; nothing waits for it, and a process that exits
/// first simply skips it.
fn drop_in_background(set: Template) {
    // When no thread can be started, the set is dropped right here.
    crate::parallel::detach(move || drop(set));
}

/// Helm's `strings.ReplaceAll(out, "<no value>", "")` over a file's output;
/// most files have none, and finding that out with memchr's search is far
/// cheaper than `str::replace` copying the whole text.
fn erase_no_value(text: String) -> String {
    const NO_VALUE: &str = "<no value>";
    if memchr::memmem::find(text.as_bytes(), NO_VALUE.as_bytes()).is_none() {
        return text;
    }
    text.replace(NO_VALUE, "")
}

/// The top-level object of each scope (Helm's `recAllTpls` `next` maps),
/// without `.Template`. `.Subcharts.<name>` is the subchart's own object;
/// like Helm, which mutates that shared map per rendered file, it carries
/// the `.Template` of the subchart's last rendered file.
fn scope_dots(input: &RenderInput<'_>, sources: &[Source]) -> Vec<BTreeMap<String, GoValue>> {
    let release = objects::release_value(&input.release);
    let caps = GoValue::Object(Arc::new(objects::CapabilitiesObject::new(
        &input.capabilities,
    )));
    let mut last_template: HashMap<usize, &str> = HashMap::default();
    for src in sources {
        if !is_partial(&src.name) {
            last_template.insert(src.scope, &src.name);
        }
    }
    let n = input.scopes.len();
    let mut dots: Vec<Option<BTreeMap<String, GoValue>>> = vec![None; n];
    for i in (0..n).rev() {
        let scope = &input.scopes[i];
        let prefix = format!("{}/charts/", scope.path);
        let mut subcharts = BTreeMap::new();
        for (j, sub_dot) in dots.iter().enumerate().skip(i + 1) {
            let Some(rest) = input.scopes[j].path.strip_prefix(&prefix) else {
                continue;
            };
            if rest.contains('/') {
                continue;
            }
            if let Some(d) = sub_dot {
                let mut d = d.clone();
                if let Some(name) = last_template.get(&j) {
                    let base = name
                        .find("/templates/")
                        .map_or(*name, |k| &name[..k + "/templates".len()]);
                    d.insert("Template".into(), objects::template_value(name, base));
                }
                subcharts.insert(rest.to_string(), GoValue::map(d));
            }
        }
        let mut m = BTreeMap::new();
        m.insert(
            "Chart".into(),
            objects::chart_value(scope.chart, scope.is_root),
        );
        m.insert(
            "Files".into(),
            GoValue::Object(Arc::new(objects::FilesObject::new(&scope.chart.files))),
        );
        m.insert("Release".into(), release.clone());
        m.insert("Capabilities".into(), caps.clone());
        m.insert("Values".into(), objects::values_value(&scope.values));
        m.insert("Subcharts".into(), GoValue::map(subcharts));
        dots[i] = Some(m);
    }
    dots.into_iter().map(Option::unwrap_or_default).collect()
}

fn plain_error(message: &str) -> EngineError {
    EngineError {
        message: message.to_string(),
        template: String::new(),
        line: None,
        column: None,
        span_len: 1,
        template_source: None,
        chain: Vec::new(),
    }
}

fn source_of(sources: &[Source], name: &str) -> Option<Arc<str>> {
    sources
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.text.clone())
}

/// Helm's `cleanupParseError`: `parse error at (file:line): message`.
fn parse_error(e: &ParseError, sources: &[Source]) -> EngineError {
    let tokens: Vec<&str> = e.message.split(": ").collect();
    let message = if tokens.len() < 2 {
        format!("parse error in ({}): {}", e.name, e.message)
    } else {
        format!(
            "parse error at ({}): {}",
            tokens[1],
            tokens[tokens.len() - 1]
        )
    };
    EngineError {
        message,
        template: e.name.clone(),
        line: Some(e.line).filter(|l| *l > 0),
        column: None,
        span_len: 1,
        template_source: source_of(sources, &e.name),
        chain: Vec::new(),
    }
}

/// One level of Go's error chain, as Helm's `TraceableError` reads it.
#[derive(Debug, Clone, PartialEq)]
struct Trace {
    location: String,
    executed: String,
    message: String,
}

/// Parses one chain element (`template: LOC: executing "NAME" at <CTX>:
/// MSG` or `template: no template …`), returning it and the wrapped
/// error's text when MSG is `error calling F: <wrapped>`.
fn parse_trace(s: &str) -> Option<(Trace, Option<&str>)> {
    let rest = s.strip_prefix("template: ")?;
    if rest.starts_with("no template ") {
        return Some((
            Trace {
                location: String::new(),
                executed: String::new(),
                message: s.to_string(),
            },
            None,
        ));
    }
    let cut_chain = |m: &str| match m.find(" template:") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    };
    if let Some(idx) = rest.find(": executing \"") {
        let location = &rest[..idx];
        let after = &rest[idx + ": executing \"".len()..];
        let end = after.find('"')?;
        let func = &after[..end];
        let after_at = after[end + 1..].strip_prefix(" at <")?;
        let end_loc = after_at.find(">: ")?;
        let ctx = &after_at[..end_loc];
        let msg = &after_at[end_loc + 3..];
        return Some((
            Trace {
                location: location.to_string(),
                executed: format!("executing \"{func}\" at <{ctx}>:"),
                message: cut_chain(msg),
            },
            wrapped(msg),
        ));
    }
    let sep = rest.rfind(": ")?;
    let msg = &rest[sep + 2..];
    Some((
        Trace {
            location: rest[..sep].to_string(),
            executed: String::new(),
            message: cut_chain(msg),
        },
        None,
    ))
}

/// The wrapped error's text of `error calling F: <wrapped>`.
fn wrapped(m: &str) -> Option<&str> {
    let after = m.strip_prefix("error calling ")?;
    let i = after.find(": ")?;
    Some(&after[i + 2..])
}

/// `name:line:col` → parts.
fn split_location(loc: &str) -> (String, Option<usize>, Option<usize>) {
    let mut parts = loc.rsplitn(3, ':');
    let c = parts.next();
    let l = parts.next();
    let n = parts.next();
    match (n, l, c) {
        (Some(n), Some(l), Some(c)) => match (l.parse().ok(), c.parse::<usize>().ok()) {
            (Some(l), Some(c)) => (n.to_string(), Some(l), Some(c + 1)),
            _ => (loc.to_string(), None, None),
        },
        _ => match loc.rsplit_once(':') {
            Some((n, l)) if l.parse::<usize>().is_ok() => (n.to_string(), l.parse().ok(), None),
            _ => (loc.to_string(), None, None),
        },
    }
}

/// Helm's `reformatExecErrorMsg`, plus the location of the innermost
/// failure (with its source) and the include chain leading to it.
fn exec_error(e: &ExecError, sources: &[Source]) -> EngineError {
    let text = &e.message;
    let mut err = EngineError {
        message: text.clone(),
        template: e.name.clone(),
        line: (e.line > 0).then_some(e.line),
        column: (e.line > 0).then_some(e.col + 1),
        span_len: 1,
        template_source: source_of(sources, &e.name),
        chain: Vec::new(),
    };
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        err.message = format!("execution error in ({}): {}", e.name, text);
        return err;
    }
    if let Some(start) = tokens[2].find(WARN_START)
        && let Some(end) = tokens[2].rfind(WARN_END)
        && end >= start + WARN_START.len()
    {
        let inner = &tokens[2][start + WARN_START.len()..end];
        err.message = format!("execution error at ({}): {}", tokens[1], inner);
        // Point at the innermost template that failed.
        let mut cur = text.as_str();
        let mut locs = Vec::new();
        while let Some((t, next)) = parse_trace(cur) {
            if !t.location.is_empty() {
                locs.push(t.location.clone());
            }
            match next {
                Some(n) => cur = n,
                None => break,
            }
        }
        set_innermost(&mut err, &locs, sources);
        return err;
    }
    let mut traces: Vec<Trace> = Vec::new();
    let mut cur = text.as_str();
    loop {
        let Some((t, next)) = parse_trace(cur) else {
            // Helm gives up on chains it cannot read and prints Go's text.
            return err;
        };
        if traces.last() != Some(&t) {
            traces.push(t);
        }
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    let mut s = String::new();
    for t in &traces {
        if !t.location.is_empty() {
            s.push_str(&t.location);
            s.push_str("\n  ");
        }
        if !t.executed.is_empty() {
            s.push_str(&t.executed);
            s.push_str("\n    ");
        }
        if !t.message.is_empty() {
            s.push_str(&t.message);
            s.push('\n');
        }
    }
    err.message = s.trim().to_string();
    let locs: Vec<String> = traces
        .iter()
        .filter(|t| !t.location.is_empty())
        .map(|t| t.location.clone())
        .collect();
    set_innermost(&mut err, &locs, sources);
    err
}

/// Points the error at the last (innermost) location of the chain; the
/// outer ones become the include chain, innermost caller first.
fn set_innermost(err: &mut EngineError, locs: &[String], sources: &[Source]) {
    let Some(last) = locs.last() else {
        return;
    };
    let (name, line, col) = split_location(last);
    if line.is_some() {
        err.template_source = source_of(sources, &name);
        err.template = name;
        err.line = line;
        err.column = col;
    }
    err.chain = locs[..locs.len() - 1].iter().rev().cloned().collect();
}

/// `skiff eval --engine helm`: one template with Helm's functions and
/// options, `data` as dot (Helm number mode), `<no value>` erased.
pub fn eval(name: &str, source: &str, data: &GoValue) -> Result<String, EngineError> {
    let engine = HelmEngine::default();
    let src = [Source {
        name: name.to_string(),
        text: Arc::from(source),
        scope: 0,
    }];
    let run = || -> Result<String, EngineError> {
        let mut set = engine.template_set();
        set.parse_named(name, source)
            .map_err(|e| parse_error(&e, &src))?;
        funcs::reset_include_depths();
        let mut out = String::new();
        set.execute_template(&mut out, name, data)
            .map_err(|e| exec_error(&e, &src))?;
        Ok(erase_no_value(out))
    };
    on_deep_stack(run)
}

#[cfg(test)]
mod tests;
