//! Chart provenance (`.prov`) end to end: keys made by GnuPG in batch mode
//! in a temporary GNUPGHOME (RSA, GnuPG 2.2's default, and Ed25519),
//! charts signed by `$HELM_REF package --sign` and by `skiff package
//! --sign`, checked by `skiff verify` and `helm verify` both ways, and
//! `skiff pull --verify` against a real HTTP server and, when
//! `docker-registry` is installed, a real OCI registry.
//!
//! Without `gpg` the tests print that they are skipped, or fail under
//! `SKIFF_REQUIRE_REGISTRY=1` (scripts/test sets it and installs gnupg).
//! The helm comparisons say they are skipped when HELM_REF is unset.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use skiff::registry::test_server::{Reply, TestServer};

mod support;
use support::registry::{Registry, have, helm};

/// A temporary GNUPGHOME with two keys, their public keys exported as a
/// binary `pubring.gpg` and as armored `pub.asc`, and the secret keys as
/// the legacy `secring.gpg` helm signs with.
struct Lab {
    dir: tempfile::TempDir,
}

const RSA_USER: &str = "Lab Signer <lab@example.invalid>";
const ED_USER: &str = "Ed Signer (test) <ed@example.invalid>";

impl Lab {
    fn new() -> Lab {
        let lab = Lab {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(lab.path("gnupg")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(lab.path("gnupg"), fs::Permissions::from_mode(0o700)).unwrap();
        }
        // `default` is RSA-3072 on GnuPG 2.2, a sign+certify primary key.
        lab.gpg(&["--quick-gen-key", RSA_USER, "default", "default", "never"]);
        lab.gpg(&["--quick-gen-key", ED_USER, "ed25519", "sign", "never"]);
        fs::write(lab.path("pubring.gpg"), lab.gpg(&["--export"])).unwrap();
        fs::write(lab.path("pub.asc"), lab.gpg(&["--export", "--armor"])).unwrap();
        fs::write(lab.path("secring.gpg"), lab.gpg(&["--export-secret-keys"])).unwrap();
        // A legacy keyring GnuPG itself maintains (an existing empty file
        // keeps the old format), with its trust packets after keys and ids.
        fs::write(lab.path("legacy.gpg"), b"").unwrap();
        lab.gpg(&[
            "--no-default-keyring",
            "--keyring",
            &lab.s("legacy.gpg"),
            "--import",
            &lab.s("pub.asc"),
        ]);
        lab.chart_source();
        lab
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn s(&self, rel: &str) -> String {
        self.path(rel).display().to_string()
    }

    /// Runs gpg in batch mode without a passphrase; returns stdout.
    fn gpg(&self, args: &[&str]) -> Vec<u8> {
        let out = Command::new("gpg")
            .args([
                "--batch",
                "--quiet",
                "--passphrase",
                "",
                "--pinentry-mode",
                "loopback",
            ])
            .args(args)
            .env("GNUPGHOME", self.path("gnupg"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            support::describe(&out)
        );
        out.stdout
    }

    /// A second, unrelated key in its own keyring.
    fn other_keyring(&self) -> PathBuf {
        let home = self.path("other-gnupg");
        fs::create_dir_all(&home).unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("gpg")
                .args([
                    "--batch",
                    "--quiet",
                    "--passphrase",
                    "",
                    "--pinentry-mode",
                    "loopback",
                ])
                .args(args)
                .env("GNUPGHOME", &home)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "gpg {args:?}: {}",
                support::describe(&out)
            );
            out.stdout
        };
        run(&[
            "--quick-gen-key",
            "Other <other@example.invalid>",
            "ed25519",
            "sign",
            "never",
        ]);
        let path = self.path("other.gpg");
        fs::write(&path, run(&["--export"])).unwrap();
        path
    }

    fn chart_source(&self) {
        let src = self.path("src/demo");
        fs::create_dir_all(src.join("templates")).unwrap();
        fs::write(
            src.join("Chart.yaml"),
            // The lists marshal as `- …` lines at column 0, which a
            // clear-signed body must dash-escape (`- - …`).
            "apiVersion: v2\nname: demo\nversion: 0.4.0\ndescription: A signed demo chart\nappVersion: \"1.0\"\nkeywords:\n- demo\n- signed\nmaintainers:\n- name: Lab\n  email: lab@example.invalid\n",
        )
        .unwrap();
        fs::write(src.join("values.yaml"), "replicas: 1\n").unwrap();
        fs::write(
            src.join("templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  r: \"{{ .Values.replicas }}\"\n",
        )
        .unwrap();
    }

    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("SKIFF_CONFIG_HOME", self.path("skiff-config"))
            .env("SKIFF_CACHE_HOME", self.path("skiff-cache"))
            .env("DOCKER_CONFIG", self.path("docker"))
            .env("HELM_CONFIG_HOME", self.path("helm/config"))
            .env("HELM_CACHE_HOME", self.path("helm/cache"))
            .env("HELM_DATA_HOME", self.path("helm/data"))
            .env("GNUPGHOME", self.path("gnupg"))
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    fn skiff(&self, args: &[&str]) -> Output {
        self.command(Path::new(env!("CARGO_BIN_EXE_skiff")), args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        support::expect_success(args, self.skiff(args))
    }

    /// Runs skiff, asserting failure and no stdout; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        support::expect_failure(args, self.skiff(args))
    }

    /// `skiff pull SOURCE --verify --keyring KEYRING -d <lab>/DEST` through
    /// `run` ([`Lab::ok`] or [`Lab::fails`]); returns what that returns.
    fn pull_verify(
        &self,
        source: &str,
        keyring: &str,
        dest: &str,
        run: fn(&Lab, &[&str]) -> String,
    ) -> String {
        run(
            self,
            &[
                "pull",
                source,
                "--verify",
                "--keyring",
                keyring,
                "-d",
                &self.s(dest),
            ],
        )
    }

    fn helm(&self, helm: &Path, args: &[&str]) -> Output {
        self.command(helm, args).output().unwrap()
    }

    /// `skiff package --sign` of the demo chart into `dest`; returns the
    /// archive path.
    fn skiff_signed(&self, dest: &str, key: &str) -> PathBuf {
        self.ok(&[
            "package",
            &self.s("src/demo"),
            "-d",
            &self.s(dest),
            "--sign",
            "--key",
            key,
            "--keyring",
            &self.s("secring.gpg"),
        ]);
        self.path(&format!("{dest}/demo-0.4.0.tgz"))
    }
}

#[test]
fn skiff_verify_matches_helm_verify_on_helm_signed_charts() {
    if !have("gpg") {
        return;
    }
    let Some(helm) = helm() else { return };
    let lab = Lab::new();
    for (dest, key) in [("rsa", "Lab Signer"), ("ed", "Ed Signer")] {
        let out = lab.helm(
            &helm,
            &[
                "package",
                &lab.s("src/demo"),
                "-d",
                &lab.s(dest),
                "--sign",
                "--key",
                key,
                "--keyring",
                &lab.s("secring.gpg"),
            ],
        );
        assert!(
            out.status.success(),
            "helm package --sign: {}",
            support::describe(&out)
        );
        let archive = lab.s(&format!("{dest}/demo-0.4.0.tgz"));
        let expected = lab.helm(
            &helm,
            &["verify", &archive, "--keyring", &lab.s("pubring.gpg")],
        );
        assert!(
            expected.status.success(),
            "helm verify: {}",
            support::describe(&expected)
        );
        let expected = String::from_utf8(expected.stdout).unwrap();
        assert!(expected.contains("Signed by: "), "{expected}");
        for keyring in ["pubring.gpg", "pub.asc", "secring.gpg", "legacy.gpg"] {
            let got = lab.ok(&["verify", &archive, "--keyring", &lab.s(keyring)]);
            assert_eq!(got, expected, "{dest} with {keyring}");
        }
        // Without --keyring: $GNUPGHOME/pubring.gpg, as helm.
        fs::copy(lab.path("pubring.gpg"), lab.path("gnupg/pubring.gpg")).unwrap();
        assert_eq!(lab.ok(&["verify", &archive]), expected);
    }
}

#[test]
fn helm_verify_accepts_skiff_signatures() {
    if !have("gpg") {
        return;
    }
    let lab = Lab::new();
    for (dest, key, user) in [
        ("rsa", "Lab Signer", RSA_USER),
        ("ed", "Ed Signer", ED_USER),
    ] {
        let archive = lab.skiff_signed(dest, key);
        let prov = fs::read_to_string(format!("{}.prov", archive.display())).unwrap();
        assert!(
            prov.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n"),
            "{prov}"
        );
        assert!(
            prov.contains("\nname: demo\n")
                && prov.contains("\n...\nfiles:\n  demo-0.4.0.tgz: sha256:"),
            "{prov}"
        );
        let got = lab.ok(&[
            "verify",
            &archive.display().to_string(),
            "--keyring",
            &lab.s("pubring.gpg"),
        ]);
        assert!(got.starts_with(&format!("Signed by: {user}\n")), "{got}");
        // gpg itself accepts the clear-signed message.
        lab.gpg(&["--verify", &format!("{}.prov", archive.display())]);
        if let Some(helm) = helm() {
            let out = lab.helm(
                &helm,
                &[
                    "verify",
                    &archive.display().to_string(),
                    "--keyring",
                    &lab.s("pubring.gpg"),
                ],
            );
            assert!(
                out.status.success(),
                "helm verify of skiff's signature: {}",
                support::describe(&out)
            );
            assert_eq!(String::from_utf8(out.stdout).unwrap(), got);
        }
    }
    // An ambiguous or unknown key name signs nothing and leaves no archive.
    let err = lab.fails(&[
        "package",
        &lab.s("src/demo"),
        "-d",
        &lab.s("amb"),
        "--sign",
        "--key",
        "Signer",
        "--keyring",
        &lab.s("secring.gpg"),
    ]);
    assert!(err.contains("more than one key"), "{err}");
    assert!(!lab.path("amb/demo-0.4.0.tgz").exists());
    let err = lab.fails(&[
        "package",
        &lab.s("src/demo"),
        "-d",
        &lab.s("pub"),
        "--sign",
        "--key",
        "Lab Signer",
        "--keyring",
        &lab.s("pubring.gpg"),
    ]);
    assert!(err.contains("not a private key"), "{err}");
}

#[test]
fn verify_failures_are_clear_errors() {
    if !have("gpg") {
        return;
    }
    let lab = Lab::new();
    let archive = lab.skiff_signed("good", "Lab Signer");
    let prov = fs::read(format!("{}.prov", archive.display())).unwrap();
    let bytes = fs::read(&archive).unwrap();
    let pubring = lab.s("pubring.gpg");
    let helm = helm();
    // Each case: a folder holding demo-0.4.0.tgz and its .prov, the
    // keyring, and what the error must say. helm must refuse it too.
    let case = |name: &str, archive: &[u8], prov: Option<&[u8]>, keyring: &str, says: &str| {
        let dir = lab.path(name);
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("demo-0.4.0.tgz");
        fs::write(&file, archive).unwrap();
        if let Some(prov) = prov {
            fs::write(dir.join("demo-0.4.0.tgz.prov"), prov).unwrap();
        }
        let file = file.display().to_string();
        let err = lab.fails(&["verify", &file, "--keyring", keyring]);
        assert!(err.contains(says), "{name}: {err}");
        if let Some(helm) = &helm {
            let out = lab.helm(helm, &["verify", &file, "--keyring", keyring]);
            assert!(!out.status.success(), "helm accepted {name}");
        }
    };
    let mut tampered = bytes.clone();
    tampered.push(0);
    case(
        "tampered-archive",
        &tampered,
        Some(&prov),
        &pubring,
        "sha256 sum does not match",
    );
    let body = String::from_utf8(prov.clone())
        .unwrap()
        .replace("name: demo\n", "name: demx\n");
    case(
        "tampered-body",
        &bytes,
        Some(body.as_bytes()),
        &pubring,
        "bad signature",
    );
    let other = lab.other_keyring().display().to_string();
    case("wrong-keyring", &bytes, Some(&prov), &other, "unknown key");
    case(
        "missing-prov",
        &bytes,
        None,
        &pubring,
        "could not load provenance file",
    );
    case(
        "malformed",
        &bytes,
        Some(b"not a signature\n"),
        &pubring,
        "malformed provenance",
    );
    // A signed body without helm's `...` layout.
    let plain = lab.path("plain.txt");
    fs::write(&plain, "just some text\n").unwrap();
    let signed = lab.gpg(&[
        "--clearsign",
        "--local-user",
        "Lab Signer",
        "--output",
        "-",
        &plain.display().to_string(),
    ]);
    case(
        "no-layout",
        &bytes,
        Some(&signed),
        &pubring,
        "no `...` line",
    );
    // The keyring itself must be one.
    case(
        "bad-keyring",
        &bytes,
        Some(&prov),
        &archive.display().to_string(),
        "not a usable OpenPGP keyring",
    );
    // A .prov for another file name.
    let dir = lab.path("renamed");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("other-1.0.0.tgz"), &bytes).unwrap();
    fs::write(dir.join("other-1.0.0.tgz.prov"), &prov).unwrap();
    let err = lab.fails(&[
        "verify",
        &dir.join("other-1.0.0.tgz").display().to_string(),
        "--keyring",
        &pubring,
    ]);
    assert!(
        err.contains("does not contain a SHA for a file named \"other-1.0.0.tgz\""),
        "{err}"
    );
}

/// Serves the files of `root` (404 for anything else).
fn serve(root: PathBuf) -> TestServer {
    TestServer::start(move |req| {
        let rel = req.path().trim_start_matches('/');
        match fs::read(root.join(rel)) {
            Ok(bytes) if !rel.is_empty() && !rel.contains("..") => Reply::ok(bytes),
            _ => Reply::status(404),
        }
    })
    .unwrap()
}

#[test]
fn pull_verify_from_an_http_repository() {
    if !have("gpg") {
        return;
    }
    let lab = Lab::new();
    let archive = lab.skiff_signed("repo", "Lab Signer");
    let server = serve(lab.path("repo"));
    let url = format!("{}/demo-0.4.0.tgz", server.url());
    let pubring = lab.s("pubring.gpg");
    let expected = lab.ok(&[
        "verify",
        &archive.display().to_string(),
        "--keyring",
        &pubring,
    ]);

    let out = lab.pull_verify(&url, &pubring, "out", Lab::ok);
    assert!(out.ends_with(&expected), "{out}");
    assert_eq!(
        fs::read(lab.path("out/demo-0.4.0.tgz")).unwrap(),
        fs::read(&archive).unwrap()
    );
    assert!(
        lab.path("out/demo-0.4.0.tgz.prov").is_file(),
        "the .prov is kept, as helm does"
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path() == "/demo-0.4.0.tgz.prov")
    );

