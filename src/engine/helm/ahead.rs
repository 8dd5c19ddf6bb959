//! Parsing a chart's template files ahead of the render, on a thread of
//! their own, while the loader still reads `values.yaml` and the values
//! are merged and coalesced.
//!
//! A file parses the same whatever the values are (only Helm's function
//! names matter), so the parse need not wait for them. Which files are
//! rendered is only known later (a subchart may be disabled, a library
//! chart lends only its partials, an alias renames a subchart's files), so
//! the files parsed ahead are a guess: the engine takes the parse of each
//! file it renders whose name and text match a guessed one, parses the
//! rest itself, and drops the others. A file's parse errors are reported
//! only when the engine renders it, exactly as without this step.
//!
//! The engine and the helper share the work: the helper takes files from
//! the front of the list, the engine (once it gets there) from the back,
//! each claiming a file before parsing it, so no file is parsed twice.

use super::{HelmEngine, RENDER_STACK, Source};
use crate::engine::gotmpl::node::Tree;
use crate::engine::gotmpl::{ParseError, Template};
use crate::hashing::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

/// The parse of one file: its trees (the file's own and its `define`s).
type Parsed = Result<Vec<Tree>, ParseError>;

/// A job nobody has claimed yet.
const FREE: u8 = 0;
/// A job claimed by the helper or the engine.
const TAKEN: u8 = 1;
/// A job the engine does not need.
const DROPPED: u8 = 2;

/// Template files being parsed on a helper thread. Dropping it tells the
/// helper to stop after the file it is on.
pub struct ParseAhead {
    shared: Option<Arc<Shared>>,
    helper: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    /// Template names as the engine names them, with their text.
    jobs: Vec<(String, Arc<str>)>,
    state: Vec<AtomicU8>,
    done: Vec<OnceLock<Parsed>>,
    stop: AtomicBool,
}

