//! Reading indexes and choosing versions.

use super::*;

/// The research's lab repository: 1.0.0, 0.4.0, 0.3.0-rc.1, 0.2.0+build.1,
/// 0.1.0, listed out of order as a hand-written index might be.
const LAB: &str = r#"apiVersion: v1
entries:
  demo:
  - name: demo
    version: 0.1.0
    apiVersion: v2
    urls: [demo-0.1.0.tgz]
    digest: 4a9858e5aa
  - name: demo
    version: 1.0.0
    apiVersion: v2
    urls: [demo-1.0.0.tgz]
  - name: demo
    version: 0.3.0-rc.1
    apiVersion: v2
    urls: [demo-0.3.0-rc.1.tgz]
  - name: demo
    version: 0.2.0+build.1
    apiVersion: v2
    urls: [demo-0.2.0+build.1.tgz]
  - name: demo
    version: 0.4.0
    apiVersion: v2
    urls: [demo-0.4.0.tgz]
generated: "2026-11-27T10:40:14Z"
"#;

fn lab() -> RepoIndex {
    parse_index(LAB.as_bytes(), "lab").unwrap().index
}

#[test]
fn version_selection_matches_helm_index_get() {
    let index = lab();
    // (request, what helm v4.1.4 chose; research §1.4)
    let table = [
        ("", Some("1.0.0")),
        ("^0.2", Some("0.2.0+build.1")),
        ("0.2.0", Some("0.2.0+build.1")),
        (">0.0.0-0", Some("1.0.0")), // --devel
        ("~0.3.0-0", Some("0.3.0-rc.1")),
        ("0.3.0-rc.1", Some("0.3.0-rc.1")), // exact text wins
        ("7.0.0", None),
    ];
    for (request, want) in table {
        let got = index
            .get("demo", request)
            .ok()
            .map(|f| f.entry.version.clone());
        assert_eq!(got.as_deref(), want, "request {request:?}");
    }
    assert_eq!(index.get("nope", ""), Err(LookupError::NoChartName));
    assert!(matches!(
        index.get("demo", ">>1"),
        Err(LookupError::BadConstraint(_))
    ));
    let exact = index.get("demo", "0.4.0").unwrap();
    assert!(!exact.fallback);
    assert!(index.get("demo", "^0.2").unwrap().fallback);
}

#[test]
fn entries_sort_newest_first() {
    let index = lab();
    let order: Vec<&str> = index.entries["demo"]
        .iter()
        .map(|e| e.version.as_str())
        .collect();
    assert_eq!(
        order,
        ["1.0.0", "0.4.0", "0.3.0-rc.1", "0.2.0+build.1", "0.1.0"]
    );
    assert_eq!(
        index.entries["demo"][4].digest.as_deref(),
        Some("4a9858e5aa")
    );
}

#[test]
fn json_indexes_and_unknown_fields_are_accepted() {
    let json = br#"{"apiVersion":"v1","customTopLevel":{"x":[1,2]},
      "entries":{"demo":[{"name":"demo","version":"1.2.3","urls":["https://x.io/demo-1.2.3.tgz"],
      "digest":"ab","vendorField":{"deep":true}}]},"serverInfo":{}}"#;
    let parsed = parse_index(json, "j").unwrap();
    assert_eq!(parsed.index.entries["demo"][0].version, "1.2.3");
    assert!(parsed.warnings.is_empty());
    // The same unknown fields in YAML: helm's strict YAML path rejects the
    // whole index; skiff ignores them.
    let yaml = "apiVersion: v1\ncustomTopLevel: x\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n    unknownField: [1]\n    urls: [a.tgz]\n";
    let parsed = parse_index(yaml.as_bytes(), "y").unwrap();
    assert_eq!(parsed.index.entries["demo"][0].urls, ["a.tgz"]);
    // A YAML flow mapping is not JSON but still an index.
    let flow = "{apiVersion: v1, entries: {demo: [{name: demo, version: 2.0.0, urls: [b.tgz]}]}}";
    let parsed = parse_index(flow.as_bytes(), "f").unwrap();
    assert_eq!(parsed.index.entries["demo"][0].version, "2.0.0");
}

