//! The exact text `helm template` prints to stdout.
//!
//! Helm builds it in two steps (`pkg/action/action.go` renderResources, then
//! `pkg/cmd/template.go`):
//!
//! 1. the release manifest: with `--include-crds`, every CRD file raw, then
//!    every non-hook document, each as `---\n# Source: <path>\n<text>\n`;
//! 2. stdout: that manifest `TrimSpace`d plus one `\n`, then (unless
//!    `--no-hooks`) every hook in the same block form, tests left out with
//!    `--skip-tests`.
//!
//! With `--show-only`, the text of step 2 is split again like a template
//! file, each piece's `# Source:` path (after the chart name) is matched
//! against each pattern, and the matching pieces are printed as
//! `---\n<piece>\n`, pattern by pattern.

use super::error::ManifestError;
use super::resource::{Resource, ResourceList};
use super::split::split_manifests;
use crate::chart::ChartFile;
use crate::chart::helmignore::go_match;
use crate::engine::ChartScope;

/// `helm template` flags that shape the printed stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelmStreamOptions {
    /// `--include-crds`: print the charts' `crds/` files first.
    pub include_crds: bool,
    /// `--skip-tests`: leave out hooks with the `test` event.
    pub skip_tests: bool,
    /// `--no-hooks`: leave out all hooks.
    pub no_hooks: bool,
    /// `-s/--show-only` patterns, chart-relative (`templates/*.yaml`).
    pub show_only: Vec<String>,
}

/// A file of some chart's `crds/` directory, with the chart it belongs to.
///
/// Helm prints CRDs verbatim (they are never templated) with the header
/// `# Source: <chart path>/<file name>`, root chart first, then subcharts
/// depth first — the order of [`crate::engine::RenderInput::scopes`], which
/// [`crd_files`] follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrdFile<'a> {
    /// The chart's template path prefix (`parent`, `parent/charts/sub`).
    pub chart_path: &'a str,
    /// The file, named relative to its chart (`crds/foo.yaml`).
    pub file: &'a ChartFile,
}

impl CrdFile<'_> {
    /// The name Helm prints and writes: `<chart path>/<file name>`.
    pub fn source(&self) -> String {
        format!("{}/{}", self.chart_path, self.file.name)
    }

    /// Helm only takes `crds/` files ending in `.yaml`, `.yml` or `.json`
    /// (any case) — `Chart.CRDObjects` / `hasManifestExtension`.
    pub fn is_manifest(&self) -> bool {
        let name = &self.file.name;
        let base = name.rsplit('/').next().unwrap_or(name);
        // Go's filepath.Ext: from the last dot of the base name.
        let ext = base.rfind('.').map(|i| &base[i..]).unwrap_or("");
        name.starts_with("crds/")
            && [".yaml", ".yml", ".json"]
                .iter()
                .any(|e| ext.eq_ignore_ascii_case(e))
    }
}

/// The CRD files of a chart tree, in Helm's order (scopes are root first,
/// then subcharts depth first), keeping only the ones Helm prints.
pub fn crd_files<'a>(scopes: &'a [ChartScope<'a>]) -> Vec<CrdFile<'a>> {
    scopes
        .iter()
        .flat_map(|scope| {
            scope.chart.crds.iter().map(|file| CrdFile {
                chart_path: &scope.path,
                file,
            })
        })
        .filter(CrdFile::is_manifest)
        .collect()
}

/// Appends one `---\n# Source: <name>\n<text>\n` block.
fn push_block(out: &mut String, source: &str, text: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(source);
    out.push('\n');
    out.push_str(text);
    out.push('\n');
}

/// The hooks that `--no-hooks` / `--skip-tests` leave in the output.
pub(crate) fn printed_hooks<'a>(
    list: &'a ResourceList,
    opts: &'a HelmStreamOptions,
) -> impl Iterator<Item = &'a Resource> + 'a {
    let is_test = |r: &Resource| r.hook.as_ref().is_some_and(|h| h.is_test());
    list.hooks
        .iter()
        .filter(move |r| !opts.no_hooks && (!opts.skip_tests || !is_test(r)))
}

