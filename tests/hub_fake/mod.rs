//! A local ArtifactHub: the parts of API 1.22 a CLI uses, served by
//! `skiff::registry::test_server::TestServer` on 127.0.0.1, plus a second
//! server holding real chart archives made with `skiff package` (and an
//! `index.yaml` made with `skiff repo index`, so helm can pull the same
//! charts for differential tests).
//!
//! What it reproduces (research/registries.md §3):
//! - `GET /api/v1/packages/search`: `limit` must be 1..=60 (else 400
//!   `{"message":…}`), `ts_query_web` as a case-insensitive substring of
//!   name, description or keywords, `kind` and `repo` filters, deprecated
//!   packages left out unless `deprecated=true`, the latest version of each
//!   package only, `Pagination-Total-Count`, `facets` only on request.
//! - `GET /api/v1/packages/helm/{repo}/{pkg}[/{version}]`: the package JSON
//!   with null fields left out (`json_strip_nulls`), `available_versions` in
//!   timestamp order (not semver), a prerelease, a `+build` version, a
//!   signed version; 404 `{"message":""}`.
//! - `Cache-Control: max-age=300` on every 200.
//! - A switch that answers the next N requests with 429 and `Retry-After`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};
use skiff::registry::sha256_hex;
use skiff::registry::test_server::{Reply, SeenRequest, TestServer};

/// One version of a fake package.
#[derive(Debug, Clone)]
pub struct FakeVersion {
    pub version: String,
    pub app_version: Option<String>,
    pub prerelease: bool,
    pub ts: i64,
    pub signed: bool,
    pub content_url: String,
    pub digest: Option<String>,
}

/// One fake package.
#[derive(Debug, Clone)]
pub struct FakePackage {
    pub repo: String,
    pub repo_url: String,
    pub kind: i64,
    pub name: String,
    pub description: String,
    pub deprecated: bool,
    pub keywords: Vec<String>,
    /// In the API's order: newest timestamp first.
    pub versions: Vec<FakeVersion>,
    /// The version ArtifactHub calls latest.
    pub latest: String,
}

/// 429 answers still to give, and the `Retry-After` they carry.
#[derive(Debug, Default)]
struct RateLimit {
    remaining: u32,
    retry_after: Option<String>,
}

/// The running fake: the API server and the chart-archive server.
pub struct FakeHub {
    pub api: TestServer,
    pub charts: TestServer,
    rate_limit: Arc<Mutex<RateLimit>>,
    pub packages: Arc<Vec<FakePackage>>,
    /// The archives served, by file name.
    pub archives: Arc<BTreeMap<String, Vec<u8>>>,
    /// The OCI package's archives (not served here), by version.
    pub oci_archives: BTreeMap<String, std::path::PathBuf>,
}