    // Through an added repository (`repo/chart`), and with --repo URL.
    lab.ok(&["repo", "index", &lab.s("repo"), "--url", &server.url()]);
    lab.ok(&["repo", "add", "lab", &server.url()]);
    let out = lab.ok(&[
        "pull",
        "lab/demo",
        "--verify",
        "--keyring",
        &pubring,
        "-d",
        &lab.s("by-repo"),
    ]);
    assert!(out.ends_with(&expected), "{out}");
    assert!(lab.path("by-repo/demo-0.4.0.tgz.prov").is_file());
    let out = lab.ok(&[
        "pull",
        "demo",
        "--repo",
        &server.url(),
        "--verify",
        "--keyring",
        &pubring,
        "-d",
        &lab.s("by-url"),
    ]);
    assert!(out.ends_with(&expected), "{out}");

    // --prov keeps the .prov unchecked (no keyring needed); --untar keeps
    // neither the archive nor its .prov, as helm.
    let out = lab.ok(&["pull", &url, "--prov", "-d", &lab.s("prov-only")]);
    assert!(!out.contains("Signed by"), "{out}");
    assert_eq!(
        fs::read(lab.path("prov-only/demo-0.4.0.tgz.prov")).unwrap(),
        fs::read(lab.path("repo/demo-0.4.0.tgz.prov")).unwrap()
    );
    let out = lab.ok(&[
        "pull",
        &url,
        "--verify",
        "--keyring",
        &pubring,
        "--untar",
        "-d",
        &lab.s("untar"),
    ]);
    assert!(out.ends_with(&expected), "{out}");
    assert!(lab.path("untar/demo/Chart.yaml").is_file());
    assert!(!lab.path("untar/demo-0.4.0.tgz.prov").exists());