/// Produces exactly what `helm template` writes to stdout for these
/// resources, CRD files and flags (NOTES are never printed).
///
/// A render with nothing in it prints `"\n"`, as Helm does. CRD file
/// contents are taken as UTF-8 (invalid bytes are replaced).
pub fn render_helm_stream(
    list: &ResourceList,
    crds: &[CrdFile<'_>],
    opts: &HelmStreamOptions,
) -> Result<String, ManifestError> {
    let crd_blocks: Vec<(String, std::borrow::Cow<'_, str>)> = crds
        .iter()
        .filter(|c| opts.include_crds && c.is_manifest())
        .map(|c| (c.source(), c.file.text()))
        .collect();
    // Room for every block: the stream is built in place, without growing
    // or copying it.
    let block = |source: &str, text: &str| source.len() + text.len() + "---\n# Source: \n\n".len();
    let room = crd_blocks
        .iter()
        .map(|(source, text)| block(source, text))
        .chain(
            list.resources
                .iter()
                .chain(&list.hooks)
                .map(|r| block(&r.source, &r.text)),
        )
        .sum::<usize>();
    let mut out = String::with_capacity(room + 1);
    for (source, text) in &crd_blocks {
        push_block(&mut out, source, text);
    }
    for r in &list.resources {
        push_block(&mut out, &r.source, &r.text);
    }
    // Helm trims the CRDs and resources together, then adds the hooks.
    out.truncate(out.trim_end().len());
    let lead = out.len() - out.trim_start().len();
    out.drain(..lead);
    out.push('\n');
    for h in printed_hooks(list, opts) {
        push_block(&mut out, &h.source, &h.text);
    }
    if opts.show_only.is_empty() {
        return Ok(out);
    }
    show_only(&out, &opts.show_only)
}

/// The chart-relative path in a piece's `# Source:` line: Helm's
/// `# Source: [^/]+/(.+)` — the first such line anywhere in the piece, the
/// chart name being everything up to the first `/` (`[^/]` spans newlines),
/// the path the rest of that line.
fn source_path(piece: &str) -> Option<&str> {
    let mut search = piece;
    while let Some(at) = search.find("# Source: ") {
        let after = &search[at + "# Source: ".len()..];
        if let Some(slash) = after.find('/')
            && slash > 0
        {
            let rest = &after[slash + 1..];
            let line = rest.split('\n').next().unwrap_or(rest);
            if !line.is_empty() {
                return Some(line);
            }
        }
        search = &search[at + 1..];
    }
    None
}

/// Helm's `--show-only` filter over the finished stream.
fn show_only(stream: &str, patterns: &[String]) -> Result<String, ManifestError> {
    let pieces: Vec<(&str, &str)> = split_manifests(stream)
        .into_iter()
        .filter_map(|p| source_path(p.text).map(|path| (p.text, path)))
        .collect();
    let mut out = String::new();
    for pattern in patterns {
        // Helm converts the user's path to `/` separators first.
        let pattern = pattern.replace(std::path::MAIN_SEPARATOR, "/");
        let mut found = false;
        for (text, path) in &pieces {
            // A malformed pattern matches nothing (`filepath.Match` errors).
            if go_match(&pattern, path).unwrap_or(false) {
                out.push_str("---\n");
                out.push_str(text);
                out.push('\n');
                found = true;
            }
        }
        if !found {
            return Err(ManifestError::TemplateNotFound(pattern));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RenderedTemplate;
    use crate::manifest::sort_manifests;

    fn list(files: &[(&str, &str)]) -> ResourceList {
        let templates: Vec<RenderedTemplate> = files
            .iter()
            .map(|(n, c)| RenderedTemplate {
                name: n.to_string(),
                content: c.to_string(),
            })
            .collect();
        sort_manifests(&templates).unwrap()
    }

    fn crd(name: &str, data: &str) -> ChartFile {
        ChartFile {
            name: name.to_string(),
            data: data.as_bytes().into(),
        }
    }

    const HOOKS: &str = "kind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n---\nkind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: pre-install\n";

    #[test]
    fn empty_render_prints_a_newline() {
        let out = render_helm_stream(&ResourceList::default(), &[], &HelmStreamOptions::default())
            .unwrap();
        assert_eq!(out, "\n");
    }

    #[test]
    fn manifests_then_hooks() {
        let l = list(&[
            (
                "c/templates/a.yaml",
                "kind: Deployment\nmetadata:\n  name: d\n---\nkind: Service\n",
            ),
            ("c/templates/h.yaml", HOOKS),
        ]);
        let out = render_helm_stream(&l, &[], &HelmStreamOptions::default()).unwrap();
        let headers: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("# Source") || l.starts_with("kind"))
            .collect();
        assert_eq!(
            headers,
            [
                "# Source: c/templates/a.yaml",
                "kind: Service",
                "# Source: c/templates/a.yaml",
                "kind: Deployment",
                "# Source: c/templates/h.yaml",
                "kind: Pod",
                "# Source: c/templates/h.yaml",
                "kind: Job"
            ]
        );
        assert!(out.starts_with("---\n# Source: c/templates/a.yaml\nkind: Service\n---\n"));
        assert!(out.ends_with("helm.sh/hook: pre-install\n"));
    }

    #[test]
    fn only_hooks_start_with_a_blank_line() {
        let l = list(&[("c/templates/h.yaml", HOOKS)]);
        let out = render_helm_stream(&l, &[], &HelmStreamOptions::default()).unwrap();
        assert!(
            out.starts_with("\n---\n# Source: c/templates/h.yaml\nkind: Pod\n"),
            "{out}"
        );
    }

    #[test]
    fn skip_tests_and_no_hooks() {
        let l = list(&[("c/templates/h.yaml", HOOKS)]);
        let skip = HelmStreamOptions {
            skip_tests: true,
            ..Default::default()
        };
        let out = render_helm_stream(&l, &[], &skip).unwrap();
        assert!(
            !out.contains("kind: Pod") && out.contains("kind: Job"),
            "{out}"
        );
        let none = HelmStreamOptions {
            no_hooks: true,
            ..Default::default()
        };
        assert_eq!(render_helm_stream(&l, &[], &none).unwrap(), "\n");
    }

    #[test]
    fn crds_come_first_raw_and_filtered_by_extension() {
        let files = [
            crd("crds/a.yaml", "---\nkind: CustomResourceDefinition\n\n\n"),
            crd("crds/notes.txt", "ignored"),
            crd("crds/B.JSON", "{}"),
        ];
        let crds: Vec<CrdFile> = files
            .iter()
            .map(|f| CrdFile {
                chart_path: "c",
                file: f,
            })
            .collect();
        let l = list(&[("c/templates/a.yaml", "kind: Service\n")]);
        let with = HelmStreamOptions {
            include_crds: true,
            ..Default::default()
        };
        let out = render_helm_stream(&l, &crds, &with).unwrap();
        assert_eq!(
            out,
            "---\n# Source: c/crds/a.yaml\n---\nkind: CustomResourceDefinition\n\n\n\n---\n# Source: c/crds/B.JSON\n{}\n---\n# Source: c/templates/a.yaml\nkind: Service\n"
        );
        let without = render_helm_stream(&l, &crds, &HelmStreamOptions::default()).unwrap();
        assert_eq!(
            without,
            "---\n# Source: c/templates/a.yaml\nkind: Service\n"
        );
    }

    #[test]
    fn show_only_filters_by_glob_in_pattern_order() {
        let l = list(&[
            ("c/templates/a.yaml", "kind: Service\n"),
            ("c/templates/b.yaml", "kind: ConfigMap\n"),
            ("c/templates/tests/t.yaml", HOOKS),
            ("c/charts/s/templates/x.yaml", "kind: Secret\n"),
        ]);
        let opts = |p: &[&str]| HelmStreamOptions {
            show_only: p.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let out =
            render_helm_stream(&l, &[], &opts(&["templates/b.yaml", "templates/a.yaml"])).unwrap();
        assert_eq!(
            out,
            "---\n# Source: c/templates/b.yaml\nkind: ConfigMap\n---\n# Source: c/templates/a.yaml\nkind: Service\n"
        );
        let glob = render_helm_stream(&l, &[], &opts(&["templates/*.yaml"])).unwrap();
        assert_eq!(glob.matches("# Source:").count(), 2, "{glob}");
        let tests = render_helm_stream(&l, &[], &opts(&["templates/tests/*"])).unwrap();
        assert_eq!(
            tests.matches("# Source: c/templates/tests/t.yaml").count(),
            2
        );
        let sub = render_helm_stream(&l, &[], &opts(&["charts/s/templates/x.yaml"])).unwrap();
        assert!(sub.contains("kind: Secret"));
    }

    #[test]
    fn show_only_unknown_template_is_an_error() {
        let l = list(&[("c/templates/a.yaml", "kind: Service\n")]);
        let opts = HelmStreamOptions {
            show_only: vec!["templates/a.yaml".into(), "templates/nope.yaml".into()],
            ..Default::default()
        };
        let err = render_helm_stream(&l, &[], &opts).unwrap_err();
        assert_eq!(
            err.to_string(),
            "could not find template templates/nope.yaml in chart"
        );
    }

    #[test]
    fn crd_files_follow_scope_order_and_extensions() {
        use crate::chart::{Chart, Metadata};
        use crate::value::Value;
        let chart = |crds: Vec<ChartFile>| Chart {
            metadata: Metadata::default(),
            values: Value::new_map(),
            raw_values: None,
            schema: None,
            templates: Vec::new(),
            crds,
            files: Vec::new(),
            dependencies: Vec::new(),
            origin: std::path::PathBuf::new(),
        };
        let root = chart(vec![crd("crds/b.yml", "b"), crd("crds/a.txt", "a")]);
        let sub = chart(vec![crd("crds/s.json", "s")]);
        let scope = |path: &str, chart| ChartScope {
            path: path.to_string(),
            chart,
            values: Value::new_map(),
            is_root: false,
        };
        let scopes = [scope("p", &root), scope("p/charts/s", &sub)];
        let names: Vec<String> = crd_files(&scopes).iter().map(CrdFile::source).collect();
        assert_eq!(names, ["p/crds/b.yml", "p/charts/s/crds/s.json"]);
    }

    #[test]
    fn source_path_follows_helms_regex() {
        assert_eq!(
            source_path("# Source: c/templates/a.yaml\nkind: X"),
            Some("templates/a.yaml")
        );
        assert_eq!(
            source_path("x: 1\n# Source: p/charts/s/t.yaml"),
            Some("charts/s/t.yaml")
        );
        assert_eq!(source_path("kind: X"), None);
    }
}
