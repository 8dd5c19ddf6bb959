//! A small OCI distribution client: manifests, blobs, tag lists and
//! uploads over [`HttpClient`], with the registry auth chain.
//!
//! Auth, as oras-go v2.6.0 (helm v4.1.4) does it: every request goes out
//! anonymously first (or with what an earlier 401 taught us); a 401's
//! `WWW-Authenticate` decides the retry — Basic credentials, or a bearer
//! token fetched for the merged scopes (the operation's own hint plus the
//! challenge's) and cached for the rest of the run, keyed by scope.
//!
//! HTTPS unless the user passes `--plain-http`; an HTTPS attempt that meets
//! a plain-HTTP server is reported the way Go reports it to helm users
//! ("server gave HTTP response to HTTPS client") with the flag to use.

use std::cell::RefCell;
use std::collections::HashMap;

use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use url::Url;

use super::RegistryError;
use super::auth::{self, Challenge, TokenMethod};
use super::credentials::Credential;
use super::http::{Auth, HttpClient, Request, Response};

/// OCI image manifest media type (what helm pushes).
pub const MEDIA_TYPE_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index media type.
pub const MEDIA_TYPE_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker schema 2 manifest media type.
pub const MEDIA_TYPE_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The `Accept` header of manifest requests. distribution 2.8.2 answers 404
/// (`OCI manifest found, but accept header does not support OCI manifests`)
/// when the OCI type is missing, so it leads.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// The largest manifest accepted (oras-go's default limit is 4 MiB).
pub const MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;

/// The most tag-list pages followed (GHCR pages at 100 tags).
const MAX_TAG_PAGES: usize = 1000;

/// What a request is for, so a bearer token can be asked for the right
/// scope before the registry even says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading a repository.
    Pull,
    /// Writing (and reading) a repository.
    Push,
}

/// A manifest as fetched: bytes, their digest, and the media type.
#[derive(Debug, Clone)]
pub struct FetchedManifest {
    /// The manifest bytes, exactly as served.
    pub bytes: Vec<u8>,
    /// `sha256:<hex>` of `bytes`.
    pub digest: String,
    /// The `Content-Type` the registry gave.
    pub media_type: String,
}

/// A client for one registry host.
pub struct OciClient {
    http: HttpClient,
    registry: String,
    base: Url,
    plain_http: bool,
    credential: Option<Credential>,
    state: RefCell<AuthState>,
}

impl std::fmt::Debug for OciClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OciClient")
            .field("registry", &self.registry)
            .field("plain_http", &self.plain_http)
            .field("credential", &self.credential)
            .finish()
    }
}

/// What the auth chain learned during this run.
#[derive(Default)]
struct AuthState {
    /// The registry asked for Basic auth; send it up front from now on.
    basic: bool,
    /// Bearer tokens by merged scope list (joined with spaces).
    tokens: HashMap<String, String>,
}

impl OciClient {
    /// A client for `registry` (`host[:port]`): HTTPS unless `plain_http`.
    /// `credential` comes from the command line or the credential store.
    pub fn new(
        http: HttpClient,
        registry: &str,
        plain_http: bool,
        credential: Option<Credential>,
    ) -> Result<OciClient, RegistryError> {
        // Docker Hub's API host is not its reference name (oras-go maps it
        // the same way).
        let endpoint = match registry {
            "docker.io" => "registry-1.docker.io",
            other => other,
        };
        let scheme = if plain_http { "http" } else { "https" };
        let base = Url::parse(&format!("{scheme}://{endpoint}/")).map_err(|_| {
            RegistryError::Invalid(format!(
                "invalid registry host {:?}",
                crate::archive::sanitize(registry)
            ))
        })?;
        if base.path() != "/" || base.query().is_some() || !base.username().is_empty() {
            return Err(RegistryError::Invalid(format!(
                "invalid registry host {:?}",
                crate::archive::sanitize(registry)
            )));
        }
        Ok(OciClient {
            http,
            registry: registry.to_string(),
            base,
            plain_http,
            credential,
            state: RefCell::new(AuthState::default()),
        })
    }

    /// The registry host this client talks to.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// `scheme://host/v2/<path>`.
    fn url(&self, path: &str) -> Result<Url, RegistryError> {
        self.base.join(&format!("v2/{path}")).map_err(|_| {
            RegistryError::Invalid(format!(
                "invalid registry path {:?}",
                crate::archive::sanitize(path)
            ))
        })
    }

    /// Checks that the registry speaks the distribution API and accepts our
    /// credentials: `GET /v2/` through the auth chain. With
    /// `oauth2_first`, a bearer challenge is answered with the OAuth2 POST
    /// before the GET, as `helm registry login` does.
    pub fn ping(&self, oauth2_first: bool) -> Result<(), RegistryError> {
        let url = self.url("")?;
        let response = self.send_with(Request::get(url), &[], oauth2_first)?;
        if response.is_success() {
            Ok(())
        } else {
            Err(self.status_error(response))
        }
    }

