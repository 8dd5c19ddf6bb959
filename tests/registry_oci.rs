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
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use skiff::registry::test_server::{Reply, SeenRequest, TestServer};

mod support;

use support::registry::{Registry, have, helm};

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

    /// Creates `<world>/rel`; returns it and its path as a string (for `-d`).
    fn out_dir(&self, rel: &str) -> (PathBuf, String) {
        let dir = self.path().join(rel);
        fs::create_dir_all(&dir).unwrap();
        let text = dir.to_str().unwrap().to_string();
        (dir, text)
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
        support::expect_success(args, self.skiff(args))
    }

    /// Runs skiff, asserting failure; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        support::expect_failure(args, self.skiff(args))
    }

    /// Runs helm, asserting success; returns stdout, then stderr (helm v4
    /// prints `Pushed:`/`Digest:` to stderr).
    fn helm(&self, helm: &Path, args: &[&str]) -> String {
        let out = self.command(helm, args).output().unwrap();
        assert!(
            out.status.success(),
            "helm {args:?} failed:\n{}",
            support::describe(&out)
        );
        let mut all = String::from_utf8(out.stdout).unwrap();
        all.push_str(&String::from_utf8_lossy(&out.stderr));
        all
    }

    /// Runs helm, asserting success; returns stdout only.
    fn helm_stdout(&self, helm: &Path, args: &[&str]) -> String {
        let out = self.command(helm, args).output().unwrap();
        assert!(
            out.status.success(),
            "helm {args:?} failed:\n{}",
            support::describe(&out)
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
        assert!(out.status.success(), "{}", support::describe(&out));
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
    // `template` renders a chart reference through the same arm; a
    // plain-HTTP registry needs --plain-http there too.
    let err = world.fails(&["template", "rel", &chart_ref]);
    assert!(err.contains("--plain-http"), "{err}");
    let rendered = world.ok(&[
        "template",
        "rel",
        &chart_ref,
        "--version",
        "^0.2",
        "--plain-http",
    ]);
    assert!(
        rendered.contains("version: \"0.2.0+build.1\""),
        "{rendered}"
    );
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
    // This world cached the verified layer when it pulled 0.1.0 by digest,
    // and keeps using it; the cache re-checks what it serves.
    let cached = pull_dir("cached");
    let cached_str = cached.to_str().unwrap().to_string();
    world.ok(&[
        "pull",
        &chart_ref,
        "--version",
        "0.1.0",
        "--plain-http",
        "-d",
        &cached_str,
    ]);
    let (_, archive_010, _) = archives.iter().find(|(v, ..)| *v == "0.1.0").unwrap();
    assert_eq!(
        fs::read(cached.join("demo-0.1.0.tgz")).unwrap(),
        fs::read(archive_010).unwrap()
    );
    // A fresh world downloads, and the tampered bytes are refused.
    let world = World::new();
    let (dir, dir_str) = world.out_dir("tampered");
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
    let hex = layer.trim_start_matches("sha256:");
    let cache_file = world
        .path()
        .join("skiff-cache/content/sha256")
        .join(&hex[..2])
        .join(hex);
    assert!(!cache_file.exists(), "nothing cached");
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
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            support::describe(&out)
        );
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
    assert!(!out.status.success(), "{}", support::describe(&out));
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

    // helm's `--insecure` spelling skips verification for login.
    let out = world.skiff_stdin(
        &[
            "registry",
            "login",
            &host,
            "-u",
            "labuser",
            "--password-stdin",
            "--insecure",
        ],
        "labpass\n",
    );
    assert!(out.status.success(), "{}", support::describe(&out));
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
    assert!(out.status.success(), "{}", support::describe(&out));
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
    let (dir, dir_str) = world.out_dir("out");
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
    // `template` takes the same credentials and TLS flags for a chart
    // reference as `pull`.
    let err = world.fails(&["template", "rel", &chart_ref, "--ca-file", &ca]);
    assert!(err.contains("unauthorized"), "{err}");
    let rendered = world.ok(&[
        "template",
        "rel",
        &chart_ref,
        "--version",
        "1.2.3",
        "--ca-file",
        &ca,
        "--username",
        "labuser",
        "--password",
        "labpass",
    ]);
    assert!(rendered.contains("version: \"1.2.3\""), "{rendered}");
    let rendered = world.ok(&[
        "template",
        "rel",
        &chart_ref,
        "--insecure-skip-tls-verify",
        "--username",
        "labuser",
        "--password",
        "labpass",
    ]);
    assert!(rendered.contains("name: rel-demo"), "{rendered}");

    // Docker's own config is the fallback.
    fs::write(
        world.docker_config().join("config.json"),
        format!(r#"{{"auths":{{"{host}":{{"auth":"bGFidXNlcjpsYWJwYXNz"}}}}}}"#),
    )
    .unwrap();
    let (dir2, dir2_str) = world.out_dir("out2");
    world.ok(&["pull", &chart_ref, "--ca-file", &ca, "-d", &dir2_str]);
    assert!(dir2.join("demo-1.2.3.tgz").is_file());
}

// ---------------------------------------------------------------- interop with helm

#[test]
fn interop_with_helm_push_pull_and_identical_digests() {
    if !have("docker-registry") {
        return;
    }
    let Some(helm) = helm() else {
        return;
    };
    let registry = Registry::start("", "");
    let world = World::new();
    let host = registry.host();
    let archive = world.chart("0.5.0+meta.7");
    let archive_str = archive.to_str().unwrap().to_string();
    // A provenance file next to the archive becomes a second layer for both
    // tools (its content is not checked on push).
    let prov = format!("{archive_str}.prov");
    fs::write(
        &prov,
        "-----BEGIN PGP SIGNED MESSAGE-----\nnot really signed\n",
    )
    .unwrap();

    // The same file pushed by both: the same manifest digest.
    let ours = world.ok(&[
        "push",
        &archive_str,
        &format!("oci://{host}/by-skiff"),
        "--plain-http",
    ]);
    let theirs = world.helm(
        &helm,
        &[
            "push",
            &archive_str,
            &format!("oci://{host}/by-helm"),
            "--plain-http",
        ],
    );
    assert_eq!(
        digest_line(&ours),
        digest_line(&theirs),
        "skiff:\n{ours}\nhelm:\n{theirs}"
    );
    let http = skiff::registry::http::HttpClient::new(&Default::default()).unwrap();
    let client = skiff::registry::oci::OciClient::new(http, &host, true, None).unwrap();
    let manifest = client.manifest("by-skiff/demo", "0.5.0_meta.7").unwrap();
    let parsed = skiff::registry::helm_oci::parse_manifest(&manifest.bytes).unwrap();
    assert_eq!(parsed.layers.len(), 2, "chart and provenance layers");
    assert!(
        parsed
            .layers
            .iter()
            .any(|l| l.media_type == skiff::registry::helm_oci::PROV_LAYER_MEDIA_TYPE)
    );

    // skiff push → helm pull → helm template.
    let (helm_dir, helm_dir_str) = world.out_dir("helm-pulled");
    let pulled = world.helm(
        &helm,
        &[
            "pull",
            &format!("oci://{host}/by-skiff/demo"),
            "--version",
            "0.5.0+meta.7",
            "--plain-http",
            "-d",
            &helm_dir_str,
        ],
    );
    assert_eq!(digest_line(&pulled), digest_line(&ours));
    let helm_tgz = helm_dir.join("demo-0.5.0+meta.7.tgz");
    assert_eq!(fs::read(&helm_tgz).unwrap(), fs::read(&archive).unwrap());
    let rendered = world.helm_stdout(&helm, &["template", "rel", helm_tgz.to_str().unwrap()]);
    assert!(
        rendered.contains("name: rel-demo") && rendered.contains("0.5.0+meta.7"),
        "{rendered}"
    );

    // helm package + helm push → skiff pull → skiff template.
    let src = world.path().join("src/demo");
    let helm_pkg = world.path().join("helm-pkg");
    fs::create_dir_all(&helm_pkg).unwrap();
    world.helm(
        &helm,
        &[
            "package",
            src.to_str().unwrap(),
            "--version",
            "0.6.0",
            "-d",
            helm_pkg.to_str().unwrap(),
        ],
    );
    let helm_archive = helm_pkg.join("demo-0.6.0.tgz");
    let pushed = world.helm(
        &helm,
        &[
            "push",
            helm_archive.to_str().unwrap(),
            &format!("oci://{host}/by-helm"),
            "--plain-http",
        ],
    );
    let (skiff_dir, skiff_dir_str) = world.out_dir("skiff-pulled");
    let stdout = world.ok(&[
        "pull",
        &format!("oci://{host}/by-helm/demo"),
        "--plain-http",
        "-d",
        &skiff_dir_str,
    ]);
    assert_eq!(digest_line(&stdout), digest_line(&pushed));
    let ours_tgz = skiff_dir.join("demo-0.6.0.tgz");
    assert_eq!(
        fs::read(&ours_tgz).unwrap(),
        fs::read(&helm_archive).unwrap()
    );
    let ours_rendered = world.ok(&["template", "rel", ours_tgz.to_str().unwrap()]);
    let helm_rendered =
        world.helm_stdout(&helm, &["template", "rel", helm_archive.to_str().unwrap()]);
    assert_eq!(ours_rendered, helm_rendered);

    // helm reads the `_` tag list and skiff's resolution agrees with it.
    let helm_latest = world.helm(
        &helm,
        &[
            "show",
            "chart",
            &format!("oci://{host}/by-helm/demo"),
            "--plain-http",
        ],
    );
    assert!(helm_latest.contains("version: 0.6.0"), "{helm_latest}");
}

// ---------------------------------------------------------------- (c) bearer tokens

/// A token service for distribution's `auth.token`: RS256 JWTs carrying
/// the signing certificate in `x5c`, which the registry checks against its
/// `rootcertbundle`. `labuser:labpass` gets pull and push; anyone else
/// without credentials gets pull; wrong credentials get 401.
struct TokenIssuer {
    key: rsa::RsaPrivateKey,
    cert_der_b64: String,
}

impl TokenIssuer {
    fn new(dir: &Path) -> TokenIssuer {
        let out = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "token.key",
                "-out",
                "token.crt",
                "-days",
                "2",
                "-subj",
                "/CN=skiff token issuer",
            ])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", support::describe(&out));
        use rsa::pkcs8::DecodePrivateKey;
        let key =
            rsa::RsaPrivateKey::from_pkcs8_pem(&fs::read_to_string(dir.join("token.key")).unwrap())
                .unwrap();
        let pem = fs::read_to_string(dir.join("token.crt")).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        TokenIssuer {
            key,
            cert_der_b64: body,
        }
    }

    fn token(&self, user: &str, access: &[(String, Vec<String>)]) -> String {
        use base64::Engine;
        use rsa::signature::{SignatureEncoding, Signer};
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [self.cert_der_b64]});
        let access: Vec<serde_json::Value> = access
            .iter()
            .map(|(name, actions)| {
                serde_json::json!({"type": "repository", "name": name, "actions": actions})
            })
            .collect();
        let claims = serde_json::json!({
            "iss": "skiff-test-issuer", "sub": user, "aud": "skiff-test",
            "exp": now + 300, "nbf": now - 10, "iat": now - 10, "jti": format!("{now}-{user}"),
            "access": access,
        });
        let signing_input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(self.key.clone());
        let signature = signer.sign(signing_input.as_bytes()).to_vec();
        format!("{signing_input}.{}", b64(&signature))
    }

    fn answer(&self, request: &SeenRequest) -> Reply {
        let (params, from_form): (Vec<(String, String)>, bool) = if request.method == "POST" {
            (
                url::form_urlencoded::parse(&request.body)
                    .into_owned()
                    .collect(),
                true,
            )
        } else {
            let query = request.target.split_once('?').map_or("", |(_, q)| q);
            (
                url::form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect(),
                false,
            )
        };
        let param = |k: &str| -> Vec<String> {
            params
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let credentials = if from_form {
            param("username")
                .into_iter()
                .next()
                .zip(param("password").into_iter().next())
        } else {
            request.header("authorization").and_then(|h| {
                use base64::Engine;
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(h.strip_prefix("Basic ")?)
                    .ok()?;
                let text = String::from_utf8(decoded).ok()?;
                let (u, p) = text.split_once(':')?;
                Some((u.to_string(), p.to_string()))
            })
        };
        let user = match &credentials {
            None => "",
            Some((u, p)) if u == "labuser" && p == "labpass" => "labuser",
            Some(_) => return Reply::status(401).with_body(r#"{"details":"bad credentials"}"#),
        };
        let scopes: Vec<String> = param("scope")
            .into_iter()
            .flat_map(|s| s.split(' ').map(String::from).collect::<Vec<_>>())
            .collect();
        let mut access = Vec::new();
        for scope in scopes {
            let mut parts = scope.splitn(3, ':');
            let (Some("repository"), Some(name), Some(actions)) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let granted: Vec<String> = actions
                .split(',')
                .filter(|a| *a == "pull" || (*a == "push" && user == "labuser"))
                .map(String::from)
                .collect();
            access.push((name.to_string(), granted));
        }
        let token = self.token(user, &access);
        // The GET answers `token`, the OAuth2 POST `access_token`: the
        // client must read both.
        let body = if from_form {
            serde_json::json!({"access_token": token, "expires_in": 300})
        } else {
            serde_json::json!({"token": token, "expires_in": 300})
        };
        Reply::ok(body.to_string()).with_header("Content-Type", "application/json")
    }
}

#[test]
fn bearer_token_flow_with_a_real_token_service() {
    if !have("docker-registry") || !have("openssl") {
        return;
    }
    let world = World::new();
    let dir = world.path().join("token");
    fs::create_dir_all(&dir).unwrap();
    let issuer = std::sync::Arc::new(TokenIssuer::new(&dir));
    let issuer2 = issuer.clone();
    let tokens = TestServer::start(move |r| issuer2.answer(r)).unwrap();
    let registry = Registry::start(
        "",
        &format!(
            "auth:\n  token:\n    realm: {}/token\n    service: skiff-test\n    issuer: skiff-test-issuer\n    rootcertbundle: {}\n",
            tokens.url(),
            dir.join("token.crt").display()
        ),
    );
    let host = registry.host();
    let archive = world.chart("2.0.0");
    let archive_str = archive.to_str().unwrap().to_string();
    let remote = format!("oci://{host}/bearer");
    let chart_ref = format!("oci://{host}/bearer/demo");

    // Anonymous: a pull-only token, so the upload is refused.
    let err = world.fails(&["push", &archive_str, &remote, "--plain-http"]);
    assert!(
        err.contains("unauthorized") && err.contains("skiff registry login"),
        "{err}"
    );
    // Wrong password: both the OAuth2 POST and the GET are refused.
    let out = world.skiff_stdin(
        &[
            "registry",
            "login",
            &host,
            "-u",
            "labuser",
            "--password-stdin",
            "--plain-http",
        ],
        "bad\n",
    );
    assert!(!out.status.success(), "{}", support::describe(&out));
    // Login: the OAuth2 password grant first, as helm does.
    let out = world.skiff_stdin(
        &[
            "registry",
            "login",
            &host,
            "-u",
            "labuser",
            "--password-stdin",
            "--plain-http",
        ],
        "labpass\n",
    );
    assert!(out.status.success(), "{}", support::describe(&out));
    let posts: Vec<String> = tokens
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(
        posts.iter().any(|b| b.contains("grant_type=password")
            && b.contains("client_id=skiff")
            && b.contains("service=skiff-test")
            && b.contains("username=labuser")),
        "{posts:?}"
    );
    // Push with the stored login: GET tokens with Basic credentials for
    // pull,push.
    let count_gets = || {
        tokens
            .requests()
            .iter()
            .filter(|r| r.method == "GET")
            .count()
    };
    let gets_before = count_gets();
    let pushed = world.ok(&["push", &archive_str, &remote, "--plain-http"]);
    assert!(tokens.requests().iter().any(|r| {
        r.method == "GET"
            && r.target
                .contains("scope=repository%3Abearer%2Fdemo%3Apull%2Cpush")
            && r.header("authorization")
                .is_some_and(|a| a.starts_with("Basic "))
    }));
    // Tokens are cached per scope: one push (HEAD ×3, POST ×3, PUT ×4)
    // asks the token service once.
    let gets = count_gets() - gets_before;
    assert_eq!(gets, 1, "{gets} token requests for one push");

    // Anonymous pull (another world, no login) gets a pull token.
    let anonymous = World::new();
    let (out_dir, out_str) = anonymous.out_dir("out");
    let pulled = anonymous.ok(&["pull", &chart_ref, "--plain-http", "-d", &out_str]);
    assert_eq!(digest_line(&pulled), digest_line(&pushed));
    assert_eq!(
        fs::read(out_dir.join("demo-2.0.0.tgz")).unwrap(),
        fs::read(&archive).unwrap()
    );
}

// ---------------------------------------------------------------- other artifacts

/// Uploads `chart` with a hand-made manifest (config and layer media types
/// chosen by the caller) through skiff's client, as older helm versions or
/// other tools would have stored it.
fn push_raw(
    registry: &Registry,
    repo: &str,
    tag: &str,
    config_type: &str,
    layer_type: &str,
    chart: &[u8],
) {
    let http = skiff::registry::http::HttpClient::new(&Default::default()).unwrap();
    let client = skiff::registry::oci::OciClient::new(http, &registry.host(), true, None).unwrap();
    let config = br#"{"name":"demo","version":"0.9.0","apiVersion":"v2"}"#.to_vec();
    let digest = |b: &[u8]| format!("sha256:{}", skiff::registry::sha256_hex(b));
    for blob in [&config[..], chart] {
        client.upload_blob(repo, &digest(blob), blob).unwrap();
    }
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"mediaType":"{config_type}","digest":"{}","size":{}}},"layers":[{{"mediaType":"{layer_type}","digest":"{}","size":{}}}]}}"#,
        digest(&config),
        config.len(),
        digest(chart),
        chart.len()
    );
    client
        .put_manifest(
            repo,
            tag,
            skiff::registry::oci::MEDIA_TYPE_OCI_MANIFEST,
            manifest.as_bytes(),
        )
        .unwrap();
}

