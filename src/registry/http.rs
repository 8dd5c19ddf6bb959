//! The HTTP(S) client every remote operation goes through.
//!
//! Blocking reqwest on rustls. Three rules hold for every request:
//! - **Redirects are followed here, not by reqwest**, so that credentials
//!   go only to the origin (scheme, host, port) they were given for: a
//!   registry that redirects a blob download to object storage gets no
//!   `Authorization` header sent there.
//! - **429 Too Many Requests is retried** with back-off (the server's
//!   `Retry-After`, else 1 s, 2 s, 4 s), as ArtifactHub asks of clients.
//! - **Bodies are bounded**: a response larger than the caller's limit is
//!   refused while it streams, before it fills memory.
//!
//! Unlike helm (`DisableCompression: true` in its getter), we ask for gzip:
//! a 15 MB repository index compresses to a tenth.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::{RegistryError, redact_url, sha256_hex};

/// The `User-Agent` skiff sends.
pub const USER_AGENT: &str = concat!("skiff/", env!("CARGO_PKG_VERSION"));

/// How many redirects one request may follow (Go's net/http allows 10).
const MAX_REDIRECTS: usize = 10;

/// How often a 429 answer is retried before giving up.
const MAX_RATE_LIMIT_RETRIES: u32 = 3;

/// The longest `Retry-After` we honour; a server asking for more gets an
/// error rather than a hung CI job.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// TLS and transport options, the same set helm offers on its remote
/// commands.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Extra trusted CA certificates (PEM bundle), added to the system's.
    pub ca_file: Option<PathBuf>,
    /// A client certificate (PEM) for mutual TLS, with `key_file`.
    pub cert_file: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub key_file: Option<PathBuf>,
    /// Accept any server certificate (`--insecure-skip-tls-verify`).
    pub insecure_skip_tls_verify: bool,
    /// The whole-request timeout (helm's default is 120 s).
    pub timeout: Duration,
    /// Show a progress bar for downloads when stderr is a terminal.
    pub progress: bool,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            ca_file: None,
            cert_file: None,
            key_file: None,
            insecure_skip_tls_verify: false,
            timeout: Duration::from_secs(120),
            progress: true,
        }
    }
}

/// Credentials for one request.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP Basic (`Authorization: Basic base64(user:password)`).
    Basic {
        /// The user name.
        username: String,
        /// The password or token.
        password: String,
    },
    /// A bearer token (`Authorization: Bearer …`).
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    // Never print a secret, even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

impl Auth {
    fn header_value(&self) -> Result<HeaderValue, RegistryError> {
        use base64::Engine;
        let text = match self {
            Auth::Basic { username, password } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            ),
            Auth::Bearer(token) => format!("Bearer {token}"),
        };
        let mut value = HeaderValue::from_str(&text)
            .map_err(|_| RegistryError::Invalid("credentials contain invalid characters".into()))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// GET, HEAD, POST, PUT, …
    pub method: Method,
    /// Where to.
    pub url: Url,
    /// Extra headers (`Accept`, `Content-Type`, …).
    pub headers: Vec<(HeaderName, String)>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
    /// Credentials, sent only to `url`'s origin.
    pub auth: Option<&'a Auth>,
}

impl<'a> Request<'a> {
    /// A GET of `url`.
    pub fn get(url: Url) -> Request<'a> {
        Request {
            method: Method::GET,
            url,
            headers: Vec::new(),
            body: None,
            auth: None,
        }
    }

    /// The same request with another method.
    pub fn method(mut self, method: Method) -> Request<'a> {
        self.method = method;
        self
    }

    /// The same request with one more header.
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Request<'a> {
        self.headers.push((name, value.into()));
        self
    }

    /// The same request with a body.
    pub fn body(mut self, body: Vec<u8>) -> Request<'a> {
        self.body = Some(body);
        self
    }

    /// The same request with credentials.
    pub fn auth(mut self, auth: Option<&'a Auth>) -> Request<'a> {
        self.auth = auth;
        self
    }
}

/// A response whose status and headers have arrived; the body is read on
/// demand, bounded.
pub struct Response {
    inner: reqwest::blocking::Response,
    url: Url,
    progress: bool,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status())
            .field("url", &redact_url(&self.url))
            .finish()
    }
}