    /// Sends `request` through the auth chain, hinting the token scope for
    /// `repository` and `access`.
    pub fn send(
        &self,
        request: Request<'_>,
        repository: &str,
        access: Access,
    ) -> Result<Response, RegistryError> {
        let actions = match access {
            Access::Pull => "pull",
            Access::Push => "pull,push",
        };
        self.send_with(
            request,
            &[format!("repository:{repository}:{actions}")],
            false,
        )
    }

    fn send_with(
        &self,
        request: Request<'_>,
        hint: &[String],
        oauth2_first: bool,
    ) -> Result<Response, RegistryError> {
        let hint = auth::merge_scopes(hint);
        let known = self.known_auth(&hint);
        let response = self.send_once(&request, known.as_ref())?;
        if response.status() != 401 {
            return Ok(response);
        }
        let challenge = response
            .header("www-authenticate")
            .and_then(auth::parse_challenge);
        let retry_auth = match challenge {
            Some(Challenge::Basic) => match &self.credential {
                Some(Credential::Basic { username, password })
                    if !matches!(known, Some(Auth::Basic { .. })) =>
                {
                    self.state.borrow_mut().basic = true;
                    Auth::Basic {
                        username: username.clone(),
                        password: password.clone(),
                    }
                }
                _ => return Ok(response),
            },
            Some(Challenge::Bearer {
                realm,
                service,
                scopes,
            }) => {
                let mut all = hint.clone();
                all.extend(scopes);
                let scopes = auth::merge_scopes(&all);
                let token = self.token(&realm, service.as_deref(), &scopes, oauth2_first)?;
                let mut state = self.state.borrow_mut();
                state.tokens.insert(hint.join(" "), token.clone());
                state.tokens.insert(scopes.join(" "), token.clone());
                Auth::Bearer(token)
            }
            None => return Ok(response),
        };
        if known.as_ref() == Some(&retry_auth) {
            return Ok(response);
        }
        self.send_once(&request, Some(&retry_auth))
    }

    /// The credentials an earlier answer asked for, if any.
    fn known_auth(&self, hint: &[String]) -> Option<Auth> {
        let state = self.state.borrow();
        if let Some(token) = state.tokens.get(&hint.join(" ")) {
            return Some(Auth::Bearer(token.clone()));
        }
        match (&self.credential, state.basic) {
            (Some(Credential::Basic { username, password }), true) => Some(Auth::Basic {
                username: username.clone(),
                password: password.clone(),
            }),
            _ => None,
        }
    }

    /// A token for `scopes`. Identity (refresh) tokens only work with the
    /// OAuth2 POST; a login tries the POST first and falls back to the GET
    /// (as helm's `Client.Login` does); everything else uses the GET.
    fn token(
        &self,
        realm: &str,
        service: Option<&str>,
        scopes: &[String],
        oauth2_first: bool,
    ) -> Result<String, RegistryError> {
        let credential = self.credential.as_ref();
        let fetch = |method: TokenMethod| {
            auth::fetch_token(&self.http, realm, service, scopes, credential, method)
        };
        match credential {
            Some(Credential::IdentityToken(_)) => fetch(TokenMethod::OAuth2),
            Some(Credential::Basic { .. }) if oauth2_first => {
                fetch(TokenMethod::OAuth2).or_else(|_| fetch(TokenMethod::Get))
            }
            _ => fetch(TokenMethod::Get),
        }
        .map_err(|e| match e {
            RegistryError::Status {
                url,
                status,
                detail,
            } if status.starts_with("401") => RegistryError::Unauthorized {
                registry: self.registry.clone(),
                message: format!(
                    "the token service refused the credentials ({url}: {status}{detail})"
                ),
                login_hint: self.credential.is_none(),
            },
            other => other,
        })
    }

    fn send_once(
        &self,
        request: &Request<'_>,
        auth: Option<&Auth>,
    ) -> Result<Response, RegistryError> {
        let request = request.clone().auth(auth);
        match self.http.send(&request) {
            Ok(response) => Ok(response),
            Err(RegistryError::Transport { url, message }) if !self.plain_http => {
                if message.contains("certificate") {
                    Err(RegistryError::Transport {
                        url,
                        message: format!(
                            "{message} (pass --ca-file with the registry's CA bundle, or --insecure-skip-tls-verify)"
                        ),
                    })
                } else if self.answers_plain_http() {
                    Err(RegistryError::Transport {
                        url,
                        message: "server gave HTTP response to HTTPS client; pass --plain-http to use a registry without TLS".into(),
                    })
                } else {
                    Err(RegistryError::Transport { url, message })
                }
            }
            Err(e) => Err(e),
        }
    }