#[test]
fn legacy_layer_type_is_accepted_and_non_charts_are_refused() {
    if !have("docker-registry") {
        return;
    }
    let registry = Registry::start("", "");
    let world = World::new();
    let archive = world.chart("0.9.0");
    let chart = fs::read(&archive).unwrap();
    push_raw(
        &registry,
        "old/demo",
        "0.9.0",
        skiff::registry::helm_oci::CONFIG_MEDIA_TYPE,
        skiff::registry::helm_oci::LEGACY_CHART_LAYER_MEDIA_TYPE,
        &chart,
    );
    let (out_dir, out_str) = world.out_dir("out");
    let out = world.skiff(&[
        "pull",
        &format!("oci://{}/old/demo", registry.host()),
        "--plain-http",
        "-d",
        &out_str,
    ]);
    assert!(out.status.success(), "{}", support::describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("deprecated") && stderr.contains("application/tar+gzip"),
        "{stderr}"
    );
    assert_eq!(fs::read(out_dir.join("demo-0.9.0.tgz")).unwrap(), chart);

    // An image (or any non-chart artifact) is not saved as a chart.
    push_raw(
        &registry,
        "images/demo",
        "0.9.0",
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        &chart,
    );
    let err = world.fails(&[
        "pull",
        &format!("oci://{}/images/demo:0.9.0", registry.host()),
        "--plain-http",
        "-d",
        &out_str,
    ]);
    assert!(err.contains("not a Helm chart"), "{err}");
}