impl Response {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.inner.status().as_u16()
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.inner.status().is_success()
    }

    /// The URL that answered (after redirects).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// All headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// Reads the whole body, refusing more than `limit` bytes. With
    /// `label`, a progress bar shows on a terminal.
    pub fn bytes(mut self, limit: u64, label: Option<&str>) -> Result<Vec<u8>, RegistryError> {
        let url = redact_url(&self.url);
        let expected = self.inner.content_length();
        if expected.is_some_and(|n| n > limit) {
            return Err(RegistryError::TooLarge { url, limit });
        }
        let bar = match label {
            Some(label) if self.progress && std::io::stderr().is_terminal() => {
                Some(progress_bar(label, expected))
            }
            _ => None,
        };
        let mut out = Vec::with_capacity(expected.unwrap_or(0).min(limit) as usize);
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = self
                .inner
                .read(&mut chunk)
                .map_err(|e| RegistryError::Transport {
                    url: url.clone(),
                    message: e.to_string(),
                })?;
            if n == 0 {
                break;
            }
            if out.len() as u64 + n as u64 > limit {
                if let Some(bar) = &bar {
                    bar.abandon();
                }
                return Err(RegistryError::TooLarge { url, limit });
            }
            out.extend_from_slice(&chunk[..n]);
            if let Some(bar) = &bar {
                bar.set_position(out.len() as u64);
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok(out)
    }

    /// The error for a response that is not the expected one: the status
    /// and the server's own message (JSON `message`, OCI `errors[].message`,
    /// or the first line of text), sanitized.
    pub fn into_error(self) -> RegistryError {
        let url = redact_url(&self.url);
        let status = self.inner.status();
        let status = match status.canonical_reason() {
            Some(reason) => format!("{} {reason}", status.as_u16()),
            None => status.as_u16().to_string(),
        };
        let body = self.bytes(16 * 1024, None).unwrap_or_default();
        let detail = server_message(&body)
            .map(|m| format!(": {}", crate::archive::sanitize(&m)))
            .unwrap_or_default();
        RegistryError::Status {
            url,
            status,
            detail,
        }
    }
}

/// The message an error body carries, in the shapes registries and hubs use.
fn server_message(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let shorten = |s: &str| -> String {
        let s = s.trim();
        if s.chars().count() > 300 {
            format!("{}…", s.chars().take(300).collect::<String>())
        } else {
            s.to_string()
        }
    };
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
        if let Some(m) = json.get("message").and_then(|m| m.as_str()) {
            return (!m.is_empty()).then(|| shorten(m));
        }
        if let Some(errors) = json.get("errors").and_then(|e| e.as_array()) {
            let parts: Vec<String> = errors
                .iter()
                .filter_map(|e| {
                    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("");
                    let message = e.get("message").and_then(|c| c.as_str()).unwrap_or("");
                    match (code.is_empty(), message.is_empty()) {
                        (true, true) => None,
                        (false, false) => Some(format!("{code}: {message}")),
                        _ => Some(format!("{code}{message}")),
                    }
                })
                .collect();
            if !parts.is_empty() {
                return Some(shorten(&parts.join("; ")));
            }
        }
        return None;
    }
    // HTML error pages say nothing useful in their first line.
    if text.starts_with('<') {
        return None;
    }
    text.lines().next().map(shorten)
}

fn progress_bar(label: &str, total: Option<u64>) -> indicatif::ProgressBar {
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = if total.is_some() {
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}"
    } else {
        "{msg} {spinner} {bytes} {bytes_per_sec}"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    bar.set_message(crate::archive::sanitize(label));
    bar
}

/// The client: one connection pool, shared by every request of a run.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::blocking::Client,
    progress: bool,
}

impl HttpClient {
    /// A client with `options` (reads the CA and client-certificate files).
    pub fn new(options: &ClientOptions) -> Result<HttpClient, RegistryError> {
        let mut builder = reqwest::blocking::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(options.timeout)
            .connect_timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .referer(false);
        if let Some(path) = &options.ca_file {
            let pem = std::fs::read(path).map_err(|e| RegistryError::file(path, &e))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| RegistryError::File {
                    path: path.display().to_string(),
                    message: format!("not a PEM certificate bundle: {}", error_chain(&e)),
                })?;
            if certs.is_empty() {
                return Err(RegistryError::File {
                    path: path.display().to_string(),
                    message: "no certificate found".into(),
                });
            }
            builder = builder.tls_certs_merge(certs);
        }
        match (&options.cert_file, &options.key_file) {
            (Some(cert), Some(key)) => {
                let mut pem = std::fs::read(cert).map_err(|e| RegistryError::file(cert, &e))?;
                pem.push(b'\n');
                pem.extend(std::fs::read(key).map_err(|e| RegistryError::file(key, &e))?);
                let identity =
                    reqwest::Identity::from_pem(&pem).map_err(|e| RegistryError::File {
                        path: cert.display().to_string(),
                        message: format!("not a usable certificate/key pair: {}", error_chain(&e)),
                    })?;
                builder = builder.identity(identity);
            }
            (None, None) => {}
            _ => {
                return Err(RegistryError::Invalid(
                    "--cert-file and --key-file must be given together".into(),
                ));
            }
        }
        if options.insecure_skip_tls_verify {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder.build().map_err(|e| {
            RegistryError::Invalid(format!(
                "cannot set up the HTTP client: {}",
                error_chain(&e)
            ))
        })?;
        Ok(HttpClient {
            client,
            progress: options.progress,
        })
    }

