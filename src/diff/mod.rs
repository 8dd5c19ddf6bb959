//! `skiff diff`: what a change does to the rendered manifests.
//!
//! Two sides (charts, rendered streams, kustomizations, each optionally read
//! at a git revision) are loaded into [`Object`]s, matched by id
//! (group, kind, namespace, name — the version is left out so an
//! `apps/v1beta1` → `apps/v1` move reads as a change, not a remove + add),
//! compared structurally like dyff (list items matched by merge key, order
//! noise ignored), and reported as terminal text, JSON or Markdown.
//!
//! Unlike helm-diff no cluster is involved: both sides are rendered locally.

mod compare;
mod input;
mod report;

pub use compare::{MERGE_KEYS, diff_objects};
pub use input::{Input, RenderSettings, Side, load_side, parse_stream};
pub use report::{OutputFormat, RenderStyle, render_report};

use crate::diag::{Diagnostic, Location};
use crate::manifest::ResourceId;
use crate::value::Value;
use std::path::PathBuf;

/// One resource of a side: its id and parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// Identity as read from the document.
    pub id: ResourceId,
    /// The whole document.
    pub node: Value,
}

/// How the comparison is done; filled from the CLI flags.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Show Secret `data`/`stringData` values instead of masking them.
    pub show_secrets: bool,
    /// Drop changes whose path (or an ancestor's) matches one of these globs
    /// (`*` matches any run of characters, `?` one character).
    pub ignore_paths: Vec<String>,
    /// Label keys removed from every `metadata.labels` before comparing
    /// (e.g. `helm.sh/chart`, which changes on every chart version bump).
    pub ignore_labels: Vec<String>,
    /// Skip rename detection.
    pub no_renames: bool,
}

/// What happened to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Only on the new side.
    Added,
    /// Only on the old side.
    Removed,
    /// On both sides, different.
    Changed,
    /// A removed and an added resource of the same kind that are nearly identical.
    Renamed,
    /// On both sides, equal (after the ignore filters).
    Unchanged,
}

impl Status {
    /// The lowercase word used in every output format and the JSON schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
            Status::Renamed => "renamed",
            Status::Unchanged => "unchanged",
        }
    }

    /// The one-character marker used in text and Markdown headings.
    pub fn marker(self) -> char {
        match self {
            Status::Added => '+',
            Status::Removed => '-',
            Status::Changed => '~',
            Status::Renamed => '>',
            Status::Unchanged => '=',
        }
    }
}

/// One structural difference inside a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Where: `spec.template.spec.containers[name=kafka].image`.
    pub path: String,
    /// The old value (`None` when the field was added).
    pub old: Option<Value>,
    /// The new value (`None` when the field was removed).
    pub new: Option<Value>,
    /// The values were replaced by a mask (Secret data).
    pub masked: bool,
}

impl Change {
    /// `add`, `remove` or `replace` (the JSON schema's `op`).
    pub fn op(&self) -> &'static str {
        match (&self.old, &self.new) {
            (None, _) => "add",
            (_, None) => "remove",
            _ => "replace",
        }
    }
}

/// The comparison result for one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDiff {
    /// What happened.
    pub status: Status,
    /// The id on the new side (the old side for removed resources).
    pub id: ResourceId,
    /// For a rename: the old id.
    pub renamed_from: Option<ResourceId>,
    /// For a rename: how alike the two documents are (0..=1).
    pub similarity: Option<f64>,
    /// Field changes (changed and renamed resources).
    pub changes: Vec<Change>,
    /// The document of an added resource (masked where needed).
    pub added: Option<Value>,
    /// The document of a removed resource (masked where needed).
    pub removed: Option<Value>,
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Added resources.
    pub added: usize,
    /// Removed resources.
    pub removed: usize,
    /// Changed resources.
    pub changed: usize,
    /// Renamed resources.
    pub renamed: usize,
    /// Unchanged resources.
    pub unchanged: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffReport {
    /// Every resource of both sides, in a stable order (kind, namespace,
    /// name, group), unchanged ones included.
    pub resources: Vec<ResourceDiff>,
    /// Non-fatal notes (duplicate ids, …).
    pub warnings: Vec<String>,
}

impl DiffReport {
    /// Counts per status.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for r in &self.resources {
            match r.status {
                Status::Added => s.added += 1,
                Status::Removed => s.removed += 1,
                Status::Changed => s.changed += 1,
                Status::Renamed => s.renamed += 1,
                Status::Unchanged => s.unchanged += 1,
            }
        }
        s
    }

    /// Whether anything differs (drives `--exit-code`).
    pub fn has_differences(&self) -> bool {
        self.resources.iter().any(|r| r.status != Status::Unchanged)
    }
}

/// Errors of `skiff diff`.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// An input path does not exist or cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A rendered stream is not valid YAML.
    #[error("{}: {message}", path.display())]
    Yaml {
        /// The stream's path (`-` for stdin).
        path: PathBuf,
        /// The reader's message (it carries line and column).
        message: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
    },
    /// A git command failed (unknown revision, not a repository, …).
    #[error("git {command}: {message}")]
    Git {
        /// The command, for the report.
        command: String,
        /// git's stderr.
        message: String,
    },
    /// An input kind that cannot be rendered yet.
    #[error("{}: {what} is not supported yet", path.display())]
    Unsupported {
        /// The input.
        path: PathBuf,
        /// What it is.
        what: String,
    },
    /// Rendering a chart failed (the render's own report).
    #[error("{0}")]
    Render(Box<Diagnostic>),
}

impl From<DiffError> for Diagnostic {
    fn from(e: DiffError) -> Diagnostic {
        match e {
            DiffError::Render(d) => *d,
            DiffError::Read { ref path, .. } | DiffError::Unsupported { ref path, .. } => {
                let loc = Location::file(path.display().to_string());
                Diagnostic::new(e.to_string()).at(loc)
            }
            DiffError::Yaml {
                ref path,
                ref message,
                line,
                column,
            } => Diagnostic::new(message.clone())
                .at(Location::file(path.display().to_string()).at(line, column)),
            DiffError::Git { .. } => Diagnostic::new(e.to_string()),
        }
    }
}

/// Loads both sides and compares them: the library entry point of `skiff diff`.
pub fn diff_sides(
    old: &Side,
    new: &Side,
    settings: &RenderSettings,
    opts: &DiffOptions,
) -> Result<DiffReport, DiffError> {
    let (old_objects, mut warnings) = load_side(old, settings)?;
    let (new_objects, w) = load_side(new, settings)?;
    warnings.extend(w);
    let mut report = diff_objects(old_objects, new_objects, opts);
    warnings.append(&mut report.warnings);
    report.warnings = warnings;
    Ok(report)
}
