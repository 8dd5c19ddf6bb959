//! URL resolution, file names, credentials scope and the repositories file.

use super::*;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[test]
fn references_resolve_like_helm() {
    // research §1.3: a trailing slash is forced and the repo's query is
    // copied onto every resolved URL.
    let table = [
        (
            "http://h:1/relrepo",
            "index.yaml",
            "http://h:1/relrepo/index.yaml",
        ),
        (
            "http://h:1/relrepo/",
            "sub/x.tgz",
            "http://h:1/relrepo/sub/x.tgz",
        ),
        (
            "http://h:1/relrepo",
            "/other/x.tgz",
            "http://h:1/other/x.tgz",
        ),
        (
            "http://h:1/a/relrepo",
            "../httprepo/x.tgz",
            "http://h:1/a/httprepo/x.tgz",
        ),
        (
            "http://h:1/relrepo?tok=abc",
            "sub/demo-0.1.0.tgz",
            "http://h:1/relrepo/sub/demo-0.1.0.tgz?tok=abc",
        ),
        (
            "http://h:1/relrepo?tok=abc",
            "index.yaml",
            "http://h:1/relrepo/index.yaml?tok=abc",
        ),
        // The base's query replaces one the reference carries.
        (
            "http://h:1/r?tok=abc",
            "x.tgz?v=2",
            "http://h:1/r/x.tgz?tok=abc",
        ),
        ("http://h:1/r", "x.tgz?v=2", "http://h:1/r/x.tgz"),
        // Absolute URLs are used as they are, without the base's query.
        (
            "http://h:1/r?tok=abc",
            "https://cdn.io/x.tgz",
            "https://cdn.io/x.tgz",
        ),
        ("http://h:1", "x.tgz", "http://h:1/x.tgz"),
    ];
    for (base, reference, want) in table {
        let got = resolve_reference(&url(base), reference).unwrap();
        assert_eq!(got.as_str(), want, "{base} + {reference}");
    }
}

#[test]
fn download_names_are_the_url_basename_and_safe() {
    assert_eq!(
        file_name_of(&url("http://h/c/demo-0.2.0+build.1.tgz?sig=1")).unwrap(),
        "demo-0.2.0+build.1.tgz"
    );
    assert_eq!(
        file_name_of(&url("http://h/c/a%20b.tgz")).unwrap(),
        "a b.tgz"
    );
    for bad in [
        "http://h/",
        "http://h/c/",
        "http://h/c/..%2Fevil.tgz",
        "http://h/c/%2E%2E",
        "http://h/c/a%5Cb.tgz",
        "http://h/c/%1b%5b31m.tgz",
        "http://h/c/a%00.tgz",
    ] {
        assert!(file_name_of(&url(bad)).is_err(), "{bad}");
    }
}

#[test]
fn credentials_only_go_to_the_repository_origin() {
    let auth = Auth::Basic {
        username: "u".into(),
        password: "p".into(),
    };
    let repo = url("https://charts.example/r/");
    let same = url("https://charts.example/r/demo.tgz");
    let other_host = url("https://cdn.example/demo.tgz");
    let other_port = url("https://charts.example:8443/r/demo.tgz");
    let other_scheme = url("http://charts.example/r/demo.tgz");
    assert!(auth_for(Some(&auth), &repo, &same, false).is_some());
    for target in [&other_host, &other_port, &other_scheme] {
        assert!(
            auth_for(Some(&auth), &repo, target, false).is_none(),
            "{target}"
        );
        assert!(
            auth_for(Some(&auth), &repo, target, true).is_some(),
            "{target}"
        );
    }
}

#[test]
fn repositories_file_round_trips_privately() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cfg/repositories.yaml");
    let mut file = RepoFile::default();
    file.update(RepoEntry {
        name: "lab".into(),
        url: "https://charts.example/r?tok=1".into(),
        username: "bob".into(),
        password: "s3cret".into(),
        pass_credentials_all: true,
        ..RepoEntry::default()
    });
    file.update(RepoEntry {
        name: "other".into(),
        url: "http://x".into(),
        insecure_skip_tls_verify: true,
        ..RepoEntry::default()
    });
    file.save(&path).unwrap();
    assert_eq!(RepoFile::load(&path).unwrap(), file);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("pass_credentials_all: true"), "{text}");
    assert!(!format!("{:?}", file).contains("s3cret"));
    assert_eq!(
        RepoFile::load(&dir.path().join("missing.yaml")).unwrap(),
        RepoFile::default()
    );
}

#[test]
fn repository_names_are_checked() {
    for ok in ["lab", "my-repo.io", "ünï"] {
        assert!(check_name(ok).is_ok(), "{ok}");
    }
    for bad in ["", "a/b", ".", "..", "a\\b", "x\u{1b}[31m"] {
        assert!(check_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn devel_is_a_prerelease_constraint_unless_a_version_is_given() {
    assert_eq!(version_request(None, false), "");
    assert_eq!(version_request(None, true), ">0.0.0-0");
    assert_eq!(version_request(Some("^1"), true), "^1");
    assert_eq!(version_request(Some(""), true), ">0.0.0-0");
}
