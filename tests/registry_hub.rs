//! ArtifactHub end to end: the client and the `search`, `show package` and
//! `pull artifacthub:` commands against a local fake of the API
//! (`hub_fake`), whose archives are real charts made by `skiff package` and
//! served by a second loopback server, so resolve → download → digest check
//! runs for real. Where helm can do the same thing (pull a version from the
//! same charts with `--version`/`--devel`), the test runs `$HELM_REF` and
//! compares.

mod hub_fake;
mod support;

use std::path::Path;

use assert_cmd::Command;
use hub_fake::FakeHub;
use skiff::registry::artifacthub::{HubClient, SearchQuery};
use skiff::registry::http::ClientOptions;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs skiff with config and cache homes inside `home`.
fn skiff(home: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("skiff")
        .unwrap()
        .args(args)
        .env("SKIFF_CONFIG_HOME", home.join("config"))
        .env("SKIFF_CACHE_HOME", home.join("cache"))
        .current_dir(home)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn setup() -> (tempfile::TempDir, FakeHub) {
    let dir = tempfile::tempdir().unwrap();
    let hub = FakeHub::start(&dir.path().join("fake"));
    (dir, hub)
}

fn client(hub: &FakeHub) -> HubClient {
    HubClient::new(Some(&hub.endpoint()), &ClientOptions::default()).unwrap()
}

fn query(text: &str, max: usize) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        max,
        ..SearchQuery::default()
    }
}

