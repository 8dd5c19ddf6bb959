//! Registry credentials in Docker's `config.json` format.
//!
//! skiff keeps its own file at [`Homes::registry_config`] — the layout helm
//! uses for `$HELM_CONFIG_HOME/registry/config.json`:
//! `{"auths":{"host:port":{"auth":"base64(user:password)"}}}`. Like helm
//! (oras-go's `credentials.NewStoreWithFallbacks`), a host not found there
//! is looked up in Docker's own configuration (`$DOCKER_CONFIG/config.json`,
//! else `~/.docker/config.json`), including its credential helpers
//! (`credsStore`, `credHelpers`: `docker-credential-<name> get`).
//!
//! Passwords are never printed: [`Credential`]'s `Debug` hides them and
//! error messages name only the host and the file.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Map, Value};

use super::RegistryError;
use super::paths::Homes;

/// What a registry login holds.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A user name and password (or personal access token).
    Basic {
        /// The user name.
        username: String,
        /// The password or token.
        password: String,
    },
    /// An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the
    /// registry's token endpoint with `grant_type=refresh_token`.
    IdentityToken(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credential::IdentityToken(_) => f.write_str("IdentityToken(***)"),
        }
    }
}

/// The registry key a reference's host is stored under: `host[:port]`,
/// lowercase, without scheme or path. Docker Hub's legacy key
/// `https://index.docker.io/v1/` is matched by `docker.io` and its aliases.
pub fn host_key(text: &str) -> String {
    let text = text.trim();
    let text = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .or_else(|| text.strip_prefix("oci://"))
        .unwrap_or(text);
    let host = text.split('/').next().unwrap_or(text);
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
        _ => host,
    }
}

/// Where credentials are read from and written to.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    /// skiff's own file (written by `registry login`).
    own: PathBuf,
    /// Docker's configuration, consulted when `own` has nothing for a host.
    docker: Option<PathBuf>,
}

impl CredentialStore {
    /// The store of this run: skiff's file under `homes`, Docker's
    /// configuration from `DOCKER_CONFIG` or `HOME`.
    pub fn from_env(homes: &Homes) -> CredentialStore {
        let docker = std::env::var_os("DOCKER_CONFIG")
            .filter(|v| !v.is_empty())
            .map(|d| PathBuf::from(d).join("config.json"))
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".docker").join("config.json"))
            });
        CredentialStore {
            own: homes.registry_config(),
            docker,
        }
    }

    /// A store with explicit files (tests).
    pub fn new(own: PathBuf, docker: Option<PathBuf>) -> CredentialStore {
        CredentialStore { own, docker }
    }

    /// skiff's own credentials file.
    pub fn path(&self) -> &Path {
        &self.own
    }

    /// The credential for `host`, if any file knows it: skiff's own file
    /// first, then Docker's (whose credential helpers may be run).
    pub fn get(&self, host: &str) -> Result<Option<Credential>, RegistryError> {
        let key = host_key(host);
        if let Some(config) = read_config(&self.own)?
            && let Some(found) = lookup(&config, &key, &self.own)?
        {
            return Ok(Some(found));
        }
        let Some(docker) = &self.docker else {
            return Ok(None);
        };
        let Some(config) = read_config(docker)? else {
            return Ok(None);
        };
        if let Some(found) = lookup(&config, &key, docker)? {
            return Ok(Some(found));
        }
        // Docker stores credentials in a helper when `credsStore` or a
        // per-host `credHelpers` entry says so; the `auths` entry is then
        // empty (`{}`) or missing.
        let helper = config
            .get("credHelpers")
            .and_then(Value::as_object)
            .and_then(|m| {
                m.iter()
                    .find(|(k, _)| host_key(k) == key)
                    .and_then(|(_, v)| v.as_str())
            })
            .or_else(|| config.get("credsStore").and_then(Value::as_str));
        match helper {
            Some(helper) if !helper.is_empty() => run_helper(helper, host, &key),
            _ => Ok(None),
        }
    }

    /// Stores `username`/`password` for `host` in skiff's own file (mode
    /// 0600, written atomically), keeping every other entry and key.
    pub fn store(&self, host: &str, username: &str, password: &str) -> Result<(), RegistryError> {
        let key = host_key(host);
        let mut config = read_config(&self.own)?.unwrap_or_default();
        let auths = auths_mut(&mut config, &self.own)?;
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        let mut entry = Map::new();
        entry.insert("auth".into(), Value::String(token));
        auths.insert(key, Value::Object(entry));
        self.write(&config)
    }

    /// Removes `host` from skiff's own file; false when it was not there
    /// (helm: `not logged in`). The file keeps `{"auths":{}}` when the last
    /// entry goes, as helm leaves it.
    pub fn remove(&self, host: &str) -> Result<bool, RegistryError> {
        let key = host_key(host);
        let Some(mut config) = read_config(&self.own)? else {
            return Ok(false);
        };
        let auths = auths_mut(&mut config, &self.own)?;
        let before = auths.len();
        auths.retain(|k, _| host_key(k) != key);
        if auths.len() == before {
            return Ok(false);
        }
        self.write(&config)?;
        Ok(true)
    }

    fn write(&self, config: &Map<String, Value>) -> Result<(), RegistryError> {
        let mut text = serde_json::to_string_pretty(config).map_err(|e| RegistryError::File {
            path: self.own.display().to_string(),
            message: e.to_string(),
        })?;
        text.push('\n');
        // The temporary file write_atomic renames into place is created
        // 0600 (tempfile's default), so the secret is never readable by
        // others, not even for a moment.
        super::cache::write_atomic(&self.own, text.as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.own, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| RegistryError::file(&self.own, &e))?;
        }
        Ok(())
    }
}