impl Shared {
    /// Claims job `i` for the caller.
    fn claim(&self, i: usize) -> bool {
        self.state[i]
            .compare_exchange(FREE, TAKEN, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

impl ParseAhead {
    /// Starts parsing `files` (named as the engine will name them) on a
    /// helper thread. `None` when the files are too small for a thread to
    /// pay off, there is one core, or no thread can be started; the
    /// engine then parses everything itself, as before.
    pub fn start(files: Vec<(String, Arc<str>)>, seed: Option<u64>) -> Option<ParseAhead> {
        let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
        if bytes < crate::parallel::MIN_PARALLEL_BYTES || crate::parallel::cores() < 2 {
            return None;
        }
        ParseAhead::spawn(files, seed)
    }

    /// [`start`](Self::start) whatever the size and cores.
    fn spawn(mut files: Vec<(String, Arc<str>)>, seed: Option<u64>) -> Option<ParseAhead> {
        // The engine's order, so the helper starts where the engine would.
        files.sort_by(|a, b| super::helm_order(&a.0, &b.0));
        let n = files.len();
        let shared = Arc::new(Shared {
            jobs: files,
            state: (0..n).map(|_| AtomicU8::new(FREE)).collect(),
            done: (0..n).map(|_| OnceLock::new()).collect(),
            stop: AtomicBool::new(false),
        });
        let theirs = shared.clone();
        let helper = std::thread::Builder::new()
            .stack_size(RENDER_STACK)
            .spawn(move || {
                let set = HelmEngine::new(seed).template_set();
                for i in 0..theirs.jobs.len() {
                    if theirs.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if theirs.claim(i) {
                        let (name, text) = &theirs.jobs[i];
                        let _ = theirs.done[i].set(set.parse_shared_trees(name, text));
                    }
                }
                crate::teardown::release(set);
            })
            .ok()?;
        Some(ParseAhead {
            shared: Some(shared),
            helper: Some(helper),
        })
    }

    /// The parse of each of `sources`, in order: the helper's when it
    /// parsed the same name and text, else parsed here with `set`.
    pub(super) fn finish(mut self, sources: &[Source], set: &Template) -> Vec<Parsed> {
        let Some(shared) = self.shared.take() else {
            return sources.iter().map(|s| parse(set, s)).collect();
        };
        let index: HashMap<&str, usize> = shared
            .jobs
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_str(), i))
            .collect();
        let wanted: Vec<Option<usize>> = sources
            .iter()
            .map(|s| {
                index
                    .get(s.name.as_str())
                    .copied()
                    .filter(|&i| Arc::ptr_eq(&shared.jobs[i].1, &s.text))
            })
            .collect();
        let mut needed = vec![false; shared.jobs.len()];
        for &i in wanted.iter().flatten() {
            needed[i] = true;
        }
        for (i, state) in shared.state.iter().enumerate() {
            if !needed[i] {
                let _ = state.compare_exchange(FREE, DROPPED, Ordering::AcqRel, Ordering::Acquire);
            }
        }
        // Files nobody guessed (a packed subchart's, a renamed one's), on
        // every core when there are enough of them.
        let missed: Vec<&Source> = sources
            .iter()
            .zip(&wanted)
            .filter(|(_, job)| job.is_none())
            .map(|(src, _)| src)
            .collect();
        let bytes = missed.iter().map(|s| s.text.len()).sum();
        let mut missed =
            crate::parallel::map_ordered(&missed, bytes, RENDER_STACK, |src| parse(set, src))
                .into_iter();
        let mut own: Vec<Option<Parsed>> = wanted
            .iter()
            .map(|job| if job.is_none() { missed.next() } else { None })
            .collect();
        // The guessed ones from the back, while the helper goes on from
        // the front.
        for (k, src) in sources.iter().enumerate().rev() {
            if let Some(i) = wanted[k]
                && shared.claim(i)
            {
                own[k] = Some(parse(set, src));
            }
        }
        // Every job is now claimed or dropped: the helper ends after the
        // one it is on.
        if let Some(helper) = self.helper.take()
            && let Err(panic) = helper.join()
        {
            std::panic::resume_unwind(panic);
        }
        let mut shared = match Arc::try_unwrap(shared) {
            Ok(shared) => shared,
            // Unreachable: the helper's handle went with its thread.
            Err(_) => return sources.iter().map(|s| parse(set, s)).collect(),
        };
        let mut done: Vec<Option<Parsed>> =
            shared.done.drain(..).map(OnceLock::into_inner).collect();
        own.into_iter()
            .zip(&wanted)
            .zip(sources)
            .map(|((mine, job), src)| {
                mine.or_else(|| job.and_then(|i| done[i].take()))
                    .unwrap_or_else(|| parse(set, src))
            })
            .collect()
    }
}

impl Drop for ParseAhead {
    fn drop(&mut self) {
        if let Some(shared) = &self.shared {
            shared.stop.store(true, Ordering::Relaxed);
        }
        // The helper, if still running, is left to end on its own.
    }
}

fn parse(set: &Template, src: &Source) -> Parsed {
    set.parse_shared_trees(&src.name, &src.text)
}

/// The template files of a chart source as the engine will name them,
/// guessed from the files the loader read: `root` is the chart's name,
/// `files` are chart-relative (`templates/x.yaml`,
/// `charts/common/templates/_names.tpl`), and a subchart is guessed to be
/// named like its directory under `charts/`.
pub fn guess_templates(
    root: &str,
    files: &mut dyn Iterator<Item = (&str, &Arc<[u8]>)>,
) -> Vec<(String, Arc<str>)> {
    files
        .filter(|(name, _)| is_template_path(name) && !name.ends_with(".j2"))
        .map(|(name, data)| (format!("{root}/{name}"), crate::chart::shared_text(data)))
        .collect()
}

/// `templates/…` of the chart or of a subchart directory
/// (`charts/<entry>/…`, any depth); entries the loader skips (`_x`, `.x`)
/// are not subcharts.
fn is_template_path(mut name: &str) -> bool {
    loop {
        if name.starts_with("templates/") {
            return true;
        }
        let Some(rest) = name.strip_prefix("charts/") else {
            return false;
        };
        let Some((entry, inner)) = rest.split_once('/') else {
            return false;
        };
        if entry.starts_with('_') || entry.starts_with('.') {
            return false;
        }
        name = inner;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &Arc<str>) -> Source {
        Source {
            name: name.to_string(),
            text: text.clone(),
            scope: 0,
        }
    }

    /// Whatever was guessed (right, renamed, with other text, not needed,
    /// broken), and whenever the engine arrives, each file's parse is the
    /// one the engine would make itself.
    #[test]
    fn gives_each_file_its_own_parse() {
        let set = HelmEngine::default().template_set();
        let good: Arc<str> = Arc::from(
            "{{ define \"x\" }}{{ .Values.a | quote }}{{ end }}a: {{ include \"x\" . }}\n",
        );
        let other: Arc<str> = Arc::from("b: {{ .Values.b }}\n");
        let broken: Arc<str> = Arc::from("c: {{ .Values.c \n");
        let unknown: Arc<str> = Arc::from("d: {{ nosuchfunc 1 }}\n");
        let copy: Arc<str> = Arc::from(&*other);
        let sources = [
            source("app/templates/a.yaml", &good),
            source("app/templates/b.yaml", &other),
            source("app/templates/bad.yaml", &broken),
            source("app/charts/renamed/templates/b.yaml", &other),
            source("app/templates/unguessed.yaml", &unknown),
            source("app/templates/copy.yaml", &copy),
        ];
        let want: Vec<Parsed> = sources.iter().map(|s| parse(&set, s)).collect();
        assert!(want[2].is_err() && want[4].is_err());
        for wait in [false, true] {
            let jobs = vec![
                ("app/templates/a.yaml".to_string(), good.clone()),
                ("app/templates/b.yaml".to_string(), other.clone()),
                ("app/templates/bad.yaml".to_string(), broken.clone()),
                ("app/charts/sub/templates/b.yaml".to_string(), other.clone()),
                (
                    "app/charts/off/templates/x.yaml".to_string(),
                    broken.clone(),
                ),
                // The same name with other text (an edited file, say).
                ("app/templates/copy.yaml".to_string(), good.clone()),
            ];
            let ahead = ParseAhead::spawn(jobs, None).expect("a thread");
            if wait {
                // Let the helper finish everything first.
                while ahead
                    .shared
                    .as_ref()
                    .unwrap()
                    .state
                    .iter()
                    .any(|s| s.load(Ordering::Acquire) == FREE)
                {
                    std::thread::yield_now();
                }
            }
            assert_eq!(ahead.finish(&sources, &set), want, "wait {wait}");
        }
    }

    #[test]
    fn dropping_it_stops_the_helper() {
        // Seconds of parsing, were the helper to go on.
        let text: Arc<str> = Arc::from("a: {{ .Values.a | default \"x\" | quote }}\n".repeat(50));
        let jobs = (0..20_000)
            .map(|i| (format!("app/templates/{i}.yaml"), text.clone()))
            .collect();
        let ahead = ParseAhead::spawn(jobs, None).expect("a thread");
        let shared = ahead.shared.clone().unwrap();
        drop(ahead);
        while Arc::strong_count(&shared) > 1 {
            std::thread::yield_now();
        }
        let parsed = shared.done.iter().filter(|d| d.get().is_some()).count();
        assert!(parsed < 20_000, "{parsed}");
    }

    fn text(s: &str) -> Arc<[u8]> {
        Arc::from(s.as_bytes())
    }

    #[test]
    fn guesses_the_template_files_of_the_tree() {
        let files = [
            ("Chart.yaml", text("name: app")),
            ("templates/cm.yaml", text("a")),
            ("templates/x.yaml.j2", text("b")),
            ("charts/common/templates/_names.tpl", text("c")),
            ("charts/common/charts/deep/templates/d.yaml", text("d")),
            ("charts/_skipped/templates/e.yaml", text("e")),
            ("charts/common/values.yaml", text("f")),
            ("docs/templates/g.yaml", text("g")),
        ];
        let guessed = guess_templates("app", &mut files.iter().map(|(n, d)| (*n, d)));
        let names: Vec<&str> = guessed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "app/templates/cm.yaml",
                "app/charts/common/templates/_names.tpl",
                "app/charts/common/charts/deep/templates/d.yaml",
            ]
        );
    }
}
