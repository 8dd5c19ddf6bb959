//! Differential tests against the real `helm template` (`$HELM_REF`).
//!
//! The charts here contain no template actions, so what Helm renders for a
//! template is exactly its bytes; feeding those bytes to this module must
//! reproduce Helm's stdout (and `--output-dir` tree) byte for byte.

use super::*;
use crate::chart::ChartFile;
use crate::engine::RenderedTemplate;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The helm binary to compare with, or `None` (and a note) when unset.
fn helm() -> Option<PathBuf> {
    match std::env::var_os("HELM_REF") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            eprintln!("skipped: HELM_REF is not set (differential test against helm)");
            None
        }
    }
}

/// A chart written to disk: `files` are (path inside the chart, content).
struct TestChart {
    _dir: tempfile::TempDir,
    path: PathBuf,
    name: String,
    files: Vec<(String, String)>,
}

impl TestChart {
    fn new(name: &str, files: &[(&str, &str)]) -> TestChart {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let mut all: Vec<(String, String)> = files
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        all.push((
            "Chart.yaml".into(),
            format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
        ));
        for (p, c) in &all {
            let f = path.join(p);
            fs::create_dir_all(f.parent().unwrap()).unwrap();
            fs::write(f, c).unwrap();
        }
        TestChart {
            _dir: dir,
            path,
            name: name.to_string(),
            files: all,
        }
    }

    /// The chart path prefix of a file (`name` or `name/charts/sub`) and
    /// its chart-relative name.
    fn split_chart<'a>(&self, path: &'a str) -> (String, &'a str) {
        let mut prefix = self.name.clone();
        let mut rest = path;
        while let Some(after) = rest.strip_prefix("charts/") {
            let (sub, tail) = after.split_once('/').unwrap();
            prefix = format!("{prefix}/charts/{sub}");
            rest = tail;
        }
        (prefix, rest)
    }

    /// What an engine would hand over: every template with its bytes.
    fn rendered(&self) -> Vec<RenderedTemplate> {
        self.files
            .iter()
            .filter_map(|(p, c)| {
                let (prefix, rel) = self.split_chart(p);
                rel.starts_with("templates/").then(|| RenderedTemplate {
                    name: format!("{prefix}/{rel}"),
                    content: c.clone(),
                })
            })
            .collect()
    }

    /// CRD files in Helm's order: each chart's own (lexical, as its loader
    /// walks them), parent before subcharts.
    fn crds(&self) -> Vec<(String, ChartFile)> {
        let mut crds: Vec<(String, ChartFile)> = self
            .files
            .iter()
            .filter_map(|(p, c)| {
                let (prefix, rel) = self.split_chart(p);
                rel.starts_with("crds/").then(|| {
                    (
                        prefix,
                        ChartFile {
                            name: rel.to_string(),
                            data: c.as_bytes().into(),
                        },
                    )
                })
            })
            .collect();
        crds.sort_by(|a, b| {
            (a.0.matches('/').count(), &a.0, &a.1.name).cmp(&(
                b.0.matches('/').count(),
                &b.0,
                &b.1.name,
            ))
        });
        crds
    }

    fn helm(&self, helm: &Path, args: &[&str]) -> (String, String, bool) {
        let out = Command::new(helm)
            .arg("template")
            .arg(&self.path)
            .args(args)
            .env("HOME", self._dir.path())
            .output()
            .unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
            out.status.success(),
        )
    }

    fn ours(&self, opts: &HelmStreamOptions) -> Result<String, ManifestError> {
        let list = sort_manifests(&self.rendered())?;
        let crds = self.crds();
        let refs: Vec<CrdFile> = crds
            .iter()
            .map(|(p, f)| CrdFile {
                chart_path: p,
                file: f,
            })
            .collect();
        render_helm_stream(&list, &refs, opts)
    }
}

/// Helm's error line (stderr also carries `level=INFO` log lines).
fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("Error: "))
        .unwrap_or(stderr)
}

