//! HTTP chart repositories through the `skiff` binary, against a real HTTP
//! server on 127.0.0.1 (`skiff::registry::test_server`) serving folders of
//! charts made with `skiff package` + `skiff repo index`. Configuration
//! and cache live in temporary folders (SKIFF_CONFIG_HOME /
//! SKIFF_CACHE_HOME). The helm interoperability tests at the end run
//! `$HELM_REF` and say they are skipped when it is unset.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use skiff::registry::test_server::{Reply, SeenRequest, TestServer};

/// A temporary workspace: config and cache homes, a chart source, output.
struct Lab {
    tmp: tempfile::TempDir,
}

impl Lab {
    fn new() -> Lab {
        Lab {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir().join(rel)
    }

    /// Runs skiff in the workspace.
    fn run(&self, args: &[&str]) -> Output {
        Command::cargo_bin("skiff")
            .unwrap()
            .args(args)
            .current_dir(self.dir())
            .env("SKIFF_CONFIG_HOME", self.path("config"))
            .env("SKIFF_CACHE_HOME", self.path("cache"))
            .env("NO_COLOR", "1")
            .env_remove("HOME")
            .output()
            .unwrap()
    }

    /// Runs skiff and asserts success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "skiff {args:?} failed:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Runs skiff and asserts failure; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "skiff {args:?} should fail:\n{}",
            text(&out.stdout)
        );
        text(&out.stderr)
    }

    /// Writes the `demo` chart source.
    fn chart_source(&self) -> PathBuf {
        let src = self.path("src/demo");
        fs::create_dir_all(src.join("templates")).unwrap();
        fs::write(
            src.join("Chart.yaml"),
            "apiVersion: v2\nname: demo\nversion: 0.1.0\ndescription: A demo chart\n",
        )
        .unwrap();
        fs::write(
            src.join("templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  version: {{ .Chart.Version | quote }}\n",
        )
        .unwrap();
        src
    }

    /// A repository folder `rel` with demo at `versions`, indexed by skiff.
    fn repo(&self, rel: &str, versions: &[&str], index_args: &[&str]) -> PathBuf {
        let src = self.chart_source();
        let repo = self.path(rel);
        fs::create_dir_all(&repo).unwrap();
        for v in versions {
            self.ok(&[
                "package",
                src.to_str().unwrap(),
                "--version",
                v,
                "-d",
                repo.to_str().unwrap(),
            ]);
        }
        let mut args = vec!["repo", "index", repo.to_str().unwrap()];
        args.extend_from_slice(index_args);
        self.ok(&args);
        repo
    }

    /// Everything under the content cache.
    fn cached_files(&self) -> Vec<PathBuf> {
        walk(&self.path("cache/content"))
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The research's lab versions.
const LAB_VERSIONS: &[&str] = &["1.0.0", "0.4.0", "0.3.0-rc.1", "0.2.0+build.1", "0.1.0"];

/// Serves `root` (path without query), answering 404 for anything else.
/// `hook` may answer first (redirects, auth checks).
fn serve(
    root: PathBuf,
    hook: impl Fn(&SeenRequest) -> Option<Reply> + Send + Sync + 'static,
) -> TestServer {
    TestServer::start(move |r| {
        if let Some(reply) = hook(r) {
            return reply;
        }
        let rel = r.path().trim_start_matches('/');
        if rel.split('/').any(|c| c == "..") {
            return Reply::status(400);
        }
        match fs::read(root.join(rel)) {
            Ok(bytes) => Reply::ok(bytes),
            Err(_) => Reply::status(404),
        }
    })
    .unwrap()
}

fn serve_dir(root: PathBuf) -> TestServer {
    serve(root, |_| None)
}

#[test]
fn add_update_list_remove() {
    let lab = Lab::new();
    let repo = lab.repo("repo", &["0.1.0", "1.0.0"], &[]);
    let server = serve_dir(repo);
    let url = server.url();
    assert_eq!(
        lab.ok(&["repo", "add", "lab", &url]),
        "\"lab\" has been added to your repositories\n"
    );
    let config = lab.path("config/repositories.yaml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "repositories.yaml can hold passwords");
    }
    for f in ["lab-index.yaml", "lab-charts.txt", "lab-index.skiff.json"] {
        assert!(lab.path("cache/repository").join(f).exists(), "{f}");
    }
    assert_eq!(
        fs::read_to_string(lab.path("cache/repository/lab-charts.txt")).unwrap(),
        "demo\n"
    );
    let listed = lab.ok(&["repo", "list"]);
    assert_eq!(listed, format!("NAME\tURL\nlab \t{url}\n"));
    // Adding the same configuration again is a no-op; another URL under
    // the same name needs --force-update.
    assert!(
        lab.ok(&["repo", "add", "lab", &url])
            .contains("already exists with the same configuration")
    );
    let err = lab.fails(&["repo", "add", "lab", &format!("{url}/other")]);
    assert!(
        err.contains("repository name (lab) already exists"),
        "{err}"
    );
    let err = lab.fails(&["repo", "add", "a/b", &url]);
    assert!(err.contains("contains '/'"), "{err}");
    lab.ok(&["repo", "add", "lab2", &url]);
    let updated = lab.ok(&["repo", "update"]);
    assert!(
        updated.contains("...Successfully got an update from the \"lab\" chart repository"),
        "{updated}"
    );
    assert!(updated.contains("\"lab2\""), "{updated}");
    assert!(updated.ends_with("Update complete.\n"), "{updated}");
    let only = lab.ok(&["repo", "update", "lab2"]);
    assert!(!only.contains("\"lab\" chart"), "{only}");
    let err = lab.fails(&["repo", "update", "nope"]);
    assert!(
        err.contains("no repositories found matching 'nope'"),
        "{err}"
    );
    // An unreachable repository is reported and fails the command.
    let err = lab.fails(&["repo", "add", "dead", "http://127.0.0.1:1/charts"]);
    assert!(
        err.contains("is not a valid chart repository or cannot be reached"),
        "{err}"
    );
    assert_eq!(
        lab.ok(&["repo", "remove", "lab"]),
        "\"lab\" has been removed from your repositories\n"
    );
    assert!(!lab.path("cache/repository/lab-index.yaml").exists());
    assert!(!lab.path("cache/repository/lab-index.skiff.json").exists());
    let err = lab.fails(&["repo", "remove", "lab"]);
    assert!(err.contains("no repo named \"lab\" found"), "{err}");
    lab.ok(&["repo", "rm", "lab2"]);
    let err = lab.fails(&["repo", "list"]);
    assert!(err.contains("no repositories to show"), "{err}");
    let err = lab.fails(&["repo", "update"]);
    assert!(
        err.contains("no repositories found. You must add one"),
        "{err}"
    );
}

#[test]
fn version_selection_like_helm() {
    let lab = Lab::new();
    let server = serve_dir(lab.repo("repo", LAB_VERSIONS, &[]));
    lab.ok(&["repo", "add", "lab", &server.url()]);
    // (flags, file helm saves; research §1.4)
    let table: &[(&[&str], &str)] = &[
        (&[], "demo-1.0.0.tgz"),
        (&["--version", "^0.2"], "demo-0.2.0+build.1.tgz"),
        (&["--version", "0.2.0"], "demo-0.2.0+build.1.tgz"),
        (&["--devel"], "demo-1.0.0.tgz"),
        (&["--version", "~0.3.0-0"], "demo-0.3.0-rc.1.tgz"),
        (&["--version", "0.1.0", "--devel"], "demo-0.1.0.tgz"),
    ];
    for (i, (flags, file)) in table.iter().enumerate() {
        let dest = format!("out{i}");
        let mut args = vec!["pull", "lab/demo", "-d", &dest];
        args.extend_from_slice(flags);
        lab.ok(&args);
        let saved: Vec<String> = fs::read_dir(lab.path(&dest))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(saved, [file.to_string()], "{flags:?}");
        // The saved archive is the one the index names.
        let bytes = fs::read(lab.path(&dest).join(file)).unwrap();
        let index = fs::read_to_string(lab.path("repo/index.yaml")).unwrap();
        assert!(index.contains(&skiff::registry::sha256_hex(&bytes)));
    }
    let err = lab.fails(&["pull", "lab/demo", "--version", "7.0.0", "-d", "none"]);
    assert!(
        err.contains(
            "chart \"demo\" matching 7.0.0 not found in lab index. (try 'skiff repo update')"
        ),
        "{err}"
    );
    assert!(!lab.path("none").exists());
    let err = lab.fails(&["pull", "lab/nope"]);
    assert!(
        err.contains("chart \"nope\" not found in lab index"),
        "{err}"
    );
    let err = lab.fails(&["pull", "other/demo"]);
    assert!(err.contains("repo other not found"), "{err}");
}

#[test]
fn pull_with_repo_url_needs_no_added_repository() {
    let lab = Lab::new();
    let server = serve_dir(lab.repo("repo", LAB_VERSIONS, &[]));
    let url = server.url();
    lab.ok(&[
        "pull",
        "demo",
        "--repo",
        &url,
        "--version",
        "^0.2",
        "-d",
        "out",
    ]);
    assert!(lab.path("out/demo-0.2.0+build.1.tgz").exists());
    assert!(!lab.path("config/repositories.yaml").exists());
    let err = lab.fails(&["pull", "demo", "--repo", &url, "--version", "7.0.0"]);
    assert!(
        err.contains(&format!(
            "chart \"demo\" version \"7.0.0\" not found in {url}/ repository"
        )),
        "{err}"
    );
}

#[test]
fn pulls_use_the_cache_and_untar() {
    let lab = Lab::new();
    let server = serve_dir(lab.repo("repo", &["0.4.0"], &[]));
    lab.ok(&["repo", "add", "lab", &server.url()]);
    lab.ok(&["pull", "lab/demo", "-d", "a"]);
    let before = server.requests().len();
    lab.ok(&["pull", "lab/demo", "-d", "b", "--untar"]);
    assert_eq!(
        server.requests().len(),
        before,
        "served from the content cache"
    );
    let chart = fs::read_to_string(lab.path("b/demo/Chart.yaml")).unwrap();
    assert!(chart.contains("version: 0.4.0"), "{chart}");
    assert_eq!(lab.cached_files().len(), 1);
    // helm sends no compression request; skiff's client may. Either way
    // the chart GET asks for an archive.
    let chart_get = server
        .requests()
        .into_iter()
        .find(|r| r.path().ends_with(".tgz"))
        .unwrap();
    assert!(
        chart_get
            .header("accept")
            .unwrap()
            .contains("application/gzip")
    );
    assert!(
        chart_get
            .header("user-agent")
            .unwrap()
            .starts_with("skiff/")
    );
}

#[test]
fn relative_absolute_and_query_urls() {
    let lab = Lab::new();
    let src = lab.chart_source();
    let other_dir = lab.path("cdn");
    fs::create_dir_all(lab.path("site/charts/sub")).unwrap();
    fs::create_dir_all(lab.path("site/abs")).unwrap();
    fs::create_dir_all(&other_dir).unwrap();
    let pack = |v: &str, dest: &Path| {
        lab.ok(&[
            "package",
            src.to_str().unwrap(),
            "--version",
            v,
            "-d",
            dest.to_str().unwrap(),
        ]);
        let bytes = fs::read(dest.join(format!("demo-{v}.tgz"))).unwrap();
        skiff::registry::sha256_hex(&bytes)
    };
    let d1 = pack("0.1.0", &lab.path("site/charts/sub"));
    let d2 = pack("0.2.0", &lab.path("site/abs"));
    let d3 = pack("0.3.0", &other_dir);
    let cdn = serve_dir(other_dir);
    let index = format!(
        "apiVersion: v1\nentries:\n  demo:\n  - {{name: demo, version: 0.1.0, digest: {d1}, urls: [sub/demo-0.1.0.tgz]}}\n  - {{name: demo, version: 0.2.0, digest: {d2}, urls: [/abs/demo-0.2.0.tgz]}}\n  - {{name: demo, version: 0.3.0, digest: {d3}, urls: ['{}/demo-0.3.0.tgz']}}\n",
        cdn.url()
    );
    fs::write(lab.path("site/charts/index.yaml"), index).unwrap();
    let site = serve_dir(lab.path("site"));
    let repo_url = format!("{}/charts?tok=abc", site.url());
    lab.ok(&["repo", "add", "lab", &repo_url]);
    // The query is masked when listed.
    assert!(lab.ok(&["repo", "list"]).contains("/charts?tok=***"));
    for v in ["0.1.0", "0.2.0", "0.3.0"] {
        lab.ok(&["pull", "lab/demo", "--version", v, "-d", "out"]);
        assert!(lab.path(&format!("out/demo-{v}.tgz")).exists(), "{v}");
    }
    let targets: Vec<String> = site.requests().iter().map(|r| r.target.clone()).collect();
    assert!(
        targets.contains(&"/charts/index.yaml?tok=abc".to_string()),
        "{targets:?}"
    );
    assert!(
        targets.contains(&"/charts/sub/demo-0.1.0.tgz?tok=abc".to_string()),
        "{targets:?}"
    );
    assert!(
        targets.contains(&"/abs/demo-0.2.0.tgz?tok=abc".to_string()),
        "{targets:?}"
    );
    // An absolute URL is used as written: the repository's token stays home.
    let cdn_targets: Vec<String> = cdn.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(cdn_targets, ["/demo-0.3.0.tgz"]);
}

#[test]
fn json_indexes_and_unknown_fields() {
    let lab = Lab::new();
    let repo = lab.repo("repo", &["0.1.0", "0.2.0"], &["--json"]);
    assert!(
        fs::read_to_string(repo.join("index.yaml"))
            .unwrap()
            .starts_with('{')
    );
    let server = serve_dir(repo.clone());
    lab.ok(&["repo", "add", "json", &server.url()]);
    lab.ok(&["pull", "json/demo", "-d", "out"]);
    assert!(lab.path("out/demo-0.2.0.tgz").exists());
    // YAML with fields helm's strict reader refuses.
    let yaml_repo = lab.repo("yrepo", &["0.3.0"], &[]);
    let index = fs::read_to_string(yaml_repo.join("index.yaml")).unwrap();
    let index = index
        .replace("entries:", "customTopLevel: {a: 1}\nentries:")
        .replace(
            "    name: demo\n",
            "    name: demo\n    x-vendor-field: [1, 2]\n",
        );
    fs::write(yaml_repo.join("index.yaml"), index).unwrap();
    let yserver = serve_dir(yaml_repo);
    lab.ok(&["repo", "add", "y", &yserver.url()]);
    lab.ok(&["pull", "y/demo", "-d", "out"]);
    assert!(lab.path("out/demo-0.3.0.tgz").exists());
}

#[test]
fn plain_url_pull_reports_its_digest() {
    let lab = Lab::new();
    let repo = lab.repo("repo", &["0.1.0"], &[]);
    let digest = skiff::registry::sha256_hex(&fs::read(repo.join("demo-0.1.0.tgz")).unwrap());
    let server = serve_dir(repo);
    let out = lab.ok(&[
        "pull",
        &format!("{}/demo-0.1.0.tgz", server.url()),
        "-d",
        "out",
    ]);
    assert!(out.contains(&format!("Digest: sha256:{digest}")), "{out}");
    assert!(lab.path("out/demo-0.1.0.tgz").exists());
}

#[test]
fn template_renders_chart_references() {
    let lab = Lab::new();
    let server = serve_dir(lab.repo("repo", &["0.1.0", "0.4.0"], &[]));
    lab.ok(&["repo", "add", "lab", &server.url()]);
    let out = lab.ok(&["template", "rel", "lab/demo", "--version", "0.1.0"]);
    assert!(out.contains("# Source: demo/templates/cm.yaml"), "{out}");
    assert!(out.contains("version: \"0.1.0\""), "{out}");
    let out = lab.ok(&["template", &format!("{}/demo-0.4.0.tgz", server.url())]);
    assert!(out.contains("version: \"0.4.0\""), "{out}");
    // A name that is neither a folder nor an added repository says both.
    let err = lab.fails(&["template", "nope/demo"]);
    assert!(
        err.contains("no such chart folder, and no repository named \"nope\""),
        "{err}"
    );
    let err = lab.fails(&["template", "./nope/demo"]);
    assert!(err.contains("No such file"), "{err}");
    // A local folder of the same name wins, as in helm.
    fs::create_dir_all(lab.path("lab")).unwrap();
    fs::rename(lab.path("src/demo"), lab.path("lab/demo")).unwrap();
    let out = lab.ok(&["template", "lab/demo"]);
    assert!(out.contains("version: \"0.1.0\""), "{out}");
}

// ---- hostile inputs -----------------------------------------------------

#[test]
fn terminal_escapes_in_an_index_are_printed_sanitized() {
    let lab = Lab::new();
    let repo = lab.repo("repo", &["0.1.0"], &[]);
    let index = fs::read_to_string(repo.join("index.yaml")).unwrap();
    let hostile = index.replace(
        "entries:\n",
        "entries:\n  \"evil\\e]0;owned\\a\":\n  - name: evil\n    version: \"1.0.0+\\e[31mred\"\n    description: \"\\e[2J\\e[Hcleared\"\n    urls: [x.tgz]\n",
    );
    fs::write(repo.join("index.yaml"), hostile).unwrap();
    let server = serve_dir(repo);
    let out = lab.run(&["repo", "add", "lab", &server.url()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = [out.stdout.clone(), out.stderr.clone()].concat();
    assert!(
        !all.contains(&0x1b) && !all.contains(&0x07),
        "{}",
        text(&all)
    );
    assert!(
        text(&out.stderr).contains("\\u{1b}[31mred"),
        "{}",
        text(&out.stderr)
    );
    let err = lab.fails(&["pull", "lab/evil\u{1b}[31m"]);
    assert!(!err.contains('\u{1b}'), "{err}");
}

#[test]
fn digest_mismatch_saves_and_caches_nothing() {
    let lab = Lab::new();
    let repo = lab.repo("repo", &["0.1.0", "1.0.0"], &[]);
    // research §1.5: the server's 0.1.0 replaced by the 1.0.0 archive.
    fs::copy(repo.join("demo-1.0.0.tgz"), repo.join("demo-0.1.0.tgz")).unwrap();
    let server = serve_dir(repo);
    lab.ok(&["repo", "add", "lab", &server.url()]);
    let err = lab.fails(&["pull", "lab/demo", "--version", "0.1.0", "-d", "out"]);
    assert!(err.contains("digest mismatch"), "{err}");
    assert!(!lab.path("out").exists() || walk(&lab.path("out")).is_empty());
    assert!(lab.cached_files().is_empty(), "{:?}", lab.cached_files());
    let err = lab.fails(&["template", "lab/demo", "--version", "0.1.0"]);
    assert!(err.contains("digest mismatch"), "{err}");
    assert!(lab.cached_files().is_empty());
    // A bad cache entry planted under the digest is not served either.
    let index = fs::read_to_string(lab.path("repo/index.yaml")).unwrap();
    let pos = index.find("version: 0.1.0").unwrap();
    let digest_line = index[..pos].rfind("digest: ").unwrap();
    let digest = &index[digest_line + 8..digest_line + 8 + 64];
    let planted = lab
        .path("cache/content/sha256")
        .join(&digest[..2])
        .join(digest);
    fs::create_dir_all(planted.parent().unwrap()).unwrap();
    fs::write(&planted, b"poison").unwrap();
    let err = lab.fails(&["pull", "lab/demo", "--version", "0.1.0", "-d", "out"]);
    assert!(err.contains("digest mismatch"), "{err}");
    assert!(!planted.exists(), "a corrupted cache entry is removed");
}

#[test]
fn credentials_never_cross_to_another_host() {
    let lab = Lab::new();
    let repo = lab.repo("repo", &["0.1.0", "0.2.0"], &[]);
    let bytes2 = fs::read(repo.join("demo-0.2.0.tgz")).unwrap();
    let cdn_dir = lab.path("cdn");
    fs::create_dir_all(&cdn_dir).unwrap();
    fs::copy(repo.join("demo-0.1.0.tgz"), cdn_dir.join("demo-0.1.0.tgz")).unwrap();
    fs::write(cdn_dir.join("demo-0.2.0.tgz"), &bytes2).unwrap();
    let cdn = serve_dir(cdn_dir);
    let cdn_url = cdn.url();
    // 0.1.0 is served by a redirect to the other host; 0.2.0's index URL
    // is absolute on the other host.
    let index = fs::read_to_string(repo.join("index.yaml"))
        .unwrap()
        .replace("- demo-0.2.0.tgz", &format!("- {cdn_url}/demo-0.2.0.tgz"));
    fs::write(repo.join("index.yaml"), index).unwrap();
    let unauthorized = Arc::new(Mutex::new(0usize));
    let counter = unauthorized.clone();
    let target = format!("{cdn_url}/demo-0.1.0.tgz");
    let origin = serve(repo, move |r| {
        // "Basic dTpwNHNz" is u:p4ss.
        if r.header("authorization") != Some("Basic dTpwNHNz") {
            *counter.lock().unwrap() += 1;
            return Some(Reply::status(401));
        }
        (r.path() == "/demo-0.1.0.tgz").then(|| Reply::redirect(302, &target))
    });
    let err = lab.fails(&["repo", "add", "lab", &origin.url()]);
    assert!(err.contains("401"), "{err}");
    assert_eq!(*unauthorized.lock().unwrap(), 1);
    lab.ok(&[
        "repo",
        "add",
        "lab",
        &origin.url(),
        "--username",
        "u",
        "--password",
        "p4ss",
    ]);
    lab.ok(&["pull", "lab/demo", "--version", "0.1.0", "-d", "out"]);
    lab.ok(&["pull", "lab/demo", "--version", "0.2.0", "-d", "out"]);
    assert_eq!(
        *unauthorized.lock().unwrap(),
        1,
        "every origin request had credentials"
    );
    let seen = cdn.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen.iter().all(|r| r.header("authorization").is_none()),
        "{seen:?}"
    );
    // With --pass-credentials the absolute URL gets them (helm's
    // pass_credentials_all); a redirect still does not carry them.
    fs::remove_dir_all(lab.path("cache/content")).unwrap();
    lab.ok(&[
        "repo",
        "add",
        "lab",
        &origin.url(),
        "--username",
        "u",
        "--password",
        "p4ss",
        "--pass-credentials",
        "--force-update",
    ]);
    lab.ok(&["pull", "lab/demo", "--version", "0.2.0", "-d", "out2"]);
    let last = cdn.requests().pop().unwrap();
    assert_eq!(last.path(), "/demo-0.2.0.tgz");
    assert_eq!(last.header("authorization"), Some("Basic dTpwNHNz"));
    // The password is stored (like helm) but never printed.
    let listed = lab.ok(&["repo", "list"]);
    assert!(!listed.contains("p4ss"), "{listed}");
}

/// A gzipped tar of raw entries (name, type flag, data, link target).
fn raw_tgz(entries: &[(&str, u8, &[u8], &str)]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, kind, data, link) in entries {
        let mut h = tar::Header::new_ustar();
        h.as_mut_bytes()[..name.len()].copy_from_slice(name.as_bytes());
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_entry_type(tar::EntryType::new(*kind));
        h.as_mut_bytes()[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(data);
        tar.extend(std::iter::repeat_n(0u8, (512 - data.len() % 512) % 512));
    }
    tar.extend(std::iter::repeat_n(0u8, 1024));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn hostile_archives_are_refused_and_nothing_is_written() {
    let lab = Lab::new();
    let repo = lab.path("repo");
    fs::create_dir_all(&repo).unwrap();
    let chart: &[u8] = b"apiVersion: v2\nname: evil\nversion: 1.0.0\n";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "1.0.1",
            raw_tgz(&[
                ("evil/Chart.yaml", b'0', chart, ""),
                ("evil/../../escape.txt", b'0', b"x", ""),
            ]),
        ),
        (
            "1.0.2",
            raw_tgz(&[
                ("evil/Chart.yaml", b'0', chart, ""),
                ("/tmp/skiff-abs-escape.txt", b'0', b"x", ""),
            ]),
        ),
        (
            "1.0.3",
            raw_tgz(&[
                ("evil/Chart.yaml", b'0', chart, ""),
                ("evil/templates/link", b'2', b"", "/etc/passwd"),
            ]),
        ),
        ("1.0.4", raw_tgz(&[("../Chart.yaml", b'0', chart, "")])),
    ];
    // A publisher that signs its hostile archives: the digests match.
    let mut index = String::from("apiVersion: v1\nentries:\n  evil:\n");
    for (v, bytes) in &cases {
        let file = format!("evil-{v}.tgz");
        fs::write(repo.join(&file), bytes).unwrap();
        index.push_str(&format!(
            "  - name: evil\n    version: {v}\n    digest: {}\n    urls: [{file}]\n",
            skiff::registry::sha256_hex(bytes)
        ));
    }
    // A chart named `..` is an invalid entry (helm's Validate).
    index.push_str("  ..:\n  - name: ..\n    version: 1.0.0\n    urls: [evil-1.0.1.tgz]\n");
    fs::write(repo.join("index.yaml"), index).unwrap();
    let server = serve_dir(repo);
    let added = lab.run(&["repo", "add", "lab", &server.url()]);
    assert!(added.status.success());
    assert!(
        text(&added.stderr).contains("\"..\" is not allowed"),
        "{}",
        text(&added.stderr)
    );
    for (v, _) in &cases {
        let err = lab.fails(&["pull", "lab/evil", "--version", v, "--untar", "-d", "out"]);
        assert!(err.contains("not a usable chart archive"), "{v}: {err}");
        assert!(walk(&lab.path("out")).is_empty(), "{v}");
    }
    let err = lab.fails(&["pull", "lab/..", "--untar", "-d", "out"]);
    assert!(err.contains("not found in lab index"), "{err}");
    assert!(!lab.path("escape.txt").exists() && !lab.dir().join("../escape.txt").exists());
    assert!(!Path::new("/tmp/skiff-abs-escape.txt").exists());
    assert!(lab.cached_files().is_empty());
}

// ---- dependencies ---------------------------------------------------------

fn app_chart(lab: &Lab, deps: &str) -> PathBuf {
    let app = lab.path("app");
    fs::create_dir_all(app.join("templates")).unwrap();
    fs::write(
        app.join("Chart.yaml"),
        format!("apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n{deps}"),
    )
    .unwrap();
    app
}

#[test]
fn dependencies_from_http_repositories() {
    let lab = Lab::new();
    let repo = lab.repo("repo", LAB_VERSIONS, &[]);
    let server = serve_dir(repo.clone());
    lab.ok(&["repo", "add", "lab", &server.url()]);
    let app = app_chart(
        &lab,
        &format!(
            "- name: demo\n  version: \"^0.2\"\n  repository: \"@lab\"\n- name: demo\n  alias: other\n  version: \"~1\"\n  repository: {}/\n",
            server.url()
        ),
    );
    let out = lab.ok(&["dep", "update", "app"]);
    assert!(out.contains("Saved demo-0.2.0+build.1.tgz"), "{out}");
    assert!(out.contains("Saved demo-1.0.0.tgz"), "{out}");
    let lock = fs::read_to_string(app.join("Chart.lock")).unwrap();
    // `@lab` is locked as the repository's URL, as helm does.
    assert!(
        lock.contains(&format!("repository: {}\n", server.url())),
        "{lock}"
    );
    assert!(lock.contains("version: 0.2.0+build.1"), "{lock}");
    let d = skiff::registry::sha256_hex(&fs::read(repo.join("demo-1.0.0.tgz")).unwrap());
    assert!(
        lock.contains(&format!("contentDigest: sha256:{d}")),
        "{lock}"
    );
    let out = lab.ok(&["template", "rel", "app"]);
    assert!(out.contains("version: \"0.2.0+build.1\""), "{out}");
    assert!(out.contains("version: \"1.0.0\""), "{out}");
    // build re-downloads from the lock (through the cache).
    fs::remove_dir_all(app.join("charts")).unwrap();
    lab.ok(&["dep", "build", "app", "--skip-refresh"]);
    assert!(app.join("charts/demo-1.0.0.tgz").exists());
    // The repository now serves other bytes for 1.0.0 (and an index to
    // match): the lock's content digest refuses them.
    fs::remove_dir_all(app.join("charts")).unwrap();
    fs::remove_dir_all(lab.path("cache/content")).unwrap();
    fs::copy(repo.join("demo-0.4.0.tgz"), repo.join("demo-1.0.0.tgz")).unwrap();
    let new = skiff::registry::sha256_hex(&fs::read(repo.join("demo-1.0.0.tgz")).unwrap());
    let index = fs::read_to_string(repo.join("index.yaml"))
        .unwrap()
        .replace(&d, &new);
    fs::write(repo.join("index.yaml"), index).unwrap();
    let err = lab.fails(&["dep", "build", "app"]);
    assert!(err.contains(&format!("sha256:{d} was expected")), "{err}");
    assert!(!app.join("charts").exists() || walk(&app.join("charts")).is_empty());
    // An unknown alias is helm's error.
    let app = app_chart(
        &lab,
        "- name: demo\n  version: \"*\"\n  repository: \"@nope\"\n",
    );
    let err = lab.fails(&["dep", "update", app.to_str().unwrap()]);
    assert!(err.contains("no repository definition for @nope"), "{err}");
}

// ---- helm interoperability -------------------------------------------------

fn helm() -> Option<PathBuf> {
    match std::env::var_os("HELM_REF") {
        Some(h) if !h.is_empty() => Some(PathBuf::from(h)),
        _ => {
            eprintln!("skipped: HELM_REF is not set");
            None
        }
    }
}

fn run_helm(lab: &Lab, helm: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(helm)
        .args(args)
        .current_dir(lab.dir())
        .env("HELM_CONFIG_HOME", lab.path("helm/config"))
        .env("HELM_CACHE_HOME", lab.path("helm/cache"))
        .env("HELM_DATA_HOME", lab.path("helm/data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm {args:?} failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn helm_pulls_from_a_repository_skiff_indexed() {
    let Some(helm) = helm() else { return };
    let lab = Lab::new();
    let server = serve_dir(lab.repo("repo", LAB_VERSIONS, &[]));
    run_helm(&lab, &helm, &["repo", "add", "lab", &server.url()]);
    lab.ok(&["repo", "add", "lab", &server.url()]);
    for flags in [
        &[][..],
        &["--version", "^0.2"],
        &["--devel"],
        &["--version", "~0.3.0-0"],
    ] {
        let (h, s) = (lab.path("h"), lab.path("s"));
        let _ = fs::remove_dir_all(&h);
        let _ = fs::remove_dir_all(&s);
        // helm pull does not create its destination.
        fs::create_dir_all(&h).unwrap();
        let mut args = vec!["pull", "lab/demo", "-d"];
        let mut ha = args.clone();
        ha.push(h.to_str().unwrap());
        ha.extend_from_slice(flags);
        run_helm(&lab, &helm, &ha);
        args.push(s.to_str().unwrap());
        args.extend_from_slice(flags);
        lab.ok(&args);
        let names = |d: &Path| -> Vec<(String, Vec<u8>)> {
            fs::read_dir(d)
                .unwrap()
                .map(|e| {
                    let e = e.unwrap();
                    (
                        e.file_name().into_string().unwrap(),
                        fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        };
        assert_eq!(names(&h), names(&s), "{flags:?}");
    }
}

#[test]
fn skiff_pulls_from_a_repository_helm_indexed() {
    let Some(helm) = helm() else { return };
    let lab = Lab::new();
    let src = lab.chart_source();
    let repo = lab.path("repo");
    fs::create_dir_all(repo.join("sub")).unwrap();
    for (v, dest) in [
        ("0.1.0", "repo"),
        ("0.2.0", "repo/sub"),
        ("0.3.0-rc.1", "repo"),
    ] {
        run_helm(
            &lab,
            &helm,
            &["package", src.to_str().unwrap(), "--version", v, "-d", dest],
        );
    }
    run_helm(&lab, &helm, &["repo", "index", "repo"]);
    let server = serve_dir(repo.clone());
    lab.ok(&["repo", "add", "lab", &server.url()]);
    lab.ok(&["pull", "lab/demo", "-d", "out"]);
    assert_eq!(
        fs::read(lab.path("out/demo-0.2.0.tgz")).unwrap(),
        fs::read(repo.join("sub/demo-0.2.0.tgz")).unwrap()
    );
    lab.ok(&["pull", "lab/demo", "--devel", "--untar", "-d", "untarred"]);
    let chart = fs::read_to_string(lab.path("untarred/demo/Chart.yaml")).unwrap();
    assert!(chart.contains("0.3.0-rc.1"), "{chart}");
    // And the same repository served as JSON by helm --json.
    run_helm(&lab, &helm, &["repo", "index", "repo", "--json"]);
    lab.ok(&["repo", "update"]);
    lab.ok(&["pull", "lab/demo", "--version", "0.1.0", "-d", "out"]);
    assert!(lab.path("out/demo-0.1.0.tgz").exists());
}

#[test]
fn dependency_lock_digest_matches_helm() {
    let Some(helm) = helm() else { return };
    let lab = Lab::new();
    let server = serve_dir(lab.repo("repo", LAB_VERSIONS, &[]));
    run_helm(&lab, &helm, &["repo", "add", "lab", &server.url()]);
    lab.ok(&["repo", "add", "lab", &server.url()]);
    let deps = format!(
        "- name: demo\n  version: \"^0.2\"\n  repository: \"@lab\"\n- name: demo\n  alias: two\n  version: \"~1\"\n  repository: {}/\n",
        server.url()
    );
    let app = app_chart(&lab, &deps);
    lab.ok(&["dep", "update", "app"]);
    let ours = fs::read_to_string(app.join("Chart.lock")).unwrap();
    let ours_charts = walk(&app.join("charts"));
    // helm accepts our lock (its digest check) and builds from it.
    run_helm(&lab, &helm, &["dep", "build", "app"]);
    run_helm(&lab, &helm, &["dep", "update", "app"]);
    let theirs = fs::read_to_string(app.join("Chart.lock")).unwrap();
    let field = |t: &str, k: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.trim_start_matches("- ").trim_start().starts_with(k))
            .map(|l| l.trim().trim_start_matches("- ").to_string())
            .collect()
    };
    for k in ["digest:", "name:", "version:", "repository:"] {
        assert_eq!(field(&ours, k), field(&theirs, k), "{k}\n{ours}\n{theirs}");
    }
    let mut theirs_charts = walk(&app.join("charts"));
    let mut ours_charts = ours_charts;
    ours_charts.sort();
    theirs_charts.sort();
    assert_eq!(ours_charts, theirs_charts);
    // And skiff builds from helm's lock.
    lab.ok(&["dep", "build", "app"]);
}