/// Reads a config file; a missing file is `None`.
fn read_config(path: &Path) -> Result<Option<Map<String, Value>>, RegistryError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RegistryError::file(path, &e)),
    };
    if text.trim().is_empty() {
        return Ok(Some(Map::new()));
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(RegistryError::File {
            path: path.display().to_string(),
            message: "not a JSON object".into(),
        }),
        Err(e) => Err(RegistryError::File {
            path: path.display().to_string(),
            message: format!("invalid JSON: {e}"),
        }),
    }
}

fn auths_mut<'a>(
    config: &'a mut Map<String, Value>,
    path: &Path,
) -> Result<&'a mut Map<String, Value>, RegistryError> {
    let auths = config
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    auths.as_object_mut().ok_or_else(|| RegistryError::File {
        path: path.display().to_string(),
        message: "\"auths\" is not an object".into(),
    })
}

/// The `auths` entry for `key`: `auth` (base64 `user:password`), or
/// `username`/`password`, or `identitytoken`. An empty entry (`{}`, left by
/// Docker when a helper holds the secret) is no credential.
fn lookup(
    config: &Map<String, Value>,
    key: &str,
    path: &Path,
) -> Result<Option<Credential>, RegistryError> {
    let Some(auths) = config.get("auths").and_then(Value::as_object) else {
        return Ok(None);
    };
    let Some(entry) = auths
        .iter()
        .find(|(k, _)| host_key(k) == key)
        .and_then(|(_, v)| v.as_object())
    else {
        return Ok(None);
    };
    let field = |name: &str| {
        entry
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(token) = field("identitytoken") {
        return Ok(Some(Credential::IdentityToken(token.to_string())));
    }
    if let Some(auth) = field("auth") {
        let bad = || RegistryError::File {
            path: path.display().to_string(),
            message: format!("the \"auth\" entry of {key} is not base64 of user:password"),
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|_| bad())?;
        let text = String::from_utf8(decoded).map_err(|_| bad())?;
        let (username, password) = text.split_once(':').ok_or_else(bad)?;
        return Ok(Some(Credential::Basic {
            username: username.to_string(),
            password: password.to_string(),
        }));
    }
    match (field("username"), field("password")) {
        (Some(username), Some(password)) => Ok(Some(Credential::Basic {
            username: username.to_string(),
            password: password.to_string(),
        })),
        _ => Ok(None),
    }
}

/// Runs `docker-credential-<helper> get` with the server on stdin, as the
/// Docker credential-helper protocol asks. A helper that does not know the
/// server says so (exit status non-zero, "credentials not found"), which is
/// no credential rather than an error.
fn run_helper(helper: &str, host: &str, key: &str) -> Result<Option<Credential>, RegistryError> {
    run_helper_in(None, helper, host, key)
}

/// [`run_helper`] with the program looked up in `dir` instead of `PATH`.
fn run_helper_in(
    dir: Option<&Path>,
    helper: &str,
    host: &str,
    key: &str,
) -> Result<Option<Credential>, RegistryError> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(RegistryError::Invalid(format!(
            "credential helper name {:?} is not a plain name",
            crate::archive::sanitize(helper)
        )));
    }
    let program = format!("docker-credential-{helper}");
    let command = match dir {
        Some(dir) => dir.join(&program),
        None => PathBuf::from(&program),
    };
    let mut child = match Command::new(command)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            return Err(RegistryError::Invalid(format!(
                "cannot run the Docker credential helper {program} for {key}: {e}"
            )));
        }
    };
    let server = if key == "docker.io" {
        "https://index.docker.io/v1/".to_string()
    } else {
        host.to_string()
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let output = child.wait_with_output().map_err(|e| {
        RegistryError::Invalid(format!("Docker credential helper {program} failed: {e}"))
    })?;
    if !output.status.success() {
        // The helper's stderr/stdout may echo what it was given, never a
        // secret; still, only its first line is shown.
        let said = String::from_utf8_lossy(&output.stdout);
        if said.contains("credentials not found") {
            return Ok(None);
        }
        return Err(RegistryError::Invalid(format!(
            "Docker credential helper {program} failed for {key}: {}",
            crate::archive::sanitize(said.lines().next().unwrap_or("").trim())
        )));
    }
    let answer: Value = serde_json::from_slice(&output.stdout).map_err(|_| {
        RegistryError::Invalid(format!(
            "Docker credential helper {program} did not answer with JSON"
        ))
    })?;
    let username = answer.get("Username").and_then(Value::as_str).unwrap_or("");
    let secret = answer.get("Secret").and_then(Value::as_str).unwrap_or("");
    if secret.is_empty() {
        return Ok(None);
    }
    // The helper protocol marks an identity token with the user `<token>`.
    if username == "<token>" {
        return Ok(Some(Credential::IdentityToken(secret.to_string())));
    }
    Ok(Some(Credential::Basic {
        username: username.to_string(),
        password: secret.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_get_remove_round_trip_keeps_other_entries() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("registry/config.json");
        std::fs::create_dir_all(own.parent().unwrap()).unwrap();
        std::fs::write(
            &own,
            r#"{"auths":{"other.io":{"auth":"dTpw"}},"credsStore":""}"#,
        )
        .unwrap();
        let store = CredentialStore::new(own.clone(), None);
        store.store("127.0.0.1:5443", "labuser", "labpass").unwrap();
        let text = std::fs::read_to_string(&own).unwrap();
        assert!(text.contains("\"127.0.0.1:5443\""), "{text}");
        assert!(text.contains("bGFidXNlcjpsYWJwYXNz"), "{text}");
        assert!(text.contains("other.io") && text.contains("credsStore"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&own).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            store.get("127.0.0.1:5443").unwrap(),
            Some(Credential::Basic {
                username: "labuser".into(),
                password: "labpass".into()
            })
        );
        assert!(store.remove("127.0.0.1:5443").unwrap());
        assert!(!store.remove("127.0.0.1:5443").unwrap());
        assert!(store.remove("other.io").unwrap());
        let left: Value = serde_json::from_str(&std::fs::read_to_string(&own).unwrap()).unwrap();
        assert_eq!(left["auths"], serde_json::json!({}));
    }

    #[test]
    fn docker_config_is_the_fallback_with_its_spellings() {
        let dir = tempfile::tempdir().unwrap();
        let docker = dir.path().join("docker.json");
        std::fs::write(
            &docker,
            r#"{"auths":{
                "https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="},
                "r.example:5000":{"username":"u","password":"p"},
                "tok.example":{"identitytoken":"refresh-me"},
                "empty.example":{}}}"#,
        )
        .unwrap();
        let store = CredentialStore::new(dir.path().join("missing.json"), Some(docker));
        assert_eq!(
            store.get("registry-1.docker.io").unwrap(),
            Some(Credential::Basic {
                username: "hub".into(),
                password: "secret".into()
            })
        );
        assert_eq!(
            store.get("R.example:5000").unwrap(),
            Some(Credential::Basic {
                username: "u".into(),
                password: "p".into()
            })
        );
        assert_eq!(
            store.get("tok.example").unwrap(),
            Some(Credential::IdentityToken("refresh-me".into()))
        );
        assert_eq!(store.get("empty.example").unwrap(), None);
        assert_eq!(store.get("nowhere.example").unwrap(), None);
    }

    #[test]
    fn credential_helper_protocol() {
        // A real helper program, as docker runs it (by path here: tests
        // cannot change PATH without `unsafe`).
        let dir = tempfile::tempdir().unwrap();
        let helper = dir.path().join("docker-credential-skifftest");
        std::fs::write(
            &helper,
            "#!/bin/sh\nread server\nif [ \"$server\" = helped.example ]; then\n  printf '{\"ServerURL\":\"helped.example\",\"Username\":\"hu\",\"Secret\":\"hs\"}'\nelse\n  echo 'credentials not found in native keychain'; exit 1\nfi\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let found = run_helper_at(&helper, "helped.example").unwrap();
        assert_eq!(
            found,
            Some(Credential::Basic {
                username: "hu".into(),
                password: "hs".into()
            })
        );
        assert_eq!(run_helper_at(&helper, "other.example").unwrap(), None);
    }

    /// Runs a helper by path (tests cannot change PATH without `unsafe`).
    fn run_helper_at(program: &Path, host: &str) -> Result<Option<Credential>, RegistryError> {
        let dir = program.parent().unwrap();
        let name = program
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .trim_start_matches("docker-credential-")
            .to_string();
        run_helper_in(Some(dir), &name, host, &host_key(host))
    }
}