impl FakeHub {
    /// The API endpoint (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> String {
        self.api.url()
    }

    /// Answer the next `n` API requests with 429 (and `Retry-After`).
    pub fn rate_limit(&self, n: u32, retry_after: Option<&str>) {
        let mut r = self.rate_limit.lock().unwrap();
        r.remaining = n;
        r.retry_after = retry_after.map(str::to_string);
    }

    /// API requests seen so far.
    pub fn api_requests(&self) -> Vec<SeenRequest> {
        self.api.requests()
    }

    /// Starts both servers; the charts are packaged by the `skiff` binary
    /// into `work` (which must outlive the fake). The OCI package points at
    /// a registry nobody listens on; see [`FakeHub::start_with_oci`].
    pub fn start(work: &Path) -> FakeHub {
        FakeHub::start_with_oci(work, "oci://127.0.0.1:5999/charts/ocidemo")
    }

    /// Like [`FakeHub::start`], with `ocirepo/ocidemo` at `oci_base`
    /// (`oci://host/ns/ocidemo`). Its archives (`ocidemo` 0.1.0 and
    /// 0.2.0+build.1) are packaged into `work/oci-charts` and listed in
    /// `oci_archives`, for the caller to push there.
    pub fn start_with_oci(work: &Path, oci_base: &str) -> FakeHub {
        let charts_dir = work.join("charts");
        std::fs::create_dir_all(&charts_dir).unwrap();
        let archive = |name: &str, version: &str| -> String {
            package_chart(work, &charts_dir, name, version)
        };
        // The archive server learns its content after the files exist, so
        // it reads from a cell filled below.
        let served: Arc<Mutex<BTreeMap<String, Vec<u8>>>> = Arc::default();
        let served2 = served.clone();
        let charts = TestServer::start(move |req| {
            let name = req.path().trim_start_matches("/charts/").to_string();
            match served2.lock().unwrap().get(&decode(&name)) {
                Some(bytes) => {
                    Reply::ok(bytes.clone()).with_header("Content-Type", "application/gzip")
                }
                None => Reply::status(404).with_body("not found"),
            }
        })
        .unwrap();
        let base = format!("{}/charts", charts.url());

        let mut packages = Vec::new();
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let version = |name: &str, v: &str, ts: i64, file_bytes: &mut BTreeMap<String, Vec<u8>>| {
            let file = archive(name, v);
            let bytes = std::fs::read(charts_dir.join(&file)).unwrap();
            let digest = sha256_hex(&bytes);
            file_bytes.insert(file.clone(), bytes);
            FakeVersion {
                version: v.to_string(),
                app_version: Some(format!("app-{v}")),
                prerelease: v.contains('-'),
                ts,
                signed: false,
                content_url: format!("{base}/{file}"),
                digest: Some(digest),
            }
        };

        // lab/demo: the research lab's versions, listed by timestamp in an
        // order that is not semver order; 1.0.0 is signed.
        let mut demo_versions = vec![
            version("demo", "0.1.0", 500, &mut files),
            version("demo", "1.0.0", 400, &mut files),
            version("demo", "0.3.0-rc.1", 300, &mut files),
            version("demo", "0.2.0+build.1", 200, &mut files),
            version("demo", "0.4.0", 100, &mut files),
        ];
        demo_versions[1].signed = true;
        packages.push(FakePackage {
            repo: "lab".into(),
            repo_url: base.clone(),
            kind: 0,
            name: "demo".into(),
            description: "A demo chart for the lab".into(),
            deprecated: false,
            keywords: vec!["example".into(), "widetest".into()],
            versions: demo_versions,
            latest: "1.0.0".into(),
        });
        // lab/web: a description full of terminal escapes.
        packages.push(FakePackage {
            repo: "lab".into(),
            repo_url: base.clone(),
            kind: 0,
            name: "web".into(),
            description: "Web server \u{1b}[31mRED\u{1b}[0m \u{1b}]0;owned\u{7} chart \u{9b}2J"
                .into(),
            deprecated: false,
            keywords: vec![],
            versions: vec![version("web", "2.1.0", 100, &mut files)],
            latest: "2.1.0".into(),
        });
        // lab/wide: double-width text and cells past helm's 50 columns.
        let mut wide = version("wide", "3.0.0", 100, &mut files);
        wide.app_version =
            Some("2024.01.15-a-very-long-app-version-that-exceeds-fifty-columns".into());
        packages.push(FakePackage {
            repo: "lab".into(),
            repo_url: base.clone(),
            kind: 0,
            name: "wide".into(),
            description: "日本語のチャート — a description that runs well past the fifty-column limit of helm tables".into(),
            deprecated: false,
            keywords: vec!["widetest".into()],
            versions: vec![wide],
            latest: "3.0.0".into(),
        });
        // lab/broken: the hub's digest is not the archive's.
        let mut broken = version("broken", "1.0.0", 100, &mut files);
        broken.digest = Some(sha256_hex(b"some other bytes"));
        packages.push(FakePackage {
            repo: "lab".into(),
            repo_url: base.clone(),
            kind: 0,
            name: "broken".into(),
            description: "A demo whose digest is wrong".into(),
            deprecated: false,
            keywords: vec![],
            versions: vec![broken],
            latest: "1.0.0".into(),
        });
        // lab/old: deprecated, so search leaves it out.
        packages.push(FakePackage {
            repo: "lab".into(),
            repo_url: base.clone(),
            kind: 0,
            name: "old".into(),
            description: "An old demo, deprecated".into(),
            deprecated: true,
            keywords: vec![],
            versions: vec![version("old", "0.9.0", 100, &mut files)],
            latest: "0.9.0".into(),
        });
        // ocirepo/ocidemo: an OCI repository; content_url carries `_`.
        let oci_base = oci_base.to_string();
        let oci_dir = work.join("oci-charts");
        std::fs::create_dir_all(&oci_dir).unwrap();
        let mut oci_archives = BTreeMap::new();
        for v in ["0.1.0", "0.2.0+build.1"] {
            let file = package_chart(work, &oci_dir, "ocidemo", v);
            oci_archives.insert(v.to_string(), oci_dir.join(file));
        }
        packages.push(FakePackage {
            repo: "ocirepo".into(),
            repo_url: oci_base.clone(),
            kind: 0,
            name: "ocidemo".into(),
            description: "A demo chart in an OCI registry".into(),
            deprecated: false,
            keywords: vec![],
            versions: vec![
                listed_version(
                    "0.2.0+build.1",
                    100,
                    true,
                    format!("{oci_base}:0.2.0_build.1"),
                ),
                listed_version("0.1.0", 50, false, format!("{oci_base}:0.1.0")),
            ],
            latest: "0.2.0+build.1".into(),
        });
        // plugins/demo-plugin: a Helm plugin (kind 6), not a chart.
        packages.push(FakePackage {
            repo: "plugins".into(),
            repo_url: "https://plugins.example".into(),
            kind: 6,
            name: "demo-plugin".into(),
            description: "A demo Helm plugin".into(),
            deprecated: false,
            keywords: vec![],
            versions: vec![listed_version(
                "1.0.0",
                1,
                false,
                "https://plugins.example/p.tgz",
            )],
            latest: "1.0.0".into(),
        });
        // bulk/pkg-NN: enough packages to need two search pages.
        for i in 0..70 {
            packages.push(FakePackage {
                repo: "bulk".into(),
                repo_url: "https://bulk.example".into(),
                kind: 0,
                name: format!("pkg-{i:02}"),
                description: format!("bulk chart number {i}"),
                deprecated: false,
                keywords: vec![],
                versions: vec![listed_version(
                    "1.0.0",
                    1,
                    false,
                    format!("https://bulk.example/pkg-{i:02}-1.0.0.tgz"),
                )],
                latest: "1.0.0".into(),
            });
        }

        // An index.yaml for helm, written by skiff itself.
        let status = assert_cmd::Command::cargo_bin("skiff")
            .unwrap()
            .args(["repo", "index"])
            .arg(&charts_dir)
            .args(["--url", &base])
            .env("SOURCE_DATE_EPOCH", "0")
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        files.insert(
            "index.yaml".into(),
            std::fs::read(charts_dir.join("index.yaml")).unwrap(),
        );
        *served.lock().unwrap() = files.clone();

        let packages = Arc::new(packages);
        let rate_limit: Arc<Mutex<RateLimit>> = Arc::default();
        let (p2, r2) = (packages.clone(), rate_limit.clone());
        let api = TestServer::start(move |req| answer(req, &p2, &r2)).unwrap();
        FakeHub {
            api,
            charts,
            rate_limit,
            packages,
            archives: Arc::new(files),
            oci_archives,
        }
    }
}

