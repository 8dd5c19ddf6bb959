//! The ArtifactHub API (<https://artifacthub.io>, OpenAPI 1.22): search Helm
//! charts, read one package, and resolve `artifacthub:REPO/PACKAGE` to the
//! real chart source (an archive URL of an HTTP repository, or an OCI
//! reference plus version).
//!
//! What the API does that shapes this client:
//! - Answers are built with PostgreSQL's `json_strip_nulls`, so **a missing
//!   field means null**: every field here that is not the identity of a
//!   package is optional, and unknown fields are ignored (the API grows).
//! - Errors are `{"message": "…"}` (the 404 message is empty); the shared
//!   [`HttpClient`] turns them into [`RegistryError::Status`] with the
//!   message, sanitized.
//! - Rate limits live in front of the API (CloudFront/ALB rules, 429 after a
//!   few hundred quick requests); the shared client backs off on 429 and
//!   honours `Retry-After`, which is all ArtifactHub asks of clients.
//! - Search pages hold at most 60 packages (`limit` outside 1..=60 is a 400);
//!   the total arrives in the `Pagination-Total-Count` header.
//!
//! Text from the API is printed only through [`output`], which sanitizes it
//! (a package description is written by whoever publishes the chart).

pub mod output;
pub mod pull;
pub mod resolve;

use std::path::PathBuf;

use serde::Deserialize;
use url::Url;

use super::RegistryError;
use super::http::{ClientOptions, HttpClient, Request};
use super::paths::Homes;

/// The public ArtifactHub.
pub const DEFAULT_ENDPOINT: &str = "https://artifacthub.io";

/// The API's page-size limit for search (`0 < limit <= 60`).
pub const MAX_PAGE_SIZE: usize = 60;

/// `kind=0`: Helm charts (ArtifactHub's RepositoryKind enum).
const KIND_HELM: &str = "0";

/// Largest API answer we read: a package detail carries the chart README and
/// CRDs, which can run to a few MB; search pages are far smaller.
const MAX_ANSWER_BYTES: u64 = 32 * 1024 * 1024;

/// An ArtifactHub repository as the API describes it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Repository {
    /// The repository's ArtifactHub name (the `REPO` of `REPO/PACKAGE`).
    pub name: String,
    /// The display name.
    pub display_name: Option<String>,
    /// The chart repository URL (`https://…` or `oci://…/<chart>`).
    pub url: Option<String>,
    /// The repository kind (0 = Helm charts).
    pub kind: Option<i64>,
    /// Whether ArtifactHub verified the publisher.
    pub verified_publisher: Option<bool>,
    /// Whether the repository is marked official.
    pub official: Option<bool>,
    /// The owning organization, if one owns it.
    pub organization_name: Option<String>,
    /// The owning user, if a user owns it.
    pub user_alias: Option<String>,
}

/// One search result (`PackageSummary`): the latest version of a package.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PackageSummary {
    /// The package name (the chart name).
    pub name: String,
    /// The URL-safe name used in API paths.
    pub normalized_name: Option<String>,
    /// The latest version.
    pub version: Option<String>,
    /// The app version of that version.
    pub app_version: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The license (SPDX id).
    pub license: Option<String>,
    /// Whether the package is deprecated.
    pub deprecated: Option<bool>,
    /// Whether the version is signed.
    pub signed: Option<bool>,
    /// `prov`, `cosign`.
    pub signatures: Option<Vec<String>>,
    /// ArtifactHub stars.
    pub stars: Option<i64>,
    /// The version's timestamp (Unix seconds).
    pub ts: Option<i64>,
    /// The repository holding it.
    pub repository: Repository,
}

impl PackageSummary {
    /// The name to use in API paths: `normalized_name`, else `name`.
    pub fn path_name(&self) -> &str {
        self.normalized_name.as_deref().unwrap_or(&self.name)
    }
}

/// One entry of a package's `available_versions`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AvailableVersion {
    /// The version text (normalized by ArtifactHub with Masterminds semver).
    pub version: String,
    /// Its app version (returned although the OpenAPI schema omits it).
    pub app_version: Option<String>,
    /// Whether the publisher marked it a prerelease.
    pub prerelease: Option<bool>,
    /// Whether it contains security updates.
    pub contains_security_updates: Option<bool>,
    /// Its timestamp (Unix seconds); the API orders the list by it.
    pub ts: Option<i64>,
}

/// A package maintainer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Maintainer {
    /// The name.
    pub name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
}

