//! `skiff push`, `skiff pull oci://…` and `skiff registry login|logout`
//! against real registries: CNCF distribution (`docker-registry serve`, the
//! Debian package of distribution 2.8.2) started by each test on a free
//! 127.0.0.1 port with its own storage, and stopped when the test ends.
//!
//! Fixtures: (a) no auth over plain HTTP; (b) htpasswd Basic auth over TLS
//! with a CA and server certificate made here with openssl; (c) the bearer
//! token flow, with a token server written in this file (RS256 JWTs whose
//! `x5c` certificate the registry trusts through `rootcertbundle`).
//! Interop with helm v4.1.4 runs when `$HELM_REF` is set.
//!
//! Without `docker-registry` (or `htpasswd`, `openssl`) the tests print that
//! they are skipped; `scripts/test` installs them and sets
//! `SKIFF_REQUIRE_REGISTRY=1`, which turns a missing tool into a failure.

use std::fs;
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

// BEARER_IMPORT

// ---------------------------------------------------------------- tools

/// Whether `tool` is on PATH; when it is not, the test is skipped with a
/// line saying so, or fails under `SKIFF_REQUIRE_REGISTRY=1`.
fn have(tool: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
    if !found {
        if std::env::var("SKIFF_REQUIRE_REGISTRY").is_ok_and(|v| v == "1") {
            panic!("{tool} is required (SKIFF_REQUIRE_REGISTRY=1) but not installed");
        }
        eprintln!("skipped: {tool} is not installed (scripts/test installs it)");
    }
    found
}