/// Writes a small chart and packages it with `skiff package`; returns the
/// archive's file name.
fn package_chart(work: &Path, out: &Path, name: &str, version: &str) -> String {
    let src = work
        .join("src")
        .join(format!("{name}-{version}"))
        .join(name);
    std::fs::create_dir_all(src.join("templates")).unwrap();
    std::fs::write(
        src.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: app-{version}\ndescription: {name} for tests\n"
        ),
    )
    .unwrap();
    std::fs::write(src.join("values.yaml"), "greeting: hello\n").unwrap();
    std::fs::write(
        src.join("templates").join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting }}\n",
    )
    .unwrap();
    let status = assert_cmd::Command::cargo_bin("skiff")
        .unwrap()
        .arg("package")
        .arg(&src)
        .arg("-d")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    format!("{name}-{version}.tgz")
}

/// `%XX` decoding of a path or query component (`+` stays `+` in paths).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn json_reply(status: u16, body: &Value) -> Reply {
    let reply = Reply::status(status)
        .with_header("Content-Type", "application/json")
        .with_body(serde_json::to_vec(body).unwrap());
    if status == 200 {
        reply.with_header("Cache-Control", "max-age=300")
    } else {
        reply
    }
}

fn answer(req: &SeenRequest, packages: &[FakePackage], rate_limit: &Mutex<RateLimit>) -> Reply {
    {
        let mut r = rate_limit.lock().unwrap();
        if r.remaining > 0 {
            r.remaining -= 1;
            // ArtifactHub's 429 has no body schema; CloudFront sends none.
            let reply = Reply::status(429);
            return match &r.retry_after {
                Some(after) => reply.with_header("Retry-After", after),
                None => reply,
            };
        }
    }
    let url = url::Url::parse(&format!("http://fake{}", req.target)).unwrap();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.map(decode).collect())
        .unwrap_or_default();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["api", "v1", "packages", "search"] => search(packages, &query, get),
        ["api", "chartsvc", "v1", "charts", "search"] => monocular_search(packages, get("q")),
        ["api", "v1", "packages", "helm", repo, name] => detail(packages, repo, name, None),
        ["api", "v1", "packages", "helm", repo, name, version] => {
            detail(packages, repo, name, Some(version))
        }
        _ => json_reply(404, &json!({"message": ""})),
    }
}