    /// Sends `request`, following redirects (credentials only to the
    /// original origin) and retrying 429 answers. Any status is returned;
    /// callers decide what is an error.
    pub fn send(&self, request: &Request<'_>) -> Result<Response, RegistryError> {
        let mut attempt = 0;
        loop {
            let response = self.send_following_redirects(request)?;
            if response.status() != 429 || attempt >= MAX_RATE_LIMIT_RETRIES {
                return Ok(response);
            }
            let wait = retry_after(&response).unwrap_or(Duration::from_secs(1 << attempt));
            if wait > MAX_RETRY_AFTER {
                return Ok(response);
            }
            eprintln!(
                "skiff: {} is rate limiting (429); retrying in {} s",
                request.url.host_str().unwrap_or("server"),
                wait.as_secs_f32()
            );
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    fn send_following_redirects(&self, request: &Request<'_>) -> Result<Response, RegistryError> {
        let origin = request.url.origin();
        let mut url = request.url.clone();
        let mut method = request.method.clone();
        let mut body = request.body.clone();
        for _ in 0..=MAX_REDIRECTS {
            let mut builder = self.client.request(method.clone(), url.clone());
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if let Some(auth) = request.auth
                && url.origin() == origin
            {
                builder = builder.header(reqwest::header::AUTHORIZATION, auth.header_value()?);
            }
            if let Some(body) = &body {
                builder = builder.body(body.clone());
            }
            let response = builder.send().map_err(|e| RegistryError::Transport {
                url: redact_url(&url),
                message: error_chain(&e.without_url()),
            })?;
            let status = response.status().as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                return Ok(Response {
                    inner: response,
                    url,
                    progress: self.progress,
                });
            }
            let Some(location) = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
            else {
                return Ok(Response {
                    inner: response,
                    url,
                    progress: self.progress,
                });
            };
            let next = url.join(location).map_err(|_| RegistryError::Transport {
                url: redact_url(&url),
                message: format!(
                    "redirect to an invalid location {:?}",
                    crate::archive::sanitize(location)
                ),
            })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(RegistryError::Transport {
                    url: redact_url(&url),
                    message: format!("redirect to unsupported scheme {:?}", next.scheme()),
                });
            }
            // 301/302/303 turn a POST into a GET without body, as browsers
            // and Go's client do; 307/308 repeat the request as it was.
            if status == 303 || (matches!(status, 301 | 302) && method == Method::POST) {
                method = Method::GET;
                body = None;
            }
            url = next;
        }
        Err(RegistryError::Transport {
            url: redact_url(&request.url),
            message: format!("stopped after {MAX_REDIRECTS} redirects"),
        })
    }

    /// GETs `url` and returns its body (at most `limit` bytes); a non-2xx
    /// status is an error carrying the server's message.
    pub fn fetch(
        &self,
        url: &Url,
        accept: &str,
        auth: Option<&Auth>,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        self.get_body(url, accept, auth, limit, None)
    }

    /// The body of a successful GET; `label` shows a progress bar.
    fn get_body(
        &self,
        url: &Url,
        accept: &str,
        auth: Option<&Auth>,
        limit: u64,
        label: Option<&str>,
    ) -> Result<Vec<u8>, RegistryError> {
        let request = Request::get(url.clone())
            .header(reqwest::header::ACCEPT, accept)
            .auth(auth);
        let response = self.send(&request)?;
        if !response.is_success() {
            return Err(response.into_error());
        }
        response.bytes(limit, label)
    }

    /// Downloads `url` (progress bar labelled `label`) and returns the bytes
    /// only if their sha256 is `expected_sha256`; otherwise nothing is kept
    /// and the mismatch is the error.
    pub fn download_verified(
        &self,
        url: &Url,
        accept: &str,
        auth: Option<&Auth>,
        expected_sha256: &str,
        limit: u64,
        label: &str,
    ) -> Result<Vec<u8>, RegistryError> {
        let bytes = self.get_body(url, accept, auth, limit, Some(label))?;
        verify_sha256(url, &bytes, expected_sha256)?;
        Ok(bytes)
    }
}

/// Checks that `bytes` have the sha256 `expected` (hex, any case; a
/// `sha256:` prefix is accepted).
pub fn verify_sha256(url: &Url, bytes: &[u8], expected: &str) -> Result<(), RegistryError> {
    let expected = expected.strip_prefix("sha256:").unwrap_or(expected);
    let actual = sha256_hex(bytes);
    if actual.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(RegistryError::DigestMismatch {
            url: redact_url(url),
            expected: crate::archive::sanitize(&expected.to_ascii_lowercase()),
            actual,
        })
    }
}

/// The wait a 429 answer asks for (`Retry-After` in seconds; the HTTP-date
/// form is rare for APIs and treated as absent).
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.header("retry-after")?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

/// An error and its causes, joined the way Go prints wrapped errors.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    crate::archive::sanitize(&text)
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
