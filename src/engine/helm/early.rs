//! Template files parsed while the chart is still being read.
//!
//! Reading a chart is one thread's work (a directory walk, then values and
//! schema files), and parsing its templates can only start once it is done;
//! on a machine with two cores one of them used to sit idle all through
//! the read. [`EarlyParses`] is shown each file as the loader reads it
//! ([`crate::chart::load_with`]) and starts parsing every template file on
//! the pool there and then. The render later asks for each file's trees by
//! its final name and contents.
//!
//! A file's final name (`<chart>/charts/<alias>/templates/x.yaml`) is only
//! known once dependencies are processed, so early parses use a placeholder
//! name and are renamed when taken: Go's parser keeps the name in the file's
//! own tree, in every tree's `parse_name`, and in error texts. A parse that
//! failed, or whose `define`s use either name (where the name decides which
//! definition is kept), is not taken: the file is parsed again under its
//! real name, so the result is always what parsing it then would give.
//! Files that are never asked for (a disabled subchart's) are dropped.
//!
//! Nothing starts until the templates offered reach [`START_BYTES`]: on a
//! small chart a second thread would add its stack and heap to the peak
//! memory for next to no time saved.

use std::sync::{Arc, Mutex};

use crate::engine::gotmpl::node::Tree;
use crate::engine::gotmpl::{ParseError, Template};
use crate::parallel::Pending;

/// Template bytes offered before parsing starts. From 96 KiB (the size
/// from which a render parses on several threads) down to 32 KiB, interleaved
/// runs, median wall of 50: bitnami cadvisor (100 KB of templates, which
/// reached 96 KiB only at the end of loading) 9.3 → 8.4 ms, memcached
/// 9.7 → 9.4, prometheus-node-exporter (39 KB) 6.9 → 6.6; peak memory
/// within 0.2 MB.
pub const START_BYTES: usize = 32 << 10;

/// The name early parses are made under.
const PLACEHOLDER: &str = "\u{0}skiff: parsed while loading";

type Trees = Result<Vec<Tree>, ParseError>;

/// A started parse, with the bytes it parses (whose address names it).
type Started = (Arc<[u8]>, Pending<Trees>);

/// Parses started while the chart is loading, by file contents.
pub struct EarlyParses {
    /// Helm's function set: parsing needs only the names.
    set: Arc<Template>,
    /// Template bytes below which nothing starts: a small chart is parsed
    /// on one thread, as before, and a second thread's stack and heap
    /// would only add to its peak memory.
    threshold: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    started: Vec<Started>,
    /// Template files offered while under the threshold.
    held: Vec<Arc<[u8]>>,
    /// Their bytes so far.
    bytes: usize,
}

impl Default for EarlyParses {
    fn default() -> Self {
        EarlyParses::with_threshold(START_BYTES)
    }
}

impl std::fmt::Debug for EarlyParses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EarlyParses").finish_non_exhaustive()
    }
}

impl EarlyParses {
    /// Parses that start once `threshold` bytes of templates were offered.
    pub fn with_threshold(threshold: usize) -> EarlyParses {
        EarlyParses {
            set: Arc::new(super::HelmEngine::new(None).template_set()),
            threshold,
            state: Mutex::new(State::default()),
        }
    }

    /// Starts parsing `data` when `rel` (a path inside the chart directory
    /// or archive) is a template file of the chart or of a subchart in its
    /// `charts/` folder, for the Helm engine.
    pub fn offer(&self, rel: &str, data: &Arc<[u8]>) {
        if !is_template_path(rel) {
            return;
        }
        let mut state = self.lock();
        state.bytes += data.len();
        state.held.push(data.clone());
        if state.bytes < self.threshold {
            return;
        }
        let held = std::mem::take(&mut state.held);
        for data in held {
            let set = self.set.clone();
            let bytes = data.clone();
            let pending = crate::parallel::spawn(move || {
                set.parse_shared_trees(PLACEHOLDER, &crate::chart::shared_text(&bytes))
            });
            state.started.push((data, pending));
        }
    }

    /// The trees of the file `name` whose text is `text`, when that text
    /// was parsed early and the parse can be renamed (see the module
    /// notes); `None` means: parse it now.
    pub fn take(&self, name: &str, text: &Arc<str>) -> Option<Vec<Tree>> {
        let pending = {
            let started = &mut self.lock().started;
            let i = started.iter().position(|(data, _)| {
                // Same allocation: `shared_text` shares the file's bytes.
                std::ptr::eq(data.as_ptr(), text.as_ptr()) && data.len() == text.len()
            })?;
            started.swap_remove(i).1
        };
        let mut trees = pending.get().ok()?;
        let (own, defined) = trees.split_last_mut()?;
        if own.name != PLACEHOLDER
            || defined
                .iter()
                .any(|t| t.name == name || t.name == PLACEHOLDER)
        {
            return None;
        }
        own.name = name.to_string();
        for tree in &mut trees {
            tree.parse_name = name.to_string();
        }
        Some(trees)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        crate::parallel::lock(&self.state)
    }
}

