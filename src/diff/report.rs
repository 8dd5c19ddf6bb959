//! Printing a [`DiffReport`]: terminal text, JSON, Markdown, stat.

use super::{Change, DiffReport, ResourceDiff, Status};
use crate::manifest::ResourceId;
use crate::value::Value;
use serde_json::json;
use similar::{ChangeTag, TextDiff};

/// The output format (`--output`, `--stat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Human-readable text, coloured when [`RenderStyle::color`] is set.
    #[default]
    Text,
    /// The JSON document described in the README (`schemaVersion` 1).
    Json,
    /// A summary table plus one `<details>` section per resource.
    Markdown,
    /// One line per differing resource and the counts.
    Stat,
}

/// Presentation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderStyle {
    /// Use ANSI colours (text output only).
    pub color: bool,
    /// Unchanged lines shown around each change of a multi-line string.
    pub context: usize,
}

impl Default for RenderStyle {
    fn default() -> RenderStyle {
        RenderStyle {
            color: false,
            context: 3,
        }
    }
}

/// Prints the report in `format`.
pub fn render_report(report: &DiffReport, format: OutputFormat, style: RenderStyle) -> String {
    match format {
        OutputFormat::Text => text(report, style),
        OutputFormat::Json => json_report(report),
        OutputFormat::Markdown => markdown(report, style),
        OutputFormat::Stat => stat(report, style),
    }
}

/// One line of a resource's body, before styling.
enum Line {
    /// A changed field's path.
    Path(String),
    /// An old value (or removed line).
    Old(String),
    /// A new value (or added line).
    New(String),
    /// An unchanged line of a multi-line string.
    Context(String),
    /// A gap between hunks of a multi-line string.
    Gap,
}

fn body(r: &ResourceDiff, context: usize) -> Vec<Line> {
    let mut out = Vec::new();
    if let Some(node) = &r.added {
        out.extend(yaml_lines(node).into_iter().map(Line::New));
    }
    if let Some(node) = &r.removed {
        out.extend(yaml_lines(node).into_iter().map(Line::Old));
    }
    for c in &r.changes {
        out.push(Line::Path(c.path.clone()));
        change_lines(c, context, &mut out);
    }
    out
}

fn yaml_lines(v: &Value) -> Vec<String> {
    crate::yaml::to_yaml(v)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Old → new values; multi-line strings on both sides become a line diff
/// with `context` lines around each change.
fn change_lines(c: &Change, context: usize, out: &mut Vec<Line>) {
    if let (Some(Value::String(a)), Some(Value::String(b))) = (&c.old, &c.new)
        && (a.contains('\n') || b.contains('\n'))
    {
        let diff = TextDiff::from_lines(a.as_str(), b.as_str());
        for (i, group) in diff.grouped_ops(context).iter().enumerate() {
            if i > 0 {
                out.push(Line::Gap);
            }
            for op in group {
                for change in diff.iter_changes(op) {
                    let line = change.value().trim_end_matches('\n').to_string();
                    out.push(match change.tag() {
                        ChangeTag::Delete => Line::Old(line),
                        ChangeTag::Insert => Line::New(line),
                        ChangeTag::Equal => Line::Context(line),
                    });
                }
            }
        }
        return;
    }
    if let Some(v) = &c.old {
        out.extend(value_lines(v).into_iter().map(Line::Old));
    }
    if let Some(v) = &c.new {
        out.extend(value_lines(v).into_iter().map(Line::New));
    }
}

/// A scalar on one line (strings quoted only when they would read as
/// something else), a map or list as YAML lines.
fn value_lines(v: &Value) -> Vec<String> {
    match v {
        Value::Map(_) | Value::Seq(_) => yaml_lines(v),
        Value::String(s) if s.contains('\n') => s.lines().map(str::to_string).collect(),
        other => vec![crate::yaml::to_yaml(other).trim_end().to_string()],
    }
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("{code}{s}{RESET}")
    } else {
        s.to_string()
    }
}

fn status_color(s: Status) -> &'static str {
    match s {
        Status::Added => GREEN,
        Status::Removed => RED,
        Status::Changed | Status::Renamed => YELLOW,
        Status::Unchanged => DIM,
    }
}

/// `apps/v1 StatefulSet ns/name`, or `old → new` for a rename.
fn heading(r: &ResourceDiff) -> String {
    match &r.renamed_from {
        Some(from) => format!("{from} → {}", name_of(&r.id)),
        None => r.id.to_string(),
    }
}

fn name_of(id: &ResourceId) -> String {
    if id.namespace.is_empty() {
        id.name.clone()
    } else {
        format!("{}/{}", id.namespace, id.name)
    }
}