#[test]
fn scalar_text_is_kept_as_written() {
    // sigs.k8s.io/yaml converts a scalar to a string field by its text, so
    // `appVersion: 1.10` is "1.10", not the float 1.1.
    let yaml = "apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n    appVersion: 1.10\n    urls: [a.tgz]\n";
    let index = parse_index(yaml.as_bytes(), "y").unwrap().index;
    assert_eq!(
        index.entries["demo"][0].app_version.as_deref(),
        Some("1.10")
    );
}

#[test]
fn invalid_entries_are_skipped_with_a_warning() {
    let yaml = "apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: \"1.0.0\\e[31m\"\n    urls: [a.tgz]\n  - name: demo\n    version: \"1.0.0+\\e]0;pwned\\a\"\n    urls: [a.tgz]\n  - name: demo\n    urls: [a.tgz]\n  - null\n  - name: demo\n    version: 0.9.0\n    type: plugin\n  - name: demo\n    version: 0.8.0\n    description: \"ok\\e[2Jcleared\"\n    urls: [ok.tgz]\n  ..:\n  - name: ..\n    version: 1.0.0\n    urls: [x.tgz]\n";
    let parsed = parse_index(yaml.as_bytes(), "hostile").unwrap();
    let demo = &parsed.index.entries["demo"];
    assert_eq!(demo.len(), 1);
    assert_eq!(demo[0].version, "0.8.0");
    // helm's sanitizeString drops the escape's control character.
    assert_eq!(demo[0].description.as_deref(), Some("ok[2Jcleared"));
    assert!(parsed.index.entries[".."].is_empty());
    assert_eq!(parsed.warnings.len(), 6, "{:#?}", parsed.warnings);
    for w in &parsed.warnings {
        assert!(!w.chars().any(char::is_control), "{w:?}");
    }
    assert!(parsed.warnings.iter().any(|w| w.contains("\\u{1b}[31m")));
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| w.contains("\"..\" is not allowed"))
    );
}

#[test]
fn broken_indexes_fail_with_a_location() {
    let err = parse_index(b"", "e").unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    let err = parse_index(b"entries: {}\n", "e").unwrap_err();
    assert!(err.to_string().contains("no API version"), "{err}");
    let err = parse_index(
        b"apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    urls: {a: 1}\n",
        "e",
    )
    .unwrap_err();
    let RegistryError::Parse { line, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, Some(5));
    let err = parse_index(
        br#"{"apiVersion":"v1","entries":{"d":[{"version":1}]}}"#,
        "j",
    )
    .unwrap_err();
    assert!(matches!(err, RegistryError::Parse { .. }), "{err:?}");
}

#[test]
fn alias_bombs_are_refused() {
    let mut yaml = String::from("apiVersion: v1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        yaml.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    yaml.push_str("entries: {}\n");
    let start = std::time::Instant::now();
    let result = parse_index(yaml.as_bytes(), "bomb");
    assert!(result.is_err(), "an alias bomb must not parse");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn compact_form_round_trips() {
    let index = lab();
    let back = RepoIndex::from_compact(&index.to_compact()).unwrap();
    assert_eq!(back, index);
    let mut other = index.clone();
    other.format = COMPACT_FORMAT + 1;
    assert_eq!(RepoIndex::from_compact(&other.to_compact()), None);
    assert_eq!(RepoIndex::from_compact(b"not json"), None);
}

#[test]
fn masterminds_version_syntax() {
    for ok in ["1.0.0", "v1.2", "1", "1.0.0-rc.1+b.2", "0.2.0+build.1"] {
        assert!(parse_version(ok).is_some(), "{ok}");
    }
    for bad in [
        "",
        " 1.0.0",
        "1.0.0+",
        "1.0.0+a..b",
        "1.0.0+\u{1b}",
        "x",
        "1.0.0-01",
    ] {
        assert!(parse_version(bad).is_none(), "{bad:?}");
    }
}

#[test]
fn repeated_keys_are_an_error_like_helms_strict_reader() {
    let yaml = "apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n    version: 2.0.0\n";
    assert!(parse_index(yaml.as_bytes(), "dup").is_err());
}