fn flags_to_opts(args: &[&str]) -> HelmStreamOptions {
    let mut opts = HelmStreamOptions::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--include-crds" => opts.include_crds = true,
            "--skip-tests" => opts.skip_tests = true,
            "--no-hooks" => opts.no_hooks = true,
            "-s" => opts.show_only.push(it.next().unwrap().to_string()),
            other => panic!("unexpected flag {other}"),
        }
    }
    opts
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

fn big_chart() -> TestChart {
    let a = format!(
        "# leading comment only\n---\n{DEPLOY}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\napiVersion: example.com/v1\nkind: apple\nmetadata:\n  name: lower\n---\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after-triple\ndata:\n  block: |\n    line\n    ---\n    indented dashes stay\n"
    );
    let b = "---apiVersion: v1\nkind: Secret\nmetadata:\n  name: glued\n---\n---\nkind: Namespace\nmetadata:\n  name: ns\n\n\n---   \n   kind: ServiceAccount\nmetadata:\n  name: sa\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n";
    let hooks = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pre\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"5\"\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: post\n  annotations:\n    helm.sh/hook: post-install,post-upgrade\n    helm.sh/hook-weight: -5\n    helm.sh/hook-delete-policy: hook-succeeded\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: unknown-hook\n  annotations:\n    helm.sh/hook: test-failure\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: empty-hook\n  annotations:\n    helm.sh/hook: \"\"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy-test\n  annotations:\n    helm.sh/hook: TEST-SUCCESS\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: mixed\n  annotations:\n    helm.sh/hook: pre-install, test\n";
    let test = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: test-conn\n  annotations:\n    \"helm.sh/hook\": test\nspec:\n  containers: []\n";
    let sub_t = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-sub\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: sub-svc\n";
    TestChart::new(
        "diffc",
        &[
            ("templates/a.yaml", &a),
            ("templates/b.yaml", b),
            ("templates/hooks.yaml", hooks),
            ("templates/tests/test-conn.yaml", test),
            ("templates/NOTES.txt", "Thanks for installing.\n"),
            ("templates/_helpers.tpl", "{{/* nothing */}}\n"),
            ("templates/empty.yaml", "\n   \n\n"),
            (
                "templates/z-last.yml",
                "\n\n  kind: PriorityClass\nmetadata:\n  name: pc\n",
            ),
            (
                "crds/crd1.yaml",
                "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n\n\n",
            ),
            (
                "crds/crd2.json",
                "{\"apiVersion\": \"apiextensions.k8s.io/v1\", \"kind\": \"CustomResourceDefinition\"}",
            ),
            ("crds/readme.txt", "not a manifest"),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            ("charts/sub/templates/s.yaml", sub_t),
            (
                "charts/sub/crds/s.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: subs.example.com\n",
            ),
        ],
    )
}

#[test]
fn stdout_matches_helm_template() {
    let Some(helm) = helm() else { return };
    let chart = big_chart();
    let cases: &[&[&str]] = &[
        &[],
        &["--include-crds"],
        &["--skip-tests"],
        &["--no-hooks"],
        &["--include-crds", "--skip-tests", "--no-hooks"],
        &["-s", "templates/a.yaml"],
        &["-s", "templates/b.yaml", "-s", "templates/a.yaml"],
        &["-s", "templates/*.yaml"],
        &["-s", "templates/*"],
        &["-s", "templates/tests/test-conn.yaml"],
        &["-s", "templates/hooks.yaml", "--skip-tests"],
        &["-s", "charts/sub/templates/s.yaml", "--include-crds"],
        &["-s", "crds/crd1.yaml", "--include-crds"],
        &["-s", "charts/*/crds/s.yaml", "--include-crds"],
        &["-s", "templates/[ab].yaml"],
        &["-s", "templates/?.yaml"],
        &["-s", "templates/[^a].yaml"],
        &["-s", "templates/*s.yaml"],
        &["-s", "templates/tests/*-conn.yaml", "-s", "templates/z-*"],
        &["-s", "templates/\\a.yaml"],
        &["-s", "templates/a.yaml", "-s", "templates/*.yaml"],
    ];
    for args in cases {
        let (stdout, stderr, ok) = chart.helm(&helm, args);
        assert!(ok, "helm {args:?} failed: {stderr}");
        let ours = chart.ours(&flags_to_opts(args)).unwrap();
        assert_eq!(ours, stdout, "output differs for {args:?}");
    }
}

