//! A real OCI registry for tests: CNCF distribution (`docker-registry
//! serve`, the Debian package of distribution 2.8.2) on a free 127.0.0.1
//! port with its own storage, stopped (by its own pid) when dropped; and the
//! "is this tool installed" check shared by every test that needs one.
//!
//! Without a tool the calling test prints that it is skipped;
//! `scripts/test` installs them and sets `SKIFF_REQUIRE_REGISTRY=1`, which
//! turns a missing tool into a failure.

use std::fs;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `tool` is on PATH; when it is not, the test is skipped with a
/// line saying so, or fails under `SKIFF_REQUIRE_REGISTRY=1`.
pub fn have(tool: &str) -> bool {
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

/// `$HELM_REF`, or `None` after saying the interop part is skipped.
pub fn helm() -> Option<PathBuf> {
    match std::env::var_os("HELM_REF") {
        Some(h) if !h.is_empty() => Some(PathBuf::from(h)),
        _ => {
            eprintln!("skipped: HELM_REF is not set (interop with helm v4.1.4)");
            None
        }
    }
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `docker-registry serve`, killed (by its own pid) on drop.
pub struct Registry {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// Its storage root.
    pub storage: PathBuf,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry with `extra` YAML appended to the config (`http`
    /// keys go in `http_extra`).
    pub fn start(http_extra: &str, extra: &str) -> Registry {
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

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The stored file of blob `digest`.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
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