/// The `limit`/`offset` pairs of the search requests the fake saw.
fn pages(hub: &FakeHub) -> Vec<(String, String)> {
    hub.api_requests()
        .iter()
        .filter(|r| r.path() == "/api/v1/packages/search")
        .map(|r| {
            let url = url::Url::parse(&format!("http://x{}", r.target)).unwrap();
            let get = |k: &str| {
                url.query_pairs()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (get("limit"), get("offset"))
        })
        .collect()
}

#[test]
fn search_pages_past_sixty_and_stops_at_the_total() {
    let (_dir, hub) = setup();
    let c = client(&hub);
    let found = c.search(&query("bulk", 65)).unwrap();
    assert_eq!(found.packages.len(), 65);
    assert_eq!(found.total, Some(70));
    assert_eq!(found.packages[64].name, "pkg-64");
    assert_eq!(
        pages(&hub),
        [("60".into(), "0".into()), ("5".into(), "60".into())]
    );
    let all = c.search(&query("bulk", 500)).unwrap();
    assert_eq!(all.packages.len(), 70);
    // 60 from 0, then 60 from 60 which brings the last 10: the total is
    // reached, so no third request.
    assert_eq!(pages(&hub).len(), 4);
    let names: std::collections::BTreeSet<_> = all.packages.iter().map(|p| &p.name).collect();
    assert_eq!(names.len(), 70, "no package twice");
}

#[test]
fn search_sends_the_documented_parameters_and_filters_apply() {
    let (_dir, hub) = setup();
    let c = client(&hub);
    let found = c.search(&query("DEMO", 60)).unwrap();
    let names: Vec<String> = found
        .packages
        .iter()
        .map(|p| format!("{}/{}", p.repository.name, p.name))
        .collect();
    // kind=0 drops the plugin; the deprecated lab/old is left out.
    assert_eq!(names, ["lab/demo", "lab/broken", "ocirepo/ocidemo"]);
    let target = &hub.api_requests()[0].target;
    for part in [
        "ts_query_web=DEMO",
        "kind=0",
        "facets=false",
        "limit=60",
        "offset=0",
    ] {
        assert!(target.contains(part), "{target} lacks {part}");
    }
    let only_oci = c
        .search(&SearchQuery {
            repositories: vec!["ocirepo".into()],
            ..query("demo", 10)
        })
        .unwrap();
    assert_eq!(only_oci.packages.len(), 1);
    assert_eq!(only_oci.packages[0].name, "ocidemo");
    assert_eq!(only_oci.total, Some(1));
    assert!(c.search(&query("demo", 0)).is_err());
}

#[test]
fn api_error_messages_are_surfaced() {
    let (_dir, hub) = setup();
    let c = client(&hub);
    let err = c
        .search_page(&query("demo", 60), 61, 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("400"), "{err}");
    assert!(err.contains("invalid limit (0 < l <= 60)"), "{err}");
    let err = c.package("lab", "nope", None).unwrap_err().to_string();
    assert!(err.contains("package \"lab/nope\" not found"), "{err}");
    let err = c
        .package("lab", "demo", Some("9.9.9"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("version \"9.9.9\""), "{err}");
}

#[test]
fn package_detail_reads_with_fields_missing() {
    let (_dir, hub) = setup();
    let c = client(&hub);
    let demo = c.package("lab", "demo", None).unwrap();
    assert_eq!(demo.version, "1.0.0");
    assert_eq!(demo.signed, Some(true));
    assert_eq!(demo.signatures.as_deref(), Some(&["prov".to_string()][..]));
    assert_eq!(demo.available_versions.as_ref().unwrap().len(), 5);
    let web = c.package("lab", "web", None).unwrap();
    // The fake leaves these out, as json_strip_nulls does.
    assert_eq!(
        (web.maintainers, web.license, web.home_url),
        (None, None, None)
    );
    let plus = c.package("lab", "demo", Some("0.2.0+build.1")).unwrap();
    assert_eq!(plus.version, "0.2.0+build.1");
    assert!(
        plus.content_url
            .unwrap()
            .ends_with("/demo-0.2.0+build.1.tgz")
    );
}

#[test]
fn rate_limited_requests_are_retried_then_given_up() {
    let (_dir, hub) = setup();
    let c = client(&hub);
    hub.rate_limit(2, Some("0"));
    let found = c.search(&query("demo", 10)).unwrap();
    assert_eq!(found.packages.len(), 3);
    assert_eq!(hub.api_requests().len(), 3, "two 429s, then the answer");
    // The client retries three times; a fourth 429 is the error.
    hub.rate_limit(10, Some("0"));
    let err = c.search(&query("demo", 10)).unwrap_err().to_string();
    assert!(err.contains("429"), "{err}");
    assert_eq!(hub.api_requests().len(), 3 + 4);
}

#[test]
fn cli_search_prints_a_helm_style_table() {
    let (dir, hub) = setup();
    let run = skiff(
        dir.path(),
        &["search", "demo", "--endpoint", &hub.endpoint()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    let header: Vec<&str> = lines[0].split('\t').map(str::trim_end).collect();
    assert_eq!(
        header,
        [
            "NAME",
            "CHART VERSION",
            "APP VERSION",
            "DESCRIPTION",
            "REPO URL"
        ]
    );
    let demo: Vec<&str> = lines[1].split('\t').map(str::trim_end).collect();
    assert_eq!(
        demo[..4],
        ["lab/demo", "1.0.0", "app-1.0.0", "A demo chart for the lab"]
    );
    assert_eq!(demo[4], format!("{}/charts", hub.charts.url()));
    // Columns line up: every row's cells have the header's widths.
    let widths = |l: &str| l.split('\t').map(|c| c.chars().count()).collect::<Vec<_>>();
    assert!(lines.iter().all(|l| widths(l) == widths(lines[0])));
    let none = skiff(
        dir.path(),
        &["search", "zzz", "--endpoint", &hub.endpoint()],
    );
    assert_eq!((none.code, none.stdout.as_str()), (0, "No results found\n"));
}

#[test]
fn cli_search_json_has_stable_fields() {
    let (dir, hub) = setup();
    let run = skiff(
        dir.path(),
        &[
            "search",
            "demo",
            "--endpoint",
            &hub.endpoint(),
            "-o",
            "json",
            "--repo",
            "lab",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let items: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 2);
    let demo = &items[0];
    assert_eq!(demo["name"], "lab/demo");
    assert_eq!(demo["package"], "demo");
    assert_eq!(demo["version"], "1.0.0");
    assert_eq!(demo["app_version"], "app-1.0.0");
    assert_eq!(demo["signed"], true);
    assert_eq!(demo["deprecated"], false);
    assert_eq!(demo["repository"]["name"], "lab");
    assert_eq!(
        demo["url"],
        format!("{}/packages/helm/lab/demo", hub.endpoint())
    );
    let broken = &items[1];
    assert_eq!(broken["signed"], false);
}

#[test]
fn cli_search_pages_with_max() {
    let (dir, hub) = setup();
    let run = skiff(
        dir.path(),
        &[
            "search",
            "bulk",
            "--endpoint",
            &hub.endpoint(),
            "--max",
            "61",
            "-o",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let items: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(items.len(), 61);
    assert_eq!(pages(&hub).len(), 2);
    assert!(
        run.stderr.contains("61 of 70 matching charts shown"),
        "{}",
        run.stderr
    );
    let all = skiff(
        dir.path(),
        &[
            "search",
            "bulk",
            "--endpoint",
            &hub.endpoint(),
            "--max",
            "70",
        ],
    );
    assert_eq!(all.stdout.lines().count(), 71);
    assert!(all.stderr.is_empty(), "{}", all.stderr);
}

#[test]
fn cli_output_never_carries_terminal_escapes() {
    let (dir, hub) = setup();
    for args in [
        vec![
            "search",
            "web server",
            "--endpoint",
            &hub.endpoint(),
            "--max-col-width",
            "0",
        ],
        vec![
            "search",
            "web server",
            "--endpoint",
            &hub.endpoint(),
            "-o",
            "json",
        ],
        vec![
            "show",
            "package",
            "artifacthub:lab/web",
            "--endpoint",
            &hub.endpoint(),
        ],
    ] {
        let run = skiff(dir.path(), &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(
            !run.stdout
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{args:?}: {:?}",
            run.stdout
        );
        assert!(run.stdout.contains(r"\u{1b}[31mRED"), "{}", run.stdout);
        assert!(run.stdout.contains(r"\u{9b}2J"), "{}", run.stdout);
    }
}

#[test]
fn cli_show_package_yaml_and_json() {
    let (dir, hub) = setup();
    let run = skiff(
        dir.path(),
        &[
            "show",
            "package",
            "artifacthub:lab/demo",
            "--endpoint",
            &hub.endpoint(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = skiff::yaml::parse_document(&run.stdout).unwrap().to_json();
    assert!(
        run.stdout.starts_with("name: demo\nversion: 1.0.0\n"),
        "{}",
        run.stdout
    );
    assert_eq!(doc["signed"], true);
    assert_eq!(doc["signatures"], serde_json::json!(["prov"]));
    assert_eq!(doc["license"], "Apache-2.0");
    assert_eq!(doc["repository"]["name"], "lab");
    assert_eq!(doc["repository"]["verified_publisher"], true);
    assert_eq!(
        doc["content_url"],
        format!("{}/charts/demo-1.0.0.tgz", hub.charts.url())
    );
    assert_eq!(
        doc["digest"].as_str().unwrap(),
        skiff::registry::sha256_hex(&hub.archives["demo-1.0.0.tgz"])
    );
    let versions: Vec<&str> = doc["available_versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        ["1.0.0", "0.4.0", "0.3.0-rc.1", "0.2.0+build.1", "0.1.0"],
        "semver order, not the API's timestamp order"
    );
    assert_eq!(doc["maintainers"][0]["email"], "lab@example.org");
    assert_eq!(
        doc["install"],
        format!(
            "skiff pull artifacthub:lab/demo --version 1.0.0 --endpoint {}",
            hub.endpoint()
        )
    );

    let run = skiff(
        dir.path(),
        &[
            "show",
            "package",
            "artifacthub:lab/demo",
            "--endpoint",
            &hub.endpoint(),
            "--version",
            "^0.2",
            "-o",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["version"], "0.2.0+build.1");
    assert_eq!(doc["signed"], false);

    // OCI: the hint names the `+` version, not content_url's `_` tag.
    let run = skiff(
        dir.path(),
        &[
            "show",
            "package",
            "artifacthub:ocirepo/ocidemo",
            "--endpoint",
            &hub.endpoint(),
            "-o",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        doc["install"]
            .as_str()
            .unwrap()
            .contains("--version 0.2.0+build.1")
    );
    assert_eq!(doc["digest"], serde_json::Value::Null);

    let missing = skiff(
        dir.path(),
        &[
            "show",
            "package",
            "artifacthub:lab/nope",
            "--endpoint",
            &hub.endpoint(),
        ],
    );
    assert_ne!(missing.code, 0);
    assert!(missing.stdout.is_empty());
    assert!(
        missing.stderr.contains("\"lab/nope\" not found"),
        "{}",
        missing.stderr
    );
    let wrong = skiff(dir.path(), &["show", "package", "lab/demo"]);
    assert_ne!(wrong.code, 0);
    assert!(
        wrong.stderr.contains("artifacthub:REPO/PACKAGE"),
        "{}",
        wrong.stderr
    );
}

/// Pulls `artifacthub:lab/demo` with `extra` flags into a fresh folder and
/// returns the one file saved there.
fn pull_demo(dir: &Path, hub: &FakeHub, extra: &[&str]) -> (Run, Vec<String>) {
    let dest = tempfile::tempdir_in(dir).unwrap();
    let dest_s = dest.path().to_str().unwrap().to_string();
    let endpoint = hub.endpoint();
    let mut args = vec![
        "pull",
        "artifacthub:lab/demo",
        "--endpoint",
        &endpoint,
        "-d",
        &dest_s,
    ];
    args.extend_from_slice(extra);
    let run = skiff(dir, &args);
    let files = std::fs::read_dir(dest.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    (run, files)
}

#[test]
fn cli_pull_downloads_the_verified_archive() {
    let (dir, hub) = setup();
    let dest = dir.path().join("out");
    std::fs::create_dir(&dest).unwrap();
    let run = skiff(
        dir.path(),
        &[
            "pull",
            "artifacthub:lab/demo",
            "--endpoint",
            &hub.endpoint(),
            "-d",
            dest.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let saved = dest.join("demo-1.0.0.tgz");
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        hub.archives["demo-1.0.0.tgz"]
    );
    assert!(
        run.stdout.starts_with("Pulled demo 1.0.0 to "),
        "{}",
        run.stdout
    );
    // The download went through the shared content cache (the chart-URL
    // arm keyed by the hub's digest): a second pull of the same version
    // is served from it, and the archive server sees no second request.
    let downloads = |hub: &FakeHub| {
        hub.charts
            .requests()
            .iter()
            .filter(|r| r.path().ends_with("demo-1.0.0.tgz"))
            .count()
    };
    assert_eq!(downloads(&hub), 1);
    let again = dir.path().join("again");
    std::fs::create_dir(&again).unwrap();
    let run = skiff(
        dir.path(),
        &[
            "pull",
            "artifacthub:lab/demo",
            "--endpoint",
            &hub.endpoint(),
            "-d",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read(again.join("demo-1.0.0.tgz")).unwrap(),
        hub.archives["demo-1.0.0.tgz"]
    );
    assert_eq!(downloads(&hub), 1, "the second pull came from the cache");
    // The archive is a chart skiff can render.
    let rendered = skiff(dir.path(), &["template", "rel", saved.to_str().unwrap()]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    assert!(rendered.stdout.contains("name: rel"), "{}", rendered.stdout);
    // --untar unpacks it.
    let run = skiff(
        dir.path(),
        &[
            "pull",
            "artifacthub:lab/demo",
            "--endpoint",
            &hub.endpoint(),
            "--version",
            "0.4.0",
            "--untar",
            "-d",
            dest.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let chart = std::fs::read_to_string(dest.join("demo/Chart.yaml")).unwrap();
    assert!(chart.contains("version: 0.4.0"), "{chart}");
}

#[test]
fn cli_pull_picks_versions_like_helm() {
    let (dir, hub) = setup();
    // research/registries.md §1.4, helm v4.1.4 against the same versions.
    for (flags, expected) in [
        (vec![], "demo-1.0.0.tgz"),
        (vec!["--version", "^0.2"], "demo-0.2.0+build.1.tgz"),
        (vec!["--version", "0.2.0"], "demo-0.2.0+build.1.tgz"),
        (vec!["--devel"], "demo-1.0.0.tgz"),
        (vec!["--version", "~0.3.0-0"], "demo-0.3.0-rc.1.tgz"),
        (vec!["--version", "0.3.0-rc.1"], "demo-0.3.0-rc.1.tgz"),
        (vec!["--version", "<1", "--devel"], "demo-0.4.0.tgz"),
    ] {
        let (run, files) = pull_demo(dir.path(), &hub, &flags);
        assert_eq!(run.code, 0, "{flags:?}: {}", run.stderr);
        assert_eq!(files, [expected], "{flags:?}");
    }
    let (run, files) = pull_demo(dir.path(), &hub, &["--version", "7.0.0"]);
    assert_ne!(run.code, 0);
    assert!(files.is_empty());
    assert!(
        run.stderr.contains("no version matching 7.0.0"),
        "{}",
        run.stderr
    );
}

#[test]
fn cli_pull_matches_helm_on_the_same_charts() {
    let Some(helm) = std::env::var_os("HELM_REF").filter(|v| !v.is_empty()) else {
        eprintln!("skipped: HELM_REF is not set (differential pull against helm)");
        return;
    };
    let (dir, hub) = setup();
    let repo = format!("{}/charts", hub.charts.url());
    for flags in [
        vec![],
        vec!["--version", "^0.2"],
        vec!["--version", "0.2.0"],
        vec!["--devel"],
        vec!["--version", "~0.3.0-0"],
        vec!["--version", ">=0.1 <0.4"],
        vec!["--version", "0.1.0 || 0.3.0-rc.1"],
    ] {
        let helm_dest = tempfile::tempdir_in(dir.path()).unwrap();
        let out = std::process::Command::new(&helm)
            .args(["pull", "demo", "--repo", &repo, "-d"])
            .arg(helm_dest.path())
            .args(&flags)
            .env("HELM_CONFIG_HOME", dir.path().join("helm-config"))
            .env("HELM_CACHE_HOME", dir.path().join("helm-cache"))
            .env("HELM_DATA_HOME", dir.path().join("helm-data"))
            .output()
            .unwrap();
        assert!(out.status.success(), "helm {flags:?}: {out:?}");
        let helm_files: Vec<String> = std::fs::read_dir(helm_dest.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let (run, files) = pull_demo(dir.path(), &hub, &flags);
        assert_eq!(run.code, 0, "{flags:?}: {}", run.stderr);
        assert_eq!(files, helm_files, "{flags:?}");
    }
}

#[test]
fn cli_pull_refuses_an_archive_whose_digest_differs() {
    let (dir, hub) = setup();
    let dest = dir.path().join("out");
    std::fs::create_dir(&dest).unwrap();
    let run = skiff(
        dir.path(),
        &[
            "pull",
            "artifacthub:lab/broken",
            "--endpoint",
            &hub.endpoint(),
            "-d",
            dest.to_str().unwrap(),
        ],
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("digest mismatch"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(
        std::fs::read_dir(&dest).unwrap().count(),
        0,
        "nothing saved"
    );
    // The download did happen: the check, not a failed request, refused it.
    assert!(
        hub.charts
            .requests()
            .iter()
            .any(|r| r.path() == "/charts/broken-1.0.0.tgz")
    );
}

#[test]
fn cli_retries_after_429() {
    let (dir, hub) = setup();
    hub.rate_limit(1, Some("1"));
    let started = std::time::Instant::now();
    let run = skiff(
        dir.path(),
        &["search", "demo", "--endpoint", &hub.endpoint()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("rate limiting (429)"), "{}", run.stderr);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert!(run.stdout.contains("lab/demo"));
    // A pull goes through the same client.
    hub.rate_limit(2, Some("0"));
    let (run, files) = pull_demo(dir.path(), &hub, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(files, ["demo-1.0.0.tgz"]);
}

#[test]
fn cli_bad_endpoints_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let run = skiff(
        dir.path(),
        &["search", "demo", "--endpoint", "http://127.0.0.1:1"],
    );
    assert_ne!(run.code, 0);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("http://127.0.0.1:1/api/v1/packages/search"),
        "{}",
        run.stderr
    );
    let run = skiff(
        dir.path(),
        &["search", "demo", "--endpoint", "artifacthub.io"],
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("invalid ArtifactHub endpoint"),
        "{}",
        run.stderr
    );
    let run = skiff(
        dir.path(),
        &["pull", "lab/demo", "--endpoint", "http://127.0.0.1:1"],
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("--endpoint applies only to artifacthub:"),
        "{}",
        run.stderr
    );
    // A server that is not ArtifactHub.
    let other = skiff::registry::test_server::TestServer::start(|_| {
        skiff::registry::test_server::Reply::ok("<html>hello</html>")
    })
    .unwrap();
    let run = skiff(dir.path(), &["search", "demo", "--endpoint", &other.url()]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("not an ArtifactHub API answer"),
        "{}",
        run.stderr
    );
}

#[test]
fn cli_answers_are_cached_for_their_max_age() {
    let (dir, hub) = setup();
    let api_paths = || -> Vec<String> {
        hub.api_requests()
            .iter()
            .map(|r| r.path().to_string())
            .collect()
    };
    for _ in 0..2 {
        let run = skiff(
            dir.path(),
            &["search", "demo", "--endpoint", &hub.endpoint()],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("lab/demo"));
    }
    assert_eq!(
        api_paths(),
        ["/api/v1/packages/search"],
        "second search from the cache"
    );
    // show, then pull: the pull reuses the package answer.
    let show = skiff(
        dir.path(),
        &[
            "show",
            "package",
            "artifacthub:lab/demo",
            "--endpoint",
            &hub.endpoint(),
        ],
    );
    assert_eq!(show.code, 0, "{}", show.stderr);
    let (run, files) = pull_demo(dir.path(), &hub, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(files, ["demo-1.0.0.tgz"]);
    assert_eq!(api_paths().len(), 2, "{:?}", api_paths());
    // Another endpoint (same server, other spelling) is another cache key.
    let other = hub.endpoint().replace("127.0.0.1", "localhost");
    let run = skiff(dir.path(), &["search", "demo", "--endpoint", &other]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(api_paths().len(), 3);
}

/// Not a test: serves the fake for trying the commands by hand, e.g.
/// `SKIFF_FAKE_HUB_SECONDS=600 cargo test --test registry_hub serve_fake_hub
/// -- --ignored --nocapture`, then `skiff search demo --endpoint <printed>`.
#[test]
#[ignore = "serves the fake ArtifactHub for manual use"]
fn serve_fake_hub() {
    let dir = tempfile::tempdir().unwrap();
    let hub = FakeHub::start(&dir.path().join("fake"));
    let seconds = std::env::var("SKIFF_FAKE_HUB_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    println!("fake ArtifactHub: {}", hub.endpoint());
    println!("chart archives:   {}/charts", hub.charts.url());
    std::thread::sleep(std::time::Duration::from_secs(seconds));
}

#[test]
fn library_pull_checks_both_digests() {
    use skiff::registry::paths::Homes;
    use skiff::registry::pull::{PullOptions, fetch};
    use skiff::registry::reference::ChartRef;
    let (dir, hub) = setup();
    let homes = Homes {
        config: dir.path().join("config"),
        cache: dir.path().join("cache"),
    };
    let reference = ChartRef::parse("artifacthub:lab/demo").unwrap();
    let archive = &hub.archives["demo-0.4.0.tgz"];
    let options = PullOptions {
        version: Some("0.4.0".into()),
        artifacthub_endpoint: Some(hub.endpoint()),
        expected_digest: Some(format!("sha256:{}", skiff::registry::sha256_hex(archive))),
        ..PullOptions::default()
    };
    let pulled = fetch(&reference, &options, &homes).unwrap();
    assert_eq!(&pulled.bytes, archive);
    assert_eq!(
        (pulled.name.as_str(), pulled.version.as_str()),
        ("demo", "0.4.0")
    );
    assert_eq!(pulled.file_name, "demo-0.4.0.tgz");
    assert_eq!(
        pulled.digest,
        format!("sha256:{}", skiff::registry::sha256_hex(archive))
    );
    // A caller who knows another digest than the hub's gets an error before
    // anything is downloaded.
    let before = hub.charts.requests().len();
    let wrong = PullOptions {
        expected_digest: Some("0".repeat(64)),
        ..options
    };
    let err = fetch(&reference, &wrong, &homes).unwrap_err().to_string();
    assert!(err.contains("ArtifactHub lists digest"), "{err}");
    assert_eq!(hub.charts.requests().len(), before);
}

#[test]
fn cli_search_table_lays_out_like_helm_search_hub() {
    let Some(helm) = std::env::var_os("HELM_REF").filter(|v| !v.is_empty()) else {
        eprintln!("skipped: HELM_REF is not set (table layout against helm search hub)");
        return;
    };
    let (dir, hub) = setup();
    for width in ["50", "20", "0"] {
        let out = std::process::Command::new(&helm)
            .args([
                "search",
                "hub",
                "widetest",
                "--list-repo-url",
                "--max-col-width",
                width,
            ])
            .args(["--endpoint", &hub.endpoint()])
            .env("HELM_CONFIG_HOME", dir.path().join("helm-config"))
            .env("HELM_CACHE_HOME", dir.path().join("helm-cache"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let helm_text = String::from_utf8(out.stdout).unwrap();
        let run = skiff(
            dir.path(),
            &[
                "search",
                "widetest",
                "--endpoint",
                &hub.endpoint(),
                "--max-col-width",
                width,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        // helm's first column is the package page URL, ours the
        // repo/package name; the other four columns hold the same data
        // under the same headers and must come out byte for byte the same.
        let rest = |text: &str| -> Vec<String> {
            text.lines()
                .map(|l| {
                    l.split_once('\t')
                        .map(|(_, r)| r.to_string())
                        .unwrap_or_default()
                })
                .collect()
        };
        assert_eq!(
            rest(&run.stdout),
            rest(&helm_text),
            "width {width}:\n{helm_text}\n{}",
            run.stdout
        );
        assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
        assert_eq!(helm_text.lines().count(), 3, "{helm_text}");
        assert!(helm_text.contains("日本語"), "{helm_text}");
        assert_eq!(helm_text.contains("..."), width != "0", "{helm_text}");
    }
}

/// ArtifactHub → OCI end to end: the fake's OCI package points at a real
/// registry (docker-registry, as in tests/registry_oci.rs) holding charts
/// pushed with `skiff push`; `pull artifacthub:` resolves the package on the
/// hub, then pulls `repository.url` with the package version (so the `+`
/// of a build version becomes the `_` tag) over plain HTTP, with the layer
/// digest checked. helm pulls the same version from the same registry and
/// gets the same bytes.
#[test]
fn cli_pull_artifacthub_oci_package_from_a_real_registry() {
    use support::registry::{Registry, have, helm};
    if !have("docker-registry") {
        return;
    }
    let registry = Registry::start("", "");
    let dir = tempfile::tempdir().unwrap();
    let oci_base = format!("oci://{}/charts/ocidemo", registry.host());
    let hub = FakeHub::start_with_oci(&dir.path().join("fake"), &oci_base);
    let namespace = format!("oci://{}/charts", registry.host());
    for archive in hub.oci_archives.values() {
        let run = skiff(
            dir.path(),
            &[
                "push",
                archive.to_str().unwrap(),
                &namespace,
                "--plain-http",
            ],
        );
        assert_eq!(run.code, 0, "push {archive:?}: {}", run.stderr);
    }
    let endpoint = hub.endpoint();
    let cases: [(&[&str], &str); 4] = [
        (&[], "0.2.0+build.1"),
        (&["--version", "0.1.0"], "0.1.0"),
        (&["--version", "0.2.0+build.1"], "0.2.0+build.1"),
        (&["--version", "<0.2"], "0.1.0"),
    ];
    for (flags, version) in cases {
        let dest = tempfile::tempdir_in(dir.path()).unwrap();
        let mut args = vec![
            "pull",
            "artifacthub:ocirepo/ocidemo",
            "--endpoint",
            &endpoint,
            "--plain-http",
            "-d",
            dest.path().to_str().unwrap(),
        ];
        args.extend_from_slice(flags);
        let run = skiff(dir.path(), &args);
        assert_eq!(run.code, 0, "{flags:?}: {}", run.stderr);
        let want = std::fs::read(&hub.oci_archives[version]).unwrap();
        let saved = dest.path().join(format!("ocidemo-{version}.tgz"));
        assert_eq!(std::fs::read(&saved).unwrap(), want, "{flags:?}");
        // helm's wording: the OCI reference with the `_` tag, then the
        // manifest digest.
        let tag = version.replace('+', "_");
        let pulled = format!(
            "Pulled: {}/charts/ocidemo:{tag}\nDigest: sha256:",
            registry.host()
        );
        assert!(run.stdout.starts_with(&pulled), "{flags:?}: {}", run.stdout);
        if let Some(helm) = helm() {
            let helm_dest = tempfile::tempdir_in(dir.path()).unwrap();
            let out = std::process::Command::new(helm)
                .args([
                    "pull",
                    &oci_base,
                    "--version",
                    version,
                    "--plain-http",
                    "-d",
                ])
                .arg(helm_dest.path())
                .env("HELM_CONFIG_HOME", dir.path().join("helm/config"))
                .env("HELM_CACHE_HOME", dir.path().join("helm/cache"))
                .env("HELM_DATA_HOME", dir.path().join("helm/data"))
                .output()
                .unwrap();
            assert!(out.status.success(), "helm pull: {out:?}");
            let helm_bytes =
                std::fs::read(helm_dest.path().join(format!("ocidemo-{version}.tgz"))).unwrap();
            assert_eq!(helm_bytes, want, "helm pulled other bytes for {version}");
        }
    }
    // Without --plain-http the OCI arm speaks HTTPS to a plain-HTTP
    // registry, and fails without saving anything.
    let dest = tempfile::tempdir_in(dir.path()).unwrap();
    let run = skiff(
        dir.path(),
        &[
            "pull",
            "artifacthub:ocirepo/ocidemo",
            "--endpoint",
            &endpoint,
            "-d",
            dest.path().to_str().unwrap(),
        ],
    );
    assert_ne!(run.code, 0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(std::fs::read_dir(dest.path()).unwrap().count(), 0);
}