/// A link of a package (`source`, documentation, …).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Link {
    /// The label.
    pub name: Option<String>,
    /// The target.
    pub url: Option<String>,
}

/// A package version in detail (`GET /packages/helm/{repo}/{pkg}[/{version}]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Package {
    /// ArtifactHub's id of the package.
    pub package_id: Option<String>,
    /// The package name (the chart name).
    pub name: String,
    /// The URL-safe name used in API paths.
    pub normalized_name: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The version this answer describes.
    pub version: String,
    /// Its app version.
    pub app_version: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The license (SPDX id).
    pub license: Option<String>,
    /// Whether the package is deprecated.
    pub deprecated: Option<bool>,
    /// Whether this version is a prerelease.
    pub prerelease: Option<bool>,
    /// Whether this version is signed.
    pub signed: Option<bool>,
    /// `prov` (a provenance file exists), `cosign` (OCI signature).
    pub signatures: Option<Vec<String>>,
    /// The chart archive: an absolute `https://…tgz` for HTTP repositories,
    /// `oci://…/<chart>:<version with + as _>` for OCI ones.
    pub content_url: Option<String>,
    /// The sha256 the repository index gives for the archive (HTTP only;
    /// ArtifactHub builds OCI packages from tags, which carry none).
    pub digest: Option<String>,
    /// The chart's home page.
    pub home_url: Option<String>,
    /// Keywords.
    pub keywords: Option<Vec<String>>,
    /// Links (sources, docs).
    pub links: Option<Vec<Link>>,
    /// Maintainers.
    pub maintainers: Option<Vec<Maintainer>>,
    /// Every version ArtifactHub knows, newest *timestamp* first (not
    /// semver order).
    pub available_versions: Option<Vec<AvailableVersion>>,
    /// The version's timestamp (Unix seconds).
    pub ts: Option<i64>,
    /// The repository holding it.
    pub repository: Repository,
}

impl Package {
    /// The name to use in API paths: `normalized_name`, else `name`.
    pub fn path_name(&self) -> &str {
        self.normalized_name.as_deref().unwrap_or(&self.name)
    }
}

/// Where answers of the API are cached under the cache home.
pub fn cache_dir(homes: &Homes) -> PathBuf {
    homes.cache.join("artifacthub")
}

/// A search to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The words to look for (`ts_query_web`, websearch syntax).
    pub text: String,
    /// Only these ArtifactHub repositories (by name); empty means all.
    pub repositories: Vec<String>,
    /// How many packages to return at most (pages of 60 are fetched until
    /// this many arrived or the results end).
    pub max: usize,
    /// `relevance` (the API's default), `stars` or `last_updated`.
    pub sort: String,
}

impl Default for SearchQuery {
    fn default() -> SearchQuery {
        SearchQuery {
            text: String::new(),
            repositories: Vec::new(),
            max: MAX_PAGE_SIZE,
            sort: "relevance".into(),
        }
    }
}

/// What a search returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    /// The packages, in the API's order.
    pub packages: Vec<PackageSummary>,
    /// How many packages match in all (`Pagination-Total-Count`), when the
    /// server said.
    pub total: Option<u64>,
}

#[derive(Deserialize)]
struct SearchPage {
    #[serde(default)]
    packages: Option<Vec<PackageSummary>>,
}

/// A client of one ArtifactHub instance.
#[derive(Debug, Clone)]
pub struct HubClient {
    http: HttpClient,
    endpoint: Url,
    cache: Option<AnswerCache>,
}

impl HubClient {
    /// A client of the hub at `endpoint` (`None`: [`DEFAULT_ENDPOINT`]).
    pub fn new(
        endpoint: Option<&str>,
        options: &ClientOptions,
    ) -> Result<HubClient, RegistryError> {
        HubClient::with_http(HttpClient::new(options)?, endpoint)
    }

    /// A client sharing an existing HTTP client (one connection pool per
    /// run, as `pull` has one already).
    pub fn with_http(http: HttpClient, endpoint: Option<&str>) -> Result<HubClient, RegistryError> {
        let text = endpoint.unwrap_or(DEFAULT_ENDPOINT);
        let mut endpoint = Url::parse(text).map_err(|e| {
            RegistryError::Invalid(format!(
                "invalid ArtifactHub endpoint {:?}: {e}",
                crate::archive::sanitize(text)
            ))
        })?;
        if !matches!(endpoint.scheme(), "http" | "https") || endpoint.host_str().is_none() {
            return Err(RegistryError::Invalid(format!(
                "invalid ArtifactHub endpoint {:?}: expected http(s)://host[/path]",
                crate::archive::sanitize(text)
            )));
        }
        // `https://hub.example/prefix` and `…/prefix/` both mean the API
        // under the prefix; a trailing slash makes `join` keep the prefix.
        if !endpoint.path().ends_with('/') {
            let path = format!("{}/", endpoint.path());
            endpoint.set_path(&path);
        }
        endpoint.set_query(None);
        endpoint.set_fragment(None);
        Ok(HubClient {
            http,
            endpoint,
            cache: None,
        })
    }