/// `templates/…` of the chart, or of a subchart under `charts/<name>/`
/// (at any depth), and not a `.j2` file (those are the Jinja engine's).
fn is_template_path(rel: &str) -> bool {
    if rel.ends_with(".j2") {
        return false;
    }
    let mut rest = rel;
    loop {
        if let Some(file) = rest.strip_prefix("templates/") {
            return !file.is_empty();
        }
        let Some((_, inside)) = rest
            .strip_prefix("charts/")
            .and_then(|sub| sub.split_once('/'))
        else {
            return false;
        };
        rest = inside;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(text: &str) -> (Arc<[u8]>, Arc<str>) {
        let data: Arc<[u8]> = Arc::from(text.as_bytes());
        let text = crate::chart::shared_text(&data);
        (data, text)
    }

    fn parsed_now(name: &str, text: &Arc<str>) -> Vec<Tree> {
        super::super::HelmEngine::new(None)
            .template_set()
            .parse_shared_trees(name, text)
            .unwrap()
    }

    #[test]
    fn template_paths_of_the_chart_and_its_subcharts() {
        for rel in [
            "templates/a.yaml",
            "templates/sub/_h.tpl",
            "templates/NOTES.txt",
            "charts/common/templates/_names.tpl",
            "charts/a/charts/b/templates/x.yaml",
        ] {
            assert!(is_template_path(rel), "{rel}");
        }
        for rel in [
            "values.yaml",
            "Chart.yaml",
            "templates/",
            "templates/a.yaml.j2",
            "charts/common/values.yaml",
            "charts/templates/a.yaml",
            "files/templates/a.yaml",
            "crds/templates/a.yaml",
        ] {
            assert!(!is_template_path(rel), "{rel}");
        }
    }

    #[test]
    fn a_taken_parse_is_the_parse_under_the_real_name() {
        let early = EarlyParses::with_threshold(0);
        let src = "{{- define \"c.name\" -}}{{ .Chart.Name }}{{- end }}\nkind: {{ include \"c.name\" . | quote }}\n{{ if .Values.x }}{{ .Values.x.y }}{{ end }}\n";
        let (data, text) = shared(src);
        early.offer("charts/c/templates/cm.yaml", &data);
        let name = "top/charts/c/templates/cm.yaml";
        let taken = early.take(name, &text).expect("parsed early");
        assert_eq!(
            format!("{taken:?}"),
            format!("{:?}", parsed_now(name, &text))
        );
        // Taken once.
        assert!(early.take(name, &text).is_none());
    }

    #[test]
    fn nothing_starts_below_the_threshold_then_every_file_held_does() {
        let early = EarlyParses::with_threshold(20);
        let (small, small_text) = shared("{{ .Values.a }}");
        early.offer("templates/a.yaml", &small);
        assert!(early.take("top/templates/a.yaml", &small_text).is_none());
        let (a, a_text) = shared("{{ .Values.a }}");
        let (b, b_text) = shared("{{ .Values.b }}");
        early.offer("templates/a.yaml", &a);
        early.offer("templates/b.yaml", &b);
        // 15 bytes held, then 30: both start.
        assert!(early.take("top/templates/a.yaml", &a_text).is_some());
        assert!(early.take("top/templates/b.yaml", &b_text).is_some());
    }

    #[test]
    fn files_not_parsed_early_or_not_renamable_are_parsed_again() {
        let early = EarlyParses::with_threshold(0);
        // Not a template path: never started.
        let (data, text) = shared("a: 1\n");
        early.offer("values.yaml", &data);
        assert!(early.take("top/values.yaml", &text).is_none());
        // Equal text in another allocation is another file.
        let (data, _) = shared("{{ .Values.a }}");
        early.offer("templates/a.yaml", &data);
        let (_, other) = shared("{{ .Values.a }}");
        assert!(early.take("top/templates/a.yaml", &other).is_none());
        // A syntax error is reported by the parse under the real name.
        let (data, text) = shared("{{ if }}");
        early.offer("templates/bad.yaml", &data);
        assert!(early.take("top/templates/bad.yaml", &text).is_none());
        // A define named like the file decides which tree is kept.
        let name = "top/templates/self.yaml";
        let (data, text) = shared(&format!("{{{{ define \"{name}\" }}}}x{{{{ end }}}}"));
        early.offer("templates/self.yaml", &data);
        assert!(early.take(name, &text).is_none());
    }
}