fn search<'a>(
    packages: &[FakePackage],
    query: &[(String, String)],
    get: impl Fn(&str) -> Option<&'a str>,
) -> Reply {
    let limit = match get("limit").map(str::parse::<i64>) {
        None => 20,
        Some(Ok(n)) if (1..=60).contains(&n) => n,
        Some(_) => {
            return json_reply(
                400,
                &json!({"message": "invalid input: invalid limit (0 < l <= 60)"}),
            );
        }
    };
    let offset = match get("offset").map(str::parse::<i64>) {
        None => 0,
        Some(Ok(n)) if n >= 0 => n,
        Some(_) => return json_reply(400, &json!({"message": "invalid input: invalid offset"})),
    };
    let words = get("ts_query_web").unwrap_or("").to_lowercase();
    let kinds: Vec<i64> = query
        .iter()
        .filter(|(k, _)| k == "kind")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let repos: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "repo")
        .map(|(_, v)| v.as_str())
        .collect();
    let with_deprecated = get("deprecated") == Some("true");
    let matching: Vec<&FakePackage> = packages
        .iter()
        .filter(|p| {
            words.is_empty()
                || p.name.to_lowercase().contains(&words)
                || p.description.to_lowercase().contains(&words)
                || p.keywords.iter().any(|k| k.to_lowercase().contains(&words))
        })
        .filter(|p| kinds.is_empty() || kinds.contains(&p.kind))
        .filter(|p| repos.is_empty() || repos.contains(&p.repo.as_str()))
        .filter(|p| with_deprecated || !p.deprecated)
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|p| summary(p))
        .collect();
    let mut body = Map::new();
    body.insert("packages".into(), Value::Array(page));
    if get("facets") == Some("true") {
        body.insert("facets".into(), json!([]));
    }
    json_reply(200, &Value::Object(body))
        .with_header("Pagination-Total-Count", &matching.len().to_string())
}

/// The Monocular-compatible search `helm search hub` calls, with the same
/// matching as the API's search (so both list the same packages in the
/// same order).
fn monocular_search(packages: &[FakePackage], q: Option<&str>) -> Reply {
    let words = q.unwrap_or("").to_lowercase();
    let data: Vec<Value> = packages
        .iter()
        .filter(|p| p.kind == 0 && !p.deprecated)
        .filter(|p| {
            p.name.to_lowercase().contains(&words)
                || p.description.to_lowercase().contains(&words)
                || p.keywords.iter().any(|k| k.to_lowercase().contains(&words))
        })
        .map(|p| {
            let v = latest(p);
            json!({
                "id": format!("{}/{}", p.repo, p.name),
                "artifactHub": {"packageUrl": format!("https://hub.example/packages/helm/{}/{}", p.repo, p.name)},
                "attributes": {
                    "description": p.description,
                    "repo": {"name": p.repo, "url": p.repo_url},
                },
                "relationships": {"latestChartVersion": {"data": {
                    "version": v.version,
                    "app_version": v.app_version.clone().unwrap_or_default(),
                }}},
            })
        })
        .collect();
    json_reply(200, &json!({ "data": data }))
}