fn detail(r: &ResourceDiff) -> String {
    match r.status {
        Status::Renamed => format!(
            "renamed, {:.0}% similar, {}",
            r.similarity.unwrap_or(0.0) * 100.0,
            count(r.changes.len(), "change")
        ),
        Status::Changed => format!("changed, {}", count(r.changes.len(), "change")),
        s => s.as_str().to_string(),
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn summary_line(report: &DiffReport) -> String {
    let s = report.summary();
    format!(
        "{} added, {} removed, {} changed, {} renamed, {} unchanged",
        s.added, s.removed, s.changed, s.renamed, s.unchanged
    )
}

fn text(report: &DiffReport, style: RenderStyle) -> String {
    let c = style.color;
    let mut out = String::new();
    for r in report
        .resources
        .iter()
        .filter(|r| r.status != Status::Unchanged)
    {
        let head = format!("{} {} ({})", r.status.marker(), heading(r), detail(r));
        out.push_str(&paint(
            c,
            &format!("{BOLD}{}", status_color(r.status)),
            &head,
        ));
        out.push('\n');
        for line in body(r, style.context) {
            let s = match line {
                Line::Path(p) => paint(c, CYAN, &format!("  {p}")),
                Line::Old(v) => paint(c, RED, &format!("    - {v}")),
                Line::New(v) => paint(c, GREEN, &format!("    + {v}")),
                Line::Context(v) => format!("      {v}"),
                Line::Gap => paint(c, DIM, "    ..."),
            };
            out.push_str(&s);
            out.push('\n');
        }
        out.push('\n');
    }
    if !report.has_differences() {
        out.push_str("no differences\n");
    }
    out.push_str(&paint(c, BOLD, &summary_line(report)));
    out.push('\n');
    out
}

fn stat(report: &DiffReport, style: RenderStyle) -> String {
    let c = style.color;
    let rows: Vec<(String, String, Status)> = report
        .resources
        .iter()
        .filter(|r| r.status != Status::Unchanged)
        .map(|r| {
            let right = match r.status {
                Status::Changed | Status::Renamed => r.changes.len().to_string(),
                s => s.as_str().to_string(),
            };
            (
                format!("{} {}", r.status.marker(), heading(r)),
                right,
                r.status,
            )
        })
        .collect();
    let width = rows
        .iter()
        .map(|(l, _, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (left, right, status) in rows {
        let pad = width - left.chars().count();
        out.push_str(&format!(
            " {}{} | {right}\n",
            paint(c, status_color(status), &left),
            " ".repeat(pad)
        ));
    }
    out.push_str(&format!(" {}\n", summary_line(report)));
    out
}

/// Markdown for a pull-request comment: a summary table, then one
/// collapsible section per differing resource with a ```diff block (so
/// GitHub colours the old and new lines).
fn markdown(report: &DiffReport, style: RenderStyle) -> String {
    let s = report.summary();
    let mut out = String::from("### skiff diff\n\n");
    out.push_str("| Added | Removed | Changed | Renamed | Unchanged |\n");
    out.push_str("|---:|---:|---:|---:|---:|\n");
    out.push_str(&format!(
        "| {} | {} | {} | {} | {} |\n\n",
        s.added, s.removed, s.changed, s.renamed, s.unchanged
    ));
    if !report.has_differences() {
        out.push_str("No differences.\n");
        return out;
    }
    out.push_str("| | Kind | Namespace | Name | Changes |\n");
    out.push_str("|---|---|---|---|---:|\n");
    for r in report
        .resources
        .iter()
        .filter(|r| r.status != Status::Unchanged)
    {
        let name = match &r.renamed_from {
            Some(from) => format!("`{}` → `{}`", from.name, r.id.name),
            None => format!("`{}`", r.id.name),
        };
        let changes = match r.status {
            Status::Changed | Status::Renamed => r.changes.len().to_string(),
            _ => String::new(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.status.as_str(),
            md_escape(&r.id.kind),
            md_escape(&r.id.namespace),
            md_escape(&name),
            changes
        ));
    }
    out.push('\n');
    for r in report
        .resources
        .iter()
        .filter(|r| r.status != Status::Unchanged)
    {
        out.push_str(&format!(
            "<details><summary><code>{} {}</code> ({})</summary>\n\n",
            r.status.marker(),
            html_escape(&heading(r)),
            detail(r)
        ));
        let lines = body(r, style.context);
        let fence = fence_for(&lines);
        out.push_str(&format!("{fence}diff\n"));
        for line in lines {
            let s = match line {
                Line::Path(p) => format!("@@ {p} @@"),
                Line::Old(v) => format!("- {v}"),
                Line::New(v) => format!("+ {v}"),
                Line::Context(v) => format!("  {v}"),
                Line::Gap => "  ...".to_string(),
            };
            out.push_str(&s);
            out.push('\n');
        }
        out.push_str(&format!("{fence}\n\n</details>\n\n"));
    }
    out
}

/// A code fence longer than any backtick run in the content, so a value
/// holding ``` cannot end the block early.
fn fence_for(lines: &[Line]) -> String {
    let longest = lines
        .iter()
        .map(|l| match l {
            Line::Path(s) | Line::Old(s) | Line::New(s) | Line::Context(s) => longest_run(s, '`'),
            Line::Gap => 0,
        })
        .max()
        .unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The JSON document: `schemaVersion`, `summary`, `resources` (unchanged
/// ones included), `warnings`. See the README for the schema.
fn json_report(report: &DiffReport) -> String {
    let s = report.summary();
    let resources: Vec<serde_json::Value> = report.resources.iter().map(json_resource).collect();
    let doc = json!({
        "schemaVersion": 1,
        "summary": {
            "added": s.added,
            "removed": s.removed,
            "changed": s.changed,
            "renamed": s.renamed,
            "unchanged": s.unchanged,
        },
        "resources": resources,
        "warnings": report.warnings,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn json_id(id: &ResourceId) -> serde_json::Value {
    json!({
        "apiVersion": id.api_version(),
        "kind": id.kind,
        "namespace": id.namespace,
        "name": id.name,
    })
}

fn json_resource(r: &ResourceDiff) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    obj.insert("status".into(), r.status.as_str().into());
    if let serde_json::Value::Object(id) = json_id(&r.id) {
        obj.extend(id);
    }
    if let Some(from) = &r.renamed_from {
        obj.insert("renamedFrom".into(), json_id(from));
    }
    if let Some(sim) = r.similarity {
        // Rounded so the schema is stable across float formatting.
        obj.insert("similarity".into(), json!((sim * 1000.0).round() / 1000.0));
    }
    let changes: Vec<serde_json::Value> = r
        .changes
        .iter()
        .map(|c| {
            let mut m = serde_json::Map::new();
            m.insert("path".into(), c.path.clone().into());
            m.insert("op".into(), c.op().into());
            if let Some(v) = &c.old {
                m.insert("old".into(), v.to_json());
            }
            if let Some(v) = &c.new {
                m.insert("new".into(), v.to_json());
            }
            if c.masked {
                m.insert("masked".into(), true.into());
            }
            serde_json::Value::Object(m)
        })
        .collect();
    obj.insert("changes".into(), changes.into());
    if let Some(v) = &r.added {
        obj.insert("object".into(), v.to_json());
    }
    if let Some(v) = &r.removed {
        obj.insert("object".into(), v.to_json());
    }
    serde_json::Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_outgrows_backticks() {
        let lines = vec![Line::New("````".to_string())];
        assert_eq!(fence_for(&lines), "`````");
        assert_eq!(fence_for(&[]), "```");
    }

    #[test]
    fn multi_line_strings_become_a_line_diff() {
        let c = Change {
            path: "data.x".into(),
            old: Some(Value::String("a\nb\nc\nd\ne\nf\n".into())),
            new: Some(Value::String("a\nb\nc\nd\nE\nf\n".into())),
            masked: false,
        };
        let mut out = Vec::new();
        change_lines(&c, 1, &mut out);
        let rendered: Vec<String> = out
            .iter()
            .map(|l| match l {
                Line::Old(s) => format!("-{s}"),
                Line::New(s) => format!("+{s}"),
                Line::Context(s) => format!(" {s}"),
                Line::Path(s) => s.clone(),
                Line::Gap => "...".into(),
            })
            .collect();
        assert_eq!(rendered, [" d", "-e", "+E", " f"]);
    }

    #[test]
    fn colour_only_when_asked() {
        let report = DiffReport {
            resources: vec![ResourceDiff {
                status: Status::Added,
                id: ResourceId {
                    kind: "ConfigMap".into(),
                    version: "v1".into(),
                    name: "x".into(),
                    ..ResourceId::default()
                },
                renamed_from: None,
                similarity: None,
                changes: vec![],
                added: Some(Value::new_map()),
                removed: None,
            }],
            warnings: vec![],
        };
        let plain = render_report(&report, OutputFormat::Text, RenderStyle::default());
        assert!(!plain.contains('\x1b'));
        let colored = render_report(
            &report,
            OutputFormat::Text,
            RenderStyle {
                color: true,
                context: 3,
            },
        );
        assert!(colored.contains("\x1b[32m"));
    }
}
