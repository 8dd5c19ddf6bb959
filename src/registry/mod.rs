//! Remote chart sources: HTTP chart repositories, OCI registries and the
//! ArtifactHub API, behind one HTTP client and one digest-keyed cache.
//!
//! Everything downloaded is checked before it is used or kept: an archive
//! whose sha256 differs from the digest its index or manifest names is an
//! error and is not written anywhere (helm keeps such bytes and even caches
//! them under the expected digest: helm/helm#7623).
//!
//! - [`http`]: the blocking HTTP(S) client (rustls), TLS options, redirects
//!   that never carry credentials to another origin, 429 back-off, bounded
//!   and verified downloads with a progress bar on terminals.
//! - [`cache`]: content-addressed storage under the cache home.
//! - [`paths`]: where configuration and cache live.
//! - [`reference`]: the chart references `pull` accepts.
//! - [`oci`]: the OCI distribution client and its auth chain ([`auth`]),
//!   with credentials from Docker-format files ([`credentials`]);
//!   [`helm_oci`]: helm's chart artifact, `push`, and OCI pulls.
//! - [`artifacthub`]: the ArtifactHub API (search, package detail) and the
//!   resolution of `artifacthub:REPO/PACKAGE` to a real chart source.
//! - [`repo`], [`repo_index`]: HTTP chart repositories (`repo add|update|
//!   list|remove`, cached compact indexes, pulls by `repo/chart` or URL).

pub mod artifacthub;
pub mod auth;
pub mod cache;
pub mod credentials;
mod error;
pub mod helm_oci;
pub mod http;
pub mod oci;
pub mod paths;
pub mod prov;
pub mod pull;
pub mod reference;
pub mod repo;
pub mod repo_index;
pub mod test_server;

pub use error::RegistryError;

/// Redacts what must never be printed from a URL: user information
/// (`user:password@`) and query values (signed-URL and SAS-token repos carry
/// their secret in the query, which helm copies onto every request).
pub fn redact_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    if !shown.username().is_empty() || shown.password().is_some() {
        // Only fails for cannot-be-a-base URLs, which carry no credentials.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
    }
    if let Some(query) = url.query() {
        let keys: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) => format!("{k}=***"),
                None => pair.to_string(),
            })
            .collect();
        shown.set_query(Some(&keys.join("&")));
    }
    crate::archive::sanitize(shown.as_str())
}

/// The lowercase hex sha256 of `bytes` (the one `repo index` writes).
pub use crate::package::index::sha256_hex;

/// Whether `hex` is 64 hex digits: a sha256 without its `sha256:` prefix.
pub fn is_sha256_hex(hex: &str) -> bool {
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_userinfo_and_query_values() {
        let url =
            url::Url::parse("https://bob:s3cret@charts.example/r/index.yaml?sig=abc&x").unwrap();
        let shown = redact_url(&url);
        assert!(!shown.contains("s3cret") && !shown.contains("bob") && !shown.contains("abc"));
        assert_eq!(shown, "https://charts.example/r/index.yaml?sig=***&x");
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