    // A key the keyring lacks: nothing is saved.
    let other = lab.other_keyring().display().to_string();
    let err = lab.pull_verify(&url, &other, "out2", Lab::fails);
    assert!(err.contains("unknown key"), "{err}");
    assert!(!lab.path("out2").join("demo-0.4.0.tgz").exists());

    // A tampered .prov on the server: nothing is saved.
    let prov = lab.path("repo/demo-0.4.0.tgz.prov");
    let good = fs::read_to_string(&prov).unwrap();
    fs::write(&prov, good.replace("name: demo\n", "name: demx\n")).unwrap();
    let err = lab.pull_verify(&url, &pubring, "out3", Lab::fails);
    assert!(err.contains("bad signature"), "{err}");
    assert!(!lab.path("out3").join("demo-0.4.0.tgz").exists());

    // No .prov: --verify fails like helm, --prov alone warns and saves.
    fs::remove_file(&prov).unwrap();
    let err = lab.pull_verify(&url, &pubring, "out4", Lab::fails);
    assert!(
        err.contains("failed to fetch provenance") && err.contains("demo-0.4.0.tgz.prov"),
        "{err}"
    );
    assert!(!lab.path("out4").join("demo-0.4.0.tgz").exists());
    let out = lab.skiff(&["pull", &url, "--prov", "-d", &lab.s("out5")]);
    assert!(out.status.success(), "{}", support::describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("WARNING: Verification not found"));
    assert!(lab.path("out5/demo-0.4.0.tgz").is_file());
    assert!(!lab.path("out5/demo-0.4.0.tgz.prov").exists());
}

