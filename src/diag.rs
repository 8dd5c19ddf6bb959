//! Diagnostics: the user-facing form of every error.
//!
//! Library modules have their own `thiserror` types; each converts into a
//! [`Diagnostic`] (message, optional source location, notes such as the
//! template include chain). The CLI renders it with annotate-snippets:
//!
//! ```text
//! error: undefined value `values.image.tagg`
//!  --> kafka/templates/statefulset.yaml.j2:14:19
//!    |
//! 14 |     image: {{ values.image.tagg }}
//!    |                   ^^^^^^^^^^^^^^^^^
//!    = note: included from kafka/templates/_helpers.j2:3
//! ```

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::fmt;
use std::sync::Arc;

/// Where in a source file something went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// The file as the user knows it (a path or a chart-relative name).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// The file's text, to show the offending line.
    pub source: Option<Arc<str>>,
    /// Length of the offending span in characters (at least 1 is shown).
    pub span_len: usize,
}

impl Location {
    /// A location naming only a file.
    pub fn file(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            line: None,
            column: None,
            source: None,
            span_len: 1,
        }
    }

    /// Sets line and column (1-based).
    pub fn at(mut self, line: Option<usize>, column: Option<usize>) -> Location {
        self.line = line;
        self.column = column;
        self
    }

    /// Attaches the source text so the line can be shown.
    pub fn with_source(mut self, source: impl Into<Arc<str>>) -> Location {
        self.source = Some(source.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// How the process should exit for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// Bad input from the user (charts, values, flags' values): exit code 1.
    User,
    /// The command line itself is wrong: exit code 2.
    Usage,
}

/// A user-facing error report.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// One line saying what went wrong.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
    /// Extra lines: include chains, hints.
    pub notes: Vec<String>,
    /// Exit code class.
    pub exit: ExitKind,
}

impl Diagnostic {
    /// A user error with a message only.
    pub fn new(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            location: None,
            notes: Vec::new(),
            exit: ExitKind::User,
        }
    }

    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            exit: ExitKind::Usage,
            ..Diagnostic::new(message)
        }
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    /// Adds a note line.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self.exit {
            ExitKind::User => 1,
            ExitKind::Usage => 2,
        }
    }

    /// Renders the report as plain text (no colour), ending in a newline.
    pub fn render(&self) -> String {
        let renderer = Renderer::plain();
        let title_text = self.message.clone();
        let title = Level::ERROR.primary_title(title_text.as_str());
        let mut head = Group::with_title(title);
        let snippet_source;
        if let Some(loc) = &self.location {
            match (loc.line, &loc.source) {
                (Some(line), Some(source)) => {
                    let text = source.lines().nth(line - 1).unwrap_or("");
                    snippet_source = text.to_string();
                    let col = loc.column.unwrap_or(1).max(1);
                    let start = byte_offset(&snippet_source, col - 1);
                    let end = byte_offset(&snippet_source, col - 1 + loc.span_len.max(1))
                        .max(start + usize::from(start < snippet_source.len()));
                    let mut snippet = Snippet::source(snippet_source.as_str())
                        .line_start(line)
                        .path(loc.to_string());
                    if start < snippet_source.len() {
                        snippet = snippet.annotation(AnnotationKind::Primary.span(start..end));
                    }
                    head = head.element(snippet);
                }
                _ => {
                    let mut out = format!("error: {}\n --> {loc}\n", self.message);
                    for n in &self.notes {
                        out.push_str(&format!("  = note: {n}\n"));
                    }
                    return out;
                }
            }
        }
        let notes: Vec<Group> = self
            .notes
            .iter()
            .map(|n| Group::with_title(Level::NOTE.secondary_title(n.as_str())))
            .collect();
        let mut report = vec![head];
        report.extend(notes);
        let mut out = renderer.render(&report);
        out.push('\n');
        out
    }
}

/// Byte offset of the `chars`-th character (clamped to the end).
fn byte_offset(s: &str, chars: usize) -> usize {
    s.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(s.len())
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_snippet_with_caret() {
        let d = Diagnostic::new("undefined value")
            .at(Location::file("c/templates/a.yaml.j2")
                .at(Some(2), Some(7))
                .with_source("a: 1\nimage: {{ x }}\n"))
            .note("included from c/templates/b.j2:1");
        let text = d.render();
        assert!(text.starts_with("error: undefined value"), "{text}");
        assert!(text.contains("c/templates/a.yaml.j2:2:7"), "{text}");
        assert!(text.contains("image: {{ x }}"), "{text}");
        assert!(text.contains('^'), "{text}");
        assert!(text.contains("included from"), "{text}");
    }

    #[test]
    fn renders_file_only() {
        let d = Diagnostic::new("Chart.yaml file is missing").at(Location::file("x/Chart.yaml"));
        assert_eq!(
            d.render(),
            "error: Chart.yaml file is missing\n --> x/Chart.yaml\n"
        );
    }
}