    /// The same client keeping answers in `dir` for as long as the API's
    /// `Cache-Control: max-age` allows (300 s on artifacthub.io), so a
    /// `show` followed by a `pull`, or a repeated search, does not spend
    /// requests against the hub's rate limit.
    pub fn with_cache(mut self, dir: PathBuf) -> HubClient {
        self.cache = Some(AnswerCache { dir });
        self
    }

    /// The endpoint, with a trailing slash.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The web page of a package (what `helm search hub` prints as URL).
    pub fn package_page(&self, repo: &str, package: &str) -> String {
        let mut url = self.endpoint.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["packages", "helm", repo, package]);
        }
        url.to_string()
    }

    /// `endpoint` + `api/v1/<segments…>` with each segment percent-encoded
    /// (a package name is user input and must not add path levels).
    fn api_url(&self, segments: &[&str]) -> Url {
        let mut url = self.endpoint.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", "v1"]).extend(segments);
        }
        url
    }

    /// One search page: `limit` (1..=60) packages from `offset`.
    pub fn search_page(
        &self,
        query: &SearchQuery,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults, RegistryError> {
        let mut url = self.api_url(&["packages", "search"]);
        {
            let mut pairs = url.query_pairs_mut();
            pairs
                .append_pair("ts_query_web", &query.text)
                .append_pair("kind", KIND_HELM)
                .append_pair("facets", "false")
                .append_pair("sort", &query.sort)
                .append_pair("limit", &limit.to_string())
                .append_pair("offset", &offset.to_string());
            for repo in &query.repositories {
                pairs.append_pair("repo", repo);
            }
        }
        match self.get_json::<SearchPage>(&url)? {
            Some((page, total)) => Ok(SearchResults {
                packages: page.packages.unwrap_or_default(),
                total,
            }),
            None => Err(RegistryError::Status {
                url: super::redact_url(&url),
                status: "404 Not Found".into(),
                detail: ": is this an ArtifactHub API endpoint?".into(),
            }),
        }
    }

    /// Runs `query`, fetching pages of at most 60 until `query.max`
    /// packages arrived, the server's total is reached, or a page comes back
    /// short.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, RegistryError> {
        if query.max == 0 {
            return Err(RegistryError::Invalid("--max must be at least 1".into()));
        }
        let mut results = SearchResults::default();
        loop {
            let offset = results.packages.len();
            let limit = (query.max - offset).min(MAX_PAGE_SIZE);
            let page = self.search_page(query, limit, offset)?;
            let got = page.packages.len();
            results.total = page.total.or(results.total);
            results.packages.extend(page.packages);
            let done = results.packages.len() >= query.max
                || got < limit
                || results
                    .total
                    .is_some_and(|t| results.packages.len() as u64 >= t);
            if done {
                results.packages.truncate(query.max);
                return Ok(results);
            }
        }
    }

    /// A package: its latest version, or `version` exactly.
    pub fn package(
        &self,
        repo: &str,
        package: &str,
        version: Option<&str>,
    ) -> Result<Package, RegistryError> {
        let mut segments = vec!["packages", "helm", repo, package];
        if let Some(v) = version {
            segments.push(v);
        }
        let url = self.api_url(&segments);
        let Some((package, _)) = self.get_json::<Package>(&url)? else {
            let what = match version {
                Some(v) => format!("version {v:?} of package \"{repo}/{package}\""),
                None => format!("package \"{repo}/{package}\""),
            };
            return Err(RegistryError::NotFound(crate::archive::sanitize(&format!(
                "{what} not found on {}",
                super::redact_url(&self.endpoint)
            ))));
        };
        if package.version.is_empty() {
            return Err(RegistryError::Transport {
                url: super::redact_url(&url),
                message: "the package has no version".into(),
            });
        }
        Ok(package)
    }

    /// GETs a JSON answer (from the cache while it is fresh): `None` for
    /// 404, the decoded body and the `Pagination-Total-Count` otherwise. An
    /// answer is cached only after it decoded, so a broken one is not kept.
    fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
    ) -> Result<Option<(T, Option<u64>)>, RegistryError> {
        if let Some(cache) = &self.cache
            && let Some((body, total)) = cache.get(url)
            && let Ok(value) = serde_json::from_slice::<T>(&body)
        {
            return Ok(Some((value, total)));
        }
        let shown = |e| without_query(e, url);
        let response = self
            .http
            .send(&Request::get(url.clone()).header(reqwest::header::ACCEPT, "application/json"))
            .map_err(shown)?;
        if response.status() == 404 {
            return Ok(None);
        }
        if !response.is_success() {
            return Err(shown(response.into_error()));
        }
        let total = response
            .header("pagination-total-count")
            .and_then(|t| t.trim().parse::<u64>().ok());
        let max_age = response.header("cache-control").and_then(max_age);
        let body = response.bytes(MAX_ANSWER_BYTES, None).map_err(shown)?;
        let value: T = decode(url, &body)?;
        if let (Some(cache), Some(max_age)) = (&self.cache, max_age) {
            // A cache that cannot be written only costs a request next time.
            let _ = cache.put(url, &body, total, max_age);
        }
        Ok(Some((value, total)))
    }
}