#[test]
fn pull_verify_from_an_oci_registry() {
    if !have("gpg") || !have("docker-registry") {
        return;
    }
    let lab = Lab::new();
    fs::create_dir_all(lab.path("docker")).unwrap();
    let registry = Registry::start("", "");
    let remote = format!("oci://{}/charts", registry.host());
    let pubring = lab.s("pubring.gpg");
    // Signed: the .prov beside the archive becomes the provenance layer.
    let archive = lab.skiff_signed("signed", "Ed Signer");
    lab.ok(&[
        "push",
        &archive.display().to_string(),
        &remote,
        "--plain-http",
    ]);
    let expected = lab.ok(&[
        "verify",
        &archive.display().to_string(),
        "--keyring",
        &pubring,
    ]);
    let chart = format!("{remote}/demo");
    let out = lab.ok(&[
        "pull",
        &chart,
        "--version",
        "0.4.0",
        "--plain-http",
        "--verify",
        "--keyring",
        &pubring,
        "-d",
        &lab.s("out"),
    ]);
    assert!(out.ends_with(&expected), "{out}");
    assert!(lab.path("out/demo-0.4.0.tgz.prov").is_file());
    if let Some(helm) = helm() {
        // helm pull does not create its destination.
        fs::create_dir_all(lab.path("helm-out")).unwrap();
        let out = lab.helm(
            &helm,
            &[
                "pull",
                &chart,
                "--version",
                "0.4.0",
                "--plain-http",
                "--verify",
                "--keyring",
                &pubring,
                "-d",
                &lab.s("helm-out"),
            ],
        );
        assert!(
            out.status.success(),
            "helm pull --verify: {}",
            support::describe(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&expected),
            "{}",
            support::describe(&out)
        );
    }
    // Unsigned: --verify fails and saves nothing.
    lab.ok(&[
        "package",
        &lab.s("src/demo"),
        "--version",
        "0.5.0",
        "-d",
        &lab.s("unsigned"),
    ]);
    lab.ok(&[
        "push",
        &lab.s("unsigned/demo-0.5.0.tgz"),
        &remote,
        "--plain-http",
    ]);
    let err = lab.fails(&[
        "pull",
        &chart,
        "--version",
        "0.5.0",
        "--plain-http",
        "--verify",
        "--keyring",
        &pubring,
        "-d",
        &lab.s("out2"),
    ]);
    assert!(
        err.contains("failed to fetch provenance") && err.contains("demo:0.5.0.prov"),
        "{err}"
    );
    assert!(!lab.path("out2/demo-0.5.0.tgz").exists());
}