    /// After an HTTPS failure: whether the same host speaks the registry
    /// API over plain HTTP (`/v2/` answering 200 or 401), to say so instead
    /// of a TLS record error. A TLS server answers a plain request with 400
    /// ("Client sent an HTTP request to an HTTPS server"), which is no.
    fn answers_plain_http(&self) -> bool {
        let mut url = self.base.clone();
        if url.set_scheme("http").is_err() {
            return false;
        }
        url.set_path("/v2/");
        self.http
            .send(&Request::get(url))
            .is_ok_and(|r| matches!(r.status(), 200 | 401))
    }

    /// The error for a final non-success answer: a 401 becomes
    /// [`RegistryError::Unauthorized`] with a hint, anything else carries
    /// the registry's own message.
    pub fn status_error(&self, response: Response) -> RegistryError {
        if response.status() == 401 {
            let message = match response.into_error() {
                RegistryError::Status { status, detail, .. } => format!("{status}{detail}"),
                other => other.to_string(),
            };
            return RegistryError::Unauthorized {
                registry: self.registry.clone(),
                message,
                login_hint: self.credential.is_none(),
            };
        }
        response.into_error()
    }

    /// Fetches a manifest by tag or digest. When `reference` is a digest
    /// the bytes must hash to it; otherwise they must match the
    /// registry's `Docker-Content-Digest` when it sends one.
    pub fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        let url = self.url(&format!("{repository}/manifests/{reference}"))?;
        let request = Request::get(url.clone()).header(ACCEPT, MANIFEST_ACCEPT);
        let response = self.send(request, repository, Access::Pull)?;
        if response.status() == 404 {
            let separator = if reference.starts_with("sha256:") {
                '@'
            } else {
                ':'
            };
            return Err(RegistryError::NotFound(format!(
                "{}/{repository}{separator}{reference}: not found",
                self.registry
            )));
        }
        if !response.is_success() {
            return Err(self.status_error(response));
        }
        let media_type = response
            .header("content-type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let served_digest = response.header("docker-content-digest").map(str::to_string);
        let bytes = response.bytes(MAX_MANIFEST_SIZE, None)?;
        let digest = format!("sha256:{}", super::sha256_hex(&bytes));
        let expected = if reference.starts_with("sha256:") {
            Some(reference.to_string())
        } else {
            served_digest.filter(|d| d.starts_with("sha256:"))
        };
        if let Some(expected) = expected {
            super::http::verify_sha256(&url, &bytes, &expected)?;
        }
        Ok(FetchedManifest {
            bytes,
            digest,
            media_type,
        })
    }

    /// Downloads a blob and returns it only if its sha256 is `digest` and
    /// it is at most `limit` bytes.
    pub fn blob(
        &self,
        repository: &str,
        digest: &str,
        limit: u64,
        label: &str,
    ) -> Result<Vec<u8>, RegistryError> {
        check_digest(digest)?;
        let url = self.url(&format!("{repository}/blobs/{digest}"))?;
        let request = Request::get(url.clone()).header(ACCEPT, "*/*");
        let response = self.send(request, repository, Access::Pull)?;
        if !response.is_success() {
            return Err(self.status_error(response));
        }
        let bytes = response.bytes(limit, Some(label))?;
        super::http::verify_sha256(&url, &bytes, digest)?;
        Ok(bytes)
    }