#[test]
fn show_only_errors_match_helm() {
    let Some(helm) = helm() else { return };
    let chart = big_chart();
    for args in [
        &["-s", "templates/nope.yaml"][..],
        &["-s", "templates/a.yaml", "-s", "tests/*"][..],
        &["-s", "templates/["][..],
        &["-s", "templates/[]a].yaml"][..],
        &["-s", "templates/a.yaml\\"][..],
        &["-s", "*"][..],
        &["-s", "templates/[a-b-].yaml"][..],
        &["-s", "crds/crd1.yaml"][..],
    ] {
        let (_, stderr, ok) = chart.helm(&helm, args);
        assert!(!ok, "helm {args:?} should fail");
        let err = chart.ours(&flags_to_opts(args)).unwrap_err();
        assert_eq!(error_line(&stderr), format!("Error: {err}"), "{args:?}");
    }
}

#[test]
fn small_charts_match_helm() {
    let Some(helm) = helm() else { return };
    let hook = "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: post-install\n";
    let charts = [
        TestChart::new("empty", &[]),
        TestChart::new("onlynotes", &[("templates/NOTES.txt", "hi\n")]),
        TestChart::new("onlyhooks", &[("templates/h.yaml", hook)]),
        TestChart::new(
            "crlf",
            &[(
                "templates/c.yaml",
                "kind: Service\r\nmetadata:\r\n  name: a\r\n---\r\nkind: Pod\r\n",
            )],
        ),
        TestChart::new(
            "scalars",
            &[(
                "templates/s.yaml",
                "apiVersion: 1.5\nkind: 100000000\nmetadata:\n  name: 1e7\n---\nKind: Service\nkind: Pod\n---\nkind: Role\n",
            )],
        ),
    ];
    for chart in &charts {
        for args in [&[][..], &["--include-crds"][..], &["--no-hooks"][..]] {
            let (stdout, stderr, ok) = chart.helm(&helm, args);
            assert!(ok, "helm {} {args:?} failed: {stderr}", chart.name);
            let ours = chart.ours(&flags_to_opts(args)).unwrap();
            assert_eq!(ours, stdout, "{} {args:?}", chart.name);
        }
    }
}

#[test]
fn shape_errors_match_helm() {
    let Some(helm) = helm() else { return };
    for (i, doc) in [
        "kind: [a]\n",
        "- a\n",
        "just a string\n",
        "true\n",
        "metadata:\n  name: {a: 1}\n",
        "metadata:\n  annotations:\n    a: [1]\n",
        "metadata:\n  annotations: 5\n",
        "metadata: 5\n",
        "kind: [a]\napiVersion: {b: 1}\n",
        "kind: Pod\n---\n---\nnot a map\n",
    ]
    .iter()
    .enumerate()
    {
        let chart = TestChart::new(&format!("err{i}"), &[("templates/x.yaml", doc)]);
        let (_, stderr, ok) = chart.helm(&helm, &[]);
        assert!(!ok, "{doc:?}");
        let err = chart.ours(&HelmStreamOptions::default()).unwrap_err();
        assert_eq!(error_line(&stderr), format!("Error: {err}"), "{doc:?}");
    }
}