#[test]
fn signatures_by_a_signing_subkey_verify() {
    if !have("gpg") {
        return;
    }
    let lab = Lab::new();
    // A certify-only primary key with an Ed25519 signing subkey: gpg signs
    // with the subkey, and helm reports the primary key's fingerprint.
    let user = "Sub Signer <sub@example.invalid>";
    lab.gpg(&["--quick-gen-key", user, "ed25519", "cert", "never"]);
    let listing = String::from_utf8(lab.gpg(&["--with-colons", "--list-keys", user])).unwrap();
    let primary = listing
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .unwrap()
        .to_string();
    lab.gpg(&["--quick-add-key", &primary, "ed25519", "sign", "never"]);
    let pubring = lab.path("sub.gpg");
    fs::write(&pubring, lab.gpg(&["--export", user])).unwrap();
    // The body of a skiff signature, re-signed by gpg with the subkey.
    let archive = lab.skiff_signed("sub", "Lab Signer");
    let prov_path = format!("{}.prov", archive.display());
    let prov = fs::read_to_string(&prov_path).unwrap();
    let body = prov
        .split_once("\n\n")
        .unwrap()
        .1
        .split_once("\n-----BEGIN PGP SIGNATURE-----")
        .unwrap()
        .0
        .replace("\n- - ", "\n- ");
    let body = body.strip_prefix("- ").unwrap_or(&body).to_string();
    let body_path = lab.path("sub/body.txt");
    fs::write(&body_path, format!("{body}\n")).unwrap();
    let signed = lab.gpg(&[
        "--clearsign",
        "--local-user",
        user,
        "--output",
        "-",
        &body_path.display().to_string(),
    ]);
    let signed_text = String::from_utf8(signed.clone()).unwrap();
    assert!(
        signed_text.contains("\n- - "),
        "dash-escaped: {signed_text}"
    );
    fs::write(&prov_path, &signed).unwrap();
    let got = lab.ok(&[
        "verify",
        &archive.display().to_string(),
        "--keyring",
        &pubring.display().to_string(),
    ]);
    assert!(
        got.starts_with(&format!(
            "Signed by: {user}\nUsing Key With Fingerprint: {primary}\n"
        )),
        "{got}"
    );
    if let Some(helm) = helm() {
        let out = lab.helm(
            &helm,
            &[
                "verify",
                &archive.display().to_string(),
                "--keyring",
                &pubring.display().to_string(),
            ],
        );
        assert!(
            out.status.success(),
            "helm verify: {}",
            support::describe(&out)
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap(), got);
    }
}