// ---------------------------------------------------------------- oci:// dependencies

/// The lines of a lock that start with `key` (list markers dropped), to
/// compare helm's lock with ours field by field (the `generated` times
/// differ, and ours carries `contentDigest`).
fn lock_lines(lock: &str, key: &str) -> Vec<String> {
    lock.lines()
        .map(|l| l.trim().trim_start_matches("- ").to_string())
        .filter(|l| l.starts_with(key))
        .collect()
}

/// `dep update|build` with `repository: oci://host/path` dependencies: the
/// version is resolved over the tag list (a `+build` version through its
/// `_` tag), the archives are the pushed bytes, the lock records them, and
/// its `digest` equals the one helm writes for the same Chart.yaml; `dep
/// build` checks every archive against the lock's content digest; helm
/// builds from our lock and we from helm's.
#[test]
fn oci_dependencies_update_build_and_match_helm() {
    if !have("docker-registry") {
        return;
    }
    let registry = Registry::start("", "");
    let world = World::new();
    let host = registry.host();
    let remote = format!("oci://{host}/charts");
    let mut archives = std::collections::BTreeMap::new();
    for version in ["0.1.0", "0.2.0+build.1", "0.3.0-rc.1", "0.4.0"] {
        let archive = world.chart(version);
        world.ok(&["push", archive.to_str().unwrap(), &remote, "--plain-http"]);
        archives.insert(version, fs::read(&archive).unwrap());
    }
    let app = world.path().join("app");
    fs::create_dir_all(app.join("templates")).unwrap();
    fs::write(
        app.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: demo\n  version: \"^0.2\"\n  repository: {remote}\n- name: demo\n  alias: newest\n  version: \">=0.1.0\"\n  repository: {remote}\n"
        ),
    )
    .unwrap();
    fs::write(
        app.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
    )
    .unwrap();

    // HTTPS is the default, as in helm: a plain-HTTP registry needs the flag.
    let err = world.fails(&["dep", "update", "app"]);
    assert!(err.contains("--plain-http"), "{err}");
    assert!(!app.join("Chart.lock").exists());

    world.ok(&["dep", "update", "app", "--plain-http"]);
    let ours = fs::read_to_string(app.join("Chart.lock")).unwrap();
    assert_eq!(
        lock_lines(&ours, "version:"),
        ["version: 0.2.0+build.1", "version: 0.4.0"],
        "{ours}"
    );
    for (version, bytes) in [
        ("0.2.0+build.1", &archives["0.2.0+build.1"]),
        ("0.4.0", &archives["0.4.0"]),
    ] {
        let saved = fs::read(app.join(format!("charts/demo-{version}.tgz"))).unwrap();
        assert_eq!(&saved, bytes, "{version}");
        let digest = format!("sha256:{}", skiff::registry::sha256_hex(bytes));
        assert!(ours.contains(&format!("contentDigest: {digest}")), "{ours}");
    }
    let rendered = world.ok(&["template", "rel", "app"]);
    assert!(
        rendered.contains("version: \"0.2.0+build.1\""),
        "{rendered}"
    );

    // dep build: re-creates charts/ from the lock, verified.
    fs::remove_dir_all(app.join("charts")).unwrap();
    world.ok(&["dep", "build", "app", "--plain-http"]);
    assert_eq!(
        fs::read(app.join("charts/demo-0.4.0.tgz")).unwrap(),
        archives["0.4.0"]
    );
    // A lock whose content digest is not the registry's bytes is refused,
    // and charts/ is left as it was.
    let other = format!("sha256:{}", skiff::registry::sha256_hex(&archives["0.1.0"]));
    let good = format!("sha256:{}", skiff::registry::sha256_hex(&archives["0.4.0"]));
    fs::write(app.join("Chart.lock"), ours.replace(&good, &other)).unwrap();
    fs::remove_dir_all(app.join("charts")).unwrap();
    let err = world.fails(&["dep", "build", "app", "--plain-http"]);
    assert!(err.contains("digest"), "{err}");
    assert!(!app.join("charts").exists() || walk_count(&app.join("charts")) == 0);
    fs::write(app.join("Chart.lock"), &ours).unwrap();

    let Some(helm) = helm() else { return };
    // helm builds from our lock (its lock digest check passes)...
    world.helm(&helm, &["dep", "build", "app", "--plain-http"]);
    // ...and writes the same lock digest, names, versions and repositories.
    world.helm(&helm, &["dep", "update", "app", "--plain-http"]);
    let theirs = fs::read_to_string(app.join("Chart.lock")).unwrap();
    for key in ["digest:", "name:", "version:", "repository:"] {
        assert_eq!(
            lock_lines(&ours, key),
            lock_lines(&theirs, key),
            "{key}\nours:\n{ours}\nhelm:\n{theirs}"
        );
    }
    for version in ["0.2.0+build.1", "0.4.0"] {
        assert_eq!(
            fs::read(app.join(format!("charts/demo-{version}.tgz"))).unwrap(),
            archives[version],
            "helm's {version}"
        );
    }
    // And we build from helm's lock.
    world.ok(&["dep", "build", "app", "--plain-http"]);
}

fn walk_count(dir: &Path) -> usize {
    fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}