    /// Every tag of `repository`, following `Link: <…>; rel="next"` pages
    /// (GHCR pages at 100; distribution 2.8.2 sends everything at once).
    pub fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        let mut url = self.url(&format!("{repository}/tags/list"))?;
        let mut tags = Vec::new();
        for _ in 0..MAX_TAG_PAGES {
            let request = Request::get(url.clone()).header(ACCEPT, "application/json");
            let response = self.send(request, repository, Access::Pull)?;
            if response.status() == 404 {
                return Err(RegistryError::NotFound(format!(
                    "{}/{repository}: repository not found",
                    self.registry
                )));
            }
            if !response.is_success() {
                return Err(self.status_error(response));
            }
            let next = response.header("link").and_then(|l| next_link(&url, l));
            let body = response.bytes(MAX_MANIFEST_SIZE, None)?;
            let json: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
                RegistryError::Invalid(format!(
                    "{}: the tag list is not JSON",
                    super::redact_url(&url)
                ))
            })?;
            if let Some(list) = json.get("tags").and_then(|t| t.as_array()) {
                tags.extend(list.iter().filter_map(|t| t.as_str()).map(String::from));
            }
            match next {
                Some(next) if next != url => url = next,
                _ => return Ok(tags),
            }
        }
        Err(RegistryError::Invalid(format!(
            "{}/{repository}: more than {MAX_TAG_PAGES} pages of tags",
            self.registry
        )))
    }

    /// Whether the registry already has blob `digest` in `repository`.
    pub fn blob_exists(&self, repository: &str, digest: &str) -> Result<bool, RegistryError> {
        check_digest(digest)?;
        let url = self.url(&format!("{repository}/blobs/{digest}"))?;
        let response = self.send(
            Request::get(url).method(Method::HEAD),
            repository,
            Access::Push,
        )?;
        match response.status() {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => Err(self.status_error(response)),
        }
    }

    /// Uploads `bytes` as blob `digest`: `POST /blobs/uploads/` for a
    /// session, then one monolithic `PUT <location>&digest=…` — the
    /// sequence helm's pushes show in the registry log.
    pub fn upload_blob(
        &self,
        repository: &str,
        digest: &str,
        bytes: &[u8],
    ) -> Result<(), RegistryError> {
        check_digest(digest)?;
        let url = self.url(&format!("{repository}/blobs/uploads/"))?;
        let response = self.send(
            Request::get(url.clone())
                .method(Method::POST)
                .body(Vec::new()),
            repository,
            Access::Push,
        )?;
        if response.status() != 202 {
            return Err(self.status_error(response));
        }
        let location = response.header("location").ok_or_else(|| {
            RegistryError::Invalid(format!(
                "{}: upload session without a Location",
                super::redact_url(&url)
            ))
        })?;
        let mut put = url.join(location).map_err(|_| {
            RegistryError::Invalid(format!(
                "{}: invalid upload Location",
                super::redact_url(&url)
            ))
        })?;
        // A session on another origin (object storage) gets no credentials:
        // the HTTP layer sends them only to the origin they were given for.
        put.query_pairs_mut().append_pair("digest", digest);
        let response = self.send(
            Request::get(put)
                .method(Method::PUT)
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(bytes.to_vec()),
            repository,
            Access::Push,
        )?;
        if response.status() != 201 && !response.is_success() {
            return Err(self.status_error(response));
        }
        Ok(())
    }

    /// Stores a manifest under `reference` (a tag) and returns the digest
    /// the registry reports (or ours, when it reports none).
    pub fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, RegistryError> {
        let url = self.url(&format!("{repository}/manifests/{reference}"))?;
        let response = self.send(
            Request::get(url.clone())
                .method(Method::PUT)
                .header(CONTENT_TYPE, media_type)
                .body(bytes.to_vec()),
            repository,
            Access::Push,
        )?;
        if !response.is_success() {
            return Err(self.status_error(response));
        }
        let ours = format!("sha256:{}", super::sha256_hex(bytes));
        match response.header("docker-content-digest") {
            Some(theirs) if theirs != ours => Err(RegistryError::DigestMismatch {
                url: super::redact_url(&url),
                expected: ours.trim_start_matches("sha256:").to_string(),
                actual: crate::archive::sanitize(theirs.trim_start_matches("sha256:")),
            }),
            _ => Ok(ours),
        }
    }
}

/// Refuses anything but `sha256:<64 hex>` before it goes into a URL.
fn check_digest(digest: &str) -> Result<(), RegistryError> {
    let hex = digest.strip_prefix("sha256:").unwrap_or("");
    if super::is_sha256_hex(hex) {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "unsupported digest {:?} (expected sha256:<64 hex digits>)",
            crate::archive::sanitize(digest)
        )))
    }
}

/// The `rel="next"` target of a `Link` header, resolved against `base`.
fn next_link(base: &Url, header: &str) -> Option<Url> {
    for part in header.split(',') {
        let part = part.trim();
        let (target, params) = part.split_once(';').unwrap_or((part, ""));
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        if is_next {
            let next = base.join(target).ok()?;
            // Never follow a page to another host with our credentials.
            return (next.origin() == base.origin()).then_some(next);
        }
    }
    None
}

#[cfg(test)]
#[path = "oci_tests.rs"]
mod server_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_next_page() {
        let base = Url::parse("https://ghcr.io/v2/o/c/tags/list").unwrap();
        let next = next_link(&base, r#"</v2/o/c/tags/list?last=0.9.0&n=100>; rel="next""#).unwrap();
        assert_eq!(
            next.as_str(),
            "https://ghcr.io/v2/o/c/tags/list?last=0.9.0&n=100"
        );
        assert_eq!(next_link(&base, r#"</x>; rel="prev""#), None);
        assert_eq!(
            next_link(&base, r#"<https://evil.example/v2/x>; rel="next""#),
            None
        );
    }

    #[test]
    fn digests_are_checked_before_use_in_urls() {
        assert!(check_digest(&format!("sha256:{}", "a".repeat(64))).is_ok());
        assert!(check_digest("sha256:../../x").is_err());
        assert!(check_digest("md5:abc").is_err());
    }
}
