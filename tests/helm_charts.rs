//! Differential harness over `tests/helm-charts/`: every case of every
//! chart is rendered by `$HELM_REF template` and `skiff template` (working
//! directory `tests/helm-charts/`, `TZ=UTC`), and the results must agree as
//! the chart's `case.json` says (README.md there): `ok` cases byte for byte
//! on stdout, `error` cases both failing.
//!
//! Cases skiff cannot pass yet are listed in [`KNOWN_FAILURES`] with the
//! reason; the test also checks they still fail, so the list only shrinks.
//! Without `HELM_REF` the test prints that it is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `chart/case` names that do not match helm yet, and why. Each entry must
/// still fail; remove it once it passes.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

#[derive(Debug)]
struct Case {
    chart: String,
    name: String,
    args: Vec<String>,
    expect_ok: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/helm-charts")
}

fn load_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut charts: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    charts.sort();
    for dir in charts {
        let chart = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("case.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let list = match json {
            serde_json::Value::Array(items) => items,
            single => vec![single],
        };
        for item in list {
            let name = item
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("default")
                .to_string();
            let args = item
                .get("args")
                .and_then(|a| a.as_array())
                .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            let expect_ok = item.get("expect").and_then(|e| e.as_str()) != Some("error");
            cases.push(Case {
                chart: chart.clone(),
                name,
                args,
                expect_ok,
            });
        }
    }
    cases
}

struct Run {
    ok: bool,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(bin: &Path, case: &Case) -> Run {
    let out = Command::new(bin)
        .arg("template")
        .arg("release-name")
        .arg(&case.chart)
        .args(&case.args)
        .current_dir(root())
        .env("TZ", "UTC")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    Run {
        ok: out.status.success(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Why a case does not agree with helm, or `None` when it does.
fn compare(case: &Case, helm: &Run, skiff: &Run) -> Option<String> {
    if case.expect_ok {
        if !helm.ok {
            return Some(format!("helm failed (fixture problem): {}", helm.stderr));
        }
        if !skiff.ok {
            return Some(format!(
                "skiff failed: {}",
                skiff.stderr.lines().next().unwrap_or("").trim()
            ));
        }
        if helm.stdout != skiff.stdout {
            let h = String::from_utf8_lossy(&helm.stdout);
            let s = String::from_utf8_lossy(&skiff.stdout);
            let line = h
                .lines()
                .zip(s.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| h.lines().count().min(s.lines().count()));
            let show = |t: &str| t.lines().nth(line).unwrap_or("<end>").to_string();
            return Some(format!(
                "output differs at line {}: helm {:?} / skiff {:?}",
                line + 1,
                show(&h),
                show(&s)
            ));
        }
        None
    } else if helm.ok {
        Some("helm succeeded on an error case (fixture problem)".into())
    } else if skiff.ok {
        Some("skiff succeeded where helm fails".into())
    } else {
        None
    }
}

#[test]
fn helm_charts_match_helm() {
    let Some(helm) = std::env::var_os("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set (differential test against helm v4.1.4)");
        return;
    };
    let helm = PathBuf::from(helm);
    let skiff = PathBuf::from(env!("CARGO_BIN_EXE_skiff"));
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    let mut passed = 0;
    for case in load_cases() {
        let id = format!("{}/{}", case.chart, case.name);
        let known = KNOWN_FAILURES.iter().find(|(k, _)| *k == id);
        let why = compare(&case, &run(&helm, &case), &run(&skiff, &case));
        match (why, known) {
            (None, None) => passed += 1,
            (None, Some(_)) => fixed.push(id),
            (Some(_), Some(_)) => {}
            (Some(why), None) => unexpected.push(format!("{id}: {why}")),
        }
    }
    eprintln!(
        "helm-charts: {passed} passed, {} known failures",
        KNOWN_FAILURES.len()
    );
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "cases failing unexpectedly:\n  {}\nknown failures that now pass (remove them from KNOWN_FAILURES):\n  {}",
        unexpected.join("\n  "),
        fixed.join("\n  ")
    );
}

#[test]
fn known_failures_name_real_cases() {
    let cases = load_cases();
    for (id, reason) in KNOWN_FAILURES {
        assert!(!reason.is_empty(), "{id} needs a reason");
        assert!(
            cases
                .iter()
                .any(|c| format!("{}/{}", c.chart, c.name) == *id),
            "{id} is not a case of tests/helm-charts"
        );
    }
}