#[test]
fn a_protected_key_signs_with_its_passphrase_file() {
    if !have("gpg") {
        return;
    }
    let lab = Lab::new();
    let user = "Locked Signer <locked@example.invalid>";
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .args(["--batch", "--quiet", "--pinentry-mode", "loopback"])
            .args(["--passphrase", "correct horse"])
            .args(args)
            .env("GNUPGHOME", lab.path("gnupg"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            support::describe(&out)
        );
        out.stdout
    };
    gpg(&["--quick-gen-key", user, "ed25519", "sign", "never"]);
    fs::write(
        lab.path("locked-sec.gpg"),
        gpg(&["--export-secret-keys", user]),
    )
    .unwrap();
    fs::write(lab.path("locked-pub.gpg"), gpg(&["--export", user])).unwrap();
    fs::write(lab.path("right.txt"), "correct horse\n").unwrap();
    fs::write(lab.path("wrong.txt"), "battery staple\n").unwrap();
    let package = |dest: &str, extra: &[&str]| {
        let mut args = vec![
            "package".to_string(),
            lab.s("src/demo"),
            "-d".into(),
            lab.s(dest),
            "--sign".into(),
            "--key".into(),
            "Locked".into(),
            "--keyring".into(),
            lab.s("locked-sec.gpg"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run = |args: Vec<String>| lab.skiff(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let out = run(package("none", &[]));
    assert!(!out.status.success());
    assert!(
        support::describe(&out).contains("--passphrase-file"),
        "{}",
        support::describe(&out)
    );
    assert!(
        !lab.path("none/demo-0.4.0.tgz").exists(),
        "no unsigned archive is left"
    );
    let out = run(package(
        "wrong",
        &["--passphrase-file", &lab.s("wrong.txt")],
    ));
    assert!(!out.status.success(), "a wrong passphrase signs nothing");
    assert!(
        !support::describe(&out).contains("battery"),
        "the passphrase is never printed"
    );
    assert!(!lab.path("wrong/demo-0.4.0.tgz.prov").exists());
    let out = run(package(
        "right",
        &["--passphrase-file", &lab.s("right.txt")],
    ));
    assert!(out.status.success(), "{}", support::describe(&out));
    let got = lab.ok(&[
        "verify",
        &lab.s("right/demo-0.4.0.tgz"),
        "--keyring",
        &lab.s("locked-pub.gpg"),
    ]);
    assert!(got.starts_with(&format!("Signed by: {user}\n")), "{got}");
}