/// `e` naming `url` without its query: the shared client redacts every
/// query value (signed repository URLs carry secrets there), which would
/// turn a search URL into `ts_query_web=***&kind=***…`; an API URL of ours
/// carries only our own parameters, and the path says which call failed.
fn without_query(e: RegistryError, url: &Url) -> RegistryError {
    let mut bare = url.clone();
    bare.set_query(None);
    let shown = super::redact_url(&bare);
    match e {
        RegistryError::Transport { message, .. } => RegistryError::Transport {
            url: shown,
            message,
        },
        RegistryError::Status { status, detail, .. } => RegistryError::Status {
            url: shown,
            status,
            detail,
        },
        RegistryError::TooLarge { limit, .. } => RegistryError::TooLarge { url: shown, limit },
        other => other,
    }
}

/// The freshness lifetime a `Cache-Control` value grants, if it allows
/// keeping the answer at all (capped at an hour).
fn max_age(header: &str) -> Option<u64> {
    let mut age = None;
    for directive in header.split(',').map(|d| d.trim().to_ascii_lowercase()) {
        if directive == "no-store" || directive == "no-cache" {
            return None;
        }
        if let Some(n) = directive.strip_prefix("max-age=") {
            age = n.trim_matches('"').parse::<u64>().ok();
        }
    }
    age.filter(|&a| a > 0).map(|a| a.min(3600))
}

/// API answers on disk, one file per request URL (named by its sha256),
/// each with the time it stops being fresh.
#[derive(Debug, Clone)]
struct AnswerCache {
    dir: PathBuf,
}