/// Every file under `root`, relative, with its content.
fn tree(root: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn output_dir_matches_helm() {
    let Some(helm) = helm() else { return };
    let chart = big_chart();
    for args in [
        &["--include-crds"][..],
        &["--skip-tests", "--release-name"][..],
        &["--no-hooks"][..],
    ] {
        let work = tempfile::tempdir().unwrap();
        let theirs_dir = work.path().join("theirs");
        let ours_dir = work.path().join("ours");
        let mut helm_args: Vec<&str> = args.to_vec();
        let theirs_str = format!("{}/", theirs_dir.display());
        helm_args.extend(["--output-dir", theirs_str.as_str()]);
        let (stdout, stderr, ok) = chart.helm(&helm, &helm_args);
        assert!(ok, "{stderr}");

        let release = args.contains(&"--release-name").then_some("release-name");
        let opts = flags_to_opts(
            &args
                .iter()
                .copied()
                .filter(|a| *a != "--release-name")
                .collect::<Vec<_>>(),
        );
        let list = sort_manifests(&chart.rendered()).unwrap();
        let crds = chart.crds();
        let refs: Vec<CrdFile> = crds
            .iter()
            .map(|(p, f)| CrdFile {
                chart_path: p,
                file: f,
            })
            .collect();
        let ours_str = format!("{}/", ours_dir.display());
        let lines = write_output_dir(Path::new(&ours_str), &list, &refs, &opts, release).unwrap();

        let mut printed = lines.join("\n").replace(&ours_str, &theirs_str);
        printed.push_str("\n\n");
        assert_eq!(printed, stdout, "{args:?}");
        assert_eq!(tree(&ours_dir), tree(&theirs_dir), "{args:?}");
    }
}

/// A small deterministic generator (64-bit LCG), so the generated chart is
/// the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Many generated files mixing documents, comments, blank lines, every
/// separator spelling and hooks: checks splitting and ordering broadly.
#[test]
fn generated_streams_match_helm() {
    let Some(helm) = helm() else { return };
    let kinds = [
        "Deployment",
        "Service",
        "ConfigMap",
        "Secret",
        "Namespace",
        "Job",
        "Pod",
        "Widget",
        "apple",
        "CronJob",
        "Ingress",
        "ServiceAccount",
        "zebra",
        "APIService",
    ];
    let events = [
        "pre-install",
        "test",
        "post-delete,test",
        "test-success",
        "bogus",
        "Post-Upgrade",
    ];
    for seed in [42, 7, 2026] {
        let mut rng = Lcg(seed);
        let mut files: Vec<(String, String)> = Vec::new();
        for f in 0..40 {
            let mut text = String::new();
            for _ in 0..rng.below(12) {
                let line = match rng.below(11) {
                    0..=2 => format!("kind: {}", kinds[rng.below(kinds.len())]),
                    3 => format!("# comment {}", rng.below(100)),
                    4 => String::new(),
                    5 => "   ".to_string(),
                    6 => "---".to_string(),
                    7 => "--- ".to_string(),
                    8 => "---   # trailing".to_string(),
                    9 => format!("---kind: {}", kinds[rng.below(kinds.len())]),
                    _ => format!(
                        "metadata:\n  name: n{}\n  annotations:\n    helm.sh/hook: {}",
                        rng.below(100),
                        events[rng.below(events.len())]
                    ),
                };
                text.push_str(&line);
                text.push('\n');
            }
            files.push((format!("templates/f{:02}-{}.yaml", f, rng.below(5)), text));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let chart = TestChart::new(&format!("gen{seed}"), &refs);
        // The generated chart must exercise what it is meant to.
        let list = sort_manifests(&chart.rendered()).unwrap();
        assert!(list.resources.len() > 30, "{}", list.resources.len());
        assert!(
            list.hooks
                .iter()
                .any(|h| h.hook.as_ref().unwrap().is_test())
        );
        assert!(
            list.hooks
                .iter()
                .any(|h| !h.hook.as_ref().unwrap().is_test())
        );
        assert!(!list.dropped_hooks.is_empty());
        assert!(list.resources.iter().any(|r| r.text.starts_with("---")));
        for args in [&[][..], &["--skip-tests"][..], &["-s", "templates/f1*"][..]] {
            let (stdout, stderr, ok) = chart.helm(&helm, args);
            assert!(ok, "helm {args:?} failed: {stderr}");
            let ours = chart.ours(&flags_to_opts(args)).unwrap();
            assert_eq!(ours, stdout, "seed {seed} {args:?}");
        }
    }
}