fn helm() -> Option<PathBuf> {
    match std::env::var_os("HELM_REF") {
        Some(h) if !h.is_empty() => Some(PathBuf::from(h)),
        _ => {
            eprintln!("skipped: HELM_REF is not set (interop with helm v4.1.4)");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `docker-registry serve`, killed (by its own pid) on drop.
struct Registry {
    child: Child,
    port: u16,
    storage: PathBuf,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry with `extra` YAML appended to the config (`http`
    /// keys go in `http_extra`).
    fn start(http_extra: &str, extra: &str) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let storage = dir.path().join("storage");
        let port = free_port();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{http_extra}{extra}",
            storage.display()
        );
        let config_path = dir.path().join("config.yml");
        fs::write(&config_path, config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.path().join("registry.log")).unwrap())
            .spawn()
            .unwrap();
        let registry = Registry {
            child,
            port,
            storage,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "registry did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        registry
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The stored file of blob `digest`.
    fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.storage
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- skiff

/// A scratch world: skiff's config and cache homes, an empty Docker config,
/// helm's homes, and a work folder.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let world = World {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(world.docker_config()).unwrap();
        world
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn docker_config(&self) -> PathBuf {
        self.path().join("docker")
    }

    fn skiff_config(&self) -> PathBuf {
        self.path().join("skiff-config/registry/config.json")
    }

    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(self.path())
            .env("SKIFF_CONFIG_HOME", self.path().join("skiff-config"))
            .env("SKIFF_CACHE_HOME", self.path().join("skiff-cache"))
            .env("DOCKER_CONFIG", self.docker_config())
            .env("HELM_CONFIG_HOME", self.path().join("helm/config"))
            .env("HELM_CACHE_HOME", self.path().join("helm/cache"))
            .env("HELM_DATA_HOME", self.path().join("helm/data"))
            .env("HOME", self.path());
        cmd
    }

    fn skiff(&self, args: &[&str]) -> Output {
        self.command(Path::new(env!("CARGO_BIN_EXE_skiff")), args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn skiff_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(Path::new(env!("CARGO_BIN_EXE_skiff")), args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs skiff, asserting success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.skiff(args);
        assert!(
            out.status.success(),
            "skiff {args:?} failed:\n{}",
            text(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs skiff, asserting failure; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.skiff(args);
        assert!(
            !out.status.success(),
            "skiff {args:?} succeeded:\n{}",
            text(&out)
        );
        assert!(out.stdout.is_empty(), "no partial output: {}", text(&out));
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs helm, asserting success; returns stdout.
    fn helm(&self, helm: &Path, args: &[&str]) -> String {
        let out = self.command(helm, args).output().unwrap();
        assert!(
            out.status.success(),
            "helm {args:?} failed:\n{}",
            text(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Writes a small helm chart `demo` and packages it as `version`;
    /// returns the archive path.
    fn chart(&self, version: &str) -> PathBuf {
        let src = self.path().join("src/demo");
        fs::create_dir_all(src.join("templates")).unwrap();
        fs::write(
            src.join("Chart.yaml"),
            "apiVersion: v2\nname: demo\ndescription: A demo chart <for> tests & interop\ntype: application\nversion: 0.0.1\nappVersion: \"1.16.0\"\nhome: https://demo.example\nsources: [https://src.example/demo]\nmaintainers:\n  - name: Ann\n    email: ann@demo.example\nannotations:\n  category: test\n",
        )
        .unwrap();
        fs::write(src.join("values.yaml"), "greeting: hello\n").unwrap();
        fs::write(
            src.join("templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-demo\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  version: {{ .Chart.Version | quote }}\n",
        )
        .unwrap();
        let out_dir = self.path().join("dist");
        fs::create_dir_all(&out_dir).unwrap();
        let out_str = out_dir.to_str().unwrap().to_string();
        let src_str = src.to_str().unwrap().to_string();
        self.ok(&["package", &src_str, "--version", version, "-d", &out_str]);
        out_dir.join(format!("demo-{version}.tgz"))
    }
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The `Digest: sha256:…` line's value.
fn digest_line(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Digest: "))
        .unwrap_or_else(|| panic!("no Digest line in {stdout:?}"))
        .to_string()
}

fn manifest_layer_digest(registry: &Registry, repo: &str, tag: &str) -> String {
    let url = format!("http://{}/v2/{repo}/manifests/{tag}", registry.host());
    let out = Command::new("curl")
        .args([
            "-sf",
            "-H",
            "Accept: application/vnd.oci.image.manifest.v1+json",
            &url,
        ])
        .output();
    let body = match out {
        Ok(o) if o.status.success() => o.stdout,
        _ => {
            // No curl: ask through skiff's own client.
            let http = skiff::registry::http::HttpClient::new(&Default::default()).unwrap();
            let client =
                skiff::registry::oci::OciClient::new(http, &registry.host(), true, None).unwrap();
            client.manifest(repo, tag).unwrap().bytes
        }
    };
    let parsed = skiff::registry::helm_oci::parse_manifest(&body).unwrap();
    parsed
        .layers
        .iter()
        .find(|l| l.media_type == skiff::registry::helm_oci::CHART_LAYER_MEDIA_TYPE)
        .unwrap()
        .digest
        .clone()
}

// ---------------------------------------------------------------- (a) no auth, plain HTTP

#[test]
fn plain_http_push_pull_resolution_and_tampering() {
    if !have("docker-registry") {
        return;
    }
    let registry = Registry::start("", "");
    let world = World::new();
    let host = registry.host();
    let remote = format!("oci://{host}/charts");
    let mut archives = Vec::new();
    for version in ["0.1.0", "0.2.0+build.1", "0.3.0-rc.1", "0.4.0"] {
        let archive = world.chart(version);
        let archive_str = archive.to_str().unwrap().to_string();
        // HTTPS is the default: a plain-HTTP registry is named as such.
        if version == "0.1.0" {
            let err = world.fails(&["push", &archive_str, &remote]);
            assert!(
                err.contains("server gave HTTP response to HTTPS client")
                    && err.contains("--plain-http"),
                "{err}"
            );
        }
        let out = world.skiff(&["push", &archive_str, &remote, "--plain-http"]);
        assert!(out.status.success(), "{}", text(&out));
        let stdout = String::from_utf8(out.stdout.clone()).unwrap();
        let tag = version.replace('+', "_");
        assert!(
            stdout.starts_with(&format!(
                "Pushed: {host}/charts/demo:{tag}\nDigest: sha256:"
            )),
            "{stdout}"
        );
        if version.contains('+') {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("'+' as '_'"), "{stderr}");
        }
        archives.push((version, archive, digest_line(&stdout)));
    }

    let pull_dir = |name: &str| {
        let d = world.path().join("pulled").join(name);
        fs::create_dir_all(&d).unwrap();
        d
    };
    let chart_ref = format!("oci://{host}/charts/demo");
    let check = |args: &[&str], expect: &str, dir_name: &str| {
        let dir = pull_dir(dir_name);
        let dir_str = dir.to_str().unwrap().to_string();
        let mut all = vec!["pull"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--plain-http", "-d", &dir_str]);
        let stdout = world.ok(&all);
        let (_, archive, digest) = archives.iter().find(|(v, ..)| *v == expect).unwrap();
        let saved = dir.join(format!("demo-{expect}.tgz"));
        assert_eq!(
            fs::read(&saved).unwrap(),
            fs::read(archive).unwrap(),
            "{args:?}"
        );
        assert_eq!(&digest_line(&stdout), digest, "{args:?}");
        assert!(stdout.starts_with("Pulled: "), "{stdout}");
        stdout
    };
    // No version: the newest stable; --devel: the newest of all.
    check(&[&chart_ref], "0.4.0", "latest");
    check(&[&chart_ref, "--devel"], "0.4.0", "devel");
    check(&[&chart_ref, "--version", "~0.3.0-0"], "0.3.0-rc.1", "rc");
    check(
        &[&chart_ref, "--version", "<0.4.0-0", "--devel"],
        "0.3.0-rc.1",
        "rc2",
    );
    check(&[&chart_ref, "--version", "^0.2"], "0.2.0+build.1", "caret");
    // `+` and the `_` spelling helm refuses, as --version and as ref tag.
    check(
        &[&chart_ref, "--version", "0.2.0+build.1"],
        "0.2.0+build.1",
        "plus",
    );
    check(
        &[&chart_ref, "--version", "0.2.0_build.1"],
        "0.2.0+build.1",
        "underscore",
    );
    let tagged = format!("{chart_ref}:0.2.0_build.1");
    let out = check(&[&tagged], "0.2.0+build.1", "reftag");
    assert!(
        out.contains(&format!("Pulled: {host}/charts/demo:0.2.0_build.1")),
        "{out}"
    );
    let err = world.fails(&["pull", &tagged, "--version", "0.1.0", "--plain-http"]);
    assert!(
        err.contains("chart reference and version mismatch"),
        "{err}"
    );
    // Nothing matches.
    let err = world.fails(&["pull", &chart_ref, "--version", ">5", "--plain-http"]);
    assert!(
        err.contains("could not locate a version matching >5"),
        "{err}"
    );
    let err = world.fails(&["pull", &chart_ref, "--version", "9.9.9", "--plain-http"]);
    assert!(err.contains("not found"), "{err}");
    // By manifest digest.
    let (_, _, digest_010) = archives.iter().find(|(v, ..)| *v == "0.1.0").unwrap();
    let by_digest = format!("{chart_ref}@{digest_010}");
    let out = check(&[&by_digest], "0.1.0", "digest");
    assert!(out.contains(&format!("@{digest_010}")), "{out}");
    let unknown = format!("{chart_ref}@sha256:{}", "0".repeat(64));
    world.fails(&["pull", &unknown, "--plain-http"]);

    // A tampered blob in the registry's storage: same size, one byte
    // flipped. The pull fails on the digest and saves nothing.
    let layer = manifest_layer_digest(&registry, "charts/demo", "0.1.0");
    let blob = registry.blob_file(&layer);
    let mut bytes = fs::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    fs::write(&blob, &bytes).unwrap();
    let dir = pull_dir("tampered");
    let dir_str = dir.to_str().unwrap().to_string();
    let err = world.fails(&[
        "pull",
        &chart_ref,
        "--version",
        "0.1.0",
        "--plain-http",
        "-d",
        &dir_str,
    ]);
    assert!(err.contains("digest mismatch"), "{err}");
    assert!(
        err.contains(&layer.trim_start_matches("sha256:").to_string()),
        "{err}"
    );
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "nothing saved");
}

// ---------------------------------------------------------------- (b) basic auth over TLS

/// Makes a CA and a server certificate for 127.0.0.1 in `dir`.
fn make_tls(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=skiff test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

#[test]
fn basic_auth_over_tls_login_logout_and_ca_options() {
    if !have("docker-registry") || !have("htpasswd") || !have("openssl") {
        return;
    }
    let world = World::new();
    let tls = world.path().join("tls");
    fs::create_dir_all(&tls).unwrap();
    make_tls(&tls);
    let out = Command::new("htpasswd")
        .args(["-Bbn", "labuser", "labpass"])
        .output()
        .unwrap();
    assert!(out.status.success());
    fs::write(tls.join("htpasswd"), &out.stdout).unwrap();
    let registry = Registry::start(
        &format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            tls.join("server.crt").display(),
            tls.join("server.key").display()
        ),
        &format!(
            "auth:\n  htpasswd:\n    realm: lab-realm\n    path: {}\n",
            tls.join("htpasswd").display()
        ),
    );
    let host = registry.host();
    let ca = tls.join("ca.crt").to_str().unwrap().to_string();
    let archive = world.chart("1.2.3");
    let archive_str = archive.to_str().unwrap().to_string();
    let remote = format!("oci://{host}/secure");
    let chart_ref = format!("oci://{host}/secure/demo");

    // Unknown CA: refused, and the error says it is the certificate.
    let out = world.skiff_stdin(
        &[
            "registry",
            "login",
            &host,
            "--username",
            "labuser",
            "--password-stdin",
        ],
        "labpass\n",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        err.contains("certificate") || err.contains("issuer"),
        "{err}"
    );
    // Wrong password: refused, nothing stored.
    let out = world.skiff_stdin(
        &[
            "registry",
            "login",
            &host,
            "--username",
            "labuser",
            "--password-stdin",
            "--ca-file",
            &ca,
        ],
        "wrong\n",
    );
    assert!(!out.status.success(), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unauthorized") && !err.contains("wrong"),
        "{err}"
    );
    assert!(!world.skiff_config().exists());
    // Push without credentials: 401 with the hint to log in.
    let err = world.fails(&["push", &archive_str, &remote, "--ca-file", &ca]);
    assert!(
        err.contains("unauthorized") && err.contains("skiff registry login"),
        "{err}"
    );

    // Login: stored in Docker's format, 0600.
    let out = world.skiff_stdin(
        &[
            "registry",
            "login",
            &host,
            "--username",
            "labuser",
            "--password-stdin",
            "--ca-file",
            &ca,
        ],
        "labpass\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Login Succeeded\n");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("labpass"));
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(world.skiff_config()).unwrap()).unwrap();
    assert_eq!(
        stored,
        serde_json::json!({"auths": {host.clone(): {"auth": "bGFidXNlcjpsYWJwYXNz"}}})
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(world.skiff_config())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Push with the stored login and --ca-file; pull with
    // --insecure-skip-tls-verify; both verified.
    let stdout = world.ok(&["push", &archive_str, &remote, "--ca-file", &ca]);
    let digest = digest_line(&stdout);
    let dir = world.path().join("out");
    fs::create_dir_all(&dir).unwrap();
    let dir_str = dir.to_str().unwrap().to_string();
    let stdout = world.ok(&[
        "pull",
        &chart_ref,
        "--version",
        "1.2.3",
        "--insecure-skip-tls-verify",
        "-d",
        &dir_str,
    ]);
    assert_eq!(digest_line(&stdout), digest);
    assert_eq!(
        fs::read(dir.join("demo-1.2.3.tgz")).unwrap(),
        fs::read(&archive).unwrap()
    );
    // Explicit wrong credentials win over the stored ones and fail.
    let err = world.fails(&[
        "pull",
        &chart_ref,
        "--ca-file",
        &ca,
        "--username",
        "labuser",
        "--password",
        "nope",
        "-d",
        &dir_str,
    ]);
    assert!(
        err.contains("unauthorized") && !err.contains("nope"),
        "{err}"
    );
    // --plain-http against TLS is refused by the server.
    world.fails(&["pull", &chart_ref, "--plain-http", "-d", &dir_str]);

    // Logout leaves `{"auths":{}}`; a second logout says so.
    let stdout = world.ok(&["registry", "logout", &host]);
    assert!(
        stdout.contains(&format!("Removing login credentials for {host}")),
        "{stdout}"
    );
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(world.skiff_config()).unwrap()).unwrap();
    assert_eq!(stored, serde_json::json!({"auths": {}}));
    let err = world.fails(&["registry", "logout", &host]);
    assert!(err.contains("not logged in"), "{err}");
    let err = world.fails(&["pull", &chart_ref, "--ca-file", &ca, "-d", &dir_str]);
    assert!(err.contains("unauthorized"), "{err}");

    // Docker's own config is the fallback.
    fs::write(
        world.docker_config().join("config.json"),
        format!(r#"{{"auths":{{"{host}":{{"auth":"bGFidXNlcjpsYWJwYXNz"}}}}}}"#),
    )
    .unwrap();
    let dir2 = world.path().join("out2");
    fs::create_dir_all(&dir2).unwrap();
    let dir2_str = dir2.to_str().unwrap().to_string();
    world.ok(&["pull", &chart_ref, "--ca-file", &ca, "-d", &dir2_str]);
    assert!(dir2.join("demo-1.2.3.tgz").is_file());
}