#[derive(serde::Serialize, Deserialize)]
struct CachedAnswer {
    /// Unix seconds after which the answer is stale.
    expires: u64,
    /// `Pagination-Total-Count`, for search pages.
    total: Option<u64>,
    /// The JSON body as received.
    body: String,
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl AnswerCache {
    fn path(&self, url: &Url) -> PathBuf {
        self.dir.join(format!(
            "{}.json",
            super::sha256_hex(url.as_str().as_bytes())
        ))
    }

    fn get(&self, url: &Url) -> Option<(Vec<u8>, Option<u64>)> {
        let text = std::fs::read(self.path(url)).ok()?;
        let entry: CachedAnswer = serde_json::from_slice(&text).ok()?;
        (entry.expires > now_unix()).then(|| (entry.body.into_bytes(), entry.total))
    }

    fn put(
        &self,
        url: &Url,
        body: &[u8],
        total: Option<u64>,
        max_age: u64,
    ) -> Result<(), RegistryError> {
        let Ok(body) = std::str::from_utf8(body) else {
            return Ok(());
        };
        let entry = CachedAnswer {
            expires: now_unix() + max_age,
            total,
            body: body.to_string(),
        };
        let text = serde_json::to_vec(&entry).map_err(|e| RegistryError::Invalid(e.to_string()))?;
        super::cache::write_atomic(&self.path(url), &text)
    }
}

/// Decodes a JSON answer; a body that is not the expected shape is an error
/// naming the URL (a proxy's HTML page is the usual cause).
fn decode<T: serde::de::DeserializeOwned>(url: &Url, body: &[u8]) -> Result<T, RegistryError> {
    serde_json::from_slice(body).map_err(|e| {
        let e = RegistryError::Transport {
            url: String::new(),
            message: format!("not an ArtifactHub API answer: {e}"),
        };
        without_query(e, url)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(endpoint: &str) -> HubClient {
        HubClient::new(Some(endpoint), &ClientOptions::default()).unwrap()
    }

    #[test]
    fn endpoint_prefix_is_kept_and_segments_are_encoded() {
        let c = client("https://hub.example/mirror");
        assert_eq!(
            c.api_url(&["packages", "helm", "a b", "x/y"]).as_str(),
            "https://hub.example/mirror/api/v1/packages/helm/a%20b/x%2Fy"
        );
        assert_eq!(
            c.package_page("bitnami", "kafka"),
            "https://hub.example/mirror/packages/helm/bitnami/kafka"
        );
        let c = client("http://127.0.0.1:9/");
        assert_eq!(
            c.api_url(&["packages", "search"]).as_str(),
            "http://127.0.0.1:9/api/v1/packages/search"
        );
    }

    #[test]
    fn bad_endpoints_are_refused() {
        for bad in ["", "artifacthub.io", "ftp://hub.example", "http://"] {
            assert!(
                HubClient::new(Some(bad), &ClientOptions::default()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn absent_fields_are_none_and_unknown_fields_ignored() {
        let p: Package = serde_json::from_str(
            r#"{"name":"demo","version":"1.0.0","repository":{"name":"lab"},
                "future_field":{"x":1},"stats":{"subscriptions":3}}"#,
        )
        .unwrap();
        assert_eq!(p.name, "demo");
        assert_eq!(p.repository.name, "lab");
        assert_eq!(p.content_url, None);
        assert_eq!(p.available_versions, None);
        // An explicit null (older servers) reads the same as a missing field.
        let p: Package = serde_json::from_str(
            r#"{"name":"demo","version":"1.0.0","maintainers":null,"signed":null}"#,
        )
        .unwrap();
        assert_eq!((p.maintainers, p.signed), (None, None));
        let s: SearchPage = serde_json::from_str(r#"{"packages":[{"name":"x"}]}"#).unwrap();
        assert_eq!(s.packages.unwrap()[0].repository, Repository::default());
    }

    #[test]
    fn cache_control_lifetimes() {
        assert_eq!(max_age("max-age=300"), Some(300));
        assert_eq!(max_age("public, Max-Age=\"60\""), Some(60));
        assert_eq!(max_age("max-age=999999"), Some(3600));
        assert_eq!(max_age("max-age=300, no-store"), None);
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(max_age("max-age=0"), None);
        assert_eq!(max_age("private"), None);
    }

    #[test]
    fn fresh_answers_come_from_the_cache_and_stale_ones_do_not() {
        use crate::registry::test_server::{Reply, TestServer};
        let server = TestServer::start(|req| {
            let body = r#"{"name":"demo","version":"1.0.0","repository":{"name":"lab"}}"#;
            let reply = Reply::ok(body).with_header("Content-Type", "application/json");
            if req.path().ends_with("/uncached") {
                reply
            } else {
                reply.with_header("Cache-Control", "max-age=300")
            }
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let c = client(&server.url()).with_cache(dir.path().join("hub"));
        for _ in 0..3 {
            assert_eq!(c.package("lab", "demo", None).unwrap().version, "1.0.0");
        }
        assert_eq!(server.requests().len(), 1, "one request, then the cache");
        // Without a lifetime nothing is kept.
        c.package("lab", "uncached", None).unwrap();
        c.package("lab", "uncached", None).unwrap();
        assert_eq!(server.requests().len(), 3);
        // Once stale, the entry is fetched again.
        let entry = c
            .cache
            .as_ref()
            .unwrap()
            .path(&c.api_url(&["packages", "helm", "lab", "demo"]));
        let mut cached: CachedAnswer =
            serde_json::from_slice(&std::fs::read(&entry).unwrap()).unwrap();
        cached.expires = now_unix() - 1;
        std::fs::write(&entry, serde_json::to_vec(&cached).unwrap()).unwrap();
        c.package("lab", "demo", None).unwrap();
        assert_eq!(server.requests().len(), 4);
        // A damaged entry is ignored, not an error.
        std::fs::write(&entry, b"{not json").unwrap();
        c.package("lab", "demo", None).unwrap();
        assert_eq!(server.requests().len(), 5);
    }
}