fn latest(p: &FakePackage) -> &FakeVersion {
    p.versions.iter().find(|v| v.version == p.latest).unwrap()
}

fn repository(p: &FakePackage) -> Value {
    let mut r = json!({
        "repository_id": format!("id-{}", p.repo),
        "kind": p.kind,
        "name": p.repo,
        "display_name": p.repo.to_uppercase(),
        "url": p.repo_url,
        "verified_publisher": p.repo == "lab",
        "official": false,
        "scanner_disabled": false,
    });
    // An organization owns `lab`; a user owns the others (never both).
    let owner = if p.repo == "lab" {
        ("organization_name", "lab-org")
    } else {
        ("user_alias", "someone")
    };
    r[owner.0] = json!(owner.1);
    r
}

/// A `PackageSummary`; absent values are left out, as `json_strip_nulls`
/// does.
fn summary(p: &FakePackage) -> Value {
    let v = latest(p);
    let mut s = json!({
        "package_id": format!("pkg-{}-{}", p.repo, p.name),
        "name": p.name,
        "normalized_name": p.name,
        "stars": 3,
        "official": false,
        "cncf": false,
        "description": p.description,
        "version": v.version,
        "deprecated": p.deprecated,
        "has_values_schema": false,
        "signed": v.signed,
        "ts": v.ts,
        "repository": repository(p),
    });
    if let Some(app) = &v.app_version {
        s["app_version"] = json!(app);
    }
    if v.signed {
        s["signatures"] = json!(["prov"]);
    }
    if p.name == "demo" {
        s["license"] = json!("Apache-2.0");
    }
    s
}

fn detail(packages: &[FakePackage], repo: &str, name: &str, version: Option<&str>) -> Reply {
    let Some(p) = packages
        .iter()
        .find(|p| p.repo == repo && p.name == name && p.kind == 0)
    else {
        return json_reply(404, &json!({"message": ""}));
    };
    let v = match version {
        None => latest(p),
        Some(want) => match p.versions.iter().find(|v| v.version == want) {
            Some(v) => v,
            None => return json_reply(404, &json!({"message": ""})),
        },
    };
    let mut d = summary(p);
    for key in ["version", "app_version", "signed", "signatures", "ts"] {
        d.as_object_mut().unwrap().remove(key);
    }
    d["version"] = json!(v.version);
    d["ts"] = json!(v.ts);
    d["signed"] = json!(v.signed);
    if let Some(app) = &v.app_version {
        d["app_version"] = json!(app);
    }
    if v.signed {
        d["signatures"] = json!(["prov"]);
    }
    d["prerelease"] = json!(v.prerelease);
    d["contains_security_updates"] = json!(false);
    d["content_url"] = json!(v.content_url);
    if let Some(digest) = &v.digest {
        d["digest"] = json!(digest);
    }
    d["available_versions"] = Value::Array(
        p.versions
            .iter()
            .map(|v| {
                let mut a = json!({
                    "version": v.version,
                    "contains_security_updates": false,
                    "prerelease": v.prerelease,
                    "ts": v.ts,
                });
                if let Some(app) = &v.app_version {
                    a["app_version"] = json!(app);
                }
                a
            })
            .collect(),
    );
    if p.name == "demo" {
        d["home_url"] = json!("https://demo.example");
        d["keywords"] = json!(p.keywords);
        d["maintainers"] = json!([{"name": "Lab Team", "email": "lab@example.org"}]);
        d["links"] = json!([{"name": "source", "url": "https://git.example/demo"}]);
        d["data"] = json!({"apiVersion": "v2", "type": "application"});
        d["readme"] = json!("# demo\n");
        d["stats"] = json!({"subscriptions": 1, "webhooks": 0});
        d["has_changelog"] = json!(false);
        d["sign_key"] = json!({"fingerprint": "0011AABB", "url": "https://keys.example/demo.asc"});
    }
    json_reply(200, &d)
}

/// A version the fake lists without serving it: no app version, not a
/// prerelease, no digest.
fn listed_version(
    version: &str,
    ts: i64,
    signed: bool,
    content_url: impl Into<String>,
) -> FakeVersion {
    FakeVersion {
        version: version.into(),
        app_version: None,
        prerelease: false,
        ts,
        signed,
        content_url: content_url.into(),
        digest: None,
    }
}
